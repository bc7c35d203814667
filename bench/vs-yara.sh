#!/usr/bin/env bash
# bench/vs-yara.sh - vigil against yara 4.2.3 on the same YARA rules and the
# same corpus, in one run. Not part of `make check` (it takes minutes).
#
# Rule sets: the generated ones of shared/bench/make-sigs.py (one YARA rule
# per body signature: mid = 10,000 rules, large = 100,000; small = 1,000)
# and each public set of shared/data/yara-rules (its all.yar) that both
# compile. For each set and tool:
#   - compile: scan of an empty file (process start + parse + compile),
#     median of LOAD_RUNS, peak RSS
#   - scan of the corpus with 1 thread and with THREADS threads (yara -p,
#     vigil --threads), every matching rule reported (vigil --all-match):
#     wall, MB/s of corpus bytes over the wall time, MB/s with the compile
#     time taken out, peak RSS
#   - agreement: the (file, rule) sets of yara and vigil (1 thread), with
#     the first differences listed. vigil runs YARA rules on each file's own
#     bytes, as `yara -r` does, and is given --no-unpack: with YARA rules
#     only, opening archives would be work yara does not do.
# and prints one table per set with the ratios vigil / yara.
#
# Environment [defaults]:
#   VIGIL [build/vigil]   SETS [mid,large,public]  (small, mid, large, public)
#   PUBLIC [all folders of shared/data/yara-rules]  comma list of set names
#   THREADS [nproc]  LOAD_RUNS [3]  TIMEOUT [3600]
#   CACHE_DIR [/var/tmp/vigil-bench] (corpus and generated sets, shared with
#   vs-clamscan.sh)  CORPUS_DIR [CACHE_DIR/corpus]  PIN [shared pin]
#   WORKDIR [mktemp]  SHARED [repo/../shared]
# Exit: 0 when every set agrees, 1 when one does not, 2 on setup errors.
set -uo pipefail
export LC_ALL=C TZ=UTC
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
SHARED=${SHARED:-$ROOT/../shared}
KIT=$SHARED/bench
VIGIL=${VIGIL:-$ROOT/build/vigil}
SETS=${SETS:-mid,large,public}
THREADS=${THREADS:-$(nproc 2>/dev/null || echo 2)}
LOAD_RUNS=${LOAD_RUNS:-3}
TIMEOUT=${TIMEOUT:-3600}
CACHE_DIR=${CACHE_DIR:-/var/tmp/vigil-bench}
CORPUS=${CORPUS_DIR:-$CACHE_DIR/corpus}
PIN=${PIN-$KIT/corpus-0dde8625.pin.gz}
RULES=$SHARED/data/yara-rules
WORK=${WORKDIR:-$(mktemp -d /tmp/vigil-vs-yara.XXXXXX)}
mkdir -p "$WORK" "$CACHE_DIR"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { echo "vs-yara.sh: $*" >&2; exit 2; }
for t in yara python3 /usr/bin/time timeout; do command -v "$t" >/dev/null || die "needs $t"; done
[ -x "$VIGIL" ] || die "no vigil binary at $VIGIL (make build, or set VIGIL)"

# ------------------------------------------------------------------ corpus
if [ ! -f "$CORPUS.done" ]; then
    rm -rf "$CORPUS"
    if [ -n "$PIN" ] && [ -f "$PIN" ] && "$KIT/make-corpus.sh" "$CORPUS" --pin "$PIN" >"$WORK/corpus.log" 2>&1; then
        echo "pinned $(basename "$PIN")" >"$CORPUS.done"
    else
        rm -rf "$CORPUS"; "$KIT/make-corpus.sh" "$CORPUS" 400 >"$WORK/corpus.log" 2>&1 || die "make-corpus.sh failed"
        echo "fresh 400MB" >"$CORPUS.done"
    fi
fi
CORPUS=$(realpath "$CORPUS")
CORPUS_ID=$(sha256sum <"$CORPUS.manifest" | cut -d' ' -f1)
BYTES=$(corpus_bytes "$CORPUS"); NFILES=$(find "$CORPUS" -type f | wc -l)
MB=$(awk -v b="$BYTES" 'BEGIN {printf "%.1f", b / 1e6}')
log "corpus: $NFILES files, $MB MB, id ${CORPUS_ID:0:16}"
EMPTY=$WORK/empty; : >"$EMPTY"

