#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for mltemp and builds it into build/ (idempotent).
#   scripts/setup.sh            install missing Debian packages, configure, build
#   BUILD_DIR=dir scripts/setup.sh   build elsewhere
#   MLTEMP_EXTRA_PACKAGES="a b" scripts/setup.sh   also install these (bench/peers.sh's peers)
# Needs root (or sudo) only when a package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake ninja-build pkg-config
  libhdf5-dev libtomlplusplus-dev libcli11-dev libeigen3-dev libgsl-dev libglpk-dev libgmp-dev libcsv-dev libssl-dev
  librandom123-dev libgtest-dev libbenchmark-dev libopenmpi-dev openmpi-bin
  python3-numpy python3-h5py python3-matplotlib)
# shellcheck disable=SC2206  # a space-separated list, split on purpose
packages+=(${MLTEMP_EXTRA_PACKAGES:-})
# Thrust/CUB come with the CUDA toolkit; without it, Debian's copy serves the CPU build.
if [ ! -e /usr/local/cuda/include/cccl/thrust/version.h ] && [ ! -e /usr/local/cuda/include/thrust/version.h ]; then
  packages+=(libthrust-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build="${BUILD_DIR:-build}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release ${MLTEMP_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$(nproc)"
echo "setup: built $build/mltemp" >&2
