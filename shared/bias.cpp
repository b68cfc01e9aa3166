#include "bias.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <utility>

#include "error.h"

namespace verdict {

double clarify_divide(double a, double b) {
  if (b == 0 && a == 0) return 0.0;
  if (b == 0) return a < 0 ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  return a / b;
}

const BiasMetric& BiasResult::get(std::string_view name) const {
  for (const BiasMetric& m : metrics) {
    if (m.name == name) return m;
  }
  throw Error("no bias metric named '" + std::string(name) + "'");
}

namespace {

std::string fmt(double v) {
  if (std::isinf(v)) return v > 0 ? "+infinity" : "-infinity";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

double as_double(std::size_t v) { return static_cast<double>(v); }

// One metric under construction: its divisions leave notes when a denominator is 0.
class Metric {
 public:
  Metric(const char* name, const char* description) {
    m_.name = name;
    m_.description = description;
  }
  // `what` = a/b by Clarify's rule; notes "what = a/0 ..." when b = 0.
  double div(const std::string& what, double a, double b) {
    if (b == 0) note(what + " = " + fmt(a) + "/0" + (a == 0 ? ", taken as 0" : " = " + fmt(clarify_divide(a, b))));
    return clarify_divide(a, b);
  }
  // x − y (or y − x with `swap`), where both may be +infinity: Clarify takes ∞ − ∞ as 0.
  double diff(double x, double y) {
    if (std::isinf(x) && std::isinf(y) && x == y) {
      note("both terms are " + fmt(x) + ", so " + m_.name + " is taken as 0");
      return 0.0;
    }
    return x - y;
  }
  void note(const std::string& text) { m_.note += (m_.note.empty() ? "" : "; ") + text; }
  BiasMetric done(double value) {
    m_.value = value;
    return m_;
  }
  BiasMetric fail(const std::string& why) {
    m_.value = std::numeric_limits<double>::quiet_NaN();
    m_.error = why;
    return m_;
  }

 private:
  BiasMetric m_;
};

// Checks the input and counts the rows of each facet.
FacetCounts count(const BiasInput& in, bool post) {
  FacetCounts c;
  c.n = in.facet.size();
  if (in.label.size() != c.n) {
    throw Error("bias: " + std::to_string(in.label.size()) + " labels for " + std::to_string(c.n) + " rows");
  }
  if (post && in.predicted.size() != c.n) {
    throw Error("bias: " + std::to_string(in.predicted.size()) + " predicted labels for " + std::to_string(c.n) + " rows");
  }
  if (!in.group.empty() && in.group.size() != c.n) {
    throw Error("bias: " + std::to_string(in.group.size()) + " group ids for " + std::to_string(c.n) + " rows");
  }
  if (post && in.features.size() != c.n * in.feature_count) {
    throw Error("bias: " + std::to_string(in.features.size()) + " feature values for " + std::to_string(c.n) +
                " rows of " + std::to_string(in.feature_count) + " features");
  }
  if (c.n == 0) throw Error("bias: there are no rows to measure");
  for (std::size_t i = 0; i < c.n; ++i) {
    const bool d = in.facet[i], y = in.label[i];
    (d ? c.n_d : c.n_a) += 1;
    if (y) (d ? c.n_d_pos : c.n_a_pos) += 1;
    if (!post) continue;
    const bool yhat = in.predicted[i];
    if (yhat) (d ? c.n_d_pred_pos : c.n_a_pred_pos) += 1;
    Confusion& cm = d ? c.d : c.a;
    (y ? (yhat ? cm.tp : cm.fn) : (yhat ? cm.fp : cm.tn)) += 1;
  }
  if (c.n_d == 0) throw Error("the facet is empty: no row belongs to facet d");
  if (c.n_a == 0) throw Error("every row belongs to the facet: facet a (the rest) is empty, nothing to compare with");
  if (!in.group.empty()) {
    std::vector<int> ids = in.group;
    std::sort(ids.begin(), ids.end());
    c.groups = static_cast<std::size_t>(std::unique(ids.begin(), ids.end()) - ids.begin());
  }
  return c;
}

// ---- pre-training -------------------------------------------------------------------------

// The label distributions of the two facets over the outcomes {negative, positive}, keeping
// only the outcomes that occur in both (smclarify's pdfs_aligned_nonzero): an outcome that
// one facet never has is left out of KL, JS, LP, TVD and KS, and noted.
struct Aligned {
  std::vector<double> pa, pd;
  std::string note;
};

Aligned aligned_label_pdfs(const FacetCounts& c) {
  Aligned r;
  const double pa[2] = {as_double(c.n_a - c.n_a_pos) / as_double(c.n_a), as_double(c.n_a_pos) / as_double(c.n_a)};
  const double pd[2] = {as_double(c.n_d - c.n_d_pos) / as_double(c.n_d), as_double(c.n_d_pos) / as_double(c.n_d)};
  const char* outcome[2] = {"negative", "positive"};
  for (int x = 0; x < 2; ++x) {
    if (pa[x] > 0 && pd[x] > 0) {
      r.pa.push_back(pa[x]);
      r.pd.push_back(pd[x]);
    } else if (pa[x] > 0 || pd[x] > 0) {
      r.note = std::string("no ") + outcome[x] + " label in facet " + (pa[x] > 0 ? "d" : "a") +
               ": that outcome is left out, as smclarify does";
    }
  }
  return r;
}

// Runs one of the distribution metrics over the aligned distributions.
template <class F>
BiasMetric distribution_metric(const char* name, const char* description, const Aligned& p, F f) {
  Metric m(name, description);
  if (p.pa.empty()) return m.fail("no label outcome occurs in both facets");
  if (!p.note.empty()) m.note(p.note);
  return m.done(f(p.pa, p.pd));
}

// Conditional demographic disparity over `outcome` (labels for CDDL, predictions for CDDPL):
//   CDD = Σ_g n_g·DD_g / Σ_g n_g,  DD_g = D_g − A_g,
//   D_g = (negatives in d and g)/(negatives in g),  A_g = (positives in d and g)/(positives in g);
// a group with no negatives (positives) has D_g (A_g) = 0.
BiasMetric cdd(const char* name, const char* description, const BiasInput& in,
               const std::vector<bool>& outcome, const char* what) {
  Metric m(name, description);
  if (in.group.empty()) return m.fail("needs a group variable (a group column)");
  struct G {
    std::size_t n = 0, pos = 0, pos_d = 0, neg = 0, neg_d = 0;
  };
  std::map<int, G> groups;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < in.group.size(); ++i) {
    G& g = groups[in.group[i]];
    g.n += 1;
    if (outcome[i]) {
      g.pos += 1, pos += 1;
      if (in.facet[i]) g.pos_d += 1;
    } else {
      g.neg += 1;
      if (in.facet[i]) g.neg_d += 1;
    }
  }
  if (pos == 0) return m.fail(std::string("no positive ") + what + " in the data");
  if (pos == in.group.size()) return m.fail(std::string("no negative ") + what + " in the data");
  double weighted = 0, total = 0;
  std::size_t no_pos = 0, no_neg = 0;
  for (const auto& [id, g] : groups) {
    const double a = g.pos ? as_double(g.pos_d) / as_double(g.pos) : 0.0;  // A_g
    const double d = g.neg ? as_double(g.neg_d) / as_double(g.neg) : 0.0;  // D_g
    no_pos += g.pos == 0;
    no_neg += g.neg == 0;
    weighted += as_double(g.n) * (d - a);
    total += as_double(g.n);
  }
  if (no_pos) m.note(std::to_string(no_pos) + " group(s) without a positive " + what + ": A = 0/0 taken as 0");
  if (no_neg) m.note(std::to_string(no_neg) + " group(s) without a negative " + what + ": D = 0/0 taken as 0");
  return m.done(m.div("CDD", weighted, total));
}

// ---- post-training ------------------------------------------------------------------------

// The Flip Test: a k-nearest-neighbour classifier fitted on facet a's rows and their
// predicted labels (shared/flip_test) labels every row of facet d; then
//   FT = (#{d: ŷ = 1, kNN = 0} − #{d: ŷ = 0, kNN = 1}) / n_d.
BiasMetric flip_test(const BiasInput& in, FacetCounts& c, const FlipTestRunner& run) {
  Metric m("FT", "Flip Test (FT)");
  c.flip.k = flip_test_neighbours(c.n_a);
  const FlipTest test(in.facet, in.predicted, in.features, in.feature_count);
  if (!test.error().empty()) return m.fail(test.error());
  if (test.filled()) m.note(std::to_string(test.filled()) + " missing feature value(s) filled with the column mean");
  c.flip = run ? run(test) : test.count(0, test.rows());
  const double flips = as_double(c.flip.model_pos_knn_neg) - as_double(c.flip.model_neg_knn_pos);
  return m.done(m.div("FT", flips, as_double(c.n_d)));
}

// Generalized entropy index with α = 2 over every row, benefit b = ŷ − y + 1 ∈ {0, 1, 2}:
//   GE = Σ_i ((b_i/μ)^α − 1) / (n·α·(α−1)),  μ = mean benefit.
BiasMetric generalized_entropy(const BiasInput& in) {
  Metric m("GE", "Generalized Entropy (GE)");
  const double alpha = 2;
  const std::size_t n = in.label.size();
  double sum_b = 0;
  for (std::size_t i = 0; i < n; ++i) sum_b += double(in.predicted[i]) - double(in.label[i]) + 1;
  const double mu = sum_b / as_double(n);
  if (mu == 0) return m.fail("every prediction is a false negative (mean benefit 0)");
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double b = double(in.predicted[i]) - double(in.label[i]) + 1;
    s += std::pow(b / mu, alpha) - 1;
  }
  return m.done(s / (as_double(n) * alpha * (alpha - 1)));
}

void sort_by_name(std::vector<BiasMetric>& metrics) {
  std::sort(metrics.begin(), metrics.end(),
            [](const BiasMetric& x, const BiasMetric& y) { return x.name < y.name; });
}

}  // namespace

