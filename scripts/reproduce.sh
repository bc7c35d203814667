#!/usr/bin/env bash
# Check that vigil's build is reproducible: build one commit twice from
# clean trees, under different conditions, and compare the results byte for
# byte. `make reproduce` runs this on HEAD; VERIFY.md explains it to users.
#
#   scripts/reproduce.sh [REV]               build REV (default HEAD) twice
#   scripts/reproduce.sh --compare DIR1 DIR2 only compare two build folders
#
# The two builds differ in everything a build must not depend on:
#   sources     a `git clone` of the commit, then a `git archive` of it
#   folder      two temp folders whose paths differ in length
#   user        you, then `nobody` (when run as root and setpriv/runuser
#               work); the owner of the built files is checked
#   umask       0002, then 0077
#   locale      LC_ALL=C, then fr_FR.UTF-8 (compiled with localedef into the
#               build's folder; C.UTF-8 if Debian's locales data is missing)
#   time zone   TZ=UTC, then Pacific/Auckland
#   time        the second starts after the first has finished, and its
#               clock runs 400 days ahead (faketime, if installed)
#   SOURCE_DATE_EPOCH  not set for the first (CMakeLists.txt must find the
#               commit's time itself, as in a plain `make build`), set to
#               the commit's time for the second; the value each build's
#               CMake used is read back from its CMakeCache.txt and must be
#               the commit's time
#   make -j     2, then 3 (other completion orders)
# Both contain only the committed tree (any uncommitted change in the work
# tree is not part of the check) and run `make build` with an otherwise
# empty environment (PATH kept), as a user would.
#
# Compared: whichever of vigil, vigild, libvigil.so*, libvigil.a exist in
# either build. Each gets a line "SHA256  NAME  identical", or
# "SHA256  NAME  DIFFERS ..." followed by the first difference (the first 60
# lines of diffoscope's report if diffoscope is installed, at most 120 s of
# it; else cmp's first differing byte, with the ELF section or archive
# member that holds it; then a few strings found in only one of the two,
# where a leaked path or date shows). Exit status: 0 all
# identical (and both builds used the commit's time), 1 something differs,
# 2 a build failed or bad usage.
# Knobs: REPRODUCE_JOBS (default 2), REPRODUCE_KEEP=1 keeps the build trees,
# REPRODUCE_NO_DIFFOSCOPE=1 uses the cmp report even if diffoscope is there.
set -euo pipefail

ARTIFACTS=(vigil vigild libvigil.a 'libvigil.so*')

say() { printf 'reproduce: %s\n' "$*"; }
die() { say "$*" >&2; exit 2; }

sha() { sha256sum "$1" | cut -d' ' -f1; }

magic() { head -c "$2" "$1" | od -An -tx1 | tr -d ' \n'; } # file nbytes
is_elf() { [ "$(magic "$1" 4)" = 7f454c46 ]; }
is_ar() { [ "$(magic "$1" 8)" = 213c617263683e0a ]; }

# "NAME OFFSET SIZE" of each section of ELF file F that has bytes in the file.
sections() {
  local name type off size
  readelf -S -W "$1" 2>/dev/null | sed -n 's/^ *\[ *[0-9]*\] //p' |
    while read -r name type _ off size _; do
      [[ $name == .* && $type != NOBITS && $off =~ ^[0-9a-f]+$ ]] || continue
      echo "$name $((16#$off)) $((16#$size))"
    done
}

# Print COUNT bytes of F from OFFSET, as hex and as text.
show_bytes() { # label f offset count
  printf '    %s: %s |%s|\n' "$1" "$(od -An -v -tx1 -j "$3" -N "$4" "$2" | tr -s ' \n' ' ')" \
    "$(tail -c +"$(($3 + 1))" "$2" | head -c "$4" | tr -c '[:print:]' '.')"
}

# Print a few of the text strings that are in only one of A and B: a path
# or a date that got into a build shows up here.
different_strings() { # a b
  command -v strings >/dev/null 2>&1 || return 0
  local side col s
  for side in 1 2; do
    col=-23; [ "$side" = 2 ] && col=-13
    comm "$col" <(strings -a -n 6 "$1" | LC_ALL=C sort -u) <(strings -a -n 6 "$2" | LC_ALL=C sort -u) |
      head -n 3 | while IFS= read -r s; do printf '    text only in build %s: %s\n' "$side" "$s"; done
  done
}

