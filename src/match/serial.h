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

/* Nodes are either an array (nodes, nnodes) or packed (packed, npacked:
 * see serial.c; vgm_sig.node0 is then a byte offset). */
typedef struct vgm_parts {
    const vgm_sig *sigs;
    uint32_t nsigs;
    const vgp_node *nodes;
    uint32_t nnodes;
    const uint8_t *packed;
    uint32_t npacked;
    const uint8_t *pool;
    uint32_t npool;
} vgm_parts;

/* Packing: at most vgm_pack_bound(n) bytes for n nodes; returns the bytes
 * written. */
size_t vgm_pack_bound(uint32_t nnodes);
size_t vgm_pack_nodes(const vgp_node *nodes, uint32_t n, uint8_t *out);

/* The nodes of sig s of m: m's own array, or unpacked into *buf (grown to
 * *cap nodes as needed) and checked; NULL when inconsistent or out of
 * memory. */
const vgp_node *vgm_sig_nodes(const vgm_matcher *m, const vgm_sig *s, vgp_node **buf,
                              uint32_t *cap);

/* Drop a reference to a shared Vectorscan database (vgm_matcher_free). */
void vgm_shared_put(struct vgm_shared_db *s);

/* Parts of m (borrowed from m) and a malloc'd copy of its serialized
 * Vectorscan database (*hs = NULL, *hslen = 0 when m has no patterns). */
vg_status vgm_export(const vgm_matcher *m, vgm_parts *p, char **hs, size_t *hslen);

/* What loading needs from the signatures, gathered while checking them:
 * jump memos a scratch needs, logical subsignatures and how many ids they
 * use (their ids are checked against the .ldb texts', db/vdb.c). */
typedef struct vgm_sigstats {
    uint32_t nmemo, nmulti, multi_ids;
} vgm_sigstats;

/* Check every index and pool reference in untrusted parts (packed nodes:
 * when unpacked); `nids` bounds the ids of body signatures. VG_EFORMAT
 * with a reason in err on any inconsistency. The window form checks
 * signatures [first, first + n) held at w (a copy; w[n] is signature
 * first + n when there is one, for the end of the last one's pool) and
 * adds to *st. */
vg_status vgm_validate_parts(const vgm_parts *p, uint32_t nids, vgm_sigstats *st, char *err,
                             size_t errlen);
vg_status vgm_validate_window(const vgm_parts *p, const vgm_sig *w, uint32_t first, uint32_t n,
                              uint32_t nids, vgm_sigstats *st, char *err, size_t errlen);

/* An owned copy of signature i's pattern (for merging into a builder). */
vg_status vgm_pattern_copy(const vgm_parts *p, uint32_t i, vgp_pattern *out,
                           vgm_offset *off, uint8_t *target, uint32_t *id);

/* The deserialized database for key (a SHA-256 identifying hs's bytes):
 * a live matcher's copy when one has it, else deserialized from hs; NULL
 * when it does not deserialize here. Release with vgm_shared_put. */
struct vgm_shared_db *vgm_shared_get(const uint8_t key[32], const void *hs, size_t hslen);

/* sh: the database from vgm_shared_get, whose reference the matcher takes
 * over (also on failure); NULL: deserialize hs privately. nmemo: from
 * vgm_validate_*. f: the foreign expressions (vgm_build_with) the matcher
 * must serve, or NULL; hs_fits: hs was built from exactly these (the
 * caller compared fingerprints), else the database is compiled again
 * from p's patterns and f (*rebuilt = 1; *bad as in vgm_build_with). */
vg_status vgm_from_parts(const vgm_parts *p, const void *hs, size_t hslen,
                         struct vgm_shared_db *sh, uint32_t nmemo, const vgm_foreign *f,
                         int hs_fits, vgm_matcher **out, int *rebuilt, int *bad, char *err,
                         size_t errlen);

#endif
