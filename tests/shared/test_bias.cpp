// Bias metrics on small tables worked out by hand (the arithmetic is in the comments),
// against smclarify's definitions: facet a = every row outside facet d, 0/0 = 0, x/0 = +inf.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "shared/bias.h"
#include "shared/error.h"

using namespace verdict;

namespace {

const double inf = std::numeric_limits<double>::infinity();

// Ten rows; the first six are facet a, the last four facet d.
//   row:    0 1 2 3 4 5 | 6 7 8 9
//   label:  1 1 1 1 0 0 | 1 0 0 0     n_a = 6, n_a(1) = 4;  n_d = 4, n_d(1) = 1
//   pred:   1 1 1 0 1 0 | 1 1 0 0     n̂_a(1) = 4, n̂_d(1) = 2
//   group:  0 0 0 1 1 1 | 0 0 1 1
//   x:      0 1 2 10 11 12 | 0.4 11.9 1.2 2.1   (one feature, for the Flip Test)
// Confusion a: TP 3 (rows 0-2), FN 1 (row 3), FP 1 (row 4), TN 1 (row 5).
// Confusion d: TP 1 (row 6), FP 1 (row 7), TN 2 (rows 8, 9), FN 0.
BiasInput ten_rows() {
  BiasInput in;
  in.facet = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
  in.label = {1, 1, 1, 1, 0, 0, 1, 0, 0, 0};
  in.predicted = {1, 1, 1, 0, 1, 0, 1, 1, 0, 0};
  in.group = {0, 0, 0, 1, 1, 1, 0, 0, 1, 1};
  in.features = {0, 1, 2, 10, 11, 12, 0.4, 11.9, 1.2, 2.1};
  in.feature_count = 1;
  return in;
}

}  // namespace

TEST_CASE("clarify_divide: 0/0 is 0, x/0 is signed infinity", "[bias]") {
  CHECK(clarify_divide(0, 0) == 0.0);
  CHECK(clarify_divide(3, 0) == inf);
  CHECK(clarify_divide(-3, 0) == -inf);
  CHECK(clarify_divide(3, 4) == 0.75);
}

TEST_CASE("pre-training metrics on a hand-worked table", "[bias]") {
  const BiasResult r = pre_training_bias(ten_rows());
  CHECK(r.counts.n == 10);
  CHECK(r.counts.n_a == 6);
  CHECK(r.counts.n_d == 4);
  CHECK(r.counts.n_a_pos == 4);
  CHECK(r.counts.n_d_pos == 1);
  CHECK(r.counts.groups == 2);
  // Sorted by name, as Clarify lists them.
  std::vector<std::string> names;
  for (const BiasMetric& m : r.metrics) names.push_back(m.name);
  CHECK(names == std::vector<std::string>{"CDDL", "CI", "DPL", "JS", "KL", "KS", "LP", "TVD"});

  // CI = (n_a − n_d)/(n_a + n_d) = (6 − 4)/10 = 0.2
  CHECK(r.get("CI").value == Approx(0.2));
  CHECK(r.get("CI").description == "Class Imbalance (CI)");
  // DPL = q_a − q_d = 4/6 − 1/4 = 5/12
  CHECK(r.get("DPL").value == Approx(5.0 / 12));
  // Pa = (negative, positive) = (2/6, 4/6) = (1/3, 2/3); Pd = (3/4, 1/4).
  // KL = 1/3·ln((1/3)/(3/4)) + 2/3·ln((2/3)/(1/4)) = 1/3·ln(4/9) + 2/3·ln(8/3)
  CHECK(r.get("KL").value == Approx(std::log(4.0 / 9) / 3 + 2 * std::log(8.0 / 3) / 3));
  // P = ½(Pa + Pd) = (13/24, 11/24)
  // JS = ½·[1/3·ln(8/13) + 2/3·ln(16/11) + 3/4·ln(18/13) + 1/4·ln(6/11)]
  CHECK(r.get("JS").value == Approx(0.5 * (std::log(8.0 / 13) / 3 + 2 * std::log(16.0 / 11) / 3 +
                                           0.75 * std::log(18.0 / 13) + 0.25 * std::log(6.0 / 11))));
  // |Pa − Pd| = (5/12, 5/12): LP = √2·5/12, TVD = ½·10/12 = 5/12, KS = 5/12
  CHECK(r.get("LP").value == Approx(std::sqrt(2.0) * 5 / 12));
  CHECK(r.get("TVD").value == Approx(5.0 / 12));
  CHECK(r.get("KS").value == Approx(5.0 / 12));
  // CDDL, per group (A = share of d among positives, D = share of d among negatives):
  //   group 0 (rows 0,1,2,6,7): positives 0,1,2,6 → A = 1/4; negatives 7 → D = 1/1; DD = 0.75
  //   group 1 (rows 3,4,5,8,9): positives 3 → A = 0/1; negatives 4,5,8,9 → D = 2/4; DD = 0.5
  //   CDDL = (5·0.75 + 5·0.5)/10 = 0.625
  CHECK(r.get("CDDL").value == Approx(0.625));
  for (const BiasMetric& m : r.metrics) {
    CHECK(m.error.empty());
    CHECK(m.note.empty());
  }
}

