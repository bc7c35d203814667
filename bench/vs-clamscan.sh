#!/usr/bin/env bash
# bench/vs-clamscan.sh - vigil against clamscan on the same corpus and the
# same signatures (shared/bench kit). Not part of `make check` (it is long).
#
# For every signature set it measures, for clamscan, `vigil scan --threads 1`
# and `vigil scan --threads $THREADS`:
#   - DB load: scan of an empty file (process start + load + compile), median
#     of LOAD_RUNS, peak RSS
#   - recursive all-match scan of the corpus: wall, MB/s (corpus bytes / wall,
#     with and without the median load time), CPU seconds, peak RSS
#     (/usr/bin/time -v)
#   - whether the detections agree: (file, signature) sets of clamscan,
#     vigil -t1, vigil -tN and make-sigs.py's expected.txt
# and prints one table per set with the ratios vigil / clamscan.
#
# The corpus (make-corpus.sh, ~400 MB; rebuilt from the pin when this machine
# still has the pinned files, else a fresh selection) and the generated sets
# are cached under CACHE_DIR, so a rerun only measures.
#
# Environment (defaults in brackets):
#   VIGIL [build/vigil]            binary to measure
#   SETS [small,large]             any of small (10k hashes + 1k bodies),
#                                  mid (100k + 10k), large (1M + 100k);
#                                  "hashes" = that many MD5 and as many SHA-256 sigs;
#                                  real = the real public sets in
#                                  shared/data/clamav-sigs all loaded together
#                                  (REAL_SETS; no expected.txt: clamscan is the
#                                  only reference)
#   REAL_SETS [A0140A-PubSigList,artefactual-labs-clamav-files,ditekshen-detection/clamav,
#              interserver-clamav-unofficial,rfxn-linux-malware-detect/files/sigs,wmetcalf-clam-punch]
#                                  the folders of shared/data/clamav-sigs that make "real"
#   THREADS [nproc]                threads for the multi-threaded vigil column
#   CORPUS_DIR [CACHE_DIR/corpus]  corpus to scan; built there if missing/empty
#   CORPUS_MB [400]                size budget of a fresh corpus
#   PIN [shared/bench/corpus-0dde8625.pin.gz]  pin to try first; PIN= skips it
#   CACHE_DIR [/var/tmp/vigil-bench]           corpus and signature sets
#   LOAD_RUNS [3]  SCAN_RUNS [1]   repetitions (median wall, max RSS)
#   TIMEOUT [3600]                 limit per command, seconds
#   VERIFY_SIGS [0]                1 = let make-sigs.py verify new sets itself
#   RETRIES [1]                    reruns of a measurement that other processes disturbed
#                                  (they used > 10 % of its wall time in CPU-s)
#   IDLE_WAIT [30]                 seconds to wait for an idle machine before each run
#   VDB [1]                        also measure vigil -t1 and -tTHREADS on the set compiled to a .vdb
#   SKIP_CLAMSCAN [0]              1 = measure vigil only (no ratios, no agreement check)
#   WORKDIR [mktemp /tmp/vigil-vs-clamscan.XXXXXX]  logs, outputs, results.tsv
#   SHARED [repo/../shared]        the shared folder holding bench/
# Exit status: 0 when every set's detections agree, 1 when they do not, 2 on setup errors.
set -uo pipefail
export LC_ALL=C TZ=UTC

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

SHARED=${SHARED:-$ROOT/../shared}
KIT=$SHARED/bench
VIGIL=${VIGIL:-$ROOT/build/vigil}
SETS=${SETS:-small,large}
THREADS=${THREADS:-$(nproc 2>/dev/null || echo 2)}
CACHE_DIR=${CACHE_DIR:-/var/tmp/vigil-bench}
CORPUS_DIR=${CORPUS_DIR:-$CACHE_DIR/corpus}
CORPUS_MB=${CORPUS_MB:-400}
PIN=${PIN-$KIT/corpus-0dde8625.pin.gz}
LOAD_RUNS=${LOAD_RUNS:-3}
SCAN_RUNS=${SCAN_RUNS:-1}
TIMEOUT=${TIMEOUT:-3600}
VERIFY_SIGS=${VERIFY_SIGS:-0}
VDB=${VDB:-1}
SKIP_CLAMSCAN=${SKIP_CLAMSCAN:-0}
RETRIES=${RETRIES:-1}
IDLE_WAIT=${IDLE_WAIT:-30}
WORK=${WORKDIR:-$(mktemp -d /tmp/vigil-vs-clamscan.XXXXXX)}
mkdir -p "$WORK" "$CACHE_DIR"

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { echo "vs-clamscan: $*" >&2; exit 2; }

