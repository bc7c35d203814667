#!/usr/bin/env bash
# tests/e2e/containers.sh - detections inside containers, limits, bombs,
# encryption and format coverage, compared with clamscan 1.4 where
# clamscan has the same option.
#
#   VIGIL=path/to/vigil VIGIL_SRC=repo-root bash tests/e2e/containers.sh
#
# Prints TAP lines. Needs zip, tar, gzip, 7z (each test that needs a
# missing tool is skipped), clamscan for the comparisons, python3 for JSON.
set -u
VIGIL_SRC=${VIGIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
VIGIL=${VIGIL:-$VIGIL_SRC/build/vigil}
TESTFILES=${VIGIL_TESTFILES:-/usr/share/clamav-testfiles}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vigil-arc.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
have() { command -v "$1" >/dev/null 2>&1; }
have_clam=0
have clamscan && have_clam=1
vig() { "$VIGIL" scan --no-summary "$@" 2>/dev/null; }
clam() { clamscan --no-summary "$@" 2>/dev/null; }
# json FILE EXPR: evaluate a python expression on the first JSON line as `o`
json() {
  python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).readline()); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}
# cmp_clam DESC EXPECTED-NAME ARGS...: vigil and clamscan print the same
# line for the file, and it is EXPECTED-NAME
cmp_clam() {
  local d=$1 want=$2; shift 2
  local v c
  v=$(vig -d db.hdb "$@"); c=$(clam -d db.hdb "$@")
  if [ "$v" = "$c" ] && grep -q -- "$want" <<<"$v"; then ok "$d: $v"; else
    nok "$d"; echo "#   vigil:    $v"; echo "#   clamscan: $c"; echo "#   wanted:   $want"
  fi
}

EICAR='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
printf '44d88612fea8a8f36de82e1278abb02f:68:Win.Test.EICAR_HDB-1\n' > db.hdb
printf '%s' "$EICAR" > eicar.com
EX='(Win\.Test\.EICAR_HDB-1|Eicar-Test-Signature)'

# ---- nested: zip in tar in gz in 7z (built-in database) ---------------------
if have zip && have tar && have gzip && have 7z; then
  mkdir nest && (cd nest && cp ../eicar.com . && zip -q inner.zip eicar.com &&
    tar cf t.tar inner.zip && gzip -c t.tar > t.tar.gz &&
    7z a -bd -bso0 -bse0 ../outer.7z t.tar.gz)
  out=$("$VIGIL" scan --no-summary outer.7z 2>&1); rc=$?
  check "EICAR in zip in tar in gz in 7z, built-in db: top-level path printed ($out)" \
    grep -qxE "outer\.7z: $EX FOUND" <<<"$out"
  check "nested detection: exit 1" test "$rc" -eq 1
  if have python3; then
    "$VIGIL" scan --json outer.7z > nest.json 2>/dev/null
    check "--json names the member path t.tar.gz/t.tar/inner.zip/eicar.com" \
      json nest.json 'o["detections"][0]["member"] == "t.tar.gz/t.tar/inner.zip/eicar.com" and o["path"] == "outer.7z"'
  fi
  if [ $have_clam = 1 ]; then
    v=$(vig -d db.hdb outer.7z); c=$(clam -d db.hdb outer.7z)
    check "nested: same line as clamscan ($c)" test "$v" = "$c"
  fi
  "$VIGIL" scan --no-summary --no-unpack outer.7z >/dev/null 2>&1; rc=$?
  check "--no-unpack: the nested EICAR is not found (exit $rc)" test "$rc" -eq 0
else
  skip "nested containers" "zip, tar, gzip or 7z missing"
fi

