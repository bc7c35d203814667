#!/usr/bin/env bash
# bench/vs-clamd.sh - vigild against Debian's clamd under load, in one run,
# with the same signatures and the same clamd.conf.
#
# CLIENTS (200) concurrent clients send small files by INSTREAM for SECONDS
# (60) to each daemon in turn: each client connects, sends zINSTREAM, the
# file in one chunk and the end marker, reads the reply to EOF, and starts
# over. The load generator is a single-threaded epoll C program compiled
# here (a Python client would measure Python). Files: FILES (1000) random
# files of 1-16 KiB, one in ten the ClamAV test file (clam.exe) instead,
# which must come back FOUND; every other reply must be "stream: OK". Any
# other reply, refused or broken connection counts as an error.
#
# Printed side by side with the ratio vigild/clamd: requests/s, p50 and p99
# latency (connect to EOF), errors (must be 0), peak RSS (VmHWM of the
# daemon) during the load (reset after start-up through clear_refs) and
# overall, start-up included (vigild's peak is its pattern compiler's).
# Target (issue 4): >= 3x clamd's requests/s on small files.
#
# Signatures: shared/bench/make-sigs.py (SIG_HASHES 10000 MD5 + as many
# SHA-256, SIG_BODIES 1000 ndb body patterns) plus one ndb line for
# clam.exe; both daemons read the same DatabaseDirectory.
#
# Environment: BUILD [build] (vigild is $BUILD/vigild; use a release
# build), SECONDS_PER [60], CLIENTS [200], FILES [1000], MAX_THREADS [10],
# SIG_HASHES [10000], SIG_BODIES [1000], WORKDIR [mktemp], KEEP [0].
# Exit status: 0 when both runs had no error, 1 otherwise, 2 on setup errors.
set -uo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
VIGILD=${VIGILD:-$BUILD/vigild}
SECONDS_PER=${SECONDS_PER:-60}
CLIENTS=${CLIENTS:-200}
FILES=${FILES:-1000}
MAX_THREADS=${MAX_THREADS:-10}
SIG_HASHES=${SIG_HASHES:-10000}
SIG_BODIES=${SIG_BODIES:-1000}
SHARED=${SHARED:-$ROOT/../shared}
CLAMEXE=/usr/share/clamav-testfiles/clam.exe
W=${WORKDIR:-$(mktemp -d /tmp/vigil-vs-clamd.XXXXXX)}
mkdir -p "$W"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  [ "${KEEP:-0}" = 1 ] || rm -rf "$W"
}
trap cleanup EXIT
die() { echo "vs-clamd: $*" >&2; exit 2; }

[ -x "$VIGILD" ] || die "no $VIGILD (make build, or BUILD=dir)"
command -v clamd >/dev/null || die "clamd not installed (apt-get install clamav-daemon)"
[ -r "$CLAMEXE" ] || die "$CLAMEXE missing (apt-get install clamav-testfiles)"
command -v cc >/dev/null || die "no C compiler"
ldd "$VIGILD" | grep -q libasan && echo "warning: $VIGILD is a sanitizer build; numbers will be low" >&2

# ---- load generator -----------------------------------------------------------
cat > "$W/load.c" <<'EOF'
/* INSTREAM load: N clients on one epoll loop, each connect-send-read-EOF in
 * a loop for S seconds. Prints "requests errors p50_ms p99_ms". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

typedef struct { char *req; size_t len; int infected; } sample;
typedef struct { int fd, st, s; size_t off; char rep[256]; size_t rlen; double t0; } client;
static sample *smp; static int nsmp;
static struct sockaddr_un sa;
static const char OKR[] = "stream: OK", FOUNDR[] = "stream: Vigil.Test.ClamExe.UNOFFICIAL FOUND";
static double *lat; static size_t nlat, caplat;
static long nreq, nerr; static int ep;
static unsigned rnd = 12345;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static unsigned rng(void) { rnd = rnd * 1103515245u + 12345u; return rnd >> 8; }

static void start(client *c)
{
    c->s = (int)(rng() % (unsigned)nsmp); c->off = 0; c->rlen = 0; c->t0 = now();
    c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        if (c->fd >= 0 && (errno == EAGAIN || errno == EINPROGRESS)) { /* backlog full: retry */
            close(c->fd); c->fd = -1; c->st = 3; return;
        }
        nerr++; if (c->fd >= 0) close(c->fd); c->fd = -1; c->st = 3; return;
    }
    c->st = 0;
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static void finish(client *c, int good)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); close(c->fd); c->fd = -1;
    if (!good) nerr++;
    else {
        nreq++;
        if (nlat == caplat) { caplat = caplat ? caplat * 2 : 1 << 16; lat = realloc(lat, caplat * sizeof *lat); }
        lat[nlat++] = now() - c->t0;
    }
}

