// The data-set helpers that need no download: the seeded split, and the synthetic loan
// generator (determinism, and that Clarify's DPL and DPPL find the bias it puts in).
#include <catch2/catch.hpp>

#include "native/io/dataset.h"
#include "native/datasets/adult.h"
#include "native/datasets/loan.h"
#include "native/datasets/split.h"
#include "native/train/xgb.h"
#include "shared/bias.h"
#include "shared/forest.h"
#include "shared/predict.h"

using namespace verdict;

TEST_CASE("Seeded split: exact sizes, row order kept, same seed same rows", "[datasets]") {
  for (std::size_t n : {0, 1, 10, 569, 4177}) {
    const auto a = seeded_test_rows(n, 0, 0.2);
    const auto b = seeded_test_rows(n, 0, 0.2);
    CHECK(a == b);
    const auto count = static_cast<std::size_t>(std::count(a.begin(), a.end(), true));
    CHECK(count == static_cast<std::size_t>(std::floor(static_cast<double>(n) * 0.2 + 0.5)));
  }
  CHECK(seeded_test_rows(569, 0, 0.2) != seeded_test_rows(569, 1, 0.2));
  // Pinned: the split must not change between compilers or standard libraries.
  const auto t = seeded_test_rows(20, 0, 0.25);
  std::vector<std::size_t> picked;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i]) picked.push_back(i);
  }
  CHECK(picked == std::vector<std::size_t>{2, 4, 6, 8, 18});

  Table all;
  all.header = {"i"};
  for (int i = 0; i < 50; ++i) all.rows.push_back({std::to_string(i)}), all.line.push_back(i + 2);
  const SplitTables s = split_table(all, 7, 0.2);
  CHECK(s.train.rows.size() == 40);
  CHECK(s.test.rows.size() == 10);
  CHECK(s.test.header == all.header);
  for (const Table* part : {&s.train, &s.test}) {
    for (std::size_t r = 1; r < part->rows.size(); ++r) {
      CHECK(std::stoi(part->rows[r - 1][0]) < std::stoi(part->rows[r][0]));
      CHECK(part->line[r] == static_cast<std::size_t>(std::stoi(part->rows[r][0]) + 2));
    }
  }
}

TEST_CASE("Loan generator: deterministic by seed, rows independent of --rows", "[datasets][loan]") {
  LoanOptions o;
  o.rows = 500;
  o.seed = 42;
  const Table a = generate_loan(o);
  const Table b = generate_loan(o);
  CHECK(a.header == loan_columns());
  CHECK(a.rows == b.rows);
  o.rows = 200;
  const Table prefix = generate_loan(o);
  CHECK(std::equal(prefix.rows.begin(), prefix.rows.end(), a.rows.begin()));
  o.seed = 43;
  o.rows = 500;
  CHECK(generate_loan(o).rows != a.rows);
  // Pinned: the same seed must give the same file with any standard library.
  o.seed = 0;
  o.rows = 10;
  const Table pinned = generate_loan(o);
  std::string first;
  for (const std::string& c : pinned.rows[0]) first += (first.empty() ? "" : ",") + c;
  CHECK(first == "4010,720,29,57,0.411,1030,37000,60,mortgage,high_school,single,M,1");
  for (const auto& row : a.rows) {
    REQUIRE(row.size() == 13);
    REQUIRE((row[11] == "F" || row[11] == "M"));
    REQUIRE((row[12] == "0" || row[12] == "1"));
  }
}

