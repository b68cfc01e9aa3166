// Ported from FreeBSD msun e_exp.c (fdlibm 5.3):
// ====================================================
// Copyright (C) 2004 by Sun Microsystems, Inc. All rights reserved.
//
// Permission to use, copy, modify, and distribute this
// software is freely granted, provided that this notice
// is preserved.
// ====================================================
//
// Method: x = k·ln2 + r with |r| ≤ 0.5·ln2 (ln2 split in two parts so k·ln2_hi is exact), a
// Remez polynomial R(r²) with exp(r) = 1 + 2r / (R − r), then scaled by 2^k. Every step is a
// single IEEE operation (shared/CMakeLists.txt compiles this file with -ffp-contract=off: no fused multiply-add may
// change a rounding on one platform and not another).
#include "portable_exp.h"

#include <cstdint>
#include <cstring>

namespace verdict {

namespace {

std::uint64_t bits_of(double x) {
  std::uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

double from_bits(std::uint64_t u) {
  double x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

constexpr double kHuge = 1.0e+300;
constexpr double kTwoM1000 = 9.33263618503218878990e-302;  // 2^-1000
constexpr double kOverflow = 7.09782712893383973096e+02;
constexpr double kUnderflow = -7.45133219101941108420e+02;
constexpr double kLn2Hi[2] = {6.93147180369123816490e-01, -6.93147180369123816490e-01};
constexpr double kLn2Lo[2] = {1.90821492927058770002e-10, -1.90821492927058770002e-10};
constexpr double kHalf[2] = {0.5, -0.5};
constexpr double kInvLn2 = 1.44269504088896338700e+00;
constexpr double P1 = 1.66666666666666019037e-01;
constexpr double P2 = -2.77777777770155933842e-03;
constexpr double P3 = 6.61375632143793436117e-05;
constexpr double P4 = -1.65339022054652515390e-06;
constexpr double P5 = 4.13813679705723846039e-08;

}  // namespace

double portable_exp(double x) {
  const std::uint64_t u = bits_of(x);
  const std::uint32_t high = static_cast<std::uint32_t>(u >> 32);
  const int sign = static_cast<int>(high >> 31);
  const std::uint32_t hx = high & 0x7fffffffu;  // high word of |x|

  if (hx >= 0x40862E42u) {  // |x| ≥ 709.78…: not finite, overflow or underflow
    if (hx >= 0x7ff00000u) {
      if (((hx & 0xfffffu) | static_cast<std::uint32_t>(u)) != 0) return x + x;  // NaN
      return sign == 0 ? x : 0.0;                                                  // exp(±inf)
    }
    if (x > kOverflow) return kHuge * kHuge;
    if (x < kUnderflow) return kTwoM1000 * kTwoM1000;
  }

  double hi = 0, lo = 0;
  int k = 0;
  if (hx > 0x3fd62e42u) {    // |x| > 0.5·ln2
    if (hx < 0x3FF0A2B2u) {  // and |x| < 1.5·ln2
      hi = x - kLn2Hi[sign];
      lo = kLn2Lo[sign];
      k = 1 - sign - sign;
    } else {
      k = static_cast<int>(kInvLn2 * x + kHalf[sign]);
      const double t = k;
      hi = x - t * kLn2Hi[0];  // exact
      lo = t * kLn2Lo[0];
    }
    x = hi - lo;
  } else if (hx < 0x3e300000u) {  // |x| < 2^-28
    return 1.0 + x;
  }

  const double t = x * x;
  const int exponent = k >= -1021 ? k : k + 1000;  // 2^k, or 2^(k+1000) then times 2^-1000
  const double twopk = from_bits(static_cast<std::uint64_t>(0x3ff00000 + exponent * 0x100000) << 32);
  const double c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const double y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * 0x1p1023;
    return y * twopk;
  }
  return y * twopk * kTwoM1000;
}

}  // namespace verdict
