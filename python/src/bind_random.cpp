#include <vector>

#include "bindings.hpp"
#include "cyberloss/random.hpp"

namespace cyberloss::bindings {
namespace {

using U64Array = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>;

// Element i of a stand-alone sample uses (seed, stream, year = i).
template <class T, class F>
py::array_t<T> sample(std::size_t n, std::uint32_t seed, std::uint32_t stream, F draw) {
  std::vector<T> out(n);
  {
    py::gil_scoped_release release;
    for (std::size_t i = 0; i < n; ++i) {
      Stream s(seed, stream, i);
      out[i] = static_cast<T>(draw(s));
    }
  }
  return py::array_t<T>(static_cast<py::ssize_t>(n), out.data());
}

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
  m.def("sample_uniform", [](std::size_t n, std::uint32_t seed, std::uint32_t stream) {
    return sample<double>(n, seed, stream, [](Stream& s) { return s.uniform(); });
  });
  m.def("sample_normal", [](std::size_t n, std::uint32_t seed, std::uint32_t stream) {
    return sample<double>(n, seed, stream, [](Stream& s) { return standard_normal(s); });
  });
  m.def("sample_lognormal", [](double mu, double sigma, std::size_t n, std::uint32_t seed,
                               std::uint32_t stream) {
    return sample<double>(n, seed, stream, [=](Stream& s) { return lognormal(s, mu, sigma); });
  });
  m.def("sample_gamma",
        [](double shape, double scale, std::size_t n, std::uint32_t seed, std::uint32_t stream) {
          check_gamma(shape, scale);
          return sample<double>(n, seed, stream, [=](Stream& s) { return gamma(s, shape, scale); });
        });
  m.def("sample_poisson", [](double mean, std::size_t n, std::uint32_t seed, std::uint32_t stream) {
    check_poisson(mean);
    return sample<std::int64_t>(n, seed, stream, [=](Stream& s) { return poisson(s, mean); });
  });
  m.def("sample_negative_binomial", [](double mean, double dispersion, std::size_t n,
                                       std::uint32_t seed, std::uint32_t stream) {
    check_negative_binomial(mean, dispersion);
    return sample<std::int64_t>(n, seed, stream,
                                [=](Stream& s) { return negative_binomial(s, mean, dispersion); });
  });
}

}  // namespace cyberloss::bindings
