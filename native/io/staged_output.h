// Output files that appear all at once or not at all: each is written under a temporary
// name and renamed into place by commit(); without commit() the temporaries are removed, and
// so are the folders staging created (when they hold nothing else).
#pragma once
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace verdict {

class StagedOutputs {
 public:
  StagedOutputs() = default;
  StagedOutputs(const StagedOutputs&) = delete;
  StagedOutputs& operator=(const StagedOutputs&) = delete;
  ~StagedOutputs();

  // Returns the temporary path to write for `final_path` (its folder is created).
  std::filesystem::path stage(const std::filesystem::path& final_path);
  // Writes text to a staged file.
  void write(const std::filesystem::path& final_path, const std::string& text);
  // Renames every staged file into place.
  void commit();

 private:
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> files_;  // temp, final
  std::vector<std::filesystem::path> created_;  // folders that did not exist before, deepest first
  bool committed_ = false;
};

}  // namespace verdict
