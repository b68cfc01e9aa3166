// The review page through `verdict serve`: where the reviewer is (records left in the task,
// tasks still waiting for them as the service counts them), the session's summary after the
// last task, changing an answer until the task is sent, and the draft of a task kept by the
// service so a second browser signed in with the same token goes on where the first stopped
// (with this browser's localStorage as the fallback when the service cannot take it).
// VERDICT_DIST=dist VERDICT_BIN=build/native/verdict node --test tests/web/workflow_served.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, dist, missing, startProcess, launch, waitReady, readDistJson, distPath } from './harness.mjs';

// A database with `tasks` loops of `per` records each, a reviewer (carol) and an admin.
async function serve(tasks, per) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-workflow-'));
  const db = path.join(dir, 'r.db');
  const cli = (...args) => execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const batch = readDistJson('review_batch.json');
  batch.records = batch.records.filter((r) => r.prediction < 0.99).slice(0, tasks * per);
  fs.writeFileSync(path.join(dir, 'batch.json'), JSON.stringify(batch));
  cli('flow', 'create', '--db', db, '--name', 'wf', '--title', 'Workflow', '--probability-below', '0.99',
    '--records-per-task', String(per), '--output', path.join(dir, 'out'));
  const token = cli('reviewer', 'add', '--db', db, '--name', 'carol');
  const admin = cli('reviewer', 'add', '--db', db, '--name', 'boss', '--admin');
  cli('review', 'start', '--db', db, '--flow', 'wf', '--batch', path.join(dir, 'batch.json'), '--schema', distPath('schema.json'));
  const { child, match } = await startProcess(bin, ['serve', '--db', db, '--dist', dist, '--port', '0'], /http:\/\/127\.0\.0\.1:(\d+)\//);
  const url = `http://127.0.0.1:${match[1]}/`;
  const api = async (p) => (await fetch(url + p, { headers: { Authorization: `Bearer ${admin}` } })).json();
  return { url, token, api, batch, stop: () => { child.kill('SIGTERM'); fs.rmSync(dir, { recursive: true, force: true }); } };
}

async function withServed(t, tasks, per, body) {
  const why = missing();
  if (why) return t.skip(why);
  const served = await serve(tasks, per);
  const browser = await launch();
  const errors = [];
  const newPage = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
    return page;
  };
  try {
    await body(newPage, served);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    served.stop();
  }
}

async function signIn(page, token) {
  await page.locator('[data-testid=token]').waitFor({ state: 'visible', timeout: 20000 });
  await page.fill('[data-testid=token]', token);
  await page.keyboard.press('Enter');
  await waitReady(page);
}

const progress = (page) => page.textContent('[data-testid=progress]');
const rowId = (page) => page.textContent('[data-testid=row-id]');
const blur = (page) => page.evaluate(() => document.activeElement.blur());
const draftSaved = (page) => page.waitForResponse((r) => r.url().endsWith('/draft') && r.request().method() === 'PUT' && r.status() === 200);
const loopOf = async (page) => (await page.textContent('[data-testid=task-pos]')).match(/\(([^)]+)\)/)[1];

async function agree(page) {
  await blur(page);
  await page.keyboard.press('a');
  await page.keyboard.press('s');
}

test('served: records left and tasks waiting in the header, falling as tasks go; the summary at the end', { timeout: 120000 }, (t) => withServed(t, 3, 2, async (newPage, { token }) => {
  const page = await newPage();
  await signIn(page, token);
  assert.equal(await progress(page), '2 of 2 left in this task \u00b7 2 more tasks waiting');
  assert.equal(await page.getAttribute('[data-testid=progress]', 'data-waiting'), '2');
  await agree(page);
  assert.equal(await progress(page), '1 of 2 left in this task \u00b7 2 more tasks waiting');
  const first = await loopOf(page);
  await agree(page);
  await page.waitForFunction((l) => !document.querySelector('[data-testid=task-pos]').textContent.includes(l), first);
  assert.equal(await progress(page), '2 of 2 left in this task \u00b7 1 more task waiting');
  await agree(page);
  await agree(page);
  await page.waitForFunction(() => /0 more tasks waiting/.test(document.querySelector('[data-testid=progress]').textContent));
  assert.equal(await progress(page), '2 of 2 left in this task \u00b7 0 more tasks waiting');
  await agree(page);
  // The last record: a disagreement with the other label.
  await blur(page);
  await page.keyboard.press('d');
  await page.fill('[data-testid=reason]', 'not what the record shows');
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() => /No task is waiting/.test(document.querySelector('[data-testid=banner]').textContent));
  const summary = page.locator('[data-testid=session-summary]');
  assert.ok(await summary.isVisible());
  assert.match(await summary.textContent(), /This session/);
  const count = (what) => page.textContent(`[data-testid=summary-${what}]`);
  assert.deepEqual([await count('reviewed'), await count('agreed'), await count('disagreed'), await count('changed')], ['6', '5', '1', '1']);
}));

