#include "shared/json_limits.h"

#include <string>
#include <utility>
#include <vector>

#include "shared/error.h"

namespace verdict {

namespace {

struct TooDeep {};

}  // namespace

nlohmann::json parse_json_limited(std::string_view text, int max_depth) {
  // The callback sees every object and array as it opens, with its depth (0 = the top level).
  const nlohmann::json::parser_callback_t bound = [max_depth](int depth, nlohmann::json::parse_event_t event,
                                                              nlohmann::json&) {
    if ((event == nlohmann::json::parse_event_t::object_start || event == nlohmann::json::parse_event_t::array_start) &&
        depth >= max_depth) {
      throw TooDeep{};
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text.begin(), text.end(), bound);
  } catch (const TooDeep&) {
    throw Error("JSON nested deeper than " + std::to_string(max_depth) + " levels");
  } catch (const nlohmann::json::parse_error& e) {
    throw Error("malformed JSON at byte " + std::to_string(e.byte));
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("JSON not accepted: ") + e.what());  // e.g. a number too large for a double
  }
}

int json_depth(const nlohmann::json& value) {
  int deepest = 0;
  std::vector<std::pair<const nlohmann::json*, int>> todo = {{&value, 0}};
  while (!todo.empty()) {
    const auto [v, depth] = todo.back();
    todo.pop_back();
    if (!v->is_structured()) continue;
    deepest = std::max(deepest, depth + 1);
    for (const auto& child : *v) todo.emplace_back(&child, depth + 1);
  }
  return deepest;
}

}  // namespace verdict
