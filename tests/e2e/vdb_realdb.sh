#!/usr/bin/env bash
# tests/e2e/vdb_realdb.sh - the real public signature sets compiled into
# .vdb files give what their sources give.
#
# For each set in shared/data/clamav-sigs (the sets diff_realdb.sh compares
# with clamscan), `vigil db build` compiles the set's directory:
#   - when it builds, `vigil db diff SET SET.vdb` must find no signature
#     added, removed or changed (names and content hashes), and
#     `vigil scan --all-match` over the inputs must print the same lines
#     and exit status with -d SET.vdb as with -d SET;
#   - when it refuses, the message must name the file it cannot take (never
#     a silent drop), and `vigil scan -d SET` must refuse the set too or
#     the file must be of a type db build cannot carry yet; then the set's
#     files of the types it compiles are built and compared the same way.
# Inputs: Debian's clamav-testfiles, the plain Talos scan inputs (the .xor
# ones need decoding and are diff_realdb.sh's business) and ClamAV's PE
# fixture, whose .ldb/.mdb/.ndb test signatures are sets here too. Cheap: a few
# seconds for all sets.
# Env: VIGIL, VIGIL_SRC, VIGIL_SHARED; VIGIL_ASAN=1 skips the largest sets
# (A0140A, interserver), as diff_realdb.sh does.
set -uo pipefail
export LC_ALL=C

