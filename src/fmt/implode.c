/* fmt/implode.c - PKWARE implode (zip method 6) decoder, bounded.
 *
 * Why our own: libarchive refuses method 6 and ClamAV reads it
 * (clam.impl.zip). Format, from PKWARE's APPNOTE ("Imploding"):
 *   - two or three Shannon-Fano trees come first, byte aligned: the literal
 *     tree (256 codes, only with flag VGIMP_F_LIT), the length tree (64) and
 *     the distance tree (64). Each is stored as one byte N-1 followed by N
 *     bytes, each giving a run: low nibble + 1 = code length (1..16), high
 *     nibble + 1 = how many consecutive symbols have it.
 *   - then a bit stream, least significant bit first: 1 = a literal (coded
 *     with the literal tree, else 8 raw bits); 0 = a match: the low 6 (4 KB
 *     dictionary) or 7 (8 KB, flag VGIMP_F_8K) distance bits raw, the high
 *     6 bits coded with the distance tree, distance = value + 1; then the
 *     length coded with the length tree, 63 meaning "add 8 raw bits", plus
 *     the minimum match length, 3 with a literal tree and 2 without.
 *   - no end marker: the uncompressed size from the zip header ends it.
 * APPNOTE builds each code from the longest lengths up and stores it
 * bit-reversed; read in stream order and with every bit inverted, those
 * codes are exactly the canonical (deflate-style) codes of the same
 * lengths, shortest first, ties in symbol order. So decoding here is the
 * canonical count-per-length walk with inverted input bits.
 * A match reaching before the start of the output reads zeros (the
 * dictionary starts empty).
 *
 * Bounds: input through core/rd.h; the output through the caller's vgbuf,
 * whose ceiling gives VG_ELIMIT; each step consumes at least one input bit
 * or produces a byte, and stops at `size`. */
#include "implode.h"

#include <string.h>

#include "core/rd.h"

#define MAXBITS 16

typedef struct bits {
    vgrd r;
    uint32_t buf;
    unsigned cnt;
} bits;

typedef struct sftree {
    uint16_t count[MAXBITS + 1];
    uint16_t sym[256];
} sftree;

static vg_status getbits(bits *b, unsigned n, uint32_t *v)
{
    while (b->cnt < n) {
        uint8_t c;
        if (vgrd_u8(&b->r, &c) != VG_OK)
            return VG_EFORMAT;
        b->buf |= (uint32_t)c << b->cnt;
        b->cnt += 8;
    }
    *v = b->buf & ((1u << n) - 1);
    b->buf >>= n;
    b->cnt -= n;
    return VG_OK;
}

/* Read one stored tree of `n` symbols (byte aligned, before the bits). */
static vg_status read_tree(vgrd *r, sftree *t, unsigned n)
{
    uint8_t len[256], nb;
    unsigned k = 0;
    if (vgrd_u8(r, &nb) != VG_OK)
        return VG_EFORMAT;
    for (unsigned i = 0; i <= nb; i++) {
        uint8_t v;
        if (vgrd_u8(r, &v) != VG_OK)
            return VG_EFORMAT;
        unsigned l = (v & 15u) + 1, c = (v >> 4) + 1u;
        if (c > n - k)
            return VG_EFORMAT;
        memset(len + k, (int)l, c);
        k += c;
    }
    if (k != n)
        return VG_EFORMAT;
    memset(t->count, 0, sizeof t->count);
    for (unsigned i = 0; i < n; i++)
        t->count[len[i]]++;
    int32_t left = 1;
    for (unsigned l = 1; l <= MAXBITS; l++) {
        left = left * 2 - t->count[l];
        if (left < 0)
            return VG_EFORMAT;
    }
    uint16_t off[MAXBITS + 2];
    off[1] = 0;
    for (unsigned l = 1; l <= MAXBITS; l++)
        off[l + 1] = (uint16_t)(off[l] + t->count[l]);
    for (unsigned i = 0; i < n; i++)
        t->sym[off[len[i]]++] = (uint16_t)i;
    return VG_OK;
}

static vg_status decode(bits *b, const sftree *t, unsigned *sym)
{
    int32_t code = 0, first = 0, index = 0;
    for (unsigned l = 1; l <= MAXBITS; l++) {
        uint32_t bit;
        if (getbits(b, 1, &bit) != VG_OK)
            return VG_EFORMAT;
        code |= (int32_t)(bit ^ 1u);
        int32_t c = t->count[l];
        if (code - first < c) {
            *sym = t->sym[index + code - first];
            return VG_OK;
        }
        index += c;
        first = (first + c) << 1;
        code <<= 1;
    }
    return VG_EFORMAT;
}

vg_status vgimp_decode(const uint8_t *in, size_t inlen, unsigned flags, uint64_t size,
                       vgbuf *out)
{
    sftree lit, len, dist;
    bits b;
    int haslit = (flags & VGIMP_F_LIT) != 0;
    unsigned lowbits = (flags & VGIMP_F_8K) ? 7 : 6;
    unsigned minlen = haslit ? 3 : 2;
    vgrd_init(&b.r, in, inlen);
    b.buf = 0;
    b.cnt = 0;
    if ((haslit && read_tree(&b.r, &lit, 256) != VG_OK) || read_tree(&b.r, &len, 64) != VG_OK ||
        read_tree(&b.r, &dist, 64) != VG_OK)
        return VG_EFORMAT;
    size_t start = out->len;
    int over = size > out->max - start;
    uint64_t want = over ? out->max - start : size;
    while (out->len - start < want) {
        uint32_t v, lo;
        unsigned sym;
        vg_status st;
        if (getbits(&b, 1, &v) != VG_OK)
            return VG_EFORMAT;
        if (v) {
            if (haslit) {
                if (decode(&b, &lit, &sym) != VG_OK)
                    return VG_EFORMAT;
                v = sym;
            } else if (getbits(&b, 8, &v) != VG_OK) {
                return VG_EFORMAT;
            }
            uint8_t c = (uint8_t)v;
            if ((st = vgbuf_append(out, &c, 1)) != VG_OK)
                return st;
            continue;
        }
        if (getbits(&b, lowbits, &lo) != VG_OK || decode(&b, &dist, &sym) != VG_OK)
            return VG_EFORMAT;
        size_t d = ((size_t)sym << lowbits | lo) + 1;
        if (decode(&b, &len, &sym) != VG_OK)
            return VG_EFORMAT;
        size_t n = sym;
        if (sym == 63) {
            if (getbits(&b, 8, &v) != VG_OK)
                return VG_EFORMAT;
            n += v;
        }
        n += minlen;
        size_t have = out->len - start;
        if (n > want - have)
            n = (size_t)(want - have);
        if ((st = vgbuf_reserve(out, n)) != VG_OK)
            return st;
        uint8_t *p = out->data + out->len;
        for (size_t i = 0; i < n; i++)
            p[i] = d > have + i ? 0 : p[(ptrdiff_t)i - (ptrdiff_t)d];
        out->len += n;
    }
    return over ? VG_ELIMIT : VG_OK;
}
