#include "native/codegen/compiled_model.h"

#include <dlfcn.h>

#include <algorithm>
#include <filesystem>

#include "shared/error.h"

namespace verdict {

CompiledModel::CompiledModel(const std::string& path, int num_features, const std::string& fingerprint, int num_class) {
  namespace fs = std::filesystem;
  path_ = fs::is_directory(path) ? (fs::path(path) / "libmodel.so").string() : path;
  if (!fs::exists(path_)) throw Error("compiled model '" + path_ + "' does not exist (run verdict compile)");
  handle_ = ::dlopen(fs::absolute(path_).c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) throw Error("cannot load compiled model '" + path_ + "': " + ::dlerror());
  auto sym = [&](const char* name) {
    void* p = ::dlsym(handle_, name);
    if (!p) {
      ::dlclose(handle_);
      handle_ = nullptr;
      throw Error("'" + path_ + "' is not a model compiled by verdict (no " + name + ")");
    }
    return p;
  };
  const auto abi = reinterpret_cast<int (*)()>(sym("vd_compiled_abi"));
  const auto features = reinterpret_cast<int (*)()>(sym("vd_compiled_num_features"));
  const auto trees = reinterpret_cast<unsigned long (*)()>(sym("vd_compiled_num_trees"));
  const auto print = reinterpret_cast<const char* (*)()>(sym("vd_compiled_fingerprint"));
  predict_ = reinterpret_cast<void (*)(const float*, unsigned long, double*)>(sym("vd_compiled_predict_margin"));
  // A library compiled before multi-class models has no vd_compiled_num_class: one output.
  const auto classes = reinterpret_cast<int (*)()>(::dlsym(handle_, "vd_compiled_num_class"));
  num_class_ = classes ? classes() : 1;
  std::string problem;
  if (abi() != 1) problem = "it was compiled by another version of verdict";
  else if (features() != num_features) problem = "it has " + std::to_string(features()) + " features; the model has " + std::to_string(num_features);
  else if (num_class_ != std::max(1, num_class)) problem = "it has " + std::to_string(num_class_) + " output(s); the model has " + std::to_string(std::max(1, num_class));
  else if (!fingerprint.empty() && fingerprint != print()) problem = "it was compiled from another model.json";
  if (!problem.empty()) {
    ::dlclose(handle_);
    handle_ = nullptr;
    throw Error("compiled model '" + path_ + "' does not fit: " + problem + " (run verdict compile again)");
  }
  num_trees_ = trees();
}

CompiledModel::~CompiledModel() {
  if (handle_) ::dlclose(handle_);
}

}  // namespace verdict
