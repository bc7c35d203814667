#!/usr/bin/env bash
# tests/e2e/transparency_log.sh - keys, release manifests, the append-only
# log (tlog-tiles on disk), witnesses, `vigil log verify` and `log monitor`:
# formats, the checks each command makes, and that every inconsistency
# (tampered tile or entry, unpublished artifact, a log that forked or
# shrank) makes verify/monitor exit 1 and witnesses refuse.
#
#   VIGIL=build/vigil VIGIL_SRC=. bash tests/e2e/transparency_log.sh
set -u
VIGIL_SRC=${VIGIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
VIGIL=${VIGIL:-$VIGIL_SRC/build/vigil}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vigil-tl.XXXXXX") || exit 1
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
export VIGIL_EGRESS_LOG=$TMP/egress.log

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
# status DESC WANT CMD...: exit status is WANT
status() { local d=$1 w=$2; shift 2; "$@" >/dev/null 2>&1; local rc=$?
  if [ $rc -eq "$w" ]; then ok "$d"; else nok "$d (exit $rc, want $w)"; fi; }

mkdir -p src
printf '44d88612fea8a8f36de82e1278abb02f:68:Vigil.Test.Eicar-1\n' > src/a.hdb
printf 'Vigil.Test.Body-1:0:*:68656c6c6f20776f726c64\nVigil.Test.Gone-1:0:*:0a0b0c0d0e0f1011\n' > src/a.ndb
V db build -o db1.vdb src/a.hdb src/a.ndb 2>/dev/null
printf 'Vigil.Test.Body-1:0:*:68656c6c6f20776f726c64\nVigil.Test.New-2:0:*:0102030405060708\n' > src/a.ndb
V db build -o db2.vdb src/a.hdb src/a.ndb 2>/dev/null
check "databases built" test -s db1.vdb -a -s db2.vdb

# ---- keys --------------------------------------------------------------------
vk=$(V key generate --name vigil.example/release -o pub)
check "key generate prints a vkey name+<8 hex>+base64(0x01||pub)" \
  grep -Eq '^vigil\.example/release\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$' <<<"$vk"
check "vkey file holds the same key" test "$(cat pub.vkey)" = "$vk"
check "skey file: PRIVATE+KEY+name+id+base64, mode 0600" \
  test "$(stat -c %a pub.skey)" = 600 -a -n "$(grep -E '^PRIVATE\+KEY\+vigil\.example/release\+[0-9a-f]{8}\+A' pub.skey)"
check "key vkey derives the vkey from the skey" test "$(V key vkey pub.skey)" = "$vk"
status "key generate refuses to overwrite a key" 2 V key generate --name x.example/y -o pub
status "key generate refuses a name with a space" 2 V key generate --name 'bad name' -o bad
V key generate --name vigil.example/db-log -o log >/dev/null
wv=$(V key generate --witness --name w1.example/vigil -o w1)
check "witness keys are type 0x04 (base64 starts with B)" grep -Eq '^w1\.example/vigil\+[0-9a-f]{8}\+B' <<<"$wv"
V key generate --witness --name w2.example/vigil -o w2 >/dev/null

# ---- release manifests ---------------------------------------------------------
V release create --key pub.skey --name vigil-main --version 1 --created 2026-01-23T10:00:00Z \
  --rules-out r1.rules -o r1.manifest db1.vdb 2>/dev/null
check "release create writes a signed manifest" test -s r1.manifest
check "manifest text is the canonical field list" test "$(sed -n '1,5p' r1.manifest)" = \
"vigil-db-release/v1
name vigil-main
channel stable
version 1
created 2026-01-23T10:00:00Z"
d1=$(sha256sum < db1.vdb | cut -c1-64)
check "manifest 'db' line: SHA-256 and size of the .vdb" grep -qx "db $d1 $(stat -c %s db1.vdb)" r1.manifest
check "manifest 'source' lines: per-source-file hashes" \
  grep -qx "source $(sha256sum < src/a.hdb | cut -c1-64) $(stat -c %s src/a.hdb) a.hdb" r1.manifest
ri=$(sha256sum < r1.rules | cut -c1-64)
check "manifest 'rules' line: count and hash of the rule index" grep -Eq "^rules 3 $ri [A-Za-z0-9+/]{43}=$" r1.manifest
check "the rule index of hash and body signatures is exactly 'vigil db list' of the database" cmp -s r1.rules <(V db list db1.vdb)
# the manifest's Merkle root of the rule index, recomputed here (RFC 6962, one leaf per line)
mth() { python3 - "$1" <<'EOF'
import hashlib, sys, base64
ls = open(sys.argv[1], 'rb').read().split(b'\n')[:-1]
H = lambda b: hashlib.sha256(b).digest()
def mth(v):
    if not v: return H(b'')
    if len(v) == 1: return H(b'\0' + v[0] + b'\n')
    k = 1
    while k * 2 < len(v): k *= 2
    return H(b'\1' + mth(v[:k]) + mth(v[k:]))
print(base64.b64encode(mth(ls)).decode())
EOF
}
check "manifest 'rules' line: Merkle root of the rule index (recomputed)" grep -qx "rules 3 $ri $(mth r1.rules)" r1.manifest
check "manifest ends with 'prev none' and a publisher signature" \
  test "$(grep -c '^prev none$' r1.manifest)" = 1 -a -n "$(grep "^— vigil.example/release " r1.manifest)"
check "release show prints the fields" test -n "$(V release show r1.manifest | grep '^version 1$')"
status "release create refuses a source database (not .vdb)" 2 V release create --key pub.skey --name x --version 1 -o x.manifest src/a.hdb

# rules a .vdb carries as source text (YARA, logical, PE hashes): one index
# line per rule, by name, with a content hash recomputed here
cat > src/y.yar <<'EOF'
rule alpha { strings: $a = "alpha-marker" condition: $a }
private rule beta
{
  strings: $b = "beta-marker"
  condition: $b
}
EOF
printf 'Vigil.Test.Ldb-1;Engine:51-255,Target:0;0;616263\nVigil.Test Ldb-2;Engine:51-255,Target:0;0;646566\n' > src/y.ldb
printf '1024:44d88612fea8a8f36de82e1278abb02f:Vigil.Test.Sect-1\n' > src/y.mdb
V db build -o y1.vdb src/y.yar src/y.ldb src/y.mdb 2>/dev/null
V release create --key pub.skey --name vigil-text --version 1 --rules-out y1.rules -o y1.manifest y1.vdb 2>/dev/null
want=$(python3 - <<'EOF'
import hashlib
h = lambda t, b: hashlib.sha256(t.encode() + b':' + b).hexdigest()
y = open('src/y.yar', 'rb').read().split(b'\n')
print('\n'.join(sorted([
  'ldb Vigil.Test.Ldb-1.UNOFFICIAL ' + h('ldb', b';Engine:51-255,Target:0;0;616263'),
  'ldb Vigil.Test%20Ldb-2.UNOFFICIAL ' + h('ldb', b';Engine:51-255,Target:0;0;646566'),
  'mdb Vigil.Test.Sect-1.UNOFFICIAL ' + h('mdb', b'1024:44d88612fea8a8f36de82e1278abb02f'),
  'yara alpha ' + h('yara', y[0] + b'\n'),
  'yara beta ' + h('yara', b'\n'.join(y[1:]))])))
EOF
)
check "rule index: every YARA, logical and PE-hash rule by name with its content hash (a space in a name as %20)" \
  test "$(cat y1.rules)" = "$want"
check "manifest of a YARA/.ldb/.mdb database counts 5 rules" grep -qx "rules 5 $(sha256sum < y1.rules | cut -c1-64) $(mth y1.rules)" y1.manifest
sed -i 's/beta-marker/beta-marker-2/' src/y.yar
printf 'rule gamma { strings: $g = "CONFIDENTIAL" condition: $g }\n' >> src/y.yar
V db build -o y2.vdb src/y.yar src/y.ldb src/y.mdb 2>/dev/null
V release create --key pub.skey --name vigil-text --version 2 --rules-out y2.rules -o y2.manifest y2.vdb 2>/dev/null
check "an edited YARA rule changes only its own hash; an added one is listed" test "$(diff y1.rules y2.rules | grep -c '^[<>]')" = 3 -a \
  "$(grep -c '^yara gamma ' y2.rules)" = 1 -a "$(grep '^yara alpha ' y1.rules)" = "$(grep '^yara alpha ' y2.rules)"

# ---- the log -------------------------------------------------------------------
V log init --key log.skey log 2>/dev/null
check "log init writes a size-0 checkpoint signed by the log" \
  test "$(sed -n '1,3p' log/checkpoint)" = "vigil.example/db-log
0
47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
status "log init refuses an existing log" 2 V log init --key log.skey log
status "log append refuses a manifest by an unknown publisher key" 2 \
  V log append --key log.skey --release-key log.vkey --vdb db1.vdb log r1.manifest
status "log append refuses a database that does not match the manifest" 2 \
  V log append --key log.skey --release-key pub.vkey --vdb db2.vdb log r1.manifest
status "log append accepts release 1" 0 V log append --key log.skey --release-key pub.vkey --vdb db1.vdb log r1.manifest
check "tlog-tiles layout: tile/0/000.p/1, tile/entries/000.p/1" test -s log/tile/0/000.p/1 -a -s log/tile/entries/000.p/1
check "the entry bundle holds the manifest (2-byte length + bytes)" \
  cmp -s <(tail -c +3 log/tile/entries/000.p/1) r1.manifest
check "artifacts published content-addressed: db and rule index" test -s "log/sha256/$d1" -a -s "log/sha256/$ri"
status "log append refuses the same release twice" 2 V log append --key log.skey --vdb db1.vdb log r1.manifest
V release create --key pub.skey --name vigil-main --version 1 -o r1b.manifest db2.vdb 2>/dev/null
status "log append refuses a version that is not above the logged one" 2 V log append --key log.skey --vdb db2.vdb log r1b.manifest
V release create --key pub.skey --name vigil-main --version 2 -o r2-noprev.manifest db2.vdb 2>/dev/null
status "log append refuses 'prev none' when the log has an earlier release" 2 \
  V log append --key log.skey --vdb db2.vdb log r2-noprev.manifest
V release create --key pub.skey --name vigil-main --version 2 --log log -o r2.manifest db2.vdb 2>/dev/null
check "release create --log sets prev to the leaf hash of the previous release" \
  grep -qx "prev $( (printf '\0'; cat r1.manifest) | sha256sum | cut -c1-64)" r2.manifest
status "log append accepts release 2" 0 V log append --key log.skey --release-key pub.vkey --vdb db2.vdb log r2.manifest
check "checkpoint now says size 2" test "$(sed -n 2p log/checkpoint)" = 2
check "the size-1 partial tile is kept for the old checkpoint" test -s log/tile/0/000.p/1 -a -s log/tile/0/000.p/2

# ---- witnesses --------------------------------------------------------------------
status "witness cosigns (first sight)" 0 V witness cosign --key w1.skey --log-key log.vkey --state ws1 log
check "cosignature/v1 line added to the checkpoint" grep -q "^— w1.example/vigil " log/checkpoint
check "the cosignature line is 76 bytes (key ID, time, signature)" \
  test "$(grep '^— w1.example' log/checkpoint | awk '{print $3}' | base64 -d | wc -c)" = 76
status "witness 2 cosigns" 0 V witness cosign --key w2.skey --log-key log.vkey --state ws2 log
status "witness cosigns the same checkpoint again (idempotent)" 0 V witness cosign --key w1.skey --log-key log.vkey --state ws1 log
check "one line per witness" test "$(grep -c '^— w1.example' log/checkpoint)" = 1
status "witness refuses a checkpoint it cannot verify with the given log key, exit 1" 1 V witness cosign --key w1.skey --log-key w2.vkey --state ws1 log
# a fork: another tree of size 2 signed by the same log key
V log init --key log.skey fork 2>/dev/null
V release create --key pub.skey --name vigil-main --version 5 -o f1.manifest db1.vdb 2>/dev/null
V log append --key log.skey --vdb db1.vdb fork f1.manifest 2>/dev/null
V release create --key pub.skey --name vigil-main --version 6 --log fork -o f2.manifest db2.vdb 2>/dev/null
V log append --key log.skey --vdb db2.vdb fork f2.manifest 2>/dev/null
out=$(V witness cosign --key w1.skey --log-key log.vkey --state ws1 fork 2>&1); rc=$?
check "witness refuses a checkpoint that is not an extension (split view), exit 1" \
  test $rc -eq 1 -a -n "$(grep 'refused: split view' <<<"$out")"
check "refused checkpoint was not cosigned" test -z "$(grep '^— w1' fork/checkpoint)"
V release create --key pub.skey --name vigil-main --version 7 --log fork -o f3.manifest db1.vdb 2>/dev/null
V log append --key log.skey --vdb db1.vdb fork f3.manifest 2>/dev/null
out=$(V witness cosign --key w1.skey --log-key log.vkey --state ws1 fork 2>&1); rc=$?
check "witness refuses a larger tree that does not contain what it saw, exit 1" \
  test $rc -eq 1 -a -n "$(grep 'refused: not an extension' <<<"$out")"

V log init --key log.skey shrunk 2>/dev/null
V log append --key log.skey --vdb db1.vdb shrunk r1.manifest 2>/dev/null
out=$(V witness cosign --key w1.skey --log-key log.vkey --state ws1 shrunk 2>&1); rc=$?
check "witness refuses a smaller tree (size 1 after size 2), exit 1" test $rc -eq 1 -a -n "$(grep 'refused: not an extension' <<<"$out")"
V witness cosign --key w1.skey --log-key log.vkey --state ws1 -o cosigned.cp log 2>/dev/null
check "witness -o writes the cosigned checkpoint elsewhere" grep -q "^— w1.example" cosigned.cp

# ---- verify and monitor -----------------------------------------------------------------
V log init --key log.skey ylog 2>/dev/null
V log append --key log.skey --release-key pub.vkey --vdb y1.vdb ylog y1.manifest 2>/dev/null
V release create --key pub.skey --name vigil-text --version 2 --log ylog -o y2.manifest y2.vdb 2>/dev/null
V log append --key log.skey --release-key pub.vkey --vdb y2.vdb ylog y2.manifest 2>/dev/null
out=$(V log verify --key log.vkey ylog); rc=$?
check "log verify: a YARA rule added by version 2 is listed by name" test $rc -eq 0 -a \
  -n "$(grep -E '^rule vigil-text/stable yara gamma [0-9a-f]{64} first 2 dropped -$' <<<"$out")"
check "log verify: an edited YARA rule's old text dropped by version 2, its new text first in 2" \
  test "$(grep -Ec '^rule vigil-text/stable yara beta [0-9a-f]{64} first (1 dropped 2|2 dropped -)$' <<<"$out")" = 2
out=$(V log verify --key log.vkey --release-key pub.vkey --witness w1.vkey --witness w2.vkey --quorum 2 log); rc=$?
check "log verify: consistent log, exit 0" test $rc -eq 0
check "log verify lists every release" test "$(grep -c '^release ' <<<"$out")" = 2
check "log verify: a rule dropped by version 2" \
  grep -Eq '^rule vigil-main/stable ndb Vigil.Test.Gone-1.UNOFFICIAL [0-9a-f]{64} first 1 dropped 2$' <<<"$out"
check "log verify: a rule added by version 2" \
  grep -Eq '^rule vigil-main/stable ndb Vigil.Test.New-2.UNOFFICIAL [0-9a-f]{64} first 2 dropped -$' <<<"$out"
check "log verify: a rule carried since version 1" \
  grep -Eq '^rule vigil-main/stable md5 Vigil.Test.Eicar-1.UNOFFICIAL [0-9a-f]{64} first 1 dropped -$' <<<"$out"
status "log verify: quorum 3 not met, exit 1" 1 V log verify --key log.vkey --witness w1.vkey --witness w2.vkey --quorum 3 log
status "log verify: wrong log key, exit 1" 1 V log verify --key pub.vkey log

cp -a log t1
python3 - t1/tile/0/000.p/2 <<'EOF'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[5] ^= 1; open(p, 'wb').write(b)
EOF
status "log verify: tampered tile, exit 1" 1 V log verify --key log.vkey t1
cp -a log t2
python3 - t2/tile/entries/000.p/2 <<'EOF'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[30] ^= 1; open(p, 'wb').write(b)
EOF
status "log verify: tampered entry, exit 1" 1 V log verify --key log.vkey t2
cp -a log t3
rm "t3/sha256/$ri"
out=$(V log verify --key log.vkey t3); rc=$?
check "log verify: unpublished rule index (dark release), exit 1" test $rc -eq 1 -a -n "$(grep 'dark release' <<<"$out")"
cp -a log t4
python3 - "t4/sha256/$d1" <<'EOF'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[2000] ^= 1; open(p, 'wb').write(b)
EOF
status "log verify: published database differs from the manifest, exit 1" 1 V log verify --key log.vkey t4
status "log verify --no-db skips database downloads" 0 V log verify --key log.vkey --no-db t4
status "log verify: the forked log is internally consistent but its versions run 5,6,7" 0 V log verify --key log.vkey fork

status "log monitor: first run, exit 0" 0 V log monitor --key log.vkey --state mon log
check "log monitor stores the checkpoint it saw" test "$(ls mon | wc -l)" = 1
status "log monitor: unchanged log, exit 0" 0 V log monitor --key log.vkey --state mon log
out=$(V log monitor --key log.vkey --state mon fork); rc=$?
check "log monitor: a log that forked since the last run, exit 1" test $rc -eq 1 -a -n "$(grep 'PROBLEM: consistency' <<<"$out")"
out=$(V log monitor --key log.vkey --state mon shrunk); rc=$?
check "log monitor: a log that shrank, exit 1" test $rc -eq 1 -a -n "$(grep 'shrank' <<<"$out")"

# over HTTP on 127.0.0.1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 "$port" --directory "$TMP" >/dev/null 2>&1 &
SRV=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
out=$(V log monitor --key log.vkey --state mon2 "http://127.0.0.1:$port/log"); rc=$?
check "log monitor over HTTP: exit 0, same releases" test $rc -eq 0 -a "$(grep -c '^release ' <<<"$out")" = 2
status "log verify over HTTP: tampered tile, exit 1" 1 V log verify --key log.vkey "http://127.0.0.1:$port/t1"
status "log verify: a URL that is not a log, exit 1" 1 V log verify --key log.vkey "http://127.0.0.1:$port/nothing"
check "network requests were recorded in the egress log" grep -q "GET http://127.0.0.1:$port/log/checkpoint" egress.log
status "an unsupported URL scheme is refused" 1 V log verify --key log.vkey "ftp://127.0.0.1:$port/log"

echo "1..$n"
[ $fails -eq 0 ]
