/* tests/unit/test_unpack.c - our own decoders and unpackers: Deflate64
 * (fmt/inflate64.c), implode (fmt/implode.c), the zip walk that uses them
 * (fmt/zipold.c), NRV2B/2D/2E (fmt/nrv2.c), UPX (fmt/upx.c), NSIS
 * (fmt/nsis.c) and the InstallShield overlay stream (fmt/ishield.c).
 *
 * Real inputs: clam.d64.zip and clam.impl.zip from clamav-testfiles must
 * give clam.exe byte for byte, and a Deflate64 zip made at run time by
 * 7-Zip (distances past 32 KB, long lengths) must give its source back.
 * Hand-made inputs are written bit by bit here, so each format rule is
 * exercised on its own (Deflate64 length code 285, implode trees, raw
 * literals, the 63+8-bit length), and bombs must stop at the ceiling. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lzma.h>
#include <zlib.h>

#include "core/buf.h"
#include "fmt/implode.h"
#include "fmt/inflate64.h"
#include "exe/exe.h"
#include "fmt/nrv2.h"
#include "fmt/isc.h"
#include "fmt/ishield.h"
#include "fmt/nsis.h"
#include "fmt/upx.h"
#include "fmt/zipold.h"
#include "tap.h"

#define TESTFILES "/usr/share/clamav-testfiles/"

/* ------------------------------------------------------------ bit writer */

typedef struct bw {
    uint8_t d[16384];
    size_t n;
    unsigned bit;
} bw;

static void put(bw *w, uint32_t v, unsigned n) /* LSB first */
{
    for (unsigned i = 0; i < n; i++) {
        if (w->bit == 0)
            w->d[w->n++] = 0;
        if ((v >> i) & 1)
            w->d[w->n - 1] |= (uint8_t)(1u << w->bit);
        w->bit = (w->bit + 1) & 7;
    }
}

static void put_code(bw *w, uint32_t code, unsigned n) /* MSB first */
{
    for (unsigned i = n; i-- > 0;)
        put(w, (code >> i) & 1, 1);
}

static void put_byte(bw *w, uint8_t b) /* whole byte, w aligned */
{
    w->d[w->n++] = b;
}

/* ---------------------------------------------------------- zip sink */

typedef struct rec {
    unsigned members, limits, warns;
    unsigned which;
    uint8_t *data;
    size_t len;
    char name[64];
    const uint8_t *want; /* saw: some member had exactly these bytes */
    size_t wantlen;
    int saw;
} rec;

static vg_status on_member(void *u, const char *name, const uint8_t *d, size_t len)
{
    rec *r = u;
    r->members++;
    if (r->want && len == r->wantlen && !memcmp(d, r->want, len))
        r->saw = 1;
    free(r->data);
    r->data = malloc(len ? len : 1);
    if (r->data)
        memcpy(r->data, d, len);
    r->len = len;
    snprintf(r->name, sizeof r->name, "%s", name);
    return VG_OK;
}

static void on_limit(void *u, unsigned which, const char *name)
{
    rec *r = u;
    (void)name;
    r->limits++;
    r->which = which;
}

static void on_warning(void *u, const char *msg)
{
    (void)msg;
    ((rec *)u)->warns++;
}

static vg_limits lim;

static void zip_run(const uint8_t *d, size_t len, rec *r, uint64_t max_member)
{
    memset(r, 0, sizeof *r);
    vgarc_sink s = {r, on_member, on_limit, NULL, on_warning, &lim, max_member,
                    VG_LIMIT_FILESIZE};
    vg_status st = vgzipold_extract(d, len, &s);
    if (st != VG_OK)
        r->warns += 1000;
}

/* A one-member zip around `data` (method, flags given), sizes as given. */
static size_t mkzip(uint8_t *z, size_t cap, uint16_t method, uint16_t flags,
                    const uint8_t *data, uint32_t clen, uint32_t ulen)
{
    static const char nm[] = "m.bin";
    size_t n = 0;
#define U16(v) (z[n++] = (uint8_t)(v), z[n++] = (uint8_t)((v) >> 8))
#define U32(v) (U16((v) & 0xffff), U16((uint32_t)(v) >> 16))
    if (cap < 200 + (size_t)clen)
        return 0;
    U32(0x04034b50u); U16(20); U16(flags); U16(method); U32(0); U32(0);
    U32(clen); U32(ulen); U16(5); U16(0);
    memcpy(z + n, nm, 5); n += 5;
    memcpy(z + n, data, clen); n += clen;
    size_t cd = n;
    U32(0x02014b50u); U16(20); U16(20); U16(flags); U16(method); U32(0); U32(0);
    U32(clen); U32(ulen); U16(5); U16(0); U16(0); U16(0); U16(0); U32(0); U32(0);
    memcpy(z + n, nm, 5); n += 5;
    size_t cdlen = n - cd;
    U32(0x06054b50u); U16(0); U16(0); U16(1); U16(1); U32(cdlen); U32(cd); U16(0);
#undef U16
#undef U32
    return n;
}

/* ------------------------------------------------------------ Deflate64 */

/* Fixed-code block: literal 'A', then a match of code 285 with `extra`
 * (16 bits in Deflate64), distance 1, then end of block. */
static size_t d64_run_block(bw *w, uint32_t extra, int repeat)
{
    memset(w, 0, sizeof *w);
    put(w, 1, 1); /* final */
    put(w, 1, 2); /* fixed */
    put_code(w, 0x30 + 'A', 8);
    for (int i = 0; i < repeat; i++) {
        put_code(w, 0xc5, 8); /* 285: 280..287 are 0xc0 + (sym - 280) */
        put(w, extra, 16);
        put_code(w, 0, 5);    /* distance code 0: 1 */
    }
    put_code(w, 0, 7); /* 256 */
    return w->n;
}

