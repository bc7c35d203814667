/* match/matcher.c - one Vectorscan pass finds candidate positions for every
 * body pattern; exact verification confirms them.
 *
 * Anchors. A pattern is a list of nodes (pattern.h). Runs of fixed-width
 * nodes between variable ones (gaps, alternatives of different lengths)
 * are "segments". For each pattern we pick one window of up to 32 bytes
 * inside one segment, scoring each byte by how much it narrows a match:
 * 8 bits for a literal (5 for the very common 00 and ff), 4 for a nibble,
 * log2(256/k) for a class of k bytes, 0 for `??`. The window with the
 * highest score is translated to a Vectorscan regex (literal bytes, `.`,
 * character classes, (?:a|b) for fixed-length alternatives), so a pattern
 * like 4142??????4344 is prefiltered on all four literal bytes at once, not
 * on a 2-byte atom that would fire everywhere. Windows never cut a node.
 *
 * Exact patterns. When the whole pattern is one segment that the regex
 * expresses exactly (no edge anchors, no negated multi-byte alternative),
 * a Vectorscan hit is the match: no verification, HS_FLAG_SINGLEMATCH.
 * That covers plain, wildcard and class patterns, most of a real database.
 *
 * Verification. Otherwise each hit at window position w is checked:
 *   - patterns whose start is pinned to a small range (offset n,m or EOF-n
 *     with a shift <= 4096) are matched forward from each allowed start
 *     once, and the answer is final for the buffer;
 *   - other patterns: the anchor segment is checked in place, the nodes
 *     before it matched backwards from its start, the nodes after it
 *     forwards from its end. Gaps try each allowed length; a gap followed
 *     by a literal byte jumps between occurrences of that byte (memchr).
 * Cost per hit: O(segment) for bounded patterns; with k `*` gaps the worst
 * case is polynomial in the distance to the next literal, and a budget of
 * VGM_VERIFY_BUDGET node tests per hit keeps any one hit bounded.
 * Each signature is reported once per object and, once reported (or proven
 * absent for a pinned one), later hits for it cost one array load. */
#include "matcher.h"
#include "match/matcher_int.h"

#include <hs/hs.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VGM_WINDOW_MAX 32        /* bytes in an anchor window */
#define VGM_EXACT_MAX 2048       /* longest single-segment exact regex */
#define VGM_PINNED_MAX 4096      /* start range verified from each start */
#define VGM_VERIFY_BUDGET (1u << 22)


struct vgm_builder {
    vgm_sig *sigs;
    vgp_pattern *pats;
    uint32_t n, cap;
};


struct vgm_scratch {
    hs_scratch_t *hs;
    uint32_t *reported; /* object generation in which sig was reported */
    uint32_t *dead;     /* buffer generation in which sig was settled */
    uint32_t obj_gen, buf_gen;
    uint32_t nsigs;
};

/* ---- builder ---------------------------------------------------------- */

vg_status vgm_builder_new(vgm_builder **out)
{
    vgm_builder *b = calloc(1, sizeof *b);
    if (!b)
        return VG_ENOMEM;
    *out = b;
    return VG_OK;
}

void vgm_builder_truncate(vgm_builder *b, uint32_t count)
{
    while (b->n > count)
        vgp_free(&b->pats[--b->n]);
}

void vgm_builder_free(vgm_builder *b)
{
    if (!b)
        return;
    vgm_builder_truncate(b, 0);
    free(b->sigs);
    free(b->pats);
    free(b);
}

uint32_t vgm_builder_count(const vgm_builder *b) { return b->n; }

vg_status vgm_builder_add(vgm_builder *b, vgp_pattern *pat,
                          const vgm_offset *off, uint8_t target, uint32_t id)
{
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 64;
        vgm_sig *ns = realloc(b->sigs, cap * sizeof *ns);
        if (!ns)
            return VG_ENOMEM;
        b->sigs = ns;
        vgp_pattern *np = realloc(b->pats, cap * sizeof *np);
        if (!np)
            return VG_ENOMEM;
        b->pats = np;
        b->cap = cap;
    }
    vgm_sig *s = &b->sigs[b->n];
    memset(s, 0, sizeof *s);
    s->target = target;
    s->off_kind = off->kind;
    s->off_n = off->n;
    s->off_shift = off->shift;
    s->id = id;
    b->pats[b->n] = *pat;
    memset(pat, 0, sizeof *pat);
    b->n++;
    return VG_OK;
}

/* ---- anchor choice ---------------------------------------------------- */

