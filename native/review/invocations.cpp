#include "native/review/invocations.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "native/codegen/compiled_model.h"
#include "native/io/csv.h"
#include "native/io/sha256.h"
#include "native/review/sqlite.h"
#include "native/review/store.h"
#include "shared/error.h"
#include "shared/forest_classes.h"
#include "shared/json_limits.h"
#include "shared/predict.h"
#include "shared/review_rules.h"

namespace verdict::review {

namespace {

// A bad request: the reply's status and message.
struct BadRequest {
  int status;
  std::string message;
};

std::string media_type(std::string_view header) {
  std::string t(header.substr(0, header.find(';')));
  t.erase(std::remove_if(t.begin(), t.end(), [](unsigned char c) { return std::isspace(c); }), t.end());
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return t;
}

bool is_jsonlines(const std::string& t) {
  return t == "application/jsonlines" || t == "application/jsonl" || t == "application/x-jsonlines";
}

// The lines of a body; a last line break ends the last line, "\r\n" counts as one.
std::vector<std::string_view> lines_of(std::string_view body) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < body.size()) {
    std::size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

// A JSON value as the text a CSV cell would hold: strings as they are, numbers in their
// shortest form, null as missing.
std::string cell_of(const nlohmann::json& v, std::size_t record) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  if (v.is_null()) return "";
  throw BadRequest{400, "record " + std::to_string(record) + ": a feature value must be a number, a string or null"};
}

// The shortest text that reads back as the same double (what nlohmann's dump writes).
void append_number(std::string& out, double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

std::string number(double v) {
  std::string s;
  append_number(s, v);
  return s;
}

std::uint64_t next_id() {
  static std::atomic<std::uint64_t> made{0};
  return ++made;
}

// The label a binary model gives a probability (positive when p > threshold).
std::string label_for(const Schema& schema, double p, double threshold) {
  const bool positive = above_threshold(p, threshold);
  for (const std::string& l : schema.labels) {
    if ((l == schema.positive_label) == positive) return l;
  }
  return positive ? schema.positive_label : "";
}

}  // namespace

struct Invocations::Scored {
  std::size_t count = 0, classes = 1;
  std::vector<double> margin;        // count × classes
  std::vector<double> probability;   // multi-class: count × classes (softmax)
  std::vector<double> prediction;    // the score; multi-class: the top class's probability
  std::vector<int> top;              // multi-class: the predicted class
  std::vector<std::vector<double>> phi;  // per record when explained
  std::vector<float> rows;               // row-major encoded values
};

Invocations::Invocations(const InvocationOptions& o, Store* store)
    : options_(o), model_(load_model_files(o.model, "", ForestLoadOptions{true})), store_(store), id_(next_id()) {
  if (!model_.schema) throw Error("--model '" + o.model + "' has no schema.json beside its model.json (train it with verdict train)");
  if (model_.forest.num_class > 1) class_forests_ = forests_by_class(model_.forest);
  const std::size_t k = class_forests_.empty() ? 1 : class_forests_.size();
  for (std::size_t c = 0; c < k; ++c) {
    shap_.push_back(std::make_unique<FastTreeShap>(output_forest(c)));
    margins_.push_back(std::make_unique<MarginPredictor>(output_forest(c)));
  }
  schema_ = *model_.schema;
  if (static_cast<int>(schema_.features.size()) != model_.forest.num_features) {
    throw Error("the schema names " + std::to_string(schema_.features.size()) + " features, the model has " +
                std::to_string(model_.forest.num_features));
  }
  for (const Column& c : schema_.features) header_json_.push_back(nlohmann::json(c.name).dump());
  if (!o.compiled.empty()) {
    compiled_ = std::make_unique<CompiledModel>(o.compiled, model_.forest.num_features, sha256_file(model_.model_path),
                                                model_.forest.num_class);
  }
  if (!o.flow.empty()) {
    if (!store_) throw Error("--flow needs the review store");
    (void)store_->flow(o.flow);  // exists, or a clear error now rather than per request
  }
}

Invocations::~Invocations() = default;

std::vector<std::unique_ptr<FastTreeShap::Workspace>>& Invocations::workspaces() const {
  thread_local std::uint64_t owner = 0;
  thread_local std::vector<std::unique_ptr<FastTreeShap::Workspace>> spaces;
  if (owner != id_) {  // another object's (a test's earlier server): sized for its model
    spaces.clear();
    for (const auto& shap : shap_) spaces.push_back(std::make_unique<FastTreeShap::Workspace>(*shap));
    owner = id_;
  }
  return spaces;
}

std::vector<double> Invocations::explain_rows(const Scored& s, std::size_t k) const {
  std::vector<double> phi(s.count * schema_.features.size());
  shap_[k]->explain_rows(s.rows.data(), s.count, phi.data(), *workspaces()[k]);
  return phi;
}

std::vector<std::vector<float>> Invocations::parse(std::string_view content_type, std::string_view body,
                                                   std::vector<std::vector<std::string>>& cells) const {
  const std::string type = media_type(content_type);
  const bool csv = type == "text/csv" || type.empty();
  if (!csv && !is_jsonlines(type)) {
    throw BadRequest{415, "Content-Type '" + std::string(content_type) + "' is not text/csv or application/jsonlines"};
  }
  const auto lines = lines_of(body);
  if (lines.empty()) throw BadRequest{400, "the request holds no records"};
  if (lines.size() > options_.max_rows) {
    throw BadRequest{413, std::to_string(lines.size()) + " records in one request; at most " + std::to_string(options_.max_rows)};
  }
  const std::size_t n = schema_.features.size();
  std::vector<std::vector<float>> rows;
  cells.clear();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t record = i + 1;
    std::vector<std::string> values;
    if (csv) {
      if (!split_csv_line(std::string(lines[i]), values)) throw BadRequest{400, "record " + std::to_string(record) + ": a quoted cell is not closed"};
    } else {
      nlohmann::json j;
      try {
        j = parse_json_limited(lines[i], options_.max_json_depth);
      } catch (const Error& e) {
        throw BadRequest{400, "record " + std::to_string(record) + ": " + e.what()};
      }
      const nlohmann::json* features = j.is_array() ? &j : (j.is_object() && j.contains("features") ? &j["features"] : nullptr);
      if (!features || !features->is_array()) {
        throw BadRequest{400, "record " + std::to_string(record) + ": expected {\"features\": [...]} or a list of values"};
      }
      for (const nlohmann::json& v : *features) values.push_back(cell_of(v, record));
    }
    if (values.size() != n) {
      throw BadRequest{400, "record " + std::to_string(record) + ": " + std::to_string(values.size()) + " values; the model has " +
                                std::to_string(n) + " features (in this order: " + schema_.features.front().name + ", ...)"};
    }
    std::vector<float> row(n);
    for (std::size_t f = 0; f < n; ++f) {
      try {
        row[f] = encode_cell(schema_, f, values[f], nullptr);
      } catch (const Error& e) {
        throw BadRequest{400, "record " + std::to_string(record) + ", feature '" + schema_.features[f].name + "': " + e.what()};
      }
    }
    rows.push_back(std::move(row));
    cells.push_back(std::move(values));
  }
  return rows;
}