static void test_deflate64_rules(void)
{
    bw w;
    vgbuf b;
    size_t n = d64_run_block(&w, 1000, 1);
    vgbuf_init(&b, 1 << 20);
    vg_status st = vginf_decode(w.d, n, 1, &b);
    int all_a = b.len == 1004;
    for (size_t i = 0; all_a && i < b.len; i++)
        all_a = b.data[i] == 'A';
    TAP_OK(st == VG_OK && all_a,
           "Deflate64 length code 285 is 3 + 16 extra bits (1004 bytes, got %zu)", b.len);
    vgbuf_free(&b);

    /* the same bits read as plain deflate: 285 is 258 with no extra bits,
     * so the 16 bits are taken as the next codes and the result differs */
    vgbuf_init(&b, 1 << 20);
    st = vginf_decode(w.d, n, 0, &b);
    TAP_OK(b.len != 1004 && (b.len < 2 || b.len >= 259),
           "plain deflate reads code 285 as 258 (st %d, %zu bytes)", st, b.len);
    vgbuf_free(&b);

    /* distance code 30 (32769 + 14 bits) is Deflate64 only */
    memset(&w, 0, sizeof w);
    put(&w, 1, 1);
    put(&w, 1, 2);
    put_code(&w, 0x30 + 'A', 8);
    put_code(&w, 1, 7);   /* 257: length 3 */
    put_code(&w, 30, 5);  /* distance 32769 */
    put(&w, 0, 14);
    put_code(&w, 0, 7);
    vgbuf_init(&b, 1 << 20);
    st = vginf_decode(w.d, w.n, 1, &b);
    TAP_OK(st == VG_EFORMAT && b.len == 1,
           "a distance past the output is refused (st %d)", st);
    vgbuf_free(&b);
    vgbuf_init(&b, 1 << 20);
    st = vginf_decode(w.d, w.n, 0, &b);
    TAP_OK(st == VG_EFORMAT, "distance code 30 is refused in plain deflate");
    vgbuf_free(&b);

    /* stored block with a bad NLEN */
    static const uint8_t bad_stored[] = {0x01, 0x03, 0x00, 0x00, 0x00, 'a', 'b', 'c'};
    vgbuf_init(&b, 1 << 20);
    st = vginf_decode(bad_stored, sizeof bad_stored, 1, &b);
    TAP_OK(st == VG_EFORMAT && b.len == 0, "stored block with LEN != ~NLEN is refused");
    vgbuf_free(&b);
    static const uint8_t good_stored[] = {0x01, 0x03, 0x00, 0xfc, 0xff, 'a', 'b', 'c'};
    vgbuf_init(&b, 1 << 20);
    st = vginf_decode(good_stored, sizeof good_stored, 1, &b);
    TAP_OK(st == VG_OK && b.len == 3 && !memcmp(b.data, "abc", 3), "stored block copied");
    vgbuf_free(&b);
}

static void test_deflate64_bomb(void)
{
    bw w;
    /* 60 matches of 65538 bytes: about 3.9 MB from ~250 bytes */
    size_t n = d64_run_block(&w, 65535, 60);
    vgbuf b;
    vgbuf_init(&b, 1 << 20);
    vg_status st = vginf_decode(w.d, n, 1, &b);
    TAP_OK(st == VG_ELIMIT && b.len <= (1u << 20), "Deflate64 bomb stops at the 1 MB ceiling (st %d, %zu)",
           st, b.len);
    vgbuf_free(&b);

    /* through the zip walk: ratio limit (1 MB minimum, 250:1) is reported */
    static uint8_t z[20000];
    size_t zl = mkzip(z, sizeof z, 9, 0, w.d, (uint32_t)n, 5000);
    rec r;
    zip_run(z, zl, &r, 100u << 20);
    TAP_OK(r.members == 0 && r.limits == 1 && r.which == VG_LIMIT_RATIO,
           "zip Deflate64 bomb dropped and reported as the ratio limit (members %u limits %u which %u)",
           r.members, r.limits, r.which);
    free(r.data);
    /* and with a member limit under the ratio ceiling, that limit */
    zip_run(z, zl, &r, 100000);
    TAP_OK(r.members == 0 && r.limits == 1 && r.which == VG_LIMIT_FILESIZE,
           "zip Deflate64 bomb past max_member reported as that limit (which %u)", r.which);
    free(r.data);
}

/* ------------------------------------------------------------ implode */

/* Trees with every length 6 (64 symbols, a complete code): stored as one
 * count byte (4 runs - 1) and four runs of 16 symbols of length 6. */
static void put_flat_tree(bw *w)
{
    put_byte(w, 3);
    for (int i = 0; i < 4; i++)
        put_byte(w, 0xf5);
}

static void put_sf(bw *w, unsigned sym) /* 6-bit code, inverted */
{
    put_code(w, ~sym & 63u, 6);
}

