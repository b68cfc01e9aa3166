// The browser's entry to the core: one loaded model, scored and explained through a C ABI
// over caller-owned buffers. No exception crosses extern "C": each call returns -1 and
// keeps the message for vd_last_error() (the treelite c_api_error pattern).
#include <emscripten/emscripten.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>
#include <string>

#include "shared/counterfactual.h"
#include "shared/error.h"
#include "shared/feature_curve.h"
#include "shared/forest.h"
#include "shared/forest_classes.h"
#include "shared/forest_pack.h"
#include "shared/pdp.h"
#include "shared/predict.h"
#include "shared/schema.h"
#include "shared/shap_fast.h"
#include "shared/shap_tree.h"
#include "shared/similar_records.h"

#ifdef VERDICT_COMPILED_MODEL_IN_WASM
// The model compiled by `verdict compile`, built into this module (scripts/build-web --compiled).
extern "C" {
int vd_compiled_num_features();
unsigned long vd_compiled_num_trees();
void vd_compiled_predict_margin(const float* rows, unsigned long n, double* out);
}
constexpr bool kCompiled = true;
#else
constexpr bool kCompiled = false;
extern "C" inline void vd_compiled_predict_margin(const float*, unsigned long, double*) {}
#endif

namespace {

struct Session {
  verdict::Forest forest;
  verdict::Schema schema;
  std::unique_ptr<verdict::FastTreeShap> shap;    // path-dependent TreeSHAP, per-leaf tables
  std::unique_ptr<verdict::TreeShap> classic;     // the same values, classic algorithm (on request)
  bool use_classic = false;
  // A multi-class model: each class's trees as a forest of their own, and their explainers.
  std::vector<verdict::Forest> class_forests;
  std::vector<std::unique_ptr<verdict::FastTreeShap>> class_shap;
  std::vector<std::unique_ptr<verdict::TreeShap>> class_classic;
  int num_class() const { return forest.num_class > 1 ? forest.num_class : 1; }
  std::unique_ptr<verdict::CounterfactualSearch> counterfactual;  // prepared on first use (vd_counterfactual)
  verdict::FeatureCurve curve;     // vd_feature_curve's answer, read by vd_curve_read
  int curve_feature = -1, curve_class = 0;
  std::vector<float> records;      // vd_set_records: the rows vd_nearest searches
  verdict::DistanceSpace space;    // how vd_nearest measures
};

std::unique_ptr<Session> session;
std::string last_error;
std::string schema_text;  // vd_schema_json's answer, kept until the next call

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

// Makes the session from a forest and the schema's JSON text; checks they belong together.
void open_session(verdict::Forest forest, const char* schema_json) {
  auto s = std::make_unique<Session>();
  nlohmann::json schema;
  try {
    schema = nlohmann::json::parse(schema_json);
  } catch (const nlohmann::json::exception&) {
    throw verdict::Error("schema is not valid JSON");
  }
  s->forest = std::move(forest);
  s->schema = verdict::Schema::from_json(schema);
  if (static_cast<int>(s->schema.features.size()) != s->forest.num_features) {
    throw verdict::Error("schema has " + std::to_string(s->schema.features.size()) +
                         " features; the model has " + std::to_string(s->forest.num_features));
  }
  if constexpr (kCompiled) {
#ifdef VERDICT_COMPILED_MODEL_IN_WASM
    // The compiled code must be this model's: same shape, and the same margin for a row of
    // all missing values and for each training mean (every tree takes a path).
    bool fits = vd_compiled_num_features() == s->forest.num_features &&
                vd_compiled_num_trees() == s->forest.num_trees();
    std::vector<float> row(static_cast<std::size_t>(s->forest.num_features), std::nanf(""));
    std::vector<double> compiled(static_cast<std::size_t>(s->num_class())), loaded(compiled.size());
    for (int pass = 0; fits && pass < 2; ++pass) {
      if (pass == 1) {
        for (std::size_t f = 0; f < row.size(); ++f) row[f] = static_cast<float>(s->schema.features[f].mean);
      }
      vd_compiled_predict_margin(row.data(), 1, compiled.data());
      verdict::predict_class_margins(s->forest, row.data(), loaded.data());
      fits = compiled == loaded;
    }
    if (!fits) throw verdict::Error("this page's compiled model was made from another model (run verdict compile and scripts/build-web --compiled again)");
#endif
  }
  if (s->forest.num_class > 1) {
    if (s->schema.task != verdict::Task::Multiclass || static_cast<int>(s->schema.labels.size()) != s->forest.num_class) {
      throw verdict::Error("the model has " + std::to_string(s->forest.num_class) + " classes; the schema has " +
                           std::to_string(s->schema.labels.size()) + " labels");
    }
    s->class_forests = verdict::forests_by_class(s->forest);
    for (const verdict::Forest& f : s->class_forests) s->class_shap.push_back(std::make_unique<verdict::FastTreeShap>(f));
    s->class_classic.resize(s->class_forests.size());
    s->shap = std::make_unique<verdict::FastTreeShap>(s->class_forests.front());  // vd_expected_value: class 0's
  } else {
    s->shap = std::make_unique<verdict::FastTreeShap>(s->forest);
  }
  s->space = verdict::schema_distance_space(s->schema);
  session = std::move(s);
}

}  // namespace

