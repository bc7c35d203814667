#!/usr/bin/env bash
# tests/yara_rulesets.sh - every public YARA rule file compiled by yara
# 4.2.3 and by vigil; per rule set: files, how many each accepts, and each
# disagreement (with both messages). `make check-yara-rules` runs it on all
# of ../shared/data/yara-rules (2,663 files, a few minutes on 2 cores);
# VIGIL_YARA_STEP=N takes every Nth file. Exit 1 on any disagreement.
# (Outside tests/e2e/ so that `make check` does not run it; diff_yara.sh
# compiles every 8th file there.)
# Needs VIGIL, yara. Prints TAP.
set -uo pipefail
VIGIL=${VIGIL:?set VIGIL to the vigil binary}
SRC=${VIGIL_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
RS=${VIGIL_YARA_RULES:-$SRC/../shared/data/yara-rules}
STEP=${VIGIL_YARA_STEP:-1}
JOBS=${VIGIL_JOBS:-2}
command -v yara >/dev/null || { echo "ok 1 - # SKIP yara not installed"; echo "1..1"; exit 0; }
[ -d "$RS" ] || { echo "ok 1 - # SKIP $RS not present"; echo "1..1"; exit 0; }
T=$(mktemp -d /tmp/vg_yrs.XXXXXX)
trap 'rm -rf "$T"' EXIT
printf 'x' >"$T/input"
one() { # file -> "set<TAB>y<TAB>v<TAB>file<TAB>msg"
  f=$1
  ym=$(yara -w "$f" "$T/input" 2>&1 >/dev/null | head -1); yara -w "$f" "$T/input" >/dev/null 2>&1 && y=1 || y=0
  vm=$("$VIGIL" scan --no-summary -d "$f" "$T/input" 2>&1 >/dev/null | head -1)
  "$VIGIL" scan --no-summary -d "$f" "$T/input" >/dev/null 2>&1; [ $? -le 1 ] && v=1 || v=0
  set=${f#"$RS"/}; set=${set%%/*}
  printf '%s\t%s\t%s\t%s\t%s | %s\n' "$set" "$y" "$v" "$f" "${ym:0:160}" "${vm:0:160}"
}
export -f one; export VIGIL T RS
find "$RS" -type f \( -name '*.yar' -o -name '*.yara' \) | sort | awk -v s="$STEP" '(NR - 1) % s == 0' |
  xargs -d '\n' -P "$JOBS" -n 1 bash -c 'one "$0"' >"$T/res"
n=0 bad=0
for set in $(cut -f1 "$T/res" | sort -u); do
  awk -F'\t' -v s="$set" '$1 == s' "$T/res" >"$T/set"
  files=$(wc -l <"$T/set"); y=$(awk -F'\t' '$2 == 1' "$T/set" | wc -l); v=$(awk -F'\t' '$3 == 1' "$T/set" | wc -l)
  dis=$(awk -F'\t' '$2 != $3' "$T/set" | wc -l)
  n=$((n + 1))
  if [ "$dis" -eq 0 ]; then echo "ok $n - $set: $files files, yara accepts $y, vigil accepts $v, same verdict on all"
  else
    bad=$((bad + 1)); echo "not ok $n - $set: $files files, yara accepts $y, vigil accepts $v, $dis disagree"
    awk -F'\t' '$2 != $3 {printf "#   %s yara=%s vigil=%s: %s\n", $4, $2 ? "ok" : "refused", $3 ? "ok" : "refused", $5}' "$T/set" | head -${VIGIL_SHOW:-15}
  fi
done
tot=$(wc -l <"$T/res"); ty=$(awk -F'\t' '$2 == 1' "$T/res" | wc -l); tv=$(awk -F'\t' '$3 == 1' "$T/res" | wc -l)
td=$(awk -F'\t' '$2 != $3' "$T/res" | wc -l)
echo "# total: $tot files, yara accepts $ty, vigil accepts $tv, $td disagree"
if [ -n "${VIGIL_YARA_CAUSES:-}" ]; then
  echo "# vigil's refusals where yara accepts, by message:"
  awk -F'\t' '$2 == 1 && $3 == 0 {print $5}' "$T/res" | sed -E 's/^.*\| //; s/^[^:]*:[0-9]+: //; s/"[^"]*"/"X"/g' | sort | uniq -c | sort -rn | head -20 | sed 's/^/#   /'
fi
echo "1..$n"
[ "$bad" -eq 0 ]
