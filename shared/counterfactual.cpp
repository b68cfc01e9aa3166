#include "shared/counterfactual.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "shared/error.h"
#include "shared/predict.h"

namespace verdict {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::size_t kHeuristicStarts = 3;  // single-feature moves the three-feature search starts from

// The cell of value v: how many thresholds are at or below it (v >= t goes right).
std::size_t cell_of(const std::vector<float>& thresholds, float v) {
  return static_cast<std::size_t>(std::upper_bound(thresholds.begin(), thresholds.end(), v) - thresholds.begin());
}

// What an answer must reach, fixed by the record as given (not as changed on the way). Margins
// come as one per class (one for a single-output model).
struct Goal {
  Link link;
  bool binary;
  bool was_positive;  // binary: the record's decision
  double threshold;
  double p0, delta;   // regression: the record's prediction and the move asked for
  int direction;      // +1: the margin must rise, -1: fall
  int classes = 1;    // multi-class: another class than `top` becomes the predicted one
  int top = 0;
  double gap0 = 0;    // multi-class: the record's lead of its class over the next

  bool reaches(const double* margins) const {
    if (classes > 1) return predicted_class(margins, classes) != top;
    const double p = apply_link(link, margins[0]);
    if (binary) return above_threshold(p, threshold) != was_positive;
    return delta > 0 ? p - p0 >= delta : p - p0 <= delta;
  }
  // How far toward the goal a move that does not reach it goes (> 0: closer).
  double gain(const double* margins, double margin0) const {
    if (classes == 1) return direction * (margins[0] - margin0);
    double other = -std::numeric_limits<double>::infinity();
    for (int k = 0; k < classes; ++k) {
      if (k != top) other = std::max(other, margins[k]);
    }
    return gap0 - (margins[top] - other);
  }
};

int classes_of(const Forest& f) { return f.num_class > 1 ? f.num_class : 1; }
int class_of_tree(const Forest& f, std::size_t t) { return f.num_class > 1 ? f.tree_class[t] : 0; }

// One feature's moves for this row: the candidate value and cost per cell (infinite where no
// value can go), the row's own cell, and the cheapest move to another cell.
struct Moves {
  std::size_t feature = 0, here = 0;
  std::vector<float> value;
  std::vector<double> cost;
  double cheapest = kInf;
};

struct Found {
  std::vector<FeatureChange> changes;
  double cost;
  bool exact;
};

// A single-feature move that goes furthest toward the goal without reaching it (the heuristic's start).
struct Progress {
  double gain;
  FeatureChange change;
};

std::vector<std::size_t> features_of(const std::vector<FeatureChange>& changes) {
  std::vector<std::size_t> out;
  for (const FeatureChange& c : changes) out.push_back(c.feature);
  return out;
}

// The margins of one row with one or two features moved over their cells: only the trees whose
// path splits on them change, each its class's margin by (its leaf there − its leaf now).
// Margins are K per cell (K = 1 for a single-output model), class order.
class RowMargins {
 public:
  RowMargins(const Forest& forest, const std::vector<std::int32_t>& cut, const float* row)
      : f_(forest), cut_(cut), row_(row), k_(static_cast<std::size_t>(classes_of(forest))), own_(forest.num_trees()),
        trees_of_(forest.num_features) {
    margin_.assign(k_, forest.base_margin);
    std::vector<int> seen(forest.num_features, -1);
    for (std::size_t t = 0; t < forest.num_trees(); ++t) {
      std::int32_t node = forest.tree_root[t];
      while (!forest.is_leaf(node)) {
        const int feature = forest.feature[node];
        if (seen[feature] != static_cast<int>(t)) seen[feature] = static_cast<int>(t), trees_of_[feature].push_back(t);
        node = child_of(forest, node, row);
      }
      own_[t] = forest.value[node];
      margin_[static_cast<std::size_t>(class_of_tree(forest, t))] += own_[t];
    }
  }

