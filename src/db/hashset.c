/* db/hashset.c - frozen hash-signature tables, searched in place.
 *
 * While loading, a set is an array of vgdb_hashent in load order. Compile
 * sorts it by (size, digest, load order) and splits it into columns that
 * a .vdb stores as they are (see vdb.h): digests of the kind's own length
 * (16/20/32 bytes, not 32 + padding), the low 16 bits of each size, and a
 * bucket table giving, for each value of size >> 16, where its entries
 * start. Sizes are at most 0xfffffffe (the loader's limit), so
 * (bucket, low) is the whole size in 2 bytes per entry plus a table of at
 * most 65536 entries, instead of 8 bytes per entry and a table of distinct
 * sizes. Entries of any size come last, after bkt[nb]. A name column maps
 * each entry to its signature name.
 *
 * Lookups: bucket by size >> 16, binary search on (low, digest) within it;
 * the any-size run by digest. Whether a size has a signature at all (so a
 * file of another size is never hashed) is the same search on `low` only.
 * A mapped table is only read; its bucket table is checked at load
 * (vgdb_hashset_check) so no search leaves the arrays. */
#include "db/engine_int.h"

#include <stdlib.h>
#include <string.h>

static int cmp_ent(const void *a, const void *b)
{
    const vgdb_hashent *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    int c = memcmp(x->hash, y->hash, 32);
    if (c)
        return c;
    return x->name < y->name ? -1 : x->name > y->name;
}

/* Sorting 1,000,000 entries of 56 bytes with qsort and cmp_ent took half
 * of a hash database's load (perf: the comparator's calls and the moves).
 * So the order is found on small keys instead: (size, first 8 digest
 * bytes) by LSD radix sort, one byte a pass, skipping the passes where
 * every key has the same byte (the high bytes of sizes, mostly). Keys
 * that tie on both (duplicate digests, or digests sharing 8 bytes) are
 * put in cmp_ent's order afterwards; such runs are short. The entries are
 * then moved once, into a new array that replaces *e. Returns -1 when out
 * of memory (the caller then falls back to qsort). */
typedef struct sort_key {
    uint64_t size, head;
    uint32_t at;
} sort_key;

static uint8_t key_byte(const sort_key *k, unsigned pass)
{
    return (uint8_t)(pass < 8 ? k->head >> (8 * pass) : k->size >> (8 * (pass - 8)));
}

static int radix_sort_entries(vgdb_hashent **ep, size_t n)
{
    vgdb_hashent *e = *ep;
    sort_key *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t h = 0;
        for (int k = 0; k < 8; k++)
            h = h << 8 | e[i].hash[k];
        a[i] = (sort_key){e[i].size, h, (uint32_t)i};
    }
    for (unsigned pass = 0; pass < 16; pass++) {
        size_t count[256] = {0};
        for (size_t i = 0; i < n; i++)
            count[key_byte(&a[i], pass)]++;
        if (count[key_byte(&a[0], pass)] == n)
            continue; /* every key has this byte: the order stands */
        size_t at = 0;
        for (int v = 0; v < 256; v++) {
            size_t c = count[v];
            count[v] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            b[count[key_byte(&a[i], pass)]++] = a[i];
        sort_key *t = a;
        a = b;
        b = t;
    }
    free(b);
    vgdb_hashent *moved = malloc(n * sizeof *moved);
    if (!moved) {
        free(a);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        moved[i] = e[a[i].at];
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && a[j].size == a[i].size && a[j].head == a[i].head)
            j++;
        if (j - i > 1)
            qsort(moved + i, j - i, sizeof *moved, cmp_ent);
        i = j;
    }
    free(a);
    free(e);
    *ep = moved;
    return 0;
}

void vgdb_hashset_free(vgdb_hashset *hs)
{
    free(hs->e);
    if (hs->owned) {
        free((void *)hs->dig);
        free((void *)hs->lo);
        free((void *)hs->bkt);
        free((void *)hs->names);
    }
    memset(hs, 0, sizeof *hs);
}

