#!/usr/bin/env bash
# tests/e2e/transparency_update.sh - `vigil update` against a transparency
# log served over HTTP and HTTPS on 127.0.0.1, over file:// and from offline
# bundles: the release installs when every check passes, and each attack
# is refused with exit 2, a message naming the failed check, and nothing
# changed (installed database and stored state byte-identical):
#   rollback (older log snapshot; older release at a newer checkpoint),
#   frozen log (newest cosignature older than max-age), split view (two
#   checkpoints of one size with different roots), tampered tile, tampered
#   .vdb, a release that is not in the log, too few cosignatures, a bad
#   cosignature, an unknown publisher. Plus the egress log (byte counts
#   checked against a counting server), the install's system calls
#   (strace), and the reload of a fake and of a real vigild.
#
#   VIGIL=build/vigil VIGIL_SRC=. bash tests/e2e/transparency_update.sh
set -u
VIGIL_SRC=${VIGIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
VIGIL=${VIGIL:-$VIGIL_SRC/build/vigil}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vigil-tu.XXXXXX") || exit 1
SRV=
FAKE=
cleanup() {
  [ -n "$SRV" ] && kill "$SRV" 2>/dev/null
  [ -n "$FAKE" ] && kill "$FAKE" 2>/dev/null
  [ -n "${VD:-}" ] && kill "$VD" 2>/dev/null
  [ -n "${HS:-}" ] && kill "$HS" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP" || exit 1

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
V() { "$VIGIL" "$@"; }
# the subcommands this needs (cli/main.c dispatches them)
for c in db key release log witness update egress; do
  if "$VIGIL" "$c" --help 2>&1 | grep -q "unknown command"; then
    echo "not ok 1 - vigil has no '$c' command (dispatch it in src/cli/main.c)"; exit 1
  fi
done
unset VIGIL_EGRESS_LOG

# ---- fixtures: three databases, keys, a log with two releases -------------
EICAR_MD5=44d88612fea8a8f36de82e1278abb02f
mkdir -p src
printf '%s:68:Vigil.Test.Eicar-1\n' "$EICAR_MD5" > src/main.hdb
printf 'Vigil.Test.Body-1:0:*:68656c6c6f20776f726c64\n' > src/main.ndb
V db build -o db1.vdb src/main.hdb src/main.ndb 2>/dev/null
printf 'Vigil.Test.Body-2:0:*:0102030405060708090a\n' >> src/main.ndb
V db build -o db2.vdb src/main.hdb src/main.ndb 2>/dev/null
printf 'Vigil.Test.Body-3:0:*:aabbccddeeff00112233\n' >> src/main.ndb
V db build -o db3.vdb src/main.hdb src/main.ndb 2>/dev/null
check "three compiled databases built" test -s db1.vdb -a -s db2.vdb -a -s db3.vdb

V key generate --name vigil.example/release -o pub >/dev/null &&
  V key generate --name vigil.example/evil-release -o evil >/dev/null &&
  V key generate --name vigil.example/db-log -o log >/dev/null &&
  V key generate --witness --name w1.example/vigil -o w1 >/dev/null &&
  V key generate --witness --name w2.example/vigil -o w2 >/dev/null &&
  V key generate --witness --name w3.example/vigil -o w3 >/dev/null
check "keys generated (publisher, log, three witnesses)" test -s pub.skey -a -s log.vkey -a -s w3.vkey

cosign() { # LOGDIR STATE-SUFFIX [witnesses...] [-- extra args]
  local dir=$1 sfx=$2; shift 2
  local w extra=()
  local ws=()
  while [ $# -gt 0 ]; do
    if [ "$1" = -- ]; then shift; extra=("$@"); break; fi
    ws+=("$1"); shift
  done
  for w in "${ws[@]}"; do
    V witness cosign --key "$w.skey" --log-key log.vkey --state "wstate-$w-$sfx" "${extra[@]}" "$dir" 2>/dev/null || return 1
  done
}

V log init --key log.skey logA 2>/dev/null
V release create --key pub.skey --name vigil-main --version 1 --log logA -o r1.manifest db1.vdb 2>/dev/null &&
  V log append --key log.skey --release-key pub.vkey --vdb db1.vdb logA r1.manifest 2>/dev/null &&
  cosign logA A w1 w2 w3
check "release 1 published and cosigned" test $? -eq 0
cp -a logA snapA1                      # the log as it was at size 1
V release create --key pub.skey --name vigil-main --version 2 --log logA -o r2.manifest db2.vdb 2>/dev/null &&
  V log append --key log.skey --release-key pub.vkey --vdb db2.vdb logA r2.manifest 2>/dev/null
check "release 2 appended" test $? -eq 0
cp logA/checkpoint cp2-logonly
cosign logA A w1 && cp logA/checkpoint cp2-w1only && cosign logA A w2 w3
check "release 2 cosigned by three witnesses" grep -q w3.example logA/checkpoint
# release 3: signed by the publisher, never logged
V release create --key pub.skey --name vigil-main --version 3 --prev r2.manifest -o r3.manifest db3.vdb 2>/dev/null
check "release 3 signed but not logged" test -s r3.manifest

# ---- serve everything over HTTP on 127.0.0.1 -----------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 "$port" --directory "$TMP" >/dev/null 2>&1 &
SRV=$!
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
URL=http://127.0.0.1:$port

conf() { # FILE MIRROR CLIENTDIR [extra lines...]
  local f=$1 m=$2 c=$3; shift 3
  {
    echo "# test client"
    echo "mirror $m"
    echo "log $(cat log.vkey)"
    echo "release-key $(cat pub.vkey)"
    echo "witness W1 $(cat w1.vkey)"
    echo "witness W2 $(cat w2.vkey)"
    echo "witness W3 $(cat w3.vkey)"
    echo "group main 2 W1 W2 W3"
    echo "quorum main"
    echo "name vigil-main"
    echo "channel stable"
    echo "max-age 1d"
    echo "state $TMP/$c/state"
    echo "database $TMP/$c/db/vigil.vdb"
    for l in "$@"; do echo "$l"; done
  } > "$f"
}
fp() { # fingerprint of what an update may change
  local c=$1 f
  for f in "$TMP/$c/db/vigil.vdb" "$TMP/$c/state/state"; do
    if [ -e "$f" ]; then sha256sum < "$f"; else echo absent; fi
  done
  ls "$TMP/$c/db" 2>/dev/null
}
# refused DESC CHECK CONF [update args...]: exit 2, "refused: CHECK", nothing changed
refused() {
  local d=$1 chk=$2 cf=$3; shift 3
  local c; c=$(sed -n "s|^state $TMP/\(.*\)/state$|\1|p" "$cf")
  local before after out rc
  before=$(fp "$c")
  out=$(V update --config "$cf" "$@" 2>&1); rc=$?
  after=$(fp "$c")
  if [ $rc -eq 2 ] && grep -q "refused: $chk" <<<"$out" && [ "$before" = "$after" ]; then
    ok "$d: refused ($chk), exit 2, nothing changed"
  else
    nok "$d: want exit 2 + 'refused: $chk' + no change; got exit $rc"
    sed 's/^/#   /' <<<"$out" | head -n 8
    [ "$before" = "$after" ] || echo "#   state or database changed"
  fi
}

# ---- the good path --------------------------------------------------------
conf c1.conf "$URL/logA" c1
out=$(V update --config c1.conf 2>&1); rc=$?
check "HTTP update installs release 2 (exit 0)" test $rc -eq 0
grep -q "installed vigil-main/stable version 2" <<<"$out" || echo "# $out"
check "installed database is byte-identical to release 2's .vdb" cmp -s c1/db/vigil.vdb db2.vdb
check "no temporary files left next to the database" test "$(ls c1/db | wc -l)" -eq 1
check "the installed database loads" eval "\"$VIGIL\" db verify c1/db/vigil.vdb >/dev/null"
out=$(V update --config c1.conf 2>&1); rc=$?
check "second update: up to date, exit 0" test $rc -eq 0 -a -n "$(grep 'is installed and is the newest' <<<"$out")"

# ---- egress log -------------------------------------------------------------
eg=c1/state/egress.log
check "egress log written in the state directory" test -s $eg
check "egress log records the checkpoint fetch with bytes and SHA-256" \
  grep -Eq "^[0-9T:Z-]+ GET $URL/logA/checkpoint sent=[1-9][0-9]* received=[1-9][0-9]* status=200 sha256=[0-9a-f]{64} prev=[0-9a-f]{64}$" $eg
dbhash=$(sha256sum < db2.vdb | cut -c1-64)
check "egress log records the database download with its SHA-256" grep -q "sha256/$dbhash .*sha256=$dbhash" $eg
out=$(V egress --config c1.conf); rc=$?
check "vigil egress prints the log, chain intact" test $rc -eq 0 -a -n "$(grep 'chain intact' <<<"$out")"
check "vigil egress lists every request" test "$(grep -c ' GET ' <<<"$out")" -eq "$(wc -l < $eg)"
cp $eg eg.bak
sed -i '1s/sent=[0-9]*/sent=0/' $eg
V egress --config c1.conf >/dev/null 2>&1
check "vigil egress detects an edited line (exit 1)" test $? -eq 1
cp eg.bak $eg

# every byte: a server that counts what crosses each connection; the egress
# log must show the same counts each way and the SHA-256 of the body
python3 - "$TMP" "$TMP/counted.txt" "$TMP/counter.port" <<'EOF' &
import hashlib, os, socketserver, sys
root, out, portf = sys.argv[1:]
class H(socketserver.BaseRequestHandler):
    def handle(self):
        req = b''
        while b'\r\n\r\n' not in req:
            d = self.request.recv(4096)
            if not d: return
            req += d
        path = req.split(b' ')[1].decode()
        extra = b''
        if path.startswith('/moved/'):  # a mirror that moved: 302 to /logA/...
            body = b'moved\n'; st = b'302 Found'
            host, port = self.request.getsockname()[:2]
            extra = ('Location: http://%s:%d%s\r\n' % (host, port, path.replace('/moved/', '/logA/', 1))).encode()
        else:
            try: body = open(os.path.join(root, path.lstrip('/')), 'rb').read(); st = b'200 OK'
            except OSError: body = b'no'; st = b'404 Not Found'
        resp = b'HTTP/1.1 ' + st + b'\r\n' + extra + b'Content-Length: %d\r\nConnection: close\r\n\r\n' % len(body) + body
        self.request.sendall(resp)
        with open(out, 'a') as f:
            f.write('%s sent=%d received=%d sha256=%s\n' % (path, len(req), len(resp), hashlib.sha256(body).hexdigest()))
socketserver.TCPServer.allow_reuse_address = True
s = socketserver.TCPServer(('127.0.0.1', 0), H)
open(portf, 'w').write(str(s.server_address[1]))
s.serve_forever()
EOF
CNT=$!
for _ in $(seq 50); do [ -s counter.port ] && break; sleep 0.1; done
cport=$(cat counter.port)
conf c14.conf "http://127.0.0.1:$cport/logA" c14
V update --config c14.conf >/dev/null 2>&1
mv counted.txt counted-c14.txt
conf c19.conf "http://127.0.0.1:$cport/moved" c19
V update --config c19.conf >/dev/null 2>&1; rc19=$?
kill $CNT 2>/dev/null; wait $CNT 2>/dev/null
egress_vs_server() { # CLIENT SERVER-COUNTS: same requests, same bytes, same SHA-256
  local mine
  mine=$(sed -E "s|^[^ ]+ GET http://127.0.0.1:$cport(/[^ ]+) (sent=[0-9]+ received=[0-9]+) status=[0-9]+ (sha256=[0-9a-f]+) .*|\1 \2 \3|" "$1/state/egress.log")
  [ -n "$mine" ] && [ "$mine" = "$(cat "$2")" ] && [ "$(wc -l < "$2")" -ge 4 ] && return 0
  echo "# egress:"; sed 's/^/#   /' <<<"$mine"; echo "# server:"; sed 's/^/#   /' "$2"; return 1
}
check "egress log: bytes sent and received per request equal what the server counted, with the body's SHA-256" \
  egress_vs_server c14 counted-c14.txt
check "egress log: a redirected mirror gives one line per hop (each 302 with its bytes, then its target)" \
  eval "[ $rc19 -eq 0 ] && egress_vs_server c19 counted.txt &&
        grep -q ' GET http://127.0.0.1:$cport/moved/checkpoint .* status=302 ' c19/state/egress.log &&
        [ \$(grep -c ' status=302 ' c19/state/egress.log) -eq 4 ] && [ \$(grep -c ' status=200 ' c19/state/egress.log) -eq 4 ]"

# ---- attacks ---------------------------------------------------------------
# rollback 1: a mirror serving the log as it was at size 1
conf c1-old.conf "$URL/snapA1" c1
refused "rollback to an older log snapshot" consistency c1-old.conf
# rollback 2: release 1's bundle made at the current (size 2) checkpoint
V release bundle --log logA --vdb db1.vdb -o v1.bundle r1.manifest 2>/dev/null
refused "rollback to an older logged release (offline bundle)" version c1.conf --bundle v1.bundle

# frozen log: the newest cosignature is three days old; max-age is one day
cp -a logA frozen
old=$(( $(date +%s) - 3 * 86400 ))
cp cp2-logonly frozen/checkpoint
cosign frozen F w1 w2 -- --time "$old"
conf c2.conf "$URL/frozen" c2
refused "frozen log (checkpoint older than max-age)" freshness c2.conf

# split view: the same log key signs a different tree of the same size
V log init --key log.skey logB 2>/dev/null
V release create --key pub.skey --name vigil-main --version 1 -o b1.manifest db1.vdb --created 2026-01-01T00:00:00Z 2>/dev/null
V log append --key log.skey --vdb db1.vdb logB b1.manifest 2>/dev/null
V release create --key pub.skey --name vigil-main --version 2 --log logB -o b2.manifest db3.vdb 2>/dev/null
V log append --key log.skey --vdb db3.vdb logB b2.manifest 2>/dev/null
cosign logB B w1 w2 w3
check "forked log B: same origin and size 2, different root" \
  test "$(sed -n 2p logB/checkpoint)" = 2 -a "$(sed -n 3p logB/checkpoint)" != "$(sed -n 3p logA/checkpoint)"
conf c1-fork.conf "$URL/logB" c1
refused "split view (two checkpoints of size 2, different roots)" "split view" c1-fork.conf
check "split view: both checkpoints kept as evidence" test "$(ls c1/state/evidence | wc -l)" -eq 2

# tampered tile: one byte of a level-0 hash tile
cp -a logA tt
python3 - tt/tile/0/000.p/2 <<'EOF'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[40] ^= 1; open(p, 'wb').write(b)
EOF
conf c3.conf "$URL/tt" c3
refused "tampered tile" tiles c3.conf

# tampered .vdb on the mirror
cp -a logA tv
d2=$(sha256sum < db2.vdb | cut -c1-64)
python3 - "tv/sha256/$d2" <<'EOF'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[-1] ^= 0xff; open(p, 'wb').write(b)
EOF
conf c4.conf "$URL/tv" c4
refused "tampered .vdb" "database hash" c4.conf

# a release that is not in the log: release 3 in a bundle built from release 2's
V release bundle --log logA --vdb db2.vdb -o v2.bundle r2.manifest 2>/dev/null
mkbundle() { # OUT MANIFEST PROOF LEAVES DB (the bundle format: vigil-release-bundle/v1)
  local out=$1 names=(manifest proof leaves db) i=0 f; shift
  { printf 'vigil-release-bundle/v1\n'
    for f in "$@"; do
      printf '%s %d\n' "${names[$i]}" "$(stat -c %s "$f")"; cat "$f"; printf '\n'; i=$((i + 1))
    done; } > "$out"
}
python3 - v2.bundle <<'EOF'
import sys
b = open(sys.argv[1], 'rb').read()
i = b.index(b'\n') + 1
while i < len(b):
    j = b.index(b'\n', i); name, ln = b[i:j].split(b' '); ln = int(ln)
    open('v2.' + name.decode(), 'wb').write(b[j + 1:j + 1 + ln]); i = j + 2 + ln
EOF
mkbundle v3-unlogged.bundle r3.manifest v2.proof v2.leaves db3.vdb
check "unlogged bundle assembled" test -s v3-unlogged.bundle
conf c5.conf "$URL/logA" c5
refused "release not in the log (offline bundle)" "inclusion proof" c5.conf --bundle v3-unlogged.bundle

# the same over the network: a mirror whose entry bundle carries the
# unlogged release 3 in place of release 2 (tiles and checkpoint untouched)
cp -a logA unl
python3 - unl/tile/entries/000.p/2 r3.manifest <<'EOF'
import sys
p, m3 = sys.argv[1:]; b = open(p, 'rb').read()
n1 = int.from_bytes(b[:2], 'big'); first = b[:2 + n1]
m = open(m3, 'rb').read()
open(p, 'wb').write(first + len(m).to_bytes(2, 'big') + m)
EOF
cp db3.vdb "unl/sha256/$(sha256sum < db3.vdb | cut -c1-64)"
conf c20.conf "$URL/unl" c20
refused "release not in the log (a mirror serves it in the entry bundle)" "release: tile/entries/000.p/2: entry 1 does not match its leaf hash" c20.conf

# too few cosignatures: only witness 1 cosigned; quorum is 2 of 3
cp -a logA few
cp cp2-w1only few/checkpoint
conf c6.conf "$URL/few" c6
refused "too few cosignatures (1 of quorum 2)" "witness quorum" c6.conf
# a pinned witness's cosignature that does not verify
cp -a logA badcs
python3 - badcs/checkpoint <<'EOF'
import sys, base64
p = sys.argv[1]; lines = open(p, 'rb').read().split(b'\n')
for k, l in enumerate(lines):
    if l.startswith(u'\u2014 w2.example'.encode()):
        name, sig = l.rsplit(b' ', 1); raw = bytearray(base64.b64decode(sig)); raw[20] ^= 1
        lines[k] = name + b' ' + base64.b64encode(bytes(raw))
open(p, 'wb').write(b'\n'.join(lines))
EOF
conf c7.conf "$URL/badcs" c7
refused "a pinned witness's bad cosignature" "witness cosignature" c7.conf
# a checkpoint the log did not sign (root altered)
cp -a logA badlog
python3 - badlog/checkpoint <<'EOF'
import sys
p = sys.argv[1]; lines = open(p, 'rb').read().split(b'\n')
lines[2] = (b'B' if lines[2][:1] == b'A' else b'A') + lines[2][1:]
open(p, 'wb').write(b'\n'.join(lines))
EOF
conf c8.conf "$URL/badlog" c8
refused "checkpoint not signed by the log key" "log signature" c8.conf

# unknown publisher: a log that accepted a manifest signed by another key
V log init --key log.skey logE 2>/dev/null
V release create --key evil.skey --name vigil-main --version 9 -o e1.manifest db3.vdb 2>/dev/null
V log append --key log.skey --vdb db3.vdb logE e1.manifest 2>/dev/null
cosign logE E w1 w2
conf c9.conf "$URL/logE" c9
refused "release signed by an unknown publisher" "publisher signature" c9.conf

# ---- https: a mirror with a certificate from a CA the client is given ----------
if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
     -addext subjectAltName=IP:127.0.0.1 -keyout tls.key -out tls.crt >/dev/null 2>&1; then
  python3 - "$TMP" "$TMP/tls.crt" "$TMP/tls.key" "$TMP/https.port" <<'EOF' >/dev/null 2>&1 &
import functools, http.server, ssl, sys
root, crt, key, portf = sys.argv[1:]
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
s = http.server.HTTPServer(('127.0.0.1', 0), h)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(crt, key)
s.socket = ctx.wrap_socket(s.socket, server_side=True)
open(portf, 'w').write(str(s.server_address[1]))
s.serve_forever()
EOF
  HS=$!
  for _ in $(seq 50); do [ -s https.port ] && break; sleep 0.1; done
  hport=$(cat https.port)
  conf c18.conf "https://127.0.0.1:$hport/logA" c18
  refused "https mirror whose certificate the client cannot verify (no ca-file)" fetch c18.conf
  conf c18.conf "https://127.0.0.1:$hport/logA" c18 "ca-file $TMP/tls.crt"
  out=$(V update --config c18.conf 2>&1); rc=$?
  check "https mirror (ca-file): installs release 2" test $rc -eq 0 -a -n "$(grep 'version 2' <<<"$out")"
  check "https requests are recorded in the egress log" \
    grep -Eq "GET https://127.0.0.1:$hport/logA/checkpoint sent=[1-9][0-9]* received=[1-9][0-9]* status=200 " c18/state/egress.log
  kill $HS 2>/dev/null; wait $HS 2>/dev/null; HS=
else
  ok "https mirror # SKIP openssl cannot make a certificate"
  ok "https install # SKIP"
  ok "https egress # SKIP"
fi

# ---- offline: file:// mirror and bundles -------------------------------------
conf c10.conf "file://$TMP/logA" c10
out=$(V update --config c10.conf 2>&1); rc=$?
check "file:// mirror: installs release 2" test $rc -eq 0 -a -n "$(grep 'version 2' <<<"$out")"
check "file:// requests are recorded in the egress log too" grep -q "GET file://$TMP/logA/checkpoint .*status=file" c10/state/egress.log
conf c11.conf "$URL/unused" c11
out=$(V update --config c11.conf --bundle v2.bundle 2>&1); rc=$?
check "offline bundle installs release 2 with no network" test $rc -eq 0 -a ! -e c11/state/egress.log
check "bundle-installed database equals release 2" cmp -s c11/db/vigil.vdb db2.vdb
# a client at release 1 (via its bundle at size 1) then moves to release 2
V release bundle --log snapA1 --vdb db1.vdb -o v1-at1.bundle r1.manifest 2>/dev/null
conf c12.conf "$URL/logA" c12
V update --config c12.conf --bundle v1-at1.bundle >/dev/null 2>&1
check "bundle of release 1 (log size 1) installs" cmp -s c12/db/vigil.vdb db1.vdb
out=$(V update --config c12.conf 2>&1); rc=$?
check "then HTTP update 1 -> 2 (consistency 1 -> 2 verified)" test $rc -eq 0 -a -n "$(grep 'version 2' <<<"$out")"
check "database replaced by release 2" cmp -s c12/db/vigil.vdb db2.vdb

# ---- the install itself, as system calls: a new temporary file beside the
# database (a name a directory load does not take), written and fsync'ed,
# renamed over the database, then the directory fsync'ed
if command -v strace >/dev/null 2>&1 && strace -qq -o /dev/null true 2>/dev/null; then
  conf c16.conf "$URL/logA" c16
  # (LeakSanitizer cannot run under ptrace: no leak check in this one run)
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -qq -o trace.txt -e trace=openat,fsync,rename,renameat,renameat2 "$VIGIL" update --config c16.conf >/dev/null 2>&1
  out=$(python3 - trace.txt "$TMP/c16/db/vigil.vdb" <<'EOF'
import re, sys
lines = open(sys.argv[1]).read().split('\n'); db = sys.argv[2]; dbdir = db.rsplit('/', 1)[0]
step = 0; tmp = fd = dfd = None
for l in lines:
    if step == 0:
        m = re.search(r'openat\(AT_FDCWD, "(%s\.tmp-[^"]+)", [^)]*O_CREAT\|O_EXCL[^)]*\) = (\d+)' % re.escape(db), l)
        if m: tmp, fd, step = m.group(1), m.group(2), 1
    elif step == 1 and re.search(r'fsync\(%s\) += 0' % fd, l): step = 2
    elif step == 2 and re.search(r'rename(at2?)?\(.*"%s", .*"%s"(, 0)?\) += 0' % (re.escape(tmp), re.escape(db)), l): step = 3
    elif step == 3:
        m = re.search(r'openat\(AT_FDCWD, "%s", [^)]*O_DIRECTORY[^)]*\) = (\d+)' % re.escape(dbdir), l)
        if m: dfd = m.group(1)
        elif dfd and re.search(r'fsync\(%s\) += 0' % dfd, l): step = 4
print(step, tmp or '-')
EOF
)
  check "install: O_EXCL temporary beside the database, fsync, rename over it, fsync of the directory ($out)" \
    test "${out%% *}" = 4
  check "install: the temporary name is not one a database directory load takes" \
    eval "case '${out#* }' in *.vdb|*.hdb|*.ndb|*.yar|-) false;; *) true;; esac"
else
  ok "install: system calls # SKIP no strace"
  ok "install: temporary name # SKIP no strace"
fi

# ---- reload request to a running vigild (a fake one speaking clamd's RELOAD) -
sock=$TMP/vigild.sock
python3 - "$sock" <<'EOF' &
import socket, sys, os
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept(); d = c.recv(64)
open(sys.argv[1] + '.got', 'wb').write(d)
c.sendall(b'RELOADING\0'); c.close()
EOF
FAKE=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
conf c13.conf "$URL/logA" c13 "reload-socket $sock"
out=$(V update --config c13.conf 2>&1); rc=$?
check "after installing, vigild is asked to reload (zRELOAD) and answers" \
  test $rc -eq 0 -a -n "$(grep 'vigild: RELOADING' <<<"$out")" -a "$(cat "$sock.got" 2>/dev/null | tr -d '\0')" = zRELOAD
wait "$FAKE" 2>/dev/null; FAKE=

# ---- a real vigild serving the client's database directory reloads it ---------
VIGILD=${VIGIL_BUILD:+$VIGIL_BUILD/vigild}
if [ -n "$VIGILD" ] && [ -x "$VIGILD" ]; then
  mkdir -p c17/db c17/tmp
  printf 'xx \001\002\003\004\005\006\007\010\011\012 yy\n' > body2.bin
  conf c17.conf "$URL/logA" c17 "reload-socket $TMP/c17/vigild.sock"
  V update --config c17.conf --bundle v1-at1.bundle --no-reload >/dev/null 2>&1
  printf 'LocalSocket %s\nForeground yes\nDatabaseDirectory %s\nTemporaryDirectory %s\nLogFile %s\n' \
    "$TMP/c17/vigild.sock" "$TMP/c17/db" "$TMP/c17/tmp" "$TMP/c17/vigild.log" > c17/vigild.conf
  "$VIGILD" -c c17/vigild.conf >c17/vigild.out 2>&1 &
  VD=$!
  scan17() { python3 - "$TMP/c17/vigild.sock" "$TMP/body2.bin" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
s.sendall(b'zSCAN ' + sys.argv[2].encode() + b'\0'); out = b''
while True:
    d = s.recv(4096)
    if not d: break
    out += d
print(out.rstrip(b'\0').decode(errors='replace'))
EOF
  }
  before=
  for _ in $(seq 100); do before=$(scan17 2>/dev/null) && [ -n "$before" ] && break; sleep 0.1; done
  out=$(V update --config c17.conf 2>&1); rc=$?
  after=
  for _ in $(seq 100); do after=$(scan17 2>/dev/null); grep -q FOUND <<<"$after" && break; sleep 0.1; done
  kill $VD 2>/dev/null; wait $VD 2>/dev/null; VD=
  check "a running vigild (release 1) reloads after the update and detects release 2's new signature" \
    test $rc -eq 0 -a "$before" = "$TMP/body2.bin: OK" -a "$after" = "$TMP/body2.bin: Vigil.Test.Body-2.UNOFFICIAL FOUND"
  [ "$after" = "$TMP/body2.bin: Vigil.Test.Body-2.UNOFFICIAL FOUND" ] || echo "# before: $before / after: $after / $out"
else
  ok "a running vigild reloads after the update # SKIP no vigild in VIGIL_BUILD"
fi

# ---- the scanner has no network code ------------------------------------------
if [ -n "${VIGIL_BUILD:-}" ] && [ -e "$VIGIL_BUILD/libvigil.so" ]; then
  check "libvigil (the scanner) does not link libcurl" test -z "$(ldd "$VIGIL_BUILD/libvigil.so" | grep curl)"
  check "libvigil (the scanner) imports no socket or name-lookup function" \
    test -z "$(nm -D --undefined-only "$VIGIL_BUILD/libvigil.so" | grep -wE 'socket|connect|getaddrinfo|gethostbyname|send|sendto|sendmsg|recv|recvfrom|recvmsg')" -a \
    -n "$(nm -D --undefined-only "$VIGIL" | grep -w connect)"
else
  ok "libvigil does not link libcurl # SKIP no VIGIL_BUILD"
fi

echo "1..$n"
[ $fails -eq 0 ]
