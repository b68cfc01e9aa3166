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
const signed = (v) => (v >= 0 ? '+' : '\u2212') + fmt(Math.abs(v));

// spec: { names[], values[] (display text), phi[], expected, fx, prediction, link, topK }
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
  const pad = (hi - lo || 1) * 0.08;
  lo -= pad; hi += pad;

  const rowH = 30, labelW = 230, plotW = 360, top = 34, width = labelW + plotW + 40;
  const height = top + rows.length * rowH + 46;
  const sx = (v) => labelW + ((v - lo) / (hi - lo)) * plotW;
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);

  const axisY = top + rows.length * rowH + 6;
  svg.append(el('line', { class: 'guide', x1: sx(spec.expected), x2: sx(spec.expected), y1: top - 6, y2: axisY }));
  svg.append(el('line', { class: 'guide', x1: sx(spec.fx), x2: sx(spec.fx), y1: top - 6, y2: axisY }));
  const score = spec.link === 'logistic' ? ` (p = ${spec.prediction.toFixed(3)})` : '';
  // Labels stay inside the picture: anchored to the side with room.
  const anchor = (v) => (sx(v) > labelW + plotW * 0.7 ? 'end' : sx(v) < labelW + plotW * 0.3 ? 'start' : 'middle');
  svg.append(el('text', { x: sx(spec.fx), y: top - 12, 'text-anchor': anchor(spec.fx), class: 'value', 'data-testid': 'fx-label' },
    `f(x) = ${fmt(spec.fx)}${score}`));

  placed.forEach((r, n) => {
    const y = top + n * rowH;
    const x0 = sx(Math.min(r.start, r.end)), x1 = sx(Math.max(r.start, r.end));
    const w = Math.max(x1 - x0, 2);
    const colour = r.value >= 0 ? UP : DOWN;
    const g = el('g', r.other
      ? { 'data-testid': 'shap-other', 'data-value': r.value, 'data-sign': r.value >= 0 ? 'pos' : 'neg' }
      : { 'data-testid': 'shap-bar', 'data-feature': r.feature, 'data-value': r.value, 'data-sign': r.value >= 0 ? 'pos' : 'neg' });
    g.append(el('text', { x: labelW - 10, y: y + rowH / 2 + 4, 'text-anchor': 'end', class: r.other ? 'muted' : '' }, r.label));
    // An arrow-shaped bar pointing the way the feature pushes.
    const tip = Math.min(8, w / 2);
    const y0 = y + 5, y1 = y + rowH - 5, ym = (y0 + y1) / 2;
    const pts = r.value >= 0
      ? [[x0, y0], [x0 + w - tip, y0], [x0 + w, ym], [x0 + w - tip, y1], [x0, y1]]
      : [[x0 + tip, y0], [x0 + w, y0], [x0 + w, y1], [x0 + tip, y1], [x0, ym]];
    g.append(el('polygon', { points: pts.map((p) => p.join(',')).join(' '), fill: colour, 'data-role': 'bar' }));
    const inside = w > 52;
    g.append(el('text', {
      x: inside ? x0 + w / 2 : (r.value >= 0 ? x0 + w + 4 : x0 - 4), y: ym + 4,
      'text-anchor': inside ? 'middle' : (r.value >= 0 ? 'start' : 'end'),
      style: `fill: ${inside ? '#fff' : colour}`, class: 'value' }, signed(r.value)));
    svg.append(g);
  });

  svg.append(el('line', { class: 'axis', x1: labelW, x2: labelW + plotW, y1: axisY, y2: axisY }));
  for (let t = 0; t <= 4; t++) {
    const v = lo + ((hi - lo) * t) / 4;
    svg.append(el('line', { class: 'axis', x1: sx(v), x2: sx(v), y1: axisY, y2: axisY + 4 }));
    svg.append(el('text', { x: sx(v), y: axisY + 16, 'text-anchor': 'middle', class: 'muted' }, fmt(v)));
  }
  svg.append(el('text', { x: sx(spec.expected), y: axisY + 34, 'text-anchor': anchor(spec.expected), class: 'value', 'data-testid': 'expected-label' },
    `E[f(X)] = ${fmt(spec.expected)}`));
}
