// The review page in Debian's Chromium, served as plain static files: waterfall, what-if
// edits scored in WebAssembly equal to the native CLI, keyboard verdicts, reload, export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { dist, ready, skipReason, staticServer, launch, open, waitReady, nativeScore } from './harness.mjs';

const UP = '#ff0051', DOWN = '#008bfb';

test('review page: waterfall, what-if, verdicts, reload, export', { skip: !ready && skipReason, timeout: 120000 }, async () => {
  const batch = JSON.parse(fs.readFileSync(path.join(dist, 'data', 'review_batch.json'), 'utf8'));
  const config = JSON.parse(fs.readFileSync(path.join(dist, 'data', 'config.json'), 'utf8'));
  const schema = JSON.parse(fs.readFileSync(path.join(dist, 'data', 'schema.json'), 'utf8'));
  const server = await staticServer(dist);
  const browser = await launch();
  try {
    const { page, errors } = await open(browser, server.url);
    await waitReady(page);
    const first = batch.records[0];
    assert.equal(await page.textContent('[data-testid=row-id]'), String(first.row));

    // The waterfall: top-k bars by |SHAP|, one folded bar, labels, the shap colours.
    const bars = await page.$$eval('[data-testid=shap-bar]', (gs) => gs.map((g) => ({
      feature: g.dataset.feature, value: Number(g.dataset.value), sign: g.dataset.sign,
      label: g.querySelector('text').textContent, fill: g.querySelector('polygon').getAttribute('fill') })));
    assert.equal(bars.length, config.top_k);
    assert.equal(await page.locator('[data-testid=shap-other]').count(), 1);
    for (let i = 1; i < bars.length; i++) assert.ok(Math.abs(bars[i - 1].value) >= Math.abs(bars[i].value));
    const top = [...first.shap.tree.keys()].sort((a, b) => Math.abs(first.shap.tree[b]) - Math.abs(first.shap.tree[a])).slice(0, config.top_k);
    assert.deepEqual(bars.map((b) => b.feature), top.map((i) => batch.features[i]));
    for (const b of bars) {
      const i = batch.features.indexOf(b.feature);
      assert.equal(b.label, `${b.feature} = ${first.values[i]}`);
      assert.equal(b.fill, b.value >= 0 ? UP : DOWN);
      assert.ok(Math.abs(b.value - first.shap.tree[i]) < 1e-9);
    }
    assert.match(await page.textContent('[data-testid=expected-label]'), /^E\[f\(X\)\] = /);
    assert.match(await page.textContent('[data-testid=fx-label]'), /^f\(x\) = .*\(p = /);
    const original = Number(await page.getAttribute('[data-testid=probability]', 'data-value'));
    assert.ok(Math.abs(original - first.prediction) < 1e-9);

    // What-if: a categorical and a numeric edit re-score at once; the page equals the native CLI.
    const cat = schema.features.findIndex((f) => f.name === 'Occupation');
    const num = schema.features.findIndex((f) => f.name === 'Hours per week');
    const newCategory = schema.features[cat].categories.find((c) => c !== first.values[cat] && c === 'Exec-managerial') ||
      schema.features[cat].categories.find((c) => c !== first.values[cat]);
    await page.selectOption('[data-testid=feature-input][data-feature="Occupation"]', { label: newCategory });
    const afterCat = Number(await page.getAttribute('[data-testid=probability]', 'data-value'));
    await page.fill('[data-testid=feature-input][data-feature="Hours per week"]', '62');
    const afterBoth = Number(await page.getAttribute('[data-testid=probability]', 'data-value'));
    assert.notEqual(afterCat, original);
    assert.notEqual(afterBoth, afterCat);
    const edited = [...first.values];
    edited[cat] = newCategory;
    edited[num] = '62';
    const native = nativeScore(path.join(dist, 'data'), batch.features, edited);
    assert.ok(Math.abs(afterBoth - native.prediction) <= 1e-9, `page ${afterBoth} vs native ${native.prediction}`);
    assert.equal(await page.locator('tr.edited').count(), 2);
    assert.ok(await page.isVisible('[data-testid=edited-badge]'));
    const hoursBar = await page.$('[data-testid=shap-bar][data-feature="Hours per week"] text');
    if (hoursBar) assert.equal(await hoursBar.textContent(), 'Hours per week = 62');

    // Reset (keyboard) restores the record.
    await page.locator('body').click({ position: { x: 5, y: 500 } });
    await page.keyboard.press('r');
    assert.equal(Number(await page.getAttribute('[data-testid=probability]', 'data-value')), original);
    assert.equal(await page.locator('tr.edited').count(), 0);

    // Verdicts by keyboard: agree on record 1; disagree on record 2 needs a reason.
    await page.keyboard.press('a');
    await page.keyboard.press('Control+Enter');
    assert.equal(await page.textContent('[data-testid=row-id]'), String(batch.records[1].row));
    await page.keyboard.press('d');
    await page.keyboard.press('Control+Enter');
    assert.match(await page.textContent('[data-testid=form-message]'), /reason is required/);
    assert.equal(await page.textContent('[data-testid=row-id]'), String(batch.records[1].row));
    await page.keyboard.type('pay slip shows more income');
    await page.keyboard.press('Escape');
    const labelBefore = await page.inputValue('[data-testid=label]');
    await page.keyboard.press('l');
    const labelAfter = await page.inputValue('[data-testid=label]');
    assert.notEqual(labelAfter, labelBefore);
    await page.keyboard.press('l');  // back: disagreeing means the other label
    await page.keyboard.press('Control+Enter');
    assert.equal(await page.textContent('[data-testid=row-id]'), String(batch.records[2].row));

    // Reload: the answers survive and the page resumes at the first open record.
    await page.reload();
    await waitReady(page);
    assert.match(await page.textContent('[data-testid=progress]'), /^2 of \d+ records reviewed/);
    assert.equal(await page.textContent('[data-testid=row-id]'), String(batch.records[2].row));
    await page.keyboard.press('k');
    assert.ok(await page.isVisible('[data-testid=done-badge]'));
    assert.equal(await page.inputValue('[data-testid=reason]'), 'pay slip shows more income');

    // Export in A2I's shape.
    const exported = await page.evaluate(() => window.verdictExport());
    assert.equal(exported.length, 1);
    const loop = exported[0];
    assert.equal(loop.flowDefinitionArn, config.flow);
    assert.equal(loop.inputContent.records.length, config.records_per_task);
    assert.equal(loop.humanAnswers.length, 1);
    const h = loop.humanAnswers[0];
    for (const k of ['answerContent', 'acceptanceTime', 'submissionTime', 'timeSpentInSeconds', 'workerId']) assert.ok(k in h, k);
    assert.equal(h.workerId, config.worker_id);
    assert.ok(!Number.isNaN(Date.parse(h.acceptanceTime)) && !Number.isNaN(Date.parse(h.submissionTime)));
    assert.equal(typeof h.timeSpentInSeconds, 'number');
    const [a1, a2] = h.answerContent.records;
    assert.deepEqual([a1.row, a1.verdict, a1.label], [batch.records[0].row, 'agree', batch.records[0].predicted_label]);
    assert.deepEqual([a2.row, a2.verdict, a2.reason], [batch.records[1].row, 'disagree', 'pay slip shows more income']);
    assert.notEqual(a2.label, batch.records[1].predicted_label);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export]')]);
    assert.equal(download.suggestedFilename(), 'verdicts.json');

    await page.screenshot({ path: process.env.VERDICT_SCREENSHOT || 'build/review-page.png', fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.stop();
  }
});

test('review page shows data as text, never as HTML', { skip: !ready && skipReason, timeout: 60000 }, async () => {
  const server = await staticServer(dist);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const evil = '<img src=x onerror="window.__xss=1">';
    await page.route('**/data/review_batch.json', async (route) => {
      const batch = await (await route.fetch()).json();
      batch.records[0].values[0] = evil;
      await route.fulfill({ json: batch });
    });
    await page.goto(server.url);
    await waitReady(page);
    const cell = page.locator('td.orig').first();
    assert.equal(await cell.textContent(), evil);
    assert.equal(await page.locator('main img').count(), 0);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
  } finally {
    await browser.close();
    server.stop();
  }
});
