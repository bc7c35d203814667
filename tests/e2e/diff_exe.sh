#!/usr/bin/env bash
# tests/e2e/diff_exe.sh - differential test of the executable-aware
# signatures: EP/Sx/SEx/SL offsets in .ndb, PE section hashes (.mdb/.msb)
# and import hashes (.imp), vigil against clamscan, live.
#
# Samples: unpacked PE files (clam.exe from clamav-testfiles, ClamAV's own
# unit-test PE from ../shared, a hand-made PE32 and PE32+ from the fuzz
# seeds), ELF files of this machine, and two Mach-O
# files made here byte by byte (64-bit LC_MAIN, 32-bit big-endian PowerPC
# LC_UNIXTHREAD, and a universal binary holding both). Packed PE samples are left out: clamscan unpacks them and
# scans the result, which vigil does not do.
# A 300 KB copy of the PE32 seed covers clamscan's Boyer-Moore "offset
# mode" (files of 256 KiB and more: a plain-hex PE SEx matches at the
# section start only; below, anywhere in the section).
# Signatures: diff_exe_sigs.py derives them from exe_ref.py, an independent
# Python reading of the files, including negatives (offset one byte off,
# wrong size, a target that does not apply). Both scanners run with
# --allmatch; the sorted, de-duplicated "file: name FOUND" lines must be
# identical, and a minimum number of hits keeps the test from passing
# vacuously.
#
# Env: VIGIL (binary), VIGIL_SRC (repo root), DIFF_KEEP=1 (keep temp dir).
set -uo pipefail
export LC_ALL=C TZ=UTC

