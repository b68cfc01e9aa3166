#!/usr/bin/env bash
# Builds the review page's dist/ from the Adult pipeline's model and batch.
# Usage: web_dist.sh ADULT_DIR OUT. Exit 77 (skipped) when the Adult pipeline was skipped.
set -euo pipefail
adult=$1 out=$2
if [ ! -f "$adult/model/model.json" ] || [ ! -f "$adult/explain/review_batch.json" ]; then
  echo "SKIPPED: no Adult model in $adult (the adult_pipeline test was skipped)"
  exit 77
fi
exec "$(dirname "$0")/../../scripts/build-web" --model "$adult/model" --batch "$adult/explain/review_batch.json" --out "$out"
