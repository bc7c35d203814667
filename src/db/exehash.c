/* db/exehash.c - the PE hash signatures: section hashes (.mdb/.msb) and
 * import-table hashes (.imp).
 *
 * One flat table of (table, kind, size, digest, name) entries, appended
 * while loading (load_text.c), truncated on a failed load (engine marks),
 * sorted once at compile. Lookups follow the .hdb size-first rule: the scan
 * pipeline asks vgdb_exeh_wants() before hashing a section, so a digest is
 * computed only for sizes some signature names (or when a `*` size
 * signature of that table and kind exists). vgdb_exeh_find() returns at
 * most one fixed-size and one `*` signature, as clamscan's all-match mode
 * reports them: of several signatures with the same digest and size, the
 * last loaded (its hash table keeps one entry per key), of several `*`
 * ones the first loaded (tests/e2e/diff_exe.sh has such twins).
 *
 * Kept apart from the .hdb hash sets on purpose: these signatures are
 * matched per PE section, not per file, and are not (yet) part of the
 * .vdb format (a .vdb build refuses their source files by name). */
#include "db/exehash.h"

#include <stdlib.h>
#include <string.h>

typedef struct exeh_ent {
    uint64_t size; /* VGDB_SIZE_ANY: any */
    uint8_t hash[32];
    uint32_t name;
    uint32_t order; /* load order, to keep reports stable */
    uint8_t table, kind;
} exeh_ent;

typedef struct vgdb_exehash vgdb_exehash;
struct vgdb_exehash {
    exeh_ent *e;
    size_t n, cap;
    int frozen;
    /* after freeze: [table][kind] -> [lo, hi) run of entries */
    size_t lo[VGDB_EXEH_TABLES][VGH_KINDS], hi[VGDB_EXEH_TABLES][VGH_KINDS];
    int any[VGDB_EXEH_TABLES][VGH_KINDS];
};

vg_status vgdb_exeh_add(vg_engine *e, unsigned table, unsigned kind, const uint8_t *hash,
                        uint64_t size, uint32_t name)
{
    if (table >= VGDB_EXEH_TABLES || kind >= VGH_KINDS)
        return VG_EINVAL;
    if (!e->exeh) {
        e->exeh = calloc(1, sizeof *e->exeh);
        if (!e->exeh)
            return VG_ENOMEM;
    }
    vgdb_exehash *x = e->exeh;
    if (x->frozen)
        return VG_ESTATE;
    if (x->n == x->cap) {
        size_t nc = x->cap ? x->cap * 2 : 64;
        exeh_ent *p = realloc(x->e, nc * sizeof *p);
        if (!p)
            return VG_ENOMEM;
        x->e = p;
        x->cap = nc;
    }
    exeh_ent *t = &x->e[x->n];
    memset(t, 0, sizeof *t);
    t->size = size;
    memcpy(t->hash, hash, vghash_len[kind]);
    t->name = name;
    t->order = (uint32_t)x->n;
    t->table = (uint8_t)table;
    t->kind = (uint8_t)kind;
    x->n++;
    return VG_OK;
}

size_t vgdb_exeh_count(const vg_engine *e) { return e->exeh ? e->exeh->n : 0; }

void vgdb_exeh_truncate(vg_engine *e, size_t n)
{
    if (e->exeh && n < e->exeh->n)
        e->exeh->n = n;
}

/* (table, kind, size, digest, load order); `*` sizes sort last. */
static int cmp_ent(const void *a, const void *b)
{
    const exeh_ent *x = a, *y = b;
    if (x->table != y->table)
        return x->table < y->table ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    int c = memcmp(x->hash, y->hash, 32);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

vg_status vgdb_exeh_freeze(vg_engine *e)
{
    vgdb_exehash *x = e->exeh;
    if (!x || x->frozen)
        return VG_OK;
    if (x->n)
        qsort(x->e, x->n, sizeof *x->e, cmp_ent);
    for (size_t i = 0; i < x->n;) {
        unsigned t = x->e[i].table, k = x->e[i].kind;
        size_t j = i;
        while (j < x->n && x->e[j].table == t && x->e[j].kind == k) {
            if (x->e[j].size == VGDB_SIZE_ANY)
                x->any[t][k] = 1;
            j++;
        }
        x->lo[t][k] = i;
        x->hi[t][k] = j;
        i = j;
    }
    x->frozen = 1;
    return VG_OK;
}

void vgdb_exeh_free(vg_engine *e)
{
    if (!e->exeh)
        return;
    free(e->exeh->e);
    free(e->exeh);
    e->exeh = NULL;
}

int vgdb_exeh_any(const vg_engine *e, unsigned table)
{
    const vgdb_exehash *x = e->exeh;
    if (!x || !x->frozen || table >= VGDB_EXEH_TABLES)
        return 0;
    for (unsigned k = 0; k < VGH_KINDS; k++)
        if (x->hi[table][k] > x->lo[table][k])
            return 1;
    return 0;
}

/* First entry of (table, kind) not below (size, hash): binary search. */
static size_t lower(const vgdb_exehash *x, unsigned t, unsigned k, uint64_t size,
                    const uint8_t *hash)
{
    size_t lo = x->lo[t][k], hi = x->hi[t][k];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const exeh_ent *m = &x->e[mid];
        int below = m->size < size ||
                    (m->size == size && hash && memcmp(m->hash, hash, vghash_len[k]) < 0);
        if (below)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int vgdb_exeh_wants(const vg_engine *e, unsigned table, unsigned kind, uint64_t size)
{
    const vgdb_exehash *x = e->exeh;
    if (!x || !x->frozen || table >= VGDB_EXEH_TABLES || kind >= VGH_KINDS)
        return 0;
    if (x->any[table][kind])
        return 1;
    size_t i = lower(x, table, kind, size, NULL);
    return i < x->hi[table][kind] && x->e[i].size == size;
}

size_t vgdb_exeh_find(const vg_engine *e, unsigned table, unsigned kind, const uint8_t *hash,
                      uint64_t size, uint32_t *names, size_t max)
{
    const vgdb_exehash *x = e->exeh;
    size_t n = 0;
    if (!x || !x->frozen || table >= VGDB_EXEH_TABLES || kind >= VGH_KINDS)
        return 0;
    unsigned dl = vghash_len[kind];
    uint64_t sizes[2] = {size, VGDB_SIZE_ANY};
    for (int s = 0; s < 2 && n < max; s++) {
        if (s == 1 && (!x->any[table][kind] || size == VGDB_SIZE_ANY))
            break;
        size_t i = lower(x, table, kind, sizes[s], hash), last = SIZE_MAX;
        for (; i < x->hi[table][kind] && x->e[i].size == sizes[s] &&
               memcmp(x->e[i].hash, hash, dl) == 0;
             i++) {
            last = i;
            if (s == 1)
                break; /* `*`: the first loaded */
        }
        if (last != SIZE_MAX) /* fixed size: the last loaded */
            names[n++] = x->e[last].name;
    }
    return n;
}
