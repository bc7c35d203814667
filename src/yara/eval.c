/* yara/eval.c - evaluates rule conditions over one object's string matches.
 *
 * Values carry YARA's "undefined" (an out-of-range int32(), @a[9] of a
 * string with 3 matches, a division by zero at scan time, an undefined
 * module value): arithmetic, comparisons and function calls on undefined
 * are undefined; `not undefined` is undefined; `defined x` tests it; a
 * condition that ends undefined is false. `a and b` is false when either
 * side is undefined or false (b is not evaluated when a is false); `a or
 * b` is true when either is true (b not evaluated when a is true).
 * Integers are 64-bit and wrap on overflow as yara's do; `\` by zero and
 * `%` by zero are undefined; shifts by 64 or more give 0.
 * Quantifiers: `all/any/none/N/N% of` count the strings (or rules) of the
 * set that match (in the range, with `in`); `for` loops evaluate the body
 * for each string (`$` bound) or integer and count the true ones; a loop
 * over an empty range is false, as in yara 4.2. Cost: linear in the AST
 * plus, per string operator, O(log matches) (@, !) or O(matches) (at, in,
 * #a in). for..in over a range runs at most VGY_MAX_LOOP iterations. */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "core/rd.h"
#include "yara/modules/modules.h"

static void set_int(vgy_val *o, int64_t i)
{
    memset(o, 0, sizeof *o);
    o->t = VGY_T_INT;
    o->i = i;
}

static void set_bool(vgy_val *o, int b)
{
    memset(o, 0, sizeof *o);
    o->t = VGY_T_BOOL;
    o->i = b != 0;
}

static void set_undef(vgy_val *o, int t)
{
    memset(o, 0, sizeof *o);
    o->t = (uint8_t)t;
    o->undef = 1;
}

static int truthy(const vgy_val *v)
{
    if (v->undef)
        return 0;
    switch (v->t) {
    case VGY_T_FLT: return v->f != 0.0;
    case VGY_T_STR: return v->slen > 0;
    default: return v->i != 0;
    }
}

static double as_f(const vgy_val *v) { return v->t == VGY_T_FLT ? v->f : (double)v->i; }

static const vgy_mlist *mlist(vgy_ctx *c, int64_t si)
{
    if (si < 0)
        si = c->cur_str;
    return &c->ml[c->rule->strs[si].gidx];
}

static int in_range(vgy_ctx *c, const vgy_expr *e, int64_t *lo, int64_t *hi)
{
    vgy_val a, b;
    vgy_eval(c, e->b, &a);
    vgy_eval(c, e->c, &b);
    if (a.undef || b.undef)
        return 0;
    *lo = a.i;
    *hi = b.i;
    return 1;
}

static uint32_t count_in(const vgy_mlist *l, int64_t lo, int64_t hi)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < l->n; i++)
        if ((int64_t)l->m[i].off >= lo && (int64_t)l->m[i].off <= hi)
            n++;
    return n;
}

static void readint(vgy_ctx *c, const vgy_expr *e, vgy_val *o)
{
    static const uint8_t width[6] = {1, 2, 4, 1, 2, 4};
    int k = (int)e->i, be = k >= 6, uns = (k % 6) >= 3;
    unsigned w = width[k % 6];
    vgy_val off;
    vgy_eval(c, e->a, &off);
    vgrd r;
    vgrd_init(&r, c->data, c->len);
    if (off.undef || off.i < 0 || vgrd_seek(&r, (size_t)off.i) != VG_OK) {
        set_undef(o, VGY_T_INT);
        return;
    }
    const uint8_t *p = vgrd_take(&r, w);
    if (!p) {
        set_undef(o, VGY_T_INT);
        return;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < w; i++)
        v |= (uint32_t)p[be ? i : w - 1 - i] << (8 * (w - 1 - i));
    int64_t x = v;
    if (!uns)
        x = w == 1 ? (int8_t)v : w == 2 ? (int16_t)v : (int32_t)v;
    set_int(o, x);
}

