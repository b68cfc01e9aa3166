// The page's only door to the model: the core (shared/) compiled to WebAssembly.
// Rows go in and results come out through buffers allocated once in wasm memory.
import createVerdictModule from './verdict_wasm.mjs';

const LINKS = ['identity', 'logistic', 'exp', 'softmax'];

export class Engine {
  constructor(module) {
    this.module = module;
    this.numFeatures = module._vd_num_features();
    this.expectedValue = module._vd_expected_value();
    this.link = LINKS[module._vd_link()];
    this.compiled = module._vd_compiled() === 1;  // scores with a model compiled by verdict compile
    // A multi-class model (link 'softmax'): K margins, probabilities and SHAP vectors a row.
    this.numClass = module._vd_num_class();
    this.expectedValues = Array.from({ length: this.numClass }, (_, k) => module._vd_expected_value_of_class(k));
    this.rowPtr = module._malloc(4 * this.numFeatures);
    this.outPtr = module._malloc(8 * this.numClass * (this.numFeatures + 2));
    this.cellPtr = module._malloc(4);
  }

  // What a person typed for feature i, encoded by the core's schema exactly as a CSV cell:
  // { value } (NaN for missing), or { error } for a value the feature cannot hold (text in a
  // numeric field, a number that is not finite as a float32 such as 1e39).
  encodeCell(i, text) {
    const m = this.module;
    const rc = withString(m, String(text), (p) => m._vd_encode_cell(i, p, this.cellPtr));
    if (rc !== 0) return { error: m.UTF8ToString(m._vd_last_error()) };
    return { value: m.HEAPF32[this.cellPtr >> 2] };
  }

  // Copies an encoded row (numFeatures values, NaN or null = missing) into wasm memory.
  setRow(encoded) {
    if (!encoded || encoded.length !== this.numFeatures) {
      throw new Error(`explain needs ${this.numFeatures} values, got ${encoded ? encoded.length : 0}`);
    }
    const row = new Float32Array(this.module.HEAPF32.buffer, this.rowPtr, this.numFeatures);
    for (let i = 0; i < this.numFeatures; i++) {
      const v = encoded[i];
      row[i] = v === null || v === undefined ? NaN : v;
    }
  }

  // encoded: Float32Array or number[] of numFeatures values (NaN or null = missing).
  // Returns { margin, prediction, phi: Float64Array } (a single-output model).
  explain(encoded) {
    const m = this.module;
    this.setRow(encoded);
    if (m._vd_explain(this.rowPtr, this.outPtr) !== 0) {
      throw new Error(m.UTF8ToString(m._vd_last_error()));
    }
    const out = new Float64Array(m.HEAPF64.buffer, this.outPtr, this.numFeatures + 2);
    return { margin: out[0], prediction: out[1], phi: out.slice(2) };
  }
}

// Every class at once (any model; a single-output one is its one class):
// { margins: Float64Array(K), probabilities: Float64Array(K), phi: [Float64Array(F) per class] },
// class k's SHAP values summing with expectedValues[k] to margins[k].
Engine.prototype.explainClasses = function explainClasses(encoded) {
  const m = this.module;
  this.setRow(encoded);
  if (m._vd_explain_classes(this.rowPtr, this.outPtr) !== 0) {
    throw new Error(m.UTF8ToString(m._vd_last_error()));
  }
  const k = this.numClass, f = this.numFeatures;
  const out = new Float64Array(m.HEAPF64.buffer, this.outPtr, k * (f + 2));
  const phi = [];
  for (let c = 0; c < k; c++) phi.push(out.slice(2 * k + c * f, 2 * k + (c + 1) * f));
  return { margins: out.slice(0, k), probabilities: out.slice(k, 2 * k), phi };
};

// The schema the engine loaded, in its canonical form (see vd_schema_json): every feature's
// description and unit, and a binary target's class_names for every label, always present.
Engine.prototype.schema = function schema() {
  const m = this.module;
  return JSON.parse(m.UTF8ToString(m._vd_schema_json()));
};

// Explain with the classic TreeSHAP algorithm (the reference) instead of the fast one; the
// values are the same. For checks, not for the page.
Engine.prototype.useClassicTreeShap = function useClassicTreeShap(on) {
  if (this.module._vd_use_classic_tree_shap(on ? 1 : 0) !== 0) {
    throw new Error(this.module.UTF8ToString(this.module._vd_last_error()));
  }
};

