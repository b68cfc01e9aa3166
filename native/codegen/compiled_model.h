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
  CompiledModel(const std::string& path, int num_features, const std::string& fingerprint);
  ~CompiledModel();
  CompiledModel(const CompiledModel&) = delete;
  CompiledModel& operator=(const CompiledModel&) = delete;

  // Margins of n rows (row-major, num_features floats each, NaN = missing).
  void predict_margin(const float* rows, std::size_t n, double* out) const { predict_(rows, n, out); }
  std::size_t num_trees() const { return num_trees_; }
  const std::string& path() const { return path_; }

 private:
  void* handle_ = nullptr;
  void (*predict_)(const float*, unsigned long, double*) = nullptr;
  std::size_t num_trees_ = 0;
  std::string path_;
};

}  // namespace verdict
