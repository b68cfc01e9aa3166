// Fuzz target: bytes -> CsvReader (chunks of 3 rows) -> infer_schema -> encode_table. Errors
// must be verdict::Error; properties checked on what is accepted:
// - count by skip() equals the rows read, and each row's line is after the previous one's;
// - write_csv_row then reading back gives the same header and cells;
// - the inferred schema is valid JSON text (dump) and survives from_json;
// - every encoded value decodes.
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "native/io/csv.h"
#include "native/io/dataset.h"
#include "shared/error.h"
#include "shared/schema.h"

namespace {

using verdict::Table;

void check_schema(const Table& t, const std::string& target, verdict::Task task) {
  std::vector<std::vector<std::string>> columns;
  for (std::size_t c = 0; c < t.header.size(); ++c) columns.push_back(t.column_cells(c));
  verdict::Schema schema;
  try {
    schema = verdict::infer_schema(t.header, columns, target, task, "");
  } catch (const verdict::Error&) {
    return;
  }
  const std::string text = schema.to_json().dump();  // throws on text JSON cannot hold
  const verdict::Schema back = verdict::Schema::from_json(nlohmann::json::parse(text));
  VERDICT_FUZZ_CHECK(back.to_json().dump() == text);
  try {
    const verdict::Dataset d = verdict::encode_table(t, schema, !target.empty());
    for (std::size_t r = 0; r < d.rows; ++r) {
      for (std::size_t f = 0; f < d.cols; ++f) (void)verdict::decode_value(schema, f, d.x[r * d.cols + f]);
    }
  } catch (const verdict::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  Table all;
  try {
    std::istringstream in(text);
    verdict::CsvReader reader(in, "fuzz.csv");
    Table chunk;
    while (reader.read(chunk, 3) > 0) {
      all.header = chunk.header;
      all.source = chunk.source;
      all.rows.insert(all.rows.end(), chunk.rows.begin(), chunk.rows.end());
      all.line.insert(all.line.end(), chunk.line.begin(), chunk.line.end());
    }
    all.header = reader.header();
    std::istringstream again(text);
    verdict::CsvReader counter(again, "fuzz.csv");
    VERDICT_FUZZ_CHECK(counter.skip(static_cast<std::size_t>(-1)) == all.rows.size());
  } catch (const verdict::Error&) {
    return 0;
  }
  for (std::size_t r = 1; r < all.line.size(); ++r) VERDICT_FUZZ_CHECK(all.line[r] > all.line[r - 1]);

  std::ostringstream out;
  verdict::write_csv_row(out, all.header);
  for (const auto& row : all.rows) verdict::write_csv_row(out, row);
  std::istringstream written(out.str());
  verdict::CsvReader reread(written, "written.csv");
  Table back;
  reread.read(back, static_cast<std::size_t>(-1));
  VERDICT_FUZZ_CHECK(reread.header() == all.header);
  VERDICT_FUZZ_CHECK(back.rows == all.rows);

  check_schema(all, all.header.back(), verdict::Task::Regression);
  check_schema(all, all.header.back(), verdict::Task::Binary);
  check_schema(all, "", verdict::Task::Regression);
  return 0;
}