// The nearest decision flips of a row (shared/counterfactual.h, the same search as `verdict
// counterfactual`): options { max_features (1, 2 exact; 3 heuristic), answers, threshold
// (binary), target_delta (regression), immutable: [feature names] }. Returns up to `answers`
// answers, cheapest first: { cost, margin, prediction, exact, changes: [{ feature, from, to, cost }] }.
Engine.prototype.counterfactuals = function counterfactuals(encoded, options = {}) {
  const m = this.module;
  const stride = m._vd_counterfactual_stride();
  const capacity = 1 + 10 * stride;
  this.cfPtr ||= m._malloc(8 * capacity);
  const row = new Float32Array(m.HEAPF32.buffer, this.rowPtr, this.numFeatures);
  for (let i = 0; i < this.numFeatures; i++) row[i] = encoded[i] ?? NaN;
  const rc = withString(m, JSON.stringify(options), (p) => m._vd_counterfactual(this.rowPtr, p, this.cfPtr, capacity));
  if (rc !== 0) throw new Error(m.UTF8ToString(m._vd_last_error()));
  const out = new Float64Array(m.HEAPF64.buffer, this.cfPtr, capacity);
  const answers = [];
  for (let a = 0; a < out[0]; a++) {
    const o = 1 + a * stride;
    const changes = [];
    for (let c = 0; c < out[o + 4]; c++) {
      const at = o + 5 + 4 * c;
      changes.push({ feature: out[at], from: out[at + 1], to: out[at + 2], cost: out[at + 3] });
    }
    // predictedClass: a multi-class model's new top class (its margin and probability above); -1 otherwise.
    answers.push({ cost: out[o], margin: out[o + 1], prediction: out[o + 2], exact: out[o + 3] === 1, changes,
      predictedClass: out[o + stride - 1] });
  }
  return answers;
};

function withString(module, text, fn) {
  const size = module.lengthBytesUTF8(text) + 1;
  const ptr = module._malloc(size);
  try {
    module.stringToUTF8(text, ptr, size);
    return fn(ptr);
  } finally {
    module._free(ptr);
  }
}

// model: the packed model (ArrayBuffer or Uint8Array, from `verdict pack`) or XGBoost's JSON
// text; schemaText: the schema's JSON text. options are passed to the Emscripten factory
// (e.g. { wasmBinary } under Node); a module already being made can be given as options.module.
export async function loadEngine(model, schemaText, options = {}) {
  const module = await (options.module || createVerdictModule(options));
  let rc;
  if (typeof model === 'string') {
    rc = withString(module, model, (m) => withString(module, schemaText, (s) => module._vd_load(m, s)));
  } else {
    const bytes = model instanceof Uint8Array ? model : new Uint8Array(model);
    const ptr = module._malloc(Math.max(1, bytes.length));
    try {
      module.HEAPU8.set(bytes, ptr);
      rc = withString(module, schemaText, (s) => module._vd_load_packed(ptr, bytes.length, s));
    } finally {
      module._free(ptr);
    }
  }
  if (rc !== 0) throw new Error(module.UTF8ToString(module._vd_last_error()));
  return new Engine(module);
}

// Starts making the WebAssembly module (fetching and compiling verdict_wasm.wasm) before the
// model arrives; hand the promise to loadEngine as options.module.
export const startModule = (options = {}) => createVerdictModule(options);

// ---- the review page's panels: feature curves and similar records ----

