/* yara/seq.c - YARA strings as byte programs: windows for the one
 * Vectorscan pass, and a small backtracking verifier.
 *
 * Why. Handing every YARA string to Vectorscan as a whole regex makes the
 * compile slow (a hex string with jumps and alternatives is a large
 * automaton; 100,000 of them took minutes) and variable-length strings
 * then need PCRE2 over the whole file. YARA itself searches short atoms
 * and verifies each hit; vigil's ClamAV matcher does the same with
 * windows (match/matcher.c). Here a string becomes a program of nodes:
 *
 *   BYTE, NOCASE, SET   one byte (a literal, a letter in either case, a
 *                       256-bit class: `??`, nibbles, [..], ., \d ...)
 *   REP                 lo..hi bytes of one class, lazy or greedy: hex
 *                       jumps [n-m] (lazy, as yara) and x*, x+, x{n,m}
 *   ALT                 alternatives tried in order (hex (aa|bb cc))
 *   OPAQUE              anything else in a regex (a quantified group, ^, $,
 *                       \b): known only by its width range
 *
 * A window is a run of up to maxlen top-level one-byte nodes, scored as in
 * matcher.c (8 bits a literal, less for 00/ff and repeats, log2(256/k) for
 * a class of k), whose distance from the string's start varies by at most
 * maxspan. Vectorscan reports each window occurrence; the string's start is
 * then one of the dmax - dmin + 1 offsets before it, each verified anchored.
 *
 * The verifier gives what PCRE2 gives for the same regex (strings.c used
 * PCRE2 before, and its results are checked against yara): alternatives in
 * order, lazy repeats shortest first, greedy longest first, the first
 * complete path wins. yara itself is not a backtracking engine: it matches
 * forwards and backwards from its atom, so where a string has several
 * ways through (alternatives of different lengths), its answer depends on
 * which atom it chose; on random strings (tests/e2e/yara/randstrings.py)
 * the backtracking answer agrees with yara more often than the shortest or
 * the longest does. It recurses once per REP/ALT on the path, so the
 * depth is bounded by the program's REP+ALT count (the caller sends long
 * ones to PCRE2); failed (node, position) pairs are remembered for the
 * buffer, so each is searched once (polynomial, not exponential, in the
 * jumps), and a step budget bounds the rest.
 *
 * The parser reads the regex text strings.c writes: for hex strings its own
 * subset (\xHH, ., classes, (?:a|b), .{n,m}?), for regexes the PCRE2 text
 * of the yara regex. What it does not model it refuses (VG_EFORMAT), and
 * the caller keeps the string whole in Vectorscan and PCRE2 as before. A
 * window must never miss a match, so where PCRE2's class is not certain
 * (\s) the parser errs on the wide side: verification removes the rest. */
#include "yara/seq.h"
#include "core/hex.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEQ_MAX_DEPTH 64     /* group nesting in a regex */
#define SEQ_MAX_EXPAND 64    /* x{n} with n up to this is n nodes */
#define SEQ_MAX_REPEAT 65535 /* PCRE2's largest repeat count */

void vgy_sqpool_free(vgy_sqpool *p)
{
    free(p->nodes);
    free(p->br);
    free(p->sets);
    memset(p, 0, sizeof *p);
}

/* ---- growable vectors ------------------------------------------------- */

typedef struct nvec {
    vgy_sqnode *v;
    uint32_t n, cap;
} nvec;