static void arith(vgy_ctx *c, const vgy_expr *e, vgy_val *o)
{
    vgy_val a, b;
    vgy_eval(c, e->a, &a);
    vgy_eval(c, e->b, &b);
    if (a.undef || b.undef) {
        set_undef(o, e->type);
        return;
    }
    if (e->type == VGY_T_FLT) {
        double x = as_f(&a), y = as_f(&b), r = 0;
        switch (e->op) {
        case E_ADD: r = x + y; break;
        case E_SUB: r = x - y; break;
        case E_MUL: r = x * y; break;
        case E_DIV:
            if (y == 0) {
                set_undef(o, VGY_T_FLT);
                return;
            }
            r = x / y;
            break;
        default: break;
        }
        memset(o, 0, sizeof *o);
        o->t = VGY_T_FLT;
        o->f = r;
        return;
    }
    uint64_t x = (uint64_t)a.i, y = (uint64_t)b.i;
    int64_t r = 0;
    switch (e->op) {
    case E_ADD: r = (int64_t)(x + y); break;
    case E_SUB: r = (int64_t)(x - y); break;
    case E_MUL: r = (int64_t)(x * y); break;
    case E_DIV:
    case E_MOD:
        if (b.i == 0 || (a.i == INT64_MIN && b.i == -1)) {
            set_undef(o, VGY_T_INT);
            return;
        }
        r = e->op == E_DIV ? a.i / b.i : a.i % b.i;
        break;
    case E_SHL: r = b.i < 0 ? 0 : b.i >= 64 ? 0 : (int64_t)(x << b.i); break;
    case E_SHR: r = b.i < 0 ? 0 : b.i >= 64 ? 0 : a.i >> b.i; break;
    case E_BAND: r = a.i & b.i; break;
    case E_BOR: r = a.i | b.i; break;
    case E_BXOR: r = a.i ^ b.i; break;
    default: break;
    }
    set_int(o, r);
}

static int bytes_cmp(const vgy_val *a, const vgy_val *b)
{
    size_t n = a->slen < b->slen ? a->slen : b->slen;
    int r = n ? memcmp(a->s, b->s, n) : 0;
    if (r)
        return r;
    return a->slen < b->slen ? -1 : a->slen > b->slen;
}

static int lower(int ch) { return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch; }

static int eq_at(const uint8_t *h, const uint8_t *n, size_t k, int icase)
{
    if (!icase)
        return memcmp(h, n, k) == 0;
    for (size_t i = 0; i < k; i++)
        if (lower(h[i]) != lower(n[i]))
            return 0;
    return 1;
}

static void compare(vgy_ctx *c, const vgy_expr *e, vgy_val *o)
{
    vgy_val a, b;
    vgy_eval(c, e->a, &a);
    if (e->op == E_MATCHES) {
        if (a.undef) {
            set_undef(o, VGY_T_BOOL);
            return;
        }
        set_bool(o, vgy_regex_match(e->b->re, a.s, a.slen));
        return;
    }
    vgy_eval(c, e->b, &b);
    if (a.undef || b.undef) {
        set_undef(o, VGY_T_BOOL);
        return;
    }
    int r;
    if (a.t == VGY_T_STR) {
        int icase = e->op == E_ICONTAINS || e->op == E_ISTARTSWITH ||
                    e->op == E_IENDSWITH || e->op == E_IEQUALS;
        switch (e->op) {
        case E_CONTAINS:
        case E_ICONTAINS:
            r = 0;
            for (size_t i = 0; !r && b.slen <= a.slen && i + b.slen <= a.slen; i++)
                r = eq_at(a.s + i, b.s, b.slen, icase);
            set_bool(o, r);
            return;
        case E_STARTSWITH:
        case E_ISTARTSWITH:
            set_bool(o, b.slen <= a.slen && eq_at(a.s, b.s, b.slen, icase));
            return;
        case E_ENDSWITH:
        case E_IENDSWITH:
            set_bool(o, b.slen <= a.slen && eq_at(a.s + a.slen - b.slen, b.s, b.slen, icase));
            return;
        case E_IEQUALS:
            set_bool(o, a.slen == b.slen && eq_at(a.s, b.s, b.slen, 1));
            return;
        default:
            r = bytes_cmp(&a, &b);
            break;
        }
    } else if (a.t == VGY_T_FLT || b.t == VGY_T_FLT) {
        double x = as_f(&a), y = as_f(&b);
        r = x < y ? -1 : x > y ? 1 : 0;
    } else
        r = a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
    switch (e->op) {
    case E_LT: set_bool(o, r < 0); break;
    case E_LE: set_bool(o, r <= 0); break;
    case E_GT: set_bool(o, r > 0); break;
    case E_GE: set_bool(o, r >= 0); break;
    case E_EQ: set_bool(o, r == 0); break;
    default: set_bool(o, r != 0); break;
    }
}

