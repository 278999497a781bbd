#include "cyberloss/special.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "cyberloss/distributions.hpp"

namespace cyberloss::special {
namespace {

// Extended precision (64-bit mantissa on x86-64) for the prefactors, whose exponents can reach
// 1e19 in magnitude for counts near 2^63, and for k + 1 up to 2^64, which it holds exactly.
using Real = long double;

constexpr Real kPi = 3.141592653589793238462643383279502884L;
constexpr Real kEps = 1e-19L;
constexpr Real kTiny = 1e-4000L;  // Lentz's guard against zero denominators
// Above this exponent the smaller tail is below 1e-320: the tails are 0 and 1 in double.
constexpr Real kUnderflow = 750.0L;
// Sizes above which the series and continued fractions (O(sqrt(a)) steps) give way to
// Temme's expansions (a few dozen operations); at these sizes the omitted terms are below
// 1e-18 of the result.
constexpr Real kTemmeGamma = 1e5L;
constexpr Real kTemmeBeta = 1e7L;
constexpr int kMaxSteps = 100000;  // far above what any argument needs (about 3,000)

// log(1 + d) - d for d >= -1, without cancellation for small |d|.
Real log1pmx(Real d) {
  if (std::fabs(d) < 0.01L) {
    Real power = d * d, sum = 0.0L;
    for (int n = 2; n < 16; ++n, power *= d) sum += (n % 2 ? power : -power) / n;
    return sum;
  }
  return std::log1p(d) - d;
}

// Stirling remainder ln Gamma(a) - ((a - 1/2) ln a - a + ln(2 pi) / 2), a > 0.
Real stirling(Real a) {
  if (a >= 10.0L) {
    const Real a2 = a * a;
    // Bernoulli terms B_2n / (2n (2n - 1) a^(2n - 1)), n = 1..8: below 1e-20 at a = 10.
    const Real terms[8] = {1.0L / 12,   -1.0L / 360,      1.0L / 1260, -1.0L / 1680,
                           1.0L / 1188, -691.0L / 360360, 1.0L / 156,  -3617.0L / 122400};
    Real sum = terms[7];
    for (int n = 6; n >= 0; --n) sum = terms[n] + sum / a2;
    return sum / a;
  }
  return std::lgamma(a) - ((a - 0.5L) * std::log(a) - a + 0.5L * std::log(2.0L * kPi));
}

// x^a e^-x / Gamma(a), x >= 0 finite. Near the mode the exponent a ln(x/a) - (x - a) is
// a log1pmx(d) with d = x/a - 1; far below it (d < -1/2) 1 + d would keep too few digits of
// x/a, so it is formed from ln x.
Real gamma_prefix(Real a, Real x) {
  if (a < 10.0L) return std::exp(a * std::log(x) - x - std::lgamma(a));
  const Real d = (x - a) / a;
  const Real e = d > -0.5L ? a * log1pmx(d) : a * (std::log(x) - std::log(a)) - (x - a);
  return std::sqrt(a / (2.0L * kPi)) * std::exp(e - stirling(a));
}

// Temme's C_k(eta), k = 0, 1, 2, as Taylor series in eta (exact rationals evaluated: C_0 =
// -1/3 + eta/12 - 2 eta^2/135 + ..., C_1 = -1/540 - eta/288 + ..., C_2 = 25/6048 - ...; derived
// from eta^2/2 = lambda - 1 - ln lambda, C_0 = 1/(lambda - 1) - 1/eta and
// C_k = C_{k-1}'/eta + g_k/(lambda - 1) with 1/Gamma*(a) = sum g_k a^-k). Used for |eta| < 0.13,
// where 16 terms leave less than 1e-22.
constexpr double kC[3][16] = {
    {-0.3333333333333333, 0.08333333333333333, -0.014814814814814815, 0.0011574074074074073,
     0.0003527336860670194, -0.0001787551440329218, 3.919263178522438e-05, -2.185448510679992e-06,
     -1.85406221071516e-06, 8.296711340953087e-07, -1.7665952736826078e-07, 6.707853543401498e-09,
     1.0261809784240309e-08, -4.382036018453353e-09, 9.14769958223679e-10, -2.5514193994946248e-11},
    {-0.001851851851851852, -0.003472222222222222, 0.0026455026455026454, -0.0009902263374485596,
     0.00020576131687242798, -4.018775720164609e-07, -1.8098550334489977e-05, 7.64916091608111e-06,
     -1.6120900894563446e-06, 4.647127802807434e-09, 1.378633446915721e-07, -5.752545603517705e-08,
     1.1951628599778148e-08, -1.7543241719747647e-11, -1.0091543710600413e-09,
     4.162792991842583e-10},
    {0.004133597883597883, -0.0026813271604938273, 0.0007716049382716049, 2.0093878600823047e-06,
     -0.0001073665322636516, 5.2923448829120125e-05, -1.2760635188618728e-05, 3.423578734096138e-08,
     1.3721957309062934e-06, -6.298992138380055e-07, 1.4280614206064242e-07,
     -2.0477098421990866e-10, -1.409252991086752e-08, 6.228974084922022e-09,
     -1.3670488396617114e-09, 9.428356159014678e-13}};

Real temme_c(int k, Real eta) {
  Real sum = kC[k][15];
  for (int j = 14; j >= 0; --j) sum = kC[k][j] + sum * eta;
  return sum;
}

Tails saturated(bool above) { return above ? Tails{1.0, 0.0} : Tails{0.0, 1.0}; }

// P(a, x) and Q(a, x), a > 0 and x >= 0, a possibly beyond double's exact integers.
Tails gamma_tails_ext(Real a, Real x) {
  if (x == 0.0L) return {0.0, 1.0};
  if (std::isinf(x)) return {1.0, 0.0};
  if (a >= kTemmeGamma) {
    // Q = erfc(eta sqrt(a/2)) / 2 + R,  P = erfc(-eta sqrt(a/2)) / 2 - R,
    // R = exp(-a eta^2 / 2) / sqrt(2 pi a) (C_0 + C_1 / a + C_2 / a^2).
    const Real d = (x - a) / a;
    const Real e = -a * log1pmx(d);  // a eta^2 / 2
    if (e > kUnderflow) return saturated(d > 0.0L);
    const Real eta = std::copysign(std::sqrt(2.0L * e / a), d);
    const Real series = temme_c(0, eta) + (temme_c(1, eta) + temme_c(2, eta) / a) / a;
    const Real r = std::exp(-e) / std::sqrt(2.0L * kPi * a) * series;
    const Real z = eta * std::sqrt(a / 2.0L);
    if (d >= 0.0L) {
      const Real q = 0.5L * std::erfc(z) + r;
      return {static_cast<double>(1.0L - q), static_cast<double>(q)};
    }
    const Real p = 0.5L * std::erfc(-z) - r;
    return {static_cast<double>(p), static_cast<double>(1.0L - p)};
  }
  if (x < a) {
    // P = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a + 1) ... (a + n)), decreasing terms.
    Real term = 1.0L, sum = 1.0L;
    for (int n = 1; n < kMaxSteps && term > sum * kEps; ++n) {
      term *= x / (a + n);
      sum += term;
    }
    const Real p = gamma_prefix(a, x) / a * sum;
    return {static_cast<double>(p), static_cast<double>(1.0L - p)};
  }
  // Q = x^a e^-x / Gamma(a) * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - ...)), modified Lentz.
  Real b = x + 1.0L - a, c = 1.0L / kTiny, d = 1.0L / b, h = d;
  for (int i = 1; i < kMaxSteps; ++i) {
    const Real an = -i * (i - a);
    b += 2.0L;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0L / d;
    const Real step = d * c;
    h *= step;
    if (std::fabs(step - 1.0L) < kEps) break;
  }
  const Real q = gamma_prefix(a, x) * h;
  return {static_cast<double>(1.0L - q), static_cast<double>(q)};
}

// x^a y^b / B(a, b) with y = 1 - x and lx = ln x, ly = ln y given accurately by the caller.
Real beta_prefix(Real a, Real b, Real x, Real y, Real lx, Real ly) {
  if (a >= 8.0L && b >= 8.0L) {
    // a ln(x / p) + b ln(y / q) with p = a / (a + b), q = 1 - p: near the mode, from
    // x / p - 1 = u / a and y / q - 1 = -u / b (u = b x - a y) as a log1pmx + b log1pmx (the
    // linear terms cancel); far from it (x / p or y / q below 1/2), from the logarithms.
    const Real r = a + b, u = x * b - y * a, v = u / a, w = -u / b;
    const Real e = v > -0.5L && w > -0.5L
                       ? a * log1pmx(v) + b * log1pmx(w)
                       : a * (lx + std::log1p(b / a)) + b * (ly + std::log1p(a / b));
    return std::sqrt(a * b / (2.0L * kPi * r)) *
           std::exp(e + stirling(r) - stirling(a) - stirling(b));
  }
  const Real s = std::min(a, b), l = std::max(a, b);
  // ln Gamma(l + s) - ln Gamma(l), by Stirling when l is large (the lgammas would cancel).
  const Real rise = l >= 8.0L ? (l - 0.5L) * std::log1p(s / l) + s * std::log(l + s) - s +
                                    stirling(l + s) - stirling(l)
                              : std::lgamma(l + s) - std::lgamma(l);
  return std::exp(a * lx + b * ly - std::lgamma(s) + rise);
}

// I_x(a, b) / (x^a y^b / B(a, b)) by the continued fraction BFRAC of DiDonato & Morris,
// "Algorithm 708: significant digit computation of the incomplete beta function ratios", ACM
// TOMS 18 (1992) 360-373, for x on the near side of the mean: lambda = a y - b x >= 0. Written
// in x, y and lambda, it keeps its digits when x is close to 1 (where the textbook fraction's
// terms 1 - (a + b) x / (a + 1) cancel), and takes O(sqrt(min(a, b))) steps.
Real beta_fraction(Real a, Real b, Real x, Real y, Real lambda) {
  const Real c = 1.0L + lambda, c0 = b / a, c1 = 1.0L + 1.0L / a, yp1 = y + 1.0L;
  Real n = 0.0L, p = 1.0L, s = a + 1.0L;
  Real an = 0.0L, bn = 1.0L, anp1 = 1.0L, bnp1 = c / c1, r = c1 / c;
  for (int step = 0; step < kMaxSteps; ++step) {
    n += 1.0L;
    Real t = n / a;
    const Real w = n * (b - n) * x;
    Real e = a / s;
    const Real alpha = (p * (p + c0) * e * e) * (w * x);
    e = (1.0L + t) / (c1 + t + t);
    const Real beta = n + w / s + e * (c + n * yp1);
    p = 1.0L + t;
    s += 2.0L;
    t = alpha * an + beta * anp1;
    an = anp1;
    anp1 = t;
    t = alpha * bn + beta * bnp1;
    bn = bnp1;
    bnp1 = t;
    const Real previous = r;
    r = anp1 / bnp1;
    if (std::fabs(r - previous) <= kEps * r) break;
    an /= bnp1;  // rescale
    bn /= bnp1;
    anp1 = r;
    bnp1 = 1.0L;
  }
  return r;
}

// Temme's c_0(eta), c_1(eta) for the incomplete beta function as Taylor series. With
// B = (b - a) / sqrt(ab) (= (q - p) / sqrt(pq)) the coefficients of c_0 are -B/3,
// (B^2 + 3)/12, -B (2B^2 + 9)/135, (B^2 + 3)^2/864, B (2B^2 + 9)(B^2 + 3)/5670,
// -(139 S_6 + 417 S_4 + 402 S_2 + 109)/777600 with S_2n = A^2n + A^-2n, A = sqrt(q/p)
// (derived by reverting eta(t) around the mode), and c_1 = (c_0' - c_0'(0)) / eta. Used when
// min(a, b) >= 1e7, where |B eta| < 0.02 wherever the result is not 0 or 1.
void temme_beta_c(Real B, Real eta, Real& c0, Real& c1) {
  const Real B2 = B * B, s2 = B2 + 2.0L, s4 = s2 * s2 - 2.0L, s6 = s2 * s2 * s2 - 3.0L * s2;
  const Real c[6] = {-B / 3.0L,
                     (B2 + 3.0L) / 12.0L,
                     -B * (2.0L * B2 + 9.0L) / 135.0L,
                     (B2 + 3.0L) * (B2 + 3.0L) / 864.0L,
                     B * (2.0L * B2 + 9.0L) * (B2 + 3.0L) / 5670.0L,
                     -(139.0L * s6 + 417.0L * s4 + 402.0L * s2 + 109.0L) / 777600.0L};
  c0 = c[5];
  for (int j = 4; j >= 0; --j) c0 = c[j] + c0 * eta;
  c1 = 5.0L * c[5];
  for (int j = 3; j >= 0; --j) c1 = (j + 2) * c[j + 2] + c1 * eta;
}

// I_x(a, b) and 1 - I_x(a, b) with y = 1 - x, lx = ln x, ly = ln y given accurately.
struct RealTails {
  Real lower, upper;
  operator Tails() const { return {static_cast<double>(lower), static_cast<double>(upper)}; }
};

RealTails beta_tails_ext(Real a, Real b, Real x, Real y, Real lx, Real ly) {
  if (x == 0.0L) return {0.0L, 1.0L};
  if (y == 0.0L) return {1.0L, 0.0L};
  if (a >= kTemmeBeta && b >= kTemmeBeta) {
    // I = erfc(-eta sqrt(r/2)) / 2 - T,  1 - I = erfc(eta sqrt(r/2)) / 2 + T,
    // T = e^D exp(-r eta^2 / 2) / sqrt(2 pi r) (c_0 + c_1 / r), r = a + b,
    // D = stirling(r) - stirling(a) - stirling(b) (the exact normalisation).
    const Real r = a + b, u = x * b - y * a;
    const Real e = -(a * log1pmx(u / a) + b * log1pmx(-u / b));  // r eta^2 / 2
    if (e > kUnderflow) return u > 0.0L ? RealTails{1.0L, 0.0L} : RealTails{0.0L, 1.0L};
    const Real eta = std::copysign(std::sqrt(2.0L * e / r), u);
    Real c0, c1;
    temme_beta_c((b - a) / std::sqrt(a * b), eta, c0, c1);
    const Real t = std::exp(stirling(r) - stirling(a) - stirling(b) - e) /
                   std::sqrt(2.0L * kPi * r) * (c0 + c1 / r);
    const Real z = eta * std::sqrt(r / 2.0L);
    if (u >= 0.0L) {
      const Real upper = 0.5L * std::erfc(z) + t;
      return {1.0L - upper, upper};
    }
    const Real lower = 0.5L * std::erfc(-z) - t;
    return {lower, 1.0L - lower};
  }
  // Below the mean (lambda >= 0) the fraction gives I, the smaller tail; above it, 1 - I from
  // the fraction of I_y(b, a).
  if (a < 1.0L || b < 1.0L) {
    // The fraction converges slowly for a parameter below 1 (up to 1e5 steps). One step of
    // I_x(a, b) = I_x(a + 1, b) + x^a y^b / (a B(a, b)) (and its mirror in b) lifts it; the
    // tail reached by a difference keeps an absolute, not relative, error of about 1e-19.
    const Real shift = a < 1.0L ? a : b;
    const Real t = beta_prefix(a, b, x, y, lx, ly) / shift;
    const RealTails lifted = a < 1.0L ? beta_tails_ext(a + 1.0L, b, x, y, lx, ly)
                                      : beta_tails_ext(a, b + 1.0L, x, y, lx, ly);
    const Real sign = a < 1.0L ? 1.0L : -1.0L;
    return {std::clamp(lifted.lower + sign * t, 0.0L, 1.0L),
            std::clamp(lifted.upper - sign * t, 0.0L, 1.0L)};
  }
  const Real prefix = beta_prefix(a, b, x, y, lx, ly), lambda = a * y - b * x;
  if (lambda >= 0.0L) {
    const Real lower = prefix * beta_fraction(a, b, x, y, lambda);
    return {lower, 1.0L - lower};
  }
  const Real upper = prefix * beta_fraction(b, a, y, x, -lambda);
  return {1.0L - upper, upper};
}

// p = r / (r + mean) and 1 - p, with their logarithms, accurately for any ratio.
struct NegativeBinomialP {
  Real x, y, lx, ly;
  NegativeBinomialP(double mean, double r) {
    const Real m = mean, d = r;
    x = d / (d + m);
    y = m / (d + m);
    lx = -std::log1p(m / d);
    ly = -std::log1p(d / m);
  }
};

}  // namespace

Tails gamma_tails(double a, double x) {
  require_positive("a", a);
  if (std::isnan(x) || x < 0.0)
    throw std::invalid_argument("x must be >= 0, got " + format_value(x));
  return gamma_tails_ext(a, x);
}

double gamma_p(double a, double x) { return gamma_tails(a, x).lower; }
double gamma_q(double a, double x) { return gamma_tails(a, x).upper; }

Tails beta_tails(double a, double b, double x) {
  require_positive("a", a);
  require_positive("b", b);
  if (!(x >= 0.0 && x <= 1.0))
    throw std::invalid_argument("x must be in [0, 1], got " + format_value(x));
  const Real xx = x, yy = 1.0L - xx;
  return beta_tails_ext(a, b, xx, yy, std::log(xx), std::log1p(-xx));
}

double beta_i(double a, double b, double x) { return beta_tails(a, b, x).lower; }

Tails poisson_tails(std::uint64_t k, double lambda) {
  require_nonnegative("lambda", lambda);
  if (lambda == 0.0) return {1.0, 0.0};
  const Tails t = gamma_tails_ext(static_cast<Real>(k) + 1.0L, lambda);
  return {t.upper, t.lower};
}

Tails negative_binomial_tails(std::uint64_t k, double mean, double dispersion) {
  require_nonnegative("mean", mean);
  require_positive("dispersion", dispersion);
  if (mean == 0.0) return {1.0, 0.0};
  const NegativeBinomialP p(mean, dispersion);
  return beta_tails_ext(dispersion, static_cast<Real>(k) + 1.0L, p.x, p.y, p.lx, p.ly);
}

double poisson_pmf(std::uint64_t k, double lambda) {
  require_nonnegative("lambda", lambda);
  if (lambda == 0.0) return k == 0 ? 1.0 : 0.0;
  if (k == 0) return std::exp(-lambda);
  const Real kk = static_cast<Real>(k);
  return static_cast<double>(gamma_prefix(kk, lambda) / kk);
}

double negative_binomial_pmf(std::uint64_t k, double mean, double dispersion) {
  require_nonnegative("mean", mean);
  require_positive("dispersion", dispersion);
  if (mean == 0.0) return k == 0 ? 1.0 : 0.0;
  const NegativeBinomialP p(mean, dispersion);
  if (k == 0) return static_cast<double>(std::exp(dispersion * p.lx));
  const Real kk = static_cast<Real>(k);
  return static_cast<double>(beta_prefix(dispersion, kk, p.x, p.y, p.lx, p.ly) / kk);
}

}  // namespace cyberloss::special
