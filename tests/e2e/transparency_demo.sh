#!/usr/bin/env bash
# tests/e2e/transparency_demo.sh - `make demo-transparency`
# (scripts/demo-transparency.sh) in a temporary directory: it must finish,
# refuse the tampered and the unlogged release (messages with "refused"),
# and leave exactly what the issue names at the top of the demo directory:
# log/ (checkpoint, tiles), log.vkey, witness-NAME.vkey (plus work/ for
# everything else); the log it leaves must verify on its own with those
# keys and hold no private key.
#
#   VIGIL=build/vigil VIGIL_BUILD=build VIGIL_SRC=. bash tests/e2e/transparency_demo.sh
set -u
VIGIL_SRC=${VIGIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
VIGIL=${VIGIL:-$VIGIL_SRC/build/vigil}
BUILD=${VIGIL_BUILD:-$(dirname "$VIGIL")}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vigil-td.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }

D=$TMP/demo
out=$(VIGIL_DEMO_DIR=$D bash "$VIGIL_SRC/scripts/demo-transparency.sh" "$BUILD" 2>&1); rc=$?
check "the demo runs to the end (exit 0)" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/#   /' <<<"$out" | tail -n 15
check "the client installed release 2 over HTTP" \
  grep -Eq "^vigil update: installed vigil-main/stable version 2 .*-> $D/work/client/vigil.vdb$" <<<"$out"
check "the tampered release is refused (database hash)" grep -q '^   vigil update: refused: database hash: ' <<<"$out"
check "the unlogged release is refused (inclusion proof)" grep -q '^   vigil update: refused: inclusion proof: ' <<<"$out"
check "the demo directory holds log/, log.vkey, witness-alice.vkey, witness-bob.vkey (and work/)" \
  test "$(cd "$D" && ls | tr '\n' ' ')" = "log log.vkey witness-alice.vkey witness-bob.vkey work "
check "the log's checkpoint is at log/checkpoint: origin, size 2" \
  test "$(sed -n 1p "$D/log/checkpoint")" = "$(cut -d+ -f1 "$D/log.vkey")" -a "$(sed -n 2p "$D/log/checkpoint")" = 2
check "tiles below it: tile/0/000.p/2 (2 hashes) and tile/entries/000.p/2" \
  test "$(stat -c %s "$D/log/tile/0/000.p/2" 2>/dev/null)" = 64 -a -s "$D/log/tile/entries/000.p/2"
check "verifier keys: a note key for the log, cosignature keys for the witnesses" \
  eval "grep -Eq '^demo\.vigil\.example/db-log\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$' '$D/log.vkey' &&
        grep -Eq '^witness-alice\.example/vigil\+[0-9a-f]{8}\+B[A-Za-z0-9+/]{43}$' '$D/witness-alice.vkey' &&
        grep -Eq '^witness-bob\.example/vigil\+[0-9a-f]{8}\+B[A-Za-z0-9+/]{43}$' '$D/witness-bob.vkey'"
check "no private key inside the served log" test -z "$(grep -rl 'PRIVATE+KEY' "$D/log")"
v=$("$VIGIL" log verify --key "$D/log.vkey" --witness "$D/witness-alice.vkey" --witness "$D/witness-bob.vkey" \
  --quorum 2 --egress-log "$TMP/egress.log" "$D/log" 2>&1); rc=$?
check "the log left behind verifies with log.vkey and both witnesses (quorum 2), two releases" \
  test $rc -eq 0 -a "$(grep -c '^release ' <<<"$v")" = 2

echo "1..$n"
[ $fails -eq 0 ]
