/* yara/rules.c - a YARA rule set: units (one per loaded source), external
 * variables, compile (one string matcher for all), and the per-object scan.
 *
 * Namespaces: every source goes into yara's default namespace, as `yara
 * a.yar b.yar` does: rule names are unique across the engine, a rule may
 * reference any rule loaded before it, and a global rule that is false
 * makes every rule false.
 * What is scanned: vigil runs YARA rules on the top-level object only,
 * like `yara FILE` (not on archive members); see scan/pipeline.c. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "yara/yara_int.h"

/* ---- arena ------------------------------------------------------------ */

struct vgy_chunk {
    vgy_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void *vgy_alloc(vgy_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > 16384 ? n : 16384;
        vgy_chunk *c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    memset(p, 0, n);
    return p;
}

char *vgy_strndup(vgy_arena *a, const char *s, size_t n)
{
    char *d = vgy_alloc(a, n + 1);
    if (d) {
        if (n)
            memcpy(d, s, n); /* s may be NULL when n is 0 */
        d[n] = 0;
    }
    return d;
}

void vgy_arena_free(vgy_arena *a)
{
    while (a->head) {
        vgy_chunk *n = a->head->next;
        free(a->head);
        a->head = n;
    }
}

/* ---- rule set --------------------------------------------------------- */

struct vgy_rules {
    vgy_unit *units;
    uint32_t nunits, capunits;
    vgy_ext *ext;
    uint32_t next, capext;
    int compiled;
    const vgy_rule **rules; /* flat, by idx (compile) */
    uint32_t nrules;
    vgy_string **strs;      /* flat, by gidx (compile) */
    uint32_t nstrs;
    vgy_smatcher *sm;
    int has_global;
    uint32_t *always;       /* rules evaluated on every object (compile) */
    uint32_t nalways;
    uint32_t *str_rule;     /* string gidx -> its rule's idx (compile) */
    uint32_t *pre;          /* global rules decided without strings or other
                               rules: evaluated before the string search */
    uint32_t npre;
    /* per rule, the leading `and` terms of its condition that read no
     * string or rule and have no side effect: gate_terms[gate_at[k] ..
     * gate_at[k + 1]). False on an object: the rule is false there, and
     * its strings' hits are not verified (rule_gate) */
    const vgy_expr **gate_terms;
    uint32_t *gate_at;
    /* per rule, the `and` terms that need matches of its strings ($a, $a
     * at/in, N of them): need_terms[need_at[k] .. need_at[k + 1]), for
     * rules whose condition has no side effect. Before a whole-file regex
     * search for one of its strings, a term that can no longer hold (its
     * strings searched already and not found) makes the rule false and
     * the search is skipped (`$f and $everywhere`, `3 of them`) */
    const vgy_expr **need_terms;
    uint32_t *need_at;
    /* per string (gidx): X when its rule reads it only as `$a at X`, X
     * the same static expression everywhere (`for any of ($*) : ($ at
     * pe.entry_point)`): then only a match starting at X counts, and only
     * there is it verified (unless every match is listed); else NULL */
    const vgy_expr **anchor;
    uint8_t *anchor_fixed; /* ... and yara too lists only the match at X
                              (explicit `$a at <constant>`, `yara -s`) */
    /* per string: when rule_gate has something to decide for it
     * (VGY_GATE_HIT: gate terms or an anchor; VGY_GATE_END: those or need
     * terms); NULL when no string has */
    uint8_t *gate_when;
    int profile;            /* --profile: totals from freed scratches */
    _Atomic uint64_t *prof_cond; /* per rule, ns in its condition */
    _Atomic uint64_t *prof_str;  /* per string, ns verifying its matches */
    /* rule name -> rule, open addressing (load <= 1/2), over the committed
     * units and the unit being parsed: a name lookup is O(1), not a walk
     * over every rule (100,000 rules made the duplicate check quadratic) */
    const vgy_rule **htab;
    uint32_t hcap, hn;
};

struct vgy_scratch {
    vgy_sscratch *ss;
    vgy_mlist *ml;
    uint32_t nml;
    int8_t *verdict; /* per rule: -1 not decided, 0/1, or GATE_OPEN */
    uint64_t *anc_val;   /* per string: its anchor's value on object anc_gen */
    uint32_t *anc_gen;
    uint32_t gen;        /* objects begun */
    int anchors_on;      /* this object: strings may be verified at anchors only */
    uint32_t *cand;  /* rules to evaluate on this object */
    const vgy_rules *rs;
    uint64_t *prof_cond; /* --profile: per rule, ns in its condition */
    void *modcache[VGY_MAX_MODULES]; /* per-thread module state (magic) */
    vgy_ctx c;       /* the object between vgy_scan_begin and _end */
    int skip;        /* a false global rule settled it at begin */
};

vg_status vgy_rules_new(vgy_rules **out)
{
    vgy_rules *rs = calloc(1, sizeof *rs);
    if (!rs)
        return VG_ENOMEM;
    *out = rs;
    return VG_OK;
}

static void unit_free(vgy_unit *u)
{
    for (uint32_t i = 0; i < u->nres; i++)
        vgy_regex_free(u->res[i]);
    free(u->res);
    free(u->rules);
    free(u->fname);
    vgy_arena_free(&u->arena);
    memset(u, 0, sizeof *u);
}

void vgy_rules_free(vgy_rules *rs)
{
    if (!rs)
        return;
    for (uint32_t i = 0; i < rs->nunits; i++)
        unit_free(&rs->units[i]);
    free(rs->units);
    for (uint32_t i = 0; i < rs->next; i++) {
        free(rs->ext[i].name);
        free(rs->ext[i].sval);
    }
    free(rs->ext);
    free(rs->rules);
    free(rs->strs);
    free(rs->always);
    free(rs->str_rule);
    free(rs->pre);
    free(rs->gate_terms);
    free(rs->gate_at);
    free(rs->need_terms);
    free(rs->need_at);
    free(rs->anchor);
    free(rs->anchor_fixed);
    free(rs->gate_when);
    free(rs->prof_cond);
    free(rs->prof_str);
    free(rs->htab);
    vgy_strings_free(rs->sm);
    free(rs);
}

uint32_t vgy_rules_total(const vgy_rules *rs)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < rs->nunits; i++)
        n += rs->units[i].nrules;
    return n;
}

