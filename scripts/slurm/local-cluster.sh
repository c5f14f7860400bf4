#!/usr/bin/env bash
# A single-node Slurm cluster on this machine (Debian 12: slurm-wlm 22.05 and munge), to try the
# scripts of scripts/slurm/ without a real cluster. Not part of CI. Needs root.
#   scripts/slurm/local-cluster.sh start    install what is missing, configure, start the daemons
#   scripts/slurm/local-cluster.sh test     run the sweep workflow and the MPI template on it
#   scripts/slurm/local-cluster.sh status
#   scripts/slurm/local-cluster.sh stop     stop the daemons that start started (by pid file)
#
# What `start` does (the same steps by hand on another machine):
# 1. apt-get install slurmctld slurmd slurm-client munge (--no-install-recommends). The packages
#    create the system users `munge` and `slurm`.
# 2. munge, which signs every Slurm message: the key /etc/munge/munge.key (owner munge, mode
#    0400; made with `mungekey --create` when the package did not make one), the socket folder
#    /run/munge (owner munge), then `runuser -u munge -- munged`; `munge -n | unmunge` checks it.
# 3. /etc/slurm/slurm.conf: this host (short name) is the controller and the only node, at
#    127.0.0.1, with the hardware `slurmd -C` reports; auth/munge; proctrack/linuxproc and
#    task/none (no cgroups needed, so it also works in a container); no accounting. State in
#    /var/lib/slurm, logs in /var/log/slurm (owner slurm). An existing slurm.conf is kept as
#    slurm.conf.before-mltemp.
# 4. slurmctld (it drops to SlurmUser=slurm) and slurmd (root), each writing a pid file in
#    /run; then wait until the node is idle (`sinfo`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
conf=/etc/slurm/slurm.conf
pids=(/run/slurmctld.pid /run/slurmd.pid /run/munge/munged.pid)

need_root() { [ "$(id -u)" -eq 0 ] || { echo "local-cluster: run as root" >&2; exit 2; }; }
running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_packages() {
  local missing=()
  for p in slurmctld slurmd slurm-client munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  echo "local-cluster: installing ${missing[*]}"
  apt-get update -qq
  # The packages' own start scripts are not wanted: this script starts the daemons itself.
  local policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -z "$policy" ] || rm -f "$policy"
}

start_munge() {
  if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --keyfile=/etc/munge/munge.key
  fi
  chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
  running /run/munge/munged.pid || runuser -u munge -- /usr/sbin/munged
  munge -n | unmunge >/dev/null
  echo "local-cluster: munged up (pid $(cat /run/munge/munged.pid))"
}

write_conf() {
  local host node
  host=$(hostname -s)
  node=$(slurmd -C | head -n 1)  # "NodeName=HOST CPUs=... RealMemory=..."
  [ -e "$conf" ] && ! grep -q "^# mltemp local cluster" "$conf" && cp "$conf" "$conf.before-mltemp"
  install -d -o slurm -g slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
  cat >"$conf" <<EOF
# mltemp local cluster (scripts/slurm/local-cluster.sh): one node, this host.
ClusterName=mltemp-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  echo "local-cluster: wrote $conf ($node)"
}

start() {
  need_root
  install_packages
  start_munge
  write_conf
  running /run/slurmctld.pid || slurmctld
  running /run/slurmd.pid || slurmd
  for _ in $(seq 60); do
    state=$(sinfo -h -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 1
  done
  sinfo
  [ "$state" = idle ] || { echo "local-cluster: the node is not idle; see /var/log/slurm/" >&2; exit 4; }
  echo "local-cluster: up. Try: scripts/slurm/local-cluster.sh test"
}

stop() {
  need_root
  for f in "${pids[@]}"; do
    if running "$f"; then
      pid=$(cat "$f")
      kill "$pid"
      for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      echo "local-cluster: stopped $(basename "$f" .pid) (pid $pid)"
    fi
  done
}

status() {
  for f in "${pids[@]}"; do
    if running "$f"; then echo "$(basename "$f" .pid): running (pid $(cat "$f"))"; else echo "$(basename "$f" .pid): stopped"; fi
  done
  if running /run/slurmctld.pid; then sinfo; fi
}

# Waits until none of the jobs is pending or running (at most $2 seconds).
wait_jobs() {
  local ids=$1 limit=$2
  for _ in $(seq "$limit"); do
    [ -z "$(squeue -h -j "$ids" -t PENDING,RUNNING,CONFIGURING,COMPLETING 2>/dev/null)" ] && return 0
    sleep 1
  done
  echo "local-cluster: jobs $ids still queued after ${limit}s" >&2
  squeue
  return 4
}

job_states() {  # one line per job (array tasks one by one): id, task, name, state, exit code
  local line f
  scontrol -o show job "$1" | while read -r line; do
    for f in $line; do
      case $f in JobId=* | ArrayTaskId=* | JobName=* | JobState=* | ExitCode=*) printf '%s ' "$f" ;; esac
    done
    echo
  done
}

