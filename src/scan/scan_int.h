/* scan/scan_int.h - internals of a scan shared by pipeline.c and result.c. */
#ifndef VG_SCAN_INT_H
#define VG_SCAN_INT_H

#include "vigil/vigil.h"

struct vg_result {
    vg_detection *d;
    size_t n, cap;
    uint64_t bytes, size;
    unsigned limits, warnings, files;
};

vg_status vgscan_result_new(vg_result **out);
vg_status vgscan_result_add(vg_result *r, const char *name, const char *member);

#endif
