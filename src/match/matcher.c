/* match/matcher.c - one Vectorscan pass finds candidate positions for every
 * body pattern; exact verification confirms them. The same database holds
 * the YARA strings' expressions (vgm_build_with, "foreign" ids after the
 * body patterns'), whose hits go to the YARA verifier as they come, so a
 * file's bytes are read once for both kinds of rules.
 *
 * Anchors. A pattern is a list of nodes (pattern.h). Runs of fixed-width
 * nodes between variable ones (jumps between parts, alternatives of
 * different lengths, mid-part (L)) are "segments". For each pattern we
 * pick one window of up to 32 bytes inside one segment, scoring each byte
 * by how much it narrows a match: 8 bits for a literal (5 for the very
 * common 00 and ff), 4 for a nibble, log2(256/k) for a class of k bytes,
 * 0 for `??`; a literal repeating the byte before it adds only 2 (1 for
 * 00/ff), so a run like 0000000000 does not outbid a few distinct bytes.
 * The window with the highest score is translated to a Vectorscan regex
 * (literal bytes, `.`, character classes, (?:a|b) for fixed-length
 * alternatives), so a pattern like 4142??????4344 is prefiltered on all
 * four literal bytes at once, not on a 2-byte atom that would fire
 * everywhere. Windows never cut a node. If the regex of the chosen window
 * is too long (huge classes or alternative lists), the longest literal run
 * is used instead; every part has one.
 *
 * Exact patterns. When the whole pattern is one segment that the regex
 * expresses exactly (no zero-width tests, no negated multi-byte
 * alternative), a Vectorscan hit is the match: no verification,
 * HS_FLAG_SINGLEMATCH. That covers plain, wildcard and class patterns,
 * most of a real database.
 *
 * Verification. Otherwise each hit at window position w is checked:
 *   - patterns whose start is pinned to a small range (offset n,m or EOF-n
 *     with a shift <= 4096) are matched forward from each allowed start
 *     once, and the answer is final for the buffer;
 *   - other patterns: the window's segment is checked in place (as far as
 *     it lies inside the buffer), the nodes before it are matched
 *     backwards from its start, then the segment and everything after it
 *     forwards. Jumps try each allowed length; a jump next to a literal
 *     byte moves between occurrences of that byte (memchr / memrchr).
 * Cost per hit: O(segment) for bounded patterns; with k `*` jumps the worst
 * case is polynomial in the distance to the next literal, and a budget of
 * VGM_VERIFY_BUDGET node tests per hit keeps any one hit bounded. A `*`
 * searched to the buffer's end in vain is remembered for the buffer
 * (jump_memo), so a frequent window next to one costs one search in all,
 * not one per hit.
 * Each signature is reported once per object and, once reported (or proven
 * absent for a pinned one), later hits for it cost one array load.
 *
 * Where ClamAV is not a regex. ClamAV matches each part from its anchor
 * (pattern.h): the elements before it backwards, the rest forwards, taking
 * the first way through (alternatives in their order) as the part's one
 * start and end; jumps then chain those. So the verifier matches part by
 * part and never revisits a part it has matched to make the next one fit
 * (part_fwd, part_bwd), and checks, crossing a part's anchor backwards,
 * that the part ends where ClamAV's forward match would end it. ClamAV
 * also stops a part at the edges of the buffer: forwards it calls a part
 * matched when the buffer ends after its anchor and the anchor's position
 * plus the part's minimum length fits, and that minimum counts mid-part
 * (B)/(W)/(L) as 0 bytes and generic alternatives at their shortest; so
 * "HELLO(B)WORLD" hits "...HELLO WORL" at the end (at_eof). Backwards the
 * same happens at offset 0 for the first part (at_start). The prefilter
 * window keeps out of the nodes that may be cut off that way (eof_tail,
 * sof_head), or Vectorscan would never report those hits. For signatures
 * with an offset ClamAV first checks it against the start the minimum and
 * maximum lengths before the anchor imply (note_anchor). */
#include "matcher.h"
#include "match/matcher_int.h"
#include "match/offset.h"
#include "match/serial.h"

#include <hs/hs.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VGM_LIT_WINDOW 8        /* bytes in a fast literal anchor */
#define VGM_LIT_MIN 6           /* shortest literal run used that way */
#define VGM_WINDOW_MAX 32        /* bytes in an anchor window */
#define VGM_EXACT_MAX 2048       /* longest single-segment exact regex */
#define VGM_PINNED_MAX 4096      /* start range verified from each start */
#define VGM_VERIFY_BUDGET (1u << 22)


struct vgm_builder {
    vgm_sig *sigs;
    vgp_pattern *pats;
    uint32_t n, cap;
};


/* What verification learnt about one unbounded jump of a signature in
 * the current buffer: going forwards, no next part starts at or after
 * `pos`; going backwards, no previous part ends at or before it. Hits come
 * in increasing order, so this keeps a frequent window in front of (or
 * after) a `*` from costing a scan of the buffer per hit. */
typedef struct jump_memo {
    uint32_t gen;   /* buffer generation; other values are stale */
    uint32_t node;  /* the jump (relative node index) */
    uint64_t pos;
} jump_memo;

struct vgm_scratch {
    hs_scratch_t *hs;
    uint32_t *reported; /* object generation in which sig was reported */
    uint32_t *dead;     /* buffer generation in which sig was settled */
    uint32_t obj_gen, buf_gen;
    uint32_t nsigs;
    uint32_t nmemo;
    jump_memo *memo;     /* two per signature with a `*`: fwd, bwd; the
                            signature's slot is vgm_sig.memo */
    vgp_node *unpacked;  /* a signature's nodes from a .vdb (serial.c) */
    uint32_t unpacked_cap;
    vgm_multi_fn multi;  /* .ldb subsignature matches (VGM_SIG_MULTI) */
    void *multi_user;
    vgm_foreign_fn foreign; /* hits of the foreign expressions */
    void *foreign_user;
    const vg_exe_info *exe; /* executable info of the buffers being scanned
                               (EP/Sx/SEx/SL offsets); NULL: none */
};

