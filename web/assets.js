// Where the page's files are: the manifest scripts/build-web puts into index.html (config and
// the content-hashed name of each file), and fetching them. Hashed files never change, so the
// browser's cache may keep them as the server says (immutable).
export function readManifest(doc = document) {
  const node = doc.getElementById('verdict-manifest');
  if (!node) throw new Error('index.html has no manifest (build the page with scripts/build-web)');
  const manifest = JSON.parse(node.textContent);
  for (const name of ['model', 'schema', 'batch_head', 'batch', 'verdict_wasm.wasm']) {
    if (typeof manifest.assets?.[name] !== 'string') throw new Error(`the manifest names no ${name}`);
  }
  return manifest;
}

async function get(path) {
  let r;
  try {
    r = await fetch(path);
  } catch (e) {
    throw new Error(`could not load ${path} (${e.message})`);
  }
  if (!r.ok) throw new Error(`could not load ${path} (HTTP ${r.status})`);
  return r;
}

export const fetchText = async (path) => (await get(path)).text();
export const fetchBytes = async (path) => new Uint8Array(await (await get(path)).arrayBuffer());

export function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} is not valid JSON (${e.message})`);
  }
}

export const fetchJson = async (path) => parseJson(await fetchText(path), path);