static void step(client *c, uint32_t ev)
{
    sample *s = &smp[c->s];
    if (c->st == 0 && (ev & EPOLLOUT)) {
        ssize_t k = send(c->fd, s->req + c->off, s->len - c->off, MSG_NOSIGNAL);
        if (k < 0 && errno != EAGAIN) { finish(c, 0); return; }
        if (k > 0) c->off += (size_t)k;
        if (c->off == s->len) {
            c->st = 1;
            struct epoll_event e2 = {.events = EPOLLIN, .data.ptr = c};
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e2);
        }
    }
    if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        for (;;) {
            char buf[512];
            ssize_t k = recv(c->fd, buf, sizeof buf, 0);
            if (k > 0) {
                size_t take = (size_t)k < sizeof c->rep - c->rlen ? (size_t)k : sizeof c->rep - c->rlen;
                memcpy(c->rep + c->rlen, buf, take); c->rlen += take; continue;
            }
            if (k < 0 && errno == EAGAIN) return;
            const char *want = s->infected ? FOUNDR : OKR;
            size_t wl = strlen(want);
            int good = k == 0 && c->st == 1 && c->rlen == wl + 1 && !memcmp(c->rep, want, wl) && c->rep[wl] == 0;
            if (!good && nerr < 5) fprintf(stderr, "bad reply (%zd, %d): %.*s\n", k, errno, (int)c->rlen, c->rep);
            finish(c, good); return;
        }
    }
}

static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv)
{
    if (argc < 5) return 2;
    sa.sun_family = AF_UNIX; snprintf(sa.sun_path, sizeof sa.sun_path, "%s", argv[1]);
    int n = atoi(argv[2]); double secs = atof(argv[3]);
    nsmp = argc - 4; smp = calloc((size_t)nsmp, sizeof *smp);
    for (int i = 0; i < nsmp; i++) {
        const char *p = argv[4 + i];
        int fd = open(p, O_RDONLY); struct stat sb; fstat(fd, &sb);
        size_t l = (size_t)sb.st_size;
        smp[i].req = malloc(l + 18); memcpy(smp[i].req, "zINSTREAM", 10);
        uint32_t be = htonl((uint32_t)l); memcpy(smp[i].req + 10, &be, 4);
        if (read(fd, smp[i].req + 14, l) != (ssize_t)l) return 2;
        memset(smp[i].req + 14 + l, 0, 4); smp[i].len = l + 18; close(fd);
        smp[i].infected = strstr(p, "infected") != NULL;
    }
    ep = epoll_create1(0);
    client *cl = calloc((size_t)n, sizeof *cl);
    double end = now() + secs;
    for (int i = 0; i < n; i++) start(&cl[i]);
    struct epoll_event evs[512];
    while (now() < end) {
        int k = epoll_wait(ep, evs, 512, 5);
        for (int i = 0; i < k; i++) step(evs[i].data.ptr, evs[i].events);
        for (int i = 0; i < n; i++) if (cl[i].fd < 0) start(&cl[i]);
    }
    qsort(lat, nlat, sizeof *lat, cmp);
    double p50 = nlat ? lat[nlat / 2] * 1e3 : 0, p99 = nlat ? lat[(size_t)(nlat * 0.99)] * 1e3 : 0;
    printf("%ld %ld %.3f %.3f\n", nreq, nerr, p50, p99);
    return 0;
}
EOF
sed -i 's/#include <unistd.h>/#include <unistd.h>\n#include <arpa\/inet.h>/' "$W/load.c"
cc -O2 -o "$W/load" "$W/load.c" || die "load generator does not compile"

# ---- samples and signatures ----------------------------------------------------------
mkdir -p "$W/files" "$W/db" "$W/tmp"
python3 - "$W/files" "$FILES" "$CLAMEXE" <<'EOF'
import os, random, sys
d, n, clam = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], 'rb').read()
r = random.Random(4)
for i in range(n):
    if i % 10 == 9:
        open(os.path.join(d, 'infected-%05d' % i), 'wb').write(clam)
    else:
        open(os.path.join(d, 'clean-%05d' % i), 'wb').write(bytes(r.getrandbits(8) for _ in range(r.randint(1024, 16384))))
EOF
if [ -f "$SHARED/bench/make-sigs.py" ]; then
  python3 "$SHARED/bench/make-sigs.py" "$W/sigs" --hashes "$SIG_HASHES" --bodies "$SIG_BODIES" --no-verify --hits 0 --hash-hits 0 > "$W/sigs.log" 2>&1 ||
    die "make-sigs.py failed (see $W/sigs.log)"
  cp "$W"/sigs/clamav/vigil.{hdb,hsb,ndb} "$W/db/"