static void test_implode_rules(void)
{
    bw w;
    memset(&w, 0, sizeof w);
    put_flat_tree(&w); /* length tree */
    put_flat_tree(&w); /* distance tree */
    put(&w, 1, 1);     /* literal, raw 8 bits (no literal tree) */
    put(&w, 'x', 8);
    put(&w, 1, 1);
    put(&w, 'y', 8);
    put(&w, 0, 1);     /* match: distance 2 = low 1, high 0 */
    put(&w, 1, 6);
    put_sf(&w, 0);
    put_sf(&w, 4);     /* length 4 + 2 */
    put(&w, 0, 1);     /* match: distance 1, length 63 + 8 bits (10) + 2 */
    put(&w, 0, 6);
    put_sf(&w, 0);
    put_sf(&w, 63);
    put(&w, 10, 8);
    vgbuf b;
    vgbuf_init(&b, 1 << 20);
    vg_status st = vgimp_decode(w.d, w.n, 0, 2 + 6 + 75, &b);
    int ok = st == VG_OK && b.len == 83 && b.data[0] == 'x' && b.data[1] == 'y';
    for (size_t i = 2; ok && i < 8; i++)
        ok = b.data[i] == (i % 2 ? 'y' : 'x');
    for (size_t i = 8; ok && i < 83; i++)
        ok = b.data[i] == 'y';
    TAP_OK(ok, "implode: raw literals, a 6+2 match at distance 2, a 63+8-bit+2 run (st %d, %zu)",
           st, b.len);
    vgbuf_free(&b);

    /* the same stream asked for more bytes than it holds */
    vgbuf_init(&b, 1 << 20);
    st = vgimp_decode(w.d, w.n, 0, 500, &b);
    TAP_OK(st == VG_EFORMAT && b.len >= 83, "implode input that ends early is damaged (st %d)", st);
    vgbuf_free(&b);

    /* an over-subscribed tree: 64 codes of length 5 */
    uint8_t bad[] = {3, 0xf4, 0xf4, 0xf4, 0xf4, 3, 0xf5, 0xf5, 0xf5, 0xf5, 0, 0, 0};
    vgbuf_init(&b, 1 << 20);
    st = vgimp_decode(bad, sizeof bad, 0, 10, &b);
    TAP_OK(st == VG_EFORMAT && b.len == 0, "implode over-subscribed tree is refused");
    vgbuf_free(&b);
    /* runs that do not add up to the tree's size */
    uint8_t shortrun[] = {2, 0xf5, 0xf5, 0xf5, 3, 0xf5, 0xf5, 0xf5, 0xf5, 0, 0};
    vgbuf_init(&b, 1 << 20);
    st = vgimp_decode(shortrun, sizeof shortrun, 0, 10, &b);
    TAP_OK(st == VG_EFORMAT, "implode tree with 48 of 64 lengths is refused");
    vgbuf_free(&b);

    /* bomb: literal then repeated maximal runs; the ceiling stops it */
    memset(&w, 0, sizeof w);
    put_flat_tree(&w);
    put_flat_tree(&w);
    put(&w, 1, 1);
    put(&w, 'z', 8);
    for (int i = 0; i < 2000; i++) {
        put(&w, 0, 1);
        put(&w, 0, 6);
        put_sf(&w, 0);
        put_sf(&w, 63);
        put(&w, 255, 8);
    }
    vgbuf_init(&b, 100000);
    st = vgimp_decode(w.d, w.n, 0, 1u << 30, &b);
    TAP_OK(st == VG_ELIMIT && b.len == 100000, "implode bomb stops at the ceiling (st %d, %zu)", st,
           b.len);
    vgbuf_free(&b);
}

/* ------------------------------------------------------------ real files */

static void test_real(void)
{
    size_t el, zl;
    uint8_t *exe = tap_read_file(TESTFILES "clam.exe", &el);
    const char *names[] = {"clam.d64.zip", "clam.impl.zip"};
    for (int i = 0; i < 2; i++) {
        char p[256];
        snprintf(p, sizeof p, TESTFILES "%s", names[i]);
        uint8_t *z = tap_read_file(p, &zl);
        rec r;
        if (!exe || !z) {
            TAP_OK(0, "%s: clamav-testfiles missing", names[i]);
            free(z);
            continue;
        }
        zip_run(z, zl, &r, 100u << 20);
        TAP_OK(r.members == 1 && r.len == el && !memcmp(r.data, exe, el) && r.warns == 0,
               "%s gives clam.exe byte for byte (%u members, %zu bytes)", names[i], r.members,
               r.len);
        free(r.data);
        /* every truncation: never a crash, never more than one member */
        unsigned bad = 0;
        for (size_t cut = 0; cut < zl; cut += 7) {
            zip_run(z, cut, &r, 100u << 20);
            bad += r.members > 1 || r.warns >= 1000;
            free(r.data);
        }
        TAP_OK(bad == 0, "%s truncated at every 7th byte: handled", names[i]);
        /* the compressed bytes flipped one by one (CRC not checked) */
        bad = 0;
        for (size_t k = 40; k < 200 && k < zl; k++) {
            z[k] ^= 0x5a;
            zip_run(z, zl, &r, 100u << 20);
            bad += r.members > 1 || r.len > 65536;
            free(r.data);
            z[k] ^= 0x5a;
        }
        TAP_OK(bad == 0, "%s with damaged data: bounded output", names[i]);
        free(z);
    }
    free(exe);
}

static void test_7zip(void)
{
    if (system("command -v 7z >/dev/null 2>&1") != 0) {
        TAP_OK(1, "# SKIP 7z not installed");
        return;
    }
    char dir[] = "/tmp/vg_unpack_XXXXXX";
    if (!mkdtemp(dir)) {
        TAP_OK(0, "mkdtemp");
        return;
    }
    char src[300], zip[300], cmd[1024];
    snprintf(src, sizeof src, "%s/src.bin", dir);
    snprintf(zip, sizeof zip, "%s/d64.zip", dir);
    /* 300 KB: text-like runs, a 70 KB zero run (length 285 extras) and
     * repeats 40-60 KB back (distance codes 30, 31) */
    size_t sl = 300000;
    uint8_t *s = malloc(sl);
    uint32_t x = 12345;
    for (size_t i = 0; i < sl; i++) {
        x = x * 1103515245u + 12345u;
        s[i] = (uint8_t)("abcdefgh"[(x >> 16) & 7]);
    }
    memset(s + 100000, 0, 70000);
    memcpy(s + 250000, s + 200000, 40000);
    tap_write_file(src, s, sl);
    snprintf(cmd, sizeof cmd, "cd %s && 7z a -tzip -mm=Deflate64 -mx=7 d64.zip src.bin >/dev/null",
             dir);
    int rc = system(cmd);
    size_t zl;
    uint8_t *z = rc == 0 ? tap_read_file(zip, &zl) : NULL;
    rec r;
    memset(&r, 0, sizeof r);
    if (z)
        zip_run(z, zl, &r, 100u << 20);
    TAP_OK(z && z[8] == 9 && r.members == 1 && r.len == sl && !memcmp(r.data, s, sl),
           "7-Zip Deflate64 zip (300 KB, long runs and distances) decodes to its source");
    free(r.data);
    free(z);
    free(s);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        TAP_OK(0, "cleanup");
}

