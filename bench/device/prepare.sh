#!/usr/bin/env bash
# Prepares the GPU check for a lent machine that has CUDA but none of mltemp's Debian
# libraries (and no network): builds here, for sm_90 and a portable x86-64-v4 CPU target, into
# build-device/, and copies the shared libraries the programs need (all but glibc, libstdc++
# and the CUDA driver) into build-device/lib/. Then, with the device tool:
#   run  command: bench/device/run.sh   carry: ["build-device"]   (about 20 MB)
# bench/device/run.sh finds the prebuilt programs and skips its own build.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/setup.sh >/dev/null 2>&1 || true  # the Debian packages (a no-op when present)
cmake -S . -B build-device -G Ninja -DCMAKE_BUILD_TYPE=Release -DMLTEMP_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 \
  -DMLTEMP_MARCH=x86-64-v4 ${MLTEMP_CMAKE_ARGS:-} >/dev/null
cmake --build build-device -j "$(nproc)" --target mltemp test_engine_paths mltemp_gemm_part mltemp_device_ceilings
mkdir -p build-device/lib
for exe in build-device/mltemp build-device/tests/test_engine_paths build-device/bench/mltemp_gemm_part; do
  ldd "$exe" | awk '$3 ~ /^\// {print $3}'
done | sort -u | grep -vE '/(libc|libm|libdl|librt|libpthread|libresolv|ld-linux[^/]*|libstdc\+\+|libgcc_s|libcuda)\.so' |
  while read -r lib; do cp -L "$lib" build-device/lib/; done
du -sh build-device/mltemp build-device/tests/test_engine_paths build-device/lib | sed 's/^/prepare: /'
echo "prepare: ready; carry build-device to the GPU machine and run bench/device/run.sh there"