/* Does `count` of `total` satisfy the quantifier? */
static int quant_ok(vgy_ctx *c, const vgy_expr *e, uint64_t count, uint64_t total)
{
    switch (e->quant) {
    case Q_ALL: return total > 0 && count == total;
    case Q_ANY: return count > 0;
    case Q_NONE: return count == 0;
    default: break;
    }
    vgy_val q;
    vgy_eval(c, e->a, &q);
    if (q.undef)
        return 0;
    if (e->quant == Q_PERCENT)
        return (double)count * 100.0 >= (double)q.i * (double)total;
    return q.i <= 0 ? count > 0 || q.i <= 0 : count >= (uint64_t)q.i;
}

static void of_expr(vgy_ctx *c, const vgy_expr *e, vgy_val *o)
{
    uint64_t n = 0;
    int64_t lo = 0, hi = 0;
    if (e->range && !in_range(c, e, &lo, &hi)) {
        set_bool(o, 0);
        return;
    }
    for (uint32_t i = 0; i < e->nset; i++) {
        if (e->i) {
            n += c->verdict[e->set[i]] == 1;
            continue;
        }
        const vgy_mlist *l = mlist(c, e->set[i]);
        n += e->range ? count_in(l, lo, hi) > 0 : l->n > 0;
    }
    set_bool(o, quant_ok(c, e, n, e->nset));
}

static void for_of(vgy_ctx *c, const vgy_expr *e, vgy_val *o)
{
    uint64_t n = 0;
    int64_t saved = c->cur_str;
    for (uint32_t i = 0; i < e->nset; i++) {
        c->cur_str = e->set[i];
        vgy_val b;
        vgy_eval(c, e->d, &b);
        n += truthy(&b);
    }
    c->cur_str = saved;
    set_bool(o, quant_ok(c, e, n, e->nset));
}

/* for..in stops as soon as the count of true bodies reaches what the
 * quantifier needs (any: 1, N: N, none and N <= 0: 0, so after the first
 * iteration), as yara 4.2.3 does; that is also why `for none x in (1,2) :
 * (x == 1)` is true there, and vigil keeps that. No iteration: false. */
static int64_t for_need(vgy_ctx *c, const vgy_expr *e)
{
    vgy_val q;
    switch (e->quant) {
    case Q_ANY: return 1;
    case Q_NONE: return 0;
    case Q_EXPR:
        vgy_eval(c, e->a, &q);
        return q.undef ? -1 : q.i < 0 ? 0 : q.i;
    default: return -1; /* all, percent: no early stop */
    }
}

