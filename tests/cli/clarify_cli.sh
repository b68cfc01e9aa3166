#!/usr/bin/env bash
# verdict clarify: SageMaker Clarify's analysis_config.json as it is.
#  1. Abalone: the pipeline's Lambda config (configs/clarify/abalone_analysis_config.json)
#     unchanged, on a headerless dataset (label first) with Sex label-encoded and a headerless
#     baseline.csv holding Sex's code: Clarify's layout, the report in HTML, PDF and notebook;
#     the same data as JSON lines; save_local_shap_values false and agg_method median.
#  2. Adult with Sex label-encoded (0/1): facet [0] is the category 0 (women), not a threshold;
#     "Ethnic group" (by index) one value against all; the label by index; metric selection by
#     name (DCAcc read as DCA); partial dependence; the metrics and the model performance
#     recomputed here by hand from the data and the predictions.
#  3. The bugs of issue 16 through `verdict explain` and `verdict run`: a baseline of label codes,
#     an unseen category, a headerless baseline, an inline baseline in a dry run and a real run;
#     `verdict run` pointing at a Clarify config.
# Usage: clarify_cli.sh VERDICT. Exit 77 (skipped) without a data mirror.
set -uo pipefail
verdict=$1
here=$(cd "$(dirname "$0")" && pwd)
mirror=${VERDICT_DATA_MIRROR:-}
if [ -z "$mirror" ] || [ ! -f "$mirror/abalone/abalone.data" ] || [ ! -f "$mirror/adult/adult.data" ]; then
  echo "SKIPPED: VERDICT_DATA_MIRROR is not set to a folder holding abalone/ and adult/"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp"

# --- 1. Abalone, the Lambda config unchanged -------------------------------------------------
"$verdict" data abalone --out abalone > /dev/null 2>&1 || fail "verdict data abalone"
"$verdict" train --data abalone/train.csv --test abalone/test.csv --objective reg:squarederror --target Rings \
  --rounds 40 --out abalone-model > /dev/null 2>&1 || fail "training abalone"
mkdir lambda
cp "$here/../../configs/clarify/abalone_analysis_config.json" lambda/analysis_config.json
python3 - <<'PY' || fail "making the abalone dataset"
import csv
rows = list(csv.reader(open("abalone/test.csv")))
h = rows[0]
code = {"F": "0", "I": "1", "M": "2"}  # LabelEncoder's codes (sorted)
with open("lambda/dataset.csv", "w") as f:  # headerless, the label Rings first, as the config's headers say
    w = csv.writer(f, lineterminator="\n")
    for r in rows[1:]:
        d = dict(zip(h, r))
        w.writerow([d["Rings"], code[d["Sex"]]] + [d[c] for c in h[1:8]])
with open("lambda/baseline.csv", "w") as f:  # Clarify's baseline.csv: no header, no label, Sex as a code
    f.write("1,0.52,0.41,0.14,0.83,0.36,0.18,0.24\n")
PY
(cd lambda && "$verdict" clarify --config analysis_config.json --dataset dataset.csv --model ../abalone-model \
  --out result > ../lambda.log 2> ../lambda.err) || fail "abalone clarify: $(tail -3 lambda.err)"
