#include "knn_vote.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>

#include "error.h"

namespace verdict {

namespace {

constexpr std::uint32_t kLeafSize = 8;  // distinct points per leaf

// The one distance: Σ_f (q_f − p_f)², summed in feature order (the brute-force oracle and the
// box bound use the same order, so equal distances stay equal and the bound never exceeds it).
double squared_distance(const double* q, const double* p, std::size_t cols) {
  double s = 0;
  for (std::size_t f = 0; f < cols; ++f) {
    const double t = q[f] - p[f];
    s += t * t;
  }
  return s;
}

// -1, 0, 1 as row a sorts before, equal to, or after row b (lexicographic).
int compare_rows(const double* a, const double* b, std::size_t cols) {
  for (std::size_t f = 0; f < cols; ++f) {
    if (a[f] < b[f]) return -1;
    if (b[f] < a[f]) return 1;
  }
  return 0;
}

}  // namespace

KnnVote::KnnVote(const std::vector<double>& points, std::size_t cols, const std::vector<bool>& positive, int k)
    : cols_(cols), k_(k), positive_(positive) {
  const std::size_t n = positive.size();
  if (cols == 0) throw Error("k-NN: the points have no features");
  if (points.size() != n * cols) {
    throw Error("k-NN: " + std::to_string(points.size()) + " values for " + std::to_string(n) + " points of " +
                std::to_string(cols) + " features");
  }
  if (n >= std::numeric_limits<std::uint32_t>::max()) throw Error("k-NN: too many points");
  if (k < 1 || static_cast<std::size_t>(k) > n) {
    throw Error("k-NN: k = " + std::to_string(k) + " needs between 1 and " + std::to_string(n) + " neighbours");
  }

  // Group equal points: sort by (values, index), so each group's members come out ascending.
  std::vector<std::uint32_t> by_value(n);
  std::iota(by_value.begin(), by_value.end(), 0u);
  const double* base = points.data();
  std::sort(by_value.begin(), by_value.end(), [&](std::uint32_t a, std::uint32_t b) {
    const int c = compare_rows(base + a * cols, base + b * cols, cols);
    return c != 0 ? c < 0 : a < b;
  });
  std::vector<double> distinct;
  std::vector<std::uint32_t> group_first, group_count, group_pos;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t p = by_value[i];
    if (i == 0 || compare_rows(base + by_value[i - 1] * cols, base + p * cols, cols) != 0) {
      distinct.insert(distinct.end(), base + p * cols, base + (p + 1) * cols);
      group_first.push_back(static_cast<std::uint32_t>(i));
      group_count.push_back(0);
      group_pos.push_back(0);
    }
    group_count.back() += 1;
    group_pos.back() += positive[p];
  }

  // The k-d tree over the distinct points, then every per-point array in tree order.
  const auto m = static_cast<std::uint32_t>(group_count.size());
  std::vector<std::uint32_t> order(m);
  std::iota(order.begin(), order.end(), 0u);
  build(order, 0, m, distinct);
  coord_.resize(distinct.size());
  count_.resize(m);
  positives_.resize(m);
  first_.resize(m + 1);
  members_.reserve(n);
  for (std::uint32_t i = 0; i < m; ++i) {
    const std::uint32_t g = order[i];
    std::copy(distinct.begin() + g * cols, distinct.begin() + (g + 1) * cols, coord_.begin() + i * cols);
    count_[i] = group_count[g];
    positives_[i] = group_pos[g];
    first_[i] = static_cast<std::uint32_t>(members_.size());
    members_.insert(members_.end(), by_value.begin() + group_first[g], by_value.begin() + group_first[g] + group_count[g]);
  }
  first_[m] = static_cast<std::uint32_t>(members_.size());
}

std::int32_t KnnVote::build(std::vector<std::uint32_t>& order, std::uint32_t begin, std::uint32_t end,
                            const std::vector<double>& distinct) {
  const auto id = static_cast<std::int32_t>(nodes_.size());
  nodes_.push_back(Node{begin, end});
  box_.resize(box_.size() + 2 * cols_);
  double* lo = &box_[2 * cols_ * id];
  double* hi = lo + cols_;
  std::copy_n(&distinct[order[begin] * cols_], cols_, lo);
  std::copy_n(&distinct[order[begin] * cols_], cols_, hi);
  for (std::uint32_t i = begin + 1; i < end; ++i) {
    const double* p = &distinct[order[i] * cols_];
    for (std::size_t f = 0; f < cols_; ++f) {
      lo[f] = std::min(lo[f], p[f]);
      hi[f] = std::max(hi[f], p[f]);
    }
  }
  if (end - begin <= kLeafSize) return id;
  std::size_t feature = 0;
  for (std::size_t f = 1; f < cols_; ++f) {
    if (hi[f] - lo[f] > hi[feature] - lo[feature]) feature = f;
  }
  const std::uint32_t mid = begin + (end - begin) / 2;
  std::nth_element(order.begin() + begin, order.begin() + mid, order.begin() + end,
                   [&](std::uint32_t a, std::uint32_t b) {
                     return distinct[a * cols_ + feature] < distinct[b * cols_ + feature];
                   });
  const double split = distinct[order[mid] * cols_ + feature];
  const std::int32_t left = build(order, begin, mid, distinct);
  const std::int32_t right = build(order, mid, end, distinct);
  Node& node = nodes_[id];
  node.left = left;
  node.right = right;
  node.split_feature = static_cast<std::uint32_t>(feature);
  node.split_value = split;
  return id;
}

