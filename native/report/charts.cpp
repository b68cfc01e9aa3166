#include "native/report/charts.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "native/report/svg.h"
#include "shared/error.h"
#include "shared/portable_random.h"

namespace verdict::report {

namespace {

constexpr double kFont = 12;

// Decimals that print every tick of this step exactly (0.25 → 2, 5 → 0).
int tick_decimals(double step) {
  for (int d = 0; d < 8; ++d) {
    const double scaled = step * std::pow(10.0, d);
    if (std::fabs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled)) return d;
  }
  return 8;
}

double label_column(const std::vector<std::string>& labels, double font, double cap) {
  double w = 0;
  for (const std::string& l : labels) w = std::max(w, text_width(l, font));
  return std::min(w, cap);
}

// Labels wider than the column are cut with an ellipsis (the full text stays in the tables).
std::string fit(const std::string& text, double font, double width) {
  if (text_width(text, font) <= width) return text;
  std::string s = text;
  while (!s.empty() && text_width(s + "\u2026", font) > width) {
    s.pop_back();
    while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();  // whole UTF-8 characters
    if (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0xC0) s.pop_back();
  }
  return s + "\u2026";
}

struct Scale {
  double d0, d1, r0, r1;
  double operator()(double v) const { return r0 + (v - d0) / (d1 - d0) * (r1 - r0); }
};

// An x axis under a plot: tick marks, labels, and a centred axis title.
void x_axis(Svg& svg, const Scale& x, const std::vector<double>& ticks, double y, const std::string& label,
            bool grid_top, double grid_from) {
  const int decimals = ticks.size() > 1 ? tick_decimals(ticks[1] - ticks[0]) : 0;
  for (double t : ticks) {
    const double px = x(t);
    if (grid_top) svg.line(px, grid_from, px, y, palette::grid, 1);
    svg.line(px, y, px, y + 4, palette::axis, 1);
    svg.text(px, y + 16, fixed(t, decimals), "middle", "class=\"tick\"");
  }
  svg.line(x.r0, y, x.r1, y, palette::axis, 1);
  if (!label.empty()) svg.text((x.r0 + x.r1) / 2, y + 34, label, "middle", "class=\"axis-label\"");
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (hi < lo) std::swap(lo, hi);
  if (hi - lo < 1e-12) {
    const double pad = std::max(std::fabs(lo) * 0.1, 1e-3);
    lo -= pad, hi += pad;
  }
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double step = (norm < 1.5 ? 1 : norm < 2.25 ? 2 : norm < 3.5 ? 2.5 : norm < 7.5 ? 5 : 10) * mag;
  const double first = std::floor(lo / step + 1e-9) * step, last = std::ceil(hi / step - 1e-9) * step;
  std::vector<double> ticks;
  for (double t = first; t <= last + step * 0.5; t += step) ticks.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

std::string bar_chart(std::vector<BarItem> items, const BarChartOptions& o) {
  std::stable_sort(items.begin(), items.end(), [](const BarItem& a, const BarItem& b) { return a.value > b.value; });
  bool folded = false;
  if (o.max_bars >= 2 && items.size() > o.max_bars) {
    BarItem rest;
    const std::size_t keep = o.max_bars - 1;
    for (std::size_t i = keep; i < items.size(); ++i) rest.value += items[i].value;
    rest.label = "Sum of " + std::to_string(items.size() - keep) + " other features";
    items.resize(keep);
    items.push_back(rest);
    folded = true;
  }
  std::vector<std::string> labels;
  for (const BarItem& it : items) labels.push_back(it.label);
  const double lw = label_column(labels, kFont, 240) + 16;
  const double row = 18, bar_h = 12, top = 8;
  double lo = 0, hi = 0;
  for (const BarItem& it : items) lo = std::min(lo, it.value), hi = std::max(hi, it.value);
  const std::vector<double> ticks = nice_ticks(lo, hi, 5);
  const Scale x{ticks.front(), ticks.back(), lw, o.width - 70};
  const double axis_y = top + static_cast<double>(items.size()) * row + 4;
  Svg svg(o.width, axis_y + (o.axis_label.empty() ? 26 : 44), o.title);
  x_axis(svg, x, ticks, axis_y, o.axis_label, true, top - 4);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const BarItem& it = items[i];
    const double y = top + static_cast<double>(i) * row;
    const double x0 = x(std::min(0.0, it.value)), x1 = x(std::max(0.0, it.value));
    const bool other = folded && i + 1 == items.size();
    svg.rect(x0, y + (row - bar_h) / 2, x1 - x0, bar_h, other ? palette::secondary : palette::primary,
             "class=\"bar\"");
    svg.text(lw - 8, y + row / 2 + 4, fit(it.label, kFont, lw - 12), "end", "class=\"label\"");
    svg.text(it.value >= 0 ? x1 + 5 : x0 - 5, y + row / 2 + 4, fixed(it.value, o.decimals),
             it.value >= 0 ? "start" : "end", "class=\"value\"");
  }
  if (lo < 0) svg.line(x(0), top - 4, x(0), axis_y, palette::axis, 1);
  return svg.str();
}

std::vector<std::size_t> subsample(std::size_t n, std::size_t k, std::uint64_t seed) {
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  if (k == 0 || n <= k) return idx;
  std::vector<std::pair<std::uint64_t, std::size_t>> keyed(n);
  for (std::size_t i = 0; i < n; ++i) keyed[i] = {mix_seed(seed, i), i};
  std::nth_element(keyed.begin(), keyed.begin() + static_cast<long>(k), keyed.end());
  idx.clear();
  for (std::size_t i = 0; i < k; ++i) idx.push_back(keyed[i].second);
  std::sort(idx.begin(), idx.end());
  return idx;
}

Beeswarm beeswarm(const BeeswarmData& d, const BeeswarmOptions& o) {
  const std::size_t m = d.features.size();
  if (d.shap.size() != d.rows * m) throw Error("beeswarm: SHAP values do not fill rows × features");
  const bool coloured = !d.values.empty();
  if (coloured && d.values.size() != d.rows * m) throw Error("beeswarm: feature values do not fill rows × features");
  Beeswarm out;

  // Features by mean |SHAP| over every record, the largest first (shap's order).
  std::vector<double> importance(m, 0.0);
  for (std::size_t r = 0; r < d.rows; ++r) {
    for (std::size_t f = 0; f < m; ++f) importance[f] += std::fabs(d.shap[r * m + f]);
  }
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return importance[a] > importance[b]; });
  if (o.max_features > 0 && order.size() > o.max_features) order.resize(o.max_features);
  const std::vector<std::size_t> rows = subsample(d.rows, o.max_records, o.seed);
  out.records = rows.size();
  out.features = order.size();
  for (std::size_t f : order) out.order.push_back(d.features[f]);

  std::vector<std::string> labels = out.order;
  const double lw = label_column(labels, kFont, 200) + 16;
  const double legend = coloured ? 70 : 16;
  const double row_h = 25, top = 12, r = 2.1;
  double lo = 0, hi = 0;
  for (std::size_t i : rows) {
    for (std::size_t f : order) {
      const double v = d.shap[i * m + f];
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  }
  const std::vector<double> ticks = nice_ticks(lo, hi, 6);
  const Scale x{ticks.front(), ticks.back(), lw + 4, o.width - legend};
  const double rows_h = static_cast<double>(order.size()) * row_h;
  const double axis_y = top + rows_h + 4;
  Svg svg(o.width, axis_y + 46, o.title, "chart beeswarm");
  x_axis(svg, x, ticks, axis_y, o.axis_label, false, 0);
  svg.line(x(0), top - 6, x(0), axis_y, palette::axis, 1);

  const double bin_w = 2 * r * 0.95, spacing = 2 * r * 0.8, half = row_h * 0.44;
  for (std::size_t j = 0; j < order.size(); ++j) {
    const std::size_t f = order[j];
    const double cy = top + (static_cast<double>(j) + 0.5) * row_h;
    svg.line(x.r0, cy, x.r1, cy, palette::grid, 1, "stroke-dasharray=\"2 3\"");
    svg.text(lw - 8, cy + 4, fit(d.features[f], kFont, lw - 12), "end", "class=\"label\"");

    // Colour scale: the 5th to 95th percentile of the feature's values, as shap does.
    double vmin = 0, vmax = 0;
    if (coloured) {
      std::vector<double> vals;
      for (std::size_t i : rows) {
        const double v = d.values[i * m + f];
        if (!std::isnan(v)) vals.push_back(v);
      }
      if (!vals.empty()) {
        std::sort(vals.begin(), vals.end());
        auto pct = [&](double p) {  // numpy's linear interpolation
          const double pos = p * static_cast<double>(vals.size() - 1);
          const std::size_t lo_i = static_cast<std::size_t>(std::floor(pos));
          const std::size_t hi_i = std::min(lo_i + 1, vals.size() - 1);
          return vals[lo_i] + (vals[hi_i] - vals[lo_i]) * (pos - static_cast<double>(lo_i));
        };
        vmin = pct(0.05), vmax = pct(0.95);
        if (vmin == vmax) vmin = vals.front(), vmax = vals.back();
      }
    }

    // Jitter: dots in the same column (one dot wide) stack alternately above and below the row's
    // centre, in a seeded order; a crowded row is squeezed to fit its height.
    struct Dot {
      double px;
      long bin;
      std::uint64_t key;
      std::size_t record;
    };
    std::vector<Dot> dots;
    dots.reserve(rows.size());
    for (std::size_t i : rows) {
      const double v = d.shap[i * m + f];
      const double px = x(std::isfinite(v) ? v : 0.0);
      dots.push_back({px, static_cast<long>(std::floor((px - x.r0) / bin_w)), mix_seed(o.seed ^ (f * 0x9E37u), i), i});
    }
    std::sort(dots.begin(), dots.end(), [](const Dot& a, const Dot& b) { return a.bin != b.bin ? a.bin < b.bin : a.key < b.key; });
    std::vector<double> offset(dots.size(), 0.0);
    double widest = 0;
    long layer = 0;
    for (std::size_t k = 0; k < dots.size(); ++k) {
      layer = k > 0 && dots[k].bin == dots[k - 1].bin ? layer + 1 : 0;
      const double units = std::ceil(static_cast<double>(layer) / 2.0) * (layer % 2 ? 1.0 : -1.0);
      offset[k] = units * spacing;
      widest = std::max(widest, std::fabs(offset[k]));
    }
    const double squeeze = widest > half ? half / widest : 1.0;
    svg.raw("<g class=\"dots\" fill=\"none\" stroke-linecap=\"round\" stroke-width=\"" + coord(2 * r) + "\">");
    for (std::size_t k = 0; k < dots.size(); ++k) {
      std::string colour = palette::primary;
      if (coloured) {
        const double v = d.values[dots[k].record * m + f];
        colour = std::isnan(v) ? palette::missing : shap_colour(vmax > vmin ? (v - vmin) / (vmax - vmin) : 0.5);
      }
      svg.dot(dots[k].px, cy + offset[k] * squeeze, colour);
      ++out.dots;
    }
    svg.raw("</g>");
  }

  if (coloured) {  // the colour bar, red (high) on top
    std::string defs = "<defs><linearGradient id=\"verdict-shap-colours\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">";
    for (int s = 0; s <= 10; ++s) {
      defs += "<stop offset=\"" + coord(s / 10.0) + "\" stop-color=\"" + shap_colour(s / 10.0) + "\"/>";
    }
    defs += "</linearGradient></defs>";
    svg.raw(defs);
    const double bx = o.width - 52, by = top + 14, bh = std::max(40.0, rows_h - 28);
    svg.rect(bx, by, 10, bh, "url(#verdict-shap-colours)");
    svg.text(bx + 5, by - 5, "High", "middle", "class=\"tick\"");
    svg.text(bx + 5, by + bh + 13, "Low", "middle", "class=\"tick\"");
    const double lx = bx + 26, ly = by + bh / 2;
    svg.text(lx, ly, "Feature value", "middle", "class=\"axis-label\" transform=\"rotate(-90 " + coord(lx) + " " + coord(ly) + ")\"");
  }
  out.svg = svg.str();
  return out;
}