/* A start pinned to a small range is verified from each allowed start;
 * SEx spans a whole section, so it never is. */
#define PINNED(s) ((s)->off_kind != VGM_OFF_ANY && (s)->off_kind != VGM_OFF_SE && \
                   (s)->off_kind != VGM_OFF_SE_BM && \
                   (s)->off_shift <= VGM_PINNED_MAX)

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

vg_status vgm_builder_add_multi(vgm_builder *b, vgp_pattern *pat,
                                const vgm_offset *off, uint8_t target, uint32_t id)
{
    vg_status st = vgm_builder_add(b, pat, off, target, id);
    if (st == VG_OK)
        b->sigs[b->n - 1].flags |= VGM_SIG_MULTI;
    return st;
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
        case VGP_CH:
            *lossy = 1;
            break;
        default:
            return -1;
        }
    }
    return 0;
}

/* ClamAV's minimum length of a node (see pattern.h, VGP_F_ZERO). */
static uint32_t clam_min(const vgp_node *n, const uint8_t *pool)
{
    if (n->flags & VGP_F_ZERO)
        return 0;
    switch (n->kind) {
    case VGP_BYTE:
    case VGP_SET:
        return 1;
    case VGP_ALT:
        return n->b;
    case VGP_GALT: {
        uint32_t mn = UINT32_MAX, l;
        for (uint32_t a = 0; a < n->a; a++) {
            vgp_galt_alt(n, pool, a, &l);
            if (l < mn)
                mn = l;
        }
        return mn == UINT32_MAX ? 0 : mn;
    }
    default:
        return 0;
    }
}

/* ClamAV's maximum length of a node: mid-part (B)/(W)/(L) count 0 here
 * too. */
static uint32_t clam_max(const vgp_node *n, const uint8_t *pool)
{
    if (n->flags & VGP_F_ZERO)
        return 0;
    switch (n->kind) {
    case VGP_BYTE:
    case VGP_SET:
        return 1;
    case VGP_ALT:
        return n->b;
    case VGP_GALT: {
        uint32_t mx = 0, l;
        for (uint32_t a = 0; a < n->a; a++) {
            vgp_galt_alt(n, pool, a, &l);
            if (l > mx)
                mx = l;
        }
        return mx;
    }
    default:
        return 0;
    }
}

/* How many bytes ClamAV's minimum can fall short of what a node takes. */
static uint32_t clam_under(const vgp_node *n, const uint8_t *pool)
{
    if (n->kind == VGP_LINE)
        return n->neg ? 1 : 2;
    if (n->flags & VGP_F_ZERO)
        return 1;
    if (n->kind == VGP_GALT) {
        uint32_t mx = 0, l;
        for (uint32_t a = 0; a < n->a; a++) {
            vgp_galt_alt(n, pool, a, &l);
            if (l > mx)
                mx = l;
        }
        return mx - clam_min(n, pool);
    }
    return 0;
}

/* First node of the tail of the last part that ClamAV may leave unmatched
 * at the end of a buffer (see at_eof): its minimum length can be covered
 * by what the nodes after the anchor take beyond their minimums. The
 * prefilter window must not need those nodes. nnodes when there is none. */
static uint32_t eof_tail(const vgp_pattern *p)
{
    uint32_t n = p->nnodes, last0 = 0, anc = UINT32_MAX, under = 0;
    for (uint32_t k = n; k-- > 0;)
        if (p->nodes[k].kind == VGP_GAP) {
            last0 = k + 1;
            break;
        }
    for (uint32_t k = last0; k < n; k++)
        if (p->nodes[k].flags & VGP_F_ANCHOR) {
            anc = k;
            break;
        }
    if (anc == UINT32_MAX)
        return n;
    for (uint32_t k = anc + 1; k < n; k++)
        under += clam_under(&p->nodes[k], p->pool);
    if (under == 0)
        return n;
    uint32_t t = n, cum = 0;
    while (t - 1 > anc) {
        uint32_t m = clam_min(&p->nodes[t - 1], p->pool);
        if (cum + m > under)
            break;
        cum += m;
        t--;
    }
    return t;
}

/* The same at the start of a buffer (see at_start): the first nodes of the
 * first part that ClamAV may leave unmatched there. 0 when there is none. */
static uint32_t sof_head(const vgp_pattern *p)
{
    uint32_t n = p->nnodes, anc = UINT32_MAX, under = 0;
    for (uint32_t k = 0; k < n && p->nodes[k].kind != VGP_GAP; k++)
        if (p->nodes[k].flags & VGP_F_ANCHOR) {
            anc = k;
            break;
        }
    if (anc == UINT32_MAX)
        return 0;
    for (uint32_t k = 0; k < anc; k++)
        under += clam_under(&p->nodes[k], p->pool);
    if (under == 0)
        return 0;
    uint32_t h = 0, cum = 0;
    while (h + 1 < anc) {
        uint32_t m = clam_min(&p->nodes[h], p->pool);
        if (cum + m > under)
            break;
        cum += m;
        h++;
    }
    return h;
}

/* Choose segment and window for pattern p among nodes [first, limit);
 * fills s. */