fi
hex=$(od -An -tx1 -j64 -N48 "$CLAMEXE" | tr -d ' \n')
printf 'Vigil.Test.ClamExe:0:*:%s\n' "$hex" > "$W/db/clamexe.ndb"
nsigs=$(cat "$W"/db/* | wc -l)

conf() { # NAME
  cat <<EOF
LocalSocket $W/$1.sock
Foreground yes
DatabaseDirectory $W/db
TemporaryDirectory $W/tmp
LogFile $W/$1.log
User root
MaxThreads $MAX_THREADS
MaxQueue $((MAX_THREADS * 10))
MaxConnectionQueueLength 1024
StreamMaxLength 25M
EOF
}
wait_ping() { # SOCK PID
  for _ in $(seq 1200); do
    kill -0 "$2" 2>/dev/null || return 1
    [ -S "$1" ] && [ "$(python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(sys.argv[1]); s.sendall(b"zPING\0"); print(s.recv(9))' "$1" 2>/dev/null)" = "b'PONG\\x00'" ] && return 0
    sleep 0.1
  done
  return 1
}
run() { # NAME CMD...: start the daemon, load it, stop it; sets R_*
  local name=$1; shift
  conf "$name" > "$W/$name.conf"
  local t0; t0=$(date +%s.%N)
  "$@" -c "$W/$name.conf" > "$W/$name.out" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_ping "$W/$name.sock" "$pid" || die "$name did not start (see $W/$name.out)"
  local start_s; start_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
  # the peak so far is start-up's (vigild's pattern compiler is the
  # biggest user there); reset it so that the load's own peak is measured
  local hwm0; hwm0=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
  echo 5 2>/dev/null > "/proc/$pid/clear_refs" || hwm0=0
  read -r req err p50 p99 < <("$W/load" "$W/$name.sock" "$CLIENTS" "$SECONDS_PER" "$W"/files/* 2> "$W/$name.load.err")
  local hwm; hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
  [ "$hwm0" -gt "$hwm" ] || hwm0=$hwm
  kill -TERM "$pid"
  # clamd 1.4.6 sometimes hangs on SIGTERM after a load like this one
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { echo "note: $name did not exit on SIGTERM within 10 s; killed" >&2; kill -KILL "$pid"; }
  wait "$pid" 2>/dev/null
  eval "R_${name}_rps=$(awk -v r="$req" -v s="$SECONDS_PER" 'BEGIN {printf "%.1f", r / s}')"
  eval "R_${name}_err=$err R_${name}_p50=$p50 R_${name}_p99=$p99 R_${name}_rss=$((hwm / 1024)) R_${name}_rss0=$((hwm0 / 1024)) R_${name}_start=$start_s"
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "load: $CLIENTS clients x ${SECONDS_PER} s of INSTREAM, $FILES files of 1-16 KiB (10% clam.exe), $nsigs signatures, MaxThreads $MAX_THREADS"
echo "vigild: $VIGILD"
echo "clamd:  $(command -v clamd) ($(clamd --version 2>/dev/null))"
run vigild "$VIGILD"
run clamd clamd
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
echo
printf '%-22s %12s %12s %10s\n' "" vigild clamd "vigild/clamd"
printf '%-22s %12s %12s %10s\n' "requests/s" "$R_vigild_rps" "$R_clamd_rps" "$(ratio "$R_vigild_rps" "$R_clamd_rps")"
printf '%-22s %12s %12s %10s\n' "p50 latency (ms)" "$R_vigild_p50" "$R_clamd_p50" "$(ratio "$R_vigild_p50" "$R_clamd_p50")"
printf '%-22s %12s %12s %10s\n' "p99 latency (ms)" "$R_vigild_p99" "$R_clamd_p99" "$(ratio "$R_vigild_p99" "$R_clamd_p99")"
printf '%-22s %12s %12s %10s\n' "errors" "$R_vigild_err" "$R_clamd_err" ""
printf '%-22s %12s %12s %10s\n' "peak RSS, load (MiB)" "$R_vigild_rss" "$R_clamd_rss" "$(ratio "$R_vigild_rss" "$R_clamd_rss")"
printf '%-22s %12s %12s %10s\n' "peak RSS, all (MiB)" "$R_vigild_rss0" "$R_clamd_rss0" "$(ratio "$R_vigild_rss0" "$R_clamd_rss0")"
printf '%-22s %12s %12s %10s\n' "start-up to PONG (s)" "$R_vigild_start" "$R_clamd_start" ""
x=$(awk -v a="$R_vigild_rps" -v b="$R_clamd_rps" 'BEGIN { print (b > 0 && a >= 3 * b) ? "met" : "NOT met" }')
echo
echo "target >= 3x clamd's requests/s: $x"
[ "$R_vigild_err" = 0 ] && [ "$R_clamd_err" = 0 ]
