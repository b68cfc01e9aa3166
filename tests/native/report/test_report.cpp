// verdict report: escaping, the charts' structure, and a whole report from tiny generated inputs.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

#include "native/report/charts.h"
#include "native/report/report.h"
#include "native/report/svg.h"
#include "shared/error.h"

using namespace verdict;
using namespace verdict::report;
namespace fs = std::filesystem;

namespace {

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

const char* kXss = "<img src=x onerror=alert(1)>";
const char* kXssEscaped = "&lt;img src=x onerror=alert(1)&gt;";

// A fresh folder with a tiny analysis (explain + bias), local SHAP values and a data CSV whose
// categories include markup.
struct TinyAnalysis {
  fs::path dir;
  std::string data;
  TinyAnalysis() {
    dir = fs::temp_directory_path() / ("verdict-test-report-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "explain" / "explanations_shap");
    nlohmann::json a;
    a["version"] = "1.0";
    a["explanations"]["tree_shap"] = {
        {"agg_method", "mean_abs"},
        {"units", "margin"},
        {"label0", {{"expected_value", -1.25}, {"global_shap_values", {{"age", 0.8}, {"colour", 0.3}, {"hours", 0.05}}}}}};
    a["model_performance"] = {{"rows", 8}, {"accuracy", 0.75}, {"auc", 0.8}, {"log_loss", 0.5}, {"threshold", 0.5}};
    auto metrics = [](std::vector<std::string> names) {
      nlohmann::json list = nlohmann::json::array();
      for (const std::string& n : names) list.push_back({{"name", n}, {"description", "Metric (" + n + ")"}, {"value", 0.125}});
      return list;
    };
    nlohmann::json counts = {{"n", 8}, {"n_a", 5}, {"n_d", 3}, {"n_a_positive_labels", 3}, {"n_d_positive_labels", 1}};
    a["pre_training_bias_metrics"] = {{"label", "label"}, {"label_value_or_threshold", "yes"},
                                      {"facets", {{"colour", {{{"value_or_threshold", kXss}, {"metrics", metrics({"CI", "DPL"})}, {"counts", counts}}}}}}};
    nlohmann::json post_counts = counts;
    post_counts["n_a_positive_predictions"] = 2;
    post_counts["n_d_positive_predictions"] = 1;
    post_counts["confusion_matrix_a"] = {{"TP", 2}, {"FP", 0}, {"FN", 1}, {"TN", 2}};
    post_counts["confusion_matrix_d"] = {{"TP", 1}, {"FP", 0}, {"FN", 0}, {"TN", 2}};
    post_counts["flip_test"] = {{"k", 1}, {"model_positive_knn_negative", 0}, {"model_negative_knn_positive", 1}};
    nlohmann::json di = metrics({"DI", "DPPL"});
    di.push_back({{"name", "TE"}, {"description", "Treatment Equality (TE)"}, {"value", "Infinity"}, {"note", "x/0"}});
    a["post_training_bias_metrics"] = {{"label", "label"}, {"label_value_or_threshold", "yes"}, {"probability_threshold", 0.5},
                                       {"facets", {{"colour", {{{"value_or_threshold", kXss}, {"metrics", di}, {"counts", post_counts}}}}}}};
    std::ofstream(dir / "explain" / "analysis.json") << a.dump(2);
    std::ofstream shap(dir / "explain" / "explanations_shap" / "out.csv");
    shap << "age,colour,hours\n";
    for (int r = 0; r < 8; ++r) shap << (r - 4) * 0.3 << "," << (r % 2 ? 0.2 : -0.4) << "," << 0.01 * r << "\n";
    shap.close();
    data = (dir / "data.csv").string();
    std::ofstream csv(data);
    csv << "age,colour,hours,label\n";
    for (int r = 0; r < 8; ++r) {
      csv << 20 + r * 5 << "," << (r % 3 == 0 ? std::string("\"") + kXss + "\"" : r % 3 == 1 ? "red" : "blue") << "," << 30 + r << ","
          << (r % 2 ? "yes" : "no") << "\n";
    }
  }
  ~TinyAnalysis() { fs::remove_all(dir); }
  ReportOptions options() const {
    ReportOptions o;
    o.analysis = (dir / "explain").string();
    o.data = data;
    o.generated = "2024-01-01 00:00 UTC";
    return o;
  }
};

}  // namespace

TEST_CASE("escape: markup, ampersands and quotes from data never reach the page raw", "[report]") {
  CHECK(escape(kXss) == kXssEscaped);
  CHECK(escape("a & b \"c\" 'd'") == "a &amp; b &quot;c&quot; &#39;d&#39;");
  CHECK(escape("plain") == "plain");

  // In a chart: a category name and a legend both go through the escaper.
  CountPlotOptions o;
  o.positive_name = std::string("label = ") + kXss;
  const std::string svg = count_plot({{kXss, 5, 2}, {"x\"y", 3, 1}}, o);
  CHECK(svg.find("<img") == std::string::npos);
  CHECK(svg.find("&lt;img src=x") != std::string::npos);  // the long name is cut with an ellipsis
  CHECK(svg.find("x&quot;y") != std::string::npos);

  const std::string bars = bar_chart({{kXss, 1.0}}, BarChartOptions{});
  CHECK(bars.find("<img") == std::string::npos);
  CHECK(bars.find(kXssEscaped) != std::string::npos);
}

TEST_CASE("formatting: counts, numbers, percentages, signs", "[report]") {
  CHECK(count(0) == "0");
  CHECK(count(15060) == "15,060");
  CHECK(count(1234567) == "1,234,567");
  CHECK(number(189616.371, 2) == "189,616.37");
  CHECK(number(-1234.5, 1) == "\u22121,234.5");
  CHECK(number(999, 0) == "999");
  CHECK(fixed(-0.00001, 3) == "0.000");
  CHECK(fixed(-0.5, 2) == "\u22120.50");
  CHECK(percent(1, 4) == "25.0\u00a0%");
  CHECK(percent(1, 0) == "n/a");
  CHECK(coord(12.50) == "12.5");
  CHECK(coord(3.0) == "3");
}

TEST_CASE("shap_colour: shap's red_blue map from its blue to its red", "[report]") {
  CHECK(shap_colour(0.0) == "#008bfb");  // shap.plots.colors.blue_rgb
  CHECK(shap_colour(1.0) == "#ff0051");  // shap.plots.colors.red_rgb
  CHECK(shap_colour(-3) == shap_colour(0.0));
  CHECK(shap_colour(std::nan("")) == palette::missing);
}

TEST_CASE("bar chart: one bar per feature, sorted by value, largest on top", "[report]") {
  const std::string svg = bar_chart({{"beta", 0.2}, {"alpha", 0.5}, {"gamma", 0.1}, {"delta", 0.35}}, BarChartOptions{});
  CHECK(occurrences(svg, "class=\"bar\"") == 4);
  const std::size_t a = svg.find(">alpha<"), d = svg.find(">delta<"), b = svg.find(">beta<"), g = svg.find(">gamma<");
  REQUIRE(a != std::string::npos);
  REQUIRE(g != std::string::npos);
  CHECK(a < d);
  CHECK(d < b);
  CHECK(b < g);
  // The bars' widths follow the values: alpha's bar is the widest.
  CHECK(svg.find(">0.500<") != std::string::npos);

  // Beyond max_bars the smallest are summed into one last bar.
  BarChartOptions few;
  few.max_bars = 3;
  const std::string folded = bar_chart({{"a", 4}, {"b", 3}, {"c", 2}, {"d", 1}}, few);
  CHECK(occurrences(folded, "class=\"bar\"") == 3);
  CHECK(folded.find("Sum of 2 other features") != std::string::npos);
  CHECK(folded.find(">3.000<") != std::string::npos);  // c + d
}

TEST_CASE("beeswarm: one dot per record and feature, rows by mean |SHAP|, deterministic subsample", "[report]") {
  BeeswarmData d;
  d.features = {"small", "large", "<middle>"};
  d.rows = 300;
  for (std::size_t r = 0; r < d.rows; ++r) {
    const double t = static_cast<double>(r) / static_cast<double>(d.rows);
    d.shap.insert(d.shap.end(), {0.01 * (t - 0.5), 2.0 * (t - 0.5), 0.5 * (0.5 - t)});
    d.values.insert(d.values.end(), {t, r % 7 == 0 ? std::nan("") : t, 1 - t});
  }
  BeeswarmOptions o;
  const Beeswarm all = beeswarm(d, o);
  CHECK(all.records == 300);
  CHECK(all.dots == 900);
  CHECK(occurrences(all.svg, "<path d=\"M") == 900);
  CHECK(all.order == std::vector<std::string>{"large", "<middle>", "small"});
  CHECK(all.svg.find("&lt;middle&gt;") != std::string::npos);
  CHECK(all.svg.find(palette::missing) != std::string::npos);  // missing values are grey
  CHECK(all.svg.find("verdict-shap-colours") != std::string::npos);  // the colour bar

  o.max_records = 120;
  const Beeswarm some = beeswarm(d, o);
  CHECK(some.records == 120);
  CHECK(some.dots == 360);
  CHECK(occurrences(some.svg, "<path d=\"M") == 360);
  CHECK(beeswarm(d, o).svg == some.svg);  // the same every run

  o.max_features = 2;
  CHECK(beeswarm(d, o).dots == 240);

  // Without feature values: one colour, no colour bar.
  d.values.clear();
  const Beeswarm plain = beeswarm(d, BeeswarmOptions{});
  CHECK(plain.dots == 900);
  CHECK(plain.svg.find("verdict-shap-colours") == std::string::npos);

  const std::vector<std::size_t> s = subsample(1000, 50, 0);
  CHECK(s.size() == 50);
  CHECK(std::set<std::size_t>(s.begin(), s.end()).size() == 50);
  CHECK(std::is_sorted(s.begin(), s.end()));
  CHECK(s.back() > 500);  // spread over the file, not the first rows
  CHECK(subsample(1000, 50, 0) == s);
  CHECK(subsample(10, 50, 0).size() == 10);
}

TEST_CASE("a report from a tiny analysis.json and CSV: every section, self-contained, escaped", "[report]") {
  TinyAnalysis tiny;
  const ReportInputs in = load_report_inputs(tiny.options());
  CHECK(in.method == "tree");
  CHECK(in.local.rows == 8);
  CHECK(in.target == "label");   // from the bias sections
  CHECK(in.positive == "yes");
  REQUIRE(!in.count_plots.empty());
  CHECK(in.count_plots.front().name == "colour");  // the bias facet first
  CHECK(!in.local.values.empty());                 // coloured from the data

  const std::string html = build_report_html(in);
  for (const char* section : {"id=\"data\"", "id=\"model\"", "id=\"explanations\"", "id=\"bias\"", "id=\"appendix\"",
                              "1. Data set", "2. Model performance", "3. Explanations (SHAP)", "4. Bias metrics",
                              "Class balance", "Counts by group", "Global importance", "Summary plot",
                              "Pre-training bias", "Post-training bias"}) {
    INFO(section);
    CHECK(html.find(section) != std::string::npos);
  }
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(occurrences(html, "<svg") >= 4);  // class balance, a count plot, bar chart, beeswarm
  CHECK(occurrences(html, "<path d=\"M") == 24);  // 8 records × 3 features
  // Self-contained: nothing fetched, no scripts.
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);
  CHECK(html.find("url(http") == std::string::npos);
  // Data text is escaped everywhere: in the tables, the count plot and the bias facet.
  CHECK(html.find("<img") == std::string::npos);
  CHECK(occurrences(html, kXssEscaped) >= 3);
  CHECK(html.find("\u221e") != std::string::npos);  // "Infinity" shown as ∞, with its note
  CHECK(html.find("Note: x/0") != std::string::npos);
}