static void choose_anchor(vgm_sig *s, const vgp_pattern *p, uint32_t first, uint32_t limit)
{
    double best = -1;
    uint32_t i = first;
    while (i < limit) {
        if (!is_fixed(&p->nodes[i])) {
            i++;
            continue;
        }
        uint32_t j = i;
        while (j < limit && is_fixed(&p->nodes[j]))
            j++;
        /* segment [i, j): best window of <= VGM_WINDOW_MAX bytes */
        for (uint32_t a = i; a < j; a++) {
            double sc = 0;
            uint32_t w = 0;
            int prev = -1; /* previous literal byte: runs are cheap to hit */
            for (uint32_t e = a; e < j; e++) {
                const vgp_node *n = &p->nodes[e];
                uint32_t nw = (uint32_t)vgp_node_width(n);
                if (w + nw > VGM_WINDOW_MAX && w > 0)
                    break;
                w += nw;
                int lit = n->kind == VGP_BYTE && n->mask == 0xff ? n->val : -1;
                if (lit >= 0 && lit == prev)
                    sc += (lit == 0 || lit == 0xff) ? 1.0 : 2.0;
                else if (nw > 0)
                    sc += node_score(n, p->pool);
                if (nw > 0)
                    prev = lit;
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

/* Fallback when the chosen window's regex is too long (huge classes or
 * alternative lists): the longest run of literal bytes, at most
 * VGM_WINDOW_MAX. Every part has two, so there always is one. */
static int literal_window(vgm_sig *s, const vgp_pattern *p, uint32_t first, uint32_t limit,
                          char *out, size_t cap)
{
    uint32_t best = 0, b0 = 0, i = first;
    while (i < limit) {
        uint32_t j = i;
        while (j < limit && j - i < VGM_WINDOW_MAX && p->nodes[j].kind == VGP_BYTE &&
               p->nodes[j].mask == 0xff)
            j++;
        if (j - i > best) {
            best = j - i;
            b0 = i;
        }
        i = j > i ? j : i + 1;
    }
    if (best == 0)
        return -1;
    uint32_t seg0 = b0;
    while (seg0 > first && is_fixed(&p->nodes[seg0 - 1]))
        seg0--;
    uint32_t seg1 = b0 + best;
    while (seg1 < limit && is_fixed(&p->nodes[seg1]))
        seg1++;
    s->seg0 = seg0;
    s->seg1 = seg1;
    s->win0 = b0;
    s->pre_width = 0;
    for (uint32_t k = seg0; k < b0; k++)
        s->pre_width += (uint32_t)vgp_node_width(&p->nodes[k]);
    s->win_width = best;
    s->exact = 0;
    size_t len = 0;
    int lossy = 0;
    return emit_nodes(p->nodes, p->pool, b0, b0 + best, out, cap, &len, &lossy);
}

/* The fast path: the best run of up to VGM_LIT_WINDOW literal bytes, given
 * to Vectorscan as a plain literal. Vectorscan compiles 100,000 8-byte
 * literals in about 3 s, against 13 s and 1.2 GB for 100,000 windows of up
 * to 32 bytes with classes (measured on the 100,000-body generated set), and
 * 8 distinct literal bytes are selective enough that verification after a
 * hit costs next to nothing. Returns 0 and fills s when a run of at least
 * VGM_LIT_MIN bytes exists. */
/* A literal byte, or a letter of an .ldb `::i` subsignature (mask 0xdf,
 * upper-case value: either case); Vectorscan takes [Aa] as a caseless
 * literal, so nocase patterns get the same short literal anchors. */
static int lit_byte(const vgp_node *n)
{
    return n->kind == VGP_BYTE &&
           (n->mask == 0xff || (n->mask == 0xdf && n->val >= 'A' && n->val <= 'Z'));
}

static int fast_literal(vgm_sig *s, const vgp_pattern *p, uint32_t first, uint32_t limit,
                        char *out, size_t cap)
{
    double best = 0;
    uint32_t b0 = 0, bl = 0;
    for (uint32_t a = first; a < limit; a++) {
        double sc = 0;
        int prev = -1;
        uint32_t l = 0;
        while (a + l < limit && l < VGM_LIT_WINDOW && lit_byte(&p->nodes[a + l])) {
            int v = p->nodes[a + l].val;
            sc += v == prev ? 1.0 : (v == 0 || v == 0xff) ? 5.0 : 8.0;
            prev = v;
            l++;
        }
        if (l >= VGM_LIT_MIN && sc > best) {
            best = sc;
            b0 = a;
            bl = l;
        }
    }
    if (bl == 0 || best < 8.0 * VGM_LIT_MIN - 1)
        return -1;
    uint32_t seg0 = b0;
    while (seg0 > first && is_fixed(&p->nodes[seg0 - 1]))
        seg0--;
    uint32_t seg1 = b0 + bl;
    while (seg1 < limit && is_fixed(&p->nodes[seg1]))
        seg1++;
    s->seg0 = seg0;
    s->seg1 = seg1;
    s->win0 = b0;
    s->pre_width = 0;
    for (uint32_t k = seg0; k < b0; k++)
        s->pre_width += (uint32_t)vgp_node_width(&p->nodes[k]);
    s->win_width = bl;
    /* exact when the literal is the whole pattern */
    s->exact = (uint8_t)(first == 0 && limit == p->nnodes && b0 == 0 && bl == p->nnodes);
    size_t len = 0;
    int lossy = 0;
    return emit_nodes(p->nodes, p->pool, b0, b0 + bl, out, cap, &len, &lossy);
}

/* Build the regex for sig s; decides exactness. */
static int sig_regex(vgm_sig *s, const vgp_pattern *p, char *out, size_t cap)
{
    size_t len = 0;
    int lossy = 0;
    out[0] = 0;
    uint32_t limit = eof_tail(p), first = sof_head(p);
    if (first >= limit)
        first = 0;
    if (fast_literal(s, p, first, limit, out, cap) == 0)
        return 0;
    choose_anchor(s, p, first, limit);
    uint32_t segw = 0;
    for (uint32_t i = s->seg0; i < s->seg1; i++)
        segw += (uint32_t)vgp_node_width(&p->nodes[i]);
    if (first == 0 && s->seg0 == 0 && s->seg1 == p->nnodes && segw <= VGM_EXACT_MAX) {
        /* whole pattern in one regex */
        uint32_t a = 0, e = p->nnodes;
        while (a < e && vgp_node_width(&p->nodes[a]) == 0)
            a++;
        while (e > a && vgp_node_width(&p->nodes[e - 1]) == 0)
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
    if (emit_nodes(p->nodes, p->pool, s->win0, e, out, cap, &len, &lossy) == 0)
        return 0;
    return literal_window(s, p, first, limit, out, cap);
}

vg_status vgm_build(vgm_builder *b, vgm_matcher **out, char *err, size_t errlen)
{
    int bad;
    return vgm_build_with(b, NULL, out, &bad, err, errlen);
}

uint32_t vgm_matcher_foreign(const vgm_matcher *m) { return m ? m->nforeign : 0; }

vg_status vgm_build_with(vgm_builder *b, const vgm_foreign *f, vgm_matcher **out, int *bad,
                         char *err, size_t errlen)
{
    *bad = -1;
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
    uint32_t nf = f ? f->n : 0, total = b->n + nf;
    if (f && (uint64_t)b->n + f->nids > UINT32_MAX) {
        free(m);
        snprintf(err, errlen, "too many patterns");
        return VG_ELIMIT;
    }
    m->nsigs = b->n;
    m->nforeign = f ? f->nids : 0;
    m->sigs = calloc(b->n ? b->n : 1, sizeof *m->sigs);
    m->nodes = malloc((nn ? nn : 1) * sizeof *m->nodes);
    m->pool = malloc(np ? np : 1);
    char **exprs = calloc(total ? total : 1, sizeof *exprs);
    unsigned *flags = calloc(total ? total : 1, sizeof *flags);
    unsigned *ids = calloc(total ? total : 1, sizeof *ids);
    char *tmp = NULL;
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
        if (!tmp && !(tmp = malloc(cap))) {
            st = VG_ENOMEM;
            goto done;
        }
        if (sig_regex(s, p, tmp, cap)) {
            snprintf(err, errlen, "pattern %u: regex too long", i);
            st = VG_ELIMIT;
            goto done;
        }
        exprs[i] = strdup(tmp); /* the right size: 100,000 of them add up */
        if (!exprs[i]) {
            st = VG_ENOMEM;
            goto done;
        }
        /* a signature with an unbounded jump gets two jump memos in each
         * scratch; the slot is kept in the signature, so making a scratch
         * never walks the pattern nodes */
        s->memo = 0;
        for (uint32_t k = 0; !s->exact && k < p->nnodes; k++)
            if (p->nodes[k].kind == VGP_GAP && p->nodes[k].b == VGP_INF) {
                s->memo = m->nmemo + 1;
                m->nmemo += 2;
                break;
            }
        /* a multi signature wants every match, unless pinned; so does one
         * whose allowed starts are a range (SEx, a long shift) */
        int settles = s->exact && s->off_kind == VGM_OFF_ANY && !(s->flags & VGM_SIG_MULTI) ? 1 : 0;
        if (PINNED(s))
            settles = 1;
        flags[i] = HS_FLAG_DOTALL | (settles ? HS_FLAG_SINGLEMATCH : 0);
        ids[i] = i;
    }
    for (uint32_t k = 0; k < nf; k++) {
        /* borrowed: the other matcher owns its texts (never freed here) */
        exprs[b->n + k] = (char *)f->ex[k];
        flags[b->n + k] = f->flags[k];
        ids[b->n + k] = b->n + f->ids[k];
    }
    if (total) {
        hs_compile_error_t *ce = NULL;
        /* A generic x86-64 target, not the build host's CPU: the same
         * sources then give the same serialized database on any machine
         * (compiled databases are published and rebuilt by others). */
        hs_platform_info_t plat;
        memset(&plat, 0, sizeof plat);
        plat.tune = HS_TUNE_FAMILY_GENERIC;
        hs_error_t he = hs_compile_multi((const char *const *)exprs, flags, ids,
                                         total, HS_MODE_BLOCK, &plat, &m->db, &ce);
        if (he != HS_SUCCESS) {
            int x = ce ? ce->expression : -1;
            if (x >= 0 && (uint32_t)x >= b->n && (uint32_t)x < total)
                *bad = x - (int)b->n;
            snprintf(err, errlen, "Vectorscan: %s (pattern %d)",
                     ce ? ce->message : "compile failed", x);
            hs_free_compile_error(ce);
            st = VG_EMATCHER;
            goto done;
        }
    }
done:
    free(tmp);
    for (uint32_t i = 0; exprs && i < b->n; i++) /* not the foreign ones */
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
    if (m->shared)
        vgm_shared_put(m->shared);
    else
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
    s->nmemo = m ? m->nmemo : 0;
    s->memo = calloc(s->nmemo ? s->nmemo : 1, sizeof *s->memo);
    if (!s->memo) {
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
    free(s->memo);
    free(s->unpacked);
    free(s);
}

void vgm_scratch_set_multi(vgm_scratch *s, vgm_multi_fn fn, void *user)
{
    s->multi = fn;
    s->multi_user = user;
}

void vgm_scratch_set_foreign(vgm_scratch *s, vgm_foreign_fn fn, void *user)
{
    s->foreign = fn;
    s->foreign_user = user;
}

void vgm_scratch_set_exe(vgm_scratch *s, const vg_exe_info *exe) { s->exe = exe; }

void vgm_new_object(vgm_scratch *s)
{
    if (++s->obj_gen == 0) {
        memset(s->reported, 0, s->nsigs * sizeof *s->reported);
        s->obj_gen = 1;
    }
}

/* ---- verification ----------------------------------------------------- */

typedef struct vctx {
    const vgp_node *nodes;
    const uint8_t *pool;
    const uint8_t *d;
    size_t len;
    size_t lo, hi;      /* allowed start positions */
    uint32_t budget;
    uint32_t nnodes;
    uint32_t anc_idx;   /* last anchor node passed, and where */
    size_t anc_pos;
    jump_memo *fmemo, *bmemo; /* NULL, or this sig's jump memos */
    uint32_t gen;
    uint32_t seg0, seg1;      /* the window's segment, placed at seg_start */
    size_t seg_start;
    uint32_t anc1;            /* offset signatures: the first part's anchor, */
    size_t pmin, pmax;        /* and ClamAV's idea of the length before it */
    size_t bend;              /* bwd: where the current part ends, or SIZE_MAX */
    size_t mstart;            /* where the match found starts */
} vctx;

static int mv_ok(const uint8_t *mv, const uint8_t *d, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        if ((d[k] & mv[2 * k]) != mv[2 * k + 1])
            return 0;
    return 1;
}

/* The byte of a `[n-m]`, tested the way ClamAV does it. */
static int ch_ok(const vctx *v, const vgp_node *n, size_t pos)
{
    if (n->side == 0) {
        if ((size_t)n->a + 1 > pos)
            return 0;
        size_t p = pos - n->a - 1;
        for (uint32_t k = n->a; k <= n->b; k++) {
            if ((v->d[p] & n->mask) == n->val)
                return 1;
            if (p == 0)
                return 0;
            p--;
        }
        return 0;
    }
    size_t p = pos + n->a;
    for (uint32_t k = n->a; k <= n->b; k++, p++) {
        if (p >= v->len)
            return 0;
        if ((v->d[p] & n->mask) == n->val)
            return 1;
    }
    return 0;
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
        return vgp_edge_at(n, v->d, v->len, pos);
    case VGP_CH:
        return ch_ok(v, n, pos);
    default:
        return 0;
    }
}

static int zero_width(const vgp_node *n) { return n->kind == VGP_EDGE || n->kind == VGP_CH; }

/* A mid-part (L) starting at s: its possible widths (0 = none) and how
 * many. Side 0 follows ClamAV's forward rule ("\n", or "\r\n"), side 1 its
 * backward one ("\n", or "\r" preceded by any byte when "\n" follows);
 * negated: one byte that starts neither. */
static int line_from(const vctx *v, const vgp_node *n, size_t s, uint32_t w[2])
{
    const uint8_t *d = v->d;
    size_t len = v->len;
    int k = 0;
    if (s >= len)
        return 0;
    if (n->neg) {
        if (d[s] != '\n' && !(d[s] == '\r' && s + 1 < len && d[s + 1] == '\n'))
            w[k++] = 1;
        return k;
    }
    if (n->side == 0) {
        if (d[s] == '\n')
            w[k++] = 1;
        else if (d[s] == '\r' && s + 1 < len && d[s + 1] == '\n')
            w[k++] = 2;
        return k;
    }
    if (d[s] == '\n')
        w[k++] = 1;
    if (s + 2 < len && d[s + 1] == '\r' && d[s + 2] == '\n')
        w[k++] = 2;
    return k;
}

/* The same, for an (L) that ends at e. */
static int line_to(const vctx *v, const vgp_node *n, size_t e, uint32_t w[2])
{
    const uint8_t *d = v->d;
    size_t len = v->len;
    int k = 0;
    if (e == 0 || e > len)
        return 0;
    uint8_t b = d[e - 1];
    if (n->neg) {
        if (b != '\n' && !(b == '\r' && e < len && d[e] == '\n'))
            w[k++] = 1;
        return k;
    }
    if (n->side == 0) {
        if (b == '\n')
            w[k++] = 1;
        if (b == '\n' && e >= 2 && d[e - 2] == '\r')
            w[k++] = 2;
        return k;
    }
    if (b == '\n')
        w[k++] = 1;
    else if (b == '\r' && e >= 2 && e < len && d[e] == '\n')
        w[k++] = 2;
    return k;
}

/* pos reached the end of the buffer before node i. ClamAV stops matching
 * a part there and calls what it has a match when the part is the last
 * one, the buffer end is past its anchor, and anchor + the part's minimum
 * length (which counts mid-part (B)/(L)/(W) as 0 bytes) fits; then only
 * its right-edge tests remain, taken at the end of the buffer. */
static int at_eof(vctx *v, uint32_t i)
{
    uint32_t last0 = 0, anc = UINT32_MAX;
    for (uint32_t k = v->nnodes; k-- > 0;)
        if (v->nodes[k].kind == VGP_GAP) {
            last0 = k + 1;
            break;
        }
    if (i < last0)
        return 0;
    for (uint32_t k = last0; k < v->nnodes; k++)
        if (v->nodes[k].flags & VGP_F_ANCHOR) {
            anc = k;
            break;
        }
    if (anc == UINT32_MAX || i <= anc || v->anc_idx != anc || v->anc_pos > v->len ||
        v->nodes[anc].a > v->len - v->anc_pos)
        return 0;
    for (; i < v->nnodes; i++) {
        const vgp_node *n = &v->nodes[i];
        if (n->kind == VGP_EDGE && !vgp_edge_at(n, v->d, v->len, v->len))
            return 0;
        if (n->kind == VGP_CH && n->side == 1)
            return 0;
    }
    return 1;
}

/* Backwards, pos reached 0 with nodes [0, i) left, node i matched last.
 * ClamAV stops matching a part's elements before its anchor at the start
 * of the buffer and keeps what it has when the part is the first one and
 * the minimum length of those elements (VGP_F_ZERO nodes 0) fits before
 * the anchor; the left-edge tests are then taken at the buffer start. */
static int at_start(vctx *v, uint32_t i)
{
    uint32_t gap = v->nnodes, anc = UINT32_MAX, k;
    int more = 0;
    for (k = 0; k < v->nnodes; k++)
        if (v->nodes[k].kind == VGP_GAP) {
            gap = k;
            break;
        }
    for (k = 0; k < gap; k++)
        if (v->nodes[k].flags & VGP_F_ANCHOR) {
            anc = k;
            break;
        }
    if (anc == UINT32_MAX || i >= anc)
        return 0;
    for (k = 0; k < i; k++)
        if (!zero_width(&v->nodes[k]))
            more = 1;
    if (!more)
        return 0;
    size_t ap;
    if (v->anc_idx == anc) {
        ap = v->anc_pos;
    } else if (anc >= v->seg0 && anc < v->seg1) {
        ap = v->seg_start;
        for (k = v->seg0; k < anc; k++)
            ap += (size_t)vgp_node_width(&v->nodes[k]);
    } else {
        return 0;
    }
    if (v->nodes[anc].b > ap || v->lo > 0)
        return 0;
    for (k = 0; k < i; k++) {
        const vgp_node *n = &v->nodes[k];
        if (n->kind == VGP_EDGE && !vgp_edge_at(n, v->d, v->len, 0))
            return 0;
        if (n->kind == VGP_CH)
            return 0;
    }
    return 1;
}

/* Passing an anchor at pos. For the first part's anchor of a signature
 * with an offset, ClamAV first checks the offset against where the part
 * would start if the elements before the anchor were as long as it
 * thinks (mid-part (B)/(W)/(L) 0 bytes): 0 if that rules it out. */
static int note_anchor(vctx *v, uint32_t i, size_t pos)
{
    v->anc_idx = i;
    v->anc_pos = pos;
    if (i == v->anc1 && (v->hi + v->pmax < pos || v->lo + v->pmin > pos))
        return 0;
    return 1;
}

/* Parts are matched the way ClamAV matches them: a part's way through is
 * the first one found (alternatives in their order), and a part once
 * matched is not tried another way to make the next part fit. ClamAV
 * records one start and one end per place it found a part's anchor. */

/* Index of the GAP after the part holding node i, or nnodes. */
static uint32_t part_end(const vctx *v, uint32_t i)
{
    while (i < v->nnodes && v->nodes[i].kind != VGP_GAP)
        i++;
    return i;
}

/* Index of the first node of the part holding node i - 1. */
static uint32_t part_begin(const vctx *v, uint32_t i)
{
    while (i > 0 && v->nodes[i - 1].kind != VGP_GAP)
        i--;
    return i;
}

/* Nodes [i, pe) of one part from pos: the first way through ends at
 * *endp. */
static int part_fwd(vctx *v, uint32_t i, uint32_t pe, size_t pos, size_t *endp)
{
    while (i < pe) {
        if (v->budget == 0)
            return 0;
        v->budget--;
        const vgp_node *n = &v->nodes[i];
        if (pos >= v->len && !zero_width(n)) {
            if (pe == v->nnodes && at_eof(v, i)) {
                *endp = v->len;
                return 1;
            }
            return 0;
        }
        switch (n->kind) {
        case VGP_BYTE:
            if ((v->d[pos] & n->mask) != n->val)
                return 0;
            if ((n->flags & VGP_F_ANCHOR) && !note_anchor(v, i, pos))
                return 0;
            pos++;
            i++;
            continue;
        case VGP_SET:
            if (!set_has(v->pool + n->pool, v->d[pos]))
                return 0;
            pos++;
            i++;
            continue;
        case VGP_ALT:
            /* ClamAV: a negated group that does not fit before the end
             * counts as matched and moves one byte */
            if (n->neg && n->b > v->len - pos) {
                pos++;
                i++;
                continue;
            }
            if (!node_at(v, n, pos))
                return 0;
            pos += n->b;
            i++;
            continue;
        case VGP_EDGE:
        case VGP_CH:
            if (!node_at(v, n, pos))
                return 0;
            i++;
            continue;
        case VGP_GALT:
            for (uint32_t a = 0; a < n->a; a++) {
                uint32_t l;
                const uint8_t *q = vgp_galt_alt(n, v->pool, a, &l);
                if (l <= v->len - pos && mv_ok(q, v->d + pos, l) &&
                    part_fwd(v, i + 1, pe, pos + l, endp))
                    return 1;
                if (v->budget == 0)
                    return 0;
            }
            return 0;
        case VGP_LINE: {
            uint32_t w[2];
            int k = line_from(v, n, pos, w);
            if (k == 0)
                return 0;
            if (k == 2 && part_fwd(v, i + 1, pe, pos + w[1], endp))
                return 1;
            pos += w[0];
            i++;
            continue;
        }
        default:
            return 0;
        }
    }
    *endp = pos;
    return 1;
}

/* Match nodes [i, nnodes) starting at pos; 1 if they all match. */
static int fwd(vctx *v, uint32_t i, size_t pos)
{
    uint32_t pe = part_end(v, i);
    if (!part_fwd(v, i, pe, pos, &pos))
        return 0;
    if (pe == v->nnodes)
        return 1;
    /* the GAP at pe: the next part starts a..b bytes further */
    const vgp_node *n = &v->nodes[pe];
    i = pe;
    if (pos > v->len || n->a > v->len - pos)
        return 0;
    size_t from = pos + n->a;
    size_t to = n->b == VGP_INF ? v->len : (n->b > v->len - pos ? v->len : pos + n->b);
    jump_memo *mm = n->b == VGP_INF ? v->fmemo : NULL;
    if (mm && mm->gen == v->gen && mm->node == i && from >= mm->pos)
        return 0; /* known: no next part from here on */
    const vgp_node *nx = &v->nodes[i + 1];
    for (size_t p = from; p <= to; p++) {
        if (nx->kind == VGP_BYTE && nx->mask == 0xff) {
            size_t lim = to < v->len ? to : v->len - 1;
            if (p >= v->len || p > lim)
                break;
            const uint8_t *f = memchr(v->d + p, nx->val, lim - p + 1);
            if (!f)
                break;
            p = (size_t)(f - v->d);
        }
        if (fwd(v, i + 1, p))
            return 1;
        if (v->budget == 0)
            return 0;
    }
    if (mm) { /* every start >= from failed */
        mm->gen = v->gen;
        mm->node = i;
        mm->pos = from;
    }
    return 0;
}

/* Nodes [ps, i) of one part, ending at pos: the first way back gives the
 * part's start in *startp. Passing the anchor of a part whose end is known
 * (v->bend), the part must also end there the way ClamAV matches it
 * forwards from the anchor. */
static int part_bwd(vctx *v, uint32_t i, uint32_t ps, size_t pos, size_t *startp)
{
    while (i > ps) {
        if (v->budget == 0)
            return 0;
        v->budget--;
        const vgp_node *n = &v->nodes[i - 1];
        if (pos == 0 && !zero_width(n) && ps == 0 && i < v->nnodes) {
            if (!at_start(v, i))
                return 0;
            *startp = 0;
            return 1;
        }
        switch (n->kind) {
        case VGP_BYTE:
        case VGP_SET:
            if (pos == 0 || !node_at(v, n, pos - 1))
                return 0;
            pos--;
            if (n->flags & VGP_F_ANCHOR) {
                if (!note_anchor(v, i - 1, pos))
                    return 0;
                if (v->bend != SIZE_MAX) {
                    size_t e, bend = v->bend;
                    if (!part_fwd(v, i - 1, part_end(v, i - 1), pos, &e) || e != bend)
                        return 0;
                    note_anchor(v, i - 1, pos);
                }
            }
            i--;
            continue;
        case VGP_ALT:
            if (n->b > pos || !node_at(v, n, pos - n->b))
                return 0;
            pos -= n->b;
            i--;
            continue;
        case VGP_EDGE:
        case VGP_CH:
            if (!node_at(v, n, pos))
                return 0;
            i--;
            continue;
        case VGP_GALT:
            for (uint32_t a = 0; a < n->a; a++) {
                uint32_t l;
                const uint8_t *q = vgp_galt_alt(n, v->pool, a, &l);
                if (l <= pos && mv_ok(q, v->d + pos - l, l) &&
                    part_bwd(v, i - 1, ps, pos - l, startp))
                    return 1;
                if (v->budget == 0)
                    return 0;
            }
            return 0;
        case VGP_LINE: {
            uint32_t w[2];
            int k = line_to(v, n, pos, w);
            if (k == 0)
                return 0;
            if (k == 2 && part_bwd(v, i - 1, ps, pos - w[1], startp))
                return 1;
            pos -= w[0];
            i--;
            continue;
        }
        default:
            return 0;
        }
    }
    *startp = pos;
    return 1;
}

/* Match nodes [0, i) ending at pos, with the pattern start in [lo, hi]. */
static int bwd(vctx *v, uint32_t i, size_t pos)
{
    uint32_t ps = part_begin(v, i);
    if (!part_bwd(v, i, ps, pos, &pos))
        return 0;
    if (ps == 0) {
        v->mstart = pos;
        return pos >= v->lo && pos <= v->hi;
    }
    /* the GAP before: the previous part ends a..b bytes earlier; when it
     * ends in a literal byte, jump between occurrences of that byte */
    i = ps;
    const vgp_node *n = &v->nodes[i - 1];
    if (n->a > pos)
        return 0;
    size_t from = pos - n->a;
    size_t to = n->b == VGP_INF || n->b > pos ? 0 : pos - n->b;
    jump_memo *mm = n->b == VGP_INF ? v->bmemo : NULL;
    if (mm && mm->gen == v->gen && mm->node == i - 1) { /* ends <= mm->pos fail */
        if (from <= mm->pos)
            return 0;
        if (to <= mm->pos)
            to = (size_t)mm->pos + 1;
    }
    const vgp_node *pv = i >= 2 ? &v->nodes[i - 2] : NULL;
    int lit = pv && pv->kind == VGP_BYTE && pv->mask == 0xff ? pv->val : -1;
    size_t saved = v->bend;
    for (size_t p = from;;) {
        if (lit >= 0) {
            size_t lo = to ? to - 1 : 0;
            const uint8_t *f = p > lo ? memrchr(v->d + lo, lit, p - lo) : NULL;
            if (!f)
                break;
            p = (size_t)(f - v->d) + 1;
        }
        v->bend = p;
        int ok = bwd(v, i - 1, p);
        v->bend = saved;
        if (ok)
            return 1;
        if (v->budget == 0)
            return 0;
        if (p <= to)
            break;
        p--;
    }
    if (mm) { /* every end <= from failed */
        mm->gen = v->gen;
        mm->node = i - 1;
        mm->pos = from;
    }
    return 0;
}

/* The fixed-width nodes [i0, i1) at their places from pos, as far as they
 * lie inside the buffer: 0 only when one of them certainly fails. */
static int precheck(const vctx *v, uint32_t i0, uint32_t i1, size_t pos)
{
    for (uint32_t i = i0; i < i1; i++) {
        const vgp_node *n = &v->nodes[i];
        size_t w = (size_t)vgp_node_width(n);
        if (pos + w > v->len || (n->kind == VGP_ALT && n->neg))
            return 1;
        if (!node_at(v, n, pos))
            return 0;
        pos += w;
    }
    return 1;
}

/* Allowed start range for sig in a buffer of len bytes; 0 if none. */
static int start_range(const vgm_sig *s, const vg_exe_info *exe, size_t len,
                       size_t *lo, size_t *hi)
{
    vgm_offset off = {s->off_kind, s->off_n, s->off_shift};
    uint64_t l, h;
    if (!vgm_offset_range(&off, len, exe, &l, &h))
        return 0;
    *lo = (size_t)l;
    *hi = (size_t)h;
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

/* 1 = matched, 0 = not at this hit, -1 = settled absent for this buffer;
 * on a match *start is where it starts */
static int verify(const sctx *c, const vgm_sig *s, size_t win_end, size_t *start)
{
    uint32_t ms = s->memo ? s->memo - 1 : UINT32_MAX;
    const vgp_node *nodes = vgm_sig_nodes(c->m, s, &c->s->unpacked, &c->s->unpacked_cap);
    if (!nodes)
        return -1;
    vctx v = {nodes, c->m->pool + s->pool0, c->d, c->len, 0, 0,
              VGM_VERIFY_BUDGET, s->nnodes, UINT32_MAX, 0,
              ms == UINT32_MAX ? NULL : &c->s->memo[ms],
              ms == UINT32_MAX ? NULL : &c->s->memo[ms + 1], c->s->buf_gen, 0, 0, 0,
              UINT32_MAX, 0, 0, SIZE_MAX, 0};
    if (!start_range(s, c->s->exe, c->len, &v.lo, &v.hi))
        return -1;
    if (s->off_kind != VGM_OFF_ANY) {
        for (uint32_t k = 0; k < s->nnodes && v.nodes[k].kind != VGP_GAP; k++) {
            const vgp_node *n = &v.nodes[k];
            if (n->flags & VGP_F_ANCHOR) {
                v.anc1 = k;
                v.pmin = n->b;
                break;
            }
            v.pmax += clam_max(n, v.pool);
        }
    }
    if (s->exact && s->off_kind == VGM_OFF_ANY) {
        *start = win_end - s->win_width - s->pre_width;
        return 1;
    }
    if (PINNED(s) && s->off_kind == VGM_OFF_VI) { /* a set of starts */
        vgm_offset off = {s->off_kind, s->off_n, s->off_shift};
        const uint64_t *pts;
        size_t npts;
        vgm_offset_points(&off, c->s->exe, &pts, &npts);
        for (size_t k = 0; k < npts; k++)
            for (size_t p = (size_t)pts[k]; p <= pts[k] + s->off_shift && p <= c->len; p++)
                if (fwd(&v, 0, p)) {
                    *start = p;
                    return 1;
                }
        return -1;
    }
    if (PINNED(s)) {
        for (size_t p = v.lo; p <= v.hi; p++)
            if (fwd(&v, 0, p)) {
                *start = p;
                return 1;
            }
        return -1;
    }
    if (win_end < s->win_width + s->pre_width)
        return 0;
    size_t seg_start = win_end - s->win_width - s->pre_width;
    v.seg0 = s->seg0;
    v.seg1 = s->seg1;
    v.seg_start = seg_start;
    if (!precheck(&v, s->seg0, s->seg1, seg_start) || !bwd(&v, s->seg0, seg_start))
        return 0;
    *start = v.mstart;
    return fwd(&v, s->seg0, seg_start);
}

static int on_hit(unsigned int id, unsigned long long from, unsigned long long to,
                  unsigned int flags, void *ctx)
{
    (void)from;
    (void)flags;
    sctx *c = ctx;
    vgm_scratch *s = c->s;
    if (id >= s->nsigs) { /* a database from a file: never trust its ids */
        uint32_t k = id - s->nsigs;
        return s->foreign && k < c->m->nforeign
                   ? s->foreign(s->foreign_user, k, (uint64_t)to) ? 1 : 0
                   : 0;
    }
    if (s->reported[id] == s->obj_gen || s->dead[id] == s->buf_gen)
        return 0;
    const vgm_sig *sig = &c->m->sigs[id];
    if (!((c->mask >> sig->target) & 1))
        return 0;
    size_t start = 0;
    int r = verify(c, sig, (size_t)to, &start);
    if (r < 0) {
        s->dead[id] = s->buf_gen;
        return 0;
    }
    if (r == 0)
        return 0;
    if (sig->flags & VGM_SIG_MULTI) {
        /* every match counts; a pinned one is settled by its first */
        if (PINNED(sig))
            s->dead[id] = s->buf_gen;
        if (s->multi)
            s->multi(s->multi_user, sig->id, start);
        return 0;
    }
    s->reported[id] = s->obj_gen;
    return c->fn(c->user, sig->id) ? 1 : 0;
}

vg_status vgm_scan(const vgm_matcher *m, vgm_scratch *s, const uint8_t *data,
                   size_t len, uint32_t target_mask, vgm_hit_fn fn, void *user)
{
    if (!m || !m->db || len == 0 || (m->nsigs == 0 && !s->foreign))
        return VG_OK;
    if (len > 0xffffffffu)
        return VG_ELIMIT;
    if (++s->buf_gen == 0) {
        memset(s->dead, 0, s->nsigs * sizeof *s->dead);
        memset(s->memo, 0, s->nmemo * sizeof *s->memo);
        s->buf_gen = 1;
    }
    sctx c = {m, s, data, len, target_mask, fn, user};
    hs_error_t he = hs_scan(m->db, (const char *)data, (unsigned int)len, 0, s->hs,
                            on_hit, &c);
    if (he != HS_SUCCESS && he != HS_SCAN_TERMINATED)
        return VG_EMATCHER;
    return VG_OK;
}
