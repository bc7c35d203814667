/* yara/strings.c - every YARA string of an engine in the one Vectorscan
 * pass the engine makes over a file (the ClamAV body patterns' pass: the
 * expressions below go into that matcher's database, match/matcher.h
 * vgm_build_with, and its hits come back through vgy_strings_hit), with
 * every match offset (what #a, @a[i], !a[i] and `yara -s` need).
 *
 * Translation. Each string becomes one or more "variants", each a regex
 * in the common subset of Vectorscan and PCRE2 syntax:
 *   text      bytes as \xHH; `wide` interleaves \x00; `nocase` is
 *             caseless; `xor(a-b)` adds one literal per key (the wide form
 *             is xored too, as yara does); `base64`/`base64wide` add the
 *             three shifted encodings with the characters that depend on
 *             neighbouring bytes cut off (yara's documented method), the
 *             wide ones interleaved with \x00.
 *   hex       bytes, `.` for ??, 16-byte classes for nibbles, (?:a|b) for
 *             alternatives, lazy `.{n,m}?` for jumps (yara reports the
 *             shortest jump: { 41 [0-4] 42 } on "AxBxB" is "AxB").
 *   regex     yara's syntax rewritten where PCRE2 differs ({,n} -> {0,n});
 *             `wide` turns every atom into (?:atom\x00).
 *
 * Search. A variant is then a byte program (seq.c), and Vectorscan gets
 * only a window of it: up to WIN_MAX bytes at a known distance (or a
 * small range of distances) from the start, chosen for how rare its bytes
 * are; or, when no single window is good enough, one window in each
 * branch of a top-level alternative. Identical windows share one
 * Vectorscan expression. Each window
 * report names the candidate starts, and each is verified anchored: hex
 * and text by seq.c's backtracking matcher, regexes by PCRE2. A window
 * that is the whole variant is the match itself (most text strings). This
 * keeps the Vectorscan database small (a compile in seconds for 100,000
 * rules, where whole hex strings with jumps took minutes) and no string is
 * confirmed by a search over the whole file.
 *
 * Fallback ("whole" variants): a variant with no good window (only rare
 * enough bytes behind an unbounded jump, a regex the parser does not
 * model, a weak window like 00 00) goes to Vectorscan as a whole regex: a
 * fixed-width one is exact (a report at `to` is a match at to - width),
 * a variable one is a prefilter (HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH)
 * and PCRE2 then finds every start in the file (search from 0, record,
 * search again from start + 1). A pattern Vectorscan refuses even as a
 * prefilter is searched by PCRE2 alone.
 *
 * Both ways give yara's set of (offset, length) pairs with backtracking
 * (first-alternative, greedy-unless-lazy) lengths: an anchored match at a
 * start is the match an unanchored search finds there.
 *
 * A `fullword` match is kept only when the bytes around it (two-byte
 * steps for a wide variant) are not alphanumeric, checked as it is found,
 * so that the VGY_MAX_MATCHES cap counts only kept matches (as in yara: a
 * 31 MB file with 100,000 hex runs before the one fullword run). After
 * the pass, each touched string's list is sorted by offset and one match
 * kept per offset (the shortest: a `wide ascii` string's ascii match, as
 * yara keeps). Only strings that matched are visited, so an object costs
 * nothing per string of the rule set.
 *
 * Cost: no pass of its own (the shared one); per window report, one
 * anchored verification per candidate start (a step budget bounds each);
 * plus one PCRE2 search per whole variable-length variant that Vectorscan
 * could not rule out. PCRE2 runs with a match limit. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs/hs.h>
#include <limits.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "yara/seq.h"
#include "yara/yara_int.h"

#define PCRE_MATCH_LIMIT 1000000u
#define VERIFY_BUDGET 1000000u /* backtracking steps per candidate start */
#define WIN_MAX 32             /* bytes in a window */
#define WIN_SPAN 64            /* distance range of a window's start */
#define WIN_MIN_BITS 16.0      /* a window needing verification: >= 2 bytes */
#define SEQ_MAX_SPLIT 512      /* REP+ALT of a program seq.c verifies */
#define MEMO_ENTRIES (1u << 15) /* the verifier's failure memo (seq.h) */
#define RE_SCAN_LIMIT 4096     /* a regex match ends at most this far from
                                  its start (yara's limit: /A.*B/s on A,
                                  4000 bytes, B, 200 bytes, B ends at the
                                  first B) */

enum { V_EXACT, V_WINDOW, V_WHOLE };

typedef struct variant {
    uint32_t gi;     /* string's global index */
    uint8_t mode;    /* V_* */
    uint8_t wide;    /* for fullword */
    uint8_t hs_ok;   /* V_WHOLE: in the Vectorscan database */
    uint8_t pcre;    /* V_WINDOW: PCRE2 verifies (regex strings) */
    uint8_t fullword; /* the string is `fullword`: checked as matches come */
    uint32_t width;  /* V_WHOLE: fixed width, 0 = variable (PCRE2 confirms) */
    uint32_t win0, nwin; /* its windows: wins[win0 .. win0 + nwin) */
    char *re;        /* V_WHOLE, or a regex: pattern text (NUL-terminated) */
    unsigned hsflags;
    pcre2_code *code;
    vgy_sqprog prog;
} variant;

/* A window of a variant: one, or one per branch of a top-level
 * alternative (seq.c). */
typedef struct vwin {
    uint32_t v;
    uint32_t slot;   /* dmax > dmin: its next-start slot */
    vgy_sqwin w;
} vwin;

struct vgy_smatcher {
    variant *v;
    uint32_t nv, capv;
    uint32_t nstrs;
    vgy_sqpool pool;
    vwin *wins;
    uint32_t nwins, capwins;
    uint32_t ngroups;    /* window expressions: Vectorscan ids 0..ngroups-1 */
    uint32_t *gstart;    /* group g's windows: gmem[gstart[g]..gstart[g+1]) */
    uint32_t *gmem;
    uint32_t *whole;     /* V_WHOLE variants; id ngroups + k is whole[k] */
    uint32_t nwhole;
    uint32_t nslots;
    /* the expression list (make_list), until vgy_strings_drop_list */
    const char **ex;
    unsigned *fl, *ids;
    uint32_t nex;
    char **wtext;        /* per window: its regex */
    struct wkey *keys;
    uint8_t fp[32];      /* SHA-256 of the expression list */
};