/* ------------------------------------------------------------ NRV2 */

/* Writer for the le32 flavour: a 32-bit control word is reserved in the
 * byte stream when its first bit is written; bytes go right after. */
typedef struct nw {
    uint8_t d[1 << 16];
    size_t n, word;
    unsigned left;
} nw;

static void nbit(nw *w, unsigned b)
{
    if (w->left == 0) {
        w->word = w->n;
        memset(w->d + w->n, 0, 4);
        w->n += 4;
        w->left = 32;
    }
    w->left--;
    if (b) {
        uint8_t *p = w->d + w->word;
        uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24;
        v |= 1u << w->left;
        for (int i = 0; i < 4; i++)
            p[i] = (uint8_t)(v >> (8 * i));
    }
}

static void nbyte(nw *w, uint8_t c)
{
    w->d[w->n++] = c;
}

/* (value, stop) pairs: the bits of g under its leading 1 */
static void ngamma2(nw *w, uint32_t g)
{
    int top = 31;
    while (!(g >> top))
        top--;
    for (int i = top - 1; i >= 0; i--) {
        nbit(w, (g >> i) & 1);
        nbit(w, i == 0);
    }
}

/* 2D/2E offsets: worked backwards from the decoder's recurrence */
static void ngamma3(nw *w, uint32_t g)
{
    unsigned bits[200];
    int n = 0;
    bits[n++] = 1;     /* stop (emitted last, stored reversed) */
    bits[n++] = g & 1;
    uint32_t v = g >> 1;
    while (v != 1) {
        bits[n++] = v & 1;               /* the extra value bit */
        uint32_t u = (v >> 1) + 1;
        bits[n++] = 0;                   /* not stopped */
        bits[n++] = u & 1;
        v = u >> 1;
    }
    while (n--)
        nbit(w, bits[n]);
}

/* One match of `copy` bytes at distance `dist` (dist <= 0x500, a new
 * offset) or the previous one (dist 0). */
static void nmatch(nw *w, vgnrv_method m, uint32_t dist, uint32_t copy)
{
    nbit(w, 0);
    unsigned first;
    uint32_t len = copy - 1; /* before the +1 of the copy */
    if (m == VGNRV_2E)
        first = len <= 2;
    else
        first = len >= 2 && len <= 3 ? 1 : 0;
    if (dist == 0) {
        if (m == VGNRV_2B)
            ngamma2(w, 2);
        else {
            ngamma3(w, 2);
            nbit(w, first);
        }
    } else if (m == VGNRV_2B) {
        uint32_t off = dist - 1;
        ngamma2(w, 3 + (off >> 8));
        nbyte(w, (uint8_t)off);
    } else {
        uint32_t c = ((dist - 1) << 1) | (first ^ 1u);
        ngamma3(w, 3 + (c >> 8));
        nbyte(w, (uint8_t)c);
    }
    if (m == VGNRV_2E) {
        if (first) {
            nbit(w, len == 2);
        } else if (len <= 4) {
            nbit(w, 1);
            nbit(w, len == 4);
        } else {
            nbit(w, 0);
            ngamma2(w, len - 3);
        }
        return;
    }
    if (m == VGNRV_2B)
        nbit(w, first);
    if (first) {
        nbit(w, len & 1);
    } else if (len == 1) {
        nbit(w, 1);
    } else {
        nbit(w, 0);
        ngamma2(w, len - 2);
    }
}

static void nend(nw *w, vgnrv_method m)
{
    nbit(w, 0);
    if (m == VGNRV_2B)
        ngamma2(w, 0x1000002u);
    else
        ngamma3(w, 0x1000002u);
    nbyte(w, 0xff);
}

static void nlit(nw *w, const char *s)
{
    for (; *s; s++) {
        nbit(w, 1);
        nbyte(w, (uint8_t)*s);
    }
}

static void test_nrv2(void)
{
    static nw w;
    static const char *mname[] = {"NRV2B", "NRV2D", "NRV2E"};
    /* "abcd" + "bcd" (3 back) + 50 x 'd' (1 back) + "dd" (same offset)
     * + "abcdbc" (59 back, 6 bytes) */
    const char *want = NULL;
    char ref[128];
    snprintf(ref, sizeof ref, "abcdbcd%.*s%s", 52,
             "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddd", "abcdbc");
    want = ref;
    for (int m = VGNRV_2B; m <= VGNRV_2E; m++) {
        memset(&w, 0, sizeof w);
        nlit(&w, "abcd");
        nmatch(&w, (vgnrv_method)m, 3, 3);
        nmatch(&w, (vgnrv_method)m, 1, 50);
        nmatch(&w, (vgnrv_method)m, 0, 2);
        nmatch(&w, (vgnrv_method)m, 59, 6);
        nend(&w, (vgnrv_method)m);
        vgbuf b;
        size_t used = 0;
        vgbuf_init(&b, 1 << 20);
        vg_status st = vgnrv_decode((vgnrv_method)m, w.d, w.n, &b, &used);
        TAP_OK(st == VG_OK && used == w.n && b.len == strlen(want) && !memcmp(b.data, want, b.len),
               "%s: literals, new, long and repeated offsets, end marker (st %d, %zu bytes)",
               mname[m], st, b.len);
        vgbuf_free(&b);
        /* the same stream cut short is damaged, not a crash */
        vgbuf_init(&b, 1 << 20);
        st = vgnrv_decode((vgnrv_method)m, w.d, w.n - 3, &b, NULL);
        TAP_OK(st == VG_EFORMAT, "%s: truncated stream is damaged", mname[m]);
        vgbuf_free(&b);

        /* bomb: 'x' then 400 matches of 65536 bytes; ceiling 1 MB */
        memset(&w, 0, sizeof w);
        nlit(&w, "x");
        for (int i = 0; i < 400; i++)
            nmatch(&w, (vgnrv_method)m, 1, 65536);
        nend(&w, (vgnrv_method)m);
        vgbuf_init(&b, 1 << 20);
        st = vgnrv_decode((vgnrv_method)m, w.d, w.n, &b, NULL);
        TAP_OK(st == VG_ELIMIT && b.len <= (1u << 20),
               "%s: bomb (26 MB from %zu bytes) stops at the 1 MB ceiling", mname[m], w.n);
        vgbuf_free(&b);
    }
    /* a match before the start of the output */
    memset(&w, 0, sizeof w);
    nlit(&w, "a");
    nmatch(&w, VGNRV_2B, 5, 3);
    vgbuf b;
    vgbuf_init(&b, 1 << 20);
    TAP_OK(vgnrv_decode(VGNRV_2B, w.d, w.n, &b, NULL) == VG_EFORMAT && b.len == 1,
           "NRV2B: an offset past the output is refused");
    vgbuf_free(&b);
}

