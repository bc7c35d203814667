#!/usr/bin/env bash
# tests/e2e/diff_realdb.sh - the real ClamAV databases, vigil against
# clamscan, file for file.
#
# For every signature set in shared/data/clamav-sigs (each on its own: the
# official-database extracts, the third-party sets, ClamAV's own unit-test
# databases and test CVDs) it runs
#     clamscan --no-summary -r -d SET INPUTS      and
#     vigil scan --no-summary -d SET INPUTS
# and compares the two outputs line for line (paths made relative, sorted,
# duplicates dropped, plus one "exit: N" line each). INPUTS are
#   - a small fixed corpus rebuilt from tests/e2e/realdb-corpus.pin with
#     shared/bench/make-corpus.sh --pin (ELF files, docs, man pages, python,
#     zip/tar.gz archives and Debian's clamav-testfiles);
#   - the Cisco-Talos scan inputs: clamav_hdb_scanfiles/*.xor decoded the
#     way ClamAV's test suite does (byte i XOR key[i % 160], the key given
#     in the set's SOURCE.txt), and the other_scanfiles, htmlnorm_scanfiles,
#     embedded_testfiles and bytecode_scanfiles inputs.
# ClamAV's PE fixture (pe_allmatch/test.exe) is scanned with --allmatch
# against its alert, weak and broken signatures, and the ClamAV test file
# in all its packings with --allmatch against clamav.hdb.
#
# Every line that differs must be listed in tests/e2e/realdb.expected-
# differences as   SET<TAB>FILE<TAB>clamscan: LINE | vigil: LINE<TAB>REASON
# and every listed line must still differ (a stale entry fails too), so the
# file always says exactly where vigil and clamscan part and why. A set vigil
# refuses to load is one difference, "vigil: refused: <loader message>".
#
# clamscan's outputs are cached in DIFF_REALDB_CACHE (/var/tmp/vigil-realdb-
# cache), keyed by clamscan's version and the sha256 of every signature and
# input byte, so a rerun costs seconds (a cold run about 90 s, most of it
# clamscan loading the official-database extract).
#
# Env: VIGIL, VIGIL_SRC; DIFF_REALDB_SETS (comma list of set names, default
# all); DIFF_REALDB_WRITE=FILE writes the differences found, with the
# reasons already listed for them ("?" for new ones), for updating the
# expected file; DIFF_KEEP=1 keeps the temp dir; VIGIL_ASAN=1 skips the
# largest sets (A0140A, interserver), which take minutes under ASan.
set -uo pipefail
export LC_ALL=C TZ=UTC