TEST_CASE("post-training metrics on a hand-worked table", "[bias]") {
  const BiasResult r = post_training_bias(ten_rows());
  const FacetCounts& c = r.counts;
  CHECK(c.n_a_pred_pos == 4);
  CHECK(c.n_d_pred_pos == 2);
  CHECK((c.a.tp == 3 && c.a.fn == 1 && c.a.fp == 1 && c.a.tn == 1));
  CHECK((c.d.tp == 1 && c.d.fn == 0 && c.d.fp == 1 && c.d.tn == 2));
  std::vector<std::string> names;
  for (const BiasMetric& m : r.metrics) names.push_back(m.name);
  CHECK(names == std::vector<std::string>{"AD", "CDDPL", "DAR", "DCA", "DCR", "DI", "DPPL", "DRR", "FT",
                                          "GE", "RD", "SD", "TE"});

  // DPPL = q̂_a − q̂_d = 4/6 − 2/4 = 1/6
  CHECK(r.get("DPPL").value == Approx(1.0 / 6));
  // DI = q̂_d/q̂_a = (2/4)/(4/6) = 0.75
  CHECK(r.get("DI").value == Approx(0.75));
  // DCA = c_a − c_d, c = n(1)/n̂(1): 4/4 − 1/2 = 0.5
  CHECK(r.get("DCA").value == Approx(0.5));
  // DCR = r_d − r_a, r = n(0)/n̂(0): n_d(0) = 3, n̂_d(0) = 2; n_a(0) = 2, n̂_a(0) = 2 → 1.5 − 1 = 0.5
  CHECK(r.get("DCR").value == Approx(0.5));
  // RD = recall_a − recall_d = 3/(3+1) − 1/(1+0) = −0.25
  CHECK(r.get("RD").value == Approx(-0.25));
  // SD = spec_d − spec_a, spec = TN/(TN+FP): 2/(2+1) − 1/(1+1) = 1/6  (smclarify's DLA)
  CHECK(r.get("SD").value == Approx(1.0 / 6));
  // DAR = TP_a/n̂_a(1) − TP_d/n̂_d(1) = 3/4 − 1/2 = 0.25
  CHECK(r.get("DAR").value == Approx(0.25));
  // DRR = TN_d/n̂_d(0) − TN_a/n̂_a(0) = 2/2 − 1/2 = 0.5
  CHECK(r.get("DRR").value == Approx(0.5));
  // AD = acc_a − acc_d = (3+1)/6 − (1+2)/4 = −1/12
  CHECK(r.get("AD").value == Approx(-1.0 / 12));
  // TE = FN_d/FP_d − FN_a/FP_a = 0/1 − 1/1 = −1
  CHECK(r.get("TE").value == Approx(-1));
  // CDDPL on the predictions:
  //   group 0 (rows 0,1,2,6,7): predicted positives all five, d among them 6,7 → A = 2/5;
  //            no predicted negative → D = 0/0 = 0; DD = −0.4
  //   group 1 (rows 3,4,5,8,9): predicted positive 4 (a) → A = 0/1; negatives 3,5,8,9 → D = 2/4; DD = 0.5
  //   CDDPL = (5·(−0.4) + 5·0.5)/10 = 0.05
  CHECK(r.get("CDDPL").value == Approx(0.05));
  CHECK_THAT(r.get("CDDPL").note, Catch::Contains("1 group(s) without a negative predicted label"));
  // GE: b = ŷ − y + 1 = 1 1 1 0 2 1 | 1 2 1 1, Σb = 11, μ = 1.1, Σb² = 15;
  //   GE = Σ((b/μ)² − 1)/(n·2·1) = (15/1.21 − 10)/20
  CHECK(r.get("GE").value == Approx((15 / 1.21 - 10) / 20));
  // FT: n_a = 6 ≤ 9 → k = 1; the nearest a row of each d row (x) and its prediction:
  //   row 6 (0.4) → row 0 (0), ŷ 1: kNN 1, no flip
  //   row 7 (11.9) → row 5 (12), ŷ 0: model 1, kNN 0 → model_pos_knn_neg
  //   row 8 (1.2) → row 1 (1), ŷ 1: model 0, kNN 1 → model_neg_knn_pos
  //   row 9 (2.1) → row 2 (2), ŷ 1: model 0, kNN 1 → model_neg_knn_pos
  //   FT = (1 − 2)/4 = −0.25
  CHECK(c.flip.k == 1);
  CHECK(c.flip.model_pos_knn_neg == 1);
  CHECK(c.flip.model_neg_knn_pos == 2);
  CHECK(r.get("FT").value == Approx(-0.25));
  for (const BiasMetric& m : r.metrics) CHECK(m.error.empty());
}