run_test() {
  need_root
  local mltemp=$repo/build/mltemp
  [ -x "$mltemp" ] || { echo "local-cluster: build mltemp first (scripts/setup.sh)" >&2; exit 2; }
  local work
  work=$(mktemp -d /tmp/mltemp-slurm-test.XXXXXX)
  chmod 755 "$work"
  echo "== work folder $work"
  local -a cases=("examples/diabetes-mse.toml --particles 20000" "examples/teacher-student-mlp.toml --particles 4000")
  local ids=() outs=() wholes=()
  for c in "${cases[@]}"; do
    read -r -a a <<<"$c"
    local cfg=$repo/${a[0]} stem
    stem=$(basename "${a[0]}" .toml)
    echo "== $stem: the whole sweep in one local run (the reference)"
    "$mltemp" run "$cfg" "${a[@]:1}" --threads 1 --quiet --out "$work/$stem-whole.h5"  # as the tasks run
    echo "== $stem: scripts/slurm/submit-sweep.sh ${a[*]:1}"
    local out
    out=$(MLTEMP=$mltemp "$here/submit-sweep.sh" "$cfg" "$work/$stem.h5" "${a[@]:1}")
    echo "$out"
    mapfile -t -O "${#ids[@]}" ids < <(echo "$out" | sed -nE 's/^submitted (array|merge) job ([0-9]+).*/\2/p')
    outs+=("$work/$stem.h5")
    wholes+=("$work/$stem-whole.h5")
  done
  echo "== mltemp-mpi.sbatch, two ranks, by srun --mpi=pmix and by mpirun"
  for launch in srun mpirun; do
    local id
    id=$(cd "$work" && MLTEMP=$mltemp MLTEMP_LAUNCH=$launch OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
      sbatch --parsable --export=ALL --ntasks=2 --cpus-per-task=1 "$here/mltemp-mpi.sbatch" "$repo/examples/diabetes-mse.toml" \
      "$work/mpi-$launch.h5" --particles 20000 --quiet)
    echo "submitted job $id ($launch)"
    ids+=("${id%%;*}")
  done
  wait_jobs "$(IFS=,; echo "${ids[*]}")" 600
  echo "== job states"
  for id in "${ids[@]}"; do job_states "$id"; done
  echo "== merge logs"
  cat "$work"/*.parts/mltemp-merge-*.out
  echo "== mpi logs"
  cat "$work"/mltemp-[0-9]*.out
  echo "== merged files against the single runs"
  /usr/bin/python3 - "${outs[@]}" "$work/mpi-srun.h5" "$work/mpi-mpirun.h5" -- "${wholes[@]}" "${wholes[0]}" "${wholes[0]}" <<'EOF'
import sys, h5py, numpy as np
args = sys.argv[1:]
k = args.index("--")
got, want = args[:k], args[k + 1:]
timing = {"seconds", "setup_seconds_data", "setup_seconds_system", "setup_seconds_references",
          "particles_per_second", "created", "merged_from"}
bad = 0
for g, w in zip(got, want):
    with h5py.File(g, "r") as fg, h5py.File(w, "r") as fw:
        for name in fw["runs"]:
            rg, rw = fg["runs"][name], fw["runs"][name]
            sets = []
            rw.visititems(lambda p, o: sets.append(p) if isinstance(o, h5py.Dataset) else None)
            same = 0
            for p in sets:
                a, b = rw[p][()], rg[p][()]
                if a.dtype.names:
                    ok = a.dtype == b.dtype and len(a) == len(b) and all(
                        (list(a[c]) == list(b[c])) if a.dtype[c].kind == "O" else a[c].tobytes() == b[c].tobytes()
                        for c in a.dtype.names)
                else:
                    ok = a.tobytes() == b.tobytes()
                same += ok
                if not ok:
                    bad += 1
                    print(f"  DIFFERS: {g}:/runs/{name}/{p}")
            differ = sorted(a for a in set(rg.attrs) | set(rw.attrs)
                            if a not in rg.attrs or a not in rw.attrs or str(rg.attrs[a]) != str(rw.attrs[a]))
            rows = {p: len(rw[p]) for p in sets if rw[p].dtype.names}
            print(f"{g.split('/')[-1]}:/runs/{name}: {same}/{len(sets)} datasets bitwise equal to the single run "
                  f"(tables {rows}); attributes that differ: {', '.join(differ)}")
            bad += len(set(differ) - timing - {"config_effective", "ranks"})  # ranks: the MPI jobs' 2
            if "config_effective" in differ:  # only --threads may differ (a setting that changes no result)
                lw, lg = (r.attrs["config_effective"].decode().splitlines() for r in (rw, rg))
                lines = [f"{x!r} -> {y!r}" for x, y in zip(lw, lg) if x != y]
                print("  config_effective: " + "; ".join(lines))
                bad += len(lw) != len(lg) or any(not x.startswith("threads = ") for x, y in zip(lw, lg) if x != y)
sys.exit(1 if bad else 0)
EOF
  echo "== local-cluster test: passed"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  test) run_test ;;
  *) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
