/* match/serial.c - matcher to and from flat parts (see serial.h).
 *
 * Pattern nodes are 20 bytes each, and most are single literal bytes, so
 * a .vdb stores them packed: per signature a stream of items, either a
 * run of 1..128 plain literal bytes (tag 0..127 = length - 1, then the
 * bytes; a plain literal is a BYTE node with mask 0xff and every other
 * field 0) or one node as it is in memory (tag 0x80, then 20 bytes). The
 * signature's node0 is then the byte offset of its stream. Unpacking
 * gives back exactly the nodes that were packed, so content hashes
 * (db/listing.c) do not depend on how a database was loaded.
 *
 * A matcher running on packed nodes unpacks a signature's nodes when
 * Vectorscan reports it (into the scan's scratch) and checks them there,
 * as vgm_validate_parts checks unpacked ones; an inconsistent signature
 * never matches.
 *
 * Deserialized Vectorscan databases are shared: a process keeps one copy
 * per content key (the SHA-256 the .vdb loader computes over the section),
 * so a daemon reloading a file whose patterns did not change does not
 * hold a second copy while the old engine drains. */
#include "match/serial.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "core/pages.h"
#include "match/offset.h"

#define PK_FULL 0x80u
#define PK_RUN_MAX 128u

static int plain(const vgp_node *n)
{
    static const vgp_node z;
    vgp_node t = *n;
    if (t.kind != VGP_BYTE || t.mask != 0xff)
        return 0;
    t.val = 0;
    t.mask = 0;
    return memcmp(&t, &z, sizeof t) == 0;
}

size_t vgm_pack_bound(uint32_t nnodes) { return (size_t)nnodes * (1 + sizeof(vgp_node)); }

size_t vgm_pack_nodes(const vgp_node *nodes, uint32_t n, uint8_t *out)
{
    size_t o = 0;
    for (uint32_t i = 0; i < n;) {
        uint32_t r = 0;
        while (i + r < n && r < PK_RUN_MAX && plain(&nodes[i + r]))
            r++;
        if (r) {
            out[o++] = (uint8_t)(r - 1);
            for (uint32_t k = 0; k < r; k++)
                out[o++] = nodes[i + k].val;
            i += r;
        } else {
            out[o++] = PK_FULL;
            memcpy(out + o, &nodes[i], sizeof nodes[i]);
            o += sizeof nodes[i];
            i++;
        }
    }
    return o;
}

/* n nodes from the stream at p (plen bytes) into out; 0 if it is short. */
static int unpack_nodes(const uint8_t *p, size_t plen, uint32_t n, vgp_node *out)
{
    size_t o = 0;
    for (uint32_t i = 0; i < n;) {
        if (o >= plen)
            return 0;
        uint8_t tag = p[o++];
        if (tag == PK_FULL) {
            if (plen - o < sizeof(vgp_node))
                return 0;
            memcpy(&out[i++], p + o, sizeof(vgp_node));
            o += sizeof(vgp_node);
        } else if (tag < PK_RUN_MAX) {
            uint32_t r = (uint32_t)tag + 1;
            if (r > n - i || plen - o < r)
                return 0;
            for (uint32_t k = 0; k < r; k++) {
                memset(&out[i], 0, sizeof out[i]);
                out[i].kind = VGP_BYTE;
                out[i].mask = 0xff;
                out[i].val = p[o++];
                i++;
            }
        } else
            return 0;
    }
    return 1;
}

vg_status vgm_export(const vgm_matcher *m, vgm_parts *p, char **hs, size_t *hslen)
{
    memset(p, 0, sizeof *p);
    p->sigs = m->sigs;
    p->nsigs = m->nsigs;
    p->nodes = m->nodes;
    p->nnodes = m->nnodes;
    p->packed = m->packed;
    p->npacked = m->npacked;
    p->pool = m->pool;
    p->npool = m->npool;
    *hs = NULL;
    *hslen = 0;
    if (m->db && hs_serialize_database(m->db, hs, hslen) != HS_SUCCESS)
        return VG_ENOMEM;
    return VG_OK;
}