uint64_t vgy_rules_count(const vgy_rules *rs) { return rs ? vgy_rules_total(rs) : 0; }

const vgy_rule *vgy_rules_nth(const vgy_rules *rs, uint32_t k)
{
    for (uint32_t i = 0; i < rs->nunits; i++) {
        if (k < rs->units[i].nrules)
            return rs->units[i].rules[k];
        k -= rs->units[i].nrules;
    }
    return NULL;
}

static uint32_t hname(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

static void hput(const vgy_rule **t, uint32_t cap, const vgy_rule *r)
{
    uint32_t i = hname(r->name) & (cap - 1);
    while (t[i])
        i = (i + 1) & (cap - 1);
    t[i] = r;
}

vg_status vgy_rules_index(vgy_rules *rs, const vgy_rule *r)
{
    if ((rs->hn + 1) * 2 > rs->hcap) {
        uint32_t cap = rs->hcap ? rs->hcap * 2 : 1024;
        const vgy_rule **t = calloc(cap, sizeof *t);
        if (!t)
            return VG_ENOMEM;
        for (uint32_t i = 0; i < rs->hcap; i++)
            if (rs->htab[i])
                hput(t, cap, rs->htab[i]);
        free(rs->htab);
        rs->htab = t;
        rs->hcap = cap;
    }
    hput(rs->htab, rs->hcap, r);
    rs->hn++;
    return VG_OK;
}

/* The index again from the committed units (after a unit was dropped). */
static void reindex(vgy_rules *rs)
{
    if (rs->htab)
        memset(rs->htab, 0, rs->hcap * sizeof *rs->htab);
    rs->hn = 0;
    for (uint32_t i = 0; i < rs->nunits; i++)
        for (uint32_t j = 0; j < rs->units[i].nrules; j++)
            if (vgy_rules_index(rs, rs->units[i].rules[j]) != VG_OK)
                return; /* cannot happen: the table only shrank */
}

const vgy_rule *vgy_rules_find(const vgy_rules *rs, const vgy_unit *u, const char *name)
{
    (void)u; /* the unit being parsed indexes its rules as it goes */
    if (!rs->hcap)
        return NULL;
    for (uint32_t i = hname(name) & (rs->hcap - 1); rs->htab[i]; i = (i + 1) & (rs->hcap - 1))
        if (!strcmp(rs->htab[i]->name, name))
            return rs->htab[i];
    return NULL;
}

const vgy_ext *vgy_rules_ext(const vgy_rules *rs, const char *name, uint32_t *idx)
{
    for (uint32_t i = 0; i < rs->next; i++)
        if (!strcmp(rs->ext[i].name, name)) {
            if (idx)
                *idx = i;
            return &rs->ext[i];
        }
    return NULL;
}

const vgy_val *vgy_rules_extval(const vgy_rules *rs, uint32_t i) { return &rs->ext[i].v; }

uint32_t vgy_rules_units(const vgy_rules *rs) { return rs ? rs->nunits : 0; }

void vgy_rules_truncate(vgy_rules *rs, uint32_t units)
{
    while (rs && rs->nunits > units)
        unit_free(&rs->units[--rs->nunits]);
    if (rs)
        reindex(rs);
}

vg_status vgy_rules_add(vgy_rules *rs, const char *fname, const char *text, size_t len,
                        char *err, size_t errlen)
{
    if (rs->compiled)
        return VG_ESTATE;
    if (rs->nunits == rs->capunits) {
        uint32_t cap = rs->capunits ? rs->capunits * 2 : 8;
        vgy_unit *nu = realloc(rs->units, cap * sizeof *nu);
        if (!nu)
            return VG_ENOMEM;
        rs->units = nu;
        rs->capunits = cap;
    }
    vgy_unit u;
    memset(&u, 0, sizeof u);
    u.fname = strdup(fname);
    if (!u.fname)
        return VG_ENOMEM;
    vg_status st = vgy_parse(rs, &u, fname, text, len, err, errlen);
    if (st != VG_OK) {
        unit_free(&u);
        reindex(rs);
        return st;
    }
    rs->units[rs->nunits++] = u;
    return VG_OK;
}

vg_status vgy_rules_define(vgy_rules *rs, const char *name, const char *value)
{
    if (rs->compiled)
        return VG_ESTATE;
    size_t n = strlen(name);
    if (n == 0 || n > VGY_MAX_IDENT)
        return VG_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!(name[i] == '_' || (name[i] >= '0' && name[i] <= '9' && i) ||
              ((name[i] | 32) >= 'a' && (name[i] | 32) <= 'z')))
            return VG_EINVAL;
    uint32_t idx;
    vgy_ext *x = (vgy_ext *)vgy_rules_ext(rs, name, &idx);
    if (!x) {
        if (rs->next == rs->capext) {
            uint32_t cap = rs->capext ? rs->capext * 2 : 8;
            vgy_ext *ne = realloc(rs->ext, cap * sizeof *ne);
            if (!ne)
                return VG_ENOMEM;
            rs->ext = ne;
            rs->capext = cap;
        }
        x = &rs->ext[rs->next];
        memset(x, 0, sizeof *x);
        x->name = strdup(name);
        if (!x->name)
            return VG_ENOMEM;
        rs->next++;
    }
    free(x->sval);
    x->sval = NULL;
    memset(&x->v, 0, sizeof x->v);
    /* typed as yara -d does: true/false, integer, float, else text */
    char *end;
    if (!strcmp(value, "true") || !strcmp(value, "false")) {
        x->v.t = VGY_T_BOOL;
        x->v.i = value[0] == 't';
        return VG_OK;
    }
    long long iv = strtoll(value, &end, 0);
    if (*value && !*end) {
        x->v.t = VGY_T_INT;
        x->v.i = iv;
        return VG_OK;
    }
    double fv = strtod(value, &end);
    if (*value && !*end) {
        x->v.t = VGY_T_FLT;
        x->v.f = fv;
        return VG_OK;
    }
    x->sval = strdup(value);
    if (!x->sval)
        return VG_ENOMEM;
    x->v.t = VGY_T_STR;
    x->v.s = (const uint8_t *)x->sval;
    x->v.slen = strlen(value);
    return VG_OK;
}

