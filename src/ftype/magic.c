/* ftype/magic.c - file-type detection by magic bytes (see magic.h).
 *
 * Detection is a fixed sequence of bids, strongest first, and the first bid
 * that holds wins:
 *
 *   1. magics at offset 0 that need a second look (MZ -> PE or MS-DOS,
 *      cafebabe -> Mach-O universal or Java class, SWF, bzip2, zstd/lz4
 *      behind skippable frames);
 *   2. plain magics at offset 0 (the table `magic0` below);
 *   3. magics at other fixed offsets or guarded by a plausibility check
 *      (LHA at 2, ustar at 257, ISO 9660 at 0x8001/0x8801/0x9001, binary
 *      cpio, LZMA-alone header, v7 tar header checksum);
 *   4. mail: the data opens with a known header line (a mail quoting
 *      "%PDF-" early stays mail);
 *   5. "%PDF-" anywhere in the first 1 KB (after the archives, so a tar or
 *      zip holding a PDF as its first member stays an archive);
 *   6. HTML: an object left with no NUL in its first 4 KB (text, or text
 *      in a legacy 8-bit charset) holding, anywhere, one of the literal
 *      tags clamscan 1.4.6 types HTML by (`html_marks`, or "<a " followed
 *      later by an href). clamscan also types HTML binaries it has no
 *      magic for; vigil knows fewer magics (no TNEF, say), so a NUL early
 *      keeps a binary BINARY rather than losing its raw pass. Then plain
 *      text (first 4 KB);
 *   7. otherwise BINARY.
 *
 * Invariant: every read is preceded by a check against `len`; helpers take
 * (p, len, off) and return 0 when the span is not wholly inside. The cost of
 * one call is a few fixed-size windows (4 KB text window, 1 KB PDF window,
 * one 512-byte tar header) plus, for objects with no magic and no early NUL,
 * one memchr('<') pass over the whole object for the HTML literals (and a
 * second, for an href, only when it holds "<a " and none of them).
 *
 * Format notes come from the formats' own documents (PE/COFF, ELF, Mach-O
 * loader.h, ustar in POSIX pax, cpio(5), ECMA-119, LZMA SDK lzma.txt). */
#include "magic.h"

#include <string.h>

/* ---------------------------------------------------------------- limits */

#define TEXT_WINDOW 4096u   /* bytes inspected for text */
#define PDF_WINDOW 1024u    /* "%PDF-" must start inside this */
#define UNIBIN_MAX_ARCH 30u /* above: not a fat header (Java class?) */
#define MAX_SKIPPABLE 8u  /* zstd/lz4 skippable frames looked through */
#define SWF_MAX_LEN 0x20000000u /* declared SWF length; printable text
                                   always reads as >= 0x20202020 */

/* --------------------------------------------------------------- helpers */

/* Nonzero when [off, off+n) lies inside p[0..len) and equals m. */
static int at(const uint8_t *p, size_t len, size_t off, const void *m, size_t n)
{
    if (off > len || n > len - off)
        return 0;
    return memcmp(p + off, m, n) == 0;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

/* Case-insensitive: does p[0..len) start with the lower-case string s? */
static int starts_ci(const uint8_t *p, size_t len, const char *s)
{
    size_t n = strlen(s);
    if (n > len)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(p[i]) != (unsigned char)s[i])
            return 0;
    return 1;
}

static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }

/* ------------------------------------------------- 1. second-look magics */

/* MZ: PE when e_lfanew (at 0x3c) points at "PE\0\0" inside the data. */
static vgft_type bid_mz(const uint8_t *p, size_t len)
{
    if (len < 0x40)
        return VGFT_MSDOS;
    uint32_t e = le32(p + 0x3c);
    return at(p, len, e, "PE\0\0", 4) ? VGFT_PE : VGFT_MSDOS;
}

/* cafebabe: a fat Mach-O header has a small big-endian arch count in the
 * second word; a Java class has minor (u16) then major (u16 >= 45) there. */
