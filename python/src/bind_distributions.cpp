#include "bindings.hpp"
#include "cyberloss/distributions.hpp"
#include "cyberloss/special.hpp"

namespace cyberloss::bindings {
namespace {

using DArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using IArray = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

std::uint64_t count_arg(std::int64_t k) {
  if (k < 0) throw std::invalid_argument("k must be >= 0, got " + std::to_string(k));
  return static_cast<std::uint64_t>(k);
}

py::array_t<double> severity_sample(const Severity& sev, std::size_t n, std::uint32_t seed,
                                    std::uint32_t stream) {
  std::vector<std::uint64_t> years(n), draws(n, 0);
  for (std::size_t i = 0; i < n; ++i) years[i] = i;
  py::array_t<double> out(static_cast<py::ssize_t>(n));
  auto* o = out.mutable_data();
  {
    py::gil_scoped_release release;
    uniform_batch(seed, stream, years.data(), draws.data(), n, o);
    sev.quantile_batch(o, o, n);
  }
  return out;
}

py::object severity_quantiles(const Severity& sev, DArray p) {
  const auto n = static_cast<std::size_t>(p.size());
  for (std::size_t i = 0; i < n; ++i) require_probability("p", p.data()[i]);
  if (p.ndim() == 0) return py::cast(sev.quantile(p.data()[0]));
  py::array_t<double> out(p.request().shape);
  sev.quantile_batch(p.data(), out.mutable_data(), n);
  return std::move(out);
}

void register_special(py::module_& m) {
  auto sp = m.def_submodule("special", "regularised incomplete gamma and beta functions");
  auto tails = [](special::Tails t) { return py::make_tuple(t.lower, t.upper); };
  sp.def(
      "gamma_tails", [=](double a, double x) { return tails(special::gamma_tails(a, x)); },
      py::arg("a"), py::arg("x"));
  sp.def(
      "beta_tails",
      [=](double a, double b, double x) { return tails(special::beta_tails(a, b, x)); },
      py::arg("a"), py::arg("b"), py::arg("x"));
  sp.def(
      "poisson_tails",
      [=](std::uint64_t k, double lambda) { return tails(special::poisson_tails(k, lambda)); },
      py::arg("k"), py::arg("lam"));
  sp.def(
      "negative_binomial_tails",
      [=](std::uint64_t k, double mean, double dispersion) {
        return tails(special::negative_binomial_tails(k, mean, dispersion));
      },
      py::arg("k"), py::arg("mean"), py::arg("dispersion"));
}

}  // namespace

void register_distributions(py::module_& m) {
  register_special(m);
  py::class_<Frequency, std::shared_ptr<Frequency>>(m, "Frequency")
      .def("mean", &Frequency::mean)
      .def("variance", &Frequency::variance)
      .def(
          "pmf",
          [](const Frequency& f, IArray k) {
            return map_elements<double>(k, [&](std::int64_t j) { return f.pmf(count_arg(j)); });
          },
          py::arg("k"))
      .def(
          "cdf",
          [](const Frequency& f, IArray k) {
            return map_elements<double>(k, [&](std::int64_t j) { return f.cdf(count_arg(j)); });
          },
          py::arg("k"))
      .def(
          "quantile",
          [](const Frequency& f, DArray p) {
            return map_elements<std::int64_t>(
                p, [&](double q) { return static_cast<std::int64_t>(f.quantile(q)); });
          },
          py::arg("p"))
      .def("scaled",
           [](const Frequency& f, double factor) {
             return std::const_pointer_cast<Frequency>(f.scaled(factor));
           })
      .def("sample",
           [](const Frequency& f, std::size_t n, std::uint32_t seed, std::uint32_t stream) {
             std::vector<std::int64_t> out(n);
             {
               py::gil_scoped_release release;
               for (std::size_t i = 0; i < n; ++i)
                 out[i] = static_cast<std::int64_t>(f.count(seed, stream, i));
             }
             return py::array_t<std::int64_t>(static_cast<py::ssize_t>(n), out.data());
           });

  py::class_<Poisson, Frequency, std::shared_ptr<Poisson>>(m, "Poisson")
      .def(py::init<double>(), py::arg("rate"))
      .def_property_readonly("rate", &Poisson::rate);

  py::class_<NegativeBinomial, Frequency, std::shared_ptr<NegativeBinomial>>(m, "NegativeBinomial")
      .def(py::init<double, double>(), py::arg("mean"), py::arg("dispersion"))
      .def_property_readonly("dispersion", &NegativeBinomial::dispersion);

  py::class_<Severity, std::shared_ptr<Severity>>(m, "Severity")
      .def("mean", &Severity::mean)
      .def("variance", &Severity::variance)
      .def(
          "cdf",
          [](const Severity& s, DArray x) {
            return map_elements<double>(x, [&](double v) { return s.cdf(v); });
          },
          py::arg("x"))
      .def("quantile", &severity_quantiles, py::arg("p"))
      .def(
          "lev",
          [](const Severity& s, DArray x) {
            return map_elements<double>(x, [&](double v) { return s.lev(v); });
          },
          py::arg("limit"))
      .def("moment_limit", &Severity::moment_limit)
      .def("upper_quantile", &Severity::upper_quantile, py::arg("q"))
      .def("scaled",
           [](const Severity& s, double factor) {
             return std::const_pointer_cast<Severity>(s.scaled(factor));
           })
      .def("sample", &severity_sample, py::arg("n"), py::arg("seed"), py::arg("stream"));

  py::class_<Lognormal, Severity, std::shared_ptr<Lognormal>>(m, "Lognormal")
      .def(py::init<double, double>(), py::arg("mu"), py::arg("sigma"))
      .def_static("from_mean_median", &Lognormal::from_mean_median, py::arg("mean"),
                  py::arg("median"))
      .def_property_readonly("mu", &Lognormal::mu)
      .def_property_readonly("sigma", &Lognormal::sigma)
      .def("median", &Lognormal::median)
      .def("partial_moment", &Lognormal::partial_moment, py::arg("k"), py::arg("x"));

  py::class_<SplicedLognormalGPD, Severity, std::shared_ptr<SplicedLognormalGPD>>(
      m, "SplicedLognormalGPD")
      .def(py::init<Lognormal, double, double, double>(), py::arg("body"), py::arg("threshold"),
           py::arg("xi"), py::arg("beta") = 0.0)
      .def_property_readonly("body", &SplicedLognormalGPD::body)
      .def_property_readonly("threshold", &SplicedLognormalGPD::threshold)
      .def_property_readonly("xi", &SplicedLognormalGPD::xi)
      .def_property_readonly("beta", &SplicedLognormalGPD::beta)
      .def_property_readonly("tail_probability", &SplicedLognormalGPD::tail_probability);
}

}  // namespace cyberloss::bindings
