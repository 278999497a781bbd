#include "bindings.hpp"
#include "cyberloss/describe.hpp"
#include "cyberloss/engine.hpp"
#include "cyberloss/simd.hpp"

namespace cyberloss::bindings {

void register_engine(py::module_& m) {
  py::class_<AttackType>(m, "AttackType",
                         "One attack type of a Model: a name, its annual Frequency and its "
                         "Severity (JPY per incident).")
      .def(
          py::init([](std::string name, std::shared_ptr<Frequency> f, std::shared_ptr<Severity> s) {
            return AttackType(std::move(name), std::move(f), std::move(s));
          }),
          py::arg("name"), py::arg("frequency"), py::arg("severity"))
      .def_readonly("name", &AttackType::name)
      .def_property_readonly(
          "frequency",
          [](const AttackType& a) { return std::const_pointer_cast<Frequency>(a.frequency); })
      .def_property_readonly(
          "severity",
          [](const AttackType& a) { return std::const_pointer_cast<Severity>(a.severity); })
      .def("__repr__", [](const AttackType& a) { return describe(a); });

  py::class_<Model, std::shared_ptr<Model>>(
      m, "Model",
      "A compound model: independent attack types, each a frequency of incidents per year and "
      "a severity per incident; the annual loss is the sum over types and incidents (JPY).")
      .def(py::init<std::vector<AttackType>>(), py::arg("attack_types"))
      .def_property_readonly("attack_types", &Model::types, "the attack types, in model order")
      .def("expected_annual_loss", &Model::expected_annual_loss,
           "closed form sum of E[N] E[X] over the attack types (JPY)")
      .def("annual_loss_variance", &Model::annual_loss_variance,
           "closed form variance of the annual loss (JPY**2; inf for heavy tails)")
      .def("reliability_warnings", &Model::reliability_warnings, py::arg("years"),
           "why a simulated mean or its standard error over this many years may mislead")
      .def("__repr__", [](const Model& model) { return describe(model); });

  py::class_<SimulationResult, std::shared_ptr<SimulationResult>>(m, "SimulationResult")
      .def_readonly("years", &SimulationResult::years)
      .def_readonly("first_year", &SimulationResult::first_year)
      .def_readonly("seed", &SimulationResult::seed)
      .def_readonly("type_names", &SimulationResult::type_names)
      .def_property_readonly("annual",
                             [](py::object self) {
                               const auto& r = self.cast<const SimulationResult&>();
                               return view(r.annual.data(), {static_cast<py::ssize_t>(r.years)},
                                           self);
                             })
      .def_property_readonly(
          "by_type",
          [](py::object self) -> py::object {
            const auto& r = self.cast<const SimulationResult&>();
            if (r.by_type.empty()) return py::none();
            return view(r.by_type.data(),
                        {static_cast<py::ssize_t>(r.years), static_cast<py::ssize_t>(r.n_types)},
                        self);
          })
      .def_property_readonly(
          "counts",
          [](py::object self) -> py::object {
            const auto& r = self.cast<const SimulationResult&>();
            if (r.counts.empty()) return py::none();
            return view(r.counts.data(),
                        {static_cast<py::ssize_t>(r.years), static_cast<py::ssize_t>(r.n_types)},
                        self);
          })
      .def_property_readonly("layered_annual",
                             [](py::object self) -> py::object {
                               const auto& r = self.cast<const SimulationResult&>();
                               if (r.layered_annual.empty()) return py::none();
                               return view(r.layered_annual.data(),
                                           {static_cast<py::ssize_t>(r.years)}, self);
                             })
      .def_property_readonly("event_year",
                             [](py::object self) {
                               const auto& r = self.cast<const SimulationResult&>();
                               return view(r.event_year.data(),
                                           {static_cast<py::ssize_t>(r.event_year.size())}, self);
                             })
      .def_property_readonly("event_type",
                             [](py::object self) {
                               const auto& r = self.cast<const SimulationResult&>();
                               return view(r.event_type.data(),
                                           {static_cast<py::ssize_t>(r.event_type.size())}, self);
                             })
      .def_property_readonly("event_k",
                             [](py::object self) {
                               const auto& r = self.cast<const SimulationResult&>();
                               return view(r.event_k.data(),
                                           {static_cast<py::ssize_t>(r.event_k.size())}, self);
                             })
      .def_property_readonly("event_loss", [](py::object self) {
        const auto& r = self.cast<const SimulationResult&>();
        return view(r.event_loss.data(), {static_cast<py::ssize_t>(r.event_loss.size())}, self);
      });

  m.def("simd_path", &simd_path,
        "The instruction-set path of the hot kernels: 'baseline', 'avx2' or 'avx512' (the widest "
        "this CPU runs, or CYBERLOSS_SIMD). Raises ValueError if CYBERLOSS_SIMD names an unknown "
        "path or one this CPU lacks.");
  m.def("simd_paths_available", &simd_paths_available,
        "The instruction-set paths this build can run on this CPU, narrowest first.");
  m.def("simd_paths_compiled", &simd_paths_compiled,
        "The instruction-set paths this build contains.");
  m.attr("MAX_THREADS") = max_threads;
  m.attr("MAX_YEAR_END") = max_year_end;
  m.def(
      "simulation_bytes",
      [](const Model& model, std::uint64_t years, bool keep_events, int threads,
         std::uint64_t block_size, bool keep_by_type, bool keep_counts, bool layered) {
        // The seed and first year do not change the memory a run needs.
        SimulationOptions o = simulation_options(years, 0, threads, block_size, 0);
        o.keep_events = keep_events;
        o.keep_by_type = keep_by_type;
        o.keep_counts = keep_counts;
        if (layered) o.aggregate_layer = Layer();
        return simulation_bytes(model, o);
      },
      py::arg("model"), py::arg("years"), py::arg("keep_events") = false, py::arg("threads") = 0,
      py::arg("block_size") = 0, py::arg("keep_by_type") = true, py::arg("keep_counts") = true,
      py::arg("layered") = false);
  m.def("available_memory_bytes", &available_memory_bytes);

  m.def(
      "simulate",
      [](std::shared_ptr<Model> model, std::uint64_t years, std::uint32_t seed, int threads,
         std::uint64_t block_size, std::uint64_t first_year, bool keep_events, py::object progress,
         bool keep_by_type, bool keep_counts, std::optional<Layer> occurrence_layer,
         std::optional<Layer> aggregate_layer) {
        SimulationOptions o = simulation_options(years, seed, threads, block_size, first_year);
        o.keep_events = keep_events;
        o.keep_by_type = keep_by_type;
        o.keep_counts = keep_counts;
        o.occurrence_layer = occurrence_layer;
        o.aggregate_layer = aggregate_layer;
        return run_simulation<std::shared_ptr<SimulationResult>>(
            o, progress, [&](const SimulationOptions& options) {
              return std::make_shared<SimulationResult>(simulate(*model, options));
            });
      },
      py::arg("model"), py::arg("years"), py::arg("seed"), py::arg("threads") = 0,
      py::arg("block_size") = 0, py::arg("first_year") = 0, py::arg("keep_events") = false,
      py::arg("progress") = py::none(), py::arg("keep_by_type") = true,
      py::arg("keep_counts") = true, py::arg("occurrence_layer") = py::none(),
      py::arg("aggregate_layer") = py::none());
}

}  // namespace cyberloss::bindings
