#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "random_forest.h"
#include "shared/counterfactual.h"
#include "shared/predict.h"

using namespace verdict;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Five features: 0, 1 and 4 numeric in [0, 1]; 2 whole numbers 0..10; 3 a category of 5.
Schema test_schema(Task task, std::mt19937& rng) {
  std::uniform_real_distribution<double> spread(0.05, 0.5);
  Schema s;
  s.task = task;
  s.target = "y";
  if (task == Task::Binary) s.labels = {"no", "yes"}, s.positive_label = "yes";
  if (task == Task::Multiclass) s.labels = {"approve", "decline", "refer"};
  for (int f = 0; f < 5; ++f) {
    Column c;
    c.name = "x" + std::to_string(f);
    c.min = 0, c.max = 1, c.spread = spread(rng);
    if (f == 2) c.max = 10, c.integer = true;
    if (f == 3) c.kind = ColumnKind::Categorical, c.categories = {"a", "b", "c", "d", "e"}, c.max = 4, c.spread = 1;
    s.features.push_back(c);
  }
  return s;
}

// The random forests split every feature in [0, 1]; the whole-number feature (0..10) and the
// category codes (0..4) get thresholds across their range, so they have several cells.
Forest spread_thresholds(Forest f) {
  for (std::size_t n = 0; n < f.num_nodes(); ++n) {
    if (f.is_leaf(static_cast<std::int32_t>(n))) continue;
    if (f.feature[n] == 2) f.threshold[n] *= 10.0f;
    if (f.feature[n] == 3) f.threshold[n] *= 4.0f;
  }
  return f;
}

std::vector<float> random_row(std::mt19937& rng) {
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::uniform_int_distribution<int> whole(0, 10), code(0, 4);
  std::vector<float> row = {unit(rng), unit(rng), static_cast<float>(whole(rng)), static_cast<float>(code(rng)), unit(rng)};
  if (unit(rng) < 0.15f) row[4] = std::nanf("");  // a missing value is never filled in
  return row;
}

// Every value a feature can take where its cost is least within a stretch of constant margin:
// each split threshold and the float just below it, the ends of the range, rounded both ways
// for a whole-number column; within the range. A brute force needs no cells.
std::vector<float> brute_values(const Forest& forest, const Column& c, std::size_t f) {
  std::set<double> raw = {c.min, c.max};
  for (std::size_t n = 0; n < forest.num_nodes(); ++n) {
    if (forest.is_leaf(static_cast<std::int32_t>(n)) || static_cast<std::size_t>(forest.feature[n]) != f) continue;
    raw.insert(forest.threshold[n]);
    raw.insert(std::nextafter(forest.threshold[n], -std::numeric_limits<float>::infinity()));
  }
  const bool whole = c.integer || c.kind == ColumnKind::Categorical;
  std::set<float> out;
  for (double v : raw) {
    for (double w : whole ? std::vector<double>{std::floor(v), std::ceil(v)} : std::vector<double>{v}) {
      if (w >= c.min && w <= c.max) out.insert(static_cast<float>(w));
    }
  }
  return {out.begin(), out.end()};
}

double change_cost(const Column& c, float from, float to) {
  return c.kind == ColumnKind::Categorical ? 1.0 : std::fabs(static_cast<double>(to) - from) / c.spread;
}

// The brute force: for every set of up to k changeable features, the cheapest assignment (every
// one of them changed) that reaches the goal; a set is kept when cheaper than every answer on
// fewer of its features; the `answers` cheapest costs.
std::vector<double> brute_force_costs(const Forest& forest, const Schema& schema, const std::vector<float>& row,
                                      const std::vector<bool>& fixed, int k, std::size_t answers,
                                      const std::function<bool(const float*)>& reaches) {
  const std::size_t n = row.size();
  std::vector<std::vector<float>> values(n);
  std::vector<std::size_t> free;
  for (std::size_t f = 0; f < n; ++f) {
    if (fixed[f] || std::isnan(row[f])) continue;
    for (float v : brute_values(forest, schema.features[f], f)) {
      if (v != row[f]) values[f].push_back(v);
    }
    free.push_back(f);
  }
  std::map<std::vector<std::size_t>, double> best;
  std::vector<float> x = row;
  auto try_set = [&](const std::vector<std::size_t>& set) {
    double cheapest = kInf;
    std::vector<std::size_t> at(set.size(), 0);
    if (std::any_of(set.begin(), set.end(), [&](std::size_t f) { return values[f].empty(); })) return;
    while (true) {
      double cost = 0;
      for (std::size_t i = 0; i < set.size(); ++i) {
        x[set[i]] = values[set[i]][at[i]];
        cost += change_cost(schema.features[set[i]], row[set[i]], x[set[i]]);
      }
      if (cost < cheapest && reaches(x.data())) cheapest = cost;
      std::size_t i = 0;
      while (i < set.size() && ++at[i] == values[set[i]].size()) at[i++] = 0;
      if (i == set.size()) break;
    }
    for (std::size_t f : set) x[f] = row[f];
    if (cheapest < kInf) best[set] = cheapest;
  };
  for (std::size_t a = 0; a < free.size(); ++a) {
    try_set({free[a]});
    for (std::size_t b = a + 1; k >= 2 && b < free.size(); ++b) try_set({free[a], free[b]});
  }
  std::vector<double> costs;
  for (const auto& [set, cost] : best) {
    bool kept = true;
    if (set.size() == 2) {
      for (std::size_t f : set) {
        const auto single = best.find({f});
        if (single != best.end() && single->second <= cost) kept = false;
      }
    }
    if (kept) costs.push_back(cost);
  }
  std::sort(costs.begin(), costs.end());
  if (costs.size() > answers) costs.resize(answers);
  return costs;
}

