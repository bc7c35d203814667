#!/usr/bin/env bash
# bench/poor-sigs.sh - do body signatures with short or poor literal parts
# make every byte expensive? (issue 2, point 3). Two generated sets of the
# same size (seeded, so every run has the same signatures):
#   rare  N signatures, each 12 random bytes: what a matcher likes;
#   poor  N signatures of five pieces of two of the ten commonest
#         bytes of binaries and text (00 ff 90 cc 20 0a 41 e8 8b 4c) joined
#         by ??, {0-4}, {2}, (20|0a) or one *: no piece is a usable atom
#         (each occurs in nearly every file), yet together they rarely match.
# Each set is scanned by clamscan and by vigil (--threads 1, --all-match)
# over the same part of the bench corpus; printed: MB/s, the poor/rare
# slowdown of each tool, vigil/clamscan, and whether the (file, signature)
# rows agree (differences are listed by file kind). Not part of make check.
#
# Needs the corpus that bench/vs-clamscan.sh leaves in CACHE_DIR.
# Environment [defaults]: VIGIL [build/vigil]  N [2000]  FILES [2000] (the
#   first FILES corpus files in sorted order)  CACHE_DIR [/var/tmp/vigil-bench]
#   WORKDIR [mktemp]
set -u
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
VIGIL=${VIGIL:-$ROOT/build/vigil}
N=${N:-2000}
FILES=${FILES:-2000}
CACHE_DIR=${CACHE_DIR:-/var/tmp/vigil-bench}
CORPUS=$CACHE_DIR/corpus
W=${WORKDIR:-$(mktemp -d /tmp/vigil-poor.XXXXXX)}
mkdir -p "$W"
die() { echo "poor-sigs.sh: $*" >&2; exit 2; }
[ -x "$VIGIL" ] || die "no vigil binary at $VIGIL"
[ -f "$CORPUS.done" ] || die "no corpus in $CACHE_DIR (run bench/vs-clamscan.sh first)"
command -v clamscan >/dev/null || die "clamscan not installed"
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

python3 - "$W" "$N" <<'EOF'
import random, sys
w, n = sys.argv[1], int(sys.argv[2])
r = random.Random(7)
common = ['00', 'ff', '90', 'cc', '20', '0a', '41', 'e8', '8b', '4c']
with open(f"{w}/rare.ndb", "w") as f:
    for i in range(n):
        f.write(f"Rare_{i}:0:*:{r.randbytes(12).hex()}\n")
with open(f"{w}/poor.ndb", "w") as f:
    for i in range(n):
        # five pieces of one or two common bytes, joined by short gaps: no
        # piece is a usable atom, yet together they rarely match
        parts = []
        for k in range(5):
            parts.append("".join(r.choice(common) for _ in range(2)))
            if k < 4:
                parts.append(r.choice(["??", "{0-4}", "{2}", "(20|0a)", "*" if k == 2 else "??"]))
        f.write(f"Poor_{i}:0:*:{''.join(parts)}\n")
EOF
find "$CORPUS" -type f | sort | head -n "$FILES" > "$W/files"
BYTES=$(tr '\n' '\0' < "$W/files" | du -cb --files0-from=- | tail -n 1 | cut -f1)
echo "corpus: first $FILES files of $CORPUS, $BYTES bytes; $N signatures per set"

# run NAME CMD...: wall seconds into T[NAME], output in $W/NAME.out
declare -A T
run() {
    local name=$1 s e
    shift
    s=$(date +%s.%N)
    "$@" > "$W/$name.out" 2> "$W/$name.err"
    local rc=$?
    e=$(date +%s.%N)
    [ $rc -le 1 ] || die "$name failed (exit $rc): $(tail -n 2 "$W/$name.err")"
    T[$name]=$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.2f", e - s}')
}
mapfile -t LIST < "$W/files"
for set in rare poor; do
    run "clamscan-$set" clamscan --allmatch --no-summary -i -d "$W/$set.ndb" -f "$W/files"
    run "vigil-$set" "$VIGIL" scan --threads 1 --all-match --no-summary -i -d "$W/$set.ndb" "${LIST[@]}"
done
mbs() { awk -v b="$BYTES" -v t="$1" 'BEGIN {printf "%.1f", b / 1e6 / t}'; }
printf '%-10s %12s %12s %14s\n' set clamscan vigil-t1 vigil/clamscan
for set in rare poor; do
    c=${T[clamscan-$set]} v=${T[vigil-$set]}
    printf '%-10s %9s MB/s %7s MB/s %13sx\n' "$set" "$(mbs "$c")" "$(mbs "$v")" \
        "$(awk -v c="$c" -v v="$v" 'BEGIN {printf "%.1f", c / v}')"
done
for tool in clamscan vigil; do
    echo "$tool: poor set $(awk -v p="${T[$tool-poor]}" -v r="${T[$tool-rare]}" 'BEGIN {printf "%.1f", p / r}')x the time of the rare set"
done
rc=0
for set in rare poor; do
    det_set "$W/clamscan-$set.out" / > "$W/c-$set.rows"
    det_set "$W/vigil-$set.out" / > "$W/v-$set.rows"
    only_in "$W/c-$set.rows" "$W/v-$set.rows" > "$W/c-only-$set"
    only_in "$W/v-$set.rows" "$W/c-$set.rows" > "$W/v-only-$set"
    echo "detections ($set): clamscan $(wc -l < "$W/c-$set.rows"), vigil $(wc -l < "$W/v-$set.rows") rows;" \
        "clamscan only $(wc -l < "$W/c-only-$set"), vigil only $(wc -l < "$W/v-only-$set")"
    for side in c-only v-only; do
        [ -s "$W/$side-$set" ] || continue
        rc=1
        echo "  $side by file kind:" $(cut -f1 "$W/$side-$set" | sed 's/.*\///; s/^[^.]*//; s/^$/(none)/' |
            sort | uniq -c | sort -rn | head -n 8 | awk '{printf "%s %s, ", $2, $1}')
    done
done
echo "work dir: $W"
exit $rc
