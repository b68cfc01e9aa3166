// Thin RAII wrappers over XGBoost's C API: training here, and the reference predictions
// (pred_contribs) that tests and benchmarks compare against.
#pragma once
#include <xgboost/c_api.h>

#include <string>
#include <vector>

namespace verdict::xgb {

// Throws verdict::Error with XGBoost's last error when rc != 0.
void check(int rc);

class Matrix {
 public:
  // Dense row-major data; NaN is missing. `label` may be empty.
  Matrix(const float* data, std::size_t rows, std::size_t cols, const std::vector<float>& label = {});
  ~Matrix();
  Matrix(const Matrix&) = delete;
  Matrix& operator=(const Matrix&) = delete;
  DMatrixHandle handle() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

class Booster {
 public:
  explicit Booster(const std::vector<const Matrix*>& cache = {});
  ~Booster();
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;

  void set_param(const std::string& name, const std::string& value);
  void update(int iteration, const Matrix& train);
  // XGBoost's evaluation line, e.g. "[3]\ttest-logloss:0.31".
  std::string eval(int iteration, const std::vector<const Matrix*>& sets,
                   const std::vector<std::string>& names);
  std::string save_json() const;
  void load_json(const std::string& text);

  enum class Output { Value = 0, Margin = 1, Contributions = 2 };
  // Row-major result: rows × 1 for values/margins, rows × (features + 1) for contributions.
  std::vector<float> predict(const Matrix& data, Output kind, int threads = 0) const;

 private:
  BoosterHandle handle_ = nullptr;
};

}  // namespace verdict::xgb
