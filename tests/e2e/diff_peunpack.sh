#!/usr/bin/env bash
# tests/e2e/diff_peunpack.sh - PE unpackers (src/fmt/peunpack.c) against
# clamscan, live: files made here from clamav-testfiles, scanned by both
# with the same signatures, must get the same verdict in first- and
# all-match mode.
#   - embedded PE (fmt/embpe.c): clam.exe appended to another PE, twice in
#     a row, followed by zeros (then its hash must NOT match), after zeros
#     in a non-PE file (not searched), with an .hdb of clam.exe's MD5
#     so only a layer starting at its "MZ" and ending at EOF can match;
#   - UPX (fmt/upx.c): an EP+0 signature of the unpacked program's entry
#     code (bytes read from clamscan's own rebuilt file) and a section-0
#     signature; both must hit clam-upx.exe as in clamscan, and clam.exe's
#     hash too: the unpacked image ends with a copy of clam.exe, which an
#     image cut where clamscan cuts it (the original SizeOfImage) ends at
#     EOF.
# Env: VIGIL (binary), VIGIL_SRC (repo root), TESTFILES (directory).
set -uo pipefail
export LC_ALL=C TZ=UTC
SRC=${VIGIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
VIGIL=${VIGIL:-$SRC/build/vigil}
DIR=${TESTFILES:-/usr/share/clamav-testfiles}
[ -x "$VIGIL" ] || { echo "not ok 1 - vigil binary at $VIGIL"; exit 1; }
command -v clamscan >/dev/null 2>&1 || { echo "1..0 # SKIP clamscan not installed"; exit 0; }
[ -f "$DIR/clam.exe" ] && [ -f "$DIR/clam-upx.exe" ] || { echo "1..0 # SKIP no clamav-testfiles at $DIR"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/vigil-peu.XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

mkdir "$T/f"
E=$DIR/clam.exe
cat "$DIR/clam-upx.exe" "$E" > "$T/f/upx_then_clam.exe"
cat "$DIR/clam-nsis.exe" "$E" > "$T/f/nsis_then_clam.exe"
cat "$E" "$E" > "$T/f/clam_twice.exe"
{ cat "$E" "$E"; head -c 1000 /dev/zero; } > "$T/f/clam_then_zeros.exe"
{ cat "$DIR/clam-upx.exe"; head -c 100 /dev/zero; cat "$E"; } > "$T/f/zeros_then_clam.exe"
{ head -c 3000 /dev/zero; cat "$E"; } > "$T/f/data_then_clam.bin"
cp "$DIR/clam-upx.exe" "$T/f/"
cp "$E" "$T/f/"
h=$(md5sum "$E" | cut -d' ' -f1)
echo "$h:$(stat -c %s "$E"):Vigil.Test.ClamHash" > "$T/db.hdb"
# the unpacked clam-upx.exe: entry code at EP, and bytes at the start of
# its only section (where clamscan's rebuilt file puts the image)
cat > "$T/db.ndb" <<'NDB'
Vigil.Test.UPX.EP:1:EP+0:83ec4456ff150c2040006a448bf08d44
Vigil.Test.UPX.S0:1:S0+0:6a006854204000
NDB

for mode in first all; do
    opt=(); [ "$mode" = all ] && opt=(--allmatch)
    vopt=(); [ "$mode" = all ] && vopt=(--all-match)
    clamscan --no-summary "${opt[@]}" -d "$T/db.hdb" -d "$T/db.ndb" "$T/f" 2>/dev/null | sort > "$T/c.txt"
    "$VIGIL" scan --no-summary "${vopt[@]}" -d "$T/db.hdb" -d "$T/db.ndb" "$T/f" 2>"$T/v.err" | sort > "$T/v.txt"
    if [ ! -s "$T/c.txt" ]; then
        nok "$mode-match: clamscan printed nothing"
    elif diff "$T/c.txt" "$T/v.txt" > "$T/d"; then
        ok "$mode-match: $(grep -c FOUND "$T/c.txt") detections and $(grep -c ': OK$' "$T/c.txt") clean files, as clamscan"
    else
        nok "$mode-match: vigil differs from clamscan"
        sed 's/^/#   /' "$T/d" | head -20
    fi
done
# the checks above must be able to fail: the embedded copy and the UPX
# image are what carry these detections
grep -q "upx_then_clam.exe: Vigil.Test.ClamHash" "$T/v.txt" && ok "embedded clam.exe found by its hash" ||
    nok "embedded clam.exe found by its hash"
grep -q "clam-upx.exe: Vigil.Test.UPX.EP" "$T/v.txt" && ok "UPX: EP signature on the unpacked program" ||
    nok "UPX: EP signature on the unpacked program"
grep -q "clam_then_zeros.exe: OK" "$T/v.txt" && ok "an embedded PE runs to EOF (trailing zeros: no hash match)" ||
    nok "an embedded PE runs to EOF (trailing zeros: no hash match)"
echo "1..$n"
[ "$failed" -eq 0 ]