[ -x "$VIGIL" ] || die "no vigil binary at $VIGIL (make build, or set VIGIL)"
VIGIL=$(realpath "$VIGIL")
if [ ! -x "$KIT/make-corpus.sh" ] || [ ! -f "$KIT/make-sigs.py" ]; then die "bench kit not found in $KIT (set SHARED)"; fi
need=(python3 timeout /usr/bin/time find sort comm awk)
[ "$SKIP_CLAMSCAN" = 1 ] || need+=(clamscan)
for t in "${need[@]}"; do command -v "$t" >/dev/null 2>&1 || die "missing tool: $t"; done

set_params() { # NAME -> "HASHES BODIES"
    case "$1" in
        small) echo "10000 1000" ;;
        mid) echo "100000 10000" ;;
        large) echo "1000000 100000" ;;
        real) echo "real real" ;;
        *) return 1 ;;
    esac
}
IFS=, read -r -a SET_LIST <<< "$SETS"
for s in "${SET_LIST[@]}"; do set_params "$s" >/dev/null || die "unknown set '$s' (small, mid, large, real)"; done
REAL_SETS=${REAL_SETS:-A0140A-PubSigList,artefactual-labs-clamav-files,ditekshen-detection/clamav,interserver-clamav-unofficial,rfxn-linux-malware-detect/files/sigs,wmetcalf-clam-punch}
REAL_DIRS=()
IFS=, read -r -a _rs <<< "$REAL_SETS"
for r in "${_rs[@]}"; do REAL_DIRS+=("$SHARED/data/clamav-sigs/$r"); done
# db_args SET SIGDIR: the -d arguments of a set (real: one per folder)
db_args() {
    DB_ARGV=()
    if [ "$1" = real ]; then
        for d in "${REAL_DIRS[@]}"; do DB_ARGV+=(-d "$d"); done
    else
        DB_ARGV=(-d "$2/clamav")
    fi
}
db_paths() { # SET SIGDIR -> the database paths, one per line
    if [ "$1" = real ]; then printf '%s\n' "${REAL_DIRS[@]}"; else echo "$2/clamav"; fi
}
for s in "${SET_LIST[@]}"; do
    [ "$s" = real ] || continue
    for d in "${REAL_DIRS[@]}"; do [ -e "$d" ] || die "real set folder missing: $d"; done
done

# ------------------------------------------------------------------ corpus
build_corpus() { # OUT
    local out=$1
    rm -rf "$out" "$out.manifest" "$out.pin" "$out.done"
    mkdir -p "$(dirname "$out")"
    if [ -n "$PIN" ] && [ -f "$PIN" ]; then
        log "corpus: rebuilding from pin $PIN"
        if "$KIT/make-corpus.sh" "$out" --pin "$PIN" > "$WORK/make-corpus.log" 2>&1; then
            echo "pinned $(basename "$PIN")" > "$out.done"
            return 0
        fi
        log "corpus: the pin cannot be reproduced here ($(sed -n 's/.*cannot be reproduced on this machine (\([0-9]*\) files).*/\1/p' "$WORK/make-corpus.log" | head -n 1) files missing or changed, see $WORK/make-corpus.log); fresh selection instead"
        rm -rf "$out" "$out.manifest" "$out.pin"
    fi
    log "corpus: fresh selection, ${CORPUS_MB} MB budget -> $out"
    "$KIT/make-corpus.sh" "$out" "$CORPUS_MB" > "$WORK/make-corpus.log" 2>&1 ||
        { cat "$WORK/make-corpus.log" >&2; die "make-corpus.sh failed"; }
    echo "fresh ${CORPUS_MB}MB" > "$out.done"
}

