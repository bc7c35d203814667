# bench/lib.sh - helpers shared by bench/vs-clamscan.sh and tests/e2e/diff_corpus.sh.
# shellcheck shell=bash
# Source it; it defines functions only (no side effects).

# det_set FILE CORPUS: turn clamscan/vigil text output into the sorted, unique
# set of "relative/path<TAB>Signature" rows (".UNOFFICIAL" stripped, only
# "FOUND" lines; clamscan --allmatch repeats a row per occurrence, vigil does
# not, so duplicates are dropped). Corpus file names are restricted to
# [A-Za-z0-9._+@,=~-] by make-corpus.sh, so ": " cannot occur inside a path.
det_set() {
    local file=$1 corpus=${2%/}
    LC_ALL=C sed -n 's/^\(.*\): \([^ ]*\) FOUND$/\1\t\2/p' "$file" |
        LC_ALL=C awk -F'\t' -v c="$corpus/" '{
            p = $1; if (index(p, c) == 1) p = substr(p, length(c) + 1)
            s = $2; sub(/\.UNOFFICIAL$/, "", s)
            print p "\t" s }' | LC_ALL=C sort -u
}

# files_of SETFILE: the sorted set of files that have at least one row.
files_of() { cut -f1 "$1" | LC_ALL=C sort -u; }

# expected_set SIGDIR [engine]: rows of make-sigs.py's expected.txt whose
# engines column contains ENGINE (default clamav), as "path<TAB>sig".
expected_set() {
    local e=${2:-clamav}
    LC_ALL=C awk -F'\t' -v e="$e" '!/^#/ && NF >= 4 {
        n = split($4, a, ","); for (i = 1; i <= n; i++) if (a[i] == e) { print $1 "\t" $2; break } }' \
        "$1/expected.txt" | LC_ALL=C sort -u
}

# only_in A B: rows in set file A that are not in set file B.
only_in() { LC_ALL=C comm -23 "$1" "$2"; }

# show_rows PREFIX FILE [MAX]: print up to MAX rows of FILE as TAP comments.
show_rows() {
    local pfx=$1 f=$2 max=${3:-20} n
    n=$(wc -l < "$f")
    [ "$n" -gt 0 ] || return 0
    head -n "$max" "$f" | sed "s|^|#   $pfx |"
    [ "$n" -le "$max" ] || echo "#   ... $((n - max)) more"
}

# corpus_bytes DIR: total size of the regular files under DIR.
corpus_bytes() { find "$1" -type f -printf '%s\n' | awk '{s += $1} END {printf "%d", s}'; }
