// JSON from strangers: parsed with a bound on nesting depth, so that nothing later (dump(),
// a recursive walk) can overflow the stack on a body like [[[[...]]]] 75,000 levels deep.
#pragma once
#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace verdict {

// The default bound on nesting: objects and arrays inside each other.
constexpr int kMaxJsonDepth = 64;

// Parses `text`; throws verdict::Error naming the byte or the problem when it is not JSON, when
// objects and arrays nest deeper than `max_depth`, or when a number does not fit a double.
nlohmann::json parse_json_limited(std::string_view text, int max_depth = kMaxJsonDepth);

// How deep objects and arrays nest in `value` (a scalar: 0), counted without recursion.
int json_depth(const nlohmann::json& value);

}  // namespace verdict
