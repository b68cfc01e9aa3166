// A 3-class model in WebAssembly against the native build: every class's margin, probability and
// SHAP values bit for bit, for every record of the batch `verdict explain` wrote.
// Env: VERDICT_DIST_MULTICLASS, VERDICT_MODEL_DIR_MULTICLASS, VERDICT_BATCH_MULTICLASS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = process.env.VERDICT_DIST_MULTICLASS;
const modelDir = process.env.VERDICT_MODEL_DIR_MULTICLASS;
const batchPath = process.env.VERDICT_BATCH_MULTICLASS;
const ready = dist && modelDir && batchPath && fs.existsSync(path.join(dist, 'manifest.json')) && fs.existsSync(batchPath);
const asset = (name) => path.join(dist, JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8')).assets[name]);

for (const form of ['packed', 'json']) test(`wasm (${form} 3-class model) equals native on every class of every record`, { skip: !ready && 'VERDICT_*_MULTICLASS not set' }, async () => {
  const { loadEngine } = await import(pathToFileURL(asset('engine.js')).href);
  const model = form === 'packed' ? fs.readFileSync(asset('model')) : fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8');
  const engine = await loadEngine(model, fs.readFileSync(path.join(modelDir, 'schema.json'), 'utf8'),
    { wasmBinary: fs.readFileSync(asset('verdict_wasm.wasm')) });
  const batch = JSON.parse(fs.readFileSync(batchPath, 'utf8'));
  assert.equal(engine.numClass, batch.classes.length);
  assert.equal(engine.link, 'softmax');
  assert.deepEqual(engine.expectedValues, batch.methods.tree.expected_value);
  assert.throws(() => engine.explain(batch.records[0].encoded), /multi-class/);
  let same = 0;
  for (const r of batch.records) {
    const out = engine.explainClasses(r.encoded.map((v) => (v === null ? NaN : v)));
    assert.deepEqual(Array.from(out.margins), r.margins, `row ${r.row}: margins`);
    assert.deepEqual(Array.from(out.probabilities), r.probabilities, `row ${r.row}: probabilities`);
    out.phi.forEach((phi, k) => assert.deepEqual(Array.from(phi), r.shap.tree[k], `row ${r.row}: class ${k}'s SHAP`));
    same += 1;
  }
  console.log(`wasm (${form}) 3-class model: ${same}/${batch.records.length} records bit-identical (margins, probabilities, SHAP per class)`);
});
