// How fast the review page opens, in headless Chromium, served two ways: by `verdict serve`
// (signed in, a task leased from the API) and static (nginx with configs/nginx-static.conf).
// For each: navigation -> first waterfall and -> ready for what-if (engine loaded), with the
// bytes on the wire by then (cold cache, a fresh browser context per run); a reload (warm
// cache); and a cold load throttled through Chromium's DevTools protocol (10 Mbit/s, 40 ms
// RTT, CPU 4x slower). Medians of RUNS runs.
// Usage: node scripts/bench_web_load.mjs DIST VERDICT_BIN [RUNS]. Prints a table and one JSON line.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const dist = path.resolve(process.argv[2] || 'dist');
const bin = process.argv[3];
const runs = Number(process.argv[4] || 7);
const here = path.dirname(fileURLToPath(import.meta.url));
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };

function start(cmd, args, pattern) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const on = (d) => { seen += d; const m = seen.match(pattern); if (m) resolve({ child, url: m[0] }); };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${seen}`)));
  });
}

// A review service with one reviewer and enough one-record tasks for every run.
async function served() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-web-'));
  const db = path.join(dir, 'r.db');
  const cli = (...args) => execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const { assets } = JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
  cli('flow', 'create', '--db', db, '--name', 'bench', '--title', 'Bench', '--probability-below', '1.01',
    '--records-per-task', '3', '--output', path.join(dir, 'out'));
  const token = cli('reviewer', 'add', '--db', db, '--name', 'bench');
  cli('review', 'start', '--db', db, '--flow', 'bench', '--batch', path.join(dist, assets.batch), '--schema', path.join(dist, assets.schema));
  const { child, url } = await start(bin, ['serve', '--db', db, '--dist', dist, '--port', '0'], /http:\/\/127\.0\.0\.1:\d+\//);
  return { url, token, stop: () => { child.kill('SIGTERM'); fs.rmSync(dir, { recursive: true, force: true }); } };
}

async function nginx() {
  const { child, url } = await start(path.join(here, 'serve-static'), [dist], /http:\/\/127\.0\.0\.1:\d+\//);
  return { url, token: null, stop: () => child.kill('SIGTERM') };
}

// One load: times from navigation start and the bytes on the wire (headers and bodies as sent,
// compressed) of every response finished by then.
async function measure(page) {
  await page.waitForFunction(() => performance.getEntriesByName('engine-ready').length === 1 &&
    performance.getEntriesByName('waterfall-drawn').length === 1, null, { timeout: 60000 });
  return page.evaluate(() => {
    const at = (name) => performance.getEntriesByName(name)[0].startTime;
    const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
    const bytesBy = (t) => entries.filter((e) => e.responseEnd <= t).reduce((a, e) => a + e.transferSize, 0);
    const drawn = at('waterfall-drawn'), ready = at('engine-ready');
    return { first_waterfall_ms: drawn, ready_ms: Math.max(drawn, ready), first_waterfall_bytes: bytesBy(drawn),
      ready_bytes: bytesBy(Math.max(drawn, ready)), total_bytes: bytesBy(Infinity) };
  });
}

async function newPage(browser, target, throttle) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  if (target.token) await context.addInitScript((t) => localStorage.setItem('verdict:token', t), target.token);
  const page = await context.newPage();
  if (throttle) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 40,
      downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8 });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  }
  return { context, page };
}

async function bench(browser, target) {
  const cold = [], reload = [], throttled = [];
  for (let i = 0; i < runs; i++) {
    const { context, page } = await newPage(browser, target, false);
    await page.goto(target.url);
    cold.push(await measure(page));
    await page.reload();
    reload.push(await measure(page));
    await context.close();
  }
  for (let i = 0; i < Math.max(3, Math.ceil(runs / 2)); i++) {
    const { context, page } = await newPage(browser, target, true);
    await page.goto(target.url);
    throttled.push(await measure(page));
    await context.close();
  }
  const med = (list, key) => median(list.map((m) => m[key]));
  return {
    first_waterfall_ms: med(cold, 'first_waterfall_ms'), first_waterfall_kb: med(cold, 'first_waterfall_bytes') / 1024,
    ready_ms: med(cold, 'ready_ms'), ready_kb: med(cold, 'ready_bytes') / 1024, total_kb: med(cold, 'total_bytes') / 1024,
    reload_first_waterfall_ms: med(reload, 'first_waterfall_ms'), reload_ready_ms: med(reload, 'ready_ms'),
    reload_kb: med(reload, 'total_bytes') / 1024,
    throttled_first_waterfall_ms: med(throttled, 'first_waterfall_ms'), throttled_ready_ms: med(throttled, 'ready_ms'),
  };
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox',
  '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'] });
const results = {};
try {
  for (const [name, make] of [['served', served], ['static', nginx]]) {
    let target;
    try {
      target = await make();
    } catch (e) {
      console.log(`${name}: skipped (${e.message.split('\n')[0]})`);
      continue;
    }
    try {
      results[name] = await bench(browser, target);
    } finally {
      target.stop();
    }
  }
} finally {
  await browser.close();
}
const f = (v, d = 0) => v.toFixed(d).padStart(7);
console.log(`opening the review page (${runs} runs, medians; localhost unless throttled)`);
console.log('mode     first waterfall      ready for what-if    reload: waterfall/ready/KB   throttled: waterfall/ready');
for (const [name, r] of Object.entries(results)) {
  console.log(`${name.padEnd(8)} ${f(r.first_waterfall_ms)} ms ${f(r.first_waterfall_kb)} KB  ${f(r.ready_ms)} ms ${f(r.ready_kb)} KB` +
    `  ${f(r.reload_first_waterfall_ms)} ms ${f(r.reload_ready_ms)} ms ${f(r.reload_kb, 1)}   ${f(r.throttled_first_waterfall_ms)} ms ${f(r.throttled_ready_ms)} ms`);
}
console.log(JSON.stringify({ runs, ...results }));
