// The SHAP waterfall in SVG, in the shap library's layout: E[f(X)] at the bottom, one bar
// per feature (largest |SHAP| on top, every edited feature too), the rest folded into one bar,
// f(x) at the top; after an edit the original bars as a ghost on an axis that stays put; for a
// probability model the decision threshold's line and a probability scale under the axis.
// Drawn at one user unit per CSS pixel (redrawn when the width changes), so text stays 12 px;
// narrow, each label goes above its bar. Drawing only: every number comes from the engine.
import { chooseRows, placeRows } from './waterfall_rows.js';
import { domainFor, roundTicks, textWidth, labelStart, probabilityTicks } from './waterfall_scale.js';
import { fillWaterfallTable } from './waterfall_table.js';
import { logit } from './threshold.js';

const SVG = 'http://www.w3.org/2000/svg';
export const UP = '#ff0051';
export const DOWN = '#008bfb';

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;  // data is text, never markup
  return node;
}

const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3));
const minus = (text) => text.replace('-', '\u2212');
const signed = (v) => (v >= 0 ? '+' : '\u2212') + fmt(Math.abs(v));
// text cut to about `room` px with an ellipsis (the whole text stays in the row's <title>).
const fit = (text, room) => (textWidth(text) <= room ? text : `${text.slice(0, Math.max(1, Math.floor(room / 6.7) - 1))}\u2026`);
const scoreText = (spec, prediction) => (spec.link === 'logistic' ? ` (p = ${prediction.toFixed(3)})`
  : spec.link === 'exp' ? ` (prediction ${fmt(prediction)})` : '');

// Per svg: the axis domain of the record on screen, the last spec, the width drawn for.
const states = new WeakMap();
function stateOf(svg) {
  let st = states.get(svg);
  if (st) return st;
  st = {};
  states.set(svg, st);
  if (typeof ResizeObserver === 'function') {
    new ResizeObserver(() => {
      const w = Math.round(svg.getBoundingClientRect().width);
      if (st.spec && w > 0 && Math.abs(w - st.width) > 1) drawWaterfall(svg, st.spec);
    }).observe(svg);
  }
  return st;
}

// Where things go for a picture W wide: side by side (labels left of the bars) when the
// labels leave the bars room, else stacked (each label above its bar).
function layout(W, rows, spec, ghost) {
  const longest = Math.max(...rows.map((r) => textWidth(r.label, r.edited)));
  const stacked = W < 520 || longest + 18 > 0.45 * W;
  const labelW = stacked ? 0 : Math.max(150, longest + 18);
  const margin = stacked ? 52 : 56;  // room for the value printed beside a short bar
  const header = ghost ? 2 : 1;
  const top = 16 + 18 * header;
  const rowH = stacked ? 40 : 30;
  const axisY = top + rows.length * rowH + 6;
  const probability = spec.link === 'logistic';
  const height = axisY + (probability ? 58 : 34) + 10;
  return { W, stacked, labelW, margin, top, rowH, axisY, probability, height,
    axis0: stacked ? 8 : labelW, axis1: W - 8, plot0: (stacked ? 8 : labelW) + margin, plot1: W - 8 - margin };
}

