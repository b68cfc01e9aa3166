#!/usr/bin/env bash
# The review page's WebAssembly module with the Adult model compiled in (verdict compile, then
# scripts/build-web --compiled). Usage: web_dist_compiled.sh VERDICT ADULT_DIR WORK OUT.
# Exit 77 (skipped) when the Adult pipeline was skipped.
set -euo pipefail
verdict=$1 adult=$2 work=$3 out=$4
if [ ! -f "$adult/model/model.json" ] || [ ! -f "$adult/explain/review_batch.json" ]; then
  echo "SKIPPED: no Adult model in $adult (the adult_pipeline test was skipped)"
  exit 77
fi
"$verdict" compile --model "$adult/model" --out "$work" --no-build
exec "$(dirname "$0")/../../scripts/build-web" --model "$adult/model" --batch "$adult/explain/review_batch.json" \
  --out "$out" --compiled "$work"
