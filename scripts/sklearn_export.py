#!/usr/bin/python3
"""Writes a scikit-learn tree model (a pickle or joblib file) as a verdict model folder.

DIR/model.json is XGBoost's JSON model format, so verdict's one loader and one TreeSHAP serve
it; DIR/schema.json is verdict's schema (the canonical form `verdict schema --model DIR`
prints). Only scikit-learn's public tree arrays are read (tree_.children_left/right, feature,
threshold, value, n_node_samples, weighted_n_node_samples). The rules that make verdict's
predictions equal scikit-learn's are in docs/sklearn.md; in short:

  - a split x <= t (x float32, t float64) becomes x < t', t' the smallest float32 above t;
  - NaN goes to the child with more training samples (ties: right), as scikit-learn >= 1.3
    sends a missing value it never saw in training; tree_.missing_go_to_left when present;
  - forests average: each leaf is divided by the number of trees; a classifier's leaf is its
    probability of the positive class (identity link, objective binary:logitraw);
  - gradient boosting: the init estimator's raw prediction is the base margin, leaves carry
    the learning rate, binary classifiers use the logistic link (binary:logistic);
  - covers are weighted_n_node_samples (what shap's TreeExplainer uses for scikit-learn);
  - XGBoost keeps leaves and base_score in float32: each leaf v is written as float32(v) in its
    tree plus the float32 rest v - float32(v) in a companion tree of the same shape appended
    after all the trees, the initial prediction as a float32 base_score plus one-leaf trees for
    its rest (--float32-leaves leaves the companions out);
  - nodes are numbered breadth-first with siblings side by side, as XGBoost's predictor needs;
  - a Pipeline of a ColumnTransformer (passthrough or identity FunctionTransformer columns,
    OneHotEncoder columns) and the model: each input column is one verdict feature, a one-hot
    encoded column one categorical feature whose splits are rewritten on its category code.

Unpickling runs code from the file: export only models you trust.
"""
import argparse
import csv
import json
import math
import os
import sys

PROG = "sklearn_export"
MAX_DEPTH = 64  # verdict's loader refuses deeper trees
FLOAT32_LIMIT = float.fromhex("0x1.ffffffp127")  # doubles below it round to a finite float32


class ExportError(Exception):
    """A reason to stop, said in one line."""


def import_libraries():
    global np, joblib, sklearn
    try:
        import joblib
        import numpy as np
        import sklearn
    except ImportError as e:
        raise ExportError(f"{e.name} is not installed for {sys.executable} "
                          "(Debian: apt-get install python3-sklearn)") from e


# ---------------------------------------------------------------------------------------------
# Numbers


def float32_above(t):
    """The smallest float32 strictly greater than the float64 t: for every float32 x,
    x <= t exactly when x < float32_above(t)."""
    with np.errstate(over="ignore"):
        f = np.float32(t)
    if not np.isinf(f) and float(f) <= t:
        f = np.nextafter(f, np.float32(np.inf))
    if not np.isfinite(f):
        raise ExportError(f"split threshold {t!r} has no float32 above it (beyond float32's range)")
    return float(f)


def float32_parts(v):
    """(hi, lo): float32(v) and the float32 nearest to the rest v - hi (exact in float64)."""
    with np.errstate(over="ignore"):
        hi = float(np.float32(v))
        lo = float(np.float32(v - hi))
    if not (math.isfinite(hi) and math.isfinite(lo)):
        raise ExportError(f"leaf value {v!r} is beyond float32's range")
    return hi, lo


def base_score_parts(objective, raw):
    """XGBoost keeps base_score as a float32 (and its 1.7 reader takes no more than float32's
    digits), in prediction space. Returns (base_score text, the base margin verdict derives from
    it in float64, the rest raw - that margin), the rest going into one-leaf trees."""
    if objective == "binary:logistic":
        with np.errstate(over="ignore"):
            b = np.float32(1.0 / (1.0 + math.exp(-raw)) if raw > -700 else 0.0)
        b = min(max(b, np.nextafter(np.float32(0), np.float32(1))), np.nextafter(np.float32(1), np.float32(0)))
        text = str(np.float32(b))
        value = float(text)
        margin = math.log(value / (1.0 - value))  # verdict: log(b / (1 - b)) in double
    else:
        with np.errstate(over="ignore"):
            text = str(np.float32(raw))
        margin = float(text)
    if not math.isfinite(margin):
        raise ExportError(f"initial raw prediction {raw!r} is beyond float32's range")
    return text, margin, raw - margin


