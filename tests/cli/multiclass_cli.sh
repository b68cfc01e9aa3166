#!/usr/bin/env bash
# Multi-class models through the CLI: `verdict train` fits a 3-valued target with objective
# multi:softprob; explain (SHAP per class, Clarify's label0..labelK-1), score, compile, pack,
# bias (favourable classes), flows for K classes, the report, retrain, verdict run.
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

# ran NAME LOG -- command...: "ok: NAME" when it exits 0, else a failure with LOG's last lines.
ran() {
  local name=$1 log=$2
  shift 3
  if "$@" > "$log" 2>&1; then echo "ok: $name"; else fail "$name: $(tail -3 "$log")"; fi
}

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

ran "trained a multi:softprob model on a 3-valued target" "$tmp/train.log" -- \
  "$verdict" train --data "$tmp/train.csv" --target outcome --rounds 20 --max-depth 3 --threads 1 \
  --param objective=multi:softprob --param num_class=3 --out "$tmp/model"
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

# explain: SHAP per class (tree and baseline), in Clarify's layout for K classes.
ran "explain ran on a multi-class model" "$tmp/explain.log" -- \
  "$verdict" explain --model "$tmp/model" --data "$tmp/train.csv" --shap tree,baseline --threads 2 --out "$tmp/explain"
/usr/bin/python3 - "$tmp/explain" <<'PY' || failures=$((failures + 1))
import csv, json, math, sys
d = sys.argv[1]
a = json.load(open(d + "/analysis.json"))
b = json.load(open(d + "/review_batch.json"))
rows = list(csv.reader(open(d + "/explanations_shap/out.csv")))
preds = [list(map(float, l.split(","))) for l in open(d + "/predictions/train.csv.out")]
classes = ["approve", "refuse", "review"]
feats = ["income", "debt", "region"]
recs = b["records"]
def softmax(m):
    top = max(m); e = [math.exp(x - top) for x in m]; s = sum(e); return [x / s for x in e]
additive = all(abs(sum(r["shap"][meth][k]) + b["methods"][meth]["expected_value"][k] - r["margins"][k]) < 1e-9
               for r in recs for meth in ("tree", "baseline") for k in range(3))
checks = {
    "out.csv header: a block of the features per class": rows[0] == [f + "_label" + str(k) for k in range(3) for f in feats],
    "out.csv row = the record's tree SHAP, class blocks in order":
        all(abs(float(rows[i + 1][k * 3 + f]) - recs[i]["shap"]["tree"][k][f]) < 1e-8 for i in range(len(recs)) for k in range(3) for f in range(3)),
    "label0..label2 under each method": all(sorted(k for k in a["explanations"][m] if k.startswith("label") and k != "label_headers") == ["label0", "label1", "label2"]
                                           for m in ("tree_shap", "baseline_shap")),
    "label_headers name the classes in order": a["explanations"]["tree_shap"]["label_headers"] == classes,
    "expected values per class agree": [a["explanations"]["tree_shap"]["label%d" % k]["expected_value"] for k in range(3)] == b["methods"]["tree"]["expected_value"],
    "the batch names its classes": b["task"] == "multiclass" and b["classes"] == classes and b["link"] == "softmax",
    "additive per class: sum(phi_k) + phi0_k = margin_k (tree, baseline)": additive,
    "probabilities = softmax(margins)": all(abs(p - q) < 1e-12 for r in recs for p, q in zip(softmax(r["margins"]), r["probabilities"])),
    "predicted class = the most probable": all(r["predicted_label"] == classes[r["predicted_class"]] and
                                               r["probabilities"][r["predicted_class"]] == max(r["probabilities"]) for r in recs),
    "predictions: 3 probabilities a line, summing to 1": len(preds) == 150 and all(len(p) == 3 and abs(sum(p) - 1) < 1e-8 for p in preds),
    "predictions = the batch's probabilities": all(abs(p[k] - r["probabilities"][k]) < 1e-9 for p, r in zip(preds, recs) for k in range(3)),
    "model performance: accuracy, log loss, a 3x3 confusion matrix":
        a["model_performance"]["accuracy"] > 0.8 and sum(sum(v.values()) for v in a["model_performance"]["confusion_matrix"].values()) == 150,
}
# global SHAP (mean |phi|) per class from the records
for k in range(3):
    for f, name in enumerate(feats):
        want = sum(abs(r["shap"]["tree"][k][f]) for r in recs) / len(recs)
        checks.setdefault("global SHAP per class = mean |phi| of the records", True)
        if abs(a["explanations"]["tree_shap"]["label%d" % k]["global_shap_values"][name] - want) > 1e-9:
            checks["global SHAP per class = mean |phi| of the records"] = False
