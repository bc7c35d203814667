#!/usr/bin/env bash
# tests/e2e/diff_htmltype.sh - which files are typed HTML, vigil against the
# real clamscan (differential).
#
# The type is seen through detections: every input carries a marker word
# as plain text, and the only signature is a target-3 (HTML) body
# signature on it. Both engines match target 3 only on the normalised copies
# of a file typed HTML, so the set of files detected is the set typed HTML.
# Inputs: each candidate tag spelling (case variants of the usual tags,
# followed by '>', ' ', 'x') at offset 0, ~100 and ~6000 (past 4 KB);
# "<a " then href spellings; a few binaries (NULs, control bytes, PE, ELF,
# PNG, PDF magics) holding <script>; up to 60 HTML files of /usr/share/doc
# and up to 40 Python sources mentioning tags (marker prepended).
# Known difference, checked to still differ: KNOWN below (clamscan types a
# binary with a NUL early HTML when it has no magic for it; vigil keeps any
# object with a NUL in its first 4 KB out of HTML, see src/ftype/magic.c).
# Prints TAP; needs VIGIL and VIGIL_SRC. Skipped without clamscan.
set -uo pipefail
VIGIL=${VIGIL:?set VIGIL to the vigil binary}
SRC=${VIGIL_SRC:?set VIGIL_SRC to the source tree}
CLAM=${VIGIL_CLAMSCAN-$(command -v clamscan 2>/dev/null)}
if [ -z "$CLAM" ]; then
    echo "ok 1 - HTML typing # SKIP no clamscan"
    echo "1..1"
    exit 0
fi
T=$(mktemp -d /tmp/vg_diffhtmltype.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
# shellcheck source=../../bench/lib.sh
. "$SRC/bench/lib.sh"

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }

MARK=zqvgmarkzq
printf 'HTMLTYPE:3:*:%s\n' "$(printf %s "$MARK" | od -An -tx1 | tr -d ' \n')" > t.ndb
mkdir in
python3 - "$MARK" <<'EOF'
import sys, os
mark = sys.argv[1]
def variants(t, cap=64):
    idx = [i for i, c in enumerate(t) if c.isalpha()]
    out = []
    for m in range(1 << len(idx)):
        s = list(t)
        for k, i in enumerate(idx):
            if m >> k & 1:
                s[i] = s[i].upper()
        out.append(''.join(s))
    return out[:cap]
tags = ("html head body script iframe object img table form embed style "
        "title meta div frame applet").split()
n = 0
def put(name, data):
    open(os.path.join('in', name), 'wb').write(data)
for t in tags:
    for v in variants(t):
        for fi, f in enumerate(['>', ' ', 'x']):
            for pos in (0, 100, 6000):
                pre = b'' if pos == 0 else b'a' * (pos - 1) + b'\n'
                body = pre + ('<' + v + f).encode() + b' text ' + mark.encode() + b' more\n'
                n += 1
                put('t%05d_%s_%d_%d.txt' % (n, v, fi, pos), body)
for a in ('a', 'A'):
    for h in variants('href'):
        for sep in (' ', ' x=1\n', '\t'):
            n += 1
            put('a%05d_%s_%s.txt' % (n, a, h), ('see <%s%s%s=y> %s\n' % (a, sep, h, mark)).encode())
put('a_rev.txt', ('href=y <a x %s\n' % mark).encode())
s = b'<script>x</script> ' + mark.encode() + b'\n'
put('b_nul.bin', b'ab\0\0cd ' + s)
put('b_ctl.bin', bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 50 + s)
put('b_hi.bin', bytes(range(0x80, 0x100)) * 4 + s)
put('b_mz.exe', b'MZ' + b'\0' * 200 + s)
put('b_elf.bin', b'\x7fELF' + b'\0' * 200 + s)
put('b_png.bin', b'\x89PNG\r\n\x1a\n' + b'\0' * 200 + s)
put('b_pdf.bin', b'%PDF-1.4\n' + s)
put('b_bom.txt', b'\xef\xbb\xbf' + s)
put('b_latin1.txt', b'<table>caf\xe9 d\xe9j\xe0 \xe9t\xe9 ' + mark.encode() + b'\n')
put('b_latin1body.txt', b'<body>caf\xe9 d\xe9j\xe0 \xe9t\xe9 ' + mark.encode() + b'\n')
import random
random.seed(7)
put('b_rand.bin', bytes(random.randrange(256) for _ in range(3000)) + s)
EOF
i=0
find /usr/share/doc -name '*.html' -type f -size -300k 2>/dev/null | LC_ALL=C sort | head -60 |
    while read -r f; do
        i=$((i + 1))
        { echo "$MARK"; cat "$f"; } > "in/doc$i.txt"
    done
i=0
grep -lE '<(script|a |table|img|html>|Script|object)' /usr/lib/python3*/*.py 2>/dev/null |
    LC_ALL=C sort | head -40 | while read -r f; do
        i=$((i + 1))
        { echo "$MARK"; cat "$f"; } > "in/py$i.txt"
    done
total=$(find in -type f | wc -l)

"$CLAM" --no-summary --infected -d t.ndb in > clam.out 2>/dev/null
"$VIGIL" scan --no-summary --infected -d t.ndb in > vigil.out 2>/dev/null
det_set clam.out in | cut -f1 > clam.set
det_set vigil.out in | cut -f1 > vigil.set
nc=$(wc -l < clam.set)
nv=$(wc -l < vigil.set)
if [ "$nc" -gt 100 ] && [ "$nc" -lt "$total" ]; then
    ok "clamscan types $nc of $total inputs HTML (the test discriminates)"
else
    notok "clamscan types $nc of $total inputs HTML: the marker test is not discriminating"
fi
KNOWN="b_nul.bin"
for k in $KNOWN; do
    if grep -qx "$k" clam.set && ! grep -qx "$k" vigil.set; then
        ok "known difference $k: clamscan HTML, vigil not"
    else
        notok "known difference $k no longer differs: remove it from KNOWN"
    fi
done
only_c=$(LC_ALL=C comm -23 clam.set vigil.set | grep -vxF "$KNOWN")
only_v=$(LC_ALL=C comm -13 clam.set vigil.set)
if [ -z "$only_c" ] && [ -z "$only_v" ]; then
    ok "vigil types the same $nv of $total inputs HTML as clamscan"
else
    notok "HTML typing differs: clamscan only: $(echo "$only_c" | tr '\n' ' ' | head -c 600) | vigil only: $(echo "$only_v" | tr '\n' ' ' | head -c 600)"
fi
echo "1..$n"
[ "$fails" -eq 0 ]
