// The review page served by `verdict serve`, for one reviewer: signing in (a refused token says
// so, the form says where a token comes from), signing out, and the header and banner between
// tasks and after the last one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, dist, missing, startProcess, launch, waitReady, readDistJson, distPath } from './harness.mjs';

// The feature the served flow marks immutable on top of the schema's: Capital Gain (Adult), or
// the first feature the schema lets change.
function flowImmutable() {
  const features = readDistJson('schema.json').features;
  return (features.find((f) => f.name === 'Capital Gain' && !f.immutable) ?? features.find((f) => !f.immutable)).name;
}

// A database with one flow of `tasks` loops (one record each) and one reviewer; serves dist.
async function serve(tasks) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-served-'));
  const db = path.join(dir, 'r.db');
  const cli = (...args) => execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const batch = readDistJson('review_batch.json');
  batch.records = batch.records.filter((r) => r.prediction < 0.99).slice(0, tasks);
  fs.writeFileSync(path.join(dir, 'batch.json'), JSON.stringify(batch));
  cli('flow', 'create', '--db', db, '--name', 'served', '--title', 'Served page', '--probability-below', '0.99',
    '--records-per-task', '1', '--output', path.join(dir, 'out'), '--immutable', flowImmutable());
  const token = cli('reviewer', 'add', '--db', db, '--name', 'carol');
  cli('review', 'start', '--db', db, '--flow', 'served', '--batch', path.join(dir, 'batch.json'), '--schema', distPath('schema.json'));
  const { child, match } = await startProcess(bin, ['serve', '--db', db, '--dist', dist, '--port', '0'], /http:\/\/127\.0\.0\.1:(\d+)\//);
  return { url: `http://127.0.0.1:${match[1]}/`, token, stop: () => { child.kill('SIGTERM'); fs.rmSync(dir, { recursive: true, force: true }); } };
}

async function withServed(t, tasks, body) {
  const why = missing();
  if (why) return t.skip(why);
  const served = await serve(tasks);
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
    await body(page, served);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    served.stop();
  }
}

test('served page: a refused token says so, the form says where tokens come from, sign-out', { timeout: 60000 }, (t) => withServed(t, 1, async (page, { token }) => {
  const form = page.locator('[data-testid=login]').locator('xpath=ancestor::form[1]');
  await page.locator('[data-testid=token]').waitFor({ state: 'visible', timeout: 20000 });
  assert.match(await form.textContent(), /verdict reviewer add/, 'the form says where a token comes from');
  await page.fill('[data-testid=token]', 'not-a-token');
  await page.keyboard.press('Enter');
  const message = page.locator('[data-testid=login-message]');
  await message.waitFor({ state: 'visible', timeout: 10000 });
  assert.match(await message.textContent(), /not accepted/i);
  assert.ok(await page.isVisible('[data-testid=token]'), 'the form is back');
  assert.equal(await page.isVisible('main'), false);

  await page.fill('[data-testid=token]', token);
  await page.keyboard.press('Enter');
  await waitReady(page);
  assert.equal(await message.isVisible(), false, 'the message went with a good token');
  assert.match(await page.textContent('[data-testid=mode]'), /carol/);
  const signOut = page.locator('[data-testid=signout]');
  assert.ok(await signOut.isVisible(), 'a signed-in reviewer can sign out');
  await signOut.click();
  await page.locator('[data-testid=token]').waitFor({ state: 'visible', timeout: 20000 });
  assert.equal(await page.evaluate(() => localStorage.getItem('verdict:token')), null, 'the token is forgotten');
  assert.equal(await page.isVisible('main'), false);
  assert.equal(await signOut.isVisible(), false);
  assert.equal(await message.isVisible(), false, 'signing out is not a refused token');
}));

test('served page: the "Task submitted" banner goes; after the last task the header shows no stale progress', { timeout: 90000 }, (t) => withServed(t, 3, async (page, { token }) => {
  await page.fill('[data-testid=token]', token);
  await page.keyboard.press('Enter');
  await waitReady(page);
  const banner = page.locator('[data-testid=banner]');
  const taskPos = () => page.textContent('[data-testid=task-pos]');
  const submitTask = async () => {
    const before = await taskPos();
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.press('a');
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction((b) => document.querySelector('main').hidden ||
      document.querySelector('[data-testid=task-pos]').textContent !== b, before);
  };
  // Task 1 -> 2: the banner shows, then goes by itself within a few seconds.
  await submitTask();
  assert.match(await banner.textContent(), /Task submitted/);
  await banner.waitFor({ state: 'hidden', timeout: 10000 });
  // Task 2 -> 3: the banner goes on the reviewer's next action.
  await submitTask();
  assert.ok(await banner.isVisible());
  await page.keyboard.press('j');
  assert.equal(await banner.isVisible(), false, 'the next key press dismisses it');
  // After the last task: the waiting message, and no progress of the task that was sent.
  await submitTask();
  await page.waitForFunction(() => /No task is waiting/.test(document.querySelector('[data-testid=banner]').textContent));
  assert.equal((await page.textContent('[data-testid=progress]')).trim(), '', 'no stale progress in the header');
  assert.equal(await page.isVisible('main'), false);
}));

test('served page: the flow\'s immutable features are never changed by "What would flip it?"', { timeout: 60000 }, (t) => withServed(t, 1, async (page, { token }) => {
  await page.fill('[data-testid=token]', token);
  await page.keyboard.press('Enter');
  await waitReady(page);
  await page.waitForFunction(() => document.querySelector('[data-testid=flip-panel]')?.dataset.state === 'done');
  const kept = flowImmutable();
  assert.match(await page.textContent('[data-testid=flip-method]'), new RegExp(`Never changed: .*${kept}`));
  const changed = await page.$$eval('[data-testid=flip-answer]', (li) => li.map((e) => e.dataset.changed));
  for (const c of changed) assert.ok(!c.split(';').includes(kept), `an answer changes ${kept}: ${c}`);
}));
