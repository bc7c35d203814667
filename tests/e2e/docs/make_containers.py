#!/usr/bin/env python3
"""tests/e2e/docs/make_containers.py OUTDIR CLAM_EXE - write small mail,
HTML, BinHex (encoded here, with RLE and CRCs) and RTF files that carry EICAR or clam.exe in the encodings
fmt/mail.c, fmt/html.c, fmt/binhex.c and fmt/rtf.c decode, plus clean
look-alikes; diff_testfiles.sh scans them with clamscan and vigil."""
import base64, binascii, os, quopri, struct, sys

out, clam = sys.argv[1], open(sys.argv[2], 'rb').read()
EICAR = b'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
os.makedirs(out, exist_ok=True)


def w(name, data):
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode('latin-1'))


def b64(d):
    s = base64.b64encode(d).decode()
    return '\n'.join(s[i:i + 76] for i in range(0, len(s), 76))


def uu(d, name):
    lines = ['begin 644 %s' % name]
    for i in range(0, len(d), 45):
        lines.append(binascii.b2a_uu(d[i:i + 45]).decode().rstrip('\n'))
    return '\n'.join(lines) + '\n`\nend\n'


def yenc(d, name):
    o = bytearray(b'=ybegin line=128 size=%d name=%s\n' % (len(d), name.encode()))
    col = 0
    for c in d:
        e = (c + 42) & 255
        if e in (0, 10, 13, 61):
            o += b'=' + bytes([(e + 64) & 255])
            col += 2
        else:
            o.append(e)
            col += 1
        if col >= 128:
            o += b'\n'
            col = 0
    return bytes(o) + b'\n=yend size=%d\n' % len(d)


def mail(parts, boundary='=_b'):
    s = 'From: a@example.com\nTo: b@example.com\nSubject: t\nMIME-Version: 1.0\n'
    s += 'Content-Type: multipart/mixed; boundary="%s"\n\nThis is MIME.\n' % boundary
    for p in parts:
        s += '--%s\n%s\n' % (boundary, p)
    return s + '--%s--\n' % boundary


def part_b64(d, name, ctype='application/octet-stream'):
    return ('Content-Type: %s; name="%s"\nContent-Transfer-Encoding: base64\n'
            'Content-Disposition: attachment; filename="%s"\n\n%s\n' % (ctype, name, name, b64(d)))


text = 'Content-Type: text/plain\n\nhello\n'
for tag, d in (('eicar', EICAR), ('clam', clam)):
    w('%s.b64.eml' % tag, mail([text, part_b64(d, 'f.bin')]))
    w('%s.qp.eml' % tag, mail([text, 'Content-Type: application/octet-stream\n'
                               'Content-Transfer-Encoding: quoted-printable\n\n' +
                               quopri.encodestring(d).decode('latin-1') + '\n']))
    w('%s.xuu.eml' % tag, mail(['Content-Type: application/octet-stream\n'
                                'Content-Transfer-Encoding: x-uuencode\n\n' + uu(d, 'f.bin')]))
    w('%s.uu-in-text.eml' % tag, 'From: a@example.com\nSubject: uu\n\nsee below\n\n' + uu(d, 'f.bin'))
    w('%s.nested.eml' % tag, mail([text, 'Content-Type: multipart/alternative; boundary="in"\n\n'
                                   '--in\n' + part_b64(d, 'g.bin') + '--in--\n']))
    w('%s.rfc822.eml' % tag, mail(['Content-Type: message/rfc822\n\n' +
                                   mail([part_b64(d, 'h.bin')], 'inner')]))
    w('%s.mbox' % tag, 'From a@example.com Thu Jan  1 00:00:00 2026\n' + mail([text]) +
      '\nFrom b@example.com Thu Jan  1 00:00:00 2026\n' + mail([part_b64(d, 'i.bin')]))
    w('%s.data-uri.html' % tag, '<html><body><a href="data:application/octet-stream;base64,%s">x'
      '</a></body></html>\n' % base64.b64encode(d).decode())
    w('%s.yenc.eml' % tag, b'From: a@example.com\nSubject: y\n\ntext\n' + yenc(d, 'f.bin'))
# clean look-alikes: same structure, harmless payload
w('clean.b64.eml', mail([text, part_b64(b'just some bytes\n' * 10, 'f.bin')]))
w('clean.data-uri.html', '<html><a href="data:text/plain;base64,%s">x</a></html>\n'
  % base64.b64encode(b'hello world').decode())


def rtf_package(d, label):
    nat = struct.pack('<H', 2) + label + b'\0' + b'C:\\' + label + b'\0'
    nat += struct.pack('<II', 0x00030000, 4) + b'C:\\\0' + struct.pack('<I', len(d)) + d
    nat += struct.pack('<H', 0)
    obj = struct.pack('<II', 0x0501, 2) + struct.pack('<I', 8) + b'Package\0'
    obj += struct.pack('<II', 0, 0) + struct.pack('<I', len(nat)) + nat
    h = binascii.hexlify(obj).decode()
    body = '\n'.join(h[i:i + 128] for i in range(0, len(h), 128))
    return ('{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}\\f0 text {\\object\\objemb{\\*\\objclass Package}'
            '{\\*\\objdata %s}}}\n' % body)


w('eicar.package.rtf', rtf_package(EICAR, b'eicar.com'))


def crc16(data, crc=0):  # CRC-16/XMODEM, as BinHex 4.0 uses
    for c in data:
        crc ^= c << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1) & 0xffff
    return crc


def binhex(d, name):
    hdr = bytes([len(name)]) + name + b'\0' + b'BINA????' + b'\0\0'
    hdr += struct.pack('>II', len(d), 0)
    raw = hdr + struct.pack('>H', crc16(hdr + b'\0\0')) + d + struct.pack('>H', crc16(d + b'\0\0'))
    raw += struct.pack('>H', 0)
    rle = bytearray()  # 0x90 -> 0x90 0x00; runs of 4+ -> byte 0x90 count
    i = 0
    while i < len(raw):
        j = i
        while j < len(raw) and raw[j] == raw[i] and j - i < 255:
            j += 1
        c = raw[i]
        lit = b'\x90\x00' if c == 0x90 else bytes([c])
        if j - i >= 4 and c != 0x90:
            rle += lit + bytes([0x90, j - i])
        else:
            rle += lit * (j - i)
        i = j
    alpha = b"!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr"
    bits, acc, out = 0, 0, bytearray()
    for c in rle:
        acc = acc << 8 | c
        bits += 8
        while bits >= 6:
            bits -= 6
            out.append(alpha[(acc >> bits) & 63])
    if bits:
        out.append(alpha[(acc << (6 - bits)) & 63])
    lines = b'\n'.join(bytes(out[i:i + 64]) for i in range(0, len(out), 64))
    return b'(This file must be converted with BinHex 4.0)\n:' + lines + b':\n'


w('eicar.hqx', binhex(EICAR, b'eicar.com'))
w('clam.hqx', binhex(clam, b'clam.exe'))
w('clean.hqx', binhex(b'nothing to see here\n' * 20, b'readme.txt'))
w('clam.package.rtf', rtf_package(clam, b'clam.exe'))
