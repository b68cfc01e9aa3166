// The panels under the record (issue 18): its feature curve, the batch's records most like it,
// and its group in the batch's bias analysis. Redrawn with the record (edits included) once the
// engine has loaded; the batch (for similar records) and the bias figures are fetched then, so
// the first waterfall's bytes stay what they were. Numbers come from the engine, the batch and
// `verdict bias`; this file only wires them to the drawings.
import { drawCurve, fmtScore } from './curve_panel.js';
import { fillSimilar } from './similar_panel.js';
import { fillGroup } from './group_panel.js';
import { fetchJson } from './assets.js';

const $ = (id) => document.getElementById(id);
export const SIMILAR_K = 5;

export class Panels {
  // ctx: { manifest, server: () => the ReviewServer or null (static hosting), batch: () => a
  //   promise of the whole batch (fetched once for the page and the panels) }.
  constructor(ctx) {
    this.ctx = ctx;
    this.feature = null;  // the feature the reviewer chose for the curve (null: the record's top |SHAP|)
    this.pool = null;     // the batch the similar records come from, once fetched
    this.bias = undefined;
    this.truth = new Map();  // row -> labels of completed loops (served)
    this.asked = new Set();
    this.last = null;
    this.averages = new Map();  // "feature:class" -> the batch's average curve (computed once, after the record's)
    $('curve-feature').addEventListener('change', () => {
      this.feature = Number($('curve-feature').value);
      if (this.last) this.update(this.last);
    });
  }

  // view: { schema, engine, rec (with its edits), encoded (with edits), result ({ prediction,
  //   phi }), threshold (binary: the probability threshold, else null), display(rec, i),
  //   label(rec) ({ text, title }), focus (the feature edited last) }. The curve shows the feature
  //   the reviewer chose, else the one edited last, else the one with the largest |SHAP|.
  update(view) {
    this.last = view;
    if (!view.engine) return;
    for (const section of document.querySelectorAll('[data-panel]')) section.hidden = false;
    this.curve(view);
    this.similar(view);
    this.group(view);
  }

  curve(view) {
    const { schema, engine, encoded, result } = view;
    const select = $('curve-feature');
    if (select.options.length !== schema.features.length) {
      select.replaceChildren(...schema.features.map((f, i) => new Option(f.name, String(i))));
    }
    let i = this.feature ?? (view.focus in view.rec.edits ? view.focus : null);
    if (i === null) {
      i = 0;
      result.phi.forEach((v, k) => { if (Math.abs(v) > Math.abs(result.phi[i])) i = k; });
    }
    select.value = String(i);
    const col = schema.features[i];
    const started = performance.now();
    const multiclass = engine.numClass > 1;  // the curve of the class on show (its probability)
    const shownClass = multiclass ? result.shown ?? 0 : 0;
    const curve = engine.featureCurve(encoded, i, shownClass);
    const categorical = col.type === 'categorical';
    const categoryValues = categorical ? curve.at(col.categories.map((_, code) => code)) : [];
    const ms = performance.now() - started;
    // The batch's average (partial dependence) of the score on show: a class's probability for K classes.
    const average = categorical ? null : this.average(view, i, shownClass, curve.prediction.length);
    const binary = view.threshold !== null;
    const scoreName = multiclass ? `Probability of ${schema.target.labels[shownClass]}`
      : binary ? `Probability of ${schema.target.positive_label}` : `Predicted ${schema.target.name}`;
    drawCurve($('curve'), { name: col.name, unit: col.unit, categorical, categories: col.categories || [], min: col.min, max: col.max,
      curve, categoryValues, average, value: encoded[i], prediction: result.prediction, threshold: view.threshold,
      probability: engine.link === 'logistic' || multiclass, scoreName });
    const values = categorical ? categoryValues : Array.from(curve.prediction);
    $('curve-summary').textContent = `${scoreName} from ${fmtScore(Math.min(...values))} to ${fmtScore(Math.max(...values))} as ` +
      `${col.name} takes every value${categorical ? ` (${col.categories.length} categories)`
        : `: ${curve.prediction.length} steps, cut by the model's ${curve.thresholds.length} split points`}` +
      `; missing: ${fmtScore(curve.missing.prediction)}. ${categorical ? 'The highlighted bar is this record' : 'The dot is this record'} ` +
      `(${fmtScore(result.prediction)})` +
      (average ? `; the dashed grey line is the average over the batch's ${this.pool.records.length} records (partial dependence).` : '.');
    $('curve').dataset.ms = String(ms);
  }