static int set_has(const uint8_t *set, unsigned b) { return (set[b >> 3] >> (b & 7)) & 1; }

static unsigned set_count(const uint8_t *set)
{
    unsigned c = 0;
    for (unsigned b = 0; b < 256; b++)
        c += (unsigned)set_has(set, b);
    return c;
}

static double node_score(const vgp_node *n, const uint8_t *pool)
{
    switch (n->kind) {
    case VGP_BYTE:
        if (n->mask == 0xff)
            return (n->val == 0 || n->val == 0xff) ? 5.0 : 8.0;
        if (n->mask == 0)
            return 0.0;
        return 4.0;
    case VGP_SET: {
        unsigned k = set_count(pool + n->pool);
        return k ? 8.0 - log2((double)k) : 8.0;
    }
    case VGP_ALT:
        return n->neg ? 0.0 : 8.0 * n->b - log2((double)n->a);
    default:
        return 0.0;
    }
}

static int is_fixed(const vgp_node *n) { return vgp_node_width(n) >= 0; }

/* Regex for one byte class given as a 256-bit set. */
static int emit_class(char *out, size_t cap, size_t *len, const uint8_t *set)
{
    unsigned k = set_count(set);
    int w;
    if (k == 256)
        w = snprintf(out + *len, cap - *len, ".");
    else if (k == 1) {
        unsigned b = 0;
        while (!set_has(set, b))
            b++;
        w = snprintf(out + *len, cap - *len, "\\x%02x", b);
    } else {
        w = snprintf(out + *len, cap - *len, "[");
        if (w < 0 || (size_t)w >= cap - *len)
            return -1;
        *len += (size_t)w;
        for (unsigned b = 0; b < 256; b++) {
            if (!set_has(set, b))
                continue;
            unsigned e = b;
            while (e + 1 < 256 && set_has(set, e + 1))
                e++;
            if (e == b)
                w = snprintf(out + *len, cap - *len, "\\x%02x", b);
            else
                w = snprintf(out + *len, cap - *len, "\\x%02x-\\x%02x", b, e);
            if (w < 0 || (size_t)w >= cap - *len)
                return -1;
            *len += (size_t)w;
            b = e;
        }
        w = snprintf(out + *len, cap - *len, "]");
    }
    if (w < 0 || (size_t)w >= cap - *len)
        return -1;
    *len += (size_t)w;
    return 0;
}

static void mv_set(uint8_t mask, uint8_t val, uint8_t *set)
{
    memset(set, 0, 32);
    for (unsigned b = 0; b < 256; b++)
        if ((b & mask) == val)
            set[b >> 3] |= (uint8_t)(1u << (b & 7));
}

/* Append the regex for nodes [i0, i1); returns -1 on overflow. Sets *lossy
 * when the regex accepts more than the nodes (EDGE, negated ALT). */
static int emit_nodes(const vgp_node *nodes, const uint8_t *pool, uint32_t i0,
                      uint32_t i1, char *out, size_t cap, size_t *len, int *lossy)
{
    uint8_t set[32];
    for (uint32_t i = i0; i < i1; i++) {
        const vgp_node *n = &nodes[i];
        switch (n->kind) {
        case VGP_BYTE:
            mv_set(n->mask, n->val, set);
            if (emit_class(out, cap, len, set))
                return -1;
            break;
        case VGP_SET:
            if (emit_class(out, cap, len, pool + n->pool))
                return -1;
            break;
        case VGP_ALT:
            if (n->neg) {
                *lossy = 1;
                for (uint32_t k = 0; k < n->b; k++) {
                    if (*len + 2 > cap)
                        return -1;
                    out[(*len)++] = '.';
                }
                out[*len] = 0;
                break;
            }
            if (*len + 4 > cap)
                return -1;
            memcpy(out + *len, "(?:", 3);
            *len += 3;
            for (uint32_t a = 0; a < n->a; a++) {
                const uint8_t *mv = pool + n->pool + 2 * a * n->b;
                if (a) {
                    if (*len + 2 > cap)
                        return -1;
                    out[(*len)++] = '|';
                }
                for (uint32_t k = 0; k < n->b; k++) {
                    mv_set(mv[2 * k], mv[2 * k + 1], set);
                    if (emit_class(out, cap, len, set))
                        return -1;
                }
            }
            if (*len + 2 > cap)
                return -1;
            out[(*len)++] = ')';
            out[*len] = 0;
            break;
        case VGP_EDGE:
            *lossy = 1;
            break;
        default:
            return -1;
        }
    }
    return 0;
}