bad = [k for k, ok in checks.items() if not ok]
for k in checks:
    print(("FAIL: " if k in bad else "ok: ") + k)
sys.exit(1 if bad else 0)
PY

# Kernel SHAP per class (margin units): with 3 features its auto sample count enumerates every
# coalition, so it equals exact baseline SHAP over the same reference, class by class.
"$verdict" explain --model "$tmp/model" --data "$tmp/train.csv" --shap baseline,kernel --limit 30 \
  --out "$tmp/kernel" > /dev/null 2>&1 || fail "explain --shap baseline,kernel"
/usr/bin/python3 - "$tmp/kernel" <<'PY' && echo "ok: Kernel SHAP per class = exact baseline SHAP per class" || fail "Kernel SHAP per class"
import json, sys
b = json.load(open(sys.argv[1] + "/review_batch.json"))
worst = max(abs(x - y) for r in b["records"] for k in range(3)
            for x, y in zip(r["shap"]["baseline"][k], r["shap"]["kernel"][k]))
sys.exit(0 if len(b["records"]) == 30 and worst < 1e-9 else 1)
PY

# bias: label_values_or_threshold picks the favourable classes (approve, review); predicted
# favourable = the predicted class is one of them. The confusion tables and DPL, DPPL, DI, AD
# against tables counted here from the labels and explain's predicted classes.
ran "bias ran on a multi-class model" "$tmp/bias.log" -- \
  "$verdict" bias --model "$tmp/model" --data "$tmp/train.csv" --label outcome --label-values approve,review \
  --facet region --facet-values north --out "$tmp/explain"
/usr/bin/python3 - "$tmp/explain" "$tmp/train.csv" <<'PY' || failures=$((failures + 1))
import csv, json, sys
d, data = sys.argv[1], sys.argv[2]
a = json.load(open(d + "/analysis.json"))
recs = json.load(open(d + "/review_batch.json"))["records"]
rows = list(csv.DictReader(open(data)))
fav = {"approve", "review"}
t = {g: {"TP": 0, "FP": 0, "FN": 0, "TN": 0} for g in "ad"}
for row, rec in zip(rows, recs):
    g = "d" if row["region"] == "north" else "a"
    obs, pred = row["outcome"] in fav, rec["predicted_label"] in fav
    t[g][("T" if obs == pred else "F") + ("P" if pred else "N")] += 1
def n(g): return sum(t[g].values())
def q(g): return (t[g]["TP"] + t[g]["FN"]) / n(g)      # observed favourable
def qp(g): return (t[g]["TP"] + t[g]["FP"]) / n(g)     # predicted favourable
def acc(g): return (t[g]["TP"] + t[g]["TN"]) / n(g)
pre = {m["name"]: m["value"] for m in a["pre_training_bias_metrics"]["facets"]["region"][0]["metrics"]}
post_entry = a["post_training_bias_metrics"]["facets"]["region"][0]
post = {m["name"]: m["value"] for m in post_entry["metrics"]}
counts = post_entry["counts"]
checks = {
    "predicted classes vary (the test means something)": len({r["predicted_label"] for r in recs}) == 3,
    "confusion table of facet a": counts["confusion_matrix_a"] == t["a"],
    "confusion table of facet d": counts["confusion_matrix_d"] == t["d"],
    "DPL = q_a - q_d": abs(pre["DPL"] - (q("a") - q("d"))) < 1e-12,
    "DPPL = q'_a - q'_d": abs(post["DPPL"] - (qp("a") - qp("d"))) < 1e-12,
    "DI = q'_d / q'_a": abs(post["DI"] - qp("d") / qp("a")) < 1e-12,
    "AD = acc_a - acc_d": abs(post["AD"] - (acc("a") - acc("d"))) < 1e-12,
    "the label's favourable classes written as given": a["post_training_bias_metrics"]["label_value_or_threshold"] == "approve,review",
}
bad = [k for k, ok in checks.items() if not ok]
for k in checks:
    print(("FAIL: " if k in bad else "ok: ") + k)
