// The report's charts as inline SVG text: a horizontal bar chart (global SHAP), a SHAP summary
// (beeswarm) plot, and count plots (a column's categories, overall and among the positive label).
// Pure string building: the numbers in, SVG markup out.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace verdict::report {

// --- Bar chart -------------------------------------------------------------------------------

struct BarItem {
  std::string label;
  double value = 0;
};

struct BarChartOptions {
  std::string title = "bar chart";  // the SVG's accessible title
  std::string axis_label;           // under the x axis
  int decimals = 3;                 // of the value printed beside each bar
  double width = 720;
  std::size_t max_bars = 20;        // beyond this, the smallest are summed into one last bar
};

// One bar per item (class="bar"), largest value on top. With more than max_bars items, the
// first max_bars − 1 are drawn and the rest summed into "Sum of N other features".
std::string bar_chart(std::vector<BarItem> items, const BarChartOptions& options);

// --- SHAP summary (beeswarm) -------------------------------------------------------------------

struct BeeswarmData {
  std::vector<std::string> features;  // m names
  std::size_t rows = 0;
  std::vector<double> shap;    // rows × m, row-major
  std::vector<double> values;  // rows × m feature values for the colour (NaN = missing); empty = no colour
};

struct BeeswarmOptions {
  std::string title = "SHAP summary plot";
  std::string axis_label = "SHAP value (impact on model output)";
  std::size_t max_records = 2000;  // records drawn; more are subsampled deterministically
  std::size_t max_features = 20;   // rows, the features with the largest mean |SHAP|
  std::uint64_t seed = 0;          // of the subsample and of the order within a jitter column
  double width = 720;
};

struct Beeswarm {
  std::string svg;
  std::size_t records = 0;   // records drawn
  std::size_t features = 0;  // rows drawn
  std::size_t dots = 0;      // circles drawn = records × features
  std::vector<std::string> order;  // the features drawn, top to bottom
};

// One row per feature (largest mean |SHAP| on top), one dot (a zero-length round-capped
// <path d="Mx yh0">) per record at its SHAP
// value, stacked up and down where dots would overlap, coloured by the feature's value from blue
// (low) to red (high) between its 5th and 95th percentile, grey when missing — as shap's
// summary_plot draws it.
Beeswarm beeswarm(const BeeswarmData& data, const BeeswarmOptions& options);

// k of n indices (all when n ≤ k), chosen by a seeded hash of the index: the same every run and
// spread over the whole file. Sorted ascending.
std::vector<std::size_t> subsample(std::size_t n, std::size_t k, std::uint64_t seed);

// --- Count plot --------------------------------------------------------------------------------

struct CountCategory {
  std::string name;
  std::size_t all = 0;       // records with this value
  std::size_t positive = 0;  // of those, records with the positive label
};

struct CountPlotOptions {
  std::string title = "count plot";
  std::string all_name = "All records";
  std::string positive_name;     // legend of the second series; empty = one series only
  double width = 360;
  std::size_t max_categories = 12;  // beyond this, the smallest are summed into "Other (N)"
};

// Horizontal bars per category (class="bar"), most frequent first: all records, and (when
// positive_name is set) the records with the positive label, with counts and the share of the
// positive label in the category.
std::string count_plot(std::vector<CountCategory> categories, const CountPlotOptions& options);

// --- Histogram ---------------------------------------------------------------------------------

// Predicted probabilities in [0, 1] in 0.05-wide bins, one bar per observed label (e.g. "<=50K",
// ">50K") side by side, each as a share of that label's records, with the decision threshold marked.
struct HistogramSeries {
  std::string name;
  std::vector<double> values;
  std::string colour;
};
std::string probability_histogram(const std::vector<HistogramSeries>& series, double threshold,
                                  const std::string& title, double width = 720);

// "Nice" axis ticks covering [lo, hi]: about `target` values at 1, 2, 2.5 or 5 × 10^k steps.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);

}  // namespace verdict::report
