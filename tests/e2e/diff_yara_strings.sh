#!/usr/bin/env bash
# tests/e2e/diff_yara_strings.sh - the YARA string matcher against yara
# 4.2.3 on random strings (differential).
#
# yara/randstrings.py --stable draws hex strings (bytes, ??, nibbles,
# jumps bounded and not, alternatives), text strings (nocase, wide, ascii,
# xor, fullword) and regexes (classes, escapes, bounded repeats, /i /s)
# from a small alphabet, and inputs from the same alphabet with planted
# instances, so windows recur, candidates overlap and verification has
# several ways through. For each seed and input, `yara -s` and
# `vigil --all-match --yara-strings` must print the same (rule, offset,
# data) lines. Rules yara refuses are dropped first (one line each). What --stable leaves out, and why, is in randstrings.py.
# Each tool runs once per seed (yara/split_strings.py splits the output).
# Knobs: VIGIL_YS_SEEDS ("1 2 3"), VIGIL_YS_RULES (300), VIGIL_YS_FILES (40).
set -uo pipefail
VIGIL=${VIGIL:?set VIGIL to the vigil binary}
SRC=${VIGIL_SRC:?set VIGIL_SRC to the source tree}
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
if ! command -v yara >/dev/null || ! command -v python3 >/dev/null; then
  echo "ok 1 - # SKIP yara or python3 not installed"; echo "1..1"; exit 0
fi
T=$(mktemp -d /tmp/vg_diffystr.XXXXXX)
trap 'rm -rf "$T"' EXIT
D=$SRC/tests/e2e/yara
# same_rules LABEL RULES FILE: the rules yara and vigil (--all-match) find
same_rules() {
  local y v
  y=$(yara "$2" "$3" 2>/dev/null | awk 'NF >= 2 {print $1}' | sort | paste -sd' ')
  v=$("$VIGIL" scan --no-summary --all-match -d "$2" "$3" 2>/dev/null |
      sed -nE 's/.*: ([A-Za-z0-9_]+) FOUND$/\1/p' | sort | paste -sd' ')
  if [ "$y" = "$v" ]; then ok "$1: same rules as yara (${y:-none})"
  else nok "$1: yara says '$y', vigil '$v'"; fi
}

for seed in ${VIGIL_YS_SEEDS:-1 2 3}; do
  W=$T/$seed
  python3 "$SRC/tests/e2e/yara/randstrings.py" --stable "$seed" "${VIGIL_YS_RULES:-300}" \
    "${VIGIL_YS_FILES:-40}" "$W"
  # drop the rule yara names in its error, until it compiles the rest
  cp "$W/rules.yar" "$W/ok.yar"
  for _ in $(seq 1 200); do
    bad=$(yara "$W/ok.yar" /dev/null 2>&1 >/dev/null | sed -nE 's/^error: rule "[^"]*" in .*\(([0-9]+)\).*/\1/p; s/^.*ok\.yar\(([0-9]+)\): error.*/\1/p' | head -1)
    [ -n "$bad" ] || break
    sed -i "${bad}d" "$W/ok.yar"
  done
  nr=$(wc -l <"$W/ok.yar")
  files=$(ls "$W/in" | wc -l)
  yara -s -r -p 1 "$W/ok.yar" "$W/in" 2>/dev/null | python3 "$D/split_strings.py" yara >"$W/y"
  "$VIGIL" scan --no-summary --threads 1 --all-match --yara-strings -d "$W/ok.yar" "$W/in" \
    2>"$W/err" | python3 "$D/split_strings.py" vigil >"$W/v"
  matches=$(grep -vc $'\tRULE ' "$W/y")
  if ! diff "$W/y" "$W/v" >"$W/d"; then
    nok "seed $seed: $(grep -c '^[<>]' "$W/d") lines differ from yara's"
    sed 's/^/# /' "$W/d" | head -20
    head -3 "$W/err" | sed 's/^/# /'
  elif [ "$matches" -gt 1000 ]; then
    ok "seed $seed: $nr rules, $files inputs, all $matches string matches as yara's"
  else
    nok "seed $seed: only $matches string matches: the inputs no longer exercise the matcher"
  fi
done

# yara's regex scan limit: a regex match ends within 4096 bytes of its
# start (/A.*B/s stops at the first B of A + 4000 bytes + B + 200 bytes + B);
# hex jumps are not limited that way
python3 -c "import sys; sys.stdout.buffer.write(b'A' + b'x' * 4000 + b'B' + b'x' * 200 + b'B')" >"$T/lim.bin"
cat >"$T/lim.yar" <<'EOF'
rule re_limit_first { strings: $a = /A.*B/s condition: !a[1] == 4002 }
rule re_limit_last { strings: $a = /A.*B/s condition: !a[1] == 4203 }
rule re_lazy { strings: $a = /A.*?B/s condition: !a[1] == 4002 }
rule hex_long_jump { strings: $a = { 41 [0-6000] 42 } condition: !a[1] == 4002 }
EOF
same_rules "regex scan limit" "$T/lim.yar" "$T/lim.bin"

