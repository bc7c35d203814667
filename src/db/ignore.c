/* db/ignore.c - ignore lists (.ign2, legacy .ign): signature names that
 * are dropped when databases load, as clamscan drops them.
 *
 * Rules, each checked against clamscan 1.4.6 (shared/reference/clamav.md
 * §1.5 and tests/e2e/diff_realdb.sh's neighbour tests/unit/test_cvd.c):
 *   - one entry per line; '#' starts a comment line; CR/LF are cut;
 *   - a line is split at ':' into 1, 2 or 3 fields:
 *       NAME            drop every signature called NAME,
 *       NAME:MD5        only the one whose whole database line (no line
 *                       end) has that MD5 (32 hex digits, any case), so an
 *                       edited signature is no longer ignored,
 *       DB:LINE:NAME    the legacy .ign form; DB and LINE are not checked;
 *     more fields, an empty name or a bad MD5 fail the file; an empty line
 *     fails it too ("No signature name provided"); an empty file is fine;
 *   - names compare exactly (case, spaces) with the name as written in the
 *     database, without the .UNOFFICIAL suffix;
 *   - a list applies to signatures loaded after it: within one directory
 *     ignore lists load first (engine.c), inside a .cvd they apply to the
 *     members that follow them in the tar (load_cvd.c), as in clamscan.
 *
 * How it is applied: before a text database goes to its loader, every line
 * whose signature is ignored has its first byte turned into '#', so the
 * loader sees a comment and line numbers in error messages stay right.
 * That keeps this module out of every loader. The name field depends on
 * the format (table `name_field`); formats not in the table (.fp/.sfp
 * allow lists, YARA) are never filtered.
 *
 * Cost: entries sit in one array in load order (so a failed load can cut
 * it back); a sorted index over it is rebuilt when it has grown, and each
 * database line costs one binary search. */
#include "db/ignore.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/hex.h"
#include "db/engine_int.h"

#define IGN_MAX_ENTRIES 1000000u /* a bigger ignore list is refused */

typedef struct ign_ent {
    size_t off;      /* name in the list's string pool */
    size_t len;
    uint8_t md5[16];
    int has_md5;
} ign_ent;

struct vgdb_ignlist {
    char *pool;
    size_t pool_len, pool_cap;
    ign_ent *e;
    size_t n, cap;
    size_t *idx;     /* entries sorted by name; valid for the first nidx */
    size_t nidx;
};

void vgdb_ign_free(vgdb_ignlist *l)
{
    if (!l)
        return;
    free(l->pool);
    free(l->e);
    free(l->idx);
    free(l);
}

size_t vgdb_ign_count(const vgdb_ignlist *l) { return l ? l->n : 0; }

void vgdb_ign_truncate(vgdb_ignlist *l, size_t n)
{
    if (!l || n >= l->n)
        return;
    l->n = n;
    l->pool_len = n ? l->e[n - 1].off + l->e[n - 1].len : 0;
    l->nidx = 0; /* rebuilt on next use */
}

static vg_status add_entry(vgdb_ignlist *l, const char *name, size_t len,
                           const uint8_t *md5)
{
    if (l->n >= IGN_MAX_ENTRIES)
        return VG_ELIMIT;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        ign_ent *ne = realloc(l->e, cap * sizeof *ne);
        if (!ne)
            return VG_ENOMEM;
        l->e = ne;
        l->cap = cap;
    }
    if (l->pool_len + len > l->pool_cap) {
        size_t cap = l->pool_cap ? l->pool_cap : 1024;
        while (cap < l->pool_len + len)
            cap *= 2;
        char *np = realloc(l->pool, cap);
        if (!np)
            return VG_ENOMEM;
        l->pool = np;
        l->pool_cap = cap;
    }
    ign_ent *en = &l->e[l->n++];
    memset(en, 0, sizeof *en);
    en->off = l->pool_len;
    en->len = len;
    memcpy(l->pool + l->pool_len, name, len);
    l->pool_len += len;
    if (md5) {
        memcpy(en->md5, md5, 16);
        en->has_md5 = 1;
    }
    return VG_OK;
}

/* One line (no line end). Returns VG_OK or VG_EFORMAT with *why set. */
static vg_status parse_line(vgdb_ignlist *l, const char *p, size_t n, const char **why)
{
    const char *f[4];
    size_t fl[4], nf = 0, start = 0;
    for (;;) {
        const char *q = memchr(p + start, ':', n - start);
        size_t end = q ? (size_t)(q - p) : n;
        if (nf == 4) {
            *why = "too many ':'-separated fields (NAME, NAME:MD5 or DB:LINE:NAME)";
            return VG_EFORMAT;
        }
        f[nf] = p + start;
        fl[nf++] = end - start;
        if (!q)
            break;
        start = end + 1;
    }
    if (nf == 4) {
        *why = "too many ':'-separated fields (NAME, NAME:MD5 or DB:LINE:NAME)";
        return VG_EFORMAT;
    }
    size_t ni = nf == 3 ? 2 : 0;
    if (fl[ni] == 0) {
        *why = "no signature name";
        return VG_EFORMAT;
    }
    uint8_t md5[16];
    if (nf == 2) {
        if (fl[1] != 32) {
            *why = "malformed MD5 (need 32 hex digits)";
            return VG_EFORMAT;
        }
        for (size_t i = 0; i < 16; i++) {
            int hi = vg_hexval(f[1][2 * i]), lo = vg_hexval(f[1][2 * i + 1]);
            if (hi < 0 || lo < 0) {
                *why = "malformed MD5 (need 32 hex digits)";
                return VG_EFORMAT;
            }
            md5[i] = (uint8_t)(hi << 4 | lo);
        }
    }
    vg_status st = add_entry(l, f[ni], fl[ni], nf == 2 ? md5 : NULL);
    if (st == VG_ELIMIT)
        *why = "too many ignore entries";
    return st;
}

