#!/usr/bin/env bash
# bench/one-pass.sh - what the shared pass saves: the YARA strings are in
# the ClamAV body signatures' Vectorscan database, so a file is read once
# for both. Runs vigil on the same corpus with the generated body
# signatures alone (.ndb), the generated YARA rules alone (.yar) and both
# loaded together, one thread, and prints the times and
#   shared = both / (ndb alone + yar alone)
# (below 1: loading both costs less than two scans; the process start and
# the walk over the corpus are counted once in `both` and twice in the
# sum). Not part of `make check`.
#
# Needs the corpus and generated sets that bench/vs-yara.sh or
# bench/vs-clamscan.sh leave in CACHE_DIR (run one of them first).
# Environment [defaults]: VIGIL [build/vigil]  SETS [mid,large]
#   CACHE_DIR [/var/tmp/vigil-bench]  RUNS [3] (the median is kept)
set -u
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
VIGIL=${VIGIL:-$ROOT/build/vigil}
SETS=${SETS:-mid,large}
CACHE_DIR=${CACHE_DIR:-/var/tmp/vigil-bench}
RUNS=${RUNS:-3}
CORPUS=$CACHE_DIR/corpus
die() { echo "one-pass.sh: $*" >&2; exit 2; }
[ -x "$VIGIL" ] || die "no vigil binary at $VIGIL"
[ -f "$CORPUS.done" ] || die "no corpus in $CACHE_DIR (run bench/vs-yara.sh first)"
ID=$(sha256sum <"$CORPUS.manifest" | cut -c1-12)

# median wall time of RUNS scans: vigil scan -d ARGS... over the corpus
wall() {
    local t=()
    for _ in $(seq "$RUNS"); do
        local s e
        s=$(date +%s.%N)
        "$VIGIL" scan --no-summary --all-match --threads 1 -r "$@" "$CORPUS" >/dev/null 2>&1
        [ $? -le 1 ] || die "vigil failed: $*"
        e=$(date +%s.%N)
        t+=("$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.3f", e - s}')")
    done
    printf '%s\n' "${t[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}

printf '%-6s %10s %10s %10s %8s\n' set "ndb s" "yar s" "both s" shared
IFS=, read -ra want <<<"$SETS"
for s in "${want[@]}"; do
    dir=$CACHE_DIR/sigs-$s-$ID
    [ -f "$dir/.done" ] || die "no generated set $s in $dir (run bench/vs-yara.sh SETS=$s)"
    n=$(wall -d "$dir/clamav/vigil.ndb")
    y=$(wall -d "$dir/yara/vigil.yar")
    b=$(wall -d "$dir/clamav/vigil.ndb" -d "$dir/yara/vigil.yar")
    printf '%-6s %10s %10s %10s %8s\n' "$s" "$n" "$y" "$b" \
        "$(awk -v n="$n" -v y="$y" -v b="$b" 'BEGIN {printf "%.2f", b / (n + y)}')"
done
