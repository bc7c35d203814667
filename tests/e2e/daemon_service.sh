#!/usr/bin/env bash
# tests/e2e/daemon_service.sh - vigild as a service: options, clamd.conf
# errors and warnings, PidFile, forking into the background, SIGHUP log
# reopening, dropping privileges to User after binding, TCP, stale and
# busy sockets, LocalSocketMode, SHUTDOWN, systemd socket activation, and
# the unit files in contrib/.
. "$(dirname "$0")/daemon_lib.sh"
make_fixtures
D=$T/data

# ---- options and configuration errors ----------------------------------------------
"$VIGILD" --help > "$T/help" 2>&1; rc=$?
check "--help exits 0 and names -c/--config-file and -F/--foreground" \
  eval 'test $rc -eq 0 && grep -q -- "--config-file" "$T/help" && grep -q -- "--foreground" "$T/help"'
"$VIGILD" --version > "$T/ver" 2>&1
check "--version prints vigild's version" grep -q '^vigild [0-9]' "$T/ver"
"$VIGILD" --bogus > /dev/null 2>&1; rc=$?
check "an unknown option exits 2 (got $rc)" test "$rc" -eq 2
"$VIGILD" -c "$T/nope.conf" -F > "$T/err" 2>&1; rc=$?
check "a missing config file stops start-up, named ($(head -n 1 "$T/err"))" \
  eval 'test $rc -ne 0 && grep -q "nope.conf" "$T/err"'
bad() { # DESC LINE PATTERN
  printf 'LocalSocket %s\nForeground yes\nDatabaseDirectory %s\n%s\n' "$T/bad.sock" "$T/db" "$2" > "$T/bad.conf"
  timeout 20 "$VIGILD" -c "$T/bad.conf" > "$T/err" 2>&1; local rc=$?
  if [ "$rc" -ne 0 ] && grep -qE "$3" "$T/err"; then ok "$1: exit $rc, \"$(tail -n 1 "$T/err")\""; else
    nok "$1 (exit $rc)"; sed 's/^/#   /' "$T/err" | head -5
  fi
}
bad "bad number" "MaxThreads lots" 'bad\.conf:4: MaxThreads: expected a number'
bad "bad size" "StreamMaxLength 12Q" 'bad\.conf:4: StreamMaxLength: expected a size'
bad "bad boolean" "LogTime perhaps" 'bad\.conf:4: LogTime: expected yes or no'
bad "bad regex" "ExcludePath [" 'bad\.conf:4: ExcludePath: bad regular expression'
bad "unknown user" "User no-such-user-vigil" 'User: unknown user no-such-user-vigil'
bad "unreadable database" "DatabaseDirectory $T/missing-db" 'DatabaseDirectory: .*missing-db'
printf 'Broken.Sig:0:*:zz\n' > "$T/baddb.ndb"; mkdir -p "$T/baddb"; mv "$T/baddb.ndb" "$T/baddb/"
bad "malformed database" "DatabaseDirectory $T/baddb" 'DatabaseDirectory: .*baddb.ndb:1'
# every option of issue 4 point 1, one bad value each: start-up stops
# (status 1) and the message on stderr names the option
badkey() { # KEY LINE...
  local key=$1; shift
  { printf 'Foreground yes\nDatabaseDirectory %s\nTemporaryDirectory %s\n' "$T/db" "$T/tmp"
    case "$key" in LocalSocket|TCPSocket|TCPAddr) ;; *) printf 'LocalSocket %s\n' "$T/bad.sock" ;; esac
    printf '%s\n' "$@"; } > "$T/bad.conf"
  timeout 20 "$VIGILD" -c "$T/bad.conf" > "$T/err" 2>&1; local rc=$?
  if [ "$rc" -eq 1 ] && grep -q "^vigild: .*$key: " "$T/err"; then
    printf '%s\t%s\n' "$key" "$(grep -m1 "$key: " "$T/err")" >> "$T/badkeys"
  else
    nok "bad $key value stops start-up naming $key (exit $rc)"; sed 's/^/#   /' "$T/err" | head -3
  fi
}
: > "$T/badkeys"
badkey LocalSocket "LocalSocket relative.sock"
badkey LocalSocketMode "LocalSocketMode 999"
badkey TCPSocket "TCPSocket 70000"
badkey TCPAddr "TCPSocket 3310" "TCPAddr 192.0.2.1"
badkey MaxThreads "MaxThreads 0"
badkey MaxQueue "MaxQueue many"
badkey MaxConnectionQueueLength "MaxConnectionQueueLength -1"
badkey StreamMaxLength "StreamMaxLength 12Q"
badkey MaxScanSize "MaxScanSize 1T"
badkey MaxFileSize "MaxFileSize big"
badkey MaxRecursion "MaxRecursion 4294967296"
badkey MaxFiles "MaxFiles 1.5"
badkey ReadTimeout "ReadTimeout 2m"
badkey CommandReadTimeout "CommandReadTimeout -5"
badkey IdleTimeout "IdleTimeout soon"
badkey DatabaseDirectory "DatabaseDirectory $T/no-such-db"
badkey LogFile "LogFile $T/no-such-dir/vigild.log"
badkey LogTime "LogTime perhaps"
badkey PidFile "PidFile $T/no-such-dir/vigild.pid"
badkey Foreground "Foreground sometimes"
badkey User "User no-such-user-vigil"
badkey ExcludePath "ExcludePath ["
# without Foreground the checks that can fail late still come before the
# fork: the command itself fails, with the message on its stderr
for kv in "PidFile $T/no-such-dir/vigild.pid" "User no-such-user-vigil"; do
  printf 'LocalSocket %s\nDatabaseDirectory %s\nTemporaryDirectory %s\n%s\n' "$T/bg-bad.sock" \
    "$T/db" "$T/tmp" "$kv" > "$T/bad.conf"
  timeout 20 "$VIGILD" -c "$T/bad.conf" > "$T/err" 2>&1; rc=$?
  check "in the background, a bad ${kv%% *} still fails the command (exit $rc): $(tail -n 1 "$T/err")" \
    eval 'test $rc -eq 1 && grep -q "^vigild: ${kv%% *}: " "$T/err"'
