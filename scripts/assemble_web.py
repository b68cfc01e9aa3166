#!/usr/bin/env python3
"""Assembles the review page's folder from its parts (called by scripts/build-web).

Every file but index.html and favicon.ico gets its content's hash in its name (app.3f2a9c1b04d2.js),
so a host can let browsers keep it for a year (Cache-Control: immutable). The page loads one
script: app.js with every module it imports bundled and minified by esbuild (one request
instead of twenty: HTTP/1.1 browsers open six connections to a host). The modules are also
written one by one, their imports rewritten to the hashed names, for other pages and tests
(engine.js is the WebAssembly core's door). index.html carries the manifest (config and
where each file is) inline, and preloads what the first waterfall needs. Each text or binary
asset gets precompressed copies beside it (NAME.gz, NAME.br) that `verdict serve` and the
nginx configuration in configs/ send as they are: nothing is compressed per request.

Usage: assemble_web.py STAGE OUT CONFIG_JSON ESBUILD
  STAGE: web/*, verdict_wasm.mjs/.wasm, favicon.svg/.ico, data/model.bin, data/schema.json,
         data/review_batch.json (the records to review), data/bias.json (optional: the bias
         analysis's figures for the group-context panel)
"""
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

HASH_LEN = 12
COMPRESSIBLE = {".html", ".js", ".mjs", ".css", ".json", ".svg", ".wasm", ".bin", ".ico"}
IMPORT = re.compile(r"""((?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"]))\./([\w.-]+\.m?js)\2""")


def digest(data):
    return hashlib.sha256(data).hexdigest()[:HASH_LEN]


def hashed_name(path, data):
    base, ext = os.path.splitext(path)
    return f"{base}.{digest(data)}{ext}"


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def compress_copies(path):
    """NAME.gz and NAME.br beside NAME, each only when smaller."""
    data = open(path, "rb").read()
    gz = gzip.compress(data, compresslevel=9, mtime=0)
    if len(gz) < len(data):
        write(path + ".gz", gz)
    br = subprocess.run(["brotli", "-c", "-q", "11", "-w", "24", path], check=True, capture_output=True).stdout
    if len(br) < len(data):
        write(path + ".br", br)


def modules_in_order(stage):
    """The page's ES modules, each after the modules it imports."""
    sources = {n: open(os.path.join(stage, n), encoding="utf-8").read()
               for n in os.listdir(stage) if n.endswith((".js", ".mjs"))}
    order, seen = [], set()

    def visit(name, path):
        if name in seen:
            return
        if name in path:
            sys.exit(f"assemble_web: import cycle through {name}")
        if name not in sources:
            sys.exit(f"assemble_web: {path[-1] if path else '?'} imports ./{name}, which is not in the page")
        for m in IMPORT.finditer(sources[name]):
            visit(m.group(3), path + [name])
        seen.add(name)
        order.append(name)

    for name in sorted(sources):
        visit(name, [])
    return sources, order


def split_batch(batch, per_task):
    """The first task's records with the batch's header (what the first waterfall needs), and
    the whole batch (fetched once the first waterfall is up)."""
    head = {k: v for k, v in batch.items() if k != "records"}
    head["total_records"] = len(batch["records"])
    head["records"] = batch["records"][:per_task]
    return head


def bundle(stage, esbuild):
    """app.js and everything it imports as one minified ES module."""
    out = os.path.join(stage, "bundle", "app.js")
    subprocess.run([esbuild, os.path.join(stage, "app.js"), "--bundle", "--format=esm", "--minify",
                    "--target=es2022", "--legal-comments=none", "--log-level=warning", f"--outfile={out}"], check=True)
    return open(out, "rb").read()


def main(stage, out, config_text, esbuild):
    config = json.loads(config_text)
    assets = {}  # logical name -> path in OUT
    files = {}   # path in OUT -> bytes

    def add(logical, path, data):
        name = hashed_name(path, data)
        assets[logical] = name
        files[name] = data

    sources, order = modules_in_order(stage)
    for name in order:
        if name == "app.js":
            continue  # the page's entry: bundled below
        text = IMPORT.sub(lambda m: f"{m.group(1)}./{os.path.basename(assets[m.group(3)])}{m.group(2)}", sources[name])
        add(name, f"assets/{name}", text.encode("utf-8"))
    add("app.js", "assets/app.js", bundle(stage, esbuild))  # what index.html loads
    add("verdict_wasm.wasm", "assets/verdict_wasm.wasm", open(os.path.join(stage, "verdict_wasm.wasm"), "rb").read())
    add("style.css", "assets/style.css", open(os.path.join(stage, "style.css"), "rb").read())
    add("favicon.svg", "assets/favicon.svg", open(os.path.join(stage, "favicon.svg"), "rb").read())
    add("model", "data/model.bin", open(os.path.join(stage, "data", "model.bin"), "rb").read())
    add("schema", "data/schema.json", open(os.path.join(stage, "data", "schema.json"), "rb").read())
    bias = os.path.join(stage, "data", "bias.json")  # the group-context panel's figures, when there are any
    if os.path.exists(bias):
        add("bias", "data/bias.json", open(bias, "rb").read())
    batch = json.load(open(os.path.join(stage, "data", "review_batch.json")))
    per_task = max(1, int(config.get("records_per_task", 3)))
    compact = lambda v: json.dumps(v, separators=(",", ":")).encode("utf-8")
    add("batch_head", "data/batch-head.json", compact(split_batch(batch, per_task)))
    add("batch", "data/batch.json", compact(batch))

    manifest = {"config": config, "assets": assets}
    html = open(os.path.join(stage, "index.html"), encoding="utf-8").read()
    for logical in ("style.css", "app.js", "favicon.svg"):
        if f'"{logical}"' not in html:
            sys.exit(f"assemble_web: index.html does not link {logical}")
        html = html.replace(f'"{logical}"', f'"{assets[logical]}"')
    # The modules and the first data start with the page, not one round trip after another;
    # the model and the WebAssembly are fetched once the first waterfall is drawn.
    preload = [f'<link rel="preload" href="{assets[n]}" as="fetch" crossorigin="anonymous">' for n in ("schema", "batch_head")]
    # "</" cannot end the inline JSON early: config text is the user's.
    inline = json.dumps(manifest, separators=(",", ":")).replace("</", "<\\/")
    head = "\n  ".join(preload + [f'<script type="application/json" id="verdict-manifest">{inline}</script>'])
    html = html.replace("</head>", f"  {head}\n</head>", 1)
    files["index.html"] = html.encode("utf-8")
    files["favicon.ico"] = open(os.path.join(stage, "favicon.ico"), "rb").read()
    files["manifest.json"] = json.dumps(manifest, indent=1).encode("utf-8")  # for people and tests

    for path, data in files.items():
        write(os.path.join(out, path), data)
        if os.path.splitext(path)[1] in COMPRESSIBLE and path != "manifest.json":
            compress_copies(os.path.join(out, path))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