static int nvec_push(nvec *a, const vgy_sqnode *x)
{
    if (a->n == a->cap) {
        uint32_t cap = a->cap ? a->cap * 2 : 16;
        vgy_sqnode *nv = realloc(a->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        a->v = nv;
        a->cap = cap;
    }
    a->v[a->n++] = *x;
    return 0;
}

/* Append n nodes to the pool; returns the first index or UINT32_MAX. */
/* The pool's nodes from `at` on. A pool with no node yet has nodes == NULL,
 * and even NULL + 0 is undefined in C, so an empty run gets NULL (its
 * callers read none of it). */
static const vgy_sqnode *nodes_at(const vgy_sqpool *p, uint32_t at)
{
    return p->nodes ? p->nodes + at : NULL;
}

static uint32_t pool_nodes(vgy_sqpool *p, const vgy_sqnode *v, uint32_t n)
{
    if (p->nnodes + n < p->nnodes)
        return UINT32_MAX;
    if (p->nnodes + n > p->capnodes) {
        uint32_t cap = p->capnodes ? p->capnodes : 1024;
        while (cap < p->nnodes + n)
            cap *= 2;
        vgy_sqnode *nv = realloc(p->nodes, (size_t)cap * sizeof *nv);
        if (!nv)
            return UINT32_MAX;
        p->nodes = nv;
        p->capnodes = cap;
    }
    if (n)
        memcpy(p->nodes + p->nnodes, v, (size_t)n * sizeof *v);
    p->nnodes += n;
    return p->nnodes - n;
}

static uint32_t pool_branch(vgy_sqpool *p, uint32_t first, uint32_t n)
{
    if (p->nbr == p->capbr) {
        uint32_t cap = p->capbr ? p->capbr * 2 : 256;
        vgy_sqbranch *nb = realloc(p->br, (size_t)cap * sizeof *nb);
        if (!nb)
            return UINT32_MAX;
        p->br = nb;
        p->capbr = cap;
    }
    p->br[p->nbr].first = first;
    p->br[p->nbr].n = n;
    return p->nbr++;
}

static uint32_t pool_set(vgy_sqpool *p, const uint8_t set[32])
{
    if (p->nsets == p->capsets) {
        uint32_t cap = p->capsets ? p->capsets * 2 : 256;
        uint8_t(*ns)[32] = realloc(p->sets, (size_t)cap * 32);
        if (!ns)
            return UINT32_MAX;
        p->sets = ns;
        p->capsets = cap;
    }
    memcpy(p->sets[p->nsets], set, 32);
    return p->nsets++;
}

#define SET_HAS(s, c) (((s)[(c) >> 3] >> ((c) & 7)) & 1u)
#define SET_ADD(s, c) ((s)[(c) >> 3] |= (uint8_t)(1u << ((c) & 7)))

static int is_alpha(int c) { return ((c | 32) >= 'a' && (c | 32) <= 'z'); }

/* ---- widths ----------------------------------------------------------- */

static uint32_t sat_add(uint32_t a, uint32_t b)
{
    return (a == VGY_SEQ_INF || b == VGY_SEQ_INF || a + b < a || a + b == VGY_SEQ_INF)
               ? VGY_SEQ_INF
               : a + b;
}

static uint32_t sat_mul(uint32_t a, uint32_t b)
{
    if (a == 0 || b == 0)
        return 0;
    if (a == VGY_SEQ_INF || b == VGY_SEQ_INF || (uint64_t)a * b >= VGY_SEQ_INF)
        return VGY_SEQ_INF;
    return a * b;
}

static void seq_width(const vgy_sqpool *p, const vgy_sqnode *v, uint32_t n, uint32_t *mn,
                      uint32_t *mx);

static void node_width(const vgy_sqpool *p, const vgy_sqnode *x, uint32_t *mn, uint32_t *mx)
{
    switch (x->kind) {
    case SQ_BYTE:
    case SQ_NOCASE:
    case SQ_SET:
        *mn = *mx = 1;
        return;
    case SQ_REP:
    case SQ_OPAQUE:
        *mn = x->lo;
        *mx = x->hi;
        return;
    default: { /* SQ_ALT */
        uint32_t lo = VGY_SEQ_INF, hi = 0;
        for (uint32_t b = 0; b < x->hi; b++) {
            const vgy_sqbranch *br = &p->br[x->lo + b];
            uint32_t a, c;
            seq_width(p, nodes_at(p, br->first), br->n, &a, &c);
            if (a < lo)
                lo = a;
            if (c > hi)
                hi = c;
        }
        *mn = lo;
        *mx = hi;
        return;
    }
    }
}

static void seq_width(const vgy_sqpool *p, const vgy_sqnode *v, uint32_t n, uint32_t *mn,
                      uint32_t *mx)
{
    uint32_t lo = 0, hi = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a, b;
        node_width(p, &v[i], &a, &b);
        lo = sat_add(lo, a);
        hi = sat_add(hi, b);
    }
    *mn = lo;
    *mx = hi;
}

/* ---- regex parser ----------------------------------------------------- */

typedef struct rxp {
    vgy_sqpool *p;
    const char *s, *e;
    int nocase, dotall;
    vg_status err;
    uint8_t opaque;
    uint32_t nsplit;
    int depth;
} rxp;

static void fail(rxp *x, vg_status st)
{
    if (x->err == VG_OK)
        x->err = st;
}

static void set_class(uint8_t set[32], int cls)
{
    uint8_t t[32] = {0};
    int neg = cls >= 'A' && cls <= 'Z';
    for (int c = 0; c < 256; c++) {
        int in = 0;
        switch (cls | 32) {
        case 'd': in = c >= '0' && c <= '9'; break;
        case 'w': in = (c >= '0' && c <= '9') || is_alpha(c) || c == '_'; break;
        default:  in = c == ' ' || (c >= 9 && c <= 13); break; /* 's' */
        }
        if (in)
            SET_ADD(t, c);
    }
    for (int i = 0; i < 32; i++)
        set[i] |= neg ? (uint8_t)~t[i] : t[i];
}

/* One escape at x->s ('\\'). Returns 1 with *byte set, 2 with classes
 * added to set, 3 for a zero-width assertion; 0 on error. */