extern "C" {

// Loads an XGBoost JSON model and its verdict schema (both as JSON text).
EMSCRIPTEN_KEEPALIVE int vd_load(const char* model_json, const char* schema_json) {
  return guarded([&] {
    nlohmann::json model;
    try {
      model = nlohmann::json::parse(model_json);
    } catch (const nlohmann::json::exception&) {
      throw verdict::Error("model is not valid JSON");
    }
    open_session(verdict::load_xgboost_json(model, verdict::ForestLoadOptions{true}), schema_json);
  });
}

// Loads a model packed by `verdict pack` (size bytes at model) and its schema (JSON text): the
// page's fast path, no JSON to parse for the forest.
EMSCRIPTEN_KEEPALIVE int vd_load_packed(const unsigned char* model, unsigned long size, const char* schema_json) {
  return guarded([&] { open_session(verdict::unpack_forest(model, size), schema_json); });
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
    if (session->num_class() > 1) throw verdict::Error("a multi-class model: use vd_explain_classes");
    double margin;
    if (session->use_classic) {
      session->classic->explain(row, out + 2);
    } else if constexpr (!kCompiled) {
      session->shap->explain(row, out + 2, &margin);  // the margin from the same pass over the splits
    } else {
      session->shap->explain(row, out + 2);
    }
    if constexpr (kCompiled) {
      vd_compiled_predict_margin(row, 1, &margin);
    } else if (session->use_classic) {
      margin = verdict::predict_margin(session->forest, row);
    }
    out[0] = margin;
    out[1] = verdict::apply_link(session->forest.link, margin);
  });
}

// 1 for a single-output model; K for a multi-class one.
EMSCRIPTEN_KEEPALIVE int vd_num_class() { return session ? session->num_class() : -1; }

// φ0 of class k: the expected margin of class k's trees.
EMSCRIPTEN_KEEPALIVE double vd_expected_value_of_class(int k) {
  if (!session || k < 0 || k >= session->num_class()) return 0.0;
  return session->num_class() > 1 ? session->class_shap[static_cast<std::size_t>(k)]->expected_value()
                                  : session->shap->expected_value();
}

