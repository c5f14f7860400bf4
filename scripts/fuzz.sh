#!/usr/bin/env bash
# Fuzzes the config reader and the CSV reader with libFuzzer (Debian's clang), at low priority.
#   scripts/fuzz.sh [SECONDS]     build into build-fuzz/, run each target SECONDS (default 300),
#                                 then minimize its corpus into tests/fuzz/corpus/<target>/
# Not part of the default build or CI: tests/fuzz/test_corpus.cpp replays the kept corpus there.
# A finding is written to build-fuzz/findings/<target>/ (crash-*, leak-*, timeout-*); reproduce
# it with build-fuzz/fuzz_<target> FILE, fix it, and keep it in tests/fuzz/regressions/<target>/
# (the merge rewrites corpus/, never regressions/).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
build=build-fuzz
for tool in clang clang++; do
  command -v "$tool" >/dev/null || { echo "fuzz: needs $tool (Debian: apt-get install clang libclang-rt-dev)" >&2; exit 2; }
done
CC=clang CXX=clang++ cmake -S tests/fuzz -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
nice -n 19 cmake --build "$build" -j "$(nproc)"

status=0
for target in config csv; do
  corpus="tests/fuzz/corpus/$target"
  work="$build/work/$target"
  findings="$build/findings/$target"
  mkdir -p "$corpus" "$work" "$findings" "tests/fuzz/regressions/$target"
  echo "fuzz: $target for ${seconds}s" >&2
  # Each input must finish in 10 s and 2 GB; -dict gives the grammar's tokens a head start.
  dict=tests/fuzz/$target.dict
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1
        -artifact_prefix="$findings/")
  [ -f "$dict" ] && args+=(-dict="$dict")
  # New inputs go to $work; the corpus and the past findings (regressions/) seed it.
  if ! nice -n 19 "$build/fuzz_$target" "${args[@]}" "$work" "$corpus" "tests/fuzz/regressions/$target" \
    2>"$build/$target.log"; then
    echo "fuzz: $target found a problem: see $build/$target.log and $findings/" >&2
    tail -n 30 "$build/$target.log" >&2
    status=1
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$build/$target.log" >&2 || true
  # Keep a small corpus: only the inputs that add coverage.
  merged="$build/merged/$target"
  rm -rf "$merged" && mkdir -p "$merged"
  nice -n 19 "$build/fuzz_$target" -merge=1 "$merged" "$corpus" "$work" 2>>"$build/$target.log"
  rm -f "$corpus"/* && cp "$merged"/* "$corpus"/
  echo "fuzz: $target corpus: $(ls "$corpus" | wc -l) files, $(du -sk --apparent-size "$corpus" | cut -f1) KB" >&2
done
exit $status
