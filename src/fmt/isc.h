/* fmt/isc.h - InstallShield disk files in a setup.exe overlay and their
 * "ISc(" cabinets (see isc.c). */
#ifndef VG_FMT_ISC_H
#define VG_FMT_ISC_H

#include <stddef.h>
#include <stdint.h>
#include "exe/exe.h"
#include "fmt/arc.h"

/* When the PE `x` (parsed from `d`) lists InstallShield disk files in its
 * overlay, hand each plain one and each file of its cabinets to
 * sink->member. Returns VG_OK, the sink's status, or VG_ENOMEM. */
vg_status vgisc_extract(const vg_exe_info *x, const uint8_t *d, size_t len,
                        const vgarc_sink *sink);

#endif
