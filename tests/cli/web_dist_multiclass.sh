#!/usr/bin/env bash
# A 3-class model end to end for the page: the loan set with three outcomes (generated offline),
# trained with multi:softprob, explained, and built into a review page (scripts/build-web).
# Usage: web_dist_multiclass.sh VERDICT WORK OUT
set -euo pipefail
verdict=$1 work=$2 out=$3
rm -rf "$work" && mkdir -p "$work"
"$verdict" data loan --rows 3000 --seed 3 --outcomes 3 --out "$work/data" > /dev/null
"$verdict" train --data "$work/data/train.csv" --test "$work/data/test.csv" --target decision --rounds 40 --max-depth 4 \
  --param objective=multi:softprob --out "$work/model" > /dev/null 2>&1
"$verdict" schema --model "$work/model" --describe "$work/data/describe.json" > /dev/null
"$verdict" explain --model "$work/model" --data "$work/data/test.csv" --limit 200 --out "$work/explain" > /dev/null 2>&1
VERDICT_BIN=$verdict exec "$(dirname "$0")/../../scripts/build-web" --model "$work/model" \
  --batch "$work/explain/review_batch.json" --out "$out" --title "Loan decisions: approve, refer or decline" --flow loan-decisions
