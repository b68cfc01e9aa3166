// The review page for a 3-class model (the loan set with approve / refer / decline): the predicted
// class with every class's probability, the waterfall of the predicted class by default and of
// any other on request, what-if re-scoring every class equal to the native CLI, and a verdict
// whose label is a class name.
// Env: VERDICT_DIST_MULTICLASS (built by tests/cli/web_dist_multiclass.sh), VERDICT_MODEL_DIR_MULTICLASS, VERDICT_BIN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { staticServer, launch, open, waitReady, nativeScore, readDistJson } from './harness.mjs';

const dist = process.env.VERDICT_DIST_MULTICLASS;
const modelDir = process.env.VERDICT_MODEL_DIR_MULTICLASS;
const bin = process.env.VERDICT_BIN;
const why = !dist || !fs.existsSync(path.join(dist, 'manifest.json')) ? 'VERDICT_DIST_MULTICLASS (a built page) is not set'
  : !modelDir || !bin ? 'VERDICT_MODEL_DIR_MULTICLASS and VERDICT_BIN are needed' : null;

const readBars = (page) => page.$$eval('[data-testid=shap-bar]', (gs) => gs.map((g) => ({
  feature: g.dataset.feature, value: Number(g.dataset.value) })));
const attr = async (page, id) => Number(await page.getAttribute(`[data-testid=${id}]`, 'data-value'));
const top = (p) => p.indexOf(Math.max(...p));