std::string count_plot(std::vector<CountCategory> cats, const CountPlotOptions& o) {
  std::stable_sort(cats.begin(), cats.end(), [](const CountCategory& a, const CountCategory& b) { return a.all > b.all; });
  if (o.max_categories >= 2 && cats.size() > o.max_categories) {
    const std::size_t keep = o.max_categories - 1;
    CountCategory rest;
    for (std::size_t i = keep; i < cats.size(); ++i) rest.all += cats[i].all, rest.positive += cats[i].positive;
    rest.name = "Other (" + std::to_string(cats.size() - keep) + " values)";
    cats.resize(keep);
    cats.push_back(rest);
  }
  const bool two = !o.positive_name.empty();
  const double font = 11.5;
  std::vector<std::string> labels;
  for (const CountCategory& c : cats) labels.push_back(c.name);
  const double lw = label_column(labels, font, 130) + 12;
  const double right = two ? 96 : 60;
  const double bar_h = 11, gap = 2, group_h = two ? 2 * bar_h + gap : bar_h, pitch = group_h + 9;
  const double legend_h = two ? 22 : 0, top = legend_h + 4;
  std::size_t most = 1;
  for (const CountCategory& c : cats) most = std::max(most, c.all);
  const Scale x{0, static_cast<double>(most), lw, o.width - right};
  Svg svg(o.width, top + static_cast<double>(cats.size()) * pitch + 2, o.title, "chart count-plot");
  if (two) {
    svg.rect(lw, 4, 10, 10, palette::secondary);
    svg.text(lw + 14, 13, o.all_name, "start", "class=\"tick\"");
    const double px = lw + 24 + text_width(o.all_name, 11);
    svg.rect(px, 4, 10, 10, palette::primary);
    svg.text(px + 14, 13, fit(o.positive_name, 11, o.width - px - 20), "start", "class=\"tick\"");
  }
  for (std::size_t i = 0; i < cats.size(); ++i) {
    const CountCategory& c = cats[i];
    const double y = top + static_cast<double>(i) * pitch;
    svg.text(lw - 6, y + group_h / 2 + 4, fit(c.name, font, lw - 8), "end", "class=\"label\"");
    svg.rect(lw, y, x(static_cast<double>(c.all)) - lw, bar_h, palette::secondary, "class=\"bar all\"");
    svg.text(x(static_cast<double>(c.all)) + 4, y + bar_h - 2, count(c.all), "start", "class=\"value\"");
    if (two) {
      const double y2 = y + bar_h + gap;
      svg.rect(lw, y2, x(static_cast<double>(c.positive)) - lw, bar_h, palette::primary, "class=\"bar positive\"");
      svg.text(x(static_cast<double>(c.positive)) + 4, y2 + bar_h - 2,
               count(c.positive) + " (" + percent(static_cast<double>(c.positive), static_cast<double>(c.all)) + ")",
               "start", "class=\"value\"");
    }
  }
  return svg.str();
}

