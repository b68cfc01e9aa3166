#include "native/train/training.h"

#include <chrono>
#include <memory>

#include "native/batch/progress.h"
#include "shared/metrics.h"
#include "shared/predict.h"
#include "native/train/xgb.h"

namespace verdict {

namespace {

// "[12]\ttest-logloss:0.3" -> "test-logloss:0.3"
std::string metric_note(const std::string& eval_line) {
  const auto tab = eval_line.find('\t');
  return tab == std::string::npos ? eval_line : eval_line.substr(tab + 1);
}

}  // namespace

nlohmann::json quality(const Schema& schema, const std::vector<double>& p, const std::vector<float>& label) {
  nlohmann::json j;
  j["rows"] = label.size();
  if (schema.task == Task::Multiclass) {
    const MulticlassMetrics m = multiclass_metrics(p, static_cast<int>(schema.labels.size()), label);
    j["accuracy"] = m.accuracy;
    j["log_loss"] = m.log_loss;
  } else if (schema.task == Task::Binary) {
    const BinaryMetrics m = binary_metrics(p, label);
    j["accuracy"] = m.accuracy;
    j["auc"] = m.auc;
    j["log_loss"] = m.log_loss;
  } else {
    const RegressionMetrics m = regression_metrics(p, label);
    j["rmse"] = m.rmse;
    j["mae"] = m.mae;
    j["r2"] = m.r2;
  }
  return j;
}

TrainedModel train_model(const Schema& schema, const Dataset& train, const Dataset* test,
                         const std::map<std::string, std::string>& params, int rounds) {
  const auto start = std::chrono::steady_clock::now();
  xgb::Matrix dtrain(train.x.data(), train.rows, train.cols, train.label);
  std::unique_ptr<xgb::Matrix> dtest;
  if (test) dtest = std::make_unique<xgb::Matrix>(test->x.data(), test->rows, test->cols, test->label);
  std::vector<const xgb::Matrix*> cache = {&dtrain};
  if (dtest) cache.push_back(dtest.get());
  xgb::Booster booster(cache);
  for (const auto& [k, v] : params) booster.set_param(k, v);

  const xgb::Matrix& watch = dtest ? *dtest : dtrain;
  const std::string watch_name = dtest ? "test" : "train";
  Progress bar("train", static_cast<std::size_t>(rounds));
  std::string note;
  for (int i = 0; i < rounds; ++i) {
    booster.update(i, dtrain);
    note = metric_note(booster.eval(i, {&watch}, {watch_name}));
    bar.update(static_cast<std::size_t>(i + 1), "round " + std::to_string(i + 1) + " " + note);
  }
  bar.finish(note);

  auto predict = [&](const xgb::Matrix& m) {
    if (schema.task == Task::Multiclass) {  // margins → softmax: one probability per class, for softmax and softprob
      const auto margin = booster.predict(m, xgb::Booster::Output::Margin);
      const int k = static_cast<int>(schema.labels.size());
      std::vector<double> in(margin.begin(), margin.end()), out(in.size());
      for (std::size_t r = 0; r + k <= in.size(); r += k) softmax(in.data() + r, k, out.data() + r);
      return out;
    }
    const auto v = booster.predict(m, xgb::Booster::Output::Value);
    return std::vector<double>(v.begin(), v.end());
  };
  TrainedModel out;
  out.metrics["train"] = quality(schema, predict(dtrain), train.label);
  if (dtest) out.metrics["test"] = quality(schema, predict(*dtest), test->label);
  out.metrics["rounds"] = rounds;
  out.metrics["params"] = params;
  out.metrics["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.model_json = booster.save_json();
  return out;
}

}  // namespace verdict
