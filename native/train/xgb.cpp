#include "native/train/xgb.h"

#include <cmath>

#include "shared/error.h"

namespace verdict::xgb {

void check(int rc) {
  if (rc != 0) throw Error(std::string("xgboost: ") + XGBGetLastError());
}

Matrix::Matrix(const float* data, std::size_t rows, std::size_t cols,
               const std::vector<float>& label) {
  check(XGDMatrixCreateFromMat(data, rows, cols, std::nanf(""), &handle_));
  if (!label.empty()) {
    check(XGDMatrixSetFloatInfo(handle_, "label", label.data(), label.size()));
  }
}

Matrix::~Matrix() { XGDMatrixFree(handle_); }

Booster::Booster(const std::vector<const Matrix*>& cache) {
  std::vector<DMatrixHandle> handles;
  for (const Matrix* m : cache) handles.push_back(m->handle());
  check(XGBoosterCreate(handles.data(), handles.size(), &handle_));
}

Booster::~Booster() { XGBoosterFree(handle_); }

void Booster::set_param(const std::string& name, const std::string& value) {
  check(XGBoosterSetParam(handle_, name.c_str(), value.c_str()));
}

void Booster::update(int iteration, const Matrix& train) {
  check(XGBoosterUpdateOneIter(handle_, iteration, train.handle()));
}

std::string Booster::eval(int iteration, const std::vector<const Matrix*>& sets,
                          const std::vector<std::string>& names) {
  std::vector<DMatrixHandle> handles;
  std::vector<const char*> cnames;
  for (const Matrix* m : sets) handles.push_back(m->handle());
  for (const std::string& n : names) cnames.push_back(n.c_str());
  const char* out = nullptr;
  check(XGBoosterEvalOneIter(handle_, iteration, handles.data(), cnames.data(), handles.size(), &out));
  return out;
}

std::string Booster::save_json() const {
  bst_ulong len = 0;
  const char* data = nullptr;
  check(XGBoosterSaveModelToBuffer(handle_, R"({"format": "json"})", &len, &data));
  return std::string(data, len);
}

void Booster::load_json(const std::string& text) {
  check(XGBoosterLoadModelFromBuffer(handle_, text.data(), text.size()));
}

std::vector<float> Booster::predict(const Matrix& data, Output kind, int threads) const {
  (void)threads;
  const std::string config = R"({"type": )" + std::to_string(static_cast<int>(kind)) +
                             R"(, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  check(XGBoosterPredictFromDMatrix(handle_, data.handle(), config.c_str(), &shape, &dim, &result));
  std::size_t n = 1;
  for (bst_ulong i = 0; i < dim; ++i) n *= shape[i];
  return std::vector<float>(result, result + n);
}

}  // namespace verdict::xgb
