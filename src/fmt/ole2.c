/* fmt/ole2.c - OLE2 compound files (Word, Excel, PowerPoint, MSI, embedded
 * objects): every stream becomes a member, plus what two kinds of streams
 * carry inside them.
 *
 * Format (MS-CFB): a 512-byte header, then sectors of 2^SectorShift bytes
 * (sector n at (n + 1) << shift):
 *   0x1e u16 sector shift (9 or 12)   0x20 u16 mini sector shift (6)
 *   0x2c u32 FAT sector count         0x30 u32 first directory sector
 *   0x38 u32 mini stream cutoff (4096) 0x3c u32 first mini-FAT sector
 *   0x44 u32 first DIFAT sector       0x48 u32 DIFAT sector count
 *   0x4c 109 x u32 the first FAT sector numbers (the DIFAT head)
 * The FAT maps each sector to the next of its chain; the directory is a
 * chain of 128-byte entries (UTF-16 name of up to 32 units, name length in
 * bytes at 64, type at 66: 2 stream, 5 root; start sector at 116, size at
 * 120). Streams shorter than the cutoff live in the mini stream (the root
 * entry's chain) in 64-byte sectors mapped by the mini FAT.
 * Inside streams:
 *   - "\1Ole10Native" (an OLE1 object saved in OLE2): u32 size, then
 *     Object Packager data; the packaged file is a member too
 *     (vgdoc_package), as the user would open it;
 *   - "PowerPoint Document": records of u16 version/instance, u16 type,
 *     u32 length; an ExOleObjStg record (type 0x1011) with instance 1 holds
 *     u32 size + a zlib stream: the embedded object (an OLE2 file), which
 *     is inflated and handed out. Containers (version 0xf) are walked by
 *     stepping into them, so the walk is one linear pass.
 * Bounds: every chain is followed at most as many steps as the file has
 * sectors (a loop ends there); the FAT is at most the file's sector count;
 * OLE2_MAX_ENTRIES directory entries; members above the member ceiling are
 * reported and skipped; inflated objects obey the ratio guard
 * (limits->max_ratio beyond limits->ratio_min_size, vgdoc_inflate). */
#include "fmt/docs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rd.h"

#define OLE2_MAX_ENTRIES 100000u
#define ENDCHAIN 0xfffffffeu
#define PPT_EXOLEOBJSTG 0x1011u

typedef struct cfb {
    const uint8_t *d;
    size_t len;
    unsigned shift;
    size_t ssz;     /* sector size */
    size_t nsect;   /* sectors in the file */
    uint32_t *fat;  /* nfat entries */
    size_t nfat;
    uint32_t *mfat; /* mini FAT */
    size_t nmfat;
    vgbuf mini;     /* the mini stream */
    uint32_t cutoff;
    const vgarc_sink *sink;
} cfb;

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static const uint8_t *sector(const cfb *c, uint32_t s)
{
    if ((size_t)s >= c->nsect)
        return NULL;
    return c->d + ((size_t)s + 1) * c->ssz;
}

/* Append the chain from `start` (table t of n entries, units of `unit`
 * bytes taken from base/blen) to b, at most `want` bytes. */
static vg_status chain(const cfb *c, const uint32_t *t, size_t n, uint32_t start,
                       uint64_t want, int mini, vgbuf *b)
{
    size_t unit = mini ? 64 : c->ssz;
    uint32_t s = start;
    for (size_t steps = 0; s < n && steps < n && b->len < want; steps++) {
        const uint8_t *p;
        if (mini) {
            size_t off = (size_t)s * 64;
            p = off + 64 <= c->mini.len ? c->mini.data + off : NULL;
        } else {
            p = sector(c, s);
        }
        if (!p)
            break;
        size_t take = unit;
        if (want - b->len < take)
            take = (size_t)(want - b->len);
        vg_status st = vgbuf_append(b, p, take);
        if (st != VG_OK)
            return st;
        s = t[s];
    }
    return VG_OK;
}

