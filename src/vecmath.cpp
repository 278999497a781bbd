#include "cyberloss/vecmath.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

#include "simd/kernels.hpp"
#include "simd/math.hpp"

namespace cyberloss::vecmath {

double inverse_normal_cdf(double p) { return simd::inverse_normal_element(p); }

void inverse_normal_cdf(const double* p, double* z, std::size_t n) {
  simd::kernels().inverse_normal_cdf(p, z, n);
}

double exp(double x) { return simd::exp_element(x); }

void exp(const double* x, double* out, std::size_t n) { simd::kernels().exp(x, out, n); }

double log(double x) { return simd::log_element(x); }

void log(const double* x, double* out, std::size_t n) { simd::kernels().log(x, out, n); }

void exp_affine(const double* z, double mu, double sigma, double* out, std::size_t n) {
  simd::kernels().exp_affine(z, mu, sigma, out, n);
}

// fdlibm ports (see vecmath.hpp): the structure and constants of FreeBSD's msun s_log1p.c,
// s_expm1.c, s_erf.c and e_lgamma_r.c, with exp and log the core's.
namespace {

using simd::bits_of;
using simd::from_bits;

constexpr double kInf = HUGE_VAL;
constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 0x3fe62e42fee00000
constexpr double kLn2Lo = 1.90821492927058770002e-10;  // 0x3dea39ef35793c76

// y * 2^k for y in [0.5, 4) and k an integer in [-1022, 1023]: y's exponent bits plus k.
double add_to_exponent(double y, int k) {
  return from_bits(bits_of(y) + (static_cast<std::uint64_t>(static_cast<std::int64_t>(k)) << 52));
}

}  // namespace

double log1p(double x) {
  // fdlibm's high-word threshold 0x3fda827a, just above sqrt(2) - 1 (Go's exact value sends
  // x = sqrt(2) - 1 through the reduction, 1.03 ulp there)
  constexpr double kSqrt2M1 = 0x1.a827ap-2;
  constexpr double kSqrt2HalfM1 = -2.928932188134524755992e-01;
  constexpr double Lp1 = 6.666666666666735130e-01, Lp2 = 3.999999999940941908e-01,
                   Lp3 = 2.857142874366239149e-01, Lp4 = 2.222219843214978396e-01,
                   Lp5 = 1.818357216161805012e-01, Lp6 = 1.531383769920937332e-01,
                   Lp7 = 1.479819860511658591e-01;
  if (std::isnan(x) || x < -1.0) return std::numeric_limits<double>::quiet_NaN();
  if (x == -1.0) return -kInf;
  if (x == kInf) return kInf;
  const double absx = std::fabs(x);
  double f = 0.0, c = 0.0;
  std::uint64_t iu = 0;
  int k = 1;
  if (absx < kSqrt2M1) {
    if (absx < 0x1.0p-29) return absx < 0x1.0p-54 ? x : x - x * x * 0.5;
    if (x > kSqrt2HalfM1) {  // sqrt(2)/2 <= 1 + x < sqrt(2): no reduction
      k = 0;
      f = x;
      iu = 1;
    }
  }
  if (k != 0) {
    double u;
    if (absx < 0x1.0p53) {
      u = 1.0 + x;
      iu = bits_of(u);
      k = static_cast<int>((iu >> 52) - 1023);
      c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0);  // log(1 + x) - log(u), to first order
      c /= u;
    } else {
      u = x;
      iu = bits_of(u);
      k = static_cast<int>((iu >> 52) - 1023);
    }
    iu &= 0x000fffffffffffffULL;
    if (iu < 0x0006a09e667f3bcdULL) {  // mantissa below sqrt(2)
      u = from_bits(iu | 0x3ff0000000000000ULL);
    } else {
      ++k;
      u = from_bits(iu | 0x3fe0000000000000ULL);
      iu = (0x0010000000000000ULL - iu) >> 2;
    }
    f = u - 1.0;
  }
  const double hfsq = 0.5 * f * f;
  const double dk = static_cast<double>(k);
  if (iu == 0) {  // |f| < 2^-20
    if (f == 0.0) return k == 0 ? 0.0 : dk * kLn2Hi + (c + dk * kLn2Lo);
    const double R = hfsq * (1.0 - 0.66666666666666666 * f);
    return k == 0 ? f - R : dk * kLn2Hi - ((R - (dk * kLn2Lo + c)) - f);
  }
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double R = z * (Lp1 + z * (Lp2 + z * (Lp3 + z * (Lp4 + z * (Lp5 + z * (Lp6 + z * Lp7))))));
  if (k == 0) return f - (hfsq - s * (hfsq + R));
  return dk * kLn2Hi - ((hfsq - (s * (hfsq + R) + (dk * kLn2Lo + c))) - f);
}

