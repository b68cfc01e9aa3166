// A progress bar on stderr: redrawn in place on a terminal, a line every 10% otherwise.
#pragma once
#include <chrono>
#include <cstddef>
#include <string>

namespace verdict {

class Progress {
 public:
  Progress(std::string label, std::size_t total);
  // Sets the count done and an optional note (e.g. the validation metric).
  void update(std::size_t done, const std::string& note = "");
  void finish(const std::string& note = "");

 private:
  std::string label_;
  std::size_t total_;
  bool tty_;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace verdict
