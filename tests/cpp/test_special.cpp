#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "cyberloss/distributions.hpp"
#include "cyberloss/special.hpp"

using namespace cyberloss;

namespace {

// Relative closeness for the known values below (given to 20 digits).
bool close(double got, double want, double rel) {
  return std::fabs(got - want) <= rel * std::fabs(want);
}

}  // namespace

TEST_CASE("incomplete gamma and beta functions reproduce closed forms", "[special]") {
  CHECK(close(special::gamma_p(1.0, 1.0), -std::expm1(-1.0), 1e-15));
  CHECK(close(special::gamma_q(0.5, 2.0), std::erfc(std::sqrt(2.0)), 1e-14));
  CHECK(close(special::gamma_q(3.0, 3.0), 8.5 * std::exp(-3.0), 1e-15));  // P(Poisson(3) <= 2)
  CHECK(special::gamma_p(2.0, 0.0) == 0.0);
  CHECK(special::gamma_q(2.0, std::numeric_limits<double>::infinity()) == 0.0);
  CHECK(close(special::beta_i(2.0, 3.0, 0.4), 0.5248,
              1e-15));  // sum_j C(4, j) 0.4^j 0.6^(4-j), j >= 2
  CHECK(close(special::beta_i(1.0, 7.5, 0.2), -std::expm1(7.5 * std::log1p(-0.2)), 1e-15));
  CHECK(close(special::beta_i(3.5, 1.0, 0.3), std::pow(0.3, 3.5), 1e-15));
  CHECK(close(special::beta_i(0.5, 0.5, 0.25), 2.0 / M_PI * std::asin(0.5), 1e-15));  // arcsine law
  const auto t = special::beta_tails(2.5, 4.0, 0.999);
  CHECK(t.upper > 0.0);
  CHECK(close(t.lower + t.upper, 1.0, 1e-15));
}

TEST_CASE("Poisson and negative binomial cdfs match 40-digit references", "[special]") {
  // References: mpmath at 40 digits (series for P, continued fraction for Q and I, exact
  // lgamma prefactors), as listed in the commit that added them.
  struct PoissonCase {
    double lambda;
    std::uint64_t k;
    double cdf, sf;
  };
  const PoissonCase poisson[] = {
      {1e12, 999998000000ULL, 0.022750131948170208696, 0.9772498680518297913},
      {1e9, 1000095000ULL, 0.9986683244561319139, 0.0013316755438680860989},
      {3e7, 30000000ULL, 0.50004855770781949476, 0.49995144229218050524},
      {250000.5, 249000ULL, 0.022696194907539742645, 0.97730380509246025735},
  };
  for (const auto& c : poisson) {
    INFO("lambda " << c.lambda << " k " << c.k);
    const auto t = special::poisson_tails(c.k, c.lambda);
    CHECK(close(t.lower, c.cdf, 1e-13));
    CHECK(close(t.upper, c.sf, 1e-13));
    CHECK(Poisson(c.lambda).cdf(c.k) == t.lower);
  }
  struct NegativeBinomialCase {
    double dispersion, mean;
    std::uint64_t k;
    double cdf, sf;
  };
  const NegativeBinomialCase nb[] = {
      {1e8, 1e8, 100000000ULL, 0.50002820947914212597, 0.49997179052085787403},
      {0.5, 20.0, 3ULL, 0.33341889261692931164, 0.66658110738307068836},
      {3.0, 1e6, 2000000ULL, 0.93803106173093543252, 0.061968938269064567483},
      {2e7, 5e7, 49990000ULL, 0.22486694358386717625, 0.77513305641613282375},
  };
  for (const auto& c : nb) {
    INFO("dispersion " << c.dispersion << " mean " << c.mean << " k " << c.k);
    const auto t = special::negative_binomial_tails(c.k, c.mean, c.dispersion);
    CHECK(close(t.lower, c.cdf, 1e-13));
    CHECK(close(t.upper, c.sf, 1e-13));
    CHECK(NegativeBinomial(c.mean, c.dispersion).cdf(c.k) == t.lower);
  }
}

TEST_CASE("frequency quantiles are the smallest k with cdf(k) >= p, for any size", "[special]") {
  // issue 10, defect 10: Poisson(3e7).quantile(0.5) summed 3e7 pmf terms and cdf(2^62) never
  // returned. Every call now takes a bounded number of closed-form cdf evaluations.
  const std::vector<std::shared_ptr<const Frequency>> frequencies = {
      std::make_shared<Poisson>(0.003),
      std::make_shared<Poisson>(2.0),
      std::make_shared<Poisson>(3e7),
      std::make_shared<Poisson>(1e18),
      std::make_shared<NegativeBinomial>(1.5, 0.8),
      std::make_shared<NegativeBinomial>(2.2e6, 7.8e-4),
      std::make_shared<NegativeBinomial>(1e15, 1e15),
      std::make_shared<NegativeBinomial>(50.0, 1e300)};
  for (const auto& f : frequencies)
    for (double p : {1e-300, 1e-9, 0.01, 0.5, 0.9, 0.999999, 0x1.fffffffffffffp-1}) {
      INFO(f->name() << " mean " << f->mean() << " p " << p);
      const std::uint64_t q = f->quantile(p);
      CHECK(f->cdf(q) >= p);
      if (q > 0) CHECK(f->cdf(q - 1) < p);
    }
  CHECK(Poisson(1.0).cdf(std::uint64_t{1} << 62) == 1.0);
  CHECK(Poisson(1.0).cdf(100000000) == 1.0);
  CHECK(Poisson(3e7).quantile(0.5) == 30000000);
  CHECK(Poisson(0.0).quantile(0.7) == 0);
  CHECK(NegativeBinomial(0.0, 2.0).cdf(0) == 1.0);
  CHECK_THROWS_WITH(Poisson(1e300).quantile(0.5), Catch::Contains("exceeds 2^63 - 1"));
}

TEST_CASE("pmf from the same prefactors: no lgamma cancellation at large counts", "[special]") {
  // P(N = lambda) for lambda = 1e12 is about 1 / sqrt(2 pi lambda) (1 - 1/(12 lambda)); the
  // former exp(-lambda + k ln lambda - lgamma(k + 1)) lost about 1e-4 of it.
  const double lambda = 1e12;
  const double expected = 1.0 / std::sqrt(2.0 * M_PI * lambda) * (1.0 - 1.0 / (12.0 * lambda));
  CHECK(close(Poisson(lambda).pmf(1000000000000ULL), expected, 1e-13));
  double total = 0.0;
  const NegativeBinomial nb(40.0, 0.7);
  for (std::uint64_t k = 0; k < 20000; ++k) total += nb.pmf(k);
  CHECK(close(total, 1.0, 1e-12));
  CHECK(close(nb.cdf(30) - nb.cdf(29), nb.pmf(30), 1e-12));
}

TEST_CASE("special functions refuse bad arguments, naming them", "[special][errors]") {
  CHECK_THROWS_WITH(special::gamma_p(-1.0, 1.0),
                    Catch::Contains("a must be") && Catch::Contains("-1"));
  CHECK_THROWS_WITH(special::gamma_q(1.0, NAN), Catch::Contains("x must be >= 0"));
  CHECK_THROWS_WITH(special::beta_i(1.0, 0.0, 0.5), Catch::Contains("b must be"));
  CHECK_THROWS_WITH(special::beta_i(1.0, 1.0, 1.5),
                    Catch::Contains("x must be in [0, 1], got 1.5"));
  CHECK_THROWS_WITH(Poisson(2.0).quantile(1.0), Catch::Contains("p must be in (0, 1)"));
}
