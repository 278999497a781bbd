#include <limits>
#include <type_traits>

#include "bindings.hpp"
#include "cyberloss/engine.hpp"
#include "cyberloss/portfolio.hpp"

namespace cyberloss::bindings {
namespace {

// The array d[key] as T; integers are read as int64 and must fit in T (no silent wrap-around).
template <class T>
std::vector<T> to_vector(const py::dict& d, const char* key) {
  if (!d.contains(key))
    throw std::invalid_argument(std::string("events: missing array '") + key + "'");
  using Read = std::conditional_t<std::is_integral_v<T>, std::int64_t, T>;
  auto a = py::array_t<Read, py::array::c_style | py::array::forcecast>::ensure(d[key]);
  if (!a) throw std::invalid_argument(std::string("events: '") + key + "' must be a numeric array");
  std::vector<T> out(static_cast<std::size_t>(a.size()));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const Read v = a.data()[i];
    if constexpr (std::is_integral_v<T>) {
      if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
        throw std::out_of_range(std::string("events: '") + key + "'[" + std::to_string(i) +
                                "] = " + std::to_string(v) + " is out of range");
    }
    out[i] = static_cast<T>(v);
  }
  return out;
}

// The dict of a block: the year-loss-table columns (YLT_COLUMNS of cyberloss.portfolio), theta
// and counts (years, n_types), per-policy sums and the tracked policies' sums and products.
py::dict block_dict(PortfolioBlock&& b) {
  const auto y = static_cast<py::ssize_t>(b.years);
  const auto nt = static_cast<py::ssize_t>(b.n_types);
  const auto np = static_cast<py::ssize_t>(b.policy_sum.size());
  const auto m = static_cast<py::ssize_t>(b.tracked_sum.size());
  py::dict out = reinsurance_columns(b.rows);
  out["ground_up"] = to_array(std::move(b.ground_up), {y});
  out["gross_max"] = to_array(std::move(b.gross_max), {y});
  out["ground_up_max"] = to_array(std::move(b.ground_up_max), {y});
  out["events"] = to_array(std::move(b.events), {y});
  out["theta"] = to_array(std::move(b.theta), {y, nt});
  out["counts"] = to_array(std::move(b.counts), {y, nt});
  out["policy_sum"] = to_array(std::move(b.policy_sum), {np});
  out["policy_sumsq"] = to_array(std::move(b.policy_sumsq), {np});
  out["policy_events"] = to_array(std::move(b.policy_events), {np});
  out["tracked_sum"] = to_array(std::move(b.tracked_sum), {m});
  out["tracked_cross"] = to_array(std::move(b.tracked_cross), {m, m});
  return out;
}

std::vector<std::uint32_t> tracked_indices(const std::vector<std::int64_t>& tracked) {
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < tracked.size(); ++i) {
    if (tracked[i] < 0 || tracked[i] > 0x7fffffff)
      throw std::out_of_range("tracked[" + std::to_string(i) +
                              "] must be a policy index >= 0, got " + std::to_string(tracked[i]));
    out.push_back(static_cast<std::uint32_t>(tracked[i]));
  }
  return out;
}

}  // namespace

