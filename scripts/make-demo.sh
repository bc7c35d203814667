#!/usr/bin/env bash
# Build the demo folder `make run` scans: clean files, and the EICAR test
# file alone and nested in archives (zip in tar in gz in 7z), so a user sees
# both verdicts and the unpacking at work. Deterministic; safe to re-run.
set -euo pipefail
out=${1:?usage: make-demo.sh DIR}
mkdir -p "$out" && out=$(cd "$out" && pwd)
rm -rf "$out"
mkdir -p "$out/clean" "$out/infected"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
printf 'Hello from vigil. This file is clean.\n' > "$out/clean/hello.txt"
printf '#!/bin/sh\necho "nothing to see here"\n' > "$out/clean/script.sh"
head -c 4096 /usr/bin/env > "$out/clean/binary-head.bin"
# EICAR: the standard anti-virus test file, harmless by design.
printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' > "$t/eicar.com"
cp "$t/eicar.com" "$out/infected/eicar.com"
(cd "$t" && zip -qX eicar.zip eicar.com && tar --mtime=@0 --owner=0 --group=0 -cf eicar-zip.tar eicar.zip \
  && gzip -n -c eicar-zip.tar > eicar-zip.tar.gz && 7z a -bd -bso0 eicar-nested.7z eicar-zip.tar.gz >/dev/null)
cp "$t/eicar.zip" "$out/infected/eicar.zip"
cp "$t/eicar-nested.7z" "$out/infected/eicar-zip-in-tar-in-gz-in-7z.7z"
(cd "$t" && zip -qX clean.zip "$out/clean/hello.txt" -j) && cp "$t/clean.zip" "$out/clean/hello.zip"
if [ -f /usr/share/clamav-testfiles/clam.exe ]; then
  cp /usr/share/clamav-testfiles/clam.exe "$out/infected/clam.exe"
fi