CORPUS=${CORPUS_DIR%/}
if [ -f "$CORPUS.done" ] && [ -d "$CORPUS" ]; then
    log "corpus: cached $CORPUS ($(cat "$CORPUS.done"))"
elif [ -d "$CORPUS" ] && [ -n "$(ls -A "$CORPUS" 2>/dev/null)" ]; then
    log "corpus: using $CORPUS as it is (not built by this script)"
else
    build_corpus "$CORPUS"
fi
CORPUS=$(realpath "$CORPUS")
if [ -f "$CORPUS.manifest" ]; then
    CORPUS_ID=$(sha256sum < "$CORPUS.manifest" | cut -d' ' -f1)
else
    CORPUS_ID=$( (cd "$CORPUS" && find . -type f -printf '%s %P\n' | sort) | sha256sum | cut -d' ' -f1)
fi
BYTES=$(corpus_bytes "$CORPUS")
NFILES=$(find "$CORPUS" -type f | wc -l)
MB=$(awk -v b="$BYTES" 'BEGIN {printf "%.1f", b / 1e6}')
log "corpus: $NFILES files, $MB MB, id ${CORPUS_ID:0:16}"

# ------------------------------------------------------------------ signatures
sigdir_for() { echo "$CACHE_DIR/sigs-$1-${CORPUS_ID:0:12}"; }
make_set() { # NAME
    local name=$1 dir h b t0
    dir=$(sigdir_for "$name")
    read -r h b <<< "$(set_params "$name")"
    if [ "$name" = real ]; then log "sigs real: ${#REAL_DIRS[@]} folders of $SHARED/data/clamav-sigs"; return 0; fi
    if [ -f "$dir/.done" ]; then log "sigs $name: cached $dir"; return 0; fi
    rm -rf "$dir"
    local v=--no-verify
    [ "$VERIFY_SIGS" = 1 ] && v=
    log "sigs $name: generating $h hashes + $b bodies -> $dir (takes minutes for large)"
    t0=$EPOCHREALTIME
    python3 "$KIT/make-sigs.py" "$dir" --hashes "$h" --bodies "$b" --corpus "$CORPUS" $v > "$WORK/make-sigs-$name.log" 2>&1 ||
        { cat "$WORK/make-sigs-$name.log" >&2; die "make-sigs.py failed for $name"; }
    log "sigs $name: done in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.0f", b - a}') s"
    touch "$dir/.done"
}
for s in "${SET_LIST[@]}"; do make_set "$s"; done

# ------------------------------------------------------------------ measuring
RES=$WORK/results.tsv
printf 'set\ttool\tmeasurement\tseconds\tMB/s\tpeak RSS MiB\tCPU s\tother CPU s\trc\n' > "$RES"
EMPTY=$WORK/empty-file
mkdir -p "$WORK/clamtmp"
: > "$EMPTY"

# busy CPU seconds of the whole machine so far
busy_s() { awk '/^cpu / {printf "%.2f", ($2+$3+$4+$7+$8+$9)/100; exit}' /proc/stat; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR+1)/2]; else printf "%.3f", (a[NR/2]+a[NR/2+1])/2}'; }
maxof() { sort -g | tail -n 1; }

# run NAME CMD...: stdout/stderr/time -v into WORK/NAME.*; sets R_WALL R_RSS(kB) R_CPU R_OTHER R_RC
run() {
    local name=$1; shift
    local t0 t1 b0 b1
    b0=$(busy_s); t0=$EPOCHREALTIME
    /usr/bin/time -v -o "$WORK/$name.time" timeout -k 10 "$TIMEOUT" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err"
    R_RC=$?
    t1=$EPOCHREALTIME; b1=$(busy_s)
    R_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
    R_RSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$name.time"); R_RSS=${R_RSS:-0}
    R_CPU=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$WORK/$name.time")
    R_OTHER=$(awk -v a="$b0" -v b="$b1" -v o="$R_CPU" 'BEGIN {x = b - a - o; if (x < 0) x = 0; printf "%.1f", x}')
    echo "$name: $* -> rc=$R_RC wall=${R_WALL}s cpu=${R_CPU}s maxrss=${R_RSS}kB other-cpu=${R_OTHER}s" >> "$WORK/commands.log"
}