# Print where files A and B (which differ) first differ: the archive member,
# the ELF section and the byte, with the bytes around it in both.
first_difference() { # a b
  local a=$1 b=$2
  if [ "${REPRODUCE_NO_DIFFOSCOPE:-0}" != 1 ] && command -v diffoscope >/dev/null 2>&1; then
    echo "  diffoscope (first 60 lines):"
    local st=0
    timeout 120 diffoscope --no-progress --text - "$a" "$b" 2>&1 | head -n 60 | sed 's/^/    /' ||
      st=${PIPESTATUS[0]}
    [ "$st" != 124 ] || echo "    (diffoscope stopped after 120 s)"
    # What diffoscope shows first is often a consequence (moved symbols,
    # other offsets); a path or date that got in shows up here.
    different_strings "$a" "$b"
    return
  fi
  if is_ar "$a" && is_ar "$b"; then
    local xa xb m
    xa=$(mktemp -d) xb=$(mktemp -d)
    (cd "$xa" && ar x "$a" && cd "$xb" && ar x "$b") || true
    for m in $(ar t "$a") $(ar t "$b"); do
      if ! cmp -s "$xa/$m" "$xb/$m"; then
        echo "  first difference: in archive member $m"
        if [ -f "$xa/$m" ] && [ -f "$xb/$m" ]; then first_difference "$xa/$m" "$xb/$m"; fi
        rm -rf "$xa" "$xb"
        return
      fi
    done
    rm -rf "$xa" "$xb"
    echo "  first difference: in the archive's member headers or symbol table"
  fi
  if is_elf "$a" && is_elf "$b"; then
    local name oa sa ob sb
    while read -r name oa sa; do
      read -r ob sb < <(sections "$b" | awk -v n="$name" '$1 == n { print $2, $3; exit }')
      if [ -z "${ob:-}" ]; then
        echo "  first difference: section $name is only in build 1"
        return
      fi
      if ! cmp -s <(tail -c +$((oa + 1)) "$a" | head -c "$sa") <(tail -c +$((ob + 1)) "$b" | head -c "$sb"); then
        local byte
        byte=$(cmp <(tail -c +$((oa + 1)) "$a" | head -c "$sa") <(tail -c +$((ob + 1)) "$b" | head -c "$sb") 2>&1 |
          sed -n 's/.* differ: \(char\|byte\) \([0-9]*\),.*/\2/p' || true)
        byte=${byte:-$((sa < sb ? sa + 1 : sb + 1))}
        echo "  first difference: section $name ($sa vs $sb bytes), at its byte $byte"
        local from=$((byte - 1 >= 16 ? byte - 17 : 0))
        show_bytes "build 1" "$a" $((oa + from)) 48
        show_bytes "build 2" "$b" $((ob + from)) 48
        different_strings "$a" "$b"
        return
      fi
      ob=""
    done < <(sections "$a")
    echo "  first difference: in the ELF headers (all sections are equal)"
  fi
  local byte
  byte=$(cmp "$a" "$b" 2>&1 | sed -n 's/.* differ: \(char\|byte\) \([0-9]*\),.*/\2/p' || true)
  if [ -z "$byte" ]; then # one is a prefix of the other
    echo "  $(cmp "$a" "$b" 2>&1 | head -n 1); sizes $(stat -c %s "$a") vs $(stat -c %s "$b") bytes"
    return
  fi
  echo "  first difference: byte $byte"
  local from=$((byte - 1 >= 16 ? byte - 17 : 0))
  show_bytes "build 1" "$a" "$from" 48
  show_bytes "build 2" "$b" "$from" 48
}