// A lower bound on the distance from `query` to any point in the node's box: each feature's gap
// to the box is at most that to the point, so every term, and the sum in the same order, is too.
double KnnVote::box_distance(std::size_t node, const double* query) const {
  const double* lo = &box_[2 * cols_ * node];
  const double* hi = lo + cols_;
  double s = 0;
  for (std::size_t f = 0; f < cols_; ++f) {
    double t = 0;
    if (query[f] < lo[f]) {
      t = query[f] - lo[f];
    } else if (query[f] > hi[f]) {
      t = query[f] - hi[f];
    }
    s += t * t;
  }
  return s;
}

// `best` holds distinct points by ascending distance (equal distances in the order found),
// cut after the first distance at which they hold k points; `worst` is that distance (+∞
// until then). Points at exactly `worst` stay: the lowest indices among them are chosen last.
void KnnVote::insert(std::vector<Candidate>& best, double& worst, double dist, std::uint32_t id) const {
  const auto at = std::upper_bound(best.begin(), best.end(), dist,
                                   [](double d, const Candidate& c) { return d < c.dist; });
  best.insert(at, Candidate{dist, id});
  std::size_t points = 0;
  for (std::size_t i = 0; i < best.size(); ++i) {
    points += count_[best[i].id];
    if (points < static_cast<std::size_t>(k_)) continue;
    worst = best[i].dist;
    std::size_t keep = i + 1;
    while (keep < best.size() && best[keep].dist == worst) ++keep;
    best.resize(keep);
    return;
  }
}

void KnnVote::search(std::int32_t id, const double* query, std::vector<Candidate>& best, double& worst) const {
  const Node& node = nodes_[id];
  if (box_distance(static_cast<std::size_t>(id), query) > worst) return;
  if (node.left < 0) {
    for (std::uint32_t i = node.begin; i < node.end; ++i) {
      const double d = squared_distance(query, &coord_[i * cols_], cols_);
      if (d <= worst) insert(best, worst, d, i);
    }
    return;
  }
  const bool left_first = query[node.split_feature] < node.split_value;
  search(left_first ? node.left : node.right, query, best, worst);
  search(left_first ? node.right : node.left, query, best, worst);
}

std::uint32_t KnnVote::leaf_rank(const double* query) const {
  std::int32_t id = 0;
  while (nodes_[id].left >= 0) {
    const Node& node = nodes_[id];
    id = query[node.split_feature] < node.split_value ? node.left : node.right;
  }
  return nodes_[id].begin;
}

int KnnVote::positives(const double* query) const {
  std::vector<Candidate> best;
  best.reserve(16);
  double worst = std::numeric_limits<double>::infinity();
  search(0, query, best, worst);

  int taken = 0, votes = 0;
  std::size_t i = 0;
  for (; i < best.size() && best[i].dist < worst; ++i) {
    taken += static_cast<int>(count_[best[i].id]);
    votes += static_cast<int>(positives_[best[i].id]);
  }
  const int need = k_ - taken;  // from the points at exactly `worst`: the lowest indices
  std::size_t tied = 0;
  for (std::size_t j = i; j < best.size(); ++j) tied += count_[best[j].id];
  if (tied == static_cast<std::size_t>(need)) {
    for (std::size_t j = i; j < best.size(); ++j) votes += static_cast<int>(positives_[best[j].id]);
    return votes;
  }
  std::vector<std::uint32_t> lowest;
  for (std::size_t j = i; j < best.size(); ++j) {
    const std::uint32_t id = best[j].id;
    const std::uint32_t take = std::min<std::uint32_t>(count_[id], static_cast<std::uint32_t>(need));
    lowest.insert(lowest.end(), members_.begin() + first_[id], members_.begin() + first_[id] + take);
  }
  std::partial_sort(lowest.begin(), lowest.begin() + need, lowest.end());
  for (int j = 0; j < need; ++j) votes += positive_[lowest[j]];
  return votes;
}

}  // namespace verdict