sys.exit(1 if bad else 0)
PY

# A flow for K classes: a close call (top two within 0.3) or a predicted "refuse" goes to people.
"$verdict" flow create --db "$tmp/review.db" --name close-calls --predicted-class-in refuse \
  --top-two-margin-below 0.3 --records-per-task 1 > "$tmp/flow.log" 2>&1 || fail "flow create: $(tail -2 "$tmp/flow.log")"
"$verdict" review start --db "$tmp/review.db" --flow close-calls --batch "$tmp/explain" > "$tmp/start.log" 2>&1 ||
  fail "review start on a multi-class batch: $(tail -2 "$tmp/start.log")"
/usr/bin/python3 - "$tmp/explain/review_batch.json" "$tmp/start.log" <<'PY' || failures=$((failures + 1))
import json, re, sys
recs = json.load(open(sys.argv[1]))["records"]
def close(r):
    p = sorted(r["probabilities"], reverse=True)
    return p[0] - p[1] < 0.3 or r["predicted_label"] == "refuse"
want = sum(close(r) for r in recs)
m = re.search(r"started (\d+) human loop\(s\) .* with (\d+) of 150 records", open(sys.argv[2]).read())
ok = m is not None and 0 < want < 150 and int(m.group(2)) == want and int(m.group(1)) == want
print(("ok: " if ok else "FAIL: ") + "the flow's K-class conditions pick %d of 150 records (%s)" % (want, m.group(0) if m else "no summary"))
sys.exit(0 if ok else 1)
PY
if /usr/bin/python3 - "$tmp/review.db" <<'PY'
import json, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT input_content FROM loops").fetchall()
recs = [r for (c,) in rows for r in json.loads(c)["records"]]
sys.exit(0 if recs and all(len(r["probabilities"]) == 3 and len(r["shap"]["tree"]) == 3 and "predicted_class" in r for r in recs) else 1)
PY
then
  echo "ok: every loop's record carries each class's probability and SHAP"
else
  fail "a loop's record without its probabilities or per-class SHAP"
fi
/usr/bin/python3 -c '
import json, sys
b = json.load(open(sys.argv[1])); b["records"][2]["probabilities"] = [0.5]
json.dump(b, open(sys.argv[2], "w"))' "$tmp/explain/review_batch.json" "$tmp/bad_batch.json"
expect "a record with one probability for 3 classes" "review batch record 3: a multi-class decision needs one probability per class (3 classes, 1 probabilities)" -- \
  "$verdict" review start --db "$tmp/review.db" --flow close-calls --batch "$tmp/bad_batch.json"
expect "top_two_margin_below out of range" "'top_two_margin_below' must be a number above 0 and at most 1" -- \
  "$verdict" flow create --db "$tmp/review.db" --name bad --top-two-margin-below 2

# The report: the drawn class's SHAP values (--class), every class's global values, the K x K
# confusion matrix; a class the model does not have is refused.
ran "report of a multi-class model" "$tmp/report.log" -- \
  "$verdict" report --analysis "$tmp/explain" --model "$tmp/model" --class review --no-pdf --out "$tmp/report.html"
/usr/bin/python3 - "$tmp/explain/analysis.json" "$tmp/report.html" <<'PY' || failures=$((failures + 1))
import json, sys
a = json.load(open(sys.argv[1]))["explanations"]["tree_shap"]
html = open(sys.argv[2]).read()
ev = a["label2"]["expected_value"]  # class 'review'
checks = {
    "the drawn class is named": "class <b>review</b>" in html,
    "its expected value is the one shown": ("E[f(X)] = <b>%.4f</b>" % ev) in html,
    "a table of every class": "<h3>Every class</h3>" in html and all(">%s<" % c in html for c in ("approve", "refuse", "review")),
    "the K x K confusion matrix": "Observed" in html and "most probable class" in html,
}
bad = [k for k, ok in checks.items() if not ok]
for k in checks:
    print(("FAIL: " if k in bad else "ok: ") + "report: " + k)
