#!/usr/bin/env bash
# bench/db-load.sh - time to a ready engine and memory, vigil vs ClamAV,
# in one run on the same signature sets.
#
# For each set (hashes/bodies): 10k/1k, 100k/10k, 1M/100k by default:
#   compile   vigil db build of the set's ClamAV files into a .vdb
#   load      process start + database load + scan of one small file:
#             clamscan on the sources; vigil on the .vdb and on the sources
#             (median of LOAD_RUNS), with peak RSS
#   daemon    RSS after load and peak RSS during RELOAD: clamd (concurrent
#             reload, its default) on the sources vs vigild on the .vdb,
#             both sampled from /proc/PID/status (VmRSS) every 20 ms from
#             the RELOAD command until the log says the reload is done;
#             and vigil's engine slot reloading the .vdb 5 times while a
#             thread scans (build/bench/bench_reload, VmRSS every 5 ms)
# Sets are generated with shared/bench/make-sigs.py and cached in
# $CACHE (default /var/tmp/vigil-bench). Prints one table with ratios.
# Knobs: SETS="small mid large", LOAD_RUNS=3, CACHE, SKIP_CLAMD=1.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SHARED=${SHARED:-$ROOT/../shared}
CACHE=${CACHE:-/var/tmp/vigil-bench}
SETS=${SETS:-small mid large}
LOAD_RUNS=${LOAD_RUNS:-3}
VIGIL=${VIGIL:-$ROOT/build/vigil}
VIGILD=${VIGILD:-$(dirname "$VIGIL")/vigild}
RELOAD_BIN=${RELOAD_BIN:-$(dirname "$VIGIL")/bench/bench_reload}
[ -x "$VIGIL" ] && [ -x "$VIGILD" ] && [ -x "$RELOAD_BIN" ] || { echo "build first: make build" >&2; exit 2; }
mkdir -p "$CACHE"
W=$(mktemp -d /tmp/vigil-dbload.XXXXXX)
trap 'pkill -F "$W/clamd.pid" 2>/dev/null; [ -n "${VGD_PID:-}" ] && kill "$VGD_PID" 2>/dev/null; rm -rf "$W"' EXIT
probe=/usr/share/clamav-testfiles/clam.exe
[ -f "$probe" ] || { printf 'hello\n' > "$W/probe"; probe=$W/probe; }

set_params() { case $1 in
  small) echo "10000 1000";; mid) echo "100000 10000";; large) echo "1000000 100000";;
  *) echo "bad set $1" >&2; exit 2;; esac; }

ensure_set() { # name -> prints dir
  local name=$1 h b; read -r h b < <(set_params "$name")
  local d="$CACHE/dbload-$name"
  if [ ! -f "$d/.done" ]; then
    rm -rf "$d"
    if [ ! -f "$CACHE/corpus.done" ]; then
      bash "$SHARED/bench/make-corpus.sh" "$CACHE/corpus" >/dev/null 2>&1 && touch "$CACHE/corpus.done"
    fi
    python3 "$SHARED/bench/make-sigs.py" "$d" --hashes "$h" --bodies "$b" \
      --corpus "$CACHE/corpus" --no-verify >/dev/null 2>&1 || { echo "make-sigs failed for $name" >&2; exit 2; }
    touch "$d/.done"
  fi
  echo "$d"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

timed() { # runs command LOAD_RUNS times; prints "median_wall peak_rss_kb"
  local walls=() rss=0 i
  for ((i = 0; i < LOAD_RUNS; i++)); do
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$W/t" "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    read -r r < "$W/t"
    walls+=("$(echo "($t1 - $t0) / 1000000000" | bc -l)"); [ "$r" -gt "$rss" ] && rss=$r
  done
  printf '%s %s\n' "$(printf '%s\n' "${walls[@]}" | median)" "$rss"
}

vmrss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# daemon_case clamd|vigild DBDIR -> "ready_s rss_kb reload_peak_kb"
daemon_case() {
  local kind=$1 sig=$2 bin pid
  cat > "$W/$kind.conf" <<EOC
LocalSocket $W/$kind.sock
DatabaseDirectory $sig
PidFile $W/$kind.pid
Foreground yes
TemporaryDirectory $W
LogFile $W/$kind.log
User root
MaxThreads 10
DisableCache yes
EOC
  [ "$kind" = vigild ] && sed -i '/^User /d; /^DisableCache /d; /^PidFile /d' "$W/$kind.conf"
  rm -f "$W/$kind.sock" "$W/$kind.log"
  bin=clamd; [ "$kind" = vigild ] && bin=$VIGILD
  local t0 t1
  t0=$(date +%s.%N)
  "$bin" -c "$W/$kind.conf" -F >/dev/null 2>&1 & pid=$!
  [ "$kind" = vigild ] && VGD_PID=$pid
  for _ in $(seq 1 3000); do
    [ -S "$W/$kind.sock" ] && python3 - "$W/$kind.sock" <<'EOP' 2>/dev/null && break
import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"zPING\0")
sys.exit(0 if s.recv(16).startswith(b"PONG") else 1)
EOP
    sleep 0.05
  done
  t1=$(date +%s.%N)
  sleep 1
  local out
  out=$(python3 - "$W/$kind.sock" "$pid" "$W/$kind.log" <<'EOP'
import socket, sys, time
sock, pid, log = sys.argv[1], sys.argv[2], sys.argv[3]
def rss():
    for l in open("/proc/%s/status" % pid):
        if l.startswith("VmRSS"):
            return int(l.split()[1])
steady = rss(); peak = steady
s = socket.socket(socket.AF_UNIX); s.connect(sock); s.sendall(b"zRELOAD\0"); s.recv(64)
t = time.time()
while time.time() - t < 300:
    peak = max(peak, rss())
    if "correctly reloaded" in open(log, errors="replace").read():
        break
    time.sleep(0.02)
print(steady, peak)
EOP
)
  kill $pid 2>/dev/null; wait $pid 2>/dev/null
  echo "$(echo "$t1 - $t0" | bc -l | xargs printf '%.3f') $out"
}

