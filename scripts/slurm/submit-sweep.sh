#!/usr/bin/env bash
# Splits a config's sweep over a Slurm job array, one scale per task, and chains the merge:
#   scripts/slurm/submit-sweep.sh CONFIG.toml OUT.h5 [mltemp run flags...]
# e.g. scripts/slurm/submit-sweep.sh examples/diabetes-mse.toml results.h5 --particles 1e8
#
# 1. `mltemp split CONFIG [flags]` writes PARTS_DIR/split.txt: one line per scale, the --set
#    arguments that run that scale alone (bit for bit the scale of the whole sweep).
# 2. sweep-array.sbatch runs as an array of N tasks: task I writes PARTS_DIR/part_I.h5.
# 3. merge.sbatch runs after every task succeeded (--dependency=afterok:ARRAY) and merges the
#    parts into OUT.h5: the same tables as one run of the whole sweep.
# If a task fails, the merge never starts (Slurm leaves it pending: DependencyNeverSatisfied).
# Rerun the failed tasks I, J and then the merge (tested on scripts/slurm/local-cluster.sh):
#   scancel MERGE_JOB
#   export MLTEMP=... CONFIG=... PARTS_DIR=...
#   A=$(sbatch --parsable --export=ALL --array=I,J --chdir="$PARTS_DIR" scripts/slurm/sweep-array.sbatch [flags])
#   sbatch --export=ALL --dependency=afterok:$A --chdir="$PARTS_DIR" scripts/slurm/merge.sbatch OUT.h5 "$PARTS_DIR" N
#
# Environment:
#   MLTEMP       the mltemp binary (default: build/mltemp of this checkout, else mltemp on PATH)
#   PARTS_DIR    where the parts go (default: OUT.h5's name with .parts, beside it); every node
#                must see it, and OUT.h5
#   SBATCH_ARGS  more sbatch options for both jobs, e.g. "--partition=cpu --account=proj"
#   ARRAY_ARGS   more sbatch options for the array, e.g. "--cpus-per-task=8 --time=02:00:00"
#                (each task passes --threads $SLURM_CPUS_PER_TASK to mltemp)
#   MERGE_ARGS   flags for `mltemp merge`, e.g. --replace (a run of the same name in OUT.h5 is
#                refused otherwise)
# Prints the two job ids. Exit 2 when the config is refused (mltemp split's message).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 2 ] || { sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
config=$(realpath "$1")
out=$(realpath -m "$2")
shift 2
if [ -z "${MLTEMP:-}" ]; then
  if [ -x "$here/../../build/mltemp" ]; then MLTEMP=$(realpath "$here/../../build/mltemp"); else MLTEMP=$(command -v mltemp); fi
fi
parts_dir=$(realpath -m "${PARTS_DIR:-${out%.h5}.parts}")
mkdir -p "$parts_dir"

"$MLTEMP" split "$config" "$@" >"$parts_dir/split.txt"
n=$(wc -l <"$parts_dir/split.txt")
export MLTEMP CONFIG="$config" PARTS_DIR="$parts_dir" MERGE_ARGS="${MERGE_ARGS:-}"
# shellcheck disable=SC2086  # SBATCH_ARGS, ARRAY_ARGS: options, split on purpose
array=$(sbatch --parsable --export=ALL --array="0-$((n - 1))" --chdir="$parts_dir" ${SBATCH_ARGS:-} ${ARRAY_ARGS:-} \
  "$here/sweep-array.sbatch" "$@")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$array" --kill-on-invalid-dep=no --chdir="$parts_dir" \
  ${SBATCH_ARGS:-} "$here/merge.sbatch" "$out" "$parts_dir" "$n")
merge=${merge%%;*}
echo "submitted array job $array ($n tasks, one scale each, parts in $parts_dir)"
echo "submitted merge job $merge (after every task of $array succeeded) -> $out"