/* True when the condition is false on any object where none of the
 * rule's strings matched: then the rule is evaluated only on objects where
 * one of them did (100,000 rules of `$a` cost nothing on a file that
 * matches none). Conservative: anything not listed here says no. */
static int needs_a_match(const vgy_expr *e)
{
    if (!e)
        return 0;
    switch (e->op) {
    case E_STRMATCH:
    case E_STRAT:
    case E_STRIN:
        return e->i >= 0; /* not the `$` of a for-of body */
    case E_AND:
        return needs_a_match(e->a) || needs_a_match(e->b);
    case E_OR:
        return needs_a_match(e->a) && needs_a_match(e->b);
    case E_OF:
        if (e->i || e->nset == 0) /* a set of rules */
            return 0;
        if (e->quant == Q_ANY || e->quant == Q_ALL)
            return 1;
        if (e->quant == Q_EXPR || e->quant == Q_PERCENT)
            return e->a && e->a->op == E_INT && e->a->i >= 1;
        return 0;
    default:
        return 0;
    }
}

/* True when the condition reads no string and no other rule's verdict:
 * it can be decided before the string search. */
static int self_contained(const vgy_expr *e)
{
    if (!e)
        return 1;
    switch (e->op) {
    case E_STRMATCH: case E_STRAT: case E_STRIN: case E_COUNT: case E_COUNTIN:
    case E_OFFSET: case E_LENGTH: case E_RULE: case E_OF: case E_FOROF:
        return 0;
    default:
        break;
    }
    if (!self_contained(e->a) || !self_contained(e->b) || !self_contained(e->c) ||
        !self_contained(e->d))
        return 0;
    for (uint32_t i = 0; i < e->nargs; i++)
        if (!self_contained(e->args[i]))
            return 0;
    return 1;
}

/* True when evaluating e can print (console.log, console.hex). */
static int has_side_effect(const vgy_expr *e)
{
    if (!e)
        return 0;
    if (e->op == E_CALL && e->fn && !strcmp(e->fn->module, "console"))
        return 1;
    if (has_side_effect(e->a) || has_side_effect(e->b) || has_side_effect(e->c) ||
        has_side_effect(e->d))
        return 1;
    for (uint32_t i = 0; i < e->nargs; i++)
        if (has_side_effect(e->args[i]))
            return 1;
    return 0;
}

