#include "bindings.hpp"
#include "cyberloss/layer.hpp"
#include "cyberloss/reinsurance.hpp"

namespace cyberloss::bindings {

py::dict reinsurance_columns(const std::vector<ReinsuranceYear>& rows) {
  const auto n = static_cast<py::ssize_t>(rows.size());
  py::array_t<double> gross(n), ceded(n), net(n), per_risk(n), per_event(n), quota(n), stop(n),
      rip(n);
  double* g = gross.mutable_data();
  double* c = ceded.mutable_data();
  double* nt = net.mutable_data();
  double* pr = per_risk.mutable_data();
  double* pe = per_event.mutable_data();
  double* qs = quota.mutable_data();
  double* sl = stop.mutable_data();
  double* ri = rip.mutable_data();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ReinsuranceYear& r = rows[i];
    g[i] = r.gross;
    c[i] = r.ceded;
    nt[i] = r.net;
    pr[i] = r.ceded_per_risk;
    pe[i] = r.ceded_per_event;
    qs[i] = r.ceded_quota_share;
    sl[i] = r.ceded_stop_loss;
    ri[i] = r.reinstatement_premium;
  }
  py::dict out;
  out["gross"] = gross;
  out["ceded"] = ceded;
  out["net"] = net;
  out["ceded_per_risk"] = per_risk;
  out["ceded_per_event"] = per_event;
  out["ceded_quota_share"] = quota;
  out["ceded_stop_loss"] = stop;
  out["reinstatement_premium"] = rip;
  return out;
}

void register_reinsurance(py::module_& m) {
  py::class_<Layer>(m, "Layer")
      .def(py::init<double, double>(), py::arg("attachment"), py::arg("limit"))
      .def_readonly("attachment", &Layer::attachment)
      .def_readonly("limit", &Layer::limit)
      .def("__call__", &Layer::operator(), py::arg("x"));

  py::class_<ExcessOfLoss>(m, "ExcessOfLoss")
      .def(py::init<double, double, std::optional<std::uint32_t>, double, double,
                    const std::string&>(),
           py::arg("retention"), py::arg("limit"), py::arg("reinstatements") = py::none(),
           py::arg("premium") = 0.0, py::arg("reinstatement_rate") = 1.0,
           py::arg("name") = "ExcessOfLoss")
      .def_property_readonly("retention", &ExcessOfLoss::retention)
      .def_property_readonly("limit", &ExcessOfLoss::limit)
      .def_property_readonly("reinstatements", &ExcessOfLoss::reinstatements)
      .def_property_readonly("premium", &ExcessOfLoss::premium)
      .def_property_readonly("reinstatement_rate", &ExcessOfLoss::reinstatement_rate)
      .def_property_readonly("annual_capacity", &ExcessOfLoss::annual_capacity)
      .def("reinstatement_premium", &ExcessOfLoss::reinstatement_premium, py::arg("ceded_year"));

  py::class_<QuotaShare>(m, "QuotaShare")
      .def(py::init<double>(), py::arg("share"))
      .def_readonly("share", &QuotaShare::share);

  m.def("stop_loss", &stop_loss_layer, py::arg("retention"), py::arg("limit"));

  py::class_<ReinsuranceProgramme, std::shared_ptr<ReinsuranceProgramme>>(m, "ReinsuranceProgramme")
      .def(py::init<std::optional<ExcessOfLoss>, std::optional<ExcessOfLoss>,
                    std::optional<QuotaShare>, std::optional<Layer>>(),
           py::arg("per_risk") = py::none(), py::arg("per_event") = py::none(),
           py::arg("quota_share") = py::none(), py::arg("stop_loss") = py::none())
      .def_property_readonly("empty", &ReinsuranceProgramme::empty)
      // Year-loss-table columns (gross, ceded, net, ceded_<contract>, reinstatement_premium)
      // of a block from its incidents, as cyberloss.reinsurance.Programme.apply.
      .def(
          "apply",
          [](const ReinsuranceProgramme& p, std::vector<std::int64_t> year_index,
             std::vector<std::int32_t> type_index, std::vector<double> insured, std::size_t n_years,
             std::size_t n_types) {
            std::vector<ReinsuranceYear> rows;
            {
              py::gil_scoped_release release;
              rows = p.apply(year_index, type_index, insured, n_years, n_types);
            }
            return reinsurance_columns(rows);
          },
          py::arg("year_index"), py::arg("type_index"), py::arg("insured"), py::arg("n_years"),
          py::arg("n_types"));
}

}  // namespace cyberloss::bindings
