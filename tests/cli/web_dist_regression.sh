#!/usr/bin/env bash
# Builds a review page's dist/ from the Abalone pipeline's regression model and batch.
# Usage: web_dist_regression.sh ABALONE_DIR OUT. Exit 77 (skipped) when that pipeline was skipped.
set -euo pipefail
abalone=$1 out=$2
if [ ! -f "$abalone/model/model.json" ] || [ ! -f "$abalone/explain-model/review_batch.json" ]; then
  echo "SKIPPED: no Abalone model in $abalone (the abalone_pipeline test was skipped)"
  exit 77
fi
exec "$(dirname "$0")/../../scripts/build-web" --model "$abalone/model" \
  --batch "$abalone/explain-model/review_batch.json" --out "$out" \
  --title "Abalone: check the predicted number of rings" --flow abalone-rings
