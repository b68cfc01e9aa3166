// JSON from strangers: the nesting bound, overflowing numbers and malformed text are clear
// errors; depth is measured without recursion.
#include <catch2/catch.hpp>

#include "shared/error.h"
#include "shared/json_limits.h"

using namespace verdict;

namespace {
std::string nested(int depth) { return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']'); }
}  // namespace

TEST_CASE("parse_json_limited: up to the bound parses, one level deeper does not", "[json]") {
  CHECK(json_depth(parse_json_limited(nested(64))) == 64);
  CHECK_THROWS_WITH(parse_json_limited(nested(65)), "JSON nested deeper than 64 levels");
  CHECK_THROWS_WITH(parse_json_limited(nested(200'000)), "JSON nested deeper than 64 levels");
  CHECK_THROWS_WITH(parse_json_limited(R"({"a": {"b": [1]}})", 2), "JSON nested deeper than 2 levels");
  CHECK(parse_json_limited(R"({"a": {"b": 1}})", 2)["a"]["b"] == 1);
}

TEST_CASE("parse_json_limited: overflowing numbers and malformed text", "[json]") {
  CHECK_THROWS_WITH(parse_json_limited(R"({"x": 1e400})"), Catch::Contains("JSON not accepted"));
  CHECK_THROWS_WITH(parse_json_limited(R"({"x": )"), Catch::Contains("malformed JSON at byte"));
  CHECK(parse_json_limited("1e308").get<double>() == 1e308);
}

TEST_CASE("json_depth counts objects and arrays, not scalars", "[json]") {
  CHECK(json_depth(nlohmann::json(3)) == 0);
  CHECK(json_depth(nlohmann::json::array()) == 1);
  CHECK(json_depth(nlohmann::json{{"a", {1, {2, {3}}}}}) == 4);
}
