/* match/offset.h - ClamAV offsets that depend on the scanned executable:
 * EP+n, EP-n, Sx+n, SEx, SL+n (each also with ",maxshift").
 *
 * They extend vgm_off_kind (matcher.h) with the kinds below and are stored
 * in the same vgm_offset / vgm_sig fields, so compiled databases (.vdb)
 * carry them without a format change:
 *   EP_PLUS, EP_MINUS, SL:  n = the distance;
 *   SECT (Sx+n):            n = (x << 32) | distance;
 *   SE (SEx):               n = x; the start may be anywhere in section x
 *                           (plus shift), so such a signature is never
 *                           "pinned" in the matcher's sense;
 *   SE_BM (SEx, plain hex PE .ndb signature without shift): n = x; the
 *                           whole section in a file smaller than
 *                           VGM_BM_OFFMODE_SIZE, its start only from there
 *                           on.
 *   VI:                     n = 0; the start is one of the PE's version-
 *                           info strings (plus shift): a set of points,
 *                           vgm_offset_points; vgm_offset_range gives the
 *                           span from the first to the last.
 * vgm_offset_range turns any offset (these and ANY/ABS/EOF) into the
 * allowed start range for one buffer, given the buffer's executable info
 * (NULL when the buffer is not a parsed executable: exe kinds then never
 * match). Shared by the .ndb loader and the .ldb subsignature code. */
#ifndef VG_MATCH_OFFSET_H
#define VG_MATCH_OFFSET_H

#include <stddef.h>
#include <stdint.h>
#include "match/matcher.h"
#include "exe/exe.h"

enum {
    VGM_OFF_EP_PLUS = 3,
    VGM_OFF_EP_MINUS = 4,
    VGM_OFF_SECT = 5,
    VGM_OFF_SE = 6,
    VGM_OFF_SL = 7,
    VGM_OFF_SE_BM = 8, /* SEx of a plain-hex PE .ndb signature, see below */
    VGM_OFF_VI = 9,    /* at a PE version-info string (vg_pe_info.vinfo) */
    VGM_OFF_LAST = 9
};

/* Files from this size on get ClamAV's Boyer-Moore "offset mode": a plain
 * hex PE signature is only tried at the start points of the offsets
 * (clamscan: a mid-section plain SE0 hit disappears when clam-nsis.exe is
 * padded from 262143 to 262144 bytes). Below it the whole section counts. */
#define VGM_BM_OFFMODE_SIZE 262144u

/* Nonzero for the kinds above. */
static inline int vgm_offset_is_exe(unsigned kind)
{
    return kind >= VGM_OFF_EP_PLUS && kind <= VGM_OFF_LAST;
}

/* Parse the main part (before any ",maxshift") of an executable-relative
 * offset: "EP+n", "EP-n", "Sx+n", "SEx", "SL+n" with decimal numbers (at
 * most 32 bits each). Sets off->kind and off->n (shift untouched).
 * Returns 1 when `p` is such an offset and parsed, 0 when it is not one of
 * these forms at all, -1 when it is one but malformed. */
int vgm_offset_parse_exe(const char *p, size_t n, vgm_offset *off);

/* Allowed start range [*lo, *hi] (both inside [0, len]) of a pattern with
 * offset `off` in a buffer of len bytes. Returns 0 when no start is
 * allowed (offset past the end, no such section, no entry point, not an
 * executable). `exe` may be NULL. */
int vgm_offset_range(const vgm_offset *off, uint64_t len,
                     const vg_exe_info *exe, uint64_t *lo, uint64_t *hi);

/* For VGM_OFF_VI: the allowed start points (each may float by off->shift),
 * sorted; *n = 0 when there are none. Other kinds: *n = 0. */
void vgm_offset_points(const vgm_offset *off, const vg_exe_info *exe,
                       const uint64_t **pts, size_t *n);

#endif
