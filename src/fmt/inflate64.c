/* fmt/inflate64.c - raw deflate (RFC 1951) and Deflate64 decoder, bounded.
 *
 * Why our own: libarchive and zlib do not decode Deflate64 (zip method 9,
 * PKWARE's "enhanced deflate"), and ClamAV does (clam.d64.zip). Deflate64 is
 * deflate with three changes, from PKWARE's APPNOTE and RFC 1951:
 *   - the window is 64 KB, so distances reach 65536: distance codes 30 and
 *     31 are used (bases 32769 and 49153, 14 extra bits each);
 *   - length code 285 means base 3 plus 16 extra bits (deflate: 258, none);
 *   - nothing else: block types, code-length alphabets, fixed codes.
 * The whole output is kept in one vgbuf (the caller scans it in memory), so
 * back-references copy from the output itself and no window is needed.
 *
 * Huffman codes are canonical; decoding walks the code one bit at a time
 * against the count of codes of each length (no tables to build beyond the
 * sorted symbols), so the cost is at most 15 steps a symbol and a damaged
 * tree can do no harm: an over-subscribed set of lengths is refused, an
 * incomplete one gives VG_EFORMAT when an unused code is met.
 *
 * Bounds: input bytes only through core/rd.h; output only through the
 * vgbuf, whose ceiling the caller sets (size and ratio limits), so a bomb
 * stops at VG_ELIMIT. Every loop consumes input or output: a stored block
 * of length 0 or an empty fixed block still consumes header bits, and the
 * input is finite. */
#include "inflate64.h"

#include <string.h>

#include "core/rd.h"

#define MAXBITS 15
#define NLIT 288
#define NDIST 32

typedef struct bits {
    vgrd r;
    uint32_t buf; /* pending bits, LSB first */
    unsigned cnt;
} bits;

typedef struct huff {
    uint16_t count[MAXBITS + 1];
    uint16_t sym[NLIT];
} huff;

static vg_status need(bits *b, unsigned n)
{
    while (b->cnt < n) {
        uint8_t v;
        if (vgrd_u8(&b->r, &v) != VG_OK)
            return VG_EFORMAT;
        b->buf |= (uint32_t)v << b->cnt;
        b->cnt += 8;
    }
    return VG_OK;
}

/* n <= 16 bits, LSB first */
static vg_status getbits(bits *b, unsigned n, uint32_t *v)
{
    if (n == 0) {
        *v = 0;
        return VG_OK;
    }
    if (need(b, n) != VG_OK)
        return VG_EFORMAT;
    *v = b->buf & ((1u << n) - 1);
    b->buf >>= n;
    b->cnt -= n;
    return VG_OK;
}

/* Canonical code from lengths; VG_EFORMAT when over-subscribed. */
static vg_status build(huff *h, const uint8_t *len, unsigned n)
{
    uint16_t off[MAXBITS + 2];
    memset(h->count, 0, sizeof h->count);
    for (unsigned i = 0; i < n; i++)
        h->count[len[i]]++;
    int left = 1;
    for (unsigned l = 1; l <= MAXBITS; l++) {
        left = left * 2 - h->count[l];
        if (left < 0)
            return VG_EFORMAT;
    }
    off[1] = 0;
    for (unsigned l = 1; l <= MAXBITS; l++)
        off[l + 1] = (uint16_t)(off[l] + h->count[l]);
    for (unsigned i = 0; i < n; i++)
        if (len[i])
            h->sym[off[len[i]]++] = (uint16_t)i;
    return VG_OK;
}

static vg_status decode(bits *b, const huff *h, unsigned *sym)
{
    int code = 0, first = 0, index = 0;
    for (unsigned l = 1; l <= MAXBITS; l++) {
        uint32_t bit;
        if (getbits(b, 1, &bit) != VG_OK)
            return VG_EFORMAT;
        code |= (int)bit;
        int c = h->count[l];
        if (code - first < c) {
            *sym = h->sym[index + code - first];
            return VG_OK;
        }
        index += c;
        first = (first + c) << 1;
        code <<= 1;
    }
    return VG_EFORMAT; /* a code the (incomplete) tree does not have */
}