/* ------------------------------------------------------------ UPX */

static void test_upx(void)
{
    size_t len, el;
    uint8_t *d = tap_read_file(TESTFILES "clam-upx.exe", &len);
    uint8_t *exe = tap_read_file(TESTFILES "clam.exe", &el);
    vg_exe_info x;
    if (!d || !exe || vg_exe_parse(d, len, NULL, &x) != VG_OK) {
        TAP_OK(0, "clam-upx.exe: clamav-testfiles missing or not parsed");
        free(d);
        free(exe);
        return;
    }
    rec r;
    memset(&r, 0, sizeof r);
    vgarc_sink s = {&r, on_member, on_limit, NULL, on_warning, &lim, 100u << 20,
                    VG_LIMIT_FILESIZE};
    vg_status st = vgupx_extract(&x, d, len, &s);
    int has_sig = 0;
    for (size_t i = 0; r.data && i + 0x30 <= r.len; i++)
        if (!memcmp(r.data + i, exe + 0x40, 0x30))
            has_sig = 1;
    TAP_OK(st == VG_OK && r.members == 1 && has_sig,
           "clam-upx.exe unpacks (NRV2B) to a file holding clam.exe's code");
    /* what clamscan's rebuilt file has: clam.exe's code at 0x1000 +
     * 15904, entry point RVA 0x1020 (file offset 0x1020) */
    vg_exe_info y;
    int parsed = r.data && vg_exe_parse(r.data, r.len, NULL, &y) == VG_OK;
    TAP_OK(parsed && y.kind == VG_EXE_PE && y.ep_valid && y.ep_offset == 0x1020 &&
               r.len > 0x1000 + 15904 + 0x30 && !memcmp(r.data + 0x1000 + 15904, exe + 0x40, 0x30),
           "rebuilt PE parses, entry point at 0x1020, code where clamscan's rebuild has it");
    TAP_OK(parsed && r.len == 0x5000 && y.nsections == 4,
           "rebuilt PE is cut at the original SizeOfImage (0x5000, as clamscan's) with the "
           "original 4 sections (%zu bytes)", r.len);
    if (parsed) {
        /* the rebuilt file is no UPX file: unpacking it again gives nothing */
        rec r2;
        memset(&r2, 0, sizeof r2);
        s.user = &r2;
        vgupx_extract(&y, r.data, r.len, &s);
        TAP_OK(r2.members == 0, "the rebuilt PE is not unpacked again");
        free(r2.data);
        s.user = &r;
        vg_exe_free(&y);
    }
    free(r.data);

    /* member limit under the image size: dropped, reported */
    memset(&r, 0, sizeof r);
    s.max_member = 0x1000 + 4096;
    st = vgupx_extract(&x, d, len, &s);
    TAP_OK(st == VG_OK && r.members == 0 && r.limits == 1 && r.which == VG_LIMIT_FILESIZE,
           "UPX output past max_member is dropped with that limit");
    free(r.data);
    s.max_member = 100u << 20;

    /* damaged compressed data (every byte of the stream flipped in turn):
     * never more than the image, never a crash */
    unsigned bad = 0;
    for (size_t k = 0x400; k < 0x700; k += 3) {
        d[k] ^= 0xa5;
        memset(&r, 0, sizeof r);
        st = vgupx_extract(&x, d, len, &s);
        bad += st != VG_OK || r.members > 1 || r.len > 0x1000 + x.u.pe.size_of_image;
        free(r.data);
        d[k] ^= 0xa5;
    }
    TAP_OK(bad == 0, "clam-upx.exe with damaged data: bounded, no crash");
    vg_exe_free(&x);

    /* not UPX: clam.exe gives nothing */
    if (vg_exe_parse(exe, el, NULL, &x) == VG_OK) {
        memset(&r, 0, sizeof r);
        st = vgupx_extract(&x, exe, el, &s);
        TAP_OK(st == VG_OK && r.members == 0, "a PE without the UPX stub is left alone");
        vg_exe_free(&x);
    }
    free(d);
    free(exe);
}

/* ------------------------------------------------------------ NSIS */

/* clam.exe padded to 1024 bytes (its overlay), then a first header and
 * `data` as the archive. */
static size_t mknsis(uint8_t *out, size_t cap, const uint8_t *exe, size_t el, uint32_t hsize,
                     const uint8_t *data, size_t dl)
{
    static const uint8_t fh[16] = {0xef, 0xbe, 0xad, 0xde, 'N', 'u', 'l', 'l',
                                   's',  'o',  'f',  't',  'I', 'n', 's', 't'};
    if (cap < 1024 + 28 + dl || el > 1024)
        return 0;
    memset(out, 0, 1024);
    memcpy(out, exe, el);
    uint8_t *h = out + 1024;
    memset(h, 0, 4);
    memcpy(h + 4, fh, 16);
    uint32_t as = (uint32_t)(28 + dl);
    for (int i = 0; i < 4; i++) {
        h[20 + i] = (uint8_t)(hsize >> (8 * i));
        h[24 + i] = (uint8_t)(as >> (8 * i));
    }
    memcpy(h + 28, data, dl);
    return 1024 + 28 + dl;
}

