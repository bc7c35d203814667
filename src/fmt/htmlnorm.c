/* fmt/htmlnorm.c - see htmlnorm.h. One forward pass over the input with a
 * small state (text, tag, script body); every read is `i < len`-checked and
 * every write goes through put_nc/put_nt, which stop at the capacity, so
 * hostile input can neither overrun nor loop. The rules, as clamscan 1.4.6
 * shows them in its nocomment.html and notags.html:
 *  - text: ASCII lower-cased; a run of whitespace becomes one space, written
 *    only when something follows it, and dropped right after a tag or a
 *    comment; NUL dropped. notags: a tag, a comment, a character reference
 *    or a control byte counts as whitespace; bytes >= 0x80 as in high_nt.
 *    Bytes >= 0x80 that end the input are dropped from both.
 *    Not reproduced: what clamscan does with bytes >= 0x80 inside tags
 *    (they move, repeat or vanish there).
 *  - input is taken in chunks (see CHUNK): whitespace opening one is lost.
 *  - "<!" up to the next ">" (doctype, comments) is dropped from both.
 *  - "<" opens a tag up to the next ">" outside quotes: whitespace after
 *    "<" and before ">" or around "=" dropped, other runs one space, values
 *    in '' or "" written in "", a space after a closing quote.
 *  - character references: &name; (HTML 4 names, case-sensitive), &#N and
 *    &#xN (16 bits, ";" optional) become the byte when <= 255 (lower-cased
 *    only with ";"), else "&#xN;"; unknown ones stay as written. They go
 *    to nocomment only.
 *  - <script> and <style> bodies lose all whitespace (nocomment) and are
 *    not text (notags) up to "</script" / "</style".
 *  - notags also gets the href of <a> and the src of <img>, case kept. */
#include "fmt/htmlnorm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    uint32_t cp;
} html_ent;

static const html_ent ents[] = {
#include "fmt/htmlent.inc"
};

typedef struct {
    const uint8_t *in;
    size_t len, i;
    vghtml_out *nc, *nt;
    int pend;   /* nocomment: a space is owed before the next text byte */
    int skipws; /* nocomment: after a tag, whitespace is dropped */
    int ntlast; /* last byte written to notags, -1 none */
    size_t nb;  /* where the next chunk starts */
} st;

/* clamscan reads HTML in chunks of CHUNK bytes, a chunk that would end
 * inside a word cut back after its last whitespace, and drops the
 * whitespace that opens a chunk: the same here, so that the copies agree
 * byte for byte even where that loses a space. */
#define CHUNK 8191u
#define ENT_MAX 40 /* "&" + a 32-byte name + ";" fits */

static int is_ws(uint8_t c)
{
    return c == ' ' || (c >= 9 && c <= 13);
}

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* inside tags and script bodies ' is written as " */
static uint8_t tag_byte(uint8_t c)
{
    return c == '\'' ? '"' : lower(c);
}

static int is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void put_nc(st *s, uint8_t c)
{
    if (s->nc && s->nc->len < s->nc->cap)
        s->nc->buf[s->nc->len++] = c;
}

static void put_nt(st *s, uint8_t c)
{
    if (s->nt && s->nt->len < s->nt->cap)
        s->nt->buf[s->nt->len++] = c;
    s->ntlast = c;
}

static void nt_space(st *s)
{
    if (s->ntlast != ' ')
        put_nt(s, ' ');
}

static int is_ws(uint8_t c);

/* at or past a chunk start: skip its opening whitespace (only when exactly
 * at it) and find the next start */
static void boundary(st *s)
{
    if (s->i < s->nb)
        return;
    size_t b = s->nb;
    if (s->i == b)
        while (s->i < s->len && is_ws(s->in[s->i]))
            s->i++;
    size_t first = s->i > b ? s->i : b, nb = b + CHUNK;
    if (nb < s->len && !is_ws(s->in[nb])) {
        size_t k = nb;
        while (k > first && !is_ws(s->in[k - 1]))
            k--;
        if (k > first)
            nb = k;
    }
    s->nb = nb > s->i ? nb : s->i + 1;
}

/* notags for a byte >= 0x80 at in[i], as clamscan writes it: a run of
 * such bytes goes in groups of three from its start, and the last byte of
 * each group is replaced by the byte before it in the group (NUL for a
 * group of one): e2 80 99 -> e2 80 80, c3 a9 -> c3 c3, c3 a9 c3 a9 ->
 * c3 a9 a9 00. */
static uint8_t high_nt(const st *s)
{
    const uint8_t *in = s->in;
    size_t i = s->i, a = i, b = i;
    while (a > 0 && in[a - 1] >= 0x80)
        a--;
    while (b < s->len && in[b] >= 0x80)
        b++;
    size_t g = a + (i - a) / 3 * 3, m = b - g < 3 ? b - g : 3;
    if (i != g + m - 1)
        return in[i];
    return m == 1 ? 0 : in[i - 1];
}

