// The report's HTML: sections assembled from the inputs, every text from data escaped, charts as
// inline SVG, one inline style sheet with a print layout. Nothing refers outside the file.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "native/report/report.h"
#include "native/report/svg.h"

namespace verdict::report {

namespace {

std::string h(std::string_view s) { return escape(s); }

double num_or_nan(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return std::nan("");
  return j[key].get<double>();
}

std::string str_or(const nlohmann::json& j, const char* key, const std::string& fallback = "") {
  if (!j.is_object() || !j.contains(key)) return fallback;
  if (j[key].is_string()) return j[key].get<std::string>();
  if (j[key].is_number()) {
    const double v = j[key].get<double>();
    return v == std::floor(v) && std::fabs(v) < 1e15 ? number(v, 0) : fixed(v, 4);
  }
  return fallback;
}

std::size_t size_or(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return 0;
  const double v = j[key].get<double>();
  return v > 0 ? static_cast<std::size_t>(v) : 0;
}

// A CSS string literal: everything but letters, digits and spaces as a hex escape.
std::string css_string(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == ' ' || c >= 0x80) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%x ", c);
      out += buf;
    }
  }
  return out + "\"";
}

const char* kCss = R"CSS(
:root { --ink: #1d2433; --muted: #5b6475; --rule: #d9dee7; --soft: #f3f5f9; --primary: #1f5fa8; --head: #14325c; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 980px; padding: 28px 40px 48px; color: var(--ink); background: #fff;
       font-family: "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 14px; line-height: 1.45; }
header.cover { border-top: 6px solid var(--head); padding-top: 18px; margin-bottom: 18px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 11px; color: var(--muted); font-weight: bold; }
h1 { font-size: 28px; line-height: 1.2; margin: 6px 0 8px; color: var(--head); }
h2 { font-size: 20px; color: var(--head); margin: 34px 0 10px; padding-bottom: 5px; border-bottom: 2px solid var(--head); }
h3 { font-size: 15.5px; color: var(--head); margin: 22px 0 8px; }
h2, h3 { break-after: avoid; page-break-after: avoid; }
p { margin: 6px 0 10px; }
.meta { color: var(--muted); font-size: 12.5px; margin: 0; }
.meta span + span::before { content: "\00b7"; margin: 0 8px; color: var(--rule); }
code, .mono { font-family: "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: .92em; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; margin: 14px 0 6px; }
.card { border: 1px solid var(--rule); border-left: 4px solid var(--primary); border-radius: 3px; padding: 8px 12px; background: var(--soft);
        break-inside: avoid; }
.card .k { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.card .v { font-size: 21px; font-weight: bold; color: var(--head); margin-top: 2px; overflow-wrap: anywhere; }
.card .s { font-size: 11.5px; color: var(--muted); overflow-wrap: anywhere; }
nav.toc { font-size: 12.5px; color: var(--muted); margin: 14px 0 0; padding: 8px 12px; border: 1px solid var(--rule); border-radius: 3px; }
nav.toc a { color: var(--primary); text-decoration: none; margin-right: 16px; white-space: nowrap; }
figure { margin: 14px 0 18px; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 12px; color: var(--muted); margin-top: 6px; }
figcaption b { color: var(--ink); }
.narrow { max-width: 600px; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 6px 28px; }
.grid2 figure { margin: 8px 0 12px; }
svg text { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 12px; fill: var(--ink); }
svg .tick, svg .value { font-size: 11px; fill: var(--muted); }
svg .axis-label { font-size: 11.5px; fill: var(--muted); }
svg.count-plot .label { font-size: 11.5px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 12.5px; break-inside: avoid; page-break-inside: avoid; }
table.long { break-inside: auto; page-break-inside: auto; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th { text-align: left; font-weight: bold; color: var(--head); border-bottom: 1.5px solid var(--head); padding: 5px 8px; vertical-align: bottom; }
td { border-bottom: 1px solid var(--rule); padding: 4px 8px; vertical-align: top; }
tbody tr:nth-child(even) td { background: #fafbfd; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.metrics td.metric { width: 27%; }
table.metrics td.num { width: 10%; }
table.counts th.num { width: 22%; }
.keep { break-inside: avoid; page-break-inside: avoid; }
td.small, .small { font-size: 11.5px; color: var(--muted); }
td.hash { font-family: "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 10px; overflow-wrap: anywhere; }
td.path { overflow-wrap: anywhere; }
table.kv td:nth-child(odd) { color: var(--muted); width: 22%; }
table.confusion { width: auto; min-width: 60%; }
table.confusion td.cell { text-align: right; font-variant-numeric: tabular-nums; min-width: 120px; }
.callout { border-left: 4px solid var(--rule); background: var(--soft); padding: 8px 12px; margin: 10px 0 14px; font-size: 12.5px; break-inside: avoid; }
.absent { border-left-color: #c9a227; }
.error { color: #9b1c1c; }
ul.notes { font-size: 12.5px; color: var(--muted); padding-left: 18px; }
footer { margin-top: 36px; padding-top: 8px; border-top: 1px solid var(--rule); font-size: 11px; color: var(--muted); }
@media print {
  body { max-width: none; padding: 0; font-size: 12px; }
  section.newpage { break-before: page; page-break-before: always; }
  section.newpage h2 { margin-top: 0; }
  h3 { margin: 16px 0 6px; }
  figure { margin: 8px 0 12px; }
  nav.toc a { color: var(--ink); }
}
)CSS";

struct Table {
  std::string html;
  explicit Table(const std::vector<std::pair<std::string, bool>>& head, const std::string& cls = "") {
    html = "<table" + (cls.empty() ? std::string() : " class=\"" + cls + "\"") + "><thead><tr>";
    for (const auto& [text, numeric] : head) html += std::string("<th") + (numeric ? " class=\"num\"" : "") + ">" + text + "</th>";
    html += "</tr></thead><tbody>";
  }
  // Cells are HTML already (escaped by the caller); numeric cells align right.
  void row(const std::vector<std::pair<std::string, std::string>>& cells) {
    html += "<tr>";
    for (const auto& [cls, content] : cells) html += "<td" + (cls.empty() ? std::string() : " class=\"" + cls + "\"") + ">" + content + "</td>";
    html += "</tr>";
  }
  std::string done() const { return html + "</tbody></table>"; }
};

std::string figure(const std::string& svg, const std::string& caption) {
  return "<figure>" + svg + "<figcaption>" + caption + "</figcaption></figure>\n";
}

std::string join_text(const std::vector<std::string>& items) {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i];
  return s;
}

std::string absent(const std::string& what) { return "<p class=\"callout absent\">" + what + "</p>\n"; }

// --- Summary -----------------------------------------------------------------------------------

const nlohmann::json* first_facet_entry(const nlohmann::json& section, std::string* facet) {
  if (!section.is_object() || !section.contains("facets") || !section["facets"].is_object()) return nullptr;
  for (const auto& [name, entries] : section["facets"].items()) {
    if (entries.is_array() && !entries.empty() && entries[0].is_object()) {
      *facet = name;
      return &entries[0];
    }
  }
  return nullptr;
}

const nlohmann::json* metric(const nlohmann::json& entry, const std::string& name) {
  if (!entry.contains("metrics") || !entry["metrics"].is_array()) return nullptr;
  for (const auto& m : entry["metrics"]) {
    if (m.is_object() && m.value("name", "") == name) return &m;
  }
  return nullptr;
}

std::string metric_value(const nlohmann::json& m, int decimals = 4) {
  const nlohmann::json& v = m.contains("value") ? m["value"] : nlohmann::json();
  if (v.is_number()) return fixed(v.get<double>(), decimals);
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "Infinity") return "\u221e";
    if (s == "-Infinity") return "\u2212\u221e";
    return h(s);
  }
  return "not computed";
}

// The analysis folder as the reader knows it (a job's staging folder is not what it published).
std::string analysis_shown(const ReportInputs& in) {
  return in.options.analysis_shown.empty() ? in.options.analysis : in.options.analysis_shown;
}

std::vector<BarItem> global_values(const ReportInputs& in, std::string* agg) {
  std::vector<BarItem> items;
  if (in.method.empty()) return items;
  const nlohmann::json& m = in.analysis["explanations"][in.method + "_shap"];
  *agg = str_or(m, "agg_method", "mean_abs");
  const nlohmann::json g = m.contains(in.label_key()) ? m[in.label_key()].value("global_shap_values", nlohmann::json()) : nlohmann::json();
  if (g.is_object()) {
    for (const auto& [name, v] : g.items()) {
      if (v.is_number()) items.push_back({name, v.get<double>()});
    }
  }
  if (items.empty() && in.local.rows > 0) {  // from the local values
    *agg = "mean_abs";
    const std::size_t m_count = in.local.features.size();
    for (std::size_t f = 0; f < m_count; ++f) {
      double sum = 0;
      for (std::size_t r = 0; r < in.local.rows; ++r) sum += std::fabs(in.local.shap[r * m_count + f]);
      items.push_back({in.local.features[f], sum / static_cast<double>(in.local.rows)});
    }
  }
  std::stable_sort(items.begin(), items.end(), [](const BarItem& a, const BarItem& b) { return a.value > b.value; });
  return items;
}

std::string agg_text(const std::string& agg) {
  if (agg == "mean_abs") return "mean |SHAP|";
  if (agg == "median") return "median SHAP";
  if (agg == "mean_sq") return "mean SHAP\u00b2";
  return agg;
}

std::string card(const std::string& key, const std::string& value, const std::string& sub) {
  return "<div class=\"card\"><div class=\"k\">" + key + "</div><div class=\"v\">" + value + "</div><div class=\"s\">" + sub + "</div></div>";
}

std::string summary_cards(const ReportInputs& in) {
  std::string html = "<section class=\"cards\" aria-label=\"key figures\">";
  const nlohmann::json perf = in.analysis.value("model_performance", nlohmann::json());
  std::size_t records = in.local.rows ? in.local.rows : size_or(perf, "rows");
  if (in.data) {
    html += card("Data set", count(in.data->rows.size()) + " rows", h(std::to_string(in.data->header.size())) + " columns");
    const int tc = in.target.empty() ? -1 : in.data->column(in.target);
    if (tc >= 0 && !in.positive.empty()) {
      std::size_t pos = 0;
      for (const auto& row : in.data->rows) pos += row[static_cast<std::size_t>(tc)] == in.positive;
      html += card("Positive outcome", percent(static_cast<double>(pos), static_cast<double>(in.data->rows.size())),
                   count(pos) + " records with " + h(in.target) + " = " + h(in.positive));
    }
  }
  if (records) html += card("Records explained", count(records), in.method.empty() ? "" : h(in.method) + " SHAP");
  if (!std::isnan(num_or_nan(perf, "accuracy"))) {
    html += card("Accuracy", fixed(num_or_nan(perf, "accuracy"), 3), "at threshold " + fixed(num_or_nan(perf, "threshold"), 2));
  }
  if (!std::isnan(num_or_nan(perf, "auc"))) html += card("AUC", fixed(num_or_nan(perf, "auc"), 3), "area under the ROC curve");
  if (!std::isnan(num_or_nan(perf, "rmse"))) html += card("RMSE", fixed(num_or_nan(perf, "rmse"), 4), "R\u00b2 " + fixed(num_or_nan(perf, "r2"), 3));
  std::string agg;
  const std::vector<BarItem> global = global_values(in, &agg);
  if (!global.empty()) html += card("Most influential", h(global.front().label), agg_text(agg) + " " + fixed(global.front().value, 3));
  std::string facet;
  for (const auto& [key, code] : {std::pair<const char*, const char*>{"post_training_bias_metrics", "DI"},
                                  {"pre_training_bias_metrics", "DPL"}}) {
    if (!in.analysis.contains(key)) continue;
    const nlohmann::json* entry = first_facet_entry(in.analysis[key], &facet);
    if (!entry) continue;
    const nlohmann::json* m = metric(*entry, code);
    if (!m) continue;
    html += card(std::string(code == std::string("DI") ? "Disparate impact (DI)" : "Label gap (DPL)"), metric_value(*m, 3),
                 h(facet) + " = " + h(str_or(*entry, "value_or_threshold")) + " vs. the rest");
  }
  return html + "</section>\n";
}

// --- 1. Data set -----------------------------------------------------------------------------------

std::string data_section(const ReportInputs& in, int* fig) {
  std::string html = "<section class=\"major first\" id=\"data\"><h2>1. Data set</h2>\n";
  if (!in.data) {
    return html + absent("Not in this report: pass <code>--data CSV</code> (and <code>--model DIR</code>) for the data set overview.") + "</section>\n";
  }
  const ::verdict::Table& t = *in.data;
  const int target = in.target.empty() ? -1 : t.column(in.target);
  html += "<p><code>" + h(in.options.data_shown.empty() ? in.options.data : in.options.data_shown) + "</code>: <b>" + count(t.rows.size()) + "</b> records, " +
          count(t.header.size()) + " columns" +
          (target >= 0 ? " (label column <code>" + h(in.target) + "</code>" +
                             (in.positive.empty() ? std::string(")") : ", positive outcome <code>" + h(in.positive) + "</code>)")
                       : std::string()) +
          ".</p>\n";

  // Columns.
  Table cols({{"Column", false}, {"Type", false}, {"Values", false}, {"Missing", true}}, "long");
  for (std::size_t c = 0; c < t.header.size(); ++c) {
    std::size_t missing = 0;
    std::set<std::string> distinct;
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    std::size_t numbers = 0;
    bool numeric = true;
    for (const auto& row : t.rows) {
      const std::string& cell = row[c];
      if (is_missing_cell(cell)) {
        ++missing;
        continue;
      }
      if (distinct.size() <= 1000) distinct.insert(cell);
      double v;
      if (numeric && parse_number(cell, v)) {
        lo = std::min(lo, v), hi = std::max(hi, v), sum += v, ++numbers;
      } else {
        numeric = false;
      }
    }
    if (in.schema) {
      const int f = in.schema->feature_index(t.header[c]);
      if (f >= 0 && in.schema->features[static_cast<std::size_t>(f)].kind == ColumnKind::Categorical) numeric = false;
    }
    std::string type = static_cast<int>(c) == target ? "label" : numeric ? "numeric" : "categorical";
    std::string values;
    if (numeric && numbers > 0) {
      values = number(lo, lo == std::floor(lo) ? 0 : 2) + " to " + number(hi, hi == std::floor(hi) ? 0 : 2) + ", mean " +
               number(sum / static_cast<double>(numbers), 2);
    } else {
      values = (distinct.size() > 1000 ? "over 1,000" : count(distinct.size())) + " distinct";
      if (distinct.size() <= 4) {
        std::vector<std::string> names;
        for (const std::string& d : distinct) names.push_back(h(d));
        values += ": ";
        for (std::size_t i = 0; i < names.size(); ++i) values += (i ? ", " : "") + names[i];
      }
    }
    cols.row({{"", h(t.header[c])}, {"small", type}, {"", values}, {"num", missing ? count(missing) : "0"}});
  }
  html += "<h3>Columns</h3>\n" + cols.done();

  // Class balance.
  if (target >= 0) {
    std::map<std::string, std::size_t> counts;
    for (const auto& row : t.rows) ++counts[row[static_cast<std::size_t>(target)]];
    std::vector<CountCategory> cats;
    for (const auto& [name, n] : counts) cats.push_back({name, n, 0});
    CountPlotOptions o;
    o.title = "Class balance of " + in.target;
    o.width = 520;
    std::string caption = "<b>Figure " + std::to_string((*fig)++) + ".</b> Class balance: records per value of <code>" + h(in.target) + "</code>.";
    if (!in.positive.empty() && counts.count(in.positive)) {
      caption += " Positive outcome <code>" + h(in.positive) + "</code>: " + count(counts[in.positive]) + " of " +
                 count(t.rows.size()) + " (" + percent(static_cast<double>(counts[in.positive]), static_cast<double>(t.rows.size())) + ").";
    }
    html += "<div class=\"keep\"><h3>Class balance</h3>\n<div class=\"narrow\">" + figure(count_plot(cats, o), caption) + "</div></div>";
  }

  // Count plots.
  if (!in.count_plots.empty()) {
    html += "<div class=\"keep\"><h3>Counts by group</h3>\n<p>Records per value of each column" +
            (in.positive.empty() ? std::string(".")
                                 : ", overall (grey) and with <code>" + h(in.target) + " = " + h(in.positive) +
                                       "</code> (blue); the percentage is the share of that outcome within the value.") +
            "</p>\n<div class=\"grid2\">";
    for (const CountColumn& cc : in.count_plots) {
      CountPlotOptions o;
      o.title = "Counts of " + cc.name;
      if (!in.positive.empty()) o.positive_name = in.target + " = " + in.positive;
      html += figure(count_plot(cc.categories, o), "<b>Figure " + std::to_string((*fig)++) + ".</b> <code>" + h(cc.name) + "</code>" +
                                                       (in.positive.empty() ? "" : ": all records and among " + h(in.positive)) + ".");
    }
    html += "</div></div>\n";
  }
  return html + "</section>\n";
}

// --- 2. Model ------------------------------------------------------------------------------------

std::string model_section(const ReportInputs& in, int* fig) {
  std::string html = "<section class=\"major\" id=\"model\"><h2>2. Model performance</h2>\n";
  const nlohmann::json perf = in.analysis.value("model_performance", nlohmann::json());
  const nlohmann::json& mm = in.model_metrics;
  const bool regression = perf.is_object() && perf.contains("rmse");
  if (!perf.is_object() && !mm.is_object() && !in.have_batch) {
    return html + absent("Not in this report: <code>analysis.json</code> has no <code>model_performance</code> (run "
                         "<code>verdict explain</code> on labelled data) and no <code>--model</code> folder was given.") +
           "</section>\n";
  }
  Table t(regression ? std::vector<std::pair<std::string, bool>>{{"Data", false}, {"Records", true}, {"RMSE", true}, {"MAE", true}, {"R\u00b2", true}}
                     : std::vector<std::pair<std::string, bool>>{{"Data", false}, {"Records", true}, {"Accuracy", true}, {"AUC", true}, {"Log loss", true}});
  auto add = [&](const std::string& name, const nlohmann::json& j) {
    if (!j.is_object()) return;
    if (regression) {
      t.row({{"", name}, {"num", count(size_or(j, "rows"))}, {"num", fixed(num_or_nan(j, "rmse"), 4)}, {"num", fixed(num_or_nan(j, "mae"), 4)}, {"num", fixed(num_or_nan(j, "r2"), 4)}});
    } else {
      t.row({{"", name}, {"num", count(size_or(j, "rows"))}, {"num", fixed(num_or_nan(j, "accuracy"), 4)}, {"num", fixed(num_or_nan(j, "auc"), 4)}, {"num", fixed(num_or_nan(j, "log_loss"), 4)}});
    }
  };
  bool any = false;
  if (mm.is_object()) {
    if (mm.contains("train")) add("Training data (from training)", mm["train"]), any = true;
    if (mm.contains("test")) add("Test data (from training)", mm["test"]), any = true;
  }
  if (perf.is_object()) add("Explained data (<code>analysis.json</code>)", perf), any = true;
  if (any) {
    const bool multiclass = perf.is_object() && perf.contains("classes");
    if (multiclass) {
      html += "<p>Accuracy of the most probable class; log loss from the predicted probabilities of every class.</p>\n" + t.done();
    } else
    html += "<p>" + std::string(regression ? "Errors of the model's predictions." : "Accuracy at the decision threshold" +
                                 (perf.is_object() && perf.contains("threshold") ? " " + fixed(num_or_nan(perf, "threshold"), 2) : std::string()) +
                                 "; AUC and log loss from the predicted probabilities.") + "</p>\n" + t.done();
  }

  // A multi-class model: the K × K confusion matrix of analysis.json (rows observed, columns predicted).
  if (perf.is_object() && perf.contains("classes") && perf["classes"].is_array() && perf.contains("confusion_matrix")) {
    std::vector<std::string> classes;
    for (const auto& c : perf["classes"]) classes.push_back(c.is_string() ? c.get<std::string>() : c.dump());
    std::vector<std::pair<std::string, bool>> head = {{"Observed \u2193 / predicted \u2192", false}};
    for (const std::string& c : classes) head.push_back({h(c), true});
    Table cm(head, "");
    const nlohmann::json& m = perf["confusion_matrix"];
    for (const std::string& o : classes) {
      std::vector<std::pair<std::string, std::string>> row = {{"", h(o)}};
      for (const std::string& p : classes) {
        const double v = m.contains(o) && m[o].is_object() ? num_or_nan(m[o], p.c_str()) : std::nan("");
        row.push_back({"num", std::isnan(v) ? std::string("n/a") : count(static_cast<std::size_t>(v))});
      }
      cm.row(row);
    }
    html += "<h3>Confusion matrix</h3>\n<p>A multi-class model: " + std::to_string(classes.size()) +
            " classes, each record predicted as its most probable class (AUC is not defined for more than two classes).</p>\n" + cm.done();
  }

  // Confusion matrix and score distribution from the review batch.
  if (in.have_batch && !in.label.empty() && !in.positive_label.empty() && !regression) {
    std::size_t tp = 0, fp = 0, fn = 0, tn = 0;
    std::vector<double> pos_scores, neg_scores;
    for (std::size_t r = 0; r < in.prediction.size(); ++r) {
      const bool actual = in.label[r] == in.positive_label, predicted = in.prediction[r] >= in.threshold;
      (actual ? pos_scores : neg_scores).push_back(in.prediction[r]);
      if (actual && predicted) ++tp;
      else if (!actual && predicted) ++fp;
      else if (actual) ++fn;
      else ++tn;
    }
    const double n = static_cast<double>(tp + fp + fn + tn);
    const std::string pos = h(in.positive_label), neg = h(in.negative_label.empty() ? "other" : in.negative_label);
    html += "<div class=\"keep\"><h3>Confusion matrix</h3>\n<p>" + count(tp + fp + fn + tn) + " records of <code>review_batch.json</code>, predicted <code>" + pos +
            "</code> when the probability is at least " + fixed(in.threshold, 2) + ".</p>\n";
    Table c({{"", false}, {"Predicted " + pos, true}, {"Predicted " + neg, true}, {"Total", true}}, "confusion");
    auto cell = [&](std::size_t v) { return count(v) + " <span class=\"small\">(" + percent(static_cast<double>(v), n) + ")</span>"; };
    c.row({{"", "<b>Actual " + pos + "</b>"}, {"cell", cell(tp) + " TP"}, {"cell", cell(fn) + " FN"}, {"cell", count(tp + fn)}});
    c.row({{"", "<b>Actual " + neg + "</b>"}, {"cell", cell(fp) + " FP"}, {"cell", cell(tn) + " TN"}, {"cell", count(fp + tn)}});
    c.row({{"", "<b>Total</b>"}, {"cell", count(tp + fp)}, {"cell", count(fn + tn)}, {"cell", count(tp + fp + fn + tn)}});
    html += c.done();
    html += "<p class=\"small\">Recall (true positive rate) " + percent(static_cast<double>(tp), static_cast<double>(tp + fn)) +
            "; precision " + percent(static_cast<double>(tp), static_cast<double>(tp + fp)) + "; specificity " +
            percent(static_cast<double>(tn), static_cast<double>(tn + fp)) + ".</p></div>\n";
    const std::string hist = probability_histogram(
        {{in.negative_label.empty() ? "other" : in.negative_label, neg_scores, palette::secondary}, {in.positive_label, pos_scores, palette::primary}},
        in.threshold, "Distribution of predicted probabilities by observed label");
    html += figure(hist, "<b>Figure " + std::to_string((*fig)++) +
                             ".</b> Predicted probability of <code>" + pos + "</code>: for each observed label, the share of its records in each 0.05-wide bin. "
                             "Good separation puts the grey bars left and the blue bars right of the dashed decision threshold.");
  }

  if (mm.is_object() && (mm.contains("params") || mm.contains("rounds"))) {
    std::vector<std::pair<std::string, std::string>> settings;
    if (mm.contains("rounds")) settings.push_back({"boosting rounds", str_or(mm, "rounds")});
    if (mm.contains("seconds")) settings.push_back({"training time", fixed(num_or_nan(mm, "seconds"), 1) + " s"});
    if (mm.contains("params") && mm["params"].is_object()) {
      for (const auto& [k, v] : mm["params"].items()) {
        std::string text = v.is_string() ? v.get<std::string>() : v.dump();
        double d;
        if (parse_number(text, d) && text.size() > 8) {  // 0.20000000000000001 → 0.2
          text = fixed(d, 6);
          text.erase(text.find_last_not_of('0') + 1);
          if (!text.empty() && text.back() == '.') text.pop_back();
        }
        settings.push_back({k, text});
      }
    }
    Table p({{"Setting", false}, {"Value", false}, {"Setting", false}, {"Value", false}}, "kv");
    const std::size_t half = (settings.size() + 1) / 2;
    for (std::size_t i = 0; i < half; ++i) {
      std::vector<std::pair<std::string, std::string>> row = {{"", h(settings[i].first)}, {"mono", h(settings[i].second)}};
      if (i + half < settings.size()) row.insert(row.end(), {{"", h(settings[i + half].first)}, {"mono", h(settings[i + half].second)}});
      else row.insert(row.end(), {{"", ""}, {"", ""}});
      p.row(row);
    }
    html += "<div class=\"keep\"><h3>Training settings</h3>\n" + p.done() + "</div>";
  }
  return html + "</section>\n";
}

// --- 3. Explanations -----------------------------------------------------------------------------

std::string method_text(const std::string& method, const nlohmann::json& m) {
  if (method == "tree") {
    return "path-dependent TreeSHAP, what shap's TreeExplainer and XGBoost's <code>pred_contribs</code> compute (exact)";
  }
  if (method == "baseline") {
    return "exact Shapley values of the model with absent features set to a reference record (the quantity Clarify's Kernel SHAP estimates by sampling)";
  }
  if (method == "kernel") {
    return "Kernel SHAP (sampled, as Clarify and shap's KernelExplainer compute it; " +
           (m.contains("num_samples") ? "num_samples " + h(m["num_samples"].is_string() ? m["num_samples"].get<std::string>() : m["num_samples"].dump()) : std::string("")) + ")";
  }
  return h(method);
}

std::string explanations_section(const ReportInputs& in, int* figure_no) {
  std::string html = "<section class=\"major newpage\" id=\"explanations\"><h2>3. Explanations (SHAP)</h2>\n";
  if (in.method.empty()) {
    return html + absent("Not in this report: <code>analysis.json</code> has no explanations; run <code>verdict explain --out " +
                         h(analysis_shown(in)) + "</code>.") + "</section>\n";
  }
  const nlohmann::json& m = in.analysis["explanations"][in.method + "_shap"];
  const std::string units = str_or(m, "units", "margin");
  const std::string unit_text = units == "margin" ? "log-odds (margin)" : units == "probability" ? "probability" : h(units);
  const double expected = m.contains(in.label_key()) ? num_or_nan(m[in.label_key()], "expected_value") : std::nan("");
  std::string agg;
  const std::vector<BarItem> global = global_values(in, &agg);
  html += "<p>Method: <b>" + h(in.method) + "</b> \u2014 " + method_text(in.method, m) + ". Values are in <b>" + unit_text +
          "</b> units: for each record, the SHAP values of its features add up to the model's output minus the expected value "
          "E[f(X)] = <b>" + fixed(expected, 4) + "</b>. A positive value pushes the prediction towards the positive outcome, a negative one away from it.";
  if (!in.classes.empty()) {
    html += " <b>A multi-class model</b> (" + std::to_string(in.classes.size()) + " classes: " + h(join_text(in.classes)) +
            "): every class has its own margin, SHAP values and expected value; the figures below are those of class <b>" +
            h(in.classes[in.class_index]) + "</b> (<code>" + in.label_key() + "</code>; another class: <code>verdict report --class LABEL</code>), "
            "pushing towards or away from that class. The table after them gives every class's global values.";
  }
  if (in.methods.size() > 1) {
    std::string others;
    for (const std::string& o : in.methods) {
      if (o != in.method) others += (others.empty() ? "" : ", ") + h(o);
    }
    html += " Also computed: " + others + " (compared in the table below).";
  }
  html += "</p>\n";

  BarChartOptions bo;
  bo.title = "Global SHAP values (" + agg_text(agg) + ")";
  bo.axis_label = agg_text(agg) + " (" + (units == "margin" ? "log-odds" : units) + ")";
  html += "<div class=\"keep\"><h3>Global importance</h3>\n" +
          figure(bar_chart(global, bo), "<b>Figure " + std::to_string((*figure_no)++) + ".</b> Global SHAP: " + agg_text(agg) +
                                            " per feature over " + (in.local.rows ? count(in.local.rows) + " records" : std::string("the explained records")) +
                                            ", from <code>analysis.json</code> (" + h(in.method) + "_shap). Longer bars move predictions more, in either direction.") + "</div>";

  if (in.local.rows > 0) {
    BeeswarmOptions so;
    so.max_records = in.options.max_dots;
    so.axis_label = "SHAP value (impact on model output, " + std::string(units == "margin" ? "log-odds" : units) + ")";
    const Beeswarm b = beeswarm(in.local, so);
    std::string caption = "<b>Figure " + std::to_string((*figure_no)++) + ".</b> SHAP summary: a row per feature (largest mean |SHAP| on top), a dot per record at its SHAP value, stacked where dots meet";
    caption += in.colour_source.empty() ? " (not coloured: no feature values available)."
                                        : "; colour = the feature's value, blue low to red high (5th to 95th percentile), grey missing. Values: " + h(in.colour_source) + ".";
    if (b.records < in.local.rows) {
      caption += " " + count(b.records) + " of " + count(in.local.rows) + " records, a fixed pseudo-random subsample.";
    } else {
      caption += " All " + count(b.records) + " records.";
    }
    html += "<div class=\"keep\"><h3>Summary plot</h3>\n" + figure(b.svg, caption) + "</div>";
  }

  if (!in.classes.empty()) {
    std::vector<std::pair<std::string, bool>> head = {{"Feature", false}};
    for (const std::string& c : in.classes) head.push_back({h(c), true});
    Table t(head, "long");
    for (const BarItem& g : global) {
      std::vector<std::pair<std::string, std::string>> row = {{"", h(g.label)}};
      for (std::size_t k = 0; k < in.classes.size(); ++k) {
        const std::string key = "label" + std::to_string(k);
        const nlohmann::json gv = m.contains(key) ? m[key].value("global_shap_values", nlohmann::json()) : nlohmann::json();
        row.push_back({"num", fixed(num_or_nan(gv, g.label.c_str()), 4)});
      }
      t.row(row);
    }
    std::vector<std::pair<std::string, std::string>> ev = {{"", "<i>expected value E[f(X)]</i>"}};
    for (std::size_t k = 0; k < in.classes.size(); ++k) {
      const std::string key = "label" + std::to_string(k);
      ev.push_back({"num", fixed(m.contains(key) ? num_or_nan(m[key], "expected_value") : std::nan(""), 4)});
    }
    t.row(ev);
    html += "<h3>Every class</h3>\n<p>Global SHAP values (" + h(agg_text(agg)) + ", " + h(in.method) +
            ") of each class, in class order (<code>label0</code> … in <code>analysis.json</code>; the same order as the blocks of "
            "<code>explanations_shap/out.csv</code>).</p>\n" + t.done();
  }

  if (in.methods.size() > 1) {
    std::vector<std::pair<std::string, bool>> head = {{"Feature", false}};
    for (const std::string& me : in.methods) head.push_back({h(me) + " <span class=\"small\">(" + h(agg_text(str_or(in.analysis["explanations"][me + "_shap"], "agg_method", "mean_abs"))) + ")</span>", true});
    Table t(head, "long");
    for (const BarItem& g : global) {
      std::vector<std::pair<std::string, std::string>> row = {{"", h(g.label)}};
      for (const std::string& me : in.methods) {
        const nlohmann::json& em = in.analysis["explanations"][me + "_shap"];
        const nlohmann::json gv = em.contains(in.label_key()) ? em[in.label_key()].value("global_shap_values", nlohmann::json()) : nlohmann::json();
        row.push_back({"num", fixed(num_or_nan(gv, g.label.c_str()), 4)});
      }
      t.row(row);
    }
    std::vector<std::pair<std::string, std::string>> ev = {{"", "<i>expected value E[f(X)]</i>"}};
    for (const std::string& me : in.methods) {
      const nlohmann::json& em = in.analysis["explanations"][me + "_shap"];
      ev.push_back({"num", fixed(em.contains(in.label_key()) ? num_or_nan(em[in.label_key()], "expected_value") : std::nan(""), 4)});
    }
    t.row(ev);
    html += "<h3>Methods compared</h3>\n<p>Global values of every SHAP method in <code>analysis.json</code>. They answer different "
            "questions (TreeSHAP: against the training distribution along the trees' paths; baseline and kernel: against the reference records), "
            "so they need not agree.</p>\n" + t.done();
  }
  if (in.kernel_check) {
    const KernelCheck& c = *in.kernel_check;
    Table t({{"Feature", false}, {"mean |error|", true}, {"max |error|", true}, {"mean |exact|", true}, {"error / exact", true}}, "long");
    for (const KernelCheck::Feature& f : c.features) {
      t.row({{"", h(f.name)}, {"num", fixed(f.mean_abs_error, 4)}, {"num", fixed(f.max_abs_error, 4)}, {"num", fixed(f.mean_abs_exact, 4)},
             {"num", f.mean_abs_exact > 0 ? percent(f.mean_abs_error, f.mean_abs_exact) : std::string("n/a")}});
    }
    t.row({{"", "<i>all values</i>"}, {"num", fixed(c.mean_abs_error, 4)}, {"num", fixed(c.max_abs_error, 4)}, {"num", fixed(c.mean_abs_exact, 4)},
           {"num", c.mean_abs_exact > 0 ? percent(c.mean_abs_error, c.mean_abs_exact) : std::string("n/a")}});
    html += "<h3>Kernel SHAP against exact SHAP</h3>\n<p>Kernel SHAP (Clarify's method) estimates by sampling coalitions "
            "(here <b>num_samples " + h(c.num_samples) + "</b>) the very quantity baseline SHAP computes exactly: the same reference rows, the same "
            "units (" + h(c.units) + "). Over " + count(c.rows) + " records, the sampled values are off by <b>" + fixed(c.mean_abs_error, 4) +
            "</b> on average (" + (c.mean_abs_exact > 0 ? percent(c.mean_abs_error, c.mean_abs_exact) : std::string("n/a")) +
            " of the exact values' mean size) and by up to " + fixed(c.max_abs_error, 4) + ".</p>\n" + t.done();
  }
  return html + "</section>\n";
}

// --- 4. Bias -------------------------------------------------------------------------------------

std::string counts_table(const nlohmann::json& c, bool post, const std::string& facet_d) {
  const double n_a = static_cast<double>(size_or(c, "n_a")), n_d = static_cast<double>(size_or(c, "n_d")), n = static_cast<double>(size_or(c, "n"));
  Table t({{"Count", false}, {"Facet a<br><span class=\"small\">every other record</span>", true},
           {"Facet d<br><span class=\"small\">" + facet_d + "</span>", true}, {"All", true}}, "counts");
  auto both = [&](const std::string& name, const char* ka, const char* kd, bool rate) {
    const double a = static_cast<double>(size_or(c, ka)), d = static_cast<double>(size_or(c, kd));
    auto cell = [&](double v, double base) { return count(static_cast<std::size_t>(v)) + (rate ? " <span class=\"small\">(" + percent(v, base) + ")</span>" : std::string()); };
    t.row({{"", name}, {"num", cell(a, n_a)}, {"num", cell(d, n_d)}, {"num", cell(a + d, n)}});
  };
  t.row({{"", "Records n"}, {"num", count(static_cast<std::size_t>(n_a)) + " <span class=\"small\">(" + percent(n_a, n) + ")</span>"},
         {"num", count(static_cast<std::size_t>(n_d)) + " <span class=\"small\">(" + percent(n_d, n) + ")</span>"}, {"num", count(static_cast<std::size_t>(n))}});
  both("Positive labels n(1)", "n_a_positive_labels", "n_d_positive_labels", true);
  if (post) {
    both("Positive predictions n\u0302(1)", "n_a_positive_predictions", "n_d_positive_predictions", true);
    const nlohmann::json ca = c.value("confusion_matrix_a", nlohmann::json::object()), cd = c.value("confusion_matrix_d", nlohmann::json::object());
    for (const char* k : {"TP", "FP", "FN", "TN"}) {
      static const std::map<std::string, std::string> names = {{"TP", "True positives TP"}, {"FP", "False positives FP"}, {"FN", "False negatives FN"}, {"TN", "True negatives TN"}};
      const std::size_t a = size_or(ca, k), d = size_or(cd, k);
      t.row({{"", names.at(k)}, {"num", count(a)}, {"num", count(d)}, {"num", count(a + d)}});
    }
    auto right = [](const nlohmann::json& m) { return static_cast<double>(size_or(m, "TP") + size_or(m, "TN")); };
    auto all = [](const nlohmann::json& m) { return static_cast<double>(size_or(m, "TP") + size_or(m, "TN") + size_or(m, "FP") + size_or(m, "FN")); };
    t.row({{"", "Accuracy"}, {"num", percent(right(ca), all(ca))}, {"num", percent(right(cd), all(cd))},
           {"num", percent(right(ca) + right(cd), all(ca) + all(cd))}});
  }
  return t.done();
}

std::string bias_part(const ReportInputs& in, const char* key, bool post) {
  const nlohmann::json& s = in.analysis[key];
  std::string html = std::string("<h3 class=\"part\">") + (post ? "Post-training bias: the model's predicted labels" : "Pre-training bias: the observed labels") + "</h3>\n";
  if (!s.is_object() || !s.contains("facets") || !s["facets"].is_object()) return html + absent("The section is empty.");
  const std::string label = str_or(s, "label"), label_value = str_or(s, "label_value_or_threshold");
  for (const auto& [facet, entries] : s["facets"].items()) {
    if (!entries.is_array()) continue;
    for (const auto& e : entries) {
      if (!e.is_object()) continue;
      const std::string value = str_or(e, "value_or_threshold");
      html += "<div class=\"keep\"><p>Facet <b>d</b>: records with <code>" + h(facet) + "</code> " + (value.rfind('(', 0) == 0 ? "in " : "= ") + "<code>" + h(value) +
              "</code>; facet <b>a</b>: every other record. Positive outcome: <code>" + h(label) + "</code> " +
              (label_value.rfind('(', 0) == 0 ? "in " : "= ") + "<code>" + h(label_value) + "</code>";
      if (post && s.contains("probability_threshold")) html += "; predicted positive when the probability is above " + fixed(num_or_nan(s, "probability_threshold"), 2);
      if (s.contains("group_variable")) html += "; conditional metrics grouped by <code>" + h(str_or(s, "group_variable")) + "</code>";
      html += ".</p>\n";
      const nlohmann::json c = e.value("counts", nlohmann::json());
      if (c.is_object()) {
        html += counts_table(c, post, h(facet) + (value.rfind('(', 0) == 0 ? " in " : " = ") + h(value));
        std::string extra;
        if (size_or(c, "groups")) extra += count(size_or(c, "groups")) + " groups for the conditional metric. ";
        if (post && c.contains("flip_test") && c["flip_test"].is_object()) {
          const nlohmann::json& ft = c["flip_test"];
          extra += "Flip test (k = " + count(size_or(ft, "k")) + " nearest facet-a neighbours): of the " + count(size_or(c, "n_d")) +
                   " facet-d records, " + count(size_or(ft, "model_positive_knn_negative")) + " are predicted positive while their neighbours' predictions say negative, and " +
                   count(size_or(ft, "model_negative_knn_positive")) + " the reverse.";
        }
        if (!extra.empty()) html += "<p class=\"small\">" + extra + "</p>\n";
      }
      html += "</div>";
      Table t({{"Metric", false}, {"Value", true}, {"What it measures, how to read it", false}}, "metrics long");
      if (e.contains("metrics") && e["metrics"].is_array()) {
        for (const auto& m : e["metrics"]) {
          if (!m.is_object()) continue;
          const std::string name = str_or(m, "name"), desc = str_or(m, "description");
          std::string what = h(bias_metric_explanation(name));
          if (m.contains("note")) what += "<br><span class=\"small\">Note: " + h(str_or(m, "note")) + "</span>";
          if (m.contains("error")) what += "<br><span class=\"small error\">Not computed: " + h(str_or(m, "error")) + "</span>";
          std::string full = desc;
          const std::string suffix = " (" + name + ")";
          if (full.size() > suffix.size() && full.compare(full.size() - suffix.size(), suffix.size(), suffix) == 0) full.resize(full.size() - suffix.size());
          t.row({{"metric", "<b>" + h(name) + "</b><div class=\"small\">" + h(full) + "</div>"}, {"num", metric_value(m)}, {"", what}});
        }
      }
      html += t.done();
    }
  }
  return html;
}

std::string bias_section(const ReportInputs& in) {
  std::string html = "<section class=\"major newpage\" id=\"bias\"><h2>4. Bias metrics</h2>\n";
  const bool pre = in.analysis.contains("pre_training_bias_metrics"), post = in.analysis.contains("post_training_bias_metrics");
  if (!pre && !post) {
    return html + absent("Not in this report: <code>analysis.json</code> has no bias metrics; run <code>verdict bias --out " +
                         h(analysis_shown(in)) + "</code>.") + "</section>\n";
  }
  html += "<p>SageMaker Clarify's metrics, with the definitions of its open-source library (smclarify). <b>Facet d</b> is the group under "
          "examination, <b>facet a</b> everyone else; q = share of positive labels, q\u0302 = share of positive predictions. "
          "0/0 counts as 0 and x/0 as \u221e (with a note). The figures describe differences; they do not on their own decide whether a difference is justified.</p>\n";
  if (pre) html += bias_part(in, "pre_training_bias_metrics", false);
  if (post) html += bias_part(in, "post_training_bias_metrics", true);
  return html + "</section>\n";
}

// --- Appendix ------------------------------------------------------------------------------------

std::string appendix(const ReportInputs& in) {
  std::string html = "<section class=\"major\" id=\"appendix\"><h2>A. Inputs and provenance</h2>\n";
  Table t({{"Input", false}, {"File", false}, {"Bytes", true}, {"SHA-256", false}}, "long");
  for (const InputFile& f : in.files) t.row({{"", h(f.role)}, {"path", "<code>" + h(f.path) + "</code>"}, {"num", count(f.bytes)}, {"hash", h(f.sha256)}});
  html += "<p>Generated " + h(in.generated) + " by verdict 0.1.0 from the files below.</p>\n" + t.done();
  if (!in.options.command.empty()) html += "<p class=\"small\">Command: <code>" + h(shown_paths(in.options, in.options.command)) + "</code></p>\n";
  if (!in.notes.empty()) {
    html += "<h3>Left out</h3>\n<ul class=\"notes\">";
    for (const std::string& n : in.notes) html += "<li>" + h(n) + "</li>";
    html += "</ul>\n";
  }
  return html + "</section>\n";
}

}  // namespace

std::string bias_metric_explanation(const std::string& name) {
  static const std::map<std::string, std::string> text = {
      {"CI", "(n_a \u2212 n_d)/(n_a + n_d). 0 = facets of equal size; positive = facet d is the smaller group."},
      {"DPL", "q_a \u2212 q_d, the gap in the share of positive labels. 0 = equal shares; positive = facet a has the positive label more often."},
      {"KL", "How far facet d's label distribution is from facet a's (\u03a3 P_a log(P_a/P_d)). 0 = identical; larger = more different."},
      {"JS", "Symmetric divergence of the two label distributions from their mean. 0 = identical; at most ln 2 \u2248 0.69."},
      {"LP", "Euclidean (L2) distance between the two label distributions. 0 = identical."},
      {"TVD", "Half the L1 distance between the two label distributions. 0 = identical; at most 1."},
      {"KS", "Largest gap between the two label distributions. 0 = identical; at most 1."},
      {"CDDL", "Within each group: facet d's share of the negative labels minus its share of the positive labels, averaged with group sizes as weights. "
               "0 = no disparity; positive = facet d is over-represented among the negatives."},
      {"DPPL", "q\u0302_a \u2212 q\u0302_d, the gap in the share of positive predictions. 0 = parity; positive = the model predicts the positive outcome more often for facet a."},
      {"DI", "q\u0302_d / q\u0302_a, the ratio of positive-prediction shares. 1 = parity; below 1 = facet d receives positive predictions less often "
             "(the four-fifths rule looks for values under 0.8)."},
      {"DCA", "Observed positives per predicted positive (n(1)/n\u0302(1)), facet a minus facet d. 0 = alike; negative = facet d has more "
                "positive labels per positive prediction than facet a, i.e. is accepted less than its labels suggest."},
      {"DCR", "Observed negatives per predicted negative (n(0)/n\u0302(0)), facet d minus facet a. 0 = alike; positive = facet a has fewer "
              "negative labels per negative prediction, i.e. is rejected more than its labels suggest, relative to facet d."},
      {"RD", "Recall TP/(TP + FN), facet a minus facet d. 0 = alike; positive = the model finds a smaller share of facet d's positives."},
      {"SD", "Specificity TN/(TN + FP), facet d minus facet a. 0 = alike; negative = the model wrongly accepts a larger share of "
             "facet d's negatives."},
      {"DAR", "Precision TP/n\u0302(1), facet a minus facet d. 0 = alike; positive = facet d's positive predictions are less often correct."},
      {"DRR", "TN/n\u0302(0), the share of correct negative predictions, facet d minus facet a. 0 = alike; positive = facet a's negative predictions are less often correct."},
      {"AD", "Accuracy, facet a minus facet d. 0 = equally accurate; positive = less accurate for facet d; negative = more accurate for facet d."},
      {"CDDPL", "CDDL computed on the model's predicted labels instead of the observed labels. 0 = no disparity; positive = facet d is over-represented among the negative predictions."},
      {"TE", "FN/FP of facet d minus FN/FP of facet a. 0 = errors of the same kind; positive = facet d's errors are more often false negatives."},
      {"FT", "Flip test: facet-d records predicted differently from their nearest facet-a neighbours' predictions, (positive-but-neighbours-negative \u2212 "
             "negative-but-neighbours-positive)/n_d. 0 = consistent; negative = facet d is treated less favourably than similar facet-a records."},
      {"GE", "Generalized entropy index (\u03b1 = 2) of the benefit \u0177 \u2212 y + 1 over all records. 0 = every record gets the same benefit; larger = more unequal."},
  };
  const auto it = text.find(name);
  return it == text.end() ? "" : it->second;
}

std::string build_report_html(const ReportInputs& in) {
  const std::string& title = in.options.title;
  std::string html;
  html.reserve(1 << 20);
  html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"verdict 0.1.0\">\n<title>" + h(title) + "</title>\n<style>" + kCss +
          "@page { size: A4; margin: 15mm 14mm 17mm 14mm;\n"
          "  @bottom-left { content: " + css_string(title) + "; font: 8pt \"Liberation Sans\", Arial, sans-serif; color: #5b6475; }\n"
          "  @bottom-right { content: \"Page \" counter(page) \" of \" counter(pages); font: 8pt \"Liberation Sans\", Arial, sans-serif; color: #5b6475; } }\n"
          "</style>\n</head>\n<body>\n";
  html += "<header class=\"cover\"><div class=\"kicker\">Model report \u00b7 explanations, performance and bias</div><h1>" + h(title) +
          "</h1><p class=\"meta\"><span>Generated " + h(in.generated) + "</span><span>verdict 0.1.0</span><span>Analysis: <code>" +
          h(analysis_shown(in)) +
          "</code></span></p></header>\n";
  html += summary_cards(in);
  html += "<nav class=\"toc\"><b>Contents</b>&nbsp;&nbsp; <a href=\"#data\">1. Data set</a><a href=\"#model\">2. Model performance</a>"
          "<a href=\"#explanations\">3. Explanations</a><a href=\"#bias\">4. Bias metrics</a><a href=\"#appendix\">A. Inputs</a></nav>\n";
  int figure_no = 1;
  html += data_section(in, &figure_no);
  html += model_section(in, &figure_no);
  html += explanations_section(in, &figure_no);
  html += bias_section(in);
  html += appendix(in);
  html += "<footer>" + h(title) + " \u00b7 generated " + h(in.generated) + " by verdict 0.1.0 \u00b7 self-contained: no external resources.</footer>\n</body>\n</html>\n";
  return html;
}

}  // namespace verdict::report
