/* yara/parser.c - recursive descent parser for YARA 4.2 rules, to an AST
 * in the unit's arena, with yara's compile-time checks.
 *
 * Grammar (yara's precedence, lowest first):
 *   or < and < not/defined (prefix) < == != contains icontains startswith
 *   istartswith endswith iendswith iequals matches < < <= > >= < | < ^ <
 *   & < << >> < + - < * \ % < unary - ~
 * As in yara, comparisons and arithmetic take only "primary" operands
 * (integers, floats, text): `true == true` and `1 + true` are syntax
 * errors; booleans combine only with and/or/not. Division is `\`; `/`
 * only opens a regex. Constant integer expressions are folded so that
 * "division by zero" and "integer overflow" are compile errors as in yara.
 *
 * Errors yara reports and vigil reproduces (as "file:line: message"):
 * syntax errors, duplicated rule/string/tag identifiers, undefined
 * string/rule/identifier references, unreferenced strings, `$` outside a
 * for..of, unknown modules, invalid modifier combinations, duplicated
 * modifiers, bad xor ranges and base64 alphabets, empty strings, bad hex
 * strings and regexes, illegal escapes, integer overflow. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yara/lexer.h"
#include "yara/yara_int.h"

#define MAX_INCLUDE_DEPTH 16
#define MAX_IMPORTS 16

typedef struct P {
    vgyl l;
    vgy_rules *rs;
    vgy_unit *u;
    vgy_arena *a;
    const char *fname;
    char *err;
    size_t errlen;
    int failed;
    vgy_rule *rule;
    struct {
        const char *name;
        size_t len;
        uint8_t type;
        const vgy_decl *decl;
    } vars[VGY_MAX_VARS];
    uint32_t nvars, maxvars;
    int in_forof;
    int depth;
    char (*imports)[32];
    int *nimports;
    int incdepth;
    /* rules of this unit so far (for references and duplicates) */
    vgy_rule **rules;
    uint32_t nrules, caprules;
} P;

static void *fail(P *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void *fail(P *p, int line, const char *fmt, ...)
{
    if (p->failed)
        return NULL;
    p->failed = 1;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->rule && p->rule->name)
        snprintf(p->err, p->errlen, "%s:%d: rule \"%s\": %s", p->fname, line,
                 p->rule->name, msg);
    else
        snprintf(p->err, p->errlen, "%s:%d: %s", p->fname, line, msg);
    return NULL;
}

static void *oom(P *p) { return fail(p, p->l.line, "out of memory"); }

static int next(P *p)
{
    int t = vgyl_next(&p->l);
    if (t == T_ERR)
        fail(p, p->l.line, "%s", p->l.err);
    return t;
}

static void *syntax(P *p)
{
    if (p->l.tok == T_ERR)
        return fail(p, p->l.line, "%s", p->l.err);
    return fail(p, p->l.tline, "syntax error, unexpected %s", vgyl_name(p->l.tok));
}

static int expect(P *p, int tok)
{
    if (p->failed)
        return -1;
    if (p->l.tok != tok) {
        syntax(p);
        return -1;
    }
    next(p);
    return p->failed ? -1 : 0;
}

static vgy_expr *node(P *p, int op, int type, int line)
{
    vgy_expr *e = vgy_alloc(p->a, sizeof *e);
    if (!e)
        return oom(p);
    e->op = (uint8_t)op;
    e->type = (uint8_t)type;
    e->line = line;
    return e;
}

static int is_num(const vgy_expr *e) { return e->type == VGY_T_INT || e->type == VGY_T_FLT; }

/* ---- forward ---------------------------------------------------------- */
static vgy_expr *expr_or(P *p);
static vgy_expr *expr_arith(P *p, int level);
static vgy_expr *regex_literal(P *p, int line);

/* ---- strings referenced from conditions ------------------------------ */

static int find_string(P *p, const char *id, size_t n)
{
    for (uint32_t i = 0; i < p->rule->nstrs; i++)
        if (strlen(p->rule->strs[i].id) == n && !memcmp(p->rule->strs[i].id, id, n))
            return (int)i;
    return -1;
}

/* Token text "$a"/"#a"/"@a"/"!a" -> string index; "$" alone (and #, @, !)
 * means the for..of string: -1. Sets *ok = 0 after an error. */
static int64_t string_ref(P *p, int *ok)
{
    *ok = 1;
    if (p->l.tlen == 1) {
        if (!p->in_forof) {
            *ok = 0;
            fail(p, p->l.tline, "unexpected \"%c\" outside of a for..of", p->l.ts[0]);
            return 0;
        }
        return -1;
    }
    char id[VGY_MAX_IDENT + 2];
    snprintf(id, sizeof id, "$%.*s", (int)p->l.tlen - 1, p->l.ts + 1);
    int i = find_string(p, id, strlen(id));
    if (i < 0) {
        *ok = 0;
        fail(p, p->l.tline, "undefined string identifier \"%s\"", id);
        return 0;
    }
    p->rule->strs[i].referenced = 1;
    return i;
}

static vgy_expr *range(P *p, vgy_expr *e)
{
    if (expect(p, T_LPAREN))
        return NULL;
    e->b = expr_arith(p, 0);
    if (!e->b || expect(p, T_DOTDOT))
        return NULL;
    e->c = expr_arith(p, 0);
    if (!e->c || expect(p, T_RPAREN))
        return NULL;
    if (e->b->type != VGY_T_INT || e->c->type != VGY_T_INT)
        return fail(p, e->line, "wrong type for range");
    if (e->b->op == E_INT && e->c->op == E_INT && e->b->i > e->c->i)
        return fail(p, e->line, "invalid range");
    return e;
}

/* $a, $a at x, $a in (lo..hi) */
static vgy_expr *strmatch(P *p)
{
    int line = p->l.tline, ok;
    if (p->l.star)
        return syntax(p);
    int64_t si = string_ref(p, &ok);
    if (!ok || next(p) == T_ERR)
        return NULL;
    vgy_expr *e = node(p, E_STRMATCH, VGY_T_BOOL, line);
    if (!e)
        return NULL;
    e->i = si;
    if (p->l.tok == K_AT) {
        next(p);
        e->op = E_STRAT;
        e->a = expr_arith(p, 0);
        if (!e->a)
            return NULL;
        if (e->a->type != VGY_T_INT)
            return fail(p, line, "wrong type for \"at\" operator");
    } else if (p->l.tok == K_IN) {
        next(p);
        e->op = E_STRIN;
        return range(p, e);
    }
    return e;
}

