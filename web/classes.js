// A multi-class model on the page: which class the model picks, its lead, and the words for
// the top classes. The numbers come from the engine (or the batch): this only orders and words
// them.

// The class with the largest probability, the first of equal ones (as the core's
// predicted_class picks it).
export function topClass(probabilities) {
  let top = 0;
  for (let k = 1; k < probabilities.length; k++) if (probabilities[k] > probabilities[top]) top = k;
  return top;
}

// Class indexes from the most to the least probable (ties in class order).
export function classOrder(probabilities) {
  return Array.from(probabilities, (_, k) => k).sort((a, b) => probabilities[b] - probabilities[a] || a - b);
}

// "refer 0.612 · approve 0.301 · decline 0.087": the `count` most probable classes by name.
export function topClassesText(probabilities, nameOf, count = 3) {
  return classOrder(probabilities).slice(0, count).map((k) => `${nameOf(k)} ${probabilities[k].toFixed(3)}`).join(' · ');
}

// The second most probable class: what "disagree" proposes.
export const runnerUp = (probabilities) => classOrder(probabilities)[1];