# ------------------------------------------------------------------ rule sets
declare -A RULEFILE NRULES
gen_set() { # small|mid|large: same parameters and cache as vs-clamscan.sh
    local name=$1 h b dir
    case $name in small) h=10000 b=1000 ;; mid) h=100000 b=10000 ;; large) h=1000000 b=100000 ;; esac
    dir=$CACHE_DIR/sigs-$name-${CORPUS_ID:0:12}
    if [ ! -f "$dir/.done" ]; then
        log "sigs $name: generating ($b rules) -> $dir"
        rm -rf "$dir"
        python3 "$KIT/make-sigs.py" "$dir" --hashes "$h" --bodies "$b" --corpus "$CORPUS" --no-verify \
            >"$WORK/make-sigs-$name.log" 2>&1 || die "make-sigs.py failed for $name"
        touch "$dir/.done"
    fi
    RULEFILE[$name]=$dir/yara/vigil.yar
}
LIST=()
IFS=, read -ra want <<<"$SETS"
for s in "${want[@]}"; do
    case $s in
    small|mid|large) gen_set "$s"; LIST+=("$s") ;;
    public)
        IFS=, read -ra pubs <<<"${PUBLIC:-$(cd "$RULES" && ls -d */ | tr -d / | paste -sd,)}"
        for p in "${pubs[@]}"; do
            f=$RULES/$p/all.yar
            [ -f "$f" ] || { log "public $p: no all.yar, skipped"; continue; }
            if ! yara -w "$f" "$EMPTY" >/dev/null 2>"$WORK/ycomp-$p.txt"; then
                log "public $p: yara does not compile it ($(head -c 200 "$WORK/ycomp-$p.txt")), skipped"; continue
            fi
            if ! "$VIGIL" scan --no-summary -d "$f" "$EMPTY" >/dev/null 2>"$WORK/vcomp-$p.txt"; then
                log "public $p: vigil does not compile it ($(head -c 200 "$WORK/vcomp-$p.txt")), skipped"; continue
            fi
            RULEFILE[$p]=$f; LIST+=("$p")
        done ;;
    *) die "unknown set $s" ;;
    esac
done
for s in "${LIST[@]}"; do
    NRULES[$s]=$(cat "${RULEFILE[$s]}" $(sed -n 's/^include "\(.*\)"/\1/p' "${RULEFILE[$s]}" |
        sed "s|^|$(dirname "${RULEFILE[$s]}")/|") 2>/dev/null | grep -cE '^\s*((private|global)\s+)*rule\s')
done

