#include "native/review/api.h"

#include <set>

#include "native/review/sqlite.h"
#include "shared/json_limits.h"

namespace verdict::review {

namespace {

nlohmann::json parse_body(std::string_view body, int max_depth) {
  try {
    return parse_json_limited(body, max_depth);
  } catch (const Error& e) {
    throw ReviewError(400, e.what());
  }
}

}  // namespace

ApiReply post_flow(Store& store, const Reviewer& who, std::string_view body, int max_depth) {
  const Flow f = Flow::from_json(parse_body(body, max_depth));
  store.create_flow(f, who.name);
  return {201, store.flow(f.name).to_json()};
}

ApiReply post_loop(Store& store, const Reviewer& who, std::string_view text, int max_depth) {
  const nlohmann::json body = parse_body(text, max_depth);
  if (!body.is_object() || !body.contains("flow") || !body["flow"].is_string() || !body.contains("input_content")) {
    throw ReviewError(400, "start a loop with {\"flow\": NAME, \"input_content\": {...}, \"name\": optional}");
  }
  const std::string name = store.start_loop(body["flow"], body["input_content"], body.value("name", ""), who.name);
  return {201, store.describe(name)};
}

ApiReply post_next(Store& store, const Reviewer& who) {
  std::int64_t waiting = 0;
  const auto task = store.next_task(who, &waiting);
  nlohmann::json reply = {{"task", task ? *task : nlohmann::json(nullptr)}, {"queue", {{"waiting", waiting}}}};
  if (!task) reply["message"] = "no task is waiting for you";
  return {200, reply};
}

ApiReply put_draft(Store& store, const Reviewer& who, const std::string& loop, std::string_view text, int max_depth) {
  store.save_draft(who, loop, parse_body(text, max_depth));
  return {200, {{"saved", true}, {"loop", loop}}};
}

ApiReply post_answer(Store& store, const Reviewer& who, const std::string& loop, std::string_view text, int max_depth) {
  const nlohmann::json body = parse_body(text, max_depth);
  if (!body.is_object() || !body.contains("answer_id") || !body["answer_id"].is_string() || !body.contains("answer_content")) {
    throw ReviewError(400, "answer with {\"answer_id\": \"...\", \"answer_content\": {...}}");
  }
  std::optional<double> spent;
  if (body.contains("time_spent_seconds")) {
    const nlohmann::json& v = body["time_spent_seconds"];
    if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1e8) {
      throw ReviewError(400, "time_spent_seconds must be a number of seconds from 0 to 1e8");
    }
    spent = v.get<double>();
  }
  // "next": true asks for the next task in the same call (and the same transaction).
  const bool then_next = body.contains("next") && body["next"].is_boolean() && body["next"].get<bool>();
  const SubmitResult result = store.submit(who, loop, body["answer_id"], body["answer_content"], spent, then_next);
  nlohmann::json reply = {{"stored", true}, {"duplicate", result.duplicate}, {"loop_status", result.loop_status},
                          {"queue", {{"waiting", result.waiting}}}};
  if (then_next) reply["next_task"] = result.next_task ? *result.next_task : nlohmann::json(nullptr);
  return {result.duplicate ? 200 : 201, reply};
}

ApiReply post_ground_truth(Store& store, std::string_view text, int max_depth) {
  const nlohmann::json body = parse_body(text, max_depth);
  const char* usage = "ask with {\"source\": the batch's source, \"rows\": [up to 100 row numbers]}";
  if (!body.is_object() || !body.contains("source") || !body["source"].is_string() || !body.contains("rows") ||
      !body["rows"].is_array()) {
    throw ReviewError(400, usage);
  }
  const std::string source = body["source"];
  if (source.size() > 1024) throw ReviewError(400, "source is longer than 1024 characters");
  if (body["rows"].empty() || body["rows"].size() > kMaxGroundTruthRows) throw ReviewError(400, usage);
  std::set<std::int64_t> rows;
  for (const nlohmann::json& r : body["rows"]) {
    if (!r.is_number_integer() || r.get<std::int64_t>() < 0) throw ReviewError(400, "rows must be whole numbers from 0");
    rows.insert(r.get<std::int64_t>());
  }
  return {200, store.ground_truth(source, rows)};
}

ApiReply error_reply(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const ReviewError& e) {
    nlohmann::json body = e.detail.is_object() ? e.detail : nlohmann::json::object();
    body["error"] = e.what();
    return {e.status, body};
  } catch (const nlohmann::json::exception& e) {
    return {400, {{"error", std::string("a field has the wrong type or is missing: ") + e.what()}}};
  } catch (const sql::StorageFull&) {
    return {507, {{"error", "the service cannot store anything now (its disk is full); nothing of this request was "
                            "stored, try again later"}}};
  } catch (const std::exception& e) {
    return {500, {{"error", e.what()}}};
  } catch (...) {
    return {500, {{"error", "unknown error"}}};
  }
}

}  // namespace verdict::review