SRC=${VIGIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
VIGIL=${VIGIL:-$SRC/build/vigil}
SHARED=${VIGIL_SHARED:-$SRC/../shared}
SIGS=$SHARED/data/clamav-sigs
KIT=$SHARED/bench
EXP=$SRC/tests/e2e/realdb.expected-differences
PIN=$SRC/tests/e2e/realdb-corpus.pin
TO=600

[ -x "$VIGIL" ] || { echo "not ok 1 - vigil binary at $VIGIL"; exit 1; }
[ -d "$SIGS" ] || { echo "1..0 # SKIP no signature sets at $SIGS"; exit 0; }
[ -x "$KIT/make-corpus.sh" ] || { echo "1..0 # SKIP bench kit not found at $KIT"; exit 0; }
for t in clamscan python3 zip tar gzip; do
    command -v "$t" >/dev/null 2>&1 || { echo "1..0 # SKIP $t not installed (scripts/deps.sh installs it)"; exit 0; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/vigil-realdb.XXXXXX")
if [ "${DIFF_KEEP:-0}" = 1 ]; then trap 'echo "# kept $T"' EXIT; else trap 'rm -rf "$T"' EXIT; fi
IN=$T/in
mkdir -p "$IN" "$T/clamtmp" "$T/out"
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

# ---------------------------------------------------------------- inputs
if "$KIT/make-corpus.sh" "$IN/corpus" --pin "$PIN" > "$T/corpus.log" 2>&1; then
    ok "corpus rebuilt from $(basename "$PIN") ($(find "$IN/corpus" -type f | wc -l) files)"
else
    # the pinned files are Debian's own; another image has other bytes, and
    # the listed differences name files of this corpus: say so and stop
    tail -n 5 "$T/corpus.log" | sed 's/^/#   /'
    echo "1..0 # SKIP the corpus pinned in $(basename "$PIN") cannot be rebuilt on this machine (other package versions)"
    exit 0
fi

TI=$SIGS/Cisco-Talos-clamav/unit_tests/input
mkdir -p "$IN/talos"
python3 - "$TI/clamav_hdb_scanfiles" "$IN/talos/clamav_hdb_scanfiles" "$SIGS/Cisco-Talos-clamav/SOURCE.txt" <<'PY' || { nok "decoding the Talos .xor inputs"; exit 1; }
import os, re, sys
src, dst, source_txt = sys.argv[1:4]
# the key is published in the set's SOURCE.txt (160 lower-case letters)
key = re.search(r'^\s*([a-z]{160})\s*$', open(source_txt).read(), re.M).group(1).encode()
os.makedirs(dst, exist_ok=True)
for name in sorted(os.listdir(src)):
    if not name.endswith('.xor'):
        continue
    data = open(os.path.join(src, name), 'rb').read()
    out = bytes(b ^ key[i % len(key)] for i, b in enumerate(data))
    open(os.path.join(dst, name[:-4]), 'wb').write(out)
PY
for d in other_scanfiles htmlnorm_scanfiles bytecode_scanfiles; do cp -r "$TI/$d" "$IN/talos/"; done
mkdir -p "$IN/talos/embedded_testfiles" "$IN/talos/pe_allmatch"
(cd "$TI/embedded_testfiles" && for f in *; do [ "$f" = signatures ] || cp -r "$f" "$IN/talos/embedded_testfiles/"; done)
cp "$TI/pe_allmatch/test.exe" "$IN/talos/pe_allmatch/"
chmod -R u+w "$IN"
nx=$(find "$IN/talos/clamav_hdb_scanfiles" -type f | wc -l)
if cmp -s <(head -c 2 "$IN/talos/clamav_hdb_scanfiles/clam.exe") <(printf 'MZ'); then
    ok "Talos inputs: $nx .xor files decoded (clam.exe starts with MZ), $(find "$IN/talos" -type f | wc -l) files in all"
else
    nok "Talos inputs: decoded clam.exe does not start with MZ"
fi

# tree_id FILE|DIR: sha256 over the names and bytes below it (cache keys)
tree_id() {
    if [ -d "$1" ]; then (cd "$1" && find . -type f -exec sha256sum {} + | LC_ALL=C sort) | sha256sum | cut -c1-32
    else sha256sum < "$1" | cut -c1-32; fi
}
INPUTS_ID=$(tree_id "$IN")
CACHE=${DIFF_REALDB_CACHE:-/var/tmp/vigil-realdb-cache}

# ---------------------------------------------------------------- sets
# name | mode (plain, allmatch) | inputs (all, talos, pe) | -d arguments
SETS_TABLE="
A0140A|plain|all|$SIGS/A0140A-PubSigList
artefactual|plain|all|$SIGS/artefactual-labs-clamav-files
ditekshen|plain|all|$SIGS/ditekshen-detection/clamav
interserver|plain|all|$SIGS/interserver-clamav-unofficial
rfxn|plain|all|$SIGS/rfxn-linux-malware-detect/files/sigs
wmetcalf|plain|all|$SIGS/wmetcalf-clam-punch
talos-clamav.hdb|plain|all|$TI/clamav.hdb
talos-clamav.hdb-allmatch|allmatch|talos|$TI/clamav.hdb
talos-other_sigs|plain|all|$TI/other_sigs
talos-embedded|plain|all|$TI/embedded_testfiles/signatures
talos-bytecode_sigs|plain|all|$TI/bytecode_sigs
talos-test-3.cvd|plain|all|$TI/freshclam_testfiles/test-3.cvd
talos-test-6.cvd|plain|all|$TI/freshclam_testfiles/test-6.cvd
talos-pe-alert|allmatch|pe|$TI/pe_allmatch/alert-sigs $TI/pe_allmatch/weak-sigs
talos-pe-broken|allmatch|pe|$TI/pe_allmatch/broken-sigs
talos-pe-trust|allmatch|pe|$TI/pe_allmatch/trust-sigs $TI/pe_allmatch/alert-sigs
"
want=",${DIFF_REALDB_SETS:-},"

# normalise OUT RC -> sorted unique lines relative to $IN, plus "exit: RC"
norm() {
    { sed "s|^$IN/||" "$1"; echo "exit: $2"; } | LC_ALL=C sort -u
}

: > "$T/actual.tsv"
ran=()
while IFS='|' read -r name mode inputs dbs; do
    [ -n "$name" ] || continue
    [ "$want" = ",," ] || [[ $want == *",$name,"* ]] || continue
    if [ "${VIGIL_ASAN:-0}" = 1 ] && { [ "$name" = A0140A ] || [ "$name" = interserver ]; }; then
        echo "# $name: skipped under ASan (minutes)"; continue
    fi
    ran+=("$name")
    dargs=()
    for d in $dbs; do dargs+=(-d "$d"); done
    case "$inputs" in
        all) targets=("$IN/corpus" "$IN/talos") ;;
        talos) targets=("$IN/talos" "$IN/corpus/clamav-testfiles") ;;
        pe) targets=("$IN/talos/pe_allmatch/test.exe") ;;
    esac
    cflags=() vflags=()
    [ "$mode" = allmatch ] && { cflags=(--allmatch); vflags=(--all-match); }
    o=$T/out/$name
    t0=$EPOCHREALTIME
    # clamscan is the reference and deterministic: its output is cached,
    # keyed by its version, the set's bytes, the mode and the inputs' bytes
    key=$( { clamscan --version; echo "$mode $inputs"; for d in $dbs; do tree_id "$d"; done
             echo "$INPUTS_ID"; } | sha256sum | cut -c1-32)
    if [ -f "$CACHE/$key.out" ] && [ -f "$CACHE/$key.rc" ]; then
        sed "s|@IN@|$IN|" "$CACHE/$key.out" > "$o.c.out"; crc=$(cat "$CACHE/$key.rc"); : > "$o.c.err"
        cached=" cached"
    else
        timeout "$TO" clamscan --tempdir="$T/clamtmp" --no-summary -r "${cflags[@]}" "${dargs[@]}" "${targets[@]}" > "$o.c.out" 2> "$o.c.err"
        crc=$?
        cached=
        if [ "$crc" -le 1 ] && mkdir -p "$CACHE" 2>/dev/null; then
            sed "s|^$IN/|@IN@/|" "$o.c.out" > "$CACHE/$key.out.tmp" && echo "$crc" > "$CACHE/$key.rc" &&
                mv "$CACHE/$key.out.tmp" "$CACHE/$key.out"
        fi
    fi
    t1=$EPOCHREALTIME
    timeout "$TO" "$VIGIL" scan --no-summary "${vflags[@]}" "${dargs[@]}" "${targets[@]}" > "$o.v.out" 2> "$o.v.err"
    vrc=$?
    t2=$EPOCHREALTIME
    norm "$o.c.out" "$crc" > "$o.c"
    if [ "$vrc" -eq 2 ] && ! grep -q ': ' "$o.v.out"; then
        # refused to load: one difference, the loader's own words
        printf '%s\t-\tvigil: refused: %s\n' "$name" \
            "$(grep -v '^ERROR:' "$o.v.err" | head -n 1 | sed "s|$SIGS/||g")" >> "$T/actual.tsv"
    else
        norm "$o.v.out" "$vrc" > "$o.v"
        LC_ALL=C comm -23 "$o.c" "$o.v" | sed 's/^/clamscan: /' > "$o.d"
        LC_ALL=C comm -13 "$o.c" "$o.v" | sed 's/^/vigil: /' >> "$o.d"
        awk -F'\t' -v s="$name" '{
            l = $0; f = l; sub(/^(clamscan|vigil): /, "", f)
            if (f ~ /^exit: /) f = "-"; else sub(/: [^:]*$/, "", f)
            print s "\t" f "\t" l }' "$o.d" >> "$T/actual.tsv"
    fi
    grep '^vigil: ' "$o.v.err" | sed "s|^|# $name: |"
    echo "# $name: clamscan$cached exit $crc ($(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s), vigil exit $vrc ($(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.1f", b - a}') s); $(grep -c " FOUND$" "$o.c.out") / $(grep -c " FOUND$" "$o.v.out") FOUND lines"
