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
  std::optional<double> probability_below;  // prediction < this (multi-class: the top probability)
  bool predicted_negative = false;          // predicted label is not the positive one
  std::optional<double> sample_percent;     // a random audit sample, 0..100
  // Multi-class: the predicted class is one of these (class labels as the schema has them).
  std::vector<std::string> predicted_class_in;
  // Multi-class: the top probability minus the second is below this (a close call).
  std::optional<double> top_two_margin_below;
  bool require_all = false;
  std::uint64_t seed = 0;                   // makes the sample reproducible

  nlohmann::json to_json() const;
  static ActivationConditions from_json(const nlohmann::json& j);
  bool empty() const {
    return !probability_below && !predicted_negative && !sample_percent && predicted_class_in.empty() &&
           !top_two_margin_below;
  }
};

// What the model decided for one record, as the conditions read it.
struct Decision {
  double prediction = 0;            // the score; multi-class: the top class's probability
  bool predicted_positive = false;  // binary
  std::string predicted_label;      // multi-class: the predicted class's label
  std::optional<double> top_two_gap;  // multi-class: top probability minus the second
};

// A multi-class record's decision from its class probabilities (class k is labels[k]):
// the top class (the first of equal ones), its probability and its lead over the second.
Decision multiclass_decision(const std::vector<double>& probabilities, const std::vector<std::string>& labels);

// Whether record number `row` with this decision is sent to review. The audit sample is a
// hash of (seed, row), so the same batch gives the same sample on every run. A multi-class
// condition never holds for a record without classes (and predicted_negative never for one
// with them).
bool activates(const ActivationConditions& c, std::uint64_t row, const Decision& d);
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