void log1p(const double* x, double* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = log1p(x[i]);
}

double expm1(double x) {
  constexpr double kOverflow = 7.09782712893383973096e+02;
  constexpr double kLn2X56 = 3.88162421113569373274e+01;
  constexpr double kLn2HalfX3 = 1.03972077083991796413e+00;
  constexpr double kLn2Half = 3.46573590279972654709e-01;
  constexpr double kInvLn2 = 1.44269504088896338700e+00;
  constexpr double Q1 = -3.33333333333331316428e-02, Q2 = 1.58730158725481460165e-03,
                   Q3 = -7.93650757867487942473e-05, Q4 = 4.00821782732936239552e-06,
                   Q5 = -2.01099218183624371326e-07;
  if (std::isnan(x) || x == kInf) return x;
  if (x == -kInf) return -1.0;
  const bool negative = x < 0.0;
  const double absx = std::fabs(x);
  if (absx >= kLn2X56) {
    if (negative) return -1.0;
    if (absx > kOverflow) return kInf;  // fdlibm's x > o_threshold: 709.78... itself is finite
  }
  double c = 0.0;
  int k = 0;
  if (absx > kLn2Half) {
    double hi, lo;
    if (absx < kLn2HalfX3) {
      hi = negative ? x + kLn2Hi : x - kLn2Hi;
      lo = negative ? -kLn2Lo : kLn2Lo;
      k = negative ? -1 : 1;
    } else {
      k = static_cast<int>(kInvLn2 * x + (negative ? -0.5 : 0.5));
      const double t = static_cast<double>(k);
      hi = x - t * kLn2Hi;  // exact
      lo = t * kLn2Lo;
    }
    x = hi - lo;
    c = (hi - x) - lo;
  } else if (absx < 0x1.0p-54) {
    return x;
  }
  const double hfx = 0.5 * x;
  const double hxs = x * hfx;
  const double r1 = 1.0 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  const double t = 3.0 - r1 * hfx;
  double e = hxs * ((r1 - t) / (6.0 - x * t));
  if (k == 0) return x - (x * e - hxs);
  e = x * (e - c) - c;
  e -= hxs;
  if (k == -1) return 0.5 * (x - e) - 0.5;
  if (k == 1) return x < -0.25 ? -2.0 * (e - (x + 0.5)) : 1.0 + 2.0 * (x - e);
  if (k == 1024) return (1.0 - (e - x)) * 2.0 * 0x1.0p1023 - 1.0;  // 2^1024 is not a double
  if (k <= -2 || k > 56) return add_to_exponent(1.0 - (e - x), k) - 1.0;
  if (k < 20) {
    const double one_minus = from_bits(0x3ff0000000000000ULL - (0x20000000000000ULL >> k));
    return add_to_exponent(one_minus - (e - x), k);  // 1 - 2^-k
  }
  const double two_minus_k = from_bits(static_cast<std::uint64_t>(0x3ff - k) << 52);
  return add_to_exponent((x - (e + two_minus_k)) + 1.0, k);
}

