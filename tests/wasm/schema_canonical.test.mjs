// The page reads its labels from the engine's schema (vd_schema_json): the core's one reader
// turns any schema version into the canonical form, so the page interprets no versions or
// defaults. A version 1 file (no descriptions), a version 2 file (with them) and a version 3 file
// (spreads, whole-number and immutable flags) all come out as version 3 with every field
// present (the range standing in for a missing spread); a newer version is refused by the same reader.
// Env: VERDICT_DIST (engine.js + verdict_wasm.*), VERDICT_MODEL_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = process.env.VERDICT_DIST;
const modelDir = process.env.VERDICT_MODEL_DIR;
// engine.js and verdict_wasm.wasm: in a built page (scripts/build-web) under the hashed names
// its manifest.json lists, or as they are in a staging folder.
const manifestPath = dist && path.join(dist, 'manifest.json');
const asset = (name) => (fs.existsSync(manifestPath) ? path.join(dist, JSON.parse(fs.readFileSync(manifestPath, 'utf8')).assets[name]) : path.join(dist, name));
const ready = dist && modelDir && fs.existsSync(asset('engine.js')) && fs.existsSync(path.join(modelDir, 'schema.json'));

async function engineFor(schema) {
  const { loadEngine } = await import(pathToFileURL(asset('engine.js')).href);
  const wasmBinary = fs.readFileSync(asset('verdict_wasm.wasm'));
  return loadEngine(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8'), JSON.stringify(schema), { wasmBinary });
}

// The model's schema as a version 1 file: what verdict wrote before descriptions existed.
function asVersion1(schema) {
  const v1 = structuredClone(schema);
  v1.version = 1;
  delete v1.target.class_names;
  for (const f of v1.features) {
    for (const key of ['description', 'unit', 'spread', 'spread_statistic', 'integer', 'immutable']) delete f[key];
  }
  return v1;
}

test('the engine gives the page the canonical schema, whatever version was loaded', { skip: !ready && 'VERDICT_DIST/VERDICT_MODEL_DIR not set or missing' }, async () => {
  const file = JSON.parse(fs.readFileSync(path.join(modelDir, 'schema.json'), 'utf8'));
  const v1 = asVersion1(file);
  const fromV1 = (await engineFor(v1)).schema();
  assert.equal(fromV1.version, 3);
  for (const f of fromV1.features) {
    const range = f.max - f.min;
    assert.equal(f.spread, f.type === 'categorical' ? 1 : range > 0 ? range : 1, f.name);
    assert.equal(f.spread_statistic, f.type === 'categorical' ? 'category' : 'range (fallback: the schema predates spreads)');
    assert.equal(f.integer, false);
    assert.equal(f.immutable, false);
  }
  assert.deepEqual(fromV1.features.map((f) => [f.name, f.description, f.unit]), v1.features.map((f) => [f.name, '', '']));
  assert.deepEqual(fromV1.target.class_names, Object.fromEntries(v1.target.labels.map((l) => [l, l])));
  delete v1.version;  // the oldest files have no version at all
  assert.deepEqual((await engineFor(v1)).schema(), fromV1);

  const described = structuredClone(v1);
  described.version = 2;
  described.features[0].description = 'Age of the person';
  described.features[0].unit = 'years';
  described.target.class_names = { [described.target.positive_label]: `${described.target.positive_label} = yes` };
  const fromV2 = (await engineFor(described)).schema();
  assert.equal(fromV2.features[0].unit, 'years');
  assert.equal(fromV2.features[0].description, 'Age of the person');
  assert.equal(fromV2.features[1].unit, '');
  const negative = described.target.labels.find((l) => l !== described.target.positive_label);
  assert.deepEqual(fromV2.target.class_names, { [described.target.positive_label]: `${described.target.positive_label} = yes`, [negative]: negative });

  await assert.rejects(engineFor({ ...described, version: 4 }), /'version' is 4/);
  const v3 = structuredClone(described);
  v3.features[0].immutable = true;
  await assert.rejects(engineFor(v3), /needs version 3/);
  v3.version = 3;
  v3.features[0].spread = 7.5;
  const fromV3 = (await engineFor(v3)).schema();
  assert.equal(fromV3.features[0].immutable, true);
  assert.equal(fromV3.features[0].spread, 7.5);
  await assert.rejects(engineFor({ ...asVersion1(file), version: 1, features: described.features }), /needs version 2/);
});
