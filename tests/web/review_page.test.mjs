// The review page in Debian's Chromium, served as plain static files: waterfall, what-if
// edits scored in WebAssembly equal to the native CLI, reset, keyboard verdicts, reload,
// A2I export, data shown as text, errors in a banner.
// VERDICT_DIST=dist VERDICT_BIN=build/native/verdict node --test tests/web/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { dist, missing, staticServer, launch, open, waitReady, nativeScore, readDistJson, modelDir } from './harness.mjs';

const UP = '#ff0051', DOWN = '#008bfb';
const readJson = (name) => readDistJson(name);
const probability = async (page) => Number(await page.getAttribute('[data-testid=probability]', 'data-value'));
const rowId = (page) => page.textContent('[data-testid=row-id]');

function readBars(page) {
  return page.$$eval('[data-testid=shap-bar]', (gs) => gs.map((g) => ({
    feature: g.dataset.feature, value: Number(g.dataset.value), sign: g.dataset.sign,
    label: g.querySelector('text').textContent, fill: g.querySelector('polygon').getAttribute('fill') })));
}

// Indices of the features by |SHAP| descending.
const byImpact = (phi) => [...phi.keys()].sort((a, b) => Math.abs(phi[b]) - Math.abs(phi[a]));

test('review page: waterfall, what-if, reset, keyboard verdicts, reload, export', { timeout: 110000 }, async (t) => {
  const why = missing();
  if (why) return t.skip(why);
  const batch = readJson('review_batch.json');
  const config = readJson('config.json');
  const schema = readJson('schema.json');
  const features = batch.features;
  assert.deepEqual(features, schema.features.map((f) => f.name));
  assert.ok(batch.records.length >= 4, 'the test needs two tasks of records');
  const per = config.records_per_task, topK = config.top_k;
  const server = await staticServer(dist);
  const browser = await launch();
  try {
    const { page, errors } = await open(browser, server.url);
    await waitReady(page);
    assert.equal(await page.evaluate(() => performance.getEntriesByName('waterfall-drawn').length), 1);
    const first = batch.records[0];
    assert.equal(await rowId(page), String(first.row));
    // The outcome is the label's display name from the schema (the label itself without one).
    assert.equal(await page.textContent('[data-testid=predicted-outcome]'),
      schema.target.class_names?.[first.predicted_label] ?? first.predicted_label);
    const original = await probability(page);
    assert.ok(Math.abs(original - first.prediction) < 1e-9, `page ${original} vs batch ${first.prediction}`);

    // 1. The waterfall: top-k bars by |SHAP|, one folded bar, "feature = value", shap's colours, both ends labelled.
    const bars = await readBars(page);
    assert.equal(bars.length, topK);
    assert.equal(await page.locator('[data-testid=shap-other]').count(), 1);
    assert.match(await page.textContent('[data-testid=shap-other] text'), new RegExp(`^${features.length - topK} other features?$`));
    for (let i = 1; i < bars.length; i++) assert.ok(Math.abs(bars[i - 1].value) >= Math.abs(bars[i].value), 'sorted by |SHAP|');
    assert.deepEqual(bars.map((b) => b.feature), byImpact(first.shap.tree).slice(0, topK).map((i) => features[i]));
    for (const b of bars) {
      const i = features.indexOf(b.feature);
      assert.equal(b.label, `${b.feature} = ${first.values[i]}`);  // the human value (category name)
      assert.equal(b.sign, b.value >= 0 ? 'pos' : 'neg');
      assert.equal(b.fill, b.value >= 0 ? UP : DOWN);
      assert.ok(Math.abs(b.value - first.shap.tree[i]) < 1e-9, `${b.feature}: ${b.value} vs ${first.shap.tree[i]}`);
    }
    assert.match(await page.textContent('[data-testid=expected-label]'), /^E\[f\(X\)\] = \u2212?\d/);
    assert.match(await page.textContent('[data-testid=fx-label]'), /^f\(x\) = \u2212?\d.*\(p = 0\.\d+\)/);
    const attr = async (id) => Number(await page.getAttribute(`[data-testid=${id}]`, 'data-value'));
    assert.ok(Math.abs(await attr('expected-label') - batch.methods.tree.expected_value) < 1e-9);
    assert.ok(Math.abs(await attr('fx-label') - first.margin) < 1e-9);
    // The control shows every feature, then back to top k.
    await page.selectOption('[data-testid=topk]', 'all');
    assert.equal(await page.locator('[data-testid=shap-bar]').count(), features.length);
    assert.equal(await page.locator('[data-testid=shap-other]').count(), 0);
    await page.selectOption('[data-testid=topk]', String(topK));
    assert.equal(await page.locator('[data-testid=shap-bar]').count(), topK);

    // 2. What-if: a categorical and a numeric edit re-score at once; the page equals the native CLI.
    const cat = Math.max(schema.features.findIndex((f) => f.name === 'Occupation'),
      schema.features.findIndex((f) => f.type === 'categorical' && f.categories.length > 1));
    const num = Math.max(schema.features.findIndex((f) => f.name === 'Hours per week'),
      schema.features.findIndex((f) => f.type === 'numeric'));
    const catName = features[cat], numName = features[num];
    const cats = schema.features[cat].categories;
    const newCategory = cats.find((c) => c === 'Exec-managerial' && c !== first.values[cat]) || cats.find((c) => c !== first.values[cat]);
    const newNumber = first.values[num] === '62' ? '61' : '62';
    await page.selectOption(`[data-testid=feature-input][data-feature="${catName}"]`, { label: newCategory });
    const afterCat = await probability(page);
    const numInput = page.locator(`[data-testid=feature-input][data-feature="${numName}"]`);
    assert.equal(await numInput.getAttribute('min'), String(schema.features[num].min));
    assert.equal(await numInput.getAttribute('max'), String(schema.features[num].max));
    await numInput.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(newNumber);  // one input event per keystroke; no button
    const afterBoth = await probability(page);
    assert.notEqual(afterCat, original, 'the categorical edit re-scored');
    const edited = [...first.values];
    edited[cat] = newCategory;
    edited[num] = newNumber;
    const native = nativeScore(modelDir, features, edited);
    assert.ok(Math.abs(afterBoth - native.prediction) <= 1e-9, `page ${afterBoth} vs native ${native.prediction}`);
    assert.notEqual(afterBoth, afterCat, 'the numeric edit re-scored');
    assert.equal(await page.locator('tr.edited').count(), 2, 'edited values are marked');
    assert.ok(await page.isVisible('[data-testid=edited-badge]'));
    assert.match(await page.textContent('[data-testid=original-outcome]'), /^original: /);
    // The waterfall is the engine's for the edited record: same features as the native SHAP
    // (the top k, and the edited ones whatever their rank).
    const editedBars = await readBars(page);
    assert.deepEqual(editedBars.map((b) => b.feature),
      byImpact(native.shap.tree).filter((i, rank) => rank < topK || i === cat || i === num).map((i) => features[i]));
    for (const b of editedBars) {
      const i = features.indexOf(b.feature);
      assert.ok(Math.abs(b.value - native.shap.tree[i]) < 1e-9);
      assert.equal(b.label, `${b.feature} = ${edited[i]}`);
    }

    // 3. Reset (shortcut r, once out of the field) restores the original record and score; so does the button.
    await page.keyboard.press('Escape');
    await page.keyboard.press('r');
    assert.equal(await probability(page), original);
    assert.equal(await page.locator('tr.edited').count(), 0);
    assert.equal(await numInput.inputValue(), String(first.encoded[num]));
    await page.selectOption(`[data-testid=feature-input][data-feature="${catName}"]`, { label: newCategory });
    assert.notEqual(await probability(page), original);
    await page.click('[data-testid=reset]');
    assert.equal(await probability(page), original);
    assert.equal(await page.isVisible('[data-testid=edited-badge]'), false);

    // 4. Verdicts by keyboard only. Agree on the first record.
    await page.keyboard.press('a');
    assert.ok(await page.isChecked('[data-testid=agree]'));
    assert.equal(await page.inputValue('[data-testid=label]'), first.predicted_label);
    await page.keyboard.press('Control+Enter');
    const second = batch.records[1];
    assert.equal(await rowId(page), String(second.row));
    assert.match(await page.textContent('[data-testid=form-message]'), new RegExp(`row ${first.row}`));
    // Disagree: refused without a reason, with an inline message; nothing is saved.
    await page.keyboard.press('d');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'reason');
    await page.keyboard.press('Control+Enter');
    assert.match(await page.textContent('[data-testid=form-message]'), /reason is required/);
    assert.ok(await page.isVisible('[data-testid=form-message]'));
    assert.equal(await page.getAttribute('[data-testid=reason]', 'aria-invalid'), 'true');
    assert.equal(await rowId(page), String(second.row));
    assert.equal((await page.evaluate(() => window.verdictExport()))[0].humanAnswers[0].answerContent.records.length, 1);
    // Shortcut letters typed into the reason are text, not commands.
    const reason = 'paid job; records kept show a higher income';
    await page.keyboard.type(reason);
    assert.equal(await page.inputValue('[data-testid=reason]'), reason);
    assert.ok(await page.isChecked('[data-testid=disagree]'));
    assert.equal(await rowId(page), String(second.row));
    await page.keyboard.press('Escape');
    const otherLabel = await page.inputValue('[data-testid=label]');
    assert.notEqual(otherLabel, second.predicted_label, 'disagreeing proposes the other label');
    await page.keyboard.press('l');
    assert.notEqual(await page.inputValue('[data-testid=label]'), otherLabel);
    await page.keyboard.press('l');
    assert.equal(await page.inputValue('[data-testid=label]'), otherLabel);
    await page.keyboard.press('Control+Enter');
    const third = batch.records[2];
    assert.equal(await rowId(page), String(third.row));

    // Reload: the answers survive, done records are shown, the page resumes at the first open one.
    await page.reload();
    await waitReady(page);
    assert.match(await page.textContent('[data-testid=progress]'), new RegExp(`^2 of ${batch.records.length} records reviewed`));
    assert.equal(await rowId(page), String(third.row));
    const chips = await page.$$eval('[data-testid=record-chip]', (cs) => cs.map((c) => [c.dataset.row, c.dataset.done]));
    assert.deepEqual(chips, batch.records.slice(0, per).map((r, i) => [String(r.row), String(i < 2)]));
    await page.keyboard.press('k');
    assert.equal(await rowId(page), String(second.row));
    assert.ok(await page.isVisible('[data-testid=done-badge]'));
    assert.ok(await page.isChecked('[data-testid=disagree]'));
    assert.equal(await page.inputValue('[data-testid=reason]'), reason);
    await page.keyboard.press('j');
    assert.equal(await rowId(page), String(third.row));
    assert.equal(await page.isVisible('[data-testid=done-badge]'), false);
    // Third record: a what-if edit, then agree; the export keeps the edit and the score after it.
    await page.keyboard.press('e');
    for (let i = 0; i < num; i++) await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.feature), numName);
    await page.keyboard.press('Control+A');
    const thirdNumber = third.values[num] === '45' ? '46' : '45';
    await page.keyboard.type(thirdNumber);
    const thirdAfterEdit = await probability(page);
    await page.keyboard.press('Escape');
    await page.keyboard.press('a');
    await page.keyboard.press('Control+Enter');
    assert.equal(await rowId(page), String(batch.records[per].row), 'the next task appears');
    assert.match(await page.textContent('[data-testid=task-pos]'), /^2 of /);

    // Export in A2I's output shape: one object per task with answers.
    const exported = await page.evaluate(() => window.verdictExport());
    assert.equal(exported.length, 1);
    const loop = exported[0];
    assert.equal(loop.flowDefinitionArn, config.flow);
    assert.equal(loop.humanLoopName, `${config.flow}-task-1`);
    assert.equal(loop.inputContent.records.length, per);
    loop.inputContent.records.forEach((r, i) => {
      const b = batch.records[i];
      assert.equal(r.row, b.row);
      assert.deepEqual(r.values, Object.fromEntries(features.map((f, j) => [f, b.values[j]])));
      assert.equal(r.prediction, b.prediction);
      assert.equal(r.predicted_label, b.predicted_label);
      assert.deepEqual(r.shap, b.shap);
      assert.deepEqual(r.expected_value, Object.fromEntries(Object.entries(batch.methods).map(([m, v]) => [m, v.expected_value])));
    });
    assert.equal(loop.humanAnswers.length, 1);
    const h = loop.humanAnswers[0];
    assert.deepEqual(Object.keys(h).sort(), ['acceptanceTime', 'answerContent', 'submissionTime', 'timeSpentInSeconds', 'workerId']);
    assert.equal(h.workerId, config.worker_id);
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
    assert.match(h.acceptanceTime, iso);
    assert.match(h.submissionTime, iso);
    assert.ok(Date.parse(h.acceptanceTime) <= Date.parse(h.submissionTime));
    assert.equal(typeof h.timeSpentInSeconds, 'number');
    assert.ok(Math.abs(h.timeSpentInSeconds - (Date.parse(h.submissionTime) - Date.parse(h.acceptanceTime)) / 1000) < 1e-6);
    const [a1, a2, a3] = h.answerContent.records;
    assert.equal(h.answerContent.records.length, 3);
    assert.deepEqual([a1.row, a1.verdict, a1.label, a1.reason, a1.comment, a1.edited_values, a1.prediction_after_edit],
      [first.row, 'agree', first.predicted_label, '', '', {}, null]);
    assert.deepEqual([a2.row, a2.verdict, a2.label, a2.reason], [second.row, 'disagree', otherLabel, reason]);
    assert.ok(schema.target.labels.includes(a2.label));
    assert.deepEqual([a3.row, a3.verdict, a3.edited_values, a3.prediction_after_edit],
      [third.row, 'agree', { [numName]: thirdNumber }, thirdAfterEdit]);
    const edited3 = [...third.values];
    edited3[num] = thirdNumber;
    assert.ok(Math.abs(a3.prediction_after_edit - nativeScore(modelDir, features, edited3).prediction) <= 1e-9);
    // The download is the same JSON.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export]')]);
    assert.equal(download.suggestedFilename(), 'verdicts.json');
    assert.deepEqual(JSON.parse(fs.readFileSync(await download.path(), 'utf8')), exported);

    // 6. A screenshot of a record in review: one what-if edit and a disagreement being written.
    await page.selectOption(`[data-testid=feature-input][data-feature="${catName}"]`, { index: 0 });
    await page.keyboard.press('Escape');
    await page.keyboard.press('d');
    await page.keyboard.type('The edit shows how much the occupation drives this score.');
    await page.keyboard.press('Escape');
    await page.evaluate(() => window.scrollTo(0, 0));
    const shot = process.env.VERDICT_SCREENSHOT || 'build/review-page.png';
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.stop();
  }
});

