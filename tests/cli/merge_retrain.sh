#!/usr/bin/env bash
# Ground truth and the next model: loops answered by two reviewers through `verdict serve`
# (agree, disagree with a label, a mix that ties), then `verdict merge` (majority, ties listed,
# lineage columns, percent agreement and Cohen's kappa recomputed here by hand) and
# `verdict retrain` (training data + ground truth, the metric change on the test set).
# Usage: merge_retrain.sh VERDICT
set -uo pipefail
verdict=$1
tmp=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2> /dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp"

"$verdict" data loan --rows 1500 --seed 3 --out data > /dev/null || fail "data"
"$verdict" train --data data/train.csv --test data/test.csv --target approved --rounds 30 --out model > /dev/null 2>&1 || fail "train"
"$verdict" explain --model model --data data/test.csv --out explain --shap tree > /dev/null 2>&1 || fail "explain"
"$verdict" merge --db review.db --out merged 2> err && fail "merge without a database succeeded"
grep -q "no review database 'review.db'" err || fail "merge message: $(cat err)"
[ -e review.db ] && fail "merge created an empty database"
"$verdict" flow create --db review.db --name check --predicted-negative --records-per-task 4 --reviewers-per-record 2 \
  --output out > /dev/null || fail "flow create"
"$verdict" merge --db review.db --out merged 2> err && fail "merge with no completed loops succeeded"
grep -q "no completed loops" err || fail "merge message: $(cat err)"
"$verdict" review start --db review.db --flow check --batch explain > start.log || fail "review start"
alice=$("$verdict" reviewer add --db review.db --name alice 2> /dev/null) || fail "reviewer add"
bob=$("$verdict" reviewer add --db review.db --name bob 2> /dev/null) || fail "reviewer add"
port=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$verdict" serve --db review.db --port "$port" > serve.log 2>&1 &
server=$!

python3 - "$port" "$alice" "$bob" <<'PY' || exit 1
import json, sys, time, urllib.request
port, tokens = sys.argv[1], {"alice": sys.argv[2], "bob": sys.argv[3]}
def call(path, token, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method="POST" if body is not None else "GET",
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1); break
    except OSError:
        time.sleep(0.1)
# alice disagrees (says 1) on rows with row % 5 == 1; bob does too, and also on row % 3 == 0.
def disagrees(who, row):
    return row % 5 == 1 or (who == "bob" and row % 3 == 0)
answered = 0
for who, token in tokens.items():
    while True:
        task = call("/api/tasks/next", token, {})["task"]
        if task is None:
            break
        records = []
        for rec in task["input_content"]["records"]:
            assert rec["predicted_label"] == "0", rec["predicted_label"]
            d = disagrees(who, rec["row"])
            records.append({"row": rec["row"], "verdict": "disagree" if d else "agree", **({"label": "1"} if d else {})})
        r = call(f"/api/tasks/{task['loop']}/answer", token, {"answer_id": f"{who}-{task['loop']}", "answer_content": {"records": records}})
        assert r["stored"], r
        answered += 1
print(f"ok: {answered} tasks answered by two reviewers")
PY
kill "$server"; wait "$server" 2> /dev/null; server=

# Amazon's tabular A2I reference notebook reads each output.json this way (its task template's
# field names): the same loop, unchanged, on verdict's files.
python3 - <<'PY' || exit 1
import csv, glob, io, json
batch = json.load(open("explain/review_batch.json"))
by_row = {r["row"]: r for r in batch["records"]}
files = glob.glob("out/**/output.json", recursive=True)
assert files, "no output files"
checked = 0
for path in files:
    output = json.load(open(path))
    pairs = output["inputContent"]["Pairs"]
    for answer in output["humanAnswers"]:
        content = answer["answerContent"]
        for j in range(1, len(pairs) + 1):
            agree = content[f"rating{j}"]["agree"]
            disagree = content[f"rating{j}"]["disagree"]
            truth = content[f"True Prediction{j}"]
            reason = content[f"Change Reason{j}"]
            predicted, confidence = content[f"predicted{j}"], float(content[f"confidence{j}"])
            row = pairs[j - 1]["row"]
            # Cross-checks against verdict's own fields and the batch.
            record = output["inputContent"]["records"][j - 1]
            mine = next(r for r in content["records"] if r["row"] == record["row"])
            assert agree == (mine["verdict"] == "agree") and disagree == (not agree), (path, j)
            assert truth == mine.get("label", record["predicted_label"]), (truth, mine)
            assert reason == mine.get("reason", ""), reason
            assert predicted == record["predicted_label"] == "0"
            p = record["prediction"]
            assert abs(confidence - (1 - p)) < 1e-15, (confidence, p)  # the predicted label's probability
            assert next(csv.reader(io.StringIO(row))) == by_row[record["row"]]["values"], row
            checked += 1
