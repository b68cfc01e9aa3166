// The feature-curve panel: the record's score as one feature sweeps its range (an ICE curve),
// exact — one step per cell between the model's split points on that feature, as the engine
// computed them (shared/feature_curve) — with the record's value marked and the decision
// threshold drawn; a categorical feature gets a bar per category. Drawing only.
import { roundTicks, textWidth } from './waterfall_scale.js';

const SVG = 'http://www.w3.org/2000/svg';

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

export const fmtScore = (v) => (Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(2) : v.toFixed(3));
const fmtX = (v) => (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(Number(v.toPrecision(4))));

// The svg's width, measured once and then kept by a ResizeObserver (which redraws): measuring
// on every edit would force a layout of the page just changed.
const widths = new WeakMap();
function widthOf(svg, spec) {
  let st = widths.get(svg);
  if (!st) {
    st = { width: Math.round(svg.getBoundingClientRect().width) };
    widths.set(svg, st);
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(([entry]) => {
        const w = Math.round(entry.contentRect.width);
        if (w > 0 && Math.abs(w - st.width) > 1) {
          st.width = w;
          if (st.spec) drawCurve(svg, st.spec);
        }
      }).observe(svg);
    }
  }
  st.spec = spec;
  return st.width;
}

// The y range: every value shown and the threshold, a little padding; probabilities stay in [0, 1].
function yDomain(values, threshold, probability) {
  const pts = values.filter(Number.isFinite);
  if (threshold !== null) pts.push(threshold);
  let lo = Math.min(...pts), hi = Math.max(...pts);
  const pad = Math.max((hi - lo) * 0.08, probability ? 0.02 : Math.abs(hi) * 0.02 + 1e-9);
  lo -= pad;
  hi += pad;
  if (probability) lo = Math.max(0, lo), hi = Math.min(1, hi);
  return { lo, hi };
}

// spec: { name, unit, categorical, categories[], min, max (training range), curve { thresholds,
//   prediction, missing { prediction } }, categoryValues[] (per code), average (the batch's
//   average curve per cell { prediction, missing }, or null), value (the record's
//   encoded value, NaN = missing), prediction (the record's), threshold (or null), probability
//   (a probability model), scoreName }.
export function drawCurve(svg, spec) {
  const W = Math.max(300, widthOf(svg, spec) || 600);
  svg.replaceChildren();
  svg.dataset.feature = spec.name;
  if (spec.categorical) drawBars(svg, W, spec);
  else drawSteps(svg, W, spec);
}

function drawSteps(svg, W, spec) {
  const { thresholds, prediction, missing } = spec.curve;
  const H = 230, left = 52, right = W - 78, top = 16, bottom = H - 40;
  const xs = [...thresholds].filter(Number.isFinite);
  for (const v of [spec.min, spec.max, spec.value]) if (Number.isFinite(v)) xs.push(v);
  let x0 = Math.min(...xs), x1 = Math.max(...xs);
  if (!(x1 > x0)) x0 -= 1, x1 += 1;
  const xpad = (x1 - x0) * 0.03;
  x0 -= xpad;
  x1 += xpad;
  const avg = spec.average;
  const { lo, hi } = yDomain([...prediction, missing.prediction, spec.prediction, ...(avg ? [...avg.prediction, avg.missing] : [])],
    spec.threshold, spec.probability);
  const sx = (v) => left + ((Math.min(Math.max(v, x0), x1) - x0) / (x1 - x0)) * (right - left);
  const sy = (v) => bottom - ((v - lo) / (hi - lo)) * (bottom - top);
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('aria-label', `${spec.scoreName} as ${spec.name} sweeps its range: from ${fmtScore(Math.min(...prediction))} ` +
    `to ${fmtScore(Math.max(...prediction))} over ${prediction.length} steps; this record ${fmtScore(spec.prediction)}`);
  axes(svg, { left, right, top, bottom, x0, x1, lo, hi, sx, sy, spec });
  if (spec.threshold !== null) threshold(svg, sy(spec.threshold), left, right, spec.threshold);
  // One horizontal step per cell, joined by risers; the batch's average behind it.
  const steps = (values) => values.reduce((d, p, i) => {
    const a = sx(i === 0 ? x0 : thresholds[i - 1]), b = sx(i === values.length - 1 ? x1 : thresholds[i]);
    return `${d}${i === 0 ? 'M' : 'L'}${a.toFixed(1)},${sy(p).toFixed(1)}L${b.toFixed(1)},${sy(p).toFixed(1)}`;
  }, '');
  if (avg) svg.append(el('path', { class: 'curve-average', 'data-testid': 'curve-average', d: steps(avg.prediction) }));
  svg.append(el('path', { class: 'curve-line', d: steps(prediction) }));
  prediction.forEach((p, i) => {
    const a = sx(i === 0 ? x0 : thresholds[i - 1]), b = sx(i === prediction.length - 1 ? x1 : thresholds[i]);
    svg.append(el('line', { class: 'curve-cell', 'data-testid': 'curve-cell', 'data-cell': i, 'data-value': p,
      ...(avg ? { 'data-average': avg.prediction[i] } : {}),
      'data-lower': i === 0 ? '-Infinity' : thresholds[i - 1], 'data-upper': i === prediction.length - 1 ? 'Infinity' : thresholds[i],
      x1: a, x2: b, y1: sy(p), y2: sy(p) }));
  });
  // Missing: a point of its own right of the axis (the trees' default directions).
  const mx = right + 40;
  if (avg) svg.append(el('circle', { class: 'curve-average-missing', cx: mx, cy: sy(avg.missing), r: 3 }));
  svg.append(el('circle', { class: 'curve-missing', 'data-testid': 'curve-missing', 'data-value': missing.prediction,
    ...(avg ? { 'data-average': avg.missing } : {}), cx: mx, cy: sy(missing.prediction), r: 4 }));
  svg.append(el('text', { x: mx, y: bottom + 16, 'text-anchor': 'middle', class: 'muted' }, 'missing'));
  // The record: where its value is, at its score.
  const atMissing = !Number.isFinite(spec.value);
  const rx = atMissing ? mx : sx(spec.value);
  if (!atMissing) svg.append(el('line', { class: 'curve-mark', x1: rx, x2: rx, y1: top, y2: bottom }));
  const dot = el('circle', { class: 'curve-record', 'data-testid': 'curve-record', 'data-value': spec.prediction,
    'data-x': atMissing ? 'missing' : spec.value, cx: rx, cy: sy(spec.prediction), r: 5.5 });
  dot.append(el('title', {}, `this record: ${spec.name} ${atMissing ? 'missing' : fmtX(spec.value)}, ${fmtScore(spec.prediction)}`));
  svg.append(dot);
}