# ---- every format: EICAR inside, found, and as clamscan where it reads it --
# Archives made by Debian's tools; RAR 4, RAR 5 and LHA (no writer in
# Debian main) by tests/e2e/mkarc.py, stored members.
mkdir fmt && cp eicar.com fmt/ && (
  cd fmt || exit 1
  have zip && zip -q e.zip eicar.com
  have 7z && 7z a -bd -bso0 -bse0 e.7z eicar.com
  for f in ustar gnu pax v7; do have tar && tar --format=$f -cf e-$f.tar eicar.com; done
  for f in odc newc crc bin; do have cpio && printf 'eicar.com\n' | cpio -o -H $f --quiet > e-$f.cpio; done
  have ar && ar rc e.a eicar.com
  if have dpkg-deb; then
    mkdir -p pkg/DEBIAN pkg/usr/share && cp eicar.com pkg/usr/share/ &&
      printf 'Package: e\nVersion: 1\nArchitecture: all\nMaintainer: t <t@t>\nDescription: t\n' > pkg/DEBIAN/control &&
      dpkg-deb -Zxz --root-owner-group --build pkg e.deb >/dev/null 2>&1
    rm -rf pkg
  fi
  have gcab && gcab -c e-stored.cab eicar.com && gcab -cz e-mszip.cab eicar.com
  have genisoimage && mkdir iso && cp eicar.com iso/ && genisoimage -quiet -R -o e.iso iso && rm -rf iso
  have bsdtar && bsdtar --format xar -cf e.xar eicar.com
  for k in rar4 rar5 lha; do python3 "$VIGIL_SRC/tests/e2e/mkarc.py" $k eicar.com e.$k; done
  mv e.rar4 e4.rar; mv e.rar5 e5.rar; mv e.lha e.lzh
  have gzip && gzip -c eicar.com > eicar.com.gz
  have bzip2 && bzip2 -c eicar.com > eicar.com.bz2
  have xz && xz -c eicar.com > eicar.com.xz && xz --format=lzma -c eicar.com > eicar.com.lzma
  have zstd && zstd -q -c eicar.com > eicar.com.zst
  have lz4 && lz4 -q -c eicar.com > eicar.com.lz4 && lz4 -q -l -c eicar.com > eicar.com.legacy.lz4
  rm eicar.com
)
made=$(cd fmt && ls | tr '\n' ' ')
want="e.zip e.7z e-ustar.tar e-gnu.tar e-pax.tar e-v7.tar e-odc.cpio e-newc.cpio e-crc.cpio e-bin.cpio e.a e.deb e-stored.cab e-mszip.cab e.iso e.xar e4.rar e5.rar e.lzh eicar.com.gz eicar.com.bz2 eicar.com.xz eicar.com.lzma eicar.com.zst eicar.com.lz4 eicar.com.legacy.lz4"
missing=""
for f in $want; do [ -s "fmt/$f" ] || missing="$missing $f"; done
check "every format fixture is made${missing:+ (missing:$missing)}" test -z "$missing"
for f in $want; do
  [ -s "fmt/$f" ] || continue
  v=$(vig -d db.hdb "fmt/$f")
  if [ "$v" != "fmt/$f: Win.Test.EICAR_HDB-1.UNOFFICIAL FOUND" ]; then
    nok "$f: EICAR inside is found (got: $v)"; continue
  fi
  if [ $have_clam = 1 ]; then
    c=$(clam -d db.hdb "fmt/$f")
    if [ "$c" = "$v" ]; then ok "$f: EICAR inside is found, the line clamscan prints"
    elif [ "$c" = "fmt/$f: OK" ]; then ok "$f: EICAR inside is found (clamscan does not read this format)"
    else nok "$f: EICAR found, but clamscan says: $c"; fi
  else
    ok "$f: EICAR inside is found"
  fi
done
v=$(vig -d db.hdb --json fmt/e.deb)
check "deb: --json member is data.tar.xz/[data]/./usr/share/eicar.com" \
  eval 'python3 -c "import json,sys; o=json.loads(sys.argv[1]); sys.exit(o[\"detections\"][0][\"member\"] != \"data.tar.xz/[data]/./usr/share/eicar.com\")" "$v"'

# ---- limits, compared with clamscan ----------------------------------------
have_arc=0
if have zip && have tar && have gzip; then
  have_arc=1
  head -c 2000000 /dev/urandom > big.bin
  head -c 2000000 /dev/zero > zeros.bin
  for i in 1 2 3 4 5; do head -c 1000 /dev/urandom > r$i.bin; done
  for i in 1 2 3; do head -c 400000 /dev/zero > z$i.bin; done
  zip -q zeros.zip zeros.bin                   # small zip, 2 MB member
  gzip -c zeros.bin > zeros.gz
  zip -q three.zip z1.bin z2.bin z3.bin        # 1.2 MB unpacked
  zip -q many.zip r1.bin r2.bin r3.bin r4.bin r5.bin eicar.com
  zip -q l1.zip eicar.com && zip -q l2.zip l1.zip && zip -q l3.zip l2.zip
  tar cf mix.tar zeros.gz eicar.com          # a limit hit, then a signature