# ---------------------------------------------------------------------------------------------
# Which model, which columns


def class_name(obj):
    return type(obj).__name__


def unwrap_pipeline(model):
    """(pre, estimator): the ColumnTransformer in front (or None) and the tree model."""
    from sklearn.pipeline import Pipeline
    if not isinstance(model, Pipeline):
        return None, model
    steps = [s for _, s in model.steps if s is not None and not (isinstance(s, str) and s == "passthrough")]
    if not steps:
        raise ExportError("the Pipeline has no estimator")
    *pre, est = steps
    if len(pre) > 1:
        raise ExportError("a Pipeline of more than a ColumnTransformer and the model is not supported "
                          f"(steps: {', '.join(class_name(s) for s in steps)})")
    if pre and class_name(pre[0]) != "ColumnTransformer":
        raise ExportError(f"Pipeline step {class_name(pre[0])} is not supported "
                          "(a ColumnTransformer of passthrough and OneHotEncoder columns is)")
    return (pre[0] if pre else None), est


SUPPORTED = {
    "RandomForestClassifier": ("forest", True), "ExtraTreesClassifier": ("forest", True),
    "RandomForestRegressor": ("forest", False), "ExtraTreesRegressor": ("forest", False),
    "DecisionTreeClassifier": ("tree", True), "DecisionTreeRegressor": ("tree", False),
    "ExtraTreeClassifier": ("tree", True), "ExtraTreeRegressor": ("tree", False),
    "GradientBoostingClassifier": ("boosting", True), "GradientBoostingRegressor": ("boosting", False),
}


def check_estimator(est):
    name = class_name(est)
    if name not in SUPPORTED:
        raise ExportError(f"{name} is not supported (supported: {', '.join(sorted(SUPPORTED))}, "
                          "or a Pipeline ending in one)")
    if not hasattr(est, "n_features_in_"):
        raise ExportError(f"the {name} is not fitted")
    kind, classifier = SUPPORTED[name]
    if getattr(est, "n_outputs_", 1) != 1:
        raise ExportError(f"the {name} has {est.n_outputs_} outputs; one is supported")
    if classifier and len(est.classes_) != 2:
        raise ExportError(f"the {name} has {len(est.classes_)} classes; binary classifiers are supported")
    return kind, classifier


def is_identity_function(ft):
    """A FunctionTransformer that leaves its input as it is: func None, or (checked on probe
    values) a function returning its argument unchanged."""
    if ft.func is None:
        return True
    n = int(getattr(ft, "n_features_in_", 3))
    probe = np.resize(np.array([0.0, -1.5, 3.25e-3, 7.0, 1e30, -2.0, 0.1]), (2, n))
    try:
        out = np.asarray(ft.transform(probe.copy()), dtype=np.float64)
    except Exception:  # noqa: BLE001 - any failure means "not the identity"
        return False
    return out.shape == probe.shape and np.array_equal(out, probe)


def column_indices(spec, names, n_in):
    """Input column indices of a ColumnTransformer column selection."""
    if isinstance(spec, slice):
        return list(range(n_in))[spec]
    if isinstance(spec, (str, int, np.integer)):
        spec = [spec]
    spec = list(spec)
    if spec and all(isinstance(s, (bool, np.bool_)) for s in spec):
        return [i for i, keep in enumerate(spec) if keep]
    out = []
    for s in spec:
        if isinstance(s, str):
            if names is None or s not in names:
                raise ExportError(f"ColumnTransformer column {s!r} is not an input column name")
            out.append(names.index(s))
        elif isinstance(s, (int, np.integer)) and -n_in <= int(s) < n_in:
            out.append(int(s) % n_in)
        else:
            raise ExportError(f"ColumnTransformer column selection {s!r} is not supported")
    return out