// Scores and explains one encoded row for every class (K = vd_num_class()) into
// out[0, K) = margins, out[K, 2K) = probabilities (softmax; a single-output model: its link),
// out[2K + k·F, 2K + (k+1)·F) = class k's SHAP values (F = num_features, margin units):
// Σ class k's SHAP + its expected value = margin k.
EMSCRIPTEN_KEEPALIVE int vd_explain_classes(const float* row, double* out) {
  return guarded([&] {
    if (!session) throw verdict::Error("no model loaded");
    const int k_count = session->num_class();
    if (k_count == 1) {  // the same layout as vd_explain's
      if (vd_explain(row, out) != 0) throw verdict::Error(last_error);
      return;
    }
    const auto k = static_cast<std::size_t>(k_count), m = static_cast<std::size_t>(session->forest.num_features);
    for (std::size_t c = 0; c < k; ++c) {
      double* phi = out + 2 * k + c * m;
      if (session->use_classic) {
        auto& classic = session->class_classic[c];
        if (!classic) classic = std::make_unique<verdict::TreeShap>(session->class_forests[c]);
        classic->explain(row, phi);
        out[c] = verdict::predict_margin(session->class_forests[c], row);
      } else {
        session->class_shap[c]->explain(row, phi, &out[c]);
      }
    }
    if constexpr (kCompiled) vd_compiled_predict_margin(row, 1, out);
    verdict::softmax(out, k_count, out + k);
  });
}

// Encodes what a person typed for feature `feature` through the schema, exactly as a CSV cell
// (shared/schema.cpp encode_cell): *out is the float32 the model sees, NaN for missing ("").
// Returns -1, with the reason in vd_last_error(), for a value the feature cannot hold: text in
// a numeric field, or a number that is not finite as a float32 (1e39, 1e400, inf, nan). The
// page re-scores only with values this accepted.
EMSCRIPTEN_KEEPALIVE int vd_encode_cell(int feature, const char* cell, float* out) {
  return guarded([&] {
    if (!session) throw verdict::Error("no model loaded");
    if (feature < 0 || static_cast<std::size_t>(feature) >= session->schema.features.size()) {
      throw verdict::Error("no feature " + std::to_string(feature));
    }
    *out = verdict::encode_cell(session->schema, static_cast<std::size_t>(feature), cell, nullptr);
  });
}

// The loaded schema in its canonical form (Schema::to_json, the current version: every
// description, unit and class name present) as JSON text, or null with no model loaded. The
// page reads its labels from this rather than from schema.json: one reader (shared/schema) for
// the batch job, WebAssembly and the page, so the page never interprets schema versions or
// defaults, and it gets exactly the schema its values are encoded with. (Normalising schema.json
// in scripts/build-web instead would make building the page depend on the native CLI.)
EMSCRIPTEN_KEEPALIVE const char* vd_schema_json() {
  if (!session) return nullptr;
  schema_text = session->schema.to_json().dump();
  return schema_text.c_str();
}

// 1 when this module scores with a compiled model (verdict compile), 0 with the loaded forest.
EMSCRIPTEN_KEEPALIVE int vd_compiled() { return kCompiled ? 1 : 0; }

// 1: explain with the classic TreeSHAP algorithm (the reference, slower); 0: the fast one
// (default). Same values either way.
EMSCRIPTEN_KEEPALIVE int vd_use_classic_tree_shap(int classic) {
  return guarded([&] {
    if (!session) throw verdict::Error("no model loaded");
    if (classic && !session->classic) session->classic = std::make_unique<verdict::TreeShap>(session->forest);
    session->use_classic = classic != 0;
  });
}

// ---- feature curves and similar records (the review page's panels) ----

// The exact curve of `feature` for the encoded row (shared/feature_curve): computed and kept
// for vd_curve_read. Returns the number of cells (thresholds + 1), or -1.
EMSCRIPTEN_KEEPALIVE int vd_feature_curve_class(const float* row, int feature, int cls) {
  int cells = -1;
  const int rc = guarded([&] {
    if (!session) throw verdict::Error("no model loaded");
    session->curve = verdict::feature_curve(session->forest, row, feature, cls);
    session->curve_feature = feature;
    session->curve_class = cls;
    cells = static_cast<int>(session->curve.cells());
  });
  return rc == 0 ? cells : -1;
}

// vd_feature_curve_class of class 0 (a single-output model's one curve).
EMSCRIPTEN_KEEPALIVE int vd_feature_curve(const float* row, int feature) { return vd_feature_curve_class(row, feature, 0); }