// A copy of the dict of portfolio_events (theta and counts (years, n_types), per-event year,
// type, k, policy, u) as the core's events of years [first_year, first_year + years).
PortfolioEvents events_from_dict(const py::dict& events, std::uint64_t first_year) {
  auto counts = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(
      events.contains("counts") ? py::object(events["counts"]) : py::object(py::none()));
  if (!counts || counts.ndim() != 2)
    throw std::invalid_argument("events: 'counts' must be an array of shape (years, n_types)");
  PortfolioEvents ev;
  ev.first_year = first_year;
  ev.years = static_cast<std::uint64_t>(counts.shape(0));
  ev.n_types = static_cast<std::size_t>(counts.shape(1));
  ev.counts = to_vector<std::int64_t>(events, "counts");
  ev.theta = to_vector<double>(events, "theta");
  ev.year = to_vector<std::int64_t>(events, "year");
  ev.type = to_vector<std::int32_t>(events, "type");
  ev.k = to_vector<std::int32_t>(events, "k");
  ev.policy = to_vector<std::int32_t>(events, "policy");
  ev.u = to_vector<double>(events, "u");
  return ev;
}

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
            [&] {
              return portfolio_events(*f, seed, first_year, years, threads, max_events, &cancel);
            },
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

  py::class_<PortfolioLoss, std::shared_ptr<PortfolioLoss>>(m, "PortfolioLoss")
      .def_property_readonly("name", &PortfolioLoss::name)
      // Ground-up loss of each event of the dict of portfolio_events (years from first_year).
      .def(
          "losses",
          [](const PortfolioLoss& loss, const py::dict& events, std::uint64_t first_year,
             std::uint32_t seed) {
            const PortfolioEvents ev = events_from_dict(events, first_year);
            validate_events(ev, std::numeric_limits<std::size_t>::max());
            py::array_t<double> out(static_cast<py::ssize_t>(ev.u.size()));
            double* o = out.mutable_data();
            {
              py::gil_scoped_release release;
              loss.losses(ev, seed, o);
            }
            return out;
          },
          py::arg("events"), py::arg("first_year"), py::arg("seed"));
  py::class_<SurveyBranch>(m, "SurveyBranch")
      .def(py::init(
               [](double loss_median, double loss_sigma, std::vector<double> major_probability) {
                 return SurveyBranch{loss_median, loss_sigma, std::move(major_probability)};
               }),
           py::arg("loss_median"), py::arg("loss_sigma"), py::arg("major_probability"))
      .def_readonly("loss_median", &SurveyBranch::loss_median)
      .def_readonly("loss_sigma", &SurveyBranch::loss_sigma)
      .def_readonly("major_probability", &SurveyBranch::major_probability);
  py::class_<SurveyPortfolioLoss, PortfolioLoss, std::shared_ptr<SurveyPortfolioLoss>>(
      m, "SurveyPortfolioLoss")
      .def(py::init([](const std::vector<std::shared_ptr<Severity>>& by_type,
                       std::vector<double> exposure_factor,
                       std::vector<std::optional<SurveyBranch>> branches) {
             return std::make_shared<SurveyPortfolioLoss>(
                 std::vector<std::shared_ptr<const Severity>>(by_type.begin(), by_type.end()),
                 std::move(exposure_factor), std::move(branches));
           }),
           py::arg("severities"), py::arg("exposure_factor"),
           py::arg("branches") = std::vector<std::optional<SurveyBranch>>{});
  py::class_<FixedPortfolioLoss, PortfolioLoss, std::shared_ptr<FixedPortfolioLoss>>(
      m, "FixedPortfolioLoss")
      .def(py::init<double>(), py::arg("amount"))
      .def_property_readonly("amount", &FixedPortfolioLoss::amount);

  m.attr("portfolio_block_bytes_per_event") = portfolio_block_bytes_per_event;

  m.def(
      "portfolio_block",
      [](std::shared_ptr<PortfolioFrequency> f, std::shared_ptr<PortfolioLoss> loss,
         const std::vector<double>& deductible, const std::vector<double>& occurrence_limit,
         const std::vector<double>& aggregate_limit,
         std::shared_ptr<ReinsuranceProgramme> programme, std::uint32_t seed,
         std::uint64_t first_year, std::uint64_t years, const std::vector<std::int64_t>& tracked,
         int threads, std::uint64_t max_events) {
        const auto terms = policy_terms(deductible, occurrence_limit, aggregate_limit);
        const auto idx = tracked_indices(tracked);
        std::atomic<bool> cancel{false};
        PortfolioBlock b = run_interruptible<PortfolioBlock>(
            [&] {
              return portfolio_block(*f, *loss, terms, *programme, seed, first_year, years, idx,
                                     threads, max_events, &cancel);
            },
            cancel);
        return block_dict(std::move(b));
      },
      py::arg("frequency"), py::arg("loss"), py::arg("deductible"), py::arg("occurrence_limit"),
      py::arg("aggregate_limit"), py::arg("programme"), py::arg("seed"), py::arg("first_year"),
      py::arg("years"), py::arg("tracked") = std::vector<std::int64_t>{}, py::arg("threads") = 0,
      py::arg("max_events") = 100'000'000);

  // The same from the dict of portfolio_events and ground-up losses computed in Python.
  m.def(
      "portfolio_block_from_losses",
      [](const py::dict& events, std::uint64_t first_year,
         const py::array_t<double, py::array::c_style | py::array::forcecast>& ground_up,
         const std::vector<double>& deductible, const std::vector<double>& occurrence_limit,
         const std::vector<double>& aggregate_limit,
         std::shared_ptr<ReinsuranceProgramme> programme, const std::vector<std::int64_t>& tracked,
         int threads) {
        const auto terms = policy_terms(deductible, occurrence_limit, aggregate_limit);
        const auto idx = tracked_indices(tracked);
        PortfolioEvents ev = events_from_dict(events, first_year);
        std::vector<double> x(ground_up.data(), ground_up.data() + ground_up.size());
        std::atomic<bool> cancel{false};
        PortfolioBlock b = run_interruptible<PortfolioBlock>(
            [&] {
              return portfolio_block(ev, std::move(x), terms, *programme, idx, threads, &cancel);
            },
            cancel);
        return block_dict(std::move(b));
      },
      py::arg("events"), py::arg("first_year"), py::arg("ground_up"), py::arg("deductible"),
      py::arg("occurrence_limit"), py::arg("aggregate_limit"), py::arg("programme"),
      py::arg("tracked") = std::vector<std::int64_t>{}, py::arg("threads") = 0);
}

}  // namespace cyberloss::bindings
