#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "native/io/clarify_dataset.h"
#include "shared/error.h"

using namespace verdict;
namespace fs = std::filesystem;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / ("verdict-clarify-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

}  // namespace

TEST_CASE("a Clarify CSV with or without its header row reads the same", "[clarify]") {
  const std::vector<std::string> headers = {"Rings", "Sex", "Length"};
  const std::string with = write_temp("with.csv", "Rings,Sex,Length\n15,2,0.455\n7,2,0.35\n");
  const std::string without = write_temp("without.csv", "15,2,0.455\n7,2,0.35\n");
  for (const std::string& path : {with, without}) {
    ClarifyDatasetFormat f;
    f.headers = headers;
    const Table t = read_clarify_dataset(path, f);
    CHECK(t.header == headers);
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[1] == std::vector<std::string>{"7", "2", "0.35"});
  }
  // Line numbers are the file's own: the headerless file's first record is line 1.
  ClarifyDatasetFormat f;
  f.headers = headers;
  CHECK(read_clarify_dataset(without, f).line == std::vector<std::size_t>{1, 2});
  CHECK(read_clarify_dataset(with, f).line == std::vector<std::size_t>{2, 3});
  // A headerless row that repeats a value (not a valid header) is still a record.
  const std::string repeats = write_temp("repeats.csv", "1,1,1\n");
  CHECK(read_headerless_csv(repeats, headers).rows.size() == 1);
  // A short row names the file and its own line.
  const std::string bad = write_temp("bad.csv", "15,2,0.455\n7,2\n");
  CHECK_THROWS_WITH(read_clarify_dataset(bad, f), Catch::Contains("bad.csv:2"));
  for (const auto& p : {with, without, repeats, bad}) fs::remove(p);
}

TEST_CASE("application/jsonlines: a features list and a label, or one field per header", "[clarify]") {
  ClarifyDatasetFormat f;
  f.type = "application/jsonlines";
  f.headers = {"a", "b", "y"};
  f.features = "features";
  f.label = "label";
  const std::string lists = write_temp("lists.jsonl", "{\"features\":[1,\"x\"],\"label\":0}\n{\"features\":[2,\"y\"],\"label\":1}\n");
  Table t = read_clarify_dataset(lists, f);
  CHECK(t.header == f.headers);
  CHECK(t.rows[1] == std::vector<std::string>{"2", "y", "1"});
  f.features.clear(), f.label.clear();
  const std::string flat = write_temp("flat.jsonl", "{\"a\":1,\"b\":\"x\",\"y\":0}\n\n{\"a\":2,\"b\":null,\"y\":1}\n");
  t = read_clarify_dataset(flat, f);
  CHECK(t.rows[1] == std::vector<std::string>{"2", "", "1"});
  CHECK(t.line == std::vector<std::size_t>{1, 3});
  const std::string broken = write_temp("broken.jsonl", "{\"a\":1,\"b\":\"x\",\"y\":0}\n[1,2,3]\n");
  CHECK_THROWS_WITH(read_clarify_dataset(broken, f), Catch::Contains("broken.jsonl:2: not a JSON object"));
  for (const auto& p : {lists, flat, broken}) fs::remove(p);
}