# console.log prints a string's bytes outside 0x20..0x7e as \xNN, as yara
printf 'import "console"\nrule c { condition: console.log("a\\x01b\\xffc\\"d\\\\e\\n") and console.log("p: ", "x\\x00y") }\n' >"$T/c.yar"
printf 'x' >"$T/c.bin"
y=$(yara "$T/c.yar" "$T/c.bin" 2>/dev/null | grep -v '^c ' | od -An -c | tr -s ' ')
v=$("$VIGIL" scan --no-summary -d "$T/c.yar" "$T/c.bin" 2>&1 >/dev/null | od -An -c | tr -s ' ')
if [ "$y" = "$v" ] && [ -n "$y" ]; then ok "console.log escapes bytes as yara does"
else nok "console.log: yara printed '$y', vigil '$v'"; fi

# A hex string with several jumps on long runs of its own bytes: every
# candidate start has many ways through (the verifier remembers failed
# (node, position) pairs, seq.c); both must say the same
python3 -c "import sys; sys.stdout.buffer.write((b'ABCDEF' + b'A' * 2000) * 100 + b'ABCDEFAAZ')" >"$T/jumps.bin"
cat >"$T/jumps.yar" <<'EOF'
rule jumps_none { strings: $a = { 41 42 43 44 45 46 [0-50] 41 [0-50] 41 [0-50] 41 [0-50] 5A } condition: $a }
rule jumps_last { strings: $a = { 41 42 43 44 45 46 [0-50] 41 [0-50] 5A } condition: #a == 1 and @a[1] == 200600 }
EOF
same_rules "hex jumps over long runs" "$T/jumps.yar" "$T/jumps.bin"

# A global rule that needs no string is decided before the string search;
# false, it makes every rule false and the search is skipped
printf 'global rule small { condition: filesize < 100 }\nrule x { strings: $a = "abc" condition: $a }\nrule y { condition: true }\n' >"$T/g.yar"
printf 'abc' >"$T/g-small"
{ head -c 200 /dev/zero; printf 'abc'; } >"$T/g-large"
for f in g-small g-large; do
  same_rules "global rule without strings, $f" "$T/g.yar" "$T/$f"
done

# --profile names the rules whose conditions and string verification took
# the time: a rule whose string never occurs costs nothing, one verified at
# every 'A' of 1 MB does (names chosen so that a tie would fail)
python3 -c "import sys; sys.stdout.buffer.write(b'A' * 1000000)" >"$T/prof.bin"
printf 'rule a_never { strings: $a = "never-in-this-file" condition: $a }\nrule z_busy { strings: $a = { 41 41 41 41 41 41 41 41 [0-8] 42 } condition: $a }\n' >"$T/prof.yar"
"$VIGIL" scan --no-summary --profile --threads 1 -d "$T/prof.yar" "$T/prof.bin" >/dev/null 2>"$T/prof.err"
order=$(sed -n 's/^ *[0-9.]* ms  \([a-z_]*\) .*/\1/p' "$T/prof.err" | paste -sd' ')
if [ "$order" = "z_busy a_never" ]; then ok "--profile names the busy rule first ($order)"
else nok "--profile: got '$order'"; sed 's/^/# /' "$T/prof.err" | head -5; fi

# A rule whose leading terms read no string (`uint16(0) == 0x5A4D and
# ...`) is decided by them on the first hit of one of its strings: false,
# its hits are not verified. Same rules as yara, whichever way the terms
# fall, and with console.log in front (then nothing is decided early).
printf 'MZ' >"$T/gate-mz.bin"; head -c 3000 "$T/prof.bin" >>"$T/gate-mz.bin"; printf 'B' >>"$T/gate-mz.bin"
head -c 3000 "$T/prof.bin" >"$T/gate-txt.bin"; printf 'B' >>"$T/gate-txt.bin"
cat >"$T/gate.yar" <<'EOF2'
import "console"
rule g_mz { strings: $a = { 41 41 41 41 41 41 41 41 [0-8] 42 } condition: uint16(0) == 0x5A4D and filesize < 1MB and $a }
rule g_not_mz { strings: $a = { 41 41 41 41 41 41 41 41 [0-8] 42 } condition: uint16(0) != 0x5A4D and #a == 1 }
rule g_or { strings: $a = "AAAAB" condition: (uint16(0) == 0x5A4D and $a) or filesize > 2000 }
rule g_ref { condition: g_mz }
rule g_log { strings: $a = "AAAAB" condition: console.log("gate") and uint16(0) == 0x5A4D and $a }
global rule g_global { strings: $a = "AAAAB" condition: filesize > 10 and $a }
EOF2
for f in gate-mz.bin gate-txt.bin; do
  same_rules "gated rules, $f" "$T/gate.yar" "$T/$f"
done
printf 'rule z_gated { strings: $a = { 41 41 41 41 41 41 41 41 [0-8] 42 } condition: uint16(0) == 0x5A4D and $a }
rule y_late { strings: $a = { 41 41 41 41 41 41 41 41 [0-8] 42 } condition: $a and uint16(0) == 0x5A4D }
' >"$T/gate2.yar"
"$VIGIL" scan --no-summary --profile --threads 1 -d "$T/gate2.yar" "$T/prof.bin" >/dev/null 2>"$T/gate2.err"
zs=$(sed -n 's/.*  z_gated  (condition [0-9.]* ms, strings \([0-9.]*\) ms)/\1/p' "$T/gate2.err")
ys=$(sed -n 's/.*  y_late  (condition [0-9.]* ms, strings \([0-9.]*\) ms)/\1/p' "$T/gate2.err")
if [ "$zs" = 0.000 ] && [ -n "$ys" ] && [ "$ys" != 0.000 ]; then
  ok "a rule false by its leading terms has none of its hits verified (strings $zs ms; the same test after \$a: $ys ms)"
else nok "gate: z_gated strings '$zs' ms, y_late '$ys' ms"; sed 's/^/# /' "$T/gate2.err" | head -5; fi

# Strings the condition reads only as `$a at X` (X the same static value
# everywhere) are verified at X only, unless every match is listed
# (--yara-strings); `at` an undefined X (no PE) matches nothing.
PE=/usr/share/clamav-testfiles/clam.exe
if [ -r "$PE" ]; then
  ep=$(python3 - "$PE" <<'EOF2'
import struct, sys
d = open(sys.argv[1], 'rb').read()
pe = struct.unpack_from('<I', d, 0x3c)[0]
nsec = struct.unpack_from('<H', d, pe + 6)[0]
opt = struct.unpack_from('<H', d, pe + 20)[0]
rva = struct.unpack_from('<I', d, pe + 24 + 16)[0]
sec = pe + 24 + opt
for i in range(nsec):
    va, vs, raw_sz, raw = struct.unpack_from('<IIII', d, sec + 40 * i + 8)
    if va <= rva < va + max(vs, raw_sz):
        off = rva - va + (raw & ~0x1ff)  # raw offsets are rounded down to 512
        print(' '.join('%02X' % b for b in d[off:off + 6]))
        break
EOF2
)
  cat >"$T/anchor.yar" <<EOF2
import "pe"
rule a_ep_any { strings: \$a = { $ep } \$b = { 4D 5A 90 00 03 } condition: for any of (\$*) : (\$ at pe.entry_point) }
rule a_ep_b { strings: \$b = { 4D 5A 90 00 03 } condition: \$b at pe.entry_point }
rule a_mz0 { strings: \$m = "MZ" condition: \$m at 0 }
rule a_mz1 { strings: \$m = "MZ" condition: \$m at 1 or \$m at 2 }
rule a_zero { strings: \$z = { 00 00 00 00 } condition: \$z at pe.entry_point + 0x100 or \$z at 0x40 }
rule a_count { strings: \$a = { $ep } condition: \$a at pe.entry_point and #a >= 1 }
EOF2
  same_rules "anchored strings, a PE" "$T/anchor.yar" "$PE"
  same_rules "anchored strings, not a PE" "$T/anchor.yar" "$T/gate-txt.bin"
  # yara too lists only the match at X when X is a constant and every use
  # is an explicit `$z at X`; else every match
  for cond in '$z at 0x3e' '$z at 0x3c + 2' '$z at 0x3e or $z at 0x3e' '$z at 0x3e or $z at 0x30' \
              '$z at 0x3e and #z > 1' 'for any of ($*) : ($ at 0x3e)' '$z at pe.entry_point - 0x3c2 or $z at 0x3e'; do
    printf 'import "pe"\nrule a_all { strings: $z = { 00 00 } condition: %s }\n' "$cond" >"$T/anchor2.yar"
    yc=$(yara -s "$T/anchor2.yar" "$PE" 2>/dev/null | grep -c '^0x')
    vc=$("$VIGIL" scan --no-summary --yara-strings -d "$T/anchor2.yar" "$PE" 2>/dev/null | grep -c ':0x')
    if [ "$yc" = "$vc" ]; then ok "--yara-strings, anchored string '$cond': $vc matches listed, as yara"
    else nok "--yara-strings, '$cond': yara lists $yc matches, vigil $vc"; fi
  done
else
  nok "clamav-testfiles' clam.exe is missing"
fi
echo "1..$n"