/* #a, #a in (range), @a, @a[i], !a, !a[i] */
static vgy_expr *strnum(P *p)
{
    int line = p->l.tline, tok = p->l.tok, ok;
    int64_t si = string_ref(p, &ok);
    if (!ok || next(p) == T_ERR)
        return NULL;
    vgy_expr *e = node(p, tok == T_STRCOUNT ? E_COUNT : tok == T_STROFF ? E_OFFSET : E_LENGTH,
                       VGY_T_INT, line);
    if (!e)
        return NULL;
    e->i = si;
    if (tok == T_STRCOUNT && p->l.tok == K_IN) {
        next(p);
        e->op = E_COUNTIN;
        return range(p, e);
    }
    if (tok != T_STRCOUNT && p->l.tok == T_LBRACK) {
        next(p);
        e->a = expr_arith(p, 0);
        if (!e->a || expect(p, T_RBRACK))
            return NULL;
        if (e->a->type != VGY_T_INT)
            return fail(p, line, "wrong type for index");
    }
    return e;
}

/* ---- identifiers: loop variables, externals, rules, modules ---------- */

static int imported(P *p, const char *m)
{
    for (int i = 0; i < *p->nimports; i++)
        if (!strcmp(p->imports[i], m))
            return 1;
    return 0;
}

/* Arguments of a module function call: `(` already current. */
static int call_args(P *p, vgy_expr *e, char types[17], int line)
{
    vgy_expr *args[16];
    uint32_t n = 0;
    next(p);
    while (p->l.tok != T_RPAREN && !p->failed) {
        if (n && expect(p, T_COMMA))
            return -1;
        if (n == 16)
            return fail(p, line, "too many arguments"), -1;
        if (p->l.tok == T_SLASH) {
            args[n] = regex_literal(p, p->l.tline);
        } else
            args[n] = expr_or(p);
        if (!args[n])
            return -1;
        int t = args[n]->type;
        types[n] = t == VGY_T_INT ? 'i' : t == VGY_T_FLT ? 'f' : t == VGY_T_STR ? 's'
                 : t == VGY_T_BOOL ? 'b' : t == VGY_T_REGEX ? 'r' : '?';
        n++;
    }
    if (expect(p, T_RPAREN))
        return -1;
    types[n] = 0;
    e->args = vgy_alloc(p->a, (n ? n : 1) * sizeof *e->args);
    if (!e->args)
        return oom(p), -1;
    memcpy(e->args, args, n * sizeof *args);
    e->nargs = n;
    return 0;
}

static int is_container(int t)
{
    return t == VGY_T_STRUCT || t == VGY_T_ARRAY || t == VGY_T_DICT;
}

/* After a module value `e` named `name`: `.member`, `.func(args)`, `[i]`,
 * `["key"]`, repeated. A structure, array or dictionary left over is an
 * error unless `container` (the iterable of a for..in). */
static vgy_expr *postfix(P *p, vgy_expr *e, const char *name, int container)
{
    char nm[VGY_MAX_IDENT + 1];
    snprintf(nm, sizeof nm, "%s", name);
    while (e && !p->failed) {
        int line = p->l.tline;
        if (p->l.tok == T_DOT) {
            if (e->type != VGY_T_STRUCT)
                return fail(p, line, "\"%s\" is not a structure", nm);
            if (next(p) != T_IDENT && p->l.tok != K_ENTRYPOINT)
                return syntax(p);
            snprintf(nm, sizeof nm, "%.*s", (int)p->l.tlen, p->l.ts);
            next(p);
            int m = vgy_decl_member(e->decl, nm);
            if (m >= 0) {
                const vgy_decl *d = &e->decl->sub[m];
                if (d->konst) {
                    e = node(p, d->t == VGY_T_FLT ? E_FLT : E_INT, d->t, line);
                    if (e) {
                        e->i = d->k;
                        e->f = d->kf;
                    }
                    continue;
                }
                vgy_expr *x = node(p, E_MEMBER, d->t, line);
                if (!x)
                    return NULL;
                x->a = e;
                x->i = m;
                x->decl = d;
                e = x;
                continue;
            }
            int exists = 0;
            char types[17] = "";
            vgy_decl_func(e->decl, nm, "", &exists);
            if (!exists)
                return fail(p, line, "invalid field name \"%s\"", nm);
            if (p->l.tok != T_LPAREN)
                return fail(p, line, "wrong usage of identifier \"%s\"", nm);
            vgy_expr *x = node(p, E_CALL, VGY_T_NONE, line);
            if (!x || call_args(p, x, types, line))
                return NULL;
            x->fn = vgy_decl_func(e->decl, nm, types, &exists);
            if (!x->fn)
                return fail(p, line, "wrong arguments for function \"%s\"", nm);
            x->type = x->fn->ret;
            x->a = e;
            e = x;
        } else if (p->l.tok == T_LBRACK) {
            if (e->type != VGY_T_ARRAY && e->type != VGY_T_DICT)
                return fail(p, line, "\"%s\" is not an array or dictionary", nm);
            next(p);
            vgy_expr *k = expr_arith(p, 0);
            if (!k || expect(p, T_RBRACK))
                return NULL;
            if (e->type == VGY_T_ARRAY && k->type != VGY_T_INT)
                return fail(p, line, "array indexes must be of integer type");
            if (e->type == VGY_T_DICT && k->type != VGY_T_STR)
                return fail(p, line, "dictionary keys must be of string type");
            vgy_expr *x = node(p, E_INDEX, e->decl->sub->t, line);
            if (!x)
                return NULL;
            x->a = e;
            x->b = k;
            x->decl = e->decl->sub;
            e = x;
        } else
            break;
    }
    if (e && !p->failed && is_container(e->type) && !container)
        return fail(p, e->line, "wrong usage of identifier \"%s\"", nm);
    return e;
}

static vgy_expr *identifier(P *p, int container)
{
    int line = p->l.tline;
    char name[VGY_MAX_IDENT + 1];
    snprintf(name, sizeof name, "%.*s", (int)p->l.tlen, p->l.ts);
    for (uint32_t i = p->nvars; i-- > 0;)
        if (p->vars[i].len == p->l.tlen && !memcmp(p->vars[i].name, p->l.ts, p->l.tlen)) {
            next(p);
            vgy_expr *e = node(p, E_VAR, p->vars[i].type, line);
            if (!e)
                return NULL;
            e->i = i;
            e->decl = p->vars[i].decl;
            return postfix(p, e, name, container);
        }
    if (imported(p, name)) {
        next(p);
        int mi = vgy_module_index(name);
        vgy_expr *e = node(p, E_MODULE, VGY_T_STRUCT, line);
        if (!e)
            return NULL;
        e->i = mi;
        e->decl = vgy_module_at(mi)->root;
        return postfix(p, e, name, container);
    }
    uint32_t xi;
    const vgy_ext *x = vgy_rules_ext(p->rs, name, &xi);
    if (x) {
        next(p);
        vgy_expr *e = node(p, E_EXT, x->v.t, line);
        if (e)
            e->i = xi;
        return e;
    }
    const vgy_rule *r = vgy_rules_find(p->rs, p->u, name);
    if (r) {
        next(p);
        vgy_expr *e = node(p, E_RULE, VGY_T_BOOL, line);
        if (e)
            e->i = r->idx;
        return e;
    }
    return fail(p, line, "undefined identifier \"%s\"", name);
}