std::vector<std::string> Invocations::start_loops(const Scored& s, const std::vector<std::vector<std::string>>& cells) {
  const std::size_t count = s.prediction.size();
  std::vector<std::string> loops(count);
  if (options_.flow.empty()) return loops;
  const Flow flow = store_->flow(options_.flow);
  const bool binary = schema_.task == Task::Binary, multiclass = s.classes > 1;
  const std::size_t n = schema_.features.size(), k_count = s.classes;
  std::vector<std::size_t> picked;
  nlohmann::json records = nlohmann::json::array();
  std::vector<std::string> names;
  for (const Column& c : schema_.features) names.push_back(c.name);
  auto& spaces = workspaces();
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t row = sequence_.fetch_add(1);
    Decision d;
    std::vector<double> probabilities;
    if (multiclass) {
      probabilities.assign(s.probability.begin() + static_cast<long>(i * k_count), s.probability.begin() + static_cast<long>((i + 1) * k_count));
      d = multiclass_decision(probabilities, schema_.labels);
    } else {
      d.prediction = s.prediction[i];
      d.predicted_positive = binary && above_threshold(s.prediction[i], options_.threshold);
    }
    if (!activates(flow.conditions, row, d)) continue;
    nlohmann::json phi_by_class = nlohmann::json::array();
    for (std::size_t k = 0; k < k_count; ++k) {
      std::vector<double> phi(n);
      shap_[k]->explain(&s.rows[i * n], phi.data(), *spaces[k]);
      phi_by_class.push_back(phi);
    }
    nlohmann::json encoded = nlohmann::json::array();
    for (std::size_t f = 0; f < n; ++f) {
      const float v = s.rows[i * n + f];
      encoded.push_back(std::isnan(v) ? nlohmann::json() : nlohmann::json(v));
    }
    nlohmann::json rec = {{"row", row}, {"values", cells[i]}, {"encoded", encoded}, {"prediction", s.prediction[i]},
                          {"shap", {{"tree", multiclass ? phi_by_class : phi_by_class[0]}}}};
    if (multiclass) {
      rec["margins"] = std::vector<double>(s.margin.begin() + static_cast<long>(i * k_count), s.margin.begin() + static_cast<long>((i + 1) * k_count));
      rec["probabilities"] = probabilities;
      rec["predicted_class"] = s.top[i];
      rec["predicted_label"] = d.predicted_label;
    } else {
      rec["margin"] = s.margin[i];
      if (binary) rec["predicted_label"] = label_for(schema_, s.prediction[i], options_.threshold);
    }
    records.push_back(std::move(rec));
    picked.push_back(i);
  }
  if (picked.empty()) return loops;
  nlohmann::json expected = nlohmann::json::array();
  for (const auto& shap : shap_) expected.push_back(shap->expected_value());
  nlohmann::json batch = {{"format", "verdict-review-batch"}, {"version", 1}, {"source", "invocations"},
                          {"task", binary ? "binary" : multiclass ? "multiclass" : "regression"},
                          {"link", link_name(model_.forest.link)}, {"features", names},
                          {"methods", {{"tree", {{"expected_value", multiclass ? expected : expected[0]}, {"units", "margin"}}}}},
                          {"records", records}};
  if (multiclass) batch["classes"] = schema_.labels; else batch["threshold"] = options_.threshold;
  // Every picked record is activated and new (allow_repeat: each invocation is its own record),
  // so loop k holds records k*per .. (k+1)*per-1 in order.
  const BatchStart started = store_->start_from_batch(options_.flow, batch, schema_.positive_label, "invocations", true);
  const std::size_t per = static_cast<std::size_t>(std::max(1, flow.records_per_task));
  for (std::size_t k = 0; k < picked.size() && k / per < started.loops.size(); ++k) loops[picked[k]] = started.loops[k / per];
  return loops;
}

