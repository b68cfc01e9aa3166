#!/usr/bin/env bash
# The Adult job through the CLI: data (from the mirror, sha256-checked) -> train -> schema
# descriptions -> explain.
# Usage: adult_pipeline.sh VERDICT WORKDIR. Exit 77 (skipped) without a data mirror.
set -euo pipefail
verdict=$1 work=$2
if [ -z "${VERDICT_DATA_MIRROR:-}" ] || [ ! -f "$VERDICT_DATA_MIRROR/adult/adult.data" ]; then
  echo "SKIPPED: VERDICT_DATA_MIRROR is not set to a folder holding adult/adult.data"
  exit 77
fi
rm -rf "$work"
"$verdict" data adult --out "$work/data"
"$verdict" train --data "$work/data/train.csv" --test "$work/data/test.csv" --target Target --out "$work/model"
# The columns' descriptions and units and the classes' names (from adult.names) into the schema.
"$verdict" schema --model "$work/model" --describe "$work/data/describe.json"
"$verdict" explain --model "$work/model" --data "$work/data/test.csv" --out "$work/explain"