# wait_idle: up to IDLE_WAIT seconds for a second in which the rest of the
# machine used < 0.25 CPU-s (other people's builds on a shared box).
wait_idle() {
    local t=0 b0 b1
    while [ "$t" -lt "$IDLE_WAIT" ]; do
        b0=$(busy_s); sleep 1; b1=$(busy_s)
        awk -v a="$b0" -v b="$b1" 'BEGIN {exit !(b - a < 0.25)}' && return 0
        t=$((t + 1))
    done
    log "machine still busy after ${IDLE_WAIT}s; measuring anyway"
}

# measure NAME CMD...: run, repeated up to RETRIES more times while other
# processes used more than 10 % of the wall time (and 0.5 CPU-s) meanwhile;
# keeps the attempt that was disturbed least.
measure() {
    local name=$1 k=0 best=-1 f x; shift
    local b_wall b_rss b_cpu b_other b_rc
    while :; do
        wait_idle
        run "$name" "$@"
        x=$(awk -v o="$R_OTHER" -v w="$R_WALL" 'BEGIN {if (w > 0) printf "%.4f", o / w; else print 0}')
        if [ "$best" = -1 ] || awk -v a="$x" -v b="$best" 'BEGIN {exit !(a < b)}'; then
            best=$x b_wall=$R_WALL b_rss=$R_RSS b_cpu=$R_CPU b_other=$R_OTHER b_rc=$R_RC
            for f in out err time; do cp "$WORK/$name.$f" "$WORK/$name.best.$f"; done
        fi
        awk -v o="$R_OTHER" -v w="$R_WALL" 'BEGIN {exit !(o > 0.5 && o > 0.1 * w)}' || break
        if [ "$k" -ge "$RETRIES" ]; then
            log "$name: disturbed (other procs ${R_OTHER} CPU-s in ${R_WALL}s); keeping the least disturbed attempt"
            break
        fi
        k=$((k + 1))
        log "$name: disturbed (other procs ${R_OTHER} CPU-s in ${R_WALL}s), again ($k/$RETRIES)"
    done
    R_WALL=$b_wall R_RSS=$b_rss R_CPU=$b_cpu R_OTHER=$b_other R_RC=$b_rc
    for f in out err time; do mv -f "$WORK/$name.best.$f" "$WORK/$name.$f"; done
    echo "$name: kept wall=${R_WALL}s cpu=${R_CPU}s other-cpu=${R_OTHER}s" >> "$WORK/commands.log"
}

TOOLS=()
[ "$SKIP_CLAMSCAN" = 1 ] || TOOLS+=(clamscan)
TOOLS+=(vigil-t1 "vigil-t$THREADS")
[ "$THREADS" = 1 ] && TOOLS=("${TOOLS[@]:0:${#TOOLS[@]}-1}")
# vigil on the same set compiled once into a .vdb (`vigil db build`, the
# time it took is in the log): the start-up a daemon or a repeated scan sees
[ "$VDB" = 1 ] && TOOLS+=(vigil-vdb-t1)
# and on all cores, where the load no longer hides the gain from threads
[ "$VDB" = 1 ] && [ "$THREADS" != 1 ] && TOOLS+=("vigil-vdb-t$THREADS")
tool_cmd() { # TOOL SIGDIR [SET] -> argv array TOOL_ARGV (without targets)
    db_args "${3:-}" "$2"
    case "$1" in
        clamscan) TOOL_ARGV=(clamscan --tempdir="$WORK/clamtmp" -r --allmatch --no-summary -i "${DB_ARGV[@]}") ;;
        vigil-vdb-t*) TOOL_ARGV=("$VIGIL" scan --threads "${1#vigil-vdb-t}" --all-match --no-summary -i -d "$WORK/$(basename "$2").vdb") ;;
        vigil-t*) TOOL_ARGV=("$VIGIL" scan --threads "${1#vigil-t}" --all-match --no-summary -i "${DB_ARGV[@]}") ;;
    esac
}

