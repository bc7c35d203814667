/* match/pattern.c - parser for ClamAV hex body patterns (see pattern.h).
 *
 * The parser walks the text the way ClamAV 1.4's loader does, because its
 * accept/refuse rules and several of its matching rules come from how the
 * text is cut up, not from a grammar:
 *
 *  1. `{n}` rewrite: while the FIRST '{' of the text reads as {n} with
 *     0 < n < 128 (as sscanf "%c%zu%c" reads it: spaces and a sign allowed
 *     before the digits), it becomes n `??`. So `4142{3}4344` is one part,
 *     but in `4142{1-3}4344{5}4546` the {5} is a jump like any other.
 *  2. Parts: a text with '{' left is cut at every '{..}' and '*'; one with
 *     only '*' at every '*' (empty parts are an error). A jump's bounds are
 *     parsed like ClamAV (digits only, atoi, "-" fields); a maximum of 0
 *     means "no maximum", so {0}, {} and {-0} behave as `*`, and {5-3}
 *     loads but never matches. '{' or '*' inside a group is an error.
 *  3. A single part with no '?', '(' or '[' on target 0 or 1 (unless the
 *     offset forces Aho-Corasick) is a plain Boyer-Moore pattern: valid hex,
 *     at least 3 bytes. Everything else is an Aho-Corasick part:
 *  4. the part text needs >= 4 characters; up to two `[n-m]` are taken out:
 *     the text before the first must be exactly one byte (it becomes the
 *     left CH), or the text after it exactly one byte (right CH); n <= m <=
 *     32, read like sscanf "%u-%u" (so [2] is [2-2] and [1-] is [1-1]). A
 *     `??` or `a?` CH byte is never checked, as in ClamAV;
 *  5. groups: (B)/(L)/(W) are zero-width only as the very first element of
 *     the part text (not negated) or the very last one (negation allowed);
 *     anywhere else they consume a byte (the (L) rule: "\n" or "\r\n").
 *     Other groups: all alternatives plain hex of one length -> a byte set
 *     (length 1) or fixed strings, both negatable; otherwise ("generic":
 *     nested groups, `?`, different lengths, empty alternatives) the group
 *     is expanded to all its strings and cannot be negated. At most 15 '('
 *     inside one group;
 *  6. the remaining text must be valid hex (pairs, `??`, `a?`, `?a`);
 *  7. ClamAV anchors each part on a static run of 2-3 bytes (searched as
 *     its cli_ac_addsig does): a part without two consecutive literal bytes
 *     is refused; the anchor's position decides which elements it checks
 *     backwards: an (L) there follows the backward rule (pattern.h), an
 *     empty alternative there never matches, and as the part's very first
 *     element a generic group keeps only the alternatives ClamAV need not
 *     backtrack over (its backtracking from there reads past its tables);
 *  8. targets 0, 1, 4 and 7 have ClamAV's prefilter: after any leading
 *     non-byte groups, the part needs two elements that are bytes, nibbles,
 *     `??` or single-byte sets before the next other group, and not only
 *     `????` pairs, or ClamAV refuses the signature.
 */
#include "pattern.h"
#include "core/hex.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_DEPTH 2 /* ClamAV's ac_mindepth */
#define MAX_DEPTH 3 /* ClamAV's ac_maxdepth */
#define CH_MAXDIST 32
#define FILTER_MAXLEN 255

/* ---- output ----------------------------------------------------------- */

typedef struct out {
    vgp_node *nodes;
    uint32_t n, cap;
    uint8_t *pool;
    uint32_t npool, poolcap;
    char *err;
    size_t errlen;
} out_t;

static vg_status fail(out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static vg_status fail(out_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (o->err && o->errlen)
        vsnprintf(o->err, o->errlen, fmt, ap);
    va_end(ap);
    return VG_EFORMAT;
}

static vg_status push(out_t *o, const vgp_node *nd)
{
    if (o->n >= VGP_MAX_NODES)
        return fail(o, "pattern too long (more than %u elements)", VGP_MAX_NODES);
    if (o->n == o->cap) {
        uint32_t cap = o->cap ? o->cap * 2 : 32;
        vgp_node *nn = realloc(o->nodes, cap * sizeof *nn);
        if (!nn)
            return VG_ENOMEM;
        o->nodes = nn;
        o->cap = cap;
    }
    o->nodes[o->n++] = *nd;
    return VG_OK;
}

static vg_status pool_add(out_t *o, const void *d, uint32_t n, uint32_t *off)
{
    if (n > UINT32_MAX / 2 - o->npool)
        return fail(o, "pattern too large");
    if (o->npool + n > o->poolcap) {
        uint32_t cap = o->poolcap ? o->poolcap : 64;
        while (cap < o->npool + n)
            cap *= 2;
        uint8_t *np = realloc(o->pool, cap);
        if (!np)
            return VG_ENOMEM;
        o->pool = np;
        o->poolcap = cap;
    }
    if (n)
        memcpy(o->pool + o->npool, d, n);
    *off = o->npool;
    o->npool += n;
    return VG_OK;
}

/* ---- ClamAV's C-library parsing, reproduced ---------------------------- */

/* cli_isnumber: only decimal digits ("" included). */
static int digits_only(const char *s)
{
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* atoi() of a digits-only string on LP64 glibc: strtol saturates at
 * LONG_MAX, then the long is truncated to int. */
static long long c_atoi(const char *s)
{
    unsigned long long v = 0;
    for (; *s; s++) {
        v = v * 10 + (unsigned long long)(*s - '0');
        if (v > (unsigned long long)LONG_MAX) {
            v = (unsigned long long)LONG_MAX;
            break;
        }
    }
    return (long long)(int32_t)(uint32_t)v;
}

/* cli_strtok(line, field, "<delim>"): runs of delimiters count as one;
 * an empty field is NULL. Returns a malloc'ed copy. */
static char *strtok_field(const char *line, int field, char delim, int *oom)
{
    int counter = 0;
    size_t i = 0, j;
    *oom = 0;
    for (; line[i] && counter != field; i++) {
        if (line[i] == delim) {
            counter++;
            while (line[i + 1] == delim)
                i++;
        }
    }
    if (!line[i])
        return NULL;
    for (j = i; line[j] && line[j] != delim; j++)
        ;
    if (i == j)
        return NULL;
    char *r = malloc(j - i + 1);
    if (!r) {
        *oom = 1;
        return NULL;
    }
    memcpy(r, line + i, j - i);
    r[j - i] = 0;
    return r;
}

/* One sscanf %u / %zu conversion: spaces, sign, digits; 0 if none. */
static int scan_unsigned(const char **pp, unsigned long long *out)
{
    const char *p = *pp;
    while (*p && isspace((unsigned char)*p))
        p++;
    int neg = 0;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (*p < '0' || *p > '9')
        return 0;
    unsigned long long v = 0;
    int ovf = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (ULLONG_MAX - d) / 10)
            ovf = 1;
        else
            v = v * 10 + d;
    }
    *out = ovf ? ULLONG_MAX : neg ? 0ull - v : v;
    *pp = p;
    return 1;
}

