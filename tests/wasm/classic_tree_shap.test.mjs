// The WebAssembly module's classic TreeSHAP path (vd_use_classic_tree_shap), which the page never
// turns on: the same values as native TreeSHAP on every record of the Adult batch, slot by slot.
// Env: as wasm_parity.test.mjs (VERDICT_DIST, VERDICT_MODEL_DIR, VERDICT_BATCH).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = process.env.VERDICT_DIST;
const modelDir = process.env.VERDICT_MODEL_DIR;
const batchPath = process.env.VERDICT_BATCH;
const ready = dist && modelDir && batchPath && fs.existsSync(path.join(dist, 'manifest.json')) && fs.existsSync(batchPath);
const asset = (name) => path.join(dist, JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8')).assets[name]);

test('wasm classic TreeSHAP equals native TreeSHAP on every record', { skip: !ready && 'not built' }, async () => {
  const { loadEngine } = await import(pathToFileURL(asset('engine.js')).href);
  const engine = await loadEngine(fs.readFileSync(asset('model')),
    fs.readFileSync(path.join(modelDir, 'schema.json'), 'utf8'), { wasmBinary: fs.readFileSync(asset('verdict_wasm.wasm')) });
  engine.useClassicTreeShap(true);
  const batch = JSON.parse(fs.readFileSync(batchPath, 'utf8'));
  let worst = 0;
  for (const r of batch.records) {
    const out = engine.explain(r.encoded.map((v) => (v === null ? NaN : v)));
    assert.equal(out.margin, r.margin);
    r.shap.tree.forEach((v, j) => { worst = Math.max(worst, Math.abs(out.phi[j] - v)); });
  }
  console.log(`wasm classic TreeSHAP vs native on ${batch.records.length} records: max |Δφ| ${worst}`);
  assert.ok(worst <= 1e-9, `classic TreeSHAP differs by ${worst}`);
  engine.useClassicTreeShap(false);
});
