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

explain() { "$verdict" explain --model "$tmp/model" --out "$tmp/out" "$@"; }

expect "missing data file" "cannot open '$tmp/nope.csv'" -- explain --data "$tmp/nope.csv"

printf 'age,colour,score,label\n30,red,1,yes\n31,blue\n' > "$tmp/short.csv"
expect "wrong column count" "short.csv:3: 2 cells, but the header has 4" -- explain --data "$tmp/short.csv"

printf 'age,colour,score,label\n30,red,1,yes\nthirty,red,1,no\n' > "$tmp/text.csv"
expect "text in a numeric column" "text.csv:3: column 'age' is numeric but holds \"thirty\"" -- explain --data "$tmp/text.csv"

: > "$tmp/empty.csv"
expect "empty file" "is empty" -- explain --data "$tmp/empty.csv"

printf 'age,shade,score,label\n30,red,1,yes\n' > "$tmp/other.csv"
expect "schema does not match the CSV" "schema feature 'colour' is not a column" -- explain --data "$tmp/other.csv"

mkdir -p "$tmp/broken" && head -c 200 "$tmp/model/model.json" > "$tmp/broken/model.json"
expect "corrupted model JSON" "is not valid JSON" -- "$verdict" explain --model "$tmp/broken/model.json" --data "$tmp/train.csv" --target label --out "$tmp/out"

mkdir -p "$tmp/multi"
sed 's/"binary:logistic"/"multi:softprob"/' "$tmp/model/model.json" > "$tmp/multi/model.json"
expect "unsupported model" "objective 'multi:softprob' is not supported" -- "$verdict" explain --model "$tmp/multi/model.json" --data "$tmp/train.csv" --target label --out "$tmp/out"

expect "unknown option" "--bogus" -- explain --data "$tmp/train.csv" --bogus 1
expect "missing file for train" "cannot open" -- "$verdict" train --data "$tmp/none.csv" --target label --out "$tmp/out"
expect "unknown data set" "unknown data set 'iris'" -- "$verdict" data iris --out "$tmp/out"

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