/* sscanf(s, "%u-%u", &a, &b): number of conversions, or -1 (EOF). */
static int scan_range(const char *s, unsigned *a, unsigned *b)
{
    const char *p = s;
    unsigned long long v;
    while (*p && isspace((unsigned char)*p))
        p++;
    if (!*p)
        return -1;
    if (!scan_unsigned(&p, &v))
        return 0;
    *a = (unsigned)v;
    if (*p != '-')
        return 1;
    p++;
    if (!scan_unsigned(&p, &v))
        return 1;
    *b = (unsigned)v;
    return 2;
}

/* ---- parts: elements and groups ---------------------------------------- */

enum ekind { E_CHAR, E_IGN, E_NIBH, E_NIBL, E_SPEC };
typedef struct elem {
    uint8_t kind, val;
    uint32_t spec;
} elem;

enum skind { S_ALTCHAR, S_FIXED, S_GENERIC, S_B, S_L, S_W };
typedef struct spec {
    uint8_t kind, neg;
    uint32_t num;     /* alternatives as written (ALTCHAR) / strings */
    uint32_t len;     /* FIXED: bytes per string */
    uint32_t minlen;  /* ClamAV's len[0] */
    uint8_t set[32];  /* ALTCHAR */
    uint8_t *data;    /* FIXED: num*len bytes; GENERIC: pool image */
    uint32_t ndata;
} spec;

typedef struct part {
    elem *e;
    uint32_t ne, cape;
    spec *s;
    uint32_t ns, caps;
    int edge_l, edge_r;       /* -1 none, else vgp_edge */
    int edge_lneg, edge_rneg;
    int ch_on[2];
    uint8_t ch_mask[2], ch_val[2];
    uint32_t ch_min[2], ch_max[2];
} part;

static void part_free(part *p)
{
    for (uint32_t i = 0; i < p->ns; i++)
        free(p->s[i].data);
    free(p->s);
    free(p->e);
}

static vg_status add_elem(out_t *o, part *p, uint8_t kind, uint8_t val, uint32_t sp)
{
    if (p->ne >= VGP_MAX_NODES)
        return fail(o, "pattern too long (more than %u elements)", VGP_MAX_NODES);
    if (p->ne == p->cape) {
        uint32_t cap = p->cape ? p->cape * 2 : 32;
        elem *ne = realloc(p->e, cap * sizeof *ne);
        if (!ne)
            return VG_ENOMEM;
        p->e = ne;
        p->cape = cap;
    }
    p->e[p->ne].kind = kind;
    p->e[p->ne].val = val;
    p->e[p->ne].spec = sp;
    p->ne++;
    return VG_OK;
}

static vg_status add_spec(part *p, spec **out)
{
    if (p->ns == p->caps) {
        uint32_t cap = p->caps ? p->caps * 2 : 8;
        spec *ns = realloc(p->s, cap * sizeof *ns);
        if (!ns)
            return VG_ENOMEM;
        p->s = ns;
        p->caps = cap;
    }
    *out = &p->s[p->ns++];
    memset(*out, 0, sizeof **out);
    return VG_OK;
}

static void set_bit(uint8_t *set, unsigned b) { set[b >> 3] |= (uint8_t)(1u << (b & 7)); }

/* Two characters of cli_hex2ui: literal, ??, a?, ?a. */
static int hex_pair(const char *s, uint8_t *kind, uint8_t *val)
{
    if (s[0] == '?' && s[1] == '?') {
        *kind = E_IGN;
        *val = 0;
        return 0;
    }
    if (s[1] == '?') {
        int h = vg_hexval((unsigned char)s[0]);
        if (h < 0)
            return -1;
        *kind = E_NIBH;
        *val = (uint8_t)(h << 4);
        return 0;
    }
    if (s[0] == '?') {
        int l = vg_hexval((unsigned char)s[1]);
        if (l < 0)
            return -1;
        *kind = E_NIBL;
        *val = (uint8_t)l;
        return 0;
    }
    int h = vg_hexval((unsigned char)s[0]), l = vg_hexval((unsigned char)s[1]);
    if (h < 0 || l < 0)
        return -1;
    *kind = E_CHAR;
    *val = (uint8_t)(h << 4 | l);
    return 0;
}

static void kind_mv(uint8_t kind, uint8_t val, uint8_t *mask, uint8_t *v)
{
    switch (kind) {
    case E_CHAR: *mask = 0xff; break;
    case E_NIBH: *mask = 0xf0; break;
    case E_NIBL: *mask = 0x0f; break;
    default: *mask = 0; break;
    }
    *v = (uint8_t)(val & *mask);
}

/* Plain hex (cli_hex2str): even length, hex digits only. */
static int plain_hex(const char *s, size_t n, uint8_t *out)
{
    if (n % 2)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        int h = vg_hexval((unsigned char)s[i]), l = vg_hexval((unsigned char)s[i + 1]);
        if (h < 0 || l < 0)
            return -1;
        if (out)
            out[i / 2] = (uint8_t)(h << 4 | l);
    }
    return 0;
}

/* ---- generic alternatives: expansion ----------------------------------- */

typedef struct strlist {
    char **s;
    uint32_t n, cap;
} strlist;

static void sl_free(strlist *l)
{
    for (uint32_t i = 0; i < l->n; i++)
        free(l->s[i]);
    free(l->s);
    l->s = NULL;
    l->n = l->cap = 0;
}

