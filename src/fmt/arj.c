/* fmt/arj.c - ARJ archives: every member (stored, methods 1-3 and method
 * 4) becomes a member. No Debian library reads ARJ (libarchive does not),
 * so this is our own bounded reader and decoder, written from Robert Jung's
 * ARJ technical description (arj's TECHNOTE.TXT).
 *
 * Headers (all LE): u16 0xea60, u16 basic header size (0: end of archive,
 * at most ARJ_MAX_HEADER), the basic header, u32 CRC of it, then extended
 * headers (u16 size, data, u32 CRC) until a size of 0. Basic header:
 *   0 u8 size of the fixed part   1 archiver version   2 minimum version
 *   3 host OS   4 flags (0x01 garbled = encrypted)   5 method   6 file type
 *   7 reserved   8 u32 date/time   12 u32 compressed size
 *   16 u32 original size   20 u32 CRC-32   24 u16 filespec position ...
 *   then at the fixed part's end: file name NUL, comment NUL.
 * The first header is the archive's own; each later one is followed by its
 * compressed data. File type 0 (binary) and 1 (text) are members; others
 * (directories, labels) are skipped.
 *
 * Methods 1-3 are LZ77 + static Huffman in blocks, the scheme of Okumura's
 * ar002 (a 26,624-byte window, 510 literal/length codes, 17 position
 * codes, code-length codes): each block gives its size in codes (16 bits),
 * then the code-length tree, the literal/length tree and the position
 * tree. Method 4 codes lengths and positions with unary-prefixed widths.
 * Both write into the member buffer directly and copy matches from it, so
 * no separate window is kept.
 *
 * Bounds: every bit read past the data gives zeros and marks the stream
 * damaged (the member keeps what came out); every table is checked before
 * use (Kraft sum, tree node count); a match may not reach before the
 * member's start; output stops at the declared original size, which must
 * be within the member ceiling, and the ratio guard holds; ARJ_MAX_MEMBERS
 * headers per archive. Encrypted (garbled) members are reported. CRCs are
 * not checked: a wrong CRC does not make a payload harmless. */
#include "fmt/docs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rd.h"

#define ARJ_MAX_HEADER 2600u
#define ARJ_MAX_MEMBERS 100000u
#define ARJ_MAGIC 0xea60u
#define ARJ_GARBLED 0x01u

#define THRESHOLD 3
#define MAXMATCH 256
#define NC (255 + MAXMATCH + 2 - THRESHOLD) /* 510 */
#define NP 17
#define NT 19
#define NPT NT
#define CBIT 9
#define PBIT 5
#define TBIT 5
#define CTBITS 12
#define PTBITS 8

/* ------------------------------------------------------------ bit input */

typedef struct bits {
    const uint8_t *p;
    size_t n, pos;
    uint16_t buf;    /* the next 16 bits, MSB first */
    uint32_t sub;    /* bits of the current byte not in buf */
    unsigned subn;
    int over;        /* read past the end */
} bits;

static void fill(bits *b, unsigned k) /* drop k (<= 16) bits of buf */
{
    while (k > b->subn) {
        k -= b->subn;
        b->buf = (uint16_t)((b->buf << b->subn) | (b->sub >> (8 - b->subn)));
        if (b->pos < b->n) {
            b->sub = b->p[b->pos++];
        } else {
            b->sub = 0;
            b->over++;
        }
        b->subn = 8;
    }
    b->buf = (uint16_t)((b->buf << k) | ((b->sub & 0xff) >> (8 - k)));
    b->sub = (b->sub << k) & 0xff;
    b->subn -= k;
}

static unsigned get(bits *b, unsigned k)
{
    if (k == 0)
        return 0;
    unsigned v = (unsigned)b->buf >> (16 - k);
    fill(b, k);
    return v;
}

static void bits_init(bits *b, const uint8_t *p, size_t n)
{
    memset(b, 0, sizeof *b);
    b->p = p;
    b->n = n;
    fill(b, 16);
}

/* --------------------------------------------------- Huffman (ar002) */

typedef struct huff {
    uint16_t left[2 * NC - 1], right[2 * NC - 1];
    uint8_t c_len[NC], pt_len[NPT];
    uint16_t c_table[1u << CTBITS], pt_table[1u << PTBITS];
} huff;

