#!/usr/bin/env bash
# The GPU check, prepared as one script (under 8 minutes on an H200, build included):
#   1. builds mltemp for sm_90 into build-device/ (Release, CUDA on, tests and benchmarks);
#   2. runs the GPU tests: the GPU against the CPU for every energy (every table column within
#      1e-12 relative) and the GPU bitwise across batch sizes (test_engine_paths, OnDevice.*);
#      plus the ptxas resource budget;
#   3. times each energy on the GPU at the peer workloads (bench/workloads/*.toml, marginal
#      particles/s from two particle counts) and measures the device's ceilings in the same run
#      (cuBLAS DGEMM, device-to-device copy: bench/device/ceilings.cu);
#   4. prints a table and appends it, with the date and the device, to bench/RESULTS.md (and to
#      $OUT/RESULTS-device.md when $OUT is set, so that a remote run brings it back).
# Without a GPU it stops after the build (exit 0, saying so): it must always build.
#
# Dependencies: the Debian packages of scripts/setup.sh. A lent GPU machine has CUDA but not
# those libraries (and no network): there, run bench/device/prepare.sh here first and carry
# build-device/ (the programs for sm_90 and x86-64-v4, and their libraries in build-device/lib);
# this script then uses them instead of building.
#   bench/device/run.sh [--build-only]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
build=build-device
t_start=$(date +%s)
log() { echo "device: $*" >&2; }

# ---- build (or the carried build) ----------------------------------------------------------
if [ -x "$build/mltemp" ] && [ -d "$build/lib" ] && [ ! -e /usr/include/toml++/toml.h ]; then
  export LD_LIBRARY_PATH="$root/$build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  log "using the carried build in $build (bench/device/prepare.sh)"
else
  log "configuring and building for sm_90 ($(nproc) cores)"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMLTEMP_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 >/dev/null
  cmake --build "$build" -j "$(nproc)"
  scripts/ptxas_report.sh sm_90
fi
"$build/mltemp" --version

gpu=""
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then gpu=$(nvidia-smi -L | head -1); fi
if [ "${1:-}" = "--build-only" ] || [ -z "$gpu" ]; then
  log "built; no GPU here (or --build-only): the device tests and timings did not run"
  exit 0
fi
log "GPU: $gpu"

# ---- GPU tests --------------------------------------------------------------------------
log "GPU against CPU for every energy, and bitwise across batch sizes on the device"
"$build/tests/test_engine_paths" --gtest_filter='AllEnergies/OnDevice.*:Particles.*:FoldKernel.*' \
  --gtest_brief=1
tests_ok=yes

# ---- timings and ceilings ----------------------------------------------------------------
ceil=$("$build/bench/mltemp_device_ceilings")
log "ceilings: $ceil"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# seconds of the particle loops of one run (mltemp prints "...; particles S s")
loop_seconds() {
  "$build/mltemp" run "$1" --out "$tmp/t.h5" --replace --backend cuda --particles "$2" --name "t$2" |
    sed -n 's/.*particles \([0-9.e+-]*\) s$/\1/p' | tail -1
}
rows=()
for spec in linear-mse:67108864 linear-mae:1048576 logistic-ce:1048576 mlp-tanh:32768; do
  wl=${spec%%:*} n=${spec##*:}
  t1=$(loop_seconds "bench/workloads/$wl.toml" "$n")
  t2=$(loop_seconds "bench/workloads/$wl.toml" $((2 * n)))
  rows+=("$wl $n $t1 $t2")
  log "$wl: $n particles in $t1 s, $((2 * n)) in $t2 s"
done

table=$(python3 - "$ceil" "${rows[@]}" <<'PY'
import json, sys
ceil = json.loads(sys.argv[1])
# flops of the GEMM-shaped part per particle (n = 1e4, m = 32; the 16-64-64-1 net on 1024 points)
flops = {"linear-mse": 2 * 32 * 32, "linear-mae": 2 * 1e4 * 32, "logistic-ce": 2 * 1e4 * 32,
         "mlp-tanh": 2 * 1024 * (16 * 64 + 64 * 64 + 64)}
print(f"| workload | particles/s (GPU) | FP64 TFLOP/s | of cuBLAS DGEMM |")
print(f"| --- | --- | --- | --- |")
for row in sys.argv[2:]:
    wl, n, t1, t2 = row.split()
    rate = int(n) / max(float(t2) - float(t1), 1e-9)
    tf = rate * flops[wl] / 1e12
    print(f"| {wl} | {rate:.3g} | {tf:.3g} | {100 * tf / ceil['dgemm_tflops']:.0f}% |")
print()
print(f"Ceilings, same run: cuBLAS DGEMM {ceil['dgemm_tflops']:.1f} TFLOP/s (8192^3), "
      f"device-to-device copy {ceil['d2d_tbps']:.2f} TB/s (read + write).")
PY
)
stamp=$(date -u +"%Y-%m-%d %H:%M UTC")
report=$(printf "\n## %s, %s (bench/device/run.sh, mltemp %s)\n\nGPU tests: %s (GPU vs CPU every energy, bitwise across batches).\n\n%s\n" \
  "$stamp" "$gpu" "$(git rev-parse --short HEAD 2>/dev/null || echo '?')" "$tests_ok" "$table")
echo "$report"
echo "$report" >>bench/RESULTS.md
[ -n "${OUT:-}" ] && echo "$report" >"$OUT/RESULTS-device.md"
log "done in $(($(date +%s) - t_start)) s"
