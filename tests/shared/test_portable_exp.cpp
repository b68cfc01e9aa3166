// portable_exp (fdlibm's exp, the same bits natively and in WebAssembly) against the
// platform's std::exp (glibc's, correctly rounded nearly always): within one ulp everywhere,
// equal on most inputs (fdlibm's error bound is below one ulp, not half), and the special values.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>

#include "shared/portable_exp.h"
#include "shared/predict.h"

using verdict::portable_exp;

namespace {

std::int64_t ordered(double x) {
  std::int64_t i;
  std::memcpy(&i, &x, sizeof i);
  return i < 0 ? std::numeric_limits<std::int64_t>::min() - i : i;
}

std::int64_t ulps_apart(double a, double b) {
  const std::int64_t d = ordered(a) - ordered(b);
  return d < 0 ? -d : d;
}

}  // namespace

TEST_CASE("portable_exp is within one ulp of std::exp and equal to it on most inputs", "[exp]") {
  std::mt19937_64 rng(7);
  std::int64_t worst = 0;
  int equal = 0;
  const int n = 400000;
  for (int i = 0; i < n; ++i) {
    // Three scales: the whole finite range, margins as models give them, and tiny arguments.
    const double x = i % 3 == 0 ? std::uniform_real_distribution<double>(-745.0, 709.7)(rng)
                   : i % 3 == 1 ? std::uniform_real_distribution<double>(-40.0, 40.0)(rng)
                                : std::uniform_real_distribution<double>(-1e-6, 1e-6)(rng);
    const double ours = portable_exp(x), theirs = std::exp(x);
    const std::int64_t apart = ulps_apart(ours, theirs);
    if (apart > worst) {
      INFO("x = " << x);
      CHECK(apart <= 1);
      worst = apart;
    }
    equal += apart == 0;
  }
  INFO("equal to std::exp on " << equal << " of " << n);
  CHECK(worst <= 1);
  CHECK(equal >= n * 9 / 10);  // 93.5 % here
}

TEST_CASE("portable_exp: exact points, limits and special values", "[exp]") {
  CHECK(portable_exp(0.0) == 1.0);
  CHECK(portable_exp(-0.0) == 1.0);
  CHECK(ulps_apart(portable_exp(1.0), std::exp(1.0)) <= 1);
  CHECK(portable_exp(std::log(2.0)) == Approx(2.0).epsilon(1e-15));
  CHECK(portable_exp(709.78) == Approx(std::exp(709.78)).epsilon(1e-15));
  CHECK(std::isinf(portable_exp(710.0)));
  CHECK(portable_exp(-746.0) == 0.0);
  CHECK(portable_exp(-740.0) > 0.0);  // subnormal, not flushed
  CHECK(ulps_apart(portable_exp(-740.0), std::exp(-740.0)) <= 1);
  CHECK(std::isinf(portable_exp(std::numeric_limits<double>::infinity())));
  CHECK(portable_exp(-std::numeric_limits<double>::infinity()) == 0.0);
  CHECK(std::isnan(portable_exp(std::numeric_limits<double>::quiet_NaN())));
}

TEST_CASE("the logistic link goes through portable_exp", "[exp]") {
  for (double m : {-30.0, -2.5, -0.1, 0.0, 0.3, 4.0, 35.0}) {
    CHECK(verdict::apply_link(verdict::Link::Logistic, m) == 1.0 / (1.0 + portable_exp(-m)));
    CHECK(verdict::apply_link(verdict::Link::Exp, m) == portable_exp(m));
  }
}