static vgft_type bid_cafebabe(const uint8_t *p, size_t len)
{
    if (len < 8)
        return VGFT_BINARY;
    uint32_t nfat = be32(p + 4);
    if (nfat >= 1 && nfat <= UNIBIN_MAX_ARCH)
        return VGFT_MACHO_UNIBIN;
    if (be16(p + 6) >= 45)
        return VGFT_JAVA;
    return VGFT_BINARY;
}

/* "FWS" plain, "CWS" zlib, "ZWS" LZMA; version byte, then u32 LE length. */
static int is_swf(const uint8_t *p, size_t len)
{
    if (len < 8 || p[1] != 'W' || p[2] != 'S')
        return 0;
    if (p[0] != 'F' && p[0] != 'C' && p[0] != 'Z')
        return 0;
    if (p[3] < 1 || p[3] > 60 || le32(p + 4) >= SWF_MAX_LEN)
        return 0;
    if (p[0] == 'C' && len > 8 && p[8] != 0x78) /* zlib CMF */
        return 0;
    if (p[0] == 'Z' && len > 12 && p[12] != 0x5d) /* LZMA properties */
        return 0;
    return 1;
}

/* "BZh" + block size digit + block magic (pi) or end-of-stream magic. */
static int is_bz2(const uint8_t *p, size_t len)
{
    static const uint8_t blk[6] = {0x31, 0x41, 0x59, 0x26, 0x53, 0x59};
    static const uint8_t eos[6] = {0x17, 0x72, 0x45, 0x38, 0x50, 0x90};
    if (!at(p, len, 0, "BZh", 3) || len < 10 || p[3] < '1' || p[3] > '9')
        return 0;
    return memcmp(p + 4, blk, 6) == 0 || memcmp(p + 4, eos, 6) == 0;
}

/* zstd and lz4 share "skippable frames" (u32 LE magic 0x184D2A5?, u32 LE
 * size, payload); the frame after them tells which one it is. */
static vgft_type bid_skippable(const uint8_t *p, size_t len)
{
    size_t off = 0;
    for (unsigned i = 0; i < MAX_SKIPPABLE; i++) {
        if (len - off < 8 || (p[off] & 0xf0) != 0x50 ||
            !at(p, len, off + 1, "\x2a\x4d\x18", 3))
            break;
        uint32_t size = le32(p + off + 4);
        if (size > len - off - 8)
            return VGFT_BINARY;
        off += 8 + (size_t)size;
    }
    if (off == 0)
        return VGFT_BINARY;
    if (at(p, len, off, "\x28\xb5\x2f\xfd", 4))
        return VGFT_ZSTD;
    if (at(p, len, off, "\x04\x22\x4d\x18", 4))
        return VGFT_LZ4;
    return VGFT_BINARY;
}

static vgft_type bid_second_look(const uint8_t *p, size_t len)
{
    if (at(p, len, 0, "MZ", 2))
        return bid_mz(p, len);
    if (at(p, len, 0, "\xca\xfe\xba\xbe", 4)) {
        vgft_type t = bid_cafebabe(p, len);
        if (t != VGFT_BINARY)
            return t;
    }
    if (is_swf(p, len))
        return VGFT_SWF;
    if (is_bz2(p, len))
        return VGFT_BZ2;
    return bid_skippable(p, len);
}

/* ------------------------------------------------ 2. plain offset-0 magics */

struct magic {
    const char *m;
    uint8_t n;
    vgft_type t;
};

