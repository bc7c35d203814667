/* tlog/tiles.c - see tiles.h. */
#include "tlog/tiles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tl_tile_path(int level, uint64_t index, unsigned width, char *out, size_t cap)
{
    char num[64];
    char groups[8][4];
    int ng = 0;
    uint64_t v = index;
    do {
        snprintf(groups[ng++], sizeof groups[0], "%03u", (unsigned)(v % 1000));
        v /= 1000;
    } while (v && ng < 8);
    size_t o = 0;
    for (int i = ng - 1; i >= 0; i--)
        o += (size_t)snprintf(num + o, sizeof num - o, "%s%s%s", i < ng - 1 ? "/" : "",
                              i > 0 ? "x" : "", groups[i]);
    int n;
    char lv[16];
    if (level == TL_TILE_ENTRIES)
        snprintf(lv, sizeof lv, "entries");
    else
        snprintf(lv, sizeof lv, "%d", level);
    if (width == 0 || width >= TL_TILE_W)
        n = snprintf(out, cap, "tile/%s/%s", lv, num);
    else
        n = snprintf(out, cap, "tile/%s/%s.p/%u", lv, num, width);
    return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

unsigned tl_tile_width(uint64_t size, int level, uint64_t index)
{
    if (level == TL_TILE_ENTRIES)
        level = 0;
    if (level < 0 || level >= TL_TILE_LEVELS)
        return 0;
    uint64_t count = level * 8 >= 64 ? 0 : size >> (8 * level); /* hashes on this level */
    uint64_t full = count / TL_TILE_W;
    if (index < full)
        return TL_TILE_W;
    if (index == full)
        return (unsigned)(count % TL_TILE_W);
    return 0;
}

int tl_dir_fetch(void *ctx, const char *path, size_t max, tl_buf *out, tl_err *e)
{
    const char *dir = ctx;
    size_t l = strlen(dir) + strlen(path) + 2;
    char *full = malloc(l);
    if (!full) {
        tl_seterr(e, "out of memory");
        return -1;
    }
    snprintf(full, l, "%s/%s", dir, path);
    int rc = tl_read_file(full, max, out, e);
    free(full);
    return rc;
}

int tl_bundle_parse(const uint8_t *p, size_t len, unsigned n, int allow_more, tl_entry *ents,
                    tl_err *e)
{
    size_t off = 0;
    unsigned i = 0;
    while (off < len) {
        if (len - off < 2) {
            tl_seterr(e, "entry bundle: truncated length");
            return -1;
        }
        size_t el = (size_t)p[off] << 8 | p[off + 1];
        off += 2;
        if (len - off < el) {
            tl_seterr(e, "entry bundle: truncated entry %u", i);
            return -1;
        }
        if (i >= TL_TILE_W) {
            tl_seterr(e, "entry bundle: more than 256 entries");
            return -1;
        }
        ents[i].p = p + off;
        ents[i].len = el;
        i++;
        off += el;
    }
    if (i == n || (allow_more && i == TL_TILE_W && n <= TL_TILE_W))
        return 0;
    tl_seterr(e, "entry bundle: %u entries where %u were expected", i, n);
    return -1;
}

int tl_bundle_add(tl_buf *b, const void *data, size_t len, tl_err *e)
{
    if (len > TL_ENTRY_MAX) {
        tl_seterr(e, "entry of %zu bytes exceeds the %u-byte limit of entry bundles", len,
                  TL_ENTRY_MAX);
        return -1;
    }
    uint8_t l2[2] = {(uint8_t)(len >> 8), (uint8_t)len};
    if (tl_buf_add(b, l2, 2) != 0 || tl_buf_add(b, data, len) != 0) {
        tl_seterr(e, "out of memory");
        return -1;
    }
    return 0;
}

typedef struct tile {
    uint8_t *h;
    unsigned w;
    int verified;
} tile;

struct tl_tiles {
    tl_fetch_fn fetch;
    void *fctx;
    uint64_t size;
    int root_ok; /* the right edge has been checked against the root */
    tile *lv[TL_TILE_LEVELS];
    uint64_t nlv[TL_TILE_LEVELS]; /* tiles per level */
};

uint64_t tl_tiles_size(const tl_tiles *t)
{
    return t->size;
}

void tl_tiles_free(tl_tiles *t)
{
    if (!t)
        return;
    for (int l = 0; l < TL_TILE_LEVELS; l++) {
        for (uint64_t i = 0; t->lv[l] && i < t->nlv[l]; i++)
            free(t->lv[l][i].h);
        free(t->lv[l]);
    }
    free(t);
}

static void mth(const uint8_t *h, unsigned n, uint8_t out[32])
{
    tl_mem_tree mt = {(const tl_hash *)h, n};
    tl_err e;
    tl_tree_root(tl_mem_hash, &mt, n, out, &e);
}

static int load_tile(tl_tiles *t, int level, uint64_t idx, tile **out, tl_err *e)
{
    if (level < 0 || level >= TL_TILE_LEVELS || idx >= t->nlv[level]) {
        tl_seterr(e, "tile %d/%llu is outside a tree of size %llu", level,
                  (unsigned long long)idx, (unsigned long long)t->size);
        return -1;
    }
    tile *tl = &t->lv[level][idx];
    if (tl->h) {
        *out = tl;
        return 0;
    }
    unsigned w = tl_tile_width(t->size, level, idx);
    char path[128];
    tl_tile_path(level, idx, w, path, sizeof path);
    tl_buf b;
    int rc = t->fetch(t->fctx, path, 32u * TL_TILE_W, &b, e);
    if (rc == 1 && w < TL_TILE_W) {
        /* a partial tile may have been replaced by the full one */
        char fpath[128];
        tl_tile_path(level, idx, TL_TILE_W, fpath, sizeof fpath);
        rc = t->fetch(t->fctx, fpath, 32u * TL_TILE_W, &b, e);
        if (rc == 0 && b.len != 32u * TL_TILE_W) {
            tl_seterr(e, "tile %s: %zu bytes, not %u", fpath, b.len, 32u * TL_TILE_W);
            tl_buf_free(&b);
            return -1;
        }
    } else if (rc == 0 && b.len != 32u * w) {
        tl_seterr(e, "tile %s: %zu bytes, not %u", path, b.len, 32u * w);
        tl_buf_free(&b);
        return -1;
    }
    if (rc != 0) {
        if (rc == 1)
            tl_seterr(e, "tile %s is missing", path);
        return -1;
    }
    if (w == TL_TILE_W) {
        /* full tile: its MTH must be the parent's hash for it */
        tile *parent;
        if (load_tile(t, level + 1, idx / TL_TILE_W, &parent, e) != 0) {
            tl_buf_free(&b);
            tl_preerr(e, "checking tile %s", path);
            return -1;
        }
        uint8_t h[32];
        mth(b.p, TL_TILE_W, h);
        if (memcmp(h, parent->h + 32 * (idx % TL_TILE_W), 32) != 0) {
            tl_seterr(e, "tile %s does not match the hash its parent tile holds for it", path);
            tl_buf_free(&b);
            return -1;
        }
        tl->verified = parent->verified;
    } else {
        tl->verified = t->root_ok;
    }
    tl->h = b.p;
    tl->w = w;
    *out = tl;
    return 0;
}

int tl_tiles_hash(void *ctx, uint64_t start, unsigned height, uint8_t out[32], tl_err *e)
{
    tl_tiles *t = ctx;
    unsigned L = height / 8, r = height % 8;
    if (L >= TL_TILE_LEVELS) {
        tl_seterr(e, "subtree too high");
        return -1;
    }
    uint64_t j = start >> (8 * L);
    uint64_t cnt = 1ull << r;
    if ((j << (8 * L)) != start || (j & (cnt - 1))) {
        tl_seterr(e, "unaligned subtree");
        return -1;
    }
    tile *tl;
    if (load_tile(t, (int)L, j / TL_TILE_W, &tl, e) != 0)
        return -1;
    unsigned pos = (unsigned)(j % TL_TILE_W);
    if (pos + cnt > tl->w) {
        tl_seterr(e, "subtree [%llu, +2^%u) is not in the tree of size %llu",
                  (unsigned long long)start, height, (unsigned long long)t->size);
        return -1;
    }
    if (r == 0)
        memcpy(out, tl->h + 32 * pos, 32);
    else
        mth(tl->h + 32 * pos, (unsigned)cnt, out);
    return 0;
}

int tl_tiles_open(tl_tiles **out, tl_fetch_fn fetch, void *fctx, uint64_t size,
                  const uint8_t *root, uint8_t *rootout, tl_err *e)
{
    *out = NULL;
    tl_tiles *t = calloc(1, sizeof *t);
    if (!t) {
        tl_seterr(e, "out of memory");
        return -1;
    }
    t->fetch = fetch;
    t->fctx = fctx;
    t->size = size;
    for (int l = 0; l < TL_TILE_LEVELS; l++) {
        uint64_t count = size >> (8 * l);
        t->nlv[l] = (count + TL_TILE_W - 1) / TL_TILE_W;
        if (t->nlv[l]) {
            t->lv[l] = calloc(t->nlv[l], sizeof(tile));
            if (!t->lv[l]) {
                tl_seterr(e, "out of memory");
                tl_tiles_free(t);
                return -1;
            }
        }
    }
    uint8_t r[32];
    if (tl_tree_root(tl_tiles_hash, t, size, r, e) != 0) {
        tl_tiles_free(t);
        return -1;
    }
    if (root && memcmp(r, root, 32) != 0) {
        tl_seterr(e, "tiles do not hash to the checkpoint's root (tampered or wrong tiles)");
        tl_tiles_free(t);
        return -1;
    }
    if (rootout)
        memcpy(rootout, r, 32);
    t->root_ok = 1;
    for (int l = 0; l < TL_TILE_LEVELS; l++)
        for (uint64_t i = 0; i < t->nlv[l]; i++)
            if (t->lv[l][i].h)
                t->lv[l][i].verified = 1;
    *out = t;
    return 0;
}

int tl_tiles_tile(tl_tiles *t, int level, uint64_t index, const uint8_t **h, unsigned *w,
                  tl_err *e)
{
    tile *tl;
    if (load_tile(t, level, index, &tl, e) != 0)
        return -1;
    *h = tl->h;
    *w = tl->w;
    return 0;
}

int tl_tiles_bundle(tl_tiles *t, uint64_t index, tl_buf *raw, tl_entry ents[256], unsigned *n,
                    tl_err *e)
{
    memset(raw, 0, sizeof *raw);
    unsigned w = tl_tile_width(t->size, TL_TILE_ENTRIES, index);
    if (w == 0) {
        tl_seterr(e, "entry bundle %llu is outside the tree", (unsigned long long)index);
        return -1;
    }
    char path[128];
    tl_tile_path(TL_TILE_ENTRIES, index, w, path, sizeof path);
    int rc = t->fetch(t->fctx, path, TL_BUNDLE_MAX, raw, e);
    int more = 0;
    if (rc == 1 && w < TL_TILE_W) {
        tl_tile_path(TL_TILE_ENTRIES, index, TL_TILE_W, path, sizeof path);
        rc = t->fetch(t->fctx, path, TL_BUNDLE_MAX, raw, e);
        more = 1;
    }
    if (rc != 0) {
        if (rc == 1)
            tl_seterr(e, "entry bundle %s is missing", path);
        return -1;
    }
    if (tl_bundle_parse(raw->p, raw->len, w, more, ents, e) != 0) {
        tl_preerr(e, "%s", path);
        tl_buf_free(raw);
        return -1;
    }
    const uint8_t *h;
    unsigned hw;
    if (tl_tiles_tile(t, 0, index, &h, &hw, e) != 0 || hw < w) {
        tl_buf_free(raw);
        return -1;
    }
    for (unsigned i = 0; i < w; i++) {
        uint8_t lh[32];
        tl_leaf_hash(ents[i].p, ents[i].len, lh);
        if (memcmp(lh, h + 32 * i, 32) != 0) {
            tl_seterr(e, "%s: entry %llu does not match its leaf hash in the tile", path,
                      (unsigned long long)(index * TL_TILE_W + i));
            tl_buf_free(raw);
            return -1;
        }
    }
    *n = w;
    return 0;
}

int tl_tiles_check_all(tl_tiles *t,
                       int (*cb)(void *arg, uint64_t index, const uint8_t *p, size_t len),
                       void *arg, tl_err *e)
{
    for (int l = 0; l < TL_TILE_LEVELS; l++)
        for (uint64_t i = 0; i < t->nlv[l]; i++) {
            const uint8_t *h;
            unsigned w;
            if (tl_tiles_tile(t, l, i, &h, &w, e) != 0)
                return -1;
        }
    for (uint64_t b = 0; b < t->nlv[0]; b++) {
        tl_buf raw;
        tl_entry ents[256];
        unsigned n;
        if (tl_tiles_bundle(t, b, &raw, ents, &n, e) != 0)
            return -1;
        for (unsigned i = 0; cb && i < n; i++) {
            int rc = cb(arg, b * TL_TILE_W + i, ents[i].p, ents[i].len);
            if (rc) {
                tl_buf_free(&raw);
                return rc;
            }
        }
        tl_buf_free(&raw);
    }
    return 0;
}
