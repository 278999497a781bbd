#include "bindings.hpp"
#include "cyberloss/stats.hpp"

namespace cyberloss::bindings {
namespace {

using DArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// Calls f(data, n, args...) on the sample with the GIL released.
template <class F, class... Args>
double on_sample(F f, const DArray& x, Args... args) {
  const double* data = x.data();
  const auto n = static_cast<std::size_t>(x.size());
  py::gil_scoped_release release;
  return f(data, n, args...);
}

}  // namespace

void register_stats(py::module_& m) {
  auto s = m.def_submodule("stats", "statistics of loss samples");
  s.def("mean", [](DArray x) { return on_sample(&stats::mean, x); }, py::arg("x"));
  s.def("std", [](DArray x) { return on_sample(&stats::std_dev, x); }, py::arg("x"));
  s.def("mean_se", [](DArray x) { return on_sample(&stats::mean_se, x); }, py::arg("x"));
  s.def("var", [](DArray x, double p) { return on_sample(&stats::var, x, p); }, py::arg("x"), py::arg("p"));
  s.def("tvar", [](DArray x, double p) { return on_sample(&stats::tvar, x, p); }, py::arg("x"), py::arg("p"));
  s.def("var_se", [](DArray x, double p) { return on_sample(&stats::var_se, x, p); }, py::arg("x"), py::arg("p"));
  s.def("var_tvar", [](DArray x, std::vector<double> ps) {
    std::vector<double> v(ps.size()), t(ps.size());
    {
      py::gil_scoped_release release;
      stats::var_tvar(x.data(), static_cast<std::size_t>(x.size()), ps, v.data(), t.data());
    }
    return py::make_tuple(py::array_t<double>(static_cast<py::ssize_t>(v.size()), v.data()),
                          py::array_t<double>(static_cast<py::ssize_t>(t.size()), t.data()));
  });
  s.def("return_period_losses", [](DArray x, std::vector<double> periods) {
    std::vector<double> out;
    {
      py::gil_scoped_release release;
      out = stats::return_period_losses(x.data(), static_cast<std::size_t>(x.size()), periods);
    }
    return py::array_t<double>(static_cast<py::ssize_t>(out.size()), out.data());
  });
}

}  // namespace cyberloss::bindings