typedef struct sctx {
    const vgy_smatcher *m;
    vgy_sscratch *s;
    vgy_mlist *ml;
    const uint8_t *d;
    size_t len;
    int oom;
} sctx;

struct vgy_sscratch {
    sctx c;              /* the object being scanned (vgy_strings_begin) */
    vgy_gate_fn gate;    /* may a string's rule still be true? */
    void *gate_user;
    const uint8_t *gate_when; /* per string: VGY_GATE_HIT / _END */
    uint32_t *pending;   /* per string: whole-file searches still to run */
    uint32_t *run;       /* the whole variants finish searches */
    uint8_t *maybe;      /* per whole variant: Vectorscan saw it */
    uint64_t *next;      /* per slot: first start not yet verified */
    uint32_t *next_gen;  /* per slot: scan generation of `next` */
    uint32_t gen;
    vgy_sqmemo memo;     /* the verifier's failures in this buffer */
    uint64_t *prof_ns;   /* --profile: per string, ns spent verifying */
    uint32_t *touched;   /* strings with matches in the last scan */
    uint32_t ntouched;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
};
/* ---- regex text helpers ----------------------------------------------- */

typedef struct sb {
    char *p;
    size_t n, cap;
    int oom;
} sb;

static void sb_add(sb *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void sb_str(sb *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_byte(sb *b, uint8_t c)
{
    static const char hx[] = "0123456789abcdef";
    char t[4] = {'\\', 'x', hx[c >> 4], hx[c & 15]};
    sb_add(b, t, 4);
}

/* Where the class opening at s[i] ('[') closes: the index of its `]`, or
 * n. A `]` right after `[` or `[^` is a member; `\x` skips x. */
static size_t class_close(const char *s, size_t n, size_t i)
{
    i++;
    if (i < n && s[i] == '^')
        i++;
    if (i < n && s[i] == ']')
        i++;
    while (i < n && s[i] != ']')
        i += s[i] == '\\' ? 2 : 1;
    return i < n ? i : n;
}

/* yara regex -> PCRE2/Vectorscan text; wide: each atom then \x00. */
static char *regex_rewrite(const char *s, size_t n, int wide)
{
    sb b = {0};
    sb_add(&b, "", 0);
    size_t i = 0;
    while (i < n) {
        size_t st = i;
        int atom = 1;
        char c = s[i];
        if (c == '\\') {
            i += 2;
            if (i <= n && (s[i - 1] == 'x') && i + 2 <= n)
                i += 2;
            if (i > n)
                i = n;
            if (s[st + 1] == 'b' || s[st + 1] == 'B')
                atom = 0;
        } else if (c == '[') {
            i = class_close(s, n, i);
            i = i < n ? i + 1 : n;
        } else if (c == '{') {
            /* quantifier: {n}, {n,}, {n,m}, {,m} */
            size_t j = i + 1;
            while (j < n && s[j] != '}')
                j++;
            if (j < n && j > i + 1 && s[i + 1] == ',') {
                sb_str(&b, "{0");
                sb_add(&b, s + i + 1, j + 1 - (i + 1));
                i = j + 1;
                continue;
            }
            i = j < n ? j + 1 : n;
            atom = 0;
        } else {
            i++;
            if (strchr("()|^$*+?", c))
                atom = 0;
        }
        if (atom && wide) {
            sb_str(&b, "(?:");
            sb_add(&b, s + st, i - st);
            sb_str(&b, "\\x00)");
        } else
            sb_add(&b, s + st, i - st);
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* The quantifiers of a yara regex: QUANT_GREEDY, QUANT_LAZY (a trailing
 * `?`), both, or neither. yara refuses both in a string's regex (its
 * string matcher is greedy or not as a whole), not in `matches`. */
enum { QUANT_GREEDY = 1, QUANT_LAZY = 2 };

static int regex_quantifiers(const char *s, size_t n)
{
    int r = 0;
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '\\') {
            i += 2;
            continue;
        }
        if (c == '[') {
            i = class_close(s, n, i) + 1;
            continue;
        }
        size_t q = 0;
        if (c == '*' || c == '+' || c == '?')
            q = 1;
        else if (c == '{') {
            size_t j = i + 1, digits = 0;
            while (j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == ',')) {
                digits += s[j] != ',';
                j++;
            }
            if (j < n && s[j] == '}' && digits)
                q = j + 1 - i;
        }
        if (!q) {
            i++;
            continue;
        }
        i += q;
        if (i < n && s[i] == '?') {
            r |= QUANT_LAZY;
            i++;
        } else
            r |= QUANT_GREEDY;
    }
    return r;
}

#define MIXED_MSG "greedy and ungreedy quantifiers can't be mixed in a regular expression"

/* yara's regex grammar takes an empty alternative after a `|` (/abc|/,
 * /a||b/) but not first (/|abc/, /a(|b)/), and no empty group (/a()b/):
 * those are syntax errors there. */
static int empty_first_alternative(const char *s, size_t n)
{
    int at_start = 1; /* just after the start or an opening `(` */
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (at_start && (c == '|' || c == ')'))
            return 1;
        at_start = 0;
        if (c == '\\')
            i++;
        else if (c == '[')
            i = class_close(s, n, i);
        else if (c == '(')
            at_start = 1;
    }
    return at_start; /* an empty regex or one ending in `(` */
}

const char *vgy_regex_check(const char *src, size_t len)
{
    if (empty_first_alternative(src, len))
        return "syntax error";
    if (regex_quantifiers(src, len) == (QUANT_GREEDY | QUANT_LAZY))
        return MIXED_MSG;
    char *re = regex_rewrite(src, len, 0);
    if (!re)
        return "out of memory";
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
    free(re);
    if (!c)
        return "invalid regular expression";
    pcre2_code_free(c);
    return NULL;
}

