/* vigil/result.h - what one scan found.
 *
 * A result owns its strings; they live until vg_result_free. Detections are
 * in the order found. `member` is the path inside the container ("" at the
 * top level; "a.tar/b.zip/c.exe" for nested members). */
#ifndef VIGIL_RESULT_H
#define VIGIL_RESULT_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vg_result vg_result;

typedef struct vg_detection {
    const char *name;   /* signature name as clamscan prints it */
    const char *member; /* "" or the path inside the container */
} vg_detection;

VG_API size_t vg_result_count(const vg_result *r);
VG_API const vg_detection *vg_result_get(const vg_result *r, size_t i);
VG_API uint64_t vg_result_bytes_scanned(const vg_result *r); /* all layers */
VG_API uint64_t vg_result_size(const vg_result *r);  /* top-level object */
VG_API unsigned vg_result_limits(const vg_result *r); /* VG_LIMIT_* bits */
VG_API unsigned vg_result_warnings(const vg_result *r); /* bad members etc. */
VG_API unsigned vg_result_files(const vg_result *r);  /* objects scanned */
VG_API void vg_result_free(vg_result *r);

#ifdef __cplusplus
}
#endif
#endif