BiasResult pre_training_bias(const BiasInput& in) {
  BiasResult r;
  r.counts = count(in, false);
  const FacetCounts& c = r.counts;
  const double na = as_double(c.n_a), nd = as_double(c.n_d);
  auto& out = r.metrics;

  {  // CI = (n_a − n_d) / (n_a + n_d)
    Metric m("CI", "Class Imbalance (CI)");
    out.push_back(m.done((na - nd) / (na + nd)));
  }
  {  // DPL = q_a − q_d,  q = n(1)/n
    Metric m("DPL", "Difference in Positive Proportions in Labels (DPL)");
    out.push_back(m.done(as_double(c.n_a_pos) / na - as_double(c.n_d_pos) / nd));
  }
  const Aligned p = aligned_label_pdfs(c);
  // KL = Σ_x Pa(x)·log(Pa(x)/Pd(x))
  out.push_back(distribution_metric("KL", "Kullback-Leibler Divergence (KL)", p, [](const auto& pa, const auto& pd) {
    double s = 0;
    for (std::size_t x = 0; x < pa.size(); ++x) s += pa[x] * std::log(pa[x] / pd[x]);
    return s;
  }));
  // JS = ½·[Σ Pa·log(Pa/P) + Σ Pd·log(Pd/P)],  P = ½(Pa + Pd)
  out.push_back(distribution_metric("JS", "Jensen-Shannon Divergence (JS)", p, [](const auto& pa, const auto& pd) {
    double s = 0;
    for (std::size_t x = 0; x < pa.size(); ++x) {
      const double mid = (pa[x] + pd[x]) / 2;
      s += pa[x] * std::log(pa[x] / mid) + pd[x] * std::log(pd[x] / mid);
    }
    return s / 2;
  }));
  // LP = (Σ_x |Pa(x) − Pd(x)|²)^½  (p = 2)
  out.push_back(distribution_metric("LP", "L-p Norm (LP)", p, [](const auto& pa, const auto& pd) {
    double s = 0;
    for (std::size_t x = 0; x < pa.size(); ++x) s += (pa[x] - pd[x]) * (pa[x] - pd[x]);
    return std::sqrt(s);
  }));
  // TVD = ½·Σ_x |Pa(x) − Pd(x)|
  out.push_back(distribution_metric("TVD", "Total Variation Distance (TVD)", p, [](const auto& pa, const auto& pd) {
    double s = 0;
    for (std::size_t x = 0; x < pa.size(); ++x) s += std::fabs(pa[x] - pd[x]);
    return s / 2;
  }));
  // KS = max_x |Pa(x) − Pd(x)|
  out.push_back(distribution_metric("KS", "Kolmogorov-Smirnov Distance (KS)", p, [](const auto& pa, const auto& pd) {
    double s = 0;
    for (std::size_t x = 0; x < pa.size(); ++x) s = std::max(s, std::fabs(pa[x] - pd[x]));
    return s;
  }));
  out.push_back(cdd("CDDL", "Conditional Demographic Disparity in Labels (CDDL)", in, in.label, "label"));
  sort_by_name(out);
  return r;
}

