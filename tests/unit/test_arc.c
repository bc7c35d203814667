/* tests/unit/test_arc.c - archive extraction (fmt/arc_la.c).
 *
 * Fixtures are made at run time with the system tools in a temporary
 * directory, plus the clamav-testfiles package: a sample "is extracted"
 * when, walking containers the way the pipeline will (detect, extract,
 * recurse), some member holds bytes 0x40..0x6f of clam.exe. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt/arc.h"
#include "ftype/magic.h"
#include "tap.h"

#define TESTFILES "/usr/share/clamav-testfiles/"
#define MB (1024ull * 1024)

static char tmpdir[] = "/tmp/vg_arc_XXXXXX";
static uint8_t needle[0x30]; /* clam.exe bytes 0x40..0x6f */

/* ------------------------------------------------------------ recorder */

typedef struct rec {
    unsigned members, limits, encs, warns;
    unsigned last_limit;
    char kind[16];
    char names[1024]; /* member names, each followed by '|' */
    int found;        /* needle seen at any depth */
    int recurse;      /* extract members that are containers */
    int depth;
    unsigned stop_after; /* return `stop_with` from member #stop_after */
    vg_status stop_with;
    int hello;        /* some top-level member is hello.txt's bytes */
    uint8_t first[1024];
    size_t first_len; /* length of the first member (copy is capped) */
    const vgarc_sink *sink;
} rec;

static void add_name(rec *r, const char *name)
{
    size_t n = strlen(r->names);
    snprintf(r->names + n, sizeof r->names - n, "%s|", name);
}

static vg_status on_member(void *user, const char *name, const uint8_t *data,
                           size_t len)
{
    rec *r = user;
    if (r->members == 0 && r->depth == 0) {
        r->first_len = len;
        memcpy(r->first, data, len < sizeof r->first ? len : sizeof r->first);
    }
    r->members++;
    if (r->depth == 0) {
        add_name(r, name);
        if (len == 12 && memcmp(data, "hello world\n", 12) == 0)
            r->hello = 1;
    }
    if (memmem(data, len, needle, sizeof needle))
        r->found = 1;
    if (r->recurse && r->depth < 24) { /* emax.tgz: 18 layers */
        vgft_type t = vgft_detect(data, len);
        if (vgft_is_container(t)) {
            r->depth++;
            vgarc_extract(t, data, len, r->sink);
            r->depth--;
        }
    }
    if (r->stop_after && r->members == r->stop_after)
        return r->stop_with;
    return VG_OK;
}

static void on_limit(void *user, unsigned which, const char *name)
{
    rec *r = user;
    r->limits++;
    r->last_limit = which;
    (void)name;
}

static void on_encrypted(void *user, const char *kind, const char *name)
{
    rec *r = user;
    r->encs++;
    snprintf(r->kind, sizeof r->kind, "%s", kind);
    (void)name;
}

static void on_warning(void *user, const char *msg)
{
    rec *r = user;
    r->warns++;
    (void)msg;
}

static vg_limits lim;

static void sink_init(vgarc_sink *s, rec *r, uint64_t max_member)
{
    memset(r, 0, sizeof *r);
    memset(s, 0, sizeof *s);
    s->user = r;
    s->member = on_member;
    s->limit = on_limit;
    s->encrypted = on_encrypted;
    s->warning = on_warning;
    s->limits = &lim;
    s->max_member = max_member;
    s->max_member_limit = VG_LIMIT_FILESIZE;
    r->sink = s;
}

/* ------------------------------------------------------------- fixtures */

static int sh(const char *fmt, ...)
{
    char cmd[4096], full[4400];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof cmd)
        return -1; /* never run a truncated command */
    snprintf(full, sizeof full, "cd %s && (%s) >/dev/null 2>&1", tmpdir, cmd);
    return system(full);
}

/* Extract a file (by its detected type, or `t` unless VGFT_COUNT) into a
 * fresh recorder; returns vgarc_extract's status, or VG_EIO if unreadable. */
