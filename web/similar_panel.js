// The similar-records panel: the batch's records nearest to this one (as the engine measured
// them: shared/similar_records), each with its score, the model's label and, served, the
// reviewers' label once its loop is completed. Drawing only.

const cell = (tag, text, attrs = {}) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;  // data is text, never markup
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
};

// spec: { neighbours: [{ index, distance, record }], record (the one under review: its values
//   for the differences), edits, names[], display(rec, i) (a value's text), score(rec) (its
//   score's text), label(rec) (the model's label: { text, title }; null for a regression), truth: Map row -> labels[] or null
//   (static hosting: no column), truthNote (why a cell is empty) }.
export function fillSimilar(table, spec) {
  table.replaceChildren();
  const head = cell('tr');
  const labels = Boolean(spec.label);  // a regression's label is its score: no column of its own
  for (const h of ['Row', 'Distance', 'Score', ...(labels ? ['Model says'] : []), ...(spec.truth ? ['Reviewers said'] : []), 'Differs in']) {
    head.append(cell('th', h, { scope: 'col' }));
  }
  table.append(cell('thead'));
  table.tHead.append(head);
  const body = cell('tbody');
  for (const n of spec.neighbours) {
    const tr = cell('tr', undefined, { 'data-testid': 'similar-row', 'data-row': n.record.row, 'data-index': n.index,
      'data-distance': n.distance });
    tr.append(cell('td', String(n.record.row)));
    tr.append(cell('td', n.distance.toFixed(3), { class: 'num' }));
    tr.append(cell('td', spec.score(n.record), { class: 'num', 'data-testid': 'similar-score', 'data-value': n.record.prediction }));
    if (labels) {
      const label = spec.label(n.record);
      tr.append(cell('td', label.text, { 'data-testid': 'similar-label', title: label.title }));
    }
    if (spec.truth) {
      const labels = spec.truth.get(n.record.row);
      tr.append(cell('td', labels?.length ? labels.join(', ') : spec.truthNote, { 'data-testid': 'similar-truth',
        class: labels?.length ? '' : 'muted' }));
    }
    const diffs = [];
    spec.names.forEach((name, i) => {
      const mine = spec.display(spec.record, i), theirs = spec.display(n.record, i);
      if (mine !== theirs) diffs.push(`${name} ${theirs}`);
    });
    tr.append(cell('td', diffs.length ? diffs.slice(0, 3).join('; ') + (diffs.length > 3 ? `; +${diffs.length - 3} more` : '')
      : 'same values', { class: 'diffs' }));
    body.append(tr);
  }
  table.append(body);
}
