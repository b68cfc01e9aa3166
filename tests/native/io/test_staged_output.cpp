#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "native/io/staged_output.h"

using namespace verdict;
namespace fs = std::filesystem;

TEST_CASE("staged outputs appear only on commit; an abandoned stage leaves nothing", "[output]") {
  const fs::path dir = fs::temp_directory_path() / "verdict-staged-test";
  fs::remove_all(dir);
  {
    StagedOutputs out;
    out.write(dir / "a.txt", "A");
    out.write(dir / "sub" / "b.txt", "B");
    CHECK_FALSE(fs::exists(dir / "a.txt"));
  }  // no commit: as if an error was thrown half-way
  CHECK_FALSE(fs::exists(dir / "a.txt"));
  CHECK_FALSE(fs::exists(dir / "sub" / "b.txt"));
  CHECK_FALSE(fs::exists(dir));  // nor the folders staging created
  // A folder that was there before stays, with what it held; only the new ones go.
  fs::create_directories(dir);
  std::ofstream(dir / "kept.txt") << "K";
  {
    StagedOutputs out;
    out.write(dir / "new" / "deeper" / "c.txt", "C");
    out.write(dir / "new" / "d.txt", "D");
  }
  CHECK(fs::exists(dir / "kept.txt"));
  CHECK_FALSE(fs::exists(dir / "new"));
  {
    StagedOutputs out;
    out.write(dir / "a.txt", "A");
    out.commit();
  }
  std::ifstream in(dir / "a.txt");
  std::string text;
  in >> text;
  CHECK(text == "A");
  fs::remove_all(dir);
}
