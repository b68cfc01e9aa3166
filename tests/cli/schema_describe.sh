#!/usr/bin/env bash
# verdict schema: descriptions, units and class names from a describe file; bad describe files
# are refused with one line naming the file and field, exit 2, the schema untouched; a version 1
# schema (no descriptions) still works and is shown as version 3.
set -uo pipefail
verdict=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

{
  echo "age,colour,score,label"
  for i in $(seq 1 60); do echo "$((20 + i % 40)),$([ $((i % 3)) = 0 ] && echo red || echo blue),$((i * 7 % 13)),$([ $((i % 2)) = 0 ] && echo yes || echo no)"; done
} > "$tmp/train.csv"
"$verdict" train --data "$tmp/train.csv" --target label --rounds 5 --out "$tmp/model" > /dev/null 2>&1 ||
  { echo "FAIL: could not train the small model"; exit 1; }
cp "$tmp/model/schema.json" "$tmp/trained_schema.json"
"$verdict" schema --help | grep -q -- "--describe" || fail "schema --help does not name --describe"

# refuse NAME TEXT DESCRIBE-JSON: exit 2, one stderr line with TEXT and the file's name,
# nothing on stdout, schema.json byte for byte as it was, no temp file left.
refuse() {
  local name=$1 text=$2
  printf '%s' "$3" > "$tmp/bad.json"
  cp "$tmp/model/schema.json" "$tmp/before.json"
  "$verdict" schema --model "$tmp/model" --describe "$tmp/bad.json" > "$tmp/stdout" 2> "$tmp/stderr"
  local rc=$?
  if [ "$rc" != 2 ] || [ "$(wc -l < "$tmp/stderr")" != 1 ] || ! grep -qF -- "$text" "$tmp/stderr" ||
     ! grep -qF "bad.json" "$tmp/stderr" || [ -s "$tmp/stdout" ] || ! cmp -s "$tmp/before.json" "$tmp/model/schema.json" ||
     [ "$(ls "$tmp/model" | wc -l)" != 3 ]; then
    fail "$name (exit $rc): $(head -c 300 "$tmp/stderr")"
  else
    echo "ok: $name: $(cat "$tmp/stderr")"
  fi
}
refuse "unknown feature" "'features.agee' is not a feature" '{"features": {"agee": {"unit": "years"}}}'
refuse "unknown label" "'classes.maybe' is not a label" '{"classes": {"maybe": "Maybe"}, "features": {"age": {"unit": "years"}}}'
refuse "unknown key" "'features.age.units' is not known" '{"features": {"age": {"units": "years"}}}'
refuse "wrong type" "'features.age.description' must be a string" '{"features": {"age": {"description": 3}}}'
refuse "not JSON" "not valid JSON" '{"features": '
"$verdict" schema --model "$tmp/model" --describe "$tmp/absent.json" > /dev/null 2> "$tmp/stderr"
[ $? = 2 ] && grep -qF "absent.json" "$tmp/stderr" || fail "a missing describe file: $(cat "$tmp/stderr")"

# A good describe file: written in place as version 3, and the next commands read it.
cat > "$tmp/describe.json" <<'JSON'
{"features": {"age": {"description": "Age of the person", "unit": "years", "immutable": true}, "colour": {"description": "Colour"}},
 "classes": {"yes": "yes = approved"}}
JSON
"$verdict" schema --model "$tmp/model" --describe "$tmp/describe.json" > "$tmp/report" 2>&1 || fail "describe: $(cat "$tmp/report")"
grep -qF "2 described, 1 with a unit" "$tmp/report" || fail "the report: $(cat "$tmp/report")"
python3 - "$tmp/model/schema.json" <<'PY' || fail "the described schema"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["version"] == 3, s["version"]
f = {c["name"]: c for c in s["features"]}
assert f["age"]["description"] == "Age of the person" and f["age"]["unit"] == "years", f["age"]
assert f["age"]["immutable"] and not f["score"]["immutable"], f
# Spreads from the training data: age is 20..59 whole numbers, colour a category.
assert f["age"]["integer"] and f["age"]["spread"] > 0 and f["age"]["spread_statistic"] == "mad", f["age"]
assert f["colour"]["spread"] == 1 and f["colour"]["spread_statistic"] == "category", f["colour"]
assert f["score"]["description"] == "" and f["score"]["unit"] == "", f["score"]
assert s["target"]["class_names"] == {"no": "no", "yes": "yes = approved"}, s["target"]
PY
printf 'age,colour,score\n33,red,4\n' > "$tmp/one.csv"
"$verdict" score --model "$tmp/model" --data "$tmp/one.csv" --out "$tmp/described.out" > /dev/null 2>&1 || fail "score with a version 3 schema"

# A version 1 schema (as older verdicts wrote it: no descriptions) still loads and scores the
# same; printed, it is the canonical version 3 with empty descriptions and the range as spread.
python3 - "$tmp/model/schema.json" "$tmp/v1.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["version"] = 1
del s["target"]["class_names"]
for f in s["features"]:
    del f["description"], f["unit"], f["spread"], f["spread_statistic"], f["integer"], f["immutable"]
json.dump(s, open(sys.argv[2], "w"))
PY
cp "$tmp/v1.json" "$tmp/model/schema.json"
"$verdict" score --model "$tmp/model" --data "$tmp/one.csv" --out "$tmp/v1.out" > /dev/null 2>&1 || fail "score with a version 1 schema"
cmp -s "$tmp/v1.out" "$tmp/described.out" || fail "a version 1 schema scores differently"
"$verdict" schema --model "$tmp/model" > "$tmp/printed.json" 2> "$tmp/stderr" || fail "print: $(cat "$tmp/stderr")"
cmp -s "$tmp/v1.json" "$tmp/model/schema.json" || fail "printing the schema changed the file"
python3 -c "
import json, sys
s = json.load(open('$tmp/printed.json'))
assert s['version'] == 3 and all(f['description'] == '' for f in s['features']), s
assert all(f['spread_statistic'] in ('category', 'range (fallback: the schema predates spreads)') for f in s['features']), s
assert s['target']['class_names'] == {'no': 'no', 'yes': 'yes'}, s['target']
" || fail "the printed schema is not canonical"

# --spreads-from: the version 1 schema gets the spreads and whole-number flags training gives.
cp "$tmp/model/schema.json" "$tmp/v1_copy.json"
"$verdict" schema --model "$tmp/model" --spreads-from "$tmp/train.csv" > /dev/null 2> "$tmp/stderr" || fail "--spreads-from: $(cat "$tmp/stderr")"
python3 - "$tmp/trained_schema.json" "$tmp/model/schema.json" <<'PY' || fail "--spreads-from gives other spreads than training"
import json, sys
trained, filled = (json.load(open(p)) for p in sys.argv[1:3])
for a, b in zip(trained["features"], filled["features"]):
    assert (a["spread"], a["spread_statistic"], a["integer"]) == (b["spread"], b["spread_statistic"], b["integer"]), (a, b)
PY
printf 'age,colour,score\nforty,red,4\n' > "$tmp/text.csv"
"$verdict" schema --model "$tmp/model" --spreads-from "$tmp/text.csv" > /dev/null 2> "$tmp/stderr"
[ $? = 2 ] && grep -qF "text.csv:2" "$tmp/stderr" || fail "a bad cell in --spreads-from: $(cat "$tmp/stderr")"

[ "$failures" = 0 ] && echo "schema describe: all checks passed" || { echo "$failures check(s) failed"; exit 1; }
