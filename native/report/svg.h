// Small helpers for building SVG and HTML as text: escaping, number formatting, colours and
// an SVG element builder. Pure string building, no I/O.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace verdict::report {

// Escapes text for HTML/SVG element content and attribute values: & < > " '.
std::string escape(std::string_view text);

// A coordinate or length for SVG: at most 2 decimals, no trailing zeros ("12.5", "3").
std::string coord(double v);
// A value for people: fixed decimals ("0.3475"); "n/a" for NaN, "∞" / "−∞" for infinities,
// and a real minus sign.
std::string fixed(double v, int decimals);
// A count with thousands separators: 15,060.
std::string count(std::size_t n);
// A number with thousands separators and fixed decimals: 189,616.37 (−1,234.5).
std::string number(double v, int decimals);
// A share as a percentage with one decimal: "31.0 %" (0/0 gives "n/a").
std::string percent(double numerator, double denominator, int decimals = 1);

// SHAP's red_blue colour map (shap.plots.colors.red_blue): blue for low feature values, through
// purple, to red for high ones, interpolated in CIE LCh as shap does. t in [0, 1] (clamped).
std::string shap_colour(double t);

// Report palette, one place.
namespace palette {
inline constexpr const char* ink = "#1d2433";
inline constexpr const char* muted = "#5b6475";
inline constexpr const char* grid = "#d9dee7";
inline constexpr const char* axis = "#8a93a3";
inline constexpr const char* primary = "#1f5fa8";  // main series
inline constexpr const char* secondary = "#a9b4c4";  // "all records" series
inline constexpr const char* missing = "#9a9a9a";  // missing feature value in the beeswarm
}  // namespace palette

// An SVG document built element by element. Every text given to text() and title is escaped;
// `extra` attributes are written as given (callers pass only fixed, trusted attribute text).
class Svg {
 public:
  Svg(double width, double height, std::string_view title, std::string_view css_class = "chart");

  Svg& rect(double x, double y, double w, double h, std::string_view fill, std::string_view extra = "");
  Svg& line(double x1, double y1, double x2, double y2, std::string_view stroke, double width = 1,
            std::string_view extra = "");
  Svg& circle(double cx, double cy, double r, std::string_view fill);
  // A dot as a zero-length stroked path (round caps): far smaller than a <circle> in the PDF.
  // Its diameter is the stroke width of an enclosing <g>.
  Svg& dot(double cx, double cy, std::string_view colour);
  // anchor: start | middle | end.
  Svg& text(double x, double y, std::string_view content, std::string_view anchor = "start",
            std::string_view extra = "");
  Svg& raw(std::string_view markup);  // trusted markup (defs, groups)

  std::string str() const;

 private:
  double width_, height_;
  std::string head_, body_;
};

// Rough width in px of text in the report's sans-serif font at `size` px (for layout only).
double text_width(std::string_view text, double size);

}  // namespace verdict::report
