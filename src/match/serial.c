/* match/serial.c - matcher to and from flat parts (see serial.h). */
#include "match/serial.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "core/pages.h"
#include "match/offset.h"

vg_status vgm_export(const vgm_matcher *m, vgm_parts *p, char **hs, size_t *hslen)
{
    p->sigs = m->sigs;
    p->nsigs = m->nsigs;
    p->nodes = m->nodes;
    p->nnodes = m->nnodes;
    p->pool = m->pool;
    p->npool = m->npool;
    *hs = NULL;
    *hslen = 0;
    if (m->db && hs_serialize_database(m->db, hs, hslen) != HS_SUCCESS)
        return VG_ENOMEM;
    return VG_OK;
}

static uint32_t pool_end(const vgm_parts *p, uint32_t i)
{
    return i + 1 < p->nsigs ? p->sigs[i + 1].pool0 : p->npool;
}

/* Bytes of pool a node refers to, checked against the pattern's pool, and
 * every field a node kind uses (match/pattern.h). */
static int node_ok(const vgp_node *n, const uint8_t *pool, uint32_t plen)
{
    if (n->flags > (VGP_F_ANCHOR | VGP_F_ZERO))
        return 0;
    switch (n->kind) {
    case VGP_BYTE:
        return (n->val & ~n->mask) == 0;
    case VGP_SET:
        return n->pool <= plen && plen - n->pool >= 32;
    case VGP_ALT: {
        uint64_t need = (uint64_t)n->a * n->b * 2;
        return n->a > 0 && n->b > 0 && n->b <= 4096 && n->neg <= 1 && n->pool <= plen &&
               plen - n->pool >= need;
    }
    case VGP_GALT: {
        if (n->a == 0 || n->pool > plen)
            return 0;
        uint64_t off = n->pool;
        for (uint32_t a = 0; a < n->a; a++) {
            if (off >= plen)
                return 0;
            off += 1 + 2ull * pool[off];
            if (off > plen)
                return 0;
        }
        return 1;
    }
    case VGP_LINE:
        return n->neg <= 1 && n->side <= 1;
    case VGP_EDGE:
        return n->edge <= VGP_EDGE_W && n->neg <= 1 && n->side <= 1;
    case VGP_CH:
        return n->side <= 1 && n->a <= n->b && n->b <= 32 && (n->val & ~n->mask) == 0;
    case VGP_GAP:
        return n->a <= n->b;
    default:
        return 0;
    }
}


vg_status vgm_validate_parts(const vgm_parts *p, uint32_t nids, char *err, size_t errlen)
{
    uint32_t done_sig = 0;
    for (uint32_t i = 0; i < p->nsigs; i++) {
        if (i - done_sig == 512) {
            const vgm_sig *a = &p->sigs[done_sig], *b = &p->sigs[i];
            if (b->node0 >= a->node0)
                vgpages_release(p->nodes + a->node0, (size_t)(b->node0 - a->node0) * sizeof(vgp_node));
            vgpages_release(a, (size_t)(i - done_sig) * sizeof *a);
            done_sig = i;
        }
        const vgm_sig *s = &p->sigs[i];
        uint32_t pend = pool_end(p, i);
        int ok = s->node0 <= p->nnodes && s->nnodes > 0 && s->nnodes <= p->nnodes - s->node0 &&
                 s->pool0 <= pend && pend <= p->npool && s->seg0 < s->seg1 &&
                 s->seg1 <= s->nnodes && s->win0 >= s->seg0 && s->win0 < s->seg1 &&
                 s->id < nids && s->target < 15 && s->off_kind <= VGM_OFF_LAST && s->exact <= 1 &&
                 s->memo <= 2 * (uint64_t)p->nsigs &&
                 (i == 0 || s->node0 >= p->sigs[i - 1].node0);
        for (uint32_t k = 0; ok && k < s->nnodes; k++)
            ok = node_ok(&p->nodes[s->node0 + k], p->pool + s->pool0, pend - s->pool0);
        for (uint32_t k = s->seg0; ok && k < s->seg1; k++)
            ok = vgp_node_width(&p->nodes[s->node0 + k]) >= 0;
        if (!ok) {
            snprintf(err, errlen, "body signature %u is inconsistent", i);
            return VG_EFORMAT;
        }
    }
    return VG_OK;
}

vg_status vgm_pattern_copy(const vgm_parts *p, uint32_t i, vgp_pattern *out,
                           vgm_offset *off, uint8_t *target, uint32_t *id)
{
    const vgm_sig *s = &p->sigs[i];
    uint32_t plen = pool_end(p, i) - s->pool0;
    vgp_node *nodes = malloc(s->nnodes * sizeof *nodes);
    uint8_t *pool = malloc(plen ? plen : 1);
    if (!nodes || !pool) {
        free(nodes);
        free(pool);
        return VG_ENOMEM;
    }
    memcpy(nodes, p->nodes + s->node0, s->nnodes * sizeof *nodes);
    if (plen)
        memcpy(pool, p->pool + s->pool0, plen);
    out->nodes = nodes;
    out->nnodes = s->nnodes;
    out->pool = pool;
    out->npool = plen;
    off->kind = s->off_kind;
    off->n = s->off_n;
    off->shift = s->off_shift;
    *target = s->target;
    *id = s->id;
    return VG_OK;
}

static vg_status rebuild(const vgm_parts *p, vgm_matcher **out, char *err, size_t errlen)
{
    vgm_builder *b;
    vg_status st = vgm_builder_new(&b);
    for (uint32_t i = 0; st == VG_OK && i < p->nsigs; i++) {
        vgp_pattern pat;
        vgm_offset off;
        uint8_t target;
        uint32_t id;
        st = vgm_pattern_copy(p, i, &pat, &off, &target, &id);
        if (st == VG_OK) {
            st = vgm_builder_add(b, &pat, &off, target, id);
            vgp_free(&pat);
        }
    }
    if (st == VG_OK)
        st = vgm_build(b, out, err, errlen);
    vgm_builder_free(b);
    return st;
}

vg_status vgm_from_parts(const vgm_parts *p, const void *hs, size_t hslen,
                         vgm_matcher **out, int *rebuilt, char *err, size_t errlen)
{
    *rebuilt = 0;
    vgm_matcher *m = calloc(1, sizeof *m);
    if (!m)
        return VG_ENOMEM;
    m->sigs = (vgm_sig *)p->sigs;
    m->nsigs = p->nsigs;
    m->nodes = (vgp_node *)p->nodes;
    m->nnodes = p->nnodes;
    m->pool = (uint8_t *)p->pool;
    m->npool = p->npool;
    m->borrowed = 1;
    for (uint32_t i = 0; i < p->nsigs; i++)
        if (p->sigs[i].memo && p->sigs[i].memo + 1 > m->nmemo)
            m->nmemo = p->sigs[i].memo + 1;
    vgpages_release(p->sigs, (size_t)p->nsigs * sizeof *p->sigs); /* read again on hits */
    if (p->nsigs == 0) {
        *out = m;
        return VG_OK;
    }
    hs_error_t he = hslen ? hs_deserialize_database(hs, hslen, &m->db) : HS_INVALID;
    vgpages_release(hs, hslen); /* Vectorscan keeps its own copy */
    if (he == HS_SUCCESS) {
        /* the database must answer for exactly our signature count */
        *out = m;
        return VG_OK;
    }
    free(m);
    /* wrong CPU features, another Vectorscan version, or damaged: compile
     * again from the patterns in the file */
    *rebuilt = 1;
    return rebuild(p, out, err, errlen);
}
