// The PDF: headless Chromium prints the HTML file, with a fresh profile and no network use.
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "native/report/report.h"
#include "shared/error.h"

namespace fs = std::filesystem;

namespace verdict::report {

namespace {

// The last non-empty line Chromium printed, for an error message.
std::string last_line(const fs::path& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  if (last.size() > 200) last = last.substr(0, 200) + "...";
  return last;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "verdict-report-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw Error(std::string("cannot create a temporary folder: ") + std::strerror(errno));
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

void print_pdf(const std::string& chromium, const fs::path& html_file, const fs::path& pdf_file, int timeout_seconds) {
  TempDir tmp;
  const fs::path profile = tmp.path / "profile", log = tmp.path / "chromium.log";
  fs::create_directories(profile);
  const std::string url = "file://" + fs::absolute(html_file).string();
  std::vector<std::string> args = {chromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-quic",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--user-data-dir=" + profile.string(),
                                   "--no-pdf-header-footer",
                                   "--print-to-pdf=" + fs::absolute(pdf_file).string(),
                                   url};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::error_code ec;
  fs::remove(pdf_file, ec);

  const pid_t pid = ::fork();
  if (pid < 0) throw Error(std::string("cannot start Chromium: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);  // its own process group, so a timeout ends its helpers too
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    const int null_in = ::open("/dev/null", O_RDONLY);
    if (null_in >= 0) ::dup2(null_in, 0);
    ::execv(chromium.c_str(), argv.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) throw Error(std::string("waiting for Chromium: ") + std::strerror(errno));
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      throw Error("Chromium did not print the PDF within " + std::to_string(timeout_seconds) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  char head[5] = {};
  std::ifstream pdf(pdf_file, std::ios::binary);
  pdf.read(head, 4);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || std::string(head) != "%PDF") {
    const std::string why = last_line(log);
    throw Error("Chromium (" + chromium + ") did not print the PDF" +
                (WIFEXITED(status) ? " (exit " + std::to_string(WEXITSTATUS(status)) + ")" : std::string(" (killed)")) +
                (why.empty() ? "" : ": " + why));
  }
}

}  // namespace verdict::report