InvocationReply Invocations::invoke(std::string_view content_type, std::string_view accept, bool explain, std::string_view body) {
  InvocationReply reply;
  try {
    std::vector<std::vector<std::string>> cells;
    const auto parsed = parse(content_type, body, cells);
    const std::size_t n = schema_.features.size(), count = parsed.size();
    Scored s;
    s.count = count;
    s.classes = outputs();
    const std::size_t k_count = s.classes;
    s.rows.reserve(count * n);
    for (const auto& r : parsed) s.rows.insert(s.rows.end(), r.begin(), r.end());
    s.margin.resize(count * k_count);
    if (compiled_) {
      compiled_->predict_margin(s.rows.data(), count, s.margin.data());
    } else if (k_count == 1) {
      margins_[0]->predict(s.rows.data(), count, n, s.margin.data());
    } else {  // class by class, then row-major like the compiled model's
      std::vector<double> one(count);
      for (std::size_t k = 0; k < k_count; ++k) {
        margins_[k]->predict(s.rows.data(), count, n, one.data());
        for (std::size_t i = 0; i < count; ++i) s.margin[i * k_count + k] = one[i];
      }
    }
    s.prediction.resize(count);
    if (k_count == 1) {
      for (std::size_t i = 0; i < count; ++i) s.prediction[i] = apply_link(model_.forest.link, s.margin[i]);
    } else {
      s.probability.resize(count * k_count);
      s.top.resize(count);
      for (std::size_t i = 0; i < count; ++i) {
        softmax(&s.margin[i * k_count], static_cast<int>(k_count), &s.probability[i * k_count]);
        s.top[i] = predicted_class(&s.margin[i * k_count], static_cast<int>(k_count));
        s.prediction[i] = s.probability[i * k_count + static_cast<std::size_t>(s.top[i])];
      }
    }
    const std::vector<std::string> loops = start_loops(s, cells);

    std::string out_type = media_type(accept);
    if (out_type.empty() || out_type == "*/*") out_type = is_jsonlines(media_type(content_type)) ? "application/jsonlines" : "text/csv";
    if (out_type != "text/csv" && !is_jsonlines(out_type)) {
      return {406, "application/json", nlohmann::json{{"error", "Accept '" + std::string(accept) + "': text/csv or application/jsonlines"}}.dump(), ""};
    }
    const bool binary = schema_.task == Task::Binary;
    std::string predictions;
    for (std::size_t i = 0; i < count; ++i) {
      if (out_type == "text/csv" && k_count > 1) {  // K probabilities, class order
        for (std::size_t k = 0; k < k_count; ++k) predictions += (k ? "," : "") + number(s.probability[i * k_count + k]);
        predictions += "\n";
      } else if (out_type == "text/csv") {
        predictions += number(s.prediction[i]) + "\n";
      } else {
        nlohmann::json line = {{"score", s.prediction[i]}};
        if (binary) line["predicted_label"] = label_for(schema_, s.prediction[i], options_.threshold);
        if (k_count > 1) {
          line["predicted_label"] = schema_.labels[static_cast<std::size_t>(s.top[i])];
          line["probabilities"] = std::vector<double>(s.probability.begin() + static_cast<long>(i * k_count),
                                                      s.probability.begin() + static_cast<long>((i + 1) * k_count));
        }
        if (!loops[i].empty()) line["human_loop"] = loops[i];
        predictions += line.dump() + "\n";
      }
    }
    for (std::size_t i = 0; i < count; ++i) reply.human_loops += (i ? "," : "") + loops[i];
    if (!explain) {
      reply.content_type = out_type;
      reply.body = std::move(predictions);
      return reply;
    }
    // Clarify's online explainability reply: per record, per feature, its attribution (one
    // value per model output: K for K classes, in class order). Written as text (a 100-record
    // reply holds 1,400 attributions: a JSON tree for them costs more than the SHAP values).
    std::vector<std::vector<double>> phi;
    for (std::size_t k = 0; k < k_count; ++k) phi.push_back(explain_rows(s, k));
    std::string& out = reply.body;
    out.reserve(count * n * 64 + predictions.size() + 256);
    out += R"({"version":"1.0","predictions":{"content_type":)";
    out += nlohmann::json(out_type).dump() + R"(,"data":)" + nlohmann::json(predictions).dump();
    out += R"(},"explanations":{"kernel_shap":[)";
    for (std::size_t i = 0; i < count; ++i) {
      out += i ? ",[" : "[";
      for (std::size_t f = 0; f < n; ++f) {
        out += f ? R"(,{"attributions":[{"attribution":[)" : R"({"attributions":[{"attribution":[)";
        for (std::size_t k = 0; k < k_count; ++k) {
          if (k) out += ',';
          append_number(out, phi[k][i * n + f]);
        }
        out += R"(]}],"feature_header":)";
        out += header_json_[f];
        out += '}';
      }
      out += ']';
    }
    out += R"(]},"expected_value":)";
    if (k_count > 1) out += '[';
    for (std::size_t k = 0; k < k_count; ++k) {
      if (k) out += ',';
      append_number(out, shap_[k]->expected_value());
    }
    if (k_count > 1) out += R"(],"label_headers":)" + nlohmann::json(schema_.labels).dump();
    out += R"x(,"method":"exact path-dependent TreeSHAP in margin units (Clarify's field names)")x";
    if (!options_.flow.empty()) out += R"(,"human_loops":)" + nlohmann::json(loops).dump();
    out += '}';
    reply.content_type = "application/json";
    return reply;
  } catch (const BadRequest& e) {
    return {e.status, "application/json", nlohmann::json{{"error", e.message}}.dump(), ""};
  } catch (const ReviewError& e) {  // starting a loop: the store's own status (e.g. a deleted flow)
    return {e.status, "application/json", nlohmann::json{{"error", e.what()}}.dump(), ""};
  } catch (const sql::StorageFull& e) {
    return {507, "application/json", nlohmann::json{{"error", std::string("storage full: ") + e.what()}}.dump(), ""};
  }
}

void add_invocation_routes(httplib::Server& server, Invocations& inv) {
  server.Get("/ping", [](const httplib::Request&, httplib::Response& res) { res.set_content("{}", "application/json"); });
  server.Post("/invocations", [&inv](const httplib::Request& req, httplib::Response& res) {
    const std::string header = req.get_header_value("X-Amzn-SageMaker-Enable-Explanations");
    const bool explain = req.get_param_value("explain") == "shap" || header == "`true`" || header == "true";
    InvocationReply r = inv.invoke(req.get_header_value("Content-Type"), req.get_header_value("Accept"), explain, req.body);
    res.status = r.status;
    if (!r.human_loops.empty() && r.human_loops.find_first_not_of(',') != std::string::npos) {
      res.set_header("X-Verdict-Human-Loops", r.human_loops);
    }
    res.set_content(std::move(r.body), r.content_type);
  });
}

}  // namespace verdict::review