namespace {

// erf(x) - x on |x| < 0.84375 as x R(x^2), R here (fdlibm's pp/qq), and erf(1 + s) - erx on
// [0.84375, 1.25) as P(s) / Q(s) (pa/qa).
constexpr double kErx = 8.45062911510467529297e-01;
double erf_ratio(double x) {
  constexpr double pp0 = 1.28379167095512558561e-01, pp1 = -3.25042107247001499370e-01,
                   pp2 = -2.84817495755985104766e-02, pp3 = -5.77027029648944159157e-03,
                   pp4 = -2.37630166566501626084e-05, qq1 = 3.97917223959155352819e-01,
                   qq2 = 6.50222499887672944485e-02, qq3 = 5.08130628187576562776e-03,
                   qq4 = 1.32494738004321644526e-04, qq5 = -3.96022827877536812320e-06;
  const double z = x * x;
  const double r = pp0 + z * (pp1 + z * (pp2 + z * (pp3 + z * pp4)));
  const double s = 1.0 + z * (qq1 + z * (qq2 + z * (qq3 + z * (qq4 + z * qq5))));
  return r / s;
}

double erf_near_one(double s) {
  constexpr double pa0 = -2.36211856075265944077e-03, pa1 = 4.14856118683748331666e-01,
                   pa2 = -3.72207876035701323847e-01, pa3 = 3.18346619901161753674e-01,
                   pa4 = -1.10894694282396677476e-01, pa5 = 3.54783043256182359371e-02,
                   pa6 = -2.16637559486879084300e-03, qa1 = 1.06420880400844228286e-01,
                   qa2 = 5.40397917702171048937e-01, qa3 = 7.18286544141962662868e-02,
                   qa4 = 1.26171219808761642112e-01, qa5 = 1.36370839120290507362e-02,
                   qa6 = 1.19844998467991074170e-02;
  const double P = pa0 + s * (pa1 + s * (pa2 + s * (pa3 + s * (pa4 + s * (pa5 + s * pa6)))));
  const double Q = 1.0 + s * (qa1 + s * (qa2 + s * (qa3 + s * (qa4 + s * (qa5 + s * qa6)))));
  return P / Q;
}

// erfc(x) for 1.25 <= x < 28: exp(-x^2 - 0.5625 + R(1/x^2) / S(1/x^2)) / x, with x^2 split so
// that exp's argument keeps its bits (fdlibm's ra/sa below 1/0.35, rb/sb above).
double erfc_tail(double x) {
  constexpr double ra0 = -9.86494403484714822705e-03, ra1 = -6.93858572707181764372e-01,
                   ra2 = -1.05586262253232909814e+01, ra3 = -6.23753324503260060396e+01,
                   ra4 = -1.62396669462573470355e+02, ra5 = -1.84605092906711035994e+02,
                   ra6 = -8.12874355063065934246e+01, ra7 = -9.81432934416914548592e+00,
                   sa1 = 1.96512716674392571292e+01, sa2 = 1.37657754143519042600e+02,
                   sa3 = 4.34565877475229228821e+02, sa4 = 6.45387271733267880336e+02,
                   sa5 = 4.29008140027567833386e+02, sa6 = 1.08635005541779435134e+02,
                   sa7 = 6.57024977031928170135e+00, sa8 = -6.04244152148580987438e-02;
  constexpr double rb0 = -9.86494292470009928597e-03, rb1 = -7.99283237680523006574e-01,
                   rb2 = -1.77579549177547519889e+01, rb3 = -1.60636384855821916062e+02,
                   rb4 = -6.37566443368389627722e+02, rb5 = -1.02509513161107724954e+03,
                   rb6 = -4.83519191608651397019e+02, sb1 = 3.03380607434824582924e+01,
                   sb2 = 3.25792512996573918826e+02, sb3 = 1.53672958608443695994e+03,
                   sb4 = 3.19985821950859553908e+03, sb5 = 2.55305040643316442583e+03,
                   sb6 = 4.74528541206955367215e+02, sb7 = -2.24409524465858183362e+01;
  const double s = 1.0 / (x * x);
  double R, S;
  if (x < 1.0 / 0.35) {
    R = ra0 + s * (ra1 + s * (ra2 + s * (ra3 + s * (ra4 + s * (ra5 + s * (ra6 + s * ra7))))));
    S = 1.0 +
        s * (sa1 + s * (sa2 + s * (sa3 + s * (sa4 + s * (sa5 + s * (sa6 + s * (sa7 + s * sa8)))))));
  } else {
    R = rb0 + s * (rb1 + s * (rb2 + s * (rb3 + s * (rb4 + s * (rb5 + s * rb6)))));
    S = 1.0 + s * (sb1 + s * (sb2 + s * (sb3 + s * (sb4 + s * (sb5 + s * (sb6 + s * sb7))))));
  }
  const double z = from_bits(bits_of(x) & 0xffffffff00000000ULL);  // x to 20 bits: z^2 exact
  return exp(-z * z - 0.5625) * exp((z - x) * (z + x) + R / S) / x;
}

}  // namespace