TEST_CASE("report inputs: what is missing or wrong is one clear error", "[report]") {
  TinyAnalysis tiny;
  ReportOptions o = tiny.options();

  o.analysis = (tiny.dir / "nope").string();
  CHECK_THROWS_WITH(load_report_inputs(o), Catch::Contains("--analysis folder") && Catch::Contains("does not exist"));
  o.analysis = tiny.dir.string();  // a folder without analysis.json
  CHECK_THROWS_WITH(load_report_inputs(o), Catch::Contains("analysis.json' does not exist"));

  o = tiny.options();
  o.count_columns = {"colour", "shade"};
  CHECK_THROWS_WITH(load_report_inputs(o), Catch::Contains("--count-columns: 'shade' is not a column"));
  o = tiny.options();
  o.shap_method = "kernel";
  CHECK_THROWS_WITH(load_report_inputs(o), Catch::Contains("has no explanations.kernel_shap (it has: tree)"));
  o = tiny.options();
  o.target = "missing";
  CHECK_THROWS_WITH(load_report_inputs(o), Catch::Contains("--target 'missing' is not a column"));

  // Explicit count columns; without --data the overview is left out, with a note.
  o = tiny.options();
  o.count_columns = {"hours"};
  CHECK(load_report_inputs(o).count_plots.front().name == "hours");
  o = tiny.options();
  o.data.clear();
  const ReportInputs no_data = load_report_inputs(o);
  CHECK(!no_data.data);
  CHECK(build_report_html(no_data).find("Not in this report: pass <code>--data CSV</code>") != std::string::npos);

  std::ofstream(tiny.dir / "explain" / "explanations_shap" / "out.csv") << "age,colour,hours\n1,two,3\n";
  CHECK_THROWS_WITH(load_report_inputs(tiny.options()), Catch::Contains("out.csv:2: column 'colour' holds \"two\""));
  std::ofstream(tiny.dir / "explain" / "analysis.json") << "{ broken";
  CHECK_THROWS_WITH(load_report_inputs(tiny.options()), Catch::Contains("is not valid JSON"));
}