test('served: an answer can be changed until the task is sent, and the change is what is stored', { timeout: 90000 }, (t) => withServed(t, 1, 3, async (newPage, { token, api, batch }) => {
  const page = await newPage();
  await signIn(page, token);
  const loop = await loopOf(page);
  await agree(page);
  await agree(page);
  assert.equal(await rowId(page), String(batch.records[2].row));
  // Back to the second record: its answer is shown, and can be changed.
  await page.keyboard.press('k');
  assert.equal(await rowId(page), String(batch.records[1].row));
  assert.ok(await page.isVisible('[data-testid=done-badge]'));
  assert.ok(await page.isChecked('[data-testid=agree]'));
  await page.keyboard.press('d');
  await page.fill('[data-testid=reason]', 'changed my mind');
  await page.keyboard.press('Control+Enter');
  assert.equal(await rowId(page), String(batch.records[2].row), 'on to the record still open');
  assert.equal(await progress(page), '1 of 3 left in this task \u00b7 0 more tasks waiting');
  await page.keyboard.press('k');
  assert.ok(await page.isChecked('[data-testid=disagree]'));
  assert.equal(await page.inputValue('[data-testid=reason]'), 'changed my mind');
  await page.keyboard.press('j');
  await agree(page);
  await page.waitForFunction(() => /No task is waiting/.test(document.querySelector('[data-testid=banner]').textContent));
  let output;
  for (let i = 0; i < 50 && !output?.humanAnswers; i++) {
    output = await api(`api/loops/${loop}/output`);
    if (!output.humanAnswers) await new Promise((r) => setTimeout(r, 100));
  }
  const stored = output.humanAnswers[0].answerContent.records;
  assert.deepEqual(stored.map((a) => a.verdict), ['agree', 'disagree', 'agree']);
  assert.equal(stored[1].reason, 'changed my mind');
}));

test('served: the draft follows the reviewer to another browser; localStorage keeps it when the service cannot', { timeout: 120000 }, (t) => withServed(t, 1, 3, async (newPage, { token, api, batch }) => {
  const first = await newPage();
  await signIn(first, token);
  const loop = await loopOf(first);
  // The service refuses drafts for a while: the answer is kept in this browser and a reload finds it.
  await first.route('**/draft', (route) => route.abort());
  await blur(first);
  await first.keyboard.press('d');
  await first.fill('[data-testid=reason]', 'from the first browser');
  await first.keyboard.press('Control+Enter');
  assert.equal(await rowId(first), String(batch.records[1].row));
  await first.reload();
  await waitReady(first);
  assert.equal(await rowId(first), String(batch.records[1].row), 'resumed at the open record');
  assert.equal(await progress(first), '2 of 3 left in this task \u00b7 0 more tasks waiting');
  // The service takes drafts again: the next answer saves both.
  await first.unroute('**/draft');
  const saved = draftSaved(first);
  await agree(first);
  const put = await saved;
  assert.deepEqual(Object.keys(JSON.parse(put.request().postData()).answers).sort(),
    [String(batch.records[0].row), String(batch.records[1].row)].sort());

  // Another browser (no localStorage of the first), the same token: the same task, both answers.
  const second = await newPage();
  await signIn(second, token);
  assert.equal(await loopOf(second), loop);
  assert.equal(await rowId(second), String(batch.records[2].row), 'goes on at the record still open');
  assert.equal(await progress(second), '1 of 3 left in this task \u00b7 0 more tasks waiting');
  const chips = await second.$$eval('[data-testid=record-chip]', (cs) => cs.map((c) => c.dataset.done));
  assert.deepEqual(chips, ['true', 'true', 'false']);
  await second.click('[data-testid=record-chip] >> nth=0');
  assert.ok(await second.isChecked('[data-testid=disagree]'));
  assert.equal(await second.inputValue('[data-testid=reason]'), 'from the first browser');
  await second.click('[data-testid=record-chip] >> nth=2');
  await agree(second);
  await second.waitForFunction(() => /No task is waiting/.test(document.querySelector('[data-testid=banner]').textContent));
  let output;
  for (let i = 0; i < 50 && !output?.humanAnswers; i++) {
    output = await api(`api/loops/${loop}/output`);
    if (!output.humanAnswers) await new Promise((r) => setTimeout(r, 100));
  }
  const stored = output.humanAnswers[0].answerContent.records;
  assert.deepEqual(stored.map((a) => a.verdict), ['disagree', 'agree', 'agree']);
  assert.equal(stored[0].reason, 'from the first browser');
}));
