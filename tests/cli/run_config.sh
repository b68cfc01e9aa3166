#!/usr/bin/env bash
# verdict run CONFIG: the whole job from one config (configs/loan.json, made small), each step
# skipped while its outputs are newer than its inputs; a change re-runs what depends on it;
# --dry-run writes nothing; a bad config or a failing step stops with one line.
# Usage: run_config.sh VERDICT
set -uo pipefail
verdict=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp"
python3 - "$here/../../configs/loan.json" <<'PY' || fail "making the config"
import json, sys
c = json.load(open(sys.argv[1]))
c["dataset"]["fetch_options"] = {"rows": 3000, "seed": 1}
c["model"]["rounds"] = 50
c["methods"]["report"]["pdf"] = False
c["output"] = "out"
json.dump(c, open("loan.json", "w"), indent=1)
PY

"$verdict" run loan.json > run1.log 2>&1 || fail "first run: $(tail -3 run1.log)"
for f in out/data/train.csv out/model/model.json out/explain/analysis.json out/explain/explanations_shap/out.csv \
         out/report.html out/review.db; do
  [ -s "$f" ] || fail "first run did not write $f"
done
grep -q "started [1-9][0-9]* human loop(s) for flow 'loan-approval'" run1.log || fail "no loops started: $(tail -3 run1.log)"
python3 - <<'PY' || exit 1
import json
a = json.load(open("out/explain/analysis.json"))
assert "tree_shap" in a["explanations"] and "baseline_shap" in a["explanations"], a["explanations"].keys()
dpl = next(m["value"] for m in a["pre_training_bias_metrics"]["facets"]["gender"][0]["metrics"] if m["name"] == "DPL")
dppl = next(m["value"] for m in a["post_training_bias_metrics"]["facets"]["gender"][0]["metrics"] if m["name"] == "DPPL")
assert dpl > 0.1 and dppl > 0.1, (dpl, dppl)
t = json.load(open("out/.steps/timings.json"))
assert list(t) == ["data", "train", "explain", "bias", "report", "flow", "review"], t
assert all(isinstance(v, float) and v >= 0 for v in t.values()), t
print(f"ok: first run: SHAP tree + baseline, DPL {dpl:.3f}, DPPL {dppl:.3f}")
PY
grep -q "Loan approvals: explanations and bias" out/report.html || fail "report title from the config missing"

"$verdict" run loan.json > run2.log 2>&1 || fail "second run"
[ "$(grep -c 'up to date, skipped' run2.log)" = 7 ] || fail "second run did not skip all 7 steps: $(cat run2.log)"
echo "ok: second run skipped all 7 steps"

sleep 1.1  # file times: make the touch newer than every stamp
touch out/data/test.csv
before=$(ls -l --time-style=full-iso out/.steps)
"$verdict" run loan.json --dry-run > dry.log 2>&1 || fail "dry run"
[ "$before" = "$(ls -l --time-style=full-iso out/.steps)" ] || fail "--dry-run changed the step stamps"
for s in train explain bias report review; do
  grep -q "^== $s: $s" dry.log || grep -q "^== $s: review start" dry.log || fail "--dry-run would not re-run $s: $(cat dry.log)"
done
for s in data flow; do grep -q "^== $s: up to date" dry.log || fail "--dry-run would re-run $s"; done
"$verdict" run loan.json > run3.log 2>&1 || fail "third run"
[ "$(grep -c 'up to date, skipped' run3.log)" = 2 ] || fail "after touching test.csv, expected data and flow skipped: $(cat run3.log)"
echo "ok: a newer test.csv re-runs train, explain, bias, report, review (not data, flow)"

echo '{"output": "x", "label": "y"}' > nodata.json
"$verdict" run nodata.json > /dev/null 2> err && fail "a config without dataset was accepted"
[ "$(wc -l < err)" = 1 ] && grep -q "'dataset' is required" err || fail "message: $(cat err)"
printf '{"output": ' > broken.json
"$verdict" run broken.json > /dev/null 2> err && fail "broken JSON was accepted"
[ "$(wc -l < err)" = 1 ] && grep -q "not valid JSON" err || fail "message: $(cat err)"
python3 -c "
import json; c = json.load(open('loan.json')); c['label'] = 'no_such_column'; c['output'] = 'out2'
json.dump(c, open('badlabel.json', 'w'))"
"$verdict" run badlabel.json > bad.log 2>&1 && fail "a missing label column was accepted"
grep -q "step 'train' failed" bad.log || fail "failing step message: $(tail -2 bad.log)"
[ ! -e out2/explain ] || fail "steps after the failing one ran"
echo "ok: bad configs and a failing step stop with one line"
