#include "bindings.hpp"
#include "cyberloss/describe.hpp"
#include "cyberloss/distributions.hpp"
#include "cyberloss/sampling.hpp"
#include "cyberloss/special.hpp"
#include "cyberloss/vecmath.hpp"

namespace cyberloss::bindings {
namespace {

using DArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

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

// The core's elementary functions, whose bits do not depend on the CPU (vecmath.hpp), element
// by element over arrays or on scalars: cyberloss._arith computes model parameters with these.
void register_vecmath(py::module_& m) {
  auto vm = m.def_submodule("vecmath", "elementary functions with the same bits on every CPU");
  using Unary = double (*)(double);
  const std::pair<const char*, Unary> unary[] = {
      {"exp", &vecmath::exp},       {"log", &vecmath::log},
      {"log1p", &vecmath::log1p},   {"expm1", &vecmath::expm1},
      {"erf", &vecmath::erf},       {"erfc", &vecmath::erfc},
      {"lgamma", &vecmath::lgamma}, {"normal_cdf", &vecmath::normal_cdf}};
  for (const auto& [name, f] : unary) vm.def(name, py::vectorize(f), py::arg("x"));
  vm.def("pow", py::vectorize(static_cast<double (*)(double, double)>(&vecmath::pow)), py::arg("x"),
         py::arg("y"));
}

}  // namespace

void register_distributions(py::module_& m) {
  register_special(m);
  register_vecmath(m);
  py::class_<Frequency, std::shared_ptr<Frequency>>(
      m, "Frequency",
      "The annual count of incidents of one attack type (Poisson or NegativeBinomial).")
      .def("mean", &Frequency::mean, "expected count per year")
      .def("variance", &Frequency::variance, "variance of the annual count")
      .def(
          "pmf",
          [](const Frequency& f, DArray k) {
            return map_elements<double>(k, [&](double x) { return f.pmf_at(x); });
          },
          py::arg("k"), "P(N = k), vectorised over k (0 off the whole numbers >= 0)")
      .def(
          "cdf",
          [](const Frequency& f, DArray k) {
            return map_elements<double>(k, [&](double x) { return f.cdf_at(x); });
          },
          py::arg("k"), "P(N <= k), vectorised over any real k")
      .def(
          "quantile",
          [](const Frequency& f, DArray p) {
            return map_elements<std::int64_t>(
                p, [&](double q) { return static_cast<std::int64_t>(f.quantile(q)); });
          },
          py::arg("p"), "the smallest k with P(N <= k) >= p, vectorised over p in (0, 1)")
      .def(
          "scaled",
          [](const Frequency& f, double factor) {
            return std::const_pointer_cast<Frequency>(f.scaled(factor));
          },
          py::arg("factor"), "the same family with the mean multiplied by factor > 0")
      .def(
          "sample",
          [](const Frequency& f, const py::handle& n, const py::handle& seed,
             const py::handle& stream) {
            const std::size_t count = sample_count_arg(n);
            const std::uint32_t s = seed_arg(seed), st = stream_arg(stream);
            return release_and_array([&] { return sample(f, count, s, st); });
          },
          py::arg("n"), py::arg("seed"), py::arg("stream") = 0,
          "n independent counts; element i is the engine's count of year i on (seed, stream)")
      .def("__repr__", [](const Frequency& f) { return describe(f); });

  py::class_<Poisson, Frequency, std::shared_ptr<Poisson>>(
      m, "Poisson", "Poisson(rate): rate expected incidents per year, rate >= 0 and finite.")
      .def(py::init<double>(), py::arg("rate"))
      .def_property_readonly("rate", &Poisson::rate, "expected incidents per year");

  py::class_<NegativeBinomial, Frequency, std::shared_ptr<NegativeBinomial>>(
      m, "NegativeBinomial",
      "NegativeBinomial(mean, dispersion): variance = mean + mean**2 / dispersion (a gamma-mixed "
      "Poisson; dispersion > 0, larger is closer to Poisson).")
      .def(py::init<double, double>(), py::arg("mean"), py::arg("dispersion"))
      .def_property_readonly("dispersion", &NegativeBinomial::dispersion,
                             "the gamma mixing shape r of variance = mean + mean**2 / r");

  py::class_<Severity, std::shared_ptr<Severity>>(
      m, "Severity", "The loss of one incident in JPY (Lognormal or SplicedLognormalGPD).")
      .def("mean", &Severity::mean,
           "expected loss per incident (JPY); ValueError when infinite (a GPD tail with xi >= 1)")
      .def("variance", &Severity::variance,
           "variance of the loss (JPY**2); ValueError when infinite (xi >= 1/2)")
      .def(
          "cdf",
          [](const Severity& s, DArray x) {
            return map_elements<double>(x, [&](double v) { return s.cdf(v); });
          },
          py::arg("x"), "P(X <= x), vectorised over x (JPY)")
      .def("quantile", &severity_quantiles, py::arg("p"),
           "the loss x with P(X <= x) = p, vectorised over p in (0, 1) (JPY)")
      .def(
          "lev",
          [](const Severity& s, DArray x) {
            return map_elements<double>(x, [&](double v) { return s.lev(v); });
          },
          py::arg("limit"), "limited expected value E[min(X, limit)], vectorised over limit (JPY)")
      .def("moment_limit", &Severity::moment_limit,
           "the order k above which E[X**k] is infinite (inf for a lognormal, 1/xi for a GPD tail)")
      .def("upper_quantile", &Severity::upper_quantile, py::arg("q"),
           "the loss exceeded with probability q in (0, 1], accurate for tiny q (JPY)")
      .def(
          "scaled",
          [](const Severity& s, double factor) {
            return std::const_pointer_cast<Severity>(s.scaled(factor));
          },
          py::arg("factor"), "the distribution of factor * X (factor > 0)")
      .def(
          "sample",
          [](const Severity& sev, const py::handle& n, const py::handle& seed,
             const py::handle& stream) {
            const std::size_t count = sample_count_arg(n);
            const std::uint32_t s = seed_arg(seed), st = stream_arg(stream);
            return release_and_array([&] { return sample(sev, count, s, st); });
          },
          py::arg("n"), py::arg("seed"), py::arg("stream") = 0,
          "n independent losses; element i is the quantile of uniform_at(seed, stream, i, 0)")
      .def("__repr__", [](const Severity& sev) { return describe(sev); });

  py::class_<Lognormal, Severity, std::shared_ptr<Lognormal>>(
      m, "Lognormal",
      "Lognormal(mu, sigma): ln X ~ Normal(mu, sigma**2), X in JPY; mean exp(mu + sigma**2/2), "
      "median exp(mu). Lognormal.from_mean_median(mean, median) takes the two published figures.")
      .def(py::init<double, double>(), py::arg("mu"), py::arg("sigma"))
      .def_static("from_mean_median", &Lognormal::from_mean_median, py::arg("mean"),
                  py::arg("median"),
                  "mu = ln median, sigma = sqrt(2 ln(mean / median)); needs mean > median > 0")
      .def_property_readonly("mu", &Lognormal::mu, "mean of ln X")
      .def_property_readonly("sigma", &Lognormal::sigma, "standard deviation of ln X")
      .def("median", &Lognormal::median, "exp(mu) (JPY)")
      .def("partial_moment", &Lognormal::partial_moment, py::arg("k"), py::arg("x"),
           "E[X**k; X <= x] for k = 1 or 2");

  py::class_<SplicedLognormalGPD, Severity, std::shared_ptr<SplicedLognormalGPD>>(
      m, "SplicedLognormalGPD",
      "A lognormal body below threshold (JPY) and a generalised Pareto tail (shape xi, scale "
      "beta) above it, with the body's tail probability; beta = 0 picks the scale that makes "
      "the density continuous.")
      .def(py::init<Lognormal, double, double, double>(), py::arg("body"), py::arg("threshold"),
           py::arg("xi"), py::arg("beta") = 0.0)
      .def_property_readonly("body", &SplicedLognormalGPD::body)
      .def_property_readonly("threshold", &SplicedLognormalGPD::threshold)
      .def_property_readonly("xi", &SplicedLognormalGPD::xi)
      .def_property_readonly("beta", &SplicedLognormalGPD::beta)
      .def_property_readonly("tail_probability", &SplicedLognormalGPD::tail_probability);
}

}  // namespace cyberloss::bindings
