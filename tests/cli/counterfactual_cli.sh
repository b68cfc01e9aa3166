#!/usr/bin/env bash
# verdict counterfactual through the CLI: every answer row holds the input's columns with only
# the changed features different, re-scored by `verdict score` it crosses the threshold and gives
# the score column; immutable features stay; bad input is one stderr line, exit 2, no file.
set -uo pipefail
verdict=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# A small data set: age (immutable below), hours, a job category, whole-number gains; the label
# follows hours, gain and the job.
{
  echo "age,hours,job,gain,label"
  for i in $(seq 1 300); do
    hours=$((i * 7 % 41 + 20)) gain=$(( (i * 13 % 17 == 0) * (i * 37 % 9000) ))
    job=$(case $((i % 4)) in 0) echo clerk;; 1) echo nurse;; 2) echo pilot;; *) echo cook;; esac)
    score=$((hours + gain / 300 + (i % 4 == 2) * 8))
    echo "$((18 + i % 50)),$hours,$job,$gain,$([ $score -ge 45 ] && echo high || echo low)"
  done
} > "$tmp/train.csv"
"$verdict" train --data "$tmp/train.csv" --target label --positive high --rounds 30 --max-depth 3 --out "$tmp/model" > /dev/null 2>&1 ||
  { echo "FAIL: could not train the small model"; exit 1; }
head -41 "$tmp/train.csv" | cut -d, -f1-4 > "$tmp/rows.csv"

# 1. A good run: answers for most rows, each flips when scored again as a CSV. (age is
# immutable in the schema, as a describe file says.)
echo '{"features": {"age": {"immutable": true}}}' > "$tmp/immutable.json"
"$verdict" schema --model "$tmp/model" --describe "$tmp/immutable.json" > /dev/null
if "$verdict" counterfactual --model "$tmp/model" --data "$tmp/rows.csv" --out "$tmp/cf.csv" \
     --threshold 0.5 --threads 2 > "$tmp/stdout" 2> "$tmp/stderr"; then
  echo "ok: counterfactual ran: $(cat "$tmp/stdout")"
else
  echo "FAIL: counterfactual exited $?: $(cat "$tmp/stderr")"; failures=$((failures + 1))
fi
"$verdict" score --model "$tmp/model" --data "$tmp/rows.csv" --out "$tmp/before.txt" --digits 17 > /dev/null 2>&1
cut -d, -f1-4 "$tmp/cf.csv" > "$tmp/cf_inputs.csv"
"$verdict" score --model "$tmp/model" --data "$tmp/cf_inputs.csv" --out "$tmp/after.txt" --digits 17 > /dev/null 2>&1 ||
  { echo "FAIL: the answers' values do not score as a CSV"; failures=$((failures + 1)); }
if python3 - "$tmp/rows.csv" "$tmp/cf.csv" "$tmp/before.txt" "$tmp/after.txt" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
cf = list(csv.DictReader(open(sys.argv[2])))
before = [float(x) for x in open(sys.argv[3])]
after = [float(x) for x in open(sys.argv[4])]
assert list(cf[0].keys()) == ["age", "hours", "job", "gain", "row", "rank", "cost", "changed", "score", "method"], list(cf[0].keys())
assert len(cf) == len(after) and len(cf) >= len(rows), (len(cf), len(rows))
seen = {}
for a, p in zip(cf, after):
    r = int(a["row"]); src = rows[r]
    changed = a["changed"].split(";")
    assert 1 <= len(changed) <= 2 and "age" not in changed, a
    for col in ("age", "hours", "job", "gain"):
        assert (a[col] != src[col]) == (col in changed), (col, a, src)
    assert (p > 0.5) != (before[r] > 0.5), ("does not flip", a, p, before[r])
    assert abs(p - float(a["score"])) < 1e-9, (p, a["score"])
    assert a["method"] == "exact", a
    if "gain" in changed: assert float(a["gain"]) == int(float(a["gain"])), a  # whole-number column
    seen.setdefault(r, []).append((int(a["rank"]), float(a["cost"]), a["changed"]))
