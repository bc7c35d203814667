/* fmt/inflate64.h - bounded raw-deflate and Deflate64 decoder (zip methods
 * 8 and 9). See inflate64.c. */
#ifndef VG_FMT_INFLATE64_H
#define VG_FMT_INFLATE64_H

#include <stddef.h>
#include <stdint.h>
#include "core/buf.h"
#include "vigil/status.h"

/* Decode the raw deflate stream in[0..inlen) (Deflate64 when `d64`) and
 * append what it gives to `out`, whose ceiling bounds the output. Returns
 * VG_OK at the final block's end, VG_ELIMIT when the output would pass
 * out->max, VG_EFORMAT on a damaged or truncated stream, VG_ENOMEM. On any
 * error the bytes decoded so far stay in `out`. */
vg_status vginf_decode(const uint8_t *in, size_t inlen, int d64, vgbuf *out);

#endif
