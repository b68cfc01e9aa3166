#!/usr/bin/env bash
# verdict compile: the generated, compiled model gives margins identical (17 digits, every
# bit) to the loaded forest — on data with missing values, boosted trees and a random forest,
# float compares and quantized bins, one tree per file or many — and on every Adult test row.
# A compiled model of another model, bad options and a missing model are refused with one line.
# Usage: compile_model.sh VERDICT [ADULT_DIR]   (ADULT_DIR: model/ and data/test.csv, optional)
set -uo pipefail
verdict=$1 adult=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp"
python3 - <<'PY'
import random
rng = random.Random(11)
with open("train.csv", "w") as f:
    f.write("a,b,c,d,e,y\n")
    for i in range(3000):
        x = [rng.gauss(0, 1), rng.uniform(-3, 3), rng.choice([0, 1, 2, 3]), rng.gauss(5, 2), rng.random()]
        y = 1 if x[0] + 0.5 * x[1] * x[2] - 0.2 * x[3] + rng.gauss(0, 0.5) > -1 else 0
        cells = ["" if rng.random() < 0.1 else f"{v:.6g}" for v in x]  # 10 % missing
        f.write(",".join(cells) + f",{y}\n")
PY
"$verdict" train --data train.csv --target y --rounds 60 --max-depth 6 --gamma 0 --out boosted > /dev/null 2>&1 || fail "train boosted"
"$verdict" train --data train.csv --target y --rounds 1 --eta 1 --param num_parallel_tree=50 \
  --param colsample_bynode=0.8 --out forest > /dev/null 2>&1 || fail "train forest"

check() {  # check MODEL DATA NAME COMPILE-FLAGS...
  local model=$1 data=$2 name=$3; shift 3
  "$verdict" compile --model "$model" --out "$name" "$@" > "$name.log" 2>&1 || fail "compile $name: $(tail -2 "$name.log")"
  "$verdict" score --model "$model" --data "$data" --margin --digits 17 --out "$name.loaded" > /dev/null || fail "score (loaded)"
  "$verdict" score --model "$model" --data "$data" --margin --digits 17 --compiled "$name" --out "$name.compiled" > /dev/null ||
    fail "score --compiled $name"
  cmp -s "$name.loaded" "$name.compiled" || fail "$name: compiled margins differ from the loaded forest's"
  echo "ok: $name: $(wc -l < "$name.compiled") margins identical"
}
check boosted train.csv boosted-plain
check boosted train.csv boosted-quantized --quantize
check boosted train.csv boosted-one-tree-per-file --trees-per-file 1 --no-branch-hints
check forest train.csv forest-quantized --quantize --trees-per-file 7
[ "$(ls boosted-one-tree-per-file/trees_*.cpp | wc -l)" = 60 ] || fail "--trees-per-file 1 should give 60 tree files"
grep -q "__builtin_expect" boosted-plain/trees_0.cpp || fail "no branch hints in the generated code"
grep -q "__builtin_expect" boosted-one-tree-per-file/trees_0.cpp && fail "--no-branch-hints still hints"

if [ -n "$adult" ] && [ -f "$adult/model/model.json" ]; then
  check "$adult/model" "$adult/data/test.csv" adult-plain
  check "$adult/model" "$adult/data/test.csv" adult-quantized --quantize
fi

"$verdict" score --model forest --data train.csv --compiled boosted-plain --out x.out > /dev/null 2> err && fail "another model's library accepted"
[ "$(wc -l < err)" = 1 ] && grep -q "compiled from another model.json" err && [ ! -e x.out ] || fail "wrong library: $(cat err)"
"$verdict" compile --model nope --out y > /dev/null 2> err && fail "a missing model was accepted"
[ "$(wc -l < err)" = 1 ] && [ ! -e y ] || fail "missing model: $(cat err)"
"$verdict" compile --model boosted --out y --trees-per-file 0 > /dev/null 2> err && fail "--trees-per-file 0 accepted"
[ ! -e y ] || fail "--trees-per-file 0 left output"
mkdir notmine && touch notmine/keep
"$verdict" compile --model boosted --out notmine > /dev/null 2> err && fail "a foreign non-empty folder was overwritten"
[ -e notmine/keep ] || fail "the foreign folder lost its file"
echo "ok: bad input refused with one line and no output"