/* Canonical decoding table: codes up to tbits long index `table`
 * directly; longer ones continue in a tree (left/right) below it. */
static int make_table(huff *h, unsigned nchar, const uint8_t *len, unsigned tbits,
                      uint16_t *table)
{
    uint32_t count[17] = {0}, weight[17], start[18];
    for (unsigned i = 0; i < nchar; i++) {
        if (len[i] > 16)
            return -1;
        count[len[i]]++;
    }
    start[1] = 0;
    for (unsigned i = 1; i <= 16; i++)
        start[i + 1] = start[i] + (count[i] << (16 - i));
    if (start[17] != (1u << 16))
        return -1;
    unsigned jut = 16 - tbits;
    for (unsigned i = 1; i <= tbits; i++) {
        start[i] >>= jut;
        weight[i] = 1u << (tbits - i);
    }
    for (unsigned i = tbits + 1; i <= 16; i++)
        weight[i] = 1u << (16 - i);
    uint32_t tsize = 1u << tbits;
    for (uint32_t i = start[tbits + 1] >> jut; i < tsize; i++)
        table[i] = 0;
    unsigned avail = nchar;
    uint32_t mask = 1u << (15 - tbits);
    for (unsigned ch = 0; ch < nchar; ch++) {
        unsigned l = len[ch];
        if (l == 0)
            continue;
        uint32_t k = start[l], next = k + weight[l];
        if (l <= tbits) {
            if (next > tsize)
                return -1;
            for (uint32_t i = k; i < next; i++)
                table[i] = (uint16_t)ch;
        } else {
            uint16_t *p = &table[k >> jut];
            for (unsigned i = l - tbits; i; i--) {
                if (*p == 0) {
                    if (avail >= 2 * NC - 1)
                        return -1;
                    h->right[avail] = h->left[avail] = 0;
                    *p = (uint16_t)avail++;
                }
                p = (k & mask) ? &h->right[*p] : &h->left[*p];
                k <<= 1;
            }
            *p = (uint16_t)ch;
        }
        start[l] = next;
    }
    return 0;
}

static unsigned walk(const huff *h, unsigned j, unsigned n, uint16_t buf, unsigned mask)
{
    for (unsigned steps = 0; j >= n && steps < 2 * NC; steps++) {
        j = (buf & mask) ? h->right[j] : h->left[j];
        mask >>= 1;
    }
    return j < n ? j : 0;
}

static int read_pt_len(huff *h, bits *b, unsigned nn, unsigned nbit, int special)
{
    unsigned n = get(b, nbit);
    if (n == 0) {
        unsigned c = get(b, nbit);
        memset(h->pt_len, 0, sizeof h->pt_len);
        for (unsigned i = 0; i < (1u << PTBITS); i++)
            h->pt_table[i] = (uint16_t)(c < nn ? c : 0);
        return 0;
    }
    if (n > nn)
        return -1;
    unsigned i = 0;
    while (i < n) {
        unsigned c = b->buf >> 13;
        if (c == 7) {
            for (unsigned m = 1u << 12; (m & b->buf) && c < 16; m >>= 1)
                c++;
            if (c >= 16)
                return -1;
        }
        fill(b, c < 7 ? 3 : c - 3);
        h->pt_len[i++] = (uint8_t)c;
        if ((int)i == special) {
            unsigned z = get(b, 2);
            while (z-- > 0 && i < nn)
                h->pt_len[i++] = 0;
        }
    }
    while (i < nn)
        h->pt_len[i++] = 0;
    return make_table(h, nn, h->pt_len, PTBITS, h->pt_table);
}