static vg_status run_file(const char *path, vgft_type t, rec *r, vgarc_sink *s)
{
    size_t len;
    uint8_t *p = tap_read_file(path, &len);
    if (!p)
        return VG_EIO;
    if (t == VGFT_COUNT)
        t = vgft_detect(p, len);
    vg_status st = vgarc_extract(t, p, len, s);
    free(p);
    (void)r;
    return st;
}

static vg_status run_tmp(const char *file, rec *r, vgarc_sink *s)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, file);
    return run_file(path, VGFT_COUNT, r, s);
}

/* ---------------------------------------------------------------- tests */

static void test_clamav_testfiles(void)
{
    static const char *const files[] = {
        "clam.zip", "clam.bz2.zip", "clam.7z", "clam.tar.gz", "clam.cab",
        "clam.bin-be.cpio", "clam.bin-le.cpio", "clam.newc.cpio",
        "clam.odc.cpio", "clam.exe.bz2", "clam_cache_emax.tgz",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        rec r;
        vgarc_sink s;
        char path[256];
        sink_init(&s, &r, 100 * MB);
        r.recurse = 1;
        snprintf(path, sizeof path, TESTFILES "%s", files[i]);
        vg_status st = run_file(path, VGFT_COUNT, &r, &s);
        TAP_OK(st == VG_OK && r.found && r.warns == 0,
               "clamav-testfiles %s is extracted down to clam.exe's code", files[i]);
    }
}

static void test_unreadable_zip_methods(void)
{
    static const char *const files[] = {"clam.d64.zip", "clam.impl.zip"};
    for (size_t i = 0; i < 2; i++) {
        rec r;
        vgarc_sink s;
        char path[256];
        sink_init(&s, &r, 100 * MB);
        snprintf(path, sizeof path, TESTFILES "%s", files[i]);
        vg_status st = run_file(path, VGFT_COUNT, &r, &s);
        TAP_OK((st == VG_OK || st == VG_EFORMAT) && (r.found || r.warns > 0),
               "%s (method libarchive may lack) is extracted or warned, no crash",
               files[i]);
    }
}

/* Tool-made archive holding hello.txt: members and names come out right
 * (names in any order: 7z and ISO sort them). */
static void check_made(const char *file, const char *what, unsigned members,
                       const char *name)
{
    rec r;
    vgarc_sink s;
    sink_init(&s, &r, 100 * MB);
    vg_status st = run_tmp(file, &r, &s);
    TAP_OK(st == VG_OK && r.members == members && r.hello && r.warns == 0 &&
               (!name || strstr(r.names, name) != NULL),
           "%s: %u member(s), one is hello.txt's bytes%s%s (got %u, names %s)",
           what, members, name ? ", names hold " : "", name ? name : "", r.members,
           r.names);
}