// Every answer: reaches the goal when re-scored, changes only changeable features inside their
// range (whole values where the column is whole), a different feature set each, cost the sum.
void check_answers(const Forest& forest, const Schema& schema, const std::vector<float>& row, const std::vector<bool>& fixed,
                   const std::vector<Counterfactual>& found, const std::function<bool(double)>& reaches) {
  std::set<std::vector<std::size_t>> sets;
  for (const Counterfactual& cf : found) {
    std::vector<float> x = row;
    std::vector<std::size_t> set;
    double cost = 0;
    for (const FeatureChange& c : cf.changes) {
      const Column& col = schema.features[c.feature];
      CHECK_FALSE(fixed[c.feature]);
      CHECK_FALSE(std::isnan(row[c.feature]));
      CHECK(c.from == row[c.feature]);
      CHECK(c.to != c.from);
      CHECK(c.to >= col.min);
      CHECK(c.to <= col.max);
      if (col.integer || col.kind == ColumnKind::Categorical) CHECK(c.to == std::floor(c.to));
      CHECK(c.cost == Approx(change_cost(col, c.from, c.to)));
      x[c.feature] = c.to;
      set.push_back(c.feature);
      cost += c.cost;
    }
    CHECK(cf.cost == Approx(cost));
    CHECK(sets.insert(set).second);
    const double margin = predict_margin(forest, x.data());
    CHECK(cf.margin == margin);
    CHECK(cf.prediction == apply_link(forest.link, margin));
    CHECK(reaches(margin));
  }
  for (std::size_t i = 1; i < found.size(); ++i) CHECK(found[i - 1].cost <= found[i].cost);
}

}  // namespace

TEST_CASE("counterfactual: each answer flips the decision, and the costs equal a brute force over every value", "[counterfactual]") {
  std::mt19937 rng(20261130);
  int with_answers = 0, pairs = 0, whole_moves = 0, category_moves = 0;
  for (int model = 0; model < 12; ++model) {
    const Forest forest = spread_thresholds(load_xgboost_json(testing::random_xgboost_model({6 + model, 5, 3 + model % 2}, rng)));
    Schema schema = test_schema(Task::Binary, rng);
    schema.features[0].immutable = model % 3 == 0;
    const CounterfactualSearch search(forest, schema);
    for (int r = 0; r < 25; ++r) {
      const std::vector<float> row = random_row(rng);
      for (int k : {1, 2}) {
        CounterfactualOptions o;
        o.max_features = k;
        o.goal.threshold = r % 2 ? 0.5 : 0.3;
        if (r % 4 == 1) o.immutable = {false, true, false, false, false};
        std::vector<bool> fixed(5);
        for (std::size_t f = 0; f < 5; ++f) fixed[f] = schema.features[f].immutable || (!o.immutable.empty() && o.immutable[f]);
        const bool positive = above_threshold(apply_link(forest.link, predict_margin(forest, row.data())), o.goal.threshold);
        const auto reaches = [&](double m) { return above_threshold(apply_link(forest.link, m), o.goal.threshold) != positive; };
        const auto found = search.find(row.data(), o);
        check_answers(forest, schema, row, fixed, found, reaches);
        std::vector<double> costs;
        for (const auto& cf : found) {
          costs.push_back(cf.cost);
          CHECK(cf.exact);
          CHECK(cf.changes.size() <= static_cast<std::size_t>(k));
          pairs += cf.changes.size() == 2;
          for (const auto& c : cf.changes) whole_moves += c.feature == 2, category_moves += c.feature == 3;
        }
        const auto expected = brute_force_costs(forest, schema, row, fixed, k, 3,
                                                [&](const float* x) { return reaches(predict_margin(forest, x)); });
        REQUIRE(costs.size() == expected.size());
        for (std::size_t i = 0; i < costs.size(); ++i) CHECK(costs[i] == Approx(expected[i]).epsilon(1e-12));
        with_answers += !found.empty();
      }
    }
  }
  CHECK(with_answers > 200);  // the check is not vacuous
  CHECK(pairs > 50);
  CHECK(whole_moves > 20);
  CHECK(category_moves > 20);
}