[ "$(grep -c 'not used: predictor' lambda.log)" = 1 ] || fail "the ignored predictor is not named once: $(cat lambda.log)"
grep -q "dataset column 'Sex' holds label-encoded categories; read as 0=F, 1=I, 2=M" lambda.log || fail "no note on Sex codes"
grep -q "baseline column 'Sex' holds label-encoded categories" lambda.err || fail "no note on the baseline's codes"
grep -q "partial" lambda.log && fail "the log names the staging folder: $(cat lambda.log)"
/usr/bin/python3 - <<'PY' || exit 1  # Debian's python3: nbformat
import csv, json
r = "lambda/result"
a = json.load(open(f"{r}/analysis.json"))
features = ["Sex", "Length", "Diameter", "Height", "Whole weight", "Shucked weight", "Viscera weight", "Shell weight"]
k = a["explanations"]["kernel_shap"]
g = k["label0"]["global_shap_values"]
assert sorted(g) == sorted(features), g
assert all(v >= 0 for v in g.values()) and g["Sex"] > 0, g
assert isinstance(k["label0"]["expected_value"], float)
assert k["num_samples"] == 20 and k["agg_method"] == "mean_abs" and k["use_logit"] is False, k
# Bug (b): the baseline's Sex code 1 is the category I (code 1), not a missing value.
assert k["baseline"][0] == 1.0, k["baseline"]
assert "baseline_shap" in a["explanations"]  # the exact values against the same baseline, beside
local = list(csv.reader(open(f"{r}/explanations_shap/out.csv")))
assert local[0] == features and len(local) == 1 + 835, (local[0], len(local))
assert open(f"{r}/explanations_shap/baseline.csv").read() == "1,0.52,0.41,0.14,0.83,0.36,0.18,0.24\n"
report_html = open(f"{r}/report.html").read()
assert "Analysis Report" in report_html
# The report names the folder and data set the user gave, not the staging and scratch copies.
assert ".partial-" not in report_html and "verdict-clarify-" not in report_html, "the report names a scratch path"
assert "dataset.csv</code>" in report_html
assert open(f"{r}/report.pdf", "rb").read(5) == b"%PDF-"
nb = json.load(open(f"{r}/report.ipynb"))
assert nb["nbformat"] == 4 and nb["metadata"]["title"] == "Analysis Report", nb["metadata"]
kinds = [c["cell_type"] for c in nb["cells"]]
assert kinds[0] == "markdown" and "code" in kinds, kinds
html = "".join("".join(o["data"]["text/html"]) for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"])
assert "<svg" in html and "Explanations (SHAP)" in html, "notebook lacks the figures"
import nbformat  # Debian's python3-nbformat (scripts/setup)
nbformat.validate(nbformat.read(f"{r}/report.ipynb", as_version=4))
print("report.ipynb: nbformat.validate passed")
print(f"ok: abalone Lambda config unchanged: kernel_shap over {len(local) - 1} records, Sex {g['Sex']:.3f}")
PY
[ $? = 0 ] || exit 1

# The same data as application/jsonlines: a list of features and a label per line.
python3 - <<'PY' || fail "making the JSON lines dataset"
import csv, json
c = json.load(open("lambda/analysis_config.json"))
h = c["headers"]
c["dataset_type"] = "application/jsonlines"
c["headers"] = h[1:] + h[:1]  # the features, then the label (Clarify's order for JSON lines)
c["features"] = "features"
c["methods"].pop("report")
json.dump(c, open("lambda/jsonl_config.json", "w"))
with open("lambda/dataset.jsonl", "w") as f:
    for r in csv.reader(open("lambda/dataset.csv")):
        f.write(json.dumps({"features": [int(r[1])] + [float(x) for x in r[2:]], "Rings": int(r[0])}) + "\n")
PY
(cd lambda && "$verdict" clarify --config jsonl_config.json --dataset dataset.jsonl --model ../abalone-model \
  --out result-jsonl > /dev/null 2> ../err) || fail "jsonlines clarify: $(tail -3 err)"
python3 - <<'PY' || fail "JSON lines and CSV disagree"
import json
a = json.load(open("lambda/result/analysis.json"))["explanations"]["kernel_shap"]["label0"]
b = json.load(open("lambda/result-jsonl/analysis.json"))["explanations"]["kernel_shap"]["label0"]
assert a["global_shap_values"] == b["global_shap_values"] and a["expected_value"] == b["expected_value"], (a, b)
PY
echo "ok: the same data as application/jsonlines gives the same SHAP values"

# save_local_shap_values false, agg_method median.
python3 -c "
import json; c = json.load(open('lambda/analysis_config.json'))
c['methods']['shap'].update(save_local_shap_values=False, agg_method='median'); c['methods'].pop('report')
json.dump(c, open('lambda/median_config.json', 'w'))"
(cd lambda && "$verdict" clarify --config median_config.json --dataset dataset.csv --model ../abalone-model \
  --out result-median > /dev/null 2> ../err) || fail "median clarify: $(tail -3 err)"
[ ! -e lambda/result-median/explanations_shap/out.csv ] && [ -s lambda/result-median/explanations_shap/baseline.csv ] ||
  fail "save_local_shap_values false: $(ls lambda/result-median/explanations_shap)"
python3 -c "
import json; k = json.load(open('lambda/result-median/analysis.json'))['explanations']['kernel_shap']
assert k['agg_method'] == 'median', k['agg_method']" || fail "agg_method median"
echo "ok: save_local_shap_values false leaves out the local values; agg_method median"

# Config fields the data or the model cannot honour: one line naming the config, nothing written.
python3 -c "
import json; c = json.load(open('lambda/analysis_config.json')); c['label'] = 'Age'; json.dump(c, open('lambda/nolabel.json', 'w'))
c = json.load(open('lambda/analysis_config.json')); c['methods']['shap']['use_logit'] = True; json.dump(c, open('lambda/logit.json', 'w'))"
for bad in nolabel logit; do
  (cd lambda && "$verdict" clarify --config $bad.json --dataset dataset.csv --model ../abalone-model --out result-$bad \
    > /dev/null 2> ../err) && fail "$bad.json was accepted"
  [ "$(wc -l < err)" = 1 ] && grep -q "^verdict: error: $bad.json: " err || fail "$bad.json: $(cat err)"
  [ ! -e lambda/result-$bad ] && ! ls lambda | grep -q partial || fail "$bad.json left output behind"
done
echo "ok: a label the dataset lacks and use_logit on a regression stop with one line naming the config"

# A baseline holding a category the model never saw: one line naming the file, line and column.
cp -r lambda lambda-bad && rm -rf lambda-bad/result
printf '1,0.52,0.41,0.14,0.83,0.36,0.18,0.24\nX,0.5,0.4,0.1,0.8,0.3,0.1,0.2\n' > lambda-bad/baseline.csv
(cd lambda-bad && "$verdict" clarify --config analysis_config.json --dataset dataset.csv --model ../abalone-model \
  --out result --no-pdf > /dev/null 2> ../err) && fail "an unseen baseline category was accepted"
grep -q "verdict: error: baseline.csv:2: baseline column 'Sex' holds \"X\"" err || fail "message: $(cat err)"
[ "$(grep -c 'error' err)" = 1 ] || fail "more than one error line: $(cat err)"
[ ! -e lambda-bad/result ] && ! ls lambda-bad | grep -q partial || fail "a failed run left output behind"
echo "ok: an unseen baseline category stops the run with one line, nothing written"

# Bug (d) and (b) through verdict explain: a headerless baseline of codes is read as the schema's features.
head -1 abalone/test.csv > /dev/null
"$verdict" explain --model abalone-model --data abalone/test.csv --out explain-codes --shap baseline \
  --baseline lambda/baseline.csv > /dev/null 2> err || fail "explain with a headerless baseline: $(cat err)"
python3 -c "
import json; b = json.load(open('explain-codes/analysis.json'))['explanations']['baseline_shap']['baseline']
assert b[0] == 1.0 and abs(b[1] - 0.52) < 1e-6, b" || fail "explain's baseline row"
{ echo "Sex,Length,Diameter,Height,Whole weight,Shucked weight,Viscera weight,Shell weight"; cat lambda/baseline.csv; } > header-codes.csv
"$verdict" explain --model abalone-model --data abalone/test.csv --out explain-header-codes --shap baseline \
  --baseline header-codes.csv > /dev/null 2> err || fail "explain with a baseline of codes under a header: $(cat err)"
grep -q "baseline column 'Sex' holds label-encoded categories; read as 0=F, 1=I, 2=M" err || fail "no note: $(cat err)"
cmp -s explain-codes/analysis.json explain-header-codes/analysis.json || fail "a header changes how the baseline is read"
echo "ok: verdict explain reads a headerless baseline of label codes, and the same under a header (with a note)"

# --- 2. Adult with Sex label-encoded, a one-vs-all facet, metrics by name --------------------
"$verdict" data adult --out adult > /dev/null 2>&1 || fail "verdict data adult"
python3 - <<'PY' || fail "label-encoding Sex"
import csv
for name, limit in (("train", 6000), ("test", 2000)):
    rows = list(csv.reader(open(f"adult/{name}.csv")))
    h = rows[0]
    s = h.index("Sex")
    with open(f"adult/{name}-coded.csv", "w") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(h)
        for r in rows[1:limit + 1]:
            r[s] = {"Female": "0", "Male": "1"}[r[s]]
            w.writerow(r)
PY
"$verdict" train --data adult/train-coded.csv --test adult/test-coded.csv --target Target --positive '>50K' \
  --rounds 40 --out adult-model > /dev/null 2>&1 || fail "training adult"
python3 - <<'PY' || fail "making the adult config"
import csv, json
rows = list(csv.reader(open("adult/test-coded.csv")))
h = rows[0]
label = h.index("Target")
config = {
  "dataset_type": "text/csv",
  "headers": h,
  "label": label,  # by index
  "label_values_or_threshold": [">50K"],
  "facet": [{"name_or_index": "Sex", "value_or_threshold": [0]}, {"name_or_index": h.index("Ethnic group")}],
  "group_variable": "Education",
  "probability_threshold": 0.6,
  "methods": {
    "shap": {"baseline": [[c for i, c in enumerate(rows[1]) if i != label]], "num_samples": 64,
             "agg_method": "mean_abs", "use_logit": True, "save_local_shap_values": True, "seed": 3},
    "pre_training_bias": {"methods": "all"},
    "post_training_bias": {"methods": ["DPPL", "DI", "DCAcc", "SD"]},
    "pdp": {"features": ["Age", "Sex"], "grid_resolution": 5},
    "report": {"name": "adult", "title": "Adult, label-encoded"}
  },
  "predictor": {"model_name": "placeholder", "instance_type": "ml.m5.xlarge", "initial_instance_count": 1}
}
json.dump(config, open("adult.json", "w"), indent=1)
PY
"$verdict" clarify --config adult.json --dataset adult/test-coded.csv --model adult-model --out adult-out --no-pdf \
  > adult.log 2> adult.err || fail "adult clarify: $(tail -3 adult.err)"
python3 - <<'PY' || exit 1
import csv, json
rows = list(csv.reader(open("adult/test-coded.csv")))
h, rows = rows[0], rows[1:]
col = {n: i for i, n in enumerate(h)}
pos = [r[col["Target"]] == ">50K" for r in rows]
prob = [float(x) for x in open("adult-out/predictions/test-coded.csv.out")]
pred = [p > 0.6 for p in prob]  # one rule: positive when p > threshold
n = len(rows)
a = json.load(open("adult-out/analysis.json"))
pre, post = a["pre_training_bias_metrics"], a["post_training_bias_metrics"]
assert pre["label"] == "Target" and pre["label_value_or_threshold"] == ">50K", pre["label"]
assert pre["group_variable"] == "Education"

def metrics(entry):
    return {m["name"]: m["value"] for m in entry["metrics"]}

# Sex: [0] is the category 0 (women), not the threshold "above 0" (which would be men).
sex = pre["facets"]["Sex"]
assert len(sex) == 1 and sex[0]["value_or_threshold"] == "0", sex[0]["value_or_threshold"]
d = [r[col["Sex"]] == "0" for r in rows]
n_d = sum(d); n_a = n - n_d
assert sex[0]["counts"]["n_d"] == n_d, (sex[0]["counts"], n_d)
q_a = sum(p for p, x in zip(pos, d) if not x) / n_a
q_d = sum(p for p, x in zip(pos, d) if x) / n_d
m = metrics(sex[0])
assert abs(m["CI"] - (n_a - n_d) / n) < 1e-9 and abs(m["DPL"] - (q_a - q_d)) < 1e-9, (m["CI"], m["DPL"])
assert m["DPL"] > 0.1, m["DPL"]  # women have fewer positive labels: positive DPL
assert sorted(m) == ["CDDL", "CI", "DPL", "JS", "KL", "KS", "LP", "TVD"], sorted(m)
assert isinstance(m["CDDL"], float), m["CDDL"]  # computed: the config's group_variable is used
pm = metrics(post["facets"]["Sex"][0])
assert sorted(pm) == ["DCA", "DI", "DPPL", "SD"], sorted(pm)
qh_a = sum(p for p, x in zip(pred, d) if not x) / n_a
qh_d = sum(p for p, x in zip(pred, d) if x) / n_d
assert abs(pm["DPPL"] - (qh_a - qh_d)) < 1e-9 and abs(pm["DI"] - qh_d / qh_a) < 1e-9, pm
assert post["probability_threshold"] == 0.6
# Ethnic group: one value against all the others, in order of first appearance.
order = []
for r in rows:
    if r[col["Ethnic group"]] not in order: order.append(r[col["Ethnic group"]])
race = pre["facets"]["Ethnic group"]
assert [e["value_or_threshold"] for e in race] == order, [e["value_or_threshold"] for e in race]
for e in race:
    assert e["counts"]["n_d"] == sum(r[col["Ethnic group"]] == e["value_or_threshold"] for r in rows)
assert [e["value_or_threshold"] for e in post["facets"]["Ethnic group"]] == order
# model_performance in smclarify's shape, recomputed from the predictions.
mp = a["model_performance"]
tp = sum(p and y for p, y in zip(pred, pos)); tn = sum(not p and not y for p, y in zip(pred, pos))
assert mp["label"] == "Target" and len(mp["model_performance_metrics"]) == 10, mp.keys()
acc = next(x["value"] for x in mp["model_performance_metrics"] if x["name"] == "Accuracy")
assert abs(acc - (tp + tn) / n) < 1e-9, (acc, (tp + tn) / n)
assert abs(sum(mp["binary_confusion_matrix"]) - 1) < 1e-9
k = a["explanations"]["kernel_shap"]
assert k["num_samples"] == 64 and k["seed"] == 3 and k["link"] == "logit", k
assert len(k["label0"]["global_shap_values"]) == 14
# Partial dependence, in the shape the SageMaker Python SDK reads (explanations.pdp).
pdp = {p["feature_name"]: p for p in a["explanations"]["pdp"]}
assert sorted(pdp) == ["Age", "Sex"], list(pdp)
age, sx = pdp["Age"], pdp["Sex"]
assert age["data_type"] == "numerical" and len(age["feature_values"]) == 5 and age["label_headers"] == ["label0"]
ages = [float(r[col["Age"]]) for r in rows]
assert age["feature_values"][0] == min(ages) and age["feature_values"][-1] == max(ages), age["feature_values"]
assert abs(sum(age["data_distribution"]) - 1) < 1e-9 and len(age["model_predictions"][0]) == 5
# Sex is a number (0/1) to this model: its two values, the women's share of the data, and a
# higher mean probability with every record's Sex set to 1 (men) than to 0.
assert sx["data_type"] == "numerical" and sx["feature_values"] == [0, 1], sx
assert abs(sx["data_distribution"][0] - n_d / n) < 1e-9, sx["data_distribution"]
assert sx["model_predictions"][0][0] < sx["model_predictions"][0][1], sx  # the model favours men
assert all(0 <= p <= 1 for p in age["model_predictions"][0])  # probabilities
import os
assert os.path.exists("adult-out/adult.html") and os.path.exists("adult-out/adult.ipynb")
assert not os.path.exists("adult-out/adult.pdf")
print(f"ok: adult: Sex [0] = women (n_d {n_d} of {n}), DPL {m['DPL']:.3f}, DPPL {pm['DPPL']:.3f}; "
      f"Ethnic group one-vs-all over {len(order)} values; accuracy {acc:.3f}")
PY
[ $? = 0 ] || exit 1

python3 -c "
import json; c = json.load(open('adult.json')); c['methods']['pre_training_bias']['methods'] = ['CI', 'XYZ']
json.dump(c, open('adult-bad.json', 'w'))"
"$verdict" clarify --config adult-bad.json --dataset adult/test-coded.csv --model adult-model --out bad-out --no-pdf \
  > /dev/null 2> err && fail "an unknown metric name was accepted"
grep -q "methods.pre_training_bias.methods: 'XYZ' is not a metric; the metrics are CDDL, CI, DPL" err || fail "message: $(cat err)"
[ ! -e bad-out ] || fail "a failed run left bad-out"
echo "ok: an unknown metric name stops the run, nothing written"

# --- 3. verdict run: a label-encoded facet and an inline baseline ----------------------------
python3 - <<'PY' || fail "making the run config"
import csv, json
rows = list(csv.reader(open("adult/test-coded.csv")))
h = rows[0]
config = {
  "dataset": {"train": "adult/train-coded.csv", "test": "adult/test-coded.csv"},
  "label": "Target", "label_values_or_threshold": [">50K"],
  "facet": [{"name_or_index": "Sex", "value_or_threshold": [0]}],
  "model": {"objective": "binary:logistic", "rounds": 20, "seed": 0},
  "methods": {"shap": {"methods": ["tree", "baseline"],
                       "baseline": [[c for i, c in enumerate(rows[1]) if h[i] != "Target"]]},
              "pre_training_bias": {"methods": "all"}, "report": {"pdf": False}},
  "clarify_config": "adult.json",  # Clarify's own config, run on the test CSV with the trained model
  "output": "run-out"
}
json.dump(config, open("run.json", "w"))
PY
"$verdict" run run.json --dry-run > dry.log 2>&1 || fail "dry run: $(tail -2 dry.log)"
"$verdict" run run.json > run.log 2>&1 || fail "run with an inline baseline (passed --dry-run): $(tail -3 run.log)"
python3 - <<'PY' || exit 1
import csv, json
rows = list(csv.reader(open("adult/test-coded.csv")))
h, rows = rows[0], rows[1:]
a = json.load(open("run-out/explain/analysis.json"))
sex = a["pre_training_bias_metrics"]["facets"]["Sex"][0]
women = sum(r[h.index("Sex")] == "0" for r in rows)
assert sex["value_or_threshold"] == "0" and sex["counts"]["n_d"] == women, (sex["value_or_threshold"], sex["counts"], women)
assert next(m["value"] for m in sex["metrics"] if m["name"] == "DPL") > 0.1
b = a["explanations"]["baseline_shap"]["baseline"]
assert len(b) == 14 and all(v is not None for v in b), b
c = json.load(open("run-out/clarify/analysis.json"))
assert c["pre_training_bias_metrics"]["facets"]["Sex"][0]["counts"]["n_d"] == women
assert "kernel_shap" in c["explanations"]
print(f"ok: verdict run: facet [0] on label-encoded Sex is the {women} women; the inline baseline runs after the dry run; "
      "clarify_config ran Clarify's config into run-out/clarify")
PY
[ $? = 0 ] || exit 1
printf '{"dataset": {"train": "adult/train-coded.csv", "test": "adult/test-coded.csv"}, "label": "Target",
 "methods": {"shap": {"baseline": "no-such-file.csv"}}, "output": "run-missing"}' > missing.json
"$verdict" run missing.json --dry-run > /dev/null 2> err && fail "a missing baseline file passed --dry-run"
grep -q "methods.shap.baseline 'no-such-file.csv' is not a file" err || fail "message: $(cat err)"
echo "ok: a missing baseline file fails the dry run too"