static void for_in(vgy_ctx *c, const vgy_expr *e, vgy_val *o)
{
    uint64_t n = 0, total = 0;
    int64_t need = for_need(c, e);
    int stop = 0;
    vgy_val *var = &c->vars[e->var0], b;
#define BODY()                                                                  \
    do {                                                                        \
        vgy_eval(c, e->d, &b);                                                  \
        n += truthy(&b);                                                        \
        total++;                                                                \
        stop = need >= 0 && n >= (uint64_t)need;                                \
    } while (0)
    if (e->range == 1) {
        vgy_val lo, hi;
        vgy_eval(c, e->b, &lo);
        vgy_eval(c, e->c, &hi);
        if (lo.undef || hi.undef || lo.i > hi.i) {
            set_bool(o, 0);
            return;
        }
        for (int64_t i = lo.i; !stop && total < VGY_MAX_LOOP; i++) {
            set_int(var, i);
            BODY();
            if (i == hi.i)
                break;
        }
    } else if (e->range == 2) {
        vgy_val it;
        vgy_eval(c, e->b, &it);
        if (it.undef) {
            set_bool(o, 0);
            return;
        }
        const vgy_obj *a = it.o;
        const vgy_decl *ed = e->b->decl->sub;
        for (uint32_t k = 0; !stop && k < a->n; k++) {
            if (it.t == VGY_T_DICT) {
                memset(var, 0, sizeof *var);
                var->t = VGY_T_STR;
                var->s = (const uint8_t *)a->key[k];
                var->slen = strlen(a->key[k]);
                vgy_obj_val(a->kid[k], ed, var + 1);
            } else
                vgy_obj_val(a->kid[k], ed, var);
            BODY();
        }
    } else {
        for (uint32_t k = 0; !stop && k < e->nargs; k++) {
            vgy_eval(c, e->args[k], var);
            BODY();
        }
    }
#undef BODY
    if (total == 0)
        set_bool(o, 0);
    else if (stop)
        set_bool(o, 1);
    else
        set_bool(o, quant_ok(c, e, n, total));
}

/* The module's root value, loaded for this object on first use. */
static void module(vgy_ctx *c, const vgy_expr *e, vgy_val *o)
{
    const vgy_module *m = vgy_module_at((int)e->i);
    if (!c->mod[e->i]) {
        c->mod[e->i] = vgyo_new(c, m->root);
        if (c->mod[e->i] && m->load)
            m->load(c, c->mod[e->i]);
    }
    vgy_obj_val(c->mod[e->i], m->root, o);
}

static void member(vgy_ctx *c, const vgy_expr *e, vgy_val *o)
{
    vgy_val a;
    vgy_eval(c, e->a, &a);
    if (a.undef || !a.o->kid) {
        vgy_obj_val(NULL, e->decl, o);
        return;
    }
    vgy_obj_val(a.o->kid[e->i], e->decl, o);
}

static void index_of(vgy_ctx *c, const vgy_expr *e, vgy_val *o)
{
    vgy_val a, k;
    vgy_eval(c, e->a, &a);
    vgy_eval(c, e->b, &k);
    const vgy_obj *x = NULL;
    if (!a.undef && !k.undef) {
        if (a.t == VGY_T_ARRAY)
            x = k.i >= 0 && (uint64_t)k.i < a.o->n ? a.o->kid[k.i] : NULL;
        else
            x = vgy_obj_key(a.o, k.s, k.slen);
    }
    vgy_obj_val(x, e->decl, o);
}

static void call(vgy_ctx *c, const vgy_expr *e, vgy_val *o)
{
    vgy_val args[16], self;
    vgy_eval(c, e->a, &self);
    if (self.undef) {
        set_undef(o, e->type);
        return;
    }
    for (uint32_t i = 0; i < e->nargs; i++) {
        vgy_eval(c, e->args[i], &args[i]);
        if (args[i].undef) {
            set_undef(o, e->type);
            return;
        }
    }
    set_undef(o, e->type);
    const vgy_obj *saved = c->self;
    c->self = self.o;
    e->fn->call(c, args, o);
    c->self = saved;
}

static void strnum(vgy_ctx *c, const vgy_expr *e, vgy_val *o)
{
    const vgy_mlist *l = mlist(c, e->i);
    int64_t idx = 1;
    if (e->a) {
        vgy_val v;
        vgy_eval(c, e->a, &v);
        if (v.undef) {
            set_undef(o, VGY_T_INT);
            return;
        }
        idx = v.i;
    }
    if (idx < 1 || (uint64_t)idx > l->n) {
        set_undef(o, VGY_T_INT);
        return;
    }
    const vgy_match *m = &l->m[idx - 1];
    set_int(o, e->op == E_OFFSET ? (int64_t)m->off : (int64_t)m->len);
}