namespace {

struct LoanBias {
  double dpl = 0, dppl = 0;
};

// Generates loan data, trains a small XGBoost model on its training split (gender is a
// feature), and measures DPL on the test labels and DPPL on the model's test predictions,
// facet d = gender F, positive = approved 1.
LoanBias loan_bias(double penalty) {
  LoanOptions o;
  o.rows = 5000;
  o.seed = 3;
  o.gender_penalty = penalty;
  const SplitTables s = split_table(generate_loan(o), 3, 0.2);
  std::vector<std::vector<std::string>> columns;
  for (std::size_t c = 0; c < s.train.header.size(); ++c) columns.push_back(s.train.column_cells(c));
  const Schema schema = infer_schema(s.train.header, columns, "approved", Task::Binary, "");
  REQUIRE(schema.positive_label == "1");
  const Dataset train = encode_table(s.train, schema, true);
  const Dataset test = encode_table(s.test, schema, true);

  xgb::Matrix dtrain(train.x.data(), train.rows, train.cols, train.label);
  xgb::Booster b({&dtrain});
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"objective", "binary:logistic"}, {"max_depth", "4"}, {"eta", "0.3"}, {"tree_method", "exact"},
           {"nthread", "2"}, {"seed", "0"}}) {
    b.set_param(k, v);
  }
  for (int i = 0; i < 60; ++i) b.update(i, dtrain);
  const Forest f = load_xgboost_json(nlohmann::json::parse(b.save_json()));

  const int gender = test.source_column[static_cast<std::size_t>(schema.feature_index("gender"))];
  BiasInput in;
  for (std::size_t r = 0; r < test.rows; ++r) {
    in.facet.push_back(s.test.rows[r][static_cast<std::size_t>(gender)] == "F");
    in.label.push_back(test.label[r] == 1.0f);
    in.predicted.push_back(apply_link(f.link, predict_margin(f, test.x.data() + r * test.cols)) > 0.5);
  }
  LoanBias out;
  out.dpl = pre_training_bias(in).get("DPL").value;
  in.features.assign(test.x.begin(), test.x.end());  // the Flip Test needs them; unused here
  in.feature_count = test.cols;
  out.dppl = post_training_bias(in).get("DPPL").value;
  return out;
}

}  // namespace

TEST_CASE("Loan generator: DPL and DPPL find the injected bias against gender F", "[datasets][loan]") {
  const LoanBias biased = loan_bias(1.5);
  const LoanBias fair = loan_bias(0);
  INFO("penalty 1.5: DPL " << biased.dpl << " DPPL " << biased.dppl << "; penalty 0: DPL " << fair.dpl
                           << " DPPL " << fair.dppl);
  CHECK(biased.dpl > 0.12);   // q_a − q_d: men approved more often than women
  CHECK(biased.dppl > 0.12);  // and the model learned it
  CHECK(std::fabs(fair.dpl) < 0.05);
  CHECK(std::fabs(fair.dppl) < 0.05);
}

// The describe files of the demo's data sets name exactly the columns and labels the data
// has (a typo would make `verdict schema --describe` refuse them).
TEST_CASE("Adult and loan descriptions fit their columns and labels", "[datasets]") {
  struct Case {
    const std::vector<std::string>* columns;
    std::vector<std::string> labels;
    nlohmann::json describe;
  };
  for (const Case& c : {Case{&adult_columns(), {"<=50K", ">50K"}, adult_descriptions()},
                        Case{&loan_columns(), {"0", "1"}, loan_descriptions()}}) {
    Schema s = numeric_schema(*c.columns, c.columns->back(), Task::Binary);
    s.labels = c.labels;
    s.positive_label = c.labels.back();
    REQUIRE_NOTHROW(apply_descriptions(s, c.describe));
    for (const Column& col : s.features) CHECK_FALSE(col.description.empty());
    for (const std::string& l : c.labels) CHECK(s.class_name(l) != l);
  }
  Schema adult = numeric_schema(adult_columns(), "Target", Task::Binary);
  adult.labels = {"<=50K", ">50K"};
  apply_descriptions(adult, adult_descriptions());
  CHECK(adult.features[static_cast<std::size_t>(adult.feature_index("Age"))].unit == "years");
  CHECK(adult.features[static_cast<std::size_t>(adult.feature_index("Hours per week"))].unit == "hours a week");
  CHECK(adult.features[static_cast<std::size_t>(adult.feature_index("Capital Gain"))].unit == "US dollars");
  CHECK(adult.class_name(">50K") == ">50K: income over $50K");
}