/* The `and` terms of e in evaluation order, while they are gate terms;
 * returns 0 once one is not (the terms after it are never gates: they
 * are reached only when it is true, so deciding them first could differ
 * from yara's short-circuit order only in side effects, which gate terms
 * have none of, but a term after a string test is not worth evaluating
 * before the search). */
static int gate_walk(const vgy_expr *e, const vgy_expr **out, uint32_t *n, uint32_t cap)
{
    if (e->op == E_AND)
        return gate_walk(e->a, out, n, cap) && gate_walk(e->b, out, n, cap);
    if (!self_contained(e) || has_side_effect(e) || *n == cap)
        return 0;
    out[(*n)++] = e;
    return 1;
}

/* The `and` terms of e that need matches of the rule's strings. */
static void need_walk(const vgy_expr *e, const vgy_expr **out, uint32_t *n, uint32_t cap)
{
    if (e->op == E_AND) {
        need_walk(e->a, out, n, cap);
        need_walk(e->b, out, n, cap);
        return;
    }
    int need = 0;
    if ((e->op == E_STRMATCH || e->op == E_STRAT || e->op == E_STRIN) && e->i >= 0)
        need = 1;
    if (e->op == E_OF && !e->i && e->nset &&
        (e->quant == Q_ANY || e->quant == Q_ALL ||
         (e->quant == Q_EXPR && e->a && e->a->op == E_INT && e->a->i >= 1)))
        need = 1;
    if (need && *n < cap)
        out[(*n)++] = e;
}

#define GATE_TERMS_MAX 8

/* Append the terms walk() finds in rule k's condition to a flat list. */
static vg_status collect(const vgy_rule *r, int (*walk)(const vgy_expr *, const vgy_expr **,
                                                        uint32_t *, uint32_t),
                         const vgy_expr ***terms, size_t *n, size_t *cap, uint32_t *got)
{
    if (*n + GATE_TERMS_MAX > *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        const vgy_expr **nt = realloc(*terms, nc * sizeof *nt);
        if (!nt)
            return VG_ENOMEM;
        *terms = nt;
        *cap = nc;
    }
    uint32_t m = 0;
    walk(r->cond, *terms + *n, &m, GATE_TERMS_MAX);
    *n += m;
    *got = m;
    return VG_OK;
}

static int need_walk_all(const vgy_expr *e, const vgy_expr **out, uint32_t *n, uint32_t cap)
{
    need_walk(e, out, n, cap);
    return 1;
}

#define ANCHOR_NONE ((const vgy_expr *)&anchor_none)
static const int anchor_none;

/* An expression with the same value wherever it stands in a condition:
 * no string, rule, loop variable or side effect. */
static int is_static(const vgy_expr *e)
{
    if (!e)
        return 1;
    if (e->op == E_VAR || !self_contained(e) || has_side_effect(e))
        return 0;
    if (!is_static(e->a) || !is_static(e->b) || !is_static(e->c) || !is_static(e->d))
        return 0;
    for (uint32_t i = 0; i < e->nargs; i++)
        if (!is_static(e->args[i]))
            return 0;
    return 1;
}

/* e's value when it is an integer constant (literals and + - * of
 * them, which yara folds), for `$a at 0x3e`. */
static int const_value(const vgy_expr *e, int64_t *v)
{
    int64_t a, b;
    switch (e->op) {
    case E_INT:
        *v = e->i;
        return 1;
    case E_NEG:
        if (!const_value(e->a, &a))
            return 0;
        *v = (int64_t)(0 - (uint64_t)a);
        return 1;
    case E_ADD: case E_SUB: case E_MUL:
        if (!const_value(e->a, &a) || !const_value(e->b, &b))
            return 0;
        *v = (int64_t)(e->op == E_ADD   ? (uint64_t)a + (uint64_t)b
                       : e->op == E_SUB ? (uint64_t)a - (uint64_t)b
                                        : (uint64_t)a * (uint64_t)b);
        return 1;
    default:
        return 0;
    }
}

/* What the uses of one string allow: see vgy_rules.anchor. */
typedef struct anc_state {
    const vgy_expr *x; /* NULL: no use yet; ANCHOR_NONE: every match counts */
    int64_t val;       /* x's value when constant */
    uint8_t cst;       /* x is constant */
    uint8_t fixed;     /* yara's fixed offset: explicit `$a at <constant>` only */
} anc_state;

/* One use of string si of r: at X (x static; in a for-of body or not), or
 * anything else (NULL). */
static void anchor_use(anc_state *anc, const vgy_rule *r, int64_t si, const vgy_expr *x,
                       int in_for)
{
    if (si < 0 || (uint32_t)si >= r->nstrs)
        return;
    anc_state *a = &anc[r->strs[si].gidx];
    int64_t v = 0;
    int cst = x && const_value(x, &v);
    if (a->x == ANCHOR_NONE)
        return;
    if (!x) {
        a->x = ANCHOR_NONE;
    } else if (!a->x) {
        a->x = x;
        a->val = v;
        a->cst = (uint8_t)cst;
        a->fixed = (uint8_t)(cst && !in_for);
    } else if (cst && a->cst && v == a->val) {
        a->fixed = (uint8_t)(a->fixed && !in_for);
    } else {
        a->x = ANCHOR_NONE;
    }
}