def transformer_kind(trans):
    """'numeric' (passed through), 'onehot', or 'drop'; refuses everything else."""
    if isinstance(trans, str):
        if trans in ("passthrough", "drop"):
            return "numeric" if trans == "passthrough" else "drop"
        raise ExportError(f"ColumnTransformer transformer {trans!r} is not supported")
    name = class_name(trans)
    if name == "Pipeline":
        inner = [s for _, s in trans.steps if s is not None and s != "passthrough"]
        if len(inner) == 0:
            return "numeric"
        if len(inner) == 1:
            return transformer_kind(inner[0])
        raise ExportError("a Pipeline of several steps inside the ColumnTransformer is not supported "
                          f"({', '.join(class_name(s) for s in inner)})")
    if name == "FunctionTransformer":
        if is_identity_function(trans):
            return "numeric"
        raise ExportError(f"FunctionTransformer({getattr(trans.func, '__name__', trans.func)}) is not the "
                          "identity; only identity (or func=None) FunctionTransformers are supported")
    if name == "OneHotEncoder":
        if getattr(trans, "drop", None) is not None:
            raise ExportError("OneHotEncoder(drop=...) is not supported (drop=None is)")
        if getattr(trans, "min_frequency", None) is not None or getattr(trans, "max_categories", None) is not None:
            raise ExportError("OneHotEncoder with infrequent categories (min_frequency, max_categories) "
                              "is not supported")
        return "onehot"
    raise ExportError(f"ColumnTransformer transformer {name} is not supported "
                      "(passthrough, identity FunctionTransformer and OneHotEncoder are)")


def onehot_encoder(trans):
    if class_name(trans) == "Pipeline":
        return [s for _, s in trans.steps if s is not None and s != "passthrough"][0]
    return trans


def category_text(c, where):
    if c is None or (isinstance(c, float) and math.isnan(c)):
        raise ExportError(f"{where}: a missing value is one of the OneHotEncoder's categories; "
                          "verdict reads a missing cell as 'no category' (all one-hot columns 0)")
    text = str(bool(c)) if isinstance(c, (bool, np.bool_)) else str(int(c)) if isinstance(c, (int, np.integer)) \
        else str(c)
    if text in ("", "?"):
        raise ExportError(f"{where}: category {text!r} is what verdict reads as a missing cell")
    return text


class Columns:
    """Verdict's features (input columns) and, for each column the trees see, what it is:
    ('numeric', feature) or ('onehot', feature, code, number of codes)."""

    def __init__(self):
        self.features = []   # [{"name", "kind", "categories", "input"}], in input order
        self.model_column = []


def plain_columns(n, names):
    cols = Columns()
    for i in range(n):
        cols.features.append({"name": names[i], "kind": "numeric", "input": i})
        cols.model_column.append(("numeric", i))
    return cols


def pipeline_columns(ct, names, n_model):
    """Maps a fitted ColumnTransformer's output columns back to its input columns."""
    if not hasattr(ct, "transformers_"):
        raise ExportError("the ColumnTransformer is not fitted")
    n_in = ct.n_features_in_
    kind_of = {}      # input column -> 'numeric' | 'onehot'
    outputs = []      # per output column: (input column, None) or (input column, category text)
    for tname, trans, spec in ct.transformers_:
        kind = transformer_kind(trans)
        if kind == "drop":
            continue
        idx = column_indices(spec, names, n_in)
        for i in idx:
            if i in kind_of:
                raise ExportError(f"input column {names[i]!r} feeds two transformers; one is supported")
            kind_of[i] = kind
        if kind == "numeric":
            outputs += [(i, None) for i in idx]
        else:
            enc = onehot_encoder(trans)
            if len(enc.categories_) != len(idx):
                raise ExportError(f"OneHotEncoder {tname!r} has {len(enc.categories_)} category lists "
                                  f"for {len(idx)} columns")
            for i, cats in zip(idx, enc.categories_):
                outputs += [(i, category_text(c, f"column {names[i]!r}")) for c in cats]
    if len(outputs) != n_model:
        raise ExportError(f"the ColumnTransformer writes {len(outputs)} columns; the model reads {n_model}")
    cols = Columns()
    feature_of = {}
    for i in sorted(kind_of):
        feature_of[i] = len(cols.features)
        f = {"name": names[i], "kind": "categorical" if kind_of[i] == "onehot" else "numeric", "input": i}
        if kind_of[i] == "onehot":
            cats = [c for (j, c) in outputs if j == i]
            if len(set(cats)) != len(cats):
                raise ExportError(f"column {names[i]!r}: two categories read as the same text")
            f["categories"] = sorted(cats)  # verdict's codes: sorted text, as LabelEncoder sorts
        cols.features.append(f)
    for i, cat in outputs:
        f = feature_of[i]
        if cat is None:
            cols.model_column.append(("numeric", f))
        else:
            cats = cols.features[f]["categories"]
            cols.model_column.append(("onehot", f, cats.index(cat), len(cats)))
    return cols