static size_t put_block(uint8_t *p, const void *d, uint32_t n, int flag)
{
    uint32_t v = n | (flag ? 0x80000000u : 0);
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    memcpy(p + 4, d, n);
    return 4 + (size_t)n;
}

static size_t lzma_raw(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    lzma_options_lzma o;
    lzma_lzma_preset(&o, 6);
    o.lc = 3, o.lp = 0, o.pb = 2, o.dict_size = 1u << 20;
    lzma_filter f[2] = {{LZMA_FILTER_LZMA1, &o}, {LZMA_VLI_UNKNOWN, NULL}};
    lzma_stream s = LZMA_STREAM_INIT;
    if (cap < 5 || lzma_raw_encoder(&s, f) != LZMA_OK)
        return 0;
    static const uint8_t props[5] = {0x5d, 0x00, 0x00, 0x10, 0x00};
    memcpy(out, props, 5);
    s.next_in = in;
    s.avail_in = n;
    s.next_out = out + 5;
    s.avail_out = cap - 5;
    lzma_ret r;
    do
        r = lzma_code(&s, LZMA_FINISH);
    while (r == LZMA_OK);
    size_t got = r == LZMA_STREAM_END ? cap - s.avail_out : 0;
    lzma_end(&s);
    return got;
}

static size_t deflate_raw(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int r = deflate(&z, Z_FINISH);
    size_t got = r == Z_STREAM_END ? cap - z.avail_out : 0;
    deflateEnd(&z);
    return got;
}

static void nsis_run(const uint8_t *f, size_t fl, rec *r, uint64_t max_member)
{
    vg_exe_info x;
    memset(r, 0, sizeof *r);
    if (vg_exe_parse(f, fl, NULL, &x) != VG_OK) {
        r->warns = 1000;
        return;
    }
    vgarc_sink s = {r, on_member, on_limit, NULL, on_warning, &lim, max_member,
                    VG_LIMIT_FILESIZE};
    if (vgnsis_extract(&x, f, fl, &s) != VG_OK)
        r->warns += 1000;
    vg_exe_free(&x);
}

static void test_nsis(void)
{
    size_t len, el;
    uint8_t *d = tap_read_file(TESTFILES "clam-nsis.exe", &len);
    uint8_t *exe = tap_read_file(TESTFILES "clam.exe", &el);
    if (!d || !exe) {
        TAP_OK(0, "clam-nsis.exe: clamav-testfiles missing");
        free(d);
        free(exe);
        return;
    }
    rec r;
    nsis_run(d, len, &r, 100u << 20);
    TAP_OK(r.members == 2 && r.len == el && !memcmp(r.data, exe, el) && r.warns == 0,
           "clam-nsis.exe (non-solid LZMA): script header and clam.exe, as clamscan extracts");
    free(r.data);
    unsigned bad = 0;
    for (size_t k = 46084 + 28; k < len; k += 5) {
        d[k] ^= 0x33;
        nsis_run(d, len, &r, 100u << 20);
        bad += r.warns >= 1000 || r.members > 2 || r.len > (1u << 20);
        free(r.data);
        d[k] ^= 0x33;
    }
    TAP_OK(bad == 0, "clam-nsis.exe with damaged blocks: bounded, no crash");
    free(d);

    static uint8_t arc[1 << 16], f[1 << 17], plain[4096], comp[1 << 16];
    static const char hdr[] = "script header bytes", file[] = "the installed file";
    /* non-solid, stored */
    size_t n = put_block(arc, hdr, sizeof hdr, 0);
    n += put_block(arc + n, file, sizeof file, 0);
    size_t fl = mknsis(f, sizeof f, exe, el, sizeof hdr, arc, n);
    nsis_run(f, fl, &r, 100u << 20);
    TAP_OK(r.members == 2 && r.len == sizeof file && !memcmp(r.data, file, sizeof file),
           "non-solid stored blocks: both handed out");
    free(r.data);

    /* solid LZMA and solid deflate: the same blocks inside one stream */
    size_t pl = put_block(plain, hdr, sizeof hdr, 0);
    pl += put_block(plain + pl, file, sizeof file, 0);
    for (int k = 0; k < 2; k++) {
        size_t cl = k == 0 ? lzma_raw(plain, pl, comp, sizeof comp)
                           : deflate_raw(plain, pl, comp, sizeof comp);
        fl = mknsis(f, sizeof f, exe, el, sizeof hdr, comp, cl);
        nsis_run(f, fl, &r, 100u << 20);
        TAP_OK(cl && r.members == 2 && r.len == sizeof file && !memcmp(r.data, file, sizeof file),
               "solid %s stream: both blocks handed out", k == 0 ? "LZMA" : "deflate");
        free(r.data);
    }

    /* bomb: a solid LZMA stream of 16 MB of zeros in one block */
    size_t big = 16u << 20;
    uint8_t *z = calloc(1, big);
    if (z) {
        uint32_t bl = (uint32_t)(big - 4);
        for (int i = 0; i < 4; i++)
            z[i] = (uint8_t)(bl >> (8 * i));
        size_t cl = lzma_raw(z, big, comp, sizeof comp);
        fl = mknsis(f, sizeof f, exe, el, 100, comp, cl);
        nsis_run(f, fl, &r, 100u << 20);
        TAP_OK(cl && r.limits == 1 && r.which == VG_LIMIT_RATIO && r.len <= (1u << 20),
               "NSIS LZMA bomb (16 MB from %zu bytes) stops at the ratio ceiling", cl);
        free(r.data);
        free(z);
    }

    /* no first header: nothing */
    nsis_run(exe, el, &r, 100u << 20);
    TAP_OK(r.members == 0 && r.warns == 0, "a PE without an NSIS header is left alone");
    free(exe);
}