sys.exit(1 if bad else 0)
PY
expect "report --class that is not a class" "--class 'maybe' is not a class of the model (approve, refuse, review)" -- \
  "$verdict" report --analysis "$tmp/explain" --class maybe --no-pdf --out "$tmp/bad.html"

# verdict run: the demo's 3-class config (smaller) end to end — data, train, explain, bias,
# report, flow, loops.
root=$(cd "$(dirname "$0")/../.." && pwd)
/usr/bin/python3 - "$root/configs/loan-3way.json" "$tmp/run.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["dataset"]["fetch_options"]["rows"] = 3000
c["model"]["rounds"] = 20
c["output"] = "run"
json.dump(c, open(sys.argv[2], "w"))
PY
if (cd "$tmp" && "$verdict" run run.json > run.log 2>&1) &&
   grep -q "steps:.*report.*flow.*review" "$tmp/run.log" && [ -s "$tmp/run/report.html" ] &&
   grep -q '"label_headers"' "$tmp/run/explain/analysis.json" && grep -q '"post_training_bias_metrics"' "$tmp/run/explain/analysis.json" &&
   grep -Eq "started [1-9][0-9]* human loop" "$tmp/run.log"; then
  echo "ok: verdict run configs/loan-3way.json (smaller): data, train, explain, bias, report, flow, loops"
else
  fail "verdict run of the 3-class config: $(grep -v '%' "$tmp/run.log" | tail -3)"
fi

# Counterfactuals for K classes: each answer, re-scored by `verdict score`, is predicted another
# class than its record (the class column says which, the score is its probability).
cut -d, -f1-3 "$tmp/train.csv" | head -41 > "$tmp/rows.csv"
ran "counterfactual of a multi-class model" "$tmp/cf.log" -- \
  "$verdict" counterfactual --model "$tmp/model" --data "$tmp/rows.csv" --out "$tmp/cf.csv"
cut -d, -f1-3 "$tmp/cf.csv" > "$tmp/cf_rows.csv"
"$verdict" score --model "$tmp/model" --data "$tmp/cf_rows.csv" --digits 17 --out "$tmp/cf_scores.txt" > /dev/null 2>&1
"$verdict" score --model "$tmp/model" --data "$tmp/rows.csv" --digits 17 --out "$tmp/row_scores.txt" > /dev/null 2>&1
/usr/bin/python3 - "$tmp/cf.csv" "$tmp/cf_scores.txt" "$tmp/row_scores.txt" <<'PY' || failures=$((failures + 1))
import csv, sys
classes = ["approve", "refuse", "review"]
answers = list(csv.DictReader(open(sys.argv[1])))
after = [list(map(float, l.split(","))) for l in open(sys.argv[2])]
before = [list(map(float, l.split(","))) for l in open(sys.argv[3])]
top = lambda p: p.index(max(p))
ok = len(answers) > 20 and all(
    top(p) != top(before[int(a["row"])]) and classes[top(p)] == a["class"] and abs(float(a["score"]) - max(p)) < 1e-9
    for a, p in zip(answers, after))
print(("ok: " if ok else "FAIL: ") + "counterfactual: %d answers, each re-scored to another class (the class column's)" % len(answers))
sys.exit(0 if ok else 1)
PY
expect "counterfactual --threshold on a multi-class model" "--threshold does not apply to a multi-class model" -- \
  "$verdict" counterfactual --model "$tmp/model" --data "$tmp/rows.csv" --threshold 0.4 --out "$tmp/cf_bad.csv"

# Sharded and merged: the same files as one run (6,000 rows: two blocks of 4,096, one a shard).
{ head -1 "$tmp/train.csv"; for _ in $(seq 40); do tail -n +2 "$tmp/train.csv"; done; } > "$tmp/big.csv"
"$verdict" explain --model "$tmp/model" --data "$tmp/big.csv" --shap tree,baseline --out "$tmp/whole" > /dev/null 2>&1 || fail "explain big.csv"
for i in 0 1; do
  "$verdict" explain --model "$tmp/model" --data "$tmp/big.csv" --shap tree,baseline --threads 1 --shard $i/2 \
    --out "$tmp/shard$i" > /dev/null 2>&1 || fail "explain --shard $i/2"