printf '%-6s | %-26s | %-28s | %-30s | %-34s\n' set "compile (vigil db build)" "load s (clamscan / vigil vdb)" "RSS after load MB (clamd/vigild)" "reload peak/steady (clamd / vigild / slot)"
for set in $SETS; do
  d=$(ensure_set "$set")
  sig="$d/clamav"
  /usr/bin/time -f "%e %M" -o "$W/ct" "$VIGIL" db build -o "$W/$set.vdb" "$sig" >/dev/null 2>&1 || { echo "db build failed"; continue; }
  read -r cwall crss < "$W/ct"
  vsize=$(stat -c %s "$W/$set.vdb")
  read -r cl_load cl_rss < <(timed clamscan --no-summary -d "$sig" "$probe")
  read -r vg_load vg_rss < <(timed "$VIGIL" scan --no-summary -d "$W/$set.vdb" "$probe")
  read -r vs_load vs_rss < <(timed "$VIGIL" scan --no-summary -d "$sig" "$probe")
  read -r _ l_s _ steady _ peak _ ratio < <("$RELOAD_BIN" "$W/$set.vdb" 5)
  mkdir -p "$W/vdbdir-$set"; cp "$W/$set.vdb" "$W/vdbdir-$set/"
  read -r vd_load vd_rss vd_peak < <(daemon_case vigild "$W/vdbdir-$set")
  if [ "${SKIP_CLAMD:-0}" != 1 ]; then read -r cd_load cd_rss cd_peak < <(daemon_case clamd "$sig"); else cd_load=0; cd_rss=1; cd_peak=1; fi
  printf '%-6s | %6.2f s, %4d MB .vdb      | %6.3f / %6.3f  (x%-6.1f)    | %6.0f / %6.0f  (1/%-5.1f)       | %4.2f / %4.2f / %4.2f\n' \
    "$set" "$cwall" $((vsize / 1048576)) "$cl_load" "$vg_load" "$(echo "$cl_load / $vg_load" | bc -l)" \
    "$(echo "$cd_rss / 1024" | bc -l)" "$(echo "$vd_rss / 1024" | bc -l)" "$(echo "$cd_rss / $vd_rss" | bc -l)" \
    "$(echo "$cd_peak / $cd_rss" | bc -l)" "$(echo "$vd_peak / $vd_rss" | bc -l)" "$ratio"
  echo "         details: vigil text-source load $(printf %.3f "$vs_load")s peak ${vs_rss}KB; clamscan peak ${cl_rss}KB; vigil vdb peak ${vg_rss}KB; clamd ready in ${cd_load}s, vigild in ${vd_load}s; slot steady ${steady}KB peak ${peak}KB, load ${l_s}s"
done
