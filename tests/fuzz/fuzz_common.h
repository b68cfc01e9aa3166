// Shared by the libFuzzer targets: JSON parsed with a depth limit, and a check that aborts
// (a finding) when a property of the code under test does not hold.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

namespace verdict::fuzz {

// Parsed JSON, or nothing for text that is not JSON or nests deeper than `max_depth` (what a
// loader in front of the core refuses first; real models nest 6 levels).
inline std::optional<nlohmann::json> parse_json(const std::uint8_t* data, std::size_t size, int max_depth = 64) {
  struct TooDeep {};
  try {
    return nlohmann::json::parse(data, data + size, [max_depth](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
      if (depth > max_depth) throw TooDeep{};
      return true;
    });
  } catch (const nlohmann::json::exception&) {
  } catch (const TooDeep&) {
  }
  return std::nullopt;
}

#define VERDICT_FUZZ_CHECK(cond)                                                      \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

}  // namespace verdict::fuzz