static int sl_add(strlist *l, char *s)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 8;
        char **ns = realloc(l->s, cap * sizeof *ns);
        if (!ns) {
            free(s);
            return -1;
        }
        l->s = ns;
        l->cap = cap;
    }
    l->s[l->n++] = s;
    return 0;
}

static char *cat2(const char *a, const char *b, size_t bn)
{
    size_t an = strlen(a);
    char *r = malloc(an + bn + 1);
    if (!r)
        return NULL;
    memcpy(r, a, an);
    memcpy(r + an, b, bn);
    r[an + bn] = 0;
    return r;
}

static vg_status expand_alts(out_t *o, const char *s, size_t *pos, strlist *res);

/* One alternative: literal runs and nested groups, as a cartesian product. */
static vg_status expand_seq(out_t *o, const char *s, size_t *pos, strlist *res)
{
    strlist cur = {0};
    char *e = calloc(1, 1);
    if (!e || sl_add(&cur, e))
        return VG_ENOMEM;
    vg_status st = VG_OK;
    while (st == VG_OK && s[*pos] && s[*pos] != '|' && s[*pos] != ')') {
        strlist next = {0};
        if (s[*pos] == '(') {
            if (*pos > 0 && s[*pos - 1] == '!') {
                st = fail(o, "a negated group cannot be nested in another group");
                break;
            }
            (*pos)++;
            strlist sub = {0};
            st = expand_alts(o, s, pos, &sub);
            if (st == VG_OK && s[*pos] == ')')
                (*pos)++;
            if (st == VG_OK && (uint64_t)cur.n * sub.n > VGP_MAX_EXPANSION)
                st = fail(o, "alternative group expands to more than %u strings", VGP_MAX_EXPANSION);
            for (uint32_t a = 0; st == VG_OK && a < cur.n; a++)
                for (uint32_t b = 0; st == VG_OK && b < sub.n; b++) {
                    char *c = cat2(cur.s[a], sub.s[b], strlen(sub.s[b]));
                    if (!c || sl_add(&next, c))
                        st = VG_ENOMEM;
                }
            sl_free(&sub);
        } else {
            size_t b = *pos;
            while (s[*pos] && !strchr("(|)", s[*pos]))
                (*pos)++;
            for (uint32_t a = 0; st == VG_OK && a < cur.n; a++) {
                char *c = cat2(cur.s[a], s + b, *pos - b);
                if (!c || sl_add(&next, c))
                    st = VG_ENOMEM;
            }
        }
        sl_free(&cur);
        cur = next;
    }
    for (uint32_t a = 0; st == VG_OK && a < cur.n; a++) {
        if (res->n >= VGP_MAX_EXPANSION) {
            st = fail(o, "alternative group expands to more than %u strings", VGP_MAX_EXPANSION);
            break;
        }
        if (sl_add(res, cur.s[a])) {
            st = VG_ENOMEM;
            cur.s[a] = NULL;
            break;
        }
        cur.s[a] = NULL;
    }
    sl_free(&cur);
    return st;
}

static vg_status expand_alts(out_t *o, const char *s, size_t *pos, strlist *res)
{
    for (;;) {
        vg_status st = expand_seq(o, s, pos, res);
        if (st)
            return st;
        if (s[*pos] != '|')
            return VG_OK;
        (*pos)++;
    }
}

/* ac_analyze_expr: number of top-level alternatives, whether they are all
 * plain and of one length (in characters), and the longest length. */
static uint32_t analyze_expr(const char *s, int *fixed, size_t *slen_out)
{
    int flen = 1, level = 0;
    size_t len = 0, slen = 0;
    uint32_t num = 1;
#define FINISH()                                                                                   \
    do {                                                                                           \
        if (!slen)                                                                                 \
            slen = len;                                                                            \
        else if (len != slen) {                                                                    \
            flen = 0;                                                                              \
            if (len > slen)                                                                        \
                slen = len;                                                                        \
        }                                                                                          \
    } while (0)
    for (const char *p = s; *p; p++) {
        if (*p == '(') {
            flen = 0;
            level++;
        } else if (*p == ')') {
            if (!level)
                break;
            level--;
        }
        if (!level && *p == '|') {
            FINISH();
            len = 0;
            num++;
        } else {
            if (*p == '?')
                flen = 0;
            len++;
        }
    }
    FINISH();
#undef FINISH
    *fixed = flen;
    *slen_out = slen;
    return num;
}

/* The body of one group (not B/L/W): ac_special_altstr. */
static vg_status parse_group(out_t *o, const char *g, int neg, spec *sp)
{
    int fixed;
    size_t slen;
    uint32_t num = analyze_expr(g, &fixed, &slen);
    sp->neg = (uint8_t)neg;
    if (fixed) {
        size_t blen = slen / 2;
        sp->num = num;
        sp->len = (uint32_t)blen;
        sp->minlen = (uint32_t)blen;
        sp->kind = slen == 2 ? S_ALTCHAR : S_FIXED;
        if (sp->kind == S_FIXED) {
            if ((uint64_t)num * blen > 64u * 1024 * 1024)
                return fail(o, "alternative group too large");
            sp->data = malloc(num * blen + 1);
            if (!sp->data)
                return VG_ENOMEM;
            sp->ndata = (uint32_t)(num * blen);
        }
        for (uint32_t i = 0; i < num; i++) {
            char *tok;
            int oom = 0;
            if (num == 1) {
                tok = strdup(g);
                oom = !tok;
            } else {
                tok = strtok_field(g, (int)i, '|', &oom);
            }
            if (oom)
                return VG_ENOMEM;
            if (!tok)
                return fail(o, "empty alternative in '(%s)'", g);
            size_t tl = strlen(tok);
            uint8_t b[1];
            int bad = plain_hex(tok, tl, NULL) != 0 || tl != slen || (slen == 0);
            if (!bad && sp->kind == S_ALTCHAR) {
                plain_hex(tok, tl, b);
                set_bit(sp->set, b[0]);
            } else if (!bad) {
                plain_hex(tok, tl, sp->data + (size_t)i * blen);
            }
            free(tok);
            if (bad)
                return fail(o, "bad alternative in '(%s)'", g);
        }
        if (neg && sp->kind == S_ALTCHAR)
            for (int k = 0; k < 32; k++)
                sp->set[k] = (uint8_t)~sp->set[k];
        return VG_OK;
    }
    if (neg)
        return fail(o, "can't negate '(%s)': only plain alternatives of one length can be negated", g);
    sp->kind = S_GENERIC;
    strlist l = {0};
    size_t pos = 0;
    vg_status st = expand_alts(o, g, &pos, &l);
    if (st == VG_OK && g[pos])
        st = fail(o, "unbalanced ')' in '(%s)'", g);
    /* pool image: per string a length byte, then mask/val pairs */
    size_t total = 0;
    for (uint32_t i = 0; st == VG_OK && i < l.n; i++) {
        size_t n = strlen(l.s[i]);
        if (n % 2)
            st = fail(o, "bad alternative '%s' (odd number of hex digits)", l.s[i]);
        else if (n / 2 > 255)
            st = fail(o, "alternative longer than 255 bytes (vigil limit)");
        total += 1 + n;
    }
    if (st == VG_OK && total > 64u * 1024 * 1024)
        st = fail(o, "alternative group too large");
    if (st == VG_OK) {
        sp->data = malloc(total ? total : 1);
        if (!sp->data)
            st = VG_ENOMEM;
    }
    size_t k = 0;
    sp->minlen = UINT32_MAX;
    for (uint32_t i = 0; st == VG_OK && i < l.n; i++) {
        size_t n = strlen(l.s[i]) / 2;
        sp->data[k++] = (uint8_t)n;
        for (size_t j = 0; j < n; j++) {
            uint8_t kind, val;
            if (hex_pair(l.s[i] + 2 * j, &kind, &val)) {
                st = fail(o, "bad alternative '%s'", l.s[i]);
                break;
            }
            kind_mv(kind, val, &sp->data[k], &sp->data[k + 1]);
            k += 2;
        }
        if (n < sp->minlen)
            sp->minlen = (uint32_t)n;
    }
    sp->num = l.n;
    sp->ndata = (uint32_t)k;
    sl_free(&l);
    return st;
}

