#!/usr/bin/env python3
"""tests/e2e/exe_ref.py - an independent reading of PE and ELF files for
diff_exe.sh: prints, per file, the facts ClamAV's executable-relative
signatures depend on, as JSON. Written from the PE/COFF and ELF
specifications with struct.unpack; shares no code with vigil's C parsers,
so the differential test compares two implementations against clamscan.

PE: sections as ClamAV sees them (raw pointer rounded down to
FileAlignment, raw size rounded up and cut at the end of the file), the
entry point's file offset, each section's MD5/SHA-1/SHA-256 over its raw
data, and the import hash (lower-case dll without .dll/.ocx/.sys "." lower-
case function or ordN, comma-joined, MD5) with the import-string length.
ELF: entry point mapped through the program headers; sections from the
section headers."""
import hashlib
import json
import struct
import sys


# Functions imported by ordinal that imphash names (Winsock 1.1 ordinals of
# ws2_32/wsock32, common oleaut32 exports), as Windows exports them.
WINSOCK = {
    1: "accept", 2: "bind", 3: "closesocket", 4: "connect", 5: "getpeername",
    6: "getsockname", 7: "getsockopt", 8: "htonl", 9: "htons", 10: "ioctlsocket",
    11: "inet_addr", 12: "inet_ntoa", 13: "listen", 14: "ntohl", 15: "ntohs",
    16: "recv", 17: "recvfrom", 18: "select", 19: "send", 20: "sendto",
    21: "setsockopt", 22: "shutdown", 23: "socket", 51: "gethostbyaddr",
    52: "gethostbyname", 53: "getprotobyname", 54: "getprotobynumber",
    55: "getservbyname", 56: "getservbyport", 57: "gethostname", 101: "WSAAsyncSelect",
    102: "WSAAsyncGetHostByAddr", 103: "WSAAsyncGetHostByName",
    104: "WSAAsyncGetProtoByNumber", 105: "WSAAsyncGetProtoByName",
    106: "WSAAsyncGetServByPort", 107: "WSAAsyncGetServByName",
    108: "WSACancelAsyncRequest", 109: "WSASetBlockingHook",
    110: "WSAUnhookBlockingHook", 111: "WSAGetLastError", 112: "WSASetLastError",
    113: "WSACancelBlockingCall", 114: "WSAIsBlocking", 115: "WSAStartup",
    116: "WSACleanup", 151: "__WSAFDIsSet", 500: "WEP",
}
OLEAUT = {
    2: "SysAllocString", 3: "SysReAllocString", 4: "SysAllocStringLen",
    5: "SysReAllocStringLen", 6: "SysFreeString", 7: "SysStringLen", 8: "VariantInit",
    9: "VariantClear", 10: "VariantCopy", 11: "VariantCopyInd",
    12: "VariantChangeType", 13: "VariantTimeToDosDateTime",
    14: "DosDateTimeToVariantTime", 15: "SafeArrayCreate", 16: "SafeArrayDestroy",
    17: "SafeArrayGetDim", 18: "SafeArrayGetElemsize", 19: "SafeArrayGetUBound",
    20: "SafeArrayGetLBound", 21: "SafeArrayLock", 22: "SafeArrayUnlock",
    23: "SafeArrayAccessData", 24: "SafeArrayUnaccessData", 25: "SafeArrayGetElement",
    26: "SafeArrayPutElement", 27: "SafeArrayCopy", 28: "DispGetParam",
    29: "DispGetIDsOfNames", 30: "DispInvoke", 31: "CreateDispTypeInfo",
    32: "CreateStdDispatch", 33: "RegisterActiveObject", 34: "RevokeActiveObject",
    35: "GetActiveObject", 36: "SafeArrayAllocDescriptor", 37: "SafeArrayAllocData",
    38: "SafeArrayDestroyDescriptor", 39: "SafeArrayDestroyData", 40: "SafeArrayRedim",
    161: "LoadTypeLib", 162: "LoadRegTypeLib", 163: "RegisterTypeLib",
    200: "GetErrorInfo", 201: "SetErrorInfo", 202: "CreateErrorInfo",
}
ORDNAMES = {"ws2_32": WINSOCK, "wsock32": WINSOCK, "oleaut32": OLEAUT}


def up(v, a):
    return (v + a - 1) // a * a if a else v


def down(v, a):
    return v // a * a if a else v