done
nbad=$(wc -l < "$T/badkeys")
check "all 22 options of clamd.conf in issue 4: a bad value stops start-up naming the option ($nbad of 22)" \
  test "$nbad" -eq 22
sed 's/^/#   /' "$T/badkeys"

printf 'Foreground yes\nDatabaseDirectory %s\n' "$T/db" > "$T/bad.conf"
timeout 20 "$VIGILD" -c "$T/bad.conf" > "$T/err" 2>&1; rc=$?
check "no LocalSocket and no TCPSocket: start-up stops ($(tail -n 1 "$T/err"))" \
  eval 'test $rc -ne 0 && grep -q "no socket" "$T/err"'

# ---- warnings, PidFile, -F over Foreground no, LocalSocketMode ----------------------------
VIGILD_ARGS=-F start_vigild svc "Foreground no" "PidFile $T/svc.pid" "LocalSocketMode 660" "SelfCheck 600" \
  "Frobnicate yes" "LogTime yes" "MaxThreads 2" "MaxConnectionQueueLength 37" "IdleTimeout 7" ||
  { nok "vigild starts"; sed 's/^/#   /' "$T/svc.out"; exit 1; }
ok "vigild starts in the foreground with -F although the config says Foreground no"
check "unknown option warned about, not fatal" grep -q 'unknown option Frobnicate' "$T/svc.out"
check "unused clamd option warned about" grep -q 'SelfCheck is a clamd option vigild does not use' "$T/svc.out"
check "PidFile holds vigild's pid" test "$(cat "$T/svc.pid" 2>/dev/null)" = "$VPID"
check "LocalSocketMode 660 applied" test "$(stat -c %a "$VSOCK")" = 660
st=$(probe "$VSOCK" "[b'zSTATS\0']")
check "IdleTimeout 7 reaches the pool (STATS: ${st:50:48})" eval '[[ "$st" == *"max 2 idle-timeout 7\\n"* ]]'
if command -v ss >/dev/null 2>&1; then
  backlog=$(ss -xlnH | awk -v s="$VSOCK" '$5 == s {print $4}')
  check "MaxConnectionQueueLength 37 is the listen backlog (ss: ${backlog:-none})" test "$backlog" = 37
