/* vigil/limits.h - every per-scan ceiling, with ClamAV's defaults.
 *
 * Hostile input is the normal case: each limit bounds one way a file can
 * make a scan expensive. A limit that is hit is never silent: it is recorded
 * in the result (vg_result_limits) and, with VG_SCAN_ALERT_EXCEEDS_MAX,
 * reported as a Heuristics.Limits.Exceeded.* detection as clamscan does. */
#ifndef VIGIL_LIMITS_H
#define VIGIL_LIMITS_H

#include <stdint.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VG_DEFAULT_MAX_FILESIZE (100ull * 1024 * 1024)  /* clamscan 100M */
#define VG_DEFAULT_MAX_SCANSIZE (400ull * 1024 * 1024)  /* clamscan 400M */
#define VG_DEFAULT_MAX_RECURSION 17u                     /* clamscan 17 */
#define VG_DEFAULT_MAX_FILES 10000u                      /* clamscan 10000 */
#define VG_DEFAULT_MAX_RATIO 250u   /* member size / compressed size; bombs */
#define VG_DEFAULT_RATIO_MIN_SIZE (10ull * 1024 * 1024) /* ratio checked above */
#define VG_DEFAULT_MAX_SCANTIME_MS 120000u               /* clamscan 120 s */

typedef struct vg_limits {
    uint64_t max_filesize;   /* a larger file or member is not scanned */
    uint64_t max_scansize;   /* total bytes scanned for one top-level file */
    uint32_t max_recursion;  /* container nesting depth */
    uint32_t max_files;      /* members extracted from one top-level file */
    uint32_t max_ratio;      /* uncompressed:compressed above which a member
                                bigger than ratio_min_size is refused */
    uint64_t ratio_min_size;
    uint32_t max_scantime_ms;/* 0 = none */
} vg_limits;

/* Which limit was hit; bits in vg_result_limits(). */
enum {
    VG_LIMIT_FILESIZE = 1u << 0,
    VG_LIMIT_SCANSIZE = 1u << 1,
    VG_LIMIT_RECURSION = 1u << 2,
    VG_LIMIT_FILES = 1u << 3,
    VG_LIMIT_RATIO = 1u << 4,
    VG_LIMIT_SCANTIME = 1u << 5,
};

VG_API void vg_limits_default(vg_limits *lim);

#ifdef __cplusplus
}
#endif
#endif