/* ---- primary and arithmetic ------------------------------------------ */

static vgy_expr *readint(P *p)
{
    static const int toks[] = {K_INT8, K_INT16, K_INT32, K_UINT8, K_UINT16, K_UINT32,
                               K_INT8BE, K_INT16BE, K_INT32BE, K_UINT8BE, K_UINT16BE,
                               K_UINT32BE};
    int kind = 0;
    for (int i = 0; i < 12; i++)
        if (toks[i] == p->l.tok)
            kind = i;
    int line = p->l.tline;
    next(p);
    vgy_expr *e = node(p, E_READINT, VGY_T_INT, line);
    if (!e || expect(p, T_LPAREN))
        return NULL;
    e->i = kind; /* bits: 0-1 width (1,2,4), 2 unsigned... decoded in eval */
    e->a = expr_arith(p, 0);
    if (!e->a || expect(p, T_RPAREN))
        return NULL;
    if (e->a->type != VGY_T_INT)
        return fail(p, line, "wrong type for integer function argument");
    return e;
}

static vgy_expr *primary(P *p)
{
    if (p->failed)
        return NULL;
    int line = p->l.tline;
    vgy_expr *e;
    switch (p->l.tok) {
    case T_INT:
        e = node(p, E_INT, VGY_T_INT, line);
        if (e)
            e->i = p->l.ival;
        next(p);
        return e;
    case T_FLT:
        e = node(p, E_FLT, VGY_T_FLT, line);
        if (e)
            e->f = p->l.fval;
        next(p);
        return e;
    case T_TEXT:
        e = node(p, E_STR, VGY_T_STR, line);
        if (!e)
            return NULL;
        e->s = (const uint8_t *)vgy_strndup(p->a, (const char *)p->l.buf, p->l.blen);
        if (!e->s)
            return oom(p);
        e->slen = p->l.blen;
        next(p);
        return e;
    case K_TRUE:
    case K_FALSE:
        e = node(p, E_BOOL, VGY_T_BOOL, line);
        if (e)
            e->i = p->l.tok == K_TRUE;
        next(p);
        return e;
    case K_FILESIZE:
    case K_ENTRYPOINT:
        e = node(p, p->l.tok == K_FILESIZE ? E_FILESIZE : E_ENTRYPOINT, VGY_T_INT, line);
        next(p);
        return e;
    case T_STRID:
        return strmatch(p);
    case T_STRCOUNT:
    case T_STROFF:
    case T_STRLEN:
        return strnum(p);
    case K_INT8: case K_INT16: case K_INT32: case K_UINT8: case K_UINT16: case K_UINT32:
    case K_INT8BE: case K_INT16BE: case K_INT32BE: case K_UINT8BE: case K_UINT16BE:
    case K_UINT32BE:
        return readint(p);
    case T_IDENT:
        return identifier(p, 0);
    case T_LPAREN:
        next(p);
        if (++p->depth > VGY_MAX_DEPTH)
            return fail(p, line, "expression nested too deeply");
        e = expr_or(p);
        p->depth--;
        if (!e || expect(p, T_RPAREN))
            return NULL;
        return e;
    default:
        return syntax(p);
    }
}

static vgy_expr *unary(P *p)
{
    if (p->l.tok == T_MINUS || p->l.tok == T_TILDE) {
        int op = p->l.tok == T_MINUS ? E_NEG : E_BNOT, line = p->l.tline;
        next(p);
        if (++p->depth > VGY_MAX_DEPTH)
            return fail(p, line, "expression nested too deeply");
        vgy_expr *a = unary(p);
        p->depth--;
        if (!a)
            return NULL;
        if (op == E_NEG ? !is_num(a) : a->type != VGY_T_INT)
            return fail(p, line, "syntax error");
        if (a->op == E_INT) {
            if (op == E_NEG && a->i == INT64_MIN)
                return fail(p, line, "integer overflow");
            a->i = op == E_NEG ? -a->i : ~a->i;
            return a;
        }
        if (a->op == E_FLT && op == E_NEG) {
            a->f = -a->f;
            return a;
        }
        vgy_expr *e = node(p, op, a->type, line);
        if (e)
            e->a = a;
        return e;
    }
    return primary(p);
}

/* Levels: 0 |, 1 ^, 2 &, 3 << >>, 4 + -, 5 * \ %, 6 unary */
static int arith_op(P *p, int level)
{
    int t = p->l.tok;
    switch (level) {
    case 0: return t == T_PIPE ? E_BOR : -1;
    case 1: return t == T_CARET ? E_BXOR : -1;
    case 2: return t == T_AMP ? E_BAND : -1;
    case 3: return t == T_SHL ? E_SHL : t == T_SHR ? E_SHR : -1;
    case 4: return t == T_PLUS ? E_ADD : t == T_MINUS ? E_SUB : -1;
    case 5: return t == T_STAR ? E_MUL : t == T_DIV ? E_DIV : t == T_PCT ? E_MOD : -1;
    default: return -1;
    }
}

/* `%` followed by `of` is a percentage, not a modulo. */
static int pct_of_ahead(P *p)
{
    const char *s = p->l.p, *end = p->l.end;
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++;
    return end - s >= 2 && s[0] == 'o' && s[1] == 'f' &&
           (end - s == 2 || !(s[2] == '_' || (s[2] >= '0' && s[2] <= '9') ||
                              ((s[2] | 32) >= 'a' && (s[2] | 32) <= 'z')));
}

static int fold(P *p, vgy_expr *e)
{
    int64_t x = e->a->i, y = e->b->i, r = 0;
    switch (e->op) {
    case E_ADD: if (__builtin_add_overflow(x, y, &r)) goto over; break;
    case E_SUB: if (__builtin_sub_overflow(x, y, &r)) goto over; break;
    case E_MUL: if (__builtin_mul_overflow(x, y, &r)) goto over; break;
    case E_DIV: if (x == INT64_MIN && y == -1) goto over; r = x / y; break;
    case E_MOD: if (x == INT64_MIN && y == -1) goto over; r = x % y; break;
    case E_BAND: r = x & y; break;
    case E_BOR: r = x | y; break;
    case E_BXOR: r = x ^ y; break;
    default: return 0;
    }
    e->op = E_INT;
    e->i = r;
    e->a = e->b = NULL;
    return 0;
over:
    fail(p, e->line, "integer overflow");
    return -1;
}

