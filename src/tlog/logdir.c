/* tlog/logdir.c - see logdir.h. */
#include "tlog/logdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int tl_log_lock(const char *dir, tl_err *e)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        tl_seterr(e, "%s: %s", dir, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX) != 0) {
        tl_seterr(e, "%s: cannot lock: %s", dir, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

void tl_log_unlock(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}

static int path_join(const char *dir, const char *rel, char **out, tl_err *e)
{
    size_t l = strlen(dir) + strlen(rel) + 2;
    *out = malloc(l);
    if (!*out) {
        tl_seterr(e, "out of memory");
        return -1;
    }
    snprintf(*out, l, "%s/%s", dir, rel);
    return 0;
}

static int write_checkpoint(const char *dir, const tl_key *k, uint64_t size, const uint8_t root[32],
                            tl_err *e)
{
    tl_checkpoint c;
    memset(&c, 0, sizeof c);
    snprintf(c.origin, sizeof c.origin, "%s", k->name);
    c.size = size;
    memcpy(c.root, root, 32);
    tl_buf text = {0}, note = {0};
    char *path = NULL;
    int rc = -1;
    if (tl_checkpoint_text(&c, &text) != 0) {
        tl_seterr(e, "out of memory");
        goto done;
    }
    if (tl_note_sign((const char *)text.p, text.len, k, 1, 0, &note, e) != 0)
        goto done;
    if (path_join(dir, "checkpoint", &path, e) != 0)
        goto done;
    rc = tl_write_atomic(path, note.p, note.len, 0644, e);
done:
    free(path);
    tl_buf_free(&text);
    tl_buf_free(&note);
    return rc;
}

int tl_log_init(const char *dir, const tl_key *logkey, tl_err *e)
{
    if (logkey->type != TL_KEY_ED25519 || !logkey->has_priv) {
        tl_seterr(e, "%s: a log needs an Ed25519 note signer key", logkey->name);
        return -1;
    }
    if (tl_mkdir_p(dir, e) != 0)
        return -1;
    int lk = tl_log_lock(dir, e);
    if (lk < 0)
        return -1;
    char *cp;
    int rc = -1;
    if (path_join(dir, "checkpoint", &cp, e) != 0)
        goto done;
    if (access(cp, F_OK) == 0) {
        tl_seterr(e, "%s already holds a log (checkpoint exists)", dir);
        free(cp);
        goto done;
    }
    free(cp);
    uint8_t root[32];
    tl_empty_root(root);
    rc = write_checkpoint(dir, logkey, 0, root, e);
done:
    tl_log_unlock(lk);
    return rc;
}

typedef struct level_buf {
    uint8_t h[TL_TILE_W][32];
    unsigned n;
    uint64_t idx; /* index of the edge tile on this level */
} level_buf;

static int write_tile(const char *dir, int level, uint64_t idx, unsigned w, const void *data,
                      size_t len, tl_err *e)
{
    char rel[128];
    tl_tile_path(level, idx, w, rel, sizeof rel);
    char *path;
    if (path_join(dir, rel, &path, e) != 0)
        return -1;
    char *slash = strrchr(path, '/');
    *slash = 0;
    int rc = tl_mkdir_p(path, e);
    *slash = '/';
    /* no published checkpoint refers to this file yet (it is a full tile
     * that was partial, or a partial tile of a new width): replace it */
    if (rc == 0)
        rc = tl_write_atomic(path, data, len, 0644, e);
    free(path);
    return rc;
}

static void mth256(const uint8_t (*h)[32], unsigned n, uint8_t out[32])
{
    tl_mem_tree mt = {(const tl_hash *)h, n};
    tl_err e;
    tl_tree_root(tl_mem_hash, &mt, n, out, &e);
}

/* Push hash h onto `level`, writing full tiles and carrying upward. */
static int push_hash(const char *dir, level_buf *lv, int level, const uint8_t h[32], tl_err *e)
{
    if (level >= TL_TILE_LEVELS) {
        tl_seterr(e, "log is full");
        return -1;
    }
    level_buf *b = &lv[level];
    memcpy(b->h[b->n++], h, 32);
    if (b->n < TL_TILE_W)
        return 0;
    if (write_tile(dir, level, b->idx, TL_TILE_W, b->h, sizeof b->h, e) != 0)
        return -1;
    uint8_t up[32];
    mth256((const uint8_t(*)[32])b->h, TL_TILE_W, up);
    b->n = 0;
    b->idx++;
    return push_hash(dir, lv, level + 1, up, e);
}

int tl_log_append(const char *dir, const tl_key *logkey, const tl_entry *ents, size_t n,
                  uint64_t *first, tl_err *e)
{
    int lk = tl_log_lock(dir, e);
    if (lk < 0)
        return -1;
    int rc = tl_log_append_locked(dir, logkey, ents, n, first, e);
    tl_log_unlock(lk);
    return rc;
}

int tl_log_append_locked(const char *dir, const tl_key *logkey, const tl_entry *ents, size_t n,
                         uint64_t *first, tl_err *e)
{
    if (logkey->type != TL_KEY_ED25519 || !logkey->has_priv) {
        tl_seterr(e, "%s: a log needs an Ed25519 note signer key", logkey->name);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (ents[i].len > TL_ENTRY_MAX) {
            tl_seterr(e, "entry of %zu bytes exceeds the %u-byte limit", ents[i].len, TL_ENTRY_MAX);
            return -1;
        }
    int rc = -1;
    char *cpath = NULL;
    tl_buf cpb = {0}, bundle = {0}, eraw = {0};
    tl_tiles *t = NULL, *t2 = NULL;
    level_buf *lv = calloc(TL_TILE_LEVELS, sizeof *lv);
    if (!lv) {
        tl_seterr(e, "out of memory");
        goto done;
    }
    if (path_join(dir, "checkpoint", &cpath, e) != 0)
        goto done;
    if (tl_read_file(cpath, TL_NOTE_MAX_BYTES, &cpb, e) != 0) {
        tl_preerr(e, "log not initialised? (vigil log init)");
        goto done;
    }
    tl_key pub = *logkey;
    pub.has_priv = 0;
    tl_checkpoint_sigs cs;
    if (tl_checkpoint_open((const char *)cpb.p, cpb.len, &pub, NULL, 0, &cs, e) != 0) {
        tl_preerr(e, "%s", cpath);
        goto done;
    }
    uint64_t N = cs.cp.size;
    if (tl_tiles_open(&t, tl_dir_fetch, (void *)dir, N, cs.cp.root, NULL, e) != 0) {
        tl_preerr(e, "log tiles do not match its checkpoint");
        goto done;
    }
    /* the right edge of every level at size N */
    for (int L = 0; L < TL_TILE_LEVELS; L++) {
        uint64_t count = N >> (8 * L);
        lv[L].idx = count / TL_TILE_W;
        unsigned w = (unsigned)(count % TL_TILE_W);
        if (w) {
            const uint8_t *h;
            unsigned hw;
            if (tl_tiles_tile(t, L, lv[L].idx, &h, &hw, e) != 0)
                goto done;
            memcpy(lv[L].h, h, 32u * w);
            lv[L].n = w;
        }
    }
    if (N % TL_TILE_W) {
        tl_entry old[256];
        unsigned on;
        if (tl_tiles_bundle(t, N / TL_TILE_W, &eraw, old, &on, e) != 0)
            goto done;
        for (unsigned i = 0; i < on; i++)
            if (tl_bundle_add(&bundle, old[i].p, old[i].len, e) != 0)
                goto done;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t h[32];
        tl_leaf_hash(ents[i].p, ents[i].len, h);
        if (tl_bundle_add(&bundle, ents[i].p, ents[i].len, e) != 0)
            goto done;
        uint64_t bidx = lv[0].idx;
        if (push_hash(dir, lv, 0, h, e) != 0)
            goto done;
        if (lv[0].idx != bidx) { /* level-0 tile completed: so is its bundle */
            if (write_tile(dir, TL_TILE_ENTRIES, bidx, TL_TILE_W, bundle.p, bundle.len, e) != 0)
                goto done;
            bundle.len = 0;
        }
    }
    uint64_t N2 = N + n;
    for (int L = 0; L < TL_TILE_LEVELS; L++)
        if (lv[L].n && write_tile(dir, L, lv[L].idx, lv[L].n, lv[L].h, 32u * lv[L].n, e) != 0)
            goto done;
    if (lv[0].n &&
        write_tile(dir, TL_TILE_ENTRIES, lv[0].idx, lv[0].n, bundle.p, bundle.len, e) != 0)
        goto done;
    /* read back what was written: root, and consistency with the old tree */
    uint8_t root[32];
    if (tl_tiles_open(&t2, tl_dir_fetch, (void *)dir, N2, NULL, root, e) != 0) {
        tl_preerr(e, "reading back the new tiles");
        goto done;
    }
    tl_hash pr[TL_MAX_PROOF];
    size_t np;
    if (tl_consistency_proof(tl_tiles_hash, t2, N, N2, pr, &np, e) != 0 ||
        tl_verify_consistency(N, N2, cs.cp.root, root, pr, np, e) != 0) {
        tl_preerr(e, "new tree is not an extension of the old one");
        goto done;
    }
    if (write_checkpoint(dir, logkey, N2, root, e) != 0)
        goto done;
    if (first)
        *first = N;
    rc = 0;
done:
    tl_tiles_free(t);
    tl_tiles_free(t2);
    tl_buf_free(&cpb);
    tl_buf_free(&bundle);
    tl_buf_free(&eraw);
    free(cpath);
    free(lv);
    return rc;
}