double erf(double x) {
  if (std::isnan(x) || x == 0.0) return x;  // -0 stays -0
  const double a = std::fabs(x);
  double r;
  if (a < 0.84375)
    r = a < 0x1.0p-28 ? a + 1.28379167095512586316e-01 * a : a + a * erf_ratio(a);
  else if (a < 1.25)
    r = kErx + erf_near_one(a - 1.0);
  else
    r = a >= 6.0 ? 1.0 : 1.0 - erfc_tail(a);
  return x < 0.0 ? -r : r;
}

double erfc(double x) {
  if (std::isnan(x)) return x;
  const double a = std::fabs(x);
  const bool negative = x < 0.0;
  if (a < 0.84375) {
    if (a < 0x1.0p-56) return 1.0 - x;
    const double y = erf_ratio(x);
    // fdlibm's signed test: every negative x, and x below 1/4, as 1 - (x + x R)
    return x < 0.25 ? 1.0 - (x + x * y) : 0.5 - (x * y + (x - 0.5));
  }
  if (a < 1.25) {
    const double d = erf_near_one(a - 1.0);
    return negative ? 1.0 + (kErx + d) : (1.0 - kErx) - d;
  }
  if (a >= 28.0 || (negative && a >= 6.0)) return negative ? 2.0 : 0.0;
  const double tail = erfc_tail(a);
  return negative ? 2.0 - tail : tail;
}