/* Group end (find_paren_end): the matching ')' and the number of '('
 * inside. */
static char *paren_end(char *s, size_t *nest)
{
    size_t level = 0;
    *nest = 0;
    for (; *s; s++) {
        if (*s == '(') {
            (*nest)++;
            level++;
        } else if (*s == ')') {
            if (!level)
                return s;
            level--;
        }
    }
    return NULL;
}

static int edge_name(const char *s)
{
    if (!strcmp(s, "B"))
        return VGP_EDGE_B;
    if (!strcmp(s, "L"))
        return VGP_EDGE_L;
    if (!strcmp(s, "W"))
        return VGP_EDGE_W;
    return -1;
}

/* `[n-m]` bytes (cli_ac_addsig); `*hexp` moves to the remaining text. */
static vg_status take_brackets(out_t *o, part *p, char **hexp)
{
    char *hex = *hexp;
    for (int i = 0; i < 2; i++) {
        char *pt = strchr(hex, '[');
        if (!pt)
            break;
        *pt++ = 0;
        char *pt2 = strchr(pt, ']');
        if (!pt2)
            return fail(o, "missing ']'");
        *pt2++ = 0;
        unsigned n1 = 0, n2 = 0;
        int n = scan_range(pt, &n1, &n2);
        if (n == 1)
            n2 = n1;
        else if (n != 2)
            return fail(o, "bad [n-m] range '[%s]'", pt);
        if (n1 > n2 || n2 > CH_MAXDIST)
            return fail(o, "bad [n-m] range '[%s]' (need n <= m <= %d)", pt, CH_MAXDIST);
        int side;
        const char *byte;
        if (strlen(hex) == 2) {
            if (i)
                return fail(o, "[n-m] needs a single byte on one side");
            side = 0;
            byte = hex;
        } else if (strlen(pt2) == 2) {
            side = 1;
            byte = pt2;
            i = 1;
        } else {
            return fail(o, "[n-m] needs a single byte on one side");
        }
        uint8_t kind, val;
        if (hex_pair(byte, &kind, &val))
            return fail(o, "bad byte '%.2s' next to [n-m]", byte);
        /* ClamAV never checks a ?? byte, nor a? (its test for "ignore"
         * is a bit that the high-nibble type shares) */
        p->ch_on[side] = kind != E_IGN && kind != E_NIBH;
        kind_mv(kind, val, &p->ch_mask[side], &p->ch_val[side]);
        p->ch_min[side] = n1;
        p->ch_max[side] = n2;
        if (side == 0)
            hex = pt2;
    }
    *hexp = hex;
    return VG_OK;
}

/* Groups out of `hex`; fills p's specials and returns the skeleton (hex
 * with "()" where each group was) in *skel. */
static vg_status take_groups(out_t *o, part *p, char *hex, char **skel)
{
    size_t cap = strlen(hex) + 1;
    char *sk = malloc(cap);
    if (!sk)
        return VG_ENOMEM;
    sk[0] = 0;
    size_t sl = 0;
    char *start = hex, *pt;
    vg_status st = VG_OK;
#define APPEND(str)                                                                                \
    do {                                                                                           \
        size_t l_ = strlen(str);                                                                   \
        memcpy(sk + sl, (str), l_);                                                                \
        sl += l_;                                                                                  \
        sk[sl] = 0;                                                                                \
    } while (0)
    while (st == VG_OK && (pt = strchr(start, '('))) {
        *pt++ = 0;
        int neg = 0;
        if (pt >= hex + 2 && pt[-2] == '!') {
            neg = 1;
            pt[-2] = 0;
        }
        APPEND(start);
        size_t nest;
        char *end = paren_end(pt, &nest);
        if (!end) {
            st = fail(o, "missing ')'");
            break;
        }
        *end = 0;
        start = end + 1;
        if (!*pt) {
            st = fail(o, "empty group '()'");
            break;
        }
        if (nest > VGP_MAX_ALT_NEST) {
            st = fail(o, "more than %d nested groups", VGP_MAX_ALT_NEST);
            break;
        }
        int e = edge_name(pt);
        if (e >= 0) {
            if (!*start) {
                p->edge_r = e;
                p->edge_rneg = neg;
                continue;
            }
            if (pt - 1 == hex) {
                p->edge_l = e;
                p->edge_lneg = neg;
                continue;
            }
        }
        if (sl + 2 >= cap) { /* "()" never longer than the group it replaces */
            st = fail(o, "internal: skeleton overflow");
            break;
        }
        APPEND("()");
        spec *sp;
        st = add_spec(p, &sp);
        if (st)
            break;
        if (e >= 0) {
            sp->kind = e == VGP_EDGE_B ? S_B : e == VGP_EDGE_L ? S_L : S_W;
            sp->neg = (uint8_t)neg;
            sp->minlen = 0; /* ClamAV counts these as zero length */
        } else {
            st = parse_group(o, pt, neg, sp);
        }
    }
    if (st == VG_OK)
        APPEND(start);
#undef APPEND
    if (st) {
        free(sk);
        return st;
    }
    *skel = sk;
    return VG_OK;
}