fi
if [ $have_arc = 1 ] && [ $have_clam = 1 ]; then
  A=--alert-exceeds-max
  cmp_clam "max-filesize, top-level file" MaxFileSize $A --max-filesize=1M big.bin
  cmp_clam "max-filesize, gzip member" MaxFileSize $A --max-filesize=1M zeros.gz
  cmp_clam "max-filesize without the alert: OK" ': OK$' --max-filesize=1M zeros.gz
  # clamscan scans a zip member over the limit cut to max-filesize bytes
  # and says nothing; vigil reports the limit (never silent)
  v=$(vig -d db.hdb $A --max-filesize=1M zeros.zip)
  check "max-filesize, zip member: reported ($v)" \
    test "$v" = "zeros.zip: Heuristics.Limits.Exceeded.MaxFileSize FOUND"
  cmp_clam "max-scansize" MaxScanSize $A --max-scansize=1M three.zip
  cmp_clam "max-scansize without the alert: OK" ': OK$' --max-scansize=1M three.zip
  cmp_clam "max-recursion 2" MaxRecursion $A --max-recursion=2 l3.zip
  cmp_clam "max-recursion without the alert: OK" ': OK$' --max-recursion=2 l3.zip
  # l3.zip > l2.zip > l1.zip > eicar.com: eicar.com is 3 levels down
  cmp_clam "max-recursion boundary (3: one level short)" MaxRecursion $A --max-recursion=3 l3.zip
  cmp_clam "max-recursion boundary (4: reached)" EICAR $A --max-recursion=4 l3.zip
  # a compressed stream is a level of its own, as every other container:
  # the first --max-recursion at which clamscan finds clam.exe inside each
  # of these must be vigil's too (clam_cache_emax.tgz: tgz in tgz, 8 deep)
  TF=/usr/share/clamav-testfiles
  if [ -r $TF/clam_cache_emax.tgz ]; then
    for f in clam.exe.bz2 clam.tar.gz clam.zip clam_cache_emax.tgz; do
      fc=""; fv=""
      for r in $(seq 1 17); do
        [ -z "$fc" ] && clam -d "$VIGIL_SRC/db" --max-recursion=$r $TF/$f | grep -q ' FOUND$' && fc=$r
        [ -z "$fv" ] && vig -d "$VIGIL_SRC/db" --max-recursion=$r $TF/$f | grep -q ' FOUND$' && fv=$r
      done
      check "max-recursion through compressed streams: $f first found at ${fc:-none} (vigil ${fv:-none})" \
        test -n "$fc" -a "$fc" = "$fv"
    done
  fi
  cmp_clam "max-files 3" MaxFiles $A --max-files=3 many.zip
  cmp_clam "max-files without the alert: OK" ': OK$' --max-files=3 many.zip
  # many.zip and its 6 members are 7 objects
  cmp_clam "max-files boundary (6: one short)" MaxFiles $A --max-files=6 many.zip
  cmp_clam "max-files boundary (7: all scanned)" EICAR $A --max-files=7 many.zip
  # a signature wins over a limit heuristic met before it, as in clamscan
  cmp_clam "a signature found after a limit hit wins over the limit" EICAR \
    $A --max-filesize=1M mix.tar
  v=$(vig -d db.hdb --allmatch $A --max-filesize=1M mix.tar | sort)
  c=$(clam -d db.hdb --allmatch $A --max-filesize=1M mix.tar | sort)
  check "--allmatch with a limit hit and a signature: both lines, as clamscan" \
    eval 'test "$v" = "$c" && test "$(wc -l <<<"$v")" -eq 2'

else
  skip "limits compared with clamscan" "zip, tar, gzip or clamscan missing"
fi