declare -A V  # V[set,tool,key]
rc_all=0

{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host: $(uname -srm); $(nproc) CPUs; $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "clamscan: $(clamscan --version 2>/dev/null | head -1)"
    echo "vigil: $VIGIL ($("$VIGIL" --version 2>/dev/null | head -1))"
    echo "corpus: $CORPUS, $NFILES files, $BYTES bytes ($MB MB), id $CORPUS_ID ($(cat "$CORPUS.done" 2>/dev/null || echo external))"
    echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$WORK/env.txt"
cat "$WORK/env.txt" >&2

log "warming the page cache"
for i in 1 2; do find "$CORPUS" -type f -print0 | xargs -0 cat > /dev/null; done

for set in "${SET_LIST[@]}"; do
    SIG=$(sigdir_for "$set")
    if [ "$VDB" = 1 ]; then
        log "$set: vigil db build -> $WORK/$(basename "$SIG").vdb"
        mapfile -t _dbp < <(db_paths "$set" "$SIG")
        if ! "$VIGIL" db build -o "$WORK/$(basename "$SIG").vdb" "${_dbp[@]}" > "$WORK/$set-vdb-build.log" 2>&1; then
            V[$set,vdbfail]=$(grep -v '^vigil: [0-9]* ' "$WORK/$set-vdb-build.log" | tail -n 1)
            log "$set: vigil db build failed: ${V[$set,vdbfail]}"
        fi
        tail -n 1 "$WORK/$set-vdb-build.log" >&2
    fi
    for tool in "${TOOLS[@]}"; do
        tool_cmd "$tool" "$SIG" "$set"
        log "$set: $tool DB load x$LOAD_RUNS"
        walls=() rsss=() cpus=()
        for i in $(seq "$LOAD_RUNS"); do
            measure "$set-$tool-load$i" "${TOOL_ARGV[@]}" "$EMPTY"
            walls+=("$R_WALL"); rsss+=("$R_RSS"); cpus+=("$R_CPU")
        done
        V[$set,$tool,load]=$(printf '%s\n' "${walls[@]}" | median)
        V[$set,$tool,loadcpu]=$(printf '%s\n' "${cpus[@]}" | median)
        V[$set,$tool,loadrss]=$(printf '%s\n' "${rsss[@]}" | maxof)
        printf '%s\t%s\tDB load (empty file)\t%s\t-\t%.1f\t%s\t%s\t%s\n' "$set" "$tool" "${V[$set,$tool,load]}" \
            "$(awk -v k="${V[$set,$tool,loadrss]}" 'BEGIN {print k / 1024}')" "$R_CPU" "$R_OTHER" "$R_RC" >> "$RES"

        log "$set: $tool scan x$SCAN_RUNS"
        walls=() rsss=() cpus=() others=()
        for i in $(seq "$SCAN_RUNS"); do
            measure "$set-$tool-scan$i" "${TOOL_ARGV[@]}" "$CORPUS"
            walls+=("$R_WALL"); rsss+=("$R_RSS"); cpus+=("$R_CPU"); others+=("$R_OTHER")
            [ "$R_RC" -le 1 ] || { log "$set: $tool exited $R_RC (see $WORK/$set-$tool-scan$i.err)"; rc_all=1; }
            if [ "$R_RC" -ge 124 ]; then log "$set: $tool timed out or was killed"; fi
        done
        V[$set,$tool,rc]=$R_RC
        V[$set,$tool,wall]=$(printf '%s\n' "${walls[@]}" | median)
        V[$set,$tool,rss]=$(printf '%s\n' "${rsss[@]}" | maxof)
        V[$set,$tool,cpu]=$(printf '%s\n' "${cpus[@]}" | median)
        V[$set,$tool,other]=$(printf '%s\n' "${others[@]}" | maxof)
        V[$set,$tool,mbs]=$(awk -v b="$BYTES" -v s="${V[$set,$tool,wall]}" 'BEGIN {if (s > 0) printf "%.1f", b / 1e6 / s; else print "-"}')
        V[$set,$tool,mbcpu]=$(awk -v b="$BYTES" -v s="${V[$set,$tool,cpu]}" 'BEGIN {if (s > 0) printf "%.1f", b / 1e6 / s; else print "-"}')
        V[$set,$tool,mbsx]=$(awk -v b="$BYTES" -v s="${V[$set,$tool,wall]}" -v l="${V[$set,$tool,load]}" \
            'BEGIN {d = s - l; if (d > 0) printf "%.1f", b / 1e6 / d; else print "-"}')
        printf '%s\t%s\tscan -r all-match\t%s\t%s\t%.1f\t%s\t%s\t%s\n' "$set" "$tool" "${V[$set,$tool,wall]}" "${V[$set,$tool,mbs]}" \
            "$(awk -v k="${V[$set,$tool,rss]}" 'BEGIN {print k / 1024}')" "${V[$set,$tool,cpu]}" "${V[$set,$tool,other]}" "$R_RC" >> "$RES"
        det_set "$WORK/$set-$tool-scan1.out" "$CORPUS" > "$WORK/$set-$tool.set"
    done

    # ---- detections
    if [ "$set" = real ]; then : > "$WORK/$set-expected.set"; else expected_set "$SIG" clamav > "$WORK/$set-expected.set"; fi
    AG=$WORK/$set-agreement.txt
    {
        printf 'detections (%s): expected.txt %d' "$set" "$(wc -l < "$WORK/$set-expected.set")"
        for tool in "${TOOLS[@]}"; do printf ', %s %d' "$tool" "$(wc -l < "$WORK/$set-$tool.set")"; done
        echo " (file, signature) rows"
        ref=expected
        [ "$SKIP_CLAMSCAN" = 1 ] || ref=clamscan
        for tool in "${TOOLS[@]}"; do
            for other in expected clamscan; do
                [ "$tool" = "$other" ] && continue
                [ "$set" = real ] && [ "$other" = expected ] && continue
                [ -f "$WORK/$set-$other.set" ] || continue
                [ "$other" = clamscan ] && [ "$SKIP_CLAMSCAN" = 1 ] && continue
                miss=$(only_in "$WORK/$set-$other.set" "$WORK/$set-$tool.set" | wc -l)
                extra=$(only_in "$WORK/$set-$tool.set" "$WORK/$set-$other.set" | wc -l)
                if [ "$miss" -eq 0 ] && [ "$extra" -eq 0 ]; then verdict=AGREE; else verdict=DIFFER; fi
                printf '  %-10s vs %-9s %s (%d missing, %d extra)\n' "$tool" "$other" "$verdict" "$miss" "$extra"
                only_in "$WORK/$set-$other.set" "$WORK/$set-$tool.set" | head -n 10 | sed "s/^/      missing in $tool: /"
                only_in "$WORK/$set-$tool.set" "$WORK/$set-$other.set" | head -n 10 | sed "s/^/      extra in $tool: /"
            done
        done
    } > "$AG"
    # the verdict that counts: every vigil column equals clamscan (or expected.txt without clamscan)
    for tool in "${TOOLS[@]}"; do
        case "$tool" in vigil-*) ;; *) continue ;; esac
        cmp -s "$WORK/$set-$tool.set" "$WORK/$set-$ref.set" || { V[$set,agree]=no; rc_all=1; }
    done
    V[$set,agree]=${V[$set,agree]:-yes}