# Compare the artifacts of two build folders; print one line each.
compare() { # dir1 dir2
  local d1=$1 d2=$2 names=() n pat f bad=0 total=0
  for pat in "${ARTIFACTS[@]}"; do
    for f in "$d1"/$pat "$d2"/$pat; do
      [ -e "$f" ] || [ -L "$f" ] || continue
      names+=("$(basename "$f")")
    done
  done
  if [ ${#names[@]} -eq 0 ]; then
    say "no artifacts (${ARTIFACTS[*]}) in $d1 or $d2"
    return 2
  fi
  mapfile -t names < <(printf '%s\n' "${names[@]}" | LC_ALL=C sort -u)
  for n in "${names[@]}"; do
    local a=$d1/$n b=$d2/$n
    total=$((total + 1))
    if ! { [ -e "$a" ] || [ -L "$a" ]; } || ! { [ -e "$b" ] || [ -L "$b" ]; }; then
      local have=1 f1=$a; { [ -e "$a" ] || [ -L "$a" ]; } || have=2 f1=$b
      printf '%s  %s  DIFFERS: only build %s has it\n' "$(sha "$f1" 2>/dev/null || echo -)" "$n" "$have"
      bad=$((bad + 1))
      continue
    fi
    if [ -L "$a" ] || [ -L "$b" ]; then
      local ta tb
      ta=$(readlink "$a" || echo '(not a link)') tb=$(readlink "$b" || echo '(not a link)')
      if [ "$ta" = "$tb" ]; then
        printf '%s  %s -> %s  identical\n' "$(sha "$a")" "$n" "$ta"
      else
        printf '%s  %s  DIFFERS: build 1 links to %s, build 2 to %s\n' "$(sha "$a")" "$n" "$ta" "$tb"
        bad=$((bad + 1))
      fi
      continue
    fi
    local sa sb
    sa=$(sha "$a") sb=$(sha "$b")
    if [ "$sa" = "$sb" ]; then
      printf '%s  %s  identical\n' "$sa" "$n"
    else
      printf '%s  %s  DIFFERS from build 2: %s\n' "$sa" "$n" "$sb"
      first_difference "$a" "$b"
      bad=$((bad + 1))
    fi
  done
  if [ "$bad" -eq 0 ]; then
    say "$total of $total identical"
  else
    say "$bad of $total differ"
    command -v diffoscope >/dev/null 2>&1 ||
      say "for a full report of each difference: apt-get install diffoscope, then run again"
    return 1
  fi
}

if [ "${1:-}" = --compare ]; then
  [ $# -eq 3 ] || die "usage: $0 --compare DIR1 DIR2"
  if [ ! -d "$2" ] || [ ! -d "$3" ]; then die "--compare needs two folders"; fi
  compare "$(cd "$2" && pwd)" "$(cd "$3" && pwd)"
  exit $?
fi
case "${1:-}" in -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
[ $# -le 1 ] || die "usage: $0 [REV] | --compare DIR1 DIR2"

REPO=$(cd "$(dirname "$0")/.." && pwd)
REV=${1:-HEAD}
JOBS=${REPRODUCE_JOBS:-2}
commit=$(git -C "$REPO" rev-parse --verify "$REV^{commit}" 2>/dev/null) || die "not a commit: $REV"
SOURCE_DATE_EPOCH=$(git -C "$REPO" log -1 --format=%ct "$commit")
say "commit $commit ($(git -C "$REPO" log -1 --format=%s "$commit" | cut -c1-60))"
say "the commit's time: SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH ($(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ))"
if [ "$REV" = HEAD ] && [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  say "note: the work tree has uncommitted changes; they are not part of this check"
fi

# The second build's user: nobody, if we are root and can become it.
as2=() user2=$(id -un)
if [ "$(id -u)" = 0 ] && uid=$(id -u nobody 2>/dev/null) && gid=$(id -g nobody 2>/dev/null); then
  if command -v setpriv >/dev/null && setpriv --reuid="$uid" --regid="$gid" --clear-groups true 2>/dev/null; then
    as2=(setpriv --reuid="$uid" --regid="$gid" --clear-groups) user2=nobody
  elif command -v runuser >/dev/null && runuser -u nobody -- true 2>/dev/null; then
    as2=(runuser -u nobody --) user2=nobody
  fi
fi

tmp=${TMPDIR:-/tmp}
T1=$(mktemp -d "$tmp/vigil-repro1.XXXXXX")
T2=$(mktemp -d "$tmp/vigil-reproduce-second-build.XXXXXXXXXX")
cleanup() {
  if [ "${REPRODUCE_KEEP:-0}" = 1 ]; then say "kept $T1 and $T2"; else rm -rf "$T1" "$T2"; fi
}
trap cleanup EXIT
S1=$T1/src
S2=$T2/a/longer/path/to/the/vigil-sources
if [ "$user2" != "$(id -un)" ]; then
  if ! chown "$uid:$gid" "$T2" || ! "${as2[@]}" test -w "$T2"; then
    say "note: $user2 cannot write to $T2 (set TMPDIR?); the second build runs as $(id -un)"
    as2=() user2=$(id -un)
  fi
fi

# The second build's locale: French, compiled into its own folder (LOCPATH)
# so that nothing is installed on the system; C.UTF-8 if that can't be done.
locale2=C.UTF-8 locpath2=
if [ -f /usr/share/i18n/locales/fr_FR ] && command -v localedef >/dev/null &&
   mkdir -p "$T2/locale" && localedef -i fr_FR -f UTF-8 "$T2/locale/fr_FR.UTF-8" >/dev/null 2>&1 &&
   [ "$(LOCPATH=$T2/locale LC_ALL=fr_FR.UTF-8 locale decimal_point 2>/dev/null)" = , ]; then
  locale2=fr_FR.UTF-8 locpath2=$T2/locale
fi
# Its clock: 400 days ahead, file times included (libfaketime).
clock2=() clockname2="real clock"
if command -v faketime >/dev/null && faketime -f +400d true 2>/dev/null; then
  clock2=(faketime -f +400d) clockname2="clock 400 days ahead"
fi

bad=0
build() { # n top src how(clone|archive) sde umask locale locpath tz clockname jobs [clock...] -- [runner...]
  local n=$1 top=$2 src=$3 how=$4 sde=$5 um=$6 loc=$7 locpath=$8 tz=$9 clockname=${10} jobs=${11}
  shift 11
  local clock=()
  while [ "$1" != -- ]; do clock+=("$1"); shift; done
  shift
  local who
  who=$(id -un)
  if [ $# -gt 0 ]; then who=$user2; fi
  say "build $n in $src"
  local sdetext="SOURCE_DATE_EPOCH not set" now
  if [ -n "$sde" ]; then sdetext="SOURCE_DATE_EPOCH=$sde"; fi
  # The date as the build's processes see it (faketime's clock, if used).
  now=$("$@" env -i "${clock[@]}" date -u +%Y-%m-%d)
  say "  from git $how, as $who (uid $(id -u "$who")), umask $um, LC_ALL=$loc, TZ=$tz, $clockname ($now), make -j$jobs, $sdetext"
  local t0=$SECONDS start
  start=$(date -u +%H:%M:%SZ)
  local envs=(env -i PATH="$PATH" HOME="$top/home" TMPDIR="$top")
  # shellcheck disable=SC2016
  if [ "$how" = clone ]; then
    "$@" "${envs[@]}" bash -c 'umask "$1" && mkdir -p "$3/home" &&
      git clone -q --shared --no-checkout "$4" "$2" && git -C "$2" checkout -q --detach "$5"' \
      _ "$um" "$src" "$top" "$REPO" "$commit" || die "build $n: could not clone $commit"
  else
    git -C "$REPO" archive --format=tar "$commit" |
      "$@" "${envs[@]}" bash -c 'umask "$1" && mkdir -p "$2" "$3/home" &&
        tar -x --no-same-owner --no-same-permissions -C "$2"' _ "$um" "$src" "$top" ||
      die "build $n: could not unpack $commit"
  fi
  envs+=(LANG="$loc" LC_ALL="$loc" TZ="$tz")
  if [ -n "$locpath" ]; then envs+=(LOCPATH="$locpath"); fi
  if [ -n "$sde" ]; then envs+=(SOURCE_DATE_EPOCH="$sde"); fi
  # shellcheck disable=SC2016
  if ! "$@" "${envs[@]}" "${clock[@]}" bash -c 'umask "$1" && cd "$2" && make build JOBS="$3"' \
      _ "$um" "$src" "$jobs" >"$top/build.log" 2>&1; then
    tail -n 40 "$top/build.log" | sed 's/^/  | /' >&2
    die "build $n failed (log above)"
  fi
  local owner used
  owner=$(stat -c %U "$src/build/vigil" 2>/dev/null || echo '?')
  [ "$owner" = "$who" ] || die "build $n: build/vigil is owned by $owner, not $who: the build did not run as $who"
  used=$(sed -n 's/^VIGIL_SOURCE_DATE_EPOCH_USED:INTERNAL=//p' "$src/build/CMakeCache.txt")
  if [ "$used" = "$SOURCE_DATE_EPOCH" ]; then
    used="$used, the commit's time"
  else
    used="${used:-(none)}, NOT the commit's time"
    bad=1
  fi
  say "  done in $((SECONDS - t0)) s (started $start); files owned by $owner; CMake used SOURCE_DATE_EPOCH=$used"
}

build 1 "$T1" "$S1" clone "" 0002 C "" UTC "real clock" "$JOBS" --
sleep 1
build 2 "$T2" "$S2" archive "$SOURCE_DATE_EPOCH" 0077 "$locale2" "$locpath2" Pacific/Auckland \
  "$clockname2" "$((JOBS + 1))" "${clock2[@]}" -- "${as2[@]}"
rc=0
compare "$S1/build" "$S2/build" || rc=$?
if [ "$rc" = 0 ] && [ "$bad" = 1 ]; then
  say "a build's CMake did not use the commit's time as SOURCE_DATE_EPOCH"
  rc=1
fi
exit "$rc"
