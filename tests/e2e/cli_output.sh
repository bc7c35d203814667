#!/usr/bin/env bash
# tests/e2e/cli_output.sh - `vigil scan` output, summary and exit codes,
# compared with Debian's clamscan 1.4 on the same files and database.
#
#   VIGIL=path/to/vigil VIGIL_SRC=repo-root bash tests/e2e/cli_output.sh
#
# Prints TAP lines. Needs: clamscan (else the comparisons are skipped),
# python3 (JSON), script (fake tty), setpriv (permission tests, as root).
set -u
VIGIL_SRC=${VIGIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
VIGIL=${VIGIL:-$VIGIL_SRC/build/vigil}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vigil-cli.XXXXXX") || exit 1
trap 'chmod -R u+rwx "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT
chmod 755 "$TMP"
cd "$TMP" || exit 1

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# check DESC COND...: ok when the command succeeds
check() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
# same DESC FILE_A FILE_B: ok when equal, else show the difference
same() {
  if cmp -s "$2" "$3"; then ok "$1"; else
    nok "$1"; diff "$2" "$3" | sed 's/^/#   /' | head -n 20
  fi
}
have_clam=0
command -v clamscan >/dev/null 2>&1 && have_clam=1
vig() { "$VIGIL" scan "$@"; }
clam() { clamscan "$@"; }
# strip what legitimately differs: engine version, times and dates
summary_keys() { sed -n '/SCAN SUMMARY/,$p' "$1" | sed 's/:.*//'; }
field() { sed -n "s/^$2: //p" "$1"; }

EICAR='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
EICAR_MD5=44d88612fea8a8f36de82e1278abb02f

# ---- fixtures -------------------------------------------------------------
printf '%s:68:Vigil.Test.Eicar-1\n' "$EICAR_MD5" > db.hdb
# a second signature for the same file: body pattern, for --all-match
eicar_hex=$(printf '%s' "$EICAR" | od -An -tx1 | tr -d ' \n')
printf 'Vigil.Test.EicarBody-1:0:*:%s\n' "${eicar_hex:0:40}" > db.ndb
mkdir -p d/sub d/skipme
printf '%s' "$EICAR" > d/eicar.com
printf 'hello world\n' > d/clean.txt
: > d/empty
ln -s clean.txt d/link
ln -s nowhere d/broken
printf '%s' "$EICAR" > d/sub/e2.bin
printf 'plain\n' > d/sub/fine.txt
printf '%s' "$EICAR" > d/skipme/e3.bin
head -c 2097152 /dev/urandom > d/sub/random.bin
printf '%s' "$EICAR" > eicar.com
printf 'clean\n' > clean.txt
# bad database: line 3 is malformed
printf '%s:68:Good-1\n%s:68:Good-2\nzz-not-hex:68:Bad-3\n%s:68:Good-4\n' \
  "$EICAR_MD5" "$EICAR_MD5" "$EICAR_MD5" > bad.hdb

# ---- exit codes -----------------------------------------------------------
vig -d db.hdb clean.txt >/dev/null 2>&1; rc=$?
check "exit 0 when clean (got $rc)" test "$rc" -eq 0
vig -d db.hdb eicar.com >/dev/null 2>&1; rc=$?
check "exit 1 when found (got $rc)" test "$rc" -eq 1
vig -d db.hdb eicar.com missing-file >/dev/null 2>&1; rc=$?
check "exit 1 when found and an error (found wins, got $rc)" test "$rc" -eq 1
vig -d db.hdb clean.txt missing-file >/dev/null 2>&1; rc=$?
check "exit 2 on an error only (got $rc)" test "$rc" -eq 2
vig -d bad.hdb eicar.com >out 2>err; rc=$?
check "exit 2 on a malformed database (got $rc)" test "$rc" -eq 2
check "malformed database: 'bad.hdb:3: reason' first on stderr" \
  grep -qE '^bad\.hdb:3: [^ ]' <(head -n 1 err)
check "malformed database: nothing scanned, nothing on stdout" test ! -s out
vig -d "$TMP/bad.hdb" clean.txt >/dev/null 2>err
check "malformed database: path as given ($TMP/bad.hdb:3:)" grep -qF "$TMP/bad.hdb:3: " err
vig -d no-such.hdb clean.txt >/dev/null 2>err; rc=$?
check "missing database: exit 2 and named on stderr" \
  eval 'test $rc -eq 2 && grep -q no-such.hdb err'

# ---- output lines, compared with clamscan ----------------------------------
if [ $have_clam = 1 ]; then
  vig -d db.hdb --no-summary d 2>/dev/null | sort > v.out
  clam -r -d db.hdb --no-summary d 2>/dev/null | sort > c.out
  same "dir walk: OK/FOUND/Empty file/Symbolic link lines as clamscan -r" c.out v.out
  check "dir walk: the lines are there" grep -qx 'd/empty: Empty file' v.out
  check "dir walk: broken symlink reported as Symbolic link" \
    grep -qx 'd/broken: Symbolic link' v.out

  vig -d db.hdb --no-summary --exclude 'eicar\.com$' --exclude-dir 'skip' d 2>/dev/null | sort > v.out
  clam -r -d db.hdb --no-summary --exclude 'eicar\.com$' --exclude-dir 'skip' d 2>/dev/null | sort > c.out
  same "--exclude / --exclude-dir: 'Excluded' lines as clamscan" c.out v.out
  check "--exclude-dir: the directory is named" grep -qx 'd/skipme: Excluded' v.out

  vig -d db.hdb --no-summary d/ 2>/dev/null | sort > v.out
  clam -r -d db.hdb --no-summary d/ 2>/dev/null | sort > c.out
  same "trailing slash on a directory: paths as clamscan" c.out v.out

  # files are scanned in parallel: compare the lines, not their order
  vig -d db.hdb --no-summary eicar.com clean.txt d/link 2>/dev/null | sort > v.out
  clam -d db.hdb --no-summary eicar.com clean.txt d/link 2>/dev/null | sort > c.out
  same "files on the command line (symlink followed) as clamscan" c.out v.out

  vig -d db.hdb --no-summary missing-file >v.out 2>v.err
  clam -d db.hdb --no-summary missing-file >c.out 2>c.err
  same "missing file: stderr message as clamscan" c.err v.err
  check "missing file: nothing on stdout" test ! -s v.out

  vig -d db.hdb -i --no-summary d 2>/dev/null | sort > v.out
  clam -r -d db.hdb -i --no-summary d 2>/dev/null | sort > c.out
  same "-i: only FOUND lines, as clamscan" c.out v.out
  vig -d db.hdb -o --no-summary d 2>/dev/null | sort > v.out
  clam -r -d db.hdb -o --no-summary d 2>/dev/null | sort > c.out
  same "-o: no OK lines, as clamscan" c.out v.out

  vig -d db.hdb -d db.ndb --all-match --no-summary eicar.com d/sub 2>/dev/null | sort > v.out
  clam -d db.hdb -d db.ndb --allmatch --no-summary eicar.com d/sub 2>/dev/null | sort > c.out
  same "--all-match: one line per signature, as clamscan --allmatch" c.out v.out
  check "--all-match: two signatures for eicar.com" \
    test "$(grep -c '^eicar.com: .* FOUND$' v.out)" -eq 2
  vig -d db.hdb -d db.ndb --no-summary eicar.com 2>/dev/null > v.out
  check "without --all-match: one line" test "$(wc -l < v.out)" -eq 1
  clam -d db.hdb -d db.ndb --no-summary eicar.com 2>/dev/null > c.out
  same "without --all-match: the name clamscan reports (the body signature, not the hash)" c.out v.out
  # within one file clamscan reports body signatures, then hash ones, then
  # logical ones; -d order does not matter
  printf 'Vigil.Test.EicarLdb-1;Target:0;0;%s\n' "${eicar_hex:40:40}" > db.ldb
  vig -d db.ldb -d db.hdb -d db.ndb --all-match --no-summary eicar.com >v.out 2>&1
  clam -d db.ldb -d db.hdb -d db.ndb --allmatch --no-summary eicar.com >c.out 2>&1
  same "--all-match on one file: clamscan's order, unsorted (body, hash, logical)" c.out v.out
  check "--all-match on one file: three lines" test "$(wc -l < v.out)" -eq 3
  vig -d db.ldb -d db.hdb --no-summary eicar.com >v.out 2>&1
  clam -d db.ldb -d db.hdb --no-summary eicar.com >c.out 2>&1
  same "hash and logical signature: the hash's name, as clamscan" c.out v.out
  # -d DIRECTORY loads every database in it
  mkdir -p dbdir && cp db.hdb db.ndb db.ldb dbdir/
  vig -d dbdir --all-match --no-summary eicar.com >v.out 2>&1
  clam -d dbdir --allmatch --no-summary eicar.com >c.out 2>&1
  same "-d DIRECTORY: the same detections as clamscan -d DIRECTORY" c.out v.out
  vig -d dbdir eicar.com 2>/dev/null | grep '^Known viruses' >v.out
  clam -d dbdir eicar.com 2>/dev/null | grep '^Known viruses' >c.out
  same "-d DIRECTORY: Known viruses as clamscan ($(cat c.out))" c.out v.out

  vig -d db.hdb --no-summary - < eicar.com >v.out 2>&1
  clam -d db.hdb --no-summary - < eicar.com >c.out 2>&1
  same "stdin '-': 'stdin: NAME FOUND' as clamscan" c.out v.out
  check "stdin line" grep -qx 'stdin: Vigil.Test.Eicar-1.UNOFFICIAL FOUND' v.out
  printf 'nothing\n' | vig -d db.hdb --no-summary - >v.out 2>&1
  printf 'nothing\n' | clam -d db.hdb --no-summary - >c.out 2>&1
  same "stdin '-' clean: 'stdin: OK' as clamscan" c.out v.out

  # no PATH: the working directory, printed with its full path
  (cd d/sub && "$VIGIL" scan -d ../../db.hdb --no-summary 2>/dev/null | sort) > v.out
  (cd d/sub && clamscan -d ../../db.hdb --no-summary 2>/dev/null | sort) > c.out
  same "no PATH: working directory with full paths, as clamscan" c.out v.out

  # FIFO named on the command line
  mkfifo fifo
  vig -d db.hdb --no-summary fifo >v.out 2>v.err; vrc=$?
  clam -d db.hdb --no-summary fifo >c.out 2>c.err; crc=$?
  same "FIFO argument: warning as clamscan" c.err v.err
  check "FIFO argument: exit 2 as clamscan ($vrc vs $crc)" test "$vrc" -eq "$crc"
  # a FIFO met in a walk is reported, the scan goes on, exit not changed
  mkdir -p w && mkfifo w/pipe && printf '%s' "$EICAR" > w/x.com
  vig -d db.hdb --no-summary w >v.out 2>v.err; vrc=$?
  check "FIFO in a walk: warned on stderr, scan goes on (exit $vrc)" \
    eval 'grep -qx "WARNING: w/pipe: Not supported file type" v.err && grep -q "^w/x.com: .*FOUND" v.out && test $vrc -eq 1'
  rm -f fifo
  # a socket and a character device: on the command line as clamscan; in
  # a walk reported on stderr (clamscan skips them silently), scan goes on
  mkdir -p sp/w && printf '%s' "$EICAR" > sp/w/x.com
  python3 -c 'import socket,sys
for p in sys.argv[1:]: socket.socket(socket.AF_UNIX).bind(p)' sp/sock sp/w/sock 2>/dev/null
  mknod sp/null c 1 3 2>/dev/null && cp -a sp/null sp/w/null
  for f in sp/sock sp/null; do
    if [ -e "$f" ]; then
      vig -d db.hdb --no-summary "$f" >v.out 2>v.err; vrc=$?
      clam -d db.hdb --no-summary "$f" >c.out 2>c.err; crc=$?
      same "$(basename "$f") argument: message as clamscan ($(cat c.err))" c.err v.err
      check "$(basename "$f") argument: exit $vrc as clamscan ($crc), nothing on stdout" \
        eval 'test "$vrc" -eq "$crc" && ! test -s v.out'
    else
      skip "$(basename "$f") argument" "cannot make it here"
    fi
  done
  vig -d db.hdb --no-summary sp/w >v.out 2>v.err; vrc=$?
  check "socket and device in a walk: reported on stderr, scan goes on (exit $vrc)" \
    eval 'grep -qx "WARNING: sp/w/sock: Not supported file type" v.err &&
      { ! test -e sp/w/null || grep -qx "WARNING: sp/w/null: Not supported file type" v.err; } &&
      grep -qx "sp/w/x.com: Vigil.Test.Eicar-1.UNOFFICIAL FOUND" v.out && test $vrc -eq 1'

  # ---- the built-in database (db/ compiled in, used without -d) ----------
  TF=${VIGIL_TESTFILES:-/usr/share/clamav-testfiles}/clam.exe
  mkdir -p bi
  if [ -f "$TF" ]; then
    want=$(od -An -tx1 -j 64 -N 48 "$TF" | tr -d ' \n')
    check "db/vigil-default.ndb: ClamAV-Test-File is bytes 0x40-0x6f of clam.exe" \
      grep -qx "ClamAV-Test-File:0:\*:$want" "$VIGIL_SRC/db/vigil-default.ndb"
    cp "$TF" bi/clam.exe
  fi
  printf '%s' "$EICAR" > bi/eicar.com
  printf '%s\n' "$EICAR" > bi/eicar-nl.com
  printf '%s   \t ' "$EICAR" > bi/eicar-pad.com
  printf 'x%s' "$EICAR" > bi/eicar-late.com
  printf 'clean\n' > bi/clean.txt
  vig --all-match --no-summary bi 2>&1 | sort > v.out
  clam -r --allmatch -d "$VIGIL_SRC/db" --no-summary bi 2>&1 |
    sed 's/\.UNOFFICIAL FOUND$/ FOUND/' | sort > c.out
  same "no -d: the built-in database finds what clamscan -d db/ finds (names without .UNOFFICIAL)" c.out v.out
  check "built-in database: eicar.com is Win.Test.EICAR_HDB-1" grep -qx 'bi/eicar.com: Win.Test.EICAR_HDB-1 FOUND' v.out
  check "built-in database: EICAR plus a newline is Eicar-Test-Signature" \
    grep -qx 'bi/eicar-nl.com: Eicar-Test-Signature FOUND' v.out
  if [ -f bi/clam.exe ]; then
    check "built-in database: clam.exe is ClamAV-Test-File" grep -qx 'bi/clam.exe: ClamAV-Test-File FOUND' v.out
  fi
  vig bi 2>/dev/null | grep '^Known viruses' > v.out
  clam -d "$VIGIL_SRC/db" bi 2>/dev/null | grep '^Known viruses' > c.out
  same "built-in database: $(cat v.out), as clamscan -d db/" c.out v.out

  # ---- summary block ------------------------------------------------------
  vig -d db.hdb d >v.out 2>/dev/null
  clam -r -d db.hdb d >c.out 2>/dev/null
  summary_keys v.out > v.keys
  summary_keys c.out > c.keys
  same "summary: same fields in the same order as clamscan" c.keys v.keys
  check "summary: preceded by an empty line" \
    eval 'grep -B1 -- "----------- SCAN SUMMARY -----------" v.out | head -n 1 | grep -qx ""'
  # "Data read" as far as the MB: clamscan's "Data scanned", and so the
  # ratio, counts extra passes of its own over random data
  for f in "Known viruses" "Scanned directories" "Scanned files" "Infected files" "Data read"; do
    vf=$(field v.out "$f" | sed 's/ (ratio.*//'); cf=$(field c.out "$f" | sed 's/ (ratio.*//')
    check "summary: '$f: $vf' as clamscan ('$cf')" test "$vf" = "$cf"
  done
  # clamscan counts "Data read" in whole 4 KiB blocks per file: 300 files of
  # 5000 bytes read 1.17 MB there, not 1.43 MB
  mkdir -p odd && for i in $(seq 1 300); do head -c 5000 /dev/zero > odd/f$i; done
  vig -d db.hdb odd 2>/dev/null | field /dev/stdin "Data read" | sed 's/ (ratio.*//' > v.dr
  clam -r -d db.hdb odd 2>/dev/null | field /dev/stdin "Data read" | sed 's/ (ratio.*//' > c.dr
  check "summary: 'Data read: $(cat v.dr)' for 300 files of 5000 bytes, as clamscan ('$(cat c.dr)')" \
    eval 'cmp -s v.dr c.dr && test -s v.dr'
  check "summary: Scanned files: 6 (empty file and symlinks not counted)" \
    test "$(field v.out 'Scanned files')" = 6
  check "summary: Infected files: 3" test "$(field v.out 'Infected files')" = 3
  check "summary: Data scanned: 2.00 MB for 2 MiB of plain files" \
    test "$(field v.out 'Data scanned')" = "2.00 MB"
  check "summary: Time line format" grep -qE '^Time: [0-9]+\.[0-9]{3} sec \([0-9]+ m [0-9]+ s\)$' v.out
  check "summary: dates in clamscan's format" \
    grep -qE '^End Date:   [0-9]{4}:[0-9]{2}:[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$' v.out
  vig -d db.hdb -d db.ndb clean.txt >v.out 2>/dev/null
  clam -d db.hdb -d db.ndb clean.txt >c.out 2>/dev/null
  check "summary: Known viruses with two -d as clamscan ($(field v.out 'Known viruses'))" \
    test "$(field v.out 'Known viruses')" = "$(field c.out 'Known viruses')"
  # a PATH argument that is missing, a broken link or a special file: exit 2,
  # but clamscan leaves it out of "Total errors" (a broken link clamscan
  # skips silently, exit 0; vigil reports it, so exit 2)
  mkfifo argfifo; ln -s nowhere arglink
  for a in missing-file arglink argfifo; do
    vig -d db.hdb clean.txt "$a" >v.out 2>/dev/null; vrc=$?
    clam -d db.hdb clean.txt "$a" >c.out 2>/dev/null; crc=$?
    [ "$a" = arglink ] && crc=2
    summary_keys v.out > v.keys; summary_keys c.out > c.keys
    check "summary after a bad PATH argument ($a): clamscan's fields, no Total errors; exit $vrc ($crc)" \
      eval 'cmp -s v.keys c.keys && ! grep -q "^Total errors" v.out && test $vrc -eq $crc && test $vrc -eq 2'
  done
  rm -f argfifo arglink
else
  skip "comparisons with clamscan" "clamscan not installed"
fi

vig -d db.hdb --no-summary d >v.out 2>/dev/null
check "--no-summary: no summary block" eval '! grep -q "SCAN SUMMARY" v.out'
vig -d db.hdb eicar.com >v.out 2>/dev/null
check "summary printed by default" grep -q "^----------- SCAN SUMMARY -----------$" v.out
vig -d db.hdb --quiet eicar.com missing-file >v.out 2>v.err; rc=$?
check "--quiet: nothing on stdout, errors on stderr, exit 1" \
  eval 'test ! -s v.out && grep -q missing-file v.err && test $rc -eq 1'

# ---- permissions (run as nobody) --------------------------------------------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
   setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$VIGIL"; then
  asnobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
  mkdir -p p/locked && printf 'x\n' > p/ok.txt && printf 'secret\n' > p/noread &&
    printf 'y\n' > p/locked/inner && chmod 755 p && chmod 644 p/ok.txt &&
    chmod 000 p/noread p/locked
  asnobody "$VIGIL" scan -d db.hdb p >v.out 2>v.err; vrc=$?
  check "unreadable file: 'Access denied'" grep -qx 'p/noread: Access denied' v.out
  check "unopenable directory: \"Can't open directory.\"" \
    grep -qx "p/locked: Can't open directory." v.out
  check "unreadable: the scan goes on" grep -qx 'p/ok.txt: OK' v.out
  check "unreadable: exit 2, Total errors: 2 (exit $vrc)" \
    eval 'test $vrc -eq 2 && test "$(field v.out "Total errors")" = 2'
  if [ $have_clam = 1 ]; then
    asnobody clamscan -r -d db.hdb p >c.out 2>c.err; crc=$?
    sed -n '1,/^$/p' v.out | sort > v.lines
    sed -n '1,/^$/p' c.out | sort > c.lines
    same "unreadable file and directory: lines as clamscan -r" c.lines v.lines
    for f in "Scanned directories" "Scanned files" "Total errors"; do
      check "unreadable: '$f' as clamscan" test "$(field v.out "$f")" = "$(field c.out "$f")"
    done
    check "unreadable: exit code as clamscan ($vrc vs $crc)" test "$vrc" -eq "$crc"
  fi
  asnobody "$VIGIL" scan -d db.hdb -i --no-summary p >v.out 2>v.err
  check "-i: errors still reported, on stderr" \
    eval 'test ! -s v.out && grep -q "Access denied" v.err'
  chmod 755 p/locked; chmod 644 p/noread
else
  skip "permission tests" "needs root, setpriv and a vigil binary nobody can run"
fi

# broken symlink named on the command line: reported (clamscan is silent)
vig -d db.hdb --no-summary d/broken >v.out 2>v.err; rc=$?
check "broken symlink argument: reported on stderr, exit 2" \
  eval 'grep -qx "d/broken: Broken symbolic link" v.err && test $rc -eq 2'

# ---- threads ----------------------------------------------------------------
mkdir -p many
for i in $(seq 1 60); do
  if [ $((i % 7)) = 0 ]; then printf '%s' "$EICAR" > many/f$i; else
    head -c $((i * 97)) /dev/urandom > many/f$i; fi
done
vig -d db.hdb --threads 1 --no-summary many 2>&1 | sort > t1.out
vig -d db.hdb --threads 4 --no-summary many 2>&1 | sort > t4.out
same "--threads 1 and --threads 4 give the same lines" t1.out t4.out
check "--threads: 60 lines" test "$(wc -l < t4.out)" -eq 60
vig -d db.hdb --threads 4 many >t4.out 2>/dev/null
check "--threads 4: summary counts (60 files, 8 infected)" \
  eval 'test "$(field t4.out "Scanned files")" = 60 && test "$(field t4.out "Infected files")" = 8'
# each file's lines stay together: 30 files with three detections each
# (--all-match: body, hash, logical) among 30 clean ones, 4 threads
mkdir -p grp
for i in $(seq 1 30); do
  printf '%s' "$EICAR" > grp/e$i; head -c $((i * 331)) /dev/urandom > grp/r$i
done
vig -d db.hdb -d db.ndb -d db.ldb --all-match --threads 4 --no-summary grp > g.out 2>&1
check "--threads 4 --all-match: 90 FOUND lines" test "$(grep -c ' FOUND$' g.out)" -eq 90
check "--threads 4: each file's lines kept together" \
  eval "awk -F': ' '\$1 != prev { if (seen[\$1]++) bad = 1; prev = \$1 } END { exit bad }' g.out"

# ---- JSON -------------------------------------------------------------------
if command -v python3 >/dev/null 2>&1; then
  (cd d && zip -q ../in.zip eicar.com clean.txt)
  vig -d db.hdb --json in.zip eicar.com clean.txt d/empty - < eicar.com >j.out 2>/dev/null; rc=$?
  check "--json: exit 1 when found" test "$rc" -eq 1
  python3 - j.out <<'EOF' > j.res 2>&1
import json, sys
lines = open(sys.argv[1]).read().splitlines()
objs = [json.loads(l) for l in lines]          # every line parses
by = {o["path"]: o for o in objs}
assert len(objs) == 5, len(objs)
for p in ("in.zip", "eicar.com", "clean.txt", "stdin"):
    o = by[p]
    for k in ("path", "verdict", "signatures", "detections", "size", "time_ms"):
        assert k in o, (p, k)
    assert isinstance(o["time_ms"], (int, float)) and o["time_ms"] >= 0
z = by["in.zip"]
assert z["verdict"] == "FOUND" and z["signatures"] == ["Vigil.Test.Eicar-1.UNOFFICIAL"], z
assert z["detections"][0]["member"] == "eicar.com", z
assert z["size"] > 0
e = by["eicar.com"]
assert e["detections"][0]["member"] == "" and e["size"] == 68, e
assert by["clean.txt"]["verdict"] == "OK" and by["clean.txt"]["signatures"] == []
assert by["stdin"]["verdict"] == "FOUND"
assert by["d/empty"]["verdict"] == "SKIPPED"
print("json ok")
EOF
  check "--json: one object per line with path/verdict/signatures/detections[].member/size/time_ms" \
    grep -qx 'json ok' j.res
  grep -v 'json ok' j.res | sed 's/^/#   /'
  check "--json: no summary, nothing but JSON on stdout" eval '! grep -q "SCAN SUMMARY" j.out'
  vig -d db.hdb --json missing-file >j.out 2>/dev/null
  check "--json: an error is an object with verdict ERROR" \
    python3 -c 'import json,sys; o=json.loads(open("j.out").read()); sys.exit(o["verdict"]!="ERROR")'
else
  skip "--json checks" "python3 not installed"
fi

# ---- hash signatures: a file is hashed only when some signature has its size
# A 512 MiB sparse file with a body signature: the user CPU time of the scan
# with an MD5 signature of another size is compared with that of a signature
# of this size, and of any size ('*'). Hashing 512 MiB costs ~0.6 s; the
# body pass over its (cached) zero pages ~0.06 s (0.15 s under ASan on a
# busy machine).
truncate -s 512M sparse.bin 2>/dev/null
if [ -f sparse.bin ] && command -v python3 >/dev/null 2>&1; then
  printf 'Vigil.Body:0:*:41424344454647\n' > hb.ndb
  printf '%s:68:Other.Size\n' "$EICAR_MD5" > h68.hdb
  printf '%s:536870912:This.Size\n' "$EICAR_MD5" > hthis.hdb
  printf '%s:*:Any.Size:73\n' "$EICAR_MD5" > hany.hdb
  cpu() { # DB: user CPU seconds of one scan of sparse.bin
    python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f" % r.ru_utime)' "$VIGIL" scan --no-summary --max-filesize=0 --max-scansize=0 \
      -d hb.ndb -d "$1" sparse.bin
  }
  cpu h68.hdb >/dev/null # page cache filled, so that no run pays for it
  t68=$(cpu h68.hdb); tthis=$(cpu hthis.hdb); tany=$(cpu hany.hdb)
  # hashing costs at least 0.25 s more and doubles the time at least (a
  # loaded machine or ASan may slow the body pass; it never makes it hash)
  hashed() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(b - a >= 0.25 && 2 * a < b) }'; }
  check "hash signature of another size: the file is not hashed (${t68} s user CPU vs ${tthis} s with one of its size)" \
    hashed "$t68" "$tthis"
  check "hash signature of any size ('*'): the file is hashed (${tany} s user CPU)" \
    hashed "$t68" "$tany"
  rm -f sparse.bin
