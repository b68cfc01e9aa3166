// Benchmark of the review page in headless Chromium: score + full SHAP for one record after
// an edit (WebAssembly), one record's exact feature curve (every feature in turn) and its
// similar records, the page's edit-to-redraw time. (Opening the page: bench_web_load.mjs.)
// Usage: node scripts/bench_web.mjs DIST [EDITS]. Prints a table and one JSON line.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { serveDist, launchChromium, pct } from './page_host.mjs';

const dist = path.resolve(process.argv[2] || 'dist');
const edits = Number(process.argv[3] || 2000);
const { assets } = JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8'));

const { url, server } = await serveDist(dist, { isolated: true });

const browser = await launchChromium();
const median = (v) => pct(v, 0.5);
try {
  const page = await browser.newPage();
  const loads = [];
  for (let i = 0; i < 5; i++) {
    await page.goto(url);
    await page.waitForFunction(() => window.verdictReady === true, null, { timeout: 30000 });
    loads.push(await page.evaluate(() => {
      const m = performance.getEntriesByName('waterfall-drawn')[0];
      return m ? m.startTime : NaN;
    }));
  }
  // Engine calls after an edit: each iteration changes one feature of a record, as a reviewer
  // does, then scores and explains the whole record.
  const engineTimes = await page.evaluate(async ([n, a]) => {
    const { loadEngine } = await import(`./${a['engine.js']}`);
    const [model, schema, batch] = await Promise.all([fetch(a.model).then((r) => r.arrayBuffer()),
      ...[a.schema, a.batch].map((f) => fetch(f).then((r) => r.text()))]);
    const wasm = new URL(a['verdict_wasm.wasm'], document.baseURI).href;
    const engine = await loadEngine(model, schema, { locateFile: () => wasm });
    const s = JSON.parse(schema);
    const records = JSON.parse(batch).records;
    const times = [];
    let sink = 0;
    for (let i = 0; i < n; i++) {
      const row = Float32Array.from(records[i % records.length].encoded, (v) => (v === null ? NaN : v));
      const f = i % row.length;
      const col = s.features[f];
      row[f] = col.type === 'categorical' ? (i * 7) % col.categories.length : col.min + ((i * 13) % 97) / 97 * (col.max - col.min);
      const t0 = performance.now();
      sink += engine.explain(row).prediction;
      times.push(performance.now() - t0);
    }
    // The panels: one feature's exact curve (every cell, and per category for a categorical
    // one), and the 5 nearest of the batch, for a record as edited.
    const curve = [], near = [], cells = [];
    engine.setRecords(records.map((r) => r.encoded.map((v) => (v === null ? NaN : v))));
    for (let i = 0; i < Math.min(n, 1000); i++) {
      const row = Float32Array.from(records[i % records.length].encoded, (v) => (v === null ? NaN : v));
      const f = i % row.length;
      const col = s.features[f];
      const t0 = performance.now();
      const c = engine.featureCurve(row, f);
      if (col.type === 'categorical') sink += c.at(col.categories.map((_, k) => k))[0];
      curve.push(performance.now() - t0);
      cells.push(c.prediction.length);
      const t1 = performance.now();
      sink += engine.nearest(row, 5, i % records.length).length;
      near.push(performance.now() - t1);
    }
    // The batch's average curve (partial dependence over the batch) of each feature, once.
    const average = [];
    for (let f = 0; f < s.features.length; f++) {
      const row = Float32Array.from(records[0].encoded, (v) => (v === null ? NaN : v));
      const c = engine.featureCurve(row, f);
      const t0 = performance.now();
      sink += engine.averageCurve(c.prediction.length).missing;
      average.push(performance.now() - t0);
    }
    return { times, curve, near, cells, average, pool: records.length, sink, isolated: self.crossOriginIsolated };
  }, [edits, assets]);
  // The page itself: an edit in a number field, through the input handler, to the redrawn SVG.
  const redraw = await page.evaluate(async (n) => {
    const input = document.querySelector('[data-testid="feature-input"] input[type=number], input[data-testid="feature-input"][type=number]');
    if (!input) return [];
    const times = [];
    const base = Number(input.value) || 1;
    for (let i = 0; i < n; i++) {
      input.value = String(base + (i % 10));
      const t0 = performance.now();
      input.dispatchEvent(new Event('input', { bubbles: true }));
      times.push(performance.now() - t0);
    }
    return times;
  }, Math.min(edits, 500));
  const gz = (f) => zlib.gzipSync(fs.readFileSync(path.join(dist, f))).length;
  const code = ['index.html', ...Object.values(assets).filter((f) => /\.(m?js|wasm|css)$/.test(f))];
  const raw = code.reduce((a, f) => a + fs.statSync(path.join(dist, f)).size, 0);
  const gzip = code.reduce((a, f) => a + gz(f), 0);
  const result = {
    edits, cross_origin_isolated: engineTimes.isolated,
    wasm_explain_ms: { p50: median(engineTimes.times), p99: pct(engineTimes.times, 0.99) },
    wasm_feature_curve_ms: { p50: median(engineTimes.curve), p99: pct(engineTimes.curve, 0.99), max: Math.max(...engineTimes.curve),
      cells_max: Math.max(...engineTimes.cells) },
    wasm_average_curve_ms: { median: median(engineTimes.average), max: Math.max(...engineTimes.average), pool: engineTimes.pool },
    wasm_similar_records_ms: { p50: median(engineTimes.near), p99: pct(engineTimes.near, 0.99), pool: engineTimes.pool },
    page_edit_to_redraw_ms: redraw.length ? { p50: median(redraw), p99: pct(redraw, 0.99), n: redraw.length } : null,
    navigation_to_waterfall_ms: { median: median(loads), runs: loads },
    page_code_bytes: { raw, gzip, wasm_gzip: gz(assets['verdict_wasm.wasm']), files: code },
  };
  console.log(`wasm score + SHAP after an edit (${edits} edits): p50 ${result.wasm_explain_ms.p50.toFixed(4)} ms, p99 ${result.wasm_explain_ms.p99.toFixed(4)} ms`);
  console.log(`wasm feature curve, one record, one feature (up to ${result.wasm_feature_curve_ms.cells_max} cells): p50 ${result.wasm_feature_curve_ms.p50.toFixed(4)} ms, p99 ${result.wasm_feature_curve_ms.p99.toFixed(4)} ms, max ${result.wasm_feature_curve_ms.max.toFixed(3)} ms`);
  console.log(`wasm average curve over the batch's ${result.wasm_average_curve_ms.pool} records, per feature: median ${result.wasm_average_curve_ms.median.toFixed(2)} ms, max ${result.wasm_average_curve_ms.max.toFixed(2)} ms`);
  console.log(`wasm 5 similar records of ${result.wasm_similar_records_ms.pool}: p50 ${result.wasm_similar_records_ms.p50.toFixed(4)} ms, p99 ${result.wasm_similar_records_ms.p99.toFixed(4)} ms`);
  if (result.page_edit_to_redraw_ms) console.log(`page: edit -> redrawn waterfall: p50 ${result.page_edit_to_redraw_ms.p50.toFixed(3)} ms, p99 ${result.page_edit_to_redraw_ms.p99.toFixed(3)} ms`);
  console.log(`navigation -> drawn waterfall: median ${result.navigation_to_waterfall_ms.median.toFixed(0)} ms (5 loads, localhost)`);
  console.log(`page code (html, css, js, wasm): ${(raw / 1024).toFixed(0)} KB, ${(gzip / 1024).toFixed(0)} KB gzip (wasm ${(result.page_code_bytes.wasm_gzip / 1024).toFixed(0)} KB gzip)`);
  console.log(JSON.stringify(result, (k, v) => (k === 'runs' || k === 'files' ? undefined : v)));
} finally {
  await browser.close();
  server.close();
}