/* Note the split literals where a hex escape is followed by a hex digit. */
static const struct magic magic0[] = {
    {"\x7f" "ELF", 4, VGFT_ELF},
    {"\xfe\xed\xfa\xce", 4, VGFT_MACHO},
    {"\xfe\xed\xfa\xcf", 4, VGFT_MACHO},
    {"\xce\xfa\xed\xfe", 4, VGFT_MACHO},
    {"\xcf\xfa\xed\xfe", 4, VGFT_MACHO},
    {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, VGFT_OLE2},
    {"%PDF-", 5, VGFT_PDF},
    {"GIF87a", 6, VGFT_GIF},
    {"GIF89a", 6, VGFT_GIF},
    {"\x89PNG\r\n\x1a\n", 8, VGFT_PNG},
    {"\xff\xd8\xff", 3, VGFT_JPEG},
    {"II*\0", 4, VGFT_TIFF},
    {"MM\0*", 4, VGFT_TIFF},
    {"II+\0", 4, VGFT_TIFF}, /* BigTIFF */
    {"MM\0+", 4, VGFT_TIFF},
    {"{\\rtf", 5, VGFT_RTF},
    {"PK\x03\x04", 4, VGFT_ZIP},
    {"PK\x05\x06", 4, VGFT_ZIP}, /* empty archive: end record only */
    {"PK\x07\x08", 4, VGFT_ZIP}, /* spanned marker */
    {"7z\xbc\xaf\x27\x1c", 6, VGFT_7Z},
    {"Rar!\x1a\x07\x00", 7, VGFT_RAR},
    {"Rar!\x1a\x07\x01\x00", 8, VGFT_RAR}, /* RAR 5 */
    {"070707", 6, VGFT_CPIO},              /* odc */
    {"070701", 6, VGFT_CPIO},              /* newc */
    {"070702", 6, VGFT_CPIO},              /* newc with crc */
    {"!<arch>\n", 8, VGFT_AR},
    {"MSCF\0\0\0\0", 8, VGFT_CAB}, /* signature + reserved1 (0) */
    {"xar!", 4, VGFT_XAR},
    {"\x1f\x8b\x08", 3, VGFT_GZ},
    {"\xfd" "7zXZ\0", 6, VGFT_XZ},
    {"\x28\xb5\x2f\xfd", 4, VGFT_ZSTD},
    {"\x04\x22\x4d\x18", 4, VGFT_LZ4},
    {"\x02\x21\x4c\x18", 4, VGFT_LZ4}, /* legacy frame (lz4 -l) */
    {"(This file must be converted with BinHex", 40, VGFT_BINHEX},
    {"SZDD\x88\xf0\x27\x33", 8, VGFT_SZDD}, /* MS COMPRESS (expand.exe) */
    {"ITSF\x03\0\0\0", 8, VGFT_CHM},        /* CHM, version 3 */
};

static vgft_type bid_magic0(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < sizeof magic0 / sizeof magic0[0]; i++)
        if (at(p, len, 0, magic0[i].m, magic0[i].n))
            return magic0[i].t;
    return VGFT_BINARY;
}

/* ------------------------------------------ 3. other offsets, plausibility */

/* LHA: "-lh?-" / "-lz?-" method id at 2, header level (0..3) at 20. */
static int is_lha(const uint8_t *p, size_t len)
{
    if (len < 21 || p[2] != '-' || p[3] != 'l' || p[6] != '-' || p[20] > 3)
        return 0;
    uint8_t k = p[5];
    if (p[4] == 'h')
        return (k >= '0' && k <= '7') || k == 'd';
    if (p[4] == 'z')
        return k == 's' || k == '4' || k == '5';
    return 0;
}

/* ECMA-119 volume descriptor id at one of the first three descriptors. */
static int is_iso9660(const uint8_t *p, size_t len)
{
    return at(p, len, 0x8001, "CD001", 5) || at(p, len, 0x8801, "CD001", 5) ||
           at(p, len, 0x9001, "CD001", 5);
}

/* Old binary cpio: 26-byte header of u16s in the writer's byte order;
 * c_namesize at 20 counts the name's NUL, which must be where it says. */
