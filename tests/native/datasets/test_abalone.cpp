// Regression on every Abalone test row, for the boosted model and the XGBoost random forest
// (100 parallel trees) that abalone_pipeline trained: the core's predictions and TreeSHAP
// against XGBoost's predict and pred_contribs, additivity of both SHAP kinds, and the
// predictions `verdict explain` wrote (raw units).
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>

#include "native/batch/batch_explain.h"
#include "native/io/dataset.h"
#include "native/datasets/abalone.h"
#include "native/io/model_files.h"
#include "native/train/xgb.h"
#include "shared/forest_classes.h"
#include "shared/predict.h"

using namespace verdict;

namespace {

const std::string kDir = VERDICT_ABALONE_DIR;

void check_model(const std::string& name, std::size_t trees) {
  const ModelFiles model = load_model_files(kDir + "/" + name, "");
  REQUIRE(model.schema);
  CHECK(model.schema->task == Task::Regression);
  const Forest& f = model.forest;
  CHECK(f.link == Link::Identity);
  CHECK(f.num_trees() == trees);
  const Dataset test = encode_table(read_csv(kDir + "/data/test.csv"), *model.schema, true);
  const std::size_t n = test.rows, m = test.cols;
  REQUIRE(n == 835);

  xgb::Matrix dm(test.x.data(), n, m);
  xgb::Booster b;
  b.load_json(read_json_file(model.model_path).dump());
  const auto value = b.predict(dm, xgb::Booster::Output::Value);
  const auto contribs = b.predict(dm, xgb::Booster::Output::Contributions);
  const BatchExplanation tree = explain_batch(f, test.x.data(), n, ShapKind::Tree, {}, 2);
  std::vector<float> mean;
  for (const Column& c : model.schema->features) mean.push_back(static_cast<float>(c.mean));
  const BatchExplanation base = explain_batch(f, test.x.data(), n, ShapKind::Baseline, mean, 2);

  std::ifstream written(kDir + "/explain-" + name + "/predictions/test.csv.out");
  double worst_pred = 0, worst_written = 0, worst_xgb = 0, worst_add_tree = 0, worst_add_base = 0;
  for (std::size_t r = 0; r < n; ++r) {
    const double mine = apply_link(f.link, predict_margin(f, test.x.data() + r * m));
    worst_pred = std::max(worst_pred, std::fabs(mine - value[r]) / std::max(1.0, std::fabs(mine)));
    double line = std::nan("");
    written >> line;
    worst_written = std::max(worst_written, std::fabs(line - mine) / std::max(1.0, std::fabs(mine)));
    double sum_tree = tree.expected_value, sum_base = base.expected_value;
    for (std::size_t j = 0; j < m; ++j) {
      worst_xgb = std::max(worst_xgb, std::fabs(tree.phi[r * m + j] - contribs[r * (m + 1) + j]));
      sum_tree += tree.phi[r * m + j];
      sum_base += base.phi[r * m + j];
    }
    worst_xgb = std::max(worst_xgb, std::fabs(tree.expected_value - contribs[r * (m + 1) + m]));
    worst_add_tree = std::max(worst_add_tree, std::fabs(sum_tree - tree.margin[r]));
    worst_add_base = std::max(worst_add_base, std::fabs(sum_base - base.margin[r]));
  }
  INFO(name << ": max relative |prediction - XGBoost| " << worst_pred << ", written " << worst_written
            << ", max |phi - pred_contribs| " << worst_xgb << ", additivity tree " << worst_add_tree
            << ", baseline " << worst_add_base);
  // XGBoost sums 300 leaves in float32; predictions are in rings (about 1 to 25), so the
  // difference is relative (float32 spacing near 16 is 1.9e-6; 300 roundings add up).
  CHECK(worst_pred <= 1e-5);
  CHECK(worst_written <= 1e-9);  // written with 10 significant digits
  CHECK(worst_xgb <= 1e-5);
  CHECK(worst_add_tree <= 1e-6);
  CHECK(worst_add_base <= 1e-6);
}

}  // namespace

TEST_CASE("Abalone reader: 4,177 records, header added, seeded 80/20 split", "[abalone]") {
  const Table all = read_abalone(kDir + "/data/abalone.data");
  CHECK(all.rows.size() == 4177);
  CHECK(all.header == abalone_columns());
  CHECK(all.rows[0] == std::vector<std::string>{"M", "0.455", "0.365", "0.095", "0.514", "0.2245", "0.101", "0.15", "15"});
  CHECK(read_csv(kDir + "/data/train.csv").rows.size() == 3342);
  CHECK(read_csv(kDir + "/data/test.csv").rows.size() == 835);
}

