/* fmt/nsis.c - Nullsoft (NSIS) installers: the data blocks after the
 * "first header", decompressed and handed out one by one.
 *
 * ClamAV unpacks NSIS installers (clam-nsis.exe: "NSIS: Successfully
 * extracted file #1, #2", the script header and the installed file) and
 * scans each block. Layout, from the NSIS documentation of its file format
 * (fileform.h's firstheader) and the observed file:
 *
 *   PE stub, then at a 512-byte boundary of the overlay the first header:
 *     u32 flags | u32 0xDEADBEEF | "NullsoftInst" | u32 header_size
 *     | u32 archive_size (from the first header's start, itself included)
 *   then either
 *     non-solid: blocks "u32 n | data": n & 0x80000000 set means the
 *                n & 0x7fffffff bytes are compressed on their own; the
 *                first block is the script header (header_size bytes once
 *                decompressed), the others the installed files;
 *     solid:     one compressed stream whose output is the same sequence
 *                of "u32 n | n bytes" blocks (n without the flag bit).
 *   Compression: LZMA (5 property bytes, 0x5d for NSIS's settings, then a
 *   raw LZMA1 stream, decoded with liblzma's raw decoder), zlib (raw
 *   deflate, fmt/inflate64.c), or NSIS's own bzip2 variant (not decoded:
 *   reported as a warning).
 * Non-solid is taken when the first u32 has the flag and its block starts
 * like a compressed stream, or has no flag and equals header_size; else
 * solid.
 *
 * Limits: each block goes through a vgbuf whose ceiling is the smaller of
 * sink->max_member and the ratio limit (compressed bytes x max_ratio, at
 * least ratio_min_size); the solid stream's ceiling is the same ratio
 * ceiling, and never more than 4 x max_member. A block
 * past its ceiling is dropped and the limit reported. At most MAX_BLOCKS
 * blocks; the LZMA dictionary is never larger than the output ceiling. */
#include "nsis.h"

#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/rd.h"
#include "fmt/inflate64.h"

#define MAX_BLOCKS 4096u
#define MAX_PROBES 65536u /* 512-byte steps searched for the first header */
#define LZ_CHUNK (64u * 1024)

static const uint8_t magic[16] = {0xef, 0xbe, 0xad, 0xde, 'N', 'u', 'l', 'l',
                                  's',  'o',  'f',  't',  'I', 'n', 's', 't'};

enum comp { C_LZMA, C_ZLIB, C_BZIP2 };

static enum comp sniff(const uint8_t *p, size_t n)
{
    if (n >= 5 && p[0] == 0x5d && p[1] == 0 && p[2] == 0)
        return C_LZMA;
    if (n >= 1 && p[0] == 0x31) /* NSIS bzip2 starts with its block size */
        return C_BZIP2;
    return C_ZLIB;
}

static vg_status lzma_dec(const uint8_t *in, size_t n, vgbuf *out)
{
    vgrd r;
    vgrd_init(&r, in, n);
    const uint8_t *pp = vgrd_take(&r, 5);
    if (!pp || pp[0] >= 9 * 5 * 5)
        return VG_EFORMAT;
    lzma_options_lzma o;
    if (lzma_lzma_preset(&o, 6))
        return VG_EFORMAT;
    o.lc = pp[0] % 9u;
    o.lp = (pp[0] / 9u) % 5u;
    o.pb = pp[0] / 45u;
    uint32_t dict = (uint32_t)pp[1] | (uint32_t)pp[2] << 8 | (uint32_t)pp[3] << 16 |
                    (uint32_t)pp[4] << 24;
    size_t room = out->max - out->len;
    if (dict > room)
        dict = room > UINT32_MAX ? UINT32_MAX : (uint32_t)room;
    o.dict_size = dict < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN : dict;
    lzma_filter f[2] = {{LZMA_FILTER_LZMA1, &o}, {LZMA_VLI_UNKNOWN, NULL}};
    lzma_stream s = LZMA_STREAM_INIT;
    if (lzma_raw_decoder(&s, f) != LZMA_OK)
        return VG_ENOMEM;
    uint8_t *chunk = malloc(LZ_CHUNK);
    vg_status st = chunk ? VG_OK : VG_ENOMEM;
    s.next_in = in + 5;
    s.avail_in = n - 5;
    while (st == VG_OK) {
        s.next_out = chunk;
        s.avail_out = LZ_CHUNK;
        lzma_ret lr = lzma_code(&s, LZMA_RUN);
        size_t got = LZ_CHUNK - s.avail_out;
        if (got && (st = vgbuf_append(out, chunk, got)) != VG_OK)
            break;
        if (lr == LZMA_STREAM_END)
            break;
        if (lr != LZMA_OK) {
            st = lr == LZMA_MEM_ERROR ? VG_ENOMEM : VG_EFORMAT;
            break;
        }
        if (got == 0 && s.avail_in == 0)
            break; /* no end marker: the input's end is the stream's */
    }
    free(chunk);
    lzma_end(&s);
    return st;
}

