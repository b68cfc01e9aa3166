// report.ipynb: the HTML report as a Jupyter notebook (nbformat 4), the form Clarify's
// processing job also writes its report in. One markdown cell per section heading and the
// section itself (its figures as inline SVG, its tables) as the HTML output of a code cell, so
// the notebook shows the same content without re-running anything.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "native/report/report.h"

namespace verdict::report {

namespace {

// Jupyter stores a cell's text as a list of lines, each keeping its "\n".
nlohmann::json lines(const std::string& text) {
  nlohmann::json out = nlohmann::json::array();
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    const std::size_t end = nl == std::string::npos ? text.size() : nl + 1;
    out.push_back(text.substr(start, end - start));
    start = end;
  }
  return out;
}

std::string between(const std::string& s, const std::string& open, const std::string& close, std::size_t from = 0) {
  const std::size_t a = s.find(open, from);
  if (a == std::string::npos) return "";
  const std::size_t b = s.find(close, a + open.size());
  return b == std::string::npos ? "" : s.substr(a + open.size(), b - a - open.size());
}

// Text of an HTML fragment without its tags and with the few entities the report writes.
std::string plain(const std::string& html) {
  std::string out;
  bool tag = false;
  for (char c : html) {
    if (c == '<') tag = true;
    else if (c == '>') tag = false;
    else if (!tag) out += c;
  }
  for (const auto& [entity, text] : std::vector<std::pair<std::string, std::string>>{
           {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&nbsp;", " "}}) {
    for (std::size_t p; (p = out.find(entity)) != std::string::npos;) out.replace(p, entity.size(), text);
  }
  return out;
}

nlohmann::json markdown(const std::string& text) {
  return {{"cell_type", "markdown"}, {"metadata", nlohmann::json::object()}, {"source", lines(text)}};
}

nlohmann::json html_output_cell(const std::string& comment, const std::string& html) {
  nlohmann::json output = {{"output_type", "display_data"},
                           {"metadata", nlohmann::json::object()},
                           {"data", {{"text/html", lines(html)}, {"text/plain", lines("<" + comment + ">")}}}};
  return {{"cell_type", "code"},
          {"execution_count", nullptr},
          {"metadata", {{"jupyter", {{"source_hidden", true}}}}},
          {"outputs", nlohmann::json::array({output})},
          {"source", lines("# " + comment + " (written by verdict; nothing to run)")}};
}

}  // namespace

std::string build_report_notebook(const std::string& html, const std::string& title) {
  nlohmann::json cells = nlohmann::json::array();
  const std::string style = "<style>" + between(html, "<style>", "</style>") + "</style>\n";
  const std::string meta = plain(between(html, "<p class=\"meta\">", "</p>"));
  cells.push_back(markdown("# " + title + "\n\n" + meta + "\n"));
  // The key figures (cards) before the first section.
  const std::string cards = between(html, "<section class=\"cards\"", "</section>");
  if (!cards.empty()) {
    cells.push_back(html_output_cell("key figures", style + "<section class=\"cards\"" + cards + "</section>\n"));
  }
  const std::string marker = "<section class=\"major";
  for (std::size_t at = html.find(marker); at != std::string::npos;) {
    const std::size_t next = html.find(marker, at + marker.size());
    std::size_t end = next == std::string::npos ? html.find("<footer>", at) : next;
    if (end == std::string::npos) end = html.size();
    const std::string section = html.substr(at, end - at);
    const std::string heading = plain(between(section, "<h2>", "</h2>"));
    cells.push_back(markdown("## " + heading + "\n"));
    cells.push_back(html_output_cell(heading, style + section));
    at = next;
  }
  const nlohmann::json nb = {
      {"nbformat", 4},
      {"nbformat_minor", 5},
      {"metadata",
       {{"title", title},
        {"kernelspec", {{"name", "python3"}, {"display_name", "Python 3"}, {"language", "python"}}},
        {"language_info", {{"name", "python"}}}}},
      {"cells", cells}};
  // nbformat 4.5 wants an id per cell.
  nlohmann::json out = nb;
  for (std::size_t i = 0; i < out["cells"].size(); ++i) out["cells"][i]["id"] = "cell-" + std::to_string(i);
  return out.dump(1) + "\n";
}

}  // namespace verdict::report
