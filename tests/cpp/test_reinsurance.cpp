#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "cyberloss/reinsurance.hpp"

using namespace cyberloss;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

struct Incidents {
  std::vector<std::int64_t> year;
  std::vector<std::int32_t> type;
  std::vector<double> insured;
  void add(std::int64_t y, std::int32_t t, double x) {
    year.push_back(y);
    type.push_back(t);
    insured.push_back(x);
  }
};

// Random incidents over n_years x n_types, lognormal losses, some years empty.
Incidents random_incidents(std::size_t n_years, std::size_t n_types, std::uint32_t seed) {
  std::mt19937_64 g(seed);
  std::poisson_distribution<int> count(1.5);
  std::lognormal_distribution<double> size(4.0, 1.5);
  Incidents in;
  for (std::size_t y = 0; y < n_years; ++y)
    for (std::size_t t = 0; t < n_types; ++t)
      for (int k = count(g); k > 0; --k)
        in.add(static_cast<std::int64_t>(y), static_cast<std::int32_t>(t), size(g));
  return in;
}

}  // namespace

TEST_CASE("a quota share alone cedes exactly share x gross and ceded + net = gross",
          "[reinsurance]") {
  const auto in = random_incidents(400, 3, 1);
  const ReinsuranceProgramme prog({}, {}, QuotaShare(0.3), {});
  const auto rows = prog.apply(in.year, in.type, in.insured, 400, 3);
  for (const auto& r : rows) {
    CHECK(r.ceded_quota_share == 0.3 * r.gross);
    CHECK(r.ceded == r.ceded_quota_share);
    CHECK(r.net == r.gross - r.ceded);
    CHECK(std::abs(r.ceded + r.net - r.gross) <=
          4 * std::numeric_limits<double>::epsilon() * r.gross);
    CHECK(r.reinstatement_premium == 0.0);
  }
}

TEST_CASE("a per-risk XL with unlimited reinstatements cedes N x layer(X) on a fixed loss",
          "[reinsurance]") {
  // X = 100 per incident, layer 30 xs 50: each incident cedes 30.
  Incidents in;
  const std::vector<int> per_year{0, 1, 5, 12};
  for (std::size_t y = 0; y < per_year.size(); ++y)
    for (int k = 0; k < per_year[y]; ++k) in.add(static_cast<std::int64_t>(y), k % 2, 100.0);
  const ReinsuranceProgramme prog(ExcessOfLoss(50.0, 30.0, std::nullopt, 6.0), {}, {}, {});
  const auto rows = prog.apply(in.year, in.type, in.insured, per_year.size(), 2);
  for (std::size_t y = 0; y < per_year.size(); ++y) {
    CHECK(rows[y].gross == 100.0 * per_year[y]);
    CHECK(rows[y].ceded_per_risk == 30.0 * per_year[y]);
    CHECK(rows[y].net == 70.0 * per_year[y]);
    // unlimited reinstatements: the whole cession is reinstated, premium 6 per limit of 30
    CHECK(rows[y].reinstatement_premium == Approx(6.0 * 30.0 * per_year[y] / 30.0));
  }
}

TEST_CASE("XL capacity is limit x (1 + reinstatements) and the premium is pro rata",
          "[reinsurance]") {
  // per-event XL 40 xs 10, 2 reinstatements at 150% of premium 8: capacity 120 a year.
  const ExcessOfLoss xl(10.0, 40.0, 2u, 8.0, 1.5, "per_event");
  CHECK(xl.annual_capacity() == 120.0);
  CHECK(xl.reinstatement_premium(20.0) == 8.0 * 1.5 * 20.0 / 40.0);
  CHECK(xl.reinstatement_premium(200.0) == 8.0 * 1.5 * 80.0 / 40.0);  // at most 2 limits
  CHECK(ExcessOfLoss(0.0, inf, 1u, 5.0).reinstatement_premium(1e9) == 0.0);
  CHECK(ExcessOfLoss(0.0, 10.0).annual_capacity() == inf);

  const ReinsuranceProgramme prog({}, xl, {}, {});
  Incidents in;
  // year 0: type 0 aggregates 60 (cedes 40), type 1 30 (cedes 20): 60 in all
  in.add(0, 0, 25.0);
  in.add(0, 0, 35.0);
  in.add(0, 1, 30.0);
  // year 1: four events of 100: 4 x 40 = 160 > capacity 120
  for (std::int32_t t = 0; t < 4; ++t) in.add(1, t, 100.0);
  const auto rows = prog.apply(in.year, in.type, in.insured, 2, 4);
  CHECK(rows[0].ceded_per_event == 60.0);
  CHECK(rows[0].reinstatement_premium == 8.0 * 1.5 * 60.0 / 40.0);
  CHECK(rows[1].ceded_per_event == 120.0);
  CHECK(rows[1].reinstatement_premium == 8.0 * 1.5 * 80.0 / 40.0);
  CHECK(rows[1].net == 400.0 - 120.0);
}

