#!/usr/bin/env bash
# Run every vigil test and close with "N passed, N failed".
#
#   tests/run.sh BUILD     unit tests (build/tests/test_*), end-to-end scripts
#                          (tests/e2e/*.sh), then the same suite again under
#                          ASan+UBSan, engine reloads under TSan, then a short
#                          libFuzzer run per target.
# Each test prints TAP lines ("ok N - what", "not ok N - what"); a program
# that dies without reporting counts as one failure.
# Knobs: VIGIL_SKIP_ASAN=1, VIGIL_SKIP_TSAN=1, VIGIL_SKIP_FUZZ=1, FUZZ_SECONDS (default 8).
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
ROOT=$(pwd)
pass=0
fail=0
failed_names=()
failure_details=$(mktemp)
trap 'rm -f "$failure_details"' EXIT
JOBS=$(nproc 2>/dev/null || echo 2)

run_one() { # label, command...
  local label=$1; shift
  local out rc t0=$SECONDS
  out=$("$@" 2>&1); rc=$?
  local p f
  p=$(grep -c '^ok ' <<<"$out")
  f=$(grep -c '^not ok ' <<<"$out")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
    out+=$'\n'"not ok - $label exited with status $rc"
  fi
  pass=$((pass + p)); fail=$((fail + f))
  if [ "$f" -gt 0 ]; then
    failed_names+=("$label")
    printf '%s\n' "$out" | grep -v '^ok ' | tail -n 40 | sed "s|^|  [$label] |" | tee -a "$failure_details"
  fi
  printf '%-40s %4d passed %3d failed %5ds\n' "$label" "$p" "$f" $((SECONDS - t0))
}

suite() { # build-dir, prefix
  local b=$1 pre=$2
  for t in "$b"/tests/test_*; do
    [ -x "$t" ] || continue
    run_one "$pre$(basename "$t")" env VIGIL_SRC="$ROOT" "$t"
  done
  for s in tests/e2e/*.sh; do
    [ -f "$s" ] || continue
    run_one "$pre$(basename "$s" .sh)" env VIGIL="$ROOT/$b/vigil" VIGIL_BUILD="$ROOT/$b" VIGIL_SRC="$ROOT" bash "$s"
  done
}

echo "== unit and end-to-end tests ($BUILD)"
suite "$BUILD" ""

if [ "${VIGIL_SKIP_ASAN:-0}" != 1 ]; then
  echo "== the same under ASan+UBSan (build-asan)"
  if cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON >/dev/null &&
     cmake --build build-asan -j"$JOBS" >/dev/null; then
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      VIGIL_ASAN=1 suite build-asan "asan:"
  else
    fail=$((fail + 1)); failed_names+=("asan build"); echo "not ok - ASan build failed"
  fi
fi

if [ "${VIGIL_SKIP_TSAN:-0}" != 1 ]; then
  echo "== engine reloads under TSan (build-tsan)"
  if cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DVIGIL_TSAN=ON >/dev/null &&
     cmake --build build-tsan -j"$JOBS" --target test_reload >/dev/null; then
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 run_one "tsan:test_reload" build-tsan/tests/test_reload
  else
    fail=$((fail + 1)); failed_names+=("tsan build"); echo "not ok - TSan build failed"
  fi
fi

if [ "${VIGIL_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== short libFuzzer runs (build-fuzz)"
  run_one "fuzz-short" bash fuzz/run.sh short
fi

echo
# Repeated at the end, where a CI log's tail shows it.
if [ -s "$failure_details" ]; then
  echo "== what the failing tests printed"
  tail -n 80 "$failure_details"
fi
for n in "${failed_names[@]}"; do echo "FAILED: $n"; done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
