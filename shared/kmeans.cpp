#include "kmeans.h"

#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "error.h"
#include "portable_random.h"

namespace verdict {

namespace {

struct Problem {
  std::size_t rows, cols;
  std::vector<double> z;  // standardised numerics, raw codes; NaN = missing
  std::vector<std::uint8_t> categorical;  // per column (faster than vector<bool> in the inner loop)
  double gamma;

  const double* row(std::size_t i) const { return z.data() + i * cols; }

  double distance(const double* a, const double* c) const {
    double d = 0;
    for (std::size_t j = 0; j < cols; ++j) {
      const bool na = std::isnan(a[j]), nc = std::isnan(c[j]);
      if (na || nc) {
        if (na != nc) d += gamma;
      } else if (categorical[j]) {
        if (a[j] != c[j]) d += gamma;
      } else {
        const double diff = a[j] - c[j];
        d += diff * diff;
      }
    }
    return d;
  }
};

struct Run {
  std::vector<double> centres;  // k × cols
  std::vector<std::size_t> assign, counts;
  double cost = 0;
};

// k-means++: the first centre uniformly, each next one with probability ∝ squared distance.
std::vector<double> seed_centres(const Problem& p, std::size_t k, std::mt19937_64& rng) {
  std::vector<double> centres;
  centres.reserve(k * p.cols);
  const std::size_t first = static_cast<std::size_t>(uniform_below(rng, p.rows));
  centres.insert(centres.end(), p.row(first), p.row(first) + p.cols);
  std::vector<double> nearest(p.rows);
  for (std::size_t i = 0; i < p.rows; ++i) nearest[i] = p.distance(p.row(i), centres.data());
  while (centres.size() < k * p.cols) {
    double total = 0;
    for (double d : nearest) total += d;
    std::size_t pick = 0;
    if (total > 0) {
      const double u = uniform01(rng) * total;
      double sum = 0;
      pick = p.rows - 1;
      for (std::size_t i = 0; i < p.rows; ++i) {
        sum += nearest[i];
        if (u < sum && nearest[i] > 0) {
          pick = i;
          break;
        }
      }
    } else {
      pick = first;  // fewer distinct rows than k: a duplicate centre that ends up empty
    }
    const std::size_t at = centres.size();
    centres.insert(centres.end(), p.row(pick), p.row(pick) + p.cols);
    for (std::size_t i = 0; i < p.rows; ++i) {
      nearest[i] = std::min(nearest[i], p.distance(p.row(i), centres.data() + at));
    }
  }
  return centres;
}

void update_centres(const Problem& p, std::size_t k, Run& r, std::vector<double>& distance) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> sum(k * p.cols, 0.0);
  std::vector<std::size_t> present(k * p.cols, 0);
  std::vector<std::map<double, std::size_t>> codes(k * p.cols);
  r.counts.assign(k, 0);
  for (std::size_t i = 0; i < p.rows; ++i) {
    const std::size_t c = r.assign[i];
    ++r.counts[c];
    const double* x = p.row(i);
    for (std::size_t j = 0; j < p.cols; ++j) {
      if (std::isnan(x[j])) continue;
      ++present[c * p.cols + j];
      if (p.categorical[j]) {
        ++codes[c * p.cols + j][x[j]];
      } else {
        sum[c * p.cols + j] += x[j];
      }
    }
  }
  for (std::size_t c = 0; c < k; ++c) {
    if (r.counts[c] == 0) {
      // An empty cluster takes the row farthest from its centre (if any row is off-centre).
      std::size_t far = 0;
      for (std::size_t i = 1; i < p.rows; ++i) {
        if (distance[i] > distance[far]) far = i;
      }
      if (distance[far] > 0) {
        std::copy(p.row(far), p.row(far) + p.cols, r.centres.begin() + static_cast<std::ptrdiff_t>(c * p.cols));
        distance[far] = 0;
      }
      continue;
    }
    for (std::size_t j = 0; j < p.cols; ++j) {
      const std::size_t at = c * p.cols + j;
      const std::size_t missing = r.counts[c] - present[at];
      double value = nan;
      if (p.categorical[j]) {
        std::size_t best = 0;  // codes ascend: a strict > keeps the smallest of tied codes
        for (const auto& [code, n] : codes[at]) {
          if (n > best) best = n, value = code;
        }
        if (best == 0 || best < missing) value = nan;  // missing wins only outright
      } else if (present[at] > 0) {
        value = sum[at] / static_cast<double>(present[at]);
      }
      r.centres[at] = value;
    }
  }
}

Run lloyd(const Problem& p, std::size_t k, int max_iterations, std::mt19937_64& rng) {
  Run r;
  r.centres = seed_centres(p, k, rng);
  r.assign.assign(p.rows, 0);
  std::vector<double> distance(p.rows, 0.0);
  for (int iteration = 0;; ++iteration) {
    bool changed = false;
    for (std::size_t i = 0; i < p.rows; ++i) {
      std::size_t best = 0;
      double best_d = std::numeric_limits<double>::infinity();
      for (std::size_t c = 0; c < k; ++c) {
        const double d = p.distance(p.row(i), r.centres.data() + c * p.cols);
        if (d < best_d) best_d = d, best = c;
      }
      if (iteration == 0 || r.assign[i] != best) changed = true;
      r.assign[i] = best;
      distance[i] = best_d;
    }
    if (!changed || iteration >= max_iterations) break;
    update_centres(p, k, r, distance);
  }
  r.counts.assign(k, 0);
  r.cost = 0;
  for (std::size_t i = 0; i < p.rows; ++i) ++r.counts[r.assign[i]], r.cost += distance[i];
  return r;
}

}  // namespace

