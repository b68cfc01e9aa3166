// Every Adult test row: the core against XGBoost's own predictor and pred_contribs, and
// additivity of both SHAP kinds; the loader's row counts; the explain outputs.
#include <catch2/catch.hpp>

#include "native/datasets/adult.h"
#include "native/batch/batch_explain.h"
#include "native/io/dataset.h"
#include "native/io/model_files.h"
#include "native/train/xgb.h"
#include "shared/predict.h"
#include "shared/shap_fast.h"

using namespace verdict;

namespace {

const std::string kDir = VERDICT_ADULT_DIR;

struct Adult {
  ModelFiles model = load_model_files(kDir + "/model", "");
  Dataset test = encode_table(read_csv(kDir + "/data/test.csv"), *model.schema, true);
};

const Adult& adult() {
  static const Adult a;
  return a;
}

}  // namespace

TEST_CASE("Adult loader keeps the reference notebook's row counts", "[adult]") {
  CHECK(read_adult(kDir + "/data/adult.data", false).rows.size() == 30162);
  const Table test = read_adult(kDir + "/data/adult.test", true);
  CHECK(test.rows.size() == 15060);
  for (const auto& row : test.rows) REQUIRE((row.back() == "<=50K" || row.back() == ">50K"));
}

TEST_CASE("Adult schema: categories sorted, Target positive label >50K", "[adult]") {
  const Schema& s = *adult().model.schema;
  CHECK(s.features.size() == 14);
  CHECK(s.positive_label == ">50K");
  const Column& sex = s.features[static_cast<std::size_t>(s.feature_index("Sex"))];
  CHECK(sex.categories == std::vector<std::string>{"Female", "Male"});
  CHECK(s.features[0].kind == ColumnKind::Numeric);
}

TEST_CASE("Adult: predictions equal XGBoost's on every test row", "[adult]") {
  const Adult& a = adult();
  xgb::Matrix m(a.test.x.data(), a.test.rows, a.test.cols);
  xgb::Booster b;
  b.load_json(read_json_file(a.model.model_path).dump());
  const auto prob = b.predict(m, xgb::Booster::Output::Value);
  double worst = 0;
  for (std::size_t r = 0; r < a.test.rows; ++r) {
    const double mine = apply_link(a.model.forest.link, predict_margin(a.model.forest, a.test.x.data() + r * a.test.cols));
    worst = std::max(worst, std::fabs(mine - prob[r]));
  }
  INFO("largest probability difference " << worst);
  CHECK(worst <= 1e-6);
}

TEST_CASE("Adult: TreeSHAP equals XGBoost's pred_contribs, and both kinds are additive", "[adult]") {
  const Adult& a = adult();
  const Forest& f = a.model.forest;
  const std::size_t n = a.test.rows, m = a.test.cols;
  xgb::Matrix dm(a.test.x.data(), n, m);
  xgb::Booster b;
  b.load_json(read_json_file(a.model.model_path).dump());
  const auto contribs = b.predict(dm, xgb::Booster::Output::Contributions);
  const BatchExplanation tree = explain_batch(f, a.test.x.data(), n, ShapKind::Tree, {}, 2);
  std::vector<float> mean;
  for (const Column& c : a.model.schema->features) mean.push_back(static_cast<float>(c.mean));
  const BatchExplanation base = explain_batch(f, a.test.x.data(), n, ShapKind::Baseline, mean, 2);

  double worst_xgb = 0, worst_add_tree = 0, worst_add_base = 0;
  for (std::size_t r = 0; r < n; ++r) {
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
  INFO("max |phi - pred_contribs| " << worst_xgb << ", additivity tree " << worst_add_tree
                                    << ", baseline " << worst_add_base);
  CHECK(worst_xgb <= 1e-5);
  CHECK(worst_add_tree <= 1e-11);  // 2.5e-8 while φ0 divided by the children's covers' sum
  CHECK(worst_add_base <= 1e-11);
}

TEST_CASE("Adult: fast TreeSHAP equals the classic algorithm on every test row", "[adult]") {
  const Adult& a = adult();
  const Forest& f = a.model.forest;
  const std::size_t n = a.test.rows, m = a.test.cols;
  CHECK(FastTreeShap(f).classic_trees() == 0);  // every tree through its tables
  const BatchExplanation fast = explain_batch(f, a.test.x.data(), n, ShapKind::Tree, {}, 2);
  const BatchExplanation classic = explain_batch(f, a.test.x.data(), n, ShapKind::TreeClassic, {}, 2);
  CHECK(fast.expected_value == classic.expected_value);
  double worst = 0;
  for (std::size_t i = 0; i < n * m; ++i) worst = std::max(worst, std::fabs(fast.phi[i] - classic.phi[i]));
  INFO("max |fast - classic| " << worst);
  CHECK(worst <= 1e-9);
}

TEST_CASE("Adult: explain wrote Clarify's layout for all 15,060 rows", "[adult]") {
  const Table shap = read_csv(kDir + "/explain/explanations_shap/out.csv");
  CHECK(shap.rows.size() == 15060);
  CHECK(shap.header.size() == 14);
  const nlohmann::json analysis = read_json_file(kDir + "/explain/analysis.json");
  CHECK(analysis["explanations"]["tree_shap"]["label0"].contains("expected_value"));
  CHECK(analysis["explanations"]["tree_shap"]["label0"]["global_shap_values"].size() == 14);
  CHECK(analysis["model_performance"]["accuracy"].get<double>() > 0.85);
  const nlohmann::json batch = read_json_file(kDir + "/explain/review_batch.json");
  CHECK(batch["records"].size() == 15060);
  CHECK(batch["records"][0]["values"].size() == 14);
}
