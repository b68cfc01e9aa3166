// The review page's panels in WebAssembly against the same core built natively
// (tests/native/panels/panels_oracle.cpp): each feature's exact curve — thresholds,
// predictions per cell, with the feature missing, per category — and the nearest records of the
// batch, bit for bit, for records spread over the Adult batch; the batch's average curve
// (partial dependence) over 200 of its records.
// Env: VERDICT_DIST, VERDICT_MODEL_DIR, VERDICT_BATCH, VERDICT_PANELS_ORACLE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const { VERDICT_DIST: dist, VERDICT_MODEL_DIR: modelDir, VERDICT_BATCH: batchPath, VERDICT_PANELS_ORACLE: oracle } = process.env;
const ready = dist && modelDir && batchPath && oracle && fs.existsSync(path.join(dist, 'manifest.json')) &&
  fs.existsSync(batchPath) && fs.existsSync(oracle);
const asset = (name) => path.join(dist, JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8')).assets[name]);
const K = 7;

test('wasm panels equal native: feature curves and nearest records', { skip: !ready && 'VERDICT_DIST/VERDICT_MODEL_DIR/VERDICT_BATCH/VERDICT_PANELS_ORACLE not set or missing', timeout: 300000 }, async () => {
  const { loadEngine } = await import(pathToFileURL(asset('engine.js')).href);
  const engine = await loadEngine(fs.readFileSync(asset('model')), fs.readFileSync(path.join(modelDir, 'schema.json'), 'utf8'),
    { wasmBinary: fs.readFileSync(asset('verdict_wasm.wasm')) });
  const schema = engine.schema();
  const batch = JSON.parse(fs.readFileSync(batchPath, 'utf8'));
  const rows = batch.records.map((r) => r.encoded.map((v) => (v === null ? NaN : v)));
  engine.setRecords(rows);
  let cells = 0;
  const picks = [0, 1, 17, 423, Math.floor(rows.length / 2), rows.length - 1];
  for (const index of picks) {
    const want = JSON.parse(execFileSync(oracle, [modelDir, batchPath, String(index), String(K)], { encoding: 'utf8', maxBuffer: 1 << 26 }));
    want.curves.forEach((w, f) => {
      const got = engine.featureCurve(rows[index], f);
      assert.deepEqual(Array.from(got.thresholds), w.thresholds, `record ${index}, ${w.feature}: thresholds`);
      assert.deepEqual(Array.from(got.prediction), w.prediction, `record ${index}, ${w.feature}: a prediction per cell, bit for bit`);
      assert.equal(got.missing.prediction, w.missing_prediction, `record ${index}, ${w.feature}: missing`);
      if (w.categories) {
        assert.deepEqual(got.at(schema.features[f].categories.map((_, c) => c)), w.categories, `record ${index}, ${w.feature}: per category`);
      }
      cells += w.prediction.length;
    });
    const near = engine.nearest(rows[index], K, index);
    assert.deepEqual(near.map((n) => n.index), want.nearest.map((n) => n.index), `record ${index}: the nearest records`);
    assert.deepEqual(near.map((n) => n.distance), want.nearest.map((n) => n.distance), `record ${index}: their distances`);
  }
  // The batch's average curve (partial dependence, shared/pdp) over the first 200 records.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-average-'));
  try {
    const few = { ...batch, records: batch.records.slice(0, 200) };
    fs.writeFileSync(path.join(dir, 'few.json'), JSON.stringify(few));
    const want = JSON.parse(execFileSync(oracle, [modelDir, path.join(dir, 'few.json'), '3', '1', '--average'], { encoding: 'utf8' }));
    engine.setRecords(rows.slice(0, 200));
    want.curves.forEach((w, f) => {
      const c = engine.featureCurve(rows[3], f);
      const got = engine.averageCurve(c.prediction.length);
      assert.deepEqual([...got.prediction, got.missing], w.average, `${w.feature}: average curve, bit for bit`);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`wasm == native: ${picks.length} records × ${schema.features.length} features (${cells} cells), ${K} nearest of ${rows.length}`);
});

test('wasm panels report bad input as an error message', { skip: !ready && 'not built' }, async () => {
  const { loadEngine } = await import(pathToFileURL(asset('engine.js')).href);
  const engine = await loadEngine(fs.readFileSync(asset('model')), fs.readFileSync(path.join(modelDir, 'schema.json'), 'utf8'),
    { wasmBinary: fs.readFileSync(asset('verdict_wasm.wasm')) });
  const row = new Array(engine.numFeatures).fill(NaN);
  assert.throws(() => engine.featureCurve(row, engine.numFeatures), /feature curve: no feature/);
  assert.throws(() => engine.nearest(row, -1), /k must not be negative/);
  assert.deepEqual(engine.nearest(row, 3), [], 'no records set: none near');
});