else
  skip "hash only for sizes with a signature" "no sparse file or python3"
fi

# ---- progress bar -----------------------------------------------------------
vig -d db.hdb d >p.out 2>p.err
check "no progress bar when stderr is not a terminal" \
  eval '! grep -q "files/s" p.err && ! grep -q "files/s" p.out'
vig -d db.hdb --progress d >p.out 2>p.err
check "--progress: the bar is on stderr" grep -q "files/s" p.err
check "--progress: never on stdout" eval '! grep -q "files/s" p.out && ! grep -q $'"'"'\r'"'"' p.out'
if command -v script >/dev/null 2>&1; then
  # stderr is a terminal, stdout a file; stdin waits so the bar is drawn
  script -qec "(sleep 0.5; cat eicar.com) | '$VIGIL' scan -d db.hdb - d > p.out" /dev/null > tty.out 2>&1
  check "tty on stderr: progress bar drawn (files, MB, files/s, MB/s, ETA)" \
    eval 'grep -a "files/s" tty.out | grep -a " MB/s" | grep -aq "ETA"'
  check "tty on stderr: not on stdout" eval '! grep -q "files/s" p.out && grep -q "^stdin: " p.out'
  script -qec "(sleep 0.5; cat eicar.com) | '$VIGIL' scan -d db.hdb --no-summary - d" /dev/null > tty.out 2>&1
  # with stdout on the same terminal the bar line is cleared (CR ESC[K)
  # before every result line, so no result line starts inside a bar
  tr '\r' '\n' < tty.out | sed 's/\x1b\[K//g' > tty.lines
  check "tty on both: bar cleared before each result line" \
    eval '! grep -a "^\[" tty.lines | grep -aq ": "'
  check "tty on both: every result line intact" \
    eval 'test "$(grep -acE "^(d/.*|stdin): [A-Za-z]" tty.lines)" -eq 10'
