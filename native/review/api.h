// The review API's request bodies apart from HTTP: each is parsed within the bounds, checked,
// and handed to the store; the result is the reply's status and JSON. The HTTP server maps its
// routes onto these, and the fuzz target calls them directly (the same path, without sockets).
#pragma once
#include <exception>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "native/review/store.h"

namespace verdict::review {

struct ApiReply {
  int status = 200;
  nlohmann::json body;
};

// POST /api/flows (admin): a flow definition.
ApiReply post_flow(Store& store, const Reviewer& who, std::string_view body, int max_depth);
// POST /api/loops (admin): {"flow", "input_content", "name"?}.
ApiReply post_loop(Store& store, const Reviewer& who, std::string_view body, int max_depth);
// POST /api/tasks/next: {"task": the leased task (with "draft") or null, "queue": {"waiting": N}}
// (N: tasks the reviewer could still lease besides this one).
ApiReply post_next(Store& store, const Reviewer& who);
// POST /api/tasks/{loop}/answer: {"answer_id", "answer_content", "time_spent_seconds"?, "next"?};
// the reply carries "queue": {"waiting": N} (and "next_task" with "next": true).
ApiReply post_answer(Store& store, const Reviewer& who, const std::string& loop, std::string_view body, int max_depth);
// PUT /api/tasks/{loop}/draft: the reviewer's pending answers of a task they hold (a JSON object).
ApiReply put_draft(Store& store, const Reviewer& who, const std::string& loop, std::string_view body, int max_depth);

// POST /api/ground-truth: {"source", "rows": [1 to kMaxGroundTruthRows row numbers]}; the
// reviewers' labels of those rows in completed loops only (Store::ground_truth).
inline constexpr std::size_t kMaxGroundTruthRows = 100;
ApiReply post_ground_truth(Store& store, std::string_view body, int max_depth);

// The reply for what a handler threw: a ReviewError's status (with its detail members), 400 for
// a field of the wrong type, 507 for a full disk, 500 for anything else.
ApiReply error_reply(const std::exception_ptr& error);

}  // namespace verdict::review
