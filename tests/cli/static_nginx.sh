#!/usr/bin/env bash
# The review page on a real nginx with configs/nginx-static.conf (through scripts/serve-static):
# precompressed copies sent byte for byte with Content-Encoding, hashed names immutable,
# index.html revalidated, the right types. Skipped (77) when nginx is not installed.
# Usage: static_nginx.sh DIST
set -uo pipefail
dist=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$dist/manifest.json" ] || { echo "SKIPPED: no page in $dist (web_dist was skipped)"; exit 77; }
command -v nginx > /dev/null || [ -x /usr/sbin/nginx ] || { echo "SKIPPED: nginx is not installed (scripts/setup installs it)"; exit 77; }
tmp=$(mktemp -d)
log=$tmp/serve.log
"$root/scripts/serve-static" "$dist" > "$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$tmp"' EXIT
url=
for _ in $(seq 50); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$log" | head -1)
  [ -n "$url" ] && curl -s -o /dev/null "$url" && break
  sleep 0.1
done
[ -n "$url" ] || { echo "FAIL: nginx did not start"; cat "$log"; exit 1; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
asset() { python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['assets'][sys.argv[2]])" "$dist/manifest.json" "$1"; }
# get PATH ACCEPT-ENCODING: headers to $tmp/h, body to $tmp/b
get() { curl -s -D "$tmp/h" -o "$tmp/b" ${2:+-H "Accept-Encoding: $2"} "$url$1"; }
header() { grep -i "^$1:" "$tmp/h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }

for name in app.js model verdict_wasm.wasm batch_head; do
  path=$(asset "$name")
  get "$path" "gzip, deflate, br"
  [ "$(header Content-Encoding)" = br ] || fail "$path: Content-Encoding '$(header Content-Encoding)', expected br"
  cmp -s "$tmp/b" "$dist/$path.br" || fail "$path: the body is not $path.br byte for byte"
  [ "$(header Cache-Control)" = "public, max-age=31536000, immutable" ] || fail "$path: Cache-Control '$(header Cache-Control)'"
  get "$path" gzip
  [ "$(header Content-Encoding)" = gzip ] && cmp -s "$tmp/b" "$dist/$path.gz" || fail "$path: gzip is not $path.gz"
  get "$path"
  [ -z "$(header Content-Encoding)" ] && cmp -s "$tmp/b" "$dist/$path" || fail "$path: without Accept-Encoding the file itself is expected"
done
get "$(asset verdict_wasm.wasm)" br
[ "$(header Content-Type)" = application/wasm ] || fail "wasm: Content-Type '$(header Content-Type)'"
get "$(asset app.js)" br
[[ "$(header Content-Type)" == text/javascript* ]] || fail "app.js: Content-Type '$(header Content-Type)'"
get "" br
[ "$(header Cache-Control)" = no-cache ] || fail "index.html: Cache-Control '$(header Cache-Control)', expected no-cache"
[ "$(header Content-Encoding)" = br ] && cmp -s "$tmp/b" "$dist/index.html.br" || fail "index.html: not index.html.br"
etag=$(header ETag)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Accept-Encoding: br" -H "If-None-Match: $etag" "$url")
[ "$code" = 304 ] || fail "index.html revalidation: HTTP $code, expected 304"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url.hidden")
[ "$code" = 404 ] || fail "a hidden file: HTTP $code"
[ "$failures" = 0 ] && echo "nginx static hosting: ok ($url)"
exit $((failures > 0))