static void anchor_walk(anc_state *anc, const vgy_rule *r, const vgy_expr *e)
{
    if (!e)
        return;
    switch (e->op) {
    case E_STRAT:
        anchor_use(anc, r, e->i, is_static(e->a) ? e->a : NULL, 0);
        anchor_walk(anc, r, e->a);
        return;
    case E_STRMATCH: case E_STRIN: case E_COUNT: case E_COUNTIN: case E_OFFSET:
    case E_LENGTH:
        anchor_use(anc, r, e->i, NULL, 0); /* -1 (the for-of string): below */
        break;
    case E_OF:
        for (uint32_t j = 0; !e->i && j < e->nset; j++)
            anchor_use(anc, r, e->set[j], NULL, 0);
        break;
    case E_FOROF: {
        const vgy_expr *b = e->d;
        int at = b && b->op == E_STRAT && b->i < 0 && is_static(b->a);
        for (uint32_t j = 0; j < e->nset; j++)
            anchor_use(anc, r, e->set[j], at ? b->a : NULL, 1);
        anchor_walk(anc, r, e->a);
        anchor_walk(anc, r, at ? b->a : b);
        return;
    }
    default:
        break;
    }
    anchor_walk(anc, r, e->a);
    anchor_walk(anc, r, e->b);
    anchor_walk(anc, r, e->c);
    anchor_walk(anc, r, e->d);
    for (uint32_t i = 0; i < e->nargs; i++)
        anchor_walk(anc, r, e->args[i]);
}

static vg_status gates(vgy_rules *rs)
{
    rs->anchor = calloc(rs->nstrs + 1, sizeof *rs->anchor);
    rs->anchor_fixed = calloc(rs->nstrs + 1, 1);
    anc_state *anc = calloc(rs->nstrs + 1, sizeof *anc);
    if (!rs->anchor || !rs->anchor_fixed || !anc) {
        free(anc);
        return VG_ENOMEM;
    }
    for (uint32_t k = 0; k < rs->nrules; k++)
        anchor_walk(anc, rs->rules[k], rs->rules[k]->cond);
    int anchored = 0;
    for (uint32_t g = 0; g < rs->nstrs; g++)
        if (anc[g].x && anc[g].x != ANCHOR_NONE) {
            anchored = 1;
            rs->anchor[g] = anc[g].x;
            rs->anchor_fixed[g] = anc[g].fixed;
        }
    free(anc);
    rs->gate_at = calloc(rs->nrules + 1, sizeof *rs->gate_at);
    rs->need_at = calloc(rs->nrules + 1, sizeof *rs->need_at);
    if (!rs->gate_at || !rs->need_at)
        return VG_ENOMEM;
    size_t ng = 0, gcap = 0, nn = 0, ncap = 0;
    vg_status st = VG_OK;
    for (uint32_t k = 0; k < rs->nrules && st == VG_OK; k++) {
        const vgy_rule *r = rs->rules[k];
        rs->gate_at[k] = (uint32_t)ng;
        rs->need_at[k] = (uint32_t)nn;
        /* only rules with strings whose condition is not decided without
         * them anyway (those are evaluated on every object) */
        if (!r->nstrs || !r->cond || self_contained(r->cond))
            continue;
        uint32_t got = 0;
        st = collect(r, gate_walk, &rs->gate_terms, &ng, &gcap, &got);
        if (st == VG_OK && !has_side_effect(r->cond))
            st = collect(r, need_walk_all, &rs->need_terms, &nn, &ncap, &got);
    }
    rs->gate_at[rs->nrules] = (uint32_t)ng;
    rs->need_at[rs->nrules] = (uint32_t)nn;
    if (st != VG_OK || (!ng && !nn && !anchored))
        return st;
    if (!(rs->gate_when = calloc(rs->nstrs + 1, 1)))
        return VG_ENOMEM;
    for (uint32_t g = 0; g < rs->nstrs; g++) {
        uint32_t k = rs->str_rule[g];
        if (rs->anchor[g] || rs->gate_at[k] != rs->gate_at[k + 1])
            rs->gate_when[g] = VGY_GATE_HIT | VGY_GATE_END;
        else if (rs->need_at[k] != rs->need_at[k + 1])
            rs->gate_when[g] = VGY_GATE_END;
    }
    return st;
}