static vg_status decomp(enum comp c, const uint8_t *in, size_t n, vgbuf *out)
{
    if (c == C_LZMA)
        return lzma_dec(in, n, out);
    if (c == C_ZLIB)
        return vginf_decode(in, n, 0, out);
    return VG_EUNSUPPORTED;
}

typedef struct ctx {
    const vgarc_sink *sink;
    unsigned nblocks;
} ctx;

/* Ceiling for the output of `csize` compressed bytes; *which = the limit
 * that sets it. */
static uint64_t ceiling(const vgarc_sink *s, uint64_t csize, unsigned *which)
{
    uint64_t cap = s->max_member;
    *which = s->max_member_limit;
    const vg_limits *l = s->limits;
    if (l && l->max_ratio) {
        uint64_t r = (csize ? csize : 1) * l->max_ratio;
        if (r < l->ratio_min_size)
            r = l->ratio_min_size;
        if (r < cap) {
            cap = r;
            *which = VG_LIMIT_RATIO;
        }
    }
    return cap;
}

static vg_status emit(ctx *c, const uint8_t *p, size_t n)
{
    char name[32];
    snprintf(name, sizeof name, "NSIS.%u", ++c->nblocks);
    return c->sink->member(c->sink->user, name, n ? p : (const uint8_t *)"", n);
}

static void warn(const vgarc_sink *s, const char *m)
{
    if (s->warning)
        s->warning(s->user, m);
}

/* One non-solid block's payload. */
static vg_status block(ctx *c, enum comp cm, int compressed, const uint8_t *p, size_t n)
{
    const vgarc_sink *s = c->sink;
    if (!compressed) {
        if (n > s->max_member) {
            if (s->limit)
                s->limit(s->user, s->max_member_limit, "NSIS");
            return VG_OK;
        }
        return emit(c, p, n);
    }
    unsigned which;
    uint64_t cap = ceiling(s, n, &which);
    vgbuf b;
    vgbuf_init(&b, cap < SIZE_MAX ? (size_t)cap : SIZE_MAX);
    vg_status st = decomp(cm, p, n, &b);
    if (st == VG_ELIMIT) {
        if (s->limit)
            s->limit(s->user, which, "NSIS");
        st = VG_OK;
    } else if (st == VG_EUNSUPPORTED) {
        warn(s, "NSIS: bzip2 blocks are not decoded");
        st = VG_OK;
    } else if (st == VG_OK || (st == VG_EFORMAT && b.len)) {
        if (st == VG_EFORMAT)
            warn(s, "NSIS: damaged compressed block");
        st = emit(c, b.data, b.len);
    } else if (st == VG_EFORMAT) {
        warn(s, "NSIS: damaged compressed block");
        st = VG_OK;
    }
    vgbuf_free(&b);
    return st;
}

static vg_status nonsolid(ctx *c, vgrd *r)
{
    enum comp cm = C_ZLIB;
    int first = 1;
    /* more than 4 bytes: the archive ends with a CRC32 (unless a flag
     * says otherwise), which is no block */
    while (vgrd_left(r) > 4 && c->nblocks < MAX_BLOCKS) {
        uint32_t v;
        if (vgrd_u32le(r, &v) != VG_OK)
            break;
        size_t n = v & 0x7fffffffu;
        const uint8_t *p = vgrd_take(r, n);
        if (!p) {
            warn(c->sink, "NSIS: block past the end of the archive");
            break;
        }
        int compressed = (v & 0x80000000u) != 0;
        if (compressed && first)
            cm = sniff(p, n);
        if (compressed)
            first = 0;
        vg_status st = block(c, cm, compressed, p, n);
        if (st != VG_OK)
            return st;
    }
    return VG_OK;
}

