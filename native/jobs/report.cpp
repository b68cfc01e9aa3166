// verdict report: one self-contained HTML report (inline CSS and SVG charts) of an explain / bias
// output folder — data overview, model performance, global SHAP, SHAP summary plot, bias
// metrics — and a PDF of it printed by headless Chromium.
#include "native/jobs/report.h"

#include <filesystem>
#include <iostream>
#include <unistd.h>

#include "native/report/report.h"
#include "shared/error.h"
#include "native/io/staged_output.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

std::string quote(const std::string& s) {
  if (!s.empty() && s.find_first_of(" \t'\"\\$`*?&|;<>(){}[]!#~") == std::string::npos) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The command line, for the report's appendix (the options that were set).
std::string command_text(const ReportPlan& c) {
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
  opt("--class", r.shap_class);
  if (r.max_dots != 2000) opt("--max-dots", std::to_string(r.max_dots));
  opt("--out", c.out);
  if (c.no_pdf) s += " --no-pdf";
  else opt("--pdf", c.pdf);
  return s;
}

}  // namespace

void write_report(ReportPlan c, std::ostream& log) {
  if (fs::is_directory(c.out)) throw Error("--out '" + c.out + "' is a folder; give the HTML file to write, e.g. report.html");
  if (!c.no_pdf && c.pdf.empty()) c.pdf = fs::path(c.out).replace_extension(".pdf").string();
  if (!c.no_pdf && fs::absolute(c.pdf) == fs::absolute(c.out)) throw Error("--pdf and --out name the same file '" + c.out + "'");
  c.report.command = command_text(c);
  const report::ReportInputs in = report::load_report_inputs(c.report);
  const std::string html = report::build_report_html(in);

  StagedOutputs out;
  out.write(c.out, html);
  if (!c.notebook.empty()) out.write(c.notebook, report::build_report_notebook(html, c.report.title));
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

  log << "report -> " << c.out << " (" << (html.size() + 1023) / 1024 << " KB, self-contained)\n";
  if (!c.notebook.empty()) log << "notebook -> " << c.notebook << "\n";
  if (pdf_written) log << "pdf    -> " << c.pdf << " (" << (fs::file_size(c.pdf) + 1023) / 1024 << " KB)\n";
  for (const std::string& note : in.notes) log << "note: " << note << "\n";
}

}  // namespace verdict
