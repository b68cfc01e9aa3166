#include "native/report/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace verdict::report {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string coord(double v) {
  if (!std::isfinite(v)) return "0";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

std::string fixed(double v, int decimals) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "\u221e" : "\u2212\u221e";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  // "-0.0000" reads as a sign where there is none.
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  if (s[0] == '-') s = "\u2212" + s.substr(1);
  return s;
}

std::string count(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string number(double v, int decimals) {
  std::string s = fixed(v, decimals);
  if (!std::isfinite(v)) return s;
  const std::size_t start = s.rfind("\u2212", 0) == 0 ? std::string("\u2212").size() : 0;
  std::size_t end = s.find('.');
  if (end == std::string::npos) end = s.size();
  for (long i = static_cast<long>(end) - 3; i > static_cast<long>(start); i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

std::string percent(double numerator, double denominator, int decimals) {
  if (denominator == 0) return "n/a";
  return fixed(100.0 * numerator / denominator, decimals) + "\u00a0%";
}

namespace {

// sRGB component from linear light, clipped, as skimage's xyz2rgb (which shap uses).
double srgb(double linear) {
  const double v = linear > 0.0031308 ? 1.055 * std::pow(linear, 1 / 2.4) - 0.055 : 12.92 * linear;
  return std::clamp(v, 0.0, 1.0);
}

std::string lch_hex(double l, double c, double h) {
  const double a = c * std::cos(h), b = c * std::sin(h);
  const double fy = (l + 16.0) / 116.0, fx = a / 500.0 + fy, fz = fy - b / 200.0;
  auto finv = [](double t) { return t > 0.2068966 ? t * t * t : (t - 16.0 / 116.0) / 7.787; };
  const double x = finv(fx) * 0.95047, y = finv(fy) * 1.0, z = finv(fz) * 1.08883;
  const double r = 3.240481 * x - 1.537152 * y - 0.498536 * z;
  const double g = -0.969255 * x + 1.875990 * y + 0.041556 * z;
  const double bl = 0.055647 * x - 0.204041 * y + 1.057311 * z;
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(std::lround(srgb(r) * 255)),
                static_cast<int>(std::lround(srgb(g) * 255)), static_cast<int>(std::lround(srgb(bl) * 255)));
  return buf;
}

}  // namespace

std::string shap_colour(double t) {
  if (std::isnan(t)) return palette::missing;
  t = std::clamp(t, 0.0, 1.0);
  // shap: 100 steps; lightness 54 → 40 over the first 50 and 40 → 54 over the last 50,
  // chroma 70 → 90, hue 4.6588 → 0.35470565 + 2π radians.
  const double step = t * 99.0;
  const double l = step <= 49.0 ? 54.0 - 14.0 * step / 49.0 : 40.0 + 14.0 * std::max(0.0, step - 50.0) / 49.0;
  const double c = 70.0 + 20.0 * t;
  const double h = 4.6588 + (0.35470565 + 2 * M_PI - 4.6588) * t;
  return lch_hex(l, c, h);
}

Svg::Svg(double width, double height, std::string_view title, std::string_view css_class)
    : width_(width), height_(height) {
  // Inline SVG in HTML needs no xmlns (and the report holds no http:// address at all).
  head_ = "<svg class=\"" + escape(css_class) + "\" viewBox=\"0 0 " +
          coord(width) + " " + coord(height) + "\" width=\"" + coord(width) + "\" height=\"" + coord(height) +
          "\" role=\"img\" aria-label=\"" + escape(title) + "\"><title>" + escape(title) + "</title>";
}

Svg& Svg::rect(double x, double y, double w, double h, std::string_view fill, std::string_view extra) {
  body_ += "<rect x=\"" + coord(x) + "\" y=\"" + coord(y) + "\" width=\"" + coord(std::max(0.0, w)) +
           "\" height=\"" + coord(std::max(0.0, h)) + "\" fill=\"" + escape(fill) + "\"";
  if (!extra.empty()) body_ += " " + std::string(extra);
  body_ += "/>";
  return *this;
}

Svg& Svg::line(double x1, double y1, double x2, double y2, std::string_view stroke, double width,
               std::string_view extra) {
  body_ += "<line x1=\"" + coord(x1) + "\" y1=\"" + coord(y1) + "\" x2=\"" + coord(x2) + "\" y2=\"" + coord(y2) +
           "\" stroke=\"" + escape(stroke) + "\" stroke-width=\"" + coord(width) + "\"";
  if (!extra.empty()) body_ += " " + std::string(extra);
  body_ += "/>";
  return *this;
}

Svg& Svg::circle(double cx, double cy, double r, std::string_view fill) {
  body_ += "<circle cx=\"" + coord(cx) + "\" cy=\"" + coord(cy) + "\" r=\"" + coord(r) + "\" fill=\"" +
           escape(fill) + "\"/>";
  return *this;
}

Svg& Svg::dot(double cx, double cy, std::string_view colour) {
  body_ += "<path d=\"M" + coord(cx) + " " + coord(cy) + "h0\" stroke=\"" + escape(colour) + "\"/>";
  return *this;
}

Svg& Svg::text(double x, double y, std::string_view content, std::string_view anchor, std::string_view extra) {
  body_ += "<text x=\"" + coord(x) + "\" y=\"" + coord(y) + "\"";
  if (anchor != "start") body_ += " text-anchor=\"" + escape(anchor) + "\"";
  if (!extra.empty()) body_ += " " + std::string(extra);
  body_ += ">" + escape(content) + "</text>";
  return *this;
}

Svg& Svg::raw(std::string_view markup) {
  body_ += markup;
  return *this;
}

std::string Svg::str() const { return head_ + body_ + "</svg>"; }

double text_width(std::string_view text, double size) {
  double em = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte
    if (std::string_view("il.,:;'|!()[] ").find(static_cast<char>(c)) != std::string_view::npos) em += 0.3;
    else if (c == 'f' || c == 't' || c == 'r' || c == 'j' || c == '-') em += 0.36;
    else if (c == 'm' || c == 'w' || c == 'M' || c == 'W') em += 0.85;
    else if (c >= 'A' && c <= 'Z') em += 0.66;
    else if (c >= '0' && c <= '9') em += 0.56;
    else em += 0.53;
  }
  return em * size;
}

}  // namespace verdict::report
