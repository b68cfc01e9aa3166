// The `pack` job: the model in the compact binary form the review page loads
// (shared/forest_pack.h), checked by unpacking it again before it is written.
#pragma once
#include <ostream>
#include <string>

namespace verdict {

struct PackPlan {
  std::string model;  // model folder or XGBoost model.json
  std::string out;    // the packed file to write
};

// Writes OUT whole or not at all; reports sizes on `log`.
void pack_model(const PackPlan& plan, std::ostream& log);

}  // namespace verdict