# ---- limits counted without the alert ---------------------------------------
if [ $have_arc = 1 ] && have python3; then
  "$VIGIL" scan -d db.hdb --json --max-filesize=1M zeros.zip > lim.json 2>/dev/null
  check "JSON limits_exceeded without the alert: MaxFileSize, verdict OK" \
    json lim.json 'o["limits_exceeded"] == ["MaxFileSize"] and o["verdict"] == "OK"'
  "$VIGIL" scan -d db.hdb --json --max-recursion=2 l3.zip > lim.json 2>/dev/null
  check "JSON limits_exceeded: MaxRecursion" json lim.json '"MaxRecursion" in o["limits_exceeded"]'
  "$VIGIL" scan -d db.hdb --json --max-files=3 many.zip > lim.json 2>/dev/null
  check "JSON limits_exceeded: MaxFiles" json lim.json '"MaxFiles" in o["limits_exceeded"]'
  "$VIGIL" scan -d db.hdb --json --max-scansize=1M three.zip > lim.json 2>/dev/null
  check "JSON limits_exceeded: MaxScanSize" json lim.json '"MaxScanSize" in o["limits_exceeded"]'
  "$VIGIL" scan -d db.hdb --max-files=3 many.zip l1.zip > sum.out 2>/dev/null
  check "summary counts the files with a limit hit (Limits exceeded: 1)" \
    grep -qx 'Limits exceeded: 1' sum.out
  "$VIGIL" scan -d db.hdb three.zip > sum.out 2>/dev/null
  check "no 'Limits exceeded' line when none was hit" eval '! grep -q "Limits exceeded" sum.out'
fi

# ---- compression bomb ---------------------------------------------------------
if have gzip && have python3; then
  head -c 200M /dev/zero | gzip -c > bomb.gz
  # peak memory of the scan (KiB), from the child's rusage
  rss=$(python3 - "$VIGIL" <<'EOF'
import resource, subprocess, sys
p = subprocess.run([sys.argv[1], "scan", "--no-summary", "--alert-exceeds-max", "bomb.gz"],
                   capture_output=True, text=True)
open("bomb.out", "w").write(p.stdout)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
)
  check "gzip bomb (200 MB of zeros) refused by the ratio guard: $(cat bomb.out)" \
    grep -qx 'bomb.gz: Heuristics.Limits.Exceeded.MaxCompressionRatio FOUND' bomb.out
  limit=$((120 * 1024))
  [ -n "${VIGIL_ASAN:-}" ] && limit=$((400 * 1024))
  check "gzip bomb: peak memory ${rss} KiB < $((limit / 1024)) MiB" test "${rss:-999999999}" -lt "$limit"
  "$VIGIL" scan --json bomb.gz > bomb.json 2>/dev/null
  check "gzip bomb without the alert: OK, MaxCompressionRatio in limits_exceeded" \
    json bomb.json 'o["verdict"] == "OK" and o["limits_exceeded"] == ["MaxCompressionRatio"]'
  "$VIGIL" scan --max-ratio=2000 --no-summary --alert-exceeds-max bomb.gz > bomb.out 2>/dev/null
  check "gzip bomb with --max-ratio=2000: no ratio hit ($(cat bomb.out))" \
    eval '! grep -q MaxCompressionRatio bomb.out'
fi