static int escape(rxp *x, int in_class, int *byte, uint8_t set[32])
{
    if (x->s + 1 >= x->e) {
        fail(x, VG_EFORMAT);
        return 0;
    }
    int c = (unsigned char)x->s[1];
    x->s += 2;
    switch (c) {
    case 'x': {
        int v = 0, k = 0;
        while (k < 2 && x->s < x->e && vg_hexval((unsigned char)*x->s) >= 0) {
            v = v * 16 + vg_hexval((unsigned char)*x->s);
            x->s++;
            k++;
        }
        if (k == 0) {
            fail(x, VG_EFORMAT);
            return 0;
        }
        *byte = v;
        return 1;
    }
    case 'n': *byte = 10; return 1;
    case 'r': *byte = 13; return 1;
    case 't': *byte = 9; return 1;
    case 'f': *byte = 12; return 1;
    case 'a': *byte = 7; return 1;
    case 'e': *byte = 27; return 1;
    case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
        set_class(set, c);
        return 2;
    case 'b':
        if (in_class) {
            *byte = 8;
            return 1;
        }
        return 3;
    case 'B':
        if (in_class)
            break;
        return 3;
    default:
        if ((c >= '0' && c <= '9') || is_alpha(c))
            break; /* \v \h \R \1 \A \z \p ...: not modelled */
        *byte = c;
        return 1;
    }
    fail(x, VG_EFORMAT);
    return 0;
}

static void add_case(uint8_t set[32])
{
    for (int c = 'a'; c <= 'z'; c++)
        if (SET_HAS(set, c) || SET_HAS(set, c - 32)) {
            SET_ADD(set, c);
            SET_ADD(set, c - 32);
        }
}

static void parse_class(rxp *x, uint8_t set[32])
{
    x->s++; /* '[' */
    int neg = 0;
    if (x->s < x->e && *x->s == '^') {
        neg = 1;
        x->s++;
    }
    int first = 1;
    while (x->err == VG_OK) {
        if (x->s >= x->e) {
            fail(x, VG_EFORMAT);
            return;
        }
        if (*x->s == ']' && !first) {
            x->s++;
            break;
        }
        first = 0;
        if (*x->s == '[' && x->s + 1 < x->e &&
            (x->s[1] == ':' || x->s[1] == '.' || x->s[1] == '=')) {
            fail(x, VG_EFORMAT); /* POSIX classes: not modelled */
            return;
        }
        int lo;
        if (*x->s == '\\') {
            int k = escape(x, 1, &lo, set);
            if (k == 2)
                continue;
            if (k != 1)
                return;
        } else
            lo = (unsigned char)*x->s++;
        int hi = lo;
        if (x->s + 1 < x->e && *x->s == '-' && x->s[1] != ']') {
            x->s++;
            if (*x->s == '\\') {
                uint8_t dummy[32] = {0};
                if (escape(x, 1, &hi, dummy) != 1) {
                    fail(x, VG_EFORMAT);
                    return;
                }
            } else
                hi = (unsigned char)*x->s++;
            if (hi < lo) {
                fail(x, VG_EFORMAT);
                return;
            }
        }
        for (int c = lo; c <= hi; c++)
            SET_ADD(set, c);
    }
    if (x->nocase)
        add_case(set);
    if (neg)
        for (int i = 0; i < 32; i++)
            set[i] = (uint8_t)~set[i];
}

/* A quantifier at x->s, if any: returns 1 and fills lo/hi/lazy. */
static int quantifier(rxp *x, uint32_t *lo, uint32_t *hi, int *lazy)
{
    if (x->s >= x->e)
        return 0;
    const char *s = x->s;
    char c = *s;
    if (c == '*' || c == '+' || c == '?') {
        *lo = c == '+' ? 1 : 0;
        *hi = c == '?' ? 1 : VGY_SEQ_INF;
        s++;
    } else if (c == '{') {
        const char *t = s + 1;
        uint32_t a = 0, b;
        int da = 0, db = 0;
        while (t < x->e && *t >= '0' && *t <= '9' && da < 7) {
            a = a * 10 + (uint32_t)(*t++ - '0');
            da++;
        }
        if (!da)
            return 0; /* "{,n}" never reaches here; "{x" is a literal */
        b = a;
        if (t < x->e && *t == ',') {
            t++;
            b = 0;
            while (t < x->e && *t >= '0' && *t <= '9' && db < 7) {
                b = b * 10 + (uint32_t)(*t++ - '0');
                db++;
            }
            if (!db)
                b = VGY_SEQ_INF;
        }
        if (t >= x->e || *t != '}')
            return 0;
        if (a > SEQ_MAX_REPEAT || (b != VGY_SEQ_INF && (b > SEQ_MAX_REPEAT || b < a))) {
            fail(x, VG_EFORMAT);
            return 0;
        }
        *lo = a;
        *hi = b;
        s = t + 1;
    } else
        return 0;
    *lazy = 0;
    if (s < x->e && *s == '?') {
        *lazy = 1;
        s++;
    } else if (s < x->e && *s == '+') {
        fail(x, VG_EFORMAT); /* possessive */
        return 0;
    }
    x->s = s;
    return 1;
}

static void parse_alts(rxp *x, nvec *out);

