#!/usr/bin/env python3
"""Write a deterministic set of malformed PE files for the pe module
differential (tests/e2e/diff_yara_pe.sh): each seed PE is damaged in one
targeted way (header counts and sizes, section table, data directories,
import descriptors and names, delay-load descriptors, export tables,
resource tree, version info, rich header, debug directory, certificate
table) or truncated, with values
drawn from a fixed-seed generator, so the same files come out every run.
Seeds: the PEs given on the command line (the synthetic ones of mkpe.py,
clamav-testfiles) plus a copy of the first with a rich header in its DOS
stub.
Usage: mkbadpe.py OUTDIR COUNT SEED.exe...  (MKBADPE_SEED=n: another set)"""
import os
import random
import struct
import sys

EDGE32 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x1000, 0x7fffffff, 0x80000000, 0xfffffffe,
          0xffffffff, 0x10000, 0x200, 0x3c]
EDGE16 = [0, 1, 2, 0x7fff, 0x8000, 0xffff, 0x10, 0x60, 0x61, 96, 97]


class PE:
    """Just enough of a PE to find its structures (no checks: the seeds are
    well-formed)."""

    def __init__(self, d):
        self.d = d
        self.nt = struct.unpack_from('<I', d, 0x3c)[0]
        self.nsec = struct.unpack_from('<H', d, self.nt + 6)[0]
        optsz = struct.unpack_from('<H', d, self.nt + 20)[0]
        self.opt = self.nt + 24
        self.is64 = struct.unpack_from('<H', d, self.opt)[0] == 0x20b
        self.dirs = self.opt + (112 if self.is64 else 96)
        self.sec = self.opt + optsz
        self.falign = struct.unpack_from('<I', d, self.opt + 36)[0]

    def secs(self):
        for i in range(self.nsec):
            h = self.sec + 40 * i
            vs, va, rs, ro = struct.unpack_from('<IIII', self.d, h + 8)
            yield h, va, vs, ro, rs

    def off(self, rva):
        for _, va, vs, ro, rs in self.secs():
            if va <= rva < va + min(vs, rs):
                return ro + rva - va
        return rva if rva < 0x1000 and rva < len(self.d) else None

    def dir(self, i):
        return struct.unpack_from('<II', self.d, self.dirs + 8 * i)


def u32(d, o, v):
    if 0 <= o <= len(d) - 4:
        struct.pack_into('<I', d, o, v & 0xffffffff)


def u16(d, o, v):
    if 0 <= o <= len(d) - 2:
        struct.pack_into('<H', d, o, v & 0xffff)


def with_rich(d):
    """A copy of d with a rich header (DanS, 3 keys, 3 entries, Rich, key)
    in the DOS stub between 0x44 and 0x74."""
    d = bytearray(d)
    key = 0x1a2b3c4d
    body = [0x536e6144, 0, 0, 0, (0x0105 << 16) | 30729, 12, (0x0104 << 16) | 30729, 3,
            (0x0001 << 16) | 0, 140]
    off = 0x44
    for i, w in enumerate(body):
        u32(d, off + 4 * i, w ^ key)
    u32(d, off + 4 * len(body), 0x68636952)
    u32(d, off + 4 * len(body) + 4, key)
    return bytes(d)


