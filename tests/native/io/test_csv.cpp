#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

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
