// Shortcuts a reviewer can change or turn off (WCAG 2.1.4), from the Keyboard card's settings:
// a remapped key works and the old one no longer does, the hints and the card show the new
// key, the choice survives a reload (per reviewer), single keys can be switched off (then `a`
// does nothing, a key with Alt still works), and the defaults come back.
// VERDICT_DIST=dist node --test tests/web/hotkeys.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dist, missing, staticServer, launch, open, waitReady, withPage } from './harness.mjs';

const checked = (page) => page.evaluate(() => document.querySelector('input[name=verdict]:checked')?.value ?? null);
const rowId = (page) => page.textContent('[data-testid=row-id]');
const settings = (page) => page.locator('[data-testid=hotkey-settings]');
const changeButton = (page, action) => page.locator(`[data-testid=hotkey-settings] tr[data-action=${action}] [data-testid=hotkey-change]`);


test('hotkeys: a remapped key works, the old one does not, hints follow, and it survives a reload', { timeout: 60000 }, (t) => withPage(t, async (page) => {
  await page.click('[data-testid=hotkeys-open]');
  assert.ok(await settings(page).isVisible());
  await changeButton(page, 'agree').click();
  await page.keyboard.press('d');  // taken by "disagree": refused
  assert.match(await page.textContent('[data-testid=hotkey-message]'), /already does "disagree/);
  await changeButton(page, 'agree').click();
  await page.keyboard.press('Tab');  // reserved
  assert.match(await page.textContent('[data-testid=hotkey-message]'), /kept for the browser/);
  await changeButton(page, 'agree').click();
  await page.keyboard.press('g');
  assert.match(await page.textContent('[data-testid=hotkey-message]'), /g now does "agree/);
  assert.equal(await page.locator('[data-testid=hotkey-settings] tr[data-action=agree] [data-testid=hotkey-keys]').textContent(), 'g ');
  // While the panel is open, keys do nothing on the page.
  await page.keyboard.press('j');
  assert.equal(await checked(page), null);
  await page.click('[data-testid=hotkeys-done]');
  assert.equal(await settings(page).isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'hotkeys-open', 'focus back on the opener');

  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('a');
  assert.equal(await checked(page), null, 'the old key no longer agrees');
  await page.keyboard.press('g');
  assert.equal(await checked(page), 'agree', 'the new key does');
  assert.equal(await page.textContent('kbd[data-hotkey=agree]'), 'g', 'the hint beside Agree');
  assert.equal(await page.textContent('[data-testid=shortcut-list] dt[data-action=agree]'), 'g', 'the Keyboard card');

  await page.reload();
  await waitReady(page);
  await page.keyboard.press('a');
  assert.equal(await checked(page), null);
  await page.keyboard.press('g');
  assert.equal(await checked(page), 'agree', 'kept for this reviewer after a reload');
  assert.ok(Object.keys(await page.evaluate(() => ({ ...localStorage }))).includes('verdict:hotkeys:local-reviewer'));
}));

test('hotkeys: single keys turned off do nothing; Alt keys, arrows and Ctrl+Enter still work; defaults come back', { timeout: 60000 }, (t) => withPage(t, async (page) => {
  await page.click('[data-testid=hotkeys-open]');
  await page.uncheck('[data-testid=single-keys]');
  await changeButton(page, 'disagree').click();
  await page.keyboard.press('Alt+d');
  assert.match(await page.textContent('[data-testid=hotkey-message]'), /Alt\+d now does "disagree/);
  await page.keyboard.press('Escape');
  assert.equal(await settings(page).isVisible(), false, 'Esc closes the panel');
  assert.match(await page.textContent('[data-testid=shortcut-state]'), /off/);
  assert.equal(await page.isVisible('kbd[data-hotkey=agree]'), false, 'no hint for a key that is off');
  assert.equal(await page.textContent('kbd[data-hotkey=disagree]'), 'Alt+d');

  await page.evaluate(() => document.activeElement.blur());
  const row = await rowId(page);
  for (const key of ['a', 'd', 'l', 'j', 's', 'r', 'e', 'u']) await page.keyboard.press(key);
  assert.equal(await checked(page), null, 'a, d ... do nothing');
  assert.equal(await rowId(page), row, 'j does not move');
  assert.equal(await page.evaluate(() => document.activeElement === document.body), true, 'e does not take the focus');
  await page.keyboard.press('ArrowRight');
  assert.notEqual(await rowId(page), row, 'the arrows still move');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Alt+d');
  assert.equal(await checked(page), 'disagree', 'a key with Alt still works');
  await page.fill('[data-testid=reason]', 'checked by hand');
  await page.keyboard.press('Control+Enter');
  assert.notEqual(await rowId(page), row, 'Ctrl+Enter submits');

  await page.click('[data-testid=hotkeys-open]');
  await page.click('[data-testid=hotkeys-defaults]');
  assert.ok(await page.isChecked('[data-testid=single-keys]'));
  await page.click('[data-testid=hotkeys-done]');
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('a');
  assert.equal(await checked(page), 'agree', 'the default a is back');
  assert.equal(await page.textContent('kbd[data-hotkey=disagree]'), 'd');
}));