else
  skip "MaxConnectionQueueLength as the listen backlog" "ss not installed"
fi
check "LogTime: log lines start with the date" grep -qE '^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} [0-9]{4} -> ' "$T/svc.log"

# the long forms: --config-file=FILE --foreground, with Foreground no
printf 'LocalSocket %s\nForeground no\nDatabaseDirectory %s\nLogFile %s\n' "$T/long.sock" "$T/db" \
  "$T/long.log" > "$T/long.conf"
"$VIGILD" --config-file="$T/long.conf" --foreground > "$T/long.out" 2>&1 &
lpid=$!
PIDS+=("$lpid")
wait_sock "$T/long.sock" 20
check "--config-file=FILE --foreground: serves in the foreground (pid $lpid answers PING)" \
  eval 'grep -q "^State:.*[RS]" "/proc/$lpid/status" && test "$(probe "$T/long.sock" "[b'"'"'zPING\0'"'"']")" = "b'"'"'PONG\\x00'"'"'"'
stop "$lpid"

# second daemon on the same socket: refused, the first keeps its socket
"$VIGILD" -c "$T/svc.conf" -F > "$T/err2" 2>&1 & p2=$!
sleep 1; kill -0 "$p2" 2>/dev/null && { kill "$p2"; wait "$p2"; r2=running; } || { wait "$p2"; r2=$?; }
check "a second vigild on a live socket refuses to start (status $r2)" \
  eval 'test "$r2" != running && grep -q "in use by another daemon" "$T/err2"'
check "  ... and the first one still answers" wait_sock "$VSOCK" 2

# SIGHUP: the log is reopened (logrotate moved it away)
mv "$T/svc.log" "$T/svc.log.1"
kill -HUP "$VPID"
for i in $(seq 50); do [ -s "$T/svc.log" ] && break; sleep 0.1; done
check "SIGHUP reopens LogFile (a new file after the old one was moved)" grep -q 're-opening log file' "$T/svc.log"
probe "$VSOCK" "[b'zSHUTDOWN\0']" > /dev/null
for i in $(seq 100); do kill -0 "$VPID" 2>/dev/null || break; sleep 0.1; done
wait "$VPID"; rc=$?
check "SHUTDOWN stops vigild with status 0 (got $rc)" test "$rc" -eq 0
check "  ... and removes its socket and PidFile" eval 'test ! -e "$VSOCK" && test ! -e "$T/svc.pid"'

# stale socket left by a crash: FixStaleSocket (default yes) removes it
"$PY" -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/stale.sock"
start_vigild stale "LocalSocket $T/stale.sock" && ok "a stale socket file is replaced (FixStaleSocket)" ||
  nok "a stale socket file is replaced (FixStaleSocket)"
stop "$VPID"

# ---- background, User, TCP ------------------------------------------------------------
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$T/bg.conf" <<EOF
LocalSocket $T/bg.sock
TCPSocket $port
TCPAddr 127.0.0.1
DatabaseDirectory $T/db
TemporaryDirectory $T/tmp
LogFile $T/bg.log
PidFile $T/bg.pid
User nobody
EOF
"$VIGILD" -c "$T/bg.conf" > "$T/bg.out" 2>&1; rc=$?
check "without Foreground vigild forks: the command returns 0 (got $rc)" test "$rc" -eq 0
wait_sock "$T/bg.sock" 20
bpid=$(cat "$T/bg.pid" 2>/dev/null)
[ -n "$bpid" ] && PIDS+=("$bpid")
check "  ... and the daemon in the background answers, its pid in PidFile ($bpid)" \
  eval 'test -n "$bpid" && kill -0 "$bpid"'
