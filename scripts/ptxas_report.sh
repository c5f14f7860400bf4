#!/usr/bin/env bash
# Resource report of every GPU kernel as ptxas sees it, and the budget they must meet:
# no spills, a stack frame of at most 256 bytes, at most 128 registers per thread.
#   scripts/ptxas_report.sh [ARCH]     ARCH defaults to sm_90 (Hopper: H100, H200)
# Exits 1 when a kernel breaks the budget, 2 when nvcc is missing. Needs no GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
arch="${1:-sm_90}"
nvcc="${NVCC:-/usr/local/cuda/bin/nvcc}"
[ -x "$nvcc" ] || { echo "ptxas_report: no nvcc at $nvcc" >&2; exit 2; }
max_regs=128 max_stack=256
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for src in kernels/*.cu; do
  # The flags of the build (CMakeLists.txt): same code generation as the library.
  "$nvcc" -O3 -DNDEBUG -arch="$arch" --fmad=false --expt-relaxed-constexpr -std=c++17 -DMLTEMP_WITH_CUDA=1 \
    -Iinclude $(for d in host/*/; do printf -- "-I%s " "${d%/}"; done) -isystem /usr/include/hdf5/serial -isystem /usr/include/eigen3 \
    -Xptxas -v -c "$src" -o /dev/null 2>>"$log"
done
# ptxas prints, per entry function: "Compiling entry function 'NAME'", then its stack frame and
# spills, then "Used N registers".
rows=$(awk '
  /Compiling entry function/ { match($0, /'"'"'[^'"'"']*'"'"'/); name = substr($0, RSTART + 1, RLENGTH - 2); next }
  name != "" && /bytes stack frame/ { stack = $1; spill = $5 + $9; next }
  name != "" && /Used [0-9]+ registers/ { match($0, /Used [0-9]+ registers/); regs = substr($0, RSTART + 5, RLENGTH - 15);
    print name, regs, stack, spill; name = "" }
' "$log")
[ -n "$rows" ] || { echo "ptxas_report: ptxas reported no kernels" >&2; cat "$log" >&2; exit 1; }
printf "%-44s %9s %11s %12s  %s\n" "kernel ($arch)" registers "stack (B)" "spills (B)" verdict
over=0
while read -r mangled regs stack spill; do
  short=$(echo "$mangled" | c++filt | sed -E 's/.*phased<(.*)>\(.*/\1/; s/mltemp:://g')
  verdict=ok
  if [ "$regs" -gt $max_regs ] || [ "$stack" -gt $max_stack ] || [ "$spill" -gt 0 ]; then verdict=OVER; over=1; fi
  printf "%-44s %9s %11s %12s  %s\n" "$short" "$regs" "$stack" "$spill" "$verdict"
done <<<"$rows"
if [ $over -ne 0 ]; then
  echo "ptxas_report: a kernel breaks the budget (<= $max_regs registers, <= $max_stack B stack frame, no spills)" >&2
  exit 1
fi
echo "budget: <= $max_regs registers, <= $max_stack B stack frame, no spills: every kernel is within it"
