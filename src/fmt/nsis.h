/* fmt/nsis.h - NSIS installer data blocks (see nsis.c). */
#ifndef VG_FMT_NSIS_H
#define VG_FMT_NSIS_H

#include <stddef.h>
#include <stdint.h>
#include "exe/exe.h"
#include "fmt/arc.h"

/* When the PE `x` (parsed from `d`) carries an NSIS first header in its
 * overlay, hand each data block (the script header, then the files) to
 * sink->member as "NSIS.<n>". Returns VG_OK (also when it is no NSIS file
 * or a block was dropped for a limit), the sink's status, or VG_ENOMEM. */
vg_status vgnsis_extract(const vg_exe_info *x, const uint8_t *d, size_t len,
                         const vgarc_sink *sink);

#endif