for r, answers in seen.items():
    assert [k for k, _, _ in answers] == list(range(1, len(answers) + 1)), answers
    assert [c for _, c, _ in answers] == sorted(c for _, c, _ in answers), answers
    assert len({s for _, _, s in answers}) == len(answers), answers  # a different feature set each
assert len(seen) >= len(rows) // 2, len(seen)
EOF
then
  echo "ok: every answer flips when scored again, only its changed columns differ"
else
  echo "FAIL: the answers"; failures=$((failures + 1))
fi

# 1b. explain --counterfactuals puts the same answers into review_batch.json.
if "$verdict" explain --model "$tmp/model" --data "$tmp/rows.csv" --out "$tmp/explain" --shap tree --threshold 0.5 \
     --counterfactuals 2 > /dev/null 2> "$tmp/stderr" &&
   python3 - "$tmp/explain/review_batch.json" "$tmp/cf.csv" <<'EOF'
import csv, json, sys
batch = json.load(open(sys.argv[1]))
cf = list(csv.DictReader(open(sys.argv[2])))
total = 0
for i, rec in enumerate(batch["records"]):
    want = [a for a in cf if int(a["row"]) == i]
    got = rec["counterfactuals"]
    assert len(got) == len(want), (i, got, want)
    for g, w in zip(got, want):
        assert ";".join(c["feature"] for c in g["changes"]) == w["changed"], (g, w)
        assert abs(g["cost"] - float(w["cost"])) <= 1e-9 * max(1, g["cost"]) and abs(g["score"] - float(w["score"])) <= 1e-9, (g, w)
        for c in g["changes"]:
            assert c["to"] == w[c["feature"]], (c, w)
    total += len(got)
assert total == len(cf), (total, len(cf))
EOF
then
  echo "ok: explain --counterfactuals adds the same answers to review_batch.json"
else
  echo "FAIL: explain --counterfactuals: $(cat "$tmp/stderr")"; failures=$((failures + 1))
fi

# 1c. --immutable adds to the schema's (age): hours may not change either.
if "$verdict" counterfactual --model "$tmp/model" --data "$tmp/rows.csv" --out "$tmp/cf_rest.csv" --immutable hours > /dev/null 2> "$tmp/stderr" &&
   python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); assert r and all(set(a["changed"].split(";")) <= {"job", "gain"} for a in r), r' "$tmp/cf_rest.csv"; then
  echo "ok: --immutable hours: every answer changes job or gain only"
else
  echo "FAIL: --immutable: $(cat "$tmp/stderr")"; failures=$((failures + 1))
fi

# 2. Three features: labelled heuristic where it finds one; the exact ones stay exact.
if "$verdict" counterfactual --model "$tmp/model" --data "$tmp/rows.csv" --out "$tmp/cf3.csv" --max-features 3 > /dev/null 2> "$tmp/stderr" &&
   python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); assert all((len(a["changed"].split(";")) == 3) == (a["method"] == "heuristic") for a in r), r' "$tmp/cf3.csv"; then
  echo "ok: --max-features 3 labels its three-feature answers heuristic"
else
  echo "FAIL: --max-features 3: $(cat "$tmp/stderr")"; failures=$((failures + 1))
fi

