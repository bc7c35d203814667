#!/usr/bin/env bash
# tests/e2e/diff_testfiles.sh - vigil and clamscan on Debian's clamav-testfiles
# (/usr/share/clamav-testfiles: clam.exe inside every container, packer and
# document format ClamAV unpacks) with the same database, here the default
# one (db/: the ClamAV-Test-File body signature and EICAR).
#
# Both are run live (no stored results) in first-match and in all-match
# mode, and each file must get the same verdict line from both, except the
# files listed in testfiles.expected-differences beside this script (one
# line each: FILE<TAB>reason; the formats not unpacked yet). A listed file
# must still differ: a stale line fails, so the list only shrinks as
# unpackers land.
#
# Env: VIGIL (binary), VIGIL_SRC (repo root), TESTFILES (directory).
set -uo pipefail
export LC_ALL=C TZ=UTC

SRC=${VIGIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
VIGIL=${VIGIL:-$SRC/build/vigil}
DIR=${TESTFILES:-/usr/share/clamav-testfiles}
EXP=$SRC/tests/e2e/testfiles.expected-differences
DB=$SRC/db
TO=120

[ -x "$VIGIL" ] || { echo "not ok 1 - vigil binary at $VIGIL"; exit 1; }
command -v clamscan >/dev/null 2>&1 || { echo "1..0 # SKIP clamscan not installed"; exit 0; }
[ -d "$DIR" ] && [ -f "$DIR/clam.exe" ] || { echo "1..0 # SKIP no clamav-testfiles at $DIR"; exit 0; }
[ -f "$EXP" ] || { echo "not ok 1 - expected-differences file $EXP"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/vigil-tf.XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

# the listed files, by base name
grep -v '^#' "$EXP" | grep -v '^[[:space:]]*$' | cut -f1 | sort -u > "$T/listed"

for mode in first all; do
    opt=(); [ "$mode" = all ] && opt=(--allmatch)
    vopt=(); [ "$mode" = all ] && vopt=(--all-match)
    timeout "$TO" clamscan --no-summary "${opt[@]}" -d "$DB" "$DIR" > "$T/c.raw" 2>/dev/null
    timeout "$TO" "$VIGIL" scan --no-summary "${vopt[@]}" -d "$DB" "$DIR" > "$T/v.raw" 2>"$T/v.err"
    rc=$?
    if [ "$rc" -gt 1 ]; then nok "$mode-match: vigil exit $rc"; sed 's/^/#   /' "$T/v.err" | head; continue; fi
    # "DIR/file: verdict" -> "file<TAB>verdict"; in all-match mode a file
    # has a line per match (clamscan: one per layer that matched), so the
    # verdict compared is the set of distinct lines, joined with ';'
    for w in c v; do
        sed -n "s|^$DIR/\([^:]*\): \(.*\)$|\1\t\2|p" "$T/$w.raw" | sort -u |
            awk -F'\t' '{if ($1 in a) a[$1] = a[$1] ";" $2; else a[$1] = $2}
                         END {for (k in a) print k "\t" a[k]}' | sort > "$T/$w.txt"
    done
    cut -f1 "$T/c.txt" > "$T/c.files"
    [ -s "$T/c.files" ] || { nok "$mode-match: clamscan printed no verdicts"; continue; }
    join -t "$(printf '\t')" -a1 -a2 -e MISSING -o 0,1.2,2.2 "$T/c.txt" "$T/v.txt" |
        awk -F'\t' '$2 != $3' > "$T/diff"
    cut -f1 "$T/diff" | sort -u > "$T/differs"
    comm -23 "$T/differs" "$T/listed" > "$T/unexpected"
    if [ -s "$T/unexpected" ]; then
        nok "$mode-match: $(wc -l < "$T/unexpected") files differ that are not listed"
        grep -F -f "$T/unexpected" "$T/diff" | sed 's/^/#   clamscan|vigil: /' | head -n 40
    else
        ok "$mode-match: every unlisted file ($(comm -23 "$T/c.files" "$T/listed" | wc -l)) has clamscan's verdict"
    fi
    comm -13 "$T/differs" "$T/listed" > "$T/stale"
    if [ -s "$T/stale" ]; then
        nok "$mode-match: listed but now identical (remove from $(basename "$EXP")): $(tr '\n' ' ' < "$T/stale")"
    else
        ok "$mode-match: each of the $(wc -l < "$T/listed") listed files still differs"
    fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