else
  skip "tty progress tests" "script not installed"
fi

# ---- help and man page --------------------------------------------------------
"$VIGIL" --help >h.out 2>&1; rc=$?
check "vigil --help: exit 0, names scan" eval 'test $rc -eq 0 && grep -q "scan" h.out'
"$VIGIL" scan --help >h.out 2>&1; rc=$?
check "vigil scan --help: exit 0" test "$rc" -eq 0
"$VIGIL" scan --no-such-option >/dev/null 2>&1; rc=$?
check "unknown option: exit 2" test "$rc" -eq 2
"$VIGIL" frobnicate >/dev/null 2>&1; rc=$?
check "unknown command: exit 2" test "$rc" -eq 2
if [ -f "$VIGIL_SRC/docs/vigil.1" ]; then
  missing=""
  for opt in $(grep -oE -- '--[a-z][a-z-]+' h.out | sort -u); do
    grep -qF -- "${opt//-/\\-}" "$VIGIL_SRC/docs/vigil.1" || missing="$missing $opt"
  done
  check "every option of 'vigil scan --help' is in docs/vigil.1${missing:+ (missing:$missing)}" \
    test -z "$missing"
  if command -v man >/dev/null 2>&1; then
    MANWIDTH=80 man -l "$VIGIL_SRC/docs/vigil.1" >m.out 2>m.err </dev/null
    check "docs/vigil.1 renders with man -l, without warnings" \
      eval 'grep -q "SYNOPSIS" m.out && ! grep -q . m.err'
  fi
else
  nok "docs/vigil.1 exists"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