static int read_c_len(huff *h, bits *b)
{
    unsigned n = get(b, CBIT);
    if (n == 0) {
        unsigned c = get(b, CBIT);
        memset(h->c_len, 0, sizeof h->c_len);
        for (unsigned i = 0; i < (1u << CTBITS); i++)
            h->c_table[i] = (uint16_t)(c < NC ? c : 0);
        return 0;
    }
    if (n > NC)
        return -1;
    unsigned i = 0;
    while (i < n) {
        unsigned c = h->pt_table[b->buf >> 8];
        if (c >= NT)
            c = walk(h, c, NT, b->buf, 1u << 7);
        fill(b, h->pt_len[c]);
        if (c <= 2) {
            unsigned z = c == 0 ? 1 : c == 1 ? get(b, 4) + 3 : get(b, CBIT) + 20;
            while (z-- > 0 && i < NC)
                h->c_len[i++] = 0;
        } else {
            h->c_len[i++] = (uint8_t)(c - 2);
        }
    }
    while (i < NC)
        h->c_len[i++] = 0;
    return make_table(h, NC, h->c_len, CTBITS, h->c_table);
}

static unsigned decode_c(const huff *h, bits *b)
{
    unsigned j = h->c_table[b->buf >> 4];
    if (j >= NC)
        j = walk(h, j, NC, b->buf, 1u << 3);
    fill(b, h->c_len[j]);
    return j;
}

static unsigned decode_p(const huff *h, bits *b)
{
    unsigned j = h->pt_table[b->buf >> 8];
    if (j >= NP)
        j = walk(h, j, NP, b->buf, 1u << 7);
    fill(b, h->pt_len[j]);
    if (j != 0)
        j = (1u << (j - 1)) + get(b, j - 1);
    return j;
}

/* ------------------------------------------------------------ decoders */

/* Copy a match of len bytes from dist + 1 back; 0 when it reaches before
 * the start. Stops at want. */
static int copy(uint8_t *o, size_t *pos, size_t want, unsigned dist, unsigned len)
{
    if ((size_t)dist + 1 > *pos)
        return 0;
    size_t from = *pos - dist - 1;
    for (unsigned k = 0; k < len && *pos < want; k++)
        o[(*pos)++] = o[from + k];
    return 1;
}

static int decode_lzh(const uint8_t *p, size_t n, uint8_t *o, size_t want, size_t *got)
{
    huff *h = calloc(1, sizeof *h);
    if (!h)
        return -2;
    bits b;
    bits_init(&b, p, n);
    size_t pos = 0;
    unsigned block = 0;
    int rc = 0;
    while (pos < want && !b.over) {
        if (block == 0) {
            block = get(&b, 16);
            if (block == 0 || read_pt_len(h, &b, NT, TBIT, 3) || read_c_len(h, &b) ||
                read_pt_len(h, &b, NP, PBIT, -1)) {
                rc = -1;
                break;
            }
        }
        block--;
        unsigned c = decode_c(h, &b);
        if (c <= 255) {
            o[pos++] = (uint8_t)c;
        } else if (!copy(o, &pos, want, decode_p(h, &b), c - (256 - THRESHOLD))) {
            rc = -1;
            break;
        }
    }
    free(h);
    *got = pos;
    return rc ? rc : (b.over > 2 ? -1 : 0);
}

/* Method 4: a width in unary (at most stop - start ones) then that many
 * bits, plus the sum of the skipped powers of two. */
static unsigned unary_width(bits *b, unsigned start, unsigned stop)
{
    unsigned plus = 0, pwr = 1u << start, width = start;
    for (; width < stop; width++) {
        if (!get(b, 1))
            break;
        plus += pwr;
        pwr <<= 1;
    }
    return plus + get(b, width);
}

static int decode_fast(const uint8_t *p, size_t n, uint8_t *o, size_t want, size_t *got)
{
    bits b;
    bits_init(&b, p, n);
    size_t pos = 0;
    while (pos < want && !b.over) {
        unsigned c = unary_width(&b, 0, 7);
        if (c == 0) {
            o[pos++] = (uint8_t)get(&b, 8);
            continue;
        }
        unsigned dist = unary_width(&b, 9, 13);
        if (!copy(o, &pos, want, dist, c + THRESHOLD - 1)) {
            *got = pos;
            return -1;
        }
    }
    *got = pos;
    return b.over > 2 ? -1 : 0;
}

/* ------------------------------------------------------------- archive */

typedef struct ahdr {
    uint8_t flags, method, ftype;
    uint32_t csize, osize;
    char name[256];
} ahdr;

