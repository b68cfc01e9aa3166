// The waterfall's numbers as a table (for screen readers, and for anyone who opens it): one
// row per drawn bar from E[f(X)] up, with its SHAP value and the running total it reaches.
const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3)).replace('-', '\u2212');
const signed = (v) => (v >= 0 ? '+' : '') + fmt(v);

function row(cells, attrs = {}, header = false) {
  const tr = document.createElement('tr');
  Object.assign(tr.dataset, attrs);
  cells.forEach((text, n) => {
    const cell = document.createElement(header || n === 0 ? 'th' : 'td');
    if (cell.tagName === 'TH') cell.scope = header ? 'col' : 'row';
    cell.textContent = text;  // data is text, never markup
    tr.append(cell);
  });
  return tr;
}

// Fills table with rows (top to bottom, as placeRows gives them), spec's E[f(X)] and f(x).
export function fillWaterfallTable(table, rows, spec) {
  const units = spec.units || 'log-odds';
  const caption = document.createElement('caption');
  caption.textContent = `SHAP values in ${units}, from the average E[f(X)] = ${fmt(spec.expected)} to this record's f(x) = ${fmt(spec.fx)}`;
  const head = document.createElement('thead');
  head.append(row(['Feature', 'Value', 'SHAP', 'Running total'], {}, true));
  const body = document.createElement('tbody');
  body.append(row(['E[f(X)]', 'the average', '', fmt(spec.expected)]));
  for (const r of [...rows].reverse()) {
    const [name, value] = r.other ? [r.label, ''] : [r.feature, r.label.slice(r.feature.length + 3)];
    body.append(row([name, value, signed(r.value), fmt(r.end)],
      { testid: 'wf-row', value: String(r.value), total: String(r.end), ...(r.other ? {} : { feature: r.feature }) }));
  }
  body.append(row(['f(x)', 'this record', '', fmt(spec.fx)]));
  table.replaceChildren(caption, head, body);
}