static void push(rxp *x, nvec *v, const vgy_sqnode *n)
{
    if (nvec_push(v, n))
        fail(x, VG_ENOMEM);
}

/* A one-byte atom (BYTE/NOCASE/SET) with its quantifier, if any. */
static void atom_quant(rxp *x, nvec *cur, vgy_sqnode *atom)
{
    uint32_t lo, hi;
    int lazy;
    if (!quantifier(x, &lo, &hi, &lazy)) {
        push(x, cur, atom);
        return;
    }
    if (lo == hi && lo <= SEQ_MAX_EXPAND) {
        for (uint32_t k = 0; k < lo; k++)
            push(x, cur, atom);
        return;
    }
    uint8_t set[32] = {0};
    if (atom->kind == SQ_SET)
        memcpy(set, x->p->sets[atom->set], 32);
    else {
        SET_ADD(set, atom->b);
        if (atom->kind == SQ_NOCASE)
            SET_ADD(set, atom->b ^ 32);
    }
    vgy_sqnode r = {.kind = SQ_REP, .lazy = (uint8_t)lazy, .lo = lo, .hi = hi};
    r.set = pool_set(x->p, set);
    if (r.set == UINT32_MAX) {
        fail(x, VG_ENOMEM);
        return;
    }
    x->nsplit++;
    push(x, cur, &r);
}

static void byte_atom(rxp *x, int c, vgy_sqnode *n)
{
    memset(n, 0, sizeof *n);
    if (x->nocase && is_alpha(c)) {
        n->kind = SQ_NOCASE;
        n->b = (uint8_t)(c | 32);
    } else {
        n->kind = SQ_BYTE;
        n->b = (uint8_t)c;
    }
}

static int set_atom(rxp *x, const uint8_t set[32], vgy_sqnode *n)
{
    memset(n, 0, sizeof *n);
    n->kind = SQ_SET;
    n->set = pool_set(x->p, set);
    if (n->set == UINT32_MAX) {
        fail(x, VG_ENOMEM);
        return -1;
    }
    return 0;
}

static void opaque(rxp *x, nvec *cur, uint32_t lo, uint32_t hi)
{
    vgy_sqnode o = {.kind = SQ_OPAQUE, .lo = lo, .hi = hi};
    x->opaque = 1;
    push(x, cur, &o);
}

static void parse_branch(rxp *x, nvec *cur)
{
    while (x->err == VG_OK && x->s < x->e) {
        char c = *x->s;
        vgy_sqnode n;
        if (c == '|' || c == ')')
            return;
        if (c == '(') {
            x->s++;
            if (x->s < x->e && *x->s == '?') {
                if (x->s + 1 < x->e && x->s[1] == ':')
                    x->s += 2;
                else {
                    fail(x, VG_EFORMAT);
                    return;
                }
            }
            if (++x->depth > SEQ_MAX_DEPTH) {
                fail(x, VG_EFORMAT);
                return;
            }
            nvec sub = {0};
            parse_alts(x, &sub);
            x->depth--;
            if (x->err == VG_OK && (x->s >= x->e || *x->s != ')'))
                fail(x, VG_EFORMAT);
            if (x->err != VG_OK) {
                free(sub.v);
                return;
            }
            x->s++;
            uint32_t lo, hi;
            int lazy;
            if (sub.n == 1 && sub.v[0].kind <= SQ_SET) {
                n = sub.v[0];
                atom_quant(x, cur, &n);
            } else if (quantifier(x, &lo, &hi, &lazy)) {
                /* (X){n,m} with n >= 1 starts with one X: windows may
                 * come from it; the other repeats are only a width */
                uint32_t a, b, first = lo >= 1;
                seq_width(x->p, sub.v, sub.n, &a, &b);
                for (uint32_t i = 0; first && i < sub.n; i++)
                    push(x, cur, &sub.v[i]);
                opaque(x, cur, sat_mul(a, lo - first),
                       sat_mul(b, hi == VGY_SEQ_INF ? hi : hi - first));
            } else
                for (uint32_t i = 0; i < sub.n; i++)
                    push(x, cur, &sub.v[i]);
            free(sub.v);
            continue;
        }
        if (c == '[') {
            uint8_t set[32] = {0};
            parse_class(x, set);
            if (x->err != VG_OK || set_atom(x, set, &n))
                return;
            atom_quant(x, cur, &n);
            continue;
        }
        if (c == '.') {
            uint8_t set[32];
            memset(set, 0xff, sizeof set);
            if (!x->dotall)
                set['\n' >> 3] &= (uint8_t)~(1u << ('\n' & 7));
            x->s++;
            if (set_atom(x, set, &n))
                return;
            atom_quant(x, cur, &n);
            continue;
        }
        if (c == '^' || c == '$') {
            x->s++;
            opaque(x, cur, 0, 0);
            continue;
        }
        if (c == '*' || c == '+' || c == '?') {
            fail(x, VG_EFORMAT);
            return;
        }
        if (c == '\\') {
            int b;
            uint8_t set[32] = {0};
            int k = escape(x, 0, &b, set);
            if (k == 1)
                byte_atom(x, b, &n);
            else if (k == 2) {
                if (set_atom(x, set, &n))
                    return;
            } else if (k == 3) {
                opaque(x, cur, 0, 0);
                continue;
            } else
                return;
            atom_quant(x, cur, &n);
            continue;
        }
        if (c == '{') {
            uint32_t lo, hi;
            int lazy;
            if (quantifier(x, &lo, &hi, &lazy)) { /* nothing to repeat */
                fail(x, VG_EFORMAT);
                return;
            }
        }
        x->s++;
        byte_atom(x, (unsigned char)c, &n);
        atom_quant(x, cur, &n);
    }
}

