#!/usr/bin/python3
"""The peer of verdict's Flip Test: the k-NN step as smclarify runs it (scikit-learn's
KNeighborsClassifier, algorithm="auto", n_jobs=None) on the same rows, features and predicted
labels, timed; prints its FT beside the flip counts.

Usage: bench_bias_peer.py DATA.csv SCHEMA.json SCORES.txt [THRESHOLD]
  DATA      the loan CSV `verdict bias` read; facet gender = F, label approved
  SCHEMA    the model's schema.json (category codes = the index in its category list)
  SCORES    `verdict score` output for DATA: one probability a line
Features are every schema feature but the facet and the label, as float32 values (verdict's
encoding) widened to float64, categories as codes.
"""
import csv
import sys
import time

import numpy as np
from sklearn.neighbors import KNeighborsClassifier


def main():
    data, schema_path, scores_path = sys.argv[1:4]
    threshold = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
    import json
    schema = json.load(open(schema_path))
    start = time.perf_counter()
    with open(data) as f:
        reader = csv.reader(f)
        header = next(reader)
        columns = list(zip(*reader))
    col = {name: i for i, name in enumerate(header)}
    feats = []
    for feat in schema["features"]:
        name = feat["name"]
        if name in ("gender", "approved"):
            continue
        values = columns[col[name]]
        if feat["type"] == "categorical":
            code = {c: i for i, c in enumerate(feat["categories"])}
            feats.append(np.array([code.get(v, np.nan) for v in values], dtype=np.float32))
        else:
            feats.append(np.array(values, dtype=np.float32))
    x = np.column_stack(feats).astype(np.float64)
    facet = np.array([v == "F" for v in columns[col["gender"]]])
    predicted = np.loadtxt(scores_path) > threshold
    read = time.perf_counter() - start
    a, d = x[~facet], x[facet]
    k = 5 if len(a) > 9 else 1
    start = time.perf_counter()
    knn = KNeighborsClassifier(n_neighbors=k, weights="uniform", algorithm="auto", leaf_size=30, p=2,
                               metric="minkowski", n_jobs=None).fit(a, predicted[~facet])
    label = knn.predict(d)
    took = time.perf_counter() - start
    pd_ = predicted[facet]
    pos_neg, neg_pos = int((pd_ & ~label).sum()), int((~pd_ & label).sum())
    print(f"scikit-learn {knn._fit_method} k-NN (k = {k}): fit + predict {took:.2f} s "
          f"(n_a {len(a):,}, n_d {len(d):,}, {x.shape[1]} features; reading {read:.1f} s not counted)")
    print(f"flips: model 1/kNN 0 {pos_neg}, model 0/kNN 1 {neg_pos}; FT {(pos_neg - neg_pos) / len(d):.6f}")


if __name__ == "__main__":
    main()