/* Read one header at r's cursor; 1 = a header, 0 = end of archive, -1 bad. */
static int header(vgrd *r, ahdr *h)
{
    uint16_t magic, size;
    if (vgrd_u16le(r, &magic) != VG_OK || magic != ARJ_MAGIC || vgrd_u16le(r, &size) != VG_OK)
        return -1;
    if (size == 0)
        return 0;
    const uint8_t *b = size <= ARJ_MAX_HEADER ? vgrd_take(r, size) : NULL;
    if (!b || size < 30 || b[0] < 30 || b[0] > size || vgrd_skip(r, 4) != VG_OK)
        return -1;
    h->flags = b[4];
    h->method = b[5];
    h->ftype = b[6];
    h->csize = (uint32_t)b[12] | (uint32_t)b[13] << 8 | (uint32_t)b[14] << 16 | (uint32_t)b[15] << 24;
    h->osize = (uint32_t)b[16] | (uint32_t)b[17] << 8 | (uint32_t)b[18] << 16 | (uint32_t)b[19] << 24;
    size_t nl = 0;
    while (b[0] + nl < size && b[b[0] + nl] && nl + 1 < sizeof h->name) {
        h->name[nl] = (char)b[b[0] + nl];
        nl++;
    }
    h->name[nl] = 0;
    for (unsigned i = 0; i < 64; i++) { /* extended headers */
        uint16_t ext;
        if (vgrd_u16le(r, &ext) != VG_OK)
            return -1;
        if (ext == 0)
            return 1;
        if (vgrd_skip(r, (size_t)ext + 4) != VG_OK)
            return -1;
    }
    return -1;
}

static vg_status member(const vgarc_sink *sink, const ahdr *h, const uint8_t *p)
{
    if (h->flags & ARJ_GARBLED) {
        if (sink->encrypted)
            sink->encrypted(sink->user, "ARJ", h->name);
        return VG_OK;
    }
    if (h->method == 0)
        return vgdoc_emit(sink, h->name, p, h->csize < h->osize ? h->csize : h->osize, VG_OK);
    if (h->method > 4) {
        vgdoc_warn(sink, "arj: unknown method");
        return VG_OK;
    }
    if (h->osize > sink->max_member)
        return vgdoc_emit(sink, h->name, NULL, 0, VG_ELIMIT);
    const vg_limits *lim = sink->limits;
    if (lim && lim->max_ratio && h->osize > lim->ratio_min_size &&
        h->osize / (h->csize ? h->csize : 1) > lim->max_ratio) {
        if (sink->limit)
            sink->limit(sink->user, VG_LIMIT_RATIO, h->name);
        return VG_OK;
    }
    uint8_t *o = malloc(h->osize ? h->osize : 1);
    if (!o)
        return VG_ENOMEM;
    size_t got = 0;
    int rc = h->method == 4 ? decode_fast(p, h->csize, o, h->osize, &got)
                            : decode_lzh(p, h->csize, o, h->osize, &got);
    vg_status st;
    if (rc == -2) {
        st = VG_ENOMEM;
    } else {
        if (rc != 0 || got < h->osize)
            vgdoc_warn(sink, "arj: damaged member");
        st = got ? vgdoc_emit(sink, h->name, o, got, VG_OK) : VG_OK;
    }
    free(o);
    return st;
}

vg_status vgarj_extract(const uint8_t *data, size_t len, const vgarc_sink *sink)
{
    vgrd r;
    vgrd_init(&r, data, len);
    ahdr h;
    memset(&h, 0, sizeof h);
    if (header(&r, &h) != 1) { /* the archive header */
        vgdoc_warn(sink, "arj: bad archive header");
        return VG_EFORMAT;
    }
    vg_status st = VG_OK;
    for (unsigned i = 0; i < ARJ_MAX_MEMBERS && st == VG_OK; i++) {
        memset(&h, 0, sizeof h);
        int k = header(&r, &h);
        if (k == 0)
            break;
        const uint8_t *p = k > 0 ? vgrd_take(&r, h.csize) : NULL;
        if (!p) {
            vgdoc_warn(sink, "arj: damaged header or data");
            break;
        }
        if (h.ftype == 0 || h.ftype == 1)
            st = member(sink, &h, p);
    }
    return st;
}
