#!/usr/bin/env bash
# verdict bias through the CLI: a good run writes Clarify's shape into analysis.json (keeping
# the keys `verdict explain` wrote); bad input gives one line on stderr, exit 2, no file.
set -uo pipefail
verdict=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# A small data set: facet "sex" (f is facet d), a group column "band" the model does not use.
{
  echo "age,sex,hours,band,label"
  for i in $(seq 1 80); do
    sex=$([ $((i % 3)) = 0 ] && echo f || echo m)
    hours=$((i * 7 % 13 + 30))
    label=$([ $hours -ge 37 ] && echo good || echo bad)
    echo "$((20 + i % 40)),$sex,$hours,$([ $((i % 2)) = 0 ] && echo young || echo old),$label"
  done
} > "$tmp/all.csv"
cut -d, -f1,2,3,5 "$tmp/all.csv" > "$tmp/train.csv"
"$verdict" train --data "$tmp/train.csv" --target label --positive good --rounds 5 --out "$tmp/model" > /dev/null 2>&1 ||
  { echo "FAIL: could not train the small model"; exit 1; }

# 1. A good run after `verdict explain`: bias keys added, explain's keys kept.
"$verdict" explain --model "$tmp/model" --data "$tmp/train.csv" --out "$tmp/out" --shap tree > /dev/null 2>&1 ||
  { echo "FAIL: explain"; exit 1; }
if "$verdict" bias --model "$tmp/model" --data "$tmp/all.csv" --label label --label-values good \
     --facet sex --facet-values f --group band --probability-threshold 0.5 --out "$tmp/out" > "$tmp/stdout" 2> "$tmp/stderr"; then
  echo "ok: bias ran"; sed 's/^/    /' "$tmp/stdout"
else
  echo "FAIL: bias exited $?: $(cat "$tmp/stderr")"; failures=$((failures + 1))
fi
if python3 - "$tmp/out/analysis.json" <<'EOF'
import json, math, sys
a = json.load(open(sys.argv[1]))
assert "explanations" in a, "explain's keys were not kept"
pre, post = a["pre_training_bias_metrics"], a["post_training_bias_metrics"]
want = {"pre": ["CDDL", "CI", "DPL", "JS", "KL", "KS", "LP", "TVD"],
        "post": ["AD", "CDDPL", "DAR", "DCA", "DCR", "DI", "DPPL", "DRR", "FT", "GE", "RD", "SD", "TE"]}
for key, s in (("pre", pre), ("post", post)):
    assert s["label"] == "label" and s["label_value_or_threshold"] == "good", s
    entries = s["facets"]["sex"]
    assert len(entries) == 1 and entries[0]["value_or_threshold"] == "f", entries
    e = entries[0]
    names = [m["name"] for m in e["metrics"]]
    assert names == want[key], names
    for m in e["metrics"]:
        assert m["description"].endswith("(" + m["name"] + ")"), m
        v = m["value"]
        assert (isinstance(v, float) or isinstance(v, int)) or v in ("Infinity", "-Infinity") or "error" in m, m
        if v in ("Infinity", "-Infinity"):
            assert "note" in m, m
    c = e["counts"]
    # rows 1..80, f every third row: 26 in facet d
    assert c["n"] == 80 and c["n_d"] == 26 and c["n_a"] == 54, c
    ci = next(m["value"] for m in e["metrics"] if m["name"] == "CI") if key == "pre" else None
    if key == "pre":
        assert abs(ci - (54 - 26) / 80) < 1e-12, ci
        dpl = next(m["value"] for m in e["metrics"] if m["name"] == "DPL")
        assert abs(dpl - (c["n_a_positive_labels"] / 54 - c["n_d_positive_labels"] / 26)) < 1e-12
    else:
        assert c["flip_test"]["k"] == 5, c
        assert sum(c["confusion_matrix_d"].values()) == 26, c
        assert post["probability_threshold"] == 0.5 and post["group_variable"] == "band"
print("analysis.json has Clarify's shape")
EOF
then echo "ok: analysis.json shape"; else echo "FAIL: analysis.json shape"; failures=$((failures + 1)); fi

# A failing run leaves an existing analysis.json as it was, and no temporaries.
before=$(md5sum < "$tmp/out/analysis.json")
"$verdict" bias --model "$tmp/model" --data "$tmp/all.csv" --facet sex --facet-values x --out "$tmp/out" > /dev/null 2>&1
if [ $? = 2 ] && [ "$(md5sum < "$tmp/out/analysis.json")" = "$before" ] && [ -z "$(find "$tmp/out" -name '*.tmp-*')" ]; then
  echo "ok: a failing run leaves analysis.json untouched"
else
  echo "FAIL: a failing run changed analysis.json"; failures=$((failures + 1))
fi

# 2. A numeric facet by threshold, pre-training only, into a fresh folder.
if "$verdict" bias --model "$tmp/model" --data "$tmp/all.csv" --label label --facet age --facet-threshold 40 \
     --methods pre --out "$tmp/out2" > /dev/null 2> "$tmp/stderr" &&
   python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); e=a["pre_training_bias_metrics"]["facets"]["age"][0]; assert e["value_or_threshold"]=="(40, 59]", e["value_or_threshold"]; assert "post_training_bias_metrics" not in a; assert [m for m in e["metrics"] if m["name"]=="CDDL"][0]["value"] is None' "$tmp/out2/analysis.json"; then
  echo "ok: facet threshold, pre only"
else
  echo "FAIL: facet threshold: $(cat "$tmp/stderr")"; failures=$((failures + 1))
fi

# 3. Bad input: exit 2, one stderr line with the text, no analysis.json.
expect() {
  local name=$1 text=$2
  shift 3
  rm -rf "$tmp/bad"
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
bias() { "$verdict" bias --model "$tmp/model" --data "$tmp/all.csv" --label label --out "$tmp/bad" "$@"; }

expect "unknown facet column" "--facet column 'gender' is not a column" -- bias --facet gender --facet-values f
expect "facet value never occurs" "facet value 'x' never occurs in column 'sex'" -- bias --facet sex --facet-values x
expect "label value never occurs" "label value 'great' never occurs in column 'label'" -- bias --facet sex --facet-values f --label-values great
expect "empty facet by threshold" "the facet is empty: no row of '$tmp/all.csv' has 'age' above 100 (the largest is 59)" -- bias --facet age --facet-threshold 100
expect "whole data in the facet" "facet a) is empty" -- bias --facet sex --facet-values f,m
expect "unknown group column" "--group column 'nope' is not a column" -- bias --facet sex --facet-values f --group nope
expect "unknown label column" "--label column 'y' is not a column" -- "$verdict" bias --model "$tmp/model" --data "$tmp/all.csv" --label y --facet sex --facet-values f --out "$tmp/bad"
expect "facet values and threshold" "not both" -- bias --facet age --facet-values 30 --facet-threshold 40
expect "text in a threshold facet" "--facet-threshold needs numbers" -- bias --facet sex --facet-threshold 1
expect "unknown method" "'during' is not one of pre, post" -- bias --facet sex --facet-values f --methods during

# --help explains every option.
help=$("$verdict" bias --help)
for opt in --model --data --out --label --label-values --label-threshold --facet --facet-values --facet-threshold \
           --group --probability-threshold --methods; do
  grep -q -- "$opt" <<< "$help" || { echo "FAIL: --help does not mention $opt"; failures=$((failures + 1)); }
done

echo "$failures failure(s)"
[ "$failures" = 0 ]
