/* fmt/enc.c - base64, quoted-printable, uuencode, yEnc and hex decoders
 * (contract in enc.h).
 *
 * All decoders write through a small stack block and append it to the
 * capped output buffer, so the cost of a call is linear in the input and
 * memory never exceeds the buffer's ceiling. Tolerance follows what mail
 * readers accept: base64 skips line breaks and any non-alphabet byte,
 * quoted-printable copies a malformed "=" escape as is, uuencode takes each
 * line's length from its first character and ignores extra characters. */
#include "fmt/enc.h"
#include "core/hex.h"

#include <string.h>

#define BLK 4096u

typedef struct out {
    vgbuf *b;
    uint8_t blk[BLK];
    size_t n;
} out;

static vg_status put(out *o, uint8_t c)
{
    o->blk[o->n++] = c;
    if (o->n < BLK)
        return VG_OK;
    vg_status st = vgbuf_append(o->b, o->blk, o->n);
    o->n = 0;
    return st;
}

static vg_status flush(out *o)
{
    vg_status st = o->n ? vgbuf_append(o->b, o->blk, o->n) : VG_OK;
    o->n = 0;
    return st;
}

size_t vgenc_line(const uint8_t *p, size_t n, size_t *next)
{
    const uint8_t *nl = memchr(p, '\n', n);
    if (!nl) {
        *next = n;
        return n;
    }
    *next = (size_t)(nl - p) + 1;
    return (size_t)(nl - p);
}

static int b64val(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

vg_status vgenc_base64(const uint8_t *p, size_t n, vgbuf *b)
{
    out o = {.b = b};
    uint32_t acc = 0;
    unsigned bits = 0;
    vg_status st = VG_OK;
    for (size_t i = 0; i < n && st == VG_OK; i++) {
        if (p[i] == '=')
            break;
        int v = b64val(p[i]);
        if (v < 0)
            continue;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            st = put(&o, (uint8_t)(acc >> bits));
            acc &= (1u << bits) - 1;
        }
    }
    vg_status f = flush(&o);
    return st != VG_OK ? st : f;
}

vg_status vgenc_qp(const uint8_t *p, size_t n, vgbuf *b)
{
    out o = {.b = b};
    vg_status st = VG_OK;
    for (size_t i = 0; i < n && st == VG_OK; i++) {
        if (p[i] != '=') {
            st = put(&o, p[i]);
            continue;
        }
        if (i + 1 < n && p[i + 1] == '\n') { /* soft break */
            i += 1;
            continue;
        }
        if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n') {
            i += 2;
            continue;
        }
        int h = i + 1 < n ? vg_hexval(p[i + 1]) : -1;
        int l = i + 2 < n ? vg_hexval(p[i + 2]) : -1;
        if (h < 0 || l < 0) {
            st = put(&o, '=');
            continue;
        }
        st = put(&o, (uint8_t)(h << 4 | l));
        i += 2;
    }
    vg_status f = flush(&o);
    return st != VG_OK ? st : f;
}

/* uuencode: each character is (value + 32), with '`' for 0. */
static uint8_t uuval(uint8_t c) { return (uint8_t)((c - 32) & 63); }

vg_status vgenc_uu(const uint8_t *p, size_t n, vgbuf *b, size_t *consumed)
{
    out o = {.b = b};
    vg_status st = VG_OK;
    size_t pos, next;
    vgenc_line(p, n, &pos); /* the begin line */
    while (pos < n && st == VG_OK) {
        const uint8_t *l = p + pos;
        size_t len = vgenc_line(l, n - pos, &next);
        pos += next;
        while (len && (l[len - 1] == '\r' || l[len - 1] == ' '))
            len--;
        if (len >= 3 && !memcmp(l, "end", 3))
            break;
        if (len == 0)
            continue;
        size_t want = uuval(l[0]);
        if (want == 0) { /* the zero-length line ("`") closes the data */
            l = p + pos;
            len = vgenc_line(l, n - pos, &next);
            if (len >= 3 && !memcmp(l, "end", 3))
                pos += next;
            break;
        }
        size_t got = 0;
        for (size_t i = 1; got < want && st == VG_OK; i += 4) {
            uint8_t c[4];
            for (size_t k = 0; k < 4; k++)
                c[k] = i + k < len ? uuval(l[i + k]) : 0;
            uint8_t d[3] = {(uint8_t)(c[0] << 2 | c[1] >> 4),
                            (uint8_t)(c[1] << 4 | c[2] >> 2),
                            (uint8_t)(c[2] << 6 | c[3])};
            for (size_t k = 0; k < 3 && got < want && st == VG_OK; k++, got++)
                st = put(&o, d[k]);
            if (i >= len)
                break;
        }
    }
    *consumed = pos;
    vg_status f = flush(&o);
    return st != VG_OK ? st : f;
}

/* yEnc: byte = (char - 42) mod 256; '=' escapes the next char (- 64);
 * CR and LF are line breaks, not data. */
vg_status vgenc_yenc(const uint8_t *p, size_t n, vgbuf *b, size_t *consumed)
{
    out o = {.b = b};
    vg_status st = VG_OK;
    size_t pos, next;
    vgenc_line(p, n, &pos); /* =ybegin */
    while (pos < n && st == VG_OK) {
        const uint8_t *l = p + pos;
        size_t len = vgenc_line(l, n - pos, &next);
        pos += next;
        if (len >= 6 && !memcmp(l, "=yend ", 6))
            break;
        if (len >= 7 && !memcmp(l, "=ypart ", 7))
            continue;
        for (size_t i = 0; i < len && st == VG_OK; i++) {
            uint8_t c = l[i];
            if (c == '\r')
                continue;
            if (c == '=') {
                if (++i >= len)
                    break;
                c = (uint8_t)(l[i] - 64);
            }
            st = put(&o, (uint8_t)(c - 42));
        }
    }
    *consumed = pos;
    vg_status f = flush(&o);
    return st != VG_OK ? st : f;
}

vg_status vgenc_hex(const uint8_t *p, size_t n, vgbuf *b)
{
    out o = {.b = b};
    vg_status st = VG_OK;
    int hi = -1;
    for (size_t i = 0; i < n && st == VG_OK; i++) {
        int v = vg_hexval(p[i]);
        if (v < 0)
            continue;
        if (hi < 0) {
            hi = v;
            continue;
        }
        st = put(&o, (uint8_t)(hi << 4 | v));
        hi = -1;
    }
    vg_status f = flush(&o);
    return st != VG_OK ? st : f;
}