TEST_CASE("report: Kernel SHAP is compared with exact baseline SHAP record by record", "[report]") {
  const fs::path dir = fs::temp_directory_path() / ("verdict-test-report-kernel-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "explanations_shap");
  auto method = [](const char* units, double ref) {
    return nlohmann::json{{"agg_method", "mean_abs"}, {"units", units}, {"baseline", {ref, 1.0}},
                          {"label0", {{"expected_value", 0.0}, {"global_shap_values", {{"a", 1.0}, {"b", 1.0}}}}}};
  };
  nlohmann::json a;
  a["explanations"]["baseline_shap"] = method("margin", 2.0);
  a["explanations"]["kernel_shap"] = method("margin", 2.0);
  a["explanations"]["kernel_shap"]["num_samples"] = 15;
  std::ofstream(dir / "analysis.json") << a.dump();
  // Exact (out.csv: baseline, the first method) and sampled (out_kernel.csv), 4 records.
  std::ofstream(dir / "explanations_shap" / "out.csv") << "a,b\n1,-2\n0.5,0\n-1,1\n2,2\n";
  std::ofstream(dir / "explanations_shap" / "out_kernel.csv") << "a,b\n1.5,-2\n0.5,0.25\n-1,1\n1,2\n";
  ReportOptions o;
  o.analysis = dir.string();
  o.generated = "2024-01-01 00:00 UTC";
  {
    const ReportInputs in = load_report_inputs(o);
    REQUIRE(in.kernel_check.has_value());
    const KernelCheck& c = *in.kernel_check;
    CHECK(c.rows == 4);
    CHECK(c.num_samples == "15");
    CHECK(c.mean_abs_error == Approx((0.5 + 1.0 + 0.25) / 8));
    CHECK(c.max_abs_error == Approx(1.0));
    CHECK(c.mean_abs_exact == Approx((1 + 2 + 0.5 + 0 + 1 + 1 + 2 + 2) / 8.0));
    REQUIRE(c.features.size() == 2);
    CHECK(c.features[0].name == "a");  // largest mean error first: a 1.5/4, b 0.25/4
    CHECK(c.features[0].mean_abs_error == Approx(1.5 / 4));
    CHECK(c.features[1].max_abs_error == Approx(0.25));
    const std::string html = build_report_html(in);
    CHECK(html.find("Kernel SHAP against exact SHAP") != std::string::npos);
    CHECK(html.find("num_samples 15") != std::string::npos);
  }
  // Other reference rows: not the same quantity, so no comparison (and a note says so).
  a["explanations"]["kernel_shap"]["baseline"] = {3.0, 1.0};
  std::ofstream(dir / "analysis.json") << a.dump();
  {
    const ReportInputs in = load_report_inputs(o);
    CHECK_FALSE(in.kernel_check.has_value());
    CHECK(std::any_of(in.notes.begin(), in.notes.end(), [](const std::string& n) { return n.find("no error comparison") != std::string::npos; }));
    CHECK(build_report_html(in).find("Kernel SHAP against exact SHAP") == std::string::npos);
  }
  fs::remove_all(dir);
}