test('review page: a what-if number beyond float32 (1e39) is shown out of range and not scored', { timeout: 60000 }, async (t) => {
  const why = missing({ needBin: false });
  if (why) return t.skip(why);
  const schema = readJson('schema.json');
  const num = Math.max(schema.features.findIndex((f) => f.name === 'Hours per week'),
    schema.features.findIndex((f) => f.type === 'numeric'));
  const numName = schema.features[num].name;
  const server = await staticServer(dist);
  const browser = await launch();
  try {
    const { page, errors } = await open(browser, server.url);
    await waitReady(page);
    const original = await probability(page);
    const row = page.locator(`[data-testid=features] tr[data-feature="${numName}"]`);
    const input = page.locator(`[data-testid=feature-input][data-feature="${numName}"]`);
    const note = row.locator('[data-testid=value-error]');
    for (const bad of ['1e39', '-1e39', '3.5e38']) {
      await input.fill(bad);  // one input event with the whole text
      assert.ok(await note.isVisible(), `${bad}: the field explains itself`);
      const panel = page.locator('[data-testid=features]').locator('xpath=ancestor::section[1]');
      const [box, inside] = [await note.boundingBox(), await panel.boundingBox()];
      assert.ok(box.x + box.width <= inside.x + inside.width, `${bad}: the explanation stays inside the record panel`);
      assert.ok(await note.evaluate((el) => el.scrollWidth <= el.clientWidth + 1), `${bad}: its text wraps instead of running on`);
      assert.match(await note.textContent(), /out of range, not scored/i);
      assert.match(await note.textContent(), new RegExp(`holds ${bad.replace('.', '\\.')}, which is not a finite number within float32's range`));
      assert.equal(await row.getAttribute('class').then((c) => c.split(' ').includes('invalid')), true);
      assert.equal(await input.getAttribute('aria-invalid'), '');
      assert.equal(await probability(page), original, `${bad} left the score as it was`);
      assert.equal(await page.locator('tr.edited').count(), 0, 'and is not an edit');
      assert.equal(await page.isVisible('[data-testid=edited-badge]'), false);
    }
    // A value the model can take clears the note and re-scores; the largest float32 is one.
    await input.fill('3.4e38');
    assert.equal(await note.count(), 0);
    assert.equal(await input.getAttribute('aria-invalid'), null);
    assert.equal(await page.locator('tr.edited').count(), 1);
    const big = await probability(page);
    assert.ok(Number.isFinite(big));
    await input.fill('');  // missing is a value too
    assert.equal(await note.count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.stop();
  }
});

test('review page shows data as text, never as HTML', { timeout: 60000 }, async (t) => {
  const why = missing({ needBin: false });
  if (why) return t.skip(why);
  const batch = readJson('review_batch.json');
  const rec = batch.records[0];
  const top = byImpact(rec.shap.tree)[0];  // shown in the waterfall as "feature = value"
  const evil = '<img src=x onerror="window.__xss=1">';
  const server = await staticServer(dist);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.route('**/data/batch*.json', async (route) => {  // the first task's part and the whole
      const body = await (await route.fetch()).json();
      body.records[0].values[top] = evil;
      body.records[0].values[0] = `${evil}<b>bold</b>`;
      await route.fulfill({ json: body });
    });
    await page.goto(server.url);
    await waitReady(page);
    const orig = page.locator('[data-testid=features] td.orig');
    assert.equal(await orig.nth(top).textContent(), evil);
    if (top !== 0) assert.equal(await orig.nth(0).textContent(), `${evil}<b>bold</b>`);
    assert.equal(await page.textContent(`[data-testid=shap-bar][data-feature="${batch.features[top]}"] text`),
      `${batch.features[top]} = ${evil}`);
    assert.equal(await page.locator('main img, main b, svg image').count(), 0);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
  } finally {
    await browser.close();
    server.stop();
  }
});