static int is_cpio_bin(const uint8_t *p, size_t len)
{
    int le = at(p, len, 0, "\xc7\x71", 2);
    int be = at(p, len, 0, "\x71\xc7", 2);
    if ((!le && !be) || len < 26)
        return 0;
    size_t namesize = le ? le16(p + 20) : be16(p + 20);
    if (namesize < 1 || namesize > 1024)
        return 0;
    if (26 + namesize <= len && p[26 + namesize - 1] != 0)
        return 0;
    return 1;
}

/* LZMA "alone" (.lzma) has no magic: 13-byte header = properties byte,
 * u32 LE dictionary size, u64 LE uncompressed size (all ones: unknown).
 * Conservative: properties 0x5d (lc=3 lp=0 pb=2, what every encoder uses
 * by default), a dictionary of 2^n or 2^n + 2^(n-1) between 4 KB and
 * 1.5 GB, a size below 2^40 or unknown, and the range coder's first byte,
 * which is always 0. */
static int is_lzma(const uint8_t *p, size_t len)
{
    if (len < 18 || p[0] != 0x5d || p[13] != 0)
        return 0;
    uint32_t d = le32(p + 1);
    if (d < 4096 || d > 0x60000000u)
        return 0;
    uint32_t low = d & (~d + 1u); /* lowest set bit */
    if (d != low && d != low + (low << 1))
        return 0;
    uint64_t size = ((uint64_t)le32(p + 9) << 32) | le32(p + 5);
    return size == UINT64_MAX || size < (1ull << 40);
}

/* ustar (POSIX "ustar\0", GNU "ustar  \0") magic at 257. */
static int is_ustar(const uint8_t *p, size_t len)
{
    return at(p, len, 257, "ustar", 5) && len > 262 &&
           (p[262] == 0 || p[262] == ' ');
}

/* v7 tar: no magic, but the header checksum (octal at 148, 8 bytes) is the
 * byte sum of the 512-byte header with the checksum field read as spaces.
 * Some old writers summed signed chars; both sums are accepted. */
static int is_v7tar(const uint8_t *p, size_t len)
{
    if (len < 512 || p[0] == 0)
        return 0;
    uint32_t want = 0;
    size_t i = 148, digits = 0;
    while (i < 156 && p[i] == ' ')
        i++;
    for (; i < 156 && p[i] >= '0' && p[i] <= '7'; i++, digits++)
        want = want * 8 + (uint32_t)(p[i] - '0');
    if (digits == 0 || (i < 156 && p[i] != 0 && p[i] != ' '))
        return 0;
    uint32_t usum = 0;
    int32_t ssum = 0;
    for (i = 0; i < 512; i++) {
        uint8_t c = (i >= 148 && i < 156) ? ' ' : p[i];
        usum += c;
        ssum += (int8_t)c;
    }
    return want == usum || (int64_t)want == (int64_t)ssum;
}

/* ARJ: 0xea60, a basic header size up to 2600, and a fixed part of at
 * least 30 bytes that fits in it (0x60 0xea alone is too weak a magic). */
static int is_arj(const uint8_t *p, size_t len)
{
    if (len < 35 || p[0] != 0x60 || p[1] != 0xea)
        return 0;
    unsigned size = le16(p + 2);
    return size >= 30 && size <= 2600 && p[4] >= 30 && p[4] <= size && p[10] == 2;
}

/* Symbian SIS: UID3 0x10000419 at 8, UID2 of EPOC 3/5 or 6 at 4. */
static int is_sis(const uint8_t *p, size_t len)
{
    return at(p, len, 8, "\x19\x04\x00\x10", 4) &&
           (at(p, len, 4, "\x6d\x00\x00\x10", 4) || at(p, len, 4, "\x12\x3a\x00\x10", 4));
}

static vgft_type bid_offsets(const uint8_t *p, size_t len)
{
    if (is_sis(p, len))
        return VGFT_SIS;
    if (is_arj(p, len))
        return VGFT_ARJ;
    if (is_lha(p, len))
        return VGFT_LHA;
    if (is_ustar(p, len))
        return VGFT_TAR;
    if (is_iso9660(p, len))
        return VGFT_ISO9660;
    if (is_cpio_bin(p, len))
        return VGFT_CPIO;
    if (is_lzma(p, len))
        return VGFT_LZMA;
    if (is_v7tar(p, len))
        return VGFT_TAR;
    return VGFT_BINARY;
}