static void parse_alts(rxp *x, nvec *out)
{
    nvec *brs = NULL;
    uint32_t nb = 0, capb = 0;
    for (;;) {
        if (nb == capb) {
            uint32_t cap = capb ? capb * 2 : 4;
            nvec *n2 = realloc(brs, cap * sizeof *n2);
            if (!n2) {
                fail(x, VG_ENOMEM);
                break;
            }
            brs = n2;
            capb = cap;
        }
        memset(&brs[nb], 0, sizeof brs[nb]);
        parse_branch(x, &brs[nb++]);
        if (x->err != VG_OK || x->s >= x->e || *x->s != '|')
            break;
        x->s++;
    }
    if (x->err == VG_OK && nb == 1) {
        for (uint32_t i = 0; i < brs[0].n; i++)
            push(x, out, &brs[0].v[i]);
    } else if (x->err == VG_OK) {
        /* branch nodes go to the pool, then the branch entries in a row */
        uint32_t *first = malloc(nb * sizeof *first);
        if (!first)
            fail(x, VG_ENOMEM);
        for (uint32_t b = 0; first && b < nb && x->err == VG_OK; b++) {
            first[b] = pool_nodes(x->p, brs[b].v, brs[b].n);
            if (first[b] == UINT32_MAX)
                fail(x, VG_ENOMEM);
        }
        uint32_t b0 = UINT32_MAX;
        for (uint32_t b = 0; first && b < nb && x->err == VG_OK; b++) {
            uint32_t k = pool_branch(x->p, first[b], brs[b].n);
            if (k == UINT32_MAX)
                fail(x, VG_ENOMEM);
            if (b == 0)
                b0 = k;
        }
        free(first);
        if (x->err == VG_OK) {
            vgy_sqnode a = {.kind = SQ_ALT, .lo = b0, .hi = nb};
            x->nsplit++;
            push(x, out, &a);
        }
    }
    for (uint32_t b = 0; b < nb; b++)
        free(brs[b].v);
    free(brs);
}

vg_status vgy_seq_parse(vgy_sqpool *p, const char *re, size_t len, int nocase, int dotall,
                        vgy_sqprog *out)
{
    rxp x = {.p = p, .s = re, .e = re + len, .nocase = nocase, .dotall = dotall};
    nvec top = {0};
    parse_alts(&x, &top);
    if (x.err == VG_OK && x.s != x.e)
        fail(&x, VG_EFORMAT); /* an unbalanced ')' */
    if (x.err == VG_OK) {
        out->first = pool_nodes(p, top.v, top.n);
        out->n = top.n;
        out->opaque = x.opaque;
        out->nsplit = x.nsplit;
        if (out->first == UINT32_MAX)
            x.err = VG_ENOMEM;
    }
    free(top.v);
    return x.err;
}

vg_status vgy_seq_literal(vgy_sqpool *p, const uint8_t *s, size_t n, int nocase, int wide,
                          uint8_t key, vgy_sqprog *out)
{
    size_t total = wide ? n * 2 : n;
    if (total > UINT32_MAX / 2)
        return VG_EFORMAT;
    vgy_sqnode *v = malloc((total + 1) * sizeof *v);
    if (!v)
        return VG_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int c = s[i] ^ key;
        memset(&v[k], 0, sizeof v[k]);
        if (nocase && is_alpha(c)) {
            v[k].kind = SQ_NOCASE;
            v[k].b = (uint8_t)(c | 32);
        } else {
            v[k].kind = SQ_BYTE;
            v[k].b = (uint8_t)c;
        }
        k++;
        if (wide) {
            memset(&v[k], 0, sizeof v[k]);
            v[k].kind = SQ_BYTE;
            v[k].b = key;
            k++;
        }
    }
    out->first = pool_nodes(p, v, (uint32_t)k);
    out->n = (uint32_t)k;
    out->opaque = 0;
    out->nsplit = 0;
    free(v);
    return out->first == UINT32_MAX ? VG_ENOMEM : VG_OK;
}

/* ---- windows ---------------------------------------------------------- */

static int popcount32(const uint8_t s[32])
{
    int k = 0;
    for (int i = 0; i < 32; i++)
        k += __builtin_popcount(s[i]);
    return k;
}

