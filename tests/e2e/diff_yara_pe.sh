#!/usr/bin/env bash
# tests/e2e/diff_yara_pe.sh - the YARA pe module on malformed PEs, vigil
# against yara 4.2.3 (differential).
#
# yara/mkbadpe.py damages seed PEs (the synthetic ones of yara/mkpe.py, a
# copy with a rich header, and clamav-testfiles PEs when installed) in one
# targeted way each (header counts, section table, data directories,
# import descriptors and DLL/function names, delay-load descriptors,
# export tables, resource tree, version info, rich header, debug
# directory, certificate table, truncation), from a fixed seed: the same VIGIL_PE_COUNT files (default
# 300) every run. yara/pe_dump.py's rules print every pe value (console.log,
# strings as MD5; an undefined value prints nothing), headed by the file's
# MD5; both tools scan the whole set in one run and each file's values
# must be the same, including which are undefined. The seeds and the
# clamav-testfiles PEs are compared unmodified too (rich_signature,
# pdb_path, version info on real linkers' output). vigil must not fail.
# Then the names of functions imported by ordinal from ws2_32, wsock32,
# oleaut32 and comctl32 (every ordinal of their lists and some past them)
# against yara's.
# A difference that is deliberate goes into EXPECTED below (file name and
# reason); there is none now.
# Prints TAP; needs VIGIL, VIGIL_SRC, yara and python3 (skips without).
set -uo pipefail
VIGIL=${VIGIL:?set VIGIL to the vigil binary}
SRC=${VIGIL_SRC:?set VIGIL_SRC to the source tree}
D=$SRC/tests/e2e/yara
COUNT=${VIGIL_PE_COUNT:-300}
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
if ! command -v yara >/dev/null || ! command -v python3 >/dev/null; then
  echo "ok 1 - # SKIP yara or python3 not installed"; echo "1..1"; exit 0
fi
# file name (in $T/in) -> why vigil's values may differ from yara's there
declare -A EXPECTED=()

T=$(mktemp -d /tmp/vg_diffyarape.XXXXXX)
trap 'rm -rf "$T"' EXIT
python3 "$D/mkpe.py" "$T/seed" >/dev/null
seeds=("$T/seed/pe32.exe" "$T/seed/pe64.dll" "$T/seed/dotnet.exe" "$T/seed/pe_signed.exe")
CT=/usr/share/clamav-testfiles
for f in clam_ISmsi_ext.exe clam.ea05.exe clam-nsis.exe; do
  [ -f "$CT/$f" ] && seeds+=("$CT/$f")