SRC=${VIGIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
VIGIL=${VIGIL:-$SRC/build/vigil}
SHARED=${VIGIL_SHARED:-$SRC/../shared}
TO=120

[ -x "$VIGIL" ] || { echo "not ok 1 - vigil binary at $VIGIL"; exit 1; }
for t in clamscan python3; do
    command -v "$t" >/dev/null 2>&1 || { echo "1..0 # SKIP $t not installed"; exit 0; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/vigil-diffexe.XXXXXX")
if [ "${DIFF_KEEP:-0}" = 1 ]; then trap 'echo "# kept $T"' EXIT; else trap 'rm -rf "$T"' EXIT; fi
mkdir -p "$T/files" "$T/sigs"
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

# ---- samples -------------------------------------------------------------
files=()
for f in /usr/share/clamav-testfiles/clam.exe \
         "$SHARED/data/clamav-sigs/Cisco-Talos-clamav/unit_tests/input/pe_allmatch/test.exe" \
         "$SRC/fuzz/corpus/exe/pe32_imp_exp_rsrc" "$SRC/fuzz/corpus/exe/pe64_imports" \
         /bin/ls /bin/true /usr/bin/env; do
    [ -f "$f" ] || continue
    b=$(basename "$f")
    cp "$f" "$T/files/$b" && files+=("$T/files/$b")
done
# the PE32 seed padded (as overlay) to 300 KB, with random bytes in its
# section so that a mid-section pattern is unique
python3 - "$SRC/fuzz/corpus/exe/pe32_imp_exp_rsrc" "$T/files/pe32-300k.exe" <<'EOF'
import random, sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[0x440:0x4c0] = random.Random(3).randbytes(0x80)
open(sys.argv[2], 'wb').write(bytes(d) + bytes(300000 - len(d)))
EOF
files+=("$T/files/pe32-300k.exe")
# a big-endian ELF32 (MIPS) with random code, from the fuzz seed
python3 - "$SRC/fuzz/corpus/exe/elf32be" "$T/files/mips-be32.elf" <<'EOF'
import random, sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[0x100:0x180] = random.Random(11).randbytes(0x80)
open(sys.argv[2], 'wb').write(d)
EOF
files+=("$T/files/mips-be32.elf")
# Mach-O: 64-bit LE with LC_MAIN (EP file offset 0x310, __text at 0x300,
# 0x40 bytes) and 32-bit BE PowerPC with LC_UNIXTHREAD (srr0 0x1210 ->
# file offset 0x210, __text at 0x200, 0x80 bytes); distinct bytes so every
# offset picks a unique pattern.
python3 - "$T/files" <<'EOF'
import struct, sys, random
rnd = random.Random(7)
out = sys.argv[1]
b = bytearray(rnd.randbytes(0x400))
b[:0x300] = bytes(0x300)
struct.pack_into('<IIIIIII', b, 0, 0xfeedfacf, 0x01000007, 3, 2, 2, 152 + 24, 0)
struct.pack_into('<I', b, 28, 0)
struct.pack_into('<II16sQQQQIIII', b, 32, 0x19, 152, b'__TEXT', 0x100000000, 0x1000, 0, 0x400, 5, 5, 1, 0)
struct.pack_into('<16s16sQQIIIIIIII', b, 104, b'__text', b'__TEXT', 0x100000300, 0x40, 0x300, 4, 0, 0, 0x80000400, 0, 0, 0)
struct.pack_into('<IIQQ', b, 184, 0x80000028, 24, 0x310, 0)
open(out + '/m64.macho', 'wb').write(b)
c = bytearray(rnd.randbytes(0x400))
c[:0x200] = bytes(0x200)
struct.pack_into('>IIIIIII', c, 0, 0xfeedface, 18, 0, 2, 2, 124 + 176, 0)
struct.pack_into('>II16sIIIIIIII', c, 28, 1, 124, b'__TEXT', 0x1000, 0x1000, 0, 0x400, 5, 5, 1, 0)
struct.pack_into('>16s16sIIIIIIIII', c, 84, b'__text', b'__TEXT', 0x1200, 0x80, 0x200, 2, 0, 0, 0x80000400, 0, 0)
struct.pack_into('>IIIII', c, 152, 5, 176, 1, 40, 0x1210)
open(out + '/m32ppc.macho', 'wb').write(c)
# 32-bit i386 with LC_UNIXTHREAD (eip 0x1210): clamscan gives it no EP
i = bytearray(c)
struct.pack_into('<IIIIIII', i, 0, 0xfeedface, 7, 3, 2, 2, 124 + 80, 0)
struct.pack_into('<II16sIIIIIIII', i, 28, 1, 124, b'__TEXT', 0x1000, 0x1000, 0, 0x400, 5, 5, 1, 0)
struct.pack_into('<16s16sIIIIIIIII', i, 84, b'__text', b'__TEXT', 0x1200, 0x80, 0x200, 2, 0, 0, 0x80000400, 0, 0)
i[152:152 + 80] = bytes(80)
struct.pack_into('<IIII', i, 152, 5, 80, 1, 16)
struct.pack_into('<I', i, 152 + 16 + 40, 0x1210)
i[0x200:0x280] = rnd.randbytes(0x80)
open(out + '/m32i386.macho', 'wb').write(i)
# universal: both, at 0x1000 and 0x2000 (clamscan scans each as a Mach-O)
f = bytearray(0x3000)
struct.pack_into('>II', f, 0, 0xcafebabe, 2)
struct.pack_into('>IIIII', f, 8, 0x01000007, 3, 0x1000, len(b), 12)
struct.pack_into('>IIIII', f, 28, 18, 0, 0x2000, len(c), 12)
f[0x1000:0x1000 + len(b)] = b
f[0x2000:0x2000 + len(c)] = c
open(out + '/fat.macho', 'wb').write(f)
EOF
macho=("$T/files/m64.macho:784:768:64" "$T/files/m32ppc.macho:528:512:128"
       "$T/files/m32i386.macho:528:512:128")
[ ${#files[@]} -ge 3 ] || { echo "1..0 # SKIP too few sample executables"; exit 0; }

nsigs=$(python3 "$SRC/tests/e2e/diff_exe_sigs.py" "$T/sigs" "${files[@]}" "${macho[@]}") ||
    { echo "not ok 1 - signature generation"; exit 1; }
ok "generated $nsigs signatures for ${#files[@]} files + 3 Mach-O"

scan_files=("${files[@]}" "$T/files/m64.macho" "$T/files/m32ppc.macho" "$T/files/m32i386.macho"
            "$T/files/fat.macho")
timeout $TO clamscan --no-summary --allmatch -d "$T/sigs" "${scan_files[@]}" 2>"$T/clam.err" |
    grep ' FOUND$' | sort -u >"$T/clam.txt"
timeout $TO "$VIGIL" scan --no-summary --allmatch -d "$T/sigs" "${scan_files[@]}" 2>"$T/vigil.err" |
    grep ' FOUND$' | sort -u >"$T/vigil.txt"
if [ -s "$T/vigil.err" ] && grep -qv 'sandbox' "$T/vigil.err"; then
    nok "vigil loaded the signatures"; sed 's/^/# /' "$T/vigil.err" | head -5
else
    ok "vigil loaded the signatures"
fi

# Known differences, each with its reason, would be listed here as
# "file: signature-name" lines; they are removed from both sides before
# comparing (and reported). None at present.
: >"$T/expected"
while read -r line; do
    f=${line%%: *}; sig=${line#*: }
    for side in clam vigil; do
        grep -v -F "/$f: $sig FOUND" "$T/$side.txt" >"$T/$side.tmp"; mv "$T/$side.tmp" "$T/$side.txt"
    done
    echo "# expected difference (not compared): $line"
done <"$T/expected"

hits=$(wc -l <"$T/clam.txt")
if [ "$hits" -ge 40 ]; then ok "clamscan reports $hits detections (test not vacuous)"
else nok "clamscan reports only $hits detections"; fi

# per kind, so a failure says where
for kind in EP S SE SL sect imp; do
    case $kind in
        EP) pat='\.EP[0-9m]' ;; S) pat='\.S[0-9]+(s8)?(\.neg)?\.UNOFF' ;; SE) pat='\.SE[0-9]' ;;
        SL) pat='\.SL' ;; sect) pat='\.sect[0-9]' ;; imp) pat='\.imp\.' ;;
    esac
    grep -E "$pat" "$T/clam.txt" >"$T/c.$kind"
    grep -E "$pat" "$T/vigil.txt" >"$T/v.$kind"
    if cmp -s "$T/c.$kind" "$T/v.$kind"; then
        ok "$kind: $(wc -l <"$T/c.$kind") detections, identical to clamscan"
    else
        nok "$kind: detections differ from clamscan (< clamscan only, > vigil only)"
        diff "$T/c.$kind" "$T/v.$kind" | grep '^[<>]' | sed "s#$T/files/##; s/^/# /" | head -20
    fi