  const double* margins() const { return margin_.data(); }
  std::size_t classes() const { return k_; }

  // Per cell of a's feature (K margins a cell): the margins with that feature anywhere in the cell.
  std::vector<double> single(const Moves& a) const {
    const std::size_t n = a.cost.size();
    std::vector<double> diff((n + 1) * k_, 0.0);
    for (std::size_t t : trees_of_[a.feature]) {
      const auto k = static_cast<std::size_t>(class_of_tree(f_, t));
      walk(f_.tree_root[t], own_[t], a.feature, 0, n, a.feature, 0, 1, [&](std::size_t lo, std::size_t hi, std::size_t, std::size_t, double d) {
        diff[lo * k_ + k] += d, diff[hi * k_ + k] -= d;
      });
    }
    std::vector<double> out(n * k_);
    for (std::size_t k = 0; k < k_; ++k) {
      double sum = 0;
      for (std::size_t c = 0; c < n; ++c) out[c * k_ + k] = margin_[k] + (sum += diff[c * k_ + k]);
    }
    return out;
  }

  // Row-major (cells of a) × (cells of b), K margins each: the margins with both features moved.
  void pair(const Moves& a, const Moves& b, std::vector<double>& out) const {
    const std::size_t na = a.cost.size(), nb = b.cost.size(), w = nb + 1;
    std::vector<double>& diff = scratch_;
    diff.assign((na + 1) * w * k_, 0.0);
    std::vector<std::size_t> trees;
    const auto& ta = trees_of_[a.feature];
    const auto& tb = trees_of_[b.feature];
    std::set_union(ta.begin(), ta.end(), tb.begin(), tb.end(), std::back_inserter(trees));
    for (std::size_t t : trees) {
      double* d_k = diff.data() + static_cast<std::size_t>(class_of_tree(f_, t)) * (na + 1) * w;  // class k's plane
      walk(f_.tree_root[t], own_[t], a.feature, 0, na, b.feature, 0, nb,
           [&](std::size_t alo, std::size_t ahi, std::size_t blo, std::size_t bhi, double d) {
             d_k[alo * w + blo] += d, d_k[alo * w + bhi] -= d;
             d_k[ahi * w + blo] -= d, d_k[ahi * w + bhi] += d;
           });
    }
    out.resize(na * nb * k_);
    std::vector<double> column(nb + 1);  // running sums down each column of class k's plane
    for (std::size_t k = 0; k < k_; ++k) {
      const double* d_k = diff.data() + k * (na + 1) * w;
      std::fill(column.begin(), column.end(), 0.0);
      for (std::size_t i = 0; i < na; ++i) {
        double across = 0;
        for (std::size_t j = 0; j < nb; ++j) {
          column[j] += d_k[i * w + j];
          across += column[j];
          out[(i * nb + j) * k_ + k] = margin_[k] + across;
        }
      }
    }
  }

 private:
  // Walks one tree with feature fa anywhere in cells [alo, ahi) and fb in [blo, bhi), the rest
  // of the row as it is; calls add(alo, ahi, blo, bhi, leaf − own) for each reachable leaf that differs.
  template <typename Add>
  void walk(std::int32_t node, double own, std::size_t fa, std::size_t alo, std::size_t ahi, std::size_t fb,
            std::size_t blo, std::size_t bhi, const Add& add) const {
    while (!f_.is_leaf(node)) {
      const auto feature = static_cast<std::size_t>(f_.feature[node]);
      const auto cut = static_cast<std::size_t>(cut_[node]);
      if (feature == fa) {
        if (alo < cut && cut < ahi) {
          walk(f_.left[node], own, fa, alo, cut, fb, blo, bhi, add);
          alo = cut, node = f_.right[node];
        } else {
          node = ahi <= cut ? f_.left[node] : f_.right[node];
        }
      } else if (feature == fb) {
        if (blo < cut && cut < bhi) {
          walk(f_.left[node], own, fa, alo, ahi, fb, blo, cut, add);
          blo = cut, node = f_.right[node];
        } else {
          node = bhi <= cut ? f_.left[node] : f_.right[node];
        }
      } else {
        node = child_of(f_, node, row_);
      }
    }
    const double d = f_.value[node] - own;
    if (d != 0) add(alo, ahi, blo, bhi, d);
  }