static vgy_expr *expr_arith(P *p, int level)
{
    if (level >= 6)
        return unary(p);
    vgy_expr *l = expr_arith(p, level + 1);
    int op;
    while (l && !p->failed && (op = arith_op(p, level)) >= 0) {
        if (op == E_MOD && pct_of_ahead(p))
            break;
        int line = p->l.tline;
        next(p);
        vgy_expr *r = expr_arith(p, level + 1);
        if (!r)
            return NULL;
        int ints = op == E_MOD || op == E_BAND || op == E_BOR || op == E_BXOR ||
                   op == E_SHL || op == E_SHR;
        if (ints ? (l->type != VGY_T_INT || r->type != VGY_T_INT) : (!is_num(l) || !is_num(r)))
            return fail(p, line, "syntax error");
        if ((op == E_DIV || op == E_MOD) && r->op == E_INT && r->i == 0)
            return fail(p, line, "division by zero");
        vgy_expr *e = node(p, op, (l->type == VGY_T_FLT || r->type == VGY_T_FLT) ? VGY_T_FLT
                                                                                 : VGY_T_INT, line);
        if (!e)
            return NULL;
        e->a = l;
        e->b = r;
        if (l->op == E_INT && r->op == E_INT && fold(p, e))
            return NULL;
        l = e;
    }
    return l;
}

/* ---- quantifiers, of, for --------------------------------------------- */

static int set_add(P *p, uint32_t **set, uint32_t *n, uint32_t *cap, uint32_t v)
{
    for (uint32_t i = 0; i < *n; i++)
        if ((*set)[i] == v)
            return 0;
    if (*n == *cap) {
        uint32_t c = *cap ? *cap * 2 : 8;
        uint32_t *ns = vgy_alloc(p->a, c * sizeof *ns);
        if (!ns) {
            oom(p);
            return -1;
        }
        if (*n)
            memcpy(ns, *set, *n * sizeof *ns);
        *set = ns;
        *cap = c;
    }
    (*set)[(*n)++] = v;
    return 0;
}

/* `them` or ($a, $b*, ...) -> string indices; or (rule, rule*) -> rule
 * indices with *rules = 1. */
static int string_set(P *p, vgy_expr *e, int allow_rules, int *rules)
{
    uint32_t cap = 0;
    *rules = 0;
    if (p->l.tok == K_THEM) {
        if (p->rule->nstrs == 0) {
            fail(p, p->l.tline, "undefined string identifier \"$*\"");
            return -1;
        }
        for (uint32_t i = 0; i < p->rule->nstrs; i++) {
            p->rule->strs[i].referenced = 1;
            if (set_add(p, &e->set, &e->nset, &cap, i))
                return -1;
        }
        next(p);
        return p->failed ? -1 : 0;
    }
    if (expect(p, T_LPAREN))
        return -1;
    int first = 1;
    while (!p->failed && (first || p->l.tok == T_COMMA)) {
        if (!first)
            next(p);
        first = 0;
        if (p->l.tok == T_STRID && !*rules) {
            if (p->l.tlen == 1 && !p->l.star) {
                syntax(p);
                return -1;
            }
            int any = 0;
            for (uint32_t i = 0; i < p->rule->nstrs; i++) {
                const char *id = p->rule->strs[i].id;
                size_t n = p->l.tlen;
                if (p->l.star ? strlen(id) >= n && !memcmp(id, p->l.ts, n)
                              : strlen(id) == n && !memcmp(id, p->l.ts, n)) {
                    p->rule->strs[i].referenced = 1;
                    any = 1;
                    if (set_add(p, &e->set, &e->nset, &cap, i))
                        return -1;
                }
            }
            if (!any) {
                fail(p, p->l.tline, "undefined string identifier \"%.*s%s\"",
                     (int)p->l.tlen, p->l.ts, p->l.star ? "*" : "");
                return -1;
            }
            next(p);
        } else if (p->l.tok == T_IDENT && allow_rules && (e->nset == 0 || *rules)) {
            *rules = 1;
            char name[VGY_MAX_IDENT + 1];
            snprintf(name, sizeof name, "%.*s", (int)p->l.tlen, p->l.ts);
            int star = 0;
            int line = p->l.tline;
            next(p);
            if (p->l.tok == T_STAR) {
                star = 1;
                next(p);
            }
            int any = 0;
            if (!star) {
                const vgy_rule *r = vgy_rules_find(p->rs, p->u, name);
                if (r) {
                    any = 1;
                    if (set_add(p, &e->set, &e->nset, &cap, r->idx))
                        return -1;
                }
            } else {
                size_t n = strlen(name);
                for (uint32_t i = 0; i < p->nrules; i++)
                    if (!strncmp(p->rules[i]->name, name, n)) {
                        any = 1;
                        if (set_add(p, &e->set, &e->nset, &cap, p->rules[i]->idx))
                            return -1;
                    }
                /* rules of earlier units */
                for (uint32_t k = 0;; k++) {
                    const vgy_rule *r = NULL;
                    r = vgy_rules_nth(p->rs, k);
                    if (!r)
                        break;
                    if (!strncmp(r->name, name, n)) {
                        any = 1;
                        if (set_add(p, &e->set, &e->nset, &cap, r->idx))
                            return -1;
                    }
                }
            }
            if (!any) {
                fail(p, line, "undefined identifier \"%s\"", name);
                return -1;
            }
        } else {
            syntax(p);
            return -1;
        }
    }
    return expect(p, T_RPAREN);
}

/* After the quantifier: `of set [in range]`. */
static vgy_expr *of_expr(P *p, int quant, vgy_expr *q, int line)
{
    if (expect(p, K_OF))
        return NULL;
    vgy_expr *e = node(p, E_OF, VGY_T_BOOL, line);
    if (!e)
        return NULL;
    e->quant = (uint8_t)quant;
    e->a = q;
    int rules;
    if (string_set(p, e, 1, &rules))
        return NULL;
    e->i = rules;
    if (p->l.tok == K_IN && !rules) {
        next(p);
        e->range = 1;
        return range(p, e);
    }
    return e;
}