TEST_CASE("counterfactual: a regression prediction moved by the amount asked, exactly as the brute force", "[counterfactual]") {
  std::mt19937 rng(7);
  for (int model = 0; model < 6; ++model) {
    const Forest forest = spread_thresholds(load_xgboost_json(testing::random_xgboost_model({10, 5, 3, "reg:squarederror"}, rng)));
    const Schema schema = test_schema(Task::Regression, rng);
    const CounterfactualSearch search(forest, schema);
    for (int r = 0; r < 20; ++r) {
      const std::vector<float> row = random_row(rng);
      CounterfactualOptions o;
      o.goal.target_delta = r % 2 ? 0.3 : -0.2;
      const double p0 = predict_margin(forest, row.data());
      const auto reaches = [&](double m) { return o.goal.target_delta > 0 ? m - p0 >= 0.3 : m - p0 <= -0.2; };
      const auto found = search.find(row.data(), o);
      check_answers(forest, schema, row, std::vector<bool>(5), found, reaches);
      const auto expected = brute_force_costs(forest, schema, row, std::vector<bool>(5), 2, 3,
                                              [&](const float* x) { return reaches(predict_margin(forest, x)); });
      REQUIRE(found.size() == expected.size());
      for (std::size_t i = 0; i < found.size(); ++i) CHECK(found[i].cost == Approx(expected[i]).epsilon(1e-12));
    }
  }
}

TEST_CASE("counterfactual: three features are a heuristic, labelled so, and its answers still flip", "[counterfactual]") {
  std::mt19937 rng(99);
  int threes = 0;
  for (int model = 0; model < 10; ++model) {
    const Forest forest = spread_thresholds(load_xgboost_json(testing::random_xgboost_model({12, 5, 4}, rng)));
    const Schema schema = test_schema(Task::Binary, rng);
    const CounterfactualSearch search(forest, schema);
    for (int r = 0; r < 20; ++r) {
      const std::vector<float> row = random_row(rng);
      CounterfactualOptions o;
      o.max_features = 3;
      o.goal.threshold = 0.7;
      const bool positive = above_threshold(apply_link(forest.link, predict_margin(forest, row.data())), 0.7);
      const auto reaches = [&](double m) { return above_threshold(apply_link(forest.link, m), 0.7) != positive; };
      const auto found = search.find(row.data(), o);
      check_answers(forest, schema, row, std::vector<bool>(5), found, reaches);
      for (const auto& cf : found) {
        CHECK(cf.exact == (cf.changes.size() < 3));
        threes += cf.changes.size() == 3;
      }
      // The one- and two-feature answers are the exact search's.
      o.max_features = 2;
      const auto exact = search.find(row.data(), o);
      for (const auto& cf : exact) {
        const bool listed = std::any_of(found.begin(), found.end(), [&](const Counterfactual& x) { return x.cost == cf.cost; });
        const bool pushed_out = found.size() == 3 && found.back().cost <= cf.cost;
        CHECK((listed || pushed_out));
      }
    }
  }
  CHECK(threes > 0);
}

TEST_CASE("counterfactual: candidate values sit at the near end of each cell, whole where the column is", "[counterfactual]") {
  Forest f;  // one tree on x0: < 2.5 -> 0, < 7.25 -> 1, else 2
  f.tree_root = {0};
  f.left = {1, -1, 3, -1, -1};
  f.right = {2, -1, 4, -1, -1};
  f.feature = {0, 0, 0, 0, 0};
  f.threshold = {2.5f, 0, 7.25f, 0, 0};
  f.default_left = {1, 0, 1, 0, 0};
  f.value = {0, 0, 0, 1, 2};
  f.cover = {3, 1, 2, 1, 1};
  f.depth_of_tree = {2};
  f.num_features = 1;
  Schema s;
  s.task = Task::Regression;
  Column c;
  c.name = "x";
  c.min = 0, c.max = 9, c.spread = 2;
  s.features = {c};
  const CounterfactualSearch search(f, s);
  auto values = [&](float x) {
    std::vector<std::pair<std::size_t, float>> out;
    for (const auto& cand : search.candidates(0, x)) out.emplace_back(cand.cell, cand.value);
    return out;
  };
  CHECK(values(5.0f) == std::vector<std::pair<std::size_t, float>>{{1, 5.0f}, {0, std::nextafter(2.5f, 0.0f)}, {2, 7.25f}});
  s.features[0].integer = true;
  CHECK(values(5.0f) == std::vector<std::pair<std::size_t, float>>{{1, 5.0f}, {0, 2.0f}, {2, 8.0f}});
  CHECK(search.candidates(0, 5.0f)[2].cost == Approx(1.5));
  s.features[0].max = 7.5;  // no whole value of the range is at or above 7.25 and at most 7.5
  CHECK(values(5.0f).size() == 2);
  CounterfactualOptions o;
  o.goal.target_delta = 1.5;
  const auto found = search.find(std::vector<float>{1.0f}.data(), o);
  REQUIRE(found.empty());  // 0 -> 2 needs the cell beyond 7.25, which the range does not reach
  o.goal.target_delta = 1;
  const auto one = search.find(std::vector<float>{1.0f}.data(), o);
  REQUIRE(one.size() == 1);
  CHECK(one[0].changes[0].to == 3.0f);
  CHECK(one[0].cost == Approx(1.0));
}