done <<< "$SETS_TABLE"

# ---------------------------------------------------------------- compare
grep -v '^#' "$EXP" 2>/dev/null | awk -F'\t' 'NF >= 3 {print $1 "\t" $2 "\t" $3}' | LC_ALL=C sort -u > "$T/expected.tsv"
LC_ALL=C sort -u "$T/actual.tsv" -o "$T/actual.tsv"
if [ -n "${DIFF_REALDB_WRITE:-}" ]; then
    awk -F'\t' 'FILENAME == ARGV[1] { if ($0 !~ /^#/ && NF >= 4) r[$1 "\t" $2 "\t" $3] = $4; next }
        { k = $1 "\t" $2 "\t" $3; print k "\t" ((k in r) ? r[k] : "?") }' "$EXP" "$T/actual.tsv" > "$DIFF_REALDB_WRITE"
    echo "# wrote $(wc -l < "$DIFF_REALDB_WRITE") differences to $DIFF_REALDB_WRITE"
fi
for name in "${ran[@]}"; do
    awk -F'\t' -v s="$name" '$1 == s' "$T/actual.tsv" > "$T/a"
    awk -F'\t' -v s="$name" '$1 == s' "$T/expected.tsv" > "$T/e"
    LC_ALL=C comm -23 "$T/a" "$T/e" > "$T/new"
    LC_ALL=C comm -13 "$T/a" "$T/e" > "$T/stale"
    nd=$(wc -l < "$T/a")
    if [ -s "$T/new" ] || [ -s "$T/stale" ]; then
        nok "$name: vigil's output equals clamscan's but for listed differences ($(wc -l < "$T/new") not listed, $(wc -l < "$T/stale") listed but gone)"
        head -n 15 "$T/new" | cut -f2- | sed 's/^/#   not listed: /'
        head -n 15 "$T/stale" | cut -f2- | sed 's/^/#   stale: /'
    else
        ok "$name: vigil's output equals clamscan's but for $nd listed differences"
    fi
done
# a listed set that no longer exists is stale too
for s in $(cut -f1 "$T/expected.tsv" | sort -u); do
    grep -q "^$s|" <<< "$SETS_TABLE" || nok "expected differences name an unknown set '$s'"
done
echo "1..$n"
[ "$failed" -eq 0 ]
