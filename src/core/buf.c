/* core/buf.c - growable byte buffer with a hard ceiling (see buf.h). */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

void vgbuf_init(vgbuf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

vg_status vgbuf_reserve(vgbuf *b, size_t n)
{
    if (n > b->max || b->len > b->max - n)
        return VG_ELIMIT;
    size_t need = b->len + n;
    if (need <= b->cap)
        return VG_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->max)
        cap = b->max;
    uint8_t *p = realloc(b->data, cap ? cap : 1);
    if (!p)
        return VG_ENOMEM;
    b->data = p;
    b->cap = cap;
    return VG_OK;
}

vg_status vgbuf_append(vgbuf *b, const void *p, size_t n)
{
    vg_status st = vgbuf_reserve(b, n);
    if (st != VG_OK)
        return st;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return VG_OK;
}

void vgbuf_free(vgbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

uint8_t *vgbuf_take(vgbuf *b, size_t *len)
{
    uint8_t *p = b->data;
    *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
