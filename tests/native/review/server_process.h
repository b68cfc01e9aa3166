// A real `verdict serve` process for tests that kill it: started on a free loopback port,
// ready once /api/health answers.
#pragma once
#include <httplib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

namespace verdict::review::testing {

inline pid_t start_server(const std::string& binary, const std::filesystem::path& db, int port) {
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string p = std::to_string(port);
    freopen("/dev/null", "w", stdout);
    execl(binary.c_str(), binary.c_str(), "serve", "--db", db.c_str(), "--port", p.c_str(), nullptr);
    _exit(127);
  }
  httplib::Client c("127.0.0.1", port);
  for (int i = 0; i < 200; ++i) {
    if (auto r = c.Get("/api/health"); r && r->status == 200) return pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  kill(pid, SIGKILL);
  throw std::runtime_error("server did not start");
}

// A port that is free now: bind a plain socket to port 0, read the port, close it.
// (httplib's bind_to_any_port also listens, and a leftover listener would take connections.)
inline int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("no free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A TCP connection to 127.0.0.1:port from `source` (any 127.x.y.z address is this machine),
// or -1.
inline int connect_from(const char* source, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{}, to{};
  from.sin_family = to.sin_family = AF_INET;
  ::inet_pton(AF_INET, source, &from.sin_addr);
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// True once the server has closed the connection (recv reaches the end, or a reset), after
// whatever it sent before.
inline bool closed_by_server(int fd) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) continue;
    return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
  }
}

}  // namespace verdict::review::testing