BiasResult post_training_bias(const BiasInput& in, const FlipTestRunner& run_flip_test) {
  BiasResult r;
  r.counts = count(in, true);
  FacetCounts& c = r.counts;
  const Confusion& a = c.a;
  const Confusion& d = c.d;
  const double na = as_double(c.n_a), nd = as_double(c.n_d);
  auto& out = r.metrics;
  auto f = [](std::size_t v) { return static_cast<double>(v); };

  {  // DPPL = q̂_a − q̂_d,  q̂ = n̂(1)/n
    Metric m("DPPL", "Difference in Positive Proportions in Predicted Labels (DPPL)");
    out.push_back(m.done(f(c.n_a_pred_pos) / na - f(c.n_d_pred_pos) / nd));
  }
  {  // DI = q̂_d / q̂_a
    Metric m("DI", "Disparate Impact (DI)");
    const double qa = f(c.n_a_pred_pos) / na, qd = f(c.n_d_pred_pos) / nd;
    out.push_back(m.done(m.div("q̂_d/q̂_a", qd, qa)));
  }
  {  // DCA = c_a − c_d,  c = n(1)/n̂(1)  (observed over predicted positives; Clarify's name)
    Metric m("DCA", "Difference in Conditional Acceptance (DCA)");
    const double ca = m.div("c_a = n_a(1)/n̂_a(1)", f(a.tp + a.fn), f(a.tp + a.fp));
    const double cd = m.div("c_d = n_d(1)/n̂_d(1)", f(d.tp + d.fn), f(d.tp + d.fp));
    out.push_back(m.done(m.diff(ca, cd)));
  }
  {  // DCR = r_d − r_a,  r = n(0)/n̂(0)  (observed over predicted negatives)
    Metric m("DCR", "Difference in Conditional Rejection (DCR)");
    const double ra = m.div("r_a = n_a(0)/n̂_a(0)", f(a.tn + a.fp), f(a.tn + a.fn));
    const double rd = m.div("r_d = n_d(0)/n̂_d(0)", f(d.tn + d.fp), f(d.tn + d.fn));
    out.push_back(m.done(m.diff(rd, ra)));
  }
  {  // RD = recall_a − recall_d,  recall = TP/(TP + FN)
    Metric m("RD", "Recall Difference (RD)");
    const double ra = m.div("recall_a = TP_a/(TP_a+FN_a)", f(a.tp), f(a.tp + a.fn));
    const double rd = m.div("recall_d = TP_d/(TP_d+FN_d)", f(d.tp), f(d.tp + d.fn));
    out.push_back(m.done(m.diff(ra, rd)));
  }
  {  // SD = spec_d − spec_a,  specificity = TN/(TN + FP)
    Metric m("SD", "Specificity Difference (SD)");
    const double sa = m.div("spec_a = TN_a/(TN_a+FP_a)", f(a.tn), f(a.tn + a.fp));
    const double sd = m.div("spec_d = TN_d/(TN_d+FP_d)", f(d.tn), f(d.tn + d.fp));
    out.push_back(m.done(m.diff(sd, sa)));
  }
  {  // DAR = TP_a/n̂_a(1) − TP_d/n̂_d(1)  (precision difference)
    Metric m("DAR", "Difference in Acceptance Rates (DAR)");
    const double ara = m.div("TP_a/n̂_a(1)", f(a.tp), f(a.tp + a.fp));
    const double ard = m.div("TP_d/n̂_d(1)", f(d.tp), f(d.tp + d.fp));
    out.push_back(m.done(m.diff(ara, ard)));
  }
  {  // DRR = TN_d/n̂_d(0) − TN_a/n̂_a(0)
    Metric m("DRR", "Difference in Rejection Rates (DRR)");
    const double rra = m.div("TN_a/n̂_a(0)", f(a.tn), f(a.tn + a.fn));
    const double rrd = m.div("TN_d/n̂_d(0)", f(d.tn), f(d.tn + d.fn));
    out.push_back(m.done(m.diff(rrd, rra)));
  }
  {  // AD = acc_a − acc_d,  acc = (TP + TN)/n
    Metric m("AD", "Accuracy Difference (AD)");
    out.push_back(m.done(f(a.tp + a.tn) / na - f(d.tp + d.tn) / nd));
  }
  {  // TE = FN_d/FP_d − FN_a/FP_a
    Metric m("TE", "Treatment Equality (TE)");
    const double ta = m.div("τ_a = FN_a/FP_a", f(a.fn), f(a.fp));
    const double td = m.div("τ_d = FN_d/FP_d", f(d.fn), f(d.fp));
    out.push_back(m.done(m.diff(td, ta)));
  }
  out.push_back(cdd("CDDPL", "Conditional Demographic Disparity in Predicted Labels (CDDPL)", in, in.predicted,
                    "predicted label"));
  out.push_back(flip_test(in, c, run_flip_test));
  out.push_back(generalized_entropy(in));
  sort_by_name(out);
  return r;
}

}  // namespace verdict
