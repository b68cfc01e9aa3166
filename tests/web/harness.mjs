// Shared by the browser tests: a static server, Debian's Chromium through playwright-core,
// and the native CLI as the oracle for scores.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';

export const dist = process.env.VERDICT_DIST;
export const bin = process.env.VERDICT_BIN;
export const ready = Boolean(dist && bin && fs.existsSync(path.join(dist || '', 'index.html')) && fs.existsSync(bin || ''));
export const skipReason = 'VERDICT_DIST (with index.html) and VERDICT_BIN are needed';

// Why a page test cannot run here, or null: call at the top of a test, t.skip(reason) if set.
export function missing({ needBin = true } = {}) {
  if (!dist) return 'VERDICT_DIST is not set (the folder scripts/build-web makes)';
  if (!fs.existsSync(path.join(dist, 'manifest.json'))) return `VERDICT_DIST=${dist} has no manifest.json (run scripts/build-web)`;
  if (needBin && !(bin && fs.existsSync(bin))) return 'VERDICT_BIN (the native verdict CLI) is not set or does not exist';
  if (needBin && !(modelDir && fs.existsSync(path.join(modelDir, 'model.json')))) return 'VERDICT_MODEL_DIR (the model folder the page was built from) is not set';
  return null;
}

// Starts a process and resolves with it once a line of its output matches `pattern`.
export function startProcess(cmd, args, pattern) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const onData = (d) => {
      seen += d.toString();
      const m = seen.match(pattern);
      if (m) resolve({ child, match: m });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${seen}`)));
    setTimeout(() => reject(new Error(`${cmd} did not start: ${seen}`)), 15000);
  });
}

export async function staticServer(folder) {
  const { child, match } = await startProcess('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', folder],
    /port (\d+)/);
  return { url: `http://127.0.0.1:${match[1]}/`, stop: () => child.kill() };
}

export function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu',
    '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}

// A page that records the errors it raises; routes may be set on it before it goes anywhere.
export async function watchedPage(browser, viewport = { width: 1280, height: 1000 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

export async function open(browser, url) {
  const { page, errors } = await watchedPage(browser, { width: 1280, height: 1100 });
  await page.goto(url);
  return { page, errors };
}

// The built page's files by what they are (scripts/build-web gives them content-hashed names,
// listed in DIST/manifest.json): 'review_batch.json' (the whole batch), 'schema.json', and
// 'config.json' (the manifest's config).
export const manifest = (folder = dist) => JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8'));
const LOGICAL = { 'review_batch.json': 'batch', 'schema.json': 'schema', 'model.bin': 'model' };
export const distPath = (name, folder = dist) => path.join(folder, manifest(folder).assets[LOGICAL[name] ?? name]);
export function readDistJson(name, folder = dist) {
  if (name === 'config.json') return manifest(folder).config;
  return JSON.parse(fs.readFileSync(distPath(name, folder), 'utf8'));
}
// The model folder the page was built from (model.json + schema.json): the native oracle's.
export const modelDir = process.env.VERDICT_MODEL_DIR;

// Puts `batch` into a copy of a built page (the first task's part and the whole), in place of
// the files the manifest names; their precompressed copies go.
export function writeBatch(folder, batch) {
  const m = manifest(folder);
  const per = Math.max(1, Number(m.config.records_per_task) || 3);
  const { records, ...rest } = batch;
  const parts = { batch, batch_head: { ...rest, total_records: records.length, records: records.slice(0, per) } };
  for (const [name, body] of Object.entries(parts)) {
    const file = path.join(folder, m.assets[name]);
    fs.writeFileSync(file, JSON.stringify(body));
    for (const ext of ['.gz', '.br']) fs.rmSync(file + ext, { force: true });
  }
}

// Serves the page with `config` in place of the config build-web put into index.html.
export function routeConfig(page, config) {
  return page.route((url) => url.pathname === '/' || url.pathname.endsWith('/index.html'), async (route) => {
    const html = await (await route.fetch()).text();
    const body = html.replace(/(<script type="application\/json" id="verdict-manifest">)(.*?)(<\/script>)/s,
      (m, open, json, close) => open + JSON.stringify({ ...JSON.parse(json), config }) + close);
    await route.fulfill({ body, contentType: 'text/html' });
  });
}

// Serves the page with transform(the whole batch) as its batch: the whole one and the first
// task's part (perTask records) that the page reads first.
export async function routeBatch(page, transform, { perTask, folder = dist } = {}) {
  const per = perTask ?? manifest(folder).config.records_per_task ?? 3;
  const whole = transform(readDistJson('review_batch.json', folder));
  const { records, ...rest } = whole;
  await page.route('**/data/batch.*.json', (route) => route.fulfill({ json: whole }));
  await page.route('**/data/batch-head.*.json', (route) =>
    route.fulfill({ json: { ...rest, total_records: records.length, records: records.slice(0, per) } }));
}

// A test (named `name`) with the page on a static server and a browser: body(browser, url).
export function testWithBrowser(name, body, { timeout = 90000 } = {}) {
  test(name, { timeout }, async (t) => {
    const why = missing({ needBin: false });
    if (why) return t.skip(why);
    const server = await staticServer(dist);
    const browser = await launch();
    try {
      await body(browser, server.url);
    } finally {
      await browser.close();
      server.stop();
    }
  });
}

// Runs body(page) on the static page once it is ready (skipped without a built page); the page
// must raise no error.
export async function withPage(t, body) {
  const why = missing({ needBin: false });
  if (why) return t.skip(why);
  const server = await staticServer(dist);
  const browser = await launch();
  try {
    const { page, errors } = await open(browser, server.url);
    await waitReady(page);
    await body(page);
    if (errors.length) throw new Error(`the page raised: ${errors.join('; ')}`);
  } finally {
    await browser.close();
    server.stop();
  }
}

export const waitReady = (page) => page.waitForFunction(() => window.verdictReady === true, null, { timeout: 20000 });

// The native CLI's probability for one record given as raw cells in feature order.
export function nativeScore(modelDir, features, values) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-native-'));
  const quote = (c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  fs.writeFileSync(path.join(dir, 'row.csv'), `${features.map(quote).join(',')}\n${values.map(quote).join(',')}\n`);
  execFileSync(bin, ['explain', '--model', modelDir, '--data', path.join(dir, 'row.csv'), '--out', path.join(dir, 'out'), '--shap', 'tree'],
    { stdio: 'ignore' });
  const batch = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'review_batch.json'), 'utf8'));
  fs.rmSync(dir, { recursive: true, force: true });
  return batch.records[0];
}
