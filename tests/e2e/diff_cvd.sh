#!/usr/bin/env bash
# tests/e2e/diff_cvd.sh - containers, ignore lists and the old .db format,
# vigil against clamscan, live.
#
# Each case builds a small database (ignore lists with every rule
# clamscan has, a .cud made by sigtool itself, ClamAV's signed test CVDs
# and copies of them altered or unpacked to a .cld, an X.cvd beside an
# X.cld, an old-style .db) and runs clamscan and vigil on the same files;
# the outputs (paths made relative) and the exit statuses must be equal.
# Nothing is compared with fixed answers: clamscan is the reference.
set -uo pipefail
export LC_ALL=C TZ=UTC

SRC=${VIGIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
VIGIL=${VIGIL:-$SRC/build/vigil}
SIGS=${VIGIL_SHARED:-$SRC/../shared}/data/clamav-sigs
FT=$SIGS/Cisco-Talos-clamav/unit_tests/input/freshclam_testfiles

[ -x "$VIGIL" ] || { echo "not ok 1 - vigil binary at $VIGIL"; exit 1; }
for t in clamscan sigtool python3; do
    command -v "$t" >/dev/null 2>&1 || { echo "1..0 # SKIP $t not installed"; exit 0; }
done
[ -f "$FT/test-6.cvd" ] || { echo "1..0 # SKIP no test CVDs at $FT"; exit 0; }

T=$(mktemp -d "${TMPDIR:-/tmp}/vigil-diffcvd.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
mkdir -p clamtmp in
n=0
failed=0

printf 'X5O!P%%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' > in/eicar.com
printf 'xxEICARxx HELLO  WORLD\n' > in/probe.txt

# same CASE-NAME TARGETS... -- DBARGS...: run both, compare
same() {
    local name=$1; shift
    local targets=()
    while [ "$1" != -- ]; do targets+=("$1"); shift; done
    shift
    clamscan --tempdir="$T/clamtmp" --no-summary "$@" "${targets[@]}" > c.out 2> c.err
    local crc=$?
    "$VIGIL" scan --no-summary "$@" "${targets[@]}" > v.out 2> v.err
    local vrc=$?
    n=$((n + 1))
    if [ "$crc" = "$vrc" ] && cmp -s <(sort c.out) <(sort v.out); then
        echo "ok $n - $name (exit $vrc, $(grep -c FOUND v.out) FOUND)"
    else
        failed=$((failed + 1))
        echo "not ok $n - $name: clamscan exit $crc, vigil exit $vrc"
        diff <(sort c.out) <(sort v.out) | head -n 8 | sed 's/^/#   /'
        head -n 3 c.err | sed 's/^/#   clamscan: /'
        head -n 3 v.err | sed 's/^/#   vigil: /'
    fi
}

# ---- ignore lists: one .ndb signature, one ignore list before it
printf 'Vigil.Test.Ndb:0:*:4549434152\n' > a.ndb
md5=$(printf 'Vigil.Test.Ndb:0:*:4549434152' | md5sum | cut -c1-32)
k=0
while IFS= read -r text; do
    k=$((k + 1))
    ext=ign2
    case "$text" in ign:*) ext=ign; text=${text#ign:} ;; esac
    text=${text//@MD5@/$md5}
    text=${text//@UPMD5@/${md5^^}}
    printf "$text" > "l$k.$ext"
    same "ignore list $k (.$ext '$(printf '%s' "$text" | head -c 40)')" in/probe.txt -- -d "l$k.$ext" -d a.ndb
done <<'EOF'
Vigil.Test.Ndb\n
Vigil.Test.Ndb
# c\nVigil.Test.Ndb\r\n
Other\nVigil.Test.Ndb\n
x:1:Vigil.Test.Ndb\n
ign:zz.ndb:7:Vigil.Test.Ndb\n
Vigil.Test.Ndb \n
vigil.test.ndb\n
Vigil.Test.Ndb.UNOFFICIAL\n
Vigil.Test.Ndb:@MD5@\n
Vigil.Test.Ndb:@UPMD5@\n
Vigil.Test.Ndb:0123456789abcdef0123456789abcdef\n
Vigil.Test.Ndb:x:y:z\n
\nVigil.Test.Ndb\n
Vigil.Test.Ndb:abc\n
ign:Vigil.Test.Ndb:1\n
EOF
mkdir -p dir && cp a.ndb dir/a.ndb && printf 'Vigil.Test.Ndb\n' > dir/z.ign2
same "a directory: z.ign2 applies to a.ndb" in/probe.txt -- -d dir

# ---- a .cud that sigtool builds (unsigned; an ignore list inside)
mkdir -p cud && (
    cd cud || exit 1
    printf '44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n' > mine.hdb
    printf 'Vigil.Test.Ndb:0:*:48454c4c4f2020574f524c44\nVigil.Test.Hello:0:*:48454c4c4f\n' > mine.ndb
    printf 'Vigil.Test.Hello\n' > mine.ign2
    printf 'GPL\n' > COPYING
    printf '7\nvigiltest\n' | sigtool --unsigned --build=mine.cud --datadir="$PWD" > ../sigtool.log 2>&1
)
if [ -f cud/mine.cud ]; then
    same ".cud built by sigtool: names get .UNOFFICIAL, its .ign2 applies" in/eicar.com in/probe.txt -- -d cud/mine.cud
    same ".cud with --allmatch" in/eicar.com in/probe.txt -- --allmatch -d cud/mine.cud
else
    n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - sigtool --unsigned --build"; sed 's/^/#   /' sigtool.log | tail -5
fi

# ---- ClamAV's signed test CVDs, altered copies, the .cld form
for v in 3 6; do
    same "signed test-$v.cvd" in/eicar.com in/probe.txt -- -d "$FT/test-$v.cvd"
done
python3 - "$FT" <<'PY'
import gzip, sys
ft = sys.argv[1]
raw = open(ft + '/test-6.cvd', 'rb').read()
b = bytearray(raw); b[700] ^= 1
open('body-altered.cvd', 'wb').write(b)
h = raw[:512].decode().split(':')
h[6] = 'a' + h[6][1:] if h[6][0] != 'a' else 'b' + h[6][1:]
open('dsig-altered.cvd', 'wb').write(':'.join(h).encode() + raw[512:])
tar = gzip.decompress(raw[512:])
open('test-6.cld', 'wb').write(raw[:512] + tar)
t = bytearray(tar); i = t.find(b'Klez-1'); t[i + 5] = ord('2')
open('member-altered.cld', 'wb').write(raw[:512] + t)
raw3 = open(ft + '/test-3.cvd', 'rb').read()
import os
os.makedirs('both', exist_ok=True)
open('both/test.cvd', 'wb').write(raw3)
open('both/test.cld', 'wb').write(raw[:512] + tar)
PY
same "test-6.cvd with one body byte changed: refused" in/eicar.com -- -d body-altered.cvd
same "test-6.cvd with another header signature: refused" in/eicar.com -- -d dsig-altered.cvd
same "test-6 unpacked to a .cld" in/eicar.com in/probe.txt -- -d test-6.cld
same ".cld with an edited member: refused" in/eicar.com -- -d member-altered.cld
same "X.cvd (v3) beside X.cld (v6): the newer loads" in/eicar.com in/probe.txt -- --allmatch -d both

# ---- the official bytecode.cvd: its .hdb works, bytecode is skipped (and said)
cp "$SIGS/Cisco-Talos-clamav/unit_tests/input/pe_allmatch/test.exe" in/ 2>/dev/null
same "official bytecode.cvd (its .hdb)" in/eicar.com in/probe.txt -- -d "$SIGS/artefactual-labs-clamav-files/bytecode.cvd"
n=$((n + 1))
"$VIGIL" scan --no-summary -d "$SIGS/artefactual-labs-clamav-files/bytecode.cvd" in/eicar.com > /dev/null 2> v.err
if [ "$(grep -c 'bytecode signatures skipped (not supported)' v.err)" = 1 ]; then
    echo "ok $n - vigil says once on stderr that bytecode was skipped: $(grep bytecode v.err)"
else
    failed=$((failed + 1)); echo "not ok $n - the bytecode note on stderr"; sed 's/^/#   /' v.err
fi

# ---- the old .db body format
printf 'Test.Old.Db=4549434152\nTest.Old.Two=48454c4c4f{2}574f\n' > old.db
same ".db Name=HexSignature" in/probe.txt -- --allmatch -d old.db
printf 'NoEqualSign\n' > bad.db
same ".db line without '=': refused" in/probe.txt -- -d bad.db

echo "1..$n"
[ "$failed" -eq 0 ]
