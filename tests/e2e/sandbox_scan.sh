#!/usr/bin/env bash
# tests/e2e/sandbox_scan.sh - `vigil scan` runs under its seccomp sandbox
# (src/sandbox/seccomp.h): the kernel says so while it scans; real scans
# (archives, a large file, JSON, threads, progress bar, quarantine) print
# exactly what they print with --no-sandbox; and when a scanning thread of
# the real binary tries to open a socket, start a program or write a file,
# the process is stopped with a message. The misbehaving thread is made by
# an LD_PRELOAD shim around open(): when vigil opens a file whose name
# contains "trigger-socket" (-exec, -write), the shim does that first.
# The same for vigild: its scanning threads run under the filter, its
# listening socket still works, and a thread's socket() kills it with the
# line in its LogFile.
#
#   VIGIL=path/to/vigil bash tests/e2e/sandbox_scan.sh
set -u
VIGIL_SRC=${VIGIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
VIGIL=${VIGIL:-$VIGIL_SRC/build/vigil}
TESTFILES=${VIGIL_TESTFILES:-/usr/share/clamav-testfiles}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vigil-sandbox.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
same() {
  if cmp -s "$2" "$3"; then ok "$1"; else
    nok "$1"; diff "$2" "$3" | sed 's/^/#   /' | head -n 20
  fi
}
have() { command -v "$1" >/dev/null 2>&1; }

EICAR='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'

# ---- the kernel's view of a running scan --------------------------------
{ sleep 1; printf '%s' "$EICAR"; } | "$VIGIL" scan --no-summary - > out.txt 2> err.txt &
pid=$!
sleep 0.5
grep -E '^(Seccomp|NoNewPrivs):' "/proc/$pid/status" > status.txt 2>/dev/null
wait "$pid"; rc=$?
check "while scanning: Seccomp: 2 (filter) in /proc/PID/status ($(tr '\n\t' '  ' < status.txt))" \
  grep -qP '^Seccomp:\t2$' status.txt
check "while scanning: NoNewPrivs: 1" grep -qP '^NoNewPrivs:\t1$' status.txt
check "and the scan works: stdin FOUND, exit 1" bash -c "[ $rc -eq 1 ] && grep -q 'stdin: .* FOUND' out.txt"
check "nothing on stderr" test ! -s err.txt

{ sleep 1; echo clean; } | "$VIGIL" scan --no-sandbox --no-summary - > out.txt 2> err.txt &
pid=$!
sleep 0.5
grep -E '^Seccomp:' "/proc/$pid/status" > status.txt 2>/dev/null
wait "$pid"
check "--no-sandbox: Seccomp: 0" grep -qP '^Seccomp:\t0$' status.txt
check "--no-sandbox says so on stderr ($(cat err.txt))" grep -q -- '--no-sandbox: scanning WITHOUT the seccomp sandbox' err.txt

if have strace; then
  # (LeakSanitizer cannot run under ptrace: off for this one run)
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -qq -e trace=seccomp,prctl -e signal=none -o trace.txt "$VIGIL" scan --no-summary "$TESTFILES/clam.exe" >/dev/null 2>&1
  check "strace: one seccomp(SECCOMP_SET_MODE_FILTER, TSYNC) call, = 0" \
    grep -qE 'seccomp\(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC.*= 0' trace.txt
  check "strace: prctl(PR_SET_NO_NEW_PRIVS, 1) = 0" grep -qE 'prctl\(PR_SET_NO_NEW_PRIVS, 1.*= 0' trace.txt
else
  skip "strace shows the filter going in" "strace not installed"
fi

# ---- real scans give the same output with and without the sandbox -------
mkdir -p tree/deep/er
[ -d "$TESTFILES" ] && cp "$TESTFILES"/* tree/ 2>/dev/null
printf '%s' "$EICAR" > tree/deep/eicar.com
if have zip; then (cd tree/deep && zip -q er/e.zip eicar.com); fi
if have tar && have xz; then tar -C tree -cJf tree/deep/er/t.tar.xz deep/eicar.com; fi
if have 7z; then (cd tree/deep && 7z a -bd -bso0 -bse0 er/e.7z eicar.com); fi
head -c 40000000 /dev/urandom > tree/big.bin          # 40 MB, read in full
{ head -c 3000000 /dev/urandom; printf '%s' "$EICAR"; } > tree/deep/tail.bin
# (the builtin ndb signature is at offset 0: tail.bin is clean, on purpose)
for mode in text json; do
  args=(--no-summary --threads 4)
  [ "$mode" = json ] && args+=(--json --all-match)
  "$VIGIL" scan "${args[@]}" tree > "sb.$mode" 2> "sb.$mode.err"; rc1=$?
  "$VIGIL" scan --no-sandbox "${args[@]}" tree > "nosb.$mode" 2>/dev/null; rc2=$?
  for f in "sb.$mode" "nosb.$mode"; do
    sed -E 's/"time_ms":[0-9.e+-]+/"time_ms":T/' "$f" | sort > "$f.s"
  done
  same "$mode: sandboxed scan of $(find tree -type f | wc -l) files (archives, 40 MB) = unsandboxed" "sb.$mode.s" "nosb.$mode.s"
  check "$mode: same exit code ($rc1, $rc2), nothing on stderr" bash -c "[ $rc1 -eq $rc2 ] && [ ! -s sb.$mode.err ]"
done
check "the tree has detections inside archives" grep -q 'e.7z: .* FOUND\|e.zip: .* FOUND' sb.text
"$VIGIL" scan --progress --threads 3 tree > prog.out 2> prog.err; rc=$?
check "--progress with 3 threads and the summary: exit $rc, bar drawn" \
  bash -c "[ $rc -eq 1 ] && grep -q 'files' prog.err && grep -q 'SCAN SUMMARY' prog.out && ! grep -q sandbox prog.err"
cp -r tree qtree
"$VIGIL" scan --quarantine --quarantine-dir "$TMP/store" --no-summary -i qtree > q.out 2> q.err; rc=$?
check "--quarantine under the sandbox: exit 1, files moved ($(grep -c 'moved to quarantine' q.out))" \
  bash -c "[ $rc -eq 1 ] && grep -q 'moved to quarantine' q.out && [ ! -e qtree/deep/eicar.com ] && ! grep -q sandbox q.err"

# ---- a scanning thread that misbehaves is stopped ------------------------
if ! have cc; then
  skip "misbehaving scanning thread" "no C compiler for the LD_PRELOAD shim"
  echo "1..$n"; exit 0
fi
cat > shim.c <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
static void misbehave(const char *path)
{
    if (strstr(path, "trigger-socket"))
        socket(AF_INET, SOCK_STREAM, 0);
    if (strstr(path, "trigger-exec"))
        execl("/bin/true", "true", (char *)0);
    if (strstr(path, "trigger-write"))
        close(open("/tmp/vigil-sandbox-escape", O_WRONLY | O_CREAT, 0600));
}
static int real_open(const char *sym, const char *path, int flags, mode_t mode)
{
    int (*f)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, sym);
    return f(path, flags, mode);
}
int open(const char *path, int flags, ...)
{
    va_list ap; va_start(ap, flags); mode_t m = va_arg(ap, mode_t); va_end(ap);
    misbehave(path);
    return real_open("open", path, flags, m);
}
int open64(const char *path, int flags, ...)
{
    va_list ap; va_start(ap, flags); mode_t m = va_arg(ap, mode_t); va_end(ap);
    misbehave(path);
    return real_open("open64", path, flags, m);
}
C
if ! cc -shared -fPIC -o shim.so shim.c -ldl 2>cc.err; then
  nok "building the shim: $(head -3 cc.err)"; echo "1..$n"; exit 1
fi
# the ASan runtime wants to be first in the library list; the shim is
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
mkdir trig
for i in 1 2 3 4 5 6; do echo clean > "trig/clean$i.txt"; done
for what in socket exec write; do
  rm -f trig/trigger-* /tmp/vigil-sandbox-escape
  echo x > "trig/trigger-$what"
  # (in a subshell: bash's own "Bad system call" notice goes to /dev/null)
  (LD_PRELOAD=$PWD/shim.so "$VIGIL" scan --threads 3 --no-summary trig > t.out 2> t.err; exit $?) 2>/dev/null
  rc=$?
  call=$what; [ "$what" = exec ] && call=execve; [ "$what" = write ] && call=openat
  check "a scanning thread calling $call: process killed by SIGSYS (exit $rc = 128+31)" test "$rc" -eq 159
  check "  with the message ($(head -c 120 t.err))" \
    grep -q "vigil: sandbox: system call $call ([0-9]*) is not allowed while scanning; the process is stopped" t.err
  [ "$what" = write ] && check "  and no file was written" test ! -e /tmp/vigil-sandbox-escape
done
# control: the same shim without the sandbox gets through, so the test
# above would catch a missing filter
rm -f trig/trigger-*; echo x > trig/trigger-write; rm -f /tmp/vigil-sandbox-escape
LD_PRELOAD=$PWD/shim.so "$VIGIL" scan --no-sandbox --no-summary trig > t.out 2> t.err; rc=$?
check "control: with --no-sandbox the shim's write gets through (exit $rc)" \
  bash -c "[ $rc -eq 0 ] && [ -e /tmp/vigil-sandbox-escape ]"
rm -f /tmp/vigil-sandbox-escape

# ---- vigild: its scanning threads are sandboxed too ----------------------
# vigild keeps the listening socket it opened before the filter, answers
# SCAN from its pool threads under the filter, and when one of those
# threads calls socket() (the same shim) the daemon dies by SIGSYS with the
# line in its LogFile and on stderr. Control: --no-sandbox survives it.
VIGILD=${VIGIL_BUILD:-$(dirname "$VIGIL")}/vigild
vd_probe() { # SOCK COMMAND: the reply to one zCOMMAND\0
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
try:
    s.connect(sys.argv[1])
    s.sendall(b"z" + sys.argv[2].encode() + b"\0")
    out = b""
    while True:
        d = s.recv(4096)
        if not d:
            break
        out += d
    print(out.rstrip(b"\0").decode(errors="replace"))
except OSError as e:
    print("<" + e.__class__.__name__ + ">")' "$1" "$2"
}
vd_start() { # NAME ARGS...: sets vpid; waits for PONG
  local name=$1; shift
  mkdir -p "$TMP/vd/tmp"
  printf 'LocalSocket %s\nForeground yes\nTemporaryDirectory %s\nLogFile %s\nMaxThreads 2\n' \
    "$TMP/vd/$name.sock" "$TMP/vd/tmp" "$TMP/vd/$name.log" > "$TMP/vd/$name.conf"
  LD_PRELOAD=$PWD/shim.so "$VIGILD" -c "$TMP/vd/$name.conf" "$@" > "$TMP/vd/$name.out" 2>&1 &
  vpid=$!
  for _ in $(seq 1 100); do
    [ "$(vd_probe "$TMP/vd/$name.sock" PING 2>/dev/null)" = PONG ] && return 0
    kill -0 "$vpid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
seccomp_of() { awk '/^Seccomp:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
if [ ! -x "$VIGILD" ]; then
  skip "vigild sandbox" "no vigild next to $VIGIL"
else
  mkdir -p vd vdata
  printf '%s' "$EICAR" > vdata/eicar.com; echo clean > vdata/clean.txt; echo x > vdata/trigger-socket
  if vd_start sb; then
    grep -E '^(Seccomp|NoNewPrivs):' "/proc/$vpid/status" > vd/status.txt
    check "vigild: Seccomp: 2 and NoNewPrivs: 1 in /proc/PID/status ($(tr '\n\t' '  ' < vd/status.txt))" \
      bash -c "grep -qP '^Seccomp:\t2$' vd/status.txt && grep -qP '^NoNewPrivs:\t1$' vd/status.txt"
    check "vigild: its log says 'Sandbox: seccomp filter installed'" grep -q 'Sandbox: seccomp filter installed' vd/sb.log
    r1=$(vd_probe vd/sb.sock "SCAN $TMP/vdata/clean.txt"); r2=$(vd_probe vd/sb.sock "SCAN $TMP/vdata/eicar.com")
    check "vigild under the filter: its listening socket still accepts, SCAN works ($r1 / $r2)" \
      bash -c "[[ '$r1' == *': OK' && '$r2' == *'FOUND' ]]"
    r3=$(vd_probe vd/sb.sock "SCAN $TMP/vdata/trigger-socket")
    { wait "$vpid"; } 2>/dev/null; rc=$?
    check "vigild: a scanning thread calling socket: the daemon is killed by SIGSYS (exit $rc = 128+31; reply '$r3')" test "$rc" -eq 159
    check "  with the line in its LogFile ($(grep -m1 'sandbox: system call' vd/sb.log | head -c 100))" \
      grep -q "vigil: sandbox: system call socket ([0-9]*) is not allowed while scanning; the process is stopped" vd/sb.log
    check "  and on its stderr" grep -q "vigil: sandbox: system call socket (" vd/sb.out
  else
    nok "vigild did not start: $(head -3 vd/sb.out vd/sb.log 2>/dev/null | tr '\n' ' ')"
  fi
  if vd_start nosb --no-sandbox; then
    r3=$(vd_probe vd/nosb.sock "SCAN $TMP/vdata/trigger-socket")
    sc=$(seccomp_of "$vpid"); pong=$(vd_probe vd/nosb.sock PING)
    check "control: vigild --no-sandbox (Seccomp: $sc) survives the same thread (reply '$r3', then PING: $pong)" \
      bash -c "[ '$sc' = 0 ] && [ '$pong' = PONG ] && kill -0 $vpid"
    check "  and its log says it runs without the sandbox" grep -q -- '--no-sandbox: serving WITHOUT the seccomp sandbox' vd/nosb.log
    kill -TERM "$vpid"; wait "$vpid"
  else
    nok "vigild --no-sandbox did not start: $(head -3 vd/nosb.out 2>/dev/null | tr '\n' ' ')"
  fi
fi
echo "1..$n"
