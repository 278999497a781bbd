// The per-incident model and one organisation's event table.
#include <optional>
#include <stdexcept>

#include "bindings.hpp"
#include "cyberloss/incident.hpp"
#include "cyberloss/organisation.hpp"
#include "cyberloss/organisation_loss.hpp"

namespace cyberloss::bindings {
namespace {

using DArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using I64Array = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;
using I32Array = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>;

std::array<double, n_response> response_array(const std::vector<double>& v, const char* what) {
  if (v.size() != n_response)
    throw std::invalid_argument(std::string(what) + " must have " + std::to_string(n_response) +
                                " values (one per response component), got " +
                                std::to_string(v.size()));
  std::array<double, n_response> out{};
  std::copy(v.begin(), v.end(), out.begin());
  return out;
}

void require_length(const char* what, py::ssize_t got, py::ssize_t want) {
  if (got != want)
    throw std::invalid_argument(std::string(what) + " has " + std::to_string(got) +
                                " elements, expected " + std::to_string(want));
}

// The ten component columns and downtime_days as a dict of arrays (views into one block).
py::dict priced(IncidentBuffer&& out) {
  py::dict d;
  const auto n = static_cast<py::ssize_t>(out.n);
  auto all = to_array(std::move(out.data), {static_cast<py::ssize_t>(n_components + 1), n});
  for (std::size_t c = 0; c < n_components; ++c) d[component_names[c]] = all[py::int_(c)];
  d["downtime_days"] = all[py::int_(n_components)];
  return d;
}

std::vector<IncidentModel> incident_models(
    const std::vector<std::shared_ptr<IncidentModel>>& incidents) {
  std::vector<IncidentModel> models;
  for (const auto& i : incidents) {
    if (!i) throw std::invalid_argument("incidents must be IncidentModel objects, got None");
    models.push_back(*i);
  }
  return models;
}

}  // namespace

void register_incident(py::module_& m) {
  py::tuple names(n_components);
  for (std::size_t c = 0; c < n_components; ++c) names[c] = component_names[c];
  m.attr("COMPONENTS") = names;

  py::class_<DowntimeDistribution>(m, "DowntimeDistribution")
      .def_static("lognormal", &DowntimeDistribution::lognormal, py::arg("median"),
                  py::arg("sigma"))
      .def_static("card_suspension", &DowntimeDistribution::card_suspension,
                  py::arg("long_probability"), py::arg("long_start"), py::arg("long_excess_mean"),
                  py::arg("short_median"), py::arg("short_sigma"))
      .def_property_readonly("is_card_suspension", &DowntimeDistribution::is_card_suspension)
      .def(
          "quantile",
          [](const DowntimeDistribution& d, DArray u) {
            for (py::ssize_t i = 0; i < u.size(); ++i)
              if (!(u.data()[i] > 0.0 && u.data()[i] < 1.0))
                throw std::invalid_argument("u must lie strictly inside (0, 1), got " +
                                            std::to_string(u.data()[i]));
            py::array_t<double> out(u.request().shape);
            d.quantile(u.data(), out.mutable_data(), static_cast<std::size_t>(u.size()));
            return out;
          },
          py::arg("u"))
      .def("mean", &DowntimeDistribution::mean)
      .def("sf", &DowntimeDistribution::sf, py::arg("x"));

  py::class_<ContainedBranch>(m, "ContainedBranch")
      .def(py::init([](double loss_median, double loss_sigma, DowntimeDistribution downtime,
                       double effort_mean, double effort_sigma) {
             ContainedBranch c;
             c.loss_median = loss_median;
             c.loss_sigma = loss_sigma;
             c.downtime = downtime;
             c.effort_median = IncidentType::effort_median_from_mean(effort_mean, effort_sigma);
             c.effort_sigma = effort_sigma;
             return c;
           }),
           py::arg("loss_median"), py::arg("loss_sigma"), py::arg("downtime"),
           py::arg("effort_mean"), py::arg("effort_sigma"))
      .def_readonly("loss_median", &ContainedBranch::loss_median)
      .def_readonly("loss_sigma", &ContainedBranch::loss_sigma)
      .def_readonly("downtime", &ContainedBranch::downtime)
      .def_readonly("effort_median", &ContainedBranch::effort_median)
      .def_readonly("effort_sigma", &ContainedBranch::effort_sigma);

  py::class_<IncidentType>(m, "IncidentType")
      .def(py::init([](std::string name, std::vector<double> mean_shares, double dispersion,
                       DowntimeDistribution downtime, double max_downtime_days, double effort_mean,
                       double effort_sigma, double exposure_probability, double exposed_share,
                       double gift_probability, std::vector<std::string> record_driven,
                       double notification_per_record, double condolence_per_person,
                       double card_compensation_per_card, std::optional<double> closure_days,
                       double card_sales_lost_share, std::optional<ContainedBranch> contained) {
             IncidentType t;
             t.name = std::move(name);
             t.mean_shares = response_array(mean_shares, "mean_shares");
             t.dispersion = dispersion;
             t.downtime = downtime;
             t.max_downtime_days = max_downtime_days;
             t.effort_median = IncidentType::effort_median_from_mean(effort_mean, effort_sigma);
             t.effort_sigma = effort_sigma;
             t.exposure_probability = exposure_probability;
             t.exposed_share = exposed_share;
             t.gift_probability = gift_probability;
             for (const auto& c : record_driven) {
               const Component comp = component_from_name(c, "record_driven");
               if (comp >= n_response)
                 throw std::invalid_argument("record_driven names " + c +
                                             "; record-driven components are notification, "
                                             "condolence, liability");
               t.record_driven[comp] = true;
             }
             t.notification_per_record = notification_per_record;
             t.condolence_per_person = condolence_per_person;
             t.card_compensation_per_card = card_compensation_per_card;
             t.has_closure = closure_days.has_value();
             t.closure_days = closure_days.value_or(0.0);
             t.card_sales_lost_share = card_sales_lost_share;
             t.contained = contained;
             return t;
           }),
           py::arg("name"), py::arg("mean_shares"), py::arg("dispersion"), py::arg("downtime"),
           py::arg("max_downtime_days"), py::arg("effort_mean"), py::arg("effort_sigma"),
           py::arg("exposure_probability") = 0.0, py::arg("exposed_share") = 0.0,
           py::arg("gift_probability") = 0.0, py::arg("record_driven") = std::vector<std::string>{},
           py::arg("notification_per_record") = 0.0, py::arg("condolence_per_person") = 0.0,
           py::arg("card_compensation_per_card") = 0.0, py::arg("closure_days") = py::none(),
           py::arg("card_sales_lost_share") = 0.0, py::arg("contained") = py::none())
      .def_readonly("name", &IncidentType::name)
      .def_readonly("contained", &IncidentType::contained)
      .def_readonly("downtime", &IncidentType::downtime)
      .def_readonly("effort_median", &IncidentType::effort_median);

  py::class_<IncidentFactors>(m, "IncidentFactors")
      .def(py::init([](std::vector<double> severity_factor, double downtime_factor,
                       double effort_factor, double share_affected,
                       std::optional<double> records_held, double daily_gross_profit,
                       double labour_cost_month, double severity_scale, double downtime_scale,
                       double major_probability) {
             IncidentFactors f;
             f.severity_factor = response_array(severity_factor, "severity_factor");
             f.downtime_factor = downtime_factor;
             f.effort_factor = effort_factor;
             f.share_affected = share_affected;
             f.records_held = records_held;
             f.daily_gross_profit = daily_gross_profit;
             f.labour_cost_month = labour_cost_month;
             f.severity_scale = severity_scale;
             f.downtime_scale = downtime_scale;
             f.major_probability = major_probability;
             return f;
           }),
           py::arg("severity_factor") = std::vector<double>(n_response, 1.0),
           py::arg("downtime_factor") = 1.0, py::arg("effort_factor") = 1.0,
           py::arg("share_affected") = 0.0, py::arg("records_held") = py::none(),
           py::arg("daily_gross_profit") = 0.0, py::arg("labour_cost_month") = 0.0,
           py::arg("severity_scale") = 1.0, py::arg("downtime_scale") = 1.0,
           py::arg("major_probability") = 1.0)
      .def_readonly("major_probability", &IncidentFactors::major_probability)
      .def_readonly("severity_scale", &IncidentFactors::severity_scale)
      .def_readonly("downtime_scale", &IncidentFactors::downtime_scale);

  // Returns dicts of new arrays: the ten components (JPY) and downtime_days.
  py::class_<IncidentModel, std::shared_ptr<IncidentModel>>(m, "IncidentModel")
      .def(py::init<IncidentType, IncidentFactors>(), py::arg("type"), py::arg("factors"))
      .def_property_readonly("name", [](const IncidentModel& i) { return i.type().name; })
      .def("business_interruption_days", &IncidentModel::business_interruption_days,
           py::arg("downtime_days"))
      .def(
          "components",
          [](const IncidentModel& model, std::uint32_t seed, std::uint32_t stream_index,
             I64Array year, I32Array k, DArray survey_loss) {
            const auto n = static_cast<std::size_t>(survey_loss.size());
            require_length("year", year.size(), survey_loss.size());
            require_length("k", k.size(), survey_loss.size());
            IncidentBuffer out(n);
            {
              py::gil_scoped_release release;
              model.batch(seed, stream_index, year.data(), k.data(), survey_loss.data(), n,
                          out.columns());
            }
            return priced(std::move(out));
          },
          py::arg("seed"), py::arg("stream_index"), py::arg("year"), py::arg("k"),
          py::arg("survey_loss"))
      .def(
          "from_uniforms",
          [](const IncidentModel& model, DArray survey_loss, DArray u_downtime, DArray u_effort,
             DArray u_components, std::optional<DArray> u_branch) {
            const auto n = static_cast<std::size_t>(survey_loss.size());
            require_length("u_downtime", u_downtime.size(), survey_loss.size());
            require_length("u_effort", u_effort.size(), survey_loss.size());
            require_length(
                "u_components", u_components.size(),
                survey_loss.size() * static_cast<py::ssize_t>(component_draws_per_event));
            if (u_branch)
              require_length("u_branch", u_branch->size(),
                             survey_loss.size() * static_cast<py::ssize_t>(branch_draws_per_event));
            else if (model.factors().branches())
              throw std::invalid_argument("u_branch is required: major_probability is " +
                                          std::to_string(model.factors().major_probability));
            IncidentBuffer out(n);
            {
              py::gil_scoped_release release;
              model.from_uniforms(survey_loss.data(), u_downtime.data(), u_effort.data(),
                                  u_components.data(), u_branch ? u_branch->data() : nullptr, n,
                                  out.columns());
            }
            return priced(std::move(out));
          },
          py::arg("survey_loss"), py::arg("u_downtime"), py::arg("u_effort"),
          py::arg("u_components"), py::arg("u_branch") = py::none());

  // Columns are read-only views into the table (no copies).
  py::class_<EventTable, std::shared_ptr<EventTable>>(m, "EventTable")
      .def_readonly("years", &EventTable::years)
      .def_readonly("first_year", &EventTable::first_year)
      .def_readonly("seed", &EventTable::seed)
      .def_readonly("type_names", &EventTable::type_names)
      .def("__len__", &EventTable::size)
      .def_property_readonly("year",
                             [](py::object self) {
                               const auto& t = self.cast<const EventTable&>();
                               return view(t.year.data(), {static_cast<py::ssize_t>(t.size())},
                                           self);
                             })
      .def_property_readonly("type",
                             [](py::object self) {
                               const auto& t = self.cast<const EventTable&>();
                               return view(t.type.data(), {static_cast<py::ssize_t>(t.size())},
                                           self);
                             })
      .def_property_readonly("k",
                             [](py::object self) {
                               const auto& t = self.cast<const EventTable&>();
                               return view(t.k.data(), {static_cast<py::ssize_t>(t.size())}, self);
                             })
      .def_property_readonly("survey_loss",
                             [](py::object self) {
                               const auto& t = self.cast<const EventTable&>();
                               return view(t.survey_loss.data(),
                                           {static_cast<py::ssize_t>(t.size())}, self);
                             })
      .def_property_readonly("downtime_days",
                             [](py::object self) {
                               const auto& t = self.cast<const EventTable&>();
                               return view(t.downtime_days.data(),
                                           {static_cast<py::ssize_t>(t.size())}, self);
                             })
      .def_property_readonly(
          "components",
          [](py::object self) {
            const auto& t = self.cast<const EventTable&>();
            return view(
                t.components.data(),
                {static_cast<py::ssize_t>(n_components), static_cast<py::ssize_t>(t.size())}, self);
          })
      .def(
          "component",
          [](py::object self, const std::string& name) {
            const auto& t = self.cast<const EventTable&>();
            return view(t.component(component_from_name(name)),
                        {static_cast<py::ssize_t>(t.size())}, self);
          },
          py::arg("name"))
      .def(
          "type_year_sums",
          [](const EventTable& t, std::int32_t type, const std::vector<std::string>& names) {
            std::vector<std::size_t> columns;
            for (const std::string& name : names)
              columns.push_back(name == "downtime_days"
                                    ? YearTotals::downtime_days
                                    : static_cast<std::size_t>(component_from_name(name)));
            TypeYearSums s;
            {
              py::gil_scoped_release release;
              s = type_year_sums(t, type, columns);
            }
            return py::make_tuple(
                py::array_t<std::int64_t>(static_cast<py::ssize_t>(s.years.size()), s.years.data()),
                py::array_t<double>(static_cast<py::ssize_t>(s.sums.size()), s.sums.data()));
          },
          py::arg("type"), py::arg("columns"))
      .def(
          "year_totals",
          [](const EventTable& t, int threads, bool components) {
            py::gil_scoped_release release;
            return std::make_shared<YearTotals>(year_totals(t, threads, components));
          },
          py::arg("threads") = 0, py::arg("components") = true);

  // Columns are read-only views into the totals (no copies).
  py::class_<YearTotals, std::shared_ptr<YearTotals>>(m, "YearTotals")
      .def("__len__", &YearTotals::size)
      .def_property_readonly("years",
                             [](py::object self) {
                               const auto& t = self.cast<const YearTotals&>();
                               return view(t.years.data(), {static_cast<py::ssize_t>(t.size())},
                                           self);
                             })
      .def_property_readonly(
          "sums",
          [](py::object self) {
            const auto& t = self.cast<const YearTotals&>();
            return view(t.sums.data(),
                        {static_cast<py::ssize_t>(t.rows()), static_cast<py::ssize_t>(t.size())},
                        self);
          })
      .def_property_readonly("gross_max", [](py::object self) {
        const auto& t = self.cast<const YearTotals&>();
        return view(t.gross_max.data(), {static_cast<py::ssize_t>(t.size())}, self);
      });

  py::class_<OrganisationPortfolioLoss, PortfolioLoss, std::shared_ptr<OrganisationPortfolioLoss>>(
      m, "OrganisationPortfolioLoss")
      .def(py::init([](std::vector<IncidentType> types,
                       std::vector<std::shared_ptr<Severity>> severity,
                       std::vector<std::vector<IncidentFactors>> factors,
                       std::vector<std::string> sections) {
             std::vector<std::shared_ptr<const Severity>> sev(severity.begin(), severity.end());
             std::vector<Component> comps;
             for (const auto& name : sections)
               comps.push_back(component_from_name(name, "sections"));
             return std::make_shared<OrganisationPortfolioLoss>(std::move(types), std::move(sev),
                                                                factors, std::move(comps));
           }),
           py::arg("types"), py::arg("severity"), py::arg("factors"), py::arg("sections"))
      .def_property_readonly("n_policies", &OrganisationPortfolioLoss::n_policies)
      .def(
          "components",
          [](const OrganisationPortfolioLoss& loss, const py::dict& events,
             std::uint64_t first_year, std::uint32_t seed) {
            const PortfolioEvents ev = events_from_dict(events, first_year);
            IncidentBuffer out(ev.year.size());
            {
              py::gil_scoped_release release;
              loss.components(ev, seed, out.columns());
            }
            return priced(std::move(out));
          },
          py::arg("events"), py::arg("first_year"), py::arg("seed"));

  py::class_<CoveredPortfolioLoss, PortfolioLoss, std::shared_ptr<CoveredPortfolioLoss>>(
      m, "CoveredPortfolioLoss")
      .def(py::init([](std::shared_ptr<OrganisationPortfolioLoss> components,
                       const CoverageTerms& terms) {
             return std::make_shared<CoveredPortfolioLoss>(std::move(components), terms);
           }),
           py::arg("components"), py::arg("terms"));

  m.def(
      "reprice_events",
      [](const EventTable& events, const std::vector<std::shared_ptr<IncidentModel>>& incidents,
         int threads) {
        const std::vector<IncidentModel> models = incident_models(incidents);
        py::gil_scoped_release release;
        return std::make_shared<EventTable>(reprice_events(events, models, threads));
      },
      py::arg("events"), py::arg("incidents"), py::arg("threads") = 0);

  m.def(
      "simulate_organisation",
      [](std::shared_ptr<Model> model, const std::vector<std::shared_ptr<IncidentModel>>& incidents,
         std::uint64_t years, std::uint32_t seed, int threads, std::uint64_t block_size,
         std::uint64_t first_year, py::object progress) {
        const std::vector<IncidentModel> models = incident_models(incidents);
        return run_simulation<std::shared_ptr<EventTable>>(
            simulation_options(years, seed, threads, block_size, first_year), progress,
            [&](const SimulationOptions& o) {
              return std::make_shared<EventTable>(simulate_organisation(*model, models, o));
            });
      },
      py::arg("model"), py::arg("incidents"), py::arg("years"), py::arg("seed"),
      py::arg("threads") = 0, py::arg("block_size") = 0, py::arg("first_year") = 0,
      py::arg("progress") = py::none());

  m.def(
      "engine_events",
      [](std::shared_ptr<Model> model, std::uint64_t years, std::uint32_t seed, int threads,
         std::uint64_t block_size, std::uint64_t first_year, py::object progress) {
        return run_simulation<std::shared_ptr<EventTable>>(
            simulation_options(years, seed, threads, block_size, first_year), progress,
            [&](const SimulationOptions& o) {
              return std::make_shared<EventTable>(engine_events(*model, o));
            });
      },
      py::arg("model"), py::arg("years"), py::arg("seed"), py::arg("threads") = 0,
      py::arg("block_size") = 0, py::arg("first_year") = 0, py::arg("progress") = py::none());

  m.def(
      "price_variants",
      [](const std::vector<std::shared_ptr<EventTable>>& runs,
         const std::vector<std::size_t>& run_of,
         const std::vector<std::vector<std::shared_ptr<IncidentModel>>>& variants, int threads) {
        std::vector<const EventTable*> tables;
        for (const auto& r : runs) {
          if (!r) throw std::invalid_argument("runs must be EventTable objects, got None");
          tables.push_back(r.get());
        }
        std::vector<std::vector<IncidentModel>> models;
        for (const auto& incidents : variants) models.push_back(incident_models(incidents));
        std::vector<EventTable> priced;
        {
          py::gil_scoped_release release;
          priced = price_variants(tables, run_of, models, threads);
        }
        std::vector<std::shared_ptr<EventTable>> out;
        for (EventTable& t : priced) out.push_back(std::make_shared<EventTable>(std::move(t)));
        return out;
      },
      py::arg("runs"), py::arg("run_of"), py::arg("variants"), py::arg("threads") = 0);
}

}  // namespace cyberloss::bindings