// The last curve into caller buffers sized by vd_feature_curve's answer: thresholds[cells - 1],
// margin[cells], prediction[cells], missing[2] = the margin and prediction with the feature missing.
EMSCRIPTEN_KEEPALIVE int vd_curve_read(float* thresholds, double* margin, double* prediction, double* missing) {
  return guarded([&] {
    if (!session || session->curve.margin.empty()) throw verdict::Error("no curve computed");
    const verdict::FeatureCurve& c = session->curve;
    std::copy(c.thresholds.begin(), c.thresholds.end(), thresholds);
    std::copy(c.margin.begin(), c.margin.end(), margin);
    std::copy(c.prediction.begin(), c.prediction.end(), prediction);
    missing[0] = c.missing_margin;
    missing[1] = c.missing_prediction;
  });
}

// The last curve's predictions at n values (cells looked up: a category's code, the record's
// value) into out[n]; NaN gives the prediction with the feature missing.
EMSCRIPTEN_KEEPALIVE int vd_curve_at(const float* values, int n, double* out) {
  return guarded([&] {
    if (!session || session->curve.margin.empty()) throw verdict::Error("no curve computed");
    const verdict::FeatureCurve& c = session->curve;
    for (int i = 0; i < n; ++i) out[i] = std::isnan(values[i]) ? c.missing_prediction : c.prediction[c.cell_of(values[i])];
  });
}

// The average of the last curve's feature (and class) over vd_set_records's rows — partial dependence
// (shared/pdp, the one implementation `verdict clarify` uses) at a value inside each cell
// (cell_values) — into out[cells], and with the feature missing into out[cells].
EMSCRIPTEN_KEEPALIVE int vd_average_curve(double* out) {
  return guarded([&] {
    if (!session || session->curve.margin.empty()) throw verdict::Error("no curve computed");
    std::vector<float> grid = verdict::cell_values(session->curve);
    grid.push_back(std::nanf(""));
    const std::size_t cols = static_cast<std::size_t>(session->forest.num_features);
    const std::size_t n = cols ? session->records.size() / cols : 0;
    if (n == 0) throw verdict::Error("no records set (vd_set_records)");
    const auto pd = verdict::partial_dependence(session->forest, session->records.data(), n, cols,
                                                static_cast<std::size_t>(session->curve_feature), grid, session->curve_class);
    std::copy(pd.begin(), pd.end(), out);
  });
}

// The rows vd_nearest searches (n encoded rows of num_features floats, NaN = missing), copied.
EMSCRIPTEN_KEEPALIVE int vd_set_records(const float* rows, unsigned long n) {
  return guarded([&] {
    if (!session) throw verdict::Error("no model loaded");
    session->records.assign(rows, rows + n * static_cast<unsigned long>(session->forest.num_features));
  });
}

// The k records of vd_set_records nearest to `query` (shared/similar_records), nearest first,
// leaving out row `skip` (-1: none): their indices and distances. Returns how many, or -1.
EMSCRIPTEN_KEEPALIVE int vd_nearest(const float* query, int k, long skip, int* index, double* distance) {
  int found = -1;
  const int rc = guarded([&] {
    if (!session) throw verdict::Error("no model loaded");
    if (k < 0) throw verdict::Error("k must not be negative");
    const std::size_t cols = static_cast<std::size_t>(session->forest.num_features);
    const std::size_t n = cols ? session->records.size() / cols : 0;
    const auto near = verdict::nearest_records(session->space, session->records.data(), n, query,
                                               static_cast<std::size_t>(k), skip < 0 ? n : static_cast<std::size_t>(skip));
    for (std::size_t i = 0; i < near.size(); ++i) {
      index[i] = static_cast<int>(near[i].index);
      distance[i] = near[i].distance;
    }
    found = static_cast<int>(near.size());
  });
  return rc == 0 ? found : -1;
}

}  // extern "C"

// ---- nearest decision flips (shared/counterfactual.h) ----