static void test_tool_made(void)
{
    int ok = sh("printf 'hello world\\n' > hello.txt && cp " TESTFILES
                "clam.exe clam.exe && mkdir -p sub && cp hello.txt sub/a.txt && "
                "zip -q -X t.zip hello.txt clam.exe && "
                "zip -q -r -X d.zip sub && "
                "tar -cf t.tar hello.txt sub && "
                "tar --format=v7 -cf v7.tar hello.txt && "
                "gzip -c hello.txt > hello.txt.gz && "
                "gzip -n -c hello.txt > n.gz && "
                "tar -czf t.tgz hello.txt clam.exe && "
                "bzip2 -c hello.txt > h.bz2 && xz -c hello.txt > h.xz && "
                "xz --format=lzma -c hello.txt > h.lzma && "
                "zstd -q -c hello.txt > h.zst && lz4 -q -c hello.txt > h.lz4 && "
                "lz4 -q -l -c hello.txt > l.lz4 && "
                "(printf 'P*M\\030\\004\\000\\000\\000abcd'; cat h.zst) > s.zst && "
                "(printf 'P*M\\030\\004\\000\\000\\000abcd'; cat h.lz4) > s.lz4 && "
                "7z a -bd -y t.7z hello.txt clam.exe && "
                "printf 'hello.txt\\nclam.exe\\n' | cpio -o -H odc > o.cpio && "
                "printf 'hello.txt\\nclam.exe\\n' | cpio -o -H newc > n.cpio && "
                "printf 'hello.txt\\nclam.exe\\n' | cpio -o -H crc > c.cpio && "
                "printf 'hello.txt\\nclam.exe\\n' | cpio -o -H bin > b.cpio && "
                "genisoimage -quiet -R -o t.iso hello.txt clam.exe && "
                "ar rc t.a hello.txt clam.exe") == 0;
    TAP_OK(ok, "fixtures are made with zip, tar, gzip, bzip2, xz, zstd, lz4, 7z, "
               "cpio, genisoimage, ar");
    check_made("t.zip", "zip", 2, "hello.txt|clam.exe|");
    check_made("d.zip", "zip with a directory entry skips the directory", 1,
               "sub/a.txt|");
    check_made("t.tar", "tar with a directory entry skips the directory", 2,
               "hello.txt|sub/a.txt|");
    check_made("v7.tar", "v7 tar", 1, "hello.txt|");
    check_made("hello.txt.gz", "gz keeps the stored name", 1, "hello.txt|");
    check_made("n.gz", "gz without a stored name gives an empty name", 1, NULL);
    check_made("h.bz2", "bz2", 1, NULL);
    check_made("h.xz", "xz", 1, NULL);
    check_made("h.lzma", "lzma-alone", 1, NULL);
    check_made("h.zst", "zstd", 1, NULL);
    check_made("h.lz4", "lz4", 1, NULL);
    check_made("l.lz4", "lz4 legacy frame", 1, NULL);
    check_made("s.zst", "zstd behind a skippable frame", 1, NULL);
    check_made("s.lz4", "lz4 behind a skippable frame", 1, NULL);
    check_made("t.7z", "7z", 2, "clam.exe|hello.txt|");
    check_made("o.cpio", "odc cpio", 2, "hello.txt|clam.exe|");
    check_made("n.cpio", "newc cpio", 2, "hello.txt|clam.exe|");
    check_made("c.cpio", "crc cpio", 2, "hello.txt|clam.exe|");
    check_made("b.cpio", "binary cpio", 2, "hello.txt|clam.exe|");
    check_made("t.iso", "ISO 9660 (Rock Ridge names)", 2, "clam.exe|hello.txt|");
    check_made("t.a", "ar (members without file-type bits, plus the / symbol table)",
               3, "hello.txt|clam.exe|");

    rec r;
    vgarc_sink s;
    sink_init(&s, &r, 100 * MB);
    run_tmp("n.gz", &r, &s);
    TAP_OK(strcmp(r.names, "|") == 0, "gz -n member name is \"\"");

    sink_init(&s, &r, 100 * MB);
    vg_status st = run_tmp("t.tgz", &r, &s);
    size_t seen = r.first_len < sizeof r.first ? r.first_len : sizeof r.first;
    TAP_OK(st == VG_OK && r.members == 1 && vgft_detect(r.first, seen) == VGFT_TAR,
           "a .tar.gz peels one layer: one member, which is a tar");
    sink_init(&s, &r, 100 * MB);
    r.recurse = 1;
    st = run_tmp("t.tgz", &r, &s);
    TAP_OK(st == VG_OK && r.found, "recursing into the .tar.gz member reaches clam.exe");
}