# ---------------------------------------------------------------------------------------------
# Trees


class Tree:
    """One tree in XGBoost's arrays, leaves kept in float64 until written."""

    def __init__(self):
        self.left, self.right, self.feature, self.cond, self.default_left = [], [], [], [], []
        self.cover, self.leaf = [], []

    def node(self, cover):
        self.left.append(-1)
        self.right.append(-1)
        self.feature.append(0)
        self.cond.append(0.0)
        self.default_left.append(0)
        self.cover.append(float(cover))
        self.leaf.append(None)
        return len(self.left) - 1

    def split(self, i, feature, cond, default_left, left, right):
        self.feature[i], self.cond[i], self.default_left[i] = feature, cond, int(default_left)
        self.left[i], self.right[i] = left, right

    def depth(self):
        depth, stack = 0, [(0, 0)]
        while stack:
            n, d = stack.pop()
            depth = max(depth, d)
            if self.left[n] != -1:
                stack += [(self.left[n], d + 1), (self.right[n], d + 1)]
        return depth


def convert_tree(tree_, leaf_values, cols):
    """scikit-learn's tree_ as a Tree over verdict's features. leaf_values[n] is node n's
    output (already scaled); covers are weighted_n_node_samples."""
    left_, right_ = tree_.children_left, tree_.children_right
    feat_, thr_ = tree_.feature, tree_.threshold
    w_, n_ = tree_.weighted_n_node_samples, tree_.n_node_samples
    missing_left = getattr(tree_, "missing_go_to_left", None)  # scikit-learn >= 1.3
    if tree_.max_depth > MAX_DEPTH:
        raise ExportError(f"a tree is {tree_.max_depth} levels deep; verdict reads at most {MAX_DEPTH} "
                          "(refit with max_depth)")
    out = Tree()

    def emit(n, scale):
        i = out.node(w_[n] * scale)
        if left_[n] == -1:
            out.leaf[i] = float(leaf_values[n])
            return i
        column = cols.model_column[feat_[n]]
        t = float(thr_[n])
        if column[0] == "numeric":
            nan_left = bool(missing_left[n]) if missing_left is not None else n_[left_[n]] > n_[right_[n]]
            cond = float32_above(t)
            out.split(i, column[1], cond, nan_left, emit(left_[n], scale), emit(right_[n], scale))
            return i
        # A one-hot column of category `code`: 1 (that category) goes right when 0 <= t < 1.
        _, f, code, k = column
        if not (0.0 <= t < 1.0):
            raise ExportError(f"a split on a one-hot column at {t!r} (not between 0 and 1)")
        off, on = left_[n], right_[n]  # not the category / the category
        if code == 0:  # code < 0.5 is the category; missing (no category) goes right
            out.split(i, f, 0.5, False, emit(on, scale), emit(off, scale))
        elif code == k - 1:  # code < k - 1.5 is another category; missing goes left
            out.split(i, f, code - 0.5, True, emit(off, scale), emit(on, scale))
        else:
            # code < c - 0.5: another category (or missing); else code < c + 0.5: this one; else
            # another. The "other" subtree is written twice, each copy with half of its covers
            # (powers of two: exact), so the covers still add up and the expectation over the
            # unknown category is the tree's own.
            first = emit(off, scale / 2)
            j = out.node(w_[on] * scale + w_[off] * scale / 2)
            out.split(j, f, code + 0.5, True, emit(on, scale), emit(off, scale / 2))
            out.split(i, f, code - 0.5, True, first, j)
        return i

    emit(0, 1.0)
    return out


