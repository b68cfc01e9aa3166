// The nearest decision flips in WebAssembly against the native CLI (`verdict counterfactual`):
// for every record of the Adult batch, the same answers (changed features and values, cost,
// score, method), with up to 2 features (exact; every record) and 3 (the heuristic; the first 1000).
// Env: VERDICT_DIST (engine.js + verdict_wasm.*), VERDICT_MODEL_DIR, VERDICT_BATCH, VERDICT_BIN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCsv } from '../csv_text.mjs';

const dist = process.env.VERDICT_DIST;
const modelDir = process.env.VERDICT_MODEL_DIR;
const batchPath = process.env.VERDICT_BATCH;
const bin = process.env.VERDICT_BIN;
const ready = dist && modelDir && batchPath && bin && fs.existsSync(path.join(dist, 'manifest.json')) && fs.existsSync(batchPath);
const asset = (name) => path.join(dist, JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8')).assets[name]);

const quote = (c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);

for (const k of [2, 3]) test(`counterfactuals: wasm equals native on every record of the batch (max ${k} features)`, { skip: !ready && 'VERDICT_DIST/VERDICT_MODEL_DIR/VERDICT_BATCH/VERDICT_BIN not set or missing' }, async () => {
  const { loadEngine } = await import(pathToFileURL(asset('engine.js')).href);
  const engine = await loadEngine(fs.readFileSync(asset('model')), fs.readFileSync(path.join(modelDir, 'schema.json'), 'utf8'),
    { wasmBinary: fs.readFileSync(asset('verdict_wasm.wasm')) });
  const schema = engine.schema();
  const batch = JSON.parse(fs.readFileSync(batchPath, 'utf8'));
  if (k === 3) batch.records = batch.records.slice(0, 1000);
  const threshold = batch.threshold ?? 0.5;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-cf-parity-'));
  const lines = [batch.features.map(quote).join(',')];
  for (const r of batch.records) lines.push(r.values.map((v) => quote(v === null ? '' : String(v))).join(','));
  fs.writeFileSync(path.join(dir, 'rows.csv'), `${lines.join('\n')}\n`);
  execFileSync(bin, ['counterfactual', '--model', modelDir, '--data', path.join(dir, 'rows.csv'), '--out', path.join(dir, 'cf.csv'),
    '--threshold', String(threshold), '--max-features', String(k)], { stdio: 'ignore' });
  const [header, ...rows] = parseCsv(fs.readFileSync(path.join(dir, 'cf.csv'), 'utf8'));
  fs.rmSync(dir, { recursive: true, force: true });
  const at = (name) => header.indexOf(name);
  let answers = 0, heuristic = 0;
  const times = [];
  batch.records.forEach((r, i) => {
    const native = rows.filter((row) => Number(row[at('row')]) === i);
    const started = performance.now();
    const found = engine.counterfactuals(r.encoded.map((v) => (v === null ? NaN : v)), { max_features: k, threshold });
    times.push(performance.now() - started);
    assert.equal(found.length, native.length, `record ${i}: as many answers`);
    found.forEach((a, j) => {
      const n = native[j];
      assert.equal(a.changes.map((c) => schema.features[c.feature].name).join(';'), n[at('changed')], `record ${i} answer ${j + 1}`);
      assert.equal(a.exact ? 'exact' : 'heuristic', n[at('method')]);
      assert.ok(Math.abs(a.cost - Number(n[at('cost')])) <= 1e-9 * Math.max(1, a.cost), `cost ${a.cost} vs ${n[at('cost')]}`);
      assert.ok(Math.abs(a.prediction - Number(n[at('score')])) <= 1e-9, `score ${a.prediction} vs ${n[at('score')]}`);
      for (const c of a.changes) {
        const col = schema.features[c.feature];
        const cell = n[at(col.name)];
        assert.equal(col.type === 'categorical' ? col.categories.indexOf(cell) : Math.fround(Number(cell)), c.to, `${col.name}: ${cell} vs ${c.to}`);
      }
      heuristic += a.exact ? 0 : 1;
    });
    answers += found.length;
  });
  times.sort((a, b) => a - b);
  console.log(`counterfactuals (max ${k} features), wasm vs native on ${batch.records.length} records: ${answers} answers equal (${heuristic} heuristic); ` +
    `wasm per record median ${times[times.length >> 1].toFixed(2)} ms, p95 ${times[Math.floor(times.length * 0.95)].toFixed(2)} ms (Node)`);
  assert.ok(answers > 0);
});
