// verdict report: one self-contained HTML report (inline CSS and SVG charts) of an explain / bias
// output folder — data overview, model performance, global SHAP, SHAP summary plot, bias
// metrics — and a PDF of it printed by headless Chromium.
#include <filesystem>
#include <iostream>
#include <unistd.h>

#include "commands.h"
#include "native/report/report.h"
#include "shared/error.h"
#include "staged_output.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

struct ReportCommand {
  report::ReportOptions report;
  std::string out, pdf, chromium = "/usr/bin/chromium";
  bool no_pdf = false;
};

std::string quote(const std::string& s) {
  if (!s.empty() && s.find_first_of(" \t'\"\\$`*?&|;<>(){}[]!#~") == std::string::npos) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The command line, for the report's appendix (the options that were set).
std::string command_text(const ReportCommand& c) {
  const report::ReportOptions& r = c.report;
  std::string s = "verdict report --analysis " + quote(r.analysis);
  auto opt = [&](const char* name, const std::string& v) {
    if (!v.empty()) s += std::string(" ") + name + " " + quote(v);
  };
  opt("--data", r.data);
  opt("--model", r.model);
  opt("--schema", r.schema);
  opt("--target", r.target);
  opt("--positive", r.positive);
  std::string cols;
  for (const std::string& col : r.count_columns) cols += (cols.empty() ? "" : ",") + col;
  opt("--count-columns", cols);
  opt("--shap-method", r.shap_method);
  if (r.max_dots != 2000) opt("--max-dots", std::to_string(r.max_dots));
  opt("--out", c.out);
  if (c.no_pdf) s += " --no-pdf";
  else opt("--pdf", c.pdf);
  return s;
}

void run_report(ReportCommand c) {
  if (fs::is_directory(c.out)) throw Error("--out '" + c.out + "' is a folder; give the HTML file to write, e.g. report.html");
  if (!c.no_pdf && c.pdf.empty()) c.pdf = fs::path(c.out).replace_extension(".pdf").string();
  if (!c.no_pdf && fs::absolute(c.pdf) == fs::absolute(c.out)) throw Error("--pdf and --out name the same file '" + c.out + "'");
  c.report.command = command_text(c);
  const report::ReportInputs in = report::load_report_inputs(c.report);
  const std::string html = report::build_report_html(in);

  StagedOutputs out;
  out.write(c.out, html);
  bool pdf_written = false;
  if (!c.no_pdf) {
    if (::access(c.chromium.c_str(), X_OK) != 0) {
      std::cerr << "verdict: warning: no Chromium at '" << c.chromium << "': the PDF is skipped, only the HTML is written "
                << "(install chromium, or pass --chromium PATH or --no-pdf)\n";
    } else {
      // Chromium reads a copy named .html (a staged name would not be read as HTML).
      char dir_template[] = "/tmp/verdict-report-html-XXXXXX";
      if (!::mkdtemp(dir_template)) throw Error("cannot create a temporary folder for the PDF");
      const fs::path dir = dir_template;
      struct Cleanup {
        fs::path p;
        ~Cleanup() {
          std::error_code ec;
          fs::remove_all(p, ec);
        }
      } cleanup{dir};
      StagedOutputs copy;
      copy.write(dir / "report.html", html);
      copy.commit();
      report::print_pdf(c.chromium, dir / "report.html", out.stage(c.pdf));
      pdf_written = true;
    }
  }
  out.commit();

  std::cout << "report -> " << c.out << " (" << (html.size() + 1023) / 1024 << " KB, self-contained)\n";
  if (pdf_written) std::cout << "pdf    -> " << c.pdf << " (" << (fs::file_size(c.pdf) + 1023) / 1024 << " KB)\n";
  for (const std::string& note : in.notes) std::cout << "note: " << note << "\n";
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto c = std::make_shared<ReportCommand>();
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
  cmd->add_option("--shap-method", c->report.shap_method,
                  "SHAP method to draw: tree | baseline | kernel (default: the one in explanations_shap/out.csv)");
  cmd->add_option("--title", c->report.title, "Report title")->capture_default_str();
  cmd->add_option("--max-dots", c->report.max_dots,
                  "Records in the SHAP summary plot; more are subsampled, the same way every run")
      ->capture_default_str();
  auto* pdf = cmd->add_option("--pdf", c->pdf, "PDF file to write (default: --out with .pdf)");
  cmd->add_flag("--no-pdf", c->no_pdf, "Write only the HTML")->excludes(pdf);
  cmd->add_option("--chromium", c->chromium, "Chromium used to print the PDF")->capture_default_str();
  cmd->callback([c] { run_report(*c); });
}

}  // namespace verdict