def tree_json(tree, leaves, index, num_features):
    """One tree as XGBoost 1.7 writes it; `leaves` are the float32 leaf values to use. Nodes
    are numbered breadth-first, each right child right after its left one: XGBoost's own
    predictor finds the right child as left + 1."""
    order = [0]  # new id -> node
    for node in order:
        if tree.left[node] != -1:
            order += [tree.left[node], tree.right[node]]
    new_id = {node: i for i, node in enumerate(order)}
    n = len(order)
    left = [-1 if tree.left[k] == -1 else new_id[tree.left[k]] for k in order]
    right = [-1 if tree.right[k] == -1 else new_id[tree.right[k]] for k in order]
    parents = [2147483647] * n
    for i in range(n):
        if left[i] != -1:
            parents[left[i]] = parents[right[i]] = i
    is_leaf = [tree.left[k] == -1 for k in order]
    return {
        "base_weights": [leaves[k] if leaf else 0.0 for k, leaf in zip(order, is_leaf)],
        "categories": [], "categories_nodes": [], "categories_segments": [], "categories_sizes": [],
        "default_left": [tree.default_left[k] for k in order],
        "id": index,
        "left_children": left,
        "loss_changes": [0.0] * n,
        "parents": parents,
        "right_children": right,
        "split_conditions": [leaves[k] if leaf else tree.cond[k] for k, leaf in zip(order, is_leaf)],
        "split_indices": [tree.feature[k] for k in order],
        "split_type": [0] * n,
        "sum_hessian": [tree.cover[k] for k in order],
        "tree_param": {"num_deleted": "0", "num_feature": str(num_features), "num_nodes": str(n),
                       "size_leaf_vector": "0"},
    }


# ---------------------------------------------------------------------------------------------
# The model


def leaf_outputs(est, kind, classifier):
    """[(tree_, node outputs)] with the averaging / learning rate applied, the base margin,
    the XGBoost objective and the initial raw prediction (margin units)."""
    if kind in ("forest", "tree"):
        trees = [e.tree_ for e in est.estimators_] if kind == "forest" else [est.tree_]
        count = len(trees)
        out = []
        for t in trees:
            v = t.value[:, 0, :]
            if classifier:
                # DecisionTreeClassifier.predict_proba: counts over their sum (0 -> 1)
                norm = v[:, 0] + v[:, 1]
                norm[norm == 0.0] = 1.0
                node = v[:, 1] / norm
            else:
                node = v[:, 0]
            out.append((t, node / count if count > 1 else node))
        return out, ("binary:logitraw" if classifier else "reg:squarederror"), 0.0
    # Gradient boosting
    if est.estimators_.shape[1] != 1:
        raise ExportError(f"{class_name(est)} has {est.estimators_.shape[1]} trees a stage (multi-class)")
    init = est.init_
    if not (isinstance(init, str) and init == "zero") and class_name(init) not in ("DummyRegressor", "DummyClassifier"):
        raise ExportError(f"{class_name(est)}(init={class_name(init)}) is not supported: the initial "
                          "prediction must be a constant (the default, a Dummy estimator, or 'zero')")
    if not hasattr(est, "_raw_predict_init"):
        raise ExportError(f"this scikit-learn ({sklearn.__version__}) has no {class_name(est)}._raw_predict_init "
                          "to read the initial prediction from")
    raw0 = float(est._raw_predict_init(np.zeros((1, est.n_features_in_), dtype=np.float32))[0, 0])
    scale = est.learning_rate
    if classifier:
        loss = getattr(est, "loss", "log_loss")
        if loss == "exponential":  # predict_proba = expit(2 * raw)
            scale, raw0 = 2.0 * scale, 2.0 * raw0
        elif loss not in ("log_loss", "deviance"):
            raise ExportError(f"GradientBoostingClassifier(loss={loss!r}) is not supported")
    out = [(e.tree_, scale * e.tree_.value[:, 0, 0]) for e in est.estimators_[:, 0]]
    if classifier:
        return out, "binary:logistic", raw0
    return out, "reg:squarederror", raw0