vg_status vgy_rules_compile(vgy_rules *rs, char *err, size_t errlen)
{
    if (rs->compiled)
        return VG_ESTATE;
    uint32_t nr = vgy_rules_total(rs), ns = 0;
    rs->rules = calloc(nr + 1, sizeof *rs->rules);
    if (!rs->rules)
        return VG_ENOMEM;
    for (uint32_t k = 0; k < nr; k++) {
        const vgy_rule *r = vgy_rules_nth(rs, k);
        rs->rules[k] = r;
        ns += r->nstrs;
        if (r->flags & VGY_R_GLOBAL)
            rs->has_global = 1;
    }
    rs->nrules = nr;
    rs->strs = calloc(ns + 1, sizeof *rs->strs);
    if (!rs->strs)
        return VG_ENOMEM;
    for (uint32_t k = 0; k < nr; k++) {
        vgy_rule *r = (vgy_rule *)rs->rules[k];
        r->idx = k;
        for (uint32_t j = 0; j < r->nstrs; j++) {
            r->strs[j].gidx = rs->nstrs;
            rs->strs[rs->nstrs++] = &r->strs[j];
        }
    }
    rs->always = calloc(nr + 1, sizeof *rs->always);
    rs->pre = calloc(nr + 1, sizeof *rs->pre);
    if (rs->profile && (!(rs->prof_cond = calloc(nr + 1, sizeof *rs->prof_cond)) ||
                        !(rs->prof_str = calloc(rs->nstrs + 1, sizeof *rs->prof_str))))
        return VG_ENOMEM;
    rs->str_rule = calloc(rs->nstrs + 1, sizeof *rs->str_rule);
    if (!rs->always || !rs->str_rule || !rs->pre)
        return VG_ENOMEM;
    for (uint32_t k = 0; k < nr; k++) {
        const vgy_rule *r = rs->rules[k];
        for (uint32_t j = 0; j < r->nstrs; j++)
            rs->str_rule[r->strs[j].gidx] = k;
        if ((r->flags & VGY_R_GLOBAL) || !needs_a_match(r->cond))
            rs->always[rs->nalways++] = k;
        if ((r->flags & VGY_R_GLOBAL) && self_contained(r->cond))
            rs->pre[rs->npre++] = k;
    }
    vg_status gst = gates(rs);
    if (gst != VG_OK)
        return gst;
    vg_status st = vgy_strings_build(rs->strs, rs->nstrs, &rs->sm, err, errlen);
    if (st == VG_OK)
        rs->compiled = 1;
    return st;
}

void vgy_rules_list(const vgy_rules *rs, vgy_slist *out)
{
    memset(out, 0, sizeof *out);
    if (rs && rs->compiled)
        vgy_strings_list(rs->sm, out);
}

vg_status vgy_rules_refuse(vgy_rules *rs, uint32_t k, char *err, size_t errlen)
{
    return rs->compiled ? vgy_strings_refuse(rs->sm, k, err, errlen) : VG_ESTATE;
}

void vgy_rules_drop_list(vgy_rules *rs)
{
    if (rs && rs->compiled)
        vgy_strings_drop_list(rs->sm);
}

/* ---- scanning --------------------------------------------------------- */

static int rule_gate(void *user, uint32_t gi, int at_end, uint64_t *at);

vg_status vgy_scratch_new(const vgy_rules *rs, vgy_scratch **out)
{
    if (!rs->compiled)
        return VG_ESTATE;
    vgy_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return VG_ENOMEM;
    s->ml = calloc(rs->nstrs + 1, sizeof *s->ml);
    s->nml = rs->nstrs;
    s->verdict = calloc(rs->nrules + 1, 1);
    s->cand = calloc(rs->nalways + rs->nstrs + 1, sizeof *s->cand);
    s->anc_val = calloc(rs->nstrs + 1, sizeof *s->anc_val);
    s->anc_gen = calloc(rs->nstrs + 1, sizeof *s->anc_gen);
    s->rs = rs;
    if (rs->profile)
        s->prof_cond = calloc(rs->nrules + 1, sizeof *s->prof_cond);
    vg_status st = s->ml && s->verdict && s->cand && s->anc_val && s->anc_gen &&
                           (!rs->profile || s->prof_cond)
                       ? vgy_sscratch_new(rs->sm, &s->ss)
                       : VG_ENOMEM;
    if (st == VG_OK && rs->gate_when)
        vgy_sscratch_set_gate(s->ss, rule_gate, s, rs->gate_when);
    if (st == VG_OK && rs->profile && (st = vgy_sscratch_profile(rs->sm, s->ss)) != VG_OK)
        vgy_sscratch_free(s->ss);
    if (st != VG_OK) {
        free(s->ml);
        free(s->cand);
        free(s->anc_val);
        free(s->anc_gen);
        free(s->verdict);
        free(s->prof_cond);
        free(s);
        return st;
    }
    *out = s;
    return VG_OK;
}

