/* fmt/sis.c - Symbian installation files (SIS, EPOC release 3/5 and 6):
 * each installed file becomes a member, inflated when the package is
 * compressed.
 *
 * Format (the SIS file format as documented for EPOC; all u32/u16 LE):
 *   0  UID1, 4 UID2 (0x1000006d: EPOC 3/5, 0x10003a12: release 6),
 *   8  UID3 0x10000419, 12 UID4 (checksum of the UIDs),
 *   18 u16 languages, 20 u16 files, 36 u16 options (0x8: not compressed),
 *   52 u32 offset of the file records.
 * File records, one after another:
 *   u32 record type: 0 simple file, 1 file per language, 5 else, 6 endif
 *   (2 options, 3 if and 4 else-if carry expressions: the walk stops
 *   there); for 0 and 1: u32 file type, u32 details, u32 source name
 *   length + offset, u32 destination name length + offset, then per
 *   language (1 for a simple file) u32 length, then u32 offset, then on
 *   release 6 u32 original length and u32 MIME type length + offset.
 * Each file's bytes are a zlib stream unless option 0x8 is set. Ceilings:
 * SIS_MAX_RECORDS records, SIS_MAX_LANGS languages, each member the sink's
 * member ceiling and the ratio guard (vgdoc_inflate); every offset is
 * checked through the bounded reader. */
#include "fmt/docs.h"

#include <stdio.h>

#include "core/rd.h"

#define SIS_MAX_RECORDS 1000u
#define SIS_MAX_LANGS 64u
#define SIS_UID2_R5 0x1000006du
#define SIS_UID2_R6 0x10003a12u
#define SIS_UID3 0x10000419u
#define SIS_NOCOMPRESS 0x8u

static vg_status one_file(const vgarc_sink *sink, const uint8_t *data, size_t len,
                          uint32_t flen, uint32_t fptr, int packed, unsigned k)
{
    char nm[32];
    snprintf(nm, sizeof nm, "file%u", k);
    vgrd r;
    vgrd_init(&r, data, len);
    const uint8_t *p = vgrd_span(&r, fptr, flen);
    if (!p) {
        vgdoc_warn(sink, "sis: file data outside the package");
        return VG_OK;
    }
    if (!packed)
        return vgdoc_emit(sink, nm, p, flen, VG_OK);
    vgbuf b;
    int ratio = 0;
    vgdoc_buf(&b, sink);
    vg_status st = vgdoc_inflate(p, flen, sink->limits, &b, &ratio);
    if (ratio) {
        if (sink->limit)
            sink->limit(sink->user, VG_LIMIT_RATIO, nm);
        st = VG_OK;
    } else {
        st = vgdoc_emit(sink, nm, b.data, b.len, st);
    }
    vgbuf_free(&b);
    return st;
}

vg_status vgsis_extract(const uint8_t *data, size_t len, const vgarc_sink *sink)
{
    vgrd r;
    vgrd_init(&r, data, len);
    uint32_t uid2 = 0, uid3 = 0, recs = 0;
    uint16_t nlang = 0, nfiles = 0, opts = 0;
    vg_status st = vgrd_seek(&r, 4);
    if (st == VG_OK) st = vgrd_u32le(&r, &uid2);
    if (st == VG_OK) st = vgrd_u32le(&r, &uid3);
    if (st == VG_OK) st = vgrd_seek(&r, 18);
    if (st == VG_OK) st = vgrd_u16le(&r, &nlang);
    if (st == VG_OK) st = vgrd_u16le(&r, &nfiles);
    if (st == VG_OK) st = vgrd_seek(&r, 36);
    if (st == VG_OK) st = vgrd_u16le(&r, &opts);
    if (st == VG_OK) st = vgrd_seek(&r, 52);
    if (st == VG_OK) st = vgrd_u32le(&r, &recs);
    if (st != VG_OK || uid3 != SIS_UID3 || (uid2 != SIS_UID2_R5 && uid2 != SIS_UID2_R6) ||
        nlang == 0 || nlang > SIS_MAX_LANGS || vgrd_seek(&r, recs) != VG_OK) {
        vgdoc_warn(sink, "sis: bad header");
        return VG_EFORMAT;
    }
    int r6 = uid2 == SIS_UID2_R6, packed = !(opts & SIS_NOCOMPRESS);
    unsigned k = 0;
    for (unsigned i = 0; i < nfiles && i < SIS_MAX_RECORDS && st == VG_OK; i++) {
        uint32_t type;
        if (vgrd_u32le(&r, &type) != VG_OK)
            break;
        if (type == 5 || type == 6)
            continue;
        if (type > 1)
            break; /* options / conditions: sizes we do not read */
        unsigned n = type == 0 ? 1u : nlang;
        uint32_t hdr[6], lens[SIS_MAX_LANGS], ptrs[SIS_MAX_LANGS];
        for (unsigned j = 0; j < 6 && st == VG_OK; j++)
            st = vgrd_u32le(&r, &hdr[j]);
        for (unsigned j = 0; j < n && st == VG_OK; j++)
            st = vgrd_u32le(&r, &lens[j]);
        for (unsigned j = 0; j < n && st == VG_OK; j++)
            st = vgrd_u32le(&r, &ptrs[j]);
        if (st == VG_OK && r6)
            st = vgrd_skip(&r, (size_t)n * 4 + 8);
        if (st != VG_OK) {
            vgdoc_warn(sink, "sis: truncated file record");
            return k ? VG_OK : VG_EFORMAT;
        }
        for (unsigned j = 0; j < n && st == VG_OK; j++)
            if (lens[j])
                st = one_file(sink, data, len, lens[j], ptrs[j], packed, ++k);
    }
    return st;
}
