#!/usr/bin/env bash
# tests/e2e/daemon_clients.sh - real clamd clients against vigild and
# against Debian's clamd 1.4.6 on the same signatures; their outputs must
# match byte for byte (after removing clamdscan's own run times and dates;
# VERSION answers, with a daily.cud loaded, are compared as they are):
#   clamdscan: default (CONTSCAN), --stream, --multiscan, --fdpass,
#              --multiscan --stream, --multiscan --fdpass, --allmatch,
#              stdin, --ping, --version
#   Python:    python3-pyclamd (n-prefixed commands, INSTREAM)
#   Perl:      libclamav-client-perl (unprefixed legacy commands)
# Needs clamd, clamdscan, clamav-testfiles; pyclamd and ClamAV::Client are
# skipped when not installed.
. "$(dirname "$0")/daemon_lib.sh"
make_fixtures
# a daily container, so that every VERSION compared below (clamdscan
# --version, pyclamd, ClamAV::Client) carries clamd's daily suffix
make_daily && have_daily=1 || have_daily=0

if ! have_clamd || ! command -v clamdscan >/dev/null; then
  skip "clamd comparisons" "clamd, clamdscan or clamav-testfiles not installed"
  echo "1..$n"; exit 0
fi
CONF_COMMON=("StreamMaxLength 1M" "MaxThreads 4")
start_vigild vigild "${CONF_COMMON[@]}" || { nok "vigild starts"; sed 's/^/#   /' "$T/vigild.out"; exit 1; }
start_clamd clamd "${CONF_COMMON[@]}" || { nok "clamd starts"; sed 's/^/#   /' "$T/clamd.out"; exit 1; }
ok "vigild and clamd are up on the same database"
if [ "$have_daily" = 1 ]; then
  v=$(probe "$VSOCK" "[b'zVERSION\0']")
  check "with daily.cud (version 27) loaded, vigild's VERSION carries it: $v" \
    "$PY" -c 'import re, sys; sys.exit(not re.fullmatch(r"b.ClamAV 1\.4\.6/27/[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}\\x00.", sys.argv[1]))' "$v"
else
  skip "VERSION with a daily container" "sigtool not installed"
fi
echo "LocalSocket $VSOCK" > "$T/cs-vigild.conf"
echo "LocalSocket $CSOCK" > "$T/cs-clamd.conf"

# ---- clamdscan ------------------------------------------------------------
D=$T/data
ARGS=("$D/dir" "$D/clean.txt" "$D/clam.exe" "$D/cdir" "$D/missing" "$D/eicar.com" "$D/empty" "$D/edir")
norm_cs() { # FILE SORT: drop times, dates; sort result lines for multiscan
  grep -vE '^(Time|Start Date|End Date):' "$1" |
    sed -E -e "s#Can't send to clamd: .*#Can't send to clamd: (peer closed)#" > "$1.n"
  if [ "$2" = sort ]; then
    { grep -E ': (OK|.* FOUND|.* ERROR)$|^ERROR' "$1.n" | sort; grep -vE ': (OK|.* FOUND|.* ERROR)$|^ERROR' "$1.n"; } > "$1.s"
    mv "$1.s" "$1.n"
  fi
}
run_cs() { # LABEL SORT OPTS...
  local label=$1 srt=$2; shift 2
  for d in vigild clamd; do
    clamdscan -c "$T/cs-$d.conf" "$@" > "$T/cs.$d" 2>&1
    echo "exit $?" >> "$T/cs.$d"
    norm_cs "$T/cs.$d" "$srt"
  done
  same "clamdscan $label: same output and exit code as clamd" "$T/cs.clamd.n" "$T/cs.vigild.n"
}
run_cs "(default CONTSCAN)" nosort "${ARGS[@]}"
run_cs "--stream" nosort --stream "${ARGS[@]}"
run_cs "--multiscan" sort --multiscan "${ARGS[@]}"
run_cs "--fdpass" nosort --fdpass "${ARGS[@]}"
run_cs "--multiscan --stream" sort --multiscan --stream "${ARGS[@]}"
run_cs "--multiscan --fdpass" sort --multiscan --fdpass "${ARGS[@]}"
run_cs "--allmatch" nosort --allmatch "${ARGS[@]}"
run_cs "--infected --no-summary" nosort -i --no-summary "${ARGS[@]}"
run_cs "--ping 1" nosort --ping 1
run_cs "--version" nosort --version
for d in vigild clamd; do
  clamdscan -c "$T/cs-$d.conf" - < "$D/clam.exe" > "$T/cs.$d" 2>&1; echo "exit $?" >> "$T/cs.$d"
  sed -i -E 's/fd\[[0-9]+\]/fd[N]/' "$T/cs.$d"; norm_cs "$T/cs.$d" nosort