ClusterSummary kmeans_summary(const float* x, std::size_t rows, std::size_t cols,
                              const std::vector<bool>& categorical, const KMeansOptions& options) {
  const std::size_t k = options.k;
  if (k == 0) throw Error("K-means needs K of at least 1");
  if (rows < k) {
    throw Error("K-means with K = " + std::to_string(k) + " needs at least " + std::to_string(k) +
                " rows; the data have " + std::to_string(rows));
  }
  if (categorical.size() != cols) throw Error("K-means: one categorical flag per column needed");
  if (options.restarts < 1 || options.max_iterations < 1) throw Error("K-means: restarts and iterations must be at least 1");

  const std::vector<std::uint8_t> is_categorical(categorical.begin(), categorical.end());
  Problem p{rows, cols, std::vector<double>(rows * cols), is_categorical, options.gamma};
  std::vector<double> mean(cols, 0.0), scale(cols, 1.0);
  for (std::size_t j = 0; j < cols; ++j) {
    if (categorical[j]) continue;
    double s = 0, s2 = 0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < rows; ++i) {
      const double v = x[i * cols + j];
      if (!std::isnan(v)) s += v, ++n;
    }
    if (n == 0) continue;
    mean[j] = s / static_cast<double>(n);
    for (std::size_t i = 0; i < rows; ++i) {
      const double v = x[i * cols + j];
      if (!std::isnan(v)) s2 += (v - mean[j]) * (v - mean[j]);
    }
    const double sd = std::sqrt(s2 / static_cast<double>(n));
    if (sd > 0 && std::isfinite(sd)) scale[j] = sd;
  }
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; ++j) {
      const double v = x[i * cols + j];
      p.z[i * cols + j] = categorical[j] ? v : (v - mean[j]) / scale[j];
    }
  }

  Run best;
  for (int restart = 0; restart < options.restarts; ++restart) {
    std::mt19937_64 rng(mix_seed(options.seed, static_cast<std::uint64_t>(restart)));
    Run r = lloyd(p, k, options.max_iterations, rng);
    if (restart == 0 || r.cost < best.cost) best = std::move(r);
  }

  // The centres of the final clusters from the original values (no round trip through the
  // standardised scale: a column of zeros keeps a centre of exactly 0).
  Problem raw{rows, cols, std::vector<double>(x, x + rows * cols), is_categorical, options.gamma};
  std::vector<double> no_reseed(rows, 0.0);
  update_centres(raw, k, best, no_reseed);
  ClusterSummary out;
  out.cost = best.cost;
  for (std::size_t c = 0; c < k; ++c) {
    if (best.counts[c] == 0) continue;
    for (std::size_t j = 0; j < cols; ++j) out.centres.push_back(static_cast<float>(best.centres[c * cols + j]));
    out.counts.push_back(best.counts[c]);
  }
  return out;
}

}  // namespace verdict
