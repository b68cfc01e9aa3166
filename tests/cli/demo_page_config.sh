#!/usr/bin/env bash
# scripts/demo builds the review page with the title and flow of the data it used: the loan set
# (VERDICT_DEMO_DATA=loan, or the fallback when Adult cannot be had) and Adult. The scripts run
# from a copy of the checkout with stand-ins for setup, cmake and the verdict CLI (nothing is
# built, fetched or trained), then the config in dist/manifest.json is read.
# Usage: demo_page_config.sh
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

root=$tmp/root
mkdir -p "$root/scripts" "$tmp/bin" "$tmp/build/native" "$tmp/build-wasm/wasm"
cp "$src/scripts/demo" "$src/scripts/build-web" "$src/scripts/lib.sh" "$src/scripts/assemble_web.py" "$root/scripts/"
cp -r "$src/web" "$root/web"
ln -s "$src/node_modules" "$root/node_modules"  # esbuild, as scripts/setup's npm ci leaves it
printf '#!/bin/sh\nexit 0\n' > "$root/scripts/setup"
printf '#!/bin/sh\nexit 0\n' > "$tmp/bin/cmake"
touch "$tmp/build-wasm/CMakeCache.txt" "$tmp/build-wasm/wasm/verdict_wasm.wasm"
echo 'export default function createVerdictModule() {}' > "$tmp/build-wasm/wasm/verdict_wasm.mjs"  # esbuild bundles it
# The verdict CLI's stand-in: writes the files the next steps read; Adult fails when ADULT_FAILS=1.
cat > "$tmp/build/native/verdict" <<'SH'
#!/usr/bin/env bash
out=
for ((i = 1; i <= $#; i++)); do [ "${!i}" = --out ] && { j=$((i + 1)); out=${!j}; }; done
case "$1 $2" in
  "data adult") [ "${ADULT_FAILS:-}" = 1 ] && exit 1; mkdir -p "$out" ;;
  "data loan") mkdir -p "$out" ;;
  train*) mkdir -p "$out"; echo '{}' > "$out/model.json"; echo '{}' > "$out/schema.json" ;;
  explain*) mkdir -p "$out"; echo '{"task": "binary", "records": []}' > "$out/review_batch.json" ;;
  pack*) echo packed > "$out" ;;
  schema*) [ -z "$out" ] || echo '{}' > "$out" ;;
  "report --help") exit 1 ;;
  "reviewer add") echo token ;;
esac
exit 0
SH
chmod +x "$root/scripts/"* "$tmp/bin/cmake" "$tmp/build/native/verdict"

# demo_config CASE ENV...: runs the demo, prints the page's config: "title|flow".
demo_config() {
  local name=$1
  shift
  rm -rf "$root/dist" "$tmp/work"
  if ! env PATH="$tmp/bin:$PATH" VERDICT_BUILD_DIR="$tmp/build" VERDICT_BUILD_WASM_DIR="$tmp/build-wasm" \
      VERDICT_WORK_DIR="$tmp/work" VERDICT_NO_SERVE=1 "$@" "$root/scripts/demo" > "$tmp/$name.log" 2>&1; then
    fail "$name: scripts/demo failed"; cat "$tmp/$name.log"; return
  fi
  python3 -c "import json, sys; c = json.load(open(sys.argv[1]))['config']; print(c['title'] + '|' + c['flow'])" \
    "$root/dist/manifest.json"
}

loan="Loan approvals: review the model's decisions|loan-approval"
adult="Adult income: review the model's decisions|adult-income"
got=$(demo_config loan VERDICT_DEMO_DATA=loan)
[ "$got" = "$loan" ] || fail "VERDICT_DEMO_DATA=loan: the page has '$got', expected '$loan'"
got=$(demo_config fallback ADULT_FAILS=1)
[ "$got" = "$loan" ] || fail "Adult unavailable: the page has '$got', expected '$loan'"
got=$(demo_config adult)
[ "$got" = "$adult" ] || fail "Adult: the page has '$got', expected '$adult'"

[ "$failures" = 0 ] && echo "demo page config: ok"
exit "$((failures > 0))"