def build_model(est, kind, classifier, cols, float32_leaves):
    outputs, objective, raw0 = leaf_outputs(est, kind, classifier)
    m = len(cols.features)
    trees = [convert_tree(t, node, cols) for t, node in outputs]
    written, rests = [], []
    for tree in trees:
        depth = tree.depth()
        if depth > MAX_DEPTH:
            raise ExportError(f"a tree is {depth} levels deep; verdict reads at most {MAX_DEPTH} "
                              "(refit with max_depth)")
        parts = {i: float32_parts(v) for i, v in enumerate(tree.leaf) if v is not None}
        written.append(tree_json(tree, {i: p[0] for i, p in parts.items()}, len(written), m))
        if not float32_leaves and any(p[1] != 0.0 for p in parts.values()):
            rests.append((tree, {i: p[1] for i, p in parts.items()}))
    for tree, lo in rests:
        written.append(tree_json(tree, lo, len(written), m))
    # The initial prediction: base_score holds its float32 part, one-leaf trees the rest.
    base_text, _, rest = base_score_parts(objective, raw0)
    bias = [] if float32_leaves or rest == 0.0 else [v for v in float32_parts(rest) if v != 0.0]
    for v in bias:
        one = Tree()
        one.leaf[one.node(1.0)] = v
        written.append(tree_json(one, {0: v}, len(written), m))
    learner = {
        "attributes": {"exported_by": "verdict scripts/sklearn_export.py",
                       "sklearn_estimator": class_name(est), "sklearn_version": sklearn.__version__,
                       "sklearn_loss": str(getattr(est, "loss", getattr(est, "criterion", ""))),
                       "sklearn_trees": str(len(trees)), "float32_rest_trees": str(len(rests)),
                       "base_rest_trees": str(len(bias))},
        "feature_names": [f["name"] for f in cols.features],
        "feature_types": ["float"] * m,
        "gradient_booster": {
            "model": {
                "gbtree_model_param": {"num_parallel_tree": "1", "num_trees": str(len(written)),
                                       "size_leaf_vector": "0"},
                "tree_info": [0] * len(written),
                "trees": written,
            },
            "name": "gbtree",
        },
        "learner_model_param": {"base_score": base_text, "boost_from_average": "1",
                                "num_class": "0", "num_feature": str(m), "num_target": "1"},
        "objective": {"name": objective, "reg_loss_param": {"scale_pos_weight": "1"}},
    }
    return {"learner": learner, "version": [1, 7, 4]}, len(trees), len(rests) + len(bias)


# ---------------------------------------------------------------------------------------------
# Schema


def is_missing_cell(cell):
    return cell == "" or cell == "?"


def read_number(cell):
    """A cell as verdict reads a number (strtod over the whole cell), or None."""
    if "_" in cell or cell != cell.rstrip() or cell.strip().lower().startswith(("0x", "-0x", "+0x")):
        return None
    try:
        v = float(cell)
    except ValueError:
        return None
    return v


def fits_float32(v):
    return math.isfinite(v) and abs(v) < FLOAT32_LIMIT


def read_csv(path):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        raise ExportError(f"cannot read '{path}': {e.strerror}") from e
    except (UnicodeDecodeError, csv.Error) as e:
        raise ExportError(f"'{path}' is not a readable CSV file ({e})") from e
    if not rows:
        raise ExportError(f"'{path}' is empty")
    return rows[0], rows[1:]


def label_text(c):
    if isinstance(c, (bool, np.bool_)):
        return str(bool(c))
    if isinstance(c, (int, np.integer)):
        return str(int(c))
    if isinstance(c, (float, np.floating)) and float(c).is_integer():
        return str(int(c))
    return str(c)


def class_of_cell(cell, classes):
    """Which of the classifier's classes_ a label cell names, or None."""
    for k, c in enumerate(classes):
        if isinstance(c, str):
            if cell == c:
                return k
        else:
            v = read_number(cell)
            if v is not None and v == float(c):
                return k
    return None


def quantile(sorted_values, p):
    """Linear interpolation between order statistics, as shared/schema.cpp's quantile."""
    at = p * (len(sorted_values) - 1)
    lo = math.floor(at)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (at - lo) * (sorted_values[hi] - sorted_values[lo])


def spread_of(values):
    """A numeric feature's spread and its statistic: MAD, IQR, standard deviation, range, never 0
    (shared/schema.cpp's spread_of, the same operations in the same order)."""
    values = sorted(values)
    if not values:
        return 1.0, "none"
    median = quantile(values, 0.5)
    mad = quantile(sorted(abs(v - median) for v in values), 0.5)
    if mad > 0:
        return mad, "mad"
    iqr = quantile(values, 0.75) - quantile(values, 0.25)
    if iqr > 0:
        return iqr, "iqr"
    mean = 0.0
    for v in values:
        mean += v
    mean /= len(values)
    square = 0.0
    for v in values:
        square += (v - mean) * (v - mean)
    sd = math.sqrt(square / len(values))
    if sd > 0:
        return sd, "std"
    if values[-1] - values[0] > 0:
        return values[-1] - values[0], "range"
    return 1.0, "none"


