// Real-time scoring on SageMaker's inference contract: POST /invocations takes text/csv rows
// or application/jsonlines records ({"features": [...]}) in the model's feature order and
// answers with predictions in the format `Accept` asks for; GET /ping says the model is
// loaded. With explanations asked for (?explain=shap, or SageMaker's header
// X-Amzn-SageMaker-Enable-Explanations: `true`) the reply is Clarify's online explainability
// JSON with each record's exact TreeSHAP values and the expected value. With a flow attached,
// each scored record that meets the flow's activation conditions starts a human loop at once
// (A2I's StartHumanLoop) whose name comes back in the reply.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "native/io/model_files.h"
#include "shared/predict.h"
#include "shared/shap_fast.h"

namespace httplib {
class Server;
}

namespace verdict {
class CompiledModel;
}

namespace verdict::review {

class Store;

struct InvocationOptions {
  std::string model;           // model folder (model.json + schema.json)
  std::string compiled;        // optional: a folder or libmodel.so from `verdict compile`
  std::string flow;            // optional: start a human loop per activated record
  double threshold = 0.5;      // binary decision: positive when p > threshold
  std::size_t max_rows = 10000;  // records in one request
  int max_json_depth = 64;
};

struct InvocationReply {
  int status = 200;
  std::string content_type;
  std::string body;
  std::string human_loops;  // names (empty for records that started none), comma-separated
};

class Invocations {
 public:
  // Loads the model (and checks the compiled library and the flow) once; throws verdict::Error.
  Invocations(const InvocationOptions& options, Store* store);
  ~Invocations();

  // One request: the body with its Content-Type, the Accept header, explanations on or off.
  // Never throws for bad input: a 4xx reply with {"error": "..."} naming the line.
  InvocationReply invoke(std::string_view content_type, std::string_view accept, bool explain,
                         std::string_view body);

  int num_features() const { return model_.forest.num_features; }

 private:
  struct Scored;
  std::vector<std::vector<float>> parse(std::string_view content_type, std::string_view body,
                                        std::vector<std::vector<std::string>>& cells) const;
  std::vector<std::string> start_loops(const Scored& s, const std::vector<std::vector<std::string>>& cells);
  // Each output's explainer and predictor: one for a single-output model, one per class (over
  // the class's trees) for a multi-class one.
  std::size_t outputs() const { return shap_.size(); }
  const Forest& output_forest(std::size_t k) const { return class_forests_.empty() ? model_.forest : class_forests_[k]; }
  // This thread's SHAP workspaces for this object's explainers, one per output.
  std::vector<std::unique_ptr<FastTreeShap::Workspace>>& workspaces() const;
  // Class k's SHAP values of every row of `s` (count × features).
  std::vector<double> explain_rows(const Scored& s, std::size_t k) const;

  InvocationOptions options_;
  ModelFiles model_;
  Schema schema_;
  std::vector<std::string> header_json_;  // each feature's name as a JSON string
  std::unique_ptr<CompiledModel> compiled_;
  std::vector<Forest> class_forests_;  // a multi-class model's class views (empty otherwise)
  std::vector<std::unique_ptr<FastTreeShap>> shap_;
  std::vector<std::unique_ptr<MarginPredictor>> margins_;
  Store* store_;
  std::atomic<std::uint64_t> sequence_{0};
  std::uint64_t id_;  // this object among every one made: whose workspaces a thread holds  // a row number for each record that starts a loop
};

// GET /ping and POST /invocations on `server`.
void add_invocation_routes(httplib::Server& server, Invocations& invocations);

}  // namespace verdict::review