static uint32_t pool_end(const vgm_sig *sigs, uint32_t nsigs, uint32_t npool, uint32_t i)
{
    return i + 1 < nsigs ? sigs[i + 1].pool0 : npool;
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

/* The nodes of a signature against its pool and its segment. */
static int nodes_ok(const vgm_sig *s, const vgp_node *nodes, const uint8_t *pool, uint32_t plen)
{
    for (uint32_t k = 0; k < s->nnodes; k++)
        if (!node_ok(&nodes[k], pool, plen))
            return 0;
    for (uint32_t k = s->seg0; k < s->seg1; k++)
        if (vgp_node_width(&nodes[k]) < 0)
            return 0;
    return 1;
}

/* Signature i (at s; pend: where its pool ends) of parts p. */
static int sig_ok(const vgm_parts *p, const vgm_sig *s, uint32_t pend, uint32_t nids)
{
    uint64_t nodes_max = p->packed ? p->npacked : p->nnodes;
    int ok = s->node0 <= nodes_max && s->nnodes > 0 && s->nnodes <= VGP_MAX_NODES &&
             s->pool0 <= pend && pend <= p->npool && s->seg0 < s->seg1 &&
             s->seg1 <= s->nnodes && s->win0 >= s->seg0 && s->win0 < s->seg1 &&
             ((s->flags & VGM_SIG_MULTI) || s->id < nids) && s->target < 15 &&
             s->off_kind <= VGM_OFF_LAST && s->exact <= 1 && s->memo <= 2 * (uint64_t)p->nsigs;
    /* unpacked nodes are checked here; packed ones when unpacked */
    if (ok && !p->packed)
        ok = s->nnodes <= p->nnodes - s->node0 &&
             nodes_ok(s, p->nodes + s->node0, p->pool + s->pool0, pend - s->pool0);
    return ok;
}

static void stats_add(vgm_sigstats *st, const vgm_sig *s)
{
    if (s->memo && s->memo + 1 > st->nmemo)
        st->nmemo = s->memo + 1;
    if (s->flags & VGM_SIG_MULTI) {
        st->nmulti++;
        if (s->id + 1 > st->multi_ids)
            st->multi_ids = s->id + 1;
    }
}

vg_status vgm_validate_window(const vgm_parts *p, const vgm_sig *w, uint32_t first, uint32_t n,
                              uint32_t nids, vgm_sigstats *st, char *err, size_t errlen)
{
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = first + k;
        uint32_t pend = i + 1 < p->nsigs ? w[k + 1].pool0 : p->npool;
        if (!sig_ok(p, &w[k], pend, nids)) {
            snprintf(err, errlen, "body signature %u is inconsistent", i);
            return VG_EFORMAT;
        }
        stats_add(st, &w[k]);
    }
    return VG_OK;
}

vg_status vgm_validate_parts(const vgm_parts *p, uint32_t nids, vgm_sigstats *st, char *err,
                             size_t errlen)
{
    memset(st, 0, sizeof *st);
    return vgm_validate_window(p, p->sigs, 0, p->nsigs, nids, st, err, errlen);
}

/* Nodes of sig i of parts p into out (s->nnodes of them), checked. */
static int parts_nodes(const vgm_parts *p, uint32_t i, vgp_node *out)
{
    const vgm_sig *s = &p->sigs[i];
    uint32_t pend = pool_end(p->sigs, p->nsigs, p->npool, i);
    if (p->packed) {
        if (s->node0 > p->npacked ||
            !unpack_nodes(p->packed + s->node0, p->npacked - s->node0, s->nnodes, out))
            return 0;
    } else
        memcpy(out, p->nodes + s->node0, s->nnodes * sizeof *out);
    return nodes_ok(s, out, p->pool + s->pool0, pend - s->pool0);
}

const vgp_node *vgm_sig_nodes(const vgm_matcher *m, const vgm_sig *s, vgp_node **buf,
                              uint32_t *cap)
{
    if (!m->packed)
        return m->nodes + s->node0;
    if (*cap < s->nnodes) {
        vgp_node *nb = realloc(*buf, s->nnodes * sizeof *nb);
        if (!nb)
            return NULL;
        *buf = nb;
        *cap = s->nnodes;
    }
    vgm_parts p = {.sigs = m->sigs, .nsigs = m->nsigs, .packed = m->packed,
                   .npacked = m->npacked, .pool = m->pool, .npool = m->npool};
    return parts_nodes(&p, (uint32_t)(s - m->sigs), *buf) ? *buf : NULL;
}