TEST_CASE("Abalone, boosted trees (300 rounds): XGBoost parity and additivity", "[abalone]") {
  check_model("model", 300);
}

TEST_CASE("Abalone, random forest (100 parallel trees): XGBoost parity and additivity", "[abalone]") {
  check_model("model-rf", 100);
}

TEST_CASE("Abalone Sex, 3 classes (multi:softprob): predictions and SHAP per class equal XGBoost's", "[abalone][multiclass]") {
  const std::string dir = kDir + "/model-sex";
  const nlohmann::json doc = read_json_file(dir + "/model.json");
  const Forest f = load_xgboost_json(doc, {true});
  const Schema schema = Schema::from_json(read_json_file(dir + "/schema.json"));
  REQUIRE(schema.task == Task::Multiclass);
  const int k = 3;
  REQUIRE(f.num_class == k);
  CHECK(f.num_trees() == 300);
  const Dataset test = encode_table(read_csv(kDir + "/data/test.csv"), schema, true);
  const std::size_t n = test.rows, m = test.cols;
  REQUIRE(n == 835);

  xgb::Matrix dm(test.x.data(), n, m);
  xgb::Booster b;
  b.load_json(doc.dump());
  const auto value = b.predict(dm, xgb::Booster::Output::Value);
  const auto margin = b.predict(dm, xgb::Booster::Output::Margin);
  const auto contribs = b.predict(dm, xgb::Booster::Output::Contributions);
  REQUIRE(contribs.size() == n * k * (m + 1));

  std::vector<float> mean;
  for (const Column& c : schema.features) mean.push_back(static_cast<float>(c.mean));
  double worst_margin = 0, worst_prob = 0, worst_xgb = 0, worst_add_tree = 0, worst_add_base = 0;
  std::size_t class_differs = 0;
  std::vector<double> mine(n * k);
  for (std::size_t r = 0; r < n; ++r) predict_class_margins(f, test.x.data() + r * m, mine.data() + r * k);
  for (int c = 0; c < k; ++c) {
    const Forest fc = forest_of_class(f, c);
    const BatchExplanation tree = explain_batch(fc, test.x.data(), n, ShapKind::Tree, {}, 2);
    const BatchExplanation base = explain_batch(fc, test.x.data(), n, ShapKind::Baseline, mean, 2);
    for (std::size_t r = 0; r < n; ++r) {
      const float* theirs = contribs.data() + (r * k + c) * (m + 1);
      double sum_tree = tree.expected_value, sum_base = base.expected_value;
      for (std::size_t j = 0; j < m; ++j) {
        worst_xgb = std::max(worst_xgb, std::fabs(tree.phi[r * m + j] - theirs[j]));
        sum_tree += tree.phi[r * m + j];
        sum_base += base.phi[r * m + j];
      }
      worst_xgb = std::max(worst_xgb, std::fabs(tree.expected_value - theirs[m]));
      worst_add_tree = std::max(worst_add_tree, std::fabs(sum_tree - mine[r * k + c]));
      worst_add_base = std::max(worst_add_base, std::fabs(sum_base - mine[r * k + c]));
      worst_margin = std::max(worst_margin, std::fabs(mine[r * k + c] - margin[r * k + c]));
    }
  }
  std::vector<double> prob(k);
  for (std::size_t r = 0; r < n; ++r) {
    softmax(mine.data() + r * k, k, prob.data());
    for (int c = 0; c < k; ++c) worst_prob = std::max(worst_prob, std::fabs(prob[c] - value[r * k + c]));
    std::vector<double> theirs(margin.begin() + static_cast<std::ptrdiff_t>(r * k),
                               margin.begin() + static_cast<std::ptrdiff_t>(r * k + k));
    class_differs += predicted_class(mine.data() + r * k, k) != predicted_class(theirs.data(), k);
  }
  INFO("max |margin - XGBoost| " << worst_margin << ", |probability - XGBoost| " << worst_prob
                                 << ", |phi - pred_contribs| " << worst_xgb << ", additivity tree " << worst_add_tree
                                 << ", baseline " << worst_add_base);
  CHECK(worst_margin <= 1e-5);  // XGBoost sums 100 leaves per class in float32
  CHECK(worst_prob <= 1e-6);
  CHECK(class_differs == 0);
  CHECK(worst_xgb <= 1e-5);
  CHECK(worst_add_tree <= 1e-9);
  CHECK(worst_add_base <= 1e-9);
}