/* ------------------------------------------------------------ InstallShield */

/* clam.exe padded to 1024 bytes, then "InstallShield" with one file `nm`
 * holding `data` (zlib-compressed, then obfuscated as the format says). */
static size_t mkishield(uint8_t *out, size_t cap, const uint8_t *exe, size_t el,
                        const char *nm, const uint8_t *data, size_t dl)
{
    static const uint8_t mix[4] = {0x13, 0x35, 0x86, 0x07};
    uLongf zl = compressBound((uLong)dl);
    if (cap < 1024 + 0x2e + 312 + zl || el > 1024)
        return 0;
    memset(out, 0, 1024 + 0x2e + 312);
    memcpy(out, exe, el);
    uint8_t *h = out + 1024;
    memcpy(h, "InstallShield", 14);
    h[14] = 1;
    uint8_t *e = h + 0x2e;
    size_t nl = strlen(nm);
    memcpy(e, nm, nl);
    e[260] = 6;
    uint8_t *z = e + 312;
    if (compress2(z, &zl, data, (uLong)dl, 9) != Z_OK)
        return 0;
    for (int k = 0; k < 8; k++)
        e[268 + k] = (uint8_t)((uint64_t)zl >> (8 * k));
    for (size_t i = 0; i < zl; i++) {
        uint8_t key = (uint8_t)((uint8_t)nm[(i % 1024) % nl] ^ mix[((i % 1024) % nl) % 4]);
        uint8_t b = (uint8_t)~z[i] ^ key; /* inverse of ~(key ^ swap(b)) */
        z[i] = (uint8_t)((b >> 4) | (b << 4));
    }
    return 1024 + 0x2e + 312 + zl;
}

static void ishield_run(const uint8_t *f, size_t fl, rec *r)
{
    vg_exe_info x;
    memset(r, 0, sizeof *r);
    if (vg_exe_parse(f, fl, NULL, &x) != VG_OK) {
        r->warns = 1000;
        return;
    }
    vgarc_sink s = {r, on_member, on_limit, NULL, on_warning, &lim, 100u << 20,
                    VG_LIMIT_FILESIZE};
    if (vgishield_extract(&x, f, fl, &s) != VG_OK)
        r->warns += 1000;
    vg_exe_free(&x);
}

static void test_ishield(void)
{
    size_t len, el;
    uint8_t *exe = tap_read_file(TESTFILES "clam.exe", &el);
    uint8_t *d = tap_read_file(TESTFILES "clam_ISmsi_ext.exe", &len);
    rec r;
    if (!d || !exe) {
        TAP_OK(0, "clam_ISmsi_ext.exe: clamav-testfiles missing");
        free(d);
        free(exe);
        return;
    }
    ishield_run(d, len, &r);
    free(r.data);
    memset(&r, 0, sizeof r);
    r.want = exe;
    r.wantlen = el;
    vg_exe_info x;
    if (vg_exe_parse(d, len, NULL, &x) == VG_OK) {
        vgarc_sink s = {&r, on_member, on_limit, NULL, on_warning, &lim, 100u << 20,
                        VG_LIMIT_FILESIZE};
        vgishield_extract(&x, d, len, &s);
        vg_exe_free(&x);
    }
    TAP_OK(r.members == 5 && r.saw,
           "clam_ISmsi_ext.exe: 5 files, one of them (clam.exe409.bmp) is clam.exe (%u files)",
           r.members);
    free(r.data);
    free(d);
    d = tap_read_file(TESTFILES "clam_ISmsi_int.exe", &len);
    if (d) {
        ishield_run(d, len, &r);
        TAP_OK(r.members == 4 && !strcmp(r.name, "Setup.ini"),
               "clam_ISmsi_int.exe: the 4 files of its stream (0x0409.ini, EvalMarker.dat, "
               "clam.msi, Setup.ini)");
        free(r.data);
        free(d);
    }

    static uint8_t f[1 << 16];
    static const char txt[] = "a file inside an InstallShield stream, long enough to "
                              "compress: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    size_t fl = mkishield(f, sizeof f, exe, el, "setup.ini", (const uint8_t *)txt, sizeof txt);
    ishield_run(f, fl, &r);
    TAP_OK(fl && r.members == 1 && r.len == sizeof txt && !memcmp(r.data, txt, sizeof txt),
           "hand-made stream: name-keyed obfuscation and zlib undone");
    free(r.data);
    unsigned bad = 0;
    for (size_t k = 1024; k < fl; k++) {
        f[k] ^= 0x40;
        ishield_run(f, fl, &r);
        bad += r.warns >= 1000 || r.members > 1 || r.len > (1u << 20);
        free(r.data);
        f[k] ^= 0x40;
    }
    TAP_OK(bad == 0, "hand-made stream with each byte damaged in turn: bounded, no crash");
    for (size_t cut = 1024; cut < fl; cut += 3) {
        ishield_run(f, cut, &r);
        bad += r.warns >= 1000 || r.members > 1;
        free(r.data);
    }
    TAP_OK(bad == 0, "hand-made stream cut anywhere: no crash");

    /* bomb: 32 MB of zeros (about 32 KB stored) */
    size_t big = 32u << 20;
    uint8_t *z = calloc(1, big);
    size_t fbl = 2048 + compressBound((uLong)big);
    uint8_t *fb = malloc(fbl);
    fl = z && fb ? mkishield(fb, fbl, exe, el, "bomb.bin", z, big) : 0;
    ishield_run(fb, fl, &r);
    TAP_OK(fl && r.members == 0 && r.limits == 1 && r.which == VG_LIMIT_RATIO,
           "InstallShield zlib bomb stops at the ratio ceiling (limit %u)", r.which);
    free(r.data);
    free(z);
    free(fb);
    free(exe);
}

/* ------------------------------------------------------------ ISc( cabinets */

