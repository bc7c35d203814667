/* fmt/implode.h - bounded decoder of PKWARE "implode" (zip method 6). See
 * implode.c. */
#ifndef VG_FMT_IMPLODE_H
#define VG_FMT_IMPLODE_H

#include <stddef.h>
#include <stdint.h>
#include "core/buf.h"
#include "vigil/status.h"

/* Zip general-purpose flag bits that select the implode variant. */
#define VGIMP_F_8K 0x02u    /* 8 KB dictionary (7 low distance bits), else 4 KB */
#define VGIMP_F_LIT 0x04u   /* literals coded with a third tree, else raw bytes */

/* Decode in[0..inlen), which must give `size` bytes (implode has no end
 * marker: the zip header's uncompressed size ends it), appending to `out`.
 * Returns VG_OK when `size` bytes were produced, VG_ELIMIT when `size`
 * passes out->max (the bytes up to the ceiling are decoded), VG_EFORMAT on
 * bad trees or input that ends early, VG_ENOMEM. */
vg_status vgimp_decode(const uint8_t *in, size_t inlen, unsigned flags, uint64_t size,
                       vgbuf *out);

#endif
