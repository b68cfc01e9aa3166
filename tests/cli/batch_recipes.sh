#!/usr/bin/env bash
# The Kubernetes and Spark recipes run exactly what they name. configs/kubernetes/*.yaml parse
# (PyYAML) with an Indexed Job whose completions match its --shard I/N; each pod's command is run
# here as the kubelet would start it ($(JOB_COMPLETION_INDEX) expanded, the volume /data mapped
# to a temp folder), then the merge Job's command; configs/spark/explain_shards.py's pipe command is
# run as PySpark's RDD.pipe runs it (shlex.split, an empty environment, the index on stdin), then
# its merge. Both merged outputs are byte-identical to one `verdict explain` (cmp, every file).
# No cluster and no Spark are started: the engines' own parts are emulated, the commands are real.
# Twice: a binary model, then a 3-class one (SHAP per class, K probabilities a line).
# Usage: batch_recipes.sh VERDICT
set -uo pipefail
verdict=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp" || exit 1
python3 -c "import yaml" 2> /dev/null || { echo "SKIPPED: python3 has no yaml module (PyYAML)"; exit 77; }

# recipes LABEL "DATA ARGS" "TRAIN ARGS": both recipes on a model trained on `verdict data loan`.
recipes() {
local label=$1
rm -rf loan model data single
# shellcheck disable=SC2086
"$verdict" data loan $2 --seed 1 --out loan > /dev/null || fail "$label: data"
# shellcheck disable=SC2086
"$verdict" train --data loan/test.csv $3 --rounds 40 --threads 1 --out model > /dev/null 2>&1 || fail "$label: train"
mkdir -p data/input
cp -r model data/model
cp loan/train.csv data/input/records.csv
"$verdict" explain --model data/model --data data/input/records.csv --shap tree --out single > /dev/null 2>&1 || fail "single run"

same_outputs() {  # same_outputs A B: the same files, each byte-identical
  [ "$(cd "$1" && find . -type f | sort)" = "$(cd "$2" && find . -type f | sort)" ] || fail "$1 and $2 hold different files"
  local f n=0
  for f in $(cd "$1" && find . -type f | sort); do cmp -s "$1/$f" "$2/$f" || fail "$2/$f differs from $1/$f"; n=$((n + 1)); done
  echo "$n"
}

python3 - "$root/configs/kubernetes" "$verdict" "$tmp/data" <<'PY' || fail "Kubernetes recipe"
import re, subprocess, sys, yaml
conf, verdict, data = sys.argv[1:]
def load(name):
    docs = [d for d in yaml.safe_load_all(open(f"{conf}/{name}")) if d]
    assert len(docs) == 1 and docs[0]["apiVersion"] == "batch/v1" and docs[0]["kind"] == "Job", name
    return docs[0]
def expand(text, env):  # the kubelet's $(VAR) expansion in command and args ($$ escapes)
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), text)
def local(argv):  # the image's binary and the mounted volume, here
    return [a.replace("/data/", data + "/").replace("/usr/local/bin/verdict", verdict) for a in argv]
job = load("explain-indexed-job.yaml")
spec = job["spec"]
assert spec["completionMode"] == "Indexed", spec
n = spec["completions"]
pod = spec["template"]["spec"]
assert pod["restartPolicy"] == "Never" and pod["volumes"][0]["persistentVolumeClaim"]["claimName"], pod
(c,) = pod["containers"]
assert any(e["name"] == "JOB_COMPLETION_INDEX" for e in c["env"]), c["env"]
argv = c["command"] + c["args"]
assert f"$(JOB_COMPLETION_INDEX)/{n}" in argv, f"--shard does not say /{n} like completions: {argv}"
for i in range(n):
    r = subprocess.run(local([expand(a, {"JOB_COMPLETION_INDEX": str(i)}) for a in argv]), capture_output=True, text=True)
    assert r.returncode == 0, f"pod {i}: {r.stderr[-500:]}"
merge = load("explain-merge-job.yaml")
(m,) = merge["spec"]["template"]["spec"]["containers"]
r = subprocess.run(local(m["command"] + m.get("args", [])), capture_output=True, text=True)
assert r.returncode == 0, f"merge: {r.stderr[-500:]}"
print(f"ok: Kubernetes: the Indexed Job's {n} pod commands and the merge Job's command ran")
PY
n=$(same_outputs single data/explain) || { echo "$n"; exit 1; }
echo "ok: $label: Kubernetes recipe's merged output byte-identical to one verdict explain: $n files"

rm -rf data/parts
python3 - "$root/configs/spark" "$verdict" "$tmp/data" <<'PY' || fail "Spark recipe"
import shlex, subprocess, sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, sys.argv[1])
import explain_shards as spark
verdict, data = sys.argv[2:]
n = 3
command = spark.shard_command(verdict, f"{data}/model", f"{data}/input/records.csv", n, f"{data}/parts", ["--shap", "tree"])
for i in range(n):  # PySpark's RDD.pipe, one element per partition, checkCode=True
    p = subprocess.Popen(shlex.split(command), env={}, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(f"{i}\n".encode())
    assert p.returncode == 0, f"partition {i}: {err.decode()[-500:]}"
    assert out.decode().startswith("explained "), out
subprocess.run(spark.merge_command(verdict, n, f"{data}/parts", f"{data}/explain-spark"), check=True, capture_output=True)
print(f"ok: Spark: {n} partitions piped through the shard command, merged on the driver")
PY
n=$(same_outputs single data/explain-spark) || { echo "$n"; exit 1; }
echo "ok: $label: Spark recipe's merged output byte-identical to one verdict explain: $n files"
}

recipes "binary" "--rows 20000" "--target approved"
recipes "3 classes" "--rows 6000 --outcomes 3" "--target decision --param objective=multi:softprob"
grep -q '"label_headers"' data/explain/analysis.json || fail "3 classes: the merged analysis has no label_headers"