/* --------------------------------------------------------------- 5. PDF */

static int has_pdf(const uint8_t *p, size_t len)
{
    size_t n = min_sz(len, PDF_WINDOW + 4); /* "%PDF-" may start at 1023 */
    return n >= 5 && memmem(p, n, "%PDF-", 5) != NULL;
}

/* ------------------------------------------------------- 4, 6. mail, text */

/* Headers that open a message as stored by MTAs and mail clients, matched
 * case-insensitively; "From " (mbox separator) is matched as is. The
 * strong ones suffice; the weak ones ("To: everyone" opens notes too) need
 * a second header line after them. */
static const char *const mail_strong[] = {
    "received:", "return-path:", "delivered-to:", "message-id:",
    "mime-version:", "x-mailer:", "x-uidl:", "x-original-to:",
    "x-envelope-from:", "x-apparently-to:", "x-real-to:", "x-sieve:",
    "envelope-to:", "dkim-signature:", "authentication-results:", "arc-seal:",
};
static const char *const mail_weak[] = {
    "from:", "subject:", "to:", "cc:", "date:", "reply-to:", "sender:",
};

/* Is p[0..n) (one line) "Name: ..." or a folded continuation? */
static int header_line(const uint8_t *p, size_t n)
{
    if (n > 0 && (p[0] == ' ' || p[0] == '\t'))
        return 1;
    for (size_t i = 0; i < n && i < 77; i++) {
        if (p[i] == ':')
            return i > 0;
        if (p[i] <= ' ' || p[i] >= 0x7f)
            return 0;
    }
    return 0;
}

static int is_mail(const uint8_t *p, size_t len)
{
    size_t i;
    if (at(p, len, 0, "From ", 5))
        return 1;
    for (i = 0; i < sizeof mail_strong / sizeof mail_strong[0]; i++)
        if (starts_ci(p, len, mail_strong[i]))
            return 1;
    for (i = 0; i < sizeof mail_weak / sizeof mail_weak[0]; i++)
        if (starts_ci(p, len, mail_weak[i]))
            break;
    if (i == sizeof mail_weak / sizeof mail_weak[0])
        return 0;
    size_t n = min_sz(len, TEXT_WINDOW);
    const uint8_t *nl = memchr(p, '\n', n);
    if (!nl)
        return 0;
    size_t next = (size_t)(nl - p) + 1;
    const uint8_t *end = memchr(p + next, '\n', n - next);
    size_t line = end ? (size_t)(end - p) - next : n - next;
    if (line > 0 && p[next + line - 1] == '\r')
        line--;
    return header_line(p + next, line);
}

/* Length of a valid UTF-8 multi-byte sequence at p (n bytes available), 0
 * when invalid, or n when the window cuts a valid-looking prefix. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
    size_t need;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        need = 2;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        need = 3;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        need = 4;
    else
        return 0;
    for (size_t i = 1; i < need; i++) {
        if (i >= n)
            return n;
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    }
    return need;
}

/* Text: no NUL, and at least 95% of the bytes printable ASCII, tab, CR,
 * LF, FF, or part of a valid UTF-8 sequence. */
static int is_text(const uint8_t *p, size_t n)
{
    size_t bad = 0, i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c == 0)
            return 0;
        if ((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r' ||
            c == '\f') {
            i++;
            continue;
        }
        size_t k = c >= 0x80 ? utf8_seq(p + i, n - i) : 0;
        if (k) {
            i += k;
            continue;
        }
        bad++;
        i++;
    }
    return bad * 20 <= n;
}