  const Forest& f_;
  const std::vector<std::int32_t>& cut_;
  const float* row_;
  std::size_t k_;
  std::vector<double> margin_;  // per class
  std::vector<double> own_;                         // per tree: the leaf value the row reaches
  std::vector<std::vector<std::size_t>> trees_of_;  // per feature: trees whose path splits on it
  mutable std::vector<double> scratch_;
};

// The exact search over one and two features of `row`, answers cheaper than `budget` only.
struct ExactResult {
  std::vector<Found> found;                        // every answer kept, any order
  std::map<std::vector<std::size_t>, double> best;  // per feature set searched: its cheapest answer
  std::vector<Progress> furthest;                  // per movable feature without a single answer
};

}  // namespace

CounterfactualSearch::CounterfactualSearch(const Forest& forest, const Schema& schema)
    : forest_(forest), schema_(schema) {
  if ((forest.num_class > 1) != (schema.task == Task::Multiclass)) {
    throw Error("counterfactual: the model has " + std::to_string(classes_of(forest)) + " output(s) but the schema's task is " +
                (schema.task == Task::Multiclass ? "multi-class" : "single-output"));
  }
  if (schema.features.size() != static_cast<std::size_t>(forest.num_features)) {
    throw Error("counterfactual: the schema has " + std::to_string(schema.features.size()) + " features; the model has " +
                std::to_string(forest.num_features));
  }
  thresholds_.resize(schema.features.size());
  for (std::size_t n = 0; n < forest.num_nodes(); ++n) {
    if (!forest.is_leaf(static_cast<std::int32_t>(n))) thresholds_[forest.feature[n]].push_back(forest.threshold[n]);
  }
  for (auto& t : thresholds_) {
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
  }
  cut_.assign(forest.num_nodes(), 0);
  for (std::size_t n = 0; n < forest.num_nodes(); ++n) {
    if (forest.is_leaf(static_cast<std::int32_t>(n))) continue;
    const auto& t = thresholds_[forest.feature[n]];
    cut_[n] = static_cast<std::int32_t>(std::lower_bound(t.begin(), t.end(), forest.threshold[n]) - t.begin() + 1);
  }
}

std::vector<CounterfactualSearch::Candidate> CounterfactualSearch::candidates(std::size_t f, float x) const {
  const Column& c = schema_.features.at(f);
  const std::vector<float>& th = thresholds_[f];
  const bool categorical = c.kind == ColumnKind::Categorical;
  const bool whole = categorical || c.integer;
  double lowest = std::isnan(c.min) ? -kInf : c.min, highest = std::isnan(c.max) ? kInf : c.max;
  if (categorical) lowest = 0, highest = static_cast<double>(c.categories.size()) - 1;
  const std::size_t here = cell_of(th, x);
  std::vector<Candidate> out{{here, x, 0.0}};
  for (std::size_t cell = 0; cell <= th.size(); ++cell) {
    if (cell == here) continue;
    double v;
    if (cell > here) {  // the cell's lower end is nearest: its threshold (in the cell: x >= t goes right)
      v = std::max(static_cast<double>(th[cell - 1]), lowest);
      if (whole) v = std::ceil(v);
    } else {  // the upper end: the last float below the next threshold
      v = std::min(static_cast<double>(std::nextafter(th[cell], -std::numeric_limits<float>::infinity())), highest);
      if (whole) v = std::floor(v);
    }
    if (!std::isfinite(v) || v < lowest || v > highest || !fits_float32(v)) continue;
    const auto value = static_cast<float>(v);
    if (cell_of(th, value) != cell) continue;  // no value of the column fits in this cell
    out.push_back({cell, value, categorical ? 1.0 : std::fabs(static_cast<double>(value) - x) / c.spread});
  }
  return out;
}