def build_schema(cols, est, classifier, target, data):
    schema = {"format": "verdict-schema", "version": 3,
              "task": "binary" if classifier else "regression"}
    header, rows = data if data else (None, None)
    where = {}
    if header is not None:
        for f in cols.features:
            if f["name"] not in header:
                raise ExportError(f"feature '{f['name']}' is not a column of the --data CSV")
            where[f["name"]] = header.index(f["name"])
    t = {"name": target}
    if classifier:
        classes = list(est.classes_)
        if header is not None and target in header:
            col = header.index(target)
            seen = {}
            for r, row in enumerate(rows):
                cell = row[col]
                k = class_of_cell(cell, classes)
                if k is None:
                    raise ExportError(f"--data line {r + 2}: label {cell!r} is not one of the model's "
                                      f"classes {[label_text(c) for c in classes]}")
                if seen.setdefault(k, cell) != cell:
                    raise ExportError(f"--data: class {label_text(classes[k])} is written both "
                                      f"{seen[k]!r} and {cell!r}")
            labels = {k: seen.get(k, label_text(classes[k])) for k in (0, 1)}
        else:
            labels = {k: label_text(classes[k]) for k in (0, 1)}
        t["labels"] = sorted(labels.values())
        t["positive_label"] = labels[1]
        t["class_names"] = {l: l for l in t["labels"]}
    schema["target"] = t
    features = []
    for f in cols.features:
        c = {"name": f["name"], "type": f["kind"], "min": None, "max": None, "mean": None,
             "description": "", "unit": "", "spread": 1.0, "spread_statistic": "none", "integer": False,
             "immutable": False}
        if f["kind"] == "categorical":
            c["spread_statistic"], c["integer"] = "category", True
        if f["kind"] == "categorical":
            c["categories"] = f["categories"]
        if rows is not None:
            col = where[f["name"]]
            values = []
            for r, row in enumerate(rows):
                if col >= len(row):
                    raise ExportError(f"--data line {r + 2} has {len(row)} cells; the header has {len(header)}")
                cell = row[col]
                if is_missing_cell(cell):
                    continue
                if f["kind"] == "categorical":
                    if cell in f["categories"]:
                        values.append(float(f["categories"].index(cell)))
                    continue
                v = read_number(cell)
                if v is None:
                    raise ExportError(f"--data line {r + 2}: column '{f['name']}' is numeric but holds {cell!r}")
                if fits_float32(v):
                    values.append(v)
            # verdict's infer_schema: min, max and mean of the values in file order
            if values:
                total = 0.0
                for v in values:
                    total += v
                c["min"], c["max"], c["mean"] = min(values), max(values), total / len(values)
            else:
                c["min"], c["max"], c["mean"] = 0.0, 0.0, 0.0
            if f["kind"] != "categorical":  # verdict's set_spread
                c["spread"], c["spread_statistic"] = spread_of(values)
                c["integer"] = all(v == math.floor(v) for v in values)
        features.append(c)
    schema["features"] = features
    return schema


# ---------------------------------------------------------------------------------------------


def feature_names(est, pre, given, data, target):
    """The names of the input columns, from the first of: --feature-names, the model's
    feature_names_in_, the --data header without the target, x0, x1, ..."""
    front = pre if pre is not None else est
    n = front.n_features_in_
    if given is not None:
        names = given
        source = "--feature-names"
    elif getattr(front, "feature_names_in_", None) is not None:
        names = [str(s) for s in front.feature_names_in_]
        source = "feature_names_in_"
    elif data is not None:
        header = data[0]
        if target is None:
            raise ExportError("--data needs --target unless the model knows its feature names")
        names = [h for h in header if h != target]
        source = f"the --data header without '{target}'"
    else:
        names = [f"x{i}" for i in range(n)]
        source = "default"
    if len(names) != n:
        raise ExportError(f"{source} gives {len(names)} feature names; the model has {n} input columns")
    if len(set(names)) != len(names):
        raise ExportError(f"{source}: a feature name appears twice")
    if target is not None and target in names:
        raise ExportError(f"the target '{target}' is also a feature name")
    return names


