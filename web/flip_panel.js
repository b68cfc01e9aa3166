// "What would flip it?": the nearest decision flips of the record as edited, found by the engine
// (shared/counterfactual.h in WebAssembly, the search `verdict counterfactual` runs), shown in
// words: "Capital Gain 0 → 5,100 flips to >50K, 0.44 → 0.71". A click applies one as a what-if
// edit (the page's undo takes it back). Nothing is computed here but words.
import { isPositive } from './threshold.js';

const number = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 9 });

// The text of an encoded value: a category's name, or the number (grouped: 5,100).
export function valueWords(col, v) {
  if (Number.isNaN(v)) return '(missing)';
  return col.type === 'categorical' ? col.categories[v] ?? String(v) : number.format(v);
}

// One answer in words, e.g. "Capital Gain 0 → 5,100 flips to >50K, 0.44 → 0.71". `now` is the
// score before (a number, or a function of the answer: a multi-class model's probability of the
// class the answer makes the top one).
export function answerWords(schema, answer, now, outcome) {
  const moves = answer.changes.map((c) => {
    const col = schema.features[c.feature];
    return `${col.name} ${valueWords(col, c.from)} \u2192 ${valueWords(col, c.to)}`;
  });
  const before = typeof now === 'function' ? now(answer) : now;
  return `${moves.join(', ')} ${outcome(answer.prediction, answer)}, ${before.toFixed(2)} \u2192 ${answer.prediction.toFixed(2)}`;
}

export class FlipPanel {
  // el: the panel's <section>; apply(changes): make the changes what-if edits.
  constructor(el, apply) {
    this.el = el;
    this.apply = apply;
    this.timer = 0;
  }

  // Finds and shows the answers for `encoded` after the score is drawn (a timer, so an edit's
  // score never waits for the search). view: { engine, schema, encoded, prediction, options }.
  update(view) {
    clearTimeout(this.timer);
    this.el.hidden = false;
    this.el.dataset.state = 'searching';
    this.timer = setTimeout(() => this.show(view), 0);
  }

  show({ engine, schema, encoded, prediction, probabilities, options }) {
    const list = this.el.querySelector('[data-testid=flip-answers]');
    const note = this.el.querySelector('[data-testid=flip-method]');
    const binary = schema.task === 'binary', multiclass = schema.task === 'multiclass';
    const threshold = options.threshold ?? 0.5;
    const flipLabel = (p) => (isPositive(p, threshold) ? schema.target.positive_label : schema.target.labels.find((l) => l !== schema.target.positive_label));
    const className = (k) => schema.target.class_names?.[schema.target.labels[k]] ?? schema.target.labels[k];
    // Multi-class: the answer's class becomes the top one; before → after is that class's probability.
    const outcome = multiclass ? (p, a) => `flips to ${className(a.predictedClass)}`
      : binary ? (p) => `flips to ${flipLabel(p)}` : () => 'moves the prediction';
    const now = multiclass ? (a) => probabilities[a.predictedClass] : prediction;
    let answers;
    const started = performance.now();
    try {
      answers = engine.counterfactuals(encoded, options);
    } catch (e) {
      list.replaceChildren();
      note.textContent = `No search: ${e.message}`;
      this.el.dataset.state = 'error';
      return;
    }
    this.el.dataset.ms = String(performance.now() - started);
    const k = options.max_features ?? 2;
    note.textContent = k >= 3
      ? 'Exact for changes of 1 or 2 features; 3 features by a heuristic (marked). Cost: change ÷ the feature\'s usual spread; a category 1.'
      : `Exact: the cheapest changes of up to ${k} feature${k > 1 ? 's' : ''} over the model's own split values. Cost: change ÷ the feature's usual spread; a category 1.`;
    const kept = schema.features.filter((f) => f.immutable || (options.immutable || []).includes(f.name)).map((f) => f.name);
    if (kept.length) note.textContent += ` Never changed: ${kept.join(', ')}.`;
    list.replaceChildren(...answers.map((a, i) => this.item(schema, a, i, now, outcome)));
    if (!answers.length) {
      const li = document.createElement('li');
      li.className = 'flip-none';
      li.dataset.testid = 'flip-none';
      li.textContent = `No change of up to ${k} feature${k > 1 ? 's' : ''} within the training range does it (immutable features stay).`;
      list.append(li);
    }
    this.el.dataset.state = 'done';
  }

  item(schema, answer, i, prediction, outcome) {
    const li = document.createElement('li');
    li.dataset.testid = 'flip-answer';
    li.dataset.cost = String(answer.cost);
    li.dataset.score = String(answer.prediction);
    li.dataset.changed = answer.changes.map((c) => schema.features[c.feature].name).join(';');
    li.dataset.method = answer.exact ? 'exact' : 'heuristic';
    if (answer.predictedClass >= 0) li.dataset.class = schema.target.labels[answer.predictedClass];
    const words = document.createElement('span');
    words.className = 'flip-words';
    words.textContent = answerWords(schema, answer, prediction, outcome);
    const meta = document.createElement('span');
    meta.className = 'flip-meta';
    meta.textContent = `cost ${answer.cost.toFixed(2)}${answer.exact ? '' : ' · heuristic'}`;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'small';
    button.dataset.testid = 'flip-apply';
    button.textContent = 'Apply';
    button.setAttribute('aria-label', `Apply: ${words.textContent}`);
    button.addEventListener('click', () => this.apply(answer.changes));
    li.append(words, meta, button);
    if (i === 0) li.classList.add('cheapest');
    return li;
  }
}
