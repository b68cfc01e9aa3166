// A real review server on 127.0.0.1 for tests: a store in a temp folder with an admin and two
// reviewers, a page folder, any free port, served on a thread of its own.
#pragma once
#include <httplib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "native/review/server.h"
#include "tests/native/review/test_database.h"

namespace verdict::review::testing {

namespace fs = std::filesystem;

struct Running {
  fs::path dir = fs::temp_directory_path() / ("verdict-server-" + std::to_string(::getpid()) + "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  std::string target;  // the database: an SQLite file in dir, or a PostgreSQL URL
  std::unique_ptr<Store> store;
  std::unique_ptr<ReviewServer> server;
  std::thread thread;
  int port = 0;
  std::string admin, alice, bob;

  explicit Running(ServerOptions o = {}) {
    fs::remove_all(dir);
    fs::create_directories(dir / "dist");
    std::ofstream(dir / "dist" / "index.html") << "<!doctype html><title>review</title>";
    std::ofstream(dir / "secret.txt") << "not for the web";
    target = test_database(dir);
    store = std::make_unique<Store>(target);
    admin = store->add_reviewer("admin", true);
    alice = store->add_reviewer("alice", false);
    bob = store->add_reviewer("bob", false);
    o.port = 0;
    o.dist = (dir / "dist").string();
    if (o.max_body == ServerOptions{}.max_body) o.max_body = 64 * 1024;
    server = std::make_unique<ReviewServer>(*store, o);
    port = server->bind();
    thread = std::thread([this] { server->listen(); });
  }
  ~Running() {
    server->stop();
    thread.join();
    server.reset();
    store.reset();
    drop_test_database(target);
    fs::remove_all(dir);
  }
  httplib::Client client() {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(10, 0);
    return c;
  }
  static httplib::Headers auth(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }
};

inline nlohmann::json body(const httplib::Result& r) {
  REQUIRE(r);
  return nlohmann::json::parse(r->body);
}

// The response, or a failed test naming the transport error (never a null dereference).
inline const httplib::Response& ok(const httplib::Result& r) {
  INFO("request failed: " << httplib::to_string(r.error()));
  REQUIRE(r);
  return *r;
}


}  // namespace verdict::review::testing
