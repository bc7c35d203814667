/* fmt/embpe.c - PE files embedded in a PE file (droppers, installers,
 * another executable appended after the first one's end).
 *
 * What clamscan does (observed with --debug on hand-made files, same
 * signatures): in a PE file it looks for "MZ" at every offset past the
 * start ("CL_TYPE_MSEXE signature found at N"), checks that a PE header
 * follows ("Header check for MSEXE detection failed, probably not actually
 * an embedded PE file" otherwise), and scans the bytes from that "MZ" to
 * the end of the file as a file of its own: an .hdb hash of clam.exe
 * matches clam.exe appended to another PE, but not when anything follows
 * it. Files past MaxEmbeddedPE (40 MB) are not searched.
 *
 * Here the header check is the candidate's e_lfanew pointing at
 * "PE\0\0" inside the file, followed by a successful vg_exe_parse of the
 * slice as a PE. Only the first embedded PE is handed out: it is scanned
 * one level deeper as a PE layer, which finds the next one in its own
 * bytes, so k embedded PEs cost k searches of a shrinking tail instead of
 * k members each re-finding the ones after it (the depth limit bounds the
 * chain). At most MAX_CANDIDATES "MZ" candidates are parsed per search. */
#include "embpe.h"

#include <string.h>

#include "core/rd.h"

#define MAX_CANDIDATES 256u

static int pe_header_at(const uint8_t *d, size_t len, size_t off)
{
    vgrd r;
    uint32_t lfanew;
    vgrd_init(&r, d + off, len - off);
    if (vgrd_seek(&r, 0x3c) != VG_OK || vgrd_u32le(&r, &lfanew) != VG_OK || lfanew < 0x40)
        return 0;
    const uint8_t *p = vgrd_span(&r, lfanew, 4);
    return p && p[0] == 'P' && p[1] == 'E' && p[2] == 0 && p[3] == 0;
}

vg_status vgemb_extract(const vg_exe_info *x, const uint8_t *d, size_t len,
                        const vgarc_sink *sink)
{
    if (!x || x->kind != VG_EXE_PE || len > VGEMB_MAX_FILE || len < 2)
        return VG_OK;
    unsigned tried = 0;
    const uint8_t *p = d + 1;
    while (tried < MAX_CANDIDATES) {
        size_t left = len - (size_t)(p - d);
        const uint8_t *m = left >= 2 ? memchr(p, 'M', left - 1) : NULL;
        if (!m)
            break;
        size_t off = (size_t)(m - d);
        p = m + 1;
        if (m[1] != 'Z' || !pe_header_at(d, len, off))
            continue;
        tried++;
        vg_exe_info y;
        vg_status st = vg_exe_parse(d + off, len - off, NULL, &y);
        int ok = st == VG_OK && y.kind == VG_EXE_PE;
        vg_exe_free(&y);
        if (st == VG_ENOMEM)
            return st;
        if (!ok)
            continue;
        if (len - off > sink->max_member) {
            if (sink->limit)
                sink->limit(sink->user, sink->max_member_limit, "[embedded PE]");
            return VG_OK;
        }
        return sink->member(sink->user, "[embedded PE]", d + off, len - off);
    }
    return VG_OK;
}
