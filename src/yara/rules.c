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
    int8_t *verdict;
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
    s->rs = rs;
    if (rs->profile)
        s->prof_cond = calloc(rs->nrules + 1, sizeof *s->prof_cond);
    vg_status st = s->ml && s->verdict && s->cand && (!rs->profile || s->prof_cond)
                       ? vgy_sscratch_new(rs->sm, &s->ss)
                       : VG_ENOMEM;
    if (st == VG_OK && rs->profile && (st = vgy_sscratch_profile(rs->sm, s->ss)) != VG_OK)
        vgy_sscratch_free(s->ss);
    if (st != VG_OK) {
        free(s->ml);
        free(s->cand);
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

int vgy_scan_begin(const vgy_rules *rs, vgy_scratch *s, const uint8_t *d, size_t len)
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