static vgy_expr *for_expr(P *p)
{
    int line = p->l.tline;
    next(p);
    int quant = Q_EXPR;
    vgy_expr *q = NULL;
    if (p->l.tok == K_ALL || p->l.tok == K_ANY || p->l.tok == K_NONE) {
        quant = p->l.tok == K_ALL ? Q_ALL : p->l.tok == K_ANY ? Q_ANY : Q_NONE;
        next(p);
    } else {
        q = expr_arith(p, 0);
        if (!q)
            return NULL;
        if (q->type != VGY_T_INT)
            return fail(p, line, "syntax error");
    }
    vgy_expr *e = node(p, E_FOROF, VGY_T_BOOL, line);
    if (!e)
        return NULL;
    e->quant = (uint8_t)quant;
    e->a = q;
    if (p->l.tok == K_OF) {
        next(p);
        int rules;
        if (string_set(p, e, 0, &rules) || expect(p, T_COLON) || expect(p, T_LPAREN))
            return NULL;
        int saved = p->in_forof;
        p->in_forof = 1;
        e->d = expr_or(p);
        p->in_forof = saved;
        if (!e->d || expect(p, T_RPAREN))
            return NULL;
        return e;
    }
    /* for <quant> id[, id...] in iterable : ( expr ) */
    e->op = E_FORIN;
    e->var0 = p->nvars;
    const char *vn[VGY_MAX_VARS];
    size_t vl[VGY_MAX_VARS];
    while (!p->failed) {
        if (p->l.tok != T_IDENT)
            return syntax(p);
        if (p->nvars + e->nvars >= VGY_MAX_VARS)
            return fail(p, p->l.tline, "too many loop variables");
        for (uint32_t i = 0; i < p->nvars; i++)
            if (p->vars[i].len == p->l.tlen && !memcmp(p->vars[i].name, p->l.ts, p->l.tlen))
                return fail(p, p->l.tline, "duplicated loop variable \"%.*s\"",
                            (int)p->l.tlen, p->l.ts);
        vn[e->nvars] = p->l.ts;
        vl[e->nvars] = p->l.tlen;
        e->nvars++;
        next(p);
        if (p->l.tok != T_COMMA)
            break;
        next(p);
    }
    if (expect(p, K_IN))
        return NULL;
    uint8_t vt[2] = {VGY_T_INT, VGY_T_INT};
    const vgy_decl *vd[2] = {NULL, NULL};
    if (p->l.tok == T_IDENT) { /* a module array or dictionary */
        char nm[VGY_MAX_IDENT + 1];
        int iline = p->l.tline;
        vgy_expr *it = identifier(p, 1);
        if (!it)
            return NULL;
        if (it->op == E_MEMBER || it->op == E_INDEX || it->op == E_VAR) {
            const vgy_decl *d = it->decl;
            snprintf(nm, sizeof nm, "%s", d && d->name ? d->name : "");
        } else
            nm[0] = 0;
        if (it->type != VGY_T_ARRAY && it->type != VGY_T_DICT)
            return fail(p, iline, "identifier \"%s\" is not iterable", nm);
        if (it->type == VGY_T_ARRAY && e->nvars != 1)
            return fail(p, iline, "iterator for \"%s\" yields a single item on each "
                        "iteration, but the loop expects %u", nm, e->nvars);
        if (it->type == VGY_T_DICT && e->nvars != 2)
            return fail(p, iline, "iterator for \"%s\" yields a key,value pair item on "
                        "each iteration", nm);
        e->range = 2;
        e->b = it;
        if (it->type == VGY_T_ARRAY) {
            vt[0] = it->decl->sub->t;
            vd[0] = it->decl->sub;
        } else {
            vt[0] = VGY_T_STR;
            vt[1] = it->decl->sub->t;
            vd[1] = it->decl->sub;
        }
        if (expect(p, T_COLON) || expect(p, T_LPAREN))
            return NULL;
        goto body;
    }
    if (expect(p, T_LPAREN))
        return NULL;
    if (e->nvars != 1)
        return fail(p, line, "iterator yields one value on each iteration, but the loop expects %u",
                    e->nvars);
    vgy_expr *first = expr_arith(p, 0);
    if (!first)
        return NULL;
    if (p->l.tok == T_DOTDOT) {
        e->range = 1;
        next(p);
        e->b = first;
        e->c = expr_arith(p, 0);
        if (!e->c)
            return NULL;
        if (first->type != VGY_T_INT || e->c->type != VGY_T_INT)
            return fail(p, line, "wrong type for range");
    } else {
        vgy_expr *items[256];
        uint32_t n = 0;
        items[n++] = first;
        while (p->l.tok == T_COMMA && !p->failed) {
            next(p);
            if (n == 256)
                return fail(p, line, "too many items");
            items[n] = expr_arith(p, 0);
            if (!items[n])
                return NULL;
            n++;
        }
        for (uint32_t i = 0; i < n; i++)
            if (items[i]->type != VGY_T_INT)
                return fail(p, line, "wrong type in enumeration");
        e->args = vgy_alloc(p->a, n * sizeof *e->args);
        if (!e->args)
            return oom(p);
        memcpy(e->args, items, n * sizeof *items);
        e->nargs = n;
    }
    if (expect(p, T_RPAREN) || expect(p, T_COLON) || expect(p, T_LPAREN))
        return NULL;
body:
    for (uint32_t i = 0; i < e->nvars; i++) {
        p->vars[p->nvars + i].name = vn[i];
        p->vars[p->nvars + i].len = vl[i];
        p->vars[p->nvars + i].type = vt[i];
        p->vars[p->nvars + i].decl = vd[i];
    }
    p->nvars += e->nvars;
    if (p->nvars > p->maxvars)
        p->maxvars = p->nvars;
    e->d = expr_or(p);
    p->nvars -= e->nvars;
    if (!e->d || expect(p, T_RPAREN))
        return NULL;
    return e;
}

/* ---- boolean levels --------------------------------------------------- */

static int cmp_op(int t)
{
    switch (t) {
    case T_EQEQ: return E_EQ;
    case T_NEQ: return E_NE;
    case K_CONTAINS: return E_CONTAINS;
    case K_ICONTAINS: return E_ICONTAINS;
    case K_STARTSWITH: return E_STARTSWITH;
    case K_ISTARTSWITH: return E_ISTARTSWITH;
    case K_ENDSWITH: return E_ENDSWITH;
    case K_IENDSWITH: return E_IENDSWITH;
    case K_IEQUALS: return E_IEQUALS;
    case K_MATCHES: return E_MATCHES;
    default: return -1;
    }
}

static int rel_op(int t)
{
    switch (t) {
    case T_LT: return E_LT;
    case T_LE: return E_LE;
    case T_GT: return E_GT;
    case T_GE: return E_GE;
    default: return -1;
    }
}

static vgy_expr *regex_literal(P *p, int line)
{
    if (p->l.tok != T_SLASH)
        return syntax(p);
    if (vgyl_regex(&p->l) == T_ERR)
        return fail(p, p->l.line, "%s", p->l.err);
    vgy_expr *e = node(p, E_REGEX, VGY_T_REGEX, line);
    if (!e)
        return NULL;
    e->re = vgy_alloc(p->a, sizeof *e->re);
    if (!e->re)
        return oom(p);
    e->re->src = vgy_strndup(p->a, p->l.ts, p->l.tlen);
    if (!e->re->src)
        return oom(p);
    e->re->len = p->l.tlen;
    e->re->flags = p->l.reflags;
    char msg[128];
    if (vgy_regex_compile(e->re, msg, sizeof msg) != VG_OK)
        return fail(p, line, "invalid regular expression \"/%.*s/\": %s", (int)p->l.tlen,
                    p->l.ts, msg);
    if (p->u->nres == p->u->capres) {
        uint32_t cap = p->u->capres ? p->u->capres * 2 : 8;
        struct vgy_regex **nr = realloc(p->u->res, cap * sizeof *nr);
        if (!nr) {
            vgy_regex_free(e->re);
            return oom(p);
        }
        p->u->res = nr;
        p->u->capres = cap;
    }
    p->u->res[p->u->nres++] = e->re;
    next(p);
    return e;
}

