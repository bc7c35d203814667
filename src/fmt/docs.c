/* fmt/docs.c - dispatch to the document and mail format modules, and the
 * few helpers they share (contract in docs.h). Adding a format is one case
 * here and one line in vgdoc_handles. */
#include "fmt/docs.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/rd.h"

int vgdoc_handles(vgft_type t)
{
    switch (t) {
    case VGFT_MAIL:
    case VGFT_HTML:
    case VGFT_RTF:
    case VGFT_OLE2:
    case VGFT_BINHEX:
    case VGFT_SZDD:
    case VGFT_CHM:
    case VGFT_SIS:
    case VGFT_ARJ:
        return 1;
    default:
        return 0;
    }
}

vg_status vgdoc_extract(vgft_type t, const uint8_t *data, size_t len,
                        const vgarc_sink *sink)
{
    if (!sink || !sink->member || (!data && len) || !vgdoc_handles(t))
        return VG_EINVAL;
    vg_status st;
    switch (t) {
    case VGFT_MAIL: st = vgmail_extract(data, len, sink); break;
    case VGFT_HTML: st = vghtml_extract(data, len, sink); break;
    case VGFT_RTF: st = vgrtf_extract(data, len, sink); break;
    case VGFT_OLE2: st = vgole2_extract(data, len, sink); break;
    case VGFT_BINHEX: st = vgbinhex_extract(data, len, sink); break;
    case VGFT_SIS: st = vgsis_extract(data, len, sink); break;
    case VGFT_ARJ: st = vgarj_extract(data, len, sink); break;
    default: st = vgmspack_extract(t, data, len, sink); break;
    }
    return st == VGARC_STOP ? VG_OK : st;
}

void vgdoc_buf(vgbuf *b, const vgarc_sink *sink)
{
    uint64_t m = sink->max_member;
    vgbuf_init(b, m > SIZE_MAX ? SIZE_MAX : (size_t)m);
}

vg_status vgdoc_emit(const vgarc_sink *sink, const char *name, const uint8_t *p,
                     size_t n, vg_status st)
{
    if (st == VG_ELIMIT || n > sink->max_member) {
        if (sink->limit)
            sink->limit(sink->user, sink->max_member_limit, name ? name : "");
        return VG_OK;
    }
    if (st != VG_OK)
        return st;
    static const uint8_t empty[1];
    return sink->member(sink->user, name ? name : "", p ? p : empty, n);
}

void vgdoc_warn(const vgarc_sink *sink, const char *msg)
{
    if (sink->warning)
        sink->warning(sink->user, msg);
}

vg_status vgdoc_emit_decoded(const vgarc_sink *sink, const char *name, vg_status st,
                             const vgbuf *b, unsigned which, const char *damaged)
{
    if (st == VG_ELIMIT) {
        if (sink->limit)
            sink->limit(sink->user, which, name);
        return VG_OK;
    }
    if (st == VG_EFORMAT)
        vgdoc_warn(sink, damaged);
    if (st == VG_OK || (st == VG_EFORMAT && b->len))
        return sink->member(sink->user, name, b->data ? b->data : (const uint8_t *)"",
                            b->len);
    return st == VG_EFORMAT ? VG_OK : st;
}

static const uint8_t *cstr(vgrd *r, size_t *n)
{
    const uint8_t *p = r->base + r->pos;
    const uint8_t *z = memchr(p, 0, vgrd_left(r));
    if (!z)
        return NULL;
    *n = (size_t)(z - p);
    r->pos += *n + 1;
    return p;
}

const uint8_t *vgdoc_package(const uint8_t *p, size_t n, size_t *flen, char *nm,
                             size_t cap)
{
    vgrd r;
    vgrd_init(&r, p, n);
    uint16_t sig;
    uint32_t skip, tl, fl;
    size_t ll, pl;
    const uint8_t *label, *f;
    if (vgrd_u16le(&r, &sig) != VG_OK || sig != 2 || !(label = cstr(&r, &ll)) ||
        !cstr(&r, &pl) || vgrd_u32le(&r, &skip) != VG_OK ||
        vgrd_u32le(&r, &tl) != VG_OK || vgrd_skip(&r, tl) != VG_OK ||
        vgrd_u32le(&r, &fl) != VG_OK || !(f = vgrd_take(&r, fl)))
        return NULL;
    snprintf(nm, cap, "%.*s", (int)(ll < 200 ? ll : 200), (const char *)label);
    *flen = fl;
    return f;
}

vg_status vgdoc_inflate(const uint8_t *p, size_t n, const vg_limits *lim, vgbuf *b,
                        int *ratio)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    *ratio = 0;
    if (inflateInit(&z) != Z_OK)
        return VG_ENOMEM;
    uint8_t out[16384];
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
    vg_status st = VG_OK;
    for (;;) {
        z.next_out = out;
        z.avail_out = sizeof out;
        int r = inflate(&z, Z_NO_FLUSH);
        size_t got = sizeof out - z.avail_out;
        if (got && (st = vgbuf_append(b, out, got)) != VG_OK)
            break;
        if (lim && lim->max_ratio && b->len > lim->ratio_min_size &&
            b->len / (n ? n : 1) > lim->max_ratio) {
            st = VG_ELIMIT;
            *ratio = 1;
            break;
        }
        if (r != Z_OK || got == 0)
            break; /* end, damaged (what came out is kept), or no progress */
    }
    inflateEnd(&z);
    return st;
}
