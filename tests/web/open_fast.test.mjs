// The page opens fast: the first waterfall is drawn from the batch's own SHAP values before the
// model and the WebAssembly are even requested, with the very numbers the engine gives once
// loaded; what-if controls wait for the engine; on a reload through `verdict serve` every
// hashed file comes from the browser's cache (immutable) and only index.html is asked again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, dist, missing, staticServer, startProcess, launch, waitReady, manifest, readDistJson } from './harness.mjs';

const readBars = (page) => page.$$eval('[data-testid=shap-bar], [data-testid=shap-other], [data-testid=fx-label], [data-testid=expected-label]',
  (els) => els.map((e) => `${e.dataset.testid}:${e.dataset.feature ?? ''}=${e.dataset.value}`));

test('first waterfall from the batch, before the engine is fetched; the engine then draws the same', { timeout: 60000 }, async (t) => {
  const why = missing({ needBin: false });
  if (why) return t.skip(why);
  const server = await staticServer(dist);
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    let release;
    const held = new Promise((r) => { release = r; });
    await page.route('**/data/model.*.bin', async (route) => { await held; await route.continue(); });
    await page.goto(server.url);
    await page.waitForFunction(() => performance.getEntriesByName('waterfall-drawn').length === 1, null, { timeout: 20000 });
    const first = await readBars(page);
    assert.ok(first.filter((b) => b.startsWith('shap-bar')).length > 0, 'bars are drawn');
    assert.equal(await page.evaluate(() => window.verdictReady === true), false, 'the engine is not loaded yet');
    assert.equal(await page.locator('[data-testid=feature-input]').first().isDisabled(), true, 'what-if waits for the engine');
    // Nothing of the engine was asked for before the waterfall was drawn.
    const started = await page.evaluate(() => {
      const drawn = performance.getEntriesByName('waterfall-drawn')[0].startTime;
      return performance.getEntriesByType('resource').map((e) => ({ name: e.name, before: e.startTime < drawn }));
    });
    for (const { name, before } of started) {
      if (/\.(wasm|bin)$/.test(name) || /data\/batch\.[0-9a-f]+\.json$/.test(name)) assert.equal(before, false, `${name} was fetched before the first waterfall`);
    }
    release();
    await waitReady(page);
    assert.deepEqual(await readBars(page), first, 'the engine draws the batch\'s numbers');
    assert.equal(await page.locator('[data-testid=feature-input]').first().isDisabled(), false);
    // The whole batch follows: the header counts its tasks, not just the first one's.
    const { config } = manifest();
    const tasks = Math.ceil(readDistJson('review_batch.json').records.length / config.records_per_task);
    await page.waitForFunction((n) => document.querySelector('[data-testid=task-pos]').textContent === `1 of ${n}`, tasks, { timeout: 10000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.stop();
  }
});

test('through verdict serve a reload asks for index.html only: hashed files are immutable', { timeout: 60000 }, async (t) => {
  const why = missing();
  if (why) return t.skip(why);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-reload-'));
  const { child, match } = await startProcess(bin, ['serve', '--db', path.join(dir, 'r.db'), '--dist', dist, '--port', '0'], /http:\/\/127\.0\.0\.1:(\d+)\//);
  const url = `http://127.0.0.1:${match[1]}/`;
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const seen = [];
    page.on('response', (r) => seen.push({ path: new URL(r.url()).pathname, status: r.status(), headers: r.headers() }));
    await page.goto(url);
    await page.locator('[data-testid=token]').waitFor({ state: 'visible', timeout: 20000 });
    await page.waitForFunction(() => performance.getEntriesByName('engine-ready').length === 1, null, { timeout: 20000 });
    const { assets } = manifest();
    const hashed = Object.values(assets).map((a) => `/${a}`);
    // What the served page loads (its tasks come from the API, not the batch files).
    for (const a of ['app.js', 'style.css', 'favicon.svg', 'schema', 'model', 'verdict_wasm.wasm'].map((n) => `/${assets[n]}`)) {
      const r = seen.find((s) => s.path === a);
      assert.ok(r, `${a} was loaded`);
      assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable', a);
      assert.equal(r.headers['content-encoding'], 'br', `${a} is sent precompressed`);
    }
    assert.equal(seen.find((s) => s.path === '/').headers['cache-control'], 'no-cache');
    seen.length = 0;
    await page.reload();
    await page.waitForFunction(() => performance.getEntriesByName('engine-ready').length === 1, null, { timeout: 20000 });
    const network = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => e.transferSize > 0).map((e) => new URL(e.name).pathname));
    assert.deepEqual(network.filter((p) => hashed.includes(p)), [], 'no hashed file is fetched again');
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