vg_status vgdb_ign_load(vg_engine *e, vgdb_ignlist **lp, const char *fname,
                        const char *text, size_t len)
{
    if (!*lp) {
        *lp = calloc(1, sizeof **lp);
        if (!*lp)
            return VG_ENOMEM;
    }
    size_t pos = 0, line = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *p = text + pos;
        size_t n = end - pos;
        pos = end + 1;
        line++;
        while (n && (p[n - 1] == '\r' || p[n - 1] == '\n'))
            n--;
        if (n > VGDB_MAX_LINE) {
            vgdb_error(e, "%s:%zu: line too long", fname, line);
            return VG_EFORMAT;
        }
        if (n && p[0] == '#')
            continue;
        const char *why = "";
        vg_status st = parse_line(*lp, p, n, &why);
        if (st == VG_EFORMAT || st == VG_ELIMIT) {
            vgdb_error(e, "%s:%zu: %s", fname, line, why);
            return st;
        }
        if (st != VG_OK)
            return st;
    }
    return VG_OK;
}

/* ---- filtering ---------------------------------------------------------- */

static int cmp_name(const vgdb_ignlist *l, size_t a, const char *s, size_t n)
{
    const ign_ent *x = &l->e[a];
    size_t m = x->len < n ? x->len : n;
    int c = memcmp(l->pool + x->off, s, m);
    if (c)
        return c;
    return x->len < n ? -1 : x->len > n;
}

/* Insertion of the new entries into the sorted index (a merge would do,
 * but lists are small and this runs once per loaded database at most). */
static vg_status build_index(vgdb_ignlist *l)
{
    if (l->nidx == l->n)
        return VG_OK;
    size_t *ni = realloc(l->idx, (l->n ? l->n : 1) * sizeof *ni);
    if (!ni)
        return VG_ENOMEM;
    l->idx = ni;
    if (l->nidx > l->n)
        l->nidx = 0;
    /* simple binary-insertion sort of the appended entries */
    for (size_t k = l->nidx; k < l->n; k++) {
        const ign_ent *x = &l->e[k];
        size_t lo = 0, hi = k;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cmp_name(l, l->idx[mid], l->pool + x->off, x->len) <= 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        memmove(&l->idx[lo + 1], &l->idx[lo], (k - lo) * sizeof *l->idx);
        l->idx[lo] = k;
    }
    l->nidx = l->n;
    return VG_OK;
}

/* Is the signature NAME on database line LINE ignored? */
static int ignored(const vgdb_ignlist *l, const char *name, size_t n, const char *line,
                   size_t linelen)
{
    size_t lo = 0, hi = l->nidx;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_name(l, l->idx[mid], name, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int have_md5 = 0;
    uint8_t md5[32];
    for (; lo < l->nidx && cmp_name(l, l->idx[lo], name, n) == 0; lo++) {
        const ign_ent *x = &l->e[l->idx[lo]];
        if (!x->has_md5)
            return 1;
        if (!have_md5) {
            if (vghash_compute(VGH_MD5, line, linelen, md5) != VG_OK)
                return 0;
            have_md5 = 1;
        }
        if (memcmp(md5, x->md5, 16) == 0)
            return 1;
    }
    return 0;
}

/* Where the signature name is on a line of each format. */
static const struct {
    const char *ext;
    char sep;
    int field;
} name_field[] = {
    {".hdb", ':', 2}, {".hsb", ':', 2}, {".hdu", ':', 2}, {".hsu", ':', 2},
    {".mdb", ':', 2}, {".msb", ':', 2}, {".mdu", ':', 2}, {".msu", ':', 2},
    {".imp", ':', 2}, {".ndb", ':', 0}, {".ndu", ':', 0}, {".cdb", ':', 0},
    {".ldb", ';', 0}, {".ldu", ';', 0}, {".idb", ':', 0},
};

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

vg_status vgdb_ign_filter(vgdb_ignlist *l, const char *fname, const char *text,
                          size_t len, char **out)
{
    *out = NULL;
    if (!l || l->n == 0)
        return VG_OK;
    int k = -1;
    for (size_t i = 0; i < sizeof name_field / sizeof name_field[0]; i++)
        if (ends_with(fname, name_field[i].ext)) {
            k = (int)i;
            break;
        }
    if (k < 0)
        return VG_OK;
    vg_status st = build_index(l);
    if (st != VG_OK)
        return st;
    char *copy = NULL;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *p = text + pos;
        size_t n = end - pos, at = pos;
        pos = end + 1;
        while (n && (p[n - 1] == '\r' || p[n - 1] == '\n'))
            n--;
        if (n == 0 || p[0] == '#')
            continue;
        /* the name field */
        size_t s = 0;
        for (int f = 0; f < name_field[k].field && s <= n; f++) {
            const char *q = memchr(p + s, name_field[k].sep, n - s);
            s = q ? (size_t)(q - p) + 1 : n + 1;
        }
        if (s > n)
            continue; /* too few fields: the loader reports it */
        const char *q = memchr(p + s, name_field[k].sep, n - s);
        size_t ne = q ? (size_t)(q - p) : n;
        if (!ignored(l, p + s, ne - s, p, n))
            continue;
        if (!copy) {
            copy = malloc(len ? len : 1);
            if (!copy)
                return VG_ENOMEM;
            memcpy(copy, text, len);
        }
        copy[at] = '#';
    }
    *out = copy;
    return VG_OK;
}