vg_status vgy_regex_compile(struct vgy_regex *r, char *err, size_t errlen)
{
    char *re = regex_rewrite(r->src, r->len, 0);
    if (!re)
        return VG_ENOMEM;
    int ec;
    PCRE2_SIZE eo;
    uint32_t fl = (r->flags & VGY_M_NOCASE ? PCRE2_CASELESS : 0) |
                  (r->flags & VGY_M_DOTALL ? PCRE2_DOTALL : 0);
    r->code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, fl, &ec, &eo, NULL);
    free(re);
    if (!r->code) {
        PCRE2_UCHAR m[120];
        pcre2_get_error_message(ec, m, sizeof m);
        snprintf(err, errlen, "%s", (const char *)m);
        return VG_EFORMAT;
    }
    return VG_OK;
}

int vgy_regex_match(const struct vgy_regex *r, const uint8_t *s, size_t n)
{
    if (!r->code)
        return 0;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(r->code, NULL);
    if (!md)
        return 0;
    int rc = pcre2_match(r->code, s ? s : (const uint8_t *)"", n, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

void vgy_regex_free(struct vgy_regex *r)
{
    if (r && r->code) {
        pcre2_code_free(r->code);
        r->code = NULL;
    }
}

/* ---- hex strings ------------------------------------------------------ */

static int hv(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 32;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static const char *hex_num(const char **pp, const char *end, long *v)
{
    const char *p = *pp;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    if (p >= end || *p < '0' || *p > '9') {
        *v = -1;
        *pp = p;
        return NULL;
    }
    long x = 0;
    while (p < end && *p >= '0' && *p <= '9') {
        x = x * 10 + (*p - '0');
        if (x > 0xffffff)
            return "jump too large";
        p++;
    }
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    *v = x;
    *pp = p;
    return NULL;
}

const char *vgy_hex_to_regex(vgy_arena *a, const char *src, size_t len, char **re,
                             size_t *relen)
{
    sb b = {0};
    sb_add(&b, "", 0);
    const char *p = src, *end = src + len;
    int depth = 0, bytes = 0, last_jump = 0, first = 1, alt_items = 0;
    const char *msg = NULL;
    while (p < end && !msg) {
        char c = *p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            p++;
            continue;
        }
        if (c == '/' && p + 1 < end && p[1] == '/') {
            while (p < end && *p != '\n')
                p++;
            continue;
        }
        if (c == '/' && p + 1 < end && p[1] == '*') {
            p += 2;
            while (p + 1 < end && !(p[0] == '*' && p[1] == '/'))
                p++;
            p += 2;
            continue;
        }
        if (c == '[') {
            if (first || (depth && alt_items == 0)) {
                msg = "syntax error";
                break;
            }
            p++;
            long lo, hi;
            if ((msg = hex_num(&p, end, &lo)))
                break;
            if (p < end && *p == '-') {
                p++;
                if ((msg = hex_num(&p, end, &hi)))
                    break;
            } else
                hi = lo;
            if (p >= end || *p != ']' || (lo < 0 && hi >= 0 && p[-1] != '-' && 0)) {
                msg = "syntax error";
                break;
            }
            p++;
            if (lo < 0)
                lo = 0;
            if (hi >= 0 && lo > hi) {
                msg = "invalid jump length";
                break;
            }
            if (depth && hi < 0) {
                msg = "unbounded jumps not allowed inside alternation (|)";
                break;
            }
            if (depth && hi > 200) {
                msg = "jumps over 200 not allowed inside alternation (|)";
                break;
            }
            char t[64];
            if (hi < 0)
                snprintf(t, sizeof t, ".{%ld,}?", lo);
            else if (lo == hi)
                snprintf(t, sizeof t, ".{%ld}", lo);
            else
                snprintf(t, sizeof t, ".{%ld,%ld}?", lo, hi);
            sb_str(&b, t);
            last_jump = 1;
            continue;
        }
        if (c == '(') {
            depth++;
            sb_str(&b, "(?:");
            p++;
            first = 0;
            alt_items = 0;
            last_jump = 0;
            continue;
        }
        if (c == '|' || c == ')') {
            if (!depth || alt_items == 0 || last_jump) {
                msg = "syntax error";
                break;
            }
            sb_str(&b, c == '|' ? "|" : ")");
            if (c == ')')
                depth--;
            alt_items = c == ')'; /* a closed group is an item of the outer one */
            last_jump = 0;
            p++;
            continue;
        }
        int h1 = c == '?' ? 16 : hv(c);
        int h2 = p + 1 < end ? (p[1] == '?' ? 16 : hv(p[1])) : -1;
        if (h1 < 0 || h2 < 0) {
            msg = "syntax error";
            break;
        }
        p += 2;
        if (h1 == 16 && h2 == 16)
            sb_str(&b, ".");
        else if (h1 == 16) {
            sb_str(&b, "[");
            for (int k = 0; k < 16; k++)
                sb_byte(&b, (uint8_t)(k * 16 + h2));
            sb_str(&b, "]");
        } else if (h2 == 16) {
            sb_str(&b, "[");
            sb_byte(&b, (uint8_t)(h1 * 16));
            sb_str(&b, "-");
            sb_byte(&b, (uint8_t)(h1 * 16 + 15));
            sb_str(&b, "]");
        } else
            sb_byte(&b, (uint8_t)(h1 * 16 + h2));
        bytes++;
        alt_items++;
        first = 0;
        last_jump = 0;
    }
    if (!msg && depth)
        msg = "syntax error";
    if (!msg && (bytes == 0 || last_jump))
        msg = "syntax error";
    if (b.oom)
        msg = "out of memory";
    if (!msg) {
        *re = vgy_strndup(a, b.p, b.n);
        *relen = b.n;
        if (!*re)
            msg = "out of memory";
    }
    free(b.p);
    return msg;
}

/* ---- building --------------------------------------------------------- */

/* What a variant is made of: literal bytes (text, base64), or its regex
 * text `re` (hex strings, regexes). */
typedef struct lit {
    const uint8_t *d;
    size_t n;
    int nocase, wide;
    uint8_t key;
} lit;

static vg_status add_variant(vgy_smatcher *m, uint32_t gi, char *re, unsigned hsflags,
                             int wide, int pcre, const lit *l)
{
    if (!re)
        return VG_ENOMEM;
    if (m->nv == m->capv) {
        uint32_t cap = m->capv ? m->capv * 2 : 64;
        variant *nv = realloc(m->v, cap * sizeof *nv);
        if (!nv) {
            free(re);
            return VG_ENOMEM;
        }
        m->v = nv;
        m->capv = cap;
    }
    variant *v = &m->v[m->nv++];
    memset(v, 0, sizeof *v);
    v->gi = gi;
    v->re = re;
    v->hsflags = hsflags;
    v->wide = (uint8_t)wide;
    v->pcre = (uint8_t)pcre;
    vg_status st = l ? vgy_seq_literal(&m->pool, l->d, l->n, l->nocase, l->wide, l->key,
                                       &v->prog)
                     : vgy_seq_parse(&m->pool, re, strlen(re),
                                     (hsflags & HS_FLAG_CASELESS) != 0,
                                     (hsflags & HS_FLAG_DOTALL) != 0, &v->prog);
    if (st == VG_ENOMEM)
        return st;
    v->mode = st == VG_OK ? V_WINDOW : V_WHOLE;
    return VG_OK;
}

static char *lit_regex(const uint8_t *d, size_t n, int wide, int key)
{
    sb b = {0};
    sb_add(&b, "", 0);
    for (size_t i = 0; i < n; i++) {
        sb_byte(&b, (uint8_t)(d[i] ^ key));
        if (wide)
            sb_byte(&b, (uint8_t)key);
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

static vg_status add_literal(vgy_smatcher *m, uint32_t gi, const uint8_t *d, size_t n,
                             int nocase, int wide, int key)
{
    lit l = {d, n, nocase, wide, (uint8_t)key};
    return add_variant(m, gi, lit_regex(d, n, wide, key), nocase ? HS_FLAG_CASELESS : 0,
                       wide, 0, &l);
}

static const char std_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The stable part of base64(k zero bytes + s), k = 0, 1, 2. */
static size_t b64_variant(const uint8_t *s, size_t n, int k, const char *alpha, uint8_t *out)
{
    size_t L = n + (size_t)k, o = 0;
    size_t full = (L * 8) / 6; /* characters fully determined by the data */
    size_t skip = k == 0 ? 0 : k == 1 ? 2 : 3;
    for (size_t ci = 0; ci < full; ci++) {
        size_t bit = ci * 6;
        uint32_t v = 0;
        for (size_t b = 0; b < 6; b++) {
            size_t pos = bit + b, byte = pos / 8;
            uint8_t by = byte < (size_t)k ? 0 : s[byte - (size_t)k];
            v = (v << 1) | ((by >> (7 - pos % 8)) & 1u);
        }
        if (ci >= skip)
            out[o++] = (uint8_t)alpha[v];
    }
    return o;
}

static vg_status text_variants(vgy_smatcher *m, const vgy_string *s)
{
    vg_status st = VG_OK;
    int nocase = (s->mods & VGY_M_NOCASE) != 0;
    if (s->mods & (VGY_M_BASE64 | VGY_M_BASE64WIDE)) {
        uint8_t *out = malloc(s->len * 2 + 8);
        if (!out)
            return VG_ENOMEM;
        const char *alpha = s->b64alpha ? s->b64alpha : std_b64;
        for (int k = 0; k < 3 && st == VG_OK; k++) {
            size_t n = b64_variant(s->data, s->len, k, alpha, out);
            if (n == 0)
                continue;
            if (s->mods & VGY_M_BASE64)
                st = add_literal(m, s->gidx, out, n, 0, 0, 0);
            if (st == VG_OK && (s->mods & VGY_M_BASE64WIDE))
                st = add_literal(m, s->gidx, out, n, 0, 1, 0);
        }
        free(out);
        return st;
    }
    int lo = 0, hi = 0;
    if (s->mods & VGY_M_XOR) {
        lo = s->xmin;
        hi = s->xmax;
    }
    for (int w = 0; w < 2 && st == VG_OK; w++) {
        if (!(s->mods & (w ? VGY_M_WIDE : VGY_M_ASCII)))
            continue;
        for (int key = lo; key <= hi && st == VG_OK; key++)
            st = add_literal(m, s->gidx, s->data, s->len, nocase, w, key);
    }
    return st;
}

static vg_status string_variants_of(vgy_smatcher *m, const vgy_string *s)
{
    if (s->kind == VGY_S_TEXT)
        return text_variants(m, s);
    if (s->kind == VGY_S_HEX)
        return add_variant(m, s->gidx, strdup((const char *)s->data), HS_FLAG_DOTALL, 0, 0,
                           NULL);
    unsigned fl = (s->mods & VGY_M_NOCASE ? HS_FLAG_CASELESS : 0) |
                  (s->mods & VGY_M_DOTALL ? HS_FLAG_DOTALL : 0);
    vg_status st = VG_OK;
    if (s->mods & VGY_M_ASCII)
        st = add_variant(m, s->gidx, regex_rewrite((const char *)s->data, s->len, 0), fl, 0,
                         1, NULL);
    if (st == VG_OK && (s->mods & VGY_M_WIDE))
        st = add_variant(m, s->gidx, regex_rewrite((const char *)s->data, s->len, 1), fl, 1,
                         1, NULL);
    return st;
}

static pcre2_code *pcre_compile(const variant *v, char *err, size_t errlen)
{
    uint32_t fl = (v->hsflags & HS_FLAG_CASELESS ? PCRE2_CASELESS : 0) |
                  (v->hsflags & HS_FLAG_DOTALL ? PCRE2_DOTALL : 0);
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)v->re, PCRE2_ZERO_TERMINATED, fl, &ec, &eo, NULL);
    if (!c)
        snprintf(err, errlen, "cannot compile regex %s", v->re);
    return c;
}

static vg_status string_variants(vgy_smatcher *m, const vgy_string *s)
{
    uint32_t v0 = m->nv;
    vg_status st = string_variants_of(m, s);
    for (uint32_t i = v0; i < m->nv; i++)
        m->v[i].fullword = (s->mods & VGY_M_FULLWORD) != 0;
    return st;
}

/* A whole variant: exact in Vectorscan when its width is fixed, else a
 * prefilter there and PCRE2 (JIT, it searches whole files) after. */
static vg_status prepare_whole(variant *v, char *err, size_t errlen)
{
    hs_expr_info_t *info = NULL;
    hs_compile_error_t *ce = NULL;
    v->mode = V_WHOLE;
    v->hs_ok = 1;
    v->width = 0;
    if (hs_expression_info(v->re, v->hsflags, &info, &ce) == HS_SUCCESS) {
        if (info->min_width == info->max_width && info->max_width != 0 &&
            info->max_width != UINT_MAX && !info->unordered_matches)
            v->width = info->min_width;
        free(info);
    } else {
        hs_free_compile_error(ce);
        v->hs_ok = 0;
    }
    if (v->width == 0) {
        if (!v->code && !(v->code = pcre_compile(v, err, errlen)))
            return VG_EFORMAT;
        pcre2_jit_compile(v->code, PCRE2_JIT_COMPLETE);
        v->hsflags |= HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH;
    }
    return VG_OK;
}

#define MAX_ALT_WINDOWS 16

/* Window(s) or whole: see the top comment. */
static vg_status plan(vgy_smatcher *m, variant *v, uint32_t vi, char *err, size_t errlen)
{
    vgy_sqwin w[MAX_ALT_WINDOWS];
    uint32_t nw = 0;
    if (v->mode == V_WINDOW && (v->pcre || (!v->prog.opaque && v->prog.nsplit <= SEQ_MAX_SPLIT))) {
        nw = vgy_seq_window(&m->pool, &v->prog, WIN_MAX, WIN_SPAN, WIN_MIN_BITS, &w[0]);
        if (nw && !(w[0].exact && !v->pcre) && w[0].bits < WIN_MIN_BITS)
            nw = 0;
        if (!nw)
            nw = vgy_seq_alt_windows(&m->pool, &v->prog, WIN_MAX, WIN_SPAN, WIN_MIN_BITS, w,
                                     MAX_ALT_WINDOWS);
    }
    if (!nw)
        return prepare_whole(v, err, errlen);
    if (m->nwins + nw > m->capwins) {
        uint32_t cap = m->capwins ? m->capwins * 2 : 256;
        while (cap < m->nwins + nw)
            cap *= 2;
        vwin *nv = realloc(m->wins, cap * sizeof *nv);
        if (!nv)
            return VG_ENOMEM;
        m->wins = nv;
        m->capwins = cap;
    }
    v->mode = nw == 1 && w[0].exact && !v->pcre ? V_EXACT : V_WINDOW;
    v->win0 = m->nwins;
    v->nwin = nw;
    for (uint32_t k = 0; k < nw; k++) {
        vwin *x = &m->wins[m->nwins++];
        x->v = vi;
        x->w = w[k];
        x->slot = v->mode == V_WINDOW && w[k].dmax > w[k].dmin ? m->nslots++ : 0;
    }
    if (v->pcre && !(v->code = pcre_compile(v, err, errlen)))
        return VG_EFORMAT;
    return VG_OK;
}

typedef struct wkey {
    const char *text; /* the window's regex (owned by compile_db's wtext) */
    uint32_t v;       /* window index */
} wkey;

static int cmp_wkey(const void *a, const void *b)
{
    const wkey *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    return c ? c : (x->v > y->v) - (x->v < y->v);
}

/* Group the windows of windowed variants by text (one Vectorscan id each;
 * keys[gstart[g]] holds group g's text) and list the whole variants. */
static void make_groups(vgy_smatcher *m, char **wtext, wkey *keys)
{
    uint32_t nk = 0;
    m->nwhole = 0;
    for (uint32_t i = 0; i < m->nv; i++)
        if (m->v[i].mode == V_WHOLE)
            m->whole[m->nwhole++] = i;
    for (uint32_t i = 0; i < m->nwins; i++)
        if (m->v[m->wins[i].v].mode != V_WHOLE) {
            keys[nk].text = wtext[i];
            keys[nk++].v = i;
        }
    qsort(keys, nk, sizeof *keys, cmp_wkey);
    m->ngroups = 0;
    for (uint32_t k = 0; k < nk; k++) {
        if (k == 0 || strcmp(keys[k].text, keys[k - 1].text))
            m->gstart[m->ngroups++] = k;
        m->gmem[k] = keys[k].v;
    }
    m->gstart[m->ngroups] = nk;
}

/* What identifies a Vectorscan database: SHA-256 over the expression
 * list (count, then per expression id, flags, length, text, all u32
 * little-endian where numeric). A portable copy serves any CPU, so the
 * platform is not part of it. */
static vg_status fingerprint(const char **ex, const unsigned *fl, const unsigned *ids,
                             uint32_t n, uint8_t out[32])
{
    size_t total = 4;
    for (uint32_t i = 0; i < n; i++)
        total += 12 + strlen(ex[i]);
    uint8_t *b = malloc(total), *q = b;
    if (!b)
        return VG_ENOMEM;
#define PUT32(v)                                                                           \
    do {                                                                                   \
        uint32_t x_ = (uint32_t)(v);                                                      \
        for (int k_ = 0; k_ < 4; k_++)                                                     \
            *q++ = (uint8_t)(x_ >> (8 * k_));                                              \
    } while (0)
    PUT32(n);
    for (uint32_t i = 0; i < n; i++) {
        size_t l = strlen(ex[i]);
        PUT32(ids[i]);
        PUT32(fl[i]);
        PUT32(l);
        memcpy(q, ex[i], l);
        q += l;
    }
#undef PUT32
    vg_status st = vghash_compute(VGH_SHA256, b, (size_t)(q - b), out);
    free(b);
    return st;
}

/* The expression list the shared matcher compiles (vgm_build_with): the
 * window groups, then the whole variants Vectorscan takes, and its
 * fingerprint. The texts stay until vgy_strings_drop_list. */
static vg_status make_list(vgy_smatcher *m)
{
    vg_status st = VG_OK;
    if (!m->keys) {
        m->keys = calloc(m->nwins + 1, sizeof *m->keys);
        m->wtext = calloc(m->nwins + 1, sizeof *m->wtext);
        m->gstart = calloc(m->nwins + 2, sizeof *m->gstart);
        m->gmem = calloc(m->nwins + 1, sizeof *m->gmem);
        m->whole = calloc(m->nv + 1, sizeof *m->whole);
        m->ex = calloc(m->nwins + m->nv + 1, sizeof *m->ex);
        m->fl = calloc(m->nwins + m->nv + 1, sizeof *m->fl);
        m->ids = calloc(m->nwins + m->nv + 1, sizeof *m->ids);
        if (!m->keys || !m->wtext || !m->gstart || !m->gmem || !m->whole || !m->ex || !m->fl ||
            !m->ids)
            return VG_ENOMEM;
        for (uint32_t i = 0; i < m->nwins && st == VG_OK; i++)
            if (!(m->wtext[i] = vgy_seq_window_regex(&m->pool, &m->wins[i].w)))
                st = VG_ENOMEM;
        if (st != VG_OK)
            return st;
    }
    make_groups(m, m->wtext, m->keys);
    uint32_t n = 0;
    for (uint32_t g = 0; g < m->ngroups; g++) {
        m->ex[n] = m->keys[m->gstart[g]].text;
        m->fl[n] = HS_FLAG_DOTALL;
        m->ids[n++] = g;
    }
    for (uint32_t k = 0; k < m->nwhole; k++)
        if (m->v[m->whole[k]].hs_ok) {
            m->ex[n] = m->v[m->whole[k]].re;
            m->fl[n] = m->v[m->whole[k]].hsflags;
            m->ids[n++] = m->ngroups + k;
        }
    m->nex = n;
    return fingerprint(m->ex, m->fl, m->ids, n, m->fp);
}

vg_status vgy_strings_refuse(vgy_smatcher *m, uint32_t k, char *err, size_t errlen)
{
    if (k >= m->nex)
        return VG_EINVAL;
    uint32_t id = m->ids[k];
    vg_status st = VG_OK;
    if (id < m->ngroups) {
        /* a window Vectorscan refuses: its variants go whole */
        for (uint32_t j = m->gstart[id]; j < m->gstart[id + 1] && st == VG_OK; j++)
            st = prepare_whole(&m->v[m->wins[m->gmem[j]].v], err, errlen);
    } else {
        /* searched by PCRE2 alone from now on */
        variant *v = &m->v[m->whole[id - m->ngroups]];
        if (v->width)
            st = prepare_whole(v, err, errlen); /* clears width, adds PCRE2 */
        v->width = 0;
        v->hs_ok = 0;
    }
    return st == VG_OK ? make_list(m) : st;
}

void vgy_strings_list(const vgy_smatcher *m, vgy_slist *out)
{
    out->ex = m->ex;
    out->flags = m->fl;
    out->ids = m->ids;
    out->n = m->ex ? m->nex : 0;
    out->nids = m->ngroups + m->nwhole;
    memcpy(out->fp, m->fp, 32);
}

void vgy_strings_drop_list(vgy_smatcher *m)
{
    for (uint32_t k = 0; m->wtext && k < m->nwins; k++)
        free(m->wtext[k]);
    free(m->wtext);
    free(m->keys);
    free(m->ex);
    free(m->fl);
    free(m->ids);
    m->wtext = NULL;
    m->keys = NULL;
    m->ex = NULL;
    m->fl = NULL;
    m->ids = NULL;
    /* only whole variants and regexes read their text again */
    for (uint32_t i = 0; i < m->nv; i++)
        if (m->v[i].mode != V_WHOLE) {
            free(m->v[i].re);
            m->v[i].re = NULL;
        }
}

vg_status vgy_strings_build(vgy_string **strs, uint32_t n, vgy_smatcher **out, char *err,
                            size_t errlen)
{
    vgy_smatcher *m = calloc(1, sizeof *m);
    if (!m)
        return VG_ENOMEM;
    m->nstrs = n;
    vg_status st = VG_OK;
    for (uint32_t i = 0; i < n && st == VG_OK; i++)
        st = string_variants(m, strs[i]);
    for (uint32_t i = 0; i < m->nv && st == VG_OK; i++)
        st = plan(m, &m->v[i], i, err, errlen);
    if (st == VG_OK)
        st = make_list(m);
    if (st != VG_OK) {
        vgy_strings_free(m);
        return st;
    }
    *out = m;
    return VG_OK;
}

void vgy_strings_free(vgy_smatcher *m)
{
    if (!m)
        return;
    vgy_strings_drop_list(m);
    for (uint32_t i = 0; i < m->nv; i++) {
        free(m->v[i].re);
        pcre2_code_free(m->v[i].code);
    }
    free(m->v);
    free(m->wins);
    free(m->gstart);
    free(m->gmem);
    free(m->whole);
    vgy_sqpool_free(&m->pool);
    free(m);
}

vg_status vgy_sscratch_new(const vgy_smatcher *m, vgy_sscratch **out)
{
    vgy_sscratch *s = calloc(1, sizeof *s);
    if (!s)
        return VG_ENOMEM;
    s->maybe = calloc(m->nwhole + 1, 1);
    s->next = calloc(m->nslots + 1, sizeof *s->next);
    s->next_gen = calloc(m->nslots + 1, sizeof *s->next_gen);
    s->touched = calloc(m->nstrs + 1, sizeof *s->touched);
    s->pending = calloc(m->nstrs + 1, sizeof *s->pending);
    s->run = calloc(m->nwhole + 1, sizeof *s->run);
    s->memo.cap = MEMO_ENTRIES;
    s->memo.key = calloc(MEMO_ENTRIES, sizeof *s->memo.key);
    s->memo.gen_of = calloc(MEMO_ENTRIES, sizeof *s->memo.gen_of);
    s->md = pcre2_match_data_create(4, NULL);
    s->mctx = pcre2_match_context_create(NULL);
    if (!s->maybe || !s->next || !s->next_gen || !s->touched || !s->pending || !s->run ||
        !s->md || !s->mctx ||
        !s->memo.key || !s->memo.gen_of) {
        vgy_sscratch_free(s);
        return VG_ENOMEM;
    }
    pcre2_set_match_limit(s->mctx, PCRE_MATCH_LIMIT);
    *out = s;
    return VG_OK;
}

void vgy_sscratch_free(vgy_sscratch *s)
{
    if (!s)
        return;
    free(s->maybe);
    free(s->next);
    free(s->next_gen);
    free(s->touched);
    free(s->pending);
    free(s->run);
    free(s->memo.key);
    free(s->memo.gen_of);
    free(s->prof_ns);
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mctx);
    free(s);
}

/* ---- scanning --------------------------------------------------------- */

static int fullword_ok(const uint8_t *d, size_t len, const vgy_match *mt, int wide)
{
#define ALNUM(ch) (((ch) >= '0' && (ch) <= '9') || (((ch) | 32) >= 'a' && ((ch) | 32) <= 'z'))
    uint64_t o = mt->off, e = mt->off + mt->len;
    if (wide) {
        if (o >= 2 && d[o - 1] == 0 && ALNUM(d[o - 2]))
            return 0;
        if (e + 1 < len && d[e + 1] == 0 && ALNUM(d[e]))
            return 0;
    } else {
        if (o >= 1 && ALNUM(d[o - 1]))
            return 0;
        if (e < len && ALNUM(d[e]))
            return 0;
    }
    return 1;
#undef ALNUM
}

/* Record a match of variant v; a `fullword` one only when the bytes
 * around it allow (before the cap on matches counts it, as in yara). */
static int add_match(sctx *c, const variant *v, uint64_t off, uint64_t len)
{
    vgy_mlist *l = &c->ml[v->gi];
    if (l->n >= VGY_MAX_MATCHES)
        return 0;
    if (v->fullword) {
        vgy_match mt = {off, (uint32_t)len};
        if (!fullword_ok(c->d, c->len, &mt, v->wide))
            return 0;
    }
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 16;
        vgy_match *nm = realloc(l->m, cap * sizeof *nm);
        if (!nm) {
            c->oom = 1;
            return -1;
        }
        l->m = nm;
        l->cap = cap;
    }
    if (l->n == 0) {
        c->s->touched[c->s->ntouched++] = v->gi;
        l->unsorted = 0;
    } else if (off < l->m[l->n - 1].off ||
               (off == l->m[l->n - 1].off && len < l->m[l->n - 1].len)) {
        l->unsorted = 1; /* most lists come in order: no sort for them */
    }
    l->m[l->n].off = off;
    l->m[l->n].len = (uint32_t)len;
    l->n++;
    return 0;
}

