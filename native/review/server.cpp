#include "native/review/server.h"

#include <httplib.h>

#include <sys/socket.h>

#include <atomic>
#include <filesystem>

#include "native/review/api.h"
#include "native/review/sqlite.h"
#include "native/review/static_files.h"

namespace verdict::review {

namespace {

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, {{"error", message}});
}

// SO_REUSEADDR (a restart need not wait for TIME_WAIT) but not httplib's SO_REUSEPORT, which
// would let a second server share the port and split the requests between two databases.
void exclusive_socket_options(socket_t sock) {
  int yes = 1;
  ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

// Whether a server accepts connections on host:port now (a wildcard host: on loopback).
bool someone_listens(const std::string& host, int port) {
  httplib::Client probe(host == "0.0.0.0" || host.empty() ? "127.0.0.1" : host == "::" ? "::1" : host, port);
  probe.set_connection_timeout(1, 0);
  probe.set_read_timeout(1, 0);
  return static_cast<bool>(probe.Get("/api/health")) || probe.Get("/api/health").error() != httplib::Error::Connection;
}

// Errors httplib answers itself (400 bad request line, 413, 414, 404 of a static path...) get
// a JSON body too, unless a handler wrote one.
void json_error_body(const httplib::Request&, httplib::Response& res) {
  if (!res.body.empty()) return;
  const char* what = res.status == 413   ? "request body too large"
                     : res.status == 414 ? "request URI too long"
                     : res.status == 404 ? "not found"
                     : res.status == 400 ? "malformed request"
                                         : "request failed";
  res.set_content(nlohmann::json{{"error", what}}.dump(), "application/json");
}

std::string bearer(const httplib::Request& req) {
  const std::string h = req.get_header_value("Authorization");
  const std::string prefix = "Bearer ";
  return h.compare(0, prefix.size(), prefix) == 0 ? h.substr(prefix.size()) : "";
}

using ApiHandler = std::function<void(const httplib::Request&, httplib::Response&, const Reviewer&)>;

// Every API handler: authentication, then the store; errors become JSON with a status.
httplib::Server::Handler api(Store& store, bool admin_only, ApiHandler h) {
  return [&store, admin_only, h](const httplib::Request& req, httplib::Response& res) {
    try {
      const auto who = store.authenticate(bearer(req));
      if (!who) return send_error(res, 401, "a valid reviewer token is required (Authorization: Bearer ...)");
      if (admin_only && !who->admin) return send_error(res, 403, "this needs an admin token");
      h(req, res, *who);
    } catch (...) {
      const ApiReply reply = error_reply(std::current_exception());
      if (reply.status == 507) res.set_header("Retry-After", "30");
      send_json(res, reply.status, reply.body);
    }
  };
}

void send(httplib::Response& res, const ApiReply& reply) { send_json(res, reply.status, reply.body); }

// Health and identity.
void add_status_routes(httplib::Server& s, Store& store) {
  s.Get("/api/health", [](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, {{"status", "ok"}, {"service", "verdict"}});
  });
  s.Get("/api/me", api(store, false, [](const httplib::Request&, httplib::Response& res, const Reviewer& r) {
    send_json(res, 200, {{"id", r.id}, {"name", r.name}, {"admin", r.admin}});
  }));
}

// Flow definitions (admin).
void add_flow_routes(httplib::Server& s, Store& store, int max_depth) {
  s.Post("/api/flows", api(store, true, [&store, max_depth](const httplib::Request& req, httplib::Response& res, const Reviewer& r) {
    send(res, post_flow(store, r, req.body, max_depth));
  }));
  s.Get("/api/flows", api(store, true, [&store](const httplib::Request&, httplib::Response& res, const Reviewer&) {
    nlohmann::json out = nlohmann::json::array();
    for (const Flow& f : store.flows()) out.push_back(f.to_json());
    send_json(res, 200, {{"flows", out}});
  }));
}

// Human loops and the audit trail (admin).
void add_loop_routes(httplib::Server& s, Store& store, int max_depth) {
  s.Post("/api/loops", api(store, true, [&store, max_depth](const httplib::Request& req, httplib::Response& res, const Reviewer& r) {
    send(res, post_loop(store, r, req.body, max_depth));
  }));
  s.Get("/api/loops", api(store, true, [&store](const httplib::Request& req, httplib::Response& res, const Reviewer&) {
    LoopFilter f;
    f.flow = req.get_param_value("flow");
    f.status = req.get_param_value("status");
    f.next_token = req.get_param_value("next_token");
    try {
      if (req.has_param("limit")) f.limit = std::stoi(req.get_param_value("limit"));
      if (req.has_param("created_after_ms")) f.created_after_ms = std::stoll(req.get_param_value("created_after_ms"));
      if (req.has_param("created_before_ms")) f.created_before_ms = std::stoll(req.get_param_value("created_before_ms"));
    } catch (...) {
      throw ReviewError(400, "limit, created_after_ms and created_before_ms are whole numbers");
    }
    send_json(res, 200, store.list(f));
  }));
  s.Get(R"(/api/loops/([A-Za-z0-9_-]+))", api(store, true, [&store](const httplib::Request& req, httplib::Response& res, const Reviewer&) {
    send_json(res, 200, store.describe(req.matches[1]));
  }));
  s.Get(R"(/api/loops/([A-Za-z0-9_-]+)/output)", api(store, true, [&store](const httplib::Request& req, httplib::Response& res, const Reviewer&) {
    send_json(res, 200, store.output(req.matches[1]));
  }));
  s.Post(R"(/api/loops/([A-Za-z0-9_-]+)/stop)", api(store, true, [&store](const httplib::Request& req, httplib::Response& res, const Reviewer& r) {
    store.stop(req.matches[1], r.name);
    send_json(res, 200, store.describe(req.matches[1]));
  }));
  s.Delete(R"(/api/loops/([A-Za-z0-9_-]+))", api(store, true, [&store](const httplib::Request& req, httplib::Response& res, const Reviewer& r) {
    store.remove(req.matches[1], r.name);
    send_json(res, 200, {{"deleted", std::string(req.matches[1])}});
  }));
  s.Get("/api/audit", api(store, true, [&store](const httplib::Request& req, httplib::Response& res, const Reviewer&) {
    std::int64_t after = 0;
    if (req.has_param("after")) after = std::atoll(req.get_param_value("after").c_str());
    send_json(res, 200, {{"events", store.audit(after, 1000)}});
  }));
}

