// The review page served by `verdict serve`, end to end with two reviewers: each signs in with
// a token, gets a lease on the same loop (two reviewers per record), answers by keyboard; the
// loop completes with both answers in A2I's output file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, dist, ready, skipReason, startProcess, launch, waitReady, distPath } from './harness.mjs';

test('two reviewers through verdict serve', { skip: !ready && skipReason, timeout: 120000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-e2e-'));
  const db = path.join(dir, 'r.db');
  const cli = (...args) => execFileSync(bin, args, { encoding: 'utf8' }).trim();
  cli('flow', 'create', '--db', db, '--name', 'e2e', '--title', 'Income decisions', '--instructions', 'Check the doubtful ones.',
    '--probability-below', '0.99', '--records-per-task', '2', '--reviewers-per-record', '2', '--output', path.join(dir, 'out'));
  const alice = cli('reviewer', 'add', '--db', db, '--name', 'alice');
  const bob = cli('reviewer', 'add', '--db', db, '--name', 'bob');
  const admin = cli('reviewer', 'add', '--db', db, '--name', 'admin', '--admin');
  assert.match(cli('review', 'start', '--db', db, '--flow', 'e2e', '--batch', distPath('review_batch.json'),
    '--schema', distPath('schema.json')), /started \d+ human loop/);
  const { child, match } = await startProcess(bin, ['serve', '--db', db, '--dist', dist, '--port', '0'], /http:\/\/127\.0\.0\.1:(\d+)\//);
  const url = `http://127.0.0.1:${match[1]}/`;
  const browser = await launch();
  try {
    const pages = {};
    for (const [name, token] of [['alice', alice], ['bob', bob]]) {
      const page = await (await browser.newContext()).newPage({ viewport: { width: 1280, height: 1000 } });
      await page.goto(url);
      await page.fill('[data-testid=token]', token);
      await page.keyboard.press('Enter');
      await waitReady(page);
      assert.match(await page.textContent('[data-testid=mode]'), new RegExp(`review service · ${name}`));
      assert.equal(await page.textContent('#title'), 'Income decisions');
      pages[name] = page;
    }
    const loopOf = async (p) => (await p.textContent('[data-testid=task-pos]')).match(/\((.+)\)/)[1];
    const loop = await loopOf(pages.alice);
    assert.equal(await loopOf(pages.bob), loop, 'both reviewers are leased the same loop (2 per record)');

    // Alice agrees twice; Bob disagrees with a reason, then agrees. The next task comes back
    // with the answer: no separate request for it.
    const nextCalls = { alice: 0, bob: 0 };
    for (const name of ['alice', 'bob']) {
      pages[name].on('request', (r) => { if (r.url().endsWith('/api/tasks/next')) nextCalls[name] += 1; });
    }
    const a = pages.alice;
    await a.locator('body').click({ position: { x: 5, y: 5 } });
    await a.keyboard.press('a');
    await a.keyboard.press('Control+Enter');
    await a.keyboard.press('a');
    await a.keyboard.press('Control+Enter');
    await a.waitForFunction((l) => !document.querySelector('[data-testid=task-pos]').textContent.includes(l), loop);
    assert.match(await a.textContent('#banner'), /Task submitted\. This is your next task\./);
    const b = pages.bob;
    await b.locator('body').click({ position: { x: 5, y: 5 } });
    await b.keyboard.press('d');
    await b.keyboard.type('hours and education point the other way');
    await b.keyboard.press('Escape');
    await b.keyboard.press('Control+Enter');
    await b.keyboard.press('a');
    await b.keyboard.press('Control+Enter');
    await b.waitForFunction((l) => !document.querySelector('[data-testid=task-pos]').textContent.includes(l), loop);
    assert.deepEqual(nextCalls, { alice: 0, bob: 0 }, 'the next task came with the answer');
    await b.screenshot({ path: path.join(path.dirname(process.env.VERDICT_SCREENSHOT || 'build/x.png'), 'review-service.png'), fullPage: true });

    const api = async (p) => (await fetch(url + p, { headers: { Authorization: `Bearer ${admin}` } })).json();
    let described;
    for (let i = 0; i < 50; i++) {
      described = await api(`api/loops/${loop}`);
      if (described.HumanLoopOutput && fs.existsSync(described.HumanLoopOutput.OutputLocation)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(described.HumanLoopStatus, 'Completed');
    assert.equal(described.Answers, 2);
    const out = JSON.parse(fs.readFileSync(described.HumanLoopOutput.OutputLocation, 'utf8'));
    assert.match(described.HumanLoopOutput.OutputLocation, new RegExp(`/e2e/\\d{4}/\\d{2}/\\d{2}/\\d{2}/\\d{2}/\\d{2}/${loop}/output.json$`));
    assert.equal(out.humanAnswers.length, 2);
    const byName = Object.fromEntries(out.humanAnswers.map((h) => [h.workerMetadata.identityData.sub, h]));
    assert.deepEqual(byName.alice.answerContent.records.map((r) => r.verdict), ['agree', 'agree']);
    assert.deepEqual(byName.bob.answerContent.records.map((r) => r.verdict), ['disagree', 'agree']);
    assert.equal(byName.bob.answerContent.records[0].reason, 'hours and education point the other way');
    assert.notEqual(byName.alice.workerId, byName.bob.workerId);
    assert.equal(out.inputContent.records.length, 2);
    // Neither reviewer can read the other's current task.
    const bobsTask = await loopOf(b);
    const peek = await fetch(url + `api/tasks/${bobsTask}`, { headers: { Authorization: `Bearer ${alice}` } });
    assert.ok(peek.status === 403 || bobsTask === (await loopOf(a)), `alice read bob's task: ${peek.status}`);
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
