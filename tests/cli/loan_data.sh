#!/usr/bin/env bash
# verdict data loan: the synthetic loan set is the same for the same seed, and Clarify's DPL
# (labels) and DPPL (a model's predictions) find the bias against gender F that it puts in.
# Also: `verdict data --help` lists the four data sets; an unknown one is refused.
# Usage: loan_data.sh VERDICT
set -uo pipefail
verdict=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

help=$("$verdict" data --help) || fail "data --help"
for name in adult abalone breast-cancer loan; do
  grep -q "$name" <<< "$help" || fail "data --help does not list $name"
done
"$verdict" data iris --out "$tmp/x" 2> "$tmp/err" && fail "an unknown data set was accepted"
grep -q "known: adult, abalone, breast-cancer, loan" "$tmp/err" || fail "unknown data set message: $(cat "$tmp/err")"

"$verdict" data loan --rows 4000 --seed 5 --out "$tmp/a" > /dev/null || fail "data loan"
"$verdict" data loan --rows 4000 --seed 5 --out "$tmp/b" > /dev/null || fail "data loan (again)"
"$verdict" data loan --rows 4000 --seed 6 --out "$tmp/c" > /dev/null || fail "data loan (seed 6)"
cmp -s "$tmp/a/train.csv" "$tmp/b/train.csv" && cmp -s "$tmp/a/test.csv" "$tmp/b/test.csv" ||
  fail "the same seed gave different files"
cmp -s "$tmp/a/train.csv" "$tmp/c/train.csv" && fail "seeds 5 and 6 gave the same file"
[ "$(wc -l < "$tmp/a/train.csv")" = 3201 ] && [ "$(wc -l < "$tmp/a/test.csv")" = 801 ] ||
  fail "expected 3200 + 800 rows (and a header each)"
echo "ok: deterministic by seed, 3200 + 800 rows"

"$verdict" train --data "$tmp/a/train.csv" --test "$tmp/a/test.csv" --target approved --rounds 100 \
  --out "$tmp/model" > /dev/null 2>&1 || fail "train"
"$verdict" bias --model "$tmp/model" --data "$tmp/a/test.csv" --label approved --label-values 1 \
  --facet gender --facet-values F --probability-threshold 0.5 --out "$tmp/bias" > /dev/null 2> "$tmp/err" ||
  fail "bias: $(cat "$tmp/err")"
python3 - "$tmp/bias/analysis.json" <<'PY' || exit 1
import json, sys
a = json.load(open(sys.argv[1]))
def metric(key, name):
    entry = a[key]["facets"]["gender"][0]
    return next(m["value"] for m in entry["metrics"] if m["name"] == name)
dpl = metric("pre_training_bias_metrics", "DPL")
dppl = metric("post_training_bias_metrics", "DPPL")
di = metric("post_training_bias_metrics", "DI")
print(f"ok: gender F is facet d: DPL {dpl:.4f}, DPPL {dppl:.4f}, DI {di:.4f}")
assert dpl > 0.12, f"DPL {dpl}: the injected bias should make q_a - q_d clearly positive"
assert dppl > 0.12, f"DPPL {dppl}: the model should reproduce the bias"
assert di < 0.85, f"DI {di}"
PY
