#!/usr/bin/env bash
# scikit-learn forests through scripts/sklearn_export.py and the CLI (tests/cli/sklearn_forests.py
# says what is checked): `generated` trains every supported model kind on a small generated set;
# `abalone` a RandomForestRegressor on UCI Abalone's numeric columns and the reference's Pipeline
# (identity FunctionTransformer + Sex one-hot + RandomForestRegressor).
# Usage: sklearn_forests.sh VERDICT generated|abalone [WORKDIR]
# Exit 77 (skipped) when /usr/bin/python3 has no scikit-learn, or (abalone) without a data mirror.
set -euo pipefail
verdict=$(realpath "$1")
mode=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
if ! "$py" -c "import sklearn, joblib" 2> /dev/null; then
  echo "SKIPPED: $py has no scikit-learn (Debian: apt-get install python3-sklearn; scripts/setup installs it)"
  exit 77
fi
work=${3:-}
if [ -z "$work" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
rm -rf "$work" && mkdir -p "$work"
export PYTHONWARNINGS=ignore  # scikit-learn's FutureWarnings are not this test's business
case $mode in
  generated)
    exec nice "$py" "$root/tests/cli/sklearn_forests.py" "$verdict" "$root/scripts/sklearn_export.py" generated "$work"
    ;;
  abalone)
    mirror=${VERDICT_DATA_MIRROR:-}
    if [ -z "$mirror" ] || { [ ! -f "$mirror/abalone/abalone.data" ] && [ ! -f "$mirror/abalone.data" ]; }; then
      echo "SKIPPED: VERDICT_DATA_MIRROR is not set to a folder holding abalone/abalone.data"
      exit 77
    fi
    "$verdict" data abalone --out "$work/data" > /dev/null
    nice "$py" "$root/tests/cli/sklearn_forests.py" "$verdict" "$root/scripts/sklearn_export.py" abalone "$work" "$work/data"
    ;;
  *)
    echo "usage: sklearn_forests.sh VERDICT generated|abalone [WORKDIR]" >&2
    exit 2
    ;;
esac