print(f"ok: the A2I reference notebook's parsing loop reads {len(files)} output files ({checked} ratings)")
PY

"$verdict" merge --db review.db --flow check --target approved --out merged > merge.log 2>&1 || fail "merge: $(cat merge.log)"
python3 - <<'PY' || exit 1
import csv, json
batch = json.load(open("explain/review_batch.json"))
rows = [r["row"] for r in batch["records"] if r["predicted_label"] == "0"]
truth = list(csv.DictReader(open("merged/ground_truth.csv")))
ties = list(csv.DictReader(open("merged/ties.csv")))
summary = json.load(open("merged/merge_summary.json"))
def labels(row):
    a = "1" if row % 5 == 1 else "0"
    b = "1" if row % 5 == 1 or row % 3 == 0 else "0"
    return a, b
want_ties = sorted(r for r in rows if labels(r)[0] != labels(r)[1])
want_over = sorted(r for r in rows if labels(r) == ("1", "1"))
assert sorted(int(t["verdict_source_row"]) for t in ties) == want_ties, "ties"
assert len(truth) + len(ties) == len(rows), (len(truth), len(ties), len(rows))
assert summary["ties"] == len(want_ties) and summary["resolved"] == len(truth), summary
assert summary["model_label_overturned"] == len(want_over), summary
header = list(csv.reader(open("merged/ground_truth.csv")))[0]
assert header == batch["features"] + ["approved", "verdict_loop", "verdict_source_row", "verdict_reviewers", "verdict_labels"], header
values = {r["row"]: r["values"] for r in batch["records"]}
for t in truth:
    row = int(t["verdict_source_row"])
    assert t["approved"] == ("1" if row in want_over else "0"), t
    assert [t[f] for f in batch["features"]] == values[row], "feature values copied from the batch"
    assert len(set(t["verdict_reviewers"].split(";"))) == 2, t["verdict_reviewers"]  # two distinct worker ids
# Agreement by hand: percent agreement and Cohen's kappa over the two reviewers' labels.
pairs = [labels(r) for r in rows]
n = len(pairs)
po = sum(a == b for a, b in pairs) / n
pa1 = sum(a == "1" for a, _ in pairs) / n
pb1 = sum(b == "1" for _, b in pairs) / n
pe = pa1 * pb1 + (1 - pa1) * (1 - pb1)
kappa = (po - pe) / (1 - pe)
ag = summary["agreement"]
assert ag["items_with_all_reviewers"] == n, ag
assert abs(ag["percent_agreement"] - 100 * po) < 1e-9, (ag, po)  # in percent
assert abs(ag["cohen_kappa"] - kappa) < 1e-12, (ag, kappa)
print(f"ok: merge: {len(truth)} resolved ({len(want_over)} overturned), {len(ties)} ties; agreement {po:.4f}, kappa {kappa:.4f}")
PY

"$verdict" retrain --model model --train data/train.csv --merged merged/ground_truth.csv --test data/test.csv \
  --out model2 > retrain.log 2>&1 || fail "retrain: $(tail -3 retrain.log)"
for f in model2/model.json model2/schema.json model2/metrics.json; do [ -s "$f" ] || fail "retrain did not write $f"; done
python3 - <<'PY' || exit 1
import csv, json
m = json.load(open("model2/metrics.json"))
train_rows = sum(1 for _ in open("data/train.csv")) - 1
merged_rows = sum(1 for _ in open("merged/ground_truth.csv")) - 1
text = json.dumps(m)
assert str(train_rows + merged_rows) in text, f"expected {train_rows} + {merged_rows} training rows recorded in metrics.json: {text[:400]}"
print(f"ok: retrain on {train_rows} + {merged_rows} rows")
PY
grep -qi "accuracy" retrain.log && grep -qi "auc" retrain.log || fail "retrain did not report the metric change: $(tail -5 retrain.log)"
"$verdict" retrain --model model --train data/train.csv --merged nope.csv --test data/test.csv --out model3 2> err && fail "retrain with a missing file"
[ "$(wc -l < err)" = 1 ] && [ ! -e model3 ] || fail "retrain bad input: $(cat err); model3 exists: $(ls model3 2>&1)"
echo "ok: retrain"
