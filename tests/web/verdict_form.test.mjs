// The verdict form in the static page: where the focus goes after a submit, what "agree"
// stores, and what reset leaves alone.
// VERDICT_DIST=dist VERDICT_BIN=build/native/verdict node --test tests/web/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { dist, missing, staticServer, launch, open, waitReady, readDistJson, withPage } from './harness.mjs';

const readJson = (name) => readDistJson(name);
const rowId = (page) => page.textContent('[data-testid=row-id]');
const focused = (page) => page.evaluate(() => ({ tag: document.activeElement.tagName, testid: document.activeElement.dataset.testid }));
const answers = (page) => page.evaluate(() => window.verdictExport().flatMap((l) => l.humanAnswers[0].answerContent.records));


test('after Ctrl+Enter in the reason box the next record takes shortcuts, not text', { timeout: 60000 }, (t) => withPage(t, async (page) => {
  const batch = readJson('review_batch.json');
  await page.keyboard.press('d');
  assert.equal((await focused(page)).testid, 'reason');
  await page.keyboard.type('the hours say otherwise');
  await page.keyboard.press('Control+Enter');
  assert.equal(await rowId(page), String(batch.records[1].row));
  assert.ok(!['INPUT', 'TEXTAREA', 'SELECT'].includes((await focused(page)).tag), 'the focus left the form');
  await page.keyboard.press('a');
  await page.keyboard.press('s');
  assert.equal(await page.inputValue('[data-testid=reason]'), '', 'the shortcut letters were not typed into the reason');
  assert.equal(await rowId(page), String(batch.records[2].row), '"a" then "s" agreed and submitted');
  assert.deepEqual((await answers(page)).map((a) => [a.row, a.verdict, a.reason]),
    [[batch.records[0].row, 'disagree', 'the hours say otherwise'], [batch.records[1].row, 'agree', '']]);
}));

test('"agree" stores the model\'s label; another label is a disagreement that needs a reason', { timeout: 90000 }, (t) => withPage(t, async (page) => {
  const batch = readJson('review_batch.json');
  const schema = readJson('schema.json');
  const [first, second] = batch.records;
  // A what-if edit that flips the predicted label of the first record.
  let flipped = false;
  for (const col of schema.features) {
    if (col.type !== 'categorical') continue;
    for (const c of col.categories) {
      await page.selectOption(`[data-testid=feature-input][data-feature="${col.name}"]`, { label: c });
      if (await page.getAttribute('[data-testid=predicted-outcome]', 'data-label') !== first.predicted_label) { flipped = true; break; }
    }
    if (flipped) break;
    await page.click('[data-testid=reset]');
  }
  assert.ok(flipped, 'some category flips the first record');
  await page.keyboard.press('Escape');
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('a');
  assert.equal(await page.inputValue('[data-testid=label]'), first.predicted_label, 'agree means the model\'s label, not the what-if one');
  await page.keyboard.press('Control+Enter');
  assert.equal(await rowId(page), String(second.row));
  // "a" then "l": the other label turns the verdict into a disagreement, refused without a reason.
  await page.keyboard.press('a');
  await page.keyboard.press('l');
  const other = await page.inputValue('[data-testid=label]');
  assert.notEqual(other, second.predicted_label);
  assert.ok(await page.isChecked('[data-testid=disagree]'), 'a label other than the model\'s is a disagreement');
  await page.keyboard.press('Control+Enter');
  assert.equal(await rowId(page), String(second.row), 'nothing was saved without a reason');
  assert.match(await page.textContent('[data-testid=form-message]'), /reason is required/);
  await page.keyboard.type('capital gains say otherwise');
  await page.keyboard.press('Control+Enter');
  const saved = await answers(page);
  assert.deepEqual(saved.map((a) => [a.row, a.verdict, a.label, a.model_label, a.reason]),
    [[first.row, 'agree', first.predicted_label, first.predicted_label, ''],
     [second.row, 'disagree', other, second.predicted_label, 'capital gains say otherwise']]);
  for (const a of saved) assert.ok(a.verdict !== 'agree' || a.label === a.model_label);
}));

test('reset (r or the button) undoes the what-if edits and keeps the drafted verdict', { timeout: 60000 }, (t) => withPage(t, async (page) => {
  const schema = readJson('schema.json');
  const col = schema.features.find((f) => f.type === 'categorical' && f.categories.length > 1);
  const select = `[data-testid=feature-input][data-feature="${col.name}"]`;
  const original = await page.getAttribute('[data-testid=probability]', 'data-value');
  const edit = async () => {
    const now = await page.inputValue(select);
    await page.selectOption(select, now === '0' ? '1' : '0');
    assert.equal(await page.locator('tr.edited').count(), 1);
  };
  await edit();
  await page.keyboard.press('Escape');
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('d');
  await page.keyboard.type('drafted before the reset');
  await page.keyboard.press('Escape');
  await page.fill('[data-testid=comment]', 'a comment too');
  const label = await page.inputValue('[data-testid=label]');
  const draftKept = async (how) => {
    assert.equal(await page.getAttribute('[data-testid=probability]', 'data-value'), original, `${how}: the score is the original`);
    assert.equal(await page.locator('tr.edited').count(), 0, `${how}: the edits are gone`);
    assert.ok(await page.isChecked('[data-testid=disagree]'), `${how}: the verdict is kept`);
    assert.equal(await page.inputValue('[data-testid=reason]'), 'drafted before the reset', `${how}: the reason is kept`);
    assert.equal(await page.inputValue('[data-testid=comment]'), 'a comment too', `${how}: the comment is kept`);
    assert.equal(await page.inputValue('[data-testid=label]'), label, `${how}: the label is kept`);
  };
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('r');
  await draftKept('r');
  await edit();
  await page.click('[data-testid=reset]');
  await draftKept('the button');
}));
