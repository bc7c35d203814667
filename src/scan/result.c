/* scan/result.c - the vg_result a scan returns; it owns its strings. */
#include "scan/scan_int.h"

#include <stdlib.h>
#include <string.h>

vg_status vgscan_result_new(vg_result **out)
{
    vg_result *r = calloc(1, sizeof *r);
    if (!r)
        return VG_ENOMEM;
    *out = r;
    return VG_OK;
}

vg_status vgscan_result_add(vg_result *r, const char *name, const char *member)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 4;
        vg_detection *nd = realloc(r->d, cap * sizeof *nd);
        if (!nd)
            return VG_ENOMEM;
        r->d = nd;
        r->cap = cap;
    }
    char *n = strdup(name), *m = strdup(member ? member : "");
    if (!n || !m) {
        free(n);
        free(m);
        return VG_ENOMEM;
    }
    r->d[r->n].name = n;
    r->d[r->n].member = m;
    r->n++;
    return VG_OK;
}

size_t vg_result_count(const vg_result *r) { return r ? r->n : 0; }

const vg_detection *vg_result_get(const vg_result *r, size_t i)
{
    return r && i < r->n ? &r->d[i] : NULL;
}

uint64_t vg_result_bytes_scanned(const vg_result *r) { return r ? r->bytes : 0; }
uint64_t vg_result_size(const vg_result *r) { return r ? r->size : 0; }
unsigned vg_result_limits(const vg_result *r) { return r ? r->limits : 0; }
unsigned vg_result_warnings(const vg_result *r) { return r ? r->warnings : 0; }
unsigned vg_result_files(const vg_result *r) { return r ? r->files : 0; }

void vg_result_free(vg_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free((char *)r->d[i].name);
        free((char *)r->d[i].member);
    }
    free(r->d);
    free(r);
}
