#include "native/io/staged_output.h"

#include <fstream>
#include <system_error>
#include <unistd.h>

#include "shared/error.h"

namespace verdict {

StagedOutputs::~StagedOutputs() {
  if (committed_) return;
  std::error_code ec;
  for (const auto& [temp, final_path] : files_) std::filesystem::remove(temp, ec);
  for (const auto& dir : created_) std::filesystem::remove(dir, ec);  // only if empty
}

std::filesystem::path StagedOutputs::stage(const std::filesystem::path& final_path) {
  std::error_code ec;
  if (final_path.has_parent_path()) {
    std::vector<std::filesystem::path> missing;  // deepest first
    for (auto dir = final_path.parent_path(); !dir.empty() && !std::filesystem::exists(dir, ec);
         dir = dir.parent_path()) {
      missing.push_back(dir);
      if (dir == dir.parent_path()) break;
    }
    std::filesystem::create_directories(final_path.parent_path(), ec);
    if (ec) throw Error("cannot create folder '" + final_path.parent_path().string() + "': " + ec.message());
    // Deeper folders go before shallower ones, across every stage() call.
    created_.insert(created_.begin(), missing.begin(), missing.end());
  }
  std::filesystem::path temp = final_path;
  temp += ".tmp-" + std::to_string(::getpid());
  files_.emplace_back(temp, final_path);
  return temp;
}

void StagedOutputs::write(const std::filesystem::path& final_path, const std::string& text) {
  const auto temp = stage(final_path);
  std::ofstream out(temp, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw Error("cannot write '" + final_path.string() + "'");
}

void StagedOutputs::commit() {
  for (const auto& [temp, final_path] : files_) {
    std::error_code ec;
    std::filesystem::rename(temp, final_path, ec);
    if (ec) throw Error("cannot move '" + temp.string() + "' into place: " + ec.message());
  }
  committed_ = true;
}

}  // namespace verdict
