#!/usr/bin/env bash
# tests/e2e/daemon_reload.sh - database reloads while vigild is busy.
#
# Eight clients scan without pause (INSTREAM, SCAN, FILDES, PING) while
# the databases are reloaded by RELOAD and SIGUSR2 again and again, a
# signature is added, a malformed database and a damaged .vdb are dropped
# in: not one request may fail or get a wrong answer, a new signature must
# be found after its reload, and a database that fails to load or verify
# must never be used (the old one keeps answering). With a 200,000-
# signature .vdb, reloads must not double the daemon's memory.
. "$(dirname "$0")/daemon_lib.sh"
VIGIL=${VIGIL:-$VIGIL_BUILD/vigil}
make_fixtures
D=$T/data
rm -f "$T/db/test.ndb" # EICAR (hdb) only, so that clam.exe starts clean

cat > "$T/load.py" <<'EOF'
import socket, sys, time, os, array, struct, threading
S, D, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
eicar = open(D + '/eicar.com', 'rb').read()
stop = time.time() + secs
stats = {'req': 0, 'bad': 0}
lock = threading.Lock()
bad_samples = []
def talk(send, fd=None):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(S)
    if fd is not None:
        s.sendall(send)
        f = os.open(fd, os.O_RDONLY)
        s.sendmsg([b'\0'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [f]))])
        os.close(f)
    else:
        s.sendall(send)
    out = b''
    while True:
        d = s.recv(4096)
        if not d: break
        out += d
    s.close()
    return out
checks = [
    (lambda: talk(b'zINSTREAM\0' + struct.pack('>I', len(eicar)) + eicar + b'\0\0\0\0'),
     lambda r: r == b'stream: Vigil.Test.Eicar.UNOFFICIAL FOUND\0'),
    (lambda: talk(('zSCAN %s/eicar.com\0' % D).encode()),
     lambda r: r == ('%s/eicar.com: Vigil.Test.Eicar.UNOFFICIAL FOUND\0' % D).encode()),
    (lambda: talk(('zSCAN %s/clean.txt\0' % D).encode()),
     lambda r: r == ('%s/clean.txt: OK\0' % D).encode()),
    (lambda: talk(b'zFILDES\0', D + '/eicar.com'),
     lambda r: r.endswith(b': Vigil.Test.Eicar.UNOFFICIAL FOUND\0') and r.startswith(b'fd[')),
    (lambda: talk(b'zPING\0'), lambda r: r == b'PONG\0'),
]
def worker(k):
    i = k
    while time.time() < stop:
        f, ok = checks[i % len(checks)]
        i += 1
        try:
            r = f(); good = ok(r)
        except Exception as e:
            r = repr(e).encode(); good = False
        with lock:
            stats['req'] += 1
            if not good:
                stats['bad'] += 1
                if len(bad_samples) < 5: bad_samples.append(r)