// A reviewer's tasks and answers.
void add_task_routes(httplib::Server& s, Store& store, int max_depth) {
  s.Post("/api/tasks/next", api(store, false, [&store](const httplib::Request&, httplib::Response& res, const Reviewer& r) {
    send(res, post_next(store, r));
  }));
  s.Get(R"(/api/tasks/([A-Za-z0-9_-]+))", api(store, false, [&store](const httplib::Request& req, httplib::Response& res, const Reviewer& r) {
    send_json(res, 200, {{"task", store.task(r, req.matches[1])}});
  }));
  s.Post(R"(/api/tasks/([A-Za-z0-9_-]+)/answer)", api(store, false, [&store, max_depth](const httplib::Request& req, httplib::Response& res, const Reviewer& r) {
    send(res, post_answer(store, r, req.matches[1], req.body, max_depth));
  }));
  // Similar records' ground truth: completed loops only (any signed-in reviewer).
  s.Post("/api/ground-truth", api(store, false, [&store, max_depth](const httplib::Request& req, httplib::Response& res, const Reviewer&) {
    send(res, post_ground_truth(store, req.body, max_depth));
  }));
  s.Put(R"(/api/tasks/([A-Za-z0-9_-]+)/draft)", api(store, false, [&store, max_depth](const httplib::Request& req, httplib::Response& res, const Reviewer& r) {
    send(res, put_draft(store, r, req.matches[1], req.body, max_depth));
  }));
}

}  // namespace

ReviewServer::ReviewServer(Store& store, ServerOptions options)
    : store_(store), options_(std::move(options)), http_(std::make_unique<GuardedServer>(options_.guard)) {
  if (options_.invocations) invocations_ = std::make_unique<Invocations>(*options_.invocations, &store_);
  routes();
}

ReviewServer::~ReviewServer() = default;

void ReviewServer::routes() {
  httplib::Server& s = *http_;
  s.set_payload_max_length(options_.max_body);
  s.set_tcp_nodelay(true);  // small JSON replies: Nagle + delayed ACK would add ~40 ms each
  // httplib closes a keep-alive connection after 5 requests by default: a reviewer's client
  // would reconnect every few calls. An idle connection frees its thread after the guard's
  // idle timeout (5 s).
  s.set_keep_alive_max_count(1000);
  // Debian's compiled httplib listens with a backlog of 5: a burst of reviewers connecting at
  // once overflows it (a dropped handshake costs a second, or a failed first request). Keep
  // the listening socket, and widen its backlog once it is bound (see bind()).
  s.set_socket_options([this](socket_t sock) {
    exclusive_socket_options(sock);
    if (share_port_) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes);
    }
    listen_socket_ = sock;
  });
  s.set_error_handler(json_error_body);
  if (!options_.dist.empty() && !std::filesystem::is_directory(options_.dist)) {
    throw Error("cannot serve '" + options_.dist + "': not a folder");
  }

  add_status_routes(s, store_);
  add_flow_routes(s, store_, options_.max_json_depth);
  add_loop_routes(s, store_, options_.max_json_depth);
  add_task_routes(s, store_, options_.max_json_depth);
  if (invocations_) add_invocation_routes(s, *invocations_);
  if (!options_.dist.empty()) add_static_routes(s, options_.dist);  // last: every other GET
}

int ReviewServer::bind() {
  if (options_.port == 0) {
    const int port = http_->bind_to_any_port(options_.host);
    if (port < 0) throw Error("cannot listen on " + options_.host);
    options_.port = port;
  } else if (!http_->bind_to_port(options_.host, options_.port)) {
    // The kernel also refuses SO_REUSEADDR alone while connections of an earlier server that
    // shared the port (httplib's SO_REUSEPORT) linger in TIME_WAIT. When nothing listens
    // there, bind again sharing the port; a second server finds this one listening and stops.
    share_port_ = !someone_listens(options_.host, options_.port);
    if (!share_port_ || !http_->bind_to_port(options_.host, options_.port)) {
      throw Error("cannot listen on " + options_.host + ":" + std::to_string(options_.port) + " (in use?)");
    }
  }
  if (listen_socket_ >= 0) ::listen(listen_socket_, SOMAXCONN);  // Linux: a new backlog
  return options_.port;
}

void ReviewServer::listen() { http_->listen_after_bind(); }

void ReviewServer::stop() { http_->stop(); }

}  // namespace verdict::review
