/* core/buf.h - growable byte buffer with a hard ceiling.
 *
 * Every buffer that grows from untrusted input is given its maximum at init
 * (curl's dynbuf idea): an append past the maximum fails with VG_ELIMIT and
 * leaves the buffer as it was, so no input can make memory grow unbounded. */
#ifndef VG_CORE_BUF_H
#define VG_CORE_BUF_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/status.h"

typedef struct vgbuf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t max;
} vgbuf;

void vgbuf_init(vgbuf *b, size_t max);
vg_status vgbuf_append(vgbuf *b, const void *p, size_t n);
vg_status vgbuf_reserve(vgbuf *b, size_t n); /* room for n more bytes */
void vgbuf_free(vgbuf *b);
/* Hand the bytes to the caller (free() them); the buffer becomes empty. */
uint8_t *vgbuf_take(vgbuf *b, size_t *len);

#endif