static vgy_expr *expr_rel(P *p)
{
    vgy_expr *l = expr_arith(p, 0);
    int op;
    while (l && !p->failed && (op = rel_op(p->l.tok)) >= 0) {
        int line = p->l.tline;
        next(p);
        vgy_expr *r = expr_arith(p, 0);
        if (!r)
            return NULL;
        if (!((is_num(l) && is_num(r)) || (l->type == VGY_T_STR && r->type == VGY_T_STR)))
            return fail(p, line, "syntax error");
        vgy_expr *e = node(p, op, VGY_T_BOOL, line);
        if (!e)
            return NULL;
        e->a = l;
        e->b = r;
        l = e;
    }
    return l;
}

static vgy_expr *expr_cmp(P *p)
{
    int line = p->l.tline;
    if (p->l.tok == K_ALL || p->l.tok == K_ANY || p->l.tok == K_NONE) {
        int q = p->l.tok == K_ALL ? Q_ALL : p->l.tok == K_ANY ? Q_ANY : Q_NONE;
        next(p);
        return of_expr(p, q, NULL, line);
    }
    if (p->l.tok == K_FOR)
        return for_expr(p);
    vgy_expr *l = expr_rel(p);
    if (!l)
        return NULL;
    if (p->l.tok == K_OF || (p->l.tok == T_PCT && pct_of_ahead(p))) {
        int q = Q_EXPR;
        if (p->l.tok == T_PCT) {
            q = Q_PERCENT;
            next(p);
        }
        if (l->type != VGY_T_INT)
            return fail(p, line, "syntax error");
        return of_expr(p, q, l, line);
    }
    int op;
    while (!p->failed && (op = cmp_op(p->l.tok)) >= 0) {
        int oline = p->l.tline;
        next(p);
        vgy_expr *r = op == E_MATCHES ? regex_literal(p, oline) : expr_rel(p);
        if (!r)
            return NULL;
        if (op == E_EQ || op == E_NE) {
            if (!((is_num(l) && is_num(r)) || (l->type == VGY_T_STR && r->type == VGY_T_STR)))
                return fail(p, oline, "syntax error");
        } else if (l->type != VGY_T_STR || (op != E_MATCHES && r->type != VGY_T_STR)) {
            return fail(p, oline, "wrong type for \"%s\" operator", vgyl_name(p->l.tok));
        }
        vgy_expr *e = node(p, op, VGY_T_BOOL, oline);
        if (!e)
            return NULL;
        e->a = l;
        e->b = r;
        l = e;
    }
    return l;
}

static vgy_expr *expr_not(P *p)
{
    if (p->l.tok == K_NOT || p->l.tok == K_DEFINED) {
        int line = p->l.tline, def = p->l.tok == K_DEFINED;
        next(p);
        if (++p->depth > VGY_MAX_DEPTH)
            return fail(p, line, "expression nested too deeply");
        vgy_expr *a = expr_not(p);
        p->depth--;
        if (!a)
            return NULL;
        if (a->type == VGY_T_REGEX)
            return syntax(p);
        vgy_expr *e = node(p, def ? E_EQ : E_NOT, VGY_T_BOOL, line);
        if (!e)
            return NULL;
        if (def) { /* defined x: encoded as E_NOT with range = 1 */
            e->op = E_NOT;
            e->range = 1;
        }
        e->a = a;
        return e;
    }
    return expr_cmp(p);
}

static vgy_expr *expr_and(P *p)
{
    vgy_expr *l = expr_not(p);
    while (l && !p->failed && p->l.tok == K_AND) {
        int line = p->l.tline;
        next(p);
        vgy_expr *r = expr_not(p);
        if (!r)
            return NULL;
        vgy_expr *e = node(p, E_AND, VGY_T_BOOL, line);
        if (!e)
            return NULL;
        e->a = l;
        e->b = r;
        l = e;
    }
    return l;
}

static vgy_expr *expr_or(P *p)
{
    vgy_expr *l = expr_and(p);
    while (l && !p->failed && p->l.tok == K_OR) {
        int line = p->l.tline;
        next(p);
        vgy_expr *r = expr_and(p);
        if (!r)
            return NULL;
        vgy_expr *e = node(p, E_OR, VGY_T_BOOL, line);
        if (!e)
            return NULL;
        e->a = l;
        e->b = r;
        l = e;
    }
    if (l && l->type == VGY_T_REGEX)
        return fail(p, l->line, "syntax error");
    return l;
}

/* ---- strings section -------------------------------------------------- */

static int add_mod(P *p, unsigned *mods, unsigned m, const char *name)
{
    if (*mods & m) {
        fail(p, p->l.tline, "duplicated modifier \"%s\"", name);
        return -1;
    }
    *mods |= m;
    return 0;
}

static int xor_range(P *p, vgy_string *s)
{
    s->xmin = 0;
    s->xmax = 255;
    if (p->l.tok != T_LPAREN)
        return 0;
    next(p);
    if (p->l.tok != T_INT) {
        syntax(p);
        return -1;
    }
    int64_t lo = p->l.ival, hi = lo;
    int line = p->l.tline;
    next(p);
    if (p->l.tok == T_MINUS) {
        next(p);
        if (p->l.tok != T_INT) {
            syntax(p);
            return -1;
        }
        hi = p->l.ival;
        next(p);
    }
    if (expect(p, T_RPAREN))
        return -1;
    if (lo < 0 || lo > 255 || hi < 0 || hi > 255) {
        fail(p, line, "invalid xor range");
        return -1;
    }
    if (lo > hi) {
        fail(p, line, "xor lower bound exceeds upper bound");
        return -1;
    }
    s->xmin = (uint8_t)lo;
    s->xmax = (uint8_t)hi;
    return 0;
}

static int b64_alpha(P *p, vgy_string *s)
{
    if (p->l.tok != T_LPAREN)
        return 0;
    next(p);
    if (p->l.tok != T_TEXT) {
        syntax(p);
        return -1;
    }
    if (p->l.blen != 64) {
        fail(p, p->l.tline, "length of base64 alphabet must be 64");
        return -1;
    }
    if (s->b64alpha && memcmp(s->b64alpha, p->l.buf, 64) != 0) {
        fail(p, p->l.tline, "can not specify multiple alphabets");
        return -1;
    }
    s->b64alpha = vgy_strndup(p->a, (const char *)p->l.buf, 64);
    if (!s->b64alpha) {
        oom(p);
        return -1;
    }
    next(p);
    return expect(p, T_RPAREN);
}

