#include "native/bench/xgb_peer.h"

#include <dlfcn.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

namespace verdict::bench {

using Handle = void*;
using Ulong = std::uint64_t;

struct XgboostPeer::Api {
  const char* (*last_error)();
  int (*version)(int*, int*, int*);
  int (*booster_create)(const Handle*, Ulong, Handle*);
  int (*booster_free)(Handle);
  int (*booster_load)(Handle, const void*, Ulong);
  int (*booster_set_param)(Handle, const char*, const char*);
  int (*matrix_from_mat)(const float*, Ulong, Ulong, float, Handle*);
  int (*matrix_free)(Handle);
  int (*predict)(Handle, Handle, const char*, const Ulong**, Ulong*, const float**);
};

namespace {

template <typename F>
void bind(void* library, const char* name, F& f, std::string& missing) {
  f = reinterpret_cast<F>(dlsym(library, name));
  if (!f && missing.empty()) missing = name;
}

}  // namespace

std::string XgboostPeer::default_path() {
  if (const char* p = std::getenv("VERDICT_XGBOOST_PEER"); p && *p) return p;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "") + "/.cache/verdict/xgboost-3.5/xgboost/lib/libxgboost.so";
}

std::unique_ptr<XgboostPeer> XgboostPeer::open(const std::string& path, std::string& why) {
  void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (!library) {
    const char* e = dlerror();
    why = e ? e : ("cannot open " + path);
    return nullptr;
  }
  std::unique_ptr<XgboostPeer> peer(new XgboostPeer());
  peer->library_ = library;
  peer->api_ = std::make_unique<Api>();
  Api& a = *peer->api_;
  std::string missing;
  bind(library, "XGBGetLastError", a.last_error, missing);
  bind(library, "XGBoostVersion", a.version, missing);
  bind(library, "XGBoosterCreate", a.booster_create, missing);
  bind(library, "XGBoosterFree", a.booster_free, missing);
  bind(library, "XGBoosterLoadModelFromBuffer", a.booster_load, missing);
  bind(library, "XGBoosterSetParam", a.booster_set_param, missing);
  bind(library, "XGDMatrixCreateFromMat", a.matrix_from_mat, missing);
  bind(library, "XGDMatrixFree", a.matrix_free, missing);
  bind(library, "XGBoosterPredictFromDMatrix", a.predict, missing);
  if (!missing.empty()) {
    why = path + " has no " + missing;
    return nullptr;
  }
  if (a.booster_create(nullptr, 0, &peer->booster_) != 0) {
    why = a.last_error();
    return nullptr;
  }
  return peer;
}

XgboostPeer::~XgboostPeer() {
  if (api_ && booster_) api_->booster_free(booster_);
  // The library stays loaded: OpenMP's threads may still run its code at exit.
}

std::string XgboostPeer::version() const {
  int major = 0, minor = 0, patch = 0;
  api_->version(&major, &minor, &patch);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

void XgboostPeer::load_json(const std::string& text) {
  if (api_->booster_load(booster_, text.data(), text.size()) != 0) throw std::runtime_error(api_->last_error());
}

void XgboostPeer::set_threads(int threads) {
  if (api_->booster_set_param(booster_, "nthread", std::to_string(threads).c_str()) != 0) {
    throw std::runtime_error(api_->last_error());
  }
}

std::vector<float> XgboostPeer::predict(const float* rows, std::size_t count, std::size_t features, int type) {
  Handle matrix = nullptr;
  if (api_->matrix_from_mat(rows, count, features, std::nanf(""), &matrix) != 0) throw std::runtime_error(api_->last_error());
  const std::string config = R"({"type": )" + std::to_string(type) +
                             R"(, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
  const Ulong* shape = nullptr;
  Ulong dim = 0;
  const float* result = nullptr;
  const int rc = api_->predict(booster_, matrix, config.c_str(), &shape, &dim, &result);
  std::vector<float> out;
  if (rc == 0) {
    std::size_t n = 1;
    for (Ulong i = 0; i < dim; ++i) n *= shape[i];
    out.assign(result, result + n);
  }
  const std::string error = rc == 0 ? "" : api_->last_error();
  api_->matrix_free(matrix);
  if (rc != 0) throw std::runtime_error(error);
  return out;
}

}  // namespace verdict::bench