/* Choose segment and window for pattern p; fills s. */
static void choose_anchor(vgm_sig *s, const vgp_pattern *p)
{
    double best = -1;
    uint32_t i = 0;
    while (i < p->nnodes) {
        if (!is_fixed(&p->nodes[i])) {
            i++;
            continue;
        }
        uint32_t j = i;
        while (j < p->nnodes && is_fixed(&p->nodes[j]))
            j++;
        /* segment [i, j): best window of <= VGM_WINDOW_MAX bytes */
        for (uint32_t a = i; a < j; a++) {
            double sc = 0;
            uint32_t w = 0;
            for (uint32_t e = a; e < j; e++) {
                uint32_t nw = (uint32_t)vgp_node_width(&p->nodes[e]);
                if (w + nw > VGM_WINDOW_MAX && w > 0)
                    break;
                w += nw;
                sc += node_score(&p->nodes[e], p->pool);
            }
            if (sc > best) {
                best = sc;
                s->seg0 = i;
                s->seg1 = j;
                s->win0 = a;
            }
        }
        i = j;
    }
}

/* Build the regex for sig s; decides exactness. */
static int sig_regex(vgm_sig *s, const vgp_pattern *p, char *out, size_t cap)
{
    size_t len = 0;
    int lossy = 0;
    out[0] = 0;
    choose_anchor(s, p);
    uint32_t segw = 0;
    for (uint32_t i = s->seg0; i < s->seg1; i++)
        segw += (uint32_t)vgp_node_width(&p->nodes[i]);
    if (s->seg0 == 0 && s->seg1 == p->nnodes && segw <= VGM_EXACT_MAX) {
        /* whole pattern in one regex */
        uint32_t a = 0, e = p->nnodes;
        while (a < e && p->nodes[a].kind == VGP_EDGE)
            a++;
        while (e > a && p->nodes[e - 1].kind == VGP_EDGE)
            e--;
        if (emit_nodes(p->nodes, p->pool, a, e, out, cap, &len, &lossy) == 0) {
            s->win0 = a;
            s->pre_width = 0;
            s->win_width = segw;
            s->exact = (uint8_t)(!lossy && a == 0 && e == p->nnodes);
            return 0;
        }
        len = 0;
        lossy = 0;
    }
    /* window: nodes from win0 while within VGM_WINDOW_MAX bytes; trim the
     * zero-score tail */
    uint32_t e = s->win0, w = 0;
    while (e < s->seg1) {
        uint32_t nw = (uint32_t)vgp_node_width(&p->nodes[e]);
        if (w + nw > VGM_WINDOW_MAX && w > 0)
            break;
        w += nw;
        e++;
    }
    while (e > s->win0 + 1 && node_score(&p->nodes[e - 1], p->pool) == 0)
        w -= (uint32_t)vgp_node_width(&p->nodes[--e]);
    s->pre_width = 0;
    for (uint32_t i = s->seg0; i < s->win0; i++)
        s->pre_width += (uint32_t)vgp_node_width(&p->nodes[i]);
    s->win_width = w;
    s->exact = 0;
    /* a window of EDGE only has width 0: widen to the whole segment */
    if (w == 0) {
        s->win0 = s->seg0;
        s->pre_width = 0;
        e = s->seg1;
        s->win_width = segw;
    }
    return emit_nodes(p->nodes, p->pool, s->win0, e, out, cap, &len, &lossy);
}

