/* fmt/zipold.c - zip members compressed with implode (6) or Deflate64 (9).
 *
 * libarchive lists these members but refuses their data ("Unsupported ZIP
 * compression method"), while ClamAV scans them. So after libarchive has
 * read a zip (arc_la.c), this walks the central directory itself and
 * decodes just those members with our own bounded decoders (implode.c,
 * inflate64.c); every other method stays libarchive's, so nothing is
 * scanned twice.
 *
 * Layout (PKWARE APPNOTE 4.3): the end-of-central-directory record
 * (PK\5\6, 22 bytes + comment of up to 65535) gives the entry count and
 * the directory's offset; each central header (PK\1\2, 46 bytes + name +
 * extra + comment) gives flags, method, sizes and its local header's
 * offset; the local header (PK\3\4, 30 bytes + name + extra) is followed
 * by the compressed data. Sizes come from the central header (a local one
 * may defer them to a data descriptor). Zip64 sizes (0xffffffff) and
 * multi-disk archives are left alone.
 *
 * Limits: the output buffer's ceiling is the smaller of sink->max_member
 * and (when ratio checking applies) the compressed size times max_ratio,
 * but never under ratio_min_size: a member that reaches it is dropped and
 * reported with the limit that set it. At most MAX_ENTRIES central headers
 * are read. */
#include "zipold.h"

#include <string.h>

#include "core/buf.h"
#include "core/rd.h"
#include "fmt/implode.h"
#include "fmt/inflate64.h"

#define MAX_ENTRIES 65535u
#define NAME_MAX_KEPT 1024u
#define EOCD_SIZE 22u

static int find_eocd(const uint8_t *d, size_t len, size_t *at)
{
    if (len < EOCD_SIZE)
        return 0;
    size_t lo = len - EOCD_SIZE > 65535 ? len - EOCD_SIZE - 65535 : 0;
    for (size_t i = len - EOCD_SIZE + 1; i-- > lo;) {
        if (d[i] == 'P' && d[i + 1] == 'K' && d[i + 2] == 5 && d[i + 3] == 6) {
            *at = i;
            return 1;
        }
    }
    return 0;
}

typedef struct entry {
    uint16_t flags, method;
    uint32_t csize, usize, local;
    char name[NAME_MAX_KEPT + 1];
} entry;

/* Read one central header at r's cursor into e; the cursor moves past it. */
static vg_status central(vgrd *r, entry *e)
{
    uint32_t sig;
    uint16_t u16, nlen, xlen, clen;
    if (vgrd_u32le(r, &sig) != VG_OK || sig != 0x02014b50u)
        return VG_EFORMAT;
    vg_status st = vgrd_skip(r, 4); /* versions */
    if (st == VG_OK)
        st = vgrd_u16le(r, &e->flags);
    if (st == VG_OK)
        st = vgrd_u16le(r, &e->method);
    if (st == VG_OK)
        st = vgrd_skip(r, 8); /* time, date, crc */
    if (st == VG_OK)
        st = vgrd_u32le(r, &e->csize);
    if (st == VG_OK)
        st = vgrd_u32le(r, &e->usize);
    if (st == VG_OK)
        st = vgrd_u16le(r, &nlen);
    if (st == VG_OK)
        st = vgrd_u16le(r, &xlen);
    if (st == VG_OK)
        st = vgrd_u16le(r, &clen);
    if (st == VG_OK)
        st = vgrd_u16le(r, &u16); /* disk */
    if (st == VG_OK)
        st = vgrd_skip(r, 6); /* attributes */
    if (st == VG_OK)
        st = vgrd_u32le(r, &e->local);
    const uint8_t *nm = st == VG_OK ? vgrd_take(r, nlen) : NULL;
    if (!nm || vgrd_skip(r, (size_t)xlen + clen) != VG_OK)
        return VG_EFORMAT;
    size_t k = nlen < NAME_MAX_KEPT ? nlen : NAME_MAX_KEPT;
    memcpy(e->name, nm, k);
    e->name[k] = 0;
    return VG_OK;
}