uid=$(awk '/^Uid:/ {print $2 " " $3 " " $4 " " $5}' "/proc/$bpid/status" 2>/dev/null)
check "User nobody: privileges dropped after binding (Uid: $uid)" test "$uid" = "65534 65534 65534 65534"
got=$(probe "$T/bg.sock" "[b('zSCAN $D/eicar.com\0'.encode())]" 2>/dev/null ||
      probe "$T/bg.sock" "[b'zSCAN $D/eicar.com\0']")
check "  ... and it still scans ($got)" eval '[[ "$got" == *"Vigil.Test.Eicar.UNOFFICIAL FOUND"* ]]'
tcp=$("$PY" - "$port" "$D/eicar.com" <<'EOF'
import socket, struct, sys
d = open(sys.argv[2], 'rb').read()
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5)
s.sendall(b'zINSTREAM\0' + struct.pack('>I', len(d)) + d + b'\0\0\0\0')
out = b''
while True:
    x = s.recv(4096)
    if not x: break
    out += x
print(repr(out))
EOF
)
check "TCPSocket/TCPAddr: INSTREAM over TCP on 127.0.0.1:$port ($tcp)" \
  test "$tcp" = "b'stream: Vigil.Test.Eicar.UNOFFICIAL FOUND\\x00'"
check "  ... LocalSocket created before the switch (owner $(stat -c %U "$T/bg.sock"))" \
  test "$(stat -c %U "$T/bg.sock")" = root
# logrotate as contrib/vigild.logrotate does it (move, create for the
# user, SIGHUP): the reopen runs as nobody, inside the sandbox
mv "$T/bg.log" "$T/bg.log.1" && install -m 640 -o nobody /dev/null "$T/bg.log"
kill -HUP "$bpid"
for i in $(seq 50); do grep -q 're-opening log file' "$T/bg.log" && break; sleep 0.1; done
check "  ... SIGHUP reopens the rotated LogFile as User nobody" grep -q 're-opening log file' "$T/bg.log"
kill -TERM "$bpid" 2>/dev/null
for i in $(seq 100); do kill -0 "$bpid" 2>/dev/null || break; sleep 0.1; done
check "SIGTERM stops the background daemon" eval '! kill -0 "$bpid" 2>/dev/null'

