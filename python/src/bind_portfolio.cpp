#include "bindings.hpp"
#include "cyberloss/engine.hpp"
#include "cyberloss/portfolio.hpp"

namespace cyberloss::bindings {

void register_portfolio(py::module_& m) {
  py::class_<PortfolioFrequency, std::shared_ptr<PortfolioFrequency>>(m, "PortfolioFrequency")
      .def(py::init<const std::vector<std::vector<double>>&, std::vector<double>>(),
           py::arg("rates"), py::arg("systemic_variance"))
      .def_property_readonly("n_types", &PortfolioFrequency::n_types)
      .def_property_readonly("n_policies", &PortfolioFrequency::n_policies)
      .def("total_rate", &PortfolioFrequency::total_rate, py::arg("type"))
      .def("systemic_variance", &PortfolioFrequency::systemic_variance, py::arg("type"))
      .def("theta", &PortfolioFrequency::theta, py::arg("seed"), py::arg("type"), py::arg("year"))
      .def("policy_of", &PortfolioFrequency::policy_of, py::arg("type"), py::arg("u"));

  // Returns a dict of NumPy arrays (theta and counts shaped (years, n_types); per-event year,
  // type, k, policy, u ordered by (year, type, k)).
  m.def(
      "portfolio_events",
      [](std::shared_ptr<PortfolioFrequency> f, std::uint32_t seed, std::uint64_t first_year,
         std::uint64_t years, int threads, std::uint64_t max_events) {
        std::atomic<bool> cancel{false};
        PortfolioEvents ev = run_interruptible<PortfolioEvents>(
            [&] { return portfolio_events(*f, seed, first_year, years, threads, max_events, &cancel); },
            cancel);
        const auto y = static_cast<py::ssize_t>(ev.years);
        const auto nt = static_cast<py::ssize_t>(ev.n_types);
        const auto ne = static_cast<py::ssize_t>(ev.u.size());
        py::dict out;
        out["theta"] = to_array(std::move(ev.theta), {y, nt});
        out["counts"] = to_array(std::move(ev.counts), {y, nt});
        out["year"] = to_array(std::move(ev.year), {ne});
        out["type"] = to_array(std::move(ev.type), {ne});
        out["k"] = to_array(std::move(ev.k), {ne});
        out["policy"] = to_array(std::move(ev.policy), {ne});
        out["u"] = to_array(std::move(ev.u), {ne});
        return out;
      },
      py::arg("frequency"), py::arg("seed"), py::arg("first_year"), py::arg("years"),
      py::arg("threads") = 0, py::arg("max_events") = 100'000'000);
}

}  // namespace cyberloss::bindings
