#!/usr/bin/env bash
# Build the libFuzzer targets with clang and run each one.
#   fuzz/run.sh short   FUZZ_SECONDS (default 8) per target; TAP output
#   fuzz/run.sh long    FUZZ_SECONDS (default 600) per target
# Crashes are kept in fuzz/crashes/<target>/ to become regression inputs
# in fuzz/corpus/<target>/.
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-short}
secs=${FUZZ_SECONDS:-$([ "$mode" = long ] && echo 600 || echo 8)}
B=build-fuzz
CC=clang cmake -S . -B $B -DCMAKE_BUILD_TYPE=Debug -DVIGIL_FUZZ=ON -DVIGIL_SANITIZE=ON >/dev/null || { echo "not ok 1 - fuzz build configure"; exit 1; }
cmake --build $B -j"$(nproc)" >/dev/null 2>$B.log || { echo "not ok 1 - fuzz build"; cat $B.log; exit 1; }
n=0; bad=0
for f in $B/fuzz/fuzz_*; do
  [ -x "$f" ] || continue
  name=$(basename "$f"); short=${name#fuzz_}
  n=$((n + 1))
  mkdir -p "fuzz/crashes/$short" "$B/corpus-$short"
  seeds=()
  [ -d "fuzz/corpus/$short" ] && seeds+=("fuzz/corpus/$short")
  # the short run in make check uses a fixed seed, so a check run never
  # fails on a new random find; make fuzz explores with fresh seeds
  seed=()
  [ "$mode" = short ] && seed=(-seed=1)
  if "$f" "${seed[@]}" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="fuzz/crashes/$short/" "$B/corpus-$short" "${seeds[@]}" >"$B/$short.log" 2>&1; then
    echo "ok $n - fuzz $short ran ${secs}s without a crash ($(grep -o 'cov: [0-9]*' "$B/$short.log" | tail -1))"
  else
    bad=$((bad + 1))
    echo "not ok $n - fuzz $short found a crash (see fuzz/crashes/$short, $B/$short.log)"
    tail -20 "$B/$short.log"
  fi
done
[ $n -gt 0 ] || { echo "not ok 1 - no fuzz targets built"; exit 1; }
[ $bad -eq 0 ]
