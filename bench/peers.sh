#!/usr/bin/env bash
# mltemp against plain NumPy and PyTorch (CPU, float64) scripts of the same computation, and
# against this machine's DGEMM ceiling, in one run (bench/run_bench.py does the work):
#   bench/peers.sh              full run (about 10 minutes on 2 cores), appends to bench/RESULTS.md
#   bench/peers.sh --quick      reduced sizes, a smoke run
#   bench/peers.sh --no-results print only
# Installs what it needs through scripts/setup.sh (Debian; root or sudo): the project's
# packages plus python3-torch and libopenblas0-pthread, which only this benchmark uses (torch
# takes about 2 minutes the first time), then builds (or brings up to date) build/.
# Run it on an otherwise idle machine: it times things.
set -euo pipefail
cd "$(dirname "$0")/.."

MLTEMP_EXTRA_PACKAGES="python3-torch libopenblas0-pthread" scripts/setup.sh
[ -x build/mltemp ] || { echo "bench: error: build/mltemp was not built" >&2; exit 2; }

# Some machines here force a slow OpenBLAS kernel; the benchmark (only) runs without it.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
exec /usr/bin/python3 bench/run_bench.py --mltemp build/mltemp "$@"
