#!/usr/bin/env bash
# Bad input: one clear line on stderr, exit code 2, and no output files.
set -uo pipefail
verdict=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# A small valid data set and model to break things against.
{
  echo "age,colour,score,label"
  for i in $(seq 1 60); do echo "$((20 + i % 40)),$([ $((i % 3)) = 0 ] && echo red || echo blue),$((i * 7 % 13)),$([ $((i % 2)) = 0 ] && echo yes || echo no)"; done
} > "$tmp/train.csv"
"$verdict" train --data "$tmp/train.csv" --target label --rounds 5 --out "$tmp/model" > /dev/null 2>&1 ||
  { echo "FAIL: could not train the small model"; exit 1; }

# expect NAME EXPECTED_TEXT -- command...: exit 2, exactly one stderr line containing the text,
# and the output folder $tmp/out left without files.
expect() {
  local name=$1 text=$2
  shift 3
  rm -rf "$tmp/out"
  "$@" > "$tmp/stdout" 2> "$tmp/stderr"
  local rc=$? lines files
  lines=$(wc -l < "$tmp/stderr")
  files=$(find "$tmp/out" -type f 2>/dev/null | wc -l)
  if [ "$rc" != 2 ] || [ "$lines" != 1 ] || ! grep -qF -- "$text" "$tmp/stderr" || [ "$files" != 0 ]; then
    echo "FAIL: $name (exit $rc, $lines stderr lines, $files output files): $(head -c 300 "$tmp/stderr")"
    failures=$((failures + 1))
  else
    echo "ok: $name: $(cat "$tmp/stderr")"
  fi
}

# expect_nothing: the same, and not even the output folder may be left behind.
expect_nothing() {
  local name=$1
  expect "$@"
  if [ -e "$tmp/out" ]; then
    echo "FAIL: $name left $tmp/out behind: $(find "$tmp/out" | head -5 | tr '\n' ' ')"
    failures=$((failures + 1))
  fi
}

explain() { "$verdict" explain --model "$tmp/model" --out "$tmp/out" "$@"; }

expect "missing data file" "cannot open '$tmp/nope.csv'" -- explain --data "$tmp/nope.csv"

printf 'age,colour,score,label\n30,red,1,yes\n31,blue\n' > "$tmp/short.csv"
expect "wrong column count" "short.csv:3: 2 cells, but the header has 4" -- explain --data "$tmp/short.csv"

printf 'age,colour,score,label\n30,red,1,yes\nthirty,red,1,no\n' > "$tmp/text.csv"
expect "text in a numeric column" "text.csv:3:1: column 'age' is numeric but holds \"thirty\"" -- explain --data "$tmp/text.csv"

: > "$tmp/empty.csv"
expect "empty file" "is empty" -- explain --data "$tmp/empty.csv"

printf 'age,shade,score,label\n30,red,1,yes\n' > "$tmp/other.csv"
expect "schema does not match the CSV" "schema feature 'colour' is not a column" -- explain --data "$tmp/other.csv"

# Numbers that are not finite or do not fit float32: refused with file:line:column everywhere a
# numeric feature cell is encoded (explain, score, train, bias); "" and "?" stay missing.
printf 'age,colour,score,label\n30,red,?,yes\n31,blue,,no\n32,blue,1e39,yes\n' > "$tmp/big.csv"
expect "1e39 (explain)" "big.csv:4:3: column 'score' holds 1e39, which is not a finite number within float32's range" -- explain --data "$tmp/big.csv"
printf 'age,colour,score,label\n-inf,red,1,yes\n' > "$tmp/neginf.csv"
expect "-inf (score)" "neginf.csv:2:1: column 'age' holds -inf" -- "$verdict" score --model "$tmp/model" --data "$tmp/neginf.csv" --out "$tmp/out/scores.txt"
{ cat "$tmp/train.csv"; echo "25,red,nan,yes"; } > "$tmp/nan.csv"
expect "nan (train)" "nan.csv:62:3: column 'score' holds nan" -- "$verdict" train --data "$tmp/nan.csv" --target label --rounds 2 --out "$tmp/out"
{ cat "$tmp/train.csv"; echo "1e400,red,3,yes"; } > "$tmp/huge.csv"
expect "1e400 (train; the column stays numeric)" "huge.csv:62:1: column 'age' holds 1e400" -- "$verdict" train --data "$tmp/huge.csv" --target label --rounds 2 --out "$tmp/out"
printf 'age,colour,score,label\n30,red,inf,yes\n31,blue,2,no\n' > "$tmp/bias.csv"
expect "inf (bias)" "bias.csv:2:3: column 'score' holds inf" -- "$verdict" bias --model "$tmp/model" --data "$tmp/bias.csv" --label label --label-values yes --facet colour --facet-values red --out "$tmp/out"

printf 'label\nyes\nno\nyes\n' > "$tmp/target-only.csv"
expect_nothing "only the target column" "no feature columns besides the target 'label'" -- "$verdict" train --data "$tmp/target-only.csv" --target label --rounds 2 --out "$tmp/out"

