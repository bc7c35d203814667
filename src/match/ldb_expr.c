/* match/ldb_expr.c - parse and evaluate .ldb logical expressions.
 *
 * The grammar and the counting rules are in ldb_expr.h. Parsing is a
 * recursive descent bounded by VGLE_MAX_DEPTH and VGLE_MAX_NODES; the
 * tree is a flat array (children are indexes), evaluated bottom-up by a
 * recursion no deeper than the parse was. Cost: O(nodes) per evaluation. */
#include "match/ldb_expr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pstate {
    const char *s;
    size_t len, pos;
    uint32_t max_subs;
    vgle_prog *p;
    uint32_t cap;
    char *err;
    size_t errlen;
} pstate;

static vg_status perr(pstate *ps, const char *what)
{
    snprintf(ps->err, ps->errlen, "logical expression: %s at position %zu", what, ps->pos);
    return VG_EFORMAT;
}

/* The next character after spaces and tabs (ClamAV reads numbers with
 * sscanf, which skips them). */
static int peek(pstate *ps)
{
    while (ps->pos < ps->len && (ps->s[ps->pos] == ' ' || ps->s[ps->pos] == '\t'))
        ps->pos++;
    return ps->pos < ps->len ? (unsigned char)ps->s[ps->pos] : -1;
}

static vg_status number(pstate *ps, uint32_t *out)
{
    peek(ps);
    size_t d = ps->pos;
    uint64_t v = 0;
    while (ps->pos < ps->len && ps->s[ps->pos] >= '0' && ps->s[ps->pos] <= '9') {
        v = v * 10 + (uint64_t)(ps->s[ps->pos] - '0');
        if (v > UINT32_MAX)
            return perr(ps, "number too large");
        ps->pos++;
    }
    if (ps->pos == d)
        return perr(ps, "number expected");
    *out = (uint32_t)v;
    return VG_OK;
}

/* ClamAV reads an index or a count with sscanf and only looks at the
 * operator characters around it, so anything else after a number is
 * ignored: `0x` is 0, and the PCRE trigger `3,4` is 3. */
static void skip_junk(pstate *ps)
{
    while (ps->pos < ps->len && !strchr("()&|<>=", ps->s[ps->pos]))
        ps->pos++;
}

static vg_status new_node(pstate *ps, uint32_t *idx)
{
    if (ps->p->nn >= VGLE_MAX_NODES)
        return perr(ps, "expression too long");
    if (ps->p->nn == ps->cap) {
        uint32_t cap = ps->cap ? ps->cap * 2 : 8;
        vgle_node *nn = realloc(ps->p->n, cap * sizeof *nn);
        if (!nn)
            return VG_ENOMEM;
        ps->p->n = nn;
        ps->cap = cap;
    }
    *idx = ps->p->nn++;
    memset(&ps->p->n[*idx], 0, sizeof ps->p->n[*idx]);
    return VG_OK;
}

/* Optional modifier after an index or a block, applied to node i. */
static vg_status modifier(pstate *ps, uint32_t i)
{
    int c = peek(ps);
    if (c != '=' && c != '<' && c != '>')
        return VG_OK;
    if (ps->p->n[i].mod)
        return perr(ps, "two count modifiers on one term");
    ps->pos++;
    /* ClamAV keeps the last of several: `3>=2` loads as `3=2` */
    while (peek(ps) == '=' || peek(ps) == '<' || peek(ps) == '>')
        c = (unsigned char)ps->s[ps->pos++];
    uint32_t x, y = 0;
    vg_status st = number(ps, &x);
    if (st)
        return st;
    int has_y = 0;
    if (peek(ps) == ',') {
        ps->pos++;
        /* sscanf("%u,%u") leaves Y at 0 when no number follows: `0=2,&1` */
        if (peek(ps) >= '0' && peek(ps) <= '9') {
            if ((st = number(ps, &y)) != VG_OK)
                return st;
            has_y = 1;
        }
    }
    vgle_node *n = &ps->p->n[i];
    n->mod = (char)c;
    n->x = x;
    n->y = y;
    n->has_y = (uint8_t)has_y;
    return VG_OK;
}

static vg_status expr(pstate *ps, unsigned depth, uint32_t *out, int *op);

