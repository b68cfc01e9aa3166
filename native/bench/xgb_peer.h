// XGBoost 3.x as a benchmark peer beside the linked Debian 1.7.4: its libxgboost.so opened with
// dlopen (RTLD_LOCAL | RTLD_DEEPBIND, so its C API does not collide with 1.7.4's) and reached
// through a few C API functions. Built by scripts/build-xgboost-peer; never a dependency.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace verdict::bench {

class XgboostPeer {
 public:
  // The library at `path`, or nullptr with `why` set when it cannot be opened.
  static std::unique_ptr<XgboostPeer> open(const std::string& path, std::string& why);
  // $VERDICT_XGBOOST_PEER, else the cache folder scripts/build-xgboost-peer writes.
  static std::string default_path();
  ~XgboostPeer();

  std::string version() const;
  void load_json(const std::string& model_text);
  void set_threads(int threads);
  // type 0: values, 1: margins, 2: contributions (rows × (features + 1)).
  std::vector<float> predict(const float* rows, std::size_t count, std::size_t features, int type);

 private:
  struct Api;
  XgboostPeer() = default;
  void* library_ = nullptr;
  std::unique_ptr<Api> api_;
  void* booster_ = nullptr;
};

}  // namespace verdict::bench