namespace {

// The search for the loaded session, prepared on first use; it lives and dies with the session
// (it keeps references to its forest and schema).
const verdict::CounterfactualSearch& counterfactual_search() {
  if (!session) throw verdict::Error("no model loaded");
  if (!session->counterfactual) {
    session->counterfactual = std::make_unique<verdict::CounterfactualSearch>(session->forest, session->schema);
  }
  return *session->counterfactual;
}

// {"max_features", "answers", "threshold", "target_delta", "immutable": [names]}, every part optional.
verdict::CounterfactualOptions counterfactual_options(const char* options_json) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(options_json);
  } catch (const nlohmann::json::exception&) {
    throw verdict::Error("counterfactual options are not valid JSON");
  }
  if (!j.is_object()) throw verdict::Error("counterfactual options must be a JSON object");
  verdict::CounterfactualOptions o;
  const auto& schema = session->schema;
  o.immutable.assign(schema.features.size(), false);
  for (const auto& [key, v] : j.items()) {
    if (key == "max_features" && v.is_number_integer()) {
      o.max_features = v.get<int>();
    } else if (key == "answers" && v.is_number_integer() && v.get<long long>() >= 1 && v.get<long long>() <= 10) {
      o.answers = v.get<std::size_t>();
    } else if (key == "threshold" && v.is_number()) {
      o.goal.threshold = v.get<double>();
    } else if (key == "target_delta" && v.is_number()) {
      o.goal.target_delta = v.get<double>();
    } else if (key == "immutable" && v.is_array()) {
      for (const auto& name : v) {
        const int f = name.is_string() ? schema.feature_index(name.get<std::string>()) : -1;
        if (f < 0) throw verdict::Error("counterfactual options: immutable names " + name.dump() + ", not a feature");
        o.immutable[static_cast<std::size_t>(f)] = true;
      }
    } else {
      throw verdict::Error("counterfactual options: field '" + key + "' is unknown or of the wrong type");
    }
  }
  return o;
}

}  // namespace

extern "C" {

// Doubles one answer takes in vd_counterfactual's output.
EMSCRIPTEN_KEEPALIVE int vd_counterfactual_stride() { return 5 + 4 * 3 + 1; }

// The nearest decision flips of one encoded row (num_features floats, NaN = missing) under
// options (JSON text, see counterfactual_options) into out[0, capacity): out[0] = the number of
// answers, then per answer vd_counterfactual_stride() doubles: cost, margin, prediction, exact
// (1/0), changes n, then n × (feature, from, to, cost) in room for 3, and last the class the
// changed row is predicted (a multi-class model; -1 otherwise: margin and prediction are that
// class's).
EMSCRIPTEN_KEEPALIVE int vd_counterfactual(const float* row, const char* options_json, double* out, unsigned long capacity) {
  return guarded([&] {
    const auto& search = counterfactual_search();
    const verdict::CounterfactualOptions options = counterfactual_options(options_json);
    const std::size_t stride = static_cast<std::size_t>(vd_counterfactual_stride());
    if (capacity < 1 + options.answers * stride) {
      throw verdict::Error("counterfactual: the output holds " + std::to_string(capacity) + " doubles; " +
                           std::to_string(options.answers) + " answers need " + std::to_string(1 + options.answers * stride));
    }
    const auto found = search.find(row, options);
    out[0] = static_cast<double>(found.size());
    for (std::size_t a = 0; a < found.size(); ++a) {
      double* o = out + 1 + a * stride;
      const auto& cf = found[a];
      o[0] = cf.cost, o[1] = cf.margin, o[2] = cf.prediction, o[3] = cf.exact ? 1 : 0;
      o[stride - 1] = cf.predicted_class;
      o[4] = static_cast<double>(cf.changes.size());
      for (std::size_t c = 0; c < cf.changes.size(); ++c) {
        o[5 + 4 * c] = static_cast<double>(cf.changes[c].feature);
        o[6 + 4 * c] = cf.changes[c].from;
        o[7 + 4 * c] = cf.changes[c].to;
        o[8 + 4 * c] = cf.changes[c].cost;
      }
    }
  });
}

}  // extern "C"