# ---- encrypted members ----------------------------------------------------------
if have zip; then
  zip -q -P secret enc.zip eicar.com big.bin 2>/dev/null || zip -q -P secret enc.zip eicar.com
  v=$(vig -d db.hdb --alert-encrypted enc.zip)
  check "encrypted zip with --alert-encrypted: $v" \
    test "$v" = "enc.zip: Heuristics.Encrypted.Zip FOUND"
  v2=$(vig -d db.hdb --alert-encrypted-archive enc.zip)
  check "--alert-encrypted-archive is the same option" test "$v2" = "$v"
  v=$(vig -d db.hdb enc.zip)
  check "encrypted zip without the option: $v" test "$v" = "enc.zip: OK"
  if [ $have_clam = 1 ]; then
    for o in --alert-encrypted-archive --alert-encrypted; do
      c=$(clam -d db.hdb $o enc.zip); v=$(vig -d db.hdb $o enc.zip)
      check "encrypted zip, $o: same line as clamscan ($c)" test "$v" = "$c"
    done
    c=$(clam -d db.hdb --alert-encrypted-archive --allmatch enc.zip)
    v=$(vig -d db.hdb --alert-encrypted-archive --allmatch enc.zip)
    check "encrypted zip, --allmatch: same lines as clamscan" test "$v" = "$c"
    # a signature wins over the encryption heuristic met before it
    head -c 1000 /dev/urandom > r.bin && zip -q -P pw e1.zip r.bin &&
      zip -q e2.zip e1.zip eicar.com
    c=$(clam -d db.hdb --alert-encrypted e2.zip); v=$(vig -d db.hdb --alert-encrypted e2.zip)
    check "a signature found after an encrypted member wins, as clamscan ($c)" test "$v" = "$c"
  fi
  if have 7z; then
    7z a -bd -bso0 -bse0 -psecret -mhe=on enc.7z eicar.com
    v=$(vig -d db.hdb --alert-encrypted enc.7z)
    check "encrypted 7z (headers too): $v" test "$v" = "enc.7z: Heuristics.Encrypted.7Zip FOUND"
    7z a -bd -bso0 -bse0 -psecret enc2.7z eicar.com
    v=$(vig -d db.hdb --alert-encrypted enc2.7z)
    check "encrypted 7z (data only): $v" test "$v" = "enc2.7z: Heuristics.Encrypted.7Zip FOUND"
    if [ $have_clam = 1 ]; then
      for f in enc.7z enc2.7z; do
        c=$(clam -d db.hdb --alert-encrypted $f); v=$(vig -d db.hdb --alert-encrypted $f)
        check "$f, --alert-encrypted: same line as clamscan ($c)" test "$v" = "$c"
      done
    fi
  fi
fi

# RAR: Debian main's clamscan has no unrar, so the name is checked against
# the names compiled into its libclamav
python3 "$VIGIL_SRC/tests/e2e/mkarc.py" rar4enc eicar.com enc.rar
v=$(vig -d db.hdb --alert-encrypted enc.rar)
check "encrypted rar with --alert-encrypted: $v" test "$v" = "enc.rar: Heuristics.Encrypted.RAR FOUND"
v=$(vig -d db.hdb enc.rar)
check "encrypted rar without the option: $v" test "$v" = "enc.rar: OK"
lib=$(ldconfig -p 2>/dev/null | sed -n 's/.*libclamav\.so\.[0-9]* .*=> //p' | head -n 1)
if [ -n "$lib" ] && [ -f "$lib" ]; then
  check "Heuristics.Encrypted.RAR is a name in clamscan's libclamav ($lib)" \
    grep -aq 'Heuristics\.Encrypted\.RAR' "$lib"
else
  skip "Heuristics.Encrypted.RAR in libclamav" "libclamav not found"
fi

# ---- detection in a container: path and member ---------------------------------
if have zip && have python3; then
  mkdir -p sub && printf '%s' "$EICAR" > sub/deep.com && zip -q -r tree.zip sub
  v=$(vig -d db.hdb tree.zip)
  check "detection in a zip: printed with the top-level path ($v)" \
    test "$v" = "tree.zip: Win.Test.EICAR_HDB-1.UNOFFICIAL FOUND"
  "$VIGIL" scan -d db.hdb --json tree.zip > tree.json 2>/dev/null
  check "--json member is the path inside the zip (sub/deep.com)" \
    json tree.json 'o["detections"][0]["member"] == "sub/deep.com"'
fi

# ---- format coverage -------------------------------------------------------------
if [ -d "$TESTFILES" ]; then
  "$VIGIL" scan --no-summary -i "$TESTFILES" > cov.out 2>/dev/null
  found=$(grep -c ' FOUND$' cov.out)
  total=$(find "$TESTFILES" -maxdepth 1 -type f | wc -l)
  check "clamav-testfiles with the built-in db: $found of $total detected (need >= 17)" \
    test "$found" -ge 17
  check "clamav-testfiles: every detection is ClamAV-Test-File" \
    eval '! grep -v ": ClamAV-Test-File FOUND$" cov.out | grep -q .'
else
  skip "clamav-testfiles coverage" "$TESTFILES missing"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