done

# ------------------------------------------------------------------ table
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2fx", a / b}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
{
    echo
    cat "$WORK/env.txt"
    for set in "${SET_LIST[@]}"; do
        read -r h b <<< "$(set_params "$set")"
        echo
        if [ "$set" = real ]; then
            echo "== set real: ${REAL_SETS//,/ + } (shared/data/clamav-sigs) loaded together; corpus $MB MB, $NFILES files; clamscan --allmatch, vigil --all-match"
        else
            echo "== set $set: $h MD5 + $h SHA-256 + $b body sigs; corpus $MB MB, $NFILES files; clamscan --allmatch, vigil --all-match"
        fi
        hdr=$(printf '%-30s' "")
        for tool in "${TOOLS[@]}"; do hdr+=$(printf ' %12s' "$tool"); done
        if [ "$SKIP_CLAMSCAN" != 1 ]; then
            for tool in "${TOOLS[@]}"; do [ "$tool" = clamscan ] || hdr+=$(printf ' %14s' "$tool/clam"); done
        fi
        echo "$hdr"
        line() { # LABEL KEY [noratio]
            local label=$1 key=$2 noratio=${3:-} l
            l=$(printf '%-30s' "$label")
            for tool in "${TOOLS[@]}"; do
                local v=${V[$set,$tool,$key]}
                case "$key" in loadrss|rss) v=$(mib "$v") ;; esac
                l+=$(printf ' %12s' "$v")
            done
            if [ "$SKIP_CLAMSCAN" != 1 ] && [ -z "$noratio" ]; then
                for tool in "${TOOLS[@]}"; do
                    [ "$tool" = clamscan ] && continue
                    l+=$(printf ' %14s' "$(ratio "${V[$set,$tool,$key]}" "${V[$set,clamscan,$key]}")")
                done
            fi
            echo "$l"
        }
        line "DB load, empty file (s)" load
        line "DB load CPU user+sys (s)" loadcpu
        line "DB load peak RSS (MiB)" loadrss
        line "scan wall incl. load (s)" wall
        line "throughput incl. load (MB/s)" mbs
        line "throughput excl. load (MB/s)" mbsx
        line "scan CPU user+sys (s)" cpu
        line "MB per CPU-second" mbcpu
        line "scan peak RSS (MiB)" rss
        line "other procs' CPU (s, max)" other noratio
        line "exit status" rc noratio
        [ -z "${V[$set,vdbfail]:-}" ] || echo "  vigil-vdb-t1: no .vdb, vigil db build failed: ${V[$set,vdbfail]}"
        cat "$WORK/$set-agreement.txt"
        echo "  vigil detections equal ${ref}'s: ${V[$set,agree]}"
    done
    echo
    if [ "$SKIP_CLAMSCAN" != 1 ]; then
        for set in "${SET_LIST[@]}"; do
            for tool in "${TOOLS[@]}"; do
                [ "$tool" = clamscan ] && continue
                if [ "${V[$set,$tool,rc]}" -gt 1 ] || [ "${V[$set,clamscan,rc]}" -gt 1 ]; then
                    echo "ratios $set, $tool / clamscan: not measured (exit status $tool ${V[$set,$tool,rc]}, clamscan ${V[$set,clamscan,rc]})"
                    continue
                fi
                echo "ratios $set, $tool / clamscan: DB load $(ratio "${V[$set,$tool,load]}" "${V[$set,clamscan,load]}")," \
                    "load peak RSS $(ratio "${V[$set,$tool,loadrss]}" "${V[$set,clamscan,loadrss]}")," \
                    "throughput incl. load $(ratio "${V[$set,$tool,mbs]}" "${V[$set,clamscan,mbs]}")," \
                    "excl. load $(ratio "${V[$set,$tool,mbsx]}" "${V[$set,clamscan,mbsx]}")," \
                    "scan peak RSS $(ratio "${V[$set,$tool,rss]}" "${V[$set,clamscan,rss]}"); detections equal: ${V[$set,agree]}"
            done
        done
    fi
    echo "ratios are vigil / clamscan: >1 is better for throughput, <1 is better for time and RSS."
    echo "MB = 10^6 bytes of corpus files as stored; RSS from /usr/bin/time -v; 'other procs' CPU' = CPU"
    echo "seconds the rest of the machine used during the run (large values mean a disturbed measurement;"
    echo "then 'MB per CPU-second' is the more trustworthy figure for the single-threaded columns)."
    echo "work dir (outputs, commands.log, results.tsv): $WORK"
} | tee "$WORK/table.txt"
exit "$rc_all"