/* The literals that make an object without a magic HTML, wherever they
 * occur (measured against clamscan 1.4.6: tests/e2e/diff_htmltype.sh).
 * Case-sensitive: only the spellings clamscan knows count ("<Script" does,
 * "<sCript" and "<Iframe" do not). The first five tags count whatever
 * follows them; <html> and <head> only when closed at once by '>'. */
static const char *const html_marks[] = {
    "script", "Script", "SCRIPT", "iframe", "IFRAME", "object", "Object",
    "OBJECT", "img",    "Img",    "IMG",    "table",  "TABLE",
    "html>",  "Html>",  "HTML>",  "head>",  "Head>",  "HEAD>",
};

/* "<a " or "<A " counts when an href follows it at any distance, spelt
 * [hH] then one of these (clamscan takes exactly these eight spellings). */
static const char *const href_tails[] = {"ref", "Ref", "rEF", "REF"};

static int has_href(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i++) {
        if (p[i] != 'h' && p[i] != 'H')
            continue;
        for (size_t k = 0; k < sizeof href_tails / sizeof href_tails[0]; k++)
            if (memcmp(p + i + 1, href_tails[k], 3) == 0)
                return 1;
    }
    return 0;
}

/* HTML: one of html_marks follows a '<' anywhere in the data, or "<a "
 * is followed later by an href. One memchr-driven pass; each '<' costs a
 * first-letter test and at most a few short compares, so a large text is
 * read once (twice when it holds "<a " and none of the marks). */
static int is_html(const uint8_t *p, size_t n)
{
    const uint8_t *end = p + n, *anchor = NULL;
    for (const uint8_t *q = p; q < end &&
                               (q = memchr(q, '<', (size_t)(end - q))) != NULL;
         q++) {
        size_t left = (size_t)(end - q) - 1;
        if (left < 2)
            break;
        uint8_t c = q[1] | 0x20; /* cheap first-letter filter */
        if (c == 'a') {
            if (!anchor && q[2] == ' ')
                anchor = q + 3;
            continue;
        }
        if (c != 's' && c != 'i' && c != 'o' && c != 't' && c != 'h')
            continue;
        for (size_t i = 0; i < sizeof html_marks / sizeof html_marks[0];
             i++) {
            const char *m = html_marks[i];
            if ((uint8_t)m[0] != q[1] || (uint8_t)m[1] != q[2])
                continue;
            size_t k = strlen(m);
            if (k <= left && memcmp(q + 1, m, k) == 0)
                return 1;
        }
    }
    return anchor && has_href(anchor, (size_t)(end - anchor));
}

/* ------------------------------------------------------------------ API */

vgft_type vgft_detect(const uint8_t *p, size_t len)
{
    if (!p || len == 0)
        return VGFT_BINARY;
    vgft_type t = bid_second_look(p, len);
    if (t == VGFT_BINARY)
        t = bid_magic0(p, len);
    if (t == VGFT_BINARY)
        t = bid_offsets(p, len);
    if (t != VGFT_BINARY)
        return t;
    if (is_mail(p, len))
        return VGFT_MAIL;
    if (has_pdf(p, len))
        return VGFT_PDF;
    size_t n = min_sz(len, TEXT_WINDOW);
    if (memchr(p, 0, n) == NULL && is_html(p, len))
        return VGFT_HTML;
    return is_text(p, n) ? VGFT_TEXT : VGFT_BINARY;
}

int vgft_target(vgft_type t)
{
    switch (t) {
    case VGFT_PE:
    case VGFT_MSDOS: /* ClamAV types any "MZ" as CL_TYPE_MSEXE */
        return 1;
    case VGFT_OLE2: return 2;
    case VGFT_HTML: return 3;
    case VGFT_MAIL: return 4;
    case VGFT_GIF:
    case VGFT_PNG:
    case VGFT_JPEG:
    case VGFT_TIFF: return 5;
    case VGFT_ELF: return 6;
    case VGFT_TEXT: return 7;
    case VGFT_MACHO:
    case VGFT_MACHO_UNIBIN: return 9;
    case VGFT_PDF: return 10;
    case VGFT_SWF: return 11;
    case VGFT_JAVA: return 12;
    default: return 0;
    }
}

