// "What would flip it?" on a regression page (UCI Abalone, Rings) once the page config asks for
// a move (counterfactual_target_delta): the panel's answers are the native CLI's
// (`verdict counterfactual --target-delta D`), and Apply moves the prediction by at least D.
// VERDICT_DIST_REGRESSION=dist-abalone VERDICT_MODEL_DIR_REGRESSION=model VERDICT_BIN=build/native/verdict node --test tests/web/flip_panel_regression.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, staticServer, launch, waitReady, readDistJson, watchedPage, routeConfig } from './harness.mjs';

const dist = process.env.VERDICT_DIST_REGRESSION;
const modelDir = process.env.VERDICT_MODEL_DIR_REGRESSION;
const why = !dist || !fs.existsSync(path.join(dist, 'manifest.json')) ? 'VERDICT_DIST_REGRESSION (a dist built from a regression model) is not set'
  : !(bin && fs.existsSync(bin)) ? 'VERDICT_BIN is not set'
  : !(modelDir && fs.existsSync(path.join(modelDir, 'model.json'))) ? 'VERDICT_MODEL_DIR_REGRESSION is not set' : null;
const DELTA = 2;

// The CLI's answers for one record (cells without quotes or commas: Abalone's are numbers and M/F/I).
function nativeAnswers(features, values) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-cf-reg-'));
  fs.writeFileSync(path.join(dir, 'row.csv'), `${features.join(',')}\n${values.join(',')}\n`);
  execFileSync(bin, ['counterfactual', '--model', modelDir, '--data', path.join(dir, 'row.csv'), '--out', path.join(dir, 'cf.csv'),
    '--target-delta', String(DELTA)], { stdio: 'ignore' });
  const [header, ...rows] = fs.readFileSync(path.join(dir, 'cf.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  fs.rmSync(dir, { recursive: true, force: true });
  const at = (name) => header.indexOf(name);
  return rows.map((r) => ({ cost: Number(r[at('cost')]), changed: r[at('changed')], score: Number(r[at('score')]) }));
}

test('regression page: with counterfactual_target_delta the panel lists the CLI\'s moves, Apply makes one', { timeout: 90000 }, async (t) => {
  if (why) return t.skip(why);
  const batch = readDistJson('review_batch.json', dist);
  const server = await staticServer(dist);
  const browser = await launch();
  try {
    const { page, errors } = await watchedPage(browser);
    await routeConfig(page, { ...readDistJson('config.json', dist), counterfactual_target_delta: DELTA });
    await page.goto(server.url);
    await waitReady(page);
    await page.waitForFunction(() => document.querySelector('[data-testid=flip-panel]')?.dataset.state === 'done');
    const rec = batch.records[0];
    const expected = nativeAnswers(batch.features, rec.values.map((v) => (v === null ? '' : String(v))));
    const shown = await page.$$eval('[data-testid=flip-answer]', (items) => items.map((li) => ({
      cost: Number(li.dataset.cost), changed: li.dataset.changed, score: Number(li.dataset.score) })));
    assert.ok(expected.length > 0, 'the CLI finds a move of 2 rings for the first record');
    assert.equal(shown.length, expected.length);
    shown.forEach((a, i) => {
      assert.equal(a.changed, expected[i].changed);
      assert.ok(Math.abs(a.cost - expected[i].cost) <= 1e-9 * Math.max(1, a.cost));
      assert.ok(Math.abs(a.score - expected[i].score) <= 1e-7 * Math.max(1, Math.abs(a.score)));
    });
    const before = Number(await page.getAttribute('[data-testid=probability]', 'data-value'));
    await page.locator('[data-testid=flip-apply]').first().click();
    const after = Number(await page.getAttribute('[data-testid=probability]', 'data-value'));
    assert.ok(after - before >= DELTA, `Apply moves the prediction ${before} -> ${after} by at least ${DELTA}`);
    assert.ok(await page.isHidden('[data-testid=flip-panel]') === false);
    if (errors.length) throw new Error(`the page raised: ${errors.join('; ')}`);
  } finally {
    await browser.close();
    server.stop();
  }
});