void vgy_scratch_free(vgy_scratch *s)
{
    if (!s)
        return;
    const uint64_t *sp = s->ss ? vgy_sscratch_prof(s->ss) : NULL;
    for (uint32_t k = 0; s->prof_cond && k < s->rs->nrules; k++)
        atomic_fetch_add(&s->rs->prof_cond[k], s->prof_cond[k]);
    for (uint32_t i = 0; sp && i < s->rs->nstrs; i++)
        atomic_fetch_add(&s->rs->prof_str[i], sp[i]);
    free(s->prof_cond);
    vgy_sscratch_free(s->ss);
    for (int i = 0; i < VGY_MAX_MODULES; i++) {
        const vgy_module *m = vgy_module_at(i);
        if (s->modcache[i] && m && m->cache_free)
            m->cache_free(s->modcache[i]);
    }
    free(s->verdict);
    free(s->anc_val);
    free(s->anc_gen);
    free(s->cand);
    for (uint32_t i = 0; s->ml && i < s->nml; i++)
        free(s->ml[i].m);
    free(s->ml);
    free(s);
}

uint64_t vgy_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* vgy_eval_rule, timed under --profile */
static int eval_rule(vgy_scratch *s, vgy_ctx *c, const vgy_rule *r)
{
    if (!s->prof_cond)
        return vgy_eval_rule(c, r);
    uint64_t t0 = vgy_now_ns();
    int ok = vgy_eval_rule(c, r);
    s->prof_cond[r->idx] += vgy_now_ns() - t0;
    return ok;
}

void vgy_rules_set_profile(vgy_rules *rs, int on) { rs->profile = on; }

static int cmp_prof(const void *a, const void *b)
{
    const vgy_prof *x = a, *y = b;
    uint64_t tx = x->cond_ns + x->strings_ns, ty = y->cond_ns + y->strings_ns;
    if (tx != ty)
        return tx < ty ? 1 : -1;
    return strcmp(x->rule, y->rule);
}

