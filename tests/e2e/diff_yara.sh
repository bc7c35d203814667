#!/usr/bin/env bash
# tests/e2e/diff_yara.sh - YARA rules, vigil against yara 4.2.3
# (differential).
#
#  1. match: yara/features.yar (one rule per language feature vigil
#     implements) on every input of yara/inputs.py: per file, the set of
#     matching rules and every string match (`yara -s` lines, rule:offset:
#     id: data) must be equal to vigil's (--all-match --yara-strings).
#  1b. modules: yara/modules.yar (pe, elf, dotnet: fields, arrays,
#     dictionaries, for-in over them, functions, undefined values) on
#     synthetic PEs (yara/mkpe.py), the clamav-testfiles PEs and two ELF
#     binaries: same matching rules; and every module value printed by
#     yara/module_dump.py's rules (console.log) is the same.
#  2. compile: each yara/compile/*.yar compiles with vigil iff it compiles
#     with yara (ok_* must compile, bad_* must not; a refusal by vigil is
#     exit 2 with "file:line: message").
#  3. rule sets: every .yar/.yara under ../shared/data/yara-rules (or
#     VIGIL_YARA_RULES) is compiled by both; vigil must accept exactly
#     what yara accepts (tests/yara_rulesets.sh has the per-set view). Every
#     VIGIL_YARA_STEP-th file (default 8, to keep `make check` short;
#     1 = all 2,684, about 5 minutes under ASan).
# Prints TAP; needs VIGIL, VIGIL_SRC, yara and python3 (skips without).
set -uo pipefail
VIGIL=${VIGIL:?set VIGIL to the vigil binary}
SRC=${VIGIL_SRC:?set VIGIL_SRC to the source tree}
D=$SRC/tests/e2e/yara
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
if ! command -v yara >/dev/null || ! command -v python3 >/dev/null; then
  echo "ok 1 - # SKIP yara or python3 not installed"; echo "1..1"; exit 0
fi
T=$(mktemp -d /tmp/vg_diffyara.XXXXXX)
trap 'rm -rf "$T"' EXIT
python3 "$D/inputs.py" "$T/in"
DEFS_Y=(-d ext_n=42 -d ext_s=abc -d ext_b=true)
DEFS_V=(-D ext_n=42 -D ext_s=abc -D ext_b=true)

