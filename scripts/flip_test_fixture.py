#!/usr/bin/python3
"""Writes tests/shared/fixtures/flip_test_sklearn.csv: scikit-learn's k-NN labels for the Flip
Test on small data built to tie, the fixture tests/shared/test_flip_test.cpp checks verdict's
Flip Test against.

Two sets: "k5" (400 rows, facet a > 9 rows, so k = 5) and "k1" (14 rows, 8 in facet a, k = 1).
Features take 3-4 values each, so most queries have several points at the k-th distance; a few
values are missing and take the column's mean over all rows (as verdict does; scikit-learn
refuses NaN), summed in row order as verdict sums them.

For each facet-d row the file gives
  sklearn_brute  KNeighborsClassifier(algorithm="brute") fitted on facet a's features and
                 predicted labels (smclarify's other settings: uniform weights, Minkowski p = 2),
                 one thread (OMP_NUM_THREADS=1: its heap merge order depends on the threads);
  sklearn_index  the same classifier on a precomputed distance whose order is (squared
                 distance, row index): scikit-learn applying verdict's pinned rule, the lowest
                 row index among equally distant neighbours;
  sklearn_auto   algorithm="auto" (a k-d tree here), what smclarify runs;
  cut_tie        1 when the k-th and (k+1)-th nearest are equally distant (the rule decides).
Run: /usr/bin/python3 scripts/flip_test_fixture.py   (needs python3-sklearn)
"""
import os

os.environ["OMP_NUM_THREADS"] = "1"

import csv  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "shared", "fixtures", "flip_test_sklearn.csv")
COLS = 4


def make_set(rng, n, d_share):
    x = np.column_stack([rng.integers(0, 3, n), rng.integers(0, 3, n), rng.integers(0, 2, n),
                         rng.integers(0, 4, n)]).astype(float)
    x[rng.random((n, COLS)) < 0.03] = np.nan
    facet = rng.random(n) < d_share
    facet[0], facet[1] = False, True  # both facets have rows
    predicted = rng.random(n) < 0.5
    return x, facet, predicted


def fill_missing(x):
    x = x.copy()
    for f in range(x.shape[1]):
        s, seen = 0.0, 0
        for v in x[:, f]:
            if not np.isnan(v):
                s += float(v)
                seen += 1
        x[np.isnan(x[:, f]), f] = s / seen if seen else 0.0
    return x


def squared_distances(q, a):
    d = np.zeros((q.shape[0], a.shape[0]))
    for f in range(a.shape[1]):  # feature by feature, in order, as verdict sums
        t = q[:, f][:, None] - a[:, f][None, :]
        d = d + t * t
    return d


def labels(x, facet, predicted):
    filled = fill_missing(x)
    a, d = filled[~facet], filled[facet]
    ya = predicted[~facet]
    k = 5 if len(a) > 9 else 1
    brute = KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(a, ya).predict(d)
    auto = KNeighborsClassifier(n_neighbors=k, algorithm="auto").fit(a, ya).predict(d)
    dist = squared_distances(d, a)
    _, rank = np.unique(dist, return_inverse=True)  # exact order of the float64 distances
    key = rank.reshape(dist.shape).astype(np.float64) * len(a) + np.arange(len(a))[None, :]
    assert key.max() < 2 ** 53
    index = KNeighborsClassifier(n_neighbors=k, algorithm="brute", metric="precomputed")
    index = index.fit(np.zeros((len(a), len(a))), ya).predict(key)
    ordered = np.sort(dist, axis=1)
    cut = ordered[:, k - 1] == ordered[:, k] if len(a) > k else np.zeros(len(d), bool)
    return k, brute, index, auto, cut


def main():
    rng = np.random.default_rng(2026)
    rows = []
    summary = []
    for name, n, share in (("k5", 400, 0.45), ("k1", 14, 0.43)):
        x, facet, predicted = make_set(rng, n, share)
        if name == "k1":
            facet = np.array([False] * 8 + [True] * 6)
        k, brute, index, auto, cut = labels(x, facet, predicted)
        j = 0
        for r in range(n):
            row = [name, r, int(facet[r]), int(predicted[r])]
            row += ["" if np.isnan(v) else f"{v:g}" for v in x[r]]
            if facet[r]:
                row += [int(brute[j]), int(index[j]), int(auto[j]), int(cut[j])]
                j += 1
            else:
                row += ["", "", "", ""]
            rows.append(row)
        pd_ = predicted[facet]

        def ft(knn):
            return (int((pd_ & ~knn).sum()) - int((~pd_ & knn).sum())) / len(pd_)

        agree = brute[~cut] == index[~cut]
        assert agree.all(), "without a tie at the k-th place, brute force must agree with the index rule"
        summary.append(f"{name}: k = {k}, {int(facet.sum())} facet-d rows, {int(cut.sum())} with a tie at the k-th place; "
                       f"labels differing from the index rule: brute {int((brute != index).sum())}, "
                       f"auto {int((auto != index).sum())}; FT index rule {ft(index):.4f}, brute {ft(brute):.4f}, "
                       f"auto {ft(auto):.4f}")
    with open(OUT, "w", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["set", "row", "facet", "predicted"] + [f"x{f}" for f in range(COLS)] +
                   ["sklearn_brute", "sklearn_index", "sklearn_auto", "cut_tie"])
        w.writerows(rows)
    print("\n".join(summary), file=sys.stderr)


if __name__ == "__main__":
    main()
