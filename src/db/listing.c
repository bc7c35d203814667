/* db/listing.c - canonical signature listing (see listing.h). */
#include "db/listing.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/serial.h"

static const char *const kind_name[VGH_KINDS] = {"md5", "sha1", "sha256"};
static const char *const fp_name[VGH_KINDS] = {"fp-md5", "fp-sha1", "fp-sha256"};

static int cmp_entry(const void *a, const void *b)
{
    const vgdb_entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (!c)
        c = strcmp(x->type, y->type);
    if (!c)
        c = strcmp(x->hash, y->hash);
    return c;
}

static vg_status digest_hex(EVP_MD_CTX *md, const void *p, size_t n, char out[65])
{
    uint8_t d[32];
    unsigned int dl = 0;
    if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL) || !EVP_DigestUpdate(md, p, n) ||
        !EVP_DigestFinal_ex(md, d, &dl))
        return VG_ENOMEM;
    vghash_hex(d, 32, out);
    return VG_OK;
}

/* Every name, decoded once into one block after the entries (mapped
 * names decode into a per-thread buffer that the next call reuses). */
static char *copy_names(const vg_engine *e, size_t nent, vgdb_entry **block, uint32_t **offs)
{
    size_t total = 0;
    for (uint32_t i = 0; i < e->nnames; i++)
        total += strlen(vgdb_name(e, i)) + 1;
    total += sizeof VGDB_BAD_NAME;
    *offs = malloc(((size_t)e->nnames + 1) * sizeof **offs);
    *block = malloc(nent * sizeof **block + total + 1);
    if (!*offs || !*block) {
        free(*offs);
        free(*block);
        return NULL;
    }
    char *arena = (char *)(*block + nent), *p = arena;
    for (uint32_t i = 0; i < e->nnames; i++) {
        const char *nm = vgdb_name(e, i);
        size_t l = strlen(nm) + 1;
        memcpy(p, nm, l);
        (*offs)[i] = (uint32_t)(p - arena);
        p += l;
    }
    memcpy(p, VGDB_BAD_NAME, sizeof VGDB_BAD_NAME);
    (*offs)[e->nnames] = (uint32_t)(p - arena);
    return arena;
}

vg_status vgdb_list(const vg_engine *e, vgdb_entry **out, size_t *n)
{
    if (!e->compiled)
        return VG_ESTATE;
    size_t total = e->nbody + e->nsrct;
    for (int k = 0; k < VGH_KINDS; k++)
        total += e->det[k].n + e->fp[k].n;
    vgdb_entry *v;
    uint32_t *noff;
    char *arena = copy_names(e, total ? total : 1, &v, &noff);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!arena || !md) {
        if (arena) {
            free(v);
            free(noff);
        }
        EVP_MD_CTX_free(md);
        return VG_ENOMEM;
    }
#define NAME_OF(i) (arena + noff[(i) < e->nnames ? (i) : e->nnames])
    size_t i = 0;
    vg_status st = VG_OK;
    char text[256], hex[65];
    for (int set = 0; set < 2 && st == VG_OK; set++)
        for (int k = 0; k < VGH_KINDS && st == VG_OK; k++) {
            const vgdb_hashset *hs = set ? &e->fp[k] : &e->det[k];
            for (size_t j = 0; j < hs->n && st == VG_OK; j++) {
                vghash_hex(hs->dig + j * hs->dlen, vghash_len[k], hex);
                uint64_t size = vgdb_hashset_size(hs, j);
                int l;
                if (size == VGDB_SIZE_ANY)
                    l = snprintf(text, sizeof text, "%s:%s:%s:*", set ? "fp" : "det", kind_name[k], hex);
                else
                    l = snprintf(text, sizeof text, "%s:%s:%s:%llu", set ? "fp" : "det", kind_name[k],
                                 hex, (unsigned long long)size);
                v[i].type = set ? fp_name[k] : kind_name[k];
                v[i].name = NAME_OF(hs->names[j]);
                st = digest_hex(md, text, (size_t)l, v[i].hash);
                i++;
            }
        }
    vgm_parts p;
    memset(&p, 0, sizeof p);
    char *hsb = NULL;
    size_t hsl = 0;
    if (st == VG_OK && e->m)
        st = vgm_export(e->m, &p, &hsb, &hsl);
    free(hsb);
    for (uint32_t s = 0; st == VG_OK && s < p.nsigs; s++) {
        const vgm_sig *sg = &p.sigs[s];
        if (sg->flags & VGM_SIG_MULTI)
            continue; /* a logical signature's subsignature, not a body signature */
        vgp_pattern pat;
        vgm_offset off;
        uint8_t target;
        uint32_t id;
        st = vgm_pattern_copy(&p, s, &pat, &off, &target, &id);
        if (st != VG_OK)
            break;
        int l = snprintf(text, sizeof text, "ndb:%u:%u:%llu:%u:", sg->target, sg->off_kind,
                         (unsigned long long)sg->off_n, sg->off_shift);
        uint8_t d[32];
        unsigned int dl = 0;
        if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL) || !EVP_DigestUpdate(md, text, (size_t)l) ||
            !EVP_DigestUpdate(md, pat.nodes, pat.nnodes * sizeof(vgp_node)) ||
            !EVP_DigestUpdate(md, pat.pool, pat.npool) || !EVP_DigestFinal_ex(md, d, &dl))
            st = VG_ENOMEM;
        vgp_free(&pat);
        if (st != VG_OK)
            break;
        v[i].type = "ndb";
        v[i].name = NAME_OF(sg->id < e->nbody ? e->body[sg->id].name : UINT32_MAX);
        vghash_hex(d, 32, v[i].hash);
        i++;
    }
#undef NAME_OF
    /* formats kept as text (when the engine kept them): one entry per file */
    for (uint32_t t = 0; st == VG_OK && t < e->nsrct; t++) {
        static const char *const tk[] = {"text", "text-yara", "text-pe-hash", "text-logical"};
        unsigned k = e->srct[t].kind < 4 ? e->srct[t].kind : 0;
        v[i].type = tk[k];
        v[i].name = e->srct[t].name;
        vghash_hex(e->srct[t].sha256, 32, v[i].hash);
        i++;
    }
    EVP_MD_CTX_free(md);
    free(noff);
    if (st != VG_OK) {
        free(v);
        return st;
    }
    qsort(v, i, sizeof *v, cmp_entry);
    *out = v;
    *n = i;
    return VG_OK;
}