# a privileged TCP port (< 1024) served as User nobody: only a daemon that
# binds before it drops privileges can do that
pport=$("$PY" -c 'import socket
for p in range(990, 600, -1):
    try:
        s = socket.socket(); s.bind(("127.0.0.1", p)); print(p); break
    except OSError: pass')
if [ -n "$pport" ]; then
  VIGILD_ARGS=-F start_vigild priv "TCPSocket $pport" "TCPAddr 127.0.0.1" "User nobody"
  got=$("$PY" -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10); s.sendall(b"zPING\0"); print(repr(s.recv(100)))' "$pport" 2>&1)
  uid=$(awk '/^Uid:/ {print $2}' "/proc/$VPID/status" 2>/dev/null)
  check "TCPSocket $pport (privileged) answers PING while vigild runs as uid ${uid:-?} ($got)" \
    eval 'test "$got" = "b'"'"'PONG\\x00'"'"'" && test "$uid" = 65534'
  stop "$VPID"
else
  skip "privileged TCP port with User nobody" "no free port below 1024"
fi

# ---- systemd socket activation ----------------------------------------------------------
if command -v systemd-socket-activate >/dev/null 2>&1; then
  printf 'Foreground yes\nDatabaseDirectory %s\nLogFile %s\n' "$T/db" "$T/act.log" > "$T/act.conf"
  systemd-socket-activate -l "$T/act.sock" "$VIGILD" -c "$T/act.conf" > "$T/act.out" 2>&1 &
  apid=$!
  PIDS+=("$apid")
  for i in $(seq 50); do [ -S "$T/act.sock" ] && break; sleep 0.1; done
  got=$(PROBE_WAIT=20 probe "$T/act.sock" "[b'zPING\0']")
  check "socket activation: the first connection starts vigild on systemd's socket ($got)" test "$got" = "b'PONG\\x00'"
  check "  ... which logs that it took the activated socket" grep -q 'socket activation' "$T/act.log"
  stop "$apid"
  # two sockets, as vigild.socket with its TCP line enabled: a unix socket
  # (FILDES works there, so vigild knows it is one) and TCP; the
  # LocalSocket in the config is ignored, as clamd ignores it
  aport=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  printf 'Foreground yes\nDatabaseDirectory %s\nLogFile %s\nLocalSocket %s\n' "$T/db" "$T/act2.log" \
    "$T/not-used.sock" > "$T/act2.conf"
  systemd-socket-activate -l "$T/act2.sock" -l "127.0.0.1:$aport" "$VIGILD" -c "$T/act2.conf" \
    > "$T/act2.out" 2>&1 &
  apid=$!
  PIDS+=("$apid")
  for i in $(seq 50); do [ -S "$T/act2.sock" ] && break; sleep 0.1; done
  got=$(PROBE_WAIT=20 probe "$T/act2.sock" "[b'zFILDES\0', ('fd', '$D/eicar.com', b'\0')]")
  check "socket activation with two sockets: FILDES on the unix one ($got)" \
    eval 'printf "%s" "$got" | grep -qE "^b.fd\[[0-9]+\]: Vigil\.Test\.Eicar\.UNOFFICIAL FOUND"'
  got=$("$PY" -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10); s.sendall(b"zPING\0"); print(repr(s.recv(100)))' "$aport")
  check "  ... PING on the TCP one ($got)" test "$got" = "b'PONG\\x00'"
  check "  ... both taken from systemd, LocalSocket not bound" \
    eval 'grep -q "Using 2 socket(s) from systemd" "$T/act2.log" && test ! -e "$T/not-used.sock"'
  stop "$apid"
else
  skip "socket activation" "systemd-socket-activate not installed"
fi

# ---- contrib ------------------------------------------------------------------------------
C=$VIGIL_SRC/contrib
check "contrib has vigild.service, vigild.socket, vigild.conf, vigild.logrotate" \
  test -f "$C/vigild.service" -a -f "$C/vigild.socket" -a -f "$C/vigild.conf" -a -f "$C/vigild.logrotate"
check "vigild.service runs vigild in the foreground and reloads with SIGUSR2" \
  eval 'grep -q "^ExecStart=.*vigild --foreground" "$C/vigild.service" && grep -q "^ExecReload=.*-USR2" "$C/vigild.service"'
if command -v systemd-analyze >/dev/null 2>&1; then
  mkdir -p "$T/units"
  sed "s#/usr/local/sbin/vigild#$VIGILD#" "$C/vigild.service" > "$T/units/vigild.service"
  cp "$C/vigild.socket" "$T/units/"
  systemd-analyze verify --man=no "$T/units/vigild.socket" "$T/units/vigild.service" > "$T/verify" 2>&1
  # only complaints about the units' own syntax count (no systemd as PID 1 here)
  if grep -E 'vigild\.(service|socket):[0-9]+:' "$T/verify" | grep -qv 'Failed to'; then
    nok "systemd-analyze verify finds no syntax problem in the units"; sed 's/^/#   /' "$T/verify" | head
  else
    ok "systemd-analyze verify finds no syntax problem in the units"
  fi
else
  skip "systemd-analyze verify" "not installed"
fi
echo "1..$n"
[ "$fails" -eq 0 ]