vg_status vgm_pattern_copy(const vgm_parts *p, uint32_t i, vgp_pattern *out,
                           vgm_offset *off, uint8_t *target, uint32_t *id)
{
    const vgm_sig *s = &p->sigs[i];
    uint32_t plen = pool_end(p->sigs, p->nsigs, p->npool, i) - s->pool0;
    vgp_node *nodes = malloc(s->nnodes * sizeof *nodes);
    uint8_t *pool = malloc(plen ? plen : 1);
    if (!nodes || !pool) {
        free(nodes);
        free(pool);
        return VG_ENOMEM;
    }
    if (!parts_nodes(p, i, nodes)) {
        free(nodes);
        free(pool);
        return VG_EFORMAT;
    }
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

/* ---- shared Vectorscan databases -------------------------------------- */

struct vgm_shared_db {
    uint8_t key[32];
    hs_database_t *db;
    size_t refs;
    struct vgm_shared_db *next;
};

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vgm_shared_db *shared_list;

void vgm_shared_put(struct vgm_shared_db *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&shared_lock);
    int last = --s->refs == 0;
    if (last)
        for (struct vgm_shared_db **pp = &shared_list; *pp; pp = &(*pp)->next)
            if (*pp == s) {
                *pp = s->next;
                break;
            }
    pthread_mutex_unlock(&shared_lock);
    if (last) {
        hs_free_database(s->db);
        free(s);
    }
}

struct vgm_shared_db *vgm_shared_get(const uint8_t key[32], const void *hs, size_t hslen)
{
    pthread_mutex_lock(&shared_lock);
    for (struct vgm_shared_db *s = shared_list; s; s = s->next)
        if (memcmp(s->key, key, 32) == 0) {
            s->refs++;
            pthread_mutex_unlock(&shared_lock);
            return s;
        }
    pthread_mutex_unlock(&shared_lock);
    struct vgm_shared_db *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    if (hs_deserialize_database(hs, hslen, &n->db) != HS_SUCCESS) {
        free(n);
        return NULL;
    }
    memcpy(n->key, key, 32);
    n->refs = 1;
    pthread_mutex_lock(&shared_lock);
    for (struct vgm_shared_db *s = shared_list; s; s = s->next)
        if (memcmp(s->key, key, 32) == 0) { /* another load got there first */
            s->refs++;
            pthread_mutex_unlock(&shared_lock);
            hs_free_database(n->db);
            free(n);
            return s;
        }
    n->next = shared_list;
    shared_list = n;
    pthread_mutex_unlock(&shared_lock);
    return n;
}

/* ---- loading ---------------------------------------------------------- */

/* A matcher of p's patterns (the logical subsignatures too) and f's. */
static vg_status rebuild(const vgm_parts *p, const vgm_foreign *f, vgm_matcher **out,
                         int *bad, char *err, size_t errlen)
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
            st = p->sigs[i].flags & VGM_SIG_MULTI ? vgm_builder_add_multi(b, &pat, &off, target, id)
                                                  : vgm_builder_add(b, &pat, &off, target, id);
            vgp_free(&pat);
        }
    }
    if (st == VG_EFORMAT)
        snprintf(err, errlen, "a body signature's pattern is inconsistent");
    if (st == VG_OK)
        st = vgm_build_with(b, f, out, bad, err, errlen);
    vgm_builder_free(b);
    return st;
}

vg_status vgm_from_parts(const vgm_parts *p, const void *hs, size_t hslen,
                         struct vgm_shared_db *sh, uint32_t nmemo, const vgm_foreign *f,
                         int hs_fits, vgm_matcher **out, int *rebuilt, int *bad, char *err,
                         size_t errlen)
{
    *rebuilt = 0;
    *bad = -1;
    vgm_matcher *m = calloc(1, sizeof *m);
    if (!m) {
        vgm_shared_put(sh);
        return VG_ENOMEM;
    }
    m->sigs = (vgm_sig *)p->sigs;
    m->nsigs = p->nsigs;
    m->nforeign = f ? f->nids : 0;
    m->nodes = (vgp_node *)p->nodes;
    m->nnodes = p->nnodes;
    m->packed = p->packed;
    m->npacked = p->npacked;
    m->pool = (uint8_t *)p->pool;
    m->npool = p->npool;
    m->borrowed = 1;
    m->nmemo = nmemo; /* from vgm_validate_*: the signatures are not read here */
    if (p->nsigs == 0 && (!f || f->n == 0)) {
        vgm_shared_put(sh);
        *out = m;
        return VG_OK;
    }
    if (!hs_fits) {
        vgm_shared_put(sh);
        sh = NULL;
    } else if (sh) {
        m->shared = sh;
        m->db = sh->db;
    } else if (hslen && hs_deserialize_database(hs, hslen, &m->db) != HS_SUCCESS)
        m->db = NULL;
    vgpages_release(hs, hslen); /* Vectorscan keeps its own copy */
    if (m->db) {
        *out = m;
        return VG_OK;
    }
    free(m);
    /* other foreign expressions, wrong CPU features, another Vectorscan
     * version, or damaged: compile again from the patterns in the file */
    *rebuilt = 1;
    return rebuild(p, f, out, bad, err, errlen);
}
