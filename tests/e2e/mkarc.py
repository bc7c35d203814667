#!/usr/bin/env python3
"""tests/e2e/mkarc.py - archives that no Debian main package can write.

    mkarc.py KIND FILE OUT     KIND: rar4, rar4enc, rar5, lha

Writes one archive holding FILE (under its base name) as a stored member,
so that containers.sh can put EICAR in every format vigil unpacks.
Layouts from the formats' public descriptions: RAR 1.5-4 blocks (CRC-16
= low half of CRC-32 over the block from its type byte), RAR 5 headers
(vint fields, CRC-32 over size and body), LHA level-0 headers with the
-lh0- method and CRC-16/ARC of the data. rar4enc sets the file header's
password flag (the data is then just the plain bytes: enough for a
reader to report the member encrypted, not to decrypt it).
"""
import os
import struct
import sys
import zlib


def crc16_arc(data):
    c = 0
    for x in data:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
    return c


def lha(name, data):
    body = (b"-lh0-" + struct.pack("<IIIBBB", len(data), len(data), 0x5A6B0000, 0x20, 0, len(name))
            + name + struct.pack("<H", crc16_arc(data)))
    return bytes([len(body), sum(body) & 0xFF]) + body + data + b"\0"


def rar4(name, data, encrypted=False):
    def block(kind, flags, rest, payload=b""):
        h = struct.pack("<BHH", kind, flags, 7 + len(rest)) + rest
        return struct.pack("<H", zlib.crc32(h) & 0xFFFF) + h + payload

    out = b"Rar!\x1a\x07\x00"
    out += block(0x73, 0, struct.pack("<HI", 0, 0))  # archive header
    flags = 0x8000 | (0x04 if encrypted else 0)       # ADD_SIZE, PASSWORD
    rest = struct.pack("<IIBIIBBHI", len(data), len(data), 0, zlib.crc32(data), 0x5A6B0000,
                       29 if encrypted else 20, 0x30, len(name), 0x20) + name  # method 0x30: store
    out += block(0x74, flags, rest, data)
    return out + block(0x7B, 0x4000, b"")             # end of archive


def vint(v):
    out = bytearray()
    while True:
        b, v = v & 0x7F, v >> 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def rar5(name, data):
    def header(body):
        h = vint(len(body)) + body
        return struct.pack("<I", zlib.crc32(h)) + h

    out = b"Rar!\x1a\x07\x01\x00"
    out += header(vint(1) + vint(0) + vint(0))                  # main: type, flags, archive flags
    out += header(vint(2) + vint(0x0002) + vint(len(data))      # file: type, flags (data area), size
                  + vint(0x0004) + vint(len(data)) + vint(0x20)  # file flags (CRC-32), unpacked size, attr
                  + struct.pack("<I", zlib.crc32(data))
                  + vint(0) + vint(0) + vint(len(name)) + name)  # store, host OS, name
    out += data
    return out + header(vint(5) + vint(0) + vint(0))            # end of archive


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    kind, src, dst = sys.argv[1:]
    makers = {"lha": lha, "rar4": rar4, "rar5": rar5,
              "rar4enc": lambda n, d: rar4(n, d, encrypted=True)}
    if kind not in makers:
        sys.exit("mkarc.py: unknown kind " + kind)
    with open(src, "rb") as f:
        data = f.read()
    with open(dst, "wb") as f:
        f.write(makers[kind](os.path.basename(src).encode(), data))


if __name__ == "__main__":
    main()