static vg_status solid(ctx *c, const uint8_t *p, size_t n)
{
    const vgarc_sink *s = c->sink;
    enum comp cm = sniff(p, n);
    unsigned which;
    uint64_t cap = ceiling(s, n, &which);
    if (s->max_member <= UINT64_MAX / 4 && cap > 4 * s->max_member)
        cap = 4 * s->max_member; /* several members, but bounded */
    vgbuf b;
    vgbuf_init(&b, cap < SIZE_MAX ? (size_t)cap : SIZE_MAX);
    vg_status st = decomp(cm, p, n, &b);
    if (st == VG_ELIMIT) {
        if (s->limit)
            s->limit(s->user, which, "NSIS");
    } else if (st == VG_EUNSUPPORTED) {
        warn(s, "NSIS: bzip2 blocks are not decoded");
    } else if (st == VG_EFORMAT && b.len == 0) {
        warn(s, "NSIS: damaged solid stream");
    }
    if (st == VG_ENOMEM) {
        vgbuf_free(&b);
        return st;
    }
    /* the blocks inside, stored (ceilings applied again per block) */
    vgrd r;
    vgrd_init(&r, b.data ? b.data : (const uint8_t *)"", b.len);
    st = VG_OK;
    while (st == VG_OK && vgrd_left(&r) >= 4 && c->nblocks < MAX_BLOCKS) {
        uint32_t v;
        (void)vgrd_u32le(&r, &v);
        size_t bl = v & 0x7fffffffu;
        const uint8_t *q = vgrd_take(&r, bl);
        if (!q) /* cut by the ceiling or damaged: what is there */
            q = vgrd_take(&r, bl = vgrd_left(&r));
        st = block(c, cm, 0, q, bl);
    }
    vgbuf_free(&b);
    return st;
}

/* The first header at or after `from` (512-aligned), or len. */
static size_t find_first(const uint8_t *d, size_t len, size_t from)
{
    size_t p = (from + 511u) & ~(size_t)511u;
    for (unsigned i = 0; i < MAX_PROBES && p + 28 <= len && p >= from; i++, p += 512)
        if (!memcmp(d + p + 4, magic, sizeof magic))
            return p;
    return len;
}

vg_status vgnsis_extract(const vg_exe_info *x, const uint8_t *d, size_t len,
                         const vgarc_sink *sink)
{
    if (!x || x->kind != VG_EXE_PE || !x->u.pe.overlay_size)
        return VG_OK;
    size_t at = find_first(d, len, (size_t)x->u.pe.overlay_offset);
    if (at >= len)
        return VG_OK;
    vgrd r;
    uint32_t flags, hsize, asize;
    vgrd_init(&r, d, len);
    if (vgrd_seek(&r, at) != VG_OK || vgrd_u32le(&r, &flags) != VG_OK ||
        vgrd_skip(&r, 16) != VG_OK || vgrd_u32le(&r, &hsize) != VG_OK ||
        vgrd_u32le(&r, &asize) != VG_OK)
        return VG_OK;
    size_t end = asize >= 28 && asize <= len - at ? at + asize : len;
    vgrd a;
    vgrd_init(&a, d + at + 28, end - at - 28);
    ctx c = {sink, 0};
    uint32_t v = 0;
    const uint8_t *p = vgrd_span(&a, 0, 4);
    if (p)
        v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    size_t n = v & 0x7fffffffu;
    int ns = 0;
    if (p && n <= vgrd_left(&a) - 4) {
        const uint8_t *q = d + at + 32;
        if (v & 0x80000000u)
            ns = n >= 5 && (sniff(q, n) != C_ZLIB || (q[0] & 6) != 6);
        else
            ns = v == hsize;
    }
    return ns ? nonsolid(&c, &a) : solid(&c, a.base, a.len);
}
