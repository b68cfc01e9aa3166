#!/usr/bin/env bash
# verdict explain --shap kernel: with every coalition it equals exact baseline SHAP (one
# reference row, and a K-means baseline of several rows); probability units add up to the
# prediction; same seed, same output; bad options are one clear error.
set -euo pipefail
verdict=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  echo "age,colour,score,hours,label"
  for i in $(seq 1 120); do
    echo "$((20 + i % 40)),$([ $((i % 3)) = 0 ] && echo red || echo blue),$((i * 7 % 13)),$([ $((i % 9)) = 0 ] || echo $((i % 5 * 10))),$([ $(( (i * 7 % 13) + i % 3 )) -gt 7 ] && echo yes || echo no)"
  done
} > "$tmp/train.csv"
"$verdict" train --data "$tmp/train.csv" --target label --rounds 30 --out "$tmp/model" > /dev/null 2>&1

# max |a - b| over two SHAP CSVs with the same layout
maxdiff() {
  paste -d, <(tail -n +2 "$1") <(tail -n +2 "$2") | awk -F, '{
    h = NF / 2
    for (i = 1; i <= h; i++) { d = $i - $(i + h); if (d < 0) d = -d; if (d > m) m = d }
  } END { printf "%.3g\n", m + 0 }'
}
close() { awk -v d="$1" -v t="$2" 'BEGIN { exit !(d <= t) }'; }

# 4 features: 2^4 - 2 = 14 coalitions, so 14 samples enumerate them all.
for baseline in mean kmeans:3; do
  out="$tmp/out-${baseline/:/}"
  "$verdict" explain --model "$tmp/model" --data "$tmp/train.csv" --out "$out" --shap baseline,kernel \
    --baseline "$baseline" --num-samples 14 > /dev/null 2>&1
  d=$(maxdiff "$out/explanations_shap/out.csv" "$out/explanations_shap/out_kernel.csv")
  close "$d" 1e-6 || { echo "FAIL: --baseline $baseline: kernel differs from exact by $d"; exit 1; }
  echo "ok: --baseline $baseline, every coalition: kernel = exact baseline SHAP (max diff $d)"
done
grep -q '"kernel_shap"' "$tmp/out-kmeans3/analysis.json" || { echo "FAIL: no kernel_shap in analysis.json"; exit 1; }
weights=$(python3 -c "import json,sys; a=json.load(open(sys.argv[1]))['explanations']['kernel_shap']; print(len(a['baseline']), sum(a['baseline_weights']))" "$tmp/out-kmeans3/analysis.json")
[ "$weights" = "3 120.0" ] || { echo "FAIL: kmeans:3 baseline rows/weights: $weights"; exit 1; }

# Probability units: per record, sum of phi + expected value = the prediction.
"$verdict" explain --model "$tmp/model" --data "$tmp/train.csv" --out "$tmp/prob" --shap kernel --no-logit \
  --num-samples 6 --baseline kmeans:2 > /dev/null 2>&1
python3 - "$tmp/prob" <<'EOF'
import csv, json, sys
d = sys.argv[1]
a = json.load(open(d + "/analysis.json"))["explanations"]["kernel_shap"]
assert a["units"] == "probability" and a["use_logit"] is False, a
e = a["label0"]["expected_value"]
preds = [float(x) for x in open(d + "/predictions/train.csv.out")]
rows = list(csv.reader(open(d + "/explanations_shap/out.csv")))[1:]
worst = max(abs(sum(map(float, r)) + e - p) for r, p in zip(rows, preds))
assert worst < 1e-6, worst
print("ok: --no-logit: sum of phi + expected value = probability (worst %.2g)" % worst)
EOF

# Same seed, same output; --limit.
for run in 1 2; do
  "$verdict" explain --model "$tmp/model" --data "$tmp/train.csv" --out "$tmp/seed$run" --shap kernel \
    --num-samples 5 --seed 11 --limit 40 --threads $run > /dev/null 2>&1
done
cmp -s "$tmp/seed1/explanations_shap/out.csv" "$tmp/seed2/explanations_shap/out.csv" ||
  { echo "FAIL: same seed, different output (1 vs 2 threads)"; exit 1; }
rows=$(($(wc -l < "$tmp/seed1/explanations_shap/out.csv") - 1))
[ "$rows" = 40 ] || { echo "FAIL: --limit 40 gave $rows rows"; exit 1; }
echo "ok: same seed on 1 and 2 threads, same output; --limit 40"

# Bad options: exit 2, one line.
for bad in "--baseline kmeans:0" "--baseline kmeans:x" "--baseline kmeans:500"; do
  if "$verdict" explain --model "$tmp/model" --data "$tmp/train.csv" --out "$tmp/bad" --shap kernel $bad 2> "$tmp/err"; then
    echo "FAIL: $bad accepted"; exit 1
  fi
  [ "$(wc -l < "$tmp/err")" = 1 ] || { echo "FAIL: $bad: $(cat "$tmp/err")"; exit 1; }
  echo "ok: $bad: $(cat "$tmp/err")"
done