done
same "clamdscan - < file (FILDES of stdin): same as clamd" "$T/cs.clamd.n" "$T/cs.vigild.n"
for d in vigild clamd; do
  cat "$D/eicar.com" | clamdscan -c "$T/cs-$d.conf" - > "$T/cs.$d" 2>&1; echo "exit $?" >> "$T/cs.$d"
  norm_cs "$T/cs.$d" nosort
done
same "cat file | clamdscan - (INSTREAM of a pipe): same as clamd" "$T/cs.clamd.n" "$T/cs.vigild.n"
head -c 2000000 /dev/urandom > "$T/big.bin"
for d in vigild clamd; do
  clamdscan -c "$T/cs-$d.conf" --stream "$T/big.bin" > "$T/cs.$d" 2>&1; echo "exit $?" >> "$T/cs.$d"
  norm_cs "$T/cs.$d" nosort
done
same "clamdscan --stream past StreamMaxLength: same error as clamd" "$T/cs.clamd.n" "$T/cs.vigild.n"

# ---- Python: pyclamd -----------------------------------------------------------
if "$PY" -c 'import pyclamd' 2>/dev/null; then
  cat > "$T/py.py" <<EOF
import sys, pyclamd
cd = pyclamd.ClamdUnixSocket(filename=sys.argv[1])
D = '$D'
def show(label, v):
    if isinstance(v, dict): v = sorted(v.items())
    print(label, repr(v))
show('ping', cd.ping())
show('version', cd.version())
show('scan_file infected', cd.scan_file(D + '/eicar.com'))
show('scan_file clean', cd.scan_file(D + '/clean.txt'))
show('scan_file missing', cd.scan_file(D + '/missing'))
show('contscan_file dir', cd.contscan_file(D + '/dir'))
show('multiscan_file dir', cd.multiscan_file(D + '/dir'))
show('allmatchscan', cd.allmatchscan(D + '/clam.exe'))
show('scan_stream eicar', cd.scan_stream(open(D + '/eicar.com', 'rb').read()))
show('scan_stream clam.exe', cd.scan_stream(open(D + '/clam.exe', 'rb').read()))
show('scan_stream clean', cd.scan_stream(b'nothing to see here'))
try:
    cd.scan_stream(b'A' * 2000000)
    show('scan_stream too long', 'no error')
except Exception as e:
    # BufferTooLongError when the reply is read before the peer closes,
    # else EPIPE or ECONNRESET: a matter of timing with clamd too
    show('scan_stream too long', 'refused')
st = cd.stats()
show('stats head', st.split('\n')[0:3])
show('stats tail', st.rstrip().split('\n')[-1])
EOF
  "$PY" "$T/py.py" "$VSOCK" > "$T/py.vigild" 2>&1
  "$PY" "$T/py.py" "$CSOCK" > "$T/py.clamd" 2>&1
  same "pyclamd (Python): every call answers as with clamd" "$T/py.clamd" "$T/py.vigild"
  grep -qF "scan_stream eicar [('stream', ('FOUND', 'Vigil.Test.Eicar.UNOFFICIAL'))]" "$T/py.vigild" &&
    ok "pyclamd scan_stream finds EICAR through vigild" || nok "pyclamd scan_stream finds EICAR through vigild"
else
  skip "pyclamd (Python) against both daemons" "python3-pyclamd not installed"
fi

# ---- Perl: ClamAV::Client ----------------------------------------------------------
if perl -MClamAV::Client -e 1 2>/dev/null; then
  cat > "$T/pl.pl" <<EOF
use strict; use warnings; use ClamAV::Client;
my \$c = ClamAV::Client->new(socket_name => \$ARGV[0]);
my \$D = '$D';
print "ping ", (\$c->ping ? 1 : 0), "\n";
print "version ", \$c->version, "\n";
my (\$p, \$r) = \$c->scan_path("\$D/eicar.com"); print "scan_path \$p ", (\$r // 'undef'), "\n";
(\$p, \$r) = \$c->scan_path("\$D/clean.txt"); print "scan_path \$p ", (\$r // 'undef'), "\n";
my %h = \$c->scan_path_complete("\$D/dir"); print "complete \$_ \$h{\$_}\n" for sort keys %h;
EOF
  perl "$T/pl.pl" "$VSOCK" > "$T/pl.vigild" 2>&1
  perl "$T/pl.pl" "$CSOCK" > "$T/pl.clamd" 2>&1
  same "ClamAV::Client (Perl): every call answers as with clamd" "$T/pl.clamd" "$T/pl.vigild"
else
  skip "ClamAV::Client (Perl) against both daemons" "libclamav-client-perl not installed"
fi

stop "$CPID"
stop "$VPID"; rc=$?
check "vigild exits cleanly after the clients (status $rc)" test "$rc" -eq 0
echo "1..$n"
[ "$fails" -eq 0 ]