TEST_CASE("x/0 gives signed infinity and a note; 0/0 gives 0 and a note", "[bias]") {
  // a: labels 1 0 0, predicted 0 0 0 → TP_a 0, FN_a 1, FP_a 0, TN_a 2; n̂_a(1) = 0, n̂_a(0) = 3
  // d: labels 1 0,   predicted 1 1   → TP_d 1, FP_d 1, FN_d 0, TN_d 0; n̂_d(1) = 2, n̂_d(0) = 0
  BiasInput in;
  in.facet = {0, 0, 0, 1, 1};
  in.label = {1, 0, 0, 1, 0};
  in.predicted = {0, 0, 0, 1, 1};
  in.features = {0, 1, 2, 3, 4};
  in.feature_count = 1;
  const BiasResult r = post_training_bias(in);
  // DPPL = 0/3 − 2/2 = −1
  CHECK(r.get("DPPL").value == Approx(-1));
  // DI = q̂_d/q̂_a = 1/0 = +inf
  CHECK(r.get("DI").value == inf);
  CHECK_THAT(r.get("DI").note, Catch::Contains("/0 = +infinity"));
  // DCA = c_a − c_d = n_a(1)/n̂_a(1) − 1/2 = 1/0 − 0.5 = +inf
  CHECK(r.get("DCA").value == inf);
  CHECK_THAT(r.get("DCA").note, Catch::Contains("c_a = n_a(1)/n̂_a(1) = 1/0 = +infinity"));
  // DCR = r_d − r_a = n_d(0)/n̂_d(0) − 2/3 = 1/0 − 2/3 = +inf
  CHECK(r.get("DCR").value == inf);
  // RD = 0/1 − 1/1 = −1 (no division by zero, no note)
  CHECK(r.get("RD").value == Approx(-1));
  CHECK(r.get("RD").note.empty());
  // DAR = TP_a/n̂_a(1) − TP_d/n̂_d(1) = 0/0 − 1/2 = 0 − 0.5
  CHECK(r.get("DAR").value == Approx(-0.5));
  CHECK_THAT(r.get("DAR").note, Catch::Contains("TP_a/n̂_a(1) = 0/0, taken as 0"));
  // DRR = TN_d/n̂_d(0) − TN_a/n̂_a(0) = 0/0 − 2/3 = −2/3
  CHECK(r.get("DRR").value == Approx(-2.0 / 3));
  CHECK_THAT(r.get("DRR").note, Catch::Contains("0/0, taken as 0"));
  // AD = 2/3 − 1/2 = 1/6
  CHECK(r.get("AD").value == Approx(1.0 / 6));
  // TE = FN_d/FP_d − FN_a/FP_a = 0/1 − 1/0 = −inf
  CHECK(r.get("TE").value == -inf);
  CHECK_THAT(r.get("TE").note, Catch::Contains("τ_a = FN_a/FP_a = 1/0 = +infinity"));
}

