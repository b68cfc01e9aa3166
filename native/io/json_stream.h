// A JSON object written member by member, one of whose members is a long array streamed
// element by element: the text equals nlohmann::json::dump() of the whole object (members in
// key order, no spaces), without the array ever being held in memory.
#pragma once
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

namespace verdict {

class JsonObjectStream {
 public:
  // `members`: every member but the streamed array, whose key is `array_key`.
  JsonObjectStream(std::ostream& out, const nlohmann::json& members, std::string array_key);
  void add(const nlohmann::json& element);
  void finish();  // closes the array and writes the members after it, and a newline

 private:
  std::ostream& out_;
  nlohmann::json members_;
  std::string key_;
  bool first_element_ = true, first_member_ = true, finished_ = false;
};

}  // namespace verdict
