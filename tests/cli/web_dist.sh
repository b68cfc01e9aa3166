#!/usr/bin/env bash
# Builds the review page's dist/ from the Adult pipeline's model and batch, with a bias
# analysis (Sex = Female, `verdict bias` into OUT.bias/) for the group-context panel.
# Usage: web_dist.sh ADULT_DIR OUT. Exit 77 (skipped) when the Adult pipeline was skipped.
set -euo pipefail
adult=$1 out=$2
if [ ! -f "$adult/model/model.json" ] || [ ! -f "$adult/explain/review_batch.json" ]; then
  echo "SKIPPED: no Adult model in $adult (the adult_pipeline test was skipped)"
  exit 77
fi
rm -rf "$out.bias"
"$VERDICT_BIN" bias --model "$adult/model" --data "$adult/data/test.csv" --label Target --label-values '>50K' \
  --facet Sex --facet-values Female --out "$out.bias" > /dev/null
build_web=$(dirname "$0")/../../scripts/build-web
# An --analysis that is not there: one line, exit 2, before anything is built.
set +e
err=$("$build_web" --model "$adult/model" --batch "$adult/explain/review_batch.json" --out "$out.none" --analysis "$out.bias/none.json" 2>&1)
rc=$?
set -e
[ "$rc" = 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && [ ! -e "$out.none" ] ||
  { echo "FAIL: build-web with a missing --analysis: exit $rc, '$err'"; exit 1; }
exec "$build_web" --model "$adult/model" --batch "$adult/explain/review_batch.json" --out "$out" \
  --analysis "$out.bias/analysis.json"