SRC=${VIGIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
VIGIL=${VIGIL:-$SRC/build/vigil}
SHARED=${VIGIL_SHARED:-$SRC/../shared}
SIGS=$SHARED/data/clamav-sigs
TI=$SIGS/Cisco-Talos-clamav/unit_tests/input

[ -x "$VIGIL" ] || { echo "not ok 1 - vigil binary at $VIGIL"; exit 1; }
[ -d "$SIGS" ] || { echo "1..0 # SKIP no signature sets at $SIGS"; exit 0; }

T=$(mktemp -d "${TMPDIR:-/tmp}/vigil-vdbreal.XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

inputs=()
[ -d /usr/share/clamav-testfiles ] && inputs+=(/usr/share/clamav-testfiles)
for d in other_scanfiles htmlnorm_scanfiles pe_allmatch/test.exe; do [ -e "$TI/$d" ] && inputs+=("$TI/$d"); done
[ ${#inputs[@]} -gt 0 ] || { echo "1..0 # SKIP no scan inputs"; exit 0; }

# compare NAME VDB DB...: db diff and scan output, sources vs .vdb
compare() {
    local name=$1 vdb=$2; shift 2
    local dargs=() d
    for d in "$@"; do dargs+=(-d "$d"); done
    "$VIGIL" scan --no-summary --all-match "${dargs[@]}" "${inputs[@]}" 2>/dev/null | sort > "$T/src.out"
    local src_rc=${PIPESTATUS[0]}
    "$VIGIL" scan --no-summary --all-match -d "$vdb" "${inputs[@]}" 2>/dev/null | sort > "$T/vdb.out"
    local vdb_rc=${PIPESTATUS[0]}
    if [ "$src_rc" = "$vdb_rc" ] && cmp -s "$T/src.out" "$T/vdb.out"; then
        ok "$name: scan with the .vdb equals scan with the sources (exit $vdb_rc, $(grep -c ' FOUND$' "$T/vdb.out") FOUND lines)"
    else
        nok "$name: scan differs (sources exit $src_rc, .vdb exit $vdb_rc)"
        diff "$T/src.out" "$T/vdb.out" | head -n 10 | sed 's/^/#   /'
    fi
    # db diff takes one database per side: a directory of the files, or the file
    local side=$1
    if [ $# -gt 1 ]; then
        mkdir -p "$T/side"; rm -f "$T/side"/*; cp "$@" "$T/side/"; side=$T/side
    fi
    if "$VIGIL" db diff "$side" "$vdb" > "$T/diff.out" 2>&1; then
        ok "$name: db diff sources .vdb: no signature added, removed or changed"
    else
        nok "$name: db diff sources .vdb reports differences"
        head -n 10 "$T/diff.out" | sed 's/^/#   /'
    fi
}

while IFS='|' read -r name dir; do
    [ -n "$name" ] || continue
    [ -e "$dir" ] || continue
    if [ "${VIGIL_ASAN:-0}" = 1 ] && { [ "$name" = A0140A ] || [ "$name" = interserver ]; }; then
        echo "# $name: skipped under ASan"; continue
    fi
    vdb=$T/$name.vdb
    if "$VIGIL" db build -o "$vdb" "$dir" > "$T/build.out" 2>&1; then
        ok "$name: db build ($(tail -n 1 "$T/build.out" | sed "s|$T/||"))"
        compare "$name" "$vdb" "$dir"
        continue
    fi
    msg=$(grep '^vigil: ' "$T/build.out" | tail -n 1 | sed "s|$SIGS/||g")
    if [[ $msg =~ [A-Za-z0-9_.-]+\.[a-z0-9]+[:\ ] ]]; then
        ok "$name: db build refuses, naming the file: ${msg#vigil: }"
    else
        nok "$name: db build refuses without naming a file: $msg"
    fi
    # the files of the types a .vdb holds, compiled and compared
    mapfile -t files < <(find "$dir" -maxdepth 1 -type f \( -name '*.hdb' -o -name '*.hsb' -o -name '*.fp' \
        -o -name '*.sfp' -o -name '*.ndb' -o -name '*.yar' -o -name '*.yara' \) | sort)
    [ ${#files[@]} -gt 0 ] || continue
    if "$VIGIL" db build -o "$vdb" "${files[@]}" > "$T/build.out" 2>&1; then
        ok "$name: db build of its ${#files[@]} .hdb/.hsb/.fp/.sfp/.ndb/.yar files"
        compare "$name (those files)" "$vdb" "${files[@]}"
    elif "$VIGIL" scan --no-summary $(printf -- '-d %s ' "${files[@]}") /dev/null > /dev/null 2>&1; then
        nok "$name: scan -d takes its .hdb/.hsb/.fp/.sfp/.ndb/.yar files but db build refuses: $(grep '^vigil: ' "$T/build.out" | head -n 1)"
    else
        ok "$name: its .hdb/.hsb/.fp/.sfp/.ndb/.yar files are refused by scan -d as by db build"
    fi
done <<EOF
A0140A|$SIGS/A0140A-PubSigList
artefactual|$SIGS/artefactual-labs-clamav-files
ditekshen|$SIGS/ditekshen-detection/clamav
interserver|$SIGS/interserver-clamav-unofficial
rfxn|$SIGS/rfxn-linux-malware-detect/files/sigs
wmetcalf|$SIGS/wmetcalf-clam-punch
talos-clamav.hdb|$TI/clamav.hdb
talos-other_sigs|$TI/other_sigs
talos-embedded|$TI/embedded_testfiles/signatures
talos-test-3.cvd|$TI/freshclam_testfiles/test-3.cvd
talos-test-6.cvd|$TI/freshclam_testfiles/test-6.cvd
talos-pe-alert|$TI/pe_allmatch/alert-sigs
talos-pe-weak|$TI/pe_allmatch/weak-sigs
talos-pe-trust|$TI/pe_allmatch/trust-sigs
EOF

# A YARA file that includes another: the .vdb carries it with the include
# inlined, so it loads and detects after the included file is gone.
mkdir -p "$T/inc/src"
printf 'rule inc_rule { strings: $a = "hello-include" condition: $a }\n' > "$T/inc/src/inc.yar"
printf 'include "inc.yar"\nrule top_rule { strings: $b = "top-string" condition: $b }\n' > "$T/inc/src/main.yar"
printf 'hello-include top-string\n' > "$T/inc/sample.txt"
(cd "$T/inc/src" && "$VIGIL" db build -o ../r.vdb main.yar >/dev/null 2>&1)
rm -rf "$T/inc/src"
got=$(cd "$T/inc" && "$VIGIL" scan --no-summary --all-match -d r.vdb sample.txt 2>&1 | sort | tr '\n' ' ')
if [ "$got" = "sample.txt: inc_rule FOUND sample.txt: top_rule FOUND " ]; then
    ok "a .yar with an include, built into a .vdb, detects without the included file"
else
    nok "a .yar with an include, built into a .vdb: got '$got'"
fi

# YARA strings travel compiled in the matcher's database (section 31,
# their fingerprint in 34): the .vdb's copy serves the same rules; beside
# another .yar the set differs, so it is compiled again and both files'
# rules match.
mkdir -p "$T/ydb"
printf 'rule ydb_hex { strings: $a = { 4D 5A [2-8] 50 45 } condition: $a }\nrule ydb_re { strings: $a = /ab+c[0-9]{2}/ condition: $a }\n' > "$T/ydb/a.yar"
printf 'rule ydb_more { strings: $a = "extra-rule" condition: $a }\n' > "$T/ydb/b.yar"
printf 'xMZ..PE abbc42 extra-rule\n' > "$T/ydb/sample.txt"
"$VIGIL" db build -o "$T/ydb/a.vdb" "$T/ydb/a.yar" >/dev/null 2>&1
yin=$("$VIGIL" db info "$T/ydb/a.vdb" 2>/dev/null | sed -n 's/^YARA strings in the matcher database: //p')
mbytes=$("$VIGIL" db info "$T/ydb/a.vdb" 2>/dev/null | sed -n 's/^matcher database: \([0-9]*\) bytes$/\1/p')
if [ "$yin" = yes ] && [ "${mbytes:-0}" -gt 0 ]; then ok "a .yar's strings are in the .vdb's matcher database ($mbytes bytes)"
else nok "no YARA strings in the .vdb's matcher database: '$yin' '$mbytes'"; fi
want=$("$VIGIL" scan --no-summary --all-match -d "$T/ydb/a.yar" "$T/ydb/sample.txt" 2>&1 | sort | tr '\n' ' ')
got=$("$VIGIL" scan --no-summary --all-match -d "$T/ydb/a.vdb" "$T/ydb/sample.txt" 2>&1 | sort | tr '\n' ' ')
if [ "$got" = "$want" ] && [ -n "$want" ]; then ok "YARA from the .vdb's compiled strings: same matches as the source ($got)"
else nok "YARA from the .vdb: '$got', from the source: '$want'"; fi
got=$("$VIGIL" scan --no-summary --all-match -d "$T/ydb/a.vdb" -d "$T/ydb/b.yar" "$T/ydb/sample.txt" 2>&1 | grep -c FOUND)
if [ "$got" = 3 ]; then ok "a .vdb with YARA beside another .yar: all 3 rules match"
else nok "a .vdb with YARA beside another .yar: $got rules match, not 3"; fi

echo "1..$n"
echo "$((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
