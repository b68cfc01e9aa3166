#!/usr/bin/env bash
# The review commands against mistakes: a mistyped command or database, a port out of range or
# already served, the same batch started twice.
# Usage: review_cli.sh VERDICT
set -uo pipefail
verdict=$1
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
cd "$tmp"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_error NAME TEXT -- command...: exit 2 and one stderr line containing TEXT.
expect_error() {
  local name=$1 text=$2
  shift 3
  "$@" > stdout 2> stderr
  local rc=$?
  if [ "$rc" != 2 ] || [ "$(wc -l < stderr)" != 1 ] || ! grep -qF -- "$text" stderr; then
    fail "$name (exit $rc): $(head -c 300 stderr)"
  else
    echo "ok: $name: $(cat stderr)"
  fi
}

expect_error "a mistyped command" "did you mean 'serve'?" -- "$verdict" serv --db x.db
expect_error "an unknown command" "the commands are" -- "$verdict" frobnicate
for cmd in "review list" "review describe some-loop" "reviewer add --name alice" "flow list" "merge --out merged"; do
  # shellcheck disable=SC2086
  expect_error "$cmd on a mistyped database" "no review database 'typo.db'" -- "$verdict" $cmd --db typo.db
done
[ -e typo.db ] && fail "a mistyped --db was created"
[ -e merged ] && fail "merge made its output folder for a missing database"
expect_error "a port past 65535" "--port" -- "$verdict" serve --db r.db --port 99999
[ -e r.db ] && fail "serve with a bad port created its database"

# The same batch started twice: the second start opens nothing.
python3 - <<'PY'
import json
records = [{"row": i, "line": i + 2, "values": [str(i)], "encoded": [i], "margin": -1.0, "prediction": 0.2,
            "predicted_label": "no", "shap": {"tree": [-1.0]}} for i in range(7)]
json.dump({"format": "verdict-review-batch", "version": 1, "source": "test.csv", "task": "binary", "threshold": 0.5,
           "features": ["x"], "methods": {"tree": {"expected_value": 0.0, "units": "margin"}}, "records": records},
          open("review_batch.json", "w"))
PY
"$verdict" flow create --db r.db --name f --predicted-negative --records-per-task 2 --output out > /dev/null || fail "flow create"
"$verdict" review start --db r.db --flow f --batch review_batch.json > start1.log || fail "first start"
grep -q "started 4 human loop(s) for flow 'f' with 7 of 7 records" start1.log || fail "first start: $(cat start1.log)"
"$verdict" review start --db r.db --flow f --batch review_batch.json > start2.log || fail "second start"
grep -q "started 0 human loop(s) for flow 'f' with 0 of 7 records.*7 already in a loop of this flow" start2.log ||
  fail "second start: $(cat start2.log)"
[ "$("$verdict" review list --db r.db --flow f | grep -c HumanLoopName)" = 4 ] || fail "the second start added loops"
"$verdict" review start --db r.db --flow f --batch review_batch.json --allow-repeat > start3.log || fail "--allow-repeat"
grep -q "started 4 human loop(s)" start3.log || fail "--allow-repeat: $(cat start3.log)"
echo "ok: the same batch twice opens no second loop; --allow-repeat does"

# Two servers on one port: the second one refuses to start.
"$verdict" serve --db r.db --port 0 > serve1.log 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q "^verdict serve: http" serve1.log && break; sleep 0.1; done
port=$(sed -n 's#^verdict serve: http://127.0.0.1:\([0-9]*\)/#\1#p' serve1.log)
[ -n "$port" ] || fail "first server did not start: $(cat serve1.log)"
expect_error "a second server on port $port" "in use" -- "$verdict" serve --db other.db --port "$port"

[ "$failures" = 0 ] || exit 1
echo "ok: review CLI checks"
