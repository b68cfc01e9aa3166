// The decision threshold of a binary model, one rule everywhere: a record is positive when its
// probability is strictly greater than the threshold (p == threshold is negative), as the
// native explain job decides. Also its place on the log-odds axis and the words for it.

// True when probability p is on the positive side of threshold t.
export const isPositive = (p, t) => p > t;

// log(p / (1 - p)): where a probability sits on the log-odds (margin) axis.
export const logit = (p) => Math.log(p) - Math.log1p(-p);

// 'above', 'below' or 'at' the threshold.
export const side = (p, t) => (p > t ? 'above' : p < t ? 'below' : 'at');

// "0.066 below the 0.5 threshold" ("at the 0.5 threshold" when equal).
export function distanceWords(p, t) {
  const s = side(p, t);
  if (s === 'at') return `at the ${t} threshold`;
  const d = Math.abs(p - t);
  return `${d < 0.0005 ? 'less than 0.001' : d.toFixed(3)} ${s} the ${t} threshold`;
}

// What a screen reader hears after an edit: "Probability 0.612, above the 0.5 threshold: >50K".
export const announcement = (p, t, label) => `Probability ${p.toFixed(3)}, ${side(p, t)} the ${t} threshold: ${label}`;
