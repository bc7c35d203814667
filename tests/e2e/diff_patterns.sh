#!/usr/bin/env bash
# tests/e2e/diff_patterns.sh - body patterns and database loading, vigil
# against the real clamscan (differential).
#
#  1. match: every signature of patterns/match.ndb against every file of
#     patterns/inputs.sh, one clamscan and one vigil run with --allmatch;
#     per input file the two sets of "file: Name FOUND" (.UNOFFICIAL cut)
#     must be equal. Without clamscan, vigil is compared with
#     patterns/match.expected, clamscan 1.4.6's answer recorded earlier
#     (VIGIL_UPDATE_GOLDEN=1 rewrites it from the installed clamscan).
#     The same for patterns/random.ndb (signatures drawn at random from the
#     syntax) against patterns/random_inputs.sh (files near their matches).
#  2. doc: the worked examples of reference/clamav.md (patterns/doc.txt)
#     hold for both.
#  3. loader: each line of patterns/loader.txt as a one-line database:
#     both load it or both refuse it (clamscan exits 2 with "Malformed
#     database", vigil exits 2 with "file:line: reason"), as the table
#     says, and on the probe file both report the same detections
#     (executable offsets included: EP, Sx, SE, SL on target 1 and 6).
#  4. clam.exe (clamav-testfiles, when installed): the offset list of
#     clamav.md §3 for the non-executable forms.
#  5. target types: one signature per type the detector knows (0-7, 9-12)
#     over a small file of each type; same (file, target) pairs as
#     clamscan (or patterns/targets.expected).
# Prints TAP; needs VIGIL (the vigil binary) and VIGIL_SRC (repo root).
# Without clamscan the loader verdicts come from loader.txt alone.
set -uo pipefail
VIGIL=${VIGIL:?set VIGIL to the vigil binary}
SRC=${VIGIL_SRC:?set VIGIL_SRC to the source tree}
D=$SRC/tests/e2e/patterns
T=$(mktemp -d /tmp/vg_diffpat.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() { # cond-status description
    if [ "$1" -eq 0 ]; then ok "$2"; else notok "$2"; fi
}

# VIGIL_CLAMSCAN: another clamscan, or "" to test against the recorded
# answers only
CLAM=${VIGIL_CLAMSCAN-$(command -v clamscan 2>/dev/null)}

# FOUND lines of a scanner's stdout as "file: Name", sorted, unique
found() { sed -n 's/ FOUND$//p' | sed 's/\.UNOFFICIAL$//' | LC_ALL=C sort -u; }

# ---- inputs ----------------------------------------------------------------
mkdir in
mk() { printf "$2" > "in/$1"; }
mkrep() {
    { printf "$2"; head -c "$3" /dev/zero | tr '\0' "$4"; printf "$5"; } > "in/$1"
}
# shellcheck source=patterns/inputs.sh
. "$D/inputs.sh"
files=()
while IFS= read -r f; do files+=("in/$f"); done < <(ls in | LC_ALL=C sort)

# ---- 1. match ---------------------------------------------------------------
cp "$D/match.ndb" m.ndb
"$VIGIL" scan --no-summary -z -d m.ndb "${files[@]}" > v.out 2> v.err
vrc=$?
found < v.out > v.found
if [ "$vrc" -gt 1 ]; then
    notok "vigil loads and scans match.ndb (exit $vrc: $(head -c 300 v.err))"
else
    ok "vigil loads and scans match.ndb"
fi
# the same signatures compiled into a .vdb must give the same detections
if "$VIGIL" db build -o m.vdb m.ndb > vdb.err 2>&1; then
    "$VIGIL" scan --no-summary -z -d m.vdb "${files[@]}" 2>/dev/null | found > vdb.found
    if cmp -s v.found vdb.found; then
        ok "match.ndb compiled to .vdb gives the same detections ($(wc -l < v.found) pairs)"
    else
        notok "match.ndb compiled to .vdb differs: $(diff v.found vdb.found | head -5 | tr '\n' ' ')"
    fi
else
    notok "vigil db build match.ndb: $(head -c 300 vdb.err)"
fi
ref=$D/match.expected
refname="recorded clamscan 1.4.6"
if [ -n "$CLAM" ]; then
    "$CLAM" --no-summary -z -d m.ndb "${files[@]}" > c.out 2> c.err
    crc=$?
    if [ "$crc" -gt 1 ]; then
        notok "clamscan loads and scans match.ndb (exit $crc: $(grep -m3 Error c.err | tr '\n' ' '))"
    else
        ok "clamscan loads and scans match.ndb"
    fi
    found < c.out > c.found
    if [ "${VIGIL_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp c.found "$ref"
    elif ! cmp -s c.found "$ref"; then
        notok "patterns/match.expected is clamscan's answer (out of date: VIGIL_UPDATE_GOLDEN=1)"
    else
        ok "patterns/match.expected is clamscan's answer"
    fi
    ref=c.found
    refname=clamscan
fi
for f in "${files[@]}"; do
    a=$(grep -F "$f: " v.found | sed "s|^$f: ||" | tr '\n' ' ')
    b=$(grep -F "$f: " "$ref" | sed "s|^$f: ||" | tr '\n' ' ')
    if [ "$a" = "$b" ]; then
        ok "match $f: same detections as $refname (${b:-none})"
    else
        notok "match $f: vigil [${a}] $refname [${b}]"
    fi
done

# ---- 1b. random signatures near their matches ---------------------------------
mkdir rin
mk() { printf "$2" > "rin/$1"; }
# shellcheck source=patterns/random_inputs.sh
. "$D/random_inputs.sh"
rfiles=()
while IFS= read -r f; do rfiles+=("rin/$f"); done < <(ls rin | LC_ALL=C sort)
cp "$D/random.ndb" r.ndb
"$VIGIL" scan --no-summary -z -d r.ndb "${rfiles[@]}" 2> rv.err > rv.out
vrc=$?
found < rv.out > rv.found
check $((vrc > 1)) "vigil loads and scans random.ndb (exit $vrc $(head -c 200 rv.err))"
rref=$D/random.expected
if [ -n "$CLAM" ]; then
    "$CLAM" --no-summary -z -d r.ndb "${rfiles[@]}" 2> rc.err > rc.out
    crc=$?
    check $((crc > 1)) "clamscan loads and scans random.ndb (exit $crc)"
    found < rc.out > rc.found
    if [ "${VIGIL_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp rc.found "$rref"
    else
        cmp -s rc.found "$rref"
        check $? "patterns/random.expected is clamscan's answer"
    fi
    rref=rc.found
fi
if cmp -s rv.found "$rref"; then
    ok "random: ${#rfiles[@]} files x $(grep -c '^R' r.ndb) signatures, same $(wc -l < rv.found) detections as $refname"
else
    notok "random: detections differ from $refname: $(diff "$rref" rv.found | grep '^[<>]' | head -20 | tr '\n' ';')"
fi

# ---- 2. doc -----------------------------------------------------------------
while IFS=$'\t' read -r sig exp; do
    case $sig in '#'* | '') continue ;; esac
    for e in $exp; do
        f=in/${e:1}
        want=$([ "${e:0:1}" = + ] && echo 1 || echo 0)
        for who in vigil clamscan; do
            src=v.found
            if [ $who = clamscan ]; then
                [ -n "$CLAM" ] || continue
                src=c.found
            fi
            got=$(grep -cxF "$f: $sig" "$src")
            [ "$got" -gt 1 ] && got=1
            check $((got != want)) "doc: $who $([ "$want" = 1 ] && echo finds || echo does not find) $sig in $f"
        done
    done
done < "$D/doc.txt"

# ---- 3. loader ----------------------------------------------------------------
printf '\x00\x00\x01HELLO-WORLD\x00\x02' > probe.bin
MD5=$(md5sum < probe.bin | cut -d' ' -f1)
SHA1=$(sha1sum < probe.bin | cut -d' ' -f1)
SHA256=$(sha256sum < probe.bin | cut -d' ' -f1)
SIZE=$(wc -c < probe.bin | tr -d ' ')

# one case: dir, ext, esc(0/1), text; writes dir/{v,c}.{rc,found,err}
run_case() {
    local dir=$1 ext=$2 esc=$3 text=$4
    mkdir -p "$dir"
    if [ "$esc" = 1 ]; then printf "$text" > "$dir/t.$ext"; else printf '%s\n' "$text" > "$dir/t.$ext"; fi
    (cd "$dir" && "$VIGIL" scan --no-summary -d "t.$ext" ../probe.bin > v.out 2> v.err; echo $? > v.rc)
    found < "$dir/v.out" > "$dir/v.found"
    if [ -n "$CLAM" ]; then
        (cd "$dir" && "$CLAM" --no-summary -d "t.$ext" ../probe.bin > c.out 2> c.err; echo $? > c.rc)
        found < "$dir/c.out" > "$dir/c.found"
    fi
}
export -f run_case found
export VIGIL CLAM
i=0
: > cases
while IFS=$'\t' read -r verdict ext text; do
    case $verdict in '#'* | '') continue ;; esac
    i=$((i + 1))
    esc=0
    [[ $ext == *:esc ]] && esc=1
    text=${text//@MD5@/$MD5}
    text=${text//@SHA1@/$SHA1}
    text=${text//@SHA256@/$SHA256}
    text=${text//@SIZE@/$SIZE}
    printf '%s\t%s\t%s\t%s\t%s\n' "$i" "$verdict" "${ext%%:*}" "$esc" "$text" >> cases
done < "$D/loader.txt"
# the longest line ClamAV reads, and one more
for L in 8190 8191; do
    i=$((i + 1))
    h=$(head -c $((L - 6)) /dev/zero | tr '\0' 'a')
    printf '%s\t%s\tndb\t0\t%s\n' "$i" "$([ $L = 8190 ] && echo ok || echo bad)" "A:0:*:$h" >> cases
done
cut -f1,3-5 cases | tr '\t' '\036' |
    xargs -d '\n' -P "$(nproc 2>/dev/null || echo 2)" -I{} bash -c \
        'IFS=$'"'"'\036'"'"' read -r i e s t <<< "$1"; run_case "c$i" "$e" "$s" "$t"' _ {}
while IFS=$'\t' read -r i verdict ext esc text; do
    dir=c$i
    show=${text:0:70}
    vrc=$(cat "$dir/v.rc")
    vv=$([ "$vrc" = 2 ] && echo bad || echo ok)
    if [ "$vv" = bad ] && ! grep -q "t\.$ext\(:[0-9][0-9]*\)\?: " "$dir/v.err"; then
        notok "loader .$ext '$show': vigil refuses without 'file:line: reason' ($(head -c 200 "$dir/v.err"))"
        continue
    fi
    if [ "$vrc" -gt 2 ]; then
        notok "loader .$ext '$show': vigil exit $vrc ($(head -c 300 "$dir/v.err"))"
        continue
    fi
    if [ -n "$CLAM" ]; then
        crc=$(cat "$dir/c.rc")
        if [ "$crc" -gt 2 ]; then
            notok "loader .$ext '$show': clamscan crashed (exit $crc)"
            continue
        fi
        cv=$([ "$crc" = 2 ] && echo bad || echo ok)
        if [ "$cv" != "$verdict" ]; then
            notok "loader .$ext '$show': table says $verdict, clamscan says $cv"
            continue
        fi
        if ! cmp -s "$dir/v.found" "$dir/c.found"; then
            notok "loader .$ext '$show': detections differ: vigil [$(tr '\n' ' ' < "$dir/v.found")] clamscan [$(tr '\n' ' ' < "$dir/c.found")]"
            continue
        fi
    fi
    if [ "$vv" = "$verdict" ]; then
        ok "loader .$ext '$show': $verdict"
    else
        notok "loader .$ext '$show': vigil says $vv, clamscan $verdict ($(head -c 200 "$dir/v.err"))"
    fi
done < cases

# .fp allowlisting suppresses a body detection in both
printf 'Allow.Body:0:*:48454c4c4f2d574f524c44\n' > fp.ndb
printf '%s:%s:Allow.Me\n' "$MD5" "$SIZE" > fp.fp
"$VIGIL" scan --no-summary -d fp.ndb -d fp.fp probe.bin > fpv.out 2>&1
check $? "loader: .fp entry for the probe's MD5 suppresses vigil's detection"
if [ -n "$CLAM" ]; then
    "$CLAM" --no-summary -d fp.ndb -d fp.fp probe.bin > fpc.out 2>&1
    check $? "loader: .fp entry for the probe's MD5 suppresses clamscan's detection"
fi

# ---- 4. clam.exe offsets ------------------------------------------------------
EXE=/usr/share/clamav-testfiles/clam.exe
if [ -f "$EXE" ] && [ "$(wc -c < "$EXE")" -eq 544 ]; then
    cp "$EXE" clam.exe
    pat=$(od -An -tx1 -j64 -N48 -v clam.exe | tr -d ' \n')
    : > x.ndb
    for o in 64 63 60,4 60,3 EOF-480 EOF-479 EOF-484,4; do
        printf 'X.%s:0:%s:%s\n' "$(echo "$o" | tr ',' '_')" "$o" "$pat" >> x.ndb
    done
    "$VIGIL" scan --no-summary -z -d x.ndb clam.exe | found > xv.found
    [ -n "$CLAM" ] && "$CLAM" --no-summary -z -d x.ndb clam.exe | found > xc.found
    for o in 64:1 63:0 60,4:1 60,3:0 EOF-480:1 EOF-479:0 EOF-484,4:1; do
        off=${o%:*}
        want=${o##*:}
        name="X.$(echo "$off" | tr ',' '_')"
        for who in vigil clamscan; do
            src=xv.found
            if [ $who = clamscan ]; then
                [ -n "$CLAM" ] || continue
                src=xc.found
            fi
            got=$(grep -cxF "clam.exe: $name" "$src")
            check $((got != want)) "clam.exe offset $off: $who $([ "$want" = 1 ] && echo hits || echo misses)"
        done
    done
else
    ok "clam.exe offsets # SKIP clamav-testfiles not installed"
fi

# ---- 5. target types ---------------------------------------------------------
# One signature per target type the type detector knows (0-7, 9-12) for the
# same marker, in a file of each type (and plain binary data): the set of
# (file, target) pairs found must be clamscan's, or patterns/targets.expected
# (its answer recorded) without it.
mkdir tg
M=vigiltargetmark
TF=/usr/share/clamav-testfiles
tgf() { printf "$2" > "tg/$1"; }
[ -f "$TF/clam.exe" ] && { cat "$TF/clam.exe"; printf '%s' "$M"; } > tg/pe
[ -f "$TF/clam.ole.doc" ] && { cat "$TF/clam.ole.doc"; printf '%s' "$M"; } > tg/ole2
tgf html  "<html><body><p>$M</p></body></html>\n"
tgf mail  "From: a@b.example\nTo: c@d.example\nSubject: x\n\n$M\n"
tgf gif   "GIF89a\x01\x00\x01\x00\x00\x00\x00$M\x00"
tgf png   "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR$M\x00"
tgf jpeg  "\xff\xd8\xff\xe0\x00\x10JFIF\x00$M\x00"
tgf tiff  "II*\x00\x08\x00\x00\x00$M\x00"
tgf elf   "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00\x01\x00\x00\x00$M\x00"
tgf text  "hello $M text\n"
tgf macho "\xcf\xfa\xed\xfe\x07\x00\x00\x01\x03\x00\x00\x00\x02\x00\x00\x00$M\x00"
tgf pdf   "%%PDF-1.4\n$M\n%%%%EOF\n"
tgf swf   "FWS\x0a\x20\x00\x00\x00\x00$M\x00"
tgf java  "\xca\xfe\xba\xbe\x00\x00\x00\x34$M\x00"
tgf bin   "\xde\xad\xbe\xef\x00\x00$M\x00"
mhex=$(printf '%s' "$M" | od -An -tx1 | tr -d ' \n')
: > tg.ndb
for t in 0 1 2 3 4 5 6 7 9 10 11 12; do echo "T$t:$t:*:$mhex" >> tg.ndb; done
"$VIGIL" scan --no-summary -z -d tg.ndb tg | found > tgv.found
tref=$D/targets.expected
if [ -n "$CLAM" ]; then
    "$CLAM" --no-summary -z -d tg.ndb tg | found > tgc.found
    if [ "${VIGIL_UPDATE_GOLDEN:-0}" = 1 ]; then cp tgc.found "$tref"; fi
    tref=tgc.found
fi
for f in $(ls tg | LC_ALL=C sort); do
    a=$(grep -F "tg/$f: " tgv.found | sed "s|^tg/$f: ||" | tr '\n' ' ')
    b=$(grep -F "tg/$f: " "$tref" | sed "s|^tg/$f: ||" | tr '\n' ' ')
    [ "$a" = "$b" ] && ok "target types, $f: same as ${tref##*/} (${b:-none})" ||
        notok "target types, $f: vigil [$a] ${tref##*/} [$b]"
done
tmiss=""
for t in 1 2 3 4 5 6 7 9 10 11 12; do grep -q ": T$t\$" tgv.found || tmiss="$tmiss $t"; done
check $([ -z "$tmiss" ]; echo $?) "target types: each of 1-7 and 9-12 matches a file${tmiss:+ (none for:$tmiss)}"

echo "1..$n"
[ "$fails" -eq 0 ]