done
mkdir -p "$T/in"
python3 "$D/mkbadpe.py" "$T/in" "$COUNT" "${seeds[@]}"
nbad=$(find "$T/in" -type f | wc -l)
for f in "${seeds[@]}" "$CT"/*.exe; do
  [ -f "$f" ] && cp "$f" "$T/in/real_$(basename "$f")"
done
nreal=$((  $(find "$T/in" -type f | wc -l) - nbad ))
{ echo 'import "pe"'; echo 'import "hash"'; echo 'import "console"'
  echo 'rule v0 { condition: console.log("@@", hash.md5(0, filesize)) }'
  python3 "$D/pe_dump.py" | grep -v '^import '; } |
  sed -E 's/condition: (.*) }$/condition: (\1) and false }/' >"$T/dump.yar"

# one scan each; split the output into one sorted block per file MD5
split_blocks() { # out-dir
  awk -v d="$1" '/^@@/ { f = d "/" substr($0, 3); next } f { print > f }'
  for b in "$1"/*; do sort -o "$b" "$b"; done
}
mkdir -p "$T/y" "$T/v"
# (every rule is false: no verdict lines, and both evaluate every rule)
yara -p 1 "$T/dump.yar" "$T/in" 2>&1 | split_blocks "$T/y"
"$VIGIL" scan --no-summary --threads 1 -d "$T/dump.yar" "$T/in" 2>"$T/verr" >"$T/vout"; rc=$?
split_blocks "$T/v" <"$T/verr"
nok_files=$(grep -c ': OK$' "$T/vout")
if [ $rc -eq 0 ] && [ "$nok_files" -eq $((nbad + nreal)) ]; then
  ok "vigil scanned all $((nbad + nreal)) files, each clean (exit $rc)"
else
  nok "vigil exit $rc, $nok_files of $((nbad + nreal)) files scanned clean"
  grep -v '=\|^@@\|^vi key' "$T/verr" | head -3 | sed 's/^/# /'
fi

same=0; differ=0; expected=0
for f in "$T"/in/*; do
  b=$(basename "$f")
  h=$(md5sum <"$f" | cut -c1-32)
  if [ ! -f "$T/y/$h" ]; then
    nok "$b: no values from yara"; continue
  fi
  if diff "$T/y/$h" "$T/v/$h" >"$T/d" 2>&1; then
    same=$((same + 1))
  elif [ -n "${EXPECTED[$b]:-}" ]; then
    expected=$((expected + 1)); echo "# expected difference: $b: ${EXPECTED[$b]}"
  else
    differ=$((differ + 1))
    nok "$b: pe values differ from yara ($(grep -c '^[<>]' "$T/d") lines; < yara, > vigil)"
    sed 's/^/# /' "$T/d" | head -8
  fi
done
msg="$same of $((nbad + nreal)) files ($nbad malformed, $nreal real) give yara's pe values"
[ "$expected" -gt 0 ] && msg+=", $expected expected differences"
if [ "$differ" -eq 0 ]; then ok "$msg"; else nok "$msg; $differ differ"; fi

# Imports by ordinal: yara names some DLLs' ordinals (exe/ordnames.c holds
# the lists); one file per DLL and ordinal, the name each gives.
mkdir -p "$T/ord"
python3 - "$T/seed/pe32.exe" "$T/ord" <<'PY'
import struct, sys
src, out = sys.argv[1], sys.argv[2]
d = open(src, 'rb').read()
name, thunk = d.find(b'WS2_32.dll\0'), d.find(struct.pack('<I', 0x80000017))
winsock = list(range(131)) + [151, 500, 501]
for dll, ords in ((b'WS2_32.dll', winsock), (b'wsock32.dll', winsock),
                  (b'OLEAUT32.dll', range(451)), (b'COMCTL32.dll', range(20))):
    for o in ords:
        b = bytearray(d)
        b[name:name + 13] = dll.ljust(13, b'\0')
        struct.pack_into('<I', b, thunk, 0x80000000 | o)
        open('%s/%s_%d' % (out, dll.decode(), o), 'wb').write(b)
PY
cat >"$T/ord.yar" <<'YAR'
import "pe"
import "hash"
import "console"
rule v0 { condition: console.log("@@", hash.md5(0, filesize)) and false }
rule v1 { condition: console.log("", pe.import_details[1].functions[2].name) and false }
YAR
yara -p 1 "$T/ord.yar" "$T/ord" 2>&1 | paste - - | sort >"$T/ord.y"
"$VIGIL" scan --no-summary --threads 1 -d "$T/ord.yar" "$T/ord" 2>&1 >/dev/null | paste - - |
  sort >"$T/ord.v"
named=$(grep -vc '	ord[0-9]*$' "$T/ord.y")
nord=$(find "$T/ord" -type f | wc -l)
if [ "$(wc -l <"$T/ord.y")" -eq "$nord" ] && [ "$named" -gt 500 ] && cmp -s "$T/ord.y" "$T/ord.v"; then
  ok "imports by ordinal: $nord names (ws2_32, wsock32, oleaut32, comctl32; $named named) as yara's"
else
  nok "imports by ordinal: names differ from yara's ($named named by yara)"
  diff "$T/ord.y" "$T/ord.v" | head -6 | sed 's/^/# /'
fi
echo "1..$n"
