#!/usr/bin/env bash
# Multi-class training: `verdict train` fits a 3-valued target with objective multi:softprob,
# writes a multiclass schema and metrics; the commands that do not handle K classes yet refuse
# the model with one clear line and exit 2.
set -uo pipefail
verdict=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Three outcomes from two numeric columns and a category; deterministic.
{
  echo "income,debt,region,outcome"
  for i in $(seq 1 150); do
    income=$((20 + (i * 37) % 80)); debt=$(((i * 53) % 60)); region=$([ $((i % 3)) = 0 ] && echo north || echo south)
    s=$((income - debt))
    if [ $s -lt 0 ]; then o=refuse; elif [ $s -lt 30 ]; then o=review; else o=approve; fi
    echo "$income,$debt,$region,$o"
  done
} > "$tmp/train.csv"

# expect NAME TEXT -- command...: exit 2 and exactly one stderr line holding TEXT.
expect() {
  local name=$1 text=$2
  shift 3
  "$@" > "$tmp/stdout" 2> "$tmp/stderr"
  local rc=$? lines
  lines=$(wc -l < "$tmp/stderr")
  if [ "$rc" != 2 ] || [ "$lines" != 1 ] || ! grep -qF -- "$text" "$tmp/stderr"; then
    fail "$name (exit $rc, $lines stderr lines): $(head -c 300 "$tmp/stderr")"
  else
    echo "ok: $name: $(cat "$tmp/stderr")"
  fi
}

expect "binary objective on 3 values" "3 distinct values; a binary model needs exactly 2 (for more classes, train with --param objective=multi:softprob" -- \
  "$verdict" train --data "$tmp/train.csv" --target outcome --rounds 3 --out "$tmp/bin"
expect "num_class that is not the label count" "--param num_class=4 but target 'outcome' has 3 distinct values" -- \
  "$verdict" train --data "$tmp/train.csv" --target outcome --rounds 3 --param objective=multi:softprob --param num_class=4 --out "$tmp/bad"
expect "a positive label for a multi-class target" "no positive label" -- \
  "$verdict" train --data "$tmp/train.csv" --target outcome --positive review --rounds 3 --param objective=multi:softprob --out "$tmp/bad"

if "$verdict" train --data "$tmp/train.csv" --target outcome --rounds 20 --max-depth 3 --threads 1 \
     --param objective=multi:softprob --param num_class=3 --out "$tmp/model" > "$tmp/train.log" 2>&1; then
  echo "ok: trained a multi:softprob model on a 3-valued target"
else
  fail "train multi:softprob: $(tail -3 "$tmp/train.log")"
fi
/usr/bin/python3 - "$tmp/model" <<'PY' || failures=$((failures + 1))
import json, sys
d = sys.argv[1]
schema = json.load(open(d + "/schema.json"))
model = json.load(open(d + "/model.json"))
metrics = json.load(open(d + "/metrics.json"))
learner = model["learner"]
checks = {
    "schema task multiclass": schema["task"] == "multiclass",
    "labels sorted, the class order": schema["target"]["labels"] == ["approve", "refuse", "review"],
    "no positive label": "positive_label" not in schema["target"],
    "class names for every label": sorted(schema["target"]["class_names"]) == ["approve", "refuse", "review"],
    "objective multi:softprob": learner["objective"]["name"] == "multi:softprob",
    "num_class 3": int(learner["learner_model_param"]["num_class"]) == 3,
    "3 trees a round": len(learner["gradient_booster"]["model"]["trees"]) == 60,
    "tree_info by class": learner["gradient_booster"]["model"]["tree_info"][:6] == [0, 1, 2, 0, 1, 2],
    "train accuracy above chance": metrics["train"]["accuracy"] > 0.8,
    "log loss below uniform": 0 < metrics["train"]["log_loss"] < 1.0986,
    "eval metric mlogloss": metrics["params"]["eval_metric"] == "mlogloss",
}
bad = [k for k, ok in checks.items() if not ok]
for k in checks:
    print(("FAIL: " if k in bad else "ok: ") + k)
sys.exit(1 if bad else 0)
PY

# Without --param num_class, the label count is used.
if "$verdict" train --data "$tmp/train.csv" --target outcome --rounds 2 --threads 1 --objective multi:softmax \
     --out "$tmp/softmax" > "$tmp/train2.log" 2>&1 && grep -q '"num_class": "3"' "$tmp/softmax/metrics.json"; then
  echo "ok: --objective multi:softmax takes num_class from the labels"
else
  fail "multi:softmax without num_class: $(tail -3 "$tmp/train2.log")"
fi

# The commands that read one margin per record refuse the model, one line, exit 2.
cut -d, -f1-3 "$tmp/train.csv" > "$tmp/features.csv"
expect "explain refuses a multi-class model" "objective 'multi:softprob' is not supported here" -- \
  "$verdict" explain --model "$tmp/model" --data "$tmp/train.csv" --out "$tmp/out"
expect "score refuses a multi-class model" "multi-class" -- \
  "$verdict" score --model "$tmp/model" --data "$tmp/features.csv" --out "$tmp/out/scores.txt"
expect "pack refuses a multi-class model" "multi-class" -- \
  "$verdict" pack --model "$tmp/model" --out "$tmp/out/model.bin"
expect "compile refuses a multi-class model" "multi-class" -- \
  "$verdict" compile --model "$tmp/model" --out "$tmp/out/lib"
expect "bias refuses a multi-class model" "multi-class" -- \
  "$verdict" bias --model "$tmp/model" --data "$tmp/train.csv" --label outcome --label-values approve --facet region --facet-values north --out "$tmp/out"
expect "retrain refuses a multi-class model" "multi-class" -- \
  "$verdict" retrain --model "$tmp/model" --train "$tmp/train.csv" --merged "$tmp/train.csv" --test "$tmp/train.csv" --out "$tmp/out"

echo "$failures failure(s)"
[ "$failures" = 0 ]
