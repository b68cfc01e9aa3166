#!/usr/bin/env bash
# Batch explanation on a real Slurm: a throwaway one-node cluster (slurmctld + slurmd from
# slurm-wlm, a generated slurm.conf in a temp folder, free ports, no munge) runs
# scripts/slurm-explain's job array of 5 `verdict explain --shard I/5` tasks over 16,000 loan rows
# (4 blocks of 4,096, so one shard is empty and the last block is partial) and the dependent
# `verdict explain-merge` job; the merged folder holds the same files as one `verdict explain` of
# the whole CSV, each byte-identical (cmp, nothing masked). A shard that fails keeps the merge
# from ever running (afterok; the merge job is cancelled, no output). The launcher refuses bad
# input with one line and exit 2. Both daemons are stopped by pid whatever happens.
# Skipped (77, with the reason) when slurmctld/slurmd are missing or do not bring the node up.
# Usage: slurm_shards.sh VERDICT
set -uo pipefail
verdict=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
launcher=$root/scripts/slurm-explain
export PATH=$PATH:/usr/sbin:/usr/bin
for v in $(compgen -e | grep -E '^(SLURM|SBATCH|SALLOC|SRUN|SQUEUE|SINFO|SCONTROL)_'); do unset "$v"; done
tmp=$(mktemp -d)
ctld='' slurmd='' jobs=()
stop_all() {
  [ ${#jobs[@]} -gt 0 ] && [ -n "$ctld" ] && scancel "${jobs[@]}" 2> /dev/null
  for pid in $slurmd $ctld; do kill "$pid" 2> /dev/null; done
  for pid in $slurmd $ctld; do
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
  done
  rm -rf "$tmp"
}
trap stop_all EXIT
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIPPED: $*"; exit 77; }
cd "$tmp" || exit 1

"$verdict" data loan --rows 20000 --seed 0 --out data > /dev/null || fail "data"
"$verdict" train --data data/test.csv --target approved --rounds 40 --threads 1 --out model > /dev/null 2>&1 || fail "train"
[ "$(($(wc -l < data/train.csv) - 1))" = 16000 ] || fail "data/train.csv should have 16,000 rows"

# The launcher: bad input is one line on stderr, exit 2, nothing submitted or created.
"$launcher" --help | grep -q -- "--shards N" || fail "slurm-explain --help"
good=(--model model --data data/train.csv --verdict "$verdict")
bad_cases=("--model model --data data/train.csv --out o"
           "--shards 1 --model model --data data/train.csv --out o"
           "--shards x --model model --data data/train.csv --out o"
           "--shards 3 --model nope --data data/train.csv --out o"
           "--shards 3 --model model --data nope.csv --out o"
           "--shards 3 --model model --data data/train.csv"
           "--shards 3 --model model --data data/train.csv --out o --cpus-per-task 0"
           "--shards 3 --model model --data data/train.csv --out o --verdict /nonexistent/verdict"
           "--shards 3 --model model --data data/train.csv --out o --frobnicate"
           "--shards 3 --model model --data data/train.csv --out o --verdict $verdict -- --shard 1/2"
           "--shards 3 --model model --data data/train.csv --out o --verdict $verdict -- --threads 4"
           "--shards 3 --model model --data data/train.csv --out o --verdict $verdict --merge-mem lots")
for args in "${bad_cases[@]}"; do
  # shellcheck disable=SC2086
  "$launcher" $args > stdout 2> err
  rc=$?
  [ "$rc" = 2 ] && [ "$(wc -l < err)" = 1 ] && [ ! -s stdout ] && [ ! -e o ] && [ ! -e o.parts ] ||
    fail "slurm-explain $args: exit $rc, stderr: $(cat err)"
done
echo "ok: slurm-explain refuses ${#bad_cases[@]} kinds of bad input (one line, exit 2, nothing created)"

for bin in slurmctld slurmd sbatch scontrol scancel sinfo; do
  command -v "$bin" > /dev/null || skip "$bin is not installed (scripts/setup installs slurm-wlm)"
done
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
host=$(hostname -s)
user=$(id -un)
mkdir -p slurm/state slurm/spool
cat > slurm/slurm.conf <<CONF
ClusterName=verdicttest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/none
CredType=cred/none
SlurmUser=$user
SlurmdUser=$user
StateSaveLocation=$tmp/slurm/state
SlurmdSpoolDir=$tmp/slurm/spool
SlurmctldPidFile=$tmp/slurm/slurmctld.pid
SlurmdPidFile=$tmp/slurm/slurmd.pid
SlurmctldLogFile=$tmp/slurm/slurmctld.log
SlurmdLogFile=$tmp/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$(($(awk '/^MemTotal/ { print $2 }' /proc/meminfo) / 2048))
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$tmp/slurm/slurm.conf
# In the foreground (-D) as our children, so $! is the daemon; nice: the jobs inherit it.
nice -n 10 slurmctld -D -c -f "$SLURM_CONF" > slurm/slurmctld.out 2>&1 &
ctld=$!
nice -n 10 slurmd -D -N "$host" -f "$SLURM_CONF" > slurm/slurmd.out 2>&1 &
slurmd=$!
why_down() { tail -n 1 "slurm/$1.log" "slurm/$1.out" 2> /dev/null | grep -v '^==>\|^$' | tail -n 1; }
for _ in $(seq 100); do
  kill -0 "$ctld" 2> /dev/null || skip "slurmctld stopped at start: $(why_down slurmctld)"
  kill -0 "$slurmd" 2> /dev/null || skip "slurmd stopped at start: $(why_down slurmd)"
  [ "$(sinfo -h -n "$host" -o %t 2> /dev/null)" = idle ] && break
  sleep 0.2
done
[ "$(sinfo -h -n "$host" -o %t 2> /dev/null)" = idle ] ||
  skip "the Slurm node did not come up idle in 20 s: $(sinfo -h -o '%t %E' 2> /dev/null) $(why_down slurmd)"
echo "ok: one-node Slurm up (slurmctld pid $ctld, slurmd pid $slurmd, node $host, $(nproc) CPUs)"

# wait_jobs ID...: until every job (every task of an array) has ended; prints "ID STATE EXIT" lines.
wait_jobs() {
  local deadline=$((SECONDS + 240)) lines
  while :; do
    lines=$(for id in "$@"; do scontrol show job -o "$id"; done 2> /dev/null |
      sed -E 's/^JobId=([0-9]+) .*JobState=([A-Z_]+) .*ExitCode=([0-9:]+).*/\1 \2 \3/')
    grep -qE ' (PENDING|RUNNING|CONFIGURING|COMPLETING|REQUEUED|RESIZING|SUSPENDED)' <<< "$lines" || break
    [ $SECONDS -lt $deadline ] || fail "jobs $* still not done after 240 s: $(tr '\n' ';' <<< "$lines")"
    sleep 0.5
  done
  echo "$lines"
}
job_log() { cat "$1"/logs/*.out 2> /dev/null | tr '\r' '\n' | grep -v '^shap:' | tail -n 5; }

n=5
start=$SECONDS
ids=$("$launcher" --shards $n "${good[@]}" --out merged --max-running 2 --merge-mem 200M --parsable -- --shap tree,baseline) ||
  fail "slurm-explain"
read -r array_id merge_id <<< "$ids"
jobs+=("$array_id" "$merge_id")
# Checked at once: the throttle shows on the array's record while tasks still wait (once they
# have all run, Slurm lists them one by one, without it).
scontrol show job "$array_id" | grep -q "ArrayTaskThrottle=2" || fail "the array did not get --max-running 2"
states=$(wait_jobs "$array_id" "$merge_id")
[ "$(grep -c ' COMPLETED 0:0$' <<< "$states")" = $((n + 1)) ] ||
  fail "array job $array_id and merge job $merge_id: $(tr '\n' ';' <<< "$states") $(job_log merged.parts)"
scontrol show job "$merge_id" | grep -q "MinMemoryNode=200M" || fail "the merge job did not get --merge-mem 200M"
echo "ok: array job $array_id ($n tasks, 2 at a time) and merge job $merge_id (afterok, 200M) completed in $((SECONDS - start)) s"

"$verdict" explain --model model --data data/train.csv --shap tree,baseline --out single > /dev/null 2>&1 || fail "single run"
[ "$(cd single && find . -type f | sort)" = "$(cd merged && find . -type f | sort)" ] ||
  fail "the merged folder and the single run hold different files"
files=0
for f in $(cd single && find . -type f | sort); do
  cmp -s "single/$f" "merged/$f" || fail "merged/$f differs from the single run's"
  files=$((files + 1))
done
echo "ok: merged output byte-identical to one verdict explain: $files files (cmp, nothing masked)"
python3 - "$n" <<'PY' || fail "shard folders"
import json, sys
n = int(sys.argv[1])
meta = [json.load(open(f"merged.parts/part-{i}/shard.json")) for i in range(n)]
assert [(m["shard"], m["shards"]) for m in meta] == [(i, n) for i in range(n)], meta
rows = [m["rows"] for m in meta]
assert rows == [0, 4096, 4096, 4096, 3712], rows
print(f"ok: shard folders part-0..{n - 1} hold rows {rows} (an empty shard, a partial last block)")
PY

ids=$("$launcher" --shards 3 "${good[@]}" --out failed --parsable -- --shap no-such-method) || fail "slurm-explain (failing run)"
read -r array_id merge_id <<< "$ids"
jobs+=("$array_id" "$merge_id")
states=$(wait_jobs "$array_id" "$merge_id")
[ "$(grep -c ' FAILED ' <<< "$states")" = 3 ] && grep -q "^$merge_id CANCELLED " <<< "$states" ||
  fail "failing shards: expected 3 FAILED tasks and a CANCELLED merge: $(tr '\n' ';' <<< "$states")"
[ ! -e failed ] || fail "the merge of failed shards wrote output"
grep -q "no-such-method" failed.parts/logs/explain-*.out || fail "the task logs do not name the error"
echo "ok: failing shards -> merge job $merge_id cancelled (afterok never satisfied), no output"