static int is_static(const elem *e) { return e->kind == E_CHAR; }

/* The uint16 ClamAV compares with zero: a byte, or non-zero for the rest. */
static unsigned eval(const part *p, uint32_t i)
{
    if (i >= p->ne)
        return 0x100; /* ClamAV reads past the end here; never zero */
    return p->e[i].kind == E_CHAR ? p->e[i].val : 0x100;
}

/* ClamAV's anchor (cli_ac_addsig's prefix search): index of the first
 * element it matches forwards. -1 when the part has no static run of 2. */
static long anchor_pos(const part *p)
{
    uint32_t n = p->ne, ppos = 0, plen = 0, nzpos = 0, nzplen = 0;
    int wprefix = 0, zprefix = 1;
    for (uint32_t i = 0; i < MAX_DEPTH && i < n; i++) {
        if (!is_static(&p->e[i])) {
            wprefix = 1;
            break;
        }
        if (zprefix && p->e[i].val)
            zprefix = 0;
    }
    if (n == 0)
        return -1;
    if (wprefix || zprefix) {
        uint32_t pend = n >= MIN_DEPTH ? n - MIN_DEPTH + 1 : 0;
        for (uint32_t i = 0; i < pend; i++) {
            for (uint32_t j = i; j < i + MAX_DEPTH && j < n; j++) {
                if (!is_static(&p->e[j]))
                    break;
                if (j - i + 1 >= plen) {
                    plen = j - i + 1;
                    ppos = i;
                }
                if (eval(p, ppos) || eval(p, ppos + 1)) {
                    if (plen >= MAX_DEPTH)
                        break;
                    else if (plen >= MIN_DEPTH && plen > nzplen) {
                        nzplen = plen;
                        nzpos = ppos;
                    }
                }
            }
            if (plen >= MAX_DEPTH && (eval(p, ppos) || eval(p, ppos + 1)))
                break;
        }
        if (!eval(p, ppos) && !eval(p, ppos + 1) && nzplen) {
            plen = nzplen;
            ppos = nzpos;
        }
        if (plen < MIN_DEPTH)
            return -1;
    }
    /* cli_ac_addpatt: the trie entry is the static start of the rest */
    uint32_t k = 0;
    while (k < MAX_DEPTH && ppos + k < n && is_static(&p->e[ppos + k]))
        k++;
    return k < MIN_DEPTH ? -1 : (long)ppos;
}

/* Combinations of byte pairs the prefilter would have to accept. */
static uint32_t filter_iter(const part *p, const elem *e)
{
    switch (e->kind) {
    case E_CHAR: return 1;
    case E_IGN: return 256;
    case E_NIBH:
    case E_NIBL: return 16;
    default: {
        const spec *s = &p->s[e->spec];
        return s->neg ? s->num * 254 : s->num;
    }
    }
}

/* ClamAV's prefilter (filter_add_acpatt) refuses some parts. */
static int filter_ok(const part *p)
{
    uint32_t m = p->ne < FILTER_MAXLEN ? p->ne : FILTER_MAXLEN, i = 0;
    int all = 1;
    for (uint32_t k = 0; k < m; k++)
        if (!is_static(&p->e[k]))
            all = 0;
    if (all)
        return m >= 2;
    while (i < m && p->e[i].kind == E_SPEC && p->s[p->e[i].spec].kind != S_ALTCHAR)
        i++;
    uint32_t k = i;
    while (k < m && (p->e[k].kind != E_SPEC || p->s[p->e[k].spec].kind == S_ALTCHAR))
        k++;
    if (k - i < 2)
        return 0;
    for (uint32_t a = i; a + 1 < k; a++)
        if ((uint64_t)filter_iter(p, &p->e[a]) * filter_iter(p, &p->e[a + 1]) != 0x10000)
            return 1;
    return 0;
}

static uint32_t elem_minlen(const part *p, const elem *e)
{
    return e->kind == E_SPEC ? p->s[e->spec].minlen : 1;
}

/* ClamAV's ac_uicmp on two alternatives (mask/val pairs, n1/n2 long):
 * 0 when they agree on their common length, wildcards included. */
static int uicmp(const uint8_t *a, uint32_t na, const uint8_t *b, uint32_t nb)
{
    uint32_t n = na < nb ? na : nb;
    int side = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t am = a[2 * i], av = a[2 * i + 1], bm = b[2 * i], bv = b[2 * i + 1];
        if (am == bm) {
            if ((av & am) != (bv & bm))
                return 1;
        } else if (am == 0xff) {
            if ((av & bm) != bv)
                return 1;
            side |= 2;
        } else if (bm == 0xff) {
            if ((bv & am) != av)
                return 1;
            side |= 1;
        } else if (am == 0 || bm == 0) {
            side |= am == 0 ? 1 : 2;
        } else {
            side |= 3;
        }
        if (side == 3)
            return 1;
    }
    return 0;
}

/* Whether the alternative at pool offset k of s is "unique" for ClamAV:
 * no alternative of another length agrees with it (uicmp). */
static int galt_unique(const spec *s, uint32_t k)
{
    uint32_t la = s->data[k];
    for (uint32_t a = 0, j = 0; a < s->num; a++) {
        uint32_t lb = s->data[j];
        if (lb != la && !uicmp(s->data + k + 1, la, s->data + j + 1, lb))
            return 0;
        j += 1 + 2 * lb;
    }
    return 1;
}

/* A generic group's node: same-length strings are an ALT (or a SET), the
 * same meaning in a form better for the prefilter; else a GALT. */