static void test_limits(void)
{
    rec r;
    vgarc_sink s;
    vg_status st;
    TAP_OK(sh("head -c 100000 /dev/urandom > big.bin && zip -q big.zip big.bin "
              "hello.txt && gzip -c big.bin > big.gz && "
              "head -c 52428800 /dev/zero | gzip -c > z50.gz && "
              "head -c 52428800 /dev/zero > z50 && zip -q z50.zip z50 && "
              "7z a -bd -y z50.7z z50 && rm z50 && "
              "head -c 1048576 /dev/zero | gzip -c > z1.gz && "
              "head -c 209715200 /dev/zero | gzip -1 -c > z200.gz") == 0,
           "limit fixtures are made");

    sink_init(&s, &r, 50000);
    st = run_tmp("big.zip", &r, &s);
    TAP_OK(st == VG_OK && r.limits == 1 && r.last_limit == VG_LIMIT_FILESIZE &&
               r.members == 1 && strcmp(r.names, "hello.txt|") == 0,
           "zip member bigger than max_member is skipped with the limit reported, "
           "the next member still comes");
    sink_init(&s, &r, 50000);
    st = run_tmp("big.gz", &r, &s);
    TAP_OK(st == VG_OK && r.limits == 1 && r.last_limit == VG_LIMIT_FILESIZE &&
               r.members == 0,
           "gz stream (size unknown) growing past max_member is dropped and reported");
    sink_init(&s, &r, 100000);
    st = run_tmp("big.gz", &r, &s);
    TAP_OK(st == VG_OK && r.limits == 0 && r.members == 1 && r.first_len == 100000,
           "a member of exactly max_member bytes is extracted");

    lim.ratio_min_size = 10 * MB;
    lim.max_ratio = 250;
    sink_init(&s, &r, 100 * MB);
    st = run_tmp("z50.gz", &r, &s);
    TAP_OK(st == VG_OK && r.limits == 1 && r.last_limit == VG_LIMIT_RATIO &&
               r.members == 0,
           "50 MB of zeros gzipped is refused by the ratio guard");
    sink_init(&s, &r, 100 * MB);
    st = run_tmp("z50.zip", &r, &s);
    TAP_OK(st == VG_OK && r.limits == 1 && r.last_limit == VG_LIMIT_RATIO &&
               r.members == 0,
           "50 MB of zeros in a zip is refused by the ratio guard");
    sink_init(&s, &r, 100 * MB);
    st = run_tmp("z50.7z", &r, &s);
    TAP_OK(st == VG_OK && r.limits == 1 && r.last_limit == VG_LIMIT_RATIO &&
               r.members == 0,
           "50 MB of zeros in a 7z is refused by the ratio guard");
    sink_init(&s, &r, 100 * MB);
    st = run_tmp("z1.gz", &r, &s);
    TAP_OK(st == VG_OK && r.limits == 0 && r.members == 1 && r.first_len == MB,
           "1 MB of zeros gzipped (below ratio_min_size) is extracted");

    TAP_OK(sh("seq 1 2000000 > s.txt && tar cf s.tar hello.txt s.txt && "
              "7z a -bd -y -mx1 s.7z s.txt hello.txt && zip -q -1 s.zip s.txt hello.txt && "
              "rm s.txt") == 0,
           "15 MB text fixtures are made");
    static const char *const honest[] = {"s.tar", "s.7z", "s.zip"};
    for (size_t i = 0; i < 3; i++) {
        sink_init(&s, &r, 100 * MB);
        st = run_tmp(honest[i], &r, &s);
        TAP_OK(st == VG_OK && r.limits == 0 && r.members == 2 && r.hello,
               "%s: 15 MB member at a modest ratio passes the ratio guard "
               "(lazy consumption and seeks do not fool the cost)", honest[i]);
    }

    lim.max_ratio = 0; /* off: only max_member stands in the way */
    sink_init(&s, &r, 64 * MB);
    st = run_tmp("z200.gz", &r, &s);
    TAP_OK(st == VG_OK && r.limits == 1 && r.last_limit == VG_LIMIT_FILESIZE &&
               r.members == 0,
           "200 MB gz bomb with the ratio guard off stops at max_member");
    lim.max_ratio = VG_DEFAULT_MAX_RATIO;
    lim.ratio_min_size = VG_DEFAULT_RATIO_MIN_SIZE;
}

