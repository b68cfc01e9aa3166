#include "native/review/static_files.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

namespace fs = std::filesystem;

namespace verdict::review {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The q of one Accept-Encoding entry ("br;q=0.5" -> 0.5; no q -> 1; unreadable -> 0).
double quality(std::string_view params) {
  const auto q = params.find("q=");
  if (q == std::string_view::npos) return 1.0;
  try {
    return std::stod(std::string(params.substr(q + 2)));
  } catch (...) {
    return 0.0;
  }
}

bool safe_relative(const std::string& path) {
  if (path.empty()) return true;
  std::stringstream parts(path);
  for (std::string part; std::getline(parts, part, '/');) {
    if (part.empty() || part.front() == '.') return false;  // "..", ".git", "a//b"
  }
  return path.find('\\') == std::string::npos && path.find('\0') == std::string::npos;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void send_json_error(httplib::Response& res, int status, const char* message) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", message}}.dump(), "application/json");
}

void send_file(const fs::path& folder, const httplib::Request& req, httplib::Response& res) {
  std::string rel = req.matches[1];
  if (rel.empty()) rel = "index.html";
  if (!safe_relative(rel) || rel.compare(0, 4, "api/") == 0) return send_json_error(res, 404, "not found");
  const fs::path file = folder / rel;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return send_json_error(res, 404, "not found");
  const std::string name = file.filename().string();
  const bool hashed = is_hashed_name(name);
  const std::string encoding = pick_encoding(req.get_header_value("Accept-Encoding"),
                                             fs::is_regular_file(file.string() + ".br", ec),
                                             fs::is_regular_file(file.string() + ".gz", ec));
  const fs::path chosen = encoding.empty() ? file : fs::path(file.string() + (encoding == "br" ? ".br" : ".gz"));
  // A hashed name is its content; other files change with their size and time.
  const auto stamp = fs::last_write_time(chosen, ec).time_since_epoch().count();
  const std::string etag = "\"" + (hashed ? name : std::to_string(fs::file_size(chosen, ec)) + "-" + std::to_string(stamp)) +
                           (encoding.empty() ? "" : "-" + encoding) + "\"";
  res.set_header("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
  res.set_header("ETag", etag);
  res.set_header("Vary", "Accept-Encoding");
  res.set_header("X-Content-Type-Options", "nosniff");
  if (req.get_header_value("If-None-Match") == etag) {
    res.status = 304;
    return;
  }
  auto body = std::make_shared<std::string>(read_file(chosen));
  if (!encoding.empty()) res.set_header("Content-Encoding", encoding);
  // A sized content provider: httplib sends it as it is (it compresses only bodies it holds
  // and chunked providers), so a precompressed file is never compressed again.
  res.set_content_provider(body->size(), content_type_for(name), [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
    sink.write(body->data() + offset, length);
    return true;
  });
}

}  // namespace

std::string pick_encoding(std::string_view accept, bool have_br, bool have_gzip) {
  double br = 0, gzip = 0, star = -1;
  std::size_t start = 0;
  while (start <= accept.size()) {
    const std::size_t end = std::min(accept.find(',', start), accept.size());
    const std::string_view entry = trim(accept.substr(start, end - start));
    const std::size_t semi = entry.find(';');
    const std::string coding = lower(trim(entry.substr(0, semi)));
    const double q = semi == std::string_view::npos ? 1.0 : quality(entry.substr(semi + 1));
    if (coding == "br") br = q;
    else if (coding == "gzip" || coding == "x-gzip") gzip = q;
    else if (coding == "*") star = q;
    start = end + 1;
  }
  if (star >= 0) {  // "*" stands for the codings not named
    if (accept.find("br") == std::string_view::npos) br = star;
    if (accept.find("gzip") == std::string_view::npos) gzip = star;
  }
  if (have_br && br > 0 && br >= gzip) return "br";
  if (have_gzip && gzip > 0) return "gzip";
  if (have_br && br > 0) return "br";
  return "";
}

bool is_hashed_name(std::string_view name) {
  const auto ext = name.rfind('.');
  if (ext == std::string_view::npos || ext < 13) return false;
  const std::string_view hash = name.substr(ext - 12, 12);
  return name[ext - 13] == '.' &&
         std::all_of(hash.begin(), hash.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string content_type_for(std::string_view name) {
  static const std::pair<const char*, const char*> types[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"}, {".wasm", "application/wasm"}, {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"}, {".png", "image/png"}, {".bin", "application/octet-stream"},
      {".txt", "text/plain; charset=utf-8"}};
  const std::string n = lower(name);
  for (const auto& [ext, type] : types) {
    const std::string_view e(ext);
    if (n.size() >= e.size() && n.compare(n.size() - e.size(), e.size(), e) == 0) return type;
  }
  return "application/octet-stream";
}

void add_static_routes(httplib::Server& server, const std::string& folder) {
  const fs::path root = fs::absolute(folder);
  server.Get(R"(/(.*))", [root](const httplib::Request& req, httplib::Response& res) { send_file(root, req, res); });
}

}  // namespace verdict::review
