#!/usr/bin/env bash
# tests/e2e/quarantine_store.sh - `vigil scan --quarantine` and `vigil
# quarantine list|restore|delete` as a user runs them: what is printed,
# what is moved, what the store holds, what comes back.
#
#   VIGIL=path/to/vigil bash tests/e2e/quarantine_store.sh
set -u
VIGIL_SRC=${VIGIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
VIGIL=${VIGIL:-$VIGIL_SRC/build/vigil}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vigil-qstore.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
Q=(--quarantine-dir "$TMP/store")

EICAR='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
mkdir -p files/sub
printf '%s' "$EICAR" > files/eicar.com
printf '%s' "$EICAR" > "files/sub/name with spaces.com"
echo clean > files/clean.txt
chmod 0640 files/eicar.com
chown 4242:4343 files/eicar.com 2>/dev/null
touch -d '2021-02-03 04:05:06.5' files/eicar.com
before=$(stat -c '%a %u %g %Y %s' files/eicar.com)
sum=$(sha256sum < files/eicar.com)

out=$("$VIGIL" scan --quarantine "${Q[@]}" --no-summary files 2>&1); rc=$?
check "scan --quarantine: exit 1" test "$rc" -eq 1
check "the FOUND line, then 'moved to quarantine as ID'" \
  grep -qE '^files/eicar.com: moved to quarantine as [0-9a-f]{16}$' <<<"$out"
check "clean file stays and says OK" grep -qx 'files/clean.txt: OK' <<<"$out"
check "infected files are gone from their place" test ! -e files/eicar.com -a ! -e "files/sub/name with spaces.com"
check "the clean file is still there" test -e files/clean.txt
check "the store is mode 0700" test "$(stat -c %a store)" = 700

list=$("$VIGIL" quarantine list "${Q[@]}")
check "list: two lines" test "$(wc -l <<<"$list")" -eq 2
check "list: ID, UTC time, signature, absolute path" \
  grep -qE "^[0-9a-f]{16}  [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z  Win\.Test\.EICAR_HDB-1  $TMP/files/eicar.com\$" <<<"$list"
"$VIGIL" quarantine list --json "${Q[@]}" > list.json
check "list --json: id, path, size, sha256, signatures, time, uid, gid, mode, atime, mtime, ctime" python3 - "$TMP" "${sum%% *}" "$(cut -d' ' -f4 <<<"$before")" <<'PY'
import json, sys
tmp, h, mtime = sys.argv[1], sys.argv[2], int(sys.argv[3])
es = [json.loads(l) for l in open("list.json")]
e = [x for x in es if x["path"] == tmp + "/files/eicar.com"][0]
assert len(es) == 2 and len(e["id"]) == 16 and e["sha256"] == h and e["size"] == 68
assert e["signatures"] == ["Win.Test.EICAR_HDB-1"] and e["time"].endswith("Z")
assert e["mode"] == "0640"
assert int(e["mtime"]) == mtime and e["atime"] > 0 and e["ctime"] > 0
import os
if os.geteuid() == 0:
    assert e["uid"] == 4242 and e["gid"] == 4343
PY

out=$("$VIGIL" scan --no-summary store 2>&1); rc=$?
check "a scan of the store finds nothing (exit $rc)" test "$rc" -eq 0
check "nothing in the store is executable" test -z "$(find store -type f -perm /111)"

id=$(grep "$TMP/files/eicar.com\$" <<<"$list" | cut -d' ' -f1)
sid=$(grep "spaces" <<<"$list" | cut -d' ' -f1)
echo other > files/eicar.com
out=$("$VIGIL" quarantine restore "$id" "${Q[@]}" 2>&1); rc=$?
check "restore over an existing file: refused, exit 2" test "$rc" -eq 2
check "the message says --force ($out)" grep -q -- '--force' <<<"$out"
check "the existing file is untouched" test "$(cat files/eicar.com)" = other
out=$("$VIGIL" quarantine restore "$id" --force "${Q[@]}" 2>&1); rc=$?
check "restore --force: exit 0 ($out)" test "$rc" -eq 0
check "same bytes" test "$(sha256sum < files/eicar.com)" = "$sum"
check "same mode, owner, group, mtime, size ($before)" test "$(stat -c '%a %u %g %Y %s' files/eicar.com)" = "$before"
check "the entry is gone from the list" test "$("$VIGIL" quarantine list "${Q[@]}" | wc -l)" -eq 1

out=$("$VIGIL" quarantine restore "$sid" --to "$TMP/elsewhere.com" "${Q[@]}" 2>&1)
check "restore --to PATH" test "$(sha256sum < elsewhere.com)" = "$sum"
"$VIGIL" scan --quarantine "${Q[@]}" --no-summary -i elsewhere.com >/dev/null 2>&1
id2=$("$VIGIL" quarantine list "${Q[@]}" | cut -d' ' -f1)
out=$("$VIGIL" quarantine delete "$id2" "${Q[@]}" 2>&1); rc=$?
check "delete: exit 0" test "$rc" -eq 0
check "delete: the store is empty" test -z "$(find store -name '*.meta' -o -name '*.data')"
"$VIGIL" quarantine delete "$id2" "${Q[@]}" >/dev/null 2>&1; rc=$?
check "delete of a missing id: exit 2" test "$rc" -eq 2
"$VIGIL" quarantine restore ../../etc/passwd "${Q[@]}" >/dev/null 2>&1; rc=$?
check "an id that is a path: exit 2" test "$rc" -eq 2
"$VIGIL" quarantine list --quarantine-dir "$TMP/none" >/dev/null 2>&1; rc=$?
check "list of a missing store: exit 2" test "$rc" -eq 2
"$VIGIL" scan --quarantine-dir "$TMP/store" files >/dev/null 2>&1; rc=$?
check "--quarantine-dir without --quarantine: exit 2" test "$rc" -eq 2

printf '%s' "$EICAR" > j.com
"$VIGIL" scan --json --quarantine "${Q[@]}" j.com > scan.json 2>/dev/null
check "--json: a {\"path\", \"quarantined\"} line" python3 -c '
import json, sys
ls = [json.loads(l) for l in open("scan.json")]
sys.exit(0 if any(l.get("quarantined") and l["path"] == "j.com" for l in ls) else 1)'
printf '%s' "$EICAR" | "$VIGIL" scan --quarantine "${Q[@]}" - >/dev/null 2>err.txt; rc=$?
check "stdin: found, not quarantined, said on stderr" \
  bash -c "[ $rc -eq 1 ] && grep -q 'not quarantined' err.txt"
check "help mentions --quarantine" bash -c "'$VIGIL' scan --help | grep -q -- --quarantine-dir"
check "vigil quarantine --help" bash -c "'$VIGIL' quarantine --help | grep -q 'restore ID'"
echo "1..$n"