static vg_status emit_generic(out_t *o, const spec *s, vgp_node *ndp)
{
    vg_status st = VG_OK;
    vgp_node nd = *ndp;
    uint8_t set[32];
    uint32_t l0 = 0, same = 1, k = 0;
    for (uint32_t a = 0; a < s->num; a++) {
        uint32_t l = s->data[k];
        if (a == 0)
            l0 = l;
        else if (l != l0)
            same = 0;
        k += 1 + 2 * l;
    }
    if (same && l0 == 1) {
        memset(set, 0, sizeof set);
        k = 0;
        for (uint32_t a = 0; a < s->num; a++, k += 3)
            for (unsigned b = 0; b < 256; b++)
                if ((b & s->data[k + 1]) == s->data[k + 2])
                    set_bit(set, b);
        nd.kind = VGP_SET;
        st = pool_add(o, set, 32, &nd.pool);
    } else if (same && l0 > 0) {
        nd.kind = VGP_ALT;
        nd.a = s->num;
        nd.b = l0;
        k = 0;
        for (uint32_t a = 0; a < s->num && st == VG_OK; a++) {
            uint32_t off = 0;
            st = pool_add(o, s->data + k + 1, 2 * l0, &off);
            if (a == 0)
                nd.pool = off;
            k += 1 + 2 * l0;
        }
    } else {
        nd.kind = VGP_GALT;
        nd.a = s->num;
        st = pool_add(o, s->data, s->ndata, &nd.pool);
    }
    *ndp = nd;
    return st;
}

/* Emit one parsed part as nodes. */
static vg_status emit_part(out_t *o, const part *p, long ppos)
{
    vg_status st = VG_OK;
    vgp_node nd;
    if (p->ch_on[0]) {
        memset(&nd, 0, sizeof nd);
        nd.kind = VGP_CH;
        nd.side = 0;
        nd.mask = p->ch_mask[0];
        nd.val = p->ch_val[0];
        nd.a = p->ch_min[0];
        nd.b = p->ch_max[0];
        if ((st = push(o, &nd)))
            return st;
    }
    if (p->edge_l >= 0) {
        memset(&nd, 0, sizeof nd);
        nd.kind = VGP_EDGE;
        nd.edge = (uint8_t)p->edge_l;
        nd.neg = (uint8_t)p->edge_lneg;
        nd.side = 0;
        if ((st = push(o, &nd)))
            return st;
    }
    uint32_t fmin = 0, bmin = 0;
    for (uint32_t i = (uint32_t)ppos; i < p->ne; i++)
        fmin += elem_minlen(p, &p->e[i]);
    for (uint32_t i = 0; i < (uint32_t)ppos; i++)
        bmin += elem_minlen(p, &p->e[i]);
    for (uint32_t i = 0; i < p->ne && st == VG_OK; i++) {
        const elem *e = &p->e[i];
        memset(&nd, 0, sizeof nd);
        if (e->kind != E_SPEC) {
            nd.kind = VGP_BYTE;
            kind_mv(e->kind, e->val, &nd.mask, &nd.val);
            if ((long)i == ppos) {
                nd.flags = VGP_F_ANCHOR;
                nd.a = fmin;
                nd.b = bmin;
            }
            st = push(o, &nd);
            continue;
        }
        const spec *s = &p->s[e->spec];
        uint8_t set[32];
        switch (s->kind) {
        case S_ALTCHAR:
            nd.kind = VGP_SET;
            st = pool_add(o, s->set, 32, &nd.pool);
            break;
        case S_B:
        case S_W:
            for (unsigned b = 0; b < 256; b++) {
                int in = s->kind == S_B ? vgp_boundary_class((uint8_t)b) != 0 : !isalnum((int)b);
                if (in != s->neg)
                    set[b >> 3] |= (uint8_t)(1u << (b & 7));
                else
                    set[b >> 3] &= (uint8_t) ~(1u << (b & 7));
            }
            nd.kind = VGP_SET;
            nd.flags = VGP_F_ZERO;
            st = pool_add(o, set, 32, &nd.pool);
            break;
        case S_L:
            nd.kind = VGP_LINE;
            nd.flags = VGP_F_ZERO;
            nd.neg = s->neg;
            nd.side = (long)i < ppos ? 1 : 0;
            break;
        case S_FIXED: {
            nd.kind = VGP_ALT;
            nd.neg = s->neg;
            nd.a = s->num;
            nd.b = s->len;
            uint32_t off = 0;
            for (uint32_t a = 0; a < s->num && st == VG_OK; a++)
                for (uint32_t k = 0; k < s->len && st == VG_OK; k++) {
                    uint8_t mv[2] = {0xff, s->data[(size_t)a * s->len + k]};
                    st = pool_add(o, mv, 2, &off);
                    if (a == 0 && k == 0)
                        nd.pool = off;
                }
            if (s->num == 0 || s->len == 0)
                st = fail(o, "empty alternative group");
            break;
        }
        case S_GENERIC: {
            /* ClamAV matches the elements before its anchor backwards.
             * There an empty alternative never matches (its length check
             * underflows), and as the part's first element, alternatives
             * it has to backtrack over (one a prefix of another) read
             * past its tables and do not match either: drop them */
            spec tmp;
            if ((long)i < ppos && (s->minlen == 0 || i == 0)) {
                tmp = *s;
                tmp.data = malloc(s->ndata ? s->ndata : 1);
                if (!tmp.data) {
                    st = VG_ENOMEM;
                    break;
                }
                tmp.num = tmp.ndata = 0;
                for (uint32_t a = 0, k = 0; a < s->num; a++) {
                    uint32_t l = s->data[k];
                    if (l && (i > 0 || galt_unique(s, k))) {
                        memcpy(tmp.data + tmp.ndata, s->data + k, 1 + 2 * l);
                        tmp.ndata += 1 + 2 * l;
                        tmp.num++;
                    }
                    k += 1 + 2 * l;
                }
                st = emit_generic(o, &tmp, &nd);
                free(tmp.data);
            } else {
                st = emit_generic(o, s, &nd);
            }
            break;
        }
        }
        if (st == VG_OK)
            st = push(o, &nd);
    }
    if (st == VG_OK && p->edge_r >= 0) {
        memset(&nd, 0, sizeof nd);
        nd.kind = VGP_EDGE;
        nd.edge = (uint8_t)p->edge_r;
        nd.neg = (uint8_t)p->edge_rneg;
        nd.side = 1;
        st = push(o, &nd);
    }
    if (st == VG_OK && p->ch_on[1]) {
        memset(&nd, 0, sizeof nd);
        nd.kind = VGP_CH;
        nd.side = 1;
        nd.mask = p->ch_mask[1];
        nd.val = p->ch_val[1];
        nd.a = p->ch_min[1];
        nd.b = p->ch_max[1];
        st = push(o, &nd);
    }
    return st;
}