vg_status vgm_build(vgm_builder *b, vgm_matcher **out, char *err, size_t errlen)
{
    vgm_matcher *m = calloc(1, sizeof *m);
    if (!m)
        return VG_ENOMEM;
    vg_status st = VG_OK;
    size_t nn = 0, np = 0;
    for (uint32_t i = 0; i < b->n; i++) {
        nn += b->pats[i].nnodes;
        np += b->pats[i].npool;
    }
    if (nn > UINT32_MAX || np > UINT32_MAX) {
        free(m);
        snprintf(err, errlen, "too many pattern elements");
        return VG_ELIMIT;
    }
    m->nsigs = b->n;
    m->sigs = calloc(b->n ? b->n : 1, sizeof *m->sigs);
    m->nodes = malloc((nn ? nn : 1) * sizeof *m->nodes);
    m->pool = malloc(np ? np : 1);
    char **exprs = calloc(b->n ? b->n : 1, sizeof *exprs);
    unsigned *flags = calloc(b->n ? b->n : 1, sizeof *flags);
    unsigned *ids = calloc(b->n ? b->n : 1, sizeof *ids);
    if (!m->sigs || !m->nodes || !m->pool || !exprs || !flags || !ids) {
        st = VG_ENOMEM;
        goto done;
    }
    const size_t cap = 16 * VGM_EXACT_MAX + 64;
    for (uint32_t i = 0; i < b->n; i++) {
        vgp_pattern *p = &b->pats[i];
        vgm_sig *s = &m->sigs[i];
        *s = b->sigs[i];
        s->node0 = m->nnodes;
        s->nnodes = p->nnodes;
        s->pool0 = m->npool;
        memcpy(m->nodes + m->nnodes, p->nodes, p->nnodes * sizeof *p->nodes);
        if (p->npool)
            memcpy(m->pool + m->npool, p->pool, p->npool);
        m->nnodes += p->nnodes;
        m->npool += p->npool;
        exprs[i] = malloc(cap);
        if (!exprs[i]) {
            st = VG_ENOMEM;
            goto done;
        }
        if (sig_regex(s, p, exprs[i], cap)) {
            snprintf(err, errlen, "pattern %u: regex too long", i);
            st = VG_ELIMIT;
            goto done;
        }
        int settles = s->exact ? 1 : 0;
        if (s->off_kind != VGM_OFF_ANY && s->off_shift <= VGM_PINNED_MAX)
            settles = 1;
        flags[i] = HS_FLAG_DOTALL | (settles ? HS_FLAG_SINGLEMATCH : 0);
        ids[i] = i;
    }
    if (b->n) {
        hs_compile_error_t *ce = NULL;
        /* A generic x86-64 target, not the build host's CPU: the same
         * sources then give the same serialized database on any machine
         * (compiled databases are published and rebuilt by others). */
        hs_platform_info_t plat;
        memset(&plat, 0, sizeof plat);
        plat.tune = HS_TUNE_FAMILY_GENERIC;
        hs_error_t he = hs_compile_multi((const char *const *)exprs, flags, ids,
                                         b->n, HS_MODE_BLOCK, &plat, &m->db, &ce);
        if (he != HS_SUCCESS) {
            snprintf(err, errlen, "Vectorscan: %s (pattern %d)",
                     ce ? ce->message : "compile failed", ce ? ce->expression : -1);
            hs_free_compile_error(ce);
            st = VG_EMATCHER;
            goto done;
        }
    }
done:
    for (uint32_t i = 0; exprs && i < b->n; i++)
        free(exprs[i]);
    free(exprs);
    free(flags);
    free(ids);
    if (st != VG_OK) {
        vgm_matcher_free(m);
        return st;
    }
    *out = m;
    return VG_OK;
}

void vgm_matcher_free(vgm_matcher *m)
{
    if (!m)
        return;
    hs_free_database(m->db);
    if (!m->borrowed) {
        free(m->sigs);
        free(m->nodes);
        free(m->pool);
    }
    free(m);
}

uint32_t vgm_matcher_count(const vgm_matcher *m) { return m ? m->nsigs : 0; }

/* ---- scratch ---------------------------------------------------------- */

vg_status vgm_scratch_new(const vgm_matcher *m, vgm_scratch **out)
{
    vgm_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return VG_ENOMEM;
    s->nsigs = m ? m->nsigs : 0;
    s->reported = calloc(s->nsigs ? s->nsigs : 1, sizeof *s->reported);
    s->dead = calloc(s->nsigs ? s->nsigs : 1, sizeof *s->dead);
    if (!s->reported || !s->dead) {
        vgm_scratch_free(s);
        return VG_ENOMEM;
    }
    if (m && m->db && hs_alloc_scratch(m->db, &s->hs) != HS_SUCCESS) {
        vgm_scratch_free(s);
        return VG_ENOMEM;
    }
    s->obj_gen = 1;
    *out = s;
    return VG_OK;
}

void vgm_scratch_free(vgm_scratch *s)
{
    if (!s)
        return;
    if (s->hs)
        hs_free_scratch(s->hs);
    free(s->reported);
    free(s->dead);
    free(s);
}

void vgm_new_object(vgm_scratch *s)
{
    if (++s->obj_gen == 0) {
        memset(s->reported, 0, s->nsigs * sizeof *s->reported);
        s->obj_gen = 1;
    }
}

/* ---- verification ----------------------------------------------------- */

