#include <optional>

#include "bindings.hpp"
#include "cyberloss/stats.hpp"

namespace cyberloss::bindings {
namespace {

using DArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using IArray = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

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
  s.def(
      "mean", [](DArray x) { return on_sample(&stats::mean, x); }, py::arg("x"));
  s.def(
      "std", [](DArray x) { return on_sample(&stats::std_dev, x); }, py::arg("x"));
  s.def(
      "mean_se", [](DArray x) { return on_sample(&stats::mean_se, x); }, py::arg("x"));
  s.def(
      "var", [](DArray x, double p) { return on_sample(&stats::var, x, p); }, py::arg("x"),
      py::arg("p"));
  s.def(
      "tvar", [](DArray x, double p) { return on_sample(&stats::tvar, x, p); }, py::arg("x"),
      py::arg("p"));
  s.def(
      "var_se", [](DArray x, double p) { return on_sample(&stats::var_se, x, p); }, py::arg("x"),
      py::arg("p"));
  s.def(
      "var_tvar",
      [](DArray x, std::vector<double> ps) {
        std::vector<double> v(ps.size()), t(ps.size());
        {
          py::gil_scoped_release release;
          stats::var_tvar(x.data(), static_cast<std::size_t>(x.size()), ps, v.data(), t.data());
        }
        return py::make_tuple(py::array_t<double>(static_cast<py::ssize_t>(v.size()), v.data()),
                              py::array_t<double>(static_cast<py::ssize_t>(t.size()), t.data()));
      },
      py::arg("x"), py::arg("ps"));
  s.def(
      "mean_estimates",
      [](const std::vector<std::size_t>& n, const std::vector<DArray>& x,
         const std::vector<std::optional<IArray>>& x_index,
         const std::vector<std::optional<DArray>>& minus,
         const std::vector<std::optional<IArray>>& minus_index) {
        const std::size_t k = n.size();
        if (x.size() != k || x_index.size() != k || minus.size() != k || minus_index.size() != k)
          throw std::invalid_argument("mean_estimates: the five lists differ in length");
        auto series = [](const std::optional<DArray>& v, const std::optional<IArray>& at) {
          stats::Series s;
          if (!v) return s;
          s.values = v->data();
          s.m = static_cast<std::size_t>(v->size());
          if (at) {
            if (at->size() != v->size())
              throw std::invalid_argument("mean_estimates: " + std::to_string(at->size()) +
                                          " positions for " + std::to_string(v->size()) +
                                          " stored values");
            s.index = at->data();
          }
          return s;
        };
        std::vector<stats::MeanInput> samples(k);
        for (std::size_t i = 0; i < k; ++i)
          samples[i] = {n[i], series(x[i], x_index[i]), series(minus[i], minus_index[i])};
        std::vector<stats::MeanEstimate> e;
        {
          py::gil_scoped_release release;
          e = stats::mean_estimates(samples);
        }
        py::array_t<double> mean(static_cast<py::ssize_t>(k)), se(static_cast<py::ssize_t>(k));
        for (std::size_t i = 0; i < k; ++i) {
          mean.mutable_at(static_cast<py::ssize_t>(i)) = e[i].mean;
          se.mutable_at(static_cast<py::ssize_t>(i)) = e[i].se;
        }
        return py::make_tuple(mean, se);
      },
      py::arg("n"), py::arg("x"), py::arg("x_index"), py::arg("minus"), py::arg("minus_index"));
  // The stored values of a sparse sample ranked once, holding the array it ranks.
  py::class_<RankingOf>(s, "Ranking")
      .def_static(
          "sparse",
          [](DArray values) {
            const double* v = values.data();
            const auto m = static_cast<std::size_t>(values.size());
            std::optional<stats::Ranking> r;
            {
              py::gil_scoped_release release;
              r.emplace(stats::Ranking::sparse(v, m));
            }
            return RankingOf{values, std::move(*r)};
          },
          py::arg("values"))
      .def("__len__", [](const RankingOf& r) { return r.ranking.size(); });
  // Samples held for statistics: sparse (n years, the nonzero values only) or dense, each
  // sorting only the part above min_level. Every measure reuses the one sort.
  py::class_<stats::LossSample>(s, "LossSample")
      .def_static(
          "sparse",
          [](std::uint64_t n, DArray values, double min_level) {
            const double* v = values.data();
            const auto m = static_cast<std::size_t>(values.size());
            py::gil_scoped_release release;
            return stats::LossSample::sparse(n, v, m, min_level);
          },
          py::arg("n"), py::arg("values"), py::arg("min_level") = 0.0)
      .def_static(
          "sparse_ranked",
          [](std::uint64_t n, const RankingOf& ranked, double min_level) {
            py::gil_scoped_release release;
            return stats::LossSample::sparse(n, ranked.ranking, min_level);
          },
          py::arg("n"), py::arg("ranking"), py::arg("min_level") = 0.0)
      .def_static(
          "dense",
          [](DArray x, double min_level) {
            const double* v = x.data();
            const auto n = static_cast<std::size_t>(x.size());
            py::gil_scoped_release release;
            return stats::LossSample::dense(v, n, min_level);
          },
          py::arg("x"), py::arg("min_level") = 0.0)
      .def("__len__", &stats::LossSample::size)
      .def_property_readonly("lowest_rank", &stats::LossSample::lowest_rank)
      .def("mean", &stats::LossSample::mean)
      .def("mean_se", &stats::LossSample::mean_se)
      .def("std", &stats::LossSample::std_dev)
      .def("std_se", &stats::LossSample::std_se)
      .def("var", &stats::LossSample::var, py::arg("p"))
      .def("tvar", &stats::LossSample::tvar, py::arg("p"))
      .def("order_statistic", &stats::LossSample::order_statistic, py::arg("k"))
      .def("return_period_loss", &stats::LossSample::return_period_loss, py::arg("return_period"))
      .def(
          "exceedance_probability",
          [](const stats::LossSample& x, double v) {
            return py::make_tuple(x.exceedance_probability(v), x.exceedance_probability_se(v));
          },
          py::arg("x"))
      .def(
          "tail",
          [](const stats::LossSample& x, std::vector<double> levels) {
            return tail_dict(x.tail(levels));
          },
          py::arg("levels"));
  s.def(
      "ep_table",
      [](const stats::LossSample& annual, const stats::LossSample& occurrence_max,
         std::vector<double> periods) {
        return ep_dict(stats::ep_table(annual, occurrence_max, periods));
      },
      py::arg("annual"), py::arg("occurrence_max"), py::arg("return_periods"));
  s.def(
      "return_period_losses",
      [](DArray x, std::vector<double> periods) {
        std::vector<double> out;
        {
          py::gil_scoped_release release;
          out = stats::return_period_losses(x.data(), static_cast<std::size_t>(x.size()), periods);
        }
        return py::array_t<double>(static_cast<py::ssize_t>(out.size()), out.data());
      },
      py::arg("x"), py::arg("periods"));
}

}  // namespace cyberloss::bindings
