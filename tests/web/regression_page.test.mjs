// The review page for a regression model (UCI Abalone, Rings), in Debian's Chromium: the score
// is a number of rings, not a probability; the waterfall runs from E[f(X)] to the prediction in
// rings (identity link); a what-if edit gives the native CLI's prediction; the verdict asks for
// a corrected number and the export holds it. Screenshot: $VERDICT_SCREENSHOT_REGRESSION
// (default build/review-page-regression.png; docs/review-page-regression.png is one of them).
// VERDICT_DIST_REGRESSION=dist-abalone VERDICT_BIN=build/native/verdict node --test tests/web/regression_page.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { bin, staticServer, launch, open, waitReady, nativeScore, readDistJson } from './harness.mjs';

const dist = process.env.VERDICT_DIST_REGRESSION;
const modelDir = process.env.VERDICT_MODEL_DIR_REGRESSION;
const why = !dist || !fs.existsSync(path.join(dist, 'manifest.json')) ? 'VERDICT_DIST_REGRESSION (a dist built from a regression model) is not set'
  : !(bin && fs.existsSync(bin)) ? 'VERDICT_BIN is not set'
  : !(modelDir && fs.existsSync(path.join(modelDir, 'model.json'))) ? 'VERDICT_MODEL_DIR_REGRESSION is not set' : null;

test('review page for a regression model: raw units, what-if equal to native, a number as the verdict', { timeout: 90000 }, async (t) => {
  if (why) return t.skip(why);
  const readJson = (name) => readDistJson(name, dist);
  const batch = readJson('review_batch.json');
  const schema = readJson('schema.json');
  assert.equal(schema.task, 'regression');
  const target = schema.target.name;
  const first = batch.records[0];
  const server = await staticServer(dist);
  const browser = await launch();
  try {
    const { page, errors } = await open(browser, server.url);
    await waitReady(page);
    // The score: rings, 4 significant digits, labelled with the target, no probability anywhere.
    assert.equal(await page.textContent('#score-label'), `Predicted ${target}`);
    const shown = await page.textContent('[data-testid=probability]');
    assert.equal(shown, first.prediction.toPrecision(4));
    assert.ok(await page.isHidden('#outcome-stat'), 'no predicted class for a regression');
    const text = await page.textContent('body');
    assert.doesNotMatch(text, /probability|log-odds|\(p = /i);
    assert.match(await page.textContent('#units'), new RegExp(`units of ${target}`));
    // The waterfall: E[f(X)] to f(x), in rings (identity link: f(x) is the prediction).
    const attr = async (id) => Number(await page.getAttribute(`[data-testid=${id}]`, 'data-value'));
    assert.ok(Math.abs(await attr('expected-label') - batch.methods.tree.expected_value) < 1e-9);
    assert.ok(Math.abs(await attr('fx-label') - first.prediction) < 1e-9);
    const phi = await page.$$eval('[data-testid=shap-bar]', (gs) => gs.map((g) => Number(g.dataset.value)));
    assert.ok(phi.length > 0);
    await page.screenshot({ path: process.env.VERDICT_SCREENSHOT_REGRESSION || 'build/review-page-regression.png' });

    // What-if: Shell weight edited, the page's prediction equals the native CLI's.
    const features = batch.features;
    const num = features.indexOf('Shell weight');
    assert.ok(num >= 0);
    const newValue = first.values[num] === '0.5' ? '0.45' : '0.5';
    const input = page.locator(`[data-testid=feature-input][data-feature="Shell weight"]`);
    await input.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(newValue);
    const edited = [...first.values];
    edited[num] = newValue;
    const native = nativeScore(modelDir, features, edited);
    const after = Number(await page.getAttribute('[data-testid=probability]', 'data-value'));
    assert.ok(Math.abs(after - native.prediction) <= 1e-9, `page ${after} vs native ${native.prediction}`);
    assert.notEqual(after, first.prediction, 'the edit re-scored');
    assert.ok(Math.abs(await attr('fx-label') - after) < 1e-9, 'the waterfall ends at the new prediction');

    // The verdict: a corrected number of rings; the export holds it.
    const label = page.locator('[data-testid=label]');
    assert.equal(await label.getAttribute('type'), 'number');
    await page.check('input[name=verdict][value=disagree]');
    await label.fill('12');
    await page.fill('[data-testid=reason]', 'shell weight says older');
    await page.click('#submit');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    const answers = JSON.stringify(exported);
    assert.match(answers, /"label":\s*"?12"?/, `the corrected number is in the export: ${answers.slice(0, 400)}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.stop();
  }
});