function drawBars(svg, W, spec) {
  const n = spec.categories.length;
  const labelW = Math.min(170, Math.max(...spec.categories.map((c) => textWidth(c))) + 14);
  const rowH = 18, top = 22, left = labelW, right = W - 56, bottom = top + n * rowH + 4, H = bottom + 44;
  const values = [...spec.categoryValues, spec.curve.missing.prediction, spec.prediction];
  const { lo, hi } = yDomain(values, spec.threshold, spec.probability);
  const base = spec.probability ? 0 : lo;
  const sx = (v) => left + ((v - base) / (hi - base)) * (right - left);
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('aria-label', `${spec.scoreName} for each value of ${spec.name}; this record ${fmtScore(spec.prediction)}`);
  spec.categoryValues.forEach((p, code) => {
    const y = top + code * rowH;
    const current = code === spec.value;
    const g = el('g', { 'data-testid': 'curve-bar', 'data-category': spec.categories[code], 'data-code': code, 'data-value': p,
      'data-current': current });
    g.append(el('title', {}, `${spec.categories[code]}: ${fmtScore(p)}`));
    g.append(el('text', { x: left - 8, y: y + 13, 'text-anchor': 'end', class: current ? 'current' : '' },
      textWidth(spec.categories[code]) > labelW - 14 ? `${spec.categories[code].slice(0, Math.floor((labelW - 14) / 6.7) - 1)}\u2026` : spec.categories[code]));
    g.append(el('rect', { class: current ? 'curve-bar current' : 'curve-bar', x: left, y: y + 3, width: Math.max(1, sx(p) - left), height: rowH - 6 }));
    g.append(el('text', { x: sx(p) + 4, y: y + 13, class: 'muted' }, fmtScore(p)));
    svg.append(g);
  });
  svg.append(el('line', { class: 'axis', x1: left, x2: right, y1: bottom, y2: bottom }));
  for (const t of roundTicks(base, hi, 5)) {
    svg.append(el('line', { class: 'axis', x1: sx(t.value), x2: sx(t.value), y1: bottom, y2: bottom + 4 }));
    svg.append(el('text', { x: sx(t.value), y: bottom + 16, 'text-anchor': 'middle', class: 'muted' }, t.text));
  }
  if (spec.threshold !== null) {
    const x = sx(spec.threshold);
    svg.append(el('line', { class: 'threshold', 'data-testid': 'curve-threshold', 'data-value': spec.threshold, x1: x, x2: x, y1: top - 6, y2: bottom }));
    svg.append(el('text', { x, y: top - 10, 'text-anchor': 'middle', class: 'value threshold-label' }, `threshold ${spec.threshold}`));
  }
  const missing = el('text', { x: left, y: bottom + 36, class: 'muted', 'data-testid': 'curve-missing', 'data-value': spec.curve.missing.prediction },
    `missing: ${fmtScore(spec.curve.missing.prediction)}`);
  svg.append(missing);
}

function axes(svg, { left, right, top, bottom, x0, x1, lo, hi, sx, sy, spec }) {
  svg.append(el('line', { class: 'axis', x1: left, x2: right, y1: bottom, y2: bottom }));
  svg.append(el('line', { class: 'axis', x1: left, x2: left, y1: top, y2: bottom }));
  for (const t of roundTicks(x0, x1, Math.max(3, Math.floor((right - left) / 90)))) {
    svg.append(el('line', { class: 'axis', x1: sx(t.value), x2: sx(t.value), y1: bottom, y2: bottom + 4 }));
    svg.append(el('text', { x: sx(t.value), y: bottom + 16, 'text-anchor': 'middle', class: 'muted' }, fmtX(t.value)));
  }
  for (const t of roundTicks(lo, hi, 6)) {
    svg.append(el('line', { class: 'guide', x1: left, x2: right, y1: sy(t.value), y2: sy(t.value) }));
    svg.append(el('text', { x: left - 6, y: sy(t.value) + 4, 'text-anchor': 'end', class: 'muted' }, t.text));
  }
  svg.append(el('text', { x: (left + right) / 2, y: bottom + 32, 'text-anchor': 'middle', class: 'muted' },
    spec.unit ? `${spec.name} (${spec.unit})` : spec.name));
}

function threshold(svg, y, left, right, value) {
  svg.append(el('line', { class: 'threshold', 'data-testid': 'curve-threshold', 'data-value': value, x1: left, x2: right, y1: y, y2: y }));
  svg.append(el('text', { x: right, y: y - 4, 'text-anchor': 'end', class: 'value threshold-label' }, `threshold ${value}`));
}
