// The panels under the record show the native computation's numbers: the feature curve (every
// cell's prediction, the thresholds, missing, a bar per category) and the similar records (rows
// and distances) equal tests/native/panels/panels_oracle.cpp's, before and after an edit; the
// group context shows `verdict bias`'s figures for the record's facet group; served, the
// similar records carry the reviewers' labels of completed loops only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, dist, missing, modelDir, readDistJson, distPath, withPage, startProcess, launch, waitReady } from './harness.mjs';

const oracle = process.env.VERDICT_PANELS_ORACLE;
const analysisPath = process.env.VERDICT_ANALYSIS;
const K = 5;  // web/panels.js SIMILAR_K

function why() {
  const m = missing();
  if (m) return m;
  if (!(oracle && fs.existsSync(oracle))) return 'VERDICT_PANELS_ORACLE (verdict_panels_oracle) is not set or does not exist';
  return null;
}

// The native numbers for record `index` of `batch` (written to a file for the oracle).
function native(batch, index, average = false) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-panels-'));
  try {
    fs.writeFileSync(path.join(dir, 'batch.json'), JSON.stringify(batch));
    return JSON.parse(execFileSync(oracle, [modelDir, path.join(dir, 'batch.json'), String(index), String(K), ...(average ? ['--average'] : [])], { encoding: 'utf8' }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const readCells = (page) => page.$$eval('[data-testid=curve-cell]', (els) => els.map((e) => ({
  value: Number(e.dataset.value), lower: Number(e.dataset.lower), upper: Number(e.dataset.upper) })));
const readBars = (page) => page.$$eval('[data-testid=curve-bar]', (els) => els.map((e) => Number(e.dataset.value)));
const readSimilar = (page) => page.$$eval('[data-testid=similar-row]', (els) => els.map((e) => ({
  row: Number(e.dataset.row), distance: Number(e.dataset.distance) })));

async function chooseFeature(page, schema, name) {
  await page.selectOption('[data-testid=curve-feature]', String(schema.features.findIndex((f) => f.name === name)));
  await page.waitForFunction((n) => document.querySelector('[data-testid=curve]').dataset.feature === n, name);
}

// The curve on the page equals the native one of `want` for feature `name`.
async function assertCurve(page, schema, want, name) {
  await chooseFeature(page, schema, name);
  const w = want.curves.find((c) => c.feature === name);
  if (w.categories) {
    assert.deepEqual(await readBars(page), w.categories, `${name}: a bar per category, the native predictions`);
  } else {
    const cells = await readCells(page);
    assert.deepEqual(cells.map((c) => c.value), w.prediction, `${name}: every cell's prediction is native's, bit for bit`);
    if (w.average) {  // the batch's average curve (partial dependence), drawn once computed
      await page.waitForFunction(() => document.querySelector('[data-testid=curve-cell]').dataset.average !== undefined, null, { timeout: 10000 });
      const avg = await page.$$eval('[data-testid=curve-cell]', (els) => els.map((e) => Number(e.dataset.average)));
      assert.deepEqual(avg, w.average.slice(0, -1), `${name}: the average curve is native's partial dependence`);
      assert.equal(Number(await page.getAttribute('[data-testid=curve-missing]', 'data-average')), w.average.at(-1));
    }
    assert.deepEqual(cells.slice(1).map((c) => c.lower), w.thresholds, `${name}: the cells start at native's thresholds`);
    assert.equal(cells[0].lower, -Infinity);
    assert.equal(cells.at(-1).upper, Infinity);
  }
  const missingValue = await page.getAttribute('[data-testid=curve-missing]', 'data-value');
  assert.equal(Number(missingValue), w.missing_prediction, `${name}: missing`);
}

test('feature curve and similar records equal the native computation, before and after an edit', { timeout: 120000 }, async (t) => {
  const reason = why();
  if (reason) return t.skip(reason);
  await withPage(t, async (page) => {
    const batch = readDistJson('review_batch.json');
    const schema = readDistJson('schema.json');
    await page.locator('[data-testid=similar-row]').first().waitFor({ timeout: 20000 });
    const row = Number(await page.textContent('[data-testid=row-id]'));
    const index = batch.records.findIndex((r) => r.row === row);
    let want = native(batch, index, true);
    // The curve opens on the feature with the largest |SHAP|.
    const phi = batch.records[index].shap.tree;
    const top = phi.reduce((best, v, i) => (Math.abs(v) > Math.abs(phi[best]) ? i : best), 0);
    assert.equal(await page.getAttribute('[data-testid=curve]', 'data-feature'), schema.features[top].name);
    const threshold = Number(await page.getAttribute('[data-testid=curve-threshold]', 'data-value'));
    assert.equal(threshold, batch.threshold ?? 0.5, 'the decision threshold is drawn');
    for (const name of ['Age', 'Capital Gain', 'Occupation', 'Sex']) await assertCurve(page, schema, want, name);
    assert.deepEqual(await readSimilar(page), want.nearest.map((n) => ({ row: n.row, distance: n.distance })),
      'the nearest records of the batch and their distances are native\'s');

    // An edit: the curve and the neighbours follow the record as edited.
    const age = schema.features.findIndex((f) => f.name === 'Age');
    const input = page.locator('[data-testid=feature-input]').nth(age);
    await input.fill('71');
    await page.waitForFunction(() => document.querySelector('[data-testid=edited-badge]').hidden === false);
    const edited = structuredClone(batch);
    edited.records[index].encoded[age] = 71;
    want = native(edited, index);
    await assertCurve(page, schema, want, 'Hours per week');
    const dot = Number(await page.getAttribute('[data-testid=curve-record]', 'data-value'));
    assert.equal(dot, Number(await page.getAttribute('[data-testid=probability]', 'data-value')), 'the dot is the record\'s score');
    await assertCurve(page, schema, want, 'Education');
    const current = await page.$$eval('[data-testid=curve-bar][data-current=true]', (els) => els.map((e) => e.dataset.category));
    assert.deepEqual(current, [batch.records[index].values[schema.features.findIndex((f) => f.name === 'Education')]],
      'the record\'s own category is marked');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=similar-row]').length === n, K);
    assert.deepEqual(await readSimilar(page), want.nearest.map((n) => ({ row: n.row, distance: n.distance })), 'neighbours after the edit');
  });
});

test('group context: the record\'s facet group and verdict bias\'s metrics, one line each', { timeout: 120000 }, async (t) => {
  const reason = why() ?? (analysisPath && fs.existsSync(analysisPath) ? null : 'VERDICT_ANALYSIS (the bias analysis the page was built with) is not set');
  if (reason) return t.skip(reason);
  const analysis = JSON.parse(fs.readFileSync(analysisPath, 'utf8'));
  await withPage(t, async (page) => {
    const batch = readDistJson('review_batch.json');
    const schema = readDistJson('schema.json');
    await page.locator('[data-testid=group-metric]').first().waitFor({ timeout: 20000 });
    const row = Number(await page.textContent('[data-testid=row-id]'));
    const record = batch.records.find((r) => r.row === row);
    const sex = record.values[schema.features.findIndex((f) => f.name === 'Sex')];
    const line = page.locator('[data-testid=group-membership]');
    assert.equal(await line.getAttribute('data-facet'), 'Sex');
    assert.equal(await line.getAttribute('data-group'), sex === 'Female' ? 'd' : 'a', `Sex = ${sex}`);
    assert.match(await line.textContent(), new RegExp(`Sex = ${sex}`));
    const shown = await page.$$eval('[data-testid=group-metric]', (els) => els.map((e) => ({
      section: e.dataset.section, name: e.dataset.name, value: e.dataset.value, text: e.textContent })));
    for (const [key, section] of [['post', 'post_training_bias_metrics'], ['pre', 'pre_training_bias_metrics']]) {
      const metrics = analysis[section].facets.Sex[0].metrics;
      const mine = shown.filter((m) => m.section === key);
      assert.deepEqual(mine.map((m) => m.name), metrics.map((m) => m.name), `${section}: every metric`);
      mine.forEach((m, i) => {
        const v = metrics[i].value;
        assert.equal(m.value, v === null ? 'null' : String(v), `${section} ${m.name}`);
        assert.ok(m.text.length > m.name.length + 10, `${m.name} says what it means`);
      });
    }
  });
});

// Served: a task with the record and one neighbour (N2) whose loop another reviewer answered
// but is still open (2 reviewers a record), and a neighbour (N1) in a completed loop.
test('served: similar records show completed loops\' labels only, never an open loop\'s', { timeout: 120000 }, async (t) => {
  const reason = why();
  if (reason) return t.skip(reason);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-panels-served-'));
  const db = path.join(dir, 'r.db');
  const cli = (...args) => execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const batch = readDistJson('review_batch.json');
  const R = 0;
  const want = native(batch, R);
  const [n1, n2] = want.nearest.map((n) => n.index);
  const part = (indices, name) => {
    fs.writeFileSync(path.join(dir, name), JSON.stringify({ ...batch, records: indices.map((i) => batch.records[i]) }));
    return path.join(dir, name);
  };
  const flow = (name, reviewers, records) => cli('flow', 'create', '--db', db, '--name', name, '--probability-below', '1.01',
    '--records-per-task', String(records), '--reviewers-per-record', String(reviewers), '--output', path.join(dir, `out-${name}`));
  flow('done', 1, 1);
  flow('open', 2, 2);
  const carol = cli('reviewer', 'add', '--db', db, '--name', 'carol');
  const dave = cli('reviewer', 'add', '--db', db, '--name', 'dave');
  const { child, match } = await startProcess(bin, ['serve', '--db', db, '--dist', dist, '--port', '0'], /http:\/\/127\.0\.0\.1:(\d+)\//);
  const url = `http://127.0.0.1:${match[1]}/`;
  const api = async (token, p, body) => {
    const r = await fetch(url + p, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return r.json();
  };
  // Carol answers N1's loop (completed: 1 reviewer) and the open loop [R, N2] (1 of 2 answers).
  const answerAll = async (label) => {
    const task = (await api(carol, 'api/tasks/next', {})).task;
    const records = task.input_content.records.map((r) => ({ row: r.row, verdict: 'disagree', label, reason: 'test' }));
    await api(carol, `api/tasks/${task.loop}/answer`, { answer_id: `${task.loop}-carol`, answer_content: { records } });
    return task;
  };
  const browser = await launch();
  try {
    cli('review', 'start', '--db', db, '--flow', 'done', '--batch', part([n1], 'done.json'), '--schema', distPath('schema.json'));
    const positive = batch.records[n1].predicted_label === '>50K' ? '<=50K' : '>50K';
    assert.deepEqual((await answerAll(positive)).input_content.records.map((r) => r.row), [batch.records[n1].row]);
    cli('review', 'start', '--db', db, '--flow', 'open', '--batch', part([R, n2], 'open.json'), '--schema', distPath('schema.json'));
    await answerAll('<=50K');
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.fill('[data-testid=token]', dave);
    await page.keyboard.press('Enter');
    await waitReady(page);
    assert.equal(Number(await page.textContent('[data-testid=row-id]')), batch.records[R].row);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=similar-truth]')].some((e) => e.textContent !== 'not reviewed yet'),
      null, { timeout: 20000 });
    const truth = await page.$$eval('[data-testid=similar-row]', (els) => els.map((e) => ({
      row: Number(e.dataset.row), truth: e.querySelector('[data-testid=similar-truth]').textContent })));
    assert.deepEqual(truth.map((x) => x.row), want.nearest.map((n) => n.row), 'the same neighbours served');
    assert.equal(truth[0].truth, positive, 'N1: carol\'s label from the completed loop');
    assert.equal(truth[1].truth, 'not reviewed yet', 'N2: carol\'s answer in the open loop stays hidden');
    for (const x of truth.slice(2)) assert.equal(x.truth, 'not reviewed yet');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