/* one text byte as notags writes it */
static void nt_text(st *s, uint8_t c)
{
    if (c >= 0x21 && c <= 0x7f)
        put_nt(s, lower(c));
    else if (c >= 0x80) {
        /* written, but the whitespace squeeze still sees the byte before */
        int last = s->ntlast;
        put_nt(s, high_nt(s));
        s->ntlast = last;
    }
    else
        nt_space(s); /* other control bytes count as whitespace */
}

static int ent_cmp(const void *k, const void *e)
{
    return strcmp((const char *)k, ((const html_ent *)e)->name);
}

/* A character reference at in[i] == '&': its expansion into out (at most
 * ENT_MAX bytes), the input bytes it takes into *used. Returns 1 when it was
 * decoded, 0 when it stays as written (out then holds the raw bytes). */
static int entity(const uint8_t *in, size_t len, size_t i, int lowercase, uint8_t *out,
                  size_t *olen, size_t *used)
{
    size_t j = i + 1;
    uint32_t v = 0;
    int semi;
    if (j < len && in[j] == '#') {
        j++;
        int hex = j < len && (in[j] == 'x' || in[j] == 'X');
        if (hex)
            j++;
        for (; j < len; j++) {
            uint8_t c = in[j];
            int d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (hex && c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            else
                break;
            v = (v * (hex ? 16u : 10u) + (uint32_t)d) & 0xffffu;
        }
        semi = j < len && in[j] == ';';
        if (semi)
            j++;
    } else {
        char name[33];
        size_t n = 0;
        while (j < len && is_alnum(in[j]) && n < 32)
            name[n++] = (char)in[j++];
        name[n] = 0;
        const html_ent *e = NULL;
        semi = j < len && in[j] == ';';
        if (semi && n)
            e = bsearch(name, ents, sizeof ents / sizeof ents[0], sizeof ents[0], ent_cmp);
        if (!e) {
            if (semi)
                j++;
            *olen = 0;
            for (size_t k = i; k < j && *olen < ENT_MAX; k++)
                out[(*olen)++] = lowercase ? lower(in[k]) : in[k];
            *used = *olen;
            return 0;
        }
        v = e->cp;
        j++;
    }
    *used = j - i;
    if (v <= 255) {
        out[0] = semi && lowercase ? lower((uint8_t)v) : (uint8_t)v;
        *olen = 1;
    } else {
        char t[17];
        int n = snprintf(t, sizeof t, "&#x%x;", (unsigned)v);
        memcpy(out, t, (size_t)n);
        *olen = (size_t)n;
    }
    return 1;
}

/* The character reference at s->i, decoded (lower-cased) into nocomment;
 * s->i moves past it. */
static void nc_entity(st *s)
{
    uint8_t o[ENT_MAX];
    size_t ol, used;
    entity(s->in, s->len, s->i, 1, o, &ol, &used);
    for (size_t k = 0; k < ol; k++)
        put_nc(s, o[k]);
    s->i += used;
}

/* the bytes in[a..b) with character references decoded, case kept, to
 * notags: the link target of <a href> and <img src> */
static void nt_link(st *s, size_t a, size_t b)
{
    while (a < b) {
        if (s->in[a] == '&') {
            uint8_t o[ENT_MAX];
            size_t ol, used;
            entity(s->in, b, a, 0, o, &ol, &used);
            for (size_t k = 0; k < ol; k++)
                put_nt(s, o[k]);
            a += used;
        } else {
            put_nt(s, s->in[a++]);
        }
    }
}

static int script_end(const st *s, const char *tag)
{
    size_t n = strlen(tag);
    if (s->len - s->i < n)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (lower(s->in[s->i + k]) != (uint8_t)tag[k])
            return 0;
    return 1;
}

/* a tag from in[i] == '<'; returns the script/style end marker when it
 * opens one */
static const char *tag(st *s)
{
    const uint8_t *in = s->in;
    size_t len = s->len;
    if (s->pend)
        put_nc(s, ' ');
    s->pend = 0;
    put_nc(s, '<');
    nt_space(s);
    s->i++;
    while (s->i < len && is_ws(in[s->i])) {
        s->i++;
        boundary(s);
    }
    char name[16], tok[16], attr[16] = "";
    size_t nlen = 0, tlen = 0;
    int in_name = 1, sp = 0, aftereq = 0, invalue = 0, closed = 0;
    size_t va = 0, vb = 0, link_a = 0, link_b = 0;
    int have_link = 0;
    while (s->i < len) {
        boundary(s);
        if (s->i >= len)
            break;
        uint8_t c = in[s->i];
        if (c == '>') {
            put_nc(s, '>');
            s->i++;
            closed = 1;
            break;
        }
        if (c == 0) {
            s->i++;
            continue;
        }
        if (is_ws(c)) {
            if (!aftereq)
                sp = 1;
            if (invalue) {
                vb = s->i;
                invalue = 0;
                goto value_done;
            }
            in_name = 0;
            s->i++;
            continue;
        }
        if (c == '=' && !(in_name && nlen)) {
            sp = 0;
            in_name = 0;
            put_nc(s, '=');
            memcpy(attr, tok, tlen);
            attr[tlen] = 0;
            tlen = 0;
            aftereq = 1;
            s->i++;
            continue;
        }
        if (aftereq && (c == '"' || c == '\'')) {
            uint8_t q = c;
            int qsp = 0, had_ws = 0;
            put_nc(s, '"');
            s->i++;
            va = s->i;
            while (s->i < len) {
                boundary(s);
                if (s->i >= len || in[s->i] == q)
                    break;
                uint8_t d = in[s->i];
                if (is_ws(d)) {
                    qsp = 1;
                    had_ws = 1;
                    s->i++;
                    continue;
                }
                if (qsp)
                    put_nc(s, ' ');
                qsp = 0;
                if (d == '&') {
                    nc_entity(s);
                } else {
                    if (d)
                        put_nc(s, tag_byte(d));
                    s->i++;
                }
            }
            vb = s->i;
            aftereq = 0;
            if (s->i >= len)
                goto value_done;
            if (qsp)
                put_nc(s, ' ');
            put_nc(s, '"');
            s->i++;
            sp = !had_ws;
            goto value_done;
        }
        if (sp) {
            put_nc(s, ' ');
            tlen = 0;
        }
        sp = 0;
        if (aftereq) {
            aftereq = 0;
            invalue = 1;
            va = s->i;
        }
        if (c == '&') {
            nc_entity(s);
            continue;
        }
        put_nc(s, tag_byte(c));
        if (in_name && nlen < sizeof name - 1)
            name[nlen++] = (char)lower(c);
        if (!invalue && tlen < sizeof tok - 1)
            tok[tlen++] = (char)lower(c);
        s->i++;
        continue;
    value_done:
        if ((!strcmp(attr, "href") || !strcmp(attr, "src")) && !have_link) {
            link_a = va;
            link_b = vb;
            have_link = 1;
        }
        attr[0] = 0;
        tlen = 0;
    }
    if (invalue && !closed) {
        /* value cut by the end of input: no link */
    } else if (invalue) {
        vb = s->i - 1;
        if ((!strcmp(attr, "href") || !strcmp(attr, "src")) && !have_link) {
            link_a = va;
            link_b = vb;
            have_link = 1;
        }
    }
    name[nlen] = 0;
    if (!closed)
        return NULL;
    s->skipws = 1;
    if (have_link && (!strcmp(name, "a") || !strcmp(name, "img"))) {
        nt_link(s, link_a, link_b);
        nt_space(s);
    }
    if (!strcmp(name, "script"))
        return "</script";
    if (!strcmp(name, "style"))
        return "</style";
    return NULL;
}

void vghtml_normalize(const uint8_t *in, size_t len, vghtml_out *nc, vghtml_out *nt)
{
    st s = {in, len, 0, nc, nt, 0, 0, -1, 0};
    const char *script = NULL;
    /* bytes >= 0x80 that end the input are dropped from text, as clamscan
     * does */
    size_t tail = len;
    while (tail > 0 && in[tail - 1] >= 0x80)
        tail--;
    if (nc)
        nc->len = 0;
    if (nt)
        nt->len = 0;
    while (s.i < len) {
        boundary(&s);
        if (s.i >= len)
            break;
        uint8_t c = in[s.i];
        if (script) {
            if (c == '<' && script_end(&s, script)) {
                for (const char *p = script; *p; p++)
                    put_nc(&s, (uint8_t)*p);
                s.i += strlen(script);
                nt_space(&s);
                if (s.i < len && in[s.i] == '>') {
                    put_nc(&s, '>');
                    s.i++;
                }
                script = NULL;
                s.skipws = 1;
                s.pend = 0;
            } else if (c == '&') {
                nc_entity(&s);
            } else {
                if (c && !is_ws(c))
                    put_nc(&s, tag_byte(c));
                s.i++;
            }
            continue;
        }
        if (c == 0) {
            s.i++;
        } else if (is_ws(c)) {
            if (!s.skipws)
                s.pend = 1;
            nt_space(&s);
            s.i++;
        } else if (c == '<' && s.i + 1 < len && in[s.i + 1] == '!') {
            const uint8_t *e = memchr(in + s.i, '>', len - s.i);
            s.i = e ? (size_t)(e - in) + 1 : len;
            nt_space(&s);
            s.skipws = 1;
        } else if (c == '<') {
            script = tag(&s);
        } else if (c == '&') {
            uint8_t o[ENT_MAX];
            size_t ol, used;
            entity(in, len, s.i, 1, o, &ol, &used);
            if (s.pend)
                put_nc(&s, ' ');
            s.pend = 0;
            s.skipws = 0;
            for (size_t k = 0; k < ol; k++)
                put_nc(&s, o[k]);
            nt_space(&s);
            s.i += used;
        } else if (c >= 0x80 && s.i >= tail) {
            if (s.pend)
                put_nc(&s, ' '); /* the owed space is still written */
            break;
        } else {
            if (s.pend)
                put_nc(&s, ' ');
            s.pend = 0;
            s.skipws = 0;
            put_nc(&s, lower(c));
            nt_text(&s, c);
            s.i++;
        }
    }
}
