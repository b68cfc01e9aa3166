// The "(missing)" choice of a category dropdown: encoded as missing (NaN), never as its option's
// index. A record whose category is missing is scored as the native CLI scores it; choosing a
// category and then "(missing)" again brings back the very same score.
// VERDICT_DIST=dist VERDICT_BIN=build/native/verdict node --test tests/web/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dist, missing, staticServer, launch, open, waitReady, nativeScore, readDistJson, modelDir, writeBatch } from './harness.mjs';

const probability = async (page) => Number(await page.getAttribute('[data-testid=probability]', 'data-value'));

test('review page: a missing category is scored as missing, before and after an edit', { timeout: 60000 }, async (t) => {
  const why = missing();
  if (why) return t.skip(why);
  const batch = readDistJson('review_batch.json');
  const schema = readDistJson('schema.json');
  const first = batch.records[0];
  // A categorical feature whose last category scores differently from missing. (An index-encoded
  // "(missing)" option would be the number of categories, which every tree sends where it
  // sends the last category: the check below then fails.)
  let pick = null;
  for (const [col, i] of schema.features.map((f, k) => [f, k]).filter(([f]) => f.type === 'categorical')) {
    const values = [...first.values];
    values[i] = '';
    const withMissing = nativeScore(modelDir, batch.features, values);
    values[i] = col.categories[col.categories.length - 1];
    const withLast = nativeScore(modelDir, batch.features, values);
    const gap = Math.abs(withLast.prediction - withMissing.prediction);
    if (!pick || gap > pick.gap) pick = { col, i, withMissing, withLast, gap };
  }
  assert.ok(pick && pick.gap > 1e-6, 'some category must score differently from missing');
  const { col, i, withMissing, withLast } = pick;
  assert.equal(withMissing.encoded[i], null, 'the native batch encodes the empty cell as missing');
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-missing-'));
  fs.cpSync(dist, copy, { recursive: true });
  writeBatch(copy, { ...batch, records: [withMissing] });
  const server = await staticServer(copy);
  const browser = await launch();
  try {
    const { page, errors } = await open(browser, server.url);
    await waitReady(page);
    const select = page.locator(`[data-testid=feature-input][data-feature="${col.name}"]`);
    assert.equal(await select.inputValue(), '', 'the dropdown shows (missing)');
    assert.ok(Math.abs(await probability(page) - withMissing.prediction) < 1e-9, 'unedited: the native score of the missing value');
    await select.selectOption(String(col.categories.length - 1));
    await page.waitForFunction((p) => Math.abs(Number(document.querySelector('[data-testid=probability]').dataset.value) - p) < 1e-9,
      withLast.prediction);
    await select.selectOption({ label: '(missing)' });
    await page.waitForFunction((p) => Math.abs(Number(document.querySelector('[data-testid=probability]').dataset.value) - p) < 1e-9,
      withMissing.prediction, { timeout: 5000 });
    console.log(`missing ${col.name}: ${withMissing.prediction}; ${col.categories.at(-1)}: ${withLast.prediction}; back to missing: ${await probability(page)}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.stop();
    fs.rmSync(copy, { recursive: true, force: true });
  }
});