static vg_status push_gap(out_t *o, uint32_t lo, uint32_t hi)
{
    vgp_node nd;
    memset(&nd, 0, sizeof nd);
    nd.kind = VGP_GAP;
    nd.a = lo;
    nd.b = hi;
    return push(o, &nd);
}

/* One Aho-Corasick part (cli_ac_addsig); `text` is modified. */
static vg_status ac_part(out_t *o, char *text, const vgp_opts *opt)
{
    if (strlen(text) / 2 < MIN_DEPTH)
        return fail(o, "part '%s' is too short", text);
    part p;
    memset(&p, 0, sizeof p);
    p.edge_l = p.edge_r = -1;
    char *hex = text, *skel = NULL;
    vg_status st = VG_OK;
    if (strchr(text, '['))
        st = take_brackets(o, &p, &hex);
    if (st == VG_OK && strchr(hex, '('))
        st = take_groups(o, &p, hex, &skel);
    const char *body = skel ? skel : hex;
    size_t bl = strlen(body);
    if (st == VG_OK && bl % 2)
        st = fail(o, "odd number of hex digits in '%s'", body);
    uint32_t sp = 0;
    for (size_t i = 0; st == VG_OK && i < bl; i += 2) {
        if (body[i] == '(' && body[i + 1] == ')') {
            st = add_elem(o, &p, E_SPEC, 0, sp++);
            continue;
        }
        uint8_t kind, val;
        if (hex_pair(body + i, &kind, &val))
            st = fail(o, "bad hex '%.2s' in '%s'", body + i, body);
        else
            st = add_elem(o, &p, kind, val, 0);
    }
    long ppos = -1;
    if (st == VG_OK) {
        ppos = anchor_pos(&p);
        if (ppos < 0)
            st = fail(o, "can't find a static subpattern of length 2 in part '%s'", text);
    }
    if (st == VG_OK && (opt->target == 0 || opt->target == 1 || opt->target == 4 ||
                        opt->target == 7) && !filter_ok(&p))
        st = fail(o, "ClamAV can't build its prefilter for part '%s' (it needs two "
                     "bytes, nibbles, ?? or one-byte sets before the first other group)", text);
    if (st == VG_OK)
        st = emit_part(o, &p, ppos);
    free(skel);
    part_free(&p);
    return st;
}

/* Jump bounds of a split '{..}' (cli_add_content_match_pattern). */
static vg_status jump_bounds(out_t *o, const char *pt, uint32_t *lo, uint32_t *hi)
{
    long long mn = 0, mx = 0;
    if (!strchr(pt, '-')) {
        if (!digits_only(pt) || (mn = mx = c_atoi(pt)) < 0)
            return fail(o, "bad jump '{%s}'", pt);
    } else {
        int oom;
        char *f = strtok_field(pt, 0, '-', &oom);
        if (oom)
            return VG_ENOMEM;
        if (f) {
            int bad = !digits_only(f) || (mn = c_atoi(f)) < 0;
            free(f);
            if (bad)
                return fail(o, "bad jump '{%s}'", pt);
        }
        f = strtok_field(pt, 1, '-', &oom);
        if (oom)
            return VG_ENOMEM;
        if (f) {
            int bad = !digits_only(f) || (mx = c_atoi(f)) < 0;
            free(f);
            if (bad)
                return fail(o, "bad jump '{%s}'", pt);
        }
        f = strtok_field(pt, 2, '-', &oom);
        if (oom)
            return VG_ENOMEM;
        if (f) {
            free(f);
            return fail(o, "bad jump '{%s}'", pt);
        }
    }
    *lo = (uint32_t)mn;
    *hi = mx ? (uint32_t)mx : VGP_INF; /* ClamAV: a maximum of 0 is none */
    if (*lo > *hi) /* loads, never matches: a distance no buffer can have */
        *lo = *hi = VGP_NEVER;
    return VG_OK;
}

/* The first '{' as {n} with 0 < n < 128 (sscanf "%c%zu%c"). */
static int small_jump(const char *w, unsigned *n, const char **close)
{
    const char *p = w + 1;
    unsigned long long v;
    if (!scan_unsigned(&p, &v) || *p != '}' || v == 0 || v >= 128)
        return 0;
    *n = (unsigned)v;
    *close = p;
    return 1;
}

static int nest_check(const char *s, int braces)
{
    long nest = 0;
    for (; *s; s++) {
        if (*s == '(')
            nest++;
        else if (*s == ')')
            nest--;
        else if ((*s == '*' || (braces && *s == '{')) && nest)
            return -1;
    }
    return 0;
}

