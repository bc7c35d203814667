#!/usr/bin/env bash
# tests/e2e/daemon_lib.sh - helpers for the vigild end-to-end tests
# (tests/e2e/daemon_*.sh source it): TAP output, fixtures, starting and
# stopping vigild and Debian's clamd on unix sockets in a temporary
# directory, and a raw-socket probe (send bytes, pass descriptors, read the
# reply until EOF). Run directly, it is a smoke test: vigild starts,
# answers PING and exits cleanly on SIGTERM.
#
# Env: VIGIL_BUILD (vigild is $VIGIL_BUILD/vigild), VIGIL_SRC.
set -u
VIGIL_SRC=${VIGIL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VIGIL_BUILD=${VIGIL_BUILD:-$VIGIL_SRC/build}
VIGILD=$VIGIL_BUILD/vigild
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
CLAMEXE=/usr/share/clamav-testfiles/clam.exe
EICAR='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'

T=$(mktemp -d "${TMPDIR:-/tmp}/vigild-e2e.XXXXXX") || exit 1
chmod 755 "$T"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  [ -n "${VIGIL_KEEP:-}" ] && echo "# kept $T" || rm -rf "$T"
}
trap cleanup EXIT

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1${VIGIL_TIMING:+ [$SECONDS s]}"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
same() { # DESC FILE_A FILE_B
  if cmp -s "$2" "$3"; then ok "$1"; else
    nok "$1"; diff "$2" "$3" | sed 's/^/#   /' | head -n 20
  fi
}
have_clamd() { command -v clamd >/dev/null 2>&1 && [ -r "$CLAMEXE" ]; }

# fixtures: $T/db (one ndb line from clam.exe + an EICAR md5), $T/data
make_fixtures() {
  mkdir -p "$T/db" "$T/data" "$T/tmp"
  if [ -r "$CLAMEXE" ]; then
    local hex; hex=$(od -An -tx1 -j64 -N48 "$CLAMEXE" | tr -d ' \n')
    printf 'Vigil.Test.ClamExe:0:*:%s\n' "$hex" > "$T/db/test.ndb"
    cp "$CLAMEXE" "$T/data/clam.exe"
  fi
  printf '%s:68:Vigil.Test.Eicar\n' "$(printf '%s' "$EICAR" | md5sum | cut -d' ' -f1)" > "$T/db/test.hdb"
  printf '%s' "$EICAR" > "$T/data/eicar.com"
  printf 'hello world\n' > "$T/data/clean.txt"
  : > "$T/data/empty"
  mkdir -p "$T/data/dir/sub/deeper" "$T/data/cdir" "$T/data/edir"
  cp "$T/data/eicar.com" "$T/data/dir/e1.com"
  printf 'clean\n' > "$T/data/dir/c.txt"
  cp "$T/data/eicar.com" "$T/data/dir/sub/e2.com"
  printf 'x\n' > "$T/data/dir/sub/deeper/x.txt"
  [ -f "$T/data/clam.exe" ] && cp "$T/data/clam.exe" "$T/data/dir/sub/deeper/c.exe"
  printf 'a\n' > "$T/data/cdir/a"
  printf 'b\n' > "$T/data/cdir/b"
  ln -s clean.txt "$T/data/link.txt"
  mkfifo "$T/data/fifo"
  chmod -R a+rX "$T/data" "$T/db"
}

# make_daily [VERSION]: a daily.cud (sigtool's unsigned container, version
# 27 by default) in $T/db, so that VERSION carries clamd's
# "/<version>/<build time>" suffix; 1 without sigtool
make_daily() {
  command -v sigtool >/dev/null 2>&1 || return 1
  local ver=${1:-27}
  rm -rf "$T/daily"
  mkdir -p "$T/daily" && (
    cd "$T/daily" || exit 1
    printf 'Vigil.Test.Daily:0:*:766967696c2d6461696c792d6f6e6c79\n' > daily.ndb
    printf 'GPL\n' > COPYING
    printf '%s\nvigiltest\n' "$ver" | sigtool --unsigned --build=daily.cud --datadir="$PWD" > sigtool.log 2>&1
  ) && [ -s "$T/daily/daily.cud" ] && cp "$T/daily/daily.cud" "$T/db/.daily.new" &&
    chmod a+r "$T/db/.daily.new" && mv "$T/db/.daily.new" "$T/db/daily.cud"
}