static void test_encrypted(void)
{
    rec r;
    vgarc_sink s;
    vg_status st;
    TAP_OK(sh("zip -q -P pass enc.zip hello.txt && zip -q mixed.zip clam.exe && "
              "zip -q -P pass mixed.zip hello.txt && "
              "7z a -bd -y -ppass e.7z hello.txt && "
              "7z a -bd -y -ppass -mhe=on eh.7z hello.txt") == 0,
           "encrypted fixtures are made");
    sink_init(&s, &r, 100 * MB);
    st = run_tmp("enc.zip", &r, &s);
    TAP_OK(st == VG_OK && r.encs == 1 && strcmp(r.kind, "Zip") == 0 && r.members == 0,
           "zip -P member is reported encrypted (Zip) and not extracted");
    sink_init(&s, &r, 100 * MB);
    st = run_tmp("mixed.zip", &r, &s);
    TAP_OK(st == VG_OK && r.encs == 1 && r.members == 1 &&
               strcmp(r.names, "clam.exe|") == 0,
           "zip with one encrypted member still gives the plain one");
    sink_init(&s, &r, 100 * MB);
    st = run_tmp("e.7z", &r, &s);
    TAP_OK(st == VG_OK && r.encs == 1 && strcmp(r.kind, "7Zip") == 0 && r.members == 0,
           "7z -p member is reported encrypted (7Zip)");
    sink_init(&s, &r, 100 * MB);
    st = run_tmp("eh.7z", &r, &s);
    TAP_OK(st == VG_OK && r.encs == 1 && strcmp(r.kind, "7Zip") == 0 && r.members == 0,
           "7z -mhe (encrypted headers) is reported encrypted (7Zip)");
}

static uint8_t *garbage(size_t n, uint32_t seed)
{
    uint8_t *p = malloc(n);
    for (size_t i = 0; p && i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
    return p;
}

static void test_damaged(void)
{
    rec r;
    vgarc_sink s;
    vg_status st;
    size_t len;
    char path[256];

    snprintf(path, sizeof path, "%s/t.zip", tmpdir);
    uint8_t *zip = tap_read_file(path, &len);
    TAP_OK(zip != NULL, "zip fixture is read");
    if (!zip)
        return;
    size_t cut = 0;
    for (size_t i = 4; i + 4 <= len; i++)
        if (memcmp(zip + i, "PK\x03\x04", 4) == 0) {
            cut = i + 200; /* into the second member's data */
            break;
        }
    sink_init(&s, &r, 100 * MB);
    st = vgarc_extract(VGFT_ZIP, zip, cut, &s);
    TAP_OK(st == VG_OK && r.members == 1 && r.warns >= 1,
           "zip truncated inside its 2nd member: 1st extracted, warning, VG_OK");
    sink_init(&s, &r, 100 * MB);
    st = vgarc_extract(VGFT_ZIP, zip, 40, &s);
    TAP_OK(st == VG_EFORMAT && r.members == 0 && r.warns >= 1,
           "zip truncated inside its 1st member: warning and VG_EFORMAT");
    int all = 1;
    for (size_t n = 0; n <= len; n += (n < 200 ? 1 : 37)) {
        sink_init(&s, &r, 100 * MB);
        st = vgarc_extract(VGFT_ZIP, zip, n, &s);
        all = all && (st == VG_OK || st == VG_EFORMAT);
    }
    TAP_OK(all, "every truncation of a zip gives VG_OK or VG_EFORMAT, no crash");
    free(zip);

    uint8_t *g = garbage(8192, 7);
    all = 1;
    int warned = 1;
    for (int t = VGFT_ZIP; t < VGFT_COUNT; t++) {
        sink_init(&s, &r, 100 * MB);
        st = vgarc_extract((vgft_type)t, g, 8192, &s);
        all = all && st == VG_EFORMAT && r.members == 0;
        warned = warned && r.warns >= 1;
    }
    TAP_OK(all && warned,
           "random garbage read as any container type: warning and VG_EFORMAT");
    static const uint8_t gzbad[] = "\x1f\x8b\x08\x00\0\0\0\0\0\x03garbage garbage garbage";
    sink_init(&s, &r, 100 * MB);
    st = vgarc_extract(VGFT_GZ, gzbad, sizeof gzbad - 1, &s);
    TAP_OK(st == VG_EFORMAT && r.warns >= 1 && r.members == 0,
           "gzip header followed by garbage: warning and VG_EFORMAT");
    static const uint8_t gzflags[] = "\x1f\x8b\x08\xe0\0\0\0\0\0\x03garbage";
    sink_init(&s, &r, 100 * MB);
    st = vgarc_extract(VGFT_GZ, gzflags, sizeof gzflags - 1, &s);
    TAP_OK(st == VG_EFORMAT && r.warns >= 1 && r.members == 0,
           "gzip with reserved flags (not peeled) is not handed back unchanged");
    memcpy(g, "PK\x03\x04", 4);
    sink_init(&s, &r, 100 * MB);
    st = vgarc_extract(VGFT_ZIP, g, 8192, &s);
    TAP_OK(st == VG_EFORMAT && r.warns >= 1, "zip magic then garbage: warning, VG_EFORMAT");
    free(g);

    static const uint8_t empty_zip[22] = "PK\x05\x06";
    sink_init(&s, &r, 100 * MB);
    st = vgarc_extract(VGFT_ZIP, empty_zip, sizeof empty_zip, &s);
    TAP_OK(st == VG_OK && r.members == 0 && r.warns == 0,
           "empty zip: VG_OK, no member, no warning");
}

/* ------------------------------------------- hand-made RAR 4 and LHA */

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static uint16_t crc16_arc(const uint8_t *p, size_t n)
{
    uint16_t c = 0;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (uint16_t)((c >> 1) ^ (0xa001u & (0u - (c & 1u))));
    }
    return c;
}

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

