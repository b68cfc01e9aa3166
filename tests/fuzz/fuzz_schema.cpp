// Fuzz target: bytes -> JSON (depth-limited) -> Schema::from_json -> to_json -> from_json, and
// encode_cell / encode_target over a few awkward cells. Errors must be verdict::Error; what
// from_json accepts must survive its own JSON round trip.
#include <string>

#include "fuzz_common.h"
#include "shared/error.h"
#include "shared/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto json = verdict::fuzz::parse_json(data, size);
  if (!json) return 0;
  verdict::Schema schema;
  try {
    schema = verdict::Schema::from_json(*json);
  } catch (const verdict::Error&) {
    return 0;
  }
  const std::string text = schema.to_json().dump();
  const verdict::Schema back = verdict::Schema::from_json(nlohmann::json::parse(text));
  VERDICT_FUZZ_CHECK(back.to_json().dump() == text);
  for (std::size_t f = 0; f < schema.features.size(); ++f) {
    const auto& col = schema.features[f];
    for (const std::string& cell : {std::string("1"), std::string("1e39"), std::string(""), std::string("?"),
                                    col.categories.empty() ? std::string("x") : col.categories.back()}) {
      try {
        const float v = verdict::encode_cell(schema, f, cell, nullptr);
        (void)verdict::decode_value(schema, f, v);
      } catch (const verdict::Error&) {
      }
    }
  }
  for (const std::string& cell : {schema.positive_label, std::string("2.5"), std::string("nan")}) {
    try {
      (void)verdict::encode_target(schema, cell);
    } catch (const verdict::Error&) {
    }
  }
  return 0;
}
