// Real-time scoring (POST /invocations): SageMaker's formats in and out, exact SHAP in Clarify's
// online shape (equal to the core's and additive), errors as 4xx JSON naming the record, and
// human loops started for activated records with the right records in them.
#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <set>

#include "native/review/invocations.h"
#include "random_forest.h"
#include "server_fixture.h"
#include "shared/forest_classes.h"
#include "shared/predict.h"
#include "shared/shap_fast.h"
#include "store_fixture.h"

using namespace verdict;
using namespace verdict::review;

namespace {

// A model folder: a random binary forest over 4 features, feature 0 categorical (a, b, c).
struct ModelDir {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("verdict-live-" + std::to_string(::getpid()));
  Forest forest;
  ModelDir() {
    std::filesystem::create_directories(dir);
    std::mt19937 rng(11);
    const nlohmann::json model = verdict::testing::random_xgboost_model({8, 4, 4, "binary:logistic"}, rng);
    std::ofstream(dir / "model.json") << model.dump();
    forest = load_xgboost_json(model);
    nlohmann::json schema = {{"format", "verdict-schema"}, {"version", 1}, {"task", "binary"},
                             {"target", {{"name", "y"}, {"labels", {"no", "yes"}}, {"positive_label", "yes"}}}};
    schema["features"].push_back({{"name", "colour"}, {"type", "categorical"}, {"categories", {"a", "b", "c"}},
                                  {"min", 0}, {"max", 2}, {"mean", 1}});
    for (const char* name : {"x1", "x2", "x3"}) schema["features"].push_back({{"name", name}, {"type", "numeric"}, {"min", 0}, {"max", 1}, {"mean", 0.5}});
    std::ofstream(dir / "schema.json") << schema.dump();
  }
  ~ModelDir() { std::filesystem::remove_all(dir); }
};

const std::string kCsv = "b,0.25,0.5,0.75\na,,0.1,0.9\nc,0.9,0.2,0.3\n";
const std::vector<std::vector<float>> kRows = {{1, 0.25f, 0.5f, 0.75f}, {0, NAN, 0.1f, 0.9f}, {2, 0.9f, 0.2f, 0.3f}};

std::vector<double> lines_as_numbers(const std::string& text) {
  std::vector<double> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(std::stod(line));
  return out;
}

nlohmann::json error_of(const InvocationReply& r) {
  CHECK(r.content_type == "application/json");
  return nlohmann::json::parse(r.body);
}

}  // namespace

TEST_CASE("invocations: CSV rows in, the model's probabilities out", "[invocations]") {
  ModelDir m;
  Invocations inv({m.dir.string()}, nullptr);
  const InvocationReply r = inv.invoke("text/csv", "text/csv", false, kCsv);
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "text/csv");
  const auto p = lines_as_numbers(r.body);
  REQUIRE(p.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(p[i] == apply_link(m.forest.link, predict_margin(m.forest, kRows[i].data())));
  // No Accept: the input's own format.
  CHECK(inv.invoke("text/csv; charset=utf-8", "", false, kCsv).body == r.body);
}

TEST_CASE("invocations: JSON lines in and out, a label by the p > threshold rule", "[invocations]") {
  ModelDir m;
  InvocationOptions o{m.dir.string()};
  Invocations inv(o, nullptr);
  const std::string body = R"({"features": ["b", 0.25, 0.5, 0.75]})" "\n" R"(["a", null, 0.1, 0.9])" "\n";
  const InvocationReply r = inv.invoke("application/jsonlines", "", false, body);
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "application/jsonlines");
  std::istringstream in(r.body);
  for (std::size_t i = 0; i < 2; ++i) {
    std::string line;
    REQUIRE(std::getline(in, line));
    const auto j = nlohmann::json::parse(line);
    const double p = apply_link(m.forest.link, predict_margin(m.forest, kRows[i].data()));
    CHECK(j["score"].get<double>() == p);
    CHECK(j["predicted_label"] == (p > 0.5 ? "yes" : "no"));
    CHECK_FALSE(j.contains("human_loop"));
  }
}

