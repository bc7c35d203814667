/* fmt/zipold.h - zip members in the methods libarchive cannot decode
 * (6 implode, 9 Deflate64). See zipold.c. */
#ifndef VG_FMT_ZIPOLD_H
#define VG_FMT_ZIPOLD_H

#include <stddef.h>
#include <stdint.h>
#include "fmt/arc.h"

/* Hand every implode or Deflate64 member of the zip in data[0..len) to
 * sink->member, within sink->max_member and the ratio limit (reported
 * through sink->limit); other members are left to libarchive. Returns VG_OK
 * (also when there is no central directory or no such member), the status
 * a sink callback returned (VGARC_STOP included) or VG_ENOMEM. */
vg_status vgzipold_extract(const uint8_t *data, size_t len, const vgarc_sink *sink);

#endif