void vgy_eval(vgy_ctx *c, const vgy_expr *e, vgy_val *o)
{
    vgy_val a;
    int64_t lo, hi;
    switch (e->op) {
    case E_BOOL: set_bool(o, (int)e->i); return;
    case E_INT: set_int(o, e->i); return;
    case E_FLT:
        memset(o, 0, sizeof *o);
        o->t = VGY_T_FLT;
        o->f = e->f;
        return;
    case E_STR:
        memset(o, 0, sizeof *o);
        o->t = VGY_T_STR;
        o->s = e->s;
        o->slen = e->slen;
        return;
    case E_REGEX:
        memset(o, 0, sizeof *o);
        o->t = VGY_T_REGEX;
        o->re = e->re;
        return;
    case E_FILESIZE: set_int(o, (int64_t)c->len); return;
    case E_ENTRYPOINT: set_undef(o, VGY_T_INT); return;
    case E_STRMATCH: set_bool(o, mlist(c, e->i)->n > 0); return;
    case E_STRAT: {
        vgy_eval(c, e->a, &a);
        const vgy_mlist *l = mlist(c, e->i);
        set_bool(o, !a.undef && a.i >= 0 && count_in(l, a.i, a.i) > 0);
        return;
    }
    case E_STRIN:
        set_bool(o, in_range(c, e, &lo, &hi) && count_in(mlist(c, e->i), lo, hi) > 0);
        return;
    case E_COUNT: set_int(o, mlist(c, e->i)->n); return;
    case E_COUNTIN:
        if (!in_range(c, e, &lo, &hi))
            set_undef(o, VGY_T_INT);
        else
            set_int(o, count_in(mlist(c, e->i), lo, hi));
        return;
    case E_OFFSET:
    case E_LENGTH: strnum(c, e, o); return;
    case E_READINT: readint(c, e, o); return;
    case E_RULE: set_bool(o, c->verdict[e->i] == 1); return;
    case E_EXT: *o = *vgy_rules_extval(c->rs, (uint32_t)e->i); return;
    case E_VAR: *o = c->vars[e->i]; return;
    case E_CALL: call(c, e, o); return;
    case E_MODULE: module(c, e, o); return;
    case E_MEMBER: member(c, e, o); return;
    case E_INDEX: index_of(c, e, o); return;
    case E_NEG:
    case E_BNOT:
        vgy_eval(c, e->a, &a);
        if (a.undef) {
            set_undef(o, e->type);
            return;
        }
        if (a.t == VGY_T_FLT) {
            *o = a;
            o->f = -a.f;
        } else
            set_int(o, e->op == E_NEG ? (int64_t)(0 - (uint64_t)a.i) : ~a.i);
        return;
    case E_NOT:
        vgy_eval(c, e->a, &a);
        if (e->range)
            set_bool(o, !a.undef);
        else if (a.undef)
            set_undef(o, VGY_T_BOOL);
        else
            set_bool(o, !truthy(&a));
        return;
    case E_ADD: case E_SUB: case E_MUL: case E_DIV: case E_MOD: case E_SHL:
    case E_SHR: case E_BAND: case E_BOR: case E_BXOR:
        arith(c, e, o);
        return;
    case E_AND:
        vgy_eval(c, e->a, &a);
        if (!truthy(&a)) {
            set_bool(o, 0);
            return;
        }
        vgy_eval(c, e->b, &a);
        set_bool(o, truthy(&a));
        return;
    case E_OR:
        vgy_eval(c, e->a, &a);
        if (truthy(&a)) {
            set_bool(o, 1);
            return;
        }
        vgy_eval(c, e->b, &a);
        set_bool(o, truthy(&a));
        return;
    case E_OF: of_expr(c, e, o); return;
    case E_FOROF: for_of(c, e, o); return;
    case E_FORIN: for_in(c, e, o); return;
    default:
        compare(c, e, o);
        return;
    }
}

int vgy_eval_bool(vgy_ctx *c, const vgy_expr *e)
{
    vgy_val v;
    vgy_eval(c, e, &v);
    return truthy(&v);
}

int vgy_eval_rule(vgy_ctx *c, const vgy_rule *r)
{
    c->rule = r;
    c->cur_str = 0;
    vgy_val v;
    vgy_eval(c, r->cond, &v);
    int ok = truthy(&v);
    c->verdict[r->idx] = (int8_t)ok;
    return ok;
}