# 3. Bad input: exit 2, one stderr line with the text, no output file.
expect() {
  local name=$1 text=$2
  shift 3
  rm -rf "$tmp/bad"
  mkdir -p "$tmp/bad"
  "$@" > "$tmp/stdout" 2> "$tmp/stderr"
  local rc=$? lines files
  lines=$(wc -l < "$tmp/stderr")
  files=$(find "$tmp/bad" -type f 2>/dev/null | wc -l)
  if [ "$rc" != 2 ] || [ "$lines" != 1 ] || ! grep -qF -- "$text" "$tmp/stderr" || [ "$files" != 0 ]; then
    echo "FAIL: $name (exit $rc, $lines stderr lines, $files output files): $(head -c 300 "$tmp/stderr")"
    failures=$((failures + 1))
  else
    echo "ok: $name: $(cat "$tmp/stderr")"
  fi
}
cf() { "$verdict" counterfactual --model "$tmp/model" --out "$tmp/bad/cf.csv" "$@"; }
{ head -5 "$tmp/rows.csv"; echo "30,forty,nurse,0"; } > "$tmp/text.csv"
{ head -5 "$tmp/rows.csv" | cut -d, -f1-3; } > "$tmp/short.csv"
expect "unknown immutable feature" "--immutable: 'height' is not a feature of the model" -- cf --data "$tmp/rows.csv" --immutable height
expect "target delta on a binary model" "--target-delta is for regression models" -- cf --data "$tmp/rows.csv" --target-delta 1
expect "four features" "--max-features" -- cf --data "$tmp/rows.csv" --max-features 4
expect "threshold beyond 1" "--threshold" -- cf --data "$tmp/rows.csv" --threshold 1.5
expect "text in a numeric column" "text.csv:6" -- cf --data "$tmp/text.csv"
expect "a feature column missing" "gain" -- cf --data "$tmp/short.csv"
expect "no such data file" "nope.csv" -- cf --data "$tmp/nope.csv"

# 4. A regression model needs the move asked for.
awk -F, 'NR == 1 { print "age,hours,job,gain,pay"; next } { print $1 "," $2 "," $3 "," $4 "," ($2 * 10 + $4 / 100) }' "$tmp/train.csv" > "$tmp/reg.csv"
"$verdict" train --data "$tmp/reg.csv" --target pay --objective reg:squarederror --rounds 20 --out "$tmp/reg" > /dev/null 2>&1 ||
  { echo "FAIL: could not train the regression model"; exit 1; }
expect "explain --counterfactuals on a regression" "--counterfactuals is for classification models" -- "$verdict" explain --model "$tmp/reg" --data "$tmp/rows.csv" --out "$tmp/bad/x" --counterfactuals 2
expect "regression without --target-delta" "a regression model needs --target-delta" -- "$verdict" counterfactual --model "$tmp/reg" --data "$tmp/rows.csv" --out "$tmp/bad/cf.csv"
if "$verdict" counterfactual --model "$tmp/reg" --data "$tmp/rows.csv" --out "$tmp/cfr.csv" --target-delta 50 > /dev/null 2> "$tmp/stderr" &&
   cut -d, -f1-4 "$tmp/cfr.csv" > "$tmp/cfr_in.csv" &&
   "$verdict" score --model "$tmp/reg" --data "$tmp/cfr_in.csv" --out "$tmp/cfr_after.txt" --digits 17 > /dev/null 2>&1 &&
   "$verdict" score --model "$tmp/reg" --data "$tmp/rows.csv" --out "$tmp/cfr_before.txt" --digits 17 > /dev/null 2>&1 &&
   python3 - "$tmp/cfr.csv" "$tmp/cfr_before.txt" "$tmp/cfr_after.txt" <<'EOF'
import csv, sys
cf = list(csv.DictReader(open(sys.argv[1])))
before = [float(x) for x in open(sys.argv[2])]
after = [float(x) for x in open(sys.argv[3])]
assert cf, "no answers"
for a, p in zip(cf, after):
    assert p - before[int(a["row"])] >= 50, (a, p, before[int(a["row"])])
EOF
then
  echo "ok: regression: every answer moves the prediction up by at least 50"
else
  echo "FAIL: regression answers: $(cat "$tmp/stderr")"; failures=$((failures + 1))
fi

# --help explains every option.
help=$("$verdict" counterfactual --help)
for opt in --model --data --out --immutable --max-features --answers --threshold --target-delta --threads; do
  grep -q -- "$opt" <<< "$help" || { echo "FAIL: --help does not mention $opt"; failures=$((failures + 1)); }
done

echo "$failures failure(s)"
[ "$failures" = 0 ]
