#!/usr/bin/env bash
# Regression through the CLI on UCI Abalone: data (from the mirror, sha256-checked, seeded
# split) -> train (boosted trees, and an XGBoost random forest) -> explain; checks the files.
# Also trains Sex (three classes) with multi:softprob.
# The Catch2 checks on these models (XGBoost parity, additivity) are abalone_parity.
# Usage: abalone_pipeline.sh VERDICT WORKDIR. Exit 77 (skipped) without a data mirror.
set -euo pipefail
verdict=$1 work=$2
mirror=${VERDICT_DATA_MIRROR:-}
if [ -z "$mirror" ] || { [ ! -f "$mirror/abalone/abalone.data" ] && [ ! -f "$mirror/abalone.data" ]; }; then
  echo "SKIPPED: VERDICT_DATA_MIRROR is not set to a folder holding abalone/abalone.data"
  exit 77
fi
rm -rf "$work"
"$verdict" data abalone --out "$work/data"
"$verdict" train --data "$work/data/train.csv" --test "$work/data/test.csv" --objective reg:squarederror \
  --target Rings --rounds 300 --out "$work/model"
"$verdict" train --data "$work/data/train.csv" --test "$work/data/test.csv" --objective reg:squarederror \
  --target Rings --param num_parallel_tree=100 --param subsample=0.8 --param colsample_bynode=0.8 \
  --eta 1 --rounds 1 --out "$work/model-rf"
for m in model model-rf; do
  "$verdict" explain --model "$work/$m" --data "$work/data/test.csv" --out "$work/explain-$m"
done
# Three classes: Sex (F, I, M) from the measurements and the rings (abalone_parity checks it).
"$verdict" train --data "$work/data/train.csv" --test "$work/data/test.csv" --target Sex \
  --param objective=multi:softprob --param num_class=3 --rounds 100 --out "$work/model-sex"
/usr/bin/python3 - "$work/model-sex" <<'PY'
import json, sys
d = sys.argv[1]
schema, metrics = json.load(open(d + "/schema.json")), json.load(open(d + "/metrics.json"))
assert schema["task"] == "multiclass" and schema["target"]["labels"] == ["F", "I", "M"], schema["target"]
test = metrics["test"]
assert test["rows"] == 835 and 0.45 < test["accuracy"] < 0.7 and test["log_loss"] < 1.0, test
print(f"model-sex: test accuracy {test['accuracy']:.4f}, log loss {test['log_loss']:.4f}")
PY
python3 - "$work" <<'PY'
import csv, json, sys
w = sys.argv[1]
train = list(csv.reader(open(f"{w}/data/train.csv")))
test = list(csv.reader(open(f"{w}/data/test.csv")))
header = ["Sex", "Length", "Diameter", "Height", "Whole weight", "Shucked weight", "Viscera weight",
          "Shell weight", "Rings"]
assert train[0] == header and test[0] == header, train[0]
assert len(train) - 1 == 3342 and len(test) - 1 == 835, (len(train), len(test))
assert sorted({r[0] for r in train[1:] + test[1:]}) == ["F", "I", "M"]
for m in ("model", "model-rf"):
    schema = json.load(open(f"{w}/{m}/schema.json"))
    assert schema["task"] == "regression" and schema["target"]["name"] == "Rings", schema
    sex = schema["features"][0]
    assert sex["name"] == "Sex" and sex["categories"] == ["F", "I", "M"], sex
    assert len(schema["features"]) == 8
    metrics = json.load(open(f"{w}/{m}/metrics.json"))["test"]
    assert metrics["rows"] == 835 and set(metrics) >= {"rmse", "mae", "r2"}, metrics
    assert 1.5 < metrics["rmse"] < 2.6 and 0.4 < metrics["r2"] < 0.7, metrics
    a = json.load(open(f"{w}/explain-{m}/analysis.json"))
    perf = a["model_performance"]
    assert abs(perf["rmse"] - metrics["rmse"]) < 1e-4 and abs(perf["r2"] - metrics["r2"]) < 1e-4, (perf, metrics)
    pred = [float(x) for x in open(f"{w}/explain-{m}/predictions/test.csv.out")]
    assert len(pred) == 835
    # Raw units (rings), not probabilities.
    assert 3 < min(pred) and max(pred) < 25 and 8 < sum(pred) / len(pred) < 12, (min(pred), max(pred))
    batch = json.load(open(f"{w}/explain-{m}/review_batch.json"))
    assert batch["task"] == "regression" and len(batch["records"]) == 835
    assert "predicted_label" not in batch["records"][0]
    print(f"{m}: test RMSE {metrics['rmse']:.4f}, MAE {metrics['mae']:.4f}, R2 {metrics['r2']:.4f}; "
          f"mean prediction {sum(pred) / len(pred):.3f} rings")
PY