/* The PCRE2 match anchored at `st`: its length or -1. A regex match ends
 * within RE_SCAN_LIMIT of its start, as in yara. */
static int64_t pcre_at(sctx *c, const variant *v, uint64_t st)
{
    size_t end = c->len;
    if (v->pcre && end - st > RE_SCAN_LIMIT)
        end = st + RE_SCAN_LIMIT;
    if (pcre2_match(v->code, c->d, end, st, PCRE2_ANCHORED, c->s->md, c->s->mctx) < 0)
        return -1;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->s->md);
    return (int64_t)(ov[1] - ov[0]);
}

/* The match of v anchored at `st`, if any. */
static int verify_at(sctx *c, const variant *v, uint64_t st)
{
    int64_t n;
    if (v->pcre) {
        n = pcre_at(c, v, st);
    } else {
        uint32_t budget = VERIFY_BUDGET;
        n = vgy_seq_match(&c->m->pool, &v->prog, c->d, c->len, st, &budget, &c->s->memo);
    }
    return n > 0 ? add_match(c, v, st, (uint64_t)n) : 0;
}

/* Whether string gi may still count on this object, asked at a hit
 * (VGY_GATE_HIT) or before a whole-file search (VGY_GATE_END), and *at:
 * the one start to verify, or VGY_ANY_START. */
