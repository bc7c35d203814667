/* fmt/peunpack.h - the PE unpackers, tried in turn on a parsed PE (see
 * peunpack.c). */
#ifndef VG_FMT_PEUNPACK_H
#define VG_FMT_PEUNPACK_H

#include <stddef.h>
#include <stdint.h>
#include "exe/exe.h"
#include "fmt/arc.h"

/* Each unpacker that recognises `d` hands its output to sink->member (one
 * layer deeper for the pipeline). Returns VG_OK, the sink's status
 * (VGARC_STOP included) or VG_ENOMEM. */
vg_status vgpeunp_extract(const vg_exe_info *x, const uint8_t *d, size_t len,
                          const vgarc_sink *sink);

#endif
