// Policy terms, the insured result, premium principles and the retention grid.
#include <map>
#include <optional>
#include <stdexcept>

#include "bindings.hpp"
#include "cyberloss/organisation.hpp"
#include "cyberloss/pricing.hpp"
#include "cyberloss/retention.hpp"
#include "cyberloss/terms.hpp"

namespace cyberloss::bindings {
namespace {

using DArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using I64Array = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

std::size_t section_index(const std::string& name, bool uninsured_allowed) {
  const std::size_t n = uninsured_allowed ? n_sections : n_covered_sections;
  for (std::size_t s = 0; s < n; ++s)
    if (name == section_names[s]) return s;
  std::string known;
  for (std::size_t s = 0; s < n; ++s) known += std::string(s ? ", " : "") + section_names[s];
  throw std::invalid_argument("section must be one of " + known + ", got '" + name + "'");
}

View view_of(const std::string& name) {
  for (std::size_t v = 0; v < view_names.size(); ++v)
    if (name == view_names[v]) return static_cast<View>(v);
  throw std::invalid_argument("view must be one of gross, insured, retained, got '" + name + "'");
}

// Event columns from arrays the caller keeps alive: year (n), downtime_days (n), components
// (10, n).
EventColumns columns_from(const I64Array& year, const DArray& downtime, const DArray& comp) {
  const auto n = year.size();
  if (downtime.size() != n)
    throw std::invalid_argument("downtime_days has " + std::to_string(downtime.size()) +
                                " rows, year has " + std::to_string(n));
  if (comp.ndim() != 2 || comp.shape(0) != static_cast<py::ssize_t>(n_components) ||
      comp.shape(1) != n)
    throw std::invalid_argument("components must have shape (10, " + std::to_string(n) +
                                "), one row per component");
  EventColumns e;
  e.n = static_cast<std::size_t>(n);
  e.year = year.data();
  e.downtime_days = downtime.data();
  for (std::size_t c = 0; c < n_components; ++c) e.component[c] = comp.data() + c * e.n;
  return e;
}

py::dict premium_dict(const Premium& p, const std::vector<std::string>& sections) {
  py::dict d;
  d["expected_loss"] = p.expected_loss;
  d["expected_loss_se"] = p.expected_loss_se;
  d["risk_premium"] = p.risk_premium;
  d["risk_premium_se"] = p.risk_premium_se;
  d["technical_premium"] = p.technical_premium;
  d["technical_premium_se"] = p.technical_premium_se;
  py::dict by;
  for (std::size_t s = 0; s < sections.size(); ++s)
    by[py::str(sections[s])] =
        py::make_tuple(p.by_section[s].expected_loss, p.by_section[s].risk_premium,
                       p.by_section[s].technical_premium);
  d["by_section"] = by;
  return d;
}

py::dict grid_dict(const RetentionGrid& g) {
  using C = RetentionCell;
  py::dict d = columns_dict(g.cells, {{"deductible", &C::deductible},
                                      {"limit", &C::limit},
                                      {"insured_el", &C::insured_el},
                                      {"premium", &C::premium},
                                      {"retained_el", &C::retained_el},
                                      {"retained_tvar", &C::retained_tvar},
                                      {"tail_capital_cost", &C::tail_capital_cost},
                                      {"total_cost", &C::total_cost}});
  for (const auto& [name, member] :
       {std::pair{"insured", &C::insured}, std::pair{"efficient", &C::efficient},
        std::pair{"recommended", &C::recommended}}) {
    py::array_t<bool> a(static_cast<py::ssize_t>(g.cells.size()));
    bool* out = a.mutable_data();
    for (const C& c : g.cells) *out++ = c.*member;
    d[name] = a;
  }
  d["recommended_index"] = g.recommended;
  return d;
}

template <class F>
auto without_gil(F f) {
  py::gil_scoped_release release;
  return f();
}

}  // namespace

void register_terms(py::module_& m) {
  py::tuple sections(n_sections);
  for (std::size_t s = 0; s < n_sections; ++s) sections[s] = section_names[s];
  m.attr("SECTIONS") = sections;

  py::class_<SectionTerms>(m, "SectionTerms")
      .def(py::init([](bool covered, double limit, double coinsurance,
                       std::map<std::string, double> sublimits, double waiting_period_days,
                       double indemnity_period_days) {
             SectionTerms t;
             t.covered = covered;
             t.limit = limit;
             t.coinsurance = coinsurance;
             for (const auto& [name, amount] : sublimits)
               t.sublimits[component_from_name(name, "sublimits")] = amount;
             t.waiting_period_days = waiting_period_days;
             t.indemnity_period_days = indemnity_period_days;
             return t;
           }),
           py::arg("covered") = true, py::arg("limit") = std::numeric_limits<double>::infinity(),
           py::arg("coinsurance") = 1.0, py::arg("sublimits") = std::map<std::string, double>{},
           py::arg("waiting_period_days") = 0.0,
           py::arg("indemnity_period_days") = std::numeric_limits<double>::infinity())
      .def_readonly("covered", &SectionTerms::covered)
      .def_readonly("limit", &SectionTerms::limit)
      .def_readonly("coinsurance", &SectionTerms::coinsurance)
      .def_readonly("waiting_period_days", &SectionTerms::waiting_period_days)
      .def_readonly("indemnity_period_days", &SectionTerms::indemnity_period_days);

  // Sections absent from the dict are not covered.
  py::class_<CoverageTerms>(m, "CoverageTerms")
      .def(py::init([](std::map<std::string, SectionTerms> by_name, double deductible,
                       double aggregate_limit, bool cover_prevention) {
             std::array<SectionTerms, n_covered_sections> s{};
             for (const auto& [name, terms] : by_name) s[section_index(name, false)] = terms;
             return CoverageTerms(s, deductible, aggregate_limit, cover_prevention);
           }),
           py::arg("sections"), py::arg("deductible") = 0.0,
           py::arg("aggregate_limit") = std::numeric_limits<double>::infinity(),
           py::arg("cover_prevention") = false)
      .def_property_readonly("deductible", &CoverageTerms::deductible)
      .def_property_readonly("aggregate_limit", &CoverageTerms::aggregate_limit)
      .def_property_readonly("cover_prevention", &CoverageTerms::cover_prevention)
      .def("with_retention", &CoverageTerms::with_retention, py::arg("deductible"),
           py::arg("aggregate_limit"));

  py::class_<Principle>(m, "Principle")
      .def_static("expected_value", &Principle::expected_value, py::arg("loading") = 0.3)
      .def_static("standard_deviation", &Principle::standard_deviation, py::arg("k") = 0.2)
      .def_static("tvar_cost_of_capital", &Principle::tvar_cost_of_capital, py::arg("level") = 0.99,
                  py::arg("rate") = 0.10)
      .def_static("wang", &Principle::wang, py::arg("lam") = 0.25)
      .def_property_readonly("name", &Principle::name);

  py::class_<Loads>(m, "Loads")
      .def(py::init<double, double, double>(), py::arg("expense_ratio") = 0.30,
           py::arg("profit_ratio") = 0.05, py::arg("fixed_expense") = 0.0)
      .def_readonly("expense_ratio", &Loads::expense_ratio)
      .def_readonly("profit_ratio", &Loads::profit_ratio)
      .def_readonly("fixed_expense", &Loads::fixed_expense)
      .def("gross_up", &Loads::gross_up, py::arg("risk_premium"));

  // Per-year arrays are aligned with `years` (the years with incidents); every other year is 0.
  py::class_<InsuredResult, std::shared_ptr<InsuredResult>>(m, "InsuredResult")
      .def_property_readonly("n_years", &InsuredResult::n_years)
      .def_property_readonly("n_events", &InsuredResult::n_events)
      .def_property_readonly("years",
                             [](py::object self) {
                               const auto& r = self.cast<const InsuredResult&>();
                               return view(r.years().data(),
                                           {static_cast<py::ssize_t>(r.years().size())}, self);
                             })
      .def("event_years", [](const InsuredResult& r) { return to_array(r.event_years()); })
      .def(
          "event",
          [](py::object self, const std::string& v) {
            const auto& r = self.cast<const InsuredResult&>();
            const auto& x = r.event(view_of(v));
            return view(x.data(), {static_cast<py::ssize_t>(x.size())}, self);
          },
          py::arg("view") = "insured")
      .def(
          "event_section",
          [](py::object self, const std::string& v, const std::string& section) {
            const auto& r = self.cast<const InsuredResult&>();
            const std::size_t s = section_index(section, true);
            if (v == "gross") {
              const auto& x = r.section_losses().gross[s];
              return view(x.data(), {static_cast<py::ssize_t>(x.size())}, self);
            }
            if (v != "insured")
              throw std::invalid_argument("view must be gross or insured, got '" + v + "'");
            if (s == n_covered_sections)
              return py::array_t<double>(static_cast<py::ssize_t>(r.n_events()),
                                         std::vector<double>(r.n_events(), 0.0).data());
            const auto& x = r.insured_events().by_section[s];
            return view(x.data(), {static_cast<py::ssize_t>(x.size())}, self);
          },
          py::arg("view"), py::arg("section"))
      .def(
          "annual_sparse",
          [](py::object self, const std::string& v, std::optional<std::string> section) {
            const auto& r = self.cast<const InsuredResult&>();
            if (section) return to_array(r.annual(view_of(v), section_index(*section, true)));
            const auto& x = r.annual(view_of(v));
            return view(x.data(), {static_cast<py::ssize_t>(x.size())}, self);
          },
          py::arg("view") = "insured", py::arg("section") = py::none())
      .def(
          "annual_sparse_by_section",
          [](const InsuredResult& r, const std::string& v) {
            const View which = view_of(v);
            auto columns = without_gil([&] { return r.annual_by_section(which); });
            py::dict out;
            for (std::size_t s = 0; s < n_sections; ++s)
              out[py::str(v + "_" + section_names[s])] = to_array(std::move(columns[s]));
            return out;
          },
          py::arg("view"))
      .def(
          "annual",
          [](const InsuredResult& r, const std::string& v, std::optional<std::string> section) {
            Buffer<double> of_section;  // a section's sums are made on request
            if (section) of_section = r.annual(view_of(v), section_index(*section, true));
            const double* x = section ? of_section.data() : r.annual(view_of(v)).data();
            py::array_t<double> out(static_cast<py::ssize_t>(r.n_years()));
            double* o = out.mutable_data();
            std::fill(o, o + r.n_years(), 0.0);
            for (std::size_t y = 0; y < r.years().size(); ++y) o[r.years()[y]] = x[y];
            return out;
          },
          py::arg("view") = "insured", py::arg("section") = py::none())
      .def(
          "occurrence_max_sparse",
          [](py::object self, const std::string& v) {
            const auto& r = self.cast<const InsuredResult&>();
            const auto& x = r.occurrence_max(view_of(v));
            return view(x.data(), {static_cast<py::ssize_t>(x.size())}, self);
          },
          py::arg("view") = "insured")
      .def(
          "mean",
          [](const InsuredResult& r, const std::string& v) {
            const auto& s = r.sample(view_of(v));
            return py::make_tuple(s.mean(), s.mean_se());
          },
          py::arg("view") = "insured")
      .def(
          "std",
          [](const InsuredResult& r, const std::string& v) {
            const auto& s = r.sample(view_of(v));
            return py::make_tuple(s.std_dev(), s.std_se());
          },
          py::arg("view") = "insured")
      .def(
          "tail",
          [](const InsuredResult& r, const std::string& v, std::vector<double> levels) {
            return tail_dict(r.sample(view_of(v)).tail(levels));
          },
          py::arg("view"), py::arg("levels"))
      .def(
          "probability_of_loss",
          [](const InsuredResult& r, const std::string& v) {
            const auto& s = r.sample(view_of(v));
            return py::make_tuple(s.exceedance_probability(0.0), s.exceedance_probability_se(0.0));
          },
          py::arg("view") = "insured")
      .def(
          "ep_table",
          [](const InsuredResult& r, const std::string& v, std::vector<double> periods) {
            const View w = view_of(v);
            return ep_dict(stats::ep_table(r.sample(w), r.occurrence_sample(w), periods));
          },
          py::arg("view"), py::arg("return_periods"))
      .def(
          "premium",
          [](const InsuredResult& r, const Principle& principle, const Loads& loads,
             const std::string& v, bool by_section) {
            const View w = view_of(v);
            std::array<Buffer<double>, n_sections> columns;
            std::vector<std::string> names;
            std::vector<const double*> ptrs;
            if (by_section) {
              columns = r.annual_by_section(w);
              for (std::size_t s = 0; s < n_sections; ++s) {
                ptrs.push_back(columns[s].data());
                names.push_back(section_names[s]);
              }
            }
            const auto& x = r.annual(w);
            const SparseYears sy{r.n_years(), r.years().data(), x.data(), x.size()};
            return premium_dict(premium(principle, loads, sy, ptrs), names);
          },
          py::arg("principle"), py::arg("loads"), py::arg("view") = "insured",
          py::arg("by_section") = true);

  m.def(
      "apply_terms",
      [](const CoverageTerms& terms, std::shared_ptr<EventTable> table,
         std::optional<std::uint64_t> n_years) {
        if (table->first_year != 0 && !n_years)
          throw std::invalid_argument("the event table starts at year " +
                                      std::to_string(table->first_year) + "; give n_years");
        return without_gil([&] {
          return std::make_shared<InsuredResult>(terms, columns_of(*table),
                                                 n_years.value_or(table->years));
        });
      },
      py::arg("terms"), py::arg("events"), py::arg("n_years") = py::none());
  m.def(
      "apply_terms",
      [](const CoverageTerms& terms, I64Array year, DArray downtime_days, DArray components,
         std::uint64_t n_years) {
        const EventColumns e = columns_from(year, downtime_days, components);
        return without_gil([&] { return std::make_shared<InsuredResult>(terms, e, n_years); });
      },
      py::arg("terms"), py::arg("year"), py::arg("downtime_days"), py::arg("components"),
      py::arg("n_years"));

  m.def(
      "retention_grid",
      [](const CoverageTerms& base, std::shared_ptr<EventTable> table, std::uint64_t n_years,
         std::vector<double> deductibles, std::vector<double> limits, const Principle& principle,
         const Loads& loads, double cost_of_capital, double tail_level,
         std::optional<double> max_premium) {
        const EventColumns e = columns_of(*table);
        return grid_dict(without_gil([&] {
          return retention_grid(base, e, n_years, deductibles, limits, principle, loads,
                                cost_of_capital, tail_level, max_premium);
        }));
      },
      py::arg("terms"), py::arg("events"), py::arg("n_years"), py::arg("deductibles"),
      py::arg("limits"), py::arg("principle"), py::arg("loads"), py::arg("cost_of_capital"),
      py::arg("tail_level"), py::arg("max_premium") = py::none());
  m.def(
      "retention_grid",
      [](std::shared_ptr<InsuredResult> applied, std::vector<double> deductibles,
         std::vector<double> limits, const Principle& principle, const Loads& loads,
         double cost_of_capital, double tail_level, std::optional<double> max_premium) {
        return grid_dict(without_gil([&] {
          return retention_grid(*applied, deductibles, limits, principle, loads, cost_of_capital,
                                tail_level, max_premium);
        }));
      },
      py::arg("applied"), py::arg("deductibles"), py::arg("limits"), py::arg("principle"),
      py::arg("loads"), py::arg("cost_of_capital"), py::arg("tail_level"),
      py::arg("max_premium") = py::none());
  m.def(
      "retention_grid",
      [](const CoverageTerms& base, I64Array year, DArray downtime_days, DArray components,
         std::uint64_t n_years, std::vector<double> deductibles, std::vector<double> limits,
         const Principle& principle, const Loads& loads, double cost_of_capital, double tail_level,
         std::optional<double> max_premium) {
        const EventColumns e = columns_from(year, downtime_days, components);
        return grid_dict(without_gil([&] {
          return retention_grid(base, e, n_years, deductibles, limits, principle, loads,
                                cost_of_capital, tail_level, max_premium);
        }));
      },
      py::arg("terms"), py::arg("year"), py::arg("downtime_days"), py::arg("components"),
      py::arg("n_years"), py::arg("deductibles"), py::arg("limits"), py::arg("principle"),
      py::arg("loads"), py::arg("cost_of_capital"), py::arg("tail_level"),
      py::arg("max_premium") = py::none());

  // Premium of sparse annual losses: n_years years, `years` holding `values`, the others 0.
  m.def(
      "premium",
      [](const Principle& principle, const Loads& loads, std::uint64_t n_years, I64Array years,
         DArray values, std::map<std::string, DArray> sections) {
        if (years.size() != values.size())
          throw std::invalid_argument("years and values differ in length");
        std::vector<const double*> ptrs;
        std::vector<std::string> names;
        for (const auto& [name, column] : sections) {
          if (column.size() != values.size())
            throw std::invalid_argument("section " + name + " has " +
                                        std::to_string(column.size()) + " values, expected " +
                                        std::to_string(values.size()));
          ptrs.push_back(column.data());
          names.push_back(name);
        }
        const SparseYears x{n_years, years.data(), values.data(),
                            static_cast<std::size_t>(values.size())};
        return premium_dict(without_gil([&] { return premium(principle, loads, x, ptrs); }), names);
      },
      py::arg("principle"), py::arg("loads"), py::arg("n_years"), py::arg("years"),
      py::arg("values"), py::arg("sections") = std::map<std::string, DArray>{});
  // premium() under each principle from one pass of the shared work; sections[i] are
  // principle i's (an empty list: none for any).
  m.def(
      "premiums",
      [](const std::vector<Principle>& principles, const Loads& loads, std::uint64_t n_years,
         I64Array years, DArray values, std::vector<std::map<std::string, DArray>> sections,
         const RankingOf* ranking) {
        if (years.size() != values.size())
          throw std::invalid_argument("years and values differ in length");
        std::vector<std::vector<const double*>> ptrs(sections.size());
        std::vector<std::vector<std::string>> names(sections.size());
        for (std::size_t i = 0; i < sections.size(); ++i)
          for (const auto& [name, column] : sections[i]) {
            if (column.size() != values.size())
              throw std::invalid_argument("section " + name + " has " +
                                          std::to_string(column.size()) + " values, expected " +
                                          std::to_string(values.size()));
            ptrs[i].push_back(column.data());
            names[i].push_back(name);
          }
        const SparseYears x{n_years, years.data(), values.data(),
                            static_cast<std::size_t>(values.size())};
        const std::vector<Premium> out = without_gil([&] {
          return premiums(principles, loads, x, ptrs, ranking ? &ranking->ranking : nullptr);
        });
        py::list dicts;
        for (std::size_t i = 0; i < out.size(); ++i)
          dicts.append(
              premium_dict(out[i], sections.empty() ? std::vector<std::string>{} : names[i]));
        return dicts;
      },
      py::arg("principles"), py::arg("loads"), py::arg("n_years"), py::arg("years"),
      py::arg("values"), py::arg("sections") = std::vector<std::map<std::string, DArray>>{},
      py::arg("ranking") = py::none());
}

}  // namespace cyberloss::bindings
