#!/usr/bin/env bash
# tests/e2e/diff_testfiles.sh - vigil and clamscan on Debian's clamav-testfiles
# (/usr/share/clamav-testfiles: clam.exe inside every container, packer and
# document format ClamAV unpacks) with the same database, here the default
# one (db/: the ClamAV-Test-File body signature and EICAR).
#
# Both are run live (no stored results) in first-match and in all-match
# mode, and each file must get the same verdict line from both (all-match:
# the same set of signature names), except the
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

# compare DIR LISTED LABEL STATUS_ONLY: vigil and clamscan on DIR in first-
# and all-match mode; files named in LISTED may (and must) differ. With
# STATUS_ONLY=1 first-match compares only FOUND vs OK (which signature is
# reported first when a hash and a body signature both match one layer is
# a pipeline-order question, not an unpacking one).
compare() {
    local dir=$1 listed=$2 label=$3 status_only=$4 mode opt vopt rc w
    for mode in first all; do
        opt=(); [ "$mode" = all ] && opt=(--allmatch)
        vopt=(); [ "$mode" = all ] && vopt=(--all-match)
        timeout "$TO" clamscan --no-summary "${opt[@]}" -d "$DB" "$dir" > "$T/c.raw" 2>/dev/null
        timeout "$TO" "$VIGIL" scan --no-summary "${vopt[@]}" -d "$DB" "$dir" > "$T/v.raw" 2>"$T/v.err"
        rc=$?
        if [ "$rc" -gt 1 ]; then nok "$label $mode-match: vigil exit $rc"; sed 's/^/#   /' "$T/v.err" | head; continue; fi
        # "DIR/file: verdict" -> "file<TAB>verdict"; in all-match mode a file
        # has a line per match (clamscan: one per layer that matched), so the
        # verdict compared is the set of distinct lines, joined with ';'
        for w in c v; do
            sed -n "s|^$dir/\([^:]*\): \(.*\)$|\1\t\2|p" "$T/$w.raw" | sort -u |
                if [ "$mode" = first ] && [ "$status_only" = 1 ]; then sed 's/\t.* FOUND$/\tFOUND/'; else cat; fi |
                awk -F'\t' '{if ($1 in a) a[$1] = a[$1] ";" $2; else a[$1] = $2}
                             END {for (k in a) print k "\t" a[k]}' | sort > "$T/$w.txt"
        done
        cut -f1 "$T/c.txt" > "$T/c.files"
        [ -s "$T/c.files" ] || { nok "$label $mode-match: clamscan printed no verdicts"; continue; }
        join -t "$(printf '\t')" -a1 -a2 -e MISSING -o 0,1.2,2.2 "$T/c.txt" "$T/v.txt" |
            awk -F'\t' '$2 != $3' > "$T/diff"
        cut -f1 "$T/diff" | sort -u > "$T/differs"
        comm -23 "$T/differs" "$listed" > "$T/unexpected"
        if [ -s "$T/unexpected" ]; then
            nok "$label $mode-match: $(wc -l < "$T/unexpected") files differ that are not listed"
            grep -F -f "$T/unexpected" "$T/diff" | sed 's/^/#   clamscan|vigil: /' | head -n 40
        else
            ok "$label $mode-match: every unlisted file ($(comm -23 "$T/c.files" "$listed" | wc -l)) has clamscan's verdict"
        fi
        comm -13 "$T/differs" "$listed" > "$T/stale"
        if [ -s "$T/stale" ]; then
            nok "$label $mode-match: listed but now identical (remove it): $(tr '\n' ' ' < "$T/stale")"
        else
            ok "$label $mode-match: each of the $(wc -l < "$listed") listed files still differs"
        fi
    done
}

compare "$DIR" "$T/listed" testfiles 0

# The same containers made here with EICAR or clam.exe inside (and clean
# look-alikes): mail (base64, quoted-printable, x-uuencode, uuencode in a
# text body, nested multipart, message/rfc822, mbox), HTML data: URIs, RTF
# Object Packager objects. Differences kept on purpose:
if command -v python3 >/dev/null 2>&1; then
    python3 "$SRC/tests/e2e/docs/make_containers.py" "$T/gen" "$DIR/clam.exe"
    # clamscan's line-based quoted-printable decoding does not give binary
    # data back (clam.exe: NULs and bare line breaks); vigil decodes yEnc
    # blocks in a text body, clamscan 1.4 does not
    printf '%s\n' clam.qp.eml clam.yenc.eml eicar.yenc.eml | sort > "$T/gen.listed"
    compare "$T/gen" "$T/gen.listed" generated 1
fi
echo "1..$n"
[ "$failed" -eq 0 ]
