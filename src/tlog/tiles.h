/* tlog/tiles.h - tiled logs (C2SP tlog-tiles): paths, hash tiles, entry
 * bundles, and a verifying tile reader.
 *
 * Layout under a prefix: checkpoint, tile/<L>/<N>[.p/<W>] (hash tiles of
 * height 8: up to 256 hashes of 32 bytes), tile/entries/<N>[.p/<W>] (each
 * leaf as a 2-byte big-endian length and its bytes). <N> is written in
 * 3-digit groups, all but the last prefixed 'x' (1234067 ->
 * x001/x234/067). Hash j of level L is the MTH of leaves [j*256^L,
 * (j+1)*256^L).
 *
 * tl_tiles reads through a fetch function (a directory here; the CLI adds
 * http/https/file URLs) and trusts nothing it fetched until checked:
 * opening it recomputes the checkpoint's root from the right-edge tiles;
 * every full tile is checked against the hash its parent tile holds for
 * it before use; every entry against its level-0 hash. */
#ifndef VG_TLOG_TILES_H
#define VG_TLOG_TILES_H

#include <stddef.h>
#include <stdint.h>
#include "tlog/merkle.h"
#include "tlog/util.h"

#define TL_TILE_W 256u
#define TL_TILE_LEVELS 8
#define TL_TILE_ENTRIES (-1) /* level value naming entry bundles */
#define TL_ENTRY_MAX 65535u
#define TL_BUNDLE_MAX (256u * (2u + TL_ENTRY_MAX))

/* "tile/L/N[.p/W]" or "tile/entries/N[.p/W]"; width 256 (or 0) = full. */
int tl_tile_path(int level, uint64_t index, unsigned width, char *out, size_t cap);
/* Hashes held by tile `index` of `level` in a tree of `size` leaves:
 * 256 when full, 1-255 when partial, 0 when the tile does not exist.
 * Entry bundles (TL_TILE_ENTRIES) follow level 0. */
unsigned tl_tile_width(uint64_t size, int level, uint64_t index);

/* Fetch `path` (relative to the log's prefix), at most max bytes.
 * 0 ok, 1 not found, -1 error (message in e). */
typedef int (*tl_fetch_fn)(void *ctx, const char *path, size_t max, tl_buf *out, tl_err *e);
/* ctx: the directory (const char *). */
int tl_dir_fetch(void *ctx, const char *path, size_t max, tl_buf *out, tl_err *e);

/* Entry bundle parsing/building. */
typedef struct tl_entry {
    const uint8_t *p;
    size_t len;
} tl_entry;
/* Exactly n entries (or, if allow_more, at least n of a full bundle);
 * ents must hold 256. */
int tl_bundle_parse(const uint8_t *p, size_t len, unsigned n, int allow_more, tl_entry *ents,
                    tl_err *e);
int tl_bundle_add(tl_buf *b, const void *data, size_t len, tl_err *e);

typedef struct tl_tiles tl_tiles;

/* Open a tiled tree of `size` leaves. With root != NULL the root
 * recomputed from the tiles must equal it; the computed root goes to
 * rootout (may be NULL). */
int tl_tiles_open(tl_tiles **out, tl_fetch_fn fetch, void *fctx, uint64_t size,
                  const uint8_t *root, uint8_t *rootout, tl_err *e);
void tl_tiles_free(tl_tiles *t);
uint64_t tl_tiles_size(const tl_tiles *t);
/* A tl_hash_fn over verified tiles (ctx = tl_tiles *). */
int tl_tiles_hash(void *ctx, uint64_t start, unsigned height, uint8_t out[32], tl_err *e);
/* The verified hashes of tile (level, index): *h points into the reader
 * (valid until tl_tiles_free), *w hashes. */
int tl_tiles_tile(tl_tiles *t, int level, uint64_t index, const uint8_t **h, unsigned *w,
                  tl_err *e);
/* The entries of bundle `index`, each checked against its leaf hash. The
 * entries point into raw, which the caller frees. Returns the count. */
int tl_tiles_bundle(tl_tiles *t, uint64_t index, tl_buf *raw, tl_entry ents[256], unsigned *n,
                    tl_err *e);
/* Fetch and check every tile and every entry; cb (may be NULL) sees each
 * entry in order; a non-zero return from cb stops with that value. */
int tl_tiles_check_all(tl_tiles *t,
                       int (*cb)(void *arg, uint64_t index, const uint8_t *p, size_t len),
                       void *arg, tl_err *e);

#endif
