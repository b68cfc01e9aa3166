#!/usr/bin/env bash
# verdict explain streams its input a chunk at a time and can take one shard of it:
# the N shards' outputs joined by `verdict explain-merge` are byte-identical to the single
# run (N = 3, and N = 7 with an empty shard); a shorter run (--limit) is a prefix of the longer
# one, also with Kernel SHAP's per-row random streams across chunk boundaries; bad --shard
# values and incomplete shard sets are refused with one line and no output.
# Usage: explain_shards.sh VERDICT
set -uo pipefail
verdict=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp"
"$verdict" data loan --rows 30000 --seed 2 --out data > /dev/null || fail "data"
"$verdict" train --data data/test.csv --target approved --rounds 40 --out model > /dev/null 2>&1 || fail "train"
rows=$(($(wc -l < data/train.csv) - 1))
[ "$rows" -gt 16384 ] || fail "the input should span several chunks of 16,384 rows; it has $rows"
args=(--model model --data data/train.csv --shap tree,kernel --num-samples 15)
"$verdict" explain "${args[@]}" --out single > /dev/null 2>&1 || fail "single run"

same_outputs() {  # same_outputs A B: every file of A is in B with the same bytes, and no more
  [ "$(cd "$1" && find . -type f ! -name shard.json | sort)" = "$(cd "$2" && find . -type f ! -name shard.json | sort)" ] ||
    fail "$1 and $2 hold different files"
  for f in $(cd "$1" && find . -type f | sort); do cmp -s "$1/$f" "$2/$f" || fail "$2/$f differs from $1/$f"; done
}
for n in 3 7; do
  dirs=()
  for i in $(seq 0 $((n - 1))); do
    "$verdict" explain "${args[@]}" --shard "$i/$n" --out "shard$n-$i" > /dev/null 2>&1 || fail "shard $i/$n"
    dirs+=("shard$n-$i")
  done
  "$verdict" explain-merge "${dirs[@]}" --out "merged$n" > /dev/null || fail "explain-merge of $n shards"
  same_outputs single "merged$n"
  echo "ok: $n shards of $rows rows, merged: byte-identical to the single run"
done
python3 - <<'PY' || exit 1
import json
rows = [json.load(open(f"shard7-{i}/shard.json"))["rows"] for i in range(7)]
assert 0 in rows and sum(rows) == json.load(open("shard7-0/shard.json"))["input_rows"], rows
assert all(r % 4096 == 0 for r in rows[:-1] if r), rows
print(f"ok: 7 shards of whole 4,096-row blocks: {rows}")
PY

"$verdict" explain "${args[@]}" --limit 17000 --out prefix > /dev/null 2>&1 || fail "--limit 17000"
for f in explanations_shap/out.csv explanations_shap/out_kernel.csv; do
  head -n 17001 "single/$f" | cmp -s - "prefix/$f" || fail "--limit 17000 is not a prefix of the full run: $f"
done
echo "ok: the first 17,000 rows (two chunks) equal the full run's, Kernel SHAP included"

for bad in 1/0 3/3 -1/2 a/b 2 1/2/3; do
  "$verdict" explain "${args[@]}" --shard "$bad" --out "bad" > /dev/null 2> err && fail "--shard $bad accepted"
  [ "$(wc -l < err)" = 1 ] && [ ! -e bad ] || fail "--shard $bad: $(cat err)"
done
"$verdict" explain "${args[@]}" --shard 0/2 --agg median --out bad > /dev/null 2> err && fail "median with shards accepted"
grep -q "cannot be sharded" err || fail "median message: $(cat err)"
"$verdict" explain-merge shard3-0 shard3-2 --out bad > /dev/null 2> err && fail "a missing shard was accepted"
grep -q "split into 3" err && [ ! -e bad ] || fail "missing shard: $(cat err)"
"$verdict" explain-merge shard3-0 shard3-1 shard7-2 --out bad > /dev/null 2> err && fail "mixed splits accepted"
[ "$(wc -l < err)" = 1 ] && [ ! -e bad ] || fail "mixed splits: $(cat err)"
echo "ok: bad --shard values and shard sets refused"
