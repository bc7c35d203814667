/* fmt/nrv2.h - bounded NRV2B / NRV2D / NRV2E decoders (the UCL methods UPX
 * packs i386 PE files with). See nrv2.c. */
#ifndef VG_FMT_NRV2_H
#define VG_FMT_NRV2_H

#include <stddef.h>
#include <stdint.h>
#include "core/buf.h"
#include "vigil/status.h"

typedef enum vgnrv_method { VGNRV_2B = 0, VGNRV_2D = 1, VGNRV_2E = 2 } vgnrv_method;

/* Decode in[0..inlen) with `m`, appending to `out` (its ceiling bounds the
 * output). VG_OK when the end marker is read; *used (if not NULL) is then
 * the number of input bytes consumed. VG_ELIMIT past out->max, VG_EFORMAT
 * on damaged or truncated input (bytes so far stay in `out`), VG_ENOMEM. */
vg_status vgnrv_decode(vgnrv_method m, const uint8_t *in, size_t inlen, vgbuf *out,
                       size_t *used);

#endif