namespace {

// The search's pieces for one call of find.
struct SearchContext {
  const CounterfactualSearch& search;
  const Forest& forest;
  const std::vector<std::int32_t>& cut;
  const Goal& goal;
  std::size_t answers;
};

// The cost the `answers`-th cheapest answer so far has (infinite until there are that many).
double bound_of(const std::vector<Found>& found, std::size_t answers, double budget) {
  if (found.size() < answers) return budget;
  std::vector<double> costs;
  for (const Found& f : found) costs.push_back(f.cost);
  std::nth_element(costs.begin(), costs.begin() + static_cast<std::ptrdiff_t>(answers - 1), costs.end());
  return std::min(budget, costs[answers - 1]);
}

ExactResult exact_search(const SearchContext& s, const float* row, const std::vector<bool>& fixed, int k, double budget) {
  ExactResult r;
  const RowMargins margins(s.forest, s.cut, row);
  std::vector<Moves> moves;
  for (std::size_t f = 0; f < fixed.size(); ++f) {
    if (fixed[f]) continue;
    Moves m;
    m.feature = f;
    const std::size_t cells = s.search.cells(f);
    m.value.assign(cells, 0.0f);
    m.cost.assign(cells, kInf);
    const auto candidates = s.search.candidates(f, row[f]);
    m.here = candidates.front().cell;  // the row's own value comes first
    for (const auto& c : candidates) {
      m.value[c.cell] = c.value, m.cost[c.cell] = c.cost;
      if (c.cell != m.here) m.cheapest = std::min(m.cheapest, c.cost);
    }
    if (m.cheapest < kInf) moves.push_back(std::move(m));
  }
  std::vector<double> single_best(fixed.size(), kInf);
  for (const Moves& m : moves) {
    const std::vector<double> margin = margins.single(m);
    const std::size_t k = margins.classes();
    std::size_t best = m.here;
    Progress furthest{0.0, {}};
    for (std::size_t c = 0; c < m.cost.size(); ++c) {
      if (c == m.here || m.cost[c] == kInf) continue;
      if (s.goal.reaches(&margin[c * k])) {
        if (best == m.here || m.cost[c] < m.cost[best]) best = c;
      } else if (const double gain = s.goal.gain(&margin[c * k], margins.margins()[0]); gain > furthest.gain) {
        furthest = {gain, {m.feature, row[m.feature], m.value[c], m.cost[c]}};
      }
    }
    if (best != m.here) {
      single_best[m.feature] = m.cost[best];
      r.best[{m.feature}] = m.cost[best];
      if (m.cost[best] < budget) r.found.push_back({{{m.feature, row[m.feature], m.value[best], m.cost[best]}}, m.cost[best], true});
    } else if (furthest.gain > 0) {
      r.furthest.push_back(furthest);
    }
  }
  if (k < 2) return r;
  struct PairBound {
    double low;
    std::size_t a, b;  // indices into moves
  };
  std::vector<PairBound> pairs;
  for (std::size_t i = 0; i < moves.size(); ++i) {
    for (std::size_t j = i + 1; j < moves.size(); ++j) pairs.push_back({moves[i].cheapest + moves[j].cheapest, i, j});
  }
  // Ties in a fixed order, so every build (native, WebAssembly) lists the same answers.
  std::sort(pairs.begin(), pairs.end(), [](const PairBound& x, const PairBound& y) {
    return std::tie(x.low, x.a, x.b) < std::tie(y.low, y.a, y.b);
  });
  std::vector<double> grid;
  for (const PairBound& p : pairs) {
    const double bound = bound_of(r.found, s.answers, budget);
    if (p.low >= bound) break;  // sorted: no later pair can be cheaper either
    const Moves& a = moves[p.a];
    const Moves& b = moves[p.b];
    // A pair is an answer of its own only when cheaper than either feature's single answer.
    const double ceiling = std::min({bound, single_best[a.feature], single_best[b.feature]});
    if (p.low >= ceiling) continue;
    margins.pair(a, b, grid);
    const std::size_t nb = b.cost.size();
    double best = ceiling;
    std::size_t best_a = 0, best_b = 0;
    for (std::size_t i = 0; i < a.cost.size(); ++i) {
      if (i == a.here || a.cost[i] + b.cheapest >= best) continue;
      for (std::size_t j = 0; j < nb; ++j) {
        const double cost = a.cost[i] + b.cost[j];
        if (j == b.here || cost >= best) continue;
        if (s.goal.reaches(&grid[(i * nb + j) * margins.classes()])) best = cost, best_a = i, best_b = j;
      }
    }
    if (best < ceiling) {
      r.best[{a.feature, b.feature}] = best;
      r.found.push_back({{{a.feature, row[a.feature], a.value[best_a], a.cost[best_a]},
                          {b.feature, row[b.feature], b.value[best_b], b.cost[best_b]}},
                         best,
                         true});
    }
  }
  return r;
}

// Three features: from each of the few single moves that go furthest toward the goal, the exact
// pair search over the rest. Not exact: another value of the first feature may need less.
void three_feature_heuristic(const SearchContext& s, const float* row, const std::vector<bool>& fixed, ExactResult& r) {
  std::sort(r.furthest.begin(), r.furthest.end(), [](const Progress& x, const Progress& y) {
    return x.gain != y.gain ? x.gain > y.gain : x.change.feature < y.change.feature;
  });
  std::vector<float> moved(row, row + fixed.size());
  std::vector<Found> extra;
  for (std::size_t i = 0; i < r.furthest.size() && i < kHeuristicStarts; ++i) {
    const FeatureChange& first = r.furthest[i].change;
    const double budget = bound_of(r.found, s.answers, kInf) - first.cost;
    if (!(budget > 0)) continue;
    std::vector<bool> rest = fixed;
    rest[first.feature] = true;
    moved[first.feature] = first.to;
    const ExactResult inner = exact_search(s, moved.data(), rest, 2, budget);
    moved[first.feature] = row[first.feature];
    for (const Found& pair : inner.found) {
      if (pair.changes.size() != 2) continue;  // one more feature: a pair the exact search has seen
      Found three{pair.changes, pair.cost + first.cost, false};
      three.changes.push_back(first);
      std::sort(three.changes.begin(), three.changes.end(),
                [](const FeatureChange& x, const FeatureChange& y) { return x.feature < y.feature; });
      const std::vector<std::size_t> set = features_of(three.changes);
      bool cheapest = true;
      for (std::size_t drop = 0; drop < 3; ++drop) {  // cheaper than every answer on fewer of its features
        std::vector<std::size_t> sub = set;
        sub.erase(sub.begin() + static_cast<std::ptrdiff_t>(drop));
        for (const auto& part : {sub, std::vector<std::size_t>{sub[0]}, std::vector<std::size_t>{sub[1]}}) {
          const auto known = r.best.find(part);
          if (known != r.best.end() && known->second <= three.cost) cheapest = false;
        }
      }
      const auto same = std::find_if(extra.begin(), extra.end(), [&](const Found& f) { return features_of(f.changes) == set; });
      if (!cheapest) continue;
      if (same == extra.end()) {
        extra.push_back(std::move(three));
      } else if (three.cost < same->cost) {
        *same = std::move(three);
      }
    }
  }
  for (Found& f : extra) r.found.push_back(std::move(f));
}

}  // namespace