static int may_match(vgy_sscratch *s, uint32_t gi, int when, uint64_t *at)
{
    *at = VGY_ANY_START;
    if (!s->gate || !(s->gate_when[gi] & when))
        return 1;
    return s->gate(s->gate_user, gi, when == VGY_GATE_END, at);
}

/* One report of a window group ending at `to`. */
static int on_window(sctx *c, uint32_t g, uint64_t to)
{
    const vgy_smatcher *m = c->m;
    vgy_sscratch *s = c->s;
    for (uint32_t k = m->gstart[g]; k < m->gstart[g + 1]; k++) {
        const vwin *x = &m->wins[m->gmem[k]];
        const variant *v = &m->v[x->v];
        const vgy_sqwin *w = &x->w;
        uint64_t at;
        if (to < (uint64_t)w->len + w->dmin || !may_match(s, v->gi, VGY_GATE_HIT, &at))
            continue;
        uint64_t ws = to - w->len;
        if (v->mode == V_EXACT) {
            if ((at == VGY_ANY_START || at == ws) && add_match(c, v, ws, w->len))
                return 1;
            continue;
        }
        uint64_t hi = ws - w->dmin, lo = ws >= w->dmax ? ws - w->dmax : 0;
        if (at != VGY_ANY_START) { /* only the start the condition reads */
            if (at < lo || at > hi)
                continue;
            lo = hi = at;
        } else if (w->dmax > w->dmin) { /* starts an earlier report already tried */
            if (s->next_gen[x->slot] == s->gen && s->next[x->slot] > lo)
                lo = s->next[x->slot];
            s->next_gen[x->slot] = s->gen;
            s->next[x->slot] = hi + 1;
        }
        uint64_t t0 = s->prof_ns ? vgy_now_ns() : 0;
        for (uint64_t st = lo; st <= hi; st++)
            if (verify_at(c, v, st))
                return 1;
        if (s->prof_ns)
            s->prof_ns[v->gi] += vgy_now_ns() - t0;
    }
    return 0;
}