TEST_CASE("infinity minus infinity is 0, as Clarify takes it", "[bias]") {
  // Nothing predicted positive. a: labels 1 0, d: labels 1 0.
  //   c_a = n_a(1)/n̂_a(1) = 1/0, c_d = 1/0 → DCA = ∞ − ∞, taken as 0
  //   τ_a = FN_a/FP_a = 1/0, τ_d = 1/0 → TE taken as 0
  //   DI = q̂_d/q̂_a = 0/0 = 0
  //   GE: b = ŷ − y + 1 = 0 1 0 1, μ = 0.5, Σb² = 2 → (2/0.25 − 4)/(4·2) = 0.5
  BiasInput in;
  in.facet = {0, 0, 1, 1};
  in.label = {1, 0, 1, 0};
  in.predicted = {0, 0, 0, 0};
  in.features = {0, 0, 0, 0};
  in.feature_count = 1;
  const BiasResult r = post_training_bias(in);
  CHECK(r.get("DCA").value == 0);
  CHECK_THAT(r.get("DCA").note, Catch::Contains("taken as 0"));
  CHECK(r.get("TE").value == 0);
  CHECK(r.get("DI").value == 0);
  CHECK_THAT(r.get("DI").note, Catch::Contains("0/0, taken as 0"));
  CHECK(r.get("GE").value == Approx(0.5));
  // CDDPL: no predicted positive anywhere — undefined, like smclarify's "No positive labels".
  CHECK(std::isnan(r.get("CDDPL").value));
  CHECK_FALSE(r.get("CDDPL").error.empty());
}

TEST_CASE("GE is undefined when every prediction is a false negative", "[bias]") {
  // b = 0 − 1 + 1 = 0 for every row → mean benefit 0
  BiasInput in;
  in.facet = {0, 1};
  in.label = {1, 1};
  in.predicted = {0, 0};
  in.features = {0, 1};
  in.feature_count = 1;
  const BiasResult r = post_training_bias(in);
  CHECK(std::isnan(r.get("GE").value));
  CHECK_THAT(r.get("GE").error, Catch::Contains("false negative"));
}

TEST_CASE("an outcome missing from one facet is left out of KL, JS, LP, TVD, KS", "[bias]") {
  // a: labels 1 1 0 → Pa = (1/3, 2/3); d: labels 0 0 → Pd = (1, 0).
  // smclarify keeps only the outcomes non-zero in both: negative. Pa = (1/3), Pd = (1).
  //   KL = 1/3·ln(1/3);  P = 2/3: JS = ½·[1/3·ln((1/3)/(2/3)) + 1·ln(1/(2/3))]
  //   LP = KS = |1/3 − 1| = 2/3;  TVD = 1/3
  BiasInput in;
  in.facet = {0, 0, 0, 1, 1};
  in.label = {1, 1, 0, 0, 0};
  const BiasResult r = pre_training_bias(in);
  CHECK(r.get("CI").value == Approx(0.2));        // (3 − 2)/5
  CHECK(r.get("DPL").value == Approx(2.0 / 3));   // 2/3 − 0/2
  CHECK(r.get("KL").value == Approx(std::log(1.0 / 3) / 3));
  CHECK(r.get("JS").value == Approx(0.5 * (std::log(0.5) / 3 + std::log(1.5))));
  CHECK(r.get("LP").value == Approx(2.0 / 3));
  CHECK(r.get("KS").value == Approx(2.0 / 3));
  CHECK(r.get("TVD").value == Approx(1.0 / 3));
  CHECK_THAT(r.get("KL").note, Catch::Contains("no positive label in facet d"));
  // No group column: CDDL is reported as undefined, the rest still computed.
  CHECK_THAT(r.get("CDDL").error, Catch::Contains("group"));

  // a all positive, d all negative: no outcome in common → undefined.
  in.label = {1, 1, 1, 0, 0};
  const BiasResult none = pre_training_bias(in);
  CHECK_FALSE(none.get("KL").error.empty());
  CHECK(std::isnan(none.get("TVD").value));
  CHECK(none.get("DPL").value == Approx(1));
}