static vg_status load_fat(cfb *c)
{
    const uint8_t *h = c->d;
    uint32_t nfs = rd32(h + 0x2c), difat = rd32(h + 0x44), ndifat = rd32(h + 0x48);
    size_t per = c->ssz / 4;
    if (nfs > c->nsect)
        nfs = (uint32_t)c->nsect;
    c->nfat = (size_t)nfs * per;
    c->fat = malloc((c->nfat ? c->nfat : 1) * sizeof *c->fat);
    if (!c->fat)
        return VG_ENOMEM;
    memset(c->fat, 0xff, (c->nfat ? c->nfat : 1) * sizeof *c->fat);
    size_t k = 0;
    for (; k < nfs && k < 109; k++) {
        const uint8_t *p = sector(c, rd32(h + 0x4c + 4 * k));
        for (size_t i = 0; p && i < per; i++)
            c->fat[k * per + i] = rd32(p + 4 * i);
    }
    for (uint32_t i = 0; k < nfs && i < ndifat && i <= c->nsect; i++) {
        const uint8_t *dp = sector(c, difat);
        if (!dp)
            break;
        for (size_t j = 0; j + 1 < per && k < nfs; j++, k++) {
            const uint8_t *p = sector(c, rd32(dp + 4 * j));
            for (size_t e = 0; p && e < per; e++)
                c->fat[k * per + e] = rd32(p + 4 * e);
        }
        difat = rd32(dp + 4 * (per - 1));
    }
    return VG_OK;
}

/* "PowerPoint Document": compressed embedded objects. */
static vg_status ppt(const cfb *c, const uint8_t *p, size_t n)
{
    size_t pos = 0;
    unsigned k = 0;
    while (pos + 8 <= n) {
        uint16_t vi = (uint16_t)(p[pos] | p[pos + 1] << 8);
        uint16_t type = (uint16_t)(p[pos + 2] | p[pos + 3] << 8);
        uint32_t rl = rd32(p + pos + 4);
        if ((vi & 0xf) == 0xf) { /* container: its children follow */
            pos += 8;
            continue;
        }
        if (rl > n - pos - 8)
            break;
        if (type == PPT_EXOLEOBJSTG && (vi >> 4) == 1 && rl > 4) {
            vgbuf b;
            vgdoc_buf(&b, c->sink);
            int ratio = 0;
            vg_status st = vgdoc_inflate(p + pos + 12, rl - 4, c->sink->limits, &b, &ratio);
            char nm[32];
            snprintf(nm, sizeof nm, "ppt-object%u", ++k);
            if (ratio) {
                if (c->sink->limit)
                    c->sink->limit(c->sink->user, VG_LIMIT_RATIO, nm);
                st = VG_OK;
            } else {
                st = vgdoc_emit(c->sink, nm, b.data, b.len, st);
            }
            vgbuf_free(&b);
            if (st != VG_OK)
                return st;
        }
        pos += 8 + (size_t)rl;
    }
    return VG_OK;
}

/* The entry's name, UTF-16LE, as ASCII ('_' for anything else). */
static void entry_name(const uint8_t *e, char *nm)
{
    size_t nl = (size_t)(e[64] | e[65] << 8) / 2;
    if (nl > 32)
        nl = 32;
    size_t o = 0;
    for (size_t i = 0; i < nl; i++) {
        unsigned u = (unsigned)(e[2 * i] | e[2 * i + 1] << 8);
        if (u == 0)
            break;
        nm[o++] = u >= 0x20 && u < 0x7f && u != '/' ? (char)u : '_';
    }
    nm[o] = 0;
}

static int is_name(const uint8_t *e, const char *ascii)
{
    size_t n = strlen(ascii);
    if ((size_t)(e[64] | e[65] << 8) != 2 * (n + 1))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned u = (unsigned)(e[2 * i] | e[2 * i + 1] << 8);
        unsigned a = (unsigned char)ascii[i];
        if (u != a && !(a >= 'a' && a <= 'z' && u == a - 32))
            return 0;
    }
    return 1;
}