static int modifiers(P *p, vgy_string *s)
{
    for (;;) {
        int t = p->l.tok;
        const char *nm = vgyl_name(t);
        unsigned m;
        switch (t) {
        case K_NOCASE: m = VGY_M_NOCASE; break;
        case K_WIDE: m = VGY_M_WIDE; break;
        case K_ASCII: m = VGY_M_ASCII; break;
        case K_FULLWORD: m = VGY_M_FULLWORD; break;
        case K_PRIVATE: m = VGY_M_PRIVATE; break;
        case K_XOR: m = VGY_M_XOR; break;
        case K_BASE64: m = VGY_M_BASE64; break;
        case K_BASE64WIDE: m = VGY_M_BASE64WIDE; break;
        default: m = 0; break;
        }
        if (!m)
            break;
        int ok = s->kind == VGY_S_TEXT ||
                 (s->kind == VGY_S_HEX && m == VGY_M_PRIVATE) ||
                 (s->kind == VGY_S_REGEX && !(m & (VGY_M_XOR | VGY_M_BASE64 | VGY_M_BASE64WIDE)));
        if (!ok) {
            syntax(p);
            return -1;
        }
        if (add_mod(p, &s->mods, m, nm))
            return -1;
        next(p);
        if (m == VGY_M_XOR && xor_range(p, s))
            return -1;
        if ((m == VGY_M_BASE64 || m == VGY_M_BASE64WIDE) && b64_alpha(p, s))
            return -1;
        if (p->failed)
            return -1;
    }
    unsigned md = s->mods;
    const char *bad = NULL;
    if ((md & VGY_M_XOR) && (md & VGY_M_NOCASE))
        bad = "xor nocase";
    else if ((md & (VGY_M_BASE64 | VGY_M_BASE64WIDE)) && (md & VGY_M_NOCASE))
        bad = "base64 nocase";
    else if ((md & (VGY_M_BASE64 | VGY_M_BASE64WIDE)) && (md & VGY_M_XOR))
        bad = "base64 xor";
    else if ((md & (VGY_M_BASE64 | VGY_M_BASE64WIDE)) && (md & VGY_M_FULLWORD))
        bad = "base64 fullword";
    if (bad) {
        fail(p, p->l.tline, "invalid modifier combination: %s", bad);
        return -1;
    }
    return 0;
}

static int strings_section(P *p)
{
    vgy_string tmp[1024];
    uint32_t n = 0;
    vgy_string *heap = NULL; /* past 1024 strings: grown in the arena */
    uint32_t cap = 1024;
    vgy_string *arr = tmp;
    while (p->l.tok == T_STRID && !p->failed) {
        if (n == cap) {
            uint32_t nc = cap * 2;
            heap = vgy_alloc(p->a, nc * sizeof *heap);
            if (!heap) {
                oom(p);
                return -1;
            }
            memcpy(heap, arr, n * sizeof *heap);
            arr = heap;
            cap = nc;
        }
        vgy_string *s = &arr[n];
        memset(s, 0, sizeof *s);
        s->line = p->l.tline;
        if (p->l.star) {
            syntax(p);
            return -1;
        }
        s->id = vgy_strndup(p->a, p->l.ts, p->l.tlen);
        if (!s->id) {
            oom(p);
            return -1;
        }
        if (p->l.tlen > 1)
            for (uint32_t i = 0; i < n; i++)
                if (!strcmp(arr[i].id, s->id)) {
                    fail(p, s->line, "duplicated string identifier \"%s\"", s->id);
                    return -1;
                }
        next(p);
        if (expect(p, T_EQ))
            return -1;
        if (p->l.tok == T_TEXT) {
            s->kind = VGY_S_TEXT;
            if (p->l.blen == 0) {
                fail(p, s->line, "empty string \"%s\"", s->id);
                return -1;
            }
            s->data = (const uint8_t *)vgy_strndup(p->a, (const char *)p->l.buf, p->l.blen);
            s->len = p->l.blen;
        } else if (p->l.tok == T_LBRACE) {
            s->kind = VGY_S_HEX;
            if (vgyl_hex(&p->l) == T_ERR) {
                fail(p, p->l.line, "%s", p->l.err);
                return -1;
            }
            char *re;
            size_t relen;
            const char *m = vgy_hex_to_regex(p->a, p->l.ts, p->l.tlen, &re, &relen);
            if (m) {
                fail(p, s->line, "%s in string \"%s\"", m, s->id);
                return -1;
            }
            s->data = (const uint8_t *)re;
            s->len = relen;
        } else if (p->l.tok == T_SLASH) {
            s->kind = VGY_S_REGEX;
            if (vgyl_regex(&p->l) == T_ERR) {
                fail(p, p->l.line, "%s", p->l.err);
                return -1;
            }
            const char *m = vgy_regex_check(p->l.ts, p->l.tlen);
            if (m) {
                fail(p, s->line, "invalid regular expression \"%s\": %s", s->id, m);
                return -1;
            }
            s->data = (const uint8_t *)vgy_strndup(p->a, p->l.ts, p->l.tlen);
            s->len = p->l.tlen;
            s->mods |= p->l.reflags;
        } else {
            syntax(p);
            return -1;
        }
        if (!s->data) {
            oom(p);
            return -1;
        }
        n++;
        if (next(p) == T_ERR || modifiers(p, s))
            return -1;
        if (!(s->mods & VGY_M_WIDE))
            s->mods |= VGY_M_ASCII;
    }
    if (n == 0) {
        syntax(p);
        return -1;
    }
    p->rule->strs = vgy_alloc(p->a, n * sizeof *p->rule->strs);
    if (!p->rule->strs) {
        oom(p);
        return -1;
    }
    memcpy(p->rule->strs, arr, n * sizeof *arr);
    p->rule->nstrs = n;
    return 0;
}

static int meta_section(P *p)
{
    if (p->l.tok != T_IDENT)
        return syntax(p), -1;
    while (p->l.tok == T_IDENT && !p->failed) {
        next(p);
        if (expect(p, T_EQ))
            return -1;
        if (p->l.tok == T_MINUS) {
            next(p);
            if (p->l.tok != T_INT)
                return syntax(p), -1;
        } else if (p->l.tok != T_TEXT && p->l.tok != T_INT && p->l.tok != K_TRUE &&
                   p->l.tok != K_FALSE)
            return syntax(p), -1;
        next(p);
    }
    return p->failed ? -1 : 0;
}

/* ---- rules ------------------------------------------------------------ */