size_t vgy_rules_profile(const vgy_rules *rs, vgy_prof *out, size_t max)
{
    if (!rs || !rs->compiled || !rs->profile || max == 0)
        return 0;
    vgy_prof *all = calloc(rs->nrules + 1, sizeof *all);
    if (!all)
        return 0;
    for (uint32_t k = 0; k < rs->nrules; k++) {
        const vgy_rule *r = rs->rules[k];
        all[k].rule = r->name;
        all[k].cond_ns = atomic_load(&rs->prof_cond[k]);
        for (uint32_t j = 0; j < r->nstrs; j++)
            all[k].strings_ns += atomic_load(&rs->prof_str[r->strs[j].gidx]);
    }
    qsort(all, rs->nrules, sizeof *all, cmp_prof);
    size_t n = rs->nrules < max ? rs->nrules : max;
    memcpy(out, all, n * sizeof *out);
    free(all);
    return n;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int vgy_scan_begin(const vgy_rules *rs, vgy_scratch *s, const uint8_t *d, size_t len,
                   int every_match)
{
    vgy_ctx *c = &s->c;
    memset(c, 0, sizeof *c);
    c->rs = rs;
    c->data = d ? d : (const uint8_t *)"";
    c->len = len;
    c->ml = s->ml;
    c->verdict = s->verdict;
    c->modcache = s->modcache;
    s->skip = 0;
    if (!rs->compiled || rs->nrules == 0) {
        s->skip = 1;
        return 0;
    }
    memset(s->verdict, 0xff, rs->nrules);
    s->anchors_on = !every_match;
    if (++s->gen == 0) {
        memset(s->anc_gen, 0, rs->nstrs * sizeof *s->anc_gen);
        s->gen = 1;
    }
    /* a false global rule that needs no string makes every rule false:
     * then the strings are not searched at all (`global rule small {
     * condition: filesize < 1MB }` skips every larger file) */
    int pre_fail = 0;
    for (uint32_t i = 0; i < rs->npre; i++) /* all: console.log runs as in yara */
        if (!eval_rule(s, c, rs->rules[rs->pre[i]]))
            pre_fail = 1;
    if (pre_fail) {
        s->skip = 1;
        return 0;
    }
    /* this empties the lists the last object filled */
    vgy_strings_begin(rs->sm, s->ss, c->data, len, s->ml);
    return 1;
}

/* The gate of string gi's rule on this object, decided on the first hit
 * of one of its strings: a rule like `uint16(0) == 0x5A4D and filesize <
 * 2MB and 3 of them` is false on a text file whatever its strings do, so
 * their hits there are not verified, nor their whole-file regexes run.
 * Before such a regex search (at_end), also the terms that need matches:
 * one whose strings are all searched and missing shuts it too. */
#define GATE_OPEN (-2) /* verdict: gate terms true, condition not evaluated */

static int rule_gate(void *user, uint32_t gi, int at_end, uint64_t *at)
{
    vgy_scratch *s = user;
    const vgy_rules *rs = s->rs;
    uint32_t k = rs->str_rule[gi];
    if (s->verdict[k] == 0)
        return 0;
    uint32_t t0 = rs->gate_at[k], t1 = rs->gate_at[k + 1];
    if (t0 != t1 && s->verdict[k] == -1) {
        uint64_t ns = s->prof_cond ? vgy_now_ns() : 0;
        vgy_ctx *c = &s->c;
        c->rule = rs->rules[k];
        c->cur_str = 0;
        int open = 1;
        for (uint32_t t = t0; open && t < t1; t++)
            open = vgy_eval_bool(c, rs->gate_terms[t]);
        s->verdict[k] = open ? GATE_OPEN : 0;
        if (s->prof_cond)
            s->prof_cond[k] += vgy_now_ns() - ns;
        if (!open)
            return 0;
    }
    if (rs->anchor[gi] && (s->anchors_on || rs->anchor_fixed[gi])) {
        if (s->anc_gen[gi] != s->gen) {
            vgy_val v;
            s->c.rule = rs->rules[k];
            s->c.cur_str = 0;
            vgy_eval(&s->c, rs->anchor[gi], &v);
            s->anc_val[gi] = v.undef || v.i < 0 ? VGY_ANY_START
                                                  : (uint64_t)v.i;
            s->anc_gen[gi] = s->gen;
        }
        if (s->anc_val[gi] == VGY_ANY_START) /* `$a at undefined`: never */
            return 0;
        *at = s->anc_val[gi];
    }
    if (!at_end)
        return 1;
    const vgy_rule *r = rs->rules[k];
    for (uint32_t t = rs->need_at[k]; t < rs->need_at[k + 1]; t++) {
        const vgy_expr *e = rs->need_terms[t];
        uint32_t need = 1, may = 0;
        if (e->op != E_OF) {
            uint32_t g = r->strs[e->i].gidx;
            may = s->ml[g].n > 0 || vgy_strings_pending(s->ss, g);
        } else {
            need = e->quant == Q_ANY ? 1 : e->quant == Q_ALL ? e->nset : (uint32_t)e->a->i;
            for (uint32_t j = 0; j < e->nset && may < need; j++) {
                uint32_t g = r->strs[e->set[j]].gidx;
                may += s->ml[g].n > 0 || vgy_strings_pending(s->ss, g);
            }
        }
        if (may < need) {
            s->verdict[k] = 0;
            return 0;
        }
    }
    return 1;
}

int vgy_scan_hit(vgy_scratch *s, uint32_t id, uint64_t end)
{
    return s->skip ? 0 : vgy_strings_hit(s->ss, id, end);
}

vg_status vgy_scan_end(vgy_scratch *s, int evaluate, vgy_rule_fn rf, vgy_string_fn sf,
                       void *user)
{
    vgy_ctx *cp = &s->c;
    const vgy_rules *rs = s->rs;
    const uint8_t *d = cp->data;
    if (s->skip || !evaluate) {
        vgy_arena_free(&cp->tmp);
        return VG_OK;
    }
    vg_status st = vgy_strings_finish(s->ss);
    if (st != VG_OK) {
        vgy_arena_free(&cp->tmp);
        return st;
    }
    /* the rules that may be true: those evaluated always, and those with
     * a string that matched; in rule order (a rule refers to earlier
     * ones; one not evaluated keeps verdict -1, which reads as false) */
    uint32_t nc = 0, nt;
    const uint32_t *touched = vgy_strings_touched(s->ss, &nt);
    memcpy(s->cand, rs->always, rs->nalways * sizeof *s->cand);
    nc = rs->nalways;
    for (uint32_t t = 0; t < nt; t++)
        s->cand[nc++] = rs->str_rule[touched[t]];
    qsort(s->cand, nc, sizeof *s->cand, cmp_u32);
    uint32_t k0 = 0;
    for (uint32_t i = 0; i < nc; i++)
        if (k0 == 0 || s->cand[k0 - 1] != s->cand[i])
            s->cand[k0++] = s->cand[i];
    nc = k0;
    int global_fail = 0;
    for (uint32_t i = 0; i < nc; i++) {
        const vgy_rule *r = rs->rules[s->cand[i]];
        int ok = s->verdict[s->cand[i]] >= 0 ? s->verdict[s->cand[i]] /* decided above */
                                            : eval_rule(s, cp, r);
        if (!ok && (r->flags & VGY_R_GLOBAL))
            global_fail = 1;
    }
    vgy_arena_free(&cp->tmp);
    if (global_fail)
        return VG_OK;
    for (uint32_t i = 0; i < nc; i++) {
        uint32_t k = s->cand[i];
        const vgy_rule *r = rs->rules[k];
        if (s->verdict[k] != 1 || (r->flags & VGY_R_PRIVATE))
            continue;
        if (sf)
            for (uint32_t j = 0; j < r->nstrs; j++) {
                const vgy_string *str = &r->strs[j];
                if (str->mods & VGY_M_PRIVATE)
                    continue;
                const vgy_mlist *l = &s->ml[str->gidx];
                for (uint32_t m = 0; m < l->n; m++)
                    sf(user, r->name, str->id, str->kind == VGY_S_HEX, l->m[m].off,
                       d + l->m[m].off, l->m[m].len);
            }
        if (rf && rf(user, r->name))
            break;
    }
    return VG_OK;
}