static vg_status parse_text(out_t *o, char **textp, const vgp_opts *opt)
{
    char *s = *textp;
    /* 1. {n} -> ??, as long as the first '{' is one */
    const char *w;
    while ((w = strchr(s, '{'))) {
        unsigned n;
        const char *close;
        if (!small_jump(w, &n, &close))
            break;
        size_t pre = (size_t)(w - s), post = strlen(close + 1);
        if (pre + 2 * (size_t)n + post > VGP_MAX_TEXT)
            return fail(o, "pattern too long after expanding {n}");
        char *ns = malloc(pre + 2 * (size_t)n + post + 1);
        if (!ns)
            return VG_ENOMEM;
        memcpy(ns, s, pre);
        memset(ns + pre, '?', 2 * (size_t)n);
        memcpy(ns + pre + 2 * (size_t)n, close + 1, post + 1);
        free(s);
        s = *textp = ns;
    }
    vg_status st = VG_OK;
    if (strchr(s, '{')) {
        /* 2a. parts at every {..} and * */
        if (nest_check(s, 1))
            return fail(o, "a jump ('*' or '{..}') cannot be inside a group");
        uint32_t parts = 1;
        for (const char *p = s; *p; p++)
            if (*p == '{' || *p == '*')
                parts++;
        char *start = s, *pt = s;
        uint32_t lo = 0, hi = VGP_INF;
        for (uint32_t i = 1; i <= parts && st == VG_OK; i++) {
            int asterisk = 0;
            if (i != parts) {
                pt = start + strcspn(start, "{*");
                asterisk = *pt == '*';
                *pt++ = 0;
            }
            if (i > 1)
                st = push_gap(o, lo, hi);
            if (st == VG_OK)
                st = ac_part(o, start, opt);
            if (st || i == parts)
                break;
            if (asterisk) {
                lo = 0;
                hi = VGP_INF;
                start = pt;
                continue;
            }
            char *close = strchr(pt, '}');
            if (!close)
                return fail(o, "missing '}'");
            *close = 0;
            start = close + 1;
            st = jump_bounds(o, pt, &lo, &hi);
        }
        return st;
    }
    if (strchr(s, '*')) {
        /* 2b. parts at every * */
        if (nest_check(s, 0))
            return fail(o, "a jump ('*') cannot be inside a group");
        uint32_t parts = 1;
        for (const char *p = s; *p; p++)
            if (*p == '*')
                parts++;
        for (uint32_t i = 0; i < parts && st == VG_OK; i++) {
            int oom;
            char *tok = strtok_field(s, (int)i, '*', &oom);
            if (oom)
                return VG_ENOMEM;
            if (!tok)
                return fail(o, "empty part next to '*' (part %u)", i + 1);
            if (i)
                st = push_gap(o, 0, VGP_INF);
            if (st == VG_OK)
                st = ac_part(o, tok, opt);
            free(tok);
        }
        return st;
    }
    /* 3. one part: Boyer-Moore when plain on target 0/1 */
    int ac = (opt->target != 0 && opt->target != 1) || opt->force_ac || strpbrk(s, "?([");
    if (ac)
        return ac_part(o, s, opt);
    size_t n = strlen(s);
    if (plain_hex(s, n, NULL))
        return fail(o, "malformed hex string '%s'", s);
    if (n / 2 < 3)
        return fail(o, "pattern too short (a plain pattern needs at least 3 bytes)");
    for (size_t i = 0; i < n && st == VG_OK; i += 2) {
        vgp_node nd;
        memset(&nd, 0, sizeof nd);
        nd.kind = VGP_BYTE;
        nd.mask = 0xff;
        nd.val = (uint8_t)(vg_hexval((unsigned char)s[i]) << 4 | vg_hexval((unsigned char)s[i + 1]));
        st = push(o, &nd);
    }
    return st;
}

vg_status vgp_parse_opts(const char *hex, size_t len, const vgp_opts *opt,
                         vgp_pattern *outp, char *err, size_t errlen)
{
    static const vgp_opts def = {0, 0};
    out_t o;
    memset(&o, 0, sizeof o);
    o.err = err;
    o.errlen = errlen;
    if (err && errlen)
        err[0] = 0;
    if (!opt)
        opt = &def;
    if (len > VGP_MAX_TEXT)
        return fail(&o, "pattern too long");
    if (len == 0)
        return fail(&o, "empty pattern");
    if (memchr(hex, 0, len))
        return fail(&o, "NUL byte in pattern");
    char *s = malloc(len + 1);
    if (!s)
        return VG_ENOMEM;
    memcpy(s, hex, len);
    s[len] = 0;
    vg_status st = parse_text(&o, &s, opt);
    free(s);
    if (st == VG_OK && o.n == 0)
        st = fail(&o, "empty pattern");
    if (st != VG_OK) {
        free(o.nodes);
        free(o.pool);
        return st;
    }
    outp->nodes = o.nodes;
    outp->nnodes = o.n;
    outp->pool = o.pool;
    outp->npool = o.npool;
    return VG_OK;
}

vg_status vgp_parse(const char *hex, size_t len, vgp_pattern *out, char *err, size_t errlen)
{
    return vgp_parse_opts(hex, len, NULL, out, err, errlen);
}

void vgp_free(vgp_pattern *p)
{
    if (!p)
        return;
    free(p->nodes);
    free(p->pool);
    p->nodes = NULL;
    p->pool = NULL;
    p->nnodes = p->npool = 0;
}

int vgp_node_width(const vgp_node *n)
{
    switch (n->kind) {
    case VGP_BYTE:
    case VGP_SET:
        return 1;
    case VGP_ALT:
        return (int)n->b;
    case VGP_EDGE:
    case VGP_CH:
        return 0;
    default:
        return -1;
    }
}

/* ClamAV's boundary table: bit 1 = allowed before a (B), bit 2 = after. */
int vgp_boundary_class(uint8_t b)
{
    switch (b) {
    case '\n':
    case '\r':
    case '"':
    case '\'':
    case '=':
    case '>':
        return 2;
    case ' ':
    case '-':
    case '/':
    case '_':
        return 3;
    case '.':
    case '<':
    case '@':
        return 1;
    default:
        return 0;
    }
}

int vgp_edge_at(const vgp_node *n, const uint8_t *d, size_t len, size_t pos)
{
    int ok;
    if (n->side == 0) {
        int b = pos > 0 && pos <= len ? d[pos - 1] : -1;
        switch (n->edge) {
        case VGP_EDGE_B: ok = b < 0 || (vgp_boundary_class((uint8_t)b) & 1); break;
        case VGP_EDGE_L: ok = b < 0 || b == '\n'; break;
        default: ok = b < 0 || !isalnum(b); break;
        }
    } else {
        int b = pos < len ? d[pos] : -1;
        switch (n->edge) {
        case VGP_EDGE_B: ok = b < 0 || (vgp_boundary_class((uint8_t)b) & 2); break;
        case VGP_EDGE_L:
            ok = b < 0 || b == '\n' || (b == '\r' && pos + 1 < len && d[pos + 1] == '\n');
            break;
        default: ok = b < 0 || !isalnum(b); break;
        }
    }
    return n->neg ? !ok : ok;
}

const uint8_t *vgp_galt_alt(const vgp_node *n, const uint8_t *pool, uint32_t k, uint32_t *alen)
{
    const uint8_t *q = pool + n->pool;
    for (uint32_t i = 0; i < k; i++)
        q += 1 + 2 * (uint32_t)q[0];
    *alen = q[0];
    return q + 1;
}