vg_status vgdb_hashset_freeze(vgdb_hashset *hs, unsigned dlen)
{
    size_t n = hs->n;
    hs->dlen = (uint8_t)dlen;
    if (n > UINT32_MAX)
        return VG_ELIMIT;
    if (n && radix_sort_entries(&hs->e, n) != 0)
        qsort(hs->e, n, sizeof *hs->e, cmp_ent);
    uint64_t maxsz = 0;
    size_t nsized = 0;
    for (size_t i = 0; i < n && hs->e[i].size != VGDB_SIZE_ANY; i++, nsized++)
        maxsz = hs->e[i].size;
    if (maxsz > VGDB_SIZE_MAX)
        return VG_ELIMIT;
    uint32_t nb = nsized ? (uint32_t)(maxsz >> 16) + 1 : 0;
    uint8_t *dig = malloc(n * dlen + 1);
    uint16_t *lo = malloc(n * 2 + 2);
    uint32_t *names = malloc(n * 4 + 4);
    uint32_t *bkt = malloc(((size_t)nb + 1) * 4);
    if (!dig || !lo || !names || !bkt) {
        free(dig);
        free(lo);
        free(names);
        free(bkt);
        return VG_ENOMEM;
    }
    size_t j = 0;
    for (uint32_t b = 0; b <= nb; b++) {
        while (b < nb && j < nsized && (hs->e[j].size >> 16) < b)
            j++;
        bkt[b] = (uint32_t)(b < nb ? j : nsized);
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(dig + i * dlen, hs->e[i].hash, dlen);
        lo[i] = i < nsized ? (uint16_t)hs->e[i].size : 0;
        names[i] = hs->e[i].name;
    }
    free(hs->e);
    hs->e = NULL;
    hs->cap = 0;
    hs->dig = dig;
    hs->lo = lo;
    hs->names = names;
    hs->bkt = bkt;
    hs->nb = nb;
    hs->any_size = nsized < n;
    hs->owned = 1;
    return VG_OK;
}

int vgdb_hashset_check(const vgdb_hashset *hs)
{
    if (hs->n > UINT32_MAX || hs->nb > 65536)
        return 0;
    if (hs->n == 0)
        return hs->nb == 0 && (!hs->bkt || hs->bkt[0] == 0);
    if (!hs->bkt || hs->bkt[0] != 0)
        return 0;
    for (uint32_t b = 0; b < hs->nb; b++)
        if (hs->bkt[b] > hs->bkt[b + 1])
            return 0;
    return hs->bkt[hs->nb] <= hs->n;
}

uint64_t vgdb_hashset_size(const vgdb_hashset *hs, size_t j)
{
    if (j >= hs->bkt[hs->nb])
        return VGDB_SIZE_ANY;
    uint32_t lo = 0, hi = hs->nb; /* last bucket b with bkt[b] <= j */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (hs->bkt[mid] <= j)
            lo = mid;
        else
            hi = mid;
    }
    return (uint64_t)lo << 16 | hs->lo[j];
}

/* First entry in [a, b) not less than (low, digest); digest NULL: by low
 * only. */
static size_t lower(const vgdb_hashset *hs, size_t a, size_t b, uint16_t low,
                    const uint8_t *digest)
{
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        int c = hs->lo[mid] != low ? (hs->lo[mid] < low ? -1 : 1)
                : digest ? memcmp(hs->dig + mid * hs->dlen, digest, hs->dlen) : 0;
        if (c < 0)
            a = mid + 1;
        else
            b = mid;
    }
    return a;
}

static long find_in(const vgdb_hashset *hs, size_t a, size_t b, uint16_t low,
                    const uint8_t *digest)
{
    size_t i = lower(hs, a, b, low, digest);
    if (i >= b || hs->lo[i] != low || memcmp(hs->dig + i * hs->dlen, digest, hs->dlen) != 0)
        return -1;
    /* several names for one hash: clamscan reports the one loaded last */
    while (i + 1 < b && hs->lo[i + 1] == low &&
           memcmp(hs->dig + (i + 1) * hs->dlen, digest, hs->dlen) == 0)
        i++;
    return (long)hs->names[i];
}

int vgdb_hash_wants_size(const vgdb_hashset *hs, uint64_t size)
{
    if (hs->any_size)
        return 1;
    if (size > VGDB_SIZE_MAX || (size >> 16) >= hs->nb)
        return 0;
    uint32_t b = (uint32_t)(size >> 16);
    size_t a = hs->bkt[b], e = hs->bkt[b + 1];
    size_t i = lower(hs, a, e, (uint16_t)size, NULL);
    return i < e && hs->lo[i] == (uint16_t)size;
}

long vgdb_hash_find(const vgdb_hashset *hs, const uint8_t *hash, uint64_t size)
{
    if (hs->n == 0)
        return -1;
    long r = -1;
    if (size <= VGDB_SIZE_MAX && (size >> 16) < hs->nb) {
        uint32_t b = (uint32_t)(size >> 16);
        r = find_in(hs, hs->bkt[b], hs->bkt[b + 1], (uint16_t)size, hash);
    }
    if (r < 0 && hs->any_size)
        r = find_in(hs, hs->bkt[hs->nb], hs->n, 0, hash);
    return r;
}