test('review page shows load errors in a banner', { timeout: 60000 }, async (t) => {
  const why = missing({ needBin: false });
  if (why) return t.skip(why);
  const server = await staticServer(dist);
  const browser = await launch();
  try {
    const broken = await browser.newPage();
    // A broken model: the record and the batch's waterfall stay, what-if says why it is off.
    await broken.route('**/data/model.*.bin', (route) => route.fulfill({ body: 'VDFOREST but cut short' }));
    await broken.goto(server.url);
    const banner = broken.locator('[data-testid=banner]');
    await banner.waitFor({ state: 'visible', timeout: 20000 });
    assert.match(await banner.textContent(), /What-if edits are unavailable: the model engine failed to load: packed model: \S/);
    assert.equal(await broken.isVisible('main'), true);
    assert.ok(await broken.locator('[data-testid=shap-bar]').count() > 0, 'the batch draws the waterfall');
    assert.equal(await broken.locator('[data-testid=feature-input]').first().isDisabled(), true);

    const missingBatch = await browser.newPage();
    await missingBatch.route('**/data/batch-head.*.json', (route) => route.fulfill({ status: 404, body: 'not found' }));
    await missingBatch.goto(server.url);
    await missingBatch.locator('[data-testid=banner]').waitFor({ state: 'visible', timeout: 20000 });
    assert.match(await missingBatch.textContent('[data-testid=banner]'), /could not load data\/batch-head\.[0-9a-f]{12}\.json \(HTTP 404\)/);
  } finally {
    await browser.close();
    server.stop();
  }
});
