/* vigil/scan.h - scanning a file, descriptor or buffer with an engine.
 *
 * A scan reads through a bounded view of the bytes (mmap or memory), checks
 * hash signatures when some signature has the object's size, detects the
 * type, runs every body pattern in one pass, and recurses into containers
 * within vg_limits. All per-scan state lives in the call; the engine is only
 * read, so any number of scans may run on one engine at once. */
#ifndef VIGIL_SCAN_H
#define VIGIL_SCAN_H

#include <stddef.h>
#include "engine.h"
#include "limits.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    VG_SCAN_ALLMATCH = 1u << 0,          /* report every signature */
    VG_SCAN_ALERT_EXCEEDS_MAX = 1u << 1, /* limit hits become detections */
    VG_SCAN_ALERT_ENCRYPTED = 1u << 2,   /* Heuristics.Encrypted.* */
    VG_SCAN_NO_UNPACK = 1u << 3,         /* raw bytes only, no containers */
};

typedef struct vg_scan_opts {
    vg_limits limits;
    unsigned flags;
} vg_scan_opts;

VG_API void vg_scan_opts_default(vg_scan_opts *o);

/* A scanner holds the per-thread state a scan needs (matcher scratch,
 * buffers) so that many small files do not pay for it each time. It keeps a
 * reference on its engine. One scanner must not be used by two threads at
 * once; use one per thread. */
typedef struct vg_scanner vg_scanner;

VG_API vg_status vg_scanner_new(vg_engine *e, vg_scanner **out);
VG_API void vg_scanner_free(vg_scanner *s);
VG_API vg_status vg_scanner_file(vg_scanner *s, const char *path,
                                 const vg_scan_opts *o, vg_result **out);
VG_API vg_status vg_scanner_fd(vg_scanner *s, int fd, const vg_scan_opts *o,
                               vg_result **out);
VG_API vg_status vg_scanner_mem(vg_scanner *s, const void *data, size_t len,
                                const vg_scan_opts *o, vg_result **out);

/* One-shot forms: a scanner is made and freed around the call.
 * Each scan call creates *out (free with vg_result_free) on VG_OK. A
 * malformed container member is a warning in the result, not a failure:
 * a non-OK status means the object could not be scanned at all. */
VG_API vg_status vg_scan_file(vg_engine *e, const char *path,
                              const vg_scan_opts *o, vg_result **out);
VG_API vg_status vg_scan_fd(vg_engine *e, int fd,
                            const vg_scan_opts *o, vg_result **out);
VG_API vg_status vg_scan_mem(vg_engine *e, const void *data, size_t len,
                             const vg_scan_opts *o, vg_result **out);

#ifdef __cplusplus
}
#endif
#endif