TEST_CASE("Flip Test uses k = 5 neighbours, or 1 when facet a has at most 9 rows", "[bias]") {
  CHECK(flip_test_neighbours(9) == 1);
  CHECK(flip_test_neighbours(10) == 5);
  // a: x = 0..9 with predictions 1 1 1 1 0 1 1 0 0 0; d: one row at x = 4.1, predicted 0.
  //   k = 5 (n_a = 10): neighbours x = 4 (0.1), 5 (0.9), 3 (1.1), 6 (1.9), 2 (2.1)
  //     → predictions 0,1,1,1,1: 4 of 5 positive → kNN 1; model 0 → FT = (0 − 1)/1 = −1
  BiasInput in;
  in.facet = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  in.label = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  in.predicted = {1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0};
  in.features = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 4.1};
  in.feature_count = 1;
  BiasResult r = post_training_bias(in);
  CHECK(r.counts.flip.k == 5);
  CHECK(r.counts.flip.model_neg_knn_pos == 1);
  CHECK(r.get("FT").value == Approx(-1));
  //   Without the row at x = 9: n_a = 9 → k = 1: nearest x = 4, predicted 0 → kNN 0, no flip, FT = 0
  in.facet.erase(in.facet.begin() + 9);
  in.label.erase(in.label.begin() + 9);
  in.predicted.erase(in.predicted.begin() + 9);
  in.features.erase(in.features.begin() + 9);
  r = post_training_bias(in);
  CHECK(r.counts.flip.k == 1);
  CHECK(r.get("FT").value == 0);
}

TEST_CASE("Flip Test: Euclidean over all features, missing values take the column mean", "[bias]") {
  // a: (0, 0) predicted 1, (0, 9) predicted 0; d: (0, missing) predicted 0, (0, 9) predicted 0.
  // Column 2's mean over all rows = (0 + 9 + 9)/3 = 6, so the first d row is (0, 6):
  //   distance 6 to (0, 0), 3 to (0, 9) → nearest predicted 0 → no flip (as 0 it would flip).
  // Second d row (0, 9) → (0, 9), predicted 0 → no flip. FT = 0/2 = 0.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  BiasInput in;
  in.facet = {0, 0, 1, 1};
  in.label = {1, 0, 0, 0};
  in.predicted = {1, 0, 0, 0};
  in.features = {0, 0, 0, 9, 0, nan, 0, 9};
  in.feature_count = 2;
  BiasResult r = post_training_bias(in);
  CHECK(r.get("FT").value == 0);
  CHECK_THAT(r.get("FT").note, Catch::Contains("1 missing feature value(s)"));
  // The second feature decides: (0, 0) first d row → nearest (0, 0) predicted 1 → model 0,
  // kNN 1 → FT = (0 − 1)/2 = −0.5.
  in.features[5] = 0;
  r = post_training_bias(in);
  CHECK(r.get("FT").value == Approx(-0.5));
  // Equally distant neighbours: the earlier row wins. d row at 1 between a rows at 0 (ŷ 0)
  // and 2 (ŷ 1) → row 0 → kNN 0 = model 0 → FT = 0; with the a rows swapped → kNN 1 → FT = −1.
  BiasInput tie;
  tie.facet = {0, 0, 1};
  tie.label = {0, 1, 0};
  tie.predicted = {0, 1, 0};
  tie.features = {0, 2, 1};
  tie.feature_count = 1;
  CHECK(post_training_bias(tie).get("FT").value == 0);
  tie.predicted = {1, 0, 0};
  CHECK(post_training_bias(tie).get("FT").value == Approx(-1));
}

TEST_CASE("an empty facet, an empty rest, or mismatched sizes are clear errors", "[bias]") {
  BiasInput in;
  in.label = {1, 0, 1};
  in.predicted = {1, 0, 0};
  in.features = {1, 2, 3};
  in.feature_count = 1;
  in.facet = {0, 0, 0};
  CHECK_THROWS_WITH(pre_training_bias(in), Catch::Contains("the facet is empty"));
  CHECK_THROWS_WITH(post_training_bias(in), Catch::Contains("the facet is empty"));
  in.facet = {1, 1, 1};
  CHECK_THROWS_WITH(pre_training_bias(in), Catch::Contains("facet a (the rest) is empty"));
  in.facet = {0, 1};
  CHECK_THROWS_AS(pre_training_bias(in), Error);
  in.facet = {};
  in.label = {};
  CHECK_THROWS_AS(pre_training_bias(in), Error);
  CHECK_THROWS_WITH(pre_training_bias(ten_rows()).get("XX"), Catch::Contains("no bias metric named 'XX'"));
}
