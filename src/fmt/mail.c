/* fmt/mail.c - RFC 822 / MIME mail and mbox files: every leaf part, decoded,
 * becomes a member.
 *
 * Why our own parser: no Debian library reads MIME bounded and in memory the
 * way a scanner needs (lenient about broken mail, strict about resources).
 * What it reads:
 *   - mbox: messages split at lines that start with "From " (the separator
 *     line itself is skipped);
 *   - per entity: the header block up to the first empty line, of which
 *     Content-Type (type/subtype, boundary=, name=),
 *     Content-Transfer-Encoding and Content-Disposition (filename=) are
 *     used; folded header lines are unfolded;
 *   - multipart/x: parts between "--boundary" lines, each an entity one
 *     level deeper; message/rfc822: the body is an entity one level deeper;
 *   - leaves: decoded per Content-Transfer-Encoding (base64,
 *     quoted-printable, x-uuencode; anything else as is) and handed out;
 *     a text leaf is also searched for uuencoded ("begin MODE NAME") and
 *     yEnc ("=ybegin") blocks, each its own member, as mail clients show
 *     such blocks as attachments.
 * Ceilings: MAIL_MAX_DEPTH nested entities, MAIL_MAX_PARTS entities and
 * MAIL_MAX_INLINE embedded blocks per file; header values are read up to
 * HDR_MAX bytes. Each part is read once per nesting level, so the cost is
 * at most MAIL_MAX_DEPTH passes over the input. */
#include "fmt/docs.h"

#include <stdio.h>
#include <string.h>

#include "fmt/enc.h"

#define MAIL_MAX_DEPTH 16u
#define MAIL_MAX_PARTS 10000u
#define MAIL_MAX_INLINE 1000u
#define HDR_MAX 1024u
#define NAME_MAX_LEN 256u
#define BOUNDARY_MAX 200u /* RFC 2046 allows 70 */

typedef struct mctx {
    const vgarc_sink *sink;
    unsigned parts, inl;
    int full; /* MAIL_MAX_PARTS reached: warned once */
} mctx;

typedef struct ehdr {
    char ctype[128];
    char boundary[BOUNDARY_MAX + 1];
    char name[NAME_MAX_LEN];
    char cte[40];
} ehdr;

