/* core/rd.h - the bounded reader every parser reads untrusted bytes through.
 *
 * A vgrd is a view (base, length, cursor) over bytes we do not trust. Every
 * getter checks the whole span before touching it and returns VG_EFORMAT
 * (or NULL) when any byte of it lies outside; nothing here can read past
 * the end, whatever the input says. Offsets are size_t and every addition
 * is checked for overflow before use. */
#ifndef VG_CORE_RD_H
#define VG_CORE_RD_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/status.h"

typedef struct vgrd {
    const uint8_t *base;
    size_t len;
    size_t pos;
} vgrd;

static inline void vgrd_init(vgrd *r, const void *base, size_t len)
{
    r->base = (const uint8_t *)base;
    r->len = len;
    r->pos = 0;
}

static inline size_t vgrd_left(const vgrd *r) { return r->len - r->pos; }

/* Pointer to [off, off+n) or NULL unless the whole span is inside. */
static inline const uint8_t *vgrd_span(const vgrd *r, size_t off, size_t n)
{
    if (off > r->len || n > r->len - off)
        return NULL;
    return r->base + off;
}

/* Take n bytes at the cursor and advance; NULL (cursor unmoved) if short. */
static inline const uint8_t *vgrd_take(vgrd *r, size_t n)
{
    const uint8_t *p = vgrd_span(r, r->pos, n);
    if (p)
        r->pos += n;
    return p;
}

static inline vg_status vgrd_seek(vgrd *r, size_t off)
{
    if (off > r->len)
        return VG_EFORMAT;
    r->pos = off;
    return VG_OK;
}

static inline vg_status vgrd_skip(vgrd *r, size_t n)
{
    if (n > vgrd_left(r))
        return VG_EFORMAT;
    r->pos += n;
    return VG_OK;
}

static inline vg_status vgrd_u8(vgrd *r, uint8_t *v)
{
    const uint8_t *p = vgrd_take(r, 1);
    if (!p)
        return VG_EFORMAT;
    *v = p[0];
    return VG_OK;
}

static inline vg_status vgrd_u16le(vgrd *r, uint16_t *v)
{
    const uint8_t *p = vgrd_take(r, 2);
    if (!p)
        return VG_EFORMAT;
    *v = (uint16_t)(p[0] | (p[1] << 8));
    return VG_OK;
}

static inline vg_status vgrd_u32le(vgrd *r, uint32_t *v)
{
    const uint8_t *p = vgrd_take(r, 4);
    if (!p)
        return VG_EFORMAT;
    *v = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
         ((uint32_t)p[3] << 24);
    return VG_OK;
}

static inline vg_status vgrd_u64le(vgrd *r, uint64_t *v)
{
    uint32_t lo, hi;
    vg_status st = vgrd_u32le(r, &lo);
    if (st == VG_OK)
        st = vgrd_u32le(r, &hi);
    if (st == VG_OK)
        *v = ((uint64_t)hi << 32) | lo;
    return st;
}

static inline vg_status vgrd_u16be(vgrd *r, uint16_t *v)
{
    const uint8_t *p = vgrd_take(r, 2);
    if (!p)
        return VG_EFORMAT;
    *v = (uint16_t)((p[0] << 8) | p[1]);
    return VG_OK;
}

static inline vg_status vgrd_u32be(vgrd *r, uint32_t *v)
{
    const uint8_t *p = vgrd_take(r, 4);
    if (!p)
        return VG_EFORMAT;
    *v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
         ((uint32_t)p[2] << 8) | (uint32_t)p[3];
    return VG_OK;
}

#endif
