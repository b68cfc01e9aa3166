// The `serve` job: the review service (REST API + the review page) over one SQLite file or a
// PostgreSQL database (which several servers may share), until SIGINT or SIGTERM.
#pragma once
#include <ostream>
#include <string>

#include "native/review/server.h"

namespace verdict {

struct ServePlan {
  std::string db = "review.db";  // SQLite database (created if absent) or a postgresql:// URL
  review::ServerOptions server;  // address, port, page folder, limits, threads
};

// Serves until stopped; says where on `log` once the port is bound.
void serve_reviews(const ServePlan& plan, std::ostream& log);

}  // namespace verdict