static double node_bits(const vgy_sqpool *p, const vgy_sqnode *x, const vgy_sqnode *prev)
{
    switch (x->kind) {
    case SQ_BYTE: {
        int common = x->b == 0 || x->b == 0xff;
        if (prev && prev->kind == SQ_BYTE && prev->b == x->b)
            return common ? 1 : 2;
        return common ? 5 : 8;
    }
    case SQ_NOCASE:
        return 7;
    default: {
        int k = popcount32(p->sets[x->set]);
        return k <= 0 ? 8 : log2(256.0 / k);
    }
    }
}

/* The fast path, as in match/matcher.c: a run of up to SEQ_LIT_WINDOW
 * plain literal bytes (letters of a nocase string count: Vectorscan takes
 * [Aa] as a caseless literal). Vectorscan compiles such literals several
 * times faster than windows with classes, and SEQ_LIT_MIN distinct bytes
 * are rare enough that a hit's verification costs next to nothing. */
#define SEQ_LIT_WINDOW 8
#define SEQ_LIT_MIN 6

static int literal_window(const vgy_sqpool *p, uint32_t first, uint32_t n, uint32_t maxspan,
                          vgy_sqwin *w)
{
    const vgy_sqnode *v = nodes_at(p, first);
    uint32_t dmin = 0, dmax = 0;
    double best = 8.0 * SEQ_LIT_MIN - 1.5;
    int found = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (v[i].kind == SQ_BYTE || v[i].kind == SQ_NOCASE) {
            if (dmax != VGY_SEQ_INF && dmax - dmin <= maxspan) {
                double sc = 0;
                uint32_t l = 0;
                while (i + l < n && l < SEQ_LIT_WINDOW &&
                       (v[i + l].kind == SQ_BYTE || v[i + l].kind == SQ_NOCASE)) {
                    sc += node_bits(p, &v[i + l], l ? &v[i + l - 1] : NULL);
                    l++;
                }
                sc -= 2.0 * log2(1.0 + (dmax - dmin));
                if (l >= SEQ_LIT_MIN && sc > best) {
                    best = sc;
                    found = 1;
                    w->at = first + i;
                    w->len = l;
                    w->dmin = dmin;
                    w->dmax = dmax;
                    w->exact = i == 0 && l == n;
                    w->bits = sc;
                }
            }
        }
        uint32_t a, b;
        node_width(p, &v[i], &a, &b);
        dmin = sat_add(dmin, a);
        dmax = sat_add(dmax, b);
    }
    return found;
}

static int window_in(const vgy_sqpool *p, uint32_t first, uint32_t n, uint32_t maxlen,
                     uint32_t maxspan, double minbits, vgy_sqwin *w)
{
    if (literal_window(p, first, n, maxspan, w))
        return 1;
    const vgy_sqnode *v = nodes_at(p, first);
    uint32_t dmin = 0, dmax = 0;
    int found = 0;
    double best = -1e9;
    double *bits = malloc((n + 1) * sizeof *bits);
    if (!bits || maxlen == 0) {
        free(bits);
        return 0;
    }
    uint32_t i = 0;
    while (i < n) {
        if (v[i].kind > SQ_SET) {
            uint32_t a, b;
            node_width(p, &v[i], &a, &b);
            dmin = sat_add(dmin, a);
            dmax = sat_add(dmax, b);
            i++;
            continue;
        }
        uint32_t j = i;
        while (j < n && v[j].kind <= SQ_SET) {
            bits[j] = node_bits(p, &v[j], j > i ? &v[j - 1] : NULL);
            j++;
        }
        if (dmax != VGY_SEQ_INF && dmax - dmin <= maxspan) {
            uint32_t span = dmax - dmin, L = j - i < maxlen ? j - i : maxlen;
            double sum = 0;
            for (uint32_t k = i; k < i + L; k++)
                sum += bits[k];
            uint32_t bs = i;
            double bsum = sum;
            for (uint32_t k = i + L; k < j; k++) {
                sum += bits[k] - bits[k - L];
                if (sum > bsum + 1e-9) {
                    bsum = sum;
                    bs = k - L + 1;
                }
            }
            uint32_t be = bs + L;
            int whole = i == 0 && j == n && L == j - i;
            if (!whole) { /* drop `??`-like ends: they only widen the window */
                while (be > bs && bits[be - 1] < 0.01)
                    be--;
                while (bs < be && bits[bs] < 0.01)
                    bs++;
            }
            double score = bsum - 2.0 * log2(1.0 + span);
            if (be > bs && score > best && (whole || bsum >= minbits)) {
                best = score;
                found = 1;
                w->at = first + bs;
                w->len = be - bs;
                w->dmin = dmin + (bs - i);
                w->dmax = dmax + (bs - i);
                w->exact = whole;
                w->bits = bsum;
            }
        }
        dmin = sat_add(dmin, j - i);
        dmax = sat_add(dmax, j - i);
        i = j;
    }
    free(bits);
    return found;
}