done
if cmp -s "$T/clam.txt" "$T/vigil.txt"; then
    ok "all $(wc -l <"$T/clam.txt") detection lines identical"
else
    nok "detection lines differ"
    diff "$T/clam.txt" "$T/vigil.txt" | grep '^[<>]' | sed "s#$T/files/##; s/^/# /" | head -20
fi
# negatives must stay negative in vigil whatever clamscan does
if grep -q '\.neg\.UNOFFICIAL' "$T/vigil.txt"; then
    nok "no negative signature matched"; grep '\.neg\.' "$T/vigil.txt" | sed 's/^/# /' | head
else
    ok "no negative signature matched (offset one off, wrong size, other target)"
fi

# ClamAV's own unit-test PE with its generated signatures of these kinds
# (.ndb with EP, S1, SE1 and VI offsets, .mdb, .msb, .imp; broken-sigs are
# the SE1 ones ClamAV does not alert on), plus VI negatives: the same
# version-info strings taken 2 bytes in, or as a whole-file pattern.
PA="$SHARED/data/clamav-sigs/Cisco-Talos-clamav/unit_tests/input/pe_allmatch"
if [ -f "$PA/test.exe" ]; then
    mkdir -p "$T/pa"
    cp "$PA"/alert-sigs/*.ndb "$PA"/alert-sigs/*.mdb "$PA"/alert-sigs/*.msb "$PA"/alert-sigs/*.imp \
       "$PA"/broken-sigs/*.ndb "$T/pa/" 2>/dev/null
    for f in "$PA"/alert-sigs/*NDB_0[1-8]of22*.ndb; do
        IFS=: read -r name tgt off hex <"$f"
        echo "${name}.shifted.neg:$tgt:VI:${hex:4}"
        echo "${name}.anywhere:$tgt:*:${hex}"
        echo "${name}.EP.neg:$tgt:EP+0:${hex}"
    done >"$T/pa/vi-neg.ndb"
    timeout $TO clamscan --no-summary --allmatch -d "$T/pa" "$PA/test.exe" 2>/dev/null |
        grep ' FOUND$' | sort -u >"$T/pa.clam"
    timeout $TO "$VIGIL" scan --no-summary --allmatch -d "$T/pa" "$PA/test.exe" 2>"$T/pa.err" |
        grep ' FOUND$' | sort -u >"$T/pa.vigil"
    vi=$(grep -c 'NDB_0[1-8]of22_[a-z]*\.UNOFFICIAL' "$T/pa.clam")
    if cmp -s "$T/pa.clam" "$T/pa.vigil" && [ "$vi" -eq 8 ] && ! grep -q '\.neg\.UNOFF' "$T/pa.vigil"; then
        ok "ClamAV's unit-test PE: $(wc -l <"$T/pa.clam") detections identical (8 VI, no VI negative)"
    else
        nok "ClamAV's unit-test PE: detections differ (< clamscan only, > vigil only; $vi VI)"
        diff "$T/pa.clam" "$T/pa.vigil" | grep '^[<>]' | sed 's#.*/##; s/^/# /' | head -20
        head -3 "$T/pa.err" | sed 's/^/# /'
    fi