// The exact curve of feature i for an encoded row (shared/feature_curve through WebAssembly):
// { thresholds, margin, prediction, missing: { margin, prediction }, at(values) }. Cell 0 is
// x < thresholds[0], cell c is thresholds[c-1] <= x < thresholds[c]; at() gives the
// prediction at each value (NaN: missing) by the core's lookup.
// cls: a multi-class model's class (its margin and probability per cell); 0 otherwise.
Engine.prototype.featureCurve = function featureCurve(encoded, i, cls = 0) {
  const m = this.module;
  const n = this.numFeatures;
  return withBuffers(m, [4 * n], ([row]) => {
    const view = new Float32Array(m.HEAPF32.buffer, row, n);
    for (let f = 0; f < n; f++) view[f] = encoded[f] ?? NaN;
    const cells = m._vd_feature_curve_class(row, i, cls);
    if (cells < 0) throw new Error(m.UTF8ToString(m._vd_last_error()));
    return withBuffers(m, [4 * (cells - 1), 8 * cells, 8 * cells, 16], ([tp, mp, pp, xp]) => {
      if (m._vd_curve_read(tp, mp, pp, xp) !== 0) throw new Error(m.UTF8ToString(m._vd_last_error()));
      return {
        thresholds: new Float32Array(m.HEAPF32.buffer, tp, cells - 1).slice(),
        margin: new Float64Array(m.HEAPF64.buffer, mp, cells).slice(),
        prediction: new Float64Array(m.HEAPF64.buffer, pp, cells).slice(),
        missing: { margin: m.HEAPF64[xp >> 3], prediction: m.HEAPF64[(xp >> 3) + 1] },
        at: (values) => this.curveAt(values),
      };
    });
  });
};

// Buffers of the given sizes in wasm memory (malloc: 8-byte aligned) for the length of fn.
function withBuffers(module, sizes, fn) {
  const ptrs = sizes.map((s) => module._malloc(Math.max(8, s)));
  try {
    return fn(ptrs);
  } finally {
    for (const p of ptrs) module._free(p);
  }
}

// The last featureCurve's predictions at the given values (NaN: missing).
Engine.prototype.curveAt = function curveAt(values) {
  const m = this.module;
  const n = values.length;
  return withBuffers(m, [4 * n, 8 * n], ([vp, op]) => {
    new Float32Array(m.HEAPF32.buffer, vp, n).set(Array.from(values, (v) => v ?? NaN));
    if (m._vd_curve_at(vp, n, op) !== 0) throw new Error(m.UTF8ToString(m._vd_last_error()));
    return Array.from(new Float64Array(m.HEAPF64.buffer, op, n));
  });
};

// The batch's average curve (partial dependence over setRecords's rows, shared/pdp) of the last
// featureCurve's feature and class, per cell: { prediction: Float64Array, missing }.
Engine.prototype.averageCurve = function averageCurve(cells) {
  const m = this.module;
  return withBuffers(m, [8 * (cells + 1)], ([op]) => {
    if (m._vd_average_curve(op) !== 0) throw new Error(m.UTF8ToString(m._vd_last_error()));
    const all = new Float64Array(m.HEAPF64.buffer, op, cells + 1);
    return { prediction: all.slice(0, cells), missing: all[cells] };
  });
};

// The records similar-record searches run over: encoded rows (arrays of numFeatures values).
Engine.prototype.setRecords = function setRecords(rows) {
  const m = this.module;
  const n = this.numFeatures;
  withBuffers(m, [4 * rows.length * n], ([ptr]) => {
    const view = new Float32Array(m.HEAPF32.buffer, ptr, rows.length * n);
    rows.forEach((r, k) => { for (let f = 0; f < n; f++) view[k * n + f] = r[f] ?? NaN; });
    if (m._vd_set_records(ptr, rows.length) !== 0) throw new Error(m.UTF8ToString(m._vd_last_error()));
  });
  this.recordCount = rows.length;
};

// The k records of setRecords nearest to an encoded row (shared/similar_records), nearest
// first, leaving out index skip (-1: none): [{ index, distance }].
Engine.prototype.nearest = function nearest(encoded, k, skip = -1) {
  const m = this.module;
  const n = this.numFeatures;
  return withBuffers(m, [4 * n, 4 * k, 8 * k], ([qp, ip, dp]) => {
    const q = new Float32Array(m.HEAPF32.buffer, qp, n);
    for (let f = 0; f < n; f++) q[f] = encoded[f] ?? NaN;
    const found = m._vd_nearest(qp, k, skip, ip, dp);
    if (found < 0) throw new Error(m.UTF8ToString(m._vd_last_error()));
    const dist = new Float64Array(m.HEAPF64.buffer, dp, found);
    return Array.from(new Int32Array(m.HEAP32.buffer, ip, found), (index, j) => ({ index, distance: dist[j] }));
  });
};