static const uint16_t len_base[29] = {3,  4,  5,  6,  7,  8,  9,  10,  11,  13,
                                      15, 17, 19, 23, 27, 31, 35, 43,  51,  59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[NDIST] = {
    1,    2,    3,    4,    5,    7,     9,     13,    17,    25,   33,
    49,   65,   97,   129,  193,  257,   385,   513,   769,   1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577, 32769, 49153};
static const uint8_t dist_extra[NDIST] = {0, 0, 0, 0, 1, 1, 2,  2,  3,  3,  4,
                                          4, 5, 5, 6, 6, 7, 7,  8,  8,  9,  9,
                                          10, 10, 11, 11, 12, 12, 13, 13, 14, 14};

/* Copy `n` bytes from `dist` back; the source may overlap the copy. */
static vg_status copy_back(vgbuf *out, size_t dist, size_t n)
{
    if (dist == 0 || dist > out->len)
        return VG_EFORMAT;
    vg_status st = vgbuf_reserve(out, n);
    if (st != VG_OK)
        return st;
    uint8_t *p = out->data + out->len;
    const uint8_t *s = p - dist;
    for (size_t i = 0; i < n; i++)
        p[i] = s[i];
    out->len += n;
    return VG_OK;
}

static vg_status codes(bits *b, const huff *lit, const huff *dist, int d64, vgbuf *out)
{
    for (;;) {
        unsigned sym;
        uint32_t ex;
        vg_status st = decode(b, lit, &sym);
        if (st != VG_OK)
            return st;
        if (sym < 256) {
            uint8_t c = (uint8_t)sym;
            if ((st = vgbuf_append(out, &c, 1)) != VG_OK)
                return st;
            continue;
        }
        if (sym == 256)
            return VG_OK;
        sym -= 257;
        if (sym >= 29)
            return VG_EFORMAT;
        size_t n;
        if (d64 && sym == 28) {
            if (getbits(b, 16, &ex) != VG_OK)
                return VG_EFORMAT;
            n = 3 + (size_t)ex;
        } else {
            if (getbits(b, len_extra[sym], &ex) != VG_OK)
                return VG_EFORMAT;
            n = len_base[sym] + (size_t)ex;
        }
        if ((st = decode(b, dist, &sym)) != VG_OK)
            return st;
        if (sym >= (d64 ? 32u : 30u))
            return VG_EFORMAT;
        if (getbits(b, dist_extra[sym], &ex) != VG_OK)
            return VG_EFORMAT;
        if ((st = copy_back(out, dist_base[sym] + (size_t)ex, n)) != VG_OK)
            return st;
    }
}

static vg_status stored(bits *b, vgbuf *out)
{
    b->buf = 0; /* to the next byte boundary; whole bytes never stay */
    b->cnt = 0; /* pending (need() only takes what it uses) */
    uint16_t n, nn;
    if (vgrd_u16le(&b->r, &n) != VG_OK || vgrd_u16le(&b->r, &nn) != VG_OK ||
        (n ^ nn) != 0xffffu)
        return VG_EFORMAT;
    const uint8_t *p = vgrd_take(&b->r, n);
    if (!p)
        return VG_EFORMAT;
    return vgbuf_append(out, p, n);
}

static vg_status fixed(bits *b, int d64, vgbuf *out)
{
    uint8_t l[NLIT];
    huff lit, dist;
    memset(l, 8, 144);
    memset(l + 144, 9, 112);
    memset(l + 256, 7, 24);
    memset(l + 280, 8, 8);
    if (build(&lit, l, NLIT) != VG_OK)
        return VG_EFORMAT;
    memset(l, 5, NDIST);
    if (build(&dist, l, NDIST) != VG_OK)
        return VG_EFORMAT;
    return codes(b, &lit, &dist, d64, out);
}

static vg_status dynamic(bits *b, int d64, vgbuf *out)
{
    static const uint8_t order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                      11, 4,  12, 3, 13, 2, 14, 1, 15};
    uint32_t hlit, hdist, hclen, v;
    if (getbits(b, 5, &hlit) || getbits(b, 5, &hdist) || getbits(b, 4, &hclen))
        return VG_EFORMAT;
    hlit += 257;
    hdist += 1;
    hclen += 4;
    if (hlit > 286 || hdist > NDIST)
        return VG_EFORMAT;
    uint8_t l[NLIT + NDIST];
    memset(l, 0, sizeof l);
    for (unsigned i = 0; i < hclen; i++) {
        if (getbits(b, 3, &v) != VG_OK)
            return VG_EFORMAT;
        l[order[i]] = (uint8_t)v;
    }
    huff cl, lit, dist;
    if (build(&cl, l, 19) != VG_OK)
        return VG_EFORMAT;
    memset(l, 0, sizeof l);
    unsigned i = 0;
    while (i < hlit + hdist) {
        unsigned sym;
        if (decode(b, &cl, &sym) != VG_OK)
            return VG_EFORMAT;
        if (sym < 16) {
            l[i++] = (uint8_t)sym;
            continue;
        }
        uint8_t rep = 0;
        unsigned n;
        if (sym == 16) {
            if (i == 0 || getbits(b, 2, &v) != VG_OK)
                return VG_EFORMAT;
            rep = l[i - 1];
            n = 3 + v;
        } else if (sym == 17) {
            if (getbits(b, 3, &v) != VG_OK)
                return VG_EFORMAT;
            n = 3 + v;
        } else {
            if (getbits(b, 7, &v) != VG_OK)
                return VG_EFORMAT;
            n = 11 + v;
        }
        if (n > hlit + hdist - i)
            return VG_EFORMAT;
        while (n--)
            l[i++] = rep;
    }
    if (l[256] == 0) /* no end-of-block code: the block could never end */
        return VG_EFORMAT;
    if (build(&lit, l, hlit) != VG_OK || build(&dist, l + hlit, hdist) != VG_OK)
        return VG_EFORMAT;
    return codes(b, &lit, &dist, d64, out);
}

vg_status vginf_decode(const uint8_t *in, size_t inlen, int d64, vgbuf *out)
{
    bits b;
    vgrd_init(&b.r, in, inlen);
    b.buf = 0;
    b.cnt = 0;
    for (;;) {
        uint32_t last, type;
        if (getbits(&b, 1, &last) != VG_OK || getbits(&b, 2, &type) != VG_OK)
            return VG_EFORMAT;
        vg_status st = type == 0 ? stored(&b, out)
                       : type == 1 ? fixed(&b, d64, out)
                       : type == 2 ? dynamic(&b, d64, out)
                                   : VG_EFORMAT;
        if (st != VG_OK)
            return st;
        if (last)
            return VG_OK;
    }
}
