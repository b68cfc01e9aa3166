// The waterfall as a reviewer decides with it (issue 14): the batch's decision threshold as a
// line at logit(threshold) and in words beside the score, one rule for its side (p > t is
// positive); an edited feature always drawn as its own bar; the original bars as a ghost on an
// axis that stays put; a probability scale under the log-odds axis; the values as a table.
// VERDICT_DIST=dist VERDICT_BIN=build/native/verdict node --test tests/web/waterfall.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, dist, missing, startProcess, staticServer, launch, open, waitReady, readDistJson, distPath, routeConfig, testWithBrowser } from './harness.mjs';

const readJson = (name) => readDistJson(name);
const logit = (p) => Math.log(p / (1 - p));
const close = (a, b, eps = 0.01) => Math.abs(a - b) <= eps;
const probability = async (page) => Number(await page.getAttribute('[data-testid=probability]', 'data-value'));

// The axis as the drawing exposes it: the domain [lo, hi] and the x of each end (viewBox units).
const axis = (page) => page.$eval('[data-testid=waterfall]', (s) => ({
  lo: Number(s.dataset.lo), hi: Number(s.dataset.hi), x0: Number(s.dataset.pxLo), x1: Number(s.dataset.pxHi) }));
const xOf = (a, v) => a.x0 + ((v - a.lo) / (a.hi - a.lo)) * (a.x1 - a.x0);
const lineX = async (page, id) => Number(await page.getAttribute(`[data-testid=${id}]`, 'x1'));
const bars = (page, id = 'shap-bar') => page.$$eval(`[data-testid=${id}]`, (gs) => gs.map((g) => ({
  feature: g.dataset.feature, value: Number(g.dataset.value), start: Number(g.dataset.start), end: Number(g.dataset.end),
  edited: g.dataset.edited === 'true' })));

async function typeInto(page, feature, text) {
  const input = page.locator(`[data-testid=feature-input][data-feature="${feature}"]`);
  await input.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
  await page.keyboard.press('Escape');
}

// A page with the batch's threshold replaced (or not) before it loads.
async function openWith(browser, url, { threshold, config } = {}) {
  const { page, errors } = await open(browser, url);
  if (threshold !== undefined || config !== undefined) {
    if (threshold !== undefined) {
      await page.route('**/data/batch*.json', async (route) => {  // the first task's part and the whole
        const body = await (await route.fetch()).json();
        body.threshold = threshold;
        await route.fulfill({ json: body });
      });
    }
    if (config !== undefined) await routeConfig(page, config);  // the config is inline in index.html
    await page.reload();
  }
  await waitReady(page);
  return { page, errors };
}

const withPage = testWithBrowser;

withPage('threshold: a labelled line at logit(threshold), the distance in words, p > t is positive', async (browser, url) => {
  const schema = readJson('schema.json');
  const batch = readJson('review_batch.json');
  const positive = schema.target.positive_label;
  const negative = schema.target.labels.find((l) => l !== positive);
  const t0 = batch.threshold ?? 0.5;
  {
    const { page, errors } = await openWith(browser, url);
    const p = await probability(page);
    const a = await axis(page);
    // The mapping the svg exposes is the one it draws with: E[f(X)] and f(x) guides sit on it.
    assert.ok(close(await lineX(page, 'expected-line'), xOf(a, Number(await page.getAttribute('[data-testid=expected-label]', 'data-value')))));
    assert.ok(close(await lineX(page, 'fx-line'), xOf(a, Number(await page.getAttribute('[data-testid=fx-label]', 'data-value')))));
    const line = page.locator('[data-testid=threshold-line]');
    assert.equal(await line.count(), 1);
    assert.ok(close(Number(await line.getAttribute('data-value')), logit(t0), 1e-12));
    assert.ok(close(await lineX(page, 'threshold-line'), xOf(a, logit(t0))), 'the line sits at logit(threshold) on the axis');
    assert.ok(a.lo <= logit(t0) && logit(t0) <= a.hi, 'the axis shows the threshold');
    assert.match(await page.textContent('[data-testid=threshold-label]'), new RegExp(`threshold.*${t0}|${t0}.*threshold`));
    const words = await page.textContent('[data-testid=threshold-distance]');
    const side = p > t0 ? 'above' : 'below';
    assert.equal(words, `${Math.abs(p - t0).toFixed(3)} ${side} the ${t0} threshold`);
    assert.equal(await page.getAttribute('[data-testid=predicted-outcome]', 'data-label'), p > t0 ? positive : negative);
    assert.deepEqual(errors, []);
    await page.close();
  }
  // Another threshold from the batch moves the line and the words: the first record is below 0.9.
  {
    const { page } = await openWith(browser, url, { threshold: 0.9 });
    const p = await probability(page);
    assert.ok(p < 0.9);
    const a = await axis(page);
    assert.ok(close(await lineX(page, 'threshold-line'), xOf(a, logit(0.9))));
    assert.equal(await page.textContent('[data-testid=threshold-distance]'), `${(0.9 - p).toFixed(3)} below the 0.9 threshold`);
    assert.equal(await page.getAttribute('[data-testid=predicted-outcome]', 'data-label'), negative);
    await page.close();
  }
  // p == threshold is negative (the one rule: positive when p > threshold).
  {
    const first = await browser.newPage();
    await first.goto(url);
    await waitReady(first);
    const p = await probability(first);
    await first.close();
    const { page } = await openWith(browser, url, { threshold: p });
    assert.equal(await probability(page), p);
    assert.equal(await page.getAttribute('[data-testid=predicted-outcome]', 'data-label'), negative, `p = ${p} = threshold is ${negative}`);
    assert.match(await page.textContent('[data-testid=threshold-distance]'), /^at the .* threshold$/);
    await page.close();
  }
});