TEST_CASE("contracts inure in order: per risk, per event, quota share, stop loss",
          "[reinsurance]") {
  // One year, two types.  Type 0: incidents 100 and 20; type 1: 300.
  // Per risk 50 xs 40, 0 reinstatements (capacity 50): layers 50, 0 | 50 -> type 0 takes 50,
  //   type 1 gets max(50 - 50, 0) = 0.  Net cells: 70, 300.
  // Per event 100 xs 200: layers 0, 100 -> 100.  Remaining 370 - 100 = 270.
  // Quota share 50%: 135, remaining 135.  Stop loss 100 xs 100: 35.
  Incidents in;
  in.add(0, 0, 100.0);
  in.add(0, 0, 20.0);
  in.add(0, 1, 300.0);
  const ReinsuranceProgramme prog(ExcessOfLoss(40.0, 50.0, 0u, 10.0),
                                  ExcessOfLoss(200.0, 100.0, 1u), QuotaShare(0.5),
                                  stop_loss_layer(100.0, 100.0));
  const auto r = prog.apply(in.year, in.type, in.insured, 1, 2)[0];
  CHECK(r.gross == 420.0);
  CHECK(r.ceded_per_risk == 50.0);
  CHECK(r.ceded_per_event == 100.0);
  CHECK(r.ceded_quota_share == 135.0);
  CHECK(r.ceded_stop_loss == 35.0);
  CHECK(r.ceded == 320.0);
  CHECK(r.net == 100.0);
  CHECK(r.reinstatement_premium == 0.0);  // no reinstatements on the per-risk layer
}

TEST_CASE("an empty programme cedes nothing", "[reinsurance]") {
  const auto in = random_incidents(50, 2, 3);
  const auto rows = ReinsuranceProgramme().apply(in.year, in.type, in.insured, 50, 2);
  for (const auto& r : rows) {
    CHECK(r.ceded == 0.0);
    CHECK(r.net == r.gross);
  }
}

TEST_CASE("bad contracts and incidents are refused by name", "[reinsurance]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(ExcessOfLoss(-1.0, 10.0, {}, 0.0, 1.0, "PerRiskXL"),
                    Catch::Contains("PerRiskXL retention") && Catch::Contains("-1"));
  CHECK_THROWS_WITH(ExcessOfLoss(0.0, 0.0), Catch::Contains("limit"));
  CHECK_THROWS_WITH(ExcessOfLoss(0.0, nan), Catch::Contains("limit"));
  CHECK_THROWS_WITH(ExcessOfLoss(0.0, 1.0, {}, -2.0), Catch::Contains("premium"));
  CHECK_THROWS_WITH(ExcessOfLoss(0.0, 1.0, {}, 0.0, nan), Catch::Contains("reinstatement_rate"));
  CHECK_THROWS_WITH(QuotaShare(1.5), Catch::Contains("share") && Catch::Contains("1.5"));
  CHECK_THROWS_WITH(QuotaShare(nan), Catch::Contains("share"));
  CHECK_THROWS_WITH(stop_loss_layer(inf, 1.0), Catch::Contains("StopLoss retention"));
  CHECK_THROWS_WITH(stop_loss_layer(0.0, -1.0), Catch::Contains("StopLoss limit"));
  const ReinsuranceProgramme prog;
  CHECK_THROWS_AS(prog.apply({0}, {2}, {1.0}, 1, 2), std::out_of_range);
  CHECK_THROWS_AS(prog.apply({1}, {0}, {1.0}, 1, 2), std::out_of_range);
  CHECK_THROWS_WITH(prog.apply({0}, {0}, {-1.0}, 1, 2), Catch::Contains("insured[0]"));
  CHECK_THROWS_AS(prog.apply({0, 0}, {0}, {1.0}, 1, 2), std::invalid_argument);
}