ths = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
for t in ths: t.start()
for t in ths: t.join()
print(stats['req'], stats['bad'], repr(bad_samples))
EOF
reload_cmd() { probe "$VSOCK" "[b'zRELOAD\0']"; }
scan_reply() { probe "$VSOCK" "[b'zSCAN $1\0']"; }
# wait_log FILE PATTERN COUNT: until PATTERN appears COUNT times (10 s)
wait_log() {
  local i
  for ((i = 0; i < 100; i++)); do
    [ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
    sleep 0.1
  done
  return 1
}

start_vigild rl "MaxThreads 4" "LogTime yes" || { nok "vigild starts"; sed 's/^/#   /' "$T/rl.out"; exit 1; }
ok "vigild starts"
"$PY" "$T/load.py" "$VSOCK" "$D" 8 > "$T/load.out" 2>&1 &
LOADPID=$!
sleep 0.5
hex=$(od -An -tx1 -j64 -N48 "$CLAMEXE" | tr -d ' \n')
for i in 1 2 3 4 5; do
  reload_cmd > /dev/null
  kill -USR2 "$VPID"
  sleep 0.3
  if [ "$i" = 2 ]; then
    printf 'Vigil.Test.ClamExe:0:*:%s\n' "$hex" > "$T/db/new.ndb"
    reload_cmd > /dev/null
  fi
done
wait_log "$T/rl.log" "Database correctly reloaded" 8
got=$(scan_reply "$D/clam.exe")
check "a signature added to DatabaseDirectory is found after RELOAD ($got)" \
  test "$got" = "b'$D/clam.exe: Vigil.Test.ClamExe.UNOFFICIAL FOUND\\x00'"
# VERSION follows the daily container that was loaded
if make_daily 31; then
  nok0=$(grep -c 'Database correctly reloaded' "$T/rl.log")
  reload_cmd > /dev/null
  wait_log "$T/rl.log" "Database correctly reloaded" $((nok0 + 1))
  v1=$(probe "$VSOCK" "[b'zVERSION\0']")
  make_daily 32
  reload_cmd > /dev/null
  wait_log "$T/rl.log" "Database correctly reloaded" $((nok0 + 2))
  v2=$(probe "$VSOCK" "[b'zVERSION\0']")
  check "VERSION follows the reloaded daily.cud ($v1, then $v2)" \
    eval '[[ "$v1" == "b'"'"'ClamAV 1.4.6/31/"* && "$v2" == "b'"'"'ClamAV 1.4.6/32/"* ]]'
  rm -f "$T/db/daily.cud"
else
  skip "VERSION after a reload" "sigtool not installed"
fi

printf 'Vigil.Test.Broken:0:*:zz-not-hex\n' > "$T/db/broken.ndb"
printf '%s:68:Vigil.Test.NotLoaded\n' "$(printf '%s' "$EICAR" | md5sum | cut -d' ' -f1)" > "$T/db/z.hdb"
nfail=$(grep -c 'Database reload failed' "$T/rl.log")
reload_cmd > /dev/null
wait_log "$T/rl.log" "Database reload failed" $((nfail + 1))
check "a malformed database makes the reload fail, logged with file and line" \
  grep -qE 'Database reload failed, the current database stays: .*broken\.ndb:1' "$T/rl.log"
got=$(scan_reply "$D/clam.exe")
check "  ... and the old database keeps answering ($got)" \
  test "$got" = "b'$D/clam.exe: Vigil.Test.ClamExe.UNOFFICIAL FOUND\\x00'"
rm -f "$T/db/broken.ndb" "$T/db/z.hdb"
wait "$LOADPID"
read -r nreq nbad samples < "$T/load.out"
nrl=$(grep -cE 'Database correctly reloaded|Database reload failed' "$T/rl.log")
check "$nreq requests during $nrl reloads (RELOAD and SIGUSR2): $nbad failed or wrong" test "${nbad:-1}" -eq 0
[ "${nbad:-1}" -eq 0 ] || echo "#   $samples"
check "  ... and the clients were really served (>= 100 requests)" test "${nreq:-0}" -ge 100
stop "$VPID"; rc=$?
check "vigild exits 0 after the reloads (status $rc)" test "$rc" -eq 0

# ---- compiled database: verification and memory ------------------------------------
if [ ! -x "$VIGIL" ] || ! "$VIGIL" db --help >/dev/null 2>&1; then
  skip ".vdb reloads" "vigil db not built"
  echo "1..$n"; [ "$fails" -eq 0 ]; exit
fi
mkdir -p "$T/src" "$T/vdb"
"$PY" - "$T/src/bulk.hdb" <<'EOF'
import hashlib, sys
with open(sys.argv[1], 'w') as f:
    for i in range(200000):
        f.write('%s:%d:Vigil.Bulk.%d\n' % (hashlib.md5(str(i).encode()).hexdigest(), 1000 + i % 5000, i))
EOF
cp "$T/db/test.hdb" "$T/src/"
printf 'Vigil.Test.ClamExe:0:*:%s\n' "$hex" > "$T/src/test.ndb"
"$VIGIL" db build -o "$T/vdb/all.vdb" "$T/src" > "$T/build.out" 2>&1 ||
  { nok "vigil db build"; sed 's/^/#   /' "$T/build.out"; echo "1..$n"; exit 1; }
vdb_kb=$(( $(stat -c %s "$T/vdb/all.vdb") / 1024 ))
start_vigild vdb "DatabaseDirectory $T/vdb" "MaxThreads 4" || { nok "vigild starts on a .vdb"; exit 1; }
got=$(scan_reply "$D/clam.exe")
check "vigild serves from a .vdb (DatabaseDirectory with only all.vdb) ($got)" \
  test "$got" = "b'$D/clam.exe: Vigil.Test.ClamExe.UNOFFICIAL FOUND\\x00'"
"$PY" "$T/load.py" "$VSOCK" "$D" 4 > "$T/load.out" 2>&1 &
LOADPID=$!
sleep 0.5
rss0=$(rss_kb "$VPID")
# the peak (VmHWM) is reset now, so that it shows the highest RSS *during*
# the reloads, when the old and the new engine both exist; each reload
# maps a new file (copied and renamed over, as vigil db build -o does)
hwm_reset=0
echo 5 > "/proc/$VPID/clear_refs" 2>/dev/null && hwm_reset=1
for i in 1 2 3 4 5; do
  cp "$T/vdb/all.vdb" "$T/vdb/.new" && mv "$T/vdb/.new" "$T/vdb/all.vdb"
  reload_cmd > /dev/null; sleep 0.4
done
wait_log "$T/vdb.log" "Database correctly reloaded" 5
rss1=$(rss_kb "$VPID")
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$VPID/status")
[ "$hwm_reset" = 1 ] || hwm=$rss1
growth=$((rss1 - rss0)); peak=$((hwm - rss0))
if ldd "$VIGILD" 2>/dev/null | grep -qE 'libasan|libtsan'; then
  skip "5 reloads of a ${vdb_kb} KiB .vdb: memory does not double" "sanitizer build (its allocator keeps freed memory)"
else
  check "5 reloads of a ${vdb_kb} KiB .vdb under load: RSS ${rss0} KiB before, peak ${hwm} KiB during, ${rss1} KiB after (peak must stay < before + half the .vdb)" \
    test "$peak" -lt $((vdb_kb / 2)) -a "$growth" -lt $((vdb_kb / 2))
fi
# the control: the same signatures from source (.hdb) are parsed into the
# heap, and there the same measure does see the second engine during reload
if [ "$hwm_reset" = 1 ] && ! ldd "$VIGILD" 2>/dev/null | grep -qE 'libasan|libtsan'; then
  vpid_vdb=$VPID vsock_vdb=$VSOCK
  if start_vigild src "DatabaseDirectory $T/src" "MaxThreads 4"; then
    sleep 0.3
    s0=$(rss_kb "$VPID"); echo 5 > "/proc/$VPID/clear_refs"
    for i in 1 2; do probe "$VSOCK" "[b'zRELOAD\0']" > /dev/null; wait_log "$T/src.log" "Database correctly reloaded" "$i"; done
    shwm=$(awk '/^VmHWM/ {print $2}' "/proc/$VPID/status")
    check "  control: the same signatures from .hdb source, RSS ${s0} KiB, peak ${shwm} KiB during reloads (the measure sees a second engine: > +1/3)" \
      test $((shwm - s0)) -gt $((s0 / 3))
    stop "$VPID"
  else
    nok "vigild starts on the .hdb source"
  fi
  VPID=$vpid_vdb VSOCK=$vsock_vdb
fi
cp "$T/vdb/all.vdb" "$T/good.vdb"
# replaced the way a .vdb must be (a new file renamed over the old one, as
# vigil db build -o does): rewriting a mapped file in place, as cp does,
# would pull the pages out from under the running engine
"$PY" - "$T/vdb/all.vdb" "$T/vdb/.damaged" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[len(b) // 2] ^= 0xff
open(sys.argv[2], 'wb').write(b)
EOF
mv "$T/vdb/.damaged" "$T/vdb/all.vdb"
nfail=$(grep -c 'Database reload failed' "$T/vdb.log")
kill -USR2 "$VPID"
wait_log "$T/vdb.log" "Database reload failed" $((nfail + 1))
check "a damaged .vdb fails verification on SIGUSR2 and is not used" \
  grep -q 'Database reload failed' "$T/vdb.log"
got=$(scan_reply "$D/clam.exe")
check "  ... the old .vdb keeps answering ($got)" \
  test "$got" = "b'$D/clam.exe: Vigil.Test.ClamExe.UNOFFICIAL FOUND\\x00'"
wait "$LOADPID"
read -r nreq nbad samples < "$T/load.out"
check "$nreq requests during the .vdb reloads: $nbad failed or wrong" test "${nbad:-1}" -eq 0
stop "$VPID"; rc=$?
check "vigild exits 0 (status $rc)" test "$rc" -eq 0
echo "1..$n"
[ "$fails" -eq 0 ]