test('threshold through verdict serve: the task\'s input_content.threshold', { timeout: 90000 }, async (t) => {
  const why = missing();
  if (why) return t.skip(why);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-threshold-'));
  const db = path.join(dir, 'r.db');
  const cli = (...args) => execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const batch = readJson('review_batch.json');
  batch.threshold = 0.3;
  batch.records = batch.records.filter((r) => r.prediction > 0.3 && r.prediction < 0.99).slice(0, 1);
  fs.writeFileSync(path.join(dir, 'batch.json'), JSON.stringify(batch));
  cli('flow', 'create', '--db', db, '--name', 'th', '--title', 'Threshold', '--probability-below', '0.99',
    '--records-per-task', '1', '--output', path.join(dir, 'out'));
  const token = cli('reviewer', 'add', '--db', db, '--name', 'dana');
  cli('review', 'start', '--db', db, '--flow', 'th', '--batch', path.join(dir, 'batch.json'), '--schema', distPath('schema.json'));
  const { child, match } = await startProcess(bin, ['serve', '--db', db, '--dist', dist, '--port', '0'], /http:\/\/127\.0\.0\.1:(\d+)\//);
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${match[1]}/`);
    await page.fill('[data-testid=token]', token);
    await page.keyboard.press('Enter');
    await waitReady(page);
    const p = await probability(page);
    assert.ok(Math.abs(p - batch.records[0].prediction) < 1e-9);
    const a = await axis(page);
    assert.ok(close(await lineX(page, 'threshold-line'), xOf(a, logit(0.3))), 'the line is at the task\'s threshold, not 0.5');
    assert.equal(await page.textContent('[data-testid=threshold-distance]'), `${(p - 0.3).toFixed(3)} above the 0.3 threshold`);
    const schema = readJson('schema.json');
    assert.equal(await page.getAttribute('[data-testid=predicted-outcome]', 'data-label'), schema.target.positive_label);
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

withPage('an edited feature keeps its own bar whatever top-k says; the default top-k is 10', async (browser, url) => {
  const schema = readJson('schema.json');
  const n = schema.features.length;
  // No top_k in the config: the page's own default is 10.
  const bare = await openWith(browser, url, { config: {} });
  assert.equal(await bare.page.inputValue('[data-testid=topk]'), n > 10 ? '10' : 'all');
  assert.equal(await bare.page.locator('[data-testid=shap-bar]').count(), Math.min(10, n));
  await bare.page.close();
  assert.equal(readJson('config.json').top_k, 10, 'build-web writes top_k 10');

  const { page, errors } = await openWith(browser, url);
  await page.selectOption('[data-testid=topk]', '3');
  const top = (await bars(page)).map((b) => b.feature);
  assert.equal(top.length, 3);
  // The least important numeric feature outside the top 3, edited by a small step.
  const batch = readJson('review_batch.json');
  const first = batch.records[0];
  const phi = first.shap.tree;
  const candidates = schema.features.map((f, i) => i)
    .filter((i) => schema.features[i].type === 'numeric' && !top.includes(schema.features[i].name))
    .sort((a, b) => Math.abs(phi[a]) - Math.abs(phi[b]));
  const i = candidates[0];
  const name = schema.features[i].name;
  const value = Number(first.values[i]);
  await typeInto(page, name, String(value + 1 <= schema.features[i].max ? value + 1 : value - 1));
  const after = await bars(page);
  assert.equal(after.length, 4, 'top 3 and the edited feature');
  const edited = after.find((b) => b.feature === name);
  assert.ok(edited, `${name} is drawn though it is not in the top 3`);
  assert.equal(edited.edited, true);
  assert.equal(after.filter((b) => b.edited).length, 1);
  assert.match(await page.textContent('[data-testid=shap-other] text'), new RegExp(`^${n - 4} other features?$`));
  // Sorted by |SHAP| among what is drawn.
  for (let k = 1; k < after.length; k++) assert.ok(Math.abs(after[k - 1].value) >= Math.abs(after[k].value));
  // Back to the top 3 once the edit is undone.
  await page.click('[data-testid=reset]');
  assert.equal((await bars(page)).length, 3);
  assert.deepEqual(errors, []);
});

withPage('before/after: ghost bars at the original positions, the axis stays put, reset per record', async (browser, url) => {
  const schema = readJson('schema.json');
  const batch = readJson('review_batch.json');
  const first = batch.records[0];
  const { page, errors } = await openWith(browser, url);
  assert.equal(await page.locator('[data-testid=shap-ghost]').count(), 0, 'no ghost before an edit');
  const before = await axis(page);
  const original = await bars(page);
  const fx0 = Number(await page.getAttribute('[data-testid=fx-label]', 'data-value'));
  const p0 = await probability(page);
  // A small edit: one step of a numeric feature (one input event) that re-scores the record
  // and whose bars, new and old, stay inside the axis (Age + 1 on Adult's first record).
  const inside = (a, bs) => bs.every((b) => [b.start, b.end].every((v) => v >= a.lo && v <= a.hi));
  let small = null;
  for (const [i, f] of schema.features.entries()) {
    if (f.type !== 'numeric') continue;
    const v = Number(first.values[i]);
    await page.fill(`[data-testid=feature-input][data-feature="${f.name}"]`, String(v + 1 <= f.max ? v + 1 : v - 1));
    if (await probability(page) !== p0 && inside(before, [...await bars(page), ...await bars(page, 'shap-ghost')])) {
      small = f.name;
      break;
    }
    await page.click('[data-testid=reset]');
  }
  assert.ok(small, 'some one-step edit re-scores the record within the axis');
  assert.deepEqual(await axis(page), before, `a small edit (${small}) keeps the axis`);
  const drawn = await bars(page);
  const ghosts = await bars(page, 'shap-ghost');
  assert.equal(ghosts.length, drawn.length + await page.locator('[data-testid=shap-other]').count());
  // Each ghost is the feature's original SHAP value, on the same rows as the new bars.
  for (const g of ghosts.filter((x) => x.feature)) {
    const j = batch.features.indexOf(g.feature);
    assert.ok(Math.abs(g.value - first.shap.tree[j]) < 1e-9, `${g.feature}: ghost ${g.value} vs batch ${first.shap.tree[j]}`);
    assert.ok(drawn.some((b) => b.feature === g.feature));
  }
  const same = original.filter((b) => ghosts.some((g) => g.feature === b.feature));
  assert.ok(same.length > 0);
  // The ghost's top ends at the original f(x), labelled; the original score is beside the new one.
  const ghostFx = page.locator('[data-testid=fx-ghost-label]');
  assert.ok(Math.abs(Number(await ghostFx.getAttribute('data-value')) - fx0) < 1e-9);
  assert.match(await page.textContent('[data-testid=original-outcome]'), new RegExp(p0.toFixed(4)));
  // A ghost is an outline: no fill, a visible stroke.
  const looks = await page.$$eval('[data-testid=shap-ghost] polygon', (ps) => ps.map((p) => [getComputedStyle(p).fill, getComputedStyle(p).stroke]));
  assert.equal(looks.length, ghosts.length);
  for (const [fill, stroke] of looks) assert.ok(fill === 'none' && stroke !== 'none', `${fill} / ${stroke}`);

  // A large edit that leaves the domain widens it to cover both.
  const gain = schema.features.find((f) => f.name === 'Capital Gain') || schema.features.find((f) => f.type === 'numeric');
  await typeInto(page, gain.name, String(gain.max));
  const wide = await axis(page);
  assert.ok(wide.lo <= before.lo && wide.hi >= before.hi && (wide.lo < before.lo || wide.hi > before.hi), 'the axis widened');
  for (const b of [...await bars(page), ...await bars(page, 'shap-ghost')]) {
    assert.ok(b.start >= wide.lo - 1e-9 && b.end <= wide.hi + 1e-9 && b.end >= wide.lo - 1e-9 && b.start <= wide.hi + 1e-9);
  }
  // Back to a small value: the axis does not shrink on the way back.
  await typeInto(page, gain.name, '0');
  assert.deepEqual(await axis(page), wide);
  // Reset, next record and back: the axis is the record's own again.
  await page.click('[data-testid=reset]');
  await page.keyboard.press('j');
  assert.notEqual(await page.textContent('[data-testid=row-id]'), String(first.row));
  await page.keyboard.press('k');
  assert.deepEqual(await axis(page), before);
  assert.deepEqual(errors, []);
});

withPage('a probability scale under the log-odds axis', async (browser, url) => {
  const { page, errors } = await openWith(browser, url);
  const ticks = await page.$$eval('[data-testid=p-tick]', (ts) => ts.map((t) => ({ p: Number(t.dataset.p), x: Number(t.getAttribute('x')), text: t.textContent })));
  assert.ok(ticks.length >= 2, `ticks: ${JSON.stringify(ticks)}`);
  const a = await axis(page);
  const [left, right] = await page.$eval('[data-testid=axis-line]', (l) => [Number(l.getAttribute('x1')), Number(l.getAttribute('x2'))]);
  for (const t of ticks) {
    assert.ok(t.p > 0 && t.p < 1);
    assert.ok(left <= t.x && t.x <= right, `${t.p} inside the axis`);
    assert.ok(close(t.x, xOf(a, logit(t.p))), `p = ${t.p} at logit(p)`);
    assert.equal(Number(t.text), t.p);
  }
  // Round probabilities only, left to right, no two labels on top of each other.
  for (const t of ticks) assert.ok([0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999].includes(t.p));
  const sorted = [...ticks].sort((u, v) => u.x - v.x);
  for (let k = 1; k < sorted.length; k++) assert.ok(sorted[k].x - sorted[k - 1].x >= 24, 'ticks apart');
  assert.deepEqual(errors, []);
});

withPage('the waterfall as a table: one row per drawn bar, the same numbers, a running total', async (browser, url) => {
  const { page, errors } = await openWith(browser, url);
  const check = async () => {
    const drawn = [...await bars(page), ...await bars(page, 'shap-other')];
    const rows = await page.$$eval('[data-testid=waterfall-table] [data-testid=wf-row]', (trs) => trs.map((tr) => ({
      feature: tr.dataset.feature, cells: [...tr.cells].map((c) => c.textContent), value: Number(tr.dataset.value), total: Number(tr.dataset.total) })));
    assert.equal(rows.length, drawn.length);
    const expected = Number(await page.getAttribute('[data-testid=expected-label]', 'data-value'));
    let total = expected;
    const num = (s) => Number(s.replace('\u2212', '-'));
    for (const r of rows) {  // from E[f(X)] up, as the bars add
      const bar = drawn.find((b) => (r.feature ? b.feature === r.feature : !b.feature));
      assert.ok(bar, `row ${r.cells[0]} is a drawn bar`);
      assert.ok(Math.abs(r.value - bar.value) < 1e-12);
      assert.ok(Math.abs(num(r.cells[2]) - bar.value) < 0.0006, `${r.cells[2]} vs ${bar.value}`);
      total += bar.value;
      assert.ok(Math.abs(r.total - total) < 1e-9);
      assert.ok(Math.abs(num(r.cells[3]) - total) < 0.0006);
      assert.ok(Math.abs(bar.end - total) < 1e-9 || Math.abs(bar.start - total) < 1e-9, 'the running total is where the bar ends');
    }
    const fx = Number(await page.getAttribute('[data-testid=fx-label]', 'data-value'));
    assert.ok(Math.abs(total - fx) < 1e-6, 'the total reaches f(x)');
  };
  await check();
  await page.selectOption('[data-testid=topk]', '3');
  await check();
  assert.match(await page.textContent('[data-testid=waterfall-table] summary'), /table/i);
  assert.deepEqual(errors, []);
});