/* RAR 4 block: CRC16 (low half of CRC-32 over type..end) then the rest. */
static size_t rar_block(uint8_t *out, const uint8_t *body, size_t n)
{
    put16(out, crc32_of(body, n) & 0xffff);
    memcpy(out + 2, body, n);
    return n + 2;
}

/* A RAR 4 archive with one stored Unix file; `flags` adds file-header flags
 * (0x04: encrypted). */
static size_t make_rar(uint8_t *out, const char *name, const char *data,
                       unsigned flags)
{
    size_t o = 0, nl = strlen(name), dl = strlen(data);
    uint8_t b[128] = {0};
    memcpy(out, "Rar!\x1a\x07\x00", 7);
    o = 7;
    b[0] = 0x73, put16(b + 3, 13); /* main header, no flags */
    o += rar_block(out + o, b, 11);
    memset(b, 0, sizeof b);
    b[0] = 0x74;
    put16(b + 1, 0x8000 | flags);
    put16(b + 3, (unsigned)(32 + nl));
    put32(b + 5, (uint32_t)dl);          /* packed size */
    put32(b + 9, (uint32_t)dl);          /* unpacked size */
    b[13] = 3;                           /* host OS: Unix */
    put32(b + 14, crc32_of((const uint8_t *)data, dl));
    put32(b + 18, 0x58210000u);          /* DOS time */
    b[22] = 20, b[23] = 0x30;            /* version 2.0, method: store */
    put16(b + 24, (unsigned)nl);
    put32(b + 26, 0100644);
    memcpy(b + 30, name, nl);
    o += rar_block(out + o, b, 30 + nl);
    memcpy(out + o, data, dl);
    o += dl;
    memset(b, 0, sizeof b);
    b[0] = 0x7b, put16(b + 1, 0x4000), put16(b + 3, 7); /* end of archive */
    return o + rar_block(out + o, b, 5);
}

/* An LHA archive with one level-0 -lh0- (stored) member. */
static size_t make_lha(uint8_t *out, const char *name, const char *data)
{
    size_t nl = strlen(name), dl = strlen(data), hs = 22 + nl;
    uint8_t *h = out;
    memset(out, 0, 2 + hs);
    h[0] = (uint8_t)hs;
    memcpy(h + 2, "-lh0-", 5);
    put32(h + 7, (uint32_t)dl);
    put32(h + 11, (uint32_t)dl);
    put32(h + 15, 0x58210000u);
    h[19] = 0x20, h[20] = 0, h[21] = (uint8_t)nl;
    memcpy(h + 22, name, nl);
    put16(h + 22 + nl, crc16_arc((const uint8_t *)data, dl));
    unsigned sum = 0;
    for (size_t i = 2; i < 2 + hs; i++)
        sum += h[i];
    h[1] = (uint8_t)sum;
    memcpy(out + 2 + hs, data, dl);
    out[2 + hs + dl] = 0; /* end of archive */
    return 2 + hs + dl + 1;
}