// `verdict counterfactual` on one record: its answers as cf.csv rows (cost, changed, score, class).
function nativeFlips(model, features, values) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-cf-'));
  const quote = (c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  fs.writeFileSync(path.join(dir, 'row.csv'), `${features.map(quote).join(',')}\n${values.map(quote).join(',')}\n`);
  execFileSync(bin, ['counterfactual', '--model', model, '--data', path.join(dir, 'row.csv'), '--out', path.join(dir, 'cf.csv')], { stdio: 'ignore' });
  const [head, ...rows] = fs.readFileSync(path.join(dir, 'cf.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  fs.rmSync(dir, { recursive: true, force: true });
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

async function expectClass(page, rec, k, features, expected, what) {
  assert.equal(await page.inputValue('[data-testid=shap-class]'), String(k), `${what}: the class shown`);
  const bars = await readBars(page);
  assert.equal(bars.length, features.length);
  for (const b of bars) {
    const i = features.indexOf(b.feature);
    assert.ok(Math.abs(b.value - rec.shap.tree[k][i]) < 1e-9, `${what}: ${b.feature} ${b.value} vs native ${rec.shap.tree[k][i]}`);
  }
  assert.ok(Math.abs(await attr(page, 'fx-label') - rec.margins[k]) < 1e-9, `${what}: f(x) is class ${k}'s margin`);
  assert.ok(Math.abs(await attr(page, 'expected-label') - expected[k]) < 1e-9, `${what}: E[f(X)] of class ${k}`);
}

test('multi-class page: top classes, a waterfall per class, what-if on every class, a class as the verdict', { timeout: 120000, skip: why ?? false }, async () => {
  const batch = readDistJson('review_batch.json', dist);
  const schema = readDistJson('schema.json', dist);
  const features = batch.features, classes = batch.classes;
  assert.equal(batch.task, 'multiclass');
  assert.deepEqual(classes, schema.target.labels);
  const name = (label) => schema.target.class_names?.[label] ?? label;
  const expected = batch.methods.tree.expected_value;
  const server = await staticServer(dist);
  const browser = await launch();
  try {
    const { page, errors } = await open(browser, server.url);
    await waitReady(page);
    await page.selectOption('[data-testid=topk]', 'all');
    const first = batch.records[0];
    const k0 = top(first.probabilities);
    assert.equal(classes[k0], first.predicted_label);
    // 1. The predicted class by name, its probability, every class's probability in words.
    assert.equal(await page.textContent('[data-testid=predicted-outcome]'), name(first.predicted_label));
    assert.ok(Math.abs(await attr(page, 'probability') - first.probabilities[k0]) < 1e-12);
    const words = await page.textContent('[data-testid=threshold-distance]');
    classes.forEach((c, k) => assert.ok(words.includes(`${name(c)} ${first.probabilities[k].toFixed(3)}`), `"${words}" names ${c}`));
    // 2. The waterfall is the predicted class's; another class on request.
    await expectClass(page, first, k0, features, expected, 'record 1, predicted class');
    const other = (k0 + 1) % classes.length;
    await page.selectOption('[data-testid=shap-class]', String(other));
    await expectClass(page, first, other, features, expected, `record 1, class ${classes[other]}`);

    // 3. What-if: an edit re-scores every class; the page equals the native CLI on the edited record.
    const ci = features.indexOf('credit_score'), di = features.indexOf('debt_to_income');
    const edited = [...first.values];
    edited[ci] = String(Number(first.values[ci]) > 700 ? 560 : 790);
    edited[di] = '0.150';
    for (const i of [ci, di]) {
      await page.fill(`[data-testid=feature-input][data-feature="${features[i]}"]`, edited[i]);
    }
    const native = nativeScore(modelDir, features, edited);
    const kn = top(native.probabilities);
    assert.ok(Math.abs(await attr(page, 'probability') - native.probabilities[kn]) < 1e-9, 'what-if: the top probability');
    assert.equal(await page.textContent('[data-testid=predicted-outcome]'), name(native.predicted_label));
    const after = await page.textContent('[data-testid=threshold-distance]');
    classes.forEach((c, k) => assert.ok(after.includes(`${name(c)} ${native.probabilities[k].toFixed(3)}`), `what-if: "${after}" names ${c}`));
    await expectClass(page, native, other, features, expected, 'what-if, the class chosen stays');
    assert.ok(await page.isVisible('[data-testid=edited-badge]'));
    await page.click('[data-testid=reset]');
    await expectClass(page, first, other, features, expected, 'after reset');

    // The feature curve is the class on show's (its probability per cell); no panel error.
    await page.waitForFunction(() => document.querySelector('[data-testid=curve-feature]')?.value !== undefined);
    await page.waitForFunction(() => /dot is this record/.test(document.getElementById('curve-summary')?.textContent || ''));
    const curveText = await page.textContent('#curve-summary');
    assert.match(curveText, new RegExp(`^Probability of ${classes[other]} from`), curveText);
    assert.ok(curveText.includes(`(${first.probabilities[other].toFixed(3)})`) || curveText.includes(first.probabilities[other].toFixed(2)),
      `the record's dot is class ${classes[other]}'s probability: ${curveText}`);
    assert.doesNotMatch(await page.textContent('[data-testid=banner]'), /could not be drawn/);
    // A numeric feature's curve has the batch's average of the same class behind it (partial dependence).
    const numeric = schema.features.findIndex((c) => c.type !== 'categorical');
    await page.selectOption('[data-testid=curve-feature]', String(numeric));
    await page.waitForFunction(() => document.querySelector('[data-testid=curve-cell]')?.dataset.average !== undefined, null, { timeout: 10000 });
    const averages = await page.$$eval('[data-testid=curve-cell]', (els) => els.map((e) => Number(e.dataset.average)));
    assert.ok(averages.length > 1 && averages.every((a) => a > 0 && a < 1), `class probabilities averaged: ${averages}`);
    assert.match(await page.textContent('#curve-summary'), new RegExp(`^Probability of ${classes[other]} from.*dashed grey line is the average`));
    assert.ok(await page.isVisible('[data-testid=curve-average]'));

    // 4. What would flip it: another class becomes the top one; the answers equal the native CLI's,
    // and Apply makes the answer's class the predicted one.
    await page.waitForFunction(() => document.querySelector('[data-testid=flip-panel]')?.dataset.state === 'done');
    const shown = await page.$$eval('[data-testid=flip-answer]', (li) => li.map((e) => ({
      cost: Number(e.dataset.cost), score: Number(e.dataset.score), changed: e.dataset.changed, cls: e.dataset.class,
      words: e.querySelector('.flip-words').textContent })));
    const cli = nativeFlips(modelDir, features, first.values);
    assert.ok(cli.length > 0, 'the record has an answer');
    assert.equal(shown.length, cli.length);
    shown.forEach((a, i) => {
      const n = cli[i];
      assert.ok(Math.abs(a.cost - Number(n.cost)) < 1e-9, `answer ${i}: cost ${a.cost} vs ${n.cost}`);
      assert.ok(Math.abs(a.score - Number(n.score)) < 1e-9, `answer ${i}: score`);
      assert.equal(a.changed, n.changed);
      assert.equal(a.cls, n.class);
      assert.notEqual(a.cls, first.predicted_label);
      assert.match(a.words, new RegExp(`flips to ${name(a.cls)}`));
    });
    await page.click('[data-testid=flip-apply] >> nth=0');
    assert.equal(await page.textContent('[data-testid=predicted-outcome]'), name(shown[0].cls), 'Apply: the answer\'s class is on top');
    assert.ok(Math.abs(await attr(page, 'probability') - shown[0].score) < 1e-9);
    await page.click('[data-testid=reset]');
    await page.selectOption('[data-testid=shap-class]', String(k0));

    // 5. A verdict by keyboard: disagree proposes the runner-up class; the answer's label is a class.
    await page.selectOption('[data-testid=shap-class]', String(k0));
    await page.keyboard.press('d');
    const order = [...first.probabilities.keys()].sort((a, b) => first.probabilities[b] - first.probabilities[a]);
    assert.equal(await page.inputValue('[data-testid=label]'), classes[order[1]]);
    await page.fill('[data-testid=reason]', 'the applicant pays on time; refer to a person');
    await page.keyboard.press('Control+Enter');
    assert.equal(await page.textContent('[data-testid=row-id]'), String(batch.records[1].row));
    const second = batch.records[1];
    assert.equal(await page.inputValue('[data-testid=shap-class]'), String(top(second.probabilities)), 'the next record opens on its predicted class');
    const exported = await page.evaluate(() => window.verdictExport());
    const answer = exported[0].humanAnswers[0].answerContent.records[0];
    assert.deepEqual([answer.row, answer.verdict, answer.label], [first.row, 'disagree', classes[order[1]]]);
    assert.deepEqual(exported[0].inputContent.records[0].probabilities, first.probabilities);
    if (errors.length) throw new Error(`the page raised: ${errors.join('; ')}`);
  } finally {
    await browser.close();
    server.stop();
  }
});