# Text that is not UTF-8 (a Latin-1 "é" on line 3): the file and line, and no output at all.
printf 'age,colour,score,label\n30,red,1,yes\n31,caf\xe9,2,no\n32,blue,3,yes\n' > "$tmp/latin1.csv"
expect_nothing "invalid UTF-8 (train)" "latin1.csv:3:2: not valid UTF-8 (byte 0xE9" -- "$verdict" train --data "$tmp/latin1.csv" --target label --rounds 2 --out "$tmp/out"
expect_nothing "invalid UTF-8 (explain)" "latin1.csv:3:2: not valid UTF-8 (byte 0xE9" -- explain --data "$tmp/latin1.csv"
expect_nothing "invalid UTF-8 (score)" "latin1.csv:3:2: not valid UTF-8" -- "$verdict" score --model "$tmp/model" --data "$tmp/latin1.csv" --out "$tmp/out/scores.txt"

printf 'age,colour,age,label\n30,red,1,yes\n31,blue,2,no\n32,blue,3,yes\n33,red,2,no\n' > "$tmp/dup.csv"
expect_nothing "a column named twice" "dup.csv:1: column 'age' appears twice in the header (columns 1 and 3)" -- "$verdict" train --data "$tmp/dup.csv" --target label --rounds 2 --out "$tmp/out"

mkdir -p "$tmp/broken" && head -c 200 "$tmp/model/model.json" > "$tmp/broken/model.json"
expect "corrupted model JSON" "is not valid JSON" -- "$verdict" explain --model "$tmp/broken/model.json" --data "$tmp/train.csv" --target label --out "$tmp/out"

mkdir -p "$tmp/overflow" && sed 's/"split_conditions":\[/"split_conditions":[1e400,/' "$tmp/model/model.json" > "$tmp/overflow/model.json"
grep -q 1e400 "$tmp/overflow/model.json" || { echo "FAIL: could not plant 1e400 in the model"; failures=$((failures + 1)); }
expect "a number beyond double in the model" "overflow/model.json' is not valid JSON" -- "$verdict" explain --model "$tmp/overflow/model.json" --data "$tmp/train.csv" --target label --out "$tmp/out"

mkdir -p "$tmp/loop" && python3 - "$tmp/model/model.json" "$tmp/loop/model.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
t = m["learner"]["gradient_booster"]["model"]["trees"][0]
t.update(left_children=[1, 1, -1], right_children=[2, 1, -1], split_indices=[0, 0, 0],
         split_conditions=[0.5, 0.5, 0.1], default_left=[0, 0, 0], sum_hessian=[2, 1, 1], split_type=[0, 0, 0])
json.dump(m, open(sys.argv[2], "w"))
PY
expect "a tree whose node loops back" "trees[0]' node 1 is reached twice" -- timeout 20 "$verdict" explain --model "$tmp/loop/model.json" --data "$tmp/train.csv" --target label --out "$tmp/out"

mkdir -p "$tmp/multi"
sed 's/"binary:logistic"/"multi:softprob"/' "$tmp/model/model.json" > "$tmp/multi/model.json"
expect "a multi-class objective without its classes" "field 'learner.learner_model_param.num_class' must be at least 2 for 'multi:softprob'" -- "$verdict" explain --model "$tmp/multi/model.json" --data "$tmp/train.csv" --target label --out "$tmp/out"

expect "unknown option" "--bogus" -- explain --data "$tmp/train.csv" --bogus 1
expect "missing file for train" "cannot open" -- "$verdict" train --data "$tmp/none.csv" --target label --out "$tmp/out"
expect "unknown data set" "unknown data set 'iris'" -- "$verdict" data iris --out "$tmp/out"

# A quoted cell holding a line break (RFC 4180) is read, and the row count is right.
printf 'age,colour,score,label\n30,"red\n",1,yes\n31,blue,2,no\n' > "$tmp/multiline.csv"
rm -rf "$tmp/out"
if explain --data "$tmp/multiline.csv" > "$tmp/stdout" 2> "$tmp/stderr" && grep -q "explained 2 records" "$tmp/stdout"; then
  echo "ok: a line break inside a quoted cell"
else
  echo "FAIL: a line break inside a quoted cell: $(head -c 300 "$tmp/stderr")"; failures=$((failures + 1))
fi

# verdict pack: a model it cannot read leaves no file; a good one packs and says how big.
expect "pack: no model there" "no-such-model" -- "$verdict" pack --model "$tmp/no-such-model" --out "$tmp/out/model.bin"
expect "pack: a model that is not JSON" "is not valid JSON" -- "$verdict" pack --model "$tmp/broken/model.json" --out "$tmp/out/model.bin"
rm -rf "$tmp/out"
if "$verdict" pack --model "$tmp/model" --out "$tmp/out/model.bin" > "$tmp/stdout" 2>&1 && grep -q "^packed 5 trees" "$tmp/stdout" &&
   [ "$(head -c 8 "$tmp/out/model.bin")" = VDFOREST ]; then
  echo "ok: pack writes the packed model"
else
  echo "FAIL: pack: $(head -c 300 "$tmp/stdout")"; failures=$((failures + 1))
fi

# A good run writes every output (the same harness, so the checks above can fail).
rm -rf "$tmp/out"
if explain --data "$tmp/train.csv" > /dev/null 2>&1 && [ -f "$tmp/out/analysis.json" ] &&
   [ -f "$tmp/out/explanations_shap/out.csv" ] && [ -f "$tmp/out/review_batch.json" ] &&
   [ -z "$(find "$tmp/out" -name '*.tmp-*')" ]; then
  echo "ok: a good run writes all outputs and no temporaries"
else
  echo "FAIL: a good run did not write its outputs"; failures=$((failures + 1))
fi
echo "$failures failure(s)"
[ "$failures" = 0 ]