fi

# ClamAV's section view on unusual alignments: 30 one-section PE32 files
# (FileAlignment 0, 1, 0x80, 0x200, 0x400, 0x1000 x raw pointer / size
# 0x210/0x3f0, 0x200/0x3f0, 0x1ff/0x401, 0x400/0x200, 0x300/0x300), each
# with S0+16 and section-MD5 signatures for every plausible raw start and
# size; exactly one of each should match, the same as clamscan's.
mkdir -p "$T/al"
python3 - "$SRC/fuzz/corpus/exe/pe32_imp_exp_rsrc" "$T/al" <<'EOF'
import hashlib, random, struct, sys
src, out = sys.argv[1], sys.argv[2]
base = bytearray(open(src, 'rb').read())[:0x600] + bytearray(0x800)
o, sh, k, ndb, mdb = 0x98, 0x98 + 0xe0, 0, [], []
for fa in (0x1, 0x200, 0x1000, 0x0, 0x80, 0x400):
    for raw, rs in ((0x210, 0x3f0), (0x200, 0x3f0), (0x1ff, 0x401), (0x400, 0x200), (0x300, 0x300)):
        k += 1
        rnd = random.Random(k)
        d = bytearray(base)
        d[0x1f0:] = rnd.randbytes(len(d) - 0x1f0)
        struct.pack_into('<I', d, o + 36, fa)
        struct.pack_into('<II', d, sh + 16, rs, raw)
        name = 'fa%x_r%x_s%x' % (fa, raw, rs)
        open('%s/%s.exe' % (out, name), 'wb').write(d)
        for c in sorted({raw, raw // 0x200 * 0x200, raw // fa * fa if fa else raw, 0}):
            ndb.append('%s.raw%x:1:S0+16:%s' % (name, c, d[c + 16:c + 32].hex()))
            for z in sorted({rs, (rs + 0x1ff) // 0x200 * 0x200, (rs + fa - 1) // fa * fa if fa else rs,
                             len(d) - c}):
                if c + z <= len(d):
                    mdb.append('%d:%s:%s.raw%x.size%x' % (z, hashlib.md5(d[c:c + z]).hexdigest(), name, c, z))
open(out + '/al.ndb', 'w').write('\n'.join(ndb) + '\n')
open(out + '/al.mdb', 'w').write('\n'.join(mdb) + '\n')
EOF
timeout $TO clamscan --no-summary --allmatch -d "$T/al/al.ndb" -d "$T/al/al.mdb" "$T"/al/*.exe 2>/dev/null |
    grep ' FOUND$' | sort -u >"$T/al.clam"
timeout $TO "$VIGIL" scan --no-summary --allmatch -d "$T/al/al.ndb" -d "$T/al/al.mdb" "$T"/al/*.exe 2>/dev/null |
    grep ' FOUND$' | sort -u >"$T/al.vigil"
if cmp -s "$T/al.clam" "$T/al.vigil" && [ "$(wc -l <"$T/al.clam")" -ge 50 ]; then
    ok "alignment corner cases: $(wc -l <"$T/al.clam") detections on 30 PE files identical to clamscan"
else
    nok "alignment corner cases differ from clamscan (< clamscan only, > vigil only)"
    diff "$T/al.clam" "$T/al.vigil" | grep '^[<>]' | sed 's#.*/##; s/^/# /' | head -20
fi

# Imports by ordinal: ws2_32/wsock32/oleaut32 ordinals hash by name, others
# (and unknown ones) as ordN. One .imp candidate per spelling.
mkdir -p "$T/ord"
python3 - "$SRC/fuzz/corpus/exe/pe32_imp_exp_rsrc" "$T/ord" <<'EOF'
import hashlib, struct, sys
src, out = sys.argv[1], sys.argv[2]
rva = lambda r: 0x200 + (r - 0x1000)
rows = {}
for dll, ords in (('WS2_32.dll', (1, 115)), ('wsock32.DLL', (23, 999)), ('OLEAUT32.dll', (2, 9)),
                  ('COMCTL32.dll', (17, 1))):
    for o in ords:
        d = bytearray(open(src, 'rb').read())
        d[rva(0x1190):rva(0x1190) + 14] = dll.encode().ljust(14, b'\0')
        struct.pack_into('<II', d, rva(0x1150), 0x80000000 | o, 0)
        tag = '%s_%d' % (dll.split('.')[0].lower(), o)
        open('%s/%s.exe' % (out, tag), 'wb').write(d)
        base = dll.split('.')[0].lower()
        for fn in ('ord%d' % o, 'accept', 'bind', 'wsastartup', 'socket', 'sysallocstring',
                   'variantclear', 'initcommoncontrols'):
            st = 'kernel32.exitprocess,%s.%s' % (base, fn)
            # one signature per import string (twins would make clamscan pick
            # one name): named after the DLL and function, not the file
            rows[st] = '%s:%d:%s.%s' % (hashlib.md5(st.encode()).hexdigest(), len(st), base, fn)
open(out + '/ord.imp', 'w').write('\n'.join(rows.values()) + '\n')
EOF
timeout $TO clamscan --no-summary --allmatch -d "$T/ord/ord.imp" "$T"/ord/*.exe 2>/dev/null |
    grep ' FOUND$' | sort -u >"$T/ord.clam"
timeout $TO "$VIGIL" scan --no-summary --allmatch -d "$T/ord/ord.imp" "$T"/ord/*.exe 2>/dev/null |
    grep ' FOUND$' | sort -u >"$T/ord.vigil"
if cmp -s "$T/ord.clam" "$T/ord.vigil" && [ "$(wc -l <"$T/ord.clam")" -ge 6 ]; then
    ok "imports by ordinal: $(wc -l <"$T/ord.clam") import hashes identical to clamscan"
else
    nok "imports by ordinal differ from clamscan (< clamscan only, > vigil only)"
    diff "$T/ord.clam" "$T/ord.vigil" | grep '^[<>]' | sed 's#.*/##; s/^/# /' | head -20
fi

# Entry points in the headers, past SizeOfHeaders, at a section's start and
# end, past its raw data and nowhere: 9 PE32 files, an EP+0 signature for
# each plausible file offset.
mkdir -p "$T/ep"
python3 - "$SRC/fuzz/corpus/exe/pe32_imp_exp_rsrc" "$T/ep" <<'EOF'
import random, struct, sys
src, out = sys.argv[1], sys.argv[2]
base = bytearray(open(src, 'rb').read())[:0x600] + bytearray(0x1000)
sigs = []
for k, ep in enumerate((0x40, 0x1ff, 0x400, 0x1000, 0x13f0, 0x1400, 0x5000, 0x900, 0xff0)):
    d = bytearray(base)
    rnd = random.Random(k)
    d[0x40:0x80] = rnd.randbytes(0x40)
    d[0x1f0:] = rnd.randbytes(len(d) - 0x1f0)
    struct.pack_into('<I', d, 0x98 + 16, ep)
    name = 'ep%x' % ep
    open('%s/%s.exe' % (out, name), 'wb').write(d)
    for c in sorted({ep, ep - 0x1000 + 0x200, ep - 0x1000, ep & 0xfff}):
        if 0 <= c and c + 16 <= len(d):
            sigs.append('%s.at%x:1:EP+0:%s' % (name, c, d[c:c + 16].hex()))
open(out + '/ep.ndb', 'w').write('\n'.join(sigs) + '\n')
EOF
timeout $TO clamscan --no-summary --allmatch -d "$T/ep/ep.ndb" "$T"/ep/*.exe 2>/dev/null |
    grep ' FOUND$' | sort -u >"$T/ep.clam"
timeout $TO "$VIGIL" scan --no-summary --allmatch -d "$T/ep/ep.ndb" "$T"/ep/*.exe 2>/dev/null |
    grep ' FOUND$' | sort -u >"$T/ep.vigil"
if cmp -s "$T/ep.clam" "$T/ep.vigil" && [ "$(wc -l <"$T/ep.clam")" -ge 6 ]; then
    ok "entry point corner cases: $(wc -l <"$T/ep.clam") detections identical to clamscan"
else
    nok "entry point corner cases differ from clamscan (< clamscan only, > vigil only)"
    diff "$T/ep.clam" "$T/ep.vigil" | grep '^[<>]' | sed 's#.*/##; s/^/# /' | head
fi

# SectionAlignment corner cases (0, 1, 0x80, 0x200, 0x300, 0x1000, 0x2000
# against section RVAs 0x1000/0x1080/0x1100 and entry points in and out of
# them): 28 PE32 files, an EP+0 signature per plausible mapping.
mkdir -p "$T/va"
python3 - "$SRC/fuzz/corpus/exe/pe32_imp_exp_rsrc" "$T/va" <<'EOF'
import random, struct, sys
src, out = sys.argv[1], sys.argv[2]
base = bytearray(open(src, 'rb').read())[:0x600] + bytearray(0x1000)
o, sh, k, sigs = 0x98, 0x98 + 0xe0, 0, []
for va in (0x1000, 0x200, 0x80, 0x1, 0x0, 0x2000, 0x300):
    for srva, ep in ((0x1000, 0x1010), (0x1100, 0x1110), (0x1100, 0x1010), (0x1080, 0x1090)):
        k += 1
        d = bytearray(base)
        d[0x1f0:] = random.Random(k).randbytes(len(d) - 0x1f0)
        struct.pack_into('<I', d, o + 32, va)
        struct.pack_into('<I', d, o + 16, ep)
        struct.pack_into('<I', d, sh + 12, srva)
        name = 'va%x_s%x_ep%x' % (va, srva, ep)
        open('%s/%s.exe' % (out, name), 'wb').write(d)
        cands = {0x200 + (ep - r) for r in (srva, srva // va * va if va else srva, srva // 0x1000 * 0x1000)}
        for c in sorted(x for x in cands if 0 <= x < len(d) - 16):
            sigs.append('%s.at%x:1:EP+0:%s' % (name, c, d[c:c + 16].hex()))
open(out + '/va.ndb', 'w').write('\n'.join(sigs) + '\n')
EOF
timeout $TO clamscan --no-summary --allmatch -d "$T/va/va.ndb" "$T"/va/*.exe 2>/dev/null |
    grep ' FOUND$' | sort -u >"$T/va.clam"
timeout $TO "$VIGIL" scan --no-summary --allmatch -d "$T/va/va.ndb" "$T"/va/*.exe 2>/dev/null |
    grep ' FOUND$' | sort -u >"$T/va.vigil"
if cmp -s "$T/va.clam" "$T/va.vigil" && [ "$(wc -l <"$T/va.clam")" -ge 15 ]; then
    ok "section alignment corner cases: $(wc -l <"$T/va.clam") detections identical to clamscan"
else
    nok "section alignment corner cases differ from clamscan (< clamscan only, > vigil only)"
    diff "$T/va.clam" "$T/va.vigil" | grep '^[<>]' | sed 's#.*/##; s/^/# /' | head
fi

# The same .ndb/.mdb/.msb/.imp signatures compiled into a .vdb give the
# same detections (offsets travel in the compiled signature table, the
# hash signatures as source text).
if timeout $TO "$VIGIL" db build -o "$T/exe.vdb" "$T/sigs" >"$T/vdb.out" 2>&1; then
    timeout $TO "$VIGIL" scan --no-summary --allmatch -d "$T/exe.vdb" "${scan_files[@]}" 2>/dev/null |
        grep ' FOUND$' | sort -u >"$T/vdb.txt"
    timeout $TO "$VIGIL" scan --no-summary --allmatch -d "$T/sigs" "${scan_files[@]}" 2>/dev/null |
        grep ' FOUND$' | sort -u >"$T/src.txt"
    if cmp -s "$T/vdb.txt" "$T/src.txt"; then
        ok "compiled .vdb: $(wc -l <"$T/vdb.txt") detections, the same as from the sources"
    else
        nok "compiled .vdb detections differ from the sources'"
        diff "$T/src.txt" "$T/vdb.txt" | grep '^[<>]' | sed 's#.*/##; s/^/# /' | head
    fi
else
    nok "vigil db build of the executable signatures"; sed 's/^/# /' "$T/vdb.out" | head -3
fi
echo "1..$n"
[ $failed -eq 0 ]