# ------------------------------------------------------------------ measuring
RES=$WORK/results.tsv
printf 'set\ttool\twhat\tseconds\tMB/s\tMB/s-no-compile\tpeak RSS MiB\n' >"$RES"
run() { # OUT ERRLOG cmd...: wall seconds and peak RSS (KiB) into $WALL $RSS
    local out=$1 err=$2; shift 2
    local t0=$EPOCHREALTIME
    timeout "$TIMEOUT" /usr/bin/time -f '%M' -o "$WORK/time.txt" "$@" >"$out" 2>"$err"
    WALL=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.3f", b - a}')
    RSS=$(tail -n 1 "$WORK/time.txt")
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
declare -A LOADT
for s in "${LIST[@]}"; do
    R=${RULEFILE[$s]}
    log "set $s: ${NRULES[$s]} rules ($R)"
    for tool in yara vigil; do
        ts=()
        for _ in $(seq "$LOAD_RUNS"); do
            if [ $tool = yara ]; then run /dev/null "$WORK/err" yara -w "$R" "$EMPTY"
            else run /dev/null "$WORK/err" "$VIGIL" scan --no-summary -d "$R" "$EMPTY"; fi
            ts+=("$WALL")
        done
        LOADT[$s.$tool]=$(printf '%s\n' "${ts[@]}" | median)
        printf '%s\t%s\tcompile\t%s\t\t\t%d\n' "$s" "$tool" "${LOADT[$s.$tool]}" $((RSS / 1024)) >>"$RES"
        for th in 1 "$THREADS"; do
            out=$WORK/$s.$tool.t$th.out
            if [ $tool = yara ]; then run "$out" "$WORK/$s.$tool.t$th.err" yara -w -r -p "$th" "$R" "$CORPUS"
            else run "$out" "$WORK/$s.$tool.t$th.err" "$VIGIL" scan --no-summary --all-match --no-unpack --threads "$th" -d "$R" "$CORPUS"; fi
            mbs=$(awk -v b="$BYTES" -v w="$WALL" 'BEGIN {printf "%.1f", b / 1e6 / w}')
            mbs2=$(awk -v b="$BYTES" -v w="$WALL" -v l="${LOADT[$s.$tool]}" 'BEGIN {d = w - l; printf "%.1f", (d > 0 ? b / 1e6 / d : 0)}')
            printf '%s\t%s\tscan -t%s\t%s\t%s\t%s\t%d\n' "$s" "$tool" "$th" "$WALL" "$mbs" "$mbs2" $((RSS / 1024)) >>"$RES"
            log "  $tool t$th: ${WALL}s, $mbs MB/s"
        done
    done
done

# ------------------------------------------------------------------ report
bad=0
echo "vs-yara.sh: corpus $NFILES files, $MB MB (id ${CORPUS_ID:0:16}); $(yara --version | head -1 | sed 's/^/yara /'); threads $THREADS; $(nproc) CPUs"
for s in "${LIST[@]}"; do
    # (file, rule) sets: yara prints "rule path", vigil "path: rule FOUND"
    awk -v c="$CORPUS/" '{r = $1; $1 = ""; p = substr($0, 2); if (index(p, c) == 1) p = substr(p, length(c) + 1); print p "\t" r}' \
        "$WORK/$s.yara.t1.out" | sort -u >"$WORK/$s.y.set"
    det_set "$WORK/$s.vigil.t1.out" "$CORPUS" >"$WORK/$s.v.set"
    only_in "$WORK/$s.y.set" "$WORK/$s.v.set" >"$WORK/$s.yonly"
    only_in "$WORK/$s.v.set" "$WORK/$s.y.set" >"$WORK/$s.vonly"
    ny=$(wc -l <"$WORK/$s.y.set"); nv=$(wc -l <"$WORK/$s.v.set")
    nyo=$(wc -l <"$WORK/$s.yonly"); nvo=$(wc -l <"$WORK/$s.vonly")
    files=$(cut -f1 "$WORK/$s.y.set" "$WORK/$s.v.set" | sort -u | wc -l)
    echo
    echo "== $s: ${NRULES[$s]} rules"
    awk -F'\t' -v s="$s" '$1 == s {printf "  %-6s %-9s %8.2f s %9s MB/s %9s MB/s w/o compile %6d MiB\n", $2, $3, $4, $5, $6, $7}' "$RES"
    for what in compile "scan -t1" "scan -t$THREADS"; do
        awk -F'\t' -v s="$s" -v w="$what" '$1 == s && $3 == w {v[$2] = (w == "compile") ? $4 : $5; r[$2] = $7}
            END {if (w == "compile") printf "  ratio %-9s yara/vigil time %.2fx", w, v["yara"] / v["vigil"];
                 else printf "  ratio %-9s vigil/yara MB/s %.2fx", w, v["vigil"] / v["yara"];
                 printf "   RSS vigil/yara %.2fx\n", r["vigil"] / (r["yara"] ? r["yara"] : 1)}' "$RES"
    done
    if [ "$nyo" -eq 0 ] && [ "$nvo" -eq 0 ]; then
        echo "  agreement: same $ny (file, rule) detections on $files files"
    else
        bad=1
        echo "  agreement: DIFFERENT: yara $ny, vigil $nv; only yara $nyo, only vigil $nvo"
        show_rows "only yara:" "$WORK/$s.yonly" 5; show_rows "only vigil:" "$WORK/$s.vonly" 5
    fi
done
echo; echo "results: $RES"
exit $bad
