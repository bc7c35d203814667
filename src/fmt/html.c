/* fmt/html.c - binaries carried inside HTML as data: URIs (RFC 2397).
 *
 * The HTML text itself is scanned raw and normalised by the pipeline; this
 * module adds what a browser would decode: each "data:[type][;base64],DATA"
 * URI becomes a member, base64-decoded when it says so, %XX-decoded
 * otherwise. DATA ends at a quote, '>', '<', ')' or white space (base64
 * data may be folded over lines, so line breaks are skipped inside
 * base64). Ceiling: HTML_MAX_URIS members per document; the scan for
 * "data:" is one pass over the input. */
#include "fmt/docs.h"

#include <stdio.h>
#include <string.h>

#include "fmt/enc.h"
#include "core/hex.h"

#define HTML_MAX_URIS 1000u
#define MEDIATYPE_MAX 256u /* "data:" ... "," longer than this is not a URI */

static int lc(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int is_end(uint8_t c, int b64)
{
    if (c == '"' || c == '\'' || c == '>' || c == '<' || c == ')' || c == '`')
        return 1;
    if (c == ' ' || c == '\t')
        return 1;
    return !b64 && (c == '\r' || c == '\n');
}

static vg_status pct(const uint8_t *p, size_t n, vgbuf *b)
{
    vg_status st = VG_OK;
    for (size_t i = 0; i < n && st == VG_OK; i++) {
        uint8_t c = p[i];
        if (c == '%' && i + 2 < n && vg_hexval(p[i + 1]) >= 0 && vg_hexval(p[i + 2]) >= 0) {
            c = (uint8_t)(vg_hexval(p[i + 1]) << 4 | vg_hexval(p[i + 2]));
            i += 2;
        }
        st = vgbuf_append(b, &c, 1);
    }
    return st;
}

vg_status vghtml_extract(const uint8_t *data, size_t len, const vgarc_sink *sink)
{
    unsigned count = 0;
    size_t i = 0;
    while (i + 5 <= len) {
        const uint8_t *q = memchr(data + i, ':', len - i);
        if (!q)
            break;
        size_t c = (size_t)(q - data);
        i = c + 1;
        if (c < 4 || lc(data[c - 4]) != 'd' || lc(data[c - 3]) != 'a' ||
            lc(data[c - 2]) != 't' || lc(data[c - 1]) != 'a')
            continue;
        /* mediatype up to ',' */
        size_t m = i, lim = len - i < MEDIATYPE_MAX ? len : i + MEDIATYPE_MAX;
        while (m < lim && data[m] != ',' && !is_end(data[m], 0))
            m++;
        if (m >= lim || data[m] != ',')
            continue;
        int b64 = 0;
        for (size_t k = i; k + 7 <= m; k++)
            if (data[k] == ';' && lc(data[k + 1]) == 'b' && lc(data[k + 2]) == 'a' &&
                lc(data[k + 3]) == 's' && lc(data[k + 4]) == 'e' && data[k + 5] == '6' &&
                data[k + 6] == '4')
                b64 = 1;
        size_t s = m + 1, e = s;
        while (e < len && !is_end(data[e], b64))
            e++;
        i = e;
        if (e == s)
            continue;
        if (++count > HTML_MAX_URIS) {
            vgdoc_warn(sink, "html: too many data: URIs");
            return VG_OK;
        }
        vgbuf b;
        vgdoc_buf(&b, sink);
        vg_status st = b64 ? vgenc_base64(data + s, e - s, &b) : pct(data + s, e - s, &b);
        char nm[32];
        snprintf(nm, sizeof nm, "data-uri%u", count);
        st = vgdoc_emit(sink, nm, b.data, b.len, st);
        vgbuf_free(&b);
        if (st != VG_OK)
            return st;
    }
    return VG_OK;
}
