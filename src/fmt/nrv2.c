/* fmt/nrv2.c - NRV2B, NRV2D and NRV2E decoders (UCL's LZ77 variants, as
 * UPX uses them for i386 PE files), bounded.
 *
 * Why our own: no Debian library decodes them (libucl is not packaged for
 * bookworm), and ClamAV unpacks UPX (clam-upx.exe) to find what it hides.
 *
 * Stream, as UPX's i386 ("le32") flavour writes it: control bits come from
 * 32-bit little-endian words, most significant bit first, a new word being
 * read when the previous 32 bits are used up; the words are interleaved
 * with the literal and offset bytes at the point the decoder needs them.
 * A token is:
 *   1                  a literal: the next byte is copied;
 *   0 + offset + len   a match.
 * The offset is a gamma-like number: NRV2B reads pairs (value bit, stop
 * bit); NRV2D/E read (value bit, stop bit, one more value bit if not
 * stopped). 2 means "the previous offset again" (2D/E then read one length
 * bit); otherwise (value-3)*256 + next byte is the offset, all-ones ends
 * the stream, and 2D/E take its low bit (inverted) as a length bit and
 * shift it out. Offsets are stored minus one. Lengths: two bits, or when
 * both are zero a gamma number + 2 (2B/2D); NRV2E reads one bit, then a
 * second, then gamma + 3. Long offsets lengthen the match by one (2B past
 * 0xd00, 2D/E past 0x500); a match copies len+1 bytes.
 * (From the UCL documentation's description of the methods and the
 * decoding UPX's stub performs, checked against clam-upx.exe.)
 *
 * Bounds: input via core/rd.h; output only through the vgbuf ceiling; a
 * gamma number is refused past 24 bits of value (no offset or length can
 * be that long), so every loop ends. */
#include "nrv2.h"

#include "core/rd.h"

#define GAMMA_MAX 0x1000000u

typedef struct bits {
    vgrd r;
    uint32_t word;
    unsigned left;
} bits;

static vg_status bit(bits *b, uint32_t *v)
{
    if (b->left == 0) {
        if (vgrd_u32le(&b->r, &b->word) != VG_OK)
            return VG_EFORMAT;
        b->left = 32;
    }
    b->left--;
    *v = (b->word >> b->left) & 1u;
    return VG_OK;
}

/* v = v*2 + bit, with the overflow guard */
static vg_status more(bits *b, uint32_t *v)
{
    uint32_t x;
    if (*v >= GAMMA_MAX || bit(b, &x) != VG_OK)
        return VG_EFORMAT;
    *v = *v * 2 + x;
    return VG_OK;
}

/* Gamma number starting at 1: (value bit, stop bit) pairs. */
static vg_status gamma2(bits *b, uint32_t *v)
{
    uint32_t stop;
    *v = 1;
    do {
        if (more(b, v) != VG_OK || bit(b, &stop) != VG_OK)
            return VG_EFORMAT;
    } while (!stop);
    return VG_OK;
}

/* The offset gamma of 2D/2E: (value, stop[, value]) */
static vg_status gamma3(bits *b, uint32_t *v)
{
    uint32_t stop;
    *v = 1;
    for (;;) {
        if (more(b, v) != VG_OK || bit(b, &stop) != VG_OK)
            return VG_EFORMAT;
        if (stop)
            return VG_OK;
        *v -= 1;
        if (more(b, v) != VG_OK)
            return VG_EFORMAT;
    }
}

static vg_status copy_match(vgbuf *out, uint32_t off, uint32_t n)
{
    if (off == 0 || off > out->len)
        return VG_EFORMAT;
    vg_status st = vgbuf_reserve(out, n);
    if (st != VG_OK)
        return st;
    uint8_t *p = out->data + out->len;
    for (uint32_t i = 0; i < n; i++)
        p[i] = p[(ptrdiff_t)i - (ptrdiff_t)off];
    out->len += n;
    return VG_OK;
}

/* Length of a match (before the long-offset bonus and the +1). */
static vg_status match_len(vgnrv_method m, bits *b, uint32_t first, uint32_t *len)
{
    uint32_t x;
    if (m == VGNRV_2E) {
        if (first) {
            if (bit(b, &x) != VG_OK)
                return VG_EFORMAT;
            *len = 1 + x;
            return VG_OK;
        }
        if (bit(b, &x) != VG_OK)
            return VG_EFORMAT;
        if (x) {
            if (bit(b, &x) != VG_OK)
                return VG_EFORMAT;
            *len = 3 + x;
            return VG_OK;
        }
        if (gamma2(b, len) != VG_OK)
            return VG_EFORMAT;
        *len += 3;
        return VG_OK;
    }
    if (bit(b, &x) != VG_OK)
        return VG_EFORMAT;
    *len = first * 2 + x;
    if (*len == 0) {
        if (gamma2(b, len) != VG_OK)
            return VG_EFORMAT;
        *len += 2;
    }
    return VG_OK;
}

vg_status vgnrv_decode(vgnrv_method m, const uint8_t *in, size_t inlen, vgbuf *out,
                       size_t *used)
{
    bits b;
    uint32_t last_off = 1;
    vgrd_init(&b.r, in, inlen);
    b.left = 0;
    b.word = 0;
    for (;;) {
        uint32_t x, off, first = 0, len;
        vg_status st;
        if (bit(&b, &x) != VG_OK)
            return VG_EFORMAT;
        if (x) {
            const uint8_t *p = vgrd_take(&b.r, 1);
            if (!p)
                return VG_EFORMAT;
            if ((st = vgbuf_append(out, p, 1)) != VG_OK)
                return st;
            continue;
        }
        if ((m == VGNRV_2B ? gamma2(&b, &off) : gamma3(&b, &off)) != VG_OK)
            return VG_EFORMAT;
        if (off == 2) {
            off = last_off;
            if (m != VGNRV_2B && bit(&b, &first) != VG_OK)
                return VG_EFORMAT;
        } else {
            const uint8_t *p = vgrd_take(&b.r, 1);
            if (!p)
                return VG_EFORMAT;
            off = (off - 3) * 256 + p[0];
            if (off == 0xffffffffu) {
                if (used)
                    *used = b.r.pos;
                return VG_OK;
            }
            if (m != VGNRV_2B) {
                first = (off & 1u) ^ 1u;
                off >>= 1;
            }
            last_off = ++off;
        }
        if (m == VGNRV_2B) {
            if (bit(&b, &first) != VG_OK)
                return VG_EFORMAT;
        }
        if (match_len(m, &b, first, &len) != VG_OK)
            return VG_EFORMAT;
        len += off > (m == VGNRV_2B ? 0xd00u : 0x500u);
        if ((st = copy_match(out, off, len + 1)) != VG_OK)
            return st;
    }
}