static vg_status stream(cfb *c, const uint8_t *e)
{
    char nm[40];
    entry_name(e, nm);
    uint32_t start = rd32(e + 116);
    uint64_t size = rd32(e + 120); /* version 3: the high half is unused */
    if (c->shift == 12)
        size |= (uint64_t)rd32(e + 124) << 32;
    if (size == 0)
        return VG_OK;
    if (size > c->sink->max_member)
        return vgdoc_emit(c->sink, nm, NULL, 0, VG_ELIMIT);
    vgbuf b;
    vgdoc_buf(&b, c->sink);
    vg_status st = size < c->cutoff ? chain(c, c->mfat, c->nmfat, start, size, 1, &b)
                                    : chain(c, c->fat, c->nfat, start, size, 0, &b);
    if (st == VG_OK && b.len < size)
        vgdoc_warn(c->sink, "ole2: stream shorter than its entry says");
    st = vgdoc_emit(c->sink, nm, b.data, b.len, st);
    if (st == VG_OK && b.len > 4 && is_name(e, "\x01ole10native")) {
        size_t fl = 0;
        char fn[256];
        const uint8_t *f = vgdoc_package(b.data + 4, b.len - 4, &fl, fn, sizeof fn);
        if (f)
            st = vgdoc_emit(c->sink, fn, f, fl, VG_OK);
    }
    if (st == VG_OK && is_name(e, "powerpoint document"))
        st = ppt(c, b.data, b.len);
    vgbuf_free(&b);
    return st;
}

static vg_status walk(cfb *c)
{
    const uint8_t *h = c->d;
    vgbuf dir;
    vgbuf_init(&dir, (size_t)OLE2_MAX_ENTRIES * 128);
    vg_status st = chain(c, c->fat, c->nfat, rd32(h + 0x30), UINT64_MAX, 0, &dir);
    if (st == VG_ELIMIT)
        st = VG_OK; /* the first OLE2_MAX_ENTRIES entries */
    size_t n = dir.len / 128;
    if (st == VG_OK && n == 0) {
        vgdoc_warn(c->sink, "ole2: no directory");
        st = VG_EFORMAT;
    }
    /* the root entry (first) locates the mini stream */
    if (st == VG_OK && dir.data[66] == 5) {
        c->cutoff = rd32(h + 0x38);
        vgbuf mf;
        vgbuf_init(&mf, c->nfat * 4 + 4);
        st = chain(c, c->fat, c->nfat, rd32(h + 0x3c), (uint64_t)rd32(h + 0x40) * c->ssz, 0,
                   &mf);
        if (st == VG_ELIMIT)
            st = VG_OK;
        c->nmfat = mf.len / 4;
        c->mfat = malloc((c->nmfat ? c->nmfat : 1) * sizeof *c->mfat);
        if (!c->mfat)
            st = VG_ENOMEM;
        for (size_t i = 0; st == VG_OK && i < c->nmfat; i++)
            c->mfat[i] = rd32(mf.data + 4 * i);
        vgbuf_free(&mf);
        vgbuf_init(&c->mini, c->nmfat * 64 + 64);
        if (st == VG_OK)
            st = chain(c, c->fat, c->nfat, rd32(dir.data + 116), rd32(dir.data + 120), 0,
                       &c->mini);
        if (st == VG_ELIMIT)
            st = VG_OK;
    }
    for (size_t i = 0; i < n && st == VG_OK; i++) {
        const uint8_t *e = dir.data + i * 128;
        if (e[66] == 2)
            st = stream(c, e);
    }
    vgbuf_free(&dir);
    return st;
}

vg_status vgole2_extract(const uint8_t *data, size_t len, const vgarc_sink *sink)
{
    cfb c;
    memset(&c, 0, sizeof c);
    c.d = data;
    c.len = len;
    c.sink = sink;
    c.cutoff = 4096;
    if (len < 512 || memcmp(data, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8)) {
        vgdoc_warn(sink, "ole2: no header");
        return VG_EFORMAT;
    }
    c.shift = (unsigned)(data[0x1e] | data[0x1f] << 8);
    if (c.shift != 9 && c.shift != 12) {
        vgdoc_warn(sink, "ole2: bad sector size");
        return VG_EFORMAT;
    }
    c.ssz = (size_t)1 << c.shift;
    c.nsect = len / c.ssz; /* the header takes the first sector's room */
    c.nsect = c.nsect ? c.nsect - 1 : 0;
    vgbuf_init(&c.mini, 0);
    vg_status st = load_fat(&c);
    if (st == VG_OK)
        st = walk(&c);
    free(c.fat);
    free(c.mfat);
    vgbuf_free(&c.mini);
    return st;
}
