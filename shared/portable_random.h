// Random numbers that are the same on every platform for the same seed. The standard fixes
// the sequence of std::mt19937_64's raw outputs but not what std::uniform_*_distribution
// makes of them (libstdc++ and libc++ differ), so the mapping to ranges is done here.
#pragma once
#include <cstdint>
#include <random>

namespace verdict {

// SplitMix64's finaliser: spreads a seed and a stream number into a well-mixed 64-bit seed.
inline std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in [0, 1) with 53 random bits.
inline double uniform01(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

// Uniform integer in [0, n), n > 0, without modulo bias (rejects the lowest 2^64 mod n values).
inline std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t n) {
  const std::uint64_t reject = (0 - n) % n;  // 2^64 mod n
  std::uint64_t r = rng();
  while (r < reject) r = rng();
  return r % n;
}

}  // namespace verdict