def write_folder(out, model_json, schema_json):
    os.makedirs(out, exist_ok=True)
    staged = []
    try:
        for name, text in (("model.json", model_json), ("schema.json", schema_json)):
            tmp = os.path.join(out, f".{name}.{os.getpid()}.tmp")
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
            staged.append((tmp, os.path.join(out, name)))
        for tmp, final in staged:
            os.replace(tmp, final)
    except OSError as e:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.remove(tmp)
        raise ExportError(f"cannot write into '{out}': {e.strerror}") from e


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        print(f"{PROG}: {message} (see --help)", file=sys.stderr)
        sys.exit(2)


def parse_args(argv):
    p = OneLineParser(
        prog="sklearn_export.py",
        description="Write a scikit-learn tree model (pickle/joblib) as a verdict model folder: "
                    "model.json (XGBoost JSON) + schema.json. Supported: RandomForest / ExtraTrees / "
                    "GradientBoosting / DecisionTree classifiers (binary) and regressors, alone or as "
                    "the last step of a Pipeline after a ColumnTransformer of passthrough (or identity "
                    "FunctionTransformer) and OneHotEncoder columns. Exactness rules: docs/sklearn.md. "
                    "Unpickling runs code from the file: export only models you trust.",
        epilog="Example: sklearn_export.py forest.joblib --data train.csv --target Rings --out model/ "
               "&& verdict explain --model model/ --data test.csv --out explain/")
    p.add_argument("model", help="the fitted model: a pickle or joblib file")
    p.add_argument("--out", required=True, help="model folder to write (model.json, schema.json)")
    p.add_argument("--data", help="the training CSV (with a header): the schema's min / max / mean, "
                                  "the label texts, and the feature names when the model has none")
    p.add_argument("--target", help="the label column's name (in --data); default: the one column of "
                                    "--data that is not a feature")
    p.add_argument("--feature-names", help="comma-separated input column names (default: the model's "
                                           "feature_names_in_, else the --data header, else x0, x1, ...)")
    p.add_argument("--float32-leaves", action="store_true",
                   help="write one tree per scikit-learn tree, leaves rounded to float32 (relative error "
                        "~6e-8 a leaf) instead of adding a companion tree that holds the rest")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    import_libraries()
    try:
        model = joblib.load(args.model)
    except FileNotFoundError as e:
        raise ExportError(f"cannot open '{args.model}'") from e
    except Exception as e:  # noqa: BLE001 - unpickling fails in many ways
        raise ExportError(f"cannot load '{args.model}' as a pickle or joblib file "
                          f"({class_name(e)}: {str(e).splitlines()[0] if str(e) else ''})") from e
    pre, est = unwrap_pipeline(model)
    kind, classifier = check_estimator(est)
    data = read_csv(args.data) if args.data else None
    given = [s.strip() for s in args.feature_names.split(",")] if args.feature_names else None
    target = args.target
    front = pre if pre is not None else est
    if given is not None and len(given) != front.n_features_in_:
        raise ExportError(f"--feature-names gives {len(given)} names; the model has {front.n_features_in_} "
                          "input columns")
    known = given if given is not None else (
        [str(s) for s in front.feature_names_in_] if getattr(front, "feature_names_in_", None) is not None else None)
    if data is not None and target is None and known is not None:
        rest = [h for h in data[0] if h not in known]
        if len(rest) != 1:
            raise ExportError(f"name the label column with --target (the --data columns that are not "
                              f"features: {rest})")
        target = rest[0]
    if data is not None and target is not None and target not in data[0]:
        raise ExportError(f"--target '{target}' is not a column of '{args.data}'")
    names = feature_names(est, pre, given, data, target)
    cols = pipeline_columns(pre, names, est.n_features_in_) if pre is not None else \
        plain_columns(est.n_features_in_, names)
    model_doc, n_trees, n_rests = build_model(est, kind, classifier, cols, args.float32_leaves)
    schema = build_schema(cols, est, classifier, target or "", data)
    write_folder(args.out, json.dumps(model_doc, separators=(",", ":")) + "\n",
                 json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    print(f"{PROG}: {class_name(est)} ({n_trees} trees{f' + {n_rests} for the float32 rests' if n_rests else ''}), "
          f"{len(cols.features)} features, {schema['task']} -> {args.out}")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except ExportError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        sys.exit(2)
