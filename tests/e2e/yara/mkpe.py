#!/usr/bin/env python3
"""Write small synthetic PE files that exercise the pe and dotnet modules:
sections (one with a long "/4" name), imports by name and by ordinal from
two DLLs, exports (named, by ordinal only, forwarded), resources with a
VS_VERSION_INFO string table, a CLI header with a metadata root (#GUID,
#US streams) and an overlay; plus 64-bit and damaged variants.
Usage: mkpe.py OUTDIR"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

FA = 0x200
SA = 0x1000


def align(x, a):
    return (x + a - 1) // a * a


def utf16z(s):
    return s.encode('utf-16-le') + b'\0\0'


def pad4(b):
    return b + b'\0' * (-len(b) % 4)


def vblock(key, value=b'', children=b'', vtype=1, vlen=None):
    head_key = pad4(b'\0' * 6 + utf16z(key))[6:]
    body = head_key
    if value:
        body += value
    body = pad4(b'\0' * 6 + body)[6:] + children
    if vlen is None:
        vlen = len(value) // 2 if vtype == 1 else len(value)
    return pad4(struct.pack('<HHH', 6 + len(body), vlen, vtype) + body)


def version_info(strings):
    entries = b''.join(vblock(k, utf16z(v)) for k, v in strings)
    table = vblock('040904b0', children=entries)
    sfi = vblock('StringFileInfo', children=table)
    fixed = struct.pack('<13I', 0xfeef04bd, 0x10000, 0x10002, 3, 0x10002, 3, 0x3f, 0, 4, 1, 0, 0, 0)
    return vblock('VS_VERSION_INFO', fixed, sfi, vtype=0, vlen=len(fixed))


class Sec:
    def __init__(self, name, rva, data, chars):
        self.name, self.rva, self.data, self.chars = name, rva, bytearray(data), chars


def pkcs7(nested=False):
    """A PKCS#7 SignedData (DER) by a fresh self-signed certificate, made
    with the openssl command (None without it). nested: a second signature
    in the first one's unauthenticated attributes is beyond the openssl
    command, so only single signatures are made."""
    if not shutil.which('openssl'):
        return None
    with tempfile.TemporaryDirectory() as t:
        key, crt, data, out = (os.path.join(t, n) for n in ('k.pem', 'c.pem', 'd', 'o.der'))
        with open(data, 'wb') as f:
            f.write(b'authenticode content stand-in')
        r = subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key,
                            '-out', crt, '-days', '400', '-set_serial', '0x00c0ffee0102',
                            '-subj', '/C=XX/O=Vigil Test/CN=vigil signer'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if r.returncode:
            return None
        r = subprocess.run(['openssl', 'smime', '-sign', '-binary', '-outform', 'DER', '-in', data,
                            '-signer', crt, '-inkey', key, '-out', out, '-md', 'sha256'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if r.returncode:
            return None
        with open(out, 'rb') as f:
            return f.read()


def build(is64=False, dotnet=False, overlay=b'OVERLAY!', damage=None, sign=None):
    text_rva, rdata_rva, rsrc_rva = 0x1000, 0x2000, 0x3000
    text = bytearray(b'\x90' * 0x40 + b'\xc3' + b'\0' * 0x1bf)
    # .rdata: imports, exports, CLI metadata
    rd = bytearray(0x1000)
    ptr = 'Q' if is64 else 'I'
    w = 8 if is64 else 4
    ordflag = (1 << 63) if is64 else (1 << 31)

    def put(off, b):
        rd[off:off + len(b)] = b
        return rdata_rva + off
    # names
    k32 = put(0x300, b'KERNEL32.dll\0')
    ws = put(0x310, b'WS2_32.dll\0')
    h1 = put(0x320, b'\0\0GetProcAddress\0')
    h2 = put(0x340, b'\0\0ExitProcess\0')
    h3 = put(0x360, b'\0\0GetModuleHandleA\0')
    # thunks
    t1 = put(0x400, struct.pack('<3' + ptr, h1, h2, 0) + struct.pack('<' + ptr, 0))
    t1b = put(0x440, struct.pack('<3' + ptr, h1, h2, 0))
    t2 = put(0x480, struct.pack('<3' + ptr, ordflag | 23, h3, 0))
    t2b = put(0x4c0, struct.pack('<3' + ptr, ordflag | 23, h3, 0))
    imp = put(0x100, struct.pack('<5I', t1, 0, 0, k32, t1b) + struct.pack('<5I', t2, 0, 0, ws, t2b)
              + b'\0' * 20)
    # exports: 3 functions, 2 names, one forwarder
    dllname = put(0x600, b'synth.dll\0')
    n1 = put(0x610, b'AlphaExport\0')
    n2 = put(0x620, b'ZetaFwd\0')
    fwd = put(0x630, b'KERNEL32.ExitProcess\0')
    funcs = put(0x680, struct.pack('<3I', text_rva + 0x10, text_rva + 0x20, fwd))
    names = put(0x6a0, struct.pack('<2I', n1, n2))
    ords = put(0x6b0, struct.pack('<2H', 0, 2))
    exp = put(0x500, struct.pack('<IIHHIIIIIII', 0, 0x5f5e100, 0, 0, dllname, 5, 3, 2, funcs,
                                 names, ords))
    exp_size = 0x640 - 0x500
    # CLI header + metadata
    cli = md = 0
    if dotnet:
        guid = bytes(range(16)) + bytes(range(16, 32))
        us = b'\0' + bytes([11]) + 'hello'.encode('utf-16-le') + b'\0' + bytes([7]) + \
            'abc'.encode('utf-16-le') + b'\0'
        us = pad4(us)
        ver = pad4(b'v4.0.30319\0')
        streams = [(b'#~', b'\0' * 24), (b'#Strings', b'\0\0\0\0'), (b'#US', us), (b'#GUID', guid),
                   (b'#Blob', b'\0\0\0\0')]
        hdr_len = 16 + len(ver) + 4 + sum(8 + len(pad4(n + b'\0')) for n, _ in streams)
        off = hdr_len
        sh, body = b'', b''
        for n, data in streams:
            sh += struct.pack('<II', off + len(body), len(data)) + pad4(n + b'\0')
            body += data
        root = struct.pack('<IHHII', 0x424a5342, 1, 1, 0, len(ver)) + ver + \
            struct.pack('<HH', 0, len(streams)) + sh + body
        md = put(0x800, root)
        cli = put(0x780, struct.pack('<IHHII', 72, 2, 5, md, len(root)) + b'\0' * 56)
    # resources: type 16 (VERSION) id 1 lang 0x409, and a named type "MYRES"
    vi = version_info([('CompanyName', 'Vigil Test'), ('FileVersion', '1.2.3'),
                       ('ProductName', 'Synth'), ('OriginalFilename', 'synth.dll')])
    rs = bytearray(0x800)

    def rdir(nnamed, nid, entries):
        return struct.pack('<IIHHHH', 0, 0x12345678, 4, 2, nnamed, nid) + b''.join(
            struct.pack('<II', a, b) for a, b in entries)
    # layout offsets inside .rsrc
    root_o, t16_o, tnamed_o, n1_o, n2_o, d1_o, d2_o, s_o, data1_o, data2_o = \
        0, 0x40, 0x80, 0xc0, 0x100, 0x140, 0x150, 0x160, 0x200, 0x600
    rs[root_o:root_o + 32] = rdir(1, 1, [(0x80000000 | s_o, 0x80000000 | tnamed_o),
                                         (16, 0x80000000 | t16_o)])
    rs[t16_o:t16_o + 24] = rdir(0, 1, [(1, 0x80000000 | n1_o)])
    rs[tnamed_o:tnamed_o + 24] = rdir(0, 1, [(7, 0x80000000 | n2_o)])
    rs[n1_o:n1_o + 24] = rdir(0, 1, [(0x409, d1_o)])
    rs[n2_o:n2_o + 24] = rdir(0, 1, [(0x419, d2_o)])
    rs[d1_o:d1_o + 16] = struct.pack('<IIII', rsrc_rva + data1_o, len(vi), 1252, 0)
    rs[d2_o:d2_o + 16] = struct.pack('<IIII', rsrc_rva + data2_o, 5, 1252, 0)
    nm = 'MYRES'.encode('utf-16-le')
    rs[s_o:s_o + 2 + len(nm)] = struct.pack('<H', 5) + nm
    rs[data1_o:data1_o + len(vi)] = vi
    rs[data2_o:data2_o + 5] = b'hello'
    secs = [Sec(b'.text', text_rva, text, 0x60000020), Sec(b'.rdata', rdata_rva, rd, 0x40000040),
            Sec(b'/4', rsrc_rva, rs, 0x40000040)]
    # headers
    nsec = len(secs)
    opt_size = 240 if is64 else 224
    hdr_end = 0x80 + 24 + opt_size + 40 * nsec
    size_hdr = align(hdr_end, FA)
    raw = size_hdr
    for s in secs:
        s.raw = raw
        s.data = s.data + b'\0' * (align(len(s.data), FA) - len(s.data))
        raw += len(s.data)
    symtab = raw  # COFF string table right after the sections: "/4" -> ".rsrc_long"
    strtab = struct.pack('<I', 4 + 15) + b'.rsrc_longname\0'
    dirs = [(0, 0)] * 16
    dirs[0] = (exp, exp_size)
    dirs[1] = (imp, 60)
    dirs[2] = (rsrc_rva, 0x800)
    if dotnet:
        dirs[14] = (cli, 72)
    mz = bytearray(0x80)
    mz[0:2] = b'MZ'
    struct.pack_into('<I', mz, 0x3c, 0x80)
    chars = 0x2102 if not is64 else 0x2022
    fh = struct.pack('<4sHHIIIHH', b'PE\0\0', 0x8664 if is64 else 0x14c, nsec, 0x5e0bd8a0,
                     symtab, 0, opt_size, chars)
    if is64:
        opt = struct.pack('<HBBIIIIIQIIHHHHHHIIIIHHQQQQII', 0x20b, 14, 29, 0x200, 0x1000, 0,
                          text_rva + 0x40, text_rva, 0x180000000, SA, FA, 6, 0, 1, 2, 6, 0, 0,
                          0x4000, size_hdr, 0, 2, 0x160, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    else:
        opt = struct.pack('<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII', 0x10b, 14, 29, 0x200, 0x1000, 0,
                          text_rva + 0x40, text_rva, rdata_rva, 0x10000000, SA, FA, 6, 0, 1, 2,
                          6, 0, 0, 0x4000, size_hdr, 0, 3, 0x140, 0x100000, 0x1000, 0x100000,
                          0x1000, 0, 16)
    opt += b''.join(struct.pack('<II', a, b) for a, b in dirs)
    sh = b''
    for s in secs:
        sh += struct.pack('<8sIIIIIIHHI', s.name, len(s.data), s.rva, len(s.data), s.raw, 0, 0,
                          0, 0, s.chars)
    out = bytearray(mz + fh + opt + sh)
    out += b'\0' * (size_hdr - len(out))
    for s in secs:
        out += s.data
    out += strtab + overlay
    if sign:  # WIN_CERTIFICATE at the end, data directory 4 holds its file offset
        out += b'\0' * (-len(out) % 8)
        cert = struct.pack('<IHH', 8 + len(sign), 0x200, 2) + sign
        cert += b'\0' * (-len(cert) % 8)
        dd = 0x80 + 24 + (112 if is64 else 96) + 8 * 4
        struct.pack_into('<II', out, dd, len(out), len(cert))
        out += cert
    if damage == 'truncated':
        out = out[:0x300]
    elif damage == 'badlfanew':
        struct.pack_into('<I', out, 0x3c, 0x7ffffff0)
    elif damage == 'hugesections':
        struct.pack_into('<H', out, 0x80 + 6, 0xffff)
    return bytes(out)


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    files = {
        'pe32.exe': build(),
        'pe64.dll': build(is64=True, overlay=b''),
        'dotnet.exe': build(dotnet=True),
        'pe_trunc.exe': build(damage='truncated'),
        'pe_badlfanew.exe': build(damage='badlfanew'),
        'pe_hugesec.exe': build(damage='hugesections'),
    }
    sig = pkcs7()
    if sig:
        files['pe_signed.exe'] = build(sign=sig)
    for name, data in files.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
