// Where am I, on the static page: the header says how many records are left in the task and
// how many tasks are left of the batch; once every record is reviewed, a short summary of the
// session (records reviewed, agreed vs disagreed, labels changed), a changed answer counted once.
// VERDICT_DIST=dist node --test tests/web/progress.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dist, missing, staticServer, launch, waitReady, routeBatch, routeConfig, watchedPage } from './harness.mjs';

const progress = (page) => page.textContent('[data-testid=progress]');
const blur = (page) => page.evaluate(() => document.activeElement.blur());

test('static page: records and tasks left in the header, and the session summary at the end', { timeout: 90000 }, async (t) => {
  const why = missing({ needBin: false });
  if (why) return t.skip(why);
  const server = await staticServer(dist);
  const browser = await launch();
  try {
    const { page, errors } = await watchedPage(browser);
    // Four records: a task of three and a task of one.
    await routeBatch(page, (batch) => ({ ...batch, records: batch.records.slice(0, 4) }), { perTask: 3 });
    await routeConfig(page, { records_per_task: 3, top_k: 3, flow: 'progress-test' });
    await page.goto(server.url);
    await waitReady(page);
    assert.equal(await progress(page), '0 of 4 records reviewed \u00b7 3 of 3 left in this task \u00b7 2 of 2 tasks left');
    assert.equal(await page.getAttribute('[data-testid=progress]', 'data-left'), '3');
    assert.equal(await page.getAttribute('[data-testid=progress]', 'data-tasks-left'), '2');
    assert.equal(await page.isVisible('[data-testid=session-summary]'), false);

    await page.keyboard.press('a');
    await page.keyboard.press('s');
    assert.equal(await progress(page), '1 of 4 records reviewed \u00b7 2 of 3 left in this task \u00b7 2 of 2 tasks left');
    for (let i = 0; i < 2; i++) {
      await page.keyboard.press('a');
      await page.keyboard.press('s');
    }
    assert.equal(await progress(page), '3 of 4 records reviewed \u00b7 1 of 1 left in this task \u00b7 1 of 2 tasks left');
    // The last one: a disagreement with the other label.
    await page.keyboard.press('d');
    await page.fill('[data-testid=reason]', 'the record says otherwise');
    await page.keyboard.press('Control+Enter');
    assert.match(await page.textContent('[data-testid=banner]'), /Every record is reviewed/);
    assert.equal(await progress(page), '4 of 4 records reviewed \u00b7 0 of 1 left in this task \u00b7 0 of 2 tasks left');
    const summary = page.locator('[data-testid=session-summary]');
    assert.ok(await summary.isVisible());
    const count = (what) => page.textContent(`[data-testid=summary-${what}]`);
    assert.deepEqual([await count('reviewed'), await count('agreed'), await count('disagreed'), await count('changed')], ['4', '3', '1', '1']);

    // Changing an answer: the record still counts once.
    await blur(page);
    await page.keyboard.press('k');  // to the task before, its last record
    assert.ok(await page.isVisible('[data-testid=done-badge]'));
    assert.ok(await page.isChecked('[data-testid=agree]'), 'the answer given is shown');
    await page.keyboard.press('d');
    await page.fill('[data-testid=reason]', 'on second thoughts');
    await page.keyboard.press('Control+Enter');
    assert.deepEqual([await count('reviewed'), await count('agreed'), await count('disagreed'), await count('changed')], ['4', '2', '2', '2']);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.stop();
  }
});
