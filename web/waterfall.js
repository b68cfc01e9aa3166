// The SHAP waterfall in SVG, in the shap library's layout: E[f(X)] at the bottom, one bar
// per feature (largest |SHAP| on top), the rest folded into one bar, f(x) at the top.
// Drawing only: every number comes from the engine.
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

// spec: { names[], values[] (display text), phi[], expected, fx, prediction, link, units, topK }
export function drawWaterfall(svg, spec) {
  const order = spec.phi.map((v, i) => i).sort((a, b) => Math.abs(spec.phi[b]) - Math.abs(spec.phi[a]));
  const k = Math.min(spec.topK, order.length);
  const shown = order.slice(0, k);
  const rest = order.slice(k);
  const rows = shown.map((i) => ({ label: `${spec.names[i]} = ${spec.values[i]}`, value: spec.phi[i], feature: spec.names[i] }));
  if (rest.length) {
    rows.push({ label: `${rest.length} other feature${rest.length > 1 ? 's' : ''}`, other: true,
      value: rest.reduce((sum, i) => sum + spec.phi[i], 0) });
  }
  // Cumulative positions from the bottom (E[f(X)]) up.
  let x = spec.expected;
  const bottomUp = [...rows].reverse().map((r) => { const start = x; x += r.value; return { ...r, start, end: x }; });
  const placed = bottomUp.reverse();
  const points = [spec.expected, spec.fx, ...placed.flatMap((r) => [r.start, r.end])];
  let lo = Math.min(...points), hi = Math.max(...points);
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }

  // Room for the longest "feature = value" label (about 6.6 px a character at 12 px).
  const longest = Math.max(...rows.map((r) => r.label.length));
  const rowH = 30, labelW = Math.min(360, Math.max(150, Math.ceil(longest * 6.6) + 18)), plotW = 380, top = 34;
  const width = labelW + plotW + 48;
  const height = top + rows.length * rowH + 46;
  // The bars keep a margin on both sides for the value printed beside a short bar.
  const margin = 56;
  const sx = (v) => labelW + margin + ((v - lo) / (hi - lo)) * (plotW - 2 * margin);
  const vx = (px) => lo + ((px - labelW - margin) / (plotW - 2 * margin)) * (hi - lo);
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);

  const axisY = top + rows.length * rowH + 6;
  svg.append(el('line', { class: 'guide', x1: sx(spec.expected), x2: sx(spec.expected), y1: top - 6, y2: axisY }));
  svg.append(el('line', { class: 'guide', x1: sx(spec.fx), x2: sx(spec.fx), y1: top - 6, y2: axisY }));
  const score = spec.link === 'logistic' ? ` (p = ${spec.prediction.toFixed(3)})`
    : spec.link === 'exp' ? ` (prediction ${fmt(spec.prediction)})` : '';
  // Labels stay inside the picture: anchored to the side with room.
  const anchor = (v) => (sx(v) > labelW + plotW * 0.7 ? 'end' : sx(v) < labelW + plotW * 0.3 ? 'start' : 'middle');
  svg.append(el('text', { x: sx(spec.fx), y: top - 12, 'text-anchor': anchor(spec.fx), class: 'value', 'data-testid': 'fx-label', 'data-value': spec.fx },
    `f(x) = ${minus(fmt(spec.fx))}${score}`));

  placed.forEach((r, n) => {
    const y = top + n * rowH;
    const x0 = sx(Math.min(r.start, r.end)), x1 = sx(Math.max(r.start, r.end));
    const w = Math.max(x1 - x0, 2);
    const colour = r.value >= 0 ? UP : DOWN;
    const g = el('g', r.other
      ? { 'data-testid': 'shap-other', 'data-value': r.value, 'data-sign': r.value >= 0 ? 'pos' : 'neg' }
      : { 'data-testid': 'shap-bar', 'data-feature': r.feature, 'data-value': r.value, 'data-sign': r.value >= 0 ? 'pos' : 'neg' });
    g.append(el('title', {}, `${r.label}: ${signed(r.value)} ${spec.units || 'log-odds'}`));
    g.append(el('line', { class: 'row-line', x1: 8, x2: labelW + plotW, y1: y + rowH, y2: y + rowH }));
    g.append(el('text', { x: labelW - 10, y: y + rowH / 2 + 4, 'text-anchor': 'end', class: r.other ? 'muted' : '' }, r.label));
    // An arrow-shaped bar pointing the way the feature pushes.
    const tip = Math.min(8, w / 2);
    const y0 = y + 5, y1 = y + rowH - 5, ym = (y0 + y1) / 2;
    const pts = r.value >= 0
      ? [[x0, y0], [x0 + w - tip, y0], [x0 + w, ym], [x0 + w - tip, y1], [x0, y1]]
      : [[x0 + tip, y0], [x0 + w, y0], [x0 + w, y1], [x0 + tip, y1], [x0, ym]];
    g.append(el('polygon', { points: pts.map((p) => p.join(',')).join(' '), fill: colour, 'data-role': 'bar' }));
    const inside = w > 60;
    g.append(el('text', {
      x: inside ? x0 + w / 2 : (r.value >= 0 ? x0 + w + 4 : x0 - 4), y: ym + 4,
      'text-anchor': inside ? 'middle' : (r.value >= 0 ? 'start' : 'end'),
      style: `fill: ${inside ? '#fff' : colour}`, class: 'value' }, signed(r.value)));
    svg.append(g);
  });

  svg.append(el('line', { class: 'axis', x1: labelW, x2: labelW + plotW, y1: axisY, y2: axisY }));
  // Round ticks (1, 2 or 5 times a power of ten) across the visible axis.
  const [v0, v1] = [vx(labelW + 12), vx(labelW + plotW - 12)];
  const raw = (v1 - v0) / 6, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((st) => st >= raw);
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  for (let i = Math.ceil(v0 / step); i * step <= v1; i++) {
    const tick = i * step;
    svg.append(el('line', { class: 'axis', x1: sx(tick), x2: sx(tick), y1: axisY, y2: axisY + 4 }));
    svg.append(el('text', { x: sx(tick), y: axisY + 16, 'text-anchor': 'middle', class: 'muted' },
      minus(tick.toFixed(decimals))));
  }
  svg.append(el('text', { x: sx(spec.expected), y: axisY + 34, 'text-anchor': anchor(spec.expected), class: 'value', 'data-testid': 'expected-label', 'data-value': spec.expected },
    `E[f(X)] = ${minus(fmt(spec.expected))}`));
}
