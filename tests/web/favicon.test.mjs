// The page's icon: index.html links an SVG favicon and dist holds a favicon.ico, so the
// browser's requests for them succeed, from a static host and through `verdict serve`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, dist, missing, staticServer, startProcess, launch, waitReady } from './harness.mjs';

async function checkIcons(browser, url) {
  const page = await browser.newPage();
  const failed = [];
  // (A static host answers the page's probe for the review service, api/health, with a 404.)
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/api/health')) failed.push(`${r.status()} ${r.url()}`); });
  await page.goto(url);
  await page.locator('#loading').waitFor({ state: 'hidden', timeout: 20000 });
  const ico = await page.request.get(new URL('favicon.ico', url).href);
  assert.equal(ico.status(), 200, 'favicon.ico');
  assert.deepEqual([...(await ico.body()).subarray(0, 4)], [0, 0, 1, 0], 'an ICO file');
  assert.equal(await page.locator('link[rel=icon]').count(), 1, 'index.html links an icon');
  const href = await page.getAttribute('link[rel=icon]', 'href');
  const svg = await page.request.get(new URL(href, url).href);
  assert.equal(svg.status(), 200, `${href}`);
  assert.match(svg.headers()['content-type'], /^image\/svg\+xml/);
  assert.match(await svg.text(), /^<svg[\s>]/);
  assert.deepEqual(failed, [], 'no request of the page failed');
  await page.close();
}

test('favicon: static hosting', { timeout: 60000 }, async (t) => {
  const why = missing({ needBin: false });
  if (why) return t.skip(why);
  const server = await staticServer(dist);
  const browser = await launch();
  try {
    await checkIcons(browser, server.url);
  } finally {
    await browser.close();
    server.stop();
  }
});

test('favicon: through verdict serve', { timeout: 60000 }, async (t) => {
  const why = missing();
  if (why) return t.skip(why);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-icon-'));
  const db = path.join(dir, 'r.db');
  execFileSync(bin, ['flow', 'create', '--db', db, '--name', 'icon', '--probability-below', '0.5',
    '--output', path.join(dir, 'out')], { stdio: 'ignore' });  // makes the database
  const { child, match } = await startProcess(bin, ['serve', '--db', db, '--dist', dist, '--port', '0'], /http:\/\/127\.0\.0\.1:(\d+)\//);
  const browser = await launch();
  try {
    await checkIcons(browser, `http://127.0.0.1:${match[1]}/`);
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