  // The batch's average curve of feature i for class cls (partial dependence: shared/pdp, in
  // WebAssembly) once the batch is there: computed after the record's own curve is drawn, then kept.
  average(view, i, cls, cells) {
    if (!this.pool) return null;
    const key = `${i}:${cls}`;
    if (this.averages.has(key)) return this.averages.get(key);
    this.averages.set(key, null);
    setTimeout(() => {
      const { engine, encoded } = this.last;
      engine.featureCurve(encoded, i, cls);  // the feature and class the average is of
      this.averages.set(key, engine.averageCurve(cells));
      if ((this.feature ?? i) === i) this.update(this.last);
    }, 0);
    return null;
  }

  similar(view) {
    if (!this.pool) {
      if (!this.poolLoading) {
        this.poolLoading = this.ctx.batch().then((batch) => {
          this.pool = batch;
          this.last.engine.setRecords(batch.records.map((r) => r.encoded.map((v) => (v === null ? NaN : v))));
          this.update(this.last);
        }).catch((e) => { $('similar-note').textContent = `The batch could not be loaded: ${e.message}`; });
      }
      $('similar-note').textContent = 'Loading the batch\u2026';
      return;
    }
    const { rec, engine, encoded } = view;
    const self = this.pool.records.findIndex((r) => r.row === rec.row);
    const found = engine.nearest(encoded, SIMILAR_K, self);
    const server = this.ctx.server();
    const neighbours = found.map((n) => ({ ...n, record: this.pool.records[n.index] }));
    $('similar-note').textContent = `The ${neighbours.length} of the batch's ${this.pool.records.length - (self >= 0 ? 1 : 0)} other ` +
      'records nearest this one as edited (numbers in units of their spread in the training data, a different category counts 1).';
    const text = (r, i) => (r.values[i] === null || r.values[i] === '' ? '(missing)' : String(r.values[i]));
    fillSimilar($('similar'), {
      neighbours, record: { values: rec.values.map((_, i) => view.display(rec, i)) }, names: view.schema.features.map((f) => f.name),
      display: text, score: (r) => fmtScore(r.prediction), label: view.label,
      truth: server ? this.truth : null, truthNote: 'not reviewed yet',
    });
    if (server) this.askTruth(server, neighbours.map((n) => n.record.row));
  }

  // The reviewers' labels of completed loops for rows not asked about yet (never an open loop's).
  askTruth(server, rows) {
    const fresh = rows.filter((r) => !this.asked.has(r));
    if (!fresh.length) return;
    for (const r of fresh) this.asked.add(r);
    server.call('POST', 'api/ground-truth', { source: this.pool.source ?? '', rows: fresh }).then((reply) => {
      for (const r of reply.records) this.truth.set(r.row, [...(this.truth.get(r.row) || []), ...r.labels]);
      if (this.last) this.similar(this.last);
    }).catch(() => { for (const r of fresh) this.asked.delete(r); });
  }

  group(view) {
    if (this.bias === undefined) {
      this.bias = null;
      const file = this.ctx.manifest.assets.bias;
      if (file) {
        fetchJson(file).then((b) => { this.bias = b; this.group(this.last); })
          .catch((e) => { $('group').textContent = `The bias figures could not be loaded: ${e.message}`; });
        return;
      }
    }
    if (this.bias === null && this.ctx.manifest.assets.bias) return;  // still loading
    const key = `${view.rec.row}:${this.bias ? 'bias' : 'none'}`;
    if (this.groupDrawn === key) return;  // the group is the record's own, not its edits'
    this.groupDrawn = key;
    fillGroup($('group'), { bias: this.bias, names: view.schema.features.map((f) => f.name), values: view.rec.values });
  }
}
