/* fmt/binhex.c - BinHex 4.0 (.hqx), the Macintosh mail encoding: the data
 * fork and the resource fork each become a member.
 *
 * Format (from the BinHex 4.0 definition, RFC 1741 appendix):
 *   text:   "(This file must be converted with BinHex 4.0)", then the data
 *           between two ':' in a 64-character alphabet (6 bits each, line
 *           breaks ignored);
 *   RLE:    0x90 n repeats the previous byte n-1 more times; 0x90 0 is a
 *           literal 0x90;
 *   stream: name length (1), name, 0, type (4), creator (4), flags (2),
 *           data fork length (4, BE), resource fork length (4, BE),
 *           header CRC (2), data fork, CRC (2), resource fork, CRC (2).
 * CRCs are not checked (a damaged CRC does not make the payload harmless).
 * The decoded stream is capped at the member ceiling plus a header's worth;
 * RLE makes the output at most 255 times the input, all of it through the
 * capped buffer. The forks are read through the bounded reader. */
#include "fmt/docs.h"

#include <string.h>

#include "core/rd.h"

static const char alphabet[] =
    "!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr";

#define HQX_HEADER_MAX (1u + 255u + 1u + 4u + 4u + 2u + 4u + 4u + 2u)

static vg_status decode(const uint8_t *p, size_t n, vgbuf *b)
{
    int8_t val[256];
    memset(val, -1, sizeof val);
    for (int i = 0; alphabet[i]; i++)
        val[(uint8_t)alphabet[i]] = (int8_t)i;
    uint32_t acc = 0;
    unsigned bits = 0;
    int rle = 0, have_last = 0;
    uint8_t last = 0;
    vg_status st = VG_OK;
    for (size_t i = 0; i < n && st == VG_OK; i++) {
        if (p[i] == ':')
            break;
        if (val[p[i]] < 0)
            continue;
        acc = (acc << 6) | (uint32_t)val[p[i]];
        bits += 6;
        if (bits < 8)
            continue;
        bits -= 8;
        uint8_t c = (uint8_t)(acc >> bits);
        acc &= (1u << bits) - 1;
        if (rle) {
            rle = 0;
            if (c == 0) {
                last = 0x90;
                have_last = 1;
                st = vgbuf_append(b, &last, 1);
            } else if (have_last) {
                uint8_t run[255];
                memset(run, last, sizeof run);
                st = vgbuf_append(b, run, (size_t)c - 1);
            }
        } else if (c == 0x90) {
            rle = 1;
        } else {
            last = c;
            have_last = 1;
            st = vgbuf_append(b, &c, 1);
        }
    }
    return st;
}

vg_status vgbinhex_extract(const uint8_t *data, size_t len, const vgarc_sink *sink)
{
    static const char intro[] = "(This file must be converted with BinHex";
    const uint8_t *s = len >= sizeof intro - 1 ? memmem(data, len, intro, sizeof intro - 1) : NULL;
    const uint8_t *colon = s ? memchr(s, ':', len - (size_t)(s - data)) : NULL;
    if (!colon) {
        vgdoc_warn(sink, "binhex: no data");
        return VG_EFORMAT;
    }
    size_t off = (size_t)(colon + 1 - data);
    vgbuf b;
    uint64_t m = sink->max_member > (UINT64_MAX >> 2) ? (UINT64_MAX >> 2) : sink->max_member;
    uint64_t cap = m * 2 + HQX_HEADER_MAX + 4; /* both forks */
    vgbuf_init(&b, cap > SIZE_MAX ? SIZE_MAX : (size_t)cap);
    vg_status dst = decode(data + off, len - off, &b);
    if (dst != VG_OK && dst != VG_ELIMIT) {
        vgbuf_free(&b);
        return dst;
    }
    vgrd r;
    vgrd_init(&r, b.data, b.len);
    uint8_t nl = 0;
    uint32_t dl = 0, rl = 0;
    const uint8_t *name = NULL;
    vg_status st = vgrd_u8(&r, &nl);
    if (st == VG_OK)
        st = (name = vgrd_take(&r, nl)) ? VG_OK : VG_EFORMAT;
    if (st == VG_OK)
        st = vgrd_skip(&r, 1 + 4 + 4 + 2);
    if (st == VG_OK)
        st = vgrd_u32be(&r, &dl);
    if (st == VG_OK)
        st = vgrd_u32be(&r, &rl);
    if (st == VG_OK)
        st = vgrd_skip(&r, 2);
    if (st != VG_OK) {
        vgbuf_free(&b);
        vgdoc_warn(sink, "binhex: truncated header");
        return VG_EFORMAT;
    }
    char nm[256];
    memcpy(nm, name, nl);
    nm[nl] = 0;
    for (int fork = 0; fork < 2 && st == VG_OK; fork++) {
        uint32_t fl = fork ? rl : dl;
        if (fl == 0)
            continue;
        if (fl > sink->max_member) {
            st = vgdoc_emit(sink, nm, NULL, 0, VG_ELIMIT);
            break; /* the resource fork's place is unknown past a skip */
        }
        size_t avail = vgrd_left(&r) < fl ? vgrd_left(&r) : fl;
        const uint8_t *fp = vgrd_take(&r, avail);
        if (avail < fl)
            vgdoc_warn(sink, "binhex: truncated fork");
        st = vgdoc_emit(sink, fork ? "resource-fork" : nm, fp, avail, VG_OK);
        if (avail < fl || vgrd_skip(&r, 2) != VG_OK)
            break;
    }
    vgbuf_free(&b);
    return st;
}