TEST_CASE("counterfactual: K classes — another class becomes the top one, exactly as the brute force", "[counterfactual][multiclass]") {
  std::mt19937 rng(31);
  int with_answers = 0, pairs = 0;
  for (int model = 0; model < 6; ++model) {
    const Forest forest = spread_thresholds(testing::random_multiclass_forest(rng, 5, 3, 3 + model % 3, 3));
    const Schema schema = test_schema(Task::Multiclass, rng);
    const CounterfactualSearch search(forest, schema);
    for (int r = 0; r < 20; ++r) {
      const std::vector<float> row = random_row(rng);
      std::vector<double> m(3), p(3);
      predict_class_margins(forest, row.data(), m.data());
      const int top0 = predicted_class(m.data(), 3);
      const auto reaches = [&](const float* x) {
        std::vector<double> mx(3);
        predict_class_margins(forest, x, mx.data());
        return predicted_class(mx.data(), 3) != top0;
      };
      for (int k : {1, 2}) {
        CounterfactualOptions o;
        o.max_features = k;
        const auto found = search.find(row.data(), o);
        std::vector<double> costs;
        for (const Counterfactual& cf : found) {
          std::vector<float> x = row;
          for (const FeatureChange& c : cf.changes) x[c.feature] = c.to;
          predict_class_margins(forest, x.data(), m.data());
          softmax(m.data(), 3, p.data());
          const int top = predicted_class(m.data(), 3);
          CHECK(top != top0);  // re-scored: another class is the top one
          CHECK(cf.predicted_class == top);
          CHECK(cf.margin == m[static_cast<std::size_t>(top)]);
          CHECK(cf.prediction == p[static_cast<std::size_t>(top)]);
          costs.push_back(cf.cost);
          pairs += cf.changes.size() == 2;
        }
        const auto expected = brute_force_costs(forest, schema, row, std::vector<bool>(5), k, 3, reaches);
        REQUIRE(costs.size() == expected.size());
        for (std::size_t i = 0; i < costs.size(); ++i) CHECK(costs[i] == Approx(expected[i]).epsilon(1e-12));
        with_answers += !found.empty();
      }
    }
  }
  CHECK(with_answers > 100);
  CHECK(pairs > 10);
  std::mt19937 again(2);
  const Forest multi = testing::random_multiclass_forest(again, 5, 3, 2, 2);
  const CounterfactualSearch search(multi, test_schema(Task::Multiclass, again));
  CounterfactualOptions o;
  o.goal.target_delta = 1;
  CHECK_THROWS_WITH(search.find(random_row(again).data(), o), Catch::Contains("another class becomes the top one"));
}

TEST_CASE("counterfactual: what it refuses, by name", "[counterfactual]") {
  std::mt19937 rng(1);
  const Forest multi = testing::random_multiclass_forest(rng, 5, 3, 2, 2);
  Schema schema = test_schema(Task::Binary, rng);
  CHECK_THROWS_WITH(CounterfactualSearch(multi, schema), Catch::Contains("the model has 3 output(s) but the schema's task is single-output"));
  const Forest forest = load_xgboost_json(testing::random_xgboost_model({4, 5, 2}, rng));
  const CounterfactualSearch search(forest, schema);
  const std::vector<float> row = random_row(rng);
  CounterfactualOptions o;
  o.max_features = 4;
  CHECK_THROWS_WITH(search.find(row.data(), o), Catch::Contains("max_features"));
  o.max_features = 2;
  o.immutable = {true};
  CHECK_THROWS_WITH(search.find(row.data(), o), Catch::Contains("immutable"));
  o.immutable.clear();
  o.goal.target_delta = 1;
  CHECK_THROWS_WITH(search.find(row.data(), o), Catch::Contains("target_delta"));
  schema.features.pop_back();
  CHECK_THROWS_WITH(CounterfactualSearch(forest, schema), Catch::Contains("features"));
}
