// The Adult parity tests need the model the adult_pipeline test trained; without the data
// mirror that test is skipped, and so are these (exit 77, with the reason).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>

int main(int argc, char* argv[]) {
  if (!std::filesystem::exists(VERDICT_ADULT_DIR "/model/model.json")) {
    std::printf("SKIPPED: no Adult model in %s (set VERDICT_DATA_MIRROR to a folder with the UCI files)\n",
                VERDICT_ADULT_DIR);
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
