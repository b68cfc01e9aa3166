// verdict report: one self-contained HTML file (inline CSS and SVG, nothing fetched) from the
// outputs of `verdict explain` and `verdict bias`, optionally with the data set and the model,
// and a PDF of it printed by headless Chromium.
#pragma once
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "native/io/csv.h"
#include "native/report/charts.h"
#include "shared/schema.h"

namespace verdict::report {

struct ReportOptions {
  std::string analysis;                     // folder holding analysis.json (explain / bias --out)
  std::string data;                         // optional CSV for the data overview
  std::string model;                        // optional model folder (schema.json, metrics.json)
  std::string schema;                       // optional schema.json overriding the model's
  std::string target, positive;             // label column and its positive value (default: schema / bias)
  std::vector<std::string> count_columns;   // empty: the default choice
  std::string shap_method;                  // tree | baseline | kernel; empty: the one in out.csv
  std::string shap_class;                   // multi-class: the class whose SHAP values are drawn (default: the first)
  std::string title = "Model explanation and bias report";
  std::size_t max_dots = 2000;              // records in the beeswarm
  std::size_t max_count_plots = 4;          // default count plots
  std::size_t max_categories = 10;          // default count plots: columns with at most this many values
  std::string command;                      // the command line, for the appendix
  std::string generated;                    // time stamp text; empty = now (UTC)
  // What the report names as its analysis folder and data set when those are a job's scratch
  // copies (verdict clarify): empty = analysis / data as they are.
  std::string analysis_shown, data_shown;
};

// `text` with the analysis folder and data set a job worked in replaced by what it shows
// (ReportOptions::analysis_shown / data_shown).
std::string shown_paths(const ReportOptions& options, std::string text);

struct InputFile {
  std::string role, path;
  std::uintmax_t bytes = 0;
  std::string sha256;
};

struct CountColumn {
  std::string name;
  std::vector<CountCategory> categories;
};

// Kernel SHAP (sampled) against exact baseline SHAP with the same reference rows and units:
// Clarify's estimate next to the exact value it estimates, record by record.
struct KernelCheck {
  std::string num_samples;  // as analysis.json has it ("auto" or a count)
  std::string units;
  std::size_t rows = 0;
  double mean_abs_error = 0, max_abs_error = 0, mean_abs_exact = 0;
  struct Feature {
    std::string name;
    double mean_abs_error, max_abs_error, mean_abs_exact;
  };
  std::vector<Feature> features;  // largest mean error first
};

// Everything the HTML is drawn from, read and checked before anything is written.
struct ReportInputs {
  ReportOptions options;
  nlohmann::json analysis;  // analysis.json

  // SHAP: the method drawn, the others present, local values and the feature values that colour them.
  std::string method;                // "tree", "baseline", "kernel" (without _shap); empty: no explanations
  std::vector<std::string> methods;  // every <name>_shap in analysis.json
  std::string local_file;            // the CSV of local values ("" when absent)
  BeeswarmData local;                // rows = 0 when no local values
  std::string colour_source;         // where local.values came from ("" = no colour)

  std::optional<KernelCheck> kernel_check;  // when both kernel and baseline were computed

  // A multi-class model (label_headers in analysis.json): its classes, and the one drawn
  // (label<class_index>, its block of out.csv). Single-output: no classes, class_index 0.
  std::vector<std::string> classes;
  std::size_t class_index = 0;
  std::string label_key() const { return "label" + std::to_string(class_index); }

  // review_batch.json: predictions and labels per record.
  bool have_batch = false;
  double threshold = 0.5;
  std::vector<double> prediction;
  std::vector<std::string> label;      // observed label text; empty when the batch has none
  std::string positive_label, negative_label;

  // The data set.
  std::optional<Table> data;
  std::optional<Schema> schema;
  nlohmann::json model_metrics;        // metrics.json beside the model (null when absent)
  std::string target, positive;        // resolved label column and positive value ("" = unknown)
  std::vector<CountColumn> count_plots;

  std::vector<InputFile> files;
  std::vector<std::string> notes;      // what is left out and why, shown in the report
  std::string generated;
};

// Reads and checks every input; throws verdict::Error (one line) on bad input.
ReportInputs load_report_inputs(const ReportOptions& options);

// The whole report as one HTML document.
std::string build_report_html(const ReportInputs& in);

// The report as a Jupyter notebook (nbformat 4.5 JSON) from its HTML: a markdown cell per
// section heading, the section (figures, tables) as the HTML output of a code cell.
std::string build_report_notebook(const std::string& html, const std::string& title);

// One line per metric: what Clarify's bias metric measures and how to read its sign.
std::string bias_metric_explanation(const std::string& name);

// Prints `html_file` to `pdf_file` with headless Chromium (a fresh profile, no network use).
// Throws verdict::Error with Chromium's last message when it fails.
void print_pdf(const std::string& chromium, const std::filesystem::path& html_file,
               const std::filesystem::path& pdf_file, int timeout_seconds = 180);

}  // namespace verdict::report
