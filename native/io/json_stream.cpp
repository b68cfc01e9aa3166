#include "native/io/json_stream.h"

namespace verdict {

JsonObjectStream::JsonObjectStream(std::ostream& out, const nlohmann::json& members, std::string array_key)
    : out_(out), members_(members), key_(std::move(array_key)) {
  out_ << '{';
  for (const auto& [k, v] : members_.items()) {
    if (k >= key_) break;
    out_ << (first_member_ ? "" : ",") << nlohmann::json(k).dump() << ':' << v.dump();
    first_member_ = false;
  }
  out_ << (first_member_ ? "" : ",") << nlohmann::json(key_).dump() << ":[";
  first_member_ = false;
}

void JsonObjectStream::add(const nlohmann::json& element) {
  out_ << (first_element_ ? "" : ",") << element.dump();
  first_element_ = false;
}

void JsonObjectStream::finish() {
  if (finished_) return;
  out_ << ']';
  for (const auto& [k, v] : members_.items()) {
    if (k > key_) out_ << ',' << nlohmann::json(k).dump() << ':' << v.dump();
  }
  out_ << "}\n";
  finished_ = true;
}

}  // namespace verdict
