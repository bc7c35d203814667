#!/usr/bin/env bash
# scripts/reproduce.sh (`make reproduce`): a real run on HEAD (two clean
# builds under different conditions must be byte-identical), then its
# comparison on copies of this build's files with one thing changed at a
# time, to show that each kind of difference is caught and located. TAP.
# Skipped under ASan (VIGIL_ASAN=1): the builds it checks are the plain ones.
set -uo pipefail
cd "${VIGIL_SRC:-$(dirname "$0")/../..}" || exit 2
B=${VIGIL_BUILD:-build}
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() { if [ "$1" = 0 ]; then ok "$2"; else notok "$2"; fi; }
show() { printf '%s\n' "$1" | sed 's/^/#   /'; }

if [ "${VIGIL_ASAN:-0}" = 1 ]; then
  echo "ok 1 - reproduce # SKIP runs once, in the plain suite"
  exit 0
fi

# 1. Two clean builds of HEAD.
out=$(bash scripts/reproduce.sh 2>&1)
rc=$?
if [ $rc -eq 0 ]; then ok "reproduce.sh: two clean builds of HEAD are identical"; else
  notok "reproduce.sh: two clean builds of HEAD are identical (exit $rc)"; show "$out"; fi
for name in vigil libvigil.a libvigil.so.0.1.0 libvigil.so libvigil.so.0; do
  line=$(grep -E "^[0-9a-f]{64}  $name( -> [^ ]+)?  " <<<"$out")
  if [[ $line == *"  identical" ]]; then ok "$name identical: ${line%% *}"; else
    notok "$name identical"; show "${line:-(no line for $name)}"; fi
done
line=$(grep -E '^[0-9a-f]{64}  vigild  ' <<<"$out")
if [ -z "$line" ]; then ok "vigild: not built at this commit"
elif [[ $line == *"  identical" ]]; then ok "vigild identical: ${line%% *}"
else notok "vigild identical"; show "$line"; fi
[[ $out == *"reproduce: SOURCE_DATE_EPOCH=$(git log -1 --format=%ct HEAD) "* ]]
check $? "SOURCE_DATE_EPOCH is the commit's time"
[[ $out == *"user nobody"* || $(id -u) != 0 ]]
check $? "the second build runs as nobody when we are root"

# 2. The comparison, on copies of this build's files.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
export REPRODUCE_NO_DIFFOSCOPE=1
fresh() {
  rm -rf "$t/1" "$t/2" && mkdir -p "$t/1" "$t/2"
  cp -P "$B/vigil" "$B/libvigil.a" "$B"/libvigil.so* "$t/1/" && cp -P "$t/1/"* "$t/2/"
}
cmp_out() { out=$(bash scripts/reproduce.sh --compare "$t/1" "$t/2" 2>&1); rc=$?; }
expect() { # rc text what
  if [ "$rc" = "$1" ] && [[ $out == *"$2"* ]]; then ok "$3"; else
    notok "$3 (exit $rc, wanted $1 and '$2')"; show "$out"; fi
}
# Flip one byte of FILE at OFFSET.
flip() {
  local b
  b=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
  printf '%b' "\\0$(printf %03o $(((b ^ 0x55) & 0xff)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
section_offset() { # file section: file offset of the section's bytes
  readelf -S -W "$1" | sed -n "s/^ *\[ *[0-9]*\] $2 *[A-Z_]* *[0-9a-f]* \([0-9a-f]*\) .*/\1/p" | head -n 1
}

fresh; cmp_out
expect 0 "reproduce: 5 of 5 identical" "--compare: equal folders are identical"

fresh
off=$(section_offset "$t/2/vigil" .rodata)
flip "$t/2/vigil" $((16#${off:-0} + 8)); cmp_out
expect 1 "first difference: section .rodata" "--compare: a changed byte in vigil's .rodata is found, in .rodata"
[[ $out == *"vigil  DIFFERS from build 2: $(sha256sum "$t/2/vigil" | cut -d' ' -f1)"* &&
   $out == *"libvigil.a  identical"* && $out == *"1 of 5 differ"* ]]
check $? "--compare: only vigil is reported, with both hashes"

fresh
mkdir "$t/x" && (cd "$t/x" && ar x "$t/1/libvigil.a")
member=$(ar t "$t/1/libvigil.a" | sed -n 2p)
off=$(section_offset "$t/x/$member" .text)
flip "$t/x/$member" $((16#${off:-0} + 4))
mapfile -t members < <(ar t "$t/1/libvigil.a")
(cd "$t/x" && rm -f "$t/2/libvigil.a" && ar qcD "$t/2/libvigil.a" "${members[@]}") && rm -rf "$t/x"
cmp_out
expect 1 "first difference: in archive member $member" "--compare: a changed object in libvigil.a is named"
[[ $out == *"section .text"* ]]
check $? "--compare: ... and the section in it (.text)"

fresh; rm "$t/2/libvigil.a"; cmp_out
expect 1 "libvigil.a  DIFFERS: only build 1 has it" "--compare: a file missing from one build is a difference"

fresh; ln -sfn libvigil.so.0.1.0 "$t/2/libvigil.so"; cmp_out
expect 1 "DIFFERS: build 1 links to libvigil.so.0, build 2 to libvigil.so.0.1.0" "--compare: a symlink to another target is a difference"

fresh; printf 'extra' >>"$t/2/libvigil.so.0.1.0"; cmp_out
expect 1 "libvigil.so.0.1.0  DIFFERS" "--compare: bytes appended to libvigil.so are a difference"

rm -rf "$t/1" "$t/2" && mkdir -p "$t/1" "$t/2"; cmp_out
expect 2 "no artifacts" "--compare: two empty folders are an error, not a pass"

echo "1..$n"
[ "$fails" -eq 0 ]
