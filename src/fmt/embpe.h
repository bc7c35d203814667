/* fmt/embpe.h - a PE file carried inside a PE file's bytes (see embpe.c). */
#ifndef VG_FMT_EMBPE_H
#define VG_FMT_EMBPE_H

#include <stddef.h>
#include <stdint.h>
#include "exe/exe.h"
#include "fmt/arc.h"

/* Largest file searched for embedded PEs (clamd's MaxEmbeddedPE default). */
#define VGEMB_MAX_FILE (40u * 1024 * 1024)

/* When the PE `x` (parsed from `d`) holds another PE at some offset > 0,
 * hand the first one found, from its "MZ" to the end of `d`, to
 * sink->member as "[embedded PE]". Returns VG_OK, the sink's status, or
 * VG_ENOMEM. */
vg_status vgemb_extract(const vg_exe_info *x, const uint8_t *d, size_t len,
                        const vgarc_sink *sink);

#endif
