#include <vector>

#include "bindings.hpp"
#include "cyberloss/random.hpp"
#include "cyberloss/sampling.hpp"
#include "cyberloss/vecmath.hpp"

namespace cyberloss::bindings {
namespace {

using U64Array = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>;

}  // namespace

void register_random(py::module_& m) {
  m.def("philox4x32_10", &philox4x32_10, py::arg("counter"), py::arg("key"));
  m.def("stream_id", py::overload_cast<std::uint32_t, std::uint32_t>(&stream_id),
        py::arg("purpose"), py::arg("index"));
  m.def(
      "uniform_batch",
      [](std::uint32_t seed, std::uint32_t stream, U64Array years, U64Array draws) {
        if (years.size() != draws.size())
          throw std::invalid_argument("years and draws must have the same length");
        const auto n = static_cast<std::size_t>(years.size());
        py::array_t<double> out(years.size());
        const auto* y = years.data();
        const auto* d = draws.data();
        auto* o = out.mutable_data();
        {
          py::gil_scoped_release release;
          uniform_batch(seed, stream, y, d, n, o);
        }
        return out;
      },
      py::arg("seed"), py::arg("stream"), py::arg("years"), py::arg("draws"));
  // Stand-alone samples (sampling.hpp): element i uses (seed, stream, year = i).
  m.def(
      "sample_uniform",
      [](const py::handle& n, const py::handle& seed, const py::handle& stream) {
        const auto count = sample_count_arg(n);
        const auto s = seed_arg(seed), st = stream_arg(stream);
        return release_and_array([&] { return sample_uniform(count, s, st); });
      },
      py::arg("n"), py::arg("seed"), py::arg("stream") = 0);
  m.def(
      "sample_normal",
      [](const py::handle& n, const py::handle& seed, const py::handle& stream) {
        const auto count = sample_count_arg(n);
        const auto s = seed_arg(seed), st = stream_arg(stream);
        return release_and_array([&] { return sample_normal(count, s, st); });
      },
      py::arg("n"), py::arg("seed"), py::arg("stream") = 0);
  m.def(
      "sample_lognormal",
      [](double mu, double sigma, const py::handle& n, const py::handle& seed,
         const py::handle& stream) {
        const auto count = sample_count_arg(n);
        const auto s = seed_arg(seed), st = stream_arg(stream);
        return release_and_array([&] { return sample_lognormal(mu, sigma, count, s, st); });
      },
      py::arg("mu"), py::arg("sigma"), py::arg("n"), py::arg("seed"), py::arg("stream") = 0);
  m.def(
      "sample_gamma",
      [](double shape, double scale, const py::handle& n, const py::handle& seed,
         const py::handle& stream) {
        const auto count = sample_count_arg(n);
        const auto s = seed_arg(seed), st = stream_arg(stream);
        return release_and_array([&] { return sample_gamma(shape, scale, count, s, st); });
      },
      py::arg("shape"), py::arg("scale"), py::arg("n"), py::arg("seed"), py::arg("stream") = 0);
  m.def(
      "sample_poisson",
      [](double mean, const py::handle& n, const py::handle& seed, const py::handle& stream) {
        const auto count = sample_count_arg(n);
        const auto s = seed_arg(seed), st = stream_arg(stream);
        return release_and_array([&] { return sample_poisson(mean, count, s, st); });
      },
      py::arg("mean"), py::arg("n"), py::arg("seed"), py::arg("stream") = 0);
  m.def(
      "sample_negative_binomial",
      [](double mean, double dispersion, const py::handle& n, const py::handle& seed,
         const py::handle& stream) {
        const auto count = sample_count_arg(n);
        const auto s = seed_arg(seed), st = stream_arg(stream);
        return release_and_array(
            [&] { return sample_negative_binomial(mean, dispersion, count, s, st); });
      },
      py::arg("mean"), py::arg("dispersion"), py::arg("n"), py::arg("seed"), py::arg("stream") = 0);
  // The standard normal quantile (AS241), elementwise; u strictly inside (0, 1).
  m.def(
      "normal_quantile",
      [](const py::array_t<double, py::array::c_style | py::array::forcecast>& u) {
        return map_elements<double>(u, [](double p) {
          require_probability("u", p);
          return vecmath::inverse_normal_cdf(p);
        });
      },
      py::arg("u"));
}

}  // namespace cyberloss::bindings
