#!/usr/bin/env bash
# verdict report through the CLI: train a tiny model, explain it, measure bias, write the report
# (HTML only); check it is self-contained with its charts; bad input gives one stderr line,
# exit 2 and no output file. With Chromium installed, also print the PDF once.
set -uo pipefail
verdict=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# A small data set: facet "sex" (f is facet d), a category holding markup.
{
  echo "age,sex,colour,hours,label"
  for i in $(seq 1 80); do
    sex=$([ $((i % 3)) = 0 ] && echo f || echo m)
    colour=$([ $((i % 4)) = 0 ] && echo '"<img src=x onerror=alert(1)>"' || echo blue)
    hours=$((i * 7 % 13 + 30))
    label=$([ $hours -ge 37 ] && echo good || echo bad)
    echo "$((20 + i % 40)),$sex,$colour,$hours,$label"
  done
} > "$tmp/train.csv"
"$verdict" train --data "$tmp/train.csv" --target label --positive good --rounds 5 --out "$tmp/model" > /dev/null 2>&1 ||
  { echo "FAIL: could not train the small model"; exit 1; }
"$verdict" explain --model "$tmp/model" --data "$tmp/train.csv" --out "$tmp/explain" > /dev/null 2>&1 ||
  { echo "FAIL: explain"; exit 1; }
"$verdict" bias --model "$tmp/model" --data "$tmp/train.csv" --facet sex --facet-values f --out "$tmp/explain" > /dev/null 2>&1 ||
  { echo "FAIL: bias"; exit 1; }

# 1. A good run, HTML only.
if "$verdict" report --analysis "$tmp/explain" --data "$tmp/train.csv" --model "$tmp/model" \
     --out "$tmp/report/report.html" --no-pdf > "$tmp/stdout" 2> "$tmp/stderr"; then
  echo "ok: report ran: $(head -1 "$tmp/stdout")"
else
  fail "report exited $?: $(cat "$tmp/stderr")"
fi
html=$tmp/report/report.html
if [ -s "$html" ]; then
  grep -q '<svg' "$html" || fail "the report has no <svg"
  [ "$(grep -o '<svg' "$html" | wc -l)" -ge 4 ] || fail "fewer than 4 charts"
  for section in 'id="data"' 'id="model"' 'id="explanations"' 'id="bias"' 'Summary plot' 'Global importance' \
                 'Pre-training bias' 'Post-training bias' 'Counts by group'; do
    grep -qF "$section" "$html" || fail "no '$section' in the report"
  done
  # 80 records × 4 features in the beeswarm.
  [ "$(grep -o '<path d="M' "$html" | wc -l)" = 320 ] || fail "beeswarm dots: $(grep -o '<path d="M' "$html" | wc -l), want 320"
  if grep -qE 'https?://|<script|<link|@import' "$html"; then fail "the report refers outside itself"; else echo "ok: self-contained"; fi
  if grep -qF '<img' "$html"; then fail "markup from the data reached the page"; else echo "ok: data escaped"; fi
  grep -qF '&lt;img src=x onerror=alert(1)&gt;' "$html" || fail "the escaped category is missing"
  [ ! -e "$tmp/report/report.pdf" ] || fail "--no-pdf wrote a PDF"
  [ -z "$(find "$tmp/report" -name '*.tmp-*')" ] || fail "temporaries left behind"
else
  fail "no report.html"
fi

# 2. Bad input: exit 2, one stderr line with the text, no output file.
expect() {
  local name=$1 text=$2
  shift 3
  rm -rf "$tmp/bad"
  "$@" > "$tmp/stdout" 2> "$tmp/stderr"
  local rc=$? lines files
  lines=$(wc -l < "$tmp/stderr")
  files=$(find "$tmp/bad" -type f 2>/dev/null | wc -l)
  if [ "$rc" != 2 ] || [ "$lines" != 1 ] || ! grep -qF -- "$text" "$tmp/stderr" || [ "$files" != 0 ]; then
    fail "$name (exit $rc, $lines stderr lines, $files output files): $(head -c 300 "$tmp/stderr")"
  else
    echo "ok: $name: $(cat "$tmp/stderr")"
  fi
}
report() { "$verdict" report --out "$tmp/bad/report.html" --no-pdf "$@"; }
expect "missing --analysis folder" "--analysis folder '$tmp/nope' does not exist" -- report --analysis "$tmp/nope"
expect "folder without analysis.json" "analysis.json' does not exist" -- report --analysis "$tmp/model"
expect "--analysis not given" "--analysis is required" -- report
expect "unknown count column" "--count-columns: 'shade' is not a column" -- report --analysis "$tmp/explain" --data "$tmp/train.csv" --count-columns sex,shade
expect "count columns without data" "--count-columns needs --data" -- report --analysis "$tmp/explain" --count-columns sex
expect "missing data file" "cannot open '$tmp/none.csv'" -- report --analysis "$tmp/explain" --data "$tmp/none.csv"
expect "unknown SHAP method" "--shap-method 'kernel'" -- report --analysis "$tmp/explain" --shap-method kernel
expect "--pdf with --no-pdf" "excludes" -- report --analysis "$tmp/explain" --pdf "$tmp/bad/r.pdf"
mkdir -p "$tmp/broken" && echo '{ "explanations": ' > "$tmp/broken/analysis.json"
expect "broken analysis.json" "is not valid JSON" -- report --analysis "$tmp/broken"

# 3. No Chromium: the HTML is written, the PDF skipped with a warning.
rm -rf "$tmp/nochrome"
if "$verdict" report --analysis "$tmp/explain" --out "$tmp/nochrome/report.html" --chromium "$tmp/no-chromium" \
     > /dev/null 2> "$tmp/stderr" && [ -s "$tmp/nochrome/report.html" ] && [ ! -e "$tmp/nochrome/report.pdf" ] &&
   grep -q "warning: no Chromium" "$tmp/stderr"; then
  echo "ok: without Chromium: $(cat "$tmp/stderr")"
else
  fail "without Chromium: $(cat "$tmp/stderr")"
fi

# 4. The PDF, when Chromium is here.
if [ -x /usr/bin/chromium ]; then
  if "$verdict" report --analysis "$tmp/explain" --data "$tmp/train.csv" --model "$tmp/model" \
       --out "$tmp/pdf/report.html" --pdf "$tmp/pdf/report.pdf" > /dev/null 2> "$tmp/stderr" &&
     [ "$(head -c 4 "$tmp/pdf/report.pdf")" = "%PDF" ]; then
    echo "ok: PDF printed ($(wc -c < "$tmp/pdf/report.pdf") bytes)"
  else
    fail "PDF: $(tail -1 "$tmp/stderr")"
  fi
else
  echo "skip: no /usr/bin/chromium, PDF not tried"
fi

# --help explains every option.
help=$("$verdict" report --help)
for opt in --analysis --out --data --model --schema --target --positive --count-columns --shap-method --title \
           --max-dots --pdf --no-pdf --chromium; do
  grep -q -- "$opt" <<< "$help" || fail "--help does not mention $opt"
done
echo "$failures failure(s)"
[ "$failures" = 0 ]
