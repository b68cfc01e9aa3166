#include "native/batch/progress.h"

#include <cstdio>
#include <unistd.h>

namespace verdict {

Progress::Progress(std::string label, std::size_t total)
    : label_(std::move(label)), total_(total ? total : 1), tty_(::isatty(2) != 0),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void Progress::update(std::size_t done, const std::string& note) {
  const auto now = std::chrono::steady_clock::now();
  const double frac = static_cast<double>(done) / static_cast<double>(total_);
  const double secs = std::chrono::duration<double>(now - start_).count();
  if (tty_) {
    if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    constexpr int width = 30;
    const int filled = static_cast<int>(frac * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "\r%-10s [%s] %5.1f%% %zu/%zu %.1fs %s\033[K", label_.c_str(), bar.c_str(),
                 100 * frac, done, total_, secs, note.c_str());
  } else {
    const int decile = static_cast<int>(frac * 10);
    if (decile == last_decile_) return;
    last_decile_ = decile;
    std::fprintf(stderr, "%s: %3d%% (%zu/%zu, %.1fs) %s\n", label_.c_str(), decile * 10, done,
                 total_, secs, note.c_str());
  }
  std::fflush(stderr);
}

void Progress::finish(const std::string& note) {
  update(total_, note);
  if (tty_) std::fprintf(stderr, "\n");
}

}  // namespace verdict
