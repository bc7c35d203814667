#!/usr/bin/env bash
# scripts/demo-transparency.sh - `make demo-transparency`: the whole story
# of transparent database releases on one machine.
#
#   keys for a publisher, the log and two witnesses (alice, bob);
#   two releases published to the log and cosigned by both witnesses;
#   the log served over HTTP on 127.0.0.1 (python3 -m http.server);
#   a client that updates to release 2 (and finds with it what release 2
#   added); a monitor listing every release and rule; then a tampered
#   release and an unlogged release, both refused.
#
# Leaves the log in build/demo/log/ (checkpoint at build/demo/log/checkpoint,
# tiles below it, the published artifacts in sha256/), the log's verifier
# key in build/demo/log.vkey and each witness's in
# build/demo/witness-NAME.vkey; everything else (private keys, databases,
# the clients, the tampered mirror) is in build/demo/work/, never inside
# the served log.
#
#   bash scripts/demo-transparency.sh [BUILD-DIR]     (default: build)
#   VIGIL_DEMO_DIR=DIR: the demo directory instead of BUILD-DIR/demo
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
VIGIL=$BUILD/vigil
DEMO=${VIGIL_DEMO_DIR:-$BUILD/demo}
[ -x "$VIGIL" ] || { echo "demo-transparency: $VIGIL not built (make build)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "demo-transparency: needs python3 (HTTP server)" >&2; exit 2; }

V() { "$VIGIL" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '   %s\n' "$*"; }

mkdir -p "$DEMO"
cd "$DEMO"
rm -rf log work log.vkey witness-*.vkey keys client client2 mirror-tampered
mkdir -p work/keys
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null || true' EXIT

step "1. Keys: a publisher, the log, and two independent witnesses"
V key generate --name demo.vigil.example/release -o work/keys/publisher >/dev/null
V key generate --name demo.vigil.example/db-log -o work/keys/log >/dev/null
for w in alice bob; do
  V key generate --witness --name "witness-$w.example/vigil" -o "work/keys/witness-$w" >/dev/null
  cp "work/keys/witness-$w.vkey" "witness-$w.vkey"
done
cp work/keys/log.vkey log.vkey
say "publisher  $(cat work/keys/publisher.vkey)"
say "log        $(cat log.vkey)"
say "witnesses  $(cat witness-alice.vkey)"
say "           $(cat witness-bob.vkey)"

step "2. Two releases, each logged and cosigned by both witnesses"
cp "$ROOT/db/vigil-default.hdb" "$ROOT/db/vigil-default.ndb" work/
V db build -o work/release-1.vdb work/vigil-default.hdb work/vigil-default.ndb
# release 2 adds a signature for a (harmless) demo string
printf 'I am the demo sample that release 2 detects.\n' > work/sample.txt
hex=$(printf 'release 2 detects' | od -An -tx1 | tr -d ' \n')
{ cat work/vigil-default.ndb; printf 'Vigil.Demo.Release2-1:0:*:%s\n' "$hex"; } > work/release-2.ndb
V db build -o work/release-2.vdb work/vigil-default.hdb work/release-2.ndb
V log init --key work/keys/log.skey log
cosign() {
  for w in alice bob; do
    V witness cosign --key "work/keys/witness-$w.skey" --log-key log.vkey --state "work/keys/witness-$w-state" log
  done
}
for r in 1 2; do
  V release create --key work/keys/publisher.skey --name vigil-main --channel stable --version "$r" \
    --log log -o "work/release-$r.manifest" "work/release-$r.vdb"
  V log append --key work/keys/log.skey --release-key work/keys/publisher.vkey --vdb "work/release-$r.vdb" \
    log "work/release-$r.manifest"
  cosign
done
say "the log (C2SP tlog-tiles layout, static files):"
(cd log && find . -type f | sort | sed 's|^\./|     |')
say "its checkpoint:"
sed 's/^/     /' log/checkpoint

step "3. The log served over HTTP on 127.0.0.1"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 "$port" --directory "$DEMO" >"$DEMO/work/http.log" 2>&1 &
SRV=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
URL=http://127.0.0.1:$port
say "mirror: $URL/log"

client_conf() { # NAME MIRROR
  cat > "$DEMO/work/$1.conf" <<EOF
# vigil update configuration (a c2sp.org/tlog-policy file plus vigil's lines)
mirror $2
log $(cat log.vkey)
release-key $(cat work/keys/publisher.vkey)
witness alice $(cat witness-alice.vkey)
witness bob $(cat witness-bob.vkey)
group both 2 alice bob
quorum both
name vigil-main
channel stable
max-age 1d
state $DEMO/work/$1/state
database $DEMO/work/$1/vigil.vdb
EOF
}

step "4. A client updates: every check passes, release 2 is installed"
client_conf client "$URL/log"
V update --config work/client.conf
say "scanning with the installed database:"
V scan --no-summary -d work/client/vigil.vdb work/sample.txt || true
cmp -s work/client/vigil.vdb work/release-2.vdb && say "installed bytes == release 2 (sha256 $(sha256sum < work/client/vigil.vdb | cut -c1-16)...)"

step "5. Anyone can monitor the log: every release and every rule ever published"
V log monitor --config work/client.conf --state work/monitor-state \
  --egress-log work/monitor-egress.log "$URL/log" | sed 's/^/   /'

step "6. A tampered release is refused"
cp -a log work/mirror-tampered
d2=$(sha256sum < work/release-2.vdb | cut -c1-64)
python3 - "work/mirror-tampered/sha256/$d2" <<'EOF'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[-1] ^= 0x01; open(p, 'wb').write(b)
EOF
say "a mirror serves release 2 with one bit of its .vdb flipped; a new client tries it:"
client_conf client2 "$URL/work/mirror-tampered"
set +e
out=$(V update --config work/client2.conf 2>&1); rc=$?
set -e
sed 's/^/   /' <<<"$out"
tampered_ok=0
{ [ $rc -eq 2 ] && grep -q refused <<<"$out" && [ ! -e work/client2/vigil.vdb ]; } && tampered_ok=1

step "7. An unlogged release is refused"
V release create --key work/keys/publisher.skey --name vigil-main --version 3 \
  --prev work/release-2.manifest -o work/release-3.manifest work/release-1.vdb
say "release 3 is validly signed by the publisher but was never put in the log;"
say "an offline bundle carries it with release 2's inclusion proof and checkpoint:"
V release bundle --log log --vdb work/release-2.vdb -o work/release-2.bundle work/release-2.manifest
python3 - work/release-2.bundle work/release-3.manifest work/release-1.vdb work/release-3-unlogged.bundle <<'EOF'
import sys
src, man, db, out = sys.argv[1:]
b = open(src, 'rb').read()
i = b.index(b'\n') + 1; sec = {}
while i < len(b):
    j = b.index(b'\n', i); name, ln = b[i:j].split(b' '); ln = int(ln)
    sec[name.decode()] = b[j + 1:j + 1 + ln]; i = j + 2 + ln
sec['manifest'] = open(man, 'rb').read(); sec['db'] = open(db, 'rb').read()
with open(out, 'wb') as f:
    f.write(b'vigil-release-bundle/v1\n')
    for k in ('manifest', 'proof', 'leaves', 'db'):
        f.write(b'%s %d\n' % (k.encode(), len(sec[k])) + sec[k] + b'\n')
EOF
before=$(sha256sum < work/client/vigil.vdb)
set +e
out=$(V update --config work/client.conf --bundle work/release-3-unlogged.bundle 2>&1); rc=$?
set -e
sed 's/^/   /' <<<"$out"
unlogged_ok=0
{ [ $rc -eq 2 ] && grep -q refused <<<"$out" && [ "$before" = "$(sha256sum < work/client/vigil.vdb)" ]; } && unlogged_ok=1

step "8. Every byte the updater sent or received is in its egress log"
V egress --config work/client.conf | sed 's/^/   /'

kill "$SRV" 2>/dev/null || true
SRV=
step "Summary"
say "log:               $DEMO/log (checkpoint, tile/..., sha256/...)"
say "log key:           $DEMO/log.vkey"
say "witness keys:      $DEMO/witness-alice.vkey $DEMO/witness-bob.vkey"
say "client database:   $DEMO/work/client/vigil.vdb (release 2)"
if [ $tampered_ok = 1 ] && [ $unlogged_ok = 1 ]; then
  say "tampered release:  refused"
  say "unlogged release:  refused"
  exit 0
fi
echo "demo-transparency: an attack was NOT refused (tampered=$tampered_ok unlogged=$unlogged_ok)" >&2
exit 1
