// The browser's entry to the core: one loaded model, scored and explained through a C ABI
// over caller-owned buffers. No exception crosses extern "C": each call returns -1 and
// keeps the message for vd_last_error() (the treelite c_api_error pattern).
#include <emscripten/emscripten.h>

#include <memory>
#include <string>

#include "shared/error.h"
#include "shared/forest.h"
#include "shared/predict.h"
#include "shared/schema.h"
#include "shared/shap_fast.h"
#include "shared/shap_tree.h"

namespace {

struct Session {
  verdict::Forest forest;
  verdict::Schema schema;
  std::unique_ptr<verdict::FastTreeShap> shap;    // path-dependent TreeSHAP, per-leaf tables
  std::unique_ptr<verdict::TreeShap> classic;     // the same values, classic algorithm (on request)
  bool use_classic = false;
};

std::unique_ptr<Session> session;
std::string last_error;

template <typename F>
int guarded(F&& f) {
  try {
    f();
    return 0;
  } catch (const std::exception& e) {
    last_error = e.what();
  } catch (...) {
    last_error = "unknown error";
  }
  return -1;
}

}  // namespace

extern "C" {

// Loads an XGBoost JSON model and its verdict schema (both as JSON text).
EMSCRIPTEN_KEEPALIVE int vd_load(const char* model_json, const char* schema_json) {
  return guarded([&] {
    auto s = std::make_unique<Session>();
    nlohmann::json model;
    nlohmann::json schema;
    try {
      model = nlohmann::json::parse(model_json);
    } catch (const nlohmann::json::exception&) {
      throw verdict::Error("model is not valid JSON");
    }
    try {
      schema = nlohmann::json::parse(schema_json);
    } catch (const nlohmann::json::exception&) {
      throw verdict::Error("schema is not valid JSON");
    }
    s->forest = verdict::load_xgboost_json(model);
    s->schema = verdict::Schema::from_json(schema);
    if (static_cast<int>(s->schema.features.size()) != s->forest.num_features) {
      throw verdict::Error("schema has " + std::to_string(s->schema.features.size()) +
                           " features; the model has " + std::to_string(s->forest.num_features));
    }
    s->shap = std::make_unique<verdict::FastTreeShap>(s->forest);
    session = std::move(s);
  });
}

EMSCRIPTEN_KEEPALIVE const char* vd_last_error() { return last_error.c_str(); }

EMSCRIPTEN_KEEPALIVE int vd_num_features() { return session ? session->forest.num_features : -1; }

EMSCRIPTEN_KEEPALIVE double vd_expected_value() {
  return session ? session->shap->expected_value() : 0.0;
}

// 0 identity, 1 logistic, 2 exp.
EMSCRIPTEN_KEEPALIVE int vd_link() {
  return session ? static_cast<int>(session->forest.link) : -1;
}

// Scores and explains one encoded row (num_features floats, NaN = missing) into
// out[0] = margin, out[1] = prediction, out[2 .. 2 + num_features) = SHAP values.
EMSCRIPTEN_KEEPALIVE int vd_explain(const float* row, double* out) {
  return guarded([&] {
    if (!session) throw verdict::Error("no model loaded");
    const double margin = verdict::predict_margin(session->forest, row);
    out[0] = margin;
    out[1] = verdict::apply_link(session->forest.link, margin);
    if (session->use_classic) {
      session->classic->explain(row, out + 2);
    } else {
      session->shap->explain(row, out + 2);
    }
  });
}

// 1: explain with the classic TreeSHAP algorithm (the reference, slower); 0: the fast one
// (default). Same values either way.
EMSCRIPTEN_KEEPALIVE int vd_use_classic_tree_shap(int classic) {
  return guarded([&] {
    if (!session) throw verdict::Error("no model loaded");
    if (classic && !session->classic) session->classic = std::make_unique<verdict::TreeShap>(session->forest);
    session->use_classic = classic != 0;
  });
}

}  // extern "C"
