/* match/pattern.c - parser for ClamAV hex body patterns (see pattern.h).
 *
 * One left-to-right pass turns the text into nodes; a second pass checks
 * the loader rules ClamAV enforces (shared/reference/clamav.md §4), so that
 * a signature vigil accepts is one clamscan accepts too:
 *   - no gap (`*`, `{n-}`, `{-n}`, `{n-m}`, `[n-m]`) at either end;
 *   - every piece between splitting gaps (`*`, open or ranged `{}`, and
 *     `{n}` with n >= 128) holds >= 2 consecutive literal bytes;
 *   - a pattern with no wildcard at all is >= 3 bytes;
 *   - `[n-m]` has m <= 32 and a single byte on one side, >= 2 on the other.
 * `{n}` with n < 128 is n `??` bytes and does not split a piece. */
#include "pattern.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ALTS 256

typedef struct parser {
    const char *s;
    size_t len, pos;
    vgp_node *nodes;
    uint32_t n, cap;
    uint8_t *pool;
    uint32_t npool, poolcap;
    char *err;
    size_t errlen;
    int has_wild; /* anything but literal bytes */
} parser;

static vg_status fail(parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static vg_status fail(parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
    return VG_EFORMAT;
}

static vg_status push(parser *p, vgp_node nd)
{
    if (p->n >= VGP_MAX_NODES)
        return fail(p, "pattern too long (more than %d elements)", VGP_MAX_NODES);
    if (p->n == p->cap) {
        uint32_t cap = p->cap ? p->cap * 2 : 32;
        vgp_node *nn = realloc(p->nodes, cap * sizeof *nn);
        if (!nn)
            return VG_ENOMEM;
        p->nodes = nn;
        p->cap = cap;
    }
    p->nodes[p->n++] = nd;
    return VG_OK;
}

static vg_status pool_add(parser *p, const void *d, uint32_t n, uint32_t *off)
{
    if (p->npool + n > p->poolcap) {
        uint32_t cap = p->poolcap ? p->poolcap : 64;
        while (cap < p->npool + n)
            cap *= 2;
        uint8_t *np = realloc(p->pool, cap);
        if (!np)
            return VG_ENOMEM;
        p->pool = np;
        p->poolcap = cap;
    }
    memcpy(p->pool + p->npool, d, n);
    *off = p->npool;
    p->npool += n;
    return VG_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Two characters of hex/nibble syntax -> mask, val. */
static int parse_pair(const char *s, uint8_t *mask, uint8_t *val)
{
    int hi = s[0] == '?' ? -2 : hexval(s[0]);
    int lo = s[1] == '?' ? -2 : hexval(s[1]);
    if (hi == -1 || lo == -1)
        return -1;
    *mask = (uint8_t)((hi >= 0 ? 0xf0 : 0) | (lo >= 0 ? 0x0f : 0));
    *val = (uint8_t)((hi >= 0 ? hi << 4 : 0) | (lo >= 0 ? lo : 0));
    return 0;
}

static int parse_uint(parser *p, uint32_t *v)
{
    size_t start = p->pos;
    uint64_t x = 0;
    while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
        x = x * 10 + (uint64_t)(p->s[p->pos] - '0');
        if (x > 0x7fffffff)
            return -1;
        p->pos++;
    }
    if (p->pos == start)
        return -1;
    *v = (uint32_t)x;
    return 0;
}

static vg_status add_byte(parser *p, uint8_t mask, uint8_t val)
{
    vgp_node nd = {0};
    nd.kind = VGP_BYTE;
    nd.mask = mask;
    nd.val = val;
    if (mask != 0xff)
        p->has_wild = 1;
    return push(p, nd);
}

static vg_status add_gap(parser *p, uint32_t lo, uint32_t hi)
{
    vgp_node nd = {0};
    nd.kind = VGP_GAP;
    nd.a = lo;
    nd.b = hi;
    p->has_wild = 1;
    return push(p, nd);
}

/* {n} {-n} {n-} {n-m} */
static vg_status parse_brace(parser *p)
{
    uint32_t lo = 0, hi = VGP_INF;
    p->pos++; /* { */
    if (p->pos < p->len && p->s[p->pos] == '-') {
        p->pos++;
        if (parse_uint(p, &hi))
            return fail(p, "bad {-n} jump");
    } else {
        if (parse_uint(p, &lo))
            return fail(p, "bad {} jump");
        if (p->pos < p->len && p->s[p->pos] == '-') {
            p->pos++;
            if (p->pos < p->len && p->s[p->pos] != '}') {
                if (parse_uint(p, &hi))
                    return fail(p, "bad {n-m} jump");
                if (hi < lo)
                    return fail(p, "jump {%u-%u} has max below min", lo, hi);
            }
        } else {
            hi = lo;
        }
    }
    if (p->pos >= p->len || p->s[p->pos] != '}')
        return fail(p, "unterminated {} jump");
    p->pos++;
    if (lo == hi && lo < 128) {
        for (uint32_t i = 0; i < lo; i++) {
            vg_status st = add_byte(p, 0, 0);
            if (st)
                return st;
        }
        return VG_OK;
    }
    return add_gap(p, lo, hi);
}

/* [n-m]: a bounded jump ClamAV allows only next to a single byte. */
static vg_status parse_bracket(parser *p)
{
    uint32_t lo, hi;
    p->pos++;
    if (parse_uint(p, &lo) || p->pos >= p->len || p->s[p->pos] != '-')
        return fail(p, "bad [n-m] jump");
    p->pos++;
    if (parse_uint(p, &hi) || p->pos >= p->len || p->s[p->pos] != ']')
        return fail(p, "bad [n-m] jump");
    p->pos++;
    if (hi < lo)
        return fail(p, "jump [%u-%u] has max below min", lo, hi);
    if (hi > 32)
        return fail(p, "jump [%u-%u] is too long (max 32)", lo, hi);
    vg_status st = add_gap(p, lo, hi);
    if (st == VG_OK)
        p->nodes[p->n - 1].pad[0] = 1; /* marks a [] jump for the checks */
    return st;
}

static void set_bit(uint8_t *set, unsigned b) { set[b >> 3] |= (uint8_t)(1u << (b & 7)); }

/* One alternative: hex pairs, nibbles and {n}<128; into mv as mask,val. */
static int parse_alt_body(const char *s, size_t n, uint8_t *mv, size_t cap,
                          size_t *outlen, int *generic)
{
    size_t i = 0, k = 0;
    while (i < n) {
        if (s[i] == '{') {
            size_t j = i + 1;
            uint32_t v = 0;
            if (j >= n || s[j] < '0' || s[j] > '9')
                return -1;
            while (j < n && s[j] >= '0' && s[j] <= '9' && v < 1000)
                v = v * 10 + (uint32_t)(s[j++] - '0');
            if (j >= n || s[j] != '}' || v >= 128)
                return -1;
            for (uint32_t t = 0; t < v; t++) {
                if (k + 2 > cap)
                    return -1;
                mv[k++] = 0;
                mv[k++] = 0;
            }
            *generic = 1;
            i = j + 1;
            continue;
        }
        if (i + 2 > n || k + 2 > cap)
            return -1;
        if (parse_pair(s + i, &mv[k], &mv[k + 1]))
            return -1;
        k += 2;
        i += 2;
    }
    *outlen = k / 2;
    return 0;
}

static vg_status parse_group(parser *p, int neg)
{
    size_t start = ++p->pos; /* after ( */
    size_t end = start;
    while (end < p->len && p->s[end] != ')') {
        if (p->s[end] == '(')
            return fail(p, "nested alternatives are not supported");
        end++;
    }
    if (end >= p->len)
        return fail(p, "unterminated ( group");
    p->pos = end + 1;
    size_t glen = end - start;
    if (glen == 1 && !neg) {
        char c = p->s[start];
        int e = c == 'B' ? VGP_EDGE_B : c == 'L' ? VGP_EDGE_L : c == 'W' ? VGP_EDGE_W : -1;
        if (e >= 0) {
            vgp_node nd = {0};
            nd.kind = VGP_EDGE;
            nd.edge = (uint8_t)e;
            p->has_wild = 1;
            return push(p, nd);
        }
    }
    /* split on | */
    uint8_t mv[MAX_ALTS][64];
    size_t lens[MAX_ALTS] = {0};
    size_t nalt = 0, i = start;
    int generic = 0;
    while (i <= end) {
        size_t j = i;
        while (j < end && p->s[j] != '|')
            j++;
        if (nalt >= MAX_ALTS)
            return fail(p, "too many alternatives (max %d)", MAX_ALTS);
        if (j == i)
            return fail(p, "empty alternative");
        if (parse_alt_body(p->s + i, j - i, mv[nalt], sizeof mv[0], &lens[nalt], &generic))
            return fail(p, "bad alternative '%.*s'", (int)(j - i), p->s + i);
        nalt++;
        i = j + 1;
    }
    if (nalt < 2 && !neg)
        return fail(p, "alternative group needs at least two choices");
    p->has_wild = 1;
    int same = 1;
    for (size_t a = 1; a < nalt; a++)
        if (lens[a] != lens[0])
            same = 0;
    vgp_node nd = {0};
    if (same && lens[0] == 1) {
        uint8_t set[32] = {0};
        for (unsigned b = 0; b < 256; b++)
            for (size_t a = 0; a < nalt; a++)
                if ((b & mv[a][0]) == mv[a][1])
                    set_bit(set, b);
        if (neg)
            for (int k = 0; k < 32; k++)
                set[k] = (uint8_t)~set[k];
        nd.kind = VGP_SET;
        vg_status st = pool_add(p, set, 32, &nd.pool);
        return st ? st : push(p, nd);
    }
    if (same && !generic) {
        nd.kind = VGP_ALT;
        nd.neg = (uint8_t)neg;
        nd.a = (uint32_t)nalt;
        nd.b = (uint32_t)lens[0];
        vg_status st = VG_OK;
        for (size_t a = 0; a < nalt && st == VG_OK; a++) {
            uint32_t off;
            st = pool_add(p, mv[a], (uint32_t)(2 * lens[a]), &off);
            if (a == 0)
                nd.pool = off;
        }
        return st ? st : push(p, nd);
    }
    if (neg)
        return fail(p, "negated alternatives must all have the same length");
    nd.kind = VGP_GALT;
    nd.a = (uint32_t)nalt;
    vg_status st = VG_OK;
    for (size_t a = 0; a < nalt && st == VG_OK; a++) {
        uint8_t l = (uint8_t)lens[a];
        uint32_t off;
        st = pool_add(p, &l, 1, &off);
        if (a == 0)
            nd.pool = off;
        if (st == VG_OK)
            st = pool_add(p, mv[a], (uint32_t)(2 * lens[a]), &off);
    }
    return st ? st : push(p, nd);
}

static int splits(const vgp_node *n)
{
    return n->kind == VGP_GAP && !n->pad[0];
}

static int is_lit(const vgp_node *n) { return n->kind == VGP_BYTE && n->mask == 0xff; }

/* Count fixed-width (non-GAP) nodes in a row from i in direction d. */
static unsigned fixed_run(const parser *p, long i, int d)
{
    unsigned c = 0;
    while (i >= 0 && i < (long)p->n && p->nodes[i].kind != VGP_GAP && p->nodes[i].kind != VGP_EDGE) {
        c++;
        i += d;
    }
    return c;
}

static vg_status check_rules(parser *p)
{
    if (p->n == 0)
        return fail(p, "empty pattern");
    uint32_t first = 0, last = p->n - 1;
    while (first < p->n && p->nodes[first].kind == VGP_EDGE)
        first++;
    while (last > first && p->nodes[last].kind == VGP_EDGE)
        last--;
    if (first >= p->n)
        return fail(p, "pattern has no bytes");
    if (p->nodes[first].kind == VGP_GAP || p->nodes[last].kind == VGP_GAP)
        return fail(p, "pattern cannot start or end with a jump");
    /* every piece needs 2 consecutive literal bytes */
    uint32_t run = 0, best = 0;
    for (uint32_t i = 0; i <= p->n; i++) {
        if (i == p->n || splits(&p->nodes[i])) {
            if (best < 2)
                return fail(p, "can't find a static subpattern of length 2 (a part between jumps is too short)");
            run = best = 0;
            continue;
        }
        run = is_lit(&p->nodes[i]) ? run + 1 : 0;
        if (run > best)
            best = run;
        const vgp_node *nd = &p->nodes[i];
        if (nd->kind == VGP_GAP && nd->pad[0]) {
            unsigned l = fixed_run(p, (long)i - 1, -1), r = fixed_run(p, (long)i + 1, 1);
            if (!((l == 1 && r >= 2) || (l >= 2 && r == 1)))
                return fail(p, "[n-m] jump needs a single byte on one side and two or more on the other");
        }
    }
    if (!p->has_wild && p->n < 3)
        return fail(p, "pattern too short (a plain pattern needs at least 3 bytes)");
    /* EDGE nodes not at the ends consume one byte: turn them into SETs */
    for (uint32_t i = 0; i < p->n; i++) {
        vgp_node *nd = &p->nodes[i];
        if (nd->kind != VGP_EDGE)
            continue;
        int at_start = 1, at_end = 1;
        for (uint32_t j = 0; j < i; j++)
            if (p->nodes[j].kind != VGP_EDGE)
                at_start = 0;
        for (uint32_t j = i + 1; j < p->n; j++)
            if (p->nodes[j].kind != VGP_EDGE)
                at_end = 0;
        if (at_start) {
            nd->neg = 0;
        } else if (at_end) {
            nd->neg = 1;
        } else {
            uint8_t set[32] = {0};
            for (int b = 0; b < 256; b++)
                if (vgp_edge_ok(nd->edge, 0, b) || vgp_edge_ok(nd->edge, 1, b))
                    set_bit(set, (unsigned)b);
            uint32_t off;
            vg_status st = pool_add(p, set, 32, &off);
            if (st)
                return st;
            nd = &p->nodes[i];
            nd->kind = VGP_SET;
            nd->pool = off;
        }
    }
    return VG_OK;
}

vg_status vgp_parse(const char *hex, size_t len, vgp_pattern *out, char *err,
                    size_t errlen)
{
    parser p = {0};
    p.s = hex;
    p.len = len;
    p.err = err;
    p.errlen = errlen;
    vg_status st = VG_OK;
    while (st == VG_OK && p.pos < p.len) {
        char c = hex[p.pos];
        if (c == '*') {
            p.pos++;
            st = add_gap(&p, 0, VGP_INF);
        } else if (c == '{') {
            st = parse_brace(&p);
        } else if (c == '[') {
            st = parse_bracket(&p);
        } else if (c == '(') {
            st = parse_group(&p, 0);
        } else if (c == '!') {
            if (p.pos + 1 >= p.len || hex[p.pos + 1] != '(')
                st = fail(&p, "'!' must be followed by '('");
            else {
                p.pos++;
                st = parse_group(&p, 1);
            }
        } else {
            uint8_t m, v;
            if (p.pos + 2 > p.len || parse_pair(hex + p.pos, &m, &v))
                st = fail(&p, "bad hex character at position %zu", p.pos);
            else {
                p.pos += 2;
                st = add_byte(&p, m, v);
            }
        }
    }
    if (st == VG_OK)
        st = check_rules(&p);
    if (st != VG_OK) {
        free(p.nodes);
        free(p.pool);
        return st;
    }
    out->nodes = p.nodes;
    out->nnodes = p.n;
    out->pool = p.pool;
    out->npool = p.npool;
    return VG_OK;
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
        return 0;
    default:
        return -1;
    }
}

/* ClamAV's byte sets (reference §4, E7). */
int vgp_edge_ok(int edge, int after, int b)
{
    if (b < 0)
        return 1;
    switch (edge) {
    case VGP_EDGE_B:
        if (!after)
            return strchr(" -./<@_", b) != NULL && b != 0;
        return b == '\n' || b == '\r' || (b != 0 && strchr(" \"'-/=>_", b) != NULL);
    case VGP_EDGE_L:
        return after ? (b == '\n' || b == '\r') : b == '\n';
    default: /* W */
        return !((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'));
    }
}