/* Types ClamAV has no name for (ar, lzma-alone, zstd, lz4) are what ClamAV
 * calls them: unknown binary data. */
static const char *const clnames[VGFT_COUNT] = {
    [VGFT_BINARY] = "CL_TYPE_BINARY_DATA",
    [VGFT_TEXT] = "CL_TYPE_TEXT_ASCII",
    [VGFT_HTML] = "CL_TYPE_HTML",
    [VGFT_MAIL] = "CL_TYPE_MAIL",
    [VGFT_PE] = "CL_TYPE_MSEXE",
    [VGFT_MSDOS] = "CL_TYPE_MSEXE",
    [VGFT_ELF] = "CL_TYPE_ELF",
    [VGFT_MACHO] = "CL_TYPE_MACHO",
    [VGFT_MACHO_UNIBIN] = "CL_TYPE_MACHO_UNIBIN",
    [VGFT_OLE2] = "CL_TYPE_MSOLE2",
    [VGFT_PDF] = "CL_TYPE_PDF",
    [VGFT_GIF] = "CL_TYPE_GIF",
    [VGFT_PNG] = "CL_TYPE_PNG",
    [VGFT_JPEG] = "CL_TYPE_JPEG",
    [VGFT_TIFF] = "CL_TYPE_TIFF",
    [VGFT_SWF] = "CL_TYPE_SWF",
    [VGFT_JAVA] = "CL_TYPE_JAVA",
    [VGFT_RTF] = "CL_TYPE_RTF",
    [VGFT_ZIP] = "CL_TYPE_ZIP",
    [VGFT_7Z] = "CL_TYPE_7Z",
    [VGFT_RAR] = "CL_TYPE_RAR",
    [VGFT_TAR] = "CL_TYPE_POSIX_TAR",
    [VGFT_CPIO] = "CL_TYPE_CPIO_ODC",
    [VGFT_AR] = "CL_TYPE_BINARY_DATA",
    [VGFT_CAB] = "CL_TYPE_MSCAB",
    [VGFT_ISO9660] = "CL_TYPE_ISO9660",
    [VGFT_XAR] = "CL_TYPE_XAR",
    [VGFT_LHA] = "CL_TYPE_LHA_LZH",
    [VGFT_GZ] = "CL_TYPE_GZ",
    [VGFT_BZ2] = "CL_TYPE_BZ",
    [VGFT_XZ] = "CL_TYPE_XZ",
    [VGFT_LZMA] = "CL_TYPE_BINARY_DATA",
    [VGFT_ZSTD] = "CL_TYPE_BINARY_DATA",
    [VGFT_LZ4] = "CL_TYPE_BINARY_DATA",
    [VGFT_BINHEX] = "CL_TYPE_BINHEX",
    [VGFT_SZDD] = "CL_TYPE_MSSZDD",
    [VGFT_CHM] = "CL_TYPE_MSCHM",
    [VGFT_SIS] = "CL_TYPE_SIS",
    [VGFT_ARJ] = "CL_TYPE_ARJ",
};

const char *vgft_clname(vgft_type t)
{
    if ((unsigned)t >= VGFT_COUNT || !clnames[t])
        return "CL_TYPE_BINARY_DATA";
    return clnames[t];
}

int vgft_is_container(vgft_type t)
{
    return (t >= VGFT_ZIP && t < VGFT_COUNT) || t == VGFT_MAIL || t == VGFT_HTML ||
           t == VGFT_RTF || t == VGFT_OLE2 || t == VGFT_BINHEX || t == VGFT_SZDD ||
           t == VGFT_CHM || t == VGFT_SIS || t == VGFT_ARJ;
}

int vgft_is_text(vgft_type t) { return t == VGFT_TEXT || t == VGFT_HTML; }
