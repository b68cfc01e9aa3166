// Generated training data for the XGBoost parity tests: `cols` normal features (every third
// column low-cardinality, about 10 % of cells missing) and a label drawn from a noisy linear
// signal by label(signal, noise), noise a standard normal draw.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace verdict::testing {

struct SyntheticData {
  std::vector<float> x, y;
  std::size_t rows, cols;
};

template <typename Label>
SyntheticData synthetic_data(std::size_t rows, std::size_t cols, std::uint32_t seed, Label label) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> unit;
  SyntheticData d{{}, {}, rows, cols};
  for (std::size_t r = 0; r < rows; ++r) {
    float signal = 0;
    for (std::size_t c = 0; c < cols; ++c) {
      float v = normal(rng);
      if (c % 3 == 2) v = std::floor(v * 2);  // some low-cardinality columns
      signal += (c % 2 ? 1.f : -0.5f) * v;
      d.x.push_back(unit(rng) < 0.1f ? std::nanf("") : v);
    }
    d.y.push_back(label(signal, normal(rng)));
  }
  return d;
}

}  // namespace verdict::testing