/* *grp: the term is a parenthesised group (no operator of its own). */
static vg_status primary(pstate *ps, unsigned depth, uint32_t *out, int *grp)
{
    vg_status st;
    *grp = 0;
    if (peek(ps) == '(') {
        if (depth >= VGLE_MAX_DEPTH)
            return perr(ps, "parentheses nested too deep");
        ps->pos++;
        int op;
        if ((st = expr(ps, depth + 1, out, &op)) != VG_OK)
            return st;
        if (peek(ps) != ')')
            return perr(ps, "')' expected");
        ps->pos++;
        *grp = 1;
        int c = peek(ps);
        /* ClamAV takes a count only on a group with its own operator:
         * (0)>1 and ((0|1))>1 do not load */
        if ((c == '=' || c == '<' || c == '>') && !op)
            return perr(ps, "count modifier on a group without an operator");
        return modifier(ps, *out);
    }
    uint32_t id;
    if ((st = number(ps, &id)) != VG_OK)
        return st;
    if (id >= ps->max_subs)
        return perr(ps, "subsignature index out of range");
    if ((st = new_node(ps, out)) != VG_OK)
        return st;
    ps->p->n[*out].kind = VGLE_LEAF;
    ps->p->n[*out].a = id;
    if (id > ps->p->maxid)
        ps->p->maxid = id;
    skip_junk(ps);
    if ((st = modifier(ps, *out)) != VG_OK)
        return st;
    skip_junk(ps);
    return VG_OK;
}

/* term [op expr]: the first operator splits, the rest groups right.
 * *op: the expression has an operator at its own level. */
static vg_status expr(pstate *ps, unsigned depth, uint32_t *out, int *op)
{
    uint32_t l, r, n;
    int grp, rop;
    vg_status st = primary(ps, depth, &l, &grp);
    if (st)
        return st;
    int c = peek(ps);
    *op = 0;
    if (c != '&' && c != '|') {
        *out = l;
        return VG_OK;
    }
    if (depth >= VGLE_MAX_DEPTH)
        return perr(ps, "expression nested too deep");
    ps->pos++;
    if ((st = expr(ps, depth + 1, &r, &rop)) != VG_OK)
        return st;
    *op = 1;
    if ((st = new_node(ps, &n)) != VG_OK)
        return st;
    ps->p->n[n].kind = c == '&' ? VGLE_AND : VGLE_OR;
    ps->p->n[n].a = l;
    ps->p->n[n].b = r;
    *out = n;
    return VG_OK;
}

vg_status vgle_parse(const char *s, size_t len, uint32_t max_subs, vgle_prog *out,
                     char *err, size_t errlen)
{
    vgle_prog p = {NULL, 0, 0, 0};
    pstate ps = {s, len, 0, max_subs, &p, 0, err, errlen};
    if (len == 0) {
        snprintf(err, errlen, "empty logical expression");
        return VG_EFORMAT;
    }
    int op;
    vg_status st = expr(&ps, 0, &p.root, &op);
    if (st == VG_OK && peek(&ps) >= 0)
        st = perr(&ps, "unexpected character");
    if (st != VG_OK) {
        free(p.n);
        return st;
    }
    *out = p;
    return VG_OK;
}

void vgle_free(vgle_prog *p)
{
    if (!p)
        return;
    free(p->n);
    memset(p, 0, sizeof *p);
}

static int cmp(char mod, uint64_t v, uint32_t x)
{
    switch (mod) {
    case '=': return v == x;
    case '<': return v < x;
    case '>': return v > x;
    default: return v > 0;
    }
}

static int popcount64(uint64_t v)
{
    int c = 0;
    for (; v; v &= v - 1)
        c++;
    return c;
}

/* Returns the truth of node i; on true adds its count and set. */
static int eval(const vgle_prog *p, uint32_t i, const uint32_t *counts, uint64_t *cnt,
                uint64_t *ids)
{
    const vgle_node *n = &p->n[i];
    if (n->kind == VGLE_LEAF) {
        uint32_t v = counts[n->a];
        if (!cmp(n->mod, v, n->x))
            return 0;
        *cnt += v;
        *ids |= (uint64_t)1 << n->a;
        return 1;
    }
    uint64_t lc = 0, rc = 0, li = 0, ri = 0;
    int l = eval(p, n->a, counts, &lc, &li);
    int r = eval(p, n->b, counts, &rc, &ri);
    int ok = n->kind == VGLE_AND ? (l && r) : (l || r);
    if (!n->mod) {
        if (ok) {
            *cnt += lc + rc;
            *ids |= li | ri;
        }
        return ok;
    }
    uint64_t t = ok ? lc + rc : 0, tids = ok ? li | ri : 0;
    if (!cmp(n->mod, t, n->x))
        return 0;
    if (n->has_y && n->y && (uint32_t)popcount64(tids) < n->y)
        return 0;
    *cnt += t;
    return 1;
}

int vgle_eval(const vgle_prog *p, const uint32_t *counts)
{
    uint64_t c = 0, ids = 0;
    return p->nn ? eval(p, p->root, counts, &c, &ids) : 0;
}

uint64_t vgle_uses(const vgle_prog *p)
{
    uint64_t u = 0;
    for (uint32_t i = 0; i < p->nn; i++)
        if (p->n[i].kind == VGLE_LEAF)
            u |= (uint64_t)1 << p->n[i].a;
    return u;
}
