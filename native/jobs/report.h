// The `report` job: one self-contained HTML report (inline CSS and SVG charts) of an explain /
// bias output folder, and a PDF of it printed by headless Chromium.
#pragma once
#include <ostream>
#include <string>

#include "native/report/report.h"

namespace verdict {

struct ReportPlan {
  report::ReportOptions report;  // what goes into the report
  std::string out;               // the HTML file
  std::string pdf;               // the PDF (default: OUT with .pdf)
  std::string chromium = "/usr/bin/chromium";
  bool no_pdf = false;
  std::string notebook;          // also the report as a Jupyter notebook (.ipynb) here; "" = none
};

// Writes the HTML (and the PDF when Chromium is there: else a warning on stderr); reports on `log`.
void write_report(ReportPlan plan, std::ostream& log);

}  // namespace verdict
