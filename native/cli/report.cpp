// verdict report: one self-contained HTML report (inline CSS and SVG charts) of an explain / bias
// output folder — data overview, model performance, global SHAP, SHAP summary plot, bias
// metrics — and a PDF of it printed by headless Chromium.
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/report.h"

namespace verdict {

void add_report_command(CLI::App& app) {
  auto c = std::make_shared<ReportPlan>();
  CLI::App* cmd = app.add_subcommand("report", "One self-contained HTML report (and a PDF) of an explain / bias output folder");
  cmd->footer(
      "The report holds: key figures; the data set (columns, class balance, count plots overall and among the positive\n"
      "label) when --data is given; model performance (analysis.json, the model's metrics.json, a confusion matrix and\n"
      "the score distribution from review_batch.json); global SHAP (bar chart) and the SHAP summary (beeswarm) plot;\n"
      "Clarify's bias metrics with their counts; the input files with SHA-256. Inline CSS and SVG only: it opens\n"
      "without a network. The PDF is printed by headless Chromium; without Chromium it is skipped with a warning.");
  cmd->add_option("--analysis", c->report.analysis,
                  "Output folder of verdict explain / bias: analysis.json, explanations_shap/out*.csv, review_batch.json")
      ->required();
  cmd->add_option("--out", c->out, "HTML file to write (e.g. report.html)")->required();
  cmd->add_option("--data", c->report.data, "CSV for the data set overview and count plots (e.g. the data explained)");
  cmd->add_option("--model", c->report.model,
                  "Model folder: schema.json (column types, label, positive value) and metrics.json (training metrics)");
  cmd->add_option("--schema", c->report.schema, "schema.json overriding the one beside the model");
  cmd->add_option("--target", c->report.target, "Label column in --data (default: the schema's target, else the bias label)");
  cmd->add_option("--positive", c->report.positive,
                  "The label's positive value (default: the schema's positive label, else the bias label value)");
  cmd->add_option("--count-columns", c->report.count_columns,
                  "Columns to draw count plots of, comma-separated (default: the bias facet, then every categorical "
                  "column with at most 10 values; up to 4 plots)")
      ->delimiter(',');
  cmd->add_option("--class", c->report.shap_class,
                  "A multi-class model: the class whose SHAP values are drawn (default: the first)");
  cmd->add_option("--shap-method", c->report.shap_method,
                  "SHAP method to draw: tree | baseline | kernel (default: the one in explanations_shap/out.csv)");
  cmd->add_option("--title", c->report.title, "Report title")->capture_default_str();
  cmd->add_option("--max-dots", c->report.max_dots,
                  "Records in the SHAP summary plot; more are subsampled, the same way every run")
      ->capture_default_str();
  auto* pdf = cmd->add_option("--pdf", c->pdf, "PDF file to write (default: --out with .pdf)");
  cmd->add_flag("--no-pdf", c->no_pdf, "Write only the HTML")->excludes(pdf);
  cmd->add_option("--chromium", c->chromium, "Chromium used to print the PDF")->capture_default_str();
  cmd->callback([c] { write_report(*c, std::cout); });
}

}  // namespace verdict