done
if "$verdict" explain-merge --out "$tmp/merged" "$tmp/shard0" "$tmp/shard1" > /dev/null 2>&1 &&
   grep -Eq '"rows": ?4096' "$tmp/shard0/shard.json" &&
   cmp -s "$tmp/merged/analysis.json" "$tmp/whole/analysis.json" &&
   cmp -s "$tmp/merged/review_batch.json" "$tmp/whole/review_batch.json" &&
   cmp -s "$tmp/merged/explanations_shap/out.csv" "$tmp/whole/explanations_shap/out.csv" &&
   cmp -s "$tmp/merged/predictions/big.csv.out" "$tmp/whole/predictions/big.csv.out"; then
  echo "ok: two shards merged = one run (analysis.json, review_batch.json, out.csv)"
else
  fail "merged shards differ from one run"
fi

# The commands that read one margin per record refuse the model, one line, exit 2.
cut -d, -f1-3 "$tmp/train.csv" > "$tmp/features.csv"
if "$verdict" score --model "$tmp/model" --data "$tmp/features.csv" --out "$tmp/scores.txt" > /dev/null 2>&1 &&
   cmp -s "$tmp/scores.txt" "$tmp/explain/predictions/train.csv.out"; then
  echo "ok: score writes K probabilities a line, the same as explain's predictions"
else
  fail "score of a multi-class model differs from explain's predictions"
fi
if "$verdict" pack --model "$tmp/model" --out "$tmp/model.bin" > /dev/null 2>&1 &&
   [ "$(head -c 9 "$tmp/model.bin" | tail -c 1 | od -An -tu1 | tr -d ' ')" = 2 ]; then
  echo "ok: pack writes a multi-class model as version 2 (with the class of each tree)"
else
  fail "pack of a multi-class model"
fi
# The compiled model (plain and quantized): K margins a row, bit for bit the loaded forest's.
"$verdict" score --model "$tmp/model" --data "$tmp/features.csv" --margin --digits 17 --out "$tmp/margins.txt" > /dev/null 2>&1
for q in "" --quantize; do
  if "$verdict" compile --model "$tmp/model" $q --out "$tmp/lib$q" > "$tmp/compile.log" 2>&1 &&
     "$verdict" score --model "$tmp/model" --compiled "$tmp/lib$q" --data "$tmp/features.csv" --margin --digits 17 \
       --out "$tmp/margins_compiled.txt" > /dev/null 2>&1 &&
     cmp -s "$tmp/margins.txt" "$tmp/margins_compiled.txt" && [ "$(head -1 "$tmp/margins.txt" | tr , '\n' | wc -l)" = 3 ]; then
    echo "ok: compiled ${q:-plain}: 3 margins a row, bit-identical to the loaded forest"
  else
    fail "compiled ${q:-plain} multi-class model: $(tail -2 "$tmp/compile.log")"
  fi
done
# retrain: the same parameters on the training rows plus reviewed ones; the test metrics before
# (the previous model's, K probabilities a row) and after.
head -31 "$tmp/train.csv" > "$tmp/reviewed.csv"
ran "retrain of a multi-class model" "$tmp/retrain.log" -- \
  "$verdict" retrain --model "$tmp/model" --train "$tmp/train.csv" --merged "$tmp/reviewed.csv" --test "$tmp/train.csv" --out "$tmp/model2"
/usr/bin/python3 - "$tmp/model2/metrics.json" "$tmp/model/metrics.json" <<'PY' || failures=$((failures + 1))
import json, sys
new, old = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
checks = {
    "the previous model's test metrics = its training-time figures on the same rows":
        abs(new["previous_test"]["accuracy"] - old["train"]["accuracy"]) < 1e-12 and abs(new["previous_test"]["log_loss"] - old["train"]["log_loss"]) < 1e-6,  # training: XGBoost's float32 predictions
    "30 reviewed rows added": new["ground_truth_rows"] == 30,
    "the change in accuracy and log loss": set(new["test_change"]) == {"accuracy", "log_loss"},
    "still 3 classes": new["params"]["num_class"] == "3",
}
bad = [k for k, ok in checks.items() if not ok]
for k in checks:
    print(("FAIL: " if k in bad else "ok: ") + "retrain: " + k)
sys.exit(1 if bad else 0)
PY

echo "$failures failure(s)"
[ "$failures" = 0 ]
