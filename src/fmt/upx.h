/* fmt/upx.h - UPX-packed PE32: decompress and rebuild (see upx.c). */
#ifndef VG_FMT_UPX_H
#define VG_FMT_UPX_H

#include <stddef.h>
#include <stdint.h>
#include "exe/exe.h"
#include "fmt/arc.h"

/* When `x` (the parsed `d`) carries a UPX stub at its entry point, hand
 * one rebuilt PE named "UPX" to sink->member. Returns VG_OK when there is
 * nothing to unpack or it was unpacked or skipped (limit or warning
 * reported), the sink's status, or VG_ENOMEM. */
vg_status vgupx_extract(const vg_exe_info *x, const uint8_t *d, size_t len,
                        const vgarc_sink *sink);

#endif
