#include <catch2/catch.hpp>

#include "shared/error.h"
#include "shared/review_rules.h"

using namespace verdict;

TEST_CASE("activation: threshold, negative outcome, combined any/all", "[review]") {
  ActivationConditions c;
  c.probability_below = 0.6;
  CHECK(activates(c, 0, 0.59, true));
  CHECK_FALSE(activates(c, 0, 0.6, true));
  c.predicted_negative = true;
  CHECK(activates(c, 0, 0.9, false));        // any: negative outcome alone is enough
  c.require_all = true;
  CHECK_FALSE(activates(c, 0, 0.9, false));  // all: needs both
  CHECK(activates(c, 0, 0.3, false));
}

TEST_CASE("activation: the audit sample hits about its percentage, reproducibly", "[review]") {
  ActivationConditions c;
  c.sample_percent = 10;
  c.seed = 42;
  int hits = 0;
  for (std::uint64_t row = 0; row < 20000; ++row) hits += activates(c, row, 0.5, true);
  CHECK(hits > 1800);
  CHECK(hits < 2200);
  int again = 0;
  for (std::uint64_t row = 0; row < 20000; ++row) again += activates(c, row, 0.5, true);
  CHECK(again == hits);
  c.seed = 43;
  int other = 0, both = 0;
  for (std::uint64_t row = 0; row < 20000; ++row) {
    ActivationConditions c42 = c;
    c42.seed = 42;
    const bool a = activates(c, row, 0.5, true), b = activates(c42, row, 0.5, true);
    other += a, both += a && b;
  }
  CHECK(both < other / 2);  // another seed draws another sample
}

TEST_CASE("activation conditions from JSON: validation", "[review]") {
  CHECK_THROWS_WITH(ActivationConditions::from_json(nlohmann::json::object()), Catch::Contains("at least one"));
  CHECK_THROWS_WITH(ActivationConditions::from_json({{"sample_percent", 120}}), Catch::Contains("0 to 100"));
  CHECK_THROWS_WITH(ActivationConditions::from_json({{"probability_above", 0.3}}), Catch::Contains("unknown"));
  const auto c = ActivationConditions::from_json({{"probability_below", 0.4}, {"combine", "all"}, {"predicted_negative", true}});
  CHECK(c.require_all);
  CHECK(ActivationConditions::from_json(c.to_json()).to_json() == c.to_json());
}

TEST_CASE("activation for K classes: predicted class in a set, top probability, top-two margin", "[review]") {
  const std::vector<std::string> labels = {"approve", "decline", "refer"};
  const Decision close = multiclass_decision({0.40, 0.35, 0.25}, labels);  // approve by 0.05
  const Decision sure = multiclass_decision({0.05, 0.15, 0.80}, labels);   // refer by 0.65
  CHECK(close.predicted_label == "approve");
  CHECK(close.prediction == 0.40);
  CHECK(*close.top_two_gap == Approx(0.05).epsilon(1e-12));
  CHECK(sure.predicted_label == "refer");
  CHECK(*sure.top_two_gap == Approx(0.65).epsilon(1e-12));
  CHECK(multiclass_decision({0.4, 0.4, 0.2}, labels).predicted_label == "approve");  // the first of equal ones
  CHECK(*multiclass_decision({0.4, 0.4, 0.2}, labels).top_two_gap == 0.0);

  const auto in_set = ActivationConditions::from_json({{"predicted_class_in", {"refer", "decline"}}});
  CHECK_FALSE(activates(in_set, 0, close));
  CHECK(activates(in_set, 0, sure));
  const auto gap = ActivationConditions::from_json({{"top_two_margin_below", 0.1}});
  CHECK(activates(gap, 0, close));
  CHECK_FALSE(activates(gap, 0, sure));
  const auto top = ActivationConditions::from_json({{"probability_below", 0.5}});
  CHECK(activates(top, 0, close));
  CHECK_FALSE(activates(top, 0, sure));
  const auto both = ActivationConditions::from_json(
      {{"predicted_class_in", {"approve"}}, {"top_two_margin_below", 0.1}, {"combine", "all"}});
  CHECK(activates(both, 0, close));
  CHECK_FALSE(activates(both, 0, multiclass_decision({0.7, 0.2, 0.1}, labels)));
  // Multi-class conditions never hold for a binary record; predicted_negative never for K classes.
  CHECK_FALSE(activates(in_set, 0, 0.1, false));
  CHECK_FALSE(activates(gap, 0, 0.5, false));
  CHECK_FALSE(activates(ActivationConditions::from_json({{"predicted_negative", true}}), 0, close));
  // Round trip and validation.
  CHECK(ActivationConditions::from_json(both.to_json()).to_json() == both.to_json());
  CHECK_THROWS_WITH(ActivationConditions::from_json({{"predicted_class_in", nlohmann::json::array()}}), Catch::Contains("non-empty"));
  CHECK_THROWS_WITH(ActivationConditions::from_json({{"predicted_class_in", {1, 2}}}), Catch::Contains("class labels"));
  CHECK_THROWS_WITH(ActivationConditions::from_json({{"top_two_margin_below", 0}}), Catch::Contains("above 0"));
  CHECK_THROWS_WITH(multiclass_decision({1.0}, {"a"}), Catch::Contains("one probability per class"));
}

TEST_CASE("majority and ties", "[review]") {
  CHECK(majority({"a", "b", "a"}) == std::optional<std::string>("a"));
  CHECK_FALSE(majority({"a", "b"}).has_value());
  CHECK(majority({"b"}) == std::optional<std::string>("b"));
}

TEST_CASE("agreement: Cohen's kappa for two reviewers, by hand", "[review]") {
  // 10 items. Both yes: 4, both no: 3, A yes/B no: 2, A no/B yes: 1.
  // p_o = 7/10; A yes 6/10, B yes 5/10; p_e = .6*.5 + .4*.5 = .5; kappa = (.7-.5)/(1-.5) = 0.4
  std::vector<std::vector<std::string>> r;
  for (int i = 0; i < 4; ++i) r.push_back({"y", "y"});
  for (int i = 0; i < 3; ++i) r.push_back({"n", "n"});
  for (int i = 0; i < 2; ++i) r.push_back({"y", "n"});
  r.push_back({"n", "y"});
  const Agreement a = agreement(r);
  CHECK(a.items == 10);
  CHECK(a.percent_agreement == Approx(70));
  REQUIRE(a.cohen_kappa);
  CHECK(*a.cohen_kappa == Approx(0.4));
}

TEST_CASE("agreement: Fleiss' kappa for three reviewers, by hand", "[review]") {
  // 4 items, 3 raters, categories y/n: (3,0) (0,3) (2,1) (1,2).
  // P_i = (Σ n_ij² − 3)/6: 1, 1, 1/3, 1/3 -> P̄ = 2/3. p_y = 6/12 = .5 -> P̄e = .5. kappa = (2/3 − .5)/.5 = 1/3
  const Agreement a = agreement({{"y", "y", "y"}, {"n", "n", "n"}, {"y", "y", "n"}, {"y", "n", "n"}});
  REQUIRE(a.fleiss_kappa);
  CHECK(*a.fleiss_kappa == Approx(1.0 / 3));
  CHECK_FALSE(a.cohen_kappa);
  CHECK(a.percent_agreement == Approx(200.0 / 3));
}