static void put_hex(char *o, size_t *k, int c)
{
    static const char hx[] = "0123456789abcdef";
    o[(*k)++] = '\\';
    o[(*k)++] = 'x';
    o[(*k)++] = hx[(c >> 4) & 15];
    o[(*k)++] = hx[c & 15];
}

int vgy_seq_window(const vgy_sqpool *p, const vgy_sqprog *g, uint32_t maxlen,
                   uint32_t maxspan, double minbits, vgy_sqwin *w)
{
    return window_in(p, g->first, g->n, maxlen, maxspan, minbits, w);
}

uint32_t vgy_seq_alt_windows(const vgy_sqpool *p, const vgy_sqprog *g, uint32_t maxlen,
                             uint32_t maxspan, double minbits, vgy_sqwin *out, uint32_t maxout)
{
    const vgy_sqnode *v = nodes_at(p, g->first);
    uint32_t dmin = 0, dmax = 0;
    for (uint32_t i = 0; i < g->n && dmax != VGY_SEQ_INF; i++) {
        if (v[i].kind == SQ_ALT && v[i].hi <= maxout && dmax - dmin <= maxspan) {
            uint32_t k = 0;
            for (; k < v[i].hi; k++) {
                const vgy_sqbranch *br = &p->br[v[i].lo + k];
                vgy_sqwin *w = &out[k];
                if (!window_in(p, br->first, br->n, maxlen, maxspan, minbits, w) ||
                    w->bits < minbits ||
                    w->dmax + (dmax - dmin) - w->dmin > maxspan)
                    break;
                w->dmin += dmin;
                w->dmax += dmax;
                w->exact = 0;
            }
            if (k == v[i].hi)
                return k;
        }
        uint32_t a, b;
        node_width(p, &v[i], &a, &b);
        dmin = sat_add(dmin, a);
        dmax = sat_add(dmax, b);
    }
    return 0;
}

char *vgy_seq_window_regex(const vgy_sqpool *p, const vgy_sqwin *w)
{
    /* a class is at most 256 ranges of "\xHH-\xHH" (9 chars) + brackets */
    size_t cap = 1, k = 0;
    const vgy_sqnode *v = nodes_at(p, w->at);
    for (uint32_t i = 0; i < w->len; i++)
        cap += v[i].kind == SQ_SET ? 128 * 9 + 4 : 10;
    char *o = malloc(cap);
    if (!o)
        return NULL;
    for (uint32_t i = 0; i < w->len; i++) {
        if (v[i].kind == SQ_BYTE)
            put_hex(o, &k, v[i].b);
        else if (v[i].kind == SQ_NOCASE) {
            o[k++] = '[';
            put_hex(o, &k, v[i].b);
            put_hex(o, &k, v[i].b ^ 32);
            o[k++] = ']';
        } else {
            const uint8_t *s = p->sets[v[i].set];
            if (popcount32(s) == 256) {
                o[k++] = '.';
                continue;
            }
            o[k++] = '[';
            for (int c = 0; c < 256;) {
                if (!SET_HAS(s, c)) {
                    c++;
                    continue;
                }
                int e = c;
                while (e + 1 < 256 && SET_HAS(s, e + 1))
                    e++;
                put_hex(o, &k, c);
                if (e > c) {
                    o[k++] = '-';
                    put_hex(o, &k, e);
                }
                c = e + 1;
            }
            o[k++] = ']';
        }
    }
    o[k] = 0;
    return o;
}

/* ---- verifier --------------------------------------------------------- */

typedef struct vcont {
    uint32_t i, end;
    const struct vcont *next;
} vcont;

static int one(const vgy_sqpool *p, const vgy_sqnode *x, uint8_t c)
{
    switch (x->kind) {
    case SQ_BYTE:
        return c == x->b;
    case SQ_NOCASE:
        return (c | 32) == x->b;
    default:
        return SET_HAS(p->sets[x->set], c);
    }
}

/* Failed (node, position) pairs of REP and ALT nodes. A node's
 * continuation is fixed (each node is in one sequence, each branch in one
 * alternative), so what follows from a (node, position) never depends on
 * how it was reached: a failure there is a failure for every way in, and
 * for every candidate start of the same buffer. Without it, a string like
 * { 41 42 [0-50] 41 [0-50] 41 [0-50] 5A } on a run of 'A's tries every
 * combination of jumps from every start. */
static uint32_t memo_slot(const vgy_sqmemo *m, uint64_t key)
{
    return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 40) & (m->cap - 1);
}

static int memo_has(const vgy_sqmemo *m, uint32_t node, size_t pos)
{
    if (!m || !m->cap)
        return 0;
    uint64_t key = ((uint64_t)node << 40) ^ (uint64_t)pos;
    uint32_t h = memo_slot(m, key);
    for (uint32_t probe = 0; probe < 8; probe++, h = (h + 1) & (m->cap - 1)) {
        if (m->gen_of[h] != m->gen)
            return 0;
        if (m->key[h] == key)
            return 1;
    }
    return 0;
}

