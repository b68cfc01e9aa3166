// "What would flip it?" on the static page: the panel's answers for a record are the native
// CLI's (`verdict counterfactual` on the same values: cost, changed features, score); Apply makes
// one a what-if edit whose score crosses the threshold, and undo takes it back exactly.
// VERDICT_DIST=dist VERDICT_BIN=build/native/verdict VERDICT_MODEL_DIR=model node --test tests/web/flip_panel.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, missing, modelDir, staticServer, launch, open, waitReady, readDistJson, watchedPage, routeConfig } from './harness.mjs';
import { parseCsv } from '../csv_text.mjs';


// The native CLI's answers for one record given as raw cells in feature order.
function nativeAnswers(features, values, threshold, maxFeatures = 2) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-cf-'));
  const quote = (c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  fs.writeFileSync(path.join(dir, 'row.csv'), `${features.map(quote).join(',')}\n${values.map(quote).join(',')}\n`);
  execFileSync(bin, ['counterfactual', '--model', modelDir, '--data', path.join(dir, 'row.csv'), '--out', path.join(dir, 'cf.csv'),
    '--threshold', String(threshold), '--max-features', String(maxFeatures)], { stdio: 'ignore' });
  const [header, ...rows] = parseCsv(fs.readFileSync(path.join(dir, 'cf.csv'), 'utf8'));
  fs.rmSync(dir, { recursive: true, force: true });
  const at = (name) => header.indexOf(name);
  return rows.map((r) => ({ cost: Number(r[at('cost')]), changed: r[at('changed')], score: Number(r[at('score')]), method: r[at('method')] }));
}

const panelAnswers = (page) => page.$$eval('[data-testid=flip-answer]', (items) => items.map((li) => ({
  cost: Number(li.dataset.cost), changed: li.dataset.changed, score: Number(li.dataset.score), method: li.dataset.method,
  text: li.querySelector('.flip-words').textContent })));
const score = async (page) => Number(await page.getAttribute('[data-testid=probability]', 'data-value'));
const searched = (page) => page.waitForFunction(() => document.querySelector('[data-testid=flip-panel]')?.dataset.state === 'done');

test('the flip panel lists the native CLI\'s answers; Apply crosses the threshold, undo takes it back', { timeout: 120000 }, async (t) => {
  const why = missing();
  if (why) return t.skip(why);
  const batch = readDistJson('review_batch.json');
  const schema = readDistJson('schema.json');
  const threshold = batch.threshold ?? 0.5;
  const server = await staticServer(process.env.VERDICT_DIST);
  const browser = await launch();
  try {
    const { page, errors } = await open(browser, server.url);
    await waitReady(page);
    let checked = 0;
    for (let r = 0; r < 3 && r < batch.records.length; r++) {
      if (r > 0) await page.locator('[data-testid=record-chip]').nth(r).click();
      await searched(page);
      const rec = batch.records[r];
      const row = String(rec.row);
      assert.equal(await page.textContent('[data-testid=row-id]'), row);
      const values = rec.values.map((v) => (v === null ? '' : String(v)));
      const expected = nativeAnswers(batch.features, values, threshold);
      const shown = await panelAnswers(page);
      assert.equal(shown.length, expected.length, `row ${row}: as many answers as the CLI`);
      shown.forEach((a, i) => {
        assert.equal(a.changed, expected[i].changed, `row ${row} answer ${i + 1}: the same features`);
        assert.ok(Math.abs(a.cost - expected[i].cost) <= 1e-9 * Math.max(1, a.cost), `cost ${a.cost} vs ${expected[i].cost}`);
        assert.ok(Math.abs(a.score - expected[i].score) <= 1e-9, `score ${a.score} vs ${expected[i].score}`);
        assert.equal(a.method, 'exact');
        for (const name of a.changed.split(';')) {
          assert.ok(!schema.features.find((f) => f.name === name).immutable, `${name} is immutable`);
          assert.ok(a.text.includes(`${name} `), a.text);
        }
      });
      if (!shown.length) continue;
      const before = await score(page);
      await page.locator('[data-testid=flip-apply]').first().click();
      const after = await score(page);
      assert.notEqual(after > threshold, before > threshold, `row ${row}: Apply crosses the ${threshold} threshold (${before} -> ${after})`);
      assert.ok(Math.abs(after - shown[0].score) <= 1e-12, 'the page scores the applied answer as the panel said');
      const edited = await page.$$eval('[data-testid=features] tr.edited', (rs) => rs.map((tr) => tr.dataset.feature));
      assert.deepEqual(edited.sort(), shown[0].changed.split(';').sort());
      await page.locator('[data-testid=undo]').click();
      assert.equal(await score(page), before, 'undo: the score before Apply, exactly');
      checked += 1;
    }
    assert.ok(checked > 0, 'at least one record has an answer');
    if (errors.length) throw new Error(`the page raised: ${errors.join('; ')}`);
  } finally {
    await browser.close();
    server.stop();
  }
});

test('with counterfactual_max_features 3 the panel says which answers are the heuristic\'s, as the CLI does', { timeout: 120000 }, async (t) => {
  const why = missing();
  if (why) return t.skip(why);
  const batch = readDistJson('review_batch.json');
  const threshold = batch.threshold ?? 0.5;
  const server = await staticServer(process.env.VERDICT_DIST);
  const browser = await launch();
  try {
    const { page, errors } = await watchedPage(browser);
    await routeConfig(page, { ...readDistJson('config.json'), counterfactual_max_features: 3 });
    await page.goto(server.url);
    await waitReady(page);
    await searched(page);
    assert.match(await page.textContent('[data-testid=flip-method]'), /3 features by a heuristic/);
    const rec = batch.records[0];
    const expected = nativeAnswers(batch.features, rec.values.map((v) => (v === null ? '' : String(v))), threshold, 3);
    const shown = await panelAnswers(page);
    assert.deepEqual(shown.map((a) => [a.changed, a.method]), expected.map((a) => [a.changed, a.method]));
    const metas = await page.$$eval('[data-testid=flip-answer] .flip-meta', (ms) => ms.map((m) => m.textContent));
    shown.forEach((a, i) => assert.equal(metas[i].includes('heuristic'), a.method === 'heuristic'));
    if (errors.length) throw new Error(`the page raised: ${errors.join('; ')}`);
  } finally {
    await browser.close();
    server.stop();
  }
});