TEST_CASE("invocations: ?explain=shap gives exact SHAP in Clarify's online shape", "[invocations]") {
  ModelDir m;
  Invocations inv({m.dir.string()}, nullptr);
  const InvocationReply r = inv.invoke("text/csv", "text/csv", true, kCsv);
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "application/json");
  const auto doc = nlohmann::json::parse(r.body);
  CHECK(doc["version"] == "1.0");
  CHECK(doc["predictions"]["content_type"] == "text/csv");
  CHECK(doc["predictions"]["data"] == inv.invoke("text/csv", "text/csv", false, kCsv).body);
  FastTreeShap shap(m.forest);
  CHECK(doc["expected_value"].get<double>() == shap.expected_value());
  const auto& records = doc["explanations"]["kernel_shap"];
  REQUIRE(records.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    std::vector<double> phi(4);
    shap.explain(kRows[i].data(), phi.data());
    REQUIRE(records[i].size() == 4);
    double sum = shap.expected_value();
    for (std::size_t f = 0; f < 4; ++f) {
      CHECK(records[i][f]["feature_header"] == std::vector<std::string>{"colour", "x1", "x2", "x3"}[f]);
      const double v = records[i][f]["attributions"][0]["attribution"][0].get<double>();
      CHECK(v == phi[f]);
      sum += v;
    }
    CHECK(sum == Approx(predict_margin(m.forest, kRows[i].data())).margin(1e-9));  // additivity
  }
}

TEST_CASE("invocations: bad input is a 4xx naming the record and the field", "[invocations]") {
  ModelDir m;
  InvocationOptions o{m.dir.string()};
  o.max_rows = 2;
  o.max_json_depth = 8;
  Invocations inv(o, nullptr);
  auto fails = [&](std::string_view type, std::string_view accept, std::string_view body, int status, const std::string& text) {
    const InvocationReply r = inv.invoke(type, accept, false, body);
    INFO(body);
    CHECK(r.status == status);
    CHECK_THAT(error_of(r)["error"].get<std::string>(), Catch::Contains(text));
  };
  fails("text/csv", "", "b,0.1,0.2\n", 400, "record 1: 3 values; the model has 4 features");
  fails("text/csv", "", "b,0.1,0.2,0.3\nb,forty,0.2,0.3\n", 400, "record 2, feature 'x1'");
  fails("text/csv", "", "b,1e39,0.2,0.3\n", 400, "feature 'x1'");
  fails("text/csv", "", "\"b,0.1,0.2,0.3\n", 400, "record 1: a quoted cell is not closed");
  fails("text/csv", "", "", 400, "no records");
  fails("text/csv", "", "a,0,0,0\na,0,0,0\na,0,0,0\n", 413, "3 records in one request; at most 2");
  fails("application/xml", "", "<x/>", 415, "is not text/csv or application/jsonlines");
  fails("text/csv", "application/xml", "a,0,0,0\n", 406, "Accept 'application/xml'");
  fails("application/jsonlines", "", "{not json}\n", 400, "record 1:");
  fails("application/jsonlines", "", "{\"rows\": []}\n", 400, "expected {\"features\": [...]}");
  fails("application/jsonlines", "", "[[[[[[[[[[[[1]]]]]]]]]]]]\n", 400, "deeper than");
  fails("application/jsonlines", "", "[\"a\", {\"x\": 1}, 0, 0]\n", 400, "a number, a string or null");
}

TEST_CASE("invocations with a flow: activated records start human loops holding them", "[invocations]") {
  ModelDir m;
  verdict::review::testing::StoreFixture s;
  Flow every = Flow::from_json({{"name", "live"}, {"activation_conditions", {{"probability_below", 1.01}}},
                                {"records_per_task", 2}, {"output_dir", (s.dir / "out").string()}});
  s.store->create_flow(every, "test");
  Flow none = Flow::from_json({{"name", "quiet"}, {"activation_conditions", {{"probability_below", 0.0}}},
                               {"output_dir", (s.dir / "out").string()}});
  s.store->create_flow(none, "test");
  InvocationOptions o{m.dir.string()};
  o.flow = "live";
  Invocations inv(o, s.store.get());
  const InvocationReply r = inv.invoke("text/csv", "application/jsonlines", false, kCsv);
  REQUIRE(r.status == 200);
  std::vector<std::string> loops;
  std::istringstream in(r.body);
  for (std::string line; std::getline(in, line);) loops.push_back(nlohmann::json::parse(line).value("human_loop", ""));
  REQUIRE(loops.size() == 3);
  CHECK(!loops[0].empty());
  CHECK(loops[0] == loops[1]);  // two records a task, in order
  CHECK(!loops[2].empty());
  CHECK(loops[2] != loops[0]);
  CHECK(r.human_loops == loops[0] + "," + loops[1] + "," + loops[2]);
  CHECK(s.store->describe(loops[0])["HumanLoopStatus"] == "InProgress");
  // A reviewer's first task is the first loop: its records as the page gets them.
  const auto task = s.store->next_task(*s.store->authenticate(s.store->add_reviewer("rita", false)));
  REQUIRE(task);
  CHECK((*task)["loop"] == loops[0]);
  const auto& first = *task;
  const auto& records = first["input_content"]["records"];
  REQUIRE(records.size() == 2);
  FastTreeShap shap(m.forest);
  std::vector<double> phi(4);
  shap.explain(kRows[1].data(), phi.data());
  CHECK(records[1]["shap"]["tree"].get<std::vector<double>>() == phi);  // what the page draws first
  CHECK(records[1]["values"] == nlohmann::json{{"colour", "a"}, {"x1", ""}, {"x2", "0.1"}, {"x3", "0.9"}});
  CHECK(first["input_content"]["methods"]["tree"]["expected_value"].get<double>() == shap.expected_value());

  InvocationOptions q{m.dir.string()};
  q.flow = "quiet";
  Invocations quiet(q, s.store.get());
  const InvocationReply none_started = quiet.invoke("text/csv", "application/jsonlines", false, kCsv);
  CHECK(none_started.body.find("human_loop") == std::string::npos);

  InvocationOptions missing{m.dir.string()};
  missing.flow = "no-such-flow";
  CHECK_THROWS_WITH(Invocations(missing, s.store.get()), Catch::Contains("no-such-flow"));
}