static void test_handmade(void)
{
    uint8_t buf[512];
    rec r;
    vgarc_sink s;
    vg_status st;

    size_t n = make_rar(buf, "hello.txt", "hello world\n", 0);
    sink_init(&s, &r, 100 * MB);
    TAP_OK(vgft_detect(buf, n) == VGFT_RAR, "hand-made RAR 4 is detected as RAR");
    st = vgarc_extract(VGFT_RAR, buf, n, &s);
    TAP_OK(st == VG_OK && r.members == 1 && r.hello && strcmp(r.names, "hello.txt|") == 0,
           "RAR 4 stored member is extracted (got %u, warns %u)", r.members, r.warns);

    n = make_rar(buf, "hello.txt", "hello world\n", 0x04);
    sink_init(&s, &r, 100 * MB);
    st = vgarc_extract(VGFT_RAR, buf, n, &s);
    TAP_OK(st == VG_OK && r.encs == 1 && strcmp(r.kind, "RAR") == 0 && r.members == 0,
           "RAR 4 member with the password flag is reported encrypted (RAR)");

    n = make_lha(buf, "hello.txt", "hello world\n");
    sink_init(&s, &r, 100 * MB);
    TAP_OK(vgft_detect(buf, n) == VGFT_LHA, "hand-made LHA is detected as LHA");
    st = vgarc_extract(VGFT_LHA, buf, n, &s);
    TAP_OK(st == VG_OK && r.members == 1 && r.hello && strcmp(r.names, "hello.txt|") == 0,
           "LHA -lh0- member is extracted (got %u, warns %u)", r.members, r.warns);
}

static void test_sink_control(void)
{
    rec r;
    vgarc_sink s;
    vg_status st;
    sink_init(&s, &r, 100 * MB);
    r.stop_after = 1;
    r.stop_with = VGARC_STOP;
    st = run_tmp("t.tar", &r, &s);
    TAP_OK(st == VG_OK && r.members == 1, "VGARC_STOP from the sink ends extraction with VG_OK");
    sink_init(&s, &r, 100 * MB);
    r.stop_after = 1;
    r.stop_with = VG_EIO;
    st = run_tmp("t.zip", &r, &s);
    TAP_OK(st == VG_EIO && r.members == 1, "another status from the sink aborts and is returned");
    sink_init(&s, &r, 100 * MB);
    st = vgarc_extract(VGFT_PE, (const uint8_t *)"MZ", 2, &s);
    TAP_OK(st == VG_EINVAL && r.warns == 0, "a non-container type is VG_EINVAL");
    s.member = NULL;
    st = vgarc_extract(VGFT_ZIP, (const uint8_t *)"PK", 2, &s);
    TAP_OK(st == VG_EINVAL, "a sink without a member callback is VG_EINVAL");

    /* Optional callbacks may be NULL. */
    sink_init(&s, &r, 50000);
    s.limit = NULL;
    s.warning = NULL;
    s.encrypted = NULL;
    st = run_tmp("big.zip", &r, &s);
    TAP_OK(st == VG_OK && r.members == 1, "limit/warning/encrypted callbacks may be NULL");
}

int main(void)
{
    size_t len;
    uint8_t *exe = tap_read_file(TESTFILES "clam.exe", &len);
    if (!exe || len < 0x70 || !mkdtemp(tmpdir)) {
        printf("Bail out! clam.exe or a temporary directory is missing\n");
        return 1;
    }
    memcpy(needle, exe + 0x40, sizeof needle);
    free(exe);
    lim.max_filesize = VG_DEFAULT_MAX_FILESIZE;
    lim.max_scansize = VG_DEFAULT_MAX_SCANSIZE;
    lim.max_recursion = VG_DEFAULT_MAX_RECURSION;
    lim.max_files = VG_DEFAULT_MAX_FILES;
    lim.max_ratio = VG_DEFAULT_MAX_RATIO;
    lim.ratio_min_size = VG_DEFAULT_RATIO_MIN_SIZE;

    test_clamav_testfiles();
    test_unreadable_zip_methods();
    test_tool_made();
    test_limits();
    test_encrypted();
    test_damaged();
    test_handmade();
    test_sink_control();
    sh("rm -rf %s", tmpdir);
    return tap_done();
}
