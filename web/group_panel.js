// The group-context panel: which facet group of the batch's bias analysis the record is in
// (e.g. Sex = Female), and that analysis's metrics, one line each with what it means (the
// wording of the README's Bias metrics section). The numbers are `verdict bias`'s, as
// scripts/build-web shipped them (data/bias.json). Drawing only.

// What each of Clarify's metrics measures; a is the rest, d the facet group.
export const MEANINGS = {
  CI: 'class imbalance: (n_a \u2212 n_d)/(n_a + n_d)',
  DPL: 'difference in positive label proportions, a minus d',
  KL: 'Kullback\u2013Leibler divergence of the label distributions of a and d',
  JS: 'Jensen\u2013Shannon divergence of the label distributions',
  LP: 'L2 norm of the difference of the label distributions',
  TVD: 'total variation distance of the label distributions',
  KS: 'Kolmogorov\u2013Smirnov distance of the label distributions',
  CDDL: 'conditional demographic disparity in labels, per group, weighted by group size',
  DPPL: 'difference in positive predicted proportions, a minus d',
  DI: 'disparate impact: positive predicted proportion of d over that of a (1 = parity)',
  DCA: 'difference in conditional acceptance (labels over predictions of positives), a minus d',
  DCR: 'difference in conditional rejection (labels over predictions of negatives), d minus a',
  RD: 'recall difference TP/(TP + FN), a minus d',
  SD: 'specificity difference TN/(TN + FP), d minus a',
  DAR: 'difference in acceptance rates (precision), a minus d',
  DRR: 'difference in rejection rates TN/predicted negatives, d minus a',
  AD: 'accuracy difference, a minus d',
  CDDPL: 'conditional demographic disparity in predicted labels',
  TE: 'treatment equality: FN/FP of d minus that of a',
  FT: 'flip test: share of d whose label flips when judged like their nearest a-neighbours',
  GE: 'generalized entropy of the benefit \u0177 \u2212 y + 1 over all rows',
};

const node = (tag, text, attrs = {}) => {
  const n = document.createElement(tag);
  if (text !== undefined) n.textContent = text;
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  return n;
};
const count = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : '?');
const metricText = (v) => (typeof v === 'number' ? v.toFixed(4).replace('-', '\u2212') : v === null ? 'undefined' : String(v));

// Is a cell in the facet group: one of its values (the same text, or the same number), or a
// number above its threshold, as `verdict bias` selects rows.
function inGroup(facet, cell) {
  if (facet.threshold !== undefined) {
    const v = cell.trim() === '' ? NaN : Number(cell);
    return Number.isFinite(v) && v > facet.threshold;
  }
  return facet.values.some((v) => v === cell || (cell.trim() !== '' && v.trim() !== '' && Number(v) === Number(cell)));
}

// spec: { bias (data/bias.json: { pre, post } sections, each { label, label_value_or_threshold,
//   facets: { column: [entry] } }, entry { facet: { values[] | threshold }, value_or_threshold,
//   counts { n, n_a, n_d }, metrics[{ name, value, note?, error? }] }), names[] (the features),
//   values[] (the record's original cells) }.
export function fillGroup(box, spec) {
  box.replaceChildren();
  const sections = [['post', 'the model\u2019s decisions (post-training)'], ['pre', 'the labels (pre-training)']]
    .filter(([k]) => spec.bias?.[k]?.facets);
  if (!sections.length) {
    box.append(node('p', 'No bias analysis ships with this batch (run verdict bias on the data, then scripts/build-web).', { class: 'note' }));
    return;
  }
  const first = spec.bias[sections[0][0]];
  for (const [column, entries] of Object.entries(first.facets)) {
    const i = spec.names.indexOf(column);
    for (const [e, entry] of entries.entries()) {
      const cell = i >= 0 ? spec.values[i] : null;
      const member = cell === null ? null : inGroup(entry.facet, cell);
      const where = node('p', undefined, { class: 'group-line', 'data-testid': 'group-membership', 'data-facet': column,
        'data-group': member === null ? 'unknown' : member ? 'd' : 'a' });
      const group = `${column} in ${entry.value_or_threshold}`;
      where.append(node('strong', cell === null ? `${column} is not one of the model's inputs` : `${column} = ${cell === '' ? '(missing)' : cell}`));
      where.append(node('span', member === null ? `: the analysis compares ${group} with the rest.`
        : member ? `: in the facet group ${group} (d, ${count(entry.counts?.n_d)} of ${count(entry.counts?.n)} rows), compared with the rest (a, ${count(entry.counts?.n_a)}).`
          : `: in the rest (a, ${count(entry.counts?.n_a)} of ${count(entry.counts?.n)} rows), which the analysis compares with ${group} (d, ${count(entry.counts?.n_d)}).`));
      box.append(where);
      for (const [key, title] of sections) {
        const section = spec.bias[key];
        const mine = section.facets[column]?.[e];
        if (!mine) continue;
        box.append(node('h3', `About ${title}: label ${section.label} in ${section.label_value_or_threshold}` +
          (section.probability_threshold !== undefined ? `, predicted positive above ${section.probability_threshold}` : '')));
        const list = node('ul', undefined, { class: 'metrics' });
        for (const m of mine.metrics) {
          const li = node('li', undefined, { 'data-testid': 'group-metric', 'data-section': key, 'data-name': m.name,
            'data-value': m.value === null ? 'null' : m.value });
          li.append(node('abbr', m.name, { title: m.description || m.name }));
          li.append(node('span', ` ${metricText(m.value)}`, { class: 'num' }));
          li.append(node('span', ` \u2014 ${MEANINGS[m.name] || m.description || ''}${m.error ? ` (${m.error})` : ''}`, { class: 'meaning' }));
          list.append(li);
        }
        box.append(list);
      }
    }
  }
}