static void isc_run(const uint8_t *f, size_t fl, rec *r, const uint8_t *want, size_t wl)
{
    vg_exe_info x;
    memset(r, 0, sizeof *r);
    r->want = want;
    r->wantlen = wl;
    if (vg_exe_parse(f, fl, NULL, &x) != VG_OK) {
        r->warns = 1000;
        return;
    }
    vgarc_sink s = {r, on_member, on_limit, NULL, on_warning, &lim, 100u << 20,
                    VG_LIMIT_FILESIZE};
    if (vgisc_extract(&x, f, fl, &s) != VG_OK)
        r->warns += 1000;
    vg_exe_free(&x);
}

static size_t put_rec(uint8_t *p, const char *name, const uint8_t *d, size_t n)
{
    int k = sprintf((char *)p, "%s%cDisk1\\%s%c0.0.0.0%c%zu", name, 0, name, 0, 0, n);
    p[k] = 0;
    memcpy(p + k + 1, d, n);
    return (size_t)k + 1 + n;
}

static void le32(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void test_isc(void)
{
    size_t len, el;
    uint8_t *exe = tap_read_file(TESTFILES "clam.exe", &el);
    uint8_t *d = tap_read_file(TESTFILES "clam_IScab_int.exe", &len);
    rec r;
    if (!d || !exe) {
        TAP_OK(0, "clam_IScab_int.exe: clamav-testfiles missing");
        free(d);
        free(exe);
        return;
    }
    isc_run(d, len, &r, exe, el);
    TAP_OK(r.saw && r.members >= 7 && r.warns == 0,
           "clam_IScab_int.exe: the overlay's disk files and clam.exe from data2.cab via data1.hdr "
           "(%u members)", r.members);
    free(r.data);
    /* damage in the header and the cabinet (0x7077b .. 0x7338a) */
    unsigned bad = 0;
    for (size_t k = 0x7077b; k < 0x7338a; k += 11) {
        d[k] ^= 0x81;
        isc_run(d, len, &r, NULL, 0);
        bad += r.warns >= 1000 || r.members > 40;
        free(r.data);
        d[k] ^= 0x81;
    }
    TAP_OK(bad == 0, "clam_IScab_int.exe with damaged tables and data: bounded, no crash");
    free(d);

    /* hand-made: a plain record, data1.hdr with 2 files, data1.cab */
    static uint8_t f[1 << 16], hdr[1024], cab[1024];
    static const char stored[] = "stored file", comp_src[] = "compressed file compressed file";
    memset(hdr, 0, sizeof hdr);
    memset(cab, 0, sizeof cab);
    memcpy(hdr, "ISc(", 4);
    le32(hdr + 12, 0x20, 4);             /* descriptor at 0x20 */
    le32(hdr + 0x20 + 0x0c, 0x40, 4);    /* file table at 0x60 */
    le32(hdr + 0x20 + 0x28, 2, 4);       /* 2 files */
    le32(hdr + 0x20 + 0x2c, 0x10, 4);    /* descriptors at table + 0x10 */
    memcpy(hdr + 0x60 + 0x100, "one.txt", 8);
    memcpy(hdr + 0x60 + 0x110, "two.txt", 8);
    memcpy(cab, "ISc(", 4);
    memcpy(cab + 0x40, stored, sizeof stored);
    uint8_t *c = cab + 0x80;             /* one chunk: u16 length + raw deflate */
    size_t cl = deflate_raw((const uint8_t *)comp_src, sizeof comp_src, c + 2, 512);
    le32(c, cl, 2);
    for (int i = 0; i < 2; i++) {
        uint8_t *fd = hdr + 0x60 + 0x10 + 0x57 * i;
        le32(fd, i ? 4 : 0, 2);
        le32(fd + 2, i ? sizeof comp_src : sizeof stored, 8);
        le32(fd + 10, i ? cl + 2 : sizeof stored, 8);
        le32(fd + 18, i ? 0x80 : 0x40, 8);
        le32(fd + 58, i ? 0x110 : 0x100, 4);
        le32(fd + 0x55, 1, 2);
    }
    /* the records follow a PE with no overlay (clam-upx.exe: its last
     * section ends at its end) */
    size_t n = 0;
    uint8_t *base = tap_read_file(TESTFILES "clam-upx.exe", &n);
    if (!base || n > 8192) {
        TAP_OK(0, "clam-upx.exe missing");
        free(base);
        free(exe);
        return;
    }
    memcpy(f, base, n);
    free(base);
    n += put_rec(f + n, "setup.ini", (const uint8_t *)"[Startup]", 9);
    n += put_rec(f + n, "data1.hdr", hdr, sizeof hdr);
    n += put_rec(f + n, "data1.cab", cab, sizeof cab);
    isc_run(f, n, &r, (const uint8_t *)comp_src, sizeof comp_src);
    TAP_OK(r.members == 3 && r.saw && !strcmp(r.name, "two.txt") && cl,
           "hand-made: plain record, stored file and chunked-deflate file (%u members, last %s)",
           r.members, r.name);
    free(r.data);
    isc_run(f, n, &r, (const uint8_t *)stored, sizeof stored);
    TAP_OK(r.saw, "hand-made: the stored file's bytes as given");
    free(r.data);
    /* truncation anywhere: no crash */
    bad = 0;
    for (size_t cut = 3072; cut < n; cut += 5) {
        isc_run(f, cut, &r, NULL, 0);
        bad += r.warns >= 1000 || r.members > 3;
        free(r.data);
    }
    TAP_OK(bad == 0, "hand-made listing cut anywhere: no crash");
    free(exe);
}

int main(void)
{
    lim.max_ratio = 250;
    lim.ratio_min_size = 1u << 20;
    test_deflate64_rules();
    test_deflate64_bomb();
    test_implode_rules();
    test_real();
    test_7zip();
    test_nrv2();
    test_upx();
    test_nsis();
    test_ishield();
    test_isc();
    return tap_done();
}