typedef struct vctx {
    const vgm_matcher *m;
    const vgm_sig *sig;
    const vgp_node *nodes;
    const uint8_t *pool;
    const uint8_t *d;
    size_t len;
    size_t lo, hi;  /* allowed start positions */
    uint32_t budget;
} vctx;

static int mv_ok(const uint8_t *mv, const uint8_t *d, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        if ((d[k] & mv[2 * k]) != mv[2 * k + 1])
            return 0;
    return 1;
}

/* Fixed-width node at pos (pos + width <= len checked here). */
static int node_at(const vctx *v, const vgp_node *n, size_t pos)
{
    switch (n->kind) {
    case VGP_BYTE:
        return pos < v->len && (v->d[pos] & n->mask) == n->val;
    case VGP_SET:
        return pos < v->len && set_has(v->pool + n->pool, v->d[pos]);
    case VGP_ALT: {
        if (pos > v->len || n->b > v->len - pos)
            return 0;
        int any = 0;
        for (uint32_t a = 0; a < n->a && !any; a++)
            any = mv_ok(v->pool + n->pool + 2 * a * n->b, v->d + pos, n->b);
        return n->neg ? !any : any;
    }
    case VGP_EDGE:
        if (n->neg) /* checks the byte after */
            return vgp_edge_ok(n->edge, 1, pos < v->len ? v->d[pos] : -1);
        return vgp_edge_ok(n->edge, 0, pos > 0 ? v->d[pos - 1] : -1);
    default:
        return 0;
    }
}

static int fwd(vctx *v, uint32_t i, uint32_t end, size_t pos);

/* GALT alternative a: pointer to its length byte */
static const uint8_t *galt_alt(const vctx *v, const vgp_node *n, uint32_t a)
{
    const uint8_t *q = v->pool + n->pool;
    for (uint32_t k = 0; k < a; k++)
        q += 1 + 2 * q[0];
    return q;
}

/* Match nodes [i, end) starting at pos; 1 if they all match. */
static int fwd(vctx *v, uint32_t i, uint32_t end, size_t pos)
{
    while (i < end) {
        if (v->budget == 0)
            return 0;
        v->budget--;
        const vgp_node *n = &v->nodes[i];
        int w = vgp_node_width(n);
        if (w >= 0) {
            if (!node_at(v, n, pos))
                return 0;
            pos += (size_t)w;
            i++;
            continue;
        }
        if (n->kind == VGP_GALT) {
            for (uint32_t a = 0; a < n->a; a++) {
                const uint8_t *q = galt_alt(v, n, a);
                if (pos <= v->len && q[0] <= v->len - pos && mv_ok(q + 1, v->d + pos, q[0]) &&
                    fwd(v, i + 1, end, pos + q[0]))
                    return 1;
            }
            return 0;
        }
        /* GAP */
        if (pos > v->len || n->a > v->len - pos)
            return 0;
        size_t from = pos + n->a;
        size_t to = n->b == VGP_INF ? v->len : (n->b > v->len - pos ? v->len : pos + n->b);
        if (i + 1 == end)
            return 1;
        const vgp_node *nx = &v->nodes[i + 1];
        for (size_t p = from; p <= to; p++) {
            if (nx->kind == VGP_BYTE && nx->mask == 0xff) {
                size_t lim = to < v->len ? to : v->len - 1;
                if (p >= v->len || p > lim)
                    return 0;
                const uint8_t *f = memchr(v->d + p, nx->val, lim - p + 1);
                if (!f)
                    return 0;
                p = (size_t)(f - v->d);
            }
            if (fwd(v, i + 1, end, p))
                return 1;
            if (v->budget == 0)
                return 0;
        }
        return 0;
    }
    return 1;
}

/* Match nodes [0, i) ending at pos, with the pattern start in [lo, hi]. */
static int bwd(vctx *v, uint32_t i, size_t pos)
{
    while (i > 0) {
        if (v->budget == 0)
            return 0;
        v->budget--;
        const vgp_node *n = &v->nodes[i - 1];
        int w = vgp_node_width(n);
        if (w >= 0) {
            if ((size_t)w > pos || !node_at(v, n, pos - (size_t)w))
                return 0;
            pos -= (size_t)w;
            i--;
            continue;
        }
        if (n->kind == VGP_GALT) {
            for (uint32_t a = 0; a < n->a; a++) {
                const uint8_t *q = galt_alt(v, n, a);
                if (q[0] <= pos && mv_ok(q + 1, v->d + pos - q[0], q[0]) &&
                    bwd(v, i - 1, pos - q[0]))
                    return 1;
            }
            return 0;
        }
        if (n->a > pos)
            return 0;
        size_t from = pos - n->a;
        size_t to = n->b == VGP_INF || n->b > pos ? 0 : pos - n->b;
        for (size_t p = from + 1; p-- > to;) {
            if (bwd(v, i - 1, p))
                return 1;
            if (v->budget == 0)
                return 0;
        }
        return 0;
    }
    return pos >= v->lo && pos <= v->hi;
}

