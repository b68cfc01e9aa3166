#!/usr/bin/env bash
# verdict data breast-cancer (UCI WDBC from the mirror, sha256-checked): 569 records split
# 455/114 by seed, ID dropped, the 30 named features and diagnosis; the same seed gives the same
# files; a binary model on it (positive label M).
# Usage: breast_cancer_data.sh VERDICT WORKDIR. Exit 77 (skipped) without a data mirror.
set -euo pipefail
verdict=$1 work=$2
mirror=${VERDICT_DATA_MIRROR:-}
if [ -z "$mirror" ] || { [ ! -f "$mirror/breast-cancer/wdbc.data" ] && [ ! -f "$mirror/wdbc.data" ]; }; then
  echo "SKIPPED: VERDICT_DATA_MIRROR is not set to a folder holding breast-cancer/wdbc.data"
  exit 77
fi
rm -rf "$work"
"$verdict" data breast-cancer --out "$work/data"
"$verdict" data breast-cancer --out "$work/again" --seed 0
"$verdict" data breast-cancer --out "$work/seed1" --seed 1
cmp "$work/data/train.csv" "$work/again/train.csv"
cmp "$work/data/test.csv" "$work/again/test.csv"
if cmp -s "$work/data/test.csv" "$work/seed1/test.csv"; then echo "FAIL: seeds 0 and 1 gave the same split"; exit 1; fi
"$verdict" train --data "$work/data/train.csv" --test "$work/data/test.csv" --target diagnosis --out "$work/model"
python3 - "$work" <<'PY'
import csv, json, sys
w = sys.argv[1]
features = ["radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
            "concave_points", "symmetry", "fractal_dimension"]
header = [f"{f}_{s}" for s in ("mean", "se", "worst") for f in features] + ["diagnosis"]
rows = {}
for seed in ("data", "seed1"):
    train = list(csv.reader(open(f"{w}/{seed}/train.csv")))
    test = list(csv.reader(open(f"{w}/{seed}/test.csv")))
    assert train[0] == header and test[0] == header, train[0]
    assert len(train) - 1 == 455 and len(test) - 1 == 114, (len(train), len(test))
    both = train[1:] + test[1:]
    assert len(both) == 569
    labels = [r[-1] for r in both]
    assert labels.count("M") == 212 and labels.count("B") == 357
    rows[seed] = sorted(map(tuple, both))
    for r in both:
        assert len(r) == 31 and all(float(x) >= 0 for x in r[:30]), r
# wdbc.data's first record, ID 842302, without its ID:
first = ["17.99", "10.38", "122.8", "1001", "0.1184"]
assert rows["data"] == rows["seed1"], "the two splits do not hold the same records"
assert any(list(r[:5]) == first and r[-1] == "M" for r in rows["data"])
schema = json.load(open(f"{w}/model/schema.json"))
assert schema["task"] == "binary" and schema["target"]["positive_label"] == "M", schema
m = json.load(open(f"{w}/model/metrics.json"))["test"]
assert m["rows"] == 114 and m["accuracy"] > 0.9 and m["auc"] > 0.95, m
print(f"breast-cancer: 455 + 114 = 569 rows; test accuracy {m['accuracy']:.4f}, AUC {m['auc']:.4f}, "
      f"log-loss {m['log_loss']:.4f}")
PY