# 1. matching rules and string offsets
nrules=$(grep -c '^\(private \)\?rule ' "$D/features.yar")
for f in "$T"/in/*; do
  b=$(basename "$f")
  yara -s "${DEFS_Y[@]}" "$D/features.yar" "$f" 2>/dev/null |
    awk '/^0x/ {print rule ":" $0; next} {rule = $1; print "RULE " $1}' | sort >"$T/y.$b"
  "$VIGIL" scan --no-summary --all-match --yara-strings "${DEFS_V[@]}" -d "$D/features.yar" "$f" \
    2>"$T/err.$b" | sed -E 's/^.*: ([A-Za-z0-9_]+) FOUND$/RULE \1/' | grep -v ': OK$' |
    sort >"$T/v.$b"
  hits=$(grep -c '^RULE ' "$T/y.$b")
  if diff "$T/y.$b" "$T/v.$b" >"$T/d.$b"; then
    ok "match: $b: same $hits of $nrules rules and $(grep -vc '^RULE ' "$T/y.$b") string matches as yara"
  else
    nok "match: $b differs from yara"; sed 's/^/# /' "$T/d.$b" | head -20; head -3 "$T/err.$b" | sed 's/^/# /'
  fi
done
# rules that hold on no input are still compared (both must say false)
cat "$T"/y.* | grep '^RULE ' | sort -u >"$T/covered"
miss=$(grep -o '^\(private \)\?rule [A-Za-z0-9_]*' "$D/features.yar" | awk '{print $NF}' |
       while read -r r; do grep -qx "RULE $r" "$T/covered" || echo "$r"; done)
echo "# rules false on every input (agreement on false only): $(echo $miss)"

# 1b. modules: matching rules, then every value the modules give
python3 "$D/mkpe.py" "$T/mod"
for f in /usr/share/clamav-testfiles/clam.exe /usr/share/clamav-testfiles/clam_ISmsi_ext.exe \
         /usr/share/clamav-testfiles/clam.ea05.exe /usr/share/clamav-testfiles/clam-upack.exe \
         /usr/share/clamav-testfiles/clam-mew.exe /bin/ls "$(command -v yara)"; do
  [ -f "$f" ] && cp "$f" "$T/mod/$(basename "$f")"
done
python3 "$D/module_dump.py" >"$T/dump.yar"
nmod=$(grep -c '^rule ' "$D/modules.yar")
for f in "$T"/mod/*; do
  b=$(basename "$f")
  yara -w "$D/modules.yar" "$f" 2>&1 | awk '{print $1}' | sort >"$T/my.$b"
  "$VIGIL" scan --no-summary --all-match -d "$D/modules.yar" "$f" 2>&1 |
    sed -E 's/^.*: ([A-Za-z0-9_]+) FOUND$/\1/' | grep -v ': OK$' | sort >"$T/mv.$b"
  if diff "$T/my.$b" "$T/mv.$b" >"$T/md.$b"; then
    ok "modules: $b: same $(wc -l <"$T/my.$b") of $nmod module rules as yara"
  else
    nok "modules: $b: matching module rules differ from yara"; sed 's/^/# /' "$T/md.$b" | head -10
  fi
  yara "$T/dump.yar" "$f" 2>&1 | grep -v '^v[0-9]* ' | sort >"$T/dy.$b"
  "$VIGIL" scan --no-summary --all-match -d "$T/dump.yar" "$f" 2>&1 >/dev/null | sort >"$T/dv.$b"
  if diff "$T/dy.$b" "$T/dv.$b" >"$T/dd.$b"; then
    ok "module values: $b: the same $(wc -l <"$T/dy.$b") values as yara"
  else
    nok "module values: $b: differ from yara"; sed 's/^/# /' "$T/dd.$b" | head -10
  fi
done

# 2. compiles iff yara compiles
for f in "$D"/compile/*.yar; do
  b=$(basename "$f" .yar)
  yara "$f" "$T/in/small1" >/dev/null 2>&1; y=$?
  out=$("$VIGIL" scan --no-summary -d "$f" "$T/in/small1" 2>&1); v=$?
  yc=$([ $y = 0 ] && echo ok || echo bad)
  vc=$([ $v -le 1 ] && echo ok || echo bad)
  if [ "$yc" != "$vc" ] || [ "${b%%_*}" != "$yc" ]; then
    nok "compile: $b: yara $yc, vigil $vc"; echo "$out" | head -2 | sed 's/^/# /'
  elif [ "$vc" = bad ] && ! grep -q "^$f:[0-9]*: " <<<"$out"; then
    nok "compile: $b refused without file:line: message"; echo "$out" | head -2 | sed 's/^/# /'
  else
    ok "compile: $b: $yc with both"
  fi
done

# 3. public rule sets
RS=${VIGIL_YARA_RULES:-$SRC/../shared/data/yara-rules}
if [ -d "$RS" ]; then
  ty=0; tv=0; total=0; both=0; vonly=0; k=0; step=${VIGIL_YARA_STEP:-8}
  while IFS= read -r -d '' f; do
    k=$((k + 1)); [ $(( (k - 1) % step )) -eq 0 ] || continue
    total=$((total + 1))
    yara -w "$f" "$T/in/small1" >/dev/null 2>&1 && y=1 || y=0
    "$VIGIL" scan --no-summary -d "$f" "$T/in/small1" >/dev/null 2>&1; rc=$?
    [ $rc -le 1 ] && v=1 || v=0
    ty=$((ty + y)); tv=$((tv + v))
    [ $y = 1 ] && [ $v = 1 ] && both=$((both + 1))
    [ $y = 0 ] && [ $v = 1 ] && { vonly=$((vonly + 1)); echo "# vigil accepts, yara refuses: $f"; }
  done < <(find "$RS" -type f \( -name '*.yar' -o -name '*.yara' \) -print0 | sort -z)
  msg="rule sets: $total files (every ${step}th), yara compiles $ty, vigil compiles $tv ($both of yara's)"
  if [ "$vonly" -gt 0 ]; then nok "$msg; vigil accepts $vonly that yara refuses"
  elif [ "$both" -lt "$ty" ]; then nok "$msg; vigil refuses $((ty - both)) that yara compiles"
  else ok "$msg"; fi
else
  ok "rule sets # SKIP $RS not present"
fi
echo "1..$n"