static int lc(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int prefix_ci(const uint8_t *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    if (k > n)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (lc(p[i]) != s[i])
            return 0;
    return 1;
}

/* The parameter `key=` (lower case, with '=') in a header value: quoted or
 * a token; copied to out (cap bytes with the NUL). */
static void param(const char *v, const char *key, char *out, size_t cap)
{
    size_t k = strlen(key), n = strlen(v);
    for (size_t i = 0; i + k <= n; i++) {
        if ((i > 0 && v[i - 1] != ';' && v[i - 1] != ' ' && v[i - 1] != '\t') ||
            !prefix_ci((const uint8_t *)v + i, n - i, key))
            continue;
        const char *s = v + i + k;
        size_t o = 0;
        if (*s == '"') {
            for (s++; *s && *s != '"' && o + 1 < cap; s++)
                out[o++] = *s;
        } else {
            for (; *s && *s != ';' && *s != ' ' && *s != '\t' && o + 1 < cap; s++)
                out[o++] = *s;
        }
        out[o] = 0;
        return;
    }
}

/* One unfolded header (name: value) in hv; fill the fields we use. */
static void use_header(ehdr *h, const char *hv)
{
    const uint8_t *u = (const uint8_t *)hv;
    size_t n = strlen(hv);
    const char *v = strchr(hv, ':');
    if (!v)
        return;
    for (v++; *v == ' ' || *v == '\t'; v++)
        ;
    if (prefix_ci(u, n, "content-type:")) {
        size_t o = 0;
        for (const char *s = v; *s && *s != ';' && *s != ' ' && o + 1 < sizeof h->ctype; s++)
            h->ctype[o++] = (char)lc((unsigned char)*s);
        h->ctype[o] = 0;
        param(v, "boundary=", h->boundary, sizeof h->boundary);
        if (!h->name[0])
            param(v, "name=", h->name, sizeof h->name);
    } else if (prefix_ci(u, n, "content-transfer-encoding:")) {
        size_t o = 0;
        for (const char *s = v; *s && *s != ';' && *s != ' ' && o + 1 < sizeof h->cte; s++)
            h->cte[o++] = (char)lc((unsigned char)*s);
        h->cte[o] = 0;
    } else if (prefix_ci(u, n, "content-disposition:")) {
        param(v, "filename=", h->name, sizeof h->name);
    }
}

/* Read the header block at p; returns the offset of the body. */
static size_t headers(const uint8_t *p, size_t n, ehdr *h)
{
    char hv[HDR_MAX + 1];
    size_t hl = 0, pos = 0, next;
    int have = 0;
    memset(h, 0, sizeof *h);
    while (pos < n) {
        const uint8_t *l = p + pos;
        size_t len = vgenc_line(l, n - pos, &next);
        if (len && l[len - 1] == '\r')
            len--;
        int cont = len > 0 && (l[0] == ' ' || l[0] == '\t');
        if (!cont && have) {
            hv[hl] = 0;
            use_header(h, hv);
            have = 0;
        }
        if (len == 0) {
            pos += next;
            break;
        }
        if (!cont) {
            hl = 0;
            have = 1;
        }
        if (have)
            for (size_t i = 0; i < len && hl < HDR_MAX; i++)
                hv[hl++] = l[i] == '\t' ? ' ' : (char)l[i];
        pos += next;
    }
    if (have) {
        hv[hl] = 0;
        use_header(h, hv);
    }
    return pos;
}

static vg_status part_name(mctx *c, const ehdr *h, char *nm, size_t cap)
{
    if (h->name[0])
        snprintf(nm, cap, "%s", h->name);
    else
        snprintf(nm, cap, "part%u", c->parts);
    return VG_OK;
}

/* uuencode and yEnc blocks inside a text body: each is a member. */
static vg_status inline_blocks(mctx *c, const uint8_t *p, size_t n)
{
    size_t pos = 0, next;
    while (pos < n) {
        const uint8_t *l = p + pos;
        size_t len = vgenc_line(l, n - pos, &next);
        int uu = len > 10 && !memcmp(l, "begin ", 6) && l[6] >= '0' && l[6] <= '7';
        int ye = len > 8 && !memcmp(l, "=ybegin ", 8);
        if (!uu && !ye) {
            pos += next;
            continue;
        }
        if (++c->inl > MAIL_MAX_INLINE)
            return VG_OK;
        char nm[NAME_MAX_LEN] = "";
        if (uu) { /* begin MODE NAME */
            const uint8_t *sp = memchr(l + 6, ' ', len - 6);
            if (sp) {
                size_t k = len - (size_t)(sp + 1 - l);
                if (k && sp[k] == '\r')
                    k--;
                snprintf(nm, sizeof nm, "%.*s", (int)(k < 255 ? k : 255), sp + 1);
            }
        }
        vgbuf b;
        size_t used = 0;
        vgdoc_buf(&b, c->sink);
        vg_status st = uu ? vgenc_uu(l, n - pos, &b, &used) : vgenc_yenc(l, n - pos, &b, &used);
        st = vgdoc_emit(c->sink, nm[0] ? nm : (uu ? "uuencoded" : "yenc"), b.data, b.len, st);
        vgbuf_free(&b);
        if (st != VG_OK)
            return st;
        pos += used ? used : next;
    }
    return VG_OK;
}

static vg_status leaf(mctx *c, const ehdr *h, const uint8_t *p, size_t n)
{
    char nm[NAME_MAX_LEN];
    part_name(c, h, nm, sizeof nm);
    vgbuf b;
    vgdoc_buf(&b, c->sink);
    vg_status st;
    int text = 0;
    if (!strcmp(h->cte, "base64")) {
        st = vgenc_base64(p, n, &b);
    } else if (!strcmp(h->cte, "quoted-printable")) {
        st = vgenc_qp(p, n, &b);
        text = 1;
    } else if (strstr(h->cte, "uu")) { /* x-uuencode, uuencode, x-uue */
        size_t pos = 0, next, used;
        st = VG_OK;
        while (pos < n && !(n - pos > 6 && !memcmp(p + pos, "begin ", 6))) {
            vgenc_line(p + pos, n - pos, &next);
            pos += next;
        }
        if (pos < n)
            st = vgenc_uu(p + pos, n - pos, &b, &used);
    } else {
        st = n > b.max ? VG_ELIMIT : vgbuf_append(&b, p, n);
        text = 1;
    }
    st = vgdoc_emit(c->sink, nm, b.data, b.len, st);
    if (st == VG_OK && text && b.len)
        st = inline_blocks(c, b.data, b.len);
    vgbuf_free(&b);
    return st;
}

static vg_status entity(mctx *c, const uint8_t *p, size_t n, unsigned depth);

/* Is line l (len bytes, CR trimmed) "--boundary" or "--boundary--"? */
static int delim(const uint8_t *l, size_t len, const char *bd, size_t bl, int *close)
{
    if (len < bl + 2 || l[0] != '-' || l[1] != '-' || memcmp(l + 2, bd, bl))
        return 0;
    *close = len >= bl + 4 && l[bl + 2] == '-' && l[bl + 3] == '-';
    return *close || len == bl + 2; /* not a longer boundary */
}

static vg_status multipart(mctx *c, const ehdr *h, const uint8_t *p, size_t n,
                           unsigned depth)
{
    size_t bl = strlen(h->boundary), pos = 0, next, start = 0;
    int in = 0, close = 0, seen = 0;
    vg_status st = VG_OK;
    while (pos < n && st == VG_OK) {
        const uint8_t *l = p + pos;
        size_t len = vgenc_line(l, n - pos, &next);
        size_t tl = len;
        while (tl && (l[tl - 1] == '\r' || l[tl - 1] == ' ' || l[tl - 1] == '\t'))
            tl--;
        if (delim(l, tl, h->boundary, bl, &close)) {
            seen = 1;
            if (in)
                st = entity(c, p + start, pos - start, depth + 1);
            in = !close;
            start = pos + next;
            if (close)
                break;
        }
        pos += next;
    }
    if (st == VG_OK && in && start < n)
        st = entity(c, p + start, n - start, depth + 1);
    if (st == VG_OK && !seen) /* no delimiter at all: a plain body */
        st = leaf(c, h, p, n);
    return st;
}

static vg_status entity(mctx *c, const uint8_t *p, size_t n, unsigned depth)
{
    if (c->parts >= MAIL_MAX_PARTS) {
        if (!c->full)
            vgdoc_warn(c->sink, "mail: too many parts");
        c->full = 1;
        return VG_OK;
    }
    c->parts++;
    ehdr h;
    size_t off = headers(p, n, &h);
    p += off;
    n -= off;
    if (depth < MAIL_MAX_DEPTH && !strncmp(h.ctype, "multipart/", 10) && h.boundary[0])
        return multipart(c, &h, p, n, depth);
    if (depth < MAIL_MAX_DEPTH && !strcmp(h.ctype, "message/rfc822"))
        return entity(c, p, n, depth + 1);
    return leaf(c, &h, p, n);
}

vg_status vgmail_extract(const uint8_t *data, size_t len, const vgarc_sink *sink)
{
    mctx c = {.sink = sink};
    if (len < 5 || memcmp(data, "From ", 5))
        return entity(&c, data, len, 0);
    /* mbox: one message per "From " line */
    size_t pos = 0, next, start = 0;
    vg_status st = VG_OK;
    vgenc_line(data, len, &start); /* past the first separator */
    pos = start;
    while (pos < len && st == VG_OK) {
        vgenc_line(data + pos, len - pos, &next);
        if (len - pos > 5 && !memcmp(data + pos, "From ", 5)) {
            st = entity(&c, data + start, pos - start, 0);
            start = pos + next;
        }
        pos += next;
    }
    if (st == VG_OK && start < len)
        st = entity(&c, data + start, len - start, 0);
    return st;
}
