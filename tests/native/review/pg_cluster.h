// A throwaway PostgreSQL cluster for a test program (scripts/pg-throwaway), started on first use
// and stopped when the program ends, however it ends: a watchdog process (in a session of its
// own, so Ctrl-C and a kill of the test's process group spare it) waits on a pipe whose other end
// only this program holds, and runs `pg-throwaway stop` (pg_ctl -m immediate) once it closes.
#pragma once
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "native/review/postgres.h"

#ifndef VERDICT_SOURCE_DIR
#error "VERDICT_SOURCE_DIR (the checkout, for scripts/pg-throwaway) must be defined"
#endif

namespace verdict::review::testing {

class PgCluster {
 public:
  // The cluster's URL (its `postgres` database), or empty with skipped() saying why.
  const std::string& url() const { return url_; }
  const std::string& skipped() const { return skipped_; }

  // A new, empty database on the cluster; returns its URL.
  std::string create_database() {
    static std::atomic<int> next{0};
    const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++next);
    sql::PgConnection admin(url_);
    admin.exec("CREATE DATABASE " + name);
    return url_.substr(0, url_.rfind('/') + 1) + name;
  }
  // Drops a database create_database() made (its connections are closed first).
  void drop_database(const std::string& database_url) {
    const std::string name = database_url.substr(database_url.rfind('/') + 1);
    try {
      sql::PgConnection admin(url_);
      admin.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (const std::exception&) {  // the cluster goes away with the program anyway
    }
  }

  static PgCluster& get() {
    static PgCluster cluster;
    return cluster;
  }

  ~PgCluster() {
    if (watchdog_ > 0) {
      ::close(pipe_);  // the watchdog stops the cluster now
      ::waitpid(watchdog_, nullptr, 0);
    }
  }

 private:
  PgCluster() {
    const std::string script = std::string(VERDICT_SOURCE_DIR) + "/scripts/pg-throwaway";
    char pattern[] = "/tmp/verdict-pg.XXXXXX";  // in /tmp: the postgres user must reach it
    if (!::mkdtemp(pattern)) {
      skipped_ = "no temp folder for the cluster";
      return;
    }
    dir_ = pattern;
    start_watchdog(script);
    FILE* out = ::popen(("'" + script + "' start '" + dir_ + "' 2>&1").c_str(), "r");
    std::string text;
    char buf[512];
    while (out && std::fgets(buf, sizeof buf, out)) text += buf;
    const int status = out ? ::pclose(out) : -1;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (status == 0 && text.rfind("postgresql://", 0) == 0) {
      url_ = text;
    } else {
      skipped_ = text.rfind("SKIPPED: ", 0) == 0 ? text.substr(9) : "pg-throwaway start failed: " + text;
    }
  }

  void start_watchdog(const std::string& script) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;  // servers the tests start must not keep it open
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::setsid();
      ::close(fds[1]);
      char c;
      while (::read(fds[0], &c, 1) > 0) {
      }
      const std::string stop = "'" + script + "' stop '" + dir_ + "' > /dev/null 2>&1";
      ::execl("/bin/sh", "sh", "-c", stop.c_str(), nullptr);
      ::_exit(127);
    }
    ::close(fds[0]);
    pipe_ = fds[1];
    watchdog_ = pid;
  }

  std::string dir_, url_, skipped_;
  int pipe_ = -1;
  pid_t watchdog_ = -1;
};

}  // namespace verdict::review::testing
