#!/usr/bin/env python3
"""tests/e2e/diff_exe_sigs.py - signatures for diff_exe.sh.

Usage: diff_exe_sigs.py OUTDIR FILE...

Reads each file with exe_ref.py (the independent Python reading of PE and
ELF; Mach-O samples are made by diff_exe.sh with known layouts and passed
as NAME.macho:EP:RAW:RSZ) and writes, into OUTDIR:
  exe.ndb   EP+0 / EP+1 / EP-4,4 / EP-4, Sx+16 / Sx+15, SEx with a wildcard
            (Aho-Corasick) and plain (Boyer-Moore, mid-section: clamscan
            only finds those at the section start), SL+4 / SL+3, Sx+n,shift,
            and the same bytes under a target that does not apply;
  exe.mdb   SIZE:MD5 of every PE section, fixed and `*` (MinFL 73), and a
            wrong size; exe.msb the same for SHA-1 and SHA-256;
  exe.imp   import hash (MD5/SHA-1/SHA-256) with the import string's
            length, `*`, and a wrong length.
Patterns are 16 bytes taken from the file at the offset the signature
names, so a hit means the offset resolved to exactly that place."""
import json
import os
import subprocess
import sys

out, files = sys.argv[1], sys.argv[2:]
here = os.path.dirname(os.path.abspath(__file__))
ndb, mdb, msb, imp = [], [], [], []


def tag(path):
    b = os.path.basename(path).split(":")[0]
    return "".join(c if c.isalnum() else "_" for c in b)


def add_ndb(name, target, off, d, at, n=16, wild=False, neg_at=None):
    """Pattern = the n bytes at `at`. A negative (neg_at: where its offset
    really points) is written only when those bytes differ there."""
    if at < 0 or at + n > len(d):
        return
    if neg_at is not None and (neg_at < 0 or d[neg_at:neg_at + n] == d[at:at + n]):
        return
    if len(set(d[at:at + n])) < 6:
        return  # runs of zeros etc. also match in clamscan's embedded-PE layers
    h = d[at:at + n].hex()
    if wild:
        h = h[:8] + "??" + h[10:]
    ndb.append("%s:%d:%s:%s" % (name, target, off, h))


seen = set()  # (table, digest): twins with other names are left out, as
# clamscan reports one of them by a rule not reproduced for `*` sizes


def first(table, digest):
    if (table, digest) in seen:
        return False
    seen.add((table, digest))
    return True


refs = []
plain = [f for f in files if ".macho:" not in f]
if plain:
    res = subprocess.run([sys.executable, os.path.join(here, "exe_ref.py")] + plain,
                         capture_output=True, text=True, check=True)
    refs = [json.loads(line) for line in res.stdout.splitlines()]
for f in files:
    if ".macho:" in f:
        path, ep, raw, rsz = f.split(":")
        refs.append({"kind": "macho", "path": path, "ep": int(ep),
                     "sections": [{"raw": int(raw), "rsz": int(rsz)}]})

for r in refs:
    if not r.get("kind"):
        continue
    d = open(r["path"], "rb").read()
    t = tag(r["path"])
    target = {"pe": 1, "elf": 6, "macho": 9}[r["kind"]]
    other = 6 if target != 6 else 1
    ep = r.get("ep")
    if ep is not None:
        add_ndb("%s.EP0" % t, target, "EP+0", d, ep)
        add_ndb("%s.EP1.neg" % t, target, "EP+1", d, ep, neg_at=ep + 1)
        add_ndb("%s.EPm4s4" % t, target, "EP-4,4", d, ep)
        add_ndb("%s.EPm4" % t, target, "EP-4", d, ep - 4)
        add_ndb("%s.EPm3.neg" % t, target, "EP-3", d, ep - 4, neg_at=ep - 3)
        add_ndb("%s.EP0.othertarget.neg" % t, other, "EP+0", d, ep)
    secs = r["sections"]
    for i, s in enumerate(secs[:10]):
        if s["rsz"] >= 64:
            add_ndb("%s.S%d" % (t, i), target, "S%d+16" % i, d, s["raw"] + 16)
            add_ndb("%s.S%d.neg" % (t, i), target, "S%d+15" % i, d, s["raw"] + 16,
                    neg_at=s["raw"] + 15)
            add_ndb("%s.S%ds8" % (t, i), target, "S%d+8,8" % i, d, s["raw"] + 16)
            # a window in the second half that occurs once in the file, so a
            # plain SEx can only hit where the bytes were taken (clamscan's
            # Boyer-Moore tests an SEx pattern at the start points of all
            # offset signatures, which repeated bytes could satisfy)
            mid = s["raw"] + (s["rsz"] // 2 & ~3)
            end = s["raw"] + s["rsz"] - 16
            while mid < end and d.find(d[mid:mid + 16]) != mid or \
                    d.rfind(d[mid:mid + 16]) != mid:
                mid += 4
                if mid >= end:
                    break
            add_ndb("%s.SE%d.wild" % (t, i), target, "SE%d" % i, d, mid, wild=True)
            add_ndb("%s.SE%d.plain" % (t, i), target, "SE%d" % i, d, mid)
            add_ndb("%s.SE%d.start" % (t, i), target, "SE%d" % i, d, s["raw"])
        if r["kind"] == "pe" and s["rsz"] and first("sect", s["md5"]):
            n = "%s.sect%d" % (t, i)
            mdb.append("%d:%s:%s.md5" % (s["rsz"], s["md5"], n))
            mdb.append("*:%s:%s.md5star:73" % (s["md5"], n))
            mdb.append("%d:%s:%s.md5size.neg" % (s["rsz"] + 1, s["md5"], n))
            msb.append("%d:%s:%s.sha1" % (s["rsz"], s["sha1"], n))
            msb.append("%d:%s:%s.sha256" % (s["rsz"], s["sha256"], n))
            msb.append("*:%s:%s.sha256star:73" % (s["sha256"], n))
    if secs:
        last = secs[-1]
        add_ndb("%s.SL" % t, target, "SL+4", d, last["raw"] + 4)
        add_ndb("%s.SL.neg" % t, target, "SL+3", d, last["raw"] + 4, neg_at=last["raw"] + 3)
    if r.get("imphash") and first("imp", r["imphash"]):
        n = "%s.imp" % t
        imp.append("%s:%d:%s.md5" % (r["imphash"], r["impsize"], n))
        imp.append("%s:%d:%s.sha1" % (r["impsha1"], r["impsize"], n))
        imp.append("%s:%d:%s.sha256" % (r["impsha256"], r["impsize"], n))
        imp.append("%s:*:%s.md5star:73" % (r["imphash"], n))
        imp.append("%s:%d:%s.size.neg" % (r["imphash"], r["impsize"] - 1, n))

for name, rows in (("exe.ndb", ndb), ("exe.mdb", mdb), ("exe.msb", msb), ("exe.imp", imp)):
    if rows:
        with open(os.path.join(out, name), "w") as fh:
            fh.write("\n".join(rows) + "\n")
print(len(ndb) + len(mdb) + len(msb) + len(imp))
