#include "review_rules.h"

#include <algorithm>
#include <map>
#include <set>

#include "error.h"

namespace verdict {

nlohmann::json ActivationConditions::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  if (probability_below) j["probability_below"] = *probability_below;
  if (predicted_negative) j["predicted_negative"] = true;
  if (sample_percent) j["sample_percent"] = *sample_percent;
  if (!predicted_class_in.empty()) j["predicted_class_in"] = predicted_class_in;
  if (top_two_margin_below) j["top_two_margin_below"] = *top_two_margin_below;
  j["combine"] = require_all ? "all" : "any";
  j["seed"] = seed;
  return j;
}

ActivationConditions ActivationConditions::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw Error("activation conditions must be a JSON object");
  ActivationConditions c;
  for (const auto& [key, value] : j.items()) {
    if (key == "probability_below") {
      if (!value.is_number()) throw Error("'probability_below' must be a number");
      c.probability_below = value.get<double>();
    } else if (key == "predicted_negative") {
      if (!value.is_boolean()) throw Error("'predicted_negative' must be true or false");
      c.predicted_negative = value.get<bool>();
    } else if (key == "sample_percent") {
      if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 100) {
        throw Error("'sample_percent' must be a number from 0 to 100");
      }
      c.sample_percent = value.get<double>();
    } else if (key == "predicted_class_in") {
      if (!value.is_array() || value.empty()) throw Error("'predicted_class_in' must be a non-empty list of class labels");
      for (const auto& v : value) {
        if (!v.is_string()) throw Error("'predicted_class_in' must be a non-empty list of class labels");
        c.predicted_class_in.push_back(v.get<std::string>());
      }
    } else if (key == "top_two_margin_below") {
      if (!value.is_number() || value.get<double>() <= 0 || value.get<double>() > 1) {
        throw Error("'top_two_margin_below' must be a number above 0 and at most 1");
      }
      c.top_two_margin_below = value.get<double>();
    } else if (key == "combine") {
      const std::string how = value.is_string() ? value.get<std::string>() : "";
      if (how != "any" && how != "all") throw Error("'combine' must be \"any\" or \"all\"");
      c.require_all = how == "all";
    } else if (key == "seed") {
      if (!value.is_number_unsigned()) throw Error("'seed' must be a whole number");
      c.seed = value.get<std::uint64_t>();
    } else {
      throw Error("unknown activation condition '" + key + "'");
    }
  }
  if (c.empty()) throw Error("a flow needs at least one activation condition");
  return c;
}

namespace {

// SplitMix64: a fixed, portable hash for the audit sample.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

Decision multiclass_decision(const std::vector<double>& probabilities, const std::vector<std::string>& labels) {
  if (probabilities.size() < 2 || probabilities.size() != labels.size()) {
    throw Error("a multi-class decision needs one probability per class (" + std::to_string(labels.size()) +
                " classes, " + std::to_string(probabilities.size()) + " probabilities)");
  }
  std::size_t top = 0;
  for (std::size_t k = 1; k < probabilities.size(); ++k) {
    if (probabilities[k] > probabilities[top]) top = k;
  }
  double second = -1;
  for (std::size_t k = 0; k < probabilities.size(); ++k) {
    if (k != top) second = std::max(second, probabilities[k]);
  }
  Decision d;
  d.prediction = probabilities[top];
  d.predicted_label = labels[top];
  d.top_two_gap = probabilities[top] - second;
  return d;
}

bool activates(const ActivationConditions& c, std::uint64_t row, double prediction,
               bool predicted_positive) {
  Decision d;
  d.prediction = prediction;
  d.predicted_positive = predicted_positive;
  return activates(c, row, d);
}

bool activates(const ActivationConditions& c, std::uint64_t row, const Decision& d) {
  const bool multiclass = d.top_two_gap.has_value();
  std::vector<bool> tests;
  if (c.probability_below) tests.push_back(d.prediction < *c.probability_below);
  if (c.predicted_negative) tests.push_back(!multiclass && !d.predicted_positive);
  if (!c.predicted_class_in.empty()) {
    tests.push_back(multiclass && std::find(c.predicted_class_in.begin(), c.predicted_class_in.end(),
                                            d.predicted_label) != c.predicted_class_in.end());
  }
  if (c.top_two_margin_below) tests.push_back(multiclass && *d.top_two_gap < *c.top_two_margin_below);
  if (c.sample_percent) {
    const double u = static_cast<double>(mix(c.seed * 0x100000001b3ULL ^ mix(row)) >> 11) * 0x1.0p-53;
    tests.push_back(u * 100 < *c.sample_percent);
  }
  if (tests.empty()) return false;
  return c.require_all ? std::all_of(tests.begin(), tests.end(), [](bool b) { return b; })
                       : std::any_of(tests.begin(), tests.end(), [](bool b) { return b; });
}

std::optional<std::string> majority(const std::vector<std::string>& labels) {
  std::map<std::string, int> count;
  for (const auto& l : labels) ++count[l];
  int best = 0, at_best = 0;
  std::string winner;
  for (const auto& [label, n] : count) {
    if (n > best) {
      best = n, at_best = 1, winner = label;
    } else if (n == best) {
      ++at_best;
    }
  }
  if (at_best != 1) return std::nullopt;
  return winner;
}

Agreement agreement(const std::vector<std::vector<std::string>>& ratings) {
  Agreement a;
  std::size_t raters = 0;
  for (const auto& r : ratings) raters = std::max(raters, r.size());
  if (raters < 2) return a;
  std::vector<const std::vector<std::string>*> items;
  for (const auto& r : ratings) {
    if (r.size() == raters) items.push_back(&r);
  }
  a.items = items.size();
  if (items.empty()) return a;
  std::set<std::string> categories;
  for (const auto* r : items) categories.insert(r->begin(), r->end());
  const double n = static_cast<double>(raters);

  // Fleiss: P_i = (Σ_j n_ij² − n) / (n(n − 1)); P̄ = mean P_i; P̄e = Σ_j p_j², p_j = share of all ratings.
  std::map<std::string, double> total;
  double p_bar = 0;
  for (const auto* r : items) {
    std::map<std::string, double> nij;
    for (const auto& l : *r) nij[l] += 1;
    double sq = 0;
    for (const auto& [l, c] : nij) sq += c * c, total[l] += c;
    p_bar += (sq - n) / (n * (n - 1));
  }
  p_bar /= static_cast<double>(items.size());
  a.percent_agreement = 100 * p_bar;
  double pe = 0;
  for (const auto& [l, c] : total) {
    const double p = c / (n * static_cast<double>(items.size()));
    pe += p * p;
  }
  a.fleiss_kappa = pe < 1 ? (p_bar - pe) / (1 - pe) : 1.0;

  if (raters == 2) {
    // Cohen: κ = (p_o − p_e) / (1 − p_e), p_e from each rater's own label shares.
    std::map<std::string, double> first, second;
    double agree = 0;
    for (const auto* r : items) {
      first[(*r)[0]] += 1, second[(*r)[1]] += 1;
      agree += (*r)[0] == (*r)[1];
    }
    const double m = static_cast<double>(items.size());
    const double po = agree / m;
    double pe2 = 0;
    for (const auto& c : categories) pe2 += (first[c] / m) * (second[c] / m);
    a.cohen_kappa = pe2 < 1 ? (po - pe2) / (1 - pe2) : 1.0;
  }
  return a;
}

}  // namespace verdict
