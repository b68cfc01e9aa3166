// A model compiled by `verdict compile`: its shared library, loaded with dlopen.
#pragma once
#include <cstddef>
#include <string>

namespace verdict {

class CompiledModel {
 public:
  // Loads `path` (libmodel.so, or the folder `verdict compile` wrote). Throws verdict::Error
  // when it is not a verdict-compiled model, or (with a non-empty `fingerprint`) when it was
  // compiled from another model.
  CompiledModel(const std::string& path, int num_features, const std::string& fingerprint, int num_class = 1);
  ~CompiledModel();
  CompiledModel(const CompiledModel&) = delete;
  CompiledModel& operator=(const CompiledModel&) = delete;

  // Margins of n rows (row-major, num_features floats each, NaN = missing): n × num_class()
  // values, row-major, class order.
  void predict_margin(const float* rows, std::size_t n, double* out) const { predict_(rows, n, out); }
  std::size_t num_trees() const { return num_trees_; }
  int num_class() const { return num_class_; }
  const std::string& path() const { return path_; }

 private:
  void* handle_ = nullptr;
  void (*predict_)(const float*, unsigned long, double*) = nullptr;
  std::size_t num_trees_ = 0;
  int num_class_ = 1;
  std::string path_;
};

}  // namespace verdict