static int unit_add_rule(P *p, vgy_rule *r)
{
    if (p->nrules == p->caprules) {
        uint32_t cap = p->caprules ? p->caprules * 2 : 16;
        vgy_rule **nr = realloc(p->rules, cap * sizeof *nr);
        if (!nr)
            return oom(p), -1;
        p->rules = nr;
        p->caprules = cap;
    }
    p->rules[p->nrules++] = r;
    p->u->rules = p->rules;
    p->u->nrules = p->nrules;
    if (vgy_rules_index(p->rs, r) != VG_OK)
        return oom(p), -1;
    return 0;
}

static int rule(P *p, uint32_t base_idx)
{
    unsigned flags = 0;
    while (p->l.tok == K_PRIVATE || p->l.tok == K_GLOBAL) {
        unsigned f = p->l.tok == K_PRIVATE ? VGY_R_PRIVATE : VGY_R_GLOBAL;
        if (flags & f)
            return fail(p, p->l.tline, "duplicated rule modifier"), -1;
        flags |= f;
        next(p);
    }
    if (expect(p, K_RULE))
        return -1;
    if (p->l.tok != T_IDENT)
        return syntax(p), -1;
    vgy_rule *r = vgy_alloc(p->a, sizeof *r);
    if (!r)
        return oom(p), -1;
    r->line = p->l.tline;
    r->flags = flags;
    r->file = p->fname;
    r->name = vgy_strndup(p->a, p->l.ts, p->l.tlen);
    if (!r->name)
        return oom(p), -1;
    if (vgy_rules_find(p->rs, p->u, r->name) || vgy_rules_ext(p->rs, r->name, NULL) ||
        vgy_module_index(r->name) >= 0)
        return fail(p, r->line, "duplicated identifier \"%s\"", r->name), -1;
    p->rule = r;
    next(p);
    if (p->l.tok == T_COLON) {
        next(p);
        const char *tags[64];
        size_t tl[64];
        int nt = 0;
        if (p->l.tok != T_IDENT)
            return syntax(p), -1;
        while (p->l.tok == T_IDENT) {
            for (int i = 0; i < nt; i++)
                if (tl[i] == p->l.tlen && !memcmp(tags[i], p->l.ts, tl[i]))
                    return fail(p, p->l.tline, "duplicated tag identifier \"%.*s\"",
                                (int)p->l.tlen, p->l.ts), -1;
            if (nt < 64) {
                tags[nt] = p->l.ts;
                tl[nt++] = p->l.tlen;
            }
            next(p);
        }
    }
    if (expect(p, T_LBRACE))
        return -1;
    if (p->l.tok == K_META) {
        next(p);
        if (expect(p, T_COLON) || meta_section(p))
            return -1;
    }
    if (p->l.tok == K_STRINGS) {
        next(p);
        if (expect(p, T_COLON) || strings_section(p))
            return -1;
    }
    if (expect(p, K_CONDITION) || expect(p, T_COLON))
        return -1;
    p->nvars = p->maxvars = 0;
    p->depth = 0;
    r->cond = expr_or(p);
    if (!r->cond)
        return -1;
    r->nvars = p->maxvars;
    if (p->l.tok != T_RBRACE)
        return syntax(p), -1;
    for (uint32_t i = 0; i < r->nstrs; i++)
        if (!r->strs[i].referenced)
            return fail(p, p->l.tline, "unreferenced string \"%s\"", r->strs[i].id), -1;
    next(p);
    r->idx = base_idx + p->nrules;
    p->rule = NULL;
    return unit_add_rule(p, r);
}

static int parse_text(P *p, const char *text, size_t len, uint32_t base_idx);

static int include(P *p, uint32_t base_idx)
{
    int line = p->l.tline;
    next(p);
    if (p->l.tok != T_TEXT)
        return syntax(p), -1;
    if (p->incdepth >= MAX_INCLUDE_DEPTH)
        return fail(p, line, "includes nested too deeply"), -1;
    char path[4096];
    const char *slash = strrchr(p->fname, '/');
    if (p->l.buf[0] == '/' || !slash)
        snprintf(path, sizeof path, "%.*s", (int)p->l.blen, (const char *)p->l.buf);
    else
        snprintf(path, sizeof path, "%.*s/%.*s", (int)(slash - p->fname), p->fname,
                 (int)p->l.blen, (const char *)p->l.buf);
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(p, line, "can't open include file: %s", path), -1;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            char *nb = cap > (64u << 20) ? NULL : realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return oom(p), -1;
            }
            buf = nb;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    char *fn = vgy_strndup(p->a, path, strlen(path));
    if (!fn) {
        free(buf);
        return oom(p), -1;
    }
    vgyl saved = p->l;
    const char *savedf = p->fname;
    p->fname = fn;
    p->incdepth++;
    int rc = parse_text(p, buf, n, base_idx);
    p->incdepth--;
    vgyl_free(&p->l);
    p->l = saved;
    p->fname = savedf;
    free(buf);
    if (rc)
        return -1;
    next(p);
    return p->failed ? -1 : 0;
}

static int parse_text(P *p, const char *text, size_t len, uint32_t base_idx)
{
    vgyl_init(&p->l, text, len);
    next(p);
    while (!p->failed && p->l.tok != T_EOF) {
        if (p->l.tok == K_IMPORT) {
            int line = p->l.tline;
            next(p);
            if (p->l.tok != T_TEXT)
                return syntax(p), -1;
            char m[32];
            snprintf(m, sizeof m, "%.*s", (int)p->l.blen, (const char *)p->l.buf);
            if (p->l.blen >= sizeof m || vgy_module_index(m) < 0)
                return fail(p, line, "unknown module \"%.*s\"", (int)p->l.blen,
                            (const char *)p->l.buf), -1;
            if (!imported(p, m) && *p->nimports < MAX_IMPORTS)
                memcpy(p->imports[(*p->nimports)++], m, sizeof m);
            next(p);
        } else if (p->l.tok == K_INCLUDE) {
            if (include(p, base_idx))
                return -1;
        } else if (rule(p, base_idx))
            return -1;
    }
    return p->failed ? -1 : 0;
}


vg_status vgy_parse(vgy_rules *rs, vgy_unit *u, const char *fname, const char *text,
                    size_t len, char *err, size_t errlen)
{
    P p;
    memset(&p, 0, sizeof p);
    char imports[MAX_IMPORTS][32];
    int nimports = 0;
    p.imports = imports;
    p.nimports = &nimports;
    p.rs = rs;
    p.u = u;
    p.a = &u->arena;
    p.fname = u->fname ? u->fname : fname;
    p.err = err;
    p.errlen = errlen;
    int rc = parse_text(&p, text, len, vgy_rules_total(rs));
    vgyl_free(&p.l);
    if (rc) {
        free(p.rules);
        u->rules = NULL;
        u->nrules = 0;
        return strstr(err, "out of memory") ? VG_ENOMEM : VG_EFORMAT;
    }
    return VG_OK;
}