def mutate(d, r):
    """One damaged copy of d (bytes); returns (tag, bytes)."""
    p = PE(d)
    b = bytearray(d)
    kind = r.choice(['hdr', 'sec', 'dir', 'imp', 'imp', 'exp', 'exp', 'rsrc', 'rsrc', 'vi',
                     'rich', 'dbg', 'cert', 'trunc', 'bytes', 'dly'])
    if kind == 'hdr':
        f = r.choice([('nsec', p.nt + 6, 2), ('optsz', p.nt + 20, 2), ('ndirs', p.dirs - 4, 4),
                      ('falign', p.opt + 36, 4), ('magic', p.opt, 2), ('ep', p.opt + 16, 4),
                      ('lfanew', 0x3c, 4), ('symtab', p.nt + 12, 4), ('nsyms', p.nt + 16, 4)])
        if f[0] == 'lfanew':
            v = r.choice([len(d) - 24, len(d) - 4, p.nt + 4, p.nt - 4, 0x40, len(d)])
        else:
            v = r.choice(EDGE16 if f[2] == 2 else EDGE32 + [len(d), len(d) - 1])
        (u16 if f[2] == 2 else u32)(b, f[1], v)
        return 'hdr_%s' % f[0], b
    if kind == 'sec' and p.nsec:
        h = p.sec + 40 * r.randrange(p.nsec)
        fld = r.choice([(8, 'vsize'), (12, 'va'), (16, 'rawsize'), (20, 'rawoff'), (0, 'name')])
        if fld[1] == 'name':
            b[h:h + 8] = r.choice([b'/4\0\0\0\0\0\0', b'/9999999', b'/0\0\0\0\0\0\0', b'\0' * 8,
                                   b'abcdefgh', b'/12a\0\0\0\0'])
        else:
            u32(b, h + fld[0], r.choice(EDGE32 + [len(d), len(d) - 0x10, 0x1000 * r.randrange(8)]))
        return 'sec_' + fld[1], b
    if kind == 'dir':
        i = r.randrange(16)
        u32(b, p.dirs + 8 * i + r.choice([0, 4]),
            r.choice(EDGE32 + [len(d), p.dir(i)[0] + r.randrange(-64, 64)]))
        return 'dir%d' % i, b
    if kind == 'imp':
        va, _ = p.dir(1)
        o = p.off(va)
        if o is None:
            return None
        desc = o + 20 * r.randrange(3)
        what = r.choice(['oft', 'name', 'ft', 'namebytes', 'thunk', 'hint'])
        if what in ('oft', 'name', 'ft'):
            u32(b, desc + {'oft': 0, 'name': 12, 'ft': 16}[what],
                r.choice(EDGE32 + [len(d) - 2, va, 0x2000 + r.randrange(0x400)]))
        elif what == 'namebytes':
            no = p.off(struct.unpack_from('<I', d, desc + 12)[0])
            if no is None:
                return None
            v = r.choice([b'\0', b'\x01', b'A\x1fB.dll\0', b'\x90\x90.dll\0', b'a b.dll\0',
                          b'x' * 300, b'WS2_32.DLL\0', b'oleaut32.dll\0', b'\x7f\xff\0'])
            b[no:no + len(v)] = v[:len(b) - no]
        else:
            t = p.off(struct.unpack_from('<I', d, desc)[0] or struct.unpack_from('<I', d, desc + 16)[0])
            if t is None:
                return None
            w = 8 if p.is64 else 4
            slot = t + w * r.randrange(3)
            if what == 'thunk':
                v = r.choice([0x80000000 | r.randrange(120), 0x7fffffff, len(d) - 3, len(d) - 1,
                              0x1000, 1 << 63 | 17, 0xffffffff])
                if w == 8:
                    struct.pack_into('<Q', b, slot, v & (2 ** 64 - 1))
                else:
                    u32(b, slot, v)
            else:
                no = p.off(struct.unpack_from('<I', d, slot)[0] & 0x7fffffff)
                if no is None:
                    return None
                v = r.choice([b'\0\0\0', b'\0\0Get\x01X\0', b'\0\0' + b'N' * 600])
                b[no:no + len(v)] = v[:len(b) - no]
        return 'imp_' + what, b
    if kind == 'dly':
        va, _ = p.dir(13)
        o = p.off(va) if va else None
        if o is None:
            return None
        attr = struct.unpack_from('<I', d, o)[0]
        base = 0 if attr & 1 else struct.unpack_from('<I', d, p.opt + 28)[0]
        what = r.choice(['attr', 'name', 'iat', 'int', 'namebytes', 'thunk', 'zero'])
        if what == 'attr':
            u32(b, o, r.choice([0, 1, 2, 0xffffffff]))
        elif what in ('name', 'iat', 'int'):
            fo = {'name': 4, 'iat': 12, 'int': 16}[what]
            old = struct.unpack_from('<I', d, o + fo)[0]
            u32(b, o + fo, r.choice([0, old - base, old + 0x10000, 0xffffffff, old + 2]))
        elif what == 'zero':
            b[o:o + 32] = b'\0' * 32
        else:
            key = 4 if what == 'namebytes' else 16
            no = p.off(struct.unpack_from('<I', d, o + key)[0] - base)
            if no is None:
                return None
            if what == 'namebytes':
                v = r.choice([b'\0', b'a b.dll\0', b'\x90.dll\0', b'A*.dll\0', b'x' * 300])
            else:
                v = struct.pack('<I', r.choice([0x80000000 | 73, 0x80000000, 0x7fffffff, 0x10]))
            b[no:no + len(v)] = v[:len(b) - no]
        return 'dly_' + what, b
    if kind == 'exp':
        va, sz = p.dir(0)
        o = p.off(va)
        if o is None:
            return None
        fld = r.choice([(12, 'name'), (16, 'base'), (20, 'nfun'), (24, 'nnames'), (28, 'afun'),
                        (32, 'anames'), (36, 'aords'), (-1, 'ordslot'), (-2, 'funslot'),
                        (-3, 'namebytes')])
        if fld[0] >= 0:
            u32(b, o + fld[0], r.choice(EDGE32 + [struct.unpack_from('<I', d, o + fld[0])[0] + r.randrange(-3, 4),
                                                  va, va + sz - 2, 8192, 8193]))
        elif fld[1] == 'ordslot':
            ao = p.off(struct.unpack_from('<I', d, o + 36)[0])
            if ao is None:
                return None
            u16(b, ao + 2 * r.randrange(2), r.choice([0, 1, 2, 3, 0xffff]))
        elif fld[1] == 'funslot':
            ao = p.off(struct.unpack_from('<I', d, o + 28)[0])
            if ao is None:
                return None
            u32(b, ao + 4 * r.randrange(3), r.choice([0, va, va + 1, va + sz, 0xffffffff, 0x1000]))
        else:
            no = p.off(struct.unpack_from('<I', d, o + 12)[0])
            if no is None:
                return None
            v = r.choice([b'\0', b'x' * 700, b'a\x01b\0'])
            b[no:no + len(v)] = v[:len(b) - no]
        return 'exp_' + fld[1], b
    if kind in ('rsrc', 'vi'):
        va, _ = p.dir(2)
        o = p.off(va)
        if o is None:
            return None
        if kind == 'vi':
            i = d.find('VS_VERSION_INFO'.encode('utf-16-le'))
            if i < 0:
                return None
            base = i - 6
            k = r.randrange(4)
            if k == 0:
                u16(b, base, r.choice([0, 6, 0xffff, 40]))
            elif k == 1:
                j = d.find('StringFileInfo'.encode('utf-16-le'))
                u16(b, j - 6, r.choice([0, 0xffff, 8, 100]))
            elif k == 2:
                j = d.find('CompanyName'.encode('utf-16-le'))
                u16(b, j - 6 + r.choice([0, 2]), r.choice([0, 1, 0xffff, 200]))
            else:
                j = d.find('CompanyName'.encode('utf-16-le'))
                b[j + 2] = r.choice([0, 1, 0xff])
            return 'vi', b
        # walk a path of entries and damage one field
        dirs = [o]
        cur = o
        for _ in range(2):
            e = cur + 16
            data = struct.unpack_from('<I', d, e + 4)[0]
            if not data >> 31:
                break
            cur = o + (data & 0x7fffffff)
            dirs.append(cur)
        dd = r.choice(dirs)
        what = r.choice(['chars', 'nnamed', 'nid', 'ename', 'edata', 'leaf', 'strlen'])
        if what == 'chars':
            u32(b, dd, r.choice([1, 0xffffffff]))
        elif what == 'nnamed':
            u16(b, dd + 12, r.choice([1, 2, 100, 0x8000, 0x8001, 0xffff]))
        elif what == 'nid':
            u16(b, dd + 14, r.choice([0, 2, 5, 0x8000, 0x8001, 0xffff]))
        elif what == 'ename':
            u32(b, dd + 16, r.choice([0x80000000, 0x80000000 | 0x7ffffff0, 0x80000000 | len(d),
                                      0x80000000 | 4, 16, 0xffffffff, 0x80000010]))
        elif what == 'edata':
            u32(b, dd + 20, r.choice([0x80000000, 0x80000000 | len(d), len(d) - 8, 0, 16,
                                      0x80000000 | (dd - o), 0xffffffff]))
        elif what == 'strlen':
            e = struct.unpack_from('<I', d, dd + 16)[0]
            if not e >> 31:
                return None
            u16(b, o + (e & 0x7fffffff), r.choice([0, 0xffff, 1000]))
        else:
            # the first data entry: rva and size
            cur = o
            for _ in range(3):
                data = struct.unpack_from('<I', d, cur + 20)[0]
                cur = o + (data & 0x7fffffff)
                if not data >> 31:
                    break
            u32(b, cur + r.choice([0, 4]), r.choice(EDGE32 + [va, len(d)]))
        return 'rsrc_' + what, b
    if kind == 'rich':
        i = d.find(b'Rich')
        if i < 0:
            return None
        key = struct.unpack_from('<I', d, i + 4)[0]
        dans = None
        for q in range(i - 4, 64, -4):
            if struct.unpack_from('<I', d, q)[0] ^ key == 0x536e6144:
                dans = q
                break
        what = r.choice(['key0', 'key', 'dans', 'k2', 'entry', 'rich2', 'lfanew'])
        if what == 'key0':
            u32(b, i + 4, 0)
        elif what == 'key':
            u32(b, i + 4, key ^ 1)
        elif what == 'dans' and dans:
            u32(b, dans, 0)
        elif what == 'k2' and dans:
            u32(b, dans + 8, key ^ 0x100)
        elif what == 'entry' and dans:
            u32(b, dans + 16 + 4 * r.randrange(4), r.randrange(1 << 32))
        elif what == 'rich2' and dans:
            u32(b, dans + 16, 0x68636952)
        else:
            u32(b, 0x3c, i + r.choice([0, 4, 8]))
        return 'rich_' + what, b
    if kind == 'dbg':
        # a debug directory with one CodeView entry over the start of the
        # first section big enough, the record after it (found by RVA or
        # by file offset), or the record at the end of the file
        sec = [(va, ro) for _, va, vs, ro, rs in p.secs() if min(vs, rs) >= 0x200]
        if not sec:
            return None
        va, ro = sec[0]
        rec = r.choice([b'RSDS' + b'\x11' * 20 + b'C:\\x\\y.pdb\0', b'NB10' + b'\0' * 12 + b'a.pdb\0',
                        b'RSDS' + b'\x11' * 20 + b'z' * 300, b'RSDS' + b'\x11' * 10,
                        b'RSDS' + b'\x11' * 20 + b'unterminated', b'XXXX' + b'\0' * 30])
        how = r.choice(['rva', 'off', 'end', 'none'])
        arva = va + 56 if how == 'rva' else 0
        aoff = {'off': ro + 56, 'end': len(b), 'none': 0, 'rva': 0}[how]
        ents = struct.pack('<IIHHIIII', 0, 0, 0, 0, r.choice([2, 2, 1]), len(rec), arva, aoff)
        ents += struct.pack('<IIHHIIII', 0, 0, 0, 0, 2, len(rec), 0, ro + 56)
        b[ro:ro + 56] = ents
        if how == 'end':
            b += rec
            rec = b'RSDS' + b'\x22' * 20 + b'second.pdb\0'
        b[ro + 56:ro + 56 + len(rec)] = rec[:max(0, len(b) - ro - 56)]
        u32(b, p.dirs + 8 * 6, va)
        u32(b, p.dirs + 8 * 6 + 4, r.choice([28, 28, 56, 27, 0, 56 * 1000]))
        return 'dbg_' + how, b
    if kind == 'cert':
        va, sz = p.dir(4)
        if not va:
            return None
        k = r.randrange(4)
        if k == 0:
            u32(b, va, r.choice([0, 8, 9, sz + 8, 0xffffffff]))
        elif k == 1:
            u16(b, va + 4, r.choice([0, 0x100, 0x300]))
        elif k == 2:
            u32(b, p.dirs + 8 * 4 + 4, r.choice([sz - 1, sz + 1, 8, 0xffffffff]))
        else:
            b[va + 20] ^= 0xff
        return 'cert', b
    if kind == 'trunc':
        n = r.choice([p.nt + 24, p.nt + 100, p.sec, p.sec + 40, len(d) // 2, len(d) - 1,
                      r.randrange(64, len(d))])
        return 'trunc', b[:n]
    for _ in range(r.randrange(1, 6)):
        i = r.randrange(min(len(b), 0x400))
        b[i] = r.randrange(256)
    return 'bytes', b


def main():
    out, count, seeds = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    os.makedirs(out, exist_ok=True)
    data = []
    for s in seeds:
        with open(s, 'rb') as f:
            data.append((os.path.basename(s), f.read()))
    data.append(('rich_' + data[0][0], with_rich(data[0][1])))
    r = random.Random(int(os.environ.get('MKBADPE_SEED', '4242')))
    made = 0
    tries = 0
    while made < count and tries < count * 20:
        tries += 1
        name, d = data[made % len(data)] if tries < count * 10 else r.choice(data)
        try:
            res = mutate(d, r)
        except (struct.error, IndexError, ValueError):
            res = None
        if res is None:
            continue
        tag, b = res
        with open(os.path.join(out, '%03d_%s_%s' % (made, tag, name)), 'wb') as f:
            f.write(bytes(b))
        made += 1


if __name__ == '__main__':
    main()
