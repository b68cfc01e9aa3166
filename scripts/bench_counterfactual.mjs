// The nearest decision flips in headless Chromium: engine.counterfactuals (WebAssembly, the
// search the page's "What would flip it?" panel runs) per record: of BATCH (a review_batch.json
// from verdict explain, every record explained) or else the page's own (the flagged ones).
// Usage: node scripts/bench_counterfactual.mjs DIST [RECORDS] [MAX_FEATURES] [BATCH]. Prints a line and one JSON line.
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launchChromium, pct } from './page_host.mjs';

const dist = path.resolve(process.argv[2] || 'dist');
const records = Number(process.argv[3] || 1000);
const maxFeatures = Number(process.argv[4] || 2);
const batchFile = process.argv[5];
const given = batchFile ? JSON.parse(fs.readFileSync(batchFile, 'utf8')) : null;
const rowsGiven = given ? { threshold: given.threshold, encoded: given.records.slice(0, records).map((r) => r.encoded) } : null;
const { assets } = JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8'));

const { url, server } = await serveDist(dist, { isolated: true });
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.verdictReady === true, null, { timeout: 60000 });
  const run = await page.evaluate(async ([n, k, a, own]) => {
    const { loadEngine } = await import(`./${a['engine.js']}`);
    const [model, schema, batch] = await Promise.all([fetch(a.model).then((r) => r.arrayBuffer()),
      ...[a.schema, a.batch].map((f) => fetch(f).then((r) => r.text()))]);
    const wasm = new URL(a['verdict_wasm.wasm'], document.baseURI).href;
    const engine = await loadEngine(model, schema, { locateFile: () => wasm });
    const b = own || { threshold: JSON.parse(batch).threshold, encoded: JSON.parse(batch).records.slice(0, n).map((r) => r.encoded) };
    const rows = b.encoded.map((e) => Float32Array.from(e, (v) => (v === null ? NaN : v)));
    const options = { max_features: k, threshold: b.threshold ?? 0.5 };
    engine.counterfactuals(rows[0], options);  // the search is prepared on first use
    const times = [];
    let answers = 0, none = 0;
    for (const row of rows) {
      const t0 = performance.now();
      const found = engine.counterfactuals(row, options);
      times.push(performance.now() - t0);
      answers += found.length;
      none += found.length === 0;
    }
    return { times, answers, none, isolated: self.crossOriginIsolated };
  }, [records, maxFeatures, assets, rowsGiven]);
  const result = {
    records: run.times.length, max_features: maxFeatures, cross_origin_isolated: run.isolated, answers: run.answers,
    records_without_answer: run.none,
    ms_per_record: { p50: pct(run.times, 0.5), p95: pct(run.times, 0.95), p99: pct(run.times, 0.99), max: Math.max(...run.times) },
  };
  const m = result.ms_per_record;
  console.log(`Chromium, counterfactuals (max ${maxFeatures} features) on ${result.records} records: p50 ${m.p50.toFixed(2)} ms, ` +
    `p95 ${m.p95.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms, max ${m.max.toFixed(2)} ms; ${run.answers} answers, ${run.none} records without one`);
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  server.close();
}
