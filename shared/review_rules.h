// Rules of the human review workflow that are pure computation: which records a flow
// sends to people (activation conditions), and how far reviewers agree.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace verdict {

// When a record needs a person. Each condition that is set is tested; the record is sent
// when any of them holds (or all of them, with require_all).
struct ActivationConditions {
  std::optional<double> probability_below;  // prediction < this
  bool predicted_negative = false;          // predicted label is not the positive one
  std::optional<double> sample_percent;     // a random audit sample, 0..100
  bool require_all = false;
  std::uint64_t seed = 0;                   // makes the sample reproducible

  nlohmann::json to_json() const;
  static ActivationConditions from_json(const nlohmann::json& j);
  bool empty() const { return !probability_below && !predicted_negative && !sample_percent; }
};

// Whether record number `row` with this prediction is sent to review. The audit sample is a
// hash of (seed, row), so the same batch gives the same sample on every run.
bool activates(const ActivationConditions& c, std::uint64_t row, double prediction,
               bool predicted_positive);

// Agreement between reviewers who each gave one label per item.
// ratings[i] = the labels given to item i (one per reviewer; items with fewer are skipped).
struct Agreement {
  std::size_t items = 0;
  double percent_agreement = 0;  // mean over items of the share of agreeing reviewer pairs
  std::optional<double> cohen_kappa;   // exactly 2 reviewers per item
  std::optional<double> fleiss_kappa;  // 2 or more reviewers per item, same count for all
};
Agreement agreement(const std::vector<std::vector<std::string>>& ratings);

// The label most reviewers gave; nullopt on a tie for the top.
std::optional<std::string> majority(const std::vector<std::string>& labels);

}  // namespace verdict
