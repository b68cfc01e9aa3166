#!/usr/bin/env bash
# A model trained elsewhere + a plain numeric CSV with a header: no schema needed.
set -euo pipefail
verdict=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  echo "x1,x2,x3,y"
  for i in $(seq 1 200); do echo "$((i % 17)),$((i * 3 % 11)),$([ $((i % 10)) = 0 ] || echo $((i % 5))),$(( (i % 17) > 8 ? 1 : 0 ))"; done
} > "$tmp/data.csv"
"$verdict" train --data "$tmp/data.csv" --target y --rounds 20 --out "$tmp/trained" > /dev/null 2>&1
mkdir "$tmp/elsewhere" && cp "$tmp/trained/model.json" "$tmp/elsewhere/"   # no schema.json
"$verdict" explain --model "$tmp/elsewhere/model.json" --data "$tmp/data.csv" --target y --out "$tmp/out"
rows=$(($(wc -l < "$tmp/out/explanations_shap/out.csv") - 1))
header=$(head -1 "$tmp/out/explanations_shap/out.csv")
[ "$rows" = 200 ] || { echo "FAIL: $rows SHAP rows, expected 200"; exit 1; }
[ "$header" = "x1,x2,x3" ] || { echo "FAIL: header '$header'"; exit 1; }
# Empty cells are missing values: the rows with an empty x3 were explained too.
grep -q '"x3"' "$tmp/out/analysis.json" || { echo "FAIL: no x3 in analysis.json"; exit 1; }
# Without --target the label column would be taken for a feature: a clear error.
if "$verdict" explain --model "$tmp/elsewhere/model.json" --data "$tmp/data.csv" --out "$tmp/out2" 2> "$tmp/err"; then
  echo "FAIL: a column-count mismatch was accepted"; exit 1
fi
grep -q "name the label column with --target" "$tmp/err" || { echo "FAIL: $(cat "$tmp/err")"; exit 1; }
echo "ok: bare model explained 200 rows; mismatch reported: $(cat "$tmp/err")"
