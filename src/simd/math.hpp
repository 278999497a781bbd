// Private to src/: exp, log and the AS241 normal quantile for one element, from IEEE basic
// operations (+ - * / sqrt, comparisons) and exact bit manipulations only. Scalar code and
// every SIMD path inline these into plain loops that each target's compiler vectorises, so all
// give the same bits, on any platform (no libm call decides a bit).
//
// Everything here has internal linkage on purpose: each per-ISA translation unit gets its own
// copy compiled for its target, and the linker can never hand one target's copy to another.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace cyberloss::simd {
namespace {

inline std::uint64_t bits_of(double x) {
  std::uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

inline double from_bits(std::uint64_t u) {
  double x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

// std::min / std::max semantics: a NaN first argument is returned.
inline double min_of(double a, double b) { return b < a ? b : a; }
inline double max_of(double a, double b) { return a < b ? b : a; }
// Layer::operator() (layer.hpp): min(max(x - attachment, 0), limit), as std::max / std::min.
inline double layer_of(double x, double attachment, double limit) {
  return min_of(max_of(x - attachment, 0.0), limit);
}

constexpr double kShifter =
    0x1.8p52;  // x + kShifter - kShifter rounds x to an integer (|x| < 2^51)

// exp(x) for every double: Cody-Waite reduction x = k ln 2 + r, |r| <= 0.347 (ln 2 in two
// parts, fdlibm's: k ln2_hi is exact), exp(r) = 1 + r + r^2/2 + r^3 P(r) with P the Taylor
// series to r^13 / 13! (truncation below 2^-60 relative), summed with the rounding errors of
// 1 + r and of the reduction carried along, then scaled by 2^k in two exact steps (so that
// no result is scaled out of range early). Measured error < 0.64 ulp for normal results and
// < 0.76 ulp for subnormal ones, which are rounded twice (tests/cpp/test_vecmath.cpp);
// overflow gives inf, x < -745.14 gives 0, NaN stays NaN.
//
// Written for a block of N elements, one step of the formula at a time over the whole block:
// each Horner step compiles to N / lanes independent vector operations, which the core
// overlaps, where one element's (or one vector's) chain of 30 dependent operations would leave
// it waiting. Each element goes through the same IEEE operations whatever N is (exp_element is
// the block of one); kExpBlock is the N the array loops use (measured best on AVX2).
constexpr std::size_t kExpBlock = 32;

template <std::size_t N>
inline void exp_block(const double* x, double* out) {
  constexpr double kLog2e = 0x1.71547652b82fep0;
  constexpr double kLn2Hi = 0x1.62e42fee00000p-1;  // 32 significant bits
  constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;
  constexpr double kBias = kShifter + 1023.0;
  // 1/13!, 1/12!, ..., 1/3!
  constexpr double kInvFact[11] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0,
                                   1.0 / 3628800.0,    1.0 / 362880.0,    1.0 / 40320.0,
                                   1.0 / 5040.0,       1.0 / 720.0,       1.0 / 120.0,
                                   1.0 / 24.0,         1.0 / 6.0};
  double k[N], r[N], r_err[N], p[N];
  for (std::size_t j = 0; j < N; ++j) {
    // Beyond [-746, 710] the result is 0 or inf anyway; a NaN passes through (first argument).
    const double c = min_of(max_of(x[j], -746.0), 710.0);
    k[j] = (c * kLog2e + kShifter) - kShifter;  // nearest integer to c / ln 2
    const double hi = c - k[j] * kLn2Hi;        // exact
    const double lo = k[j] * kLn2Lo;
    r[j] = hi - lo;
    r_err[j] = (hi - r[j]) - lo;  // hi - lo = r + r_err
    p[j] = kInvFact[0];
  }
  for (int i = 1; i < 11; ++i)
    for (std::size_t j = 0; j < N; ++j) p[j] = p[j] * r[j] + kInvFact[i];
  for (std::size_t j = 0; j < N; ++j) {
    const double r2 = r[j] * r[j];
    const double h = 0.5 * r2 + r2 * (r[j] * p[j]);
    const double s = 1.0 + r[j];
    const double lost = (1.0 - s) + r[j];  // 1 + r = s + lost exactly (|1| >= |r|)
    const double y = s + (lost + (h + r_err[j] * s));
    // 2^k = 2^k1 2^k2 with k1 = k / 2 rounded, both in [-538, 512]: each a normal double, built
    // from the exponent bits of kk + kBias (an exact integer sum).
    const double k1 = (k[j] * 0.5 + kShifter) - kShifter;
    const double k2 = k[j] - k1;
    const double s1 = from_bits(bits_of(k1 + kBias) << 52);
    const double s2 = from_bits(bits_of(k2 + kBias) << 52);
    out[j] = (y * s1) * s2;
  }
}

inline double exp_element(double x) {
  double y;
  exp_block<1>(&x, &y);
  return y;
}

// log(x) for every double: fdlibm's method (as in musl's log.c): x = 2^k (1 + f) with
// sqrt(2)/2 <= 1 + f < sqrt(2), s = f / (2 + f), log(1 + f) = f - hfsq + s (hfsq + R(s^2))
// with fdlibm's minimax R, plus k ln 2 in two parts. Subnormals are scaled by 2^54 first.
// Error below 1 ulp (fdlibm's bound; measured up to 0.85 ulp, tests/cpp/test_vecmath.cpp);
// log(0) = -inf, log(x < 0) = NaN, log(inf) = inf, NaN stays NaN.
inline double log_element(double x) {
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
                   Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
                   Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                   Lg7 = 1.479819860511658591e-01;
  const bool subnormal = x < 0x1.0p-1022;  // also +0 and x < 0 (handled below)
  const double xs = subnormal ? x * 0x1.0p54 : x;
  const double k_bias = subnormal ? -54.0 : 0.0;
  const std::uint64_t u = bits_of(xs);
  // Move the exponent so that the mantissa lands in [sqrt(2)/2, sqrt(2)).
  const std::uint64_t hx = (u >> 32) + (0x3ff00000u - 0x3fe6a09eu);
  const std::uint64_t e = (hx >> 20) & 0x7ff;
  const double k = (from_bits(0x4330000000000000ULL | e) - (0x1.0p52 + 1023.0)) + k_bias;
  const std::uint64_t m_hi = (hx & 0x000fffff) + 0x3fe6a09e;
  const double f = from_bits(m_hi << 32 | (u & 0xffffffffULL)) - 1.0;
  const double hfsq = 0.5 * f * f;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  const double R = t2 + t1;
  const double y = s * (hfsq + R) + k * kLn2Lo - hfsq + f + k * kLn2Hi;
  constexpr double kInf = HUGE_VAL;
  const double special = x == 0.0 ? -kInf : x == kInf ? kInf : x - x + (x < 0.0 ? NAN : 0.0);
  return x > 0.0 && x < kInf ? y : special;
}

// AS241 coefficients: Wichura (1988), "Algorithm AS 241: The percentage points of the normal
// distribution", Applied Statistics 37, 477-484.
constexpr double kA[8] = {3.3871328727963666080e0,  1.3314166789178437745e+2,
                          1.9715909503065514427e+3, 1.3731693765509461125e+4,
                          4.5921953931549871457e+4, 6.7265770927008700853e+4,
                          3.3430575583588128105e+4, 2.5090809287301226727e+3};
constexpr double kB[8] = {1.0,
                          4.2313330701600911252e+1,
                          6.8718700749205790830e+2,
                          5.3941960214247511077e+3,
                          2.1213794301586595867e+4,
                          3.9307895800092710610e+4,
                          2.8729085735721942674e+4,
                          5.2264952788528545610e+3};
constexpr double kC[8] = {1.42343711074968357734e0,  4.63033784615654529590e0,
                          5.76949722146069140550e0,  3.64784832476320460504e0,
                          1.27045825245236838258e0,  2.41780725177450611770e-1,
                          2.27238449892691845833e-2, 7.74545014278341407640e-4};
constexpr double kD[8] = {1.0,
                          2.05319162663775882187e0,
                          1.67638483018380384940e0,
                          6.89767334985100004550e-1,
                          1.48103976427480074590e-1,
                          1.51986665636164571966e-2,
                          5.47593808499534494600e-4,
                          1.05075007164441684324e-9};
constexpr double kE[8] = {6.65790464350110377720e0,  5.46378491116411436990e0,
                          1.78482653991729133580e0,  2.96560571828504891230e-1,
                          2.65321895265761230930e-2, 1.24266094738807843860e-3,
                          2.71155556874348757815e-5, 2.01033439929228813265e-7};
constexpr double kF[8] = {1.0,
                          5.99832206555887937690e-1,
                          1.36929880922735805310e-1,
                          1.48753612908506148525e-2,
                          7.86869131145613259100e-4,
                          1.84631831751005468180e-5,
                          1.42151175831644588870e-7,
                          2.04426310338993978564e-15};

// The central region |p - 1/2| <= 0.425: q A(r) / B(r) with q = p - 1/2, r = 0.180625 - q^2 and
// A, B AS241's polynomials of degree 7 (Horner), for a block of N (see exp_block).
template <std::size_t N>
inline void normal_central_block(const double* p, double* out) {
  double q[N], r[N], num[N], den[N];
  for (std::size_t j = 0; j < N; ++j) {
    q[j] = p[j] - 0.5;
    r[j] = 0.180625 - q[j] * q[j];
    num[j] = kA[7];
    den[j] = kB[7];
  }
  for (int i = 6; i >= 0; --i)
    for (std::size_t j = 0; j < N; ++j) {
      num[j] = num[j] * r[j] + kA[i];
      den[j] = den[j] * r[j] + kB[i];
    }
  for (std::size_t j = 0; j < N; ++j) out[j] = q[j] * num[j] / den[j];
}

inline double normal_central(double p) {
  double z;
  normal_central_block<1>(&p, &z);
  return z;
}

// The tails |p - 1/2| > 0.425: r = sqrt(-log(min(p, 1 - p))), then AS241's rational function
// in r - 1.6 (r <= 5) or r - 5; the coefficients are selected per element, so a vector of
// tails needs no branch.
inline double normal_tail(double p) {
  const double q = p - 0.5;
  const double one_minus_p = 1.0 - p;
  const double r = std::sqrt(-log_element(q < 0.0 ? p : one_minus_p));
  const bool far = r > 5.0;
  const double x = far ? r - 5.0 : r - 1.6;
  double num = far ? kE[7] : kC[7], den = far ? kF[7] : kD[7];
  for (int j = 6; j >= 0; --j) {
    num = num * x + (far ? kE[j] : kC[j]);
    den = den * x + (far ? kF[j] : kD[j]);
  }
  const double v = num / den;
  return q < 0.0 ? -v : v;
}

inline bool normal_in_tail(double p) { return std::fabs(p - 0.5) > 0.425; }

inline double inverse_normal_element(double p) {
  return normal_in_tail(p) ? normal_tail(p) : normal_central(p);
}

}  // namespace
}  // namespace cyberloss::simd