# wait_sock SOCK SECONDS: until PING answers PONG
wait_sock() {
  local s=$1 i
  for ((i = 0; i < $2 * 10; i++)); do
    if [ -S "$s" ] && [ "$(probe "$s" "[b'zPING\0']" 2>/dev/null)" = "b'PONG\\x00'" ]; then return 0; fi
    sleep 0.1
  done
  return 1
}

# start_vigild NAME [conf lines...]: sets VPID, VSOCK; conf in $T/NAME.conf;
# VIGILD_ARGS: more command-line options
start_vigild() {
  local name=$1; shift
  VSOCK=$T/$name.sock
  {
    echo "LocalSocket $VSOCK"
    echo "Foreground yes"
    echo "DatabaseDirectory $T/db"
    echo "TemporaryDirectory $T/tmp"
    echo "LogFile $T/$name.log"
    for l in "$@"; do echo "$l"; done
  } > "$T/$name.conf"
  # shellcheck disable=SC2086
  "$VIGILD" -c "$T/$name.conf" ${VIGILD_ARGS:-} > "$T/$name.out" 2>&1 &
  VPID=$!
  PIDS+=("$VPID")
  wait_sock "$VSOCK" 30
}

# start_clamd NAME [conf lines...]: sets CPID, CSOCK
start_clamd() {
  local name=$1; shift
  CSOCK=$T/$name.sock
  {
    echo "LocalSocket $CSOCK"
    echo "Foreground yes"
    echo "DatabaseDirectory $T/db"
    echo "TemporaryDirectory $T/tmp"
    echo "LogFile $T/$name.log"
    echo "User root"
    for l in "$@"; do echo "$l"; done
  } > "$T/$name.conf"
  clamd -c "$T/$name.conf" > "$T/$name.out" 2>&1 &
  CPID=$!
  PIDS+=("$CPID")
  wait_sock "$CSOCK" 60
}

# stop PID: SIGTERM, then wait (up to 10 s); returns the exit status
stop() {
  local p=$1 i
  kill -TERM "$p" 2>/dev/null
  for ((i = 0; i < 100; i++)); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$p" 2>/dev/null
  wait "$p" 2>/dev/null
}

# probe SOCK PARTS...: each PARTS is a python list: bytes are sent, floats
# sleep, ('fd', PATH, BYTES) sends BYTES with PATH's descriptor. Prints the
# repr of the reply (all bytes until EOF, "<TIMEOUT>" after PROBE_WAIT s).
cat > "$T/probe.py" <<'EOF'
import socket, sys, time, os, array, re
def probe(path, parts, wait):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    for p in parts:
        if isinstance(p, float):
            time.sleep(p); continue
        try:
            if isinstance(p, tuple):
                f = os.open(p[1], os.O_RDONLY)
                s.sendmsg([p[2]], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [f]))])
                os.close(f)
            else:
                s.sendall(p)
        except OSError:
            pass
    s.settimeout(wait)
    out = b''
    try:
        while True:
            d = s.recv(65536)
            if not d: break
            out += d
    except socket.timeout:
        out += b'<TIMEOUT>'
    except OSError as e:
        out += b'<RESET>'
    s.close()
    return out
def norm(o):  # clamd's own descriptor number is its business
    return re.sub(rb'fd\[\d+\]', b'fd[N]', o)
if __name__ == '__main__':
    wait = float(os.environ.get('PROBE_WAIT', '2'))
    for expr in sys.argv[2:]:
        print(repr(probe(sys.argv[1], eval(expr), wait)))
EOF
probe() { PROBE_WAIT=${PROBE_WAIT:-2} "$PY" "$T/probe.py" "$@"; }

# fd_count PID
fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
# rss_kb PID
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null; }

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  make_fixtures
  if start_vigild smoke "MaxThreads 2"; then ok "vigild starts and answers PING"; else
    nok "vigild starts and answers PING"; sed 's/^/#   /' "$T/smoke.out" "$T/smoke.log" 2>/dev/null; exit 1
  fi
  stop "$VPID"; rc=$?
  check "vigild exits 0 on SIGTERM (got $rc)" test "$rc" -eq 0
  check "vigild removed its socket on exit" test ! -e "$VSOCK"
  echo "1..$n"
  [ "$fails" -eq 0 ]
fi