TEST_CASE("verdict serve --model answers /ping and /invocations over HTTP", "[invocations][server]") {
  ModelDir m;
  ServerOptions o;
  o.invocations = InvocationOptions{m.dir.string()};
  verdict::review::testing::Running s(o);
  auto c = s.client();
  CHECK(verdict::review::testing::ok(c.Get("/ping")).status == 200);
  const httplib::Response plain = verdict::review::testing::ok(c.Post("/invocations", kCsv, "text/csv"));
  CHECK(plain.status == 200);
  CHECK(lines_as_numbers(plain.body).size() == 3);
  const httplib::Response explained =
      verdict::review::testing::ok(c.Post("/invocations", {{"X-Amzn-SageMaker-Enable-Explanations", "`true`"}}, kCsv, "text/csv"));
  CHECK(nlohmann::json::parse(explained.body)["explanations"]["kernel_shap"].size() == 3);
  const httplib::Response bad = verdict::review::testing::ok(c.Post("/invocations", "x\n", "text/csv"));
  CHECK(bad.status == 400);
  CHECK(nlohmann::json::parse(bad.body).contains("error"));
}

TEST_CASE("loops started in the same second get distinct names (real-time starts thousands)", "[invocations]") {
  verdict::review::testing::StoreFixture s;  // its clock stands still
  s.store->create_flow(Flow::from_json({{"name", "live"}, {"activation_conditions", {{"probability_below", 1.01}}},
                                        {"records_per_task", 1}, {"output_dir", (s.dir / "out").string()}}), "test");
  std::set<std::string> names;
  for (int i = 0; i < 1500; ++i) {
    const nlohmann::json batch = {{"format", "verdict-review-batch"}, {"features", {"x"}},
                                  {"records", {{{"row", i}, {"values", {"1"}}, {"encoded", {1.0}}, {"prediction", 0.5},
                                                {"margin", 0.0}, {"shap", {{"tree", {0.0}}}}}}}};
    const BatchStart started = s.store->start_from_batch("live", batch, "1", "test", true);  // 409 on a name taken twice
    REQUIRE(started.loops.size() == 1);
    names.insert(started.loops[0]);
  }
  CHECK(names.size() == 1500);
}

