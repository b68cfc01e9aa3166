#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "native/io/csv.h"
#include "shared/error.h"

using namespace verdict;
namespace fs = std::filesystem;

namespace {
std::string write_temp(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / ("verdict-test-" + name);
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}
}  // namespace

TEST_CASE("CSV cells: quotes, escaped quotes, commas inside quotes, trimming", "[csv]") {
  std::vector<std::string> cells;
  REQUIRE(split_csv_line(R"(a, "b, c" ,"say ""hi""",  d  ,)", cells));
  CHECK(cells == std::vector<std::string>{"a", "b, c", "say \"hi\"", "d", ""});
  CHECK_FALSE(split_csv_line(R"(a,"open)", cells));
}

TEST_CASE("read_csv reports the line of a short row", "[csv]") {
  const auto path = write_temp("short.csv", "a,b,c\n1,2,3\n\n4,5\n");
  CHECK_THROWS_WITH(read_csv(path), Catch::Contains("short.csv:4: 2 cells, but the header has 3"));
}

TEST_CASE("read_csv: empty, header-only and missing files are errors", "[csv]") {
  CHECK_THROWS_WITH(read_csv(write_temp("empty.csv", "")), Catch::Contains("is empty"));
  CHECK_THROWS_WITH(read_csv(write_temp("header.csv", "a,b\n")), Catch::Contains("no rows"));
  CHECK_THROWS_WITH(read_csv("/nonexistent/x.csv"), Catch::Contains("cannot open"));
}

TEST_CASE("write_csv_row quotes what needs it and reads back the same", "[csv]") {
  std::ostringstream s;
  const std::vector<std::string> row = {"plain", "with,comma", "with \"quote\"", "<img onerror=x>"};
  write_csv_row(s, row);
  std::string line = s.str();
  line.pop_back();
  std::vector<std::string> back;
  REQUIRE(split_csv_line(line, back));
  CHECK(back == row);
}

TEST_CASE("invalid UTF-8 is an error naming the file, line and column", "[csv]") {
  // A stray byte, an overlong '/', a UTF-16 surrogate, a sequence cut short at the line's end.
  const std::pair<const char*, const char*> bad[] = {
      {"r\xff" "d", "byte 0xFF"}, {"\xC0\xAF", "byte 0xC0"}, {"\xED\xA0\x80", "byte 0xED"}, {"ab\xE2\x82", "byte 0xE2"}};
  for (const auto& [cell, byte] : bad) {
    const auto path = write_temp("utf8.csv", std::string("a,b\n1,ok\n2,") + cell + "\n3,ok\n");
    CHECK_THROWS_WITH(read_csv(path), Catch::Contains("utf8.csv:3:2: not valid UTF-8") && Catch::Contains(byte));
    CHECK_THROWS_WITH(count_csv_rows(path), Catch::Contains("utf8.csv:3:2: not valid UTF-8"));
  }
  CHECK_THROWS_WITH(read_csv(write_temp("utf8h.csv", "a,\xfe\n1,2\n")), Catch::Contains("utf8h.csv:1:2: not valid UTF-8"));
  // Real UTF-8 (2, 3 and 4 bytes) and a byte-order mark are fine.
  const Table t = read_csv(write_temp("utf8ok.csv", "\xEF\xBB\xBF" "a,b\n1,S\xC3\xA3o Paulo \xE2\x82\xAC \xF0\x9F\x98\x80\n"));
  CHECK(t.header == std::vector<std::string>{"a", "b"});
  CHECK(t.rows[0][1] == "S\xC3\xA3o Paulo \xE2\x82\xAC \xF0\x9F\x98\x80");
}

TEST_CASE("a header naming a column twice is an error naming both positions", "[csv]") {
  const auto path = write_temp("dup.csv", "age,colour,age,label\n30,red,1,yes\n");
  CHECK_THROWS_WITH(read_csv(path), Catch::Contains("dup.csv:1: column 'age' appears twice in the header (columns 1 and 3)"));
  CHECK_THROWS_WITH(CsvReader(path), Catch::Contains("columns 1 and 3"));
}

TEST_CASE("newlines inside quoted cells (RFC 4180): rows, counts, skips and line numbers", "[csv]") {
  const std::string text =
      "id,text,n\n"        // line 1
      "1,\"two\n"          // line 2: a record of two lines
      "lines\",5\n"        // line 3
      "2,\"three\n"        // line 4: three lines, one of them blank inside the quotes
      "\n"                 // line 5
      "lines\"\"\",6\n"    // line 6 (an escaped quote before the closing one)
      "\n"                 // line 7: a blank line between records
      "3,plain,7\n";       // line 8
  const auto path = write_temp("multiline.csv", text);
  const Table t = read_csv(path);
  REQUIRE(t.rows.size() == 3);
  CHECK(t.rows[0] == std::vector<std::string>{"1", "two\nlines", "5"});
  CHECK(t.rows[1] == std::vector<std::string>{"2", "three\n\nlines\"", "6"});
  CHECK(t.rows[2] == std::vector<std::string>{"3", "plain", "7"});
  CHECK(t.line == std::vector<std::size_t>{2, 4, 8});  // the line each record starts on
  CHECK(count_csv_rows(path) == 3);
  CsvReader reader(path);
  CHECK(reader.skip(1) == 1);
  Table rest;
  CHECK(reader.read(rest, 1) == 1);
  CHECK(rest.rows[0][1] == "three\n\nlines\"");
  CHECK(rest.line == std::vector<std::size_t>{4});
  // Errors after a multi-line record name the line the record starts on.
  const auto short_row = write_temp("multiline-short.csv", text + "4,\"a\nb\"\n");
  CHECK_THROWS_WITH(read_csv(short_row), Catch::Contains("multiline-short.csv:9: 2 cells, but the header has 3"));
  CHECK_THROWS_WITH(count_csv_rows(short_row), Catch::Contains("multiline-short.csv:9: 2 cells"));
  const auto open = write_temp("multiline-open.csv", text + "4,\"never closed,8\n5,x,9\n");
  CHECK_THROWS_WITH(read_csv(open), Catch::Contains("multiline-open.csv:9: a quoted cell is not closed"));
  // CRLF files: the line ends go, a CRLF inside quotes stays part of the cell.
  const Table crlf = read_csv(write_temp("crlf.csv", "a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n"));
  REQUIRE(crlf.rows.size() == 2);
  CHECK(crlf.rows[0] == std::vector<std::string>{"1", "x\r\ny"});
  CHECK(crlf.rows[1] == std::vector<std::string>{"2", "z"});
  CHECK(crlf.line == std::vector<std::size_t>{2, 4});
}

TEST_CASE("write_csv_row: awkward cells read back unchanged", "[csv]") {
  const std::vector<std::string> awkward = {
      "\tx", "x\t", " x", "x ", "\t", "  ", "", "a,b", "say \"hi\"", "\"", "line\nbreak", "cr\r\nlf",
      "\r", "x\r", "?", "S\xC3\xA3o \xE2\x82\xAC", "\xEF\xBB\xBF" "bom", "\"quoted\"", "  \"lead", "trail\"  "};
  std::ostringstream s;
  write_csv_row(s, {"k", "v"});
  for (std::size_t i = 0; i < awkward.size(); ++i) write_csv_row(s, {std::to_string(i), awkward[i]});
  for (std::size_t i = 0; i < awkward.size(); ++i) write_csv_row(s, {awkward[i], std::to_string(i)});
  const Table t = read_csv(write_temp("roundtrip.csv", s.str()));
  REQUIRE(t.rows.size() == 2 * awkward.size());
  for (std::size_t i = 0; i < awkward.size(); ++i) {
    INFO("cell " << i);
    CHECK(t.rows[i] == std::vector<std::string>{std::to_string(i), awkward[i]});
    CHECK(t.rows[awkward.size() + i] == std::vector<std::string>{awkward[i], std::to_string(i)});
  }
  // One column: an empty cell must not become a blank line (which readers skip); a header
  // starting with a byte-order mark keeps it.
  std::ostringstream one;
  for (const std::string& cell : {std::string("\xEF\xBB\xBF" "only"), std::string(""), std::string("x"), std::string("")}) {
    write_csv_row(one, {cell});
  }
  const Table single = read_csv(write_temp("roundtrip1.csv", one.str()));
  CHECK(single.header == std::vector<std::string>{"\xEF\xBB\xBF" "only"});
  CHECK(single.rows == std::vector<std::vector<std::string>>{{""}, {"x"}, {""}});
}