def pe(d):
    if len(d) < 0x40 or d[:2] != b"MZ":
        return None
    nt = struct.unpack_from("<I", d, 0x3C)[0]
    if nt + 24 > len(d) or d[nt:nt + 4] != b"PE\0\0":
        return None
    nsec, = struct.unpack_from("<H", d, nt + 6)
    optsz, = struct.unpack_from("<H", d, nt + 20)
    o = nt + 24
    magic, = struct.unpack_from("<H", d, o)
    if magic not in (0x10B, 0x20B):
        return None
    ep, = struct.unpack_from("<I", d, o + 16)
    valign, falign = struct.unpack_from("<II", d, o + 32)
    hdrsz, = struct.unpack_from("<I", d, o + 60)
    is64 = magic == 0x20B
    ddoff = o + (112 if is64 else 96)
    nrva, = struct.unpack_from("<I", d, ddoff - 4)
    dirs = []
    for i in range(min(nrva, 16)):
        if ddoff + 8 * i + 8 > o + optsz:
            break
        dirs.append(struct.unpack_from("<II", d, ddoff + 8 * i))
    secs = []
    so = o + optsz
    for i in range(nsec):
        p = so + 40 * i
        if p + 40 > len(d):
            break
        name = d[p:p + 8].split(b"\0")[0]
        vsz, va, rsz, raw = struct.unpack_from("<IIII", d, p + 8)
        s = {"name": name.decode("latin-1"), "rva": down(va, valign),
             "raw": down(raw, falign), "rsz": up(rsz, falign)}
        if s["rsz"] and s["raw"] >= len(d):
            s["rsz"] = 0
        elif s["rsz"] and s["raw"] + s["rsz"] > len(d):
            s["rsz"] = len(d) - s["raw"]
        data = d[s["raw"]:s["raw"] + s["rsz"]]
        s["md5"] = hashlib.md5(data).hexdigest()
        s["sha1"] = hashlib.sha1(data).hexdigest()
        s["sha256"] = hashlib.sha256(data).hexdigest()
        secs.append(s)
    hdr = up(hdrsz, valign)

    def rva2off(r):
        if r < hdr:
            return r if r < len(d) else None
        for s in reversed(secs):
            if s["rsz"] and s["rva"] <= r < s["rva"] + s["rsz"]:
                return s["raw"] + r - s["rva"]
        return None

    def cstr(off):
        e = d.find(b"\0", off)
        return d[off:e if e >= 0 else len(d)]

    out = {"kind": "pe", "sections": secs, "ep": rva2off(ep)}
    items = []
    if len(dirs) > 1 and dirs[1][0]:
        base = rva2off(dirs[1][0])
        w = 8 if is64 else 4
        flag = 1 << (w * 8 - 1)
        k = 0
        while base is not None and base + 20 * k + 20 <= len(d):
            ilt, _, _, nm, iat = struct.unpack_from("<IIIII", d, base + 20 * k)
            k += 1
            if not (ilt or nm or iat):
                break
            no, to = rva2off(nm), rva2off(ilt or iat)
            if no is None or to is None:
                continue
            dll = cstr(no).decode("latin-1").lower()
            for ext in (".dll", ".ocx", ".sys"):
                if dll.endswith(ext):
                    dll = dll[:-4]
            t = 0
            while to + w * t + w <= len(d):
                v = int.from_bytes(d[to + w * t:to + w * t + w], "little")
                t += 1
                if not v:
                    break
                if v & flag:
                    fn = ORDNAMES.get(dll, {}).get(v & 0xFFFF)
                    items.append("%s.%s" % (dll, fn.lower()) if fn else "%s.ord%d" % (dll, v & 0xFFFF))
                else:
                    h = rva2off(v & 0x7FFFFFFF)
                    if h is None:
                        break
                    items.append(dll + "." + cstr(h + 2).decode("latin-1").lower())
    if items:
        s = ",".join(items).encode("latin-1")
        out["imphash"] = hashlib.md5(s).hexdigest()
        out["impsha1"] = hashlib.sha1(s).hexdigest()
        out["impsha256"] = hashlib.sha256(s).hexdigest()
        out["impsize"] = len(s)
    return out


def elf(d):
    if d[:4] != b"\x7fELF" or d[4] not in (1, 2) or d[5] not in (1, 2):
        return None
    c64, e = d[4] == 2, "<" if d[5] == 1 else ">"
    if c64:
        entry, phoff, shoff = struct.unpack_from(e + "QQQ", d, 24)
        phent, phnum, shent, shnum = struct.unpack_from(e + "HHHH", d, 54)
    else:
        entry, phoff, shoff = struct.unpack_from(e + "III", d, 24)
        phent, phnum, shent, shnum = struct.unpack_from(e + "HHHH", d, 42)
    ph = []
    for i in range(phnum):
        p = phoff + phent * i
        if c64:
            _, _, off, va, _, fsz = struct.unpack_from(e + "IIQQQQ", d, p)
        else:
            _, off, va, _, fsz = struct.unpack_from(e + "IIIII", d, p)
        ph.append((va, off, fsz))
    ep = None
    for va, off, fsz in reversed(ph):
        if fsz and va <= entry < va + fsz:
            ep = off + entry - va
            break
    secs = []
    for i in range(shnum):
        p = shoff + shent * i
        if c64:
            _, _, _, addr, off, size = struct.unpack_from(e + "IIQQQQ", d, p)
        else:
            _, _, _, addr, off, size = struct.unpack_from(e + "IIIIII", d, p)
        secs.append({"rva": addr, "raw": off, "rsz": size})
    return {"kind": "elf", "sections": secs, "ep": ep}


for path in sys.argv[1:]:
    with open(path, "rb") as f:
        d = f.read()
    r = pe(d) or elf(d) or {"kind": None}
    r["path"] = path
    r["size"] = len(d)
    print(json.dumps(r))