std::vector<Counterfactual> CounterfactualSearch::find(const float* row, const CounterfactualOptions& o) const {
  if (o.max_features < 1 || o.max_features > 3) {
    throw Error("counterfactual: max_features must be 1, 2 or 3 (3 is a heuristic), not " + std::to_string(o.max_features));
  }
  if (o.answers < 1) throw Error("counterfactual: answers must be at least 1");
  const std::size_t n = schema_.features.size();
  if (!o.immutable.empty() && o.immutable.size() != n) {
    throw Error("counterfactual: immutable has " + std::to_string(o.immutable.size()) + " entries for " + std::to_string(n) +
                " features");
  }
  const bool regression = schema_.task == Task::Regression;
  const bool multiclass = schema_.task == Task::Multiclass;
  if (regression && !(o.goal.target_delta != 0 && std::isfinite(o.goal.target_delta))) {
    throw Error("counterfactual: a regression model needs target_delta, the move of the prediction asked for (not 0)");
  }
  if (!regression && o.goal.target_delta != 0) {
    throw Error(std::string("counterfactual: target_delta is for regression models; ") +
                (multiclass ? "a multi-class decision flips when another class becomes the top one" : "a binary decision flips at its threshold"));
  }
  if (!regression && !(o.goal.threshold >= 0 && o.goal.threshold <= 1)) {
    throw Error("counterfactual: threshold must be a probability from 0 to 1");
  }
  const int k = classes_of(forest_);
  std::vector<double> m0(static_cast<std::size_t>(k));
  predict_class_margins(forest_, row, m0.data());
  Goal goal{forest_.link, !regression && !multiclass, false, o.goal.threshold, multiclass ? 0.0 : apply_link(forest_.link, m0[0]),
            o.goal.target_delta, 1};
  if (multiclass) {
    goal.classes = k;
    goal.top = predicted_class(m0.data(), k);
    double other = -kInf;
    for (int c = 0; c < k; ++c) {
      if (c != goal.top) other = std::max(other, m0[static_cast<std::size_t>(c)]);
    }
    goal.gap0 = m0[static_cast<std::size_t>(goal.top)] - other;
  } else {
    goal.was_positive = !regression && above_threshold(goal.p0, goal.threshold);
    goal.direction = regression ? (o.goal.target_delta > 0 ? 1 : -1) : (goal.was_positive ? -1 : 1);
  }
  std::vector<bool> fixed(n);
  for (std::size_t f = 0; f < n; ++f) {
    fixed[f] = schema_.features[f].immutable || (!o.immutable.empty() && o.immutable[f]) || std::isnan(row[f]);
  }
  const SearchContext s{*this, forest_, cut_, goal, o.answers};
  ExactResult r = exact_search(s, row, fixed, std::min(o.max_features, 2), kInf);
  if (o.max_features >= 3) three_feature_heuristic(s, row, fixed, r);
  std::sort(r.found.begin(), r.found.end(), [](const Found& x, const Found& y) {
    return x.cost != y.cost ? x.cost < y.cost : features_of(x.changes) < features_of(y.changes);  // ties: by features
  });
  std::vector<Counterfactual> out;
  std::vector<float> changed(row, row + n);
  std::vector<double> margins(static_cast<std::size_t>(k)), p(margins.size());
  for (const Found& f : r.found) {
    if (out.size() == o.answers) break;
    for (const FeatureChange& c : f.changes) changed[c.feature] = c.to;
    predict_class_margins(forest_, changed.data(), margins.data());
    for (const FeatureChange& c : f.changes) changed[c.feature] = c.from;
    if (!goal.reaches(margins.data())) continue;  // the grid's sum and the forest's disagree in the last bit
    if (multiclass) {  // the new predicted class: its margin and probability
      const int top = predicted_class(margins.data(), k);
      softmax(margins.data(), k, p.data());
      out.push_back({f.changes, f.cost, margins[static_cast<std::size_t>(top)], p[static_cast<std::size_t>(top)], f.exact, top});
    } else {
      out.push_back({f.changes, f.cost, margins[0], apply_link(forest_.link, margins[0]), f.exact, -1});
    }
  }
  return out;
}

}  // namespace verdict