int vgy_strings_hit(vgy_sscratch *s, uint32_t id, uint64_t to)
{
    sctx *c = &s->c;
    if (id < c->m->ngroups)
        return on_window(c, id, to);
    uint32_t k = id - c->m->ngroups;
    if (k >= c->m->nwhole) /* a database from a file: never trust its ids */
        return 0;
    const variant *v = &c->m->v[c->m->whole[k]];
    if (!v->width) {
        s->maybe[k] = 1;
        return 0;
    }
    uint64_t at;
    if (to < v->width || !may_match(s, v->gi, VGY_GATE_HIT, &at) ||
        (at != VGY_ANY_START && at != to - v->width))
        return 0;
    return add_match(c, v, to - v->width, v->width) ? 1 : 0;
}

static int cmp_match(const void *a, const void *b)
{
    const vgy_match *x = a, *y = b;
    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    return (x->len > y->len) - (x->len < y->len);
}

/* A whole variable-length variant: each start the search finds, then the
 * match there within the regex scan limit (pcre_at). */
static void pcre_all(sctx *c, const variant *v)
{
    size_t pos = 0;
    while (pos <= c->len && c->ml[v->gi].n < VGY_MAX_MATCHES) {
        /* the next start with a non-empty match (an empty one is never
         * recorded; /BADD|Bad Error|/ matches empty everywhere, and one call
         * per byte was most of a scan with Yara-Rules) */
        int rc = pcre2_match(v->code, c->d, c->len, pos, PCRE2_NOTEMPTY, c->s->md,
                             c->s->mctx);
        if (rc < 0)
            break;
        size_t st = pcre2_get_ovector_pointer(c->s->md)[0];
        int64_t n = pcre_at(c, v, st);
        if (n > 0 && add_match(c, v, st, (uint64_t)n))
            return;
        pos = st + 1;
    }
}