namespace {

// A model folder: a random 3-class forest over the same 4 features.
struct MulticlassDir {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("verdict-live-mc-" + std::to_string(::getpid()));
  Forest forest;
  MulticlassDir() {
    std::filesystem::create_directories(dir);
    std::mt19937 rng(12);
    const nlohmann::json model = verdict::testing::random_xgboost_model({12, 4, 4, "multi:softprob", 3}, rng);
    std::ofstream(dir / "model.json") << model.dump();
    forest = load_xgboost_json(model, ForestLoadOptions{true});
    nlohmann::json schema = {{"format", "verdict-schema"}, {"version", 1}, {"task", "multiclass"},
                             {"target", {{"name", "y"}, {"labels", {"approve", "decline", "refer"}}}}};
    schema["features"].push_back({{"name", "colour"}, {"type", "categorical"}, {"categories", {"a", "b", "c"}},
                                  {"min", 0}, {"max", 2}, {"mean", 1}});
    for (const char* name : {"x1", "x2", "x3"}) schema["features"].push_back({{"name", name}, {"type", "numeric"}, {"min", 0}, {"max", 1}, {"mean", 0.5}});
    std::ofstream(dir / "schema.json") << schema.dump();
  }
  ~MulticlassDir() { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST_CASE("invocations for K classes: K probabilities, the predicted class, SHAP per class, loops", "[invocations][multiclass]") {
  MulticlassDir m;
  const std::vector<std::string> classes = {"approve", "decline", "refer"};
  verdict::review::testing::StoreFixture s;
  s.store->create_flow(Flow::from_json({{"name", "close"}, {"activation_conditions", {{"top_two_margin_below", 1.0}}},
                                        {"records_per_task", 3}, {"output_dir", (s.dir / "out").string()}}), "test");
  InvocationOptions o{m.dir.string()};
  o.flow = "close";
  Invocations inv(o, s.store.get());
  // CSV out: 3 probabilities a line, softmax of the class margins.
  const InvocationReply csv = inv.invoke("text/csv", "text/csv", false, kCsv);
  REQUIRE(csv.status == 200);
  std::istringstream lines(csv.body);
  std::vector<std::vector<double>> expected_p;
  for (const auto& row : kRows) {
    std::vector<double> margins(3), p(3);
    predict_class_margins(m.forest, row.data(), margins.data());
    softmax(margins.data(), 3, p.data());
    expected_p.push_back(p);
    std::string line;
    std::getline(lines, line);
    std::vector<double> got;
    std::istringstream cells(line);
    for (std::string c; std::getline(cells, c, ',');) got.push_back(std::stod(c));
    REQUIRE(got.size() == 3);
    for (int k = 0; k < 3; ++k) CHECK(got[static_cast<std::size_t>(k)] == Approx(p[static_cast<std::size_t>(k)]).margin(1e-9));
  }
  // JSON lines: the predicted class by label and every probability, bit for bit.
  const InvocationReply jl = inv.invoke("text/csv", "application/jsonlines", false, kCsv);
  REQUIRE(jl.status == 200);
  std::istringstream jlines(jl.body);
  for (std::size_t i = 0; i < kRows.size(); ++i) {
    std::string line;
    std::getline(jlines, line);
    const auto j = nlohmann::json::parse(line);
    CHECK(j["probabilities"].get<std::vector<double>>() == expected_p[i]);
    std::vector<double> margins(3);
    predict_class_margins(m.forest, kRows[i].data(), margins.data());
    CHECK(j["predicted_label"] == classes[static_cast<std::size_t>(predicted_class(margins.data(), 3))]);
    CHECK(!j.value("human_loop", "").empty());  // every record: the top two within 1.0
  }
  // Explanations: one attribution per class, class k's exact SHAP; additive per class.
  const auto doc = nlohmann::json::parse(inv.invoke("text/csv", "text/csv", true, kCsv).body);
  CHECK(doc["label_headers"] == classes);
  for (int k = 0; k < 3; ++k) {
    const Forest view = forest_of_class(m.forest, k);
    FastTreeShap shap(view);
    CHECK(doc["expected_value"][static_cast<std::size_t>(k)].get<double>() == shap.expected_value());
    for (std::size_t i = 0; i < kRows.size(); ++i) {
      std::vector<double> phi(4), margins(3);
      shap.explain(kRows[i].data(), phi.data());
      predict_class_margins(m.forest, kRows[i].data(), margins.data());
      double sum = shap.expected_value();
      for (std::size_t f = 0; f < 4; ++f) {
        const auto& a = doc["explanations"]["kernel_shap"][i][f]["attributions"][0]["attribution"];
        REQUIRE(a.size() == 3);
        CHECK(a[static_cast<std::size_t>(k)].get<double>() == phi[f]);
        sum += phi[f];
      }
      CHECK(sum == Approx(margins[static_cast<std::size_t>(k)]).margin(1e-9));
    }
  }
  // The loop's records carry every class's probability and SHAP values (what the page draws).
  const auto task = s.store->next_task(*s.store->authenticate(s.store->add_reviewer("rita", false)));
  REQUIRE(task);
  const auto& rec = (*task)["input_content"]["records"][0];
  CHECK(rec["probabilities"].get<std::vector<double>>() == expected_p[0]);
  CHECK(rec["shap"]["tree"].size() == 3);
  CHECK((*task)["input_content"]["classes"] == classes);
}
