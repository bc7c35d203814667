/* fmt/ishield.h - InstallShield overlay stream of a setup.exe (see
 * ishield.c). */
#ifndef VG_FMT_ISHIELD_H
#define VG_FMT_ISHIELD_H

#include <stddef.h>
#include <stdint.h>
#include "exe/exe.h"
#include "fmt/arc.h"

/* When the PE `x` (parsed from `d`) has an "InstallShield" stream at its
 * overlay, hand each file in it, decoded, to sink->member under its stored
 * name. Returns VG_OK, the sink's status, or VG_ENOMEM. */
vg_status vgishield_extract(const vg_exe_info *x, const uint8_t *d, size_t len,
                            const vgarc_sink *sink);

#endif