void vgy_strings_begin(const vgy_smatcher *m, vgy_sscratch *s, const uint8_t *d, size_t len,
                       vgy_mlist *ml)
{
    sctx c = {m, s, ml, d ? d : (const uint8_t *)"", len, 0};
    s->c = c;
    /* the lists of the last object: every other list is already empty */
    for (uint32_t t = 0; t < s->ntouched; t++)
        ml[s->touched[t]].n = 0;
    s->ntouched = 0;
    if (++s->gen == 0) {
        memset(s->next_gen, 0, (m->nslots + 1) * sizeof *s->next_gen);
        memset(s->memo.gen_of, 0, MEMO_ENTRIES * sizeof *s->memo.gen_of);
        s->gen = 1;
    }
    s->memo.gen = s->gen;
    memset(s->maybe, 0, m->nwhole);
}

vg_status vgy_strings_finish(vgy_sscratch *s)
{
    sctx *c = &s->c;
    const vgy_smatcher *m = c->m;
    if (c->oom)
        return VG_ENOMEM;
    /* the whole-file searches to make; a gate may skip one when the
     * string's rule can no longer be true (rule_gate in rules.c) */
    uint32_t nrun = 0;
    for (uint32_t k = 0; k < m->nwhole; k++) {
        const variant *v = &m->v[m->whole[k]];
        if (!v->width && (s->maybe[k] || !v->hs_ok)) {
            s->run[nrun++] = k;
            s->pending[v->gi]++;
        }
    }
    for (uint32_t r = 0; r < nrun; r++) {
        const variant *v = &m->v[m->whole[s->run[r]]];
        uint64_t at;
        if (!c->oom && may_match(s, v->gi, VGY_GATE_END, &at)) {
            uint64_t t0 = s->prof_ns ? vgy_now_ns() : 0;
            if (at == VGY_ANY_START) {
                pcre_all(c, v);
            } else if (at <= c->len) {
                int64_t n = pcre_at(c, v, at);
                if (n > 0)
                    add_match(c, v, at, (uint64_t)n);
            }
            if (s->prof_ns)
                s->prof_ns[v->gi] += vgy_now_ns() - t0;
        }
        s->pending[v->gi]--;
    }
    if (c->oom)
        return VG_ENOMEM;
    for (uint32_t t = 0; t < s->ntouched; t++) {
        vgy_mlist *l = &c->ml[s->touched[t]];
        if (l->unsorted)
            qsort(l->m, l->n, sizeof *l->m, cmp_match);
        uint32_t k = 0;
        for (uint32_t j = 0; j < l->n; j++)
            if (k == 0 || l->m[k - 1].off != l->m[j].off)
                l->m[k++] = l->m[j];
        l->n = k;
    }
    return VG_OK;
}

const uint32_t *vgy_strings_touched(const vgy_sscratch *s, uint32_t *n)
{
    *n = s->ntouched;
    return s->touched;
}

int vgy_strings_pending(const vgy_sscratch *s, uint32_t gi) { return s->pending[gi] != 0; }

void vgy_sscratch_set_gate(vgy_sscratch *s, vgy_gate_fn fn, void *user, const uint8_t *when)
{
    s->gate = fn;
    s->gate_user = user;
    s->gate_when = when;
}

vg_status vgy_sscratch_profile(const vgy_smatcher *m, vgy_sscratch *s)
{
    if (!s->prof_ns && !(s->prof_ns = calloc(m->nstrs + 1, sizeof *s->prof_ns)))
        return VG_ENOMEM;
    return VG_OK;
}

const uint64_t *vgy_sscratch_prof(const vgy_sscratch *s) { return s->prof_ns; }
