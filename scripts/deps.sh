#!/usr/bin/env bash
# Install every Debian package vigil's build, tests and benchmarks need.
# Idempotent; run as root on Debian 12. Skips apt entirely when all are present.
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config git clang lld libclang-rt-14-dev
  libvectorscan-dev libarchive-dev libssl-dev zlib1g-dev libbz2-dev liblzma-dev
  libzstd-dev liblz4-dev libjson-c-dev libcmocka-dev libseccomp-dev libcurl4-openssl-dev
  libpcre2-dev libmspack-dev libmagic-dev yara-doc
  clamav clamav-daemon clamdscan clamav-testfiles yara
  zip unzip p7zip-full tar gzip bzip2 xz-utils zstd lz4 cpio genisoimage arj gcab
  libarchive-tools python3 time hyperfine bc procps strace util-linux
  python3-pyclamd libclamav-client-perl
  faketime locales diffoscope-minimal
  man-db xxd systemd
)
# man-db: cli_output.sh renders docs/vigil.1 with man -l; xxd: diff_ldb.sh;
# systemd: systemd-analyze verify in daemon_service.sh; gcab: containers.sh
# makes a .cab with EICAR in it. None is in a minimal Debian 12.
# faketime, locales: make reproduce's second build runs 400 days ahead in a
# French locale; diffoscope-minimal: its report of a difference.
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The tests compare with clamscan 1.4.6 (bookworm-security); 1.4.3 from
# bookworm main prints absolute paths where 1.4.6 prints them as given.
clam_old() {
  local v
  v=$(dpkg-query -W -f='${Version}' clamav 2>/dev/null) || return 1
  dpkg --compare-versions "$v" lt 1.4.6
}
if clam_old; then missing+=(clamav libclamav12 clamav-daemon clamdscan); fi
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "deps.sh: need root to install: ${missing[*]}" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if clam_old; then
  echo "deps.sh: clamav $(dpkg-query -W -f='${Version}' clamav) is older than 1.4.6;" \
    "enable bookworm-security in /etc/apt/sources.list, or the clamscan comparisons fail" >&2
fi
# clamav-daemon's package starts a system clamd with no database; we run our own.
systemctl disable --now clamav-daemon clamav-freshclam >/dev/null 2>&1 || true