/* Allowed start range for sig in a buffer of len bytes; 0 if none. */
static int start_range(const vgm_sig *s, size_t len, size_t *lo, size_t *hi)
{
    if (s->off_kind == VGM_OFF_ANY) {
        *lo = 0;
        *hi = len;
        return 1;
    }
    uint64_t base;
    if (s->off_kind == VGM_OFF_ABS)
        base = s->off_n;
    else {
        if (s->off_n > len)
            return 0;
        base = len - s->off_n;
    }
    if (base > len)
        return 0;
    *lo = (size_t)base;
    *hi = base + s->off_shift > len ? len : (size_t)(base + s->off_shift);
    return 1;
}

typedef struct sctx {
    const vgm_matcher *m;
    vgm_scratch *s;
    const uint8_t *d;
    size_t len;
    uint32_t mask;
    vgm_hit_fn fn;
    void *user;
} sctx;

/* 1 = matched, 0 = not at this hit, -1 = settled absent for this buffer */
static int verify(const sctx *c, const vgm_sig *s, size_t win_end)
{
    vctx v = {c->m, s, c->m->nodes + s->node0, c->m->pool + s->pool0, c->d, c->len,
              0, 0, VGM_VERIFY_BUDGET};
    if (!start_range(s, c->len, &v.lo, &v.hi))
        return -1;
    if (s->exact && s->off_kind == VGM_OFF_ANY)
        return 1;
    if (s->off_kind != VGM_OFF_ANY && s->off_shift <= VGM_PINNED_MAX) {
        for (size_t p = v.lo; p <= v.hi; p++)
            if (fwd(&v, 0, s->nnodes, p))
                return 1;
        return -1;
    }
    if (win_end < s->win_width + s->pre_width)
        return 0;
    size_t seg_start = win_end - s->win_width - s->pre_width;
    if (!fwd(&v, s->seg0, s->seg1, seg_start))
        return 0;
    size_t seg_end = seg_start;
    for (uint32_t i = s->seg0; i < s->seg1; i++)
        seg_end += (size_t)vgp_node_width(&v.nodes[i]);
    if (!bwd(&v, s->seg0, seg_start))
        return 0;
    return fwd(&v, s->seg1, s->nnodes, seg_end);
}

static int on_hit(unsigned int id, unsigned long long from, unsigned long long to,
                  unsigned int flags, void *ctx)
{
    (void)from;
    (void)flags;
    sctx *c = ctx;
    vgm_scratch *s = c->s;
    if (id >= s->nsigs) /* a database from a file: never trust its ids */
        return 0;
    if (s->reported[id] == s->obj_gen || s->dead[id] == s->buf_gen)
        return 0;
    const vgm_sig *sig = &c->m->sigs[id];
    if (!((c->mask >> sig->target) & 1))
        return 0;
    int r = verify(c, sig, (size_t)to);
    if (r < 0) {
        s->dead[id] = s->buf_gen;
        return 0;
    }
    if (r == 0)
        return 0;
    s->reported[id] = s->obj_gen;
    return c->fn(c->user, sig->id) ? 1 : 0;
}

vg_status vgm_scan(const vgm_matcher *m, vgm_scratch *s, const uint8_t *data,
                   size_t len, uint32_t target_mask, vgm_hit_fn fn, void *user)
{
    if (!m || !m->db || len == 0)
        return VG_OK;
    if (len > 0xffffffffu)
        return VG_ELIMIT;
    if (++s->buf_gen == 0) {
        memset(s->dead, 0, s->nsigs * sizeof *s->dead);
        s->buf_gen = 1;
    }
    sctx c = {m, s, data, len, target_mask, fn, user};
    hs_error_t he = hs_scan(m->db, (const char *)data, (unsigned int)len, 0, s->hs,
                            on_hit, &c);
    if (he != HS_SUCCESS && he != HS_SCAN_TERMINATED)
        return VG_EMATCHER;
    return VG_OK;
}