static void memo_put(vgy_sqmemo *m, uint32_t node, size_t pos)
{
    if (!m || !m->cap || pos >= (1ull << 40))
        return;
    uint64_t key = ((uint64_t)node << 40) ^ (uint64_t)pos;
    uint32_t h = memo_slot(m, key);
    uint32_t h0 = h;
    for (uint32_t probe = 0; probe < 8; probe++, h = (h + 1) & (m->cap - 1))
        if (m->gen_of[h] != m->gen) {
            m->gen_of[h] = m->gen;
            m->key[h] = key;
            return;
        }
    /* full around here: it is a cache, the newest entry wins (the search
     * moves forwards through the buffer, old positions are done with) */
    m->key[h0] = key;
}

typedef struct vrun {
    const vgy_sqpool *p;
    vgy_sqmemo *memo;
    const uint8_t *d;
    size_t len;
    uint32_t *budget;
} vrun;

static int64_t vmatch(const vrun *r, uint32_t i, uint32_t end, const vcont *k, size_t pos);

/* A REP or ALT node at d[pos]: each way on, in order. */
static int64_t split_node(const vrun *r, uint32_t i, uint32_t end, const vcont *k, size_t pos)
{
    const vgy_sqpool *p = r->p;
    const vgy_sqnode *nodes = p->nodes, *x = &nodes[i];
    const uint8_t *d = r->d;
    size_t len = r->len;
    uint32_t *budget = r->budget;
    if (x->kind == SQ_ALT) {
        vcont nk = {i + 1, end, k};
        for (uint32_t b = 0; b < x->hi; b++) {
            const vgy_sqbranch *br = &p->br[x->lo + b];
            int64_t res = vmatch(r, br->first, br->first + br->n, &nk, pos);
            if (res >= 0)
                return res;
            if (*budget == 0)
                return -1;
        }
        return -1;
    }
    /* SQ_REP: how many bytes of the class follow */
    const uint8_t *set = p->sets[x->set];
    size_t room = len - pos, top = x->hi == VGY_SEQ_INF || x->hi > room ? room : x->hi;
    size_t avail = 0;
    if (popcount32(set) == 256)
        avail = top;
    else
        while (avail < top && SET_HAS(set, d[pos + avail]))
            avail++;
    if (avail < x->lo)
        return -1;
    if (i + 1 == end && !k)
        return (int64_t)(pos + (x->lazy ? x->lo : avail));
    /* the node after the repeat, when it is a literal, picks the
     * lengths worth trying */
    int nb = i + 1 < end && nodes[i + 1].kind == SQ_BYTE ? nodes[i + 1].b : -1;
    /* lazy: lengths lo, lo+1 ...; greedy: avail, avail-1 ... */
    for (size_t t = 0; t <= avail - x->lo; t++) {
        size_t j = x->lazy ? x->lo + t : avail - t;
        if (nb >= 0 && x->lazy) { /* the next length followed by nb */
            if (pos + j >= len)
                return -1;
            size_t span = avail - j + 1 <= len - pos - j ? avail - j + 1 : len - pos - j;
            const uint8_t *q = memchr(d + pos + j, nb, span);
            if (!q)
                return -1;
            t += (size_t)(q - d) - pos - j;
            j = (size_t)(q - d) - pos;
        } else if (nb >= 0 && (pos + j >= len || d[pos + j] != nb))
            continue;
        int64_t res = vmatch(r, i + 1, end, k, pos + j);
        if (res >= 0)
            return res;
        if (*budget == 0)
            return -1;
        (*budget)--;
    }
    return -1;
}

static int64_t vmatch(const vrun *r, uint32_t i, uint32_t end, const vcont *k, size_t pos)
{
    const vgy_sqnode *nodes = r->p->nodes;
    for (;;) {
        if (i == end) {
            if (!k)
                return (int64_t)pos;
            i = k->i;
            end = k->end;
            k = k->next;
            continue;
        }
        const vgy_sqnode *x = &nodes[i];
        if (x->kind <= SQ_SET) {
            if (pos >= r->len || !one(r->p, x, r->d[pos]))
                return -1;
            pos++;
            i++;
            continue;
        }
        if (*r->budget == 0 || memo_has(r->memo, i, pos))
            return -1;
        (*r->budget)--;
        int64_t res = split_node(r, i, end, k, pos);
        if (res < 0 && *r->budget) /* a real failure, not a spent budget */
            memo_put(r->memo, i, pos);
        return res;
    }
}

int64_t vgy_seq_match(const vgy_sqpool *p, const vgy_sqprog *g, const uint8_t *d,
                      size_t len, size_t pos, uint32_t *budget, vgy_sqmemo *memo)
{
    if (pos > len)
        return -1;
    vrun r = {p, memo, d, len, budget};
    int64_t res = vmatch(&r, g->first, g->first + g->n, NULL, pos);
    return res < 0 ? -1 : res - (int64_t)pos;
}
