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

vg_status vgdb_list(const vg_engine *e, vgdb_entry **out, size_t *n)
{
    if (!e->compiled)
        return VG_ESTATE;
    size_t total = e->nbody;
    for (int k = 0; k < VGH_KINDS; k++)
        total += e->det[k].n + e->fp[k].n;
    vgdb_entry *v = calloc(total ? total : 1, sizeof *v);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!v || !md) {
        free(v);
        EVP_MD_CTX_free(md);
        return VG_ENOMEM;
    }
    size_t i = 0;
    vg_status st = VG_OK;
    char text[256], hex[65];
    for (int set = 0; set < 2 && st == VG_OK; set++)
        for (int k = 0; k < VGH_KINDS && st == VG_OK; k++) {
            const vgdb_hashset *hs = set ? &e->fp[k] : &e->det[k];
            for (size_t j = 0; j < hs->n && st == VG_OK; j++) {
                vghash_hex(hs->e[j].hash, vghash_len[k], hex);
                int l;
                if (hs->e[j].size == VGDB_SIZE_ANY)
                    l = snprintf(text, sizeof text, "%s:%s:%s:*", set ? "fp" : "det", kind_name[k], hex);
                else
                    l = snprintf(text, sizeof text, "%s:%s:%s:%llu", set ? "fp" : "det", kind_name[k],
                                 hex, (unsigned long long)hs->e[j].size);
                v[i].type = set ? fp_name[k] : kind_name[k];
                v[i].name = vgdb_name(e, hs->e[j].name);
                st = digest_hex(md, text, (size_t)l, v[i].hash);
                i++;
            }
        }
    vgm_parts p;
    char *hsb = NULL;
    size_t hsl = 0;
    if (st == VG_OK)
        st = vgm_export(e->m, &p, &hsb, &hsl);
    free(hsb);
    for (uint32_t s = 0; st == VG_OK && s < p.nsigs; s++) {
        const vgm_sig *sg = &p.sigs[s];
        uint32_t pend = s + 1 < p.nsigs ? p.sigs[s + 1].pool0 : p.npool;
        int l = snprintf(text, sizeof text, "ndb:%u:%u:%llu:%u:", sg->target, sg->off_kind,
                         (unsigned long long)sg->off_n, sg->off_shift);
        if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL) || !EVP_DigestUpdate(md, text, (size_t)l) ||
            !EVP_DigestUpdate(md, p.nodes + sg->node0, sg->nnodes * sizeof(vgp_node)) ||
            !EVP_DigestUpdate(md, p.pool + sg->pool0, pend - sg->pool0)) {
            st = VG_ENOMEM;
            break;
        }
        uint8_t d[32];
        unsigned int dl = 0;
        if (!EVP_DigestFinal_ex(md, d, &dl)) {
            st = VG_ENOMEM;
            break;
        }
        v[i].type = "ndb";
        v[i].name = vgdb_name(e, e->body[sg->id].name);
        vghash_hex(d, 32, v[i].hash);
        i++;
    }
    EVP_MD_CTX_free(md);
    if (st != VG_OK) {
        free(v);
        return st;
    }
    qsort(v, i, sizeof *v, cmp_entry);
    *out = v;
    *n = i;
    return VG_OK;
}