// spec: { names[], values[] (display text), phi[], expected, fx, prediction, link, units, topK,
//   edited[] (feature indices, always drawn), original { phi[], margin, prediction } (the record
//   before its edits: drawn as a ghost), threshold (a probability: the decision threshold),
//   record (a key: the axis stays put while it is the same) }. The svg's data-table names a
//   <table> that gets the same rows; data-lo/data-hi and data-px-lo/data-px-hi tell the axis.
export function drawWaterfall(svg, spec) {
  const st = stateOf(svg);
  st.spec = spec;
  const choice = chooseRows(spec.phi, spec.topK, spec.edited || []);
  const rows = placeRows(spec, spec.phi, choice);
  const ghost = spec.original ? placeRows(spec, spec.original.phi, choice) : null;
  const t = spec.link === 'logistic' && spec.threshold > 0 && spec.threshold < 1 ? logit(spec.threshold) : null;
  const points = [spec.expected, spec.fx, ...rows.flatMap((r) => [r.start, r.end])];
  if (ghost) points.push(spec.original.margin, ...ghost.flatMap((r) => [r.start, r.end]));
  if (t !== null) points.push(t);
  const { lo, hi } = domainFor(st, spec.record, points);

  st.width = Math.round(svg.getBoundingClientRect().width);
  const L = layout(Math.max(300, st.width || 640), rows, spec, ghost);
  const sx = (v) => L.plot0 + ((v - lo) / (hi - lo)) * (L.plot1 - L.plot0);
  const vx = (px) => lo + ((px - L.plot0) / (L.plot1 - L.plot0)) * (hi - lo);
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${L.W} ${L.height}`);
  Object.assign(svg.dataset, { lo: String(lo), hi: String(hi), pxLo: String(L.plot0), pxHi: String(L.plot1) });
  svg.setAttribute('aria-label', `SHAP waterfall from E[f(X)] = ${minus(fmt(spec.expected))} to f(x) = ` +
    `${minus(fmt(spec.fx))}${scoreText(spec, spec.prediction)}; the same values are in the table below it`);

  // Header: the f(x) label (and before it, the original's), kept inside the picture.
  const label = (x, y, text, attrs) => {
    const w = textWidth(text, true);
    svg.append(el('text', { x: labelStart(x, w, L.axis0, L.W - 4), y, ...attrs }, text));
  };
  const guideTop = L.top - 6;
  if (ghost) {
    svg.append(el('line', { class: 'guide ghost-guide', x1: sx(spec.original.margin), x2: sx(spec.original.margin), y1: guideTop, y2: L.axisY }));
    label(sx(spec.original.margin), L.top - 30, `before: f(x) = ${minus(fmt(spec.original.margin))}${scoreText(spec, spec.original.prediction)}`,
      { class: 'value muted', 'data-testid': 'fx-ghost-label', 'data-value': spec.original.margin });
  }
  svg.append(el('line', { class: 'guide', 'data-testid': 'expected-line', x1: sx(spec.expected), x2: sx(spec.expected), y1: guideTop, y2: L.axisY }));
  svg.append(el('line', { class: 'guide', 'data-testid': 'fx-line', x1: sx(spec.fx), x2: sx(spec.fx), y1: guideTop, y2: L.axisY }));
  label(sx(spec.fx), L.top - 12, `f(x) = ${minus(fmt(spec.fx))}${scoreText(spec, spec.prediction)}`,
    { class: 'value', 'data-testid': 'fx-label', 'data-value': spec.fx });

  const barBox = (r, n) => {
    const y = L.top + n * L.rowH + (L.stacked ? 17 : 5);
    const x0 = sx(Math.min(r.start, r.end)), x1 = sx(Math.max(r.start, r.end));
    return { x0, w: Math.max(x1 - x0, 2), y0: y, y1: y + (L.stacked ? 18 : 20) };
  };
  // An arrow-shaped bar pointing the way the feature pushes.
  const arrow = (r, { x0, w, y0, y1 }) => {
    const tip = Math.min(8, w / 2), ym = (y0 + y1) / 2;
    const pts = r.value >= 0
      ? [[x0, y0], [x0 + w - tip, y0], [x0 + w, ym], [x0 + w - tip, y1], [x0, y1]]
      : [[x0 + tip, y0], [x0 + w, y0], [x0 + w, y1], [x0 + tip, y1], [x0, ym]];
    return pts.map((p) => p.join(',')).join(' ');
  };

  // The threshold's line, under the bars, down to its label on the probability scale.
  if (t !== null) {
    svg.append(el('line', { class: 'threshold', 'data-testid': 'threshold-line', 'data-value': t, 'data-threshold': spec.threshold,
      x1: sx(t), x2: sx(t), y1: L.top - 6, y2: L.axisY + 26 }));
  }
  // The original bars next, under the new ones: an outline where each feature's bar was.
  ghost?.forEach((r, n) => {
    const g = el('g', { 'data-testid': 'shap-ghost', class: 'ghost', 'data-value': r.value, 'data-start': r.start, 'data-end': r.end,
      ...(r.other ? {} : { 'data-feature': r.feature }) });
    g.append(el('title', {}, `before the edit: ${r.label}: ${signed(r.value)}`));
    g.append(el('polygon', { points: arrow(r, barBox(r, n)) }));
    svg.append(g);
  });

  rows.forEach((r, n) => {
    const y = L.top + n * L.rowH;
    const box = barBox(r, n);
    const sign = r.value >= 0 ? 'pos' : 'neg';
    const g = el('g', { 'data-testid': r.other ? 'shap-other' : 'shap-bar', 'data-value': r.value, 'data-sign': sign,
      'data-start': r.start, 'data-end': r.end, ...(r.other ? {} : { 'data-feature': r.feature, 'data-edited': Boolean(r.edited) }) });
    g.append(el('title', {}, `${r.label}: ${signed(r.value)} ${spec.units || 'log-odds'}${r.edited ? ' (edited)' : ''}`));
    g.append(el('line', { class: 'row-line', x1: 8, x2: L.W - 8, y1: y + L.rowH, y2: y + L.rowH }));
    const cls = [r.other ? 'muted' : '', r.edited ? 'edited' : ''].join(' ').trim();
    g.append(L.stacked
      ? el('text', { x: r.edited ? 14 : 8, y: y + 13, class: cls }, fit(r.label, L.W - 24))
      : el('text', { x: L.labelW - 10, y: y + L.rowH / 2 + 4, 'text-anchor': 'end', class: cls }, r.label));
    if (r.edited) {
      g.append(el('rect', { class: 'edit-mark', x: L.stacked ? 8 : 2, y: y + 3, width: 3, height: L.stacked ? 13 : L.rowH - 6, rx: 1.5 }));
    }
    g.append(el('polygon', { points: arrow(r, box), fill: r.value >= 0 ? UP : DOWN, 'data-role': 'bar' }));
    // The value on its bar when it fits, else beside it (and beside its ghost, clear of it).
    const text = signed(r.value);
    const inside = box.w > textWidth(text, true) + 12;
    const was = ghost ? barBox(ghost[n], n) : box;
    const right = Math.max(box.x0 + box.w, was.x0 + was.w), left = Math.min(box.x0, was.x0);
    g.append(el('text', {
      x: inside ? box.x0 + box.w / 2 : (r.value >= 0 ? right + 4 : left - 4), y: (box.y0 + box.y1) / 2 + 4,
      'text-anchor': inside ? 'middle' : (r.value >= 0 ? 'start' : 'end'), 'data-inside': inside,
      class: `value ${inside ? 'on-bar' : r.value >= 0 ? 'up' : 'down'}` }, text));
    svg.append(g);
  });

  drawAxis(svg, L, spec, { sx, vx, t });
  const table = svg.dataset.table && svg.ownerDocument.getElementById(svg.dataset.table);
  if (table) fillWaterfallTable(table, rows, spec);
}

// The margin axis with round ticks, under it (probability models) the probability scale with
// the threshold's label, then E[f(X)]; the threshold's line crosses the whole picture.
function drawAxis(svg, L, spec, { sx, vx, t }) {
  const { axisY } = L;
  // Each scale's name: left of the axis beside the labels, or at its left end when stacked.
  const title = (y, text) => {
    svg.append(el('text', L.stacked ? { x: L.axis0, y, class: 'muted' } : { x: L.labelW - 10, y, 'text-anchor': 'end', class: 'muted' }, text));
    return L.stacked ? L.axis0 + textWidth(text) + 12 : -Infinity;  // where tick labels may start
  };
  svg.append(el('line', { class: 'axis', 'data-testid': 'axis-line', x1: L.axis0, x2: L.axis1, y1: axisY, y2: axisY }));
  const unitsEnd = title(axisY + 16, spec.units || 'log-odds');
  for (const tick of roundTicks(vx(L.axis0 + 12), vx(L.axis1 - 12))) {
    svg.append(el('line', { class: 'axis', x1: sx(tick.value), x2: sx(tick.value), y1: axisY, y2: axisY + 4 }));
    if (sx(tick.value) - textWidth(tick.text) / 2 < unitsEnd) continue;
    svg.append(el('text', { x: sx(tick.value), y: axisY + 16, 'text-anchor': 'middle', class: 'muted' }, minus(tick.text)));
  }
  let bottom = axisY + 34;
  if (L.probability) {
    const pY = axisY + 26;
    const free = title(pY + 14, L.stacked ? 'p' : 'probability');
    const taken = [[-Infinity, free]];
    if (t !== null) {
      const text = `threshold ${spec.threshold}`, w = textWidth(text, true);
      const x0 = labelStart(sx(t), w, Math.max(L.axis0, free), L.W - 4);
      taken.push([x0 - 6, x0 + w + 6]);
      svg.append(el('text', { x: x0, y: pY + 14, class: 'value threshold-label', 'data-testid': 'threshold-label' }, text));
    }
    svg.append(el('line', { class: 'axis p-axis', x1: L.axis0, x2: L.axis1, y1: pY, y2: pY }));
    for (const tick of probabilityTicks(sx, vx(L.axis0 + 16), vx(L.axis1 - 16), taken, t !== null ? [spec.threshold] : [])) {
      svg.append(el('line', { class: 'axis', x1: tick.x, x2: tick.x, y1: pY - 4, y2: pY }));
      svg.append(el('text', { x: tick.x, y: pY + 14, 'text-anchor': 'middle', class: 'muted', 'data-testid': 'p-tick', 'data-p': tick.p }, String(tick.p)));
    }
    bottom = pY + 32;
  }
  const eText = `E[f(X)] = ${minus(fmt(spec.expected))}`;
  svg.append(el('text', { x: labelStart(sx(spec.expected), textWidth(eText, true), L.axis0, L.W - 4), y: bottom,
    class: 'value', 'data-testid': 'expected-label', 'data-value': spec.expected }, eText));
}
