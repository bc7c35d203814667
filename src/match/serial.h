/* match/serial.h - a compiled matcher as flat parts, for .vdb files.
 *
 * vgm_export gives the arrays a matcher runs on plus Vectorscan's
 * serialized database; vgm_from_parts runs a matcher directly on such
 * arrays (borrowed from a mapping, not copied). When the serialized
 * Vectorscan database does not fit the running CPU or library version, the
 * matcher is rebuilt from the embedded patterns instead (`*rebuilt` = 1). */
#ifndef VG_MATCH_SERIAL_H
#define VG_MATCH_SERIAL_H

#include <stddef.h>
#include <stdint.h>
#include "match/matcher_int.h"

typedef struct vgm_parts {
    const vgm_sig *sigs;
    uint32_t nsigs;
    const vgp_node *nodes;
    uint32_t nnodes;
    const uint8_t *pool;
    uint32_t npool;
} vgm_parts;

/* Parts of m (borrowed from m) and a malloc'd copy of its serialized
 * Vectorscan database (*hs = NULL, *hslen = 0 when m has no patterns). */
vg_status vgm_export(const vgm_matcher *m, vgm_parts *p, char **hs, size_t *hslen);

/* Check every index and pool reference in untrusted parts; `nids` bounds
 * the ids. VG_EFORMAT with a reason in err on any inconsistency. */
vg_status vgm_validate_parts(const vgm_parts *p, uint32_t nids, char *err, size_t errlen);

/* An owned copy of signature i's pattern (for merging into a builder). */
vg_status vgm_pattern_copy(const vgm_parts *p, uint32_t i, vgp_pattern *out,
                           vgm_offset *off, uint8_t *target, uint32_t *id);

vg_status vgm_from_parts(const vgm_parts *p, const void *hs, size_t hslen,
                         vgm_matcher **out, int *rebuilt, char *err, size_t errlen);

#endif