std::string probability_histogram(const std::vector<HistogramSeries>& series, double threshold,
                                  const std::string& title, double width) {
  constexpr int bins = 20;
  std::vector<std::vector<double>> share(series.size(), std::vector<double>(bins, 0.0));
  double most = 0;
  for (std::size_t s = 0; s < series.size(); ++s) {
    std::size_t n = 0;
    for (double v : series[s].values) {
      if (!std::isfinite(v)) continue;
      ++share[s][static_cast<std::size_t>(std::clamp(static_cast<int>(std::floor(v * bins)), 0, bins - 1))];
      ++n;
    }
    for (double& b : share[s]) {
      b = n ? 100.0 * b / static_cast<double>(n) : 0.0;
      most = std::max(most, b);
    }
  }
  const std::vector<double> yticks = nice_ticks(0, std::max(most, 1.0), 4);
  const double left = 48, right = 16, top = 28, plot_h = 150;
  const Scale x{0, 1, left, width - right};
  const Scale y{0, yticks.back(), top + plot_h, top};
  Svg svg(width, top + plot_h + 44, title, "chart histogram");
  for (double t : yticks) {
    svg.line(left, y(t), width - right, y(t), palette::grid, 1);
    svg.text(left - 6, y(t) + 4, fixed(t, tick_decimals(yticks.size() > 1 ? yticks[1] - yticks[0] : 1)) + " %", "end", "class=\"tick\"");
  }
  x_axis(svg, x, {0, 0.2, 0.4, 0.6, 0.8, 1.0}, top + plot_h, "Predicted probability of the positive label", false, 0);
  const double bw = (x.r1 - x.r0) / bins;
  const double each = series.empty() ? bw : (bw - 2) / static_cast<double>(series.size());
  for (int b = 0; b < bins; ++b) {
    for (std::size_t s = 0; s < series.size(); ++s) {
      const double v = share[s][static_cast<std::size_t>(b)];
      if (v > 0) svg.rect(x.r0 + b * bw + 1 + static_cast<double>(s) * each, y(v), each, y(0) - y(v), series[s].colour, "class=\"bin\"");
    }
  }
  svg.line(x(threshold), top - 6, x(threshold), top + plot_h, palette::ink, 1.2, "stroke-dasharray=\"4 3\"");
  svg.text(x(threshold) + 5, top + 4, "threshold " + fixed(threshold, 2), "start", "class=\"tick\"");
  double lx = width - right;
  for (std::size_t s = series.size(); s-- > 0;) {
    const std::string name = "label " + series[s].name;
    lx -= text_width(name, 11) + 16;
    svg.rect(lx, 2, 10, 10, series[s].colour);
    svg.text(lx + 14, 11, name, "start", "class=\"tick\"");
    lx -= 12;
  }
  return svg.str();
}

}  // namespace verdict::report
