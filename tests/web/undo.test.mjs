// Undo of what-if edits on the static page: a stack per record (button, `u`, Ctrl+Z outside a
// text field) that restores the previous edits and with them the previous score exactly; a
// reset is a step too; keystrokes in one field are one step.
// VERDICT_DIST=dist node --test tests/web/undo.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { dist, missing, staticServer, launch, open, waitReady, readDistJson, withPage } from './harness.mjs';

const readJson = (name) => readDistJson(name);
const score = (page) => page.getAttribute('[data-testid=probability]', 'data-value');
const field = (page, name) => page.locator(`[data-testid=feature-input][data-feature="${name}"]`);
const edited = (page) => page.$$eval('[data-testid=features] tr.edited', (rs) => rs.map((r) => r.dataset.feature));
const leaveField = (page) => page.evaluate(() => document.activeElement.blur());


test('undo: each step back restores the edits and the score before it, exactly', { timeout: 60000 }, (t) => withPage(t, async (page) => {
  const schema = readJson('schema.json');
  const num = schema.features.find((f) => f.type === 'numeric');
  const cat = schema.features.find((f) => f.type === 'categorical');
  const undo = page.locator('[data-testid=undo]');
  assert.ok(await undo.isDisabled(), 'nothing to undo on a fresh record');
  const original = await score(page);

  await field(page, num.name).fill(String(num.max));
  const afterNum = await score(page);
  assert.notEqual(afterNum, original);
  assert.ok(await undo.isEnabled());
  const select = field(page, cat.name);
  const code = await select.inputValue();
  await select.selectOption(String((Number(code) + 1) % cat.categories.length));
  const afterBoth = await score(page);
  assert.notEqual(afterBoth, afterNum);
  assert.deepEqual((await edited(page)).sort(), [num.name, cat.name].sort());

  await leaveField(page);
  await page.keyboard.press('u');
  assert.equal(await score(page), afterNum, 'u: the score after the first edit, exactly');
  assert.deepEqual(await edited(page), [num.name]);
  assert.equal(await select.inputValue(), code);
  assert.equal(await field(page, num.name).inputValue(), String(num.max));
  await page.keyboard.press('Control+z');
  assert.equal(await score(page), original, 'Ctrl+Z: the original score, exactly');
  assert.deepEqual(await edited(page), []);
  assert.ok(await undo.isDisabled());
  await page.keyboard.press('u');
  assert.equal(await score(page), original, 'nothing left to undo changes nothing');
  assert.match(await page.textContent('[data-testid=form-message]'), /No what-if edit to undo/);

  // A reset is a step: undone, the edits and their score are back (the button this time).
  await field(page, num.name).fill(String(num.max));
  await leaveField(page);
  await page.keyboard.press('r');
  assert.equal(await score(page), original);
  await undo.click();
  assert.equal(await score(page), afterNum);
  assert.deepEqual(await edited(page), [num.name]);
}));

test('undo: typing in one field is one step; Ctrl+Z inside a field is the field\'s own; one stack per record', { timeout: 60000 }, (t) => withPage(t, async (page) => {
  const schema = readJson('schema.json');
  const num = schema.features.find((f) => f.type === 'numeric');
  const original = await score(page);
  const input = field(page, num.name);
  await input.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('45', { delay: 50 });
  assert.equal(await input.inputValue(), '45');
  const typed = await score(page);
  assert.notEqual(typed, original);
  // Ctrl+Z in a text field is the browser's text undo, not the page's: the edit stays.
  await page.click('[data-testid=reason]');
  await page.keyboard.type('why');
  await page.keyboard.press('Control+z');
  assert.equal(await score(page), typed);
  assert.equal(await input.inputValue(), '45');
  assert.ok(await page.locator('[data-testid=undo]').isEnabled());
  await leaveField(page);
  await page.keyboard.press('u');
  assert.equal(await score(page), original, 'the two keystrokes were one step');
  assert.ok(await page.locator('[data-testid=undo]').isDisabled());

  // Another record has its own stack: an edit here is not undone there.
  await input.fill(String(num.max));
  const edited1 = await score(page);
  await leaveField(page);
  await page.keyboard.press('j');
  assert.ok(await page.locator('[data-testid=undo]').isDisabled(), 'the next record has nothing to undo');
  await page.keyboard.press('u');
  await page.keyboard.press('k');
  assert.equal(await score(page), edited1, 'the first record keeps its edit');
  await page.keyboard.press('u');
  assert.equal(await score(page), original);
}));
