// Meaningful labels on the review page, all from the schema as the engine reads it: class names
// in the outcome and the label select (the stored label stays the raw one), units beside values
// in the record table, descriptions as the feature name's <abbr title> and a small line, and in
// the waterfall bar's <title>. A version 1 schema (no descriptions) still gives a working page.
// VERDICT_DIST=dist node --test tests/web/labels.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { dist, missing, staticServer, launch, open, waitReady, readDistJson, watchedPage } from './harness.mjs';

const readJson = (name) => readDistJson(name);

// The dist's schema with descriptions on Age and the first categorical feature, a unit on Age,
// and a display name for each label (version 2), or stripped to version 1. Version 3's fields
// (spreads, whole-number and immutable flags) go: an older file cannot hold them.
const VERSION_3_FIELDS = ['spread', 'spread_statistic', 'integer', 'immutable'];
function describedSchema() {
  const s = readJson('schema.json');
  s.version = 2;
  for (const f of s.features) {
    f.description = '';
    f.unit = '';
    for (const key of VERSION_3_FIELDS) delete f[key];
  }
  const age = s.features.find((f) => f.type === 'numeric');
  age.description = 'Age of the person, in whole years';
  age.unit = 'years';
  const cat = s.features.find((f) => f.type === 'categorical');
  cat.description = 'Kind of employer';
  s.target.class_names = Object.fromEntries(s.target.labels.map((l) => [l, `${l}: class ${l}`]));
  return { schema: s, age, cat };
}

function version1Schema() {
  const s = readJson('schema.json');
  delete s.version;
  delete s.target.class_names;
  for (const f of s.features) {
    delete f.description;
    delete f.unit;
    for (const key of VERSION_3_FIELDS) delete f[key];
  }
  return s;
}

async function withSchema(t, schema, body) {
  const why = missing({ needBin: false });
  if (why) return t.skip(why);
  const server = await staticServer(dist);
  const browser = await launch();
  try {
    const { page, errors } = await watchedPage(browser);
    await page.route('**/data/schema.*.json', (route) => route.fulfill({ json: schema }));
    await page.goto(server.url);
    await waitReady(page);
    await body(page);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.stop();
  }
}

test('labels: class names, units and descriptions come from the schema', { timeout: 60000 }, (t) => {
  const { schema, age, cat } = describedSchema();
  return withSchema(t, schema, async (page) => {
    const batch = readJson('review_batch.json');
    const first = batch.records[0];
    // The outcome and the label select show class names; the select's values stay the labels.
    assert.equal(await page.textContent('[data-testid=predicted-outcome]'), `${first.predicted_label}: class ${first.predicted_label}`);
    const options = await page.$$eval('[data-testid=label] option', (os) => os.map((o) => [o.value, o.textContent]));
    assert.deepEqual(options, schema.target.labels.map((l) => [l, `${l}: class ${l}`]));
    // Units: beside the what-if field and in the Original column; not on a unitless feature.
    const ageRow = page.locator(`tr[data-feature="${age.name}"]`);
    assert.equal(await ageRow.locator('[data-testid=unit]').textContent(), 'years');
    const ageIndex = schema.features.indexOf(age);
    assert.equal(await ageRow.locator('td.orig').textContent(), `${first.values[ageIndex]} years`);
    const other = schema.features.find((f) => f.type === 'numeric' && f !== age);
    if (other) assert.equal(await page.locator(`tr[data-feature="${other.name}"] [data-testid=unit]`).count(), 0);
    // Descriptions: the name is an <abbr> titled with it, and a small line says it too.
    assert.equal(await ageRow.locator('abbr').getAttribute('title'), age.description);
    assert.equal(await ageRow.locator('abbr').textContent(), age.name);
    assert.equal(await ageRow.locator('[data-testid=feature-description]').textContent(), age.description);
    assert.equal(await page.locator(`tr[data-feature="${cat.name}"] abbr`).getAttribute('title'), cat.description);
    assert.equal(await page.locator('[data-testid=features] abbr').count(), 2);
    // The waterfall: every bar's <title> of a described feature carries the description (and
    // the unit after a number), also after a redraw.
    await page.selectOption('[data-testid=topk]', 'all');
    const title = (name) => page.locator(`[data-testid=shap-bar][data-feature="${name}"] title`).textContent();
    const ageTitle = await title(age.name);
    assert.match(ageTitle, new RegExp(`^${age.name} = [0-9.]+ years: `));
    assert.ok(ageTitle.endsWith(`\n${age.name}: ${age.description}`), ageTitle);
    assert.ok((await title(cat.name)).endsWith(`\n${cat.name}: ${cat.description}`));
    await ageRow.locator('input').fill('61');
    await page.waitForFunction((n) => document.querySelector(`[data-testid=shap-bar][data-feature="${n}"] title`)?.textContent.startsWith(`${n} = 61 years: `), age.name);
    assert.equal((await title(age.name)).split(`${age.name}: ${age.description}`).length, 2, 'described once, not once a redraw');
  });
});

test('labels: a version 1 schema (no descriptions) still gives a working page with plain labels', { timeout: 60000 }, (t) =>
  withSchema(t, version1Schema(), async (page) => {
    const batch = readJson('review_batch.json');
    assert.equal(await page.textContent('[data-testid=predicted-outcome]'), batch.records[0].predicted_label);
    assert.equal(await page.locator('[data-testid=features] abbr').count(), 0);
    assert.equal(await page.locator('[data-testid=unit]').count(), 0);
    assert.equal(await page.locator('[data-testid=shap-bar]').count() > 0, true);
    const labels = await page.$$eval('[data-testid=label] option', (os) => os.map((o) => o.textContent));
    assert.deepEqual(labels, readJson('schema.json').target.labels);
  }));