/* Where the member's data starts, from its local header. */
static vg_status data_at(const uint8_t *d, size_t len, const entry *e, const uint8_t **p)
{
    vgrd r;
    uint32_t sig;
    uint16_t nlen, xlen;
    vgrd_init(&r, d, len);
    if (vgrd_seek(&r, e->local) != VG_OK || vgrd_u32le(&r, &sig) != VG_OK ||
        sig != 0x04034b50u || vgrd_skip(&r, 22) != VG_OK || vgrd_u16le(&r, &nlen) != VG_OK ||
        vgrd_u16le(&r, &xlen) != VG_OK || vgrd_skip(&r, (size_t)nlen + xlen) != VG_OK)
        return VG_EFORMAT;
    *p = vgrd_span(&r, r.pos, e->csize);
    return *p ? VG_OK : VG_EFORMAT;
}

static vg_status one(const uint8_t *d, size_t len, const entry *e, const vgarc_sink *s)
{
    if (e->flags & 1u) {
        if (s->encrypted)
            s->encrypted(s->user, "Zip", e->name);
        return VG_OK;
    }
    const uint8_t *p;
    if (data_at(d, len, e, &p) != VG_OK) {
        if (s->warning)
            s->warning(s->user, "zip member outside the file");
        return VG_OK;
    }
    uint64_t cap = s->max_member;
    unsigned which = s->max_member_limit;
    const vg_limits *l = s->limits;
    if (l && l->max_ratio) {
        uint64_t byratio = (uint64_t)(e->csize ? e->csize : 1) * l->max_ratio;
        if (byratio < l->ratio_min_size)
            byratio = l->ratio_min_size;
        if (byratio < cap) {
            cap = byratio;
            which = VG_LIMIT_RATIO;
        }
    }
    if (e->usize > cap) { /* implode stops at usize; deflate64 may lie */
        if (s->limit)
            s->limit(s->user, which, e->name);
        return VG_OK;
    }
    vgbuf b;
    vgbuf_init(&b, cap < SIZE_MAX ? (size_t)cap : SIZE_MAX);
    vg_status st = e->method == 9 ? vginf_decode(p, e->csize, 1, &b)
                                  : vgimp_decode(p, e->csize, e->flags, e->usize, &b);
    if (st == VG_ELIMIT) {
        if (s->limit)
            s->limit(s->user, which, e->name);
    } else if (st == VG_OK || (st == VG_EFORMAT && b.len > 0)) {
        if (st == VG_EFORMAT && s->warning)
            s->warning(s->user, "damaged zip member data");
        st = s->member(s->user, e->name, b.data ? b.data : (const uint8_t *)"", b.len);
    } else if (st == VG_EFORMAT) {
        if (s->warning)
            s->warning(s->user, "damaged zip member data");
        st = VG_OK;
    }
    vgbuf_free(&b);
    return st;
}

vg_status vgzipold_extract(const uint8_t *data, size_t len, const vgarc_sink *sink)
{
    size_t at;
    if (!find_eocd(data, len, &at))
        return VG_OK;
    vgrd r;
    uint16_t disk, cddisk, n, total;
    uint32_t cdsize, cdoff;
    vgrd_init(&r, data, len);
    if (vgrd_seek(&r, at + 4) != VG_OK || vgrd_u16le(&r, &disk) != VG_OK ||
        vgrd_u16le(&r, &cddisk) != VG_OK || vgrd_u16le(&r, &n) != VG_OK ||
        vgrd_u16le(&r, &total) != VG_OK || vgrd_u32le(&r, &cdsize) != VG_OK ||
        vgrd_u32le(&r, &cdoff) != VG_OK || disk != 0 || cddisk != 0)
        return VG_OK;
    if (vgrd_seek(&r, cdoff) != VG_OK)
        return VG_OK;
    entry e;
    for (unsigned i = 0; i < total && i < MAX_ENTRIES; i++) {
        if (central(&r, &e) != VG_OK)
            break;
        if (e.method != 6 && e.method != 9)
            continue;
        if (e.csize == 0xffffffffu || e.usize == 0xffffffffu)
            continue;
        vg_status st = one(data, len, &e, sink);
        if (st != VG_OK)
            return st;
    }
    return VG_OK;
}