double lgamma(double x) {
  constexpr double Tc = 1.46163214496836224576e+00, Tf = -1.21486290535849611461e-01,
                   Tt = -3.63867699703950536541e-18;
  constexpr double A[12] = {
      7.72156649015328655494e-02, 3.22467033424113591611e-01, 6.73523010531292681824e-02,
      2.05808084325167332806e-02, 7.38555086081402883957e-03, 2.89051383673415629091e-03,
      1.19270763183362067845e-03, 5.10069792153511336608e-04, 2.20862790713908385557e-04,
      1.08011567247583939954e-04, 2.52144565451257326939e-05, 4.48640949618915160150e-05};
  constexpr double R[7] = {1.0,
                           1.39200533467621045958e+00,
                           7.21935547567138069525e-01,
                           1.71933865632803078993e-01,
                           1.86459191715652901344e-02,
                           7.77942496381893596434e-04,
                           7.32668430744625636189e-06};
  constexpr double S[7] = {-7.72156649015328655494e-02, 2.14982415960608852501e-01,
                           3.25778796408930981787e-01,  1.46350472652464452805e-01,
                           2.66422703033638609560e-02,  1.84028451407337715652e-03,
                           3.19475326584100867617e-05};
  constexpr double T[15] = {
      4.83836122723810047042e-01,  -1.47587722994593911752e-01, 6.46249402391333854778e-02,
      -3.27885410759859649565e-02, 1.79706750811820387126e-02,  -1.03142241298341437450e-02,
      6.10053870246291332635e-03,  -3.68452016781138256760e-03, 2.25964780900612472250e-03,
      -1.40346469989232843813e-03, 8.81081882437654011382e-04,  -5.38595305356740546715e-04,
      3.15632070903625950361e-04,  -3.12754168375120860518e-04, 3.35529192635519073543e-04};
  constexpr double U[6] = {-7.72156649015328655494e-02, 6.32827064025093366517e-01,
                           1.45492250137234768737e+00,  9.77717527963372745603e-01,
                           2.28963728064692451092e-01,  1.33810918536787660377e-02};
  constexpr double V[6] = {1.0,
                           2.45597793713041134822e+00,
                           2.12848976379893395361e+00,
                           7.69285150456672783825e-01,
                           1.04222645593369134254e-01,
                           3.21709242282423911810e-03};
  constexpr double W[7] = {4.18938533204672725052e-01,  8.33333333333329678849e-02,
                           -2.77777777728775536470e-03, 7.93650558643019558500e-04,
                           -5.95187557450339963135e-04, 8.36339918996282139126e-04,
                           -1.63092934096575273989e-03};
  if (std::isnan(x) || x < 0.0) return std::numeric_limits<double>::quiet_NaN();
  if (x == kInf) return kInf;
  if (x == 0.0) return kInf;
  if (x < 0x1.0p-70) return -log(x);
  if (x == 1.0 || x == 2.0) return 0.0;
  if (x < 2.0) {  // lgamma(x) = lgamma(x + 1) - log(x) below 0.9
    double result, y;
    int i;
    if (x <= 0.9) {
      result = -log(x);
      if (x >= 0x1.76944p-1) {  // 0.7316 (fdlibm's thresholds: Go's 1.1916 and 0.1916 are off)
        y = 1.0 - x;
        i = 0;
      } else if (x >= 0x1.da661p-3) {  // 0.2316
        y = x - (Tc - 1.0);
        i = 1;
      } else {
        y = x;
        i = 2;
      }
    } else {
      result = 0.0;
      if (x >= 0x1.bb4c3p+0) {  // 1.7316
        y = 2.0 - x;
        i = 0;
      } else if (x >= 0x1.3b4c4p+0) {  // 1.2316
        y = x - Tc;
        i = 1;
      } else {
        y = x - 1.0;
        i = 2;
      }
    }
    if (i == 0) {
      const double z = y * y;
      const double p1 = A[0] + z * (A[2] + z * (A[4] + z * (A[6] + z * (A[8] + z * A[10]))));
      const double p2 = z * (A[1] + z * (A[3] + z * (A[5] + z * (A[7] + z * (A[9] + z * A[11])))));
      return result + ((y * p1 + p2) - 0.5 * y);
    }
    if (i == 1) {
      const double z = y * y;
      const double w = z * y;
      const double p1 = T[0] + w * (T[3] + w * (T[6] + w * (T[9] + w * T[12])));
      const double p2 = T[1] + w * (T[4] + w * (T[7] + w * (T[10] + w * T[13])));
      const double p3 = T[2] + w * (T[5] + w * (T[8] + w * (T[11] + w * T[14])));
      return result + (Tf + (z * p1 - (Tt - w * (p2 + y * p3))));
    }
    const double p1 = y * (U[0] + y * (U[1] + y * (U[2] + y * (U[3] + y * (U[4] + y * U[5])))));
    const double p2 = 1.0 + y * (V[1] + y * (V[2] + y * (V[3] + y * (V[4] + y * V[5]))));
    return result + (-0.5 * y + p1 / p2);
  }
  if (x < 8.0) {
    const int i = static_cast<int>(x);
    const double y = x - static_cast<double>(i);
    const double p =
        y * (S[0] + y * (S[1] + y * (S[2] + y * (S[3] + y * (S[4] + y * (S[5] + y * S[6]))))));
    const double q =
        1.0 + y * (R[1] + y * (R[2] + y * (R[3] + y * (R[4] + y * (R[5] + y * R[6])))));
    double result = 0.5 * y + p / q;
    double z = 1.0;  // lgamma(1 + s) = log(s) + lgamma(s)
    for (int j = i; j >= 3; --j) z *= y + static_cast<double>(j - 1);
    if (i >= 3) result += log(z);
    return result;
  }
  if (x < 0x1.0p58) {
    const double t = log(x);
    const double z = 1.0 / x;
    const double y = z * z;
    const double w =
        W[0] + z * (W[1] + y * (W[2] + y * (W[3] + y * (W[4] + y * (W[5] + y * W[6])))));
    return (x - 0.5) * (t - 1.0) + w;
  }
  return x * (log(x) - 1.0);
}

double pow(double x, double y) {
  if (y == 0.0 || x == 1.0) return 1.0;  // as C's pow, NaN or not
  if (std::isnan(x) || std::isnan(y) || x < 0.0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0.0) return y > 0.0 ? 0.0 : kInf;
  if (y == std::floor(y) && std::fabs(y) <= 64.0) {
    // a whole exponent by squaring: exact where the powers are (10^2, 2^-3), else a few
    // roundings
    double result = 1.0, base = x;
    for (auto n = static_cast<std::uint64_t>(std::fabs(y)); n != 0; n >>= 1) {
      if (n & 1) result *= base;
      base *= base;
    }
    return y < 0.0 ? 1.0 / result : result;
  }
  return exp(y * log(x));
}

double normal_cdf(double x) { return 0.5 * erfc(-x / 1.41421356237309504880); }

}  // namespace cyberloss::vecmath
