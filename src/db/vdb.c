/* db/vdb.c - reading and writing compiled databases; the format is
 * specified in vdb.h. Reading trusts nothing: the header, every section's
 * bounds and alignment and the checksum are checked before the engine
 * uses any of it, and every index inside the sections before it is
 * followed (tables here at load; names and packed patterns, which a scan
 * may never touch, when they are decoded).
 *
 * The checksum is computed from the file with pread() into small buffers
 * on all cores, not through the mapping: the verified bytes stay in the
 * page cache without entering the process, so loading (and a daemon's
 * reload next to a serving engine) only maps in what scans read. Hashing
 * is most of the time a load takes, so each core hashes 16 chunks at once
 * in AVX-512 lanes where it can (db/sha256x16.c, about twice OpenSSL's
 * one-stream speed), else one at a time with OpenSSL. */
#include "yara/yara_int.h"
#include "db/vdb.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "match/ldb.h"
#include "match/serial.h"
#include "core/pages.h"
#include "db/sha256x16.h"

_Static_assert(sizeof(vgdb_bodysig) == 4, "vgdb_bodysig is part of the .vdb format");

#define ALIGN 64u
#define CHUNK (256u << 10)
#define READ_BUF (64u << 10)  /* per thread, one chunk at a time */
#define LANE_BUF (32u << 10)  /* per lane, 16 chunks at a time */
#define LANES VG_SHA256X16_LANES

typedef struct sect {
    const uint8_t *p;
    uint64_t off, len;
} sect;

typedef struct vdbview {
    uint64_t created, nsigs;
    uint32_t nnames;
    sect s[VGDB_S_LAST + 1];
    vgm_sigstats st; /* gathered by validate */
} vdbview;

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

/* hash set s (0..5: det md5/sha1/sha256, fp md5/sha1/sha256), column c */
static unsigned hs_id(unsigned s, unsigned c) { return VGDB_S_HASH0 + 4 * s + c; }

static size_t elem_size(unsigned id)
{
    if (id >= VGDB_S_HASH0 && id < VGDB_S_HASH0 + 4 * 2 * VGH_KINDS) {
        unsigned s = (id - VGDB_S_HASH0) / 4, c = (id - VGDB_S_HASH0) % 4;
        static const size_t col[4] = {0, 2, 4, 4};
        return c == VGDB_C_DIG ? vghash_len[s % VGH_KINDS] : col[c];
    }
    switch (id) {
    case VGDB_S_NAMEIDX: return 4;
    case VGDB_S_BODY: return sizeof(vgdb_bodysig);
    case VGDB_S_MSIGS: return sizeof(vgm_sig);
    case VGDB_S_CHUNKS: return 32;
    default: return 1;
    }
}

/* ---- checksum --------------------------------------------------------- */

/* Every section's extent (its bytes and its padding) but the chunk
 * table's is cut into chunks of at most CHUNK bytes; the chunk table
 * (the last section) holds their SHA-256s in file order, and the header
 * the SHA-256 of the chunk table's extent. So each chunk is verified on
 * its own, on any core, as soon as it is hashed: the Vectorscan section is
 * hashed first and deserialized while the other chunks are hashed. Chunks
 * are small so that every core gets whole groups of 16 of about the same
 * length (the short last chunks of sections are hashed last, together). */
typedef struct chunk {
    uint64_t off, len;
    unsigned id;  /* section */
} chunk;

typedef struct digest_job {
    int fd;              /* >= 0: pread from it */
    const uint8_t *mem;  /* else: bytes in memory */
    const chunk *c;
    size_t n;
    const size_t *order; /* hashing order (NULL: file order) */
    uint8_t *sums;       /* computed here, or */
    const uint8_t *expect; /* compared with these */
    atomic_size_t next;
    atomic_int fail;
    unsigned early_id;   /* when the chunks of this section are verified, */
    size_t early_n;      /* the worker that verified the last one calls */
    atomic_size_t early_done; /* early(early_arg) */
    void (*early)(void *);
    void *early_arg;
    int wide;            /* 16 chunks at a time (vg_sha256x16_ok()) */
} digest_job;

/* A chunk's digest is in: compared or stored, and the early call made
 * once the early section is all verified. 0 on a mismatch. */
static int chunk_done(digest_job *j, size_t i, const uint8_t sum[32])
{
    if (j->expect && memcmp(sum, j->expect + 32 * i, 32) != 0)
        return 0;
    if (j->sums)
        memcpy(j->sums + 32 * i, sum, 32);
    if (j->early && j->c[i].id == j->early_id &&
        atomic_fetch_add(&j->early_done, 1) + 1 == j->early_n)
        j->early(j->early_arg);
    return 1;
}

static int read_full(int fd, uint8_t *buf, size_t n, uint64_t off)
{
    while (n) {
        ssize_t r = pread(fd, buf, n, (off_t)off);
        if (r <= 0)
            return 0;
        buf += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 1;
}

/* Takes 16 chunks at a time and hashes them in the 16 lanes, reading each
 * LANE_BUF bytes per step (or straight from memory). */
static void wide_worker(digest_job *j)
{
    uint8_t *buf = j->fd >= 0 ? malloc((size_t)LANES * LANE_BUF) : NULL;
    if (j->fd >= 0 && !buf)
        atomic_store(&j->fail, 1);
    while (!atomic_load(&j->fail)) {
        size_t k = atomic_fetch_add(&j->next, LANES);
        if (k >= j->n)
            break;
        size_t m = j->n - k < LANES ? j->n - k : LANES, idx[LANES];
        uint64_t pos[LANES] = {0}, end[LANES] = {0};
        for (size_t l = 0; l < m; l++) {
            idx[l] = j->order ? j->order[k + l] : k + l;
            pos[l] = j->c[idx[l]].off;
            end[l] = pos[l] + j->c[idx[l]].len;
        }
        vg_sha256x16 s;
        vg_sha256x16_init(&s);
        const uint8_t *p[LANES];
        size_t n[LANES];
        int ok = 1;
        for (int more = 1; ok && more;) {
            more = 0;
            for (size_t l = 0; l < LANES; l++) {
                uint64_t blk = (end[l] - pos[l]) & ~(uint64_t)63;
                n[l] = j->fd >= 0 && blk > LANE_BUF ? LANE_BUF : (size_t)blk;
                p[l] = NULL;
                if (n[l] && j->fd >= 0) {
                    p[l] = buf + l * LANE_BUF;
                    ok &= read_full(j->fd, buf + l * LANE_BUF, n[l], pos[l]);
                } else if (n[l])
                    p[l] = j->mem + pos[l];
                pos[l] += n[l];
                more |= n[l] != 0;
            }
            if (ok && more)
                vg_sha256x16_update(&s, p, n);
        }
        uint8_t sums[32 * LANES];
        for (size_t l = 0; ok && l < LANES; l++) { /* under 64 bytes left */
            n[l] = (size_t)(end[l] - pos[l]);
            p[l] = j->fd >= 0 ? buf + l * LANE_BUF : j->mem + pos[l];
            if (n[l] && j->fd >= 0)
                ok &= read_full(j->fd, buf + l * LANE_BUF, n[l], pos[l]);
        }
        if (ok)
            vg_sha256x16_final(&s, p, n, sums);
        for (size_t l = 0; ok && l < m; l++)
            ok = chunk_done(j, idx[l], sums + 32 * l);
        if (!ok)
            atomic_store(&j->fail, 1);
    }
    free(buf);
}

static void *digest_worker(void *arg)
{
    digest_job *j = arg;
    if (j->wide) {
        wide_worker(j);
        return NULL;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t *buf = j->fd >= 0 ? malloc(READ_BUF) : NULL;
    if (!md || (j->fd >= 0 && !buf))
        atomic_store(&j->fail, 1);
    while (!atomic_load(&j->fail)) {
        size_t k = atomic_fetch_add(&j->next, 1);
        if (k >= j->n)
            break;
        size_t i = j->order ? j->order[k] : k;
        const chunk *c = &j->c[i];
        int ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL);
        for (uint64_t done = 0; ok && done < c->len;) {
            size_t want = c->len - done < READ_BUF ? (size_t)(c->len - done) : READ_BUF;
            const uint8_t *p;
            if (j->fd >= 0) {
                ssize_t r = pread(j->fd, buf, want, (off_t)(c->off + done));
                if (r <= 0) {
                    ok = 0;
                    break;
                }
                want = (size_t)r;
                p = buf;
            } else
                p = j->mem + c->off + done;
            ok = EVP_DigestUpdate(md, p, want);
            done += want;
        }
        uint8_t sum[32];
        unsigned int l = 0;
        if (!ok || !EVP_DigestFinal_ex(md, sum, &l) || !chunk_done(j, i, sum)) {
            atomic_store(&j->fail, 1);
            break;
        }
    }
    free(buf);
    EVP_MD_CTX_free(md);
    return NULL;
}

static atomic_int wide_allowed = 1;

void vgdb_vdb_set_wide(int on) { atomic_store(&wide_allowed, on != 0); }

static int cpu_wide;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;

static void cpu_check(void) { cpu_wide = vg_sha256x16_ok(); }

static int run_job(digest_job *j)
{
    pthread_once(&cpu_once, cpu_check); /* loads may run side by side */
    int w = cpu_wide && atomic_load(&wide_allowed);
    j->wide = w;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nth = ncpu > 1 ? (size_t)ncpu : 1, units = w ? (j->n + LANES - 1) / LANES : j->n;
    if (nth > 16)
        nth = 16;
    if (nth > units)
        nth = units ? units : 1;
    pthread_t th[16];
    size_t started = 0;
    for (size_t i = 1; i < nth; i++)
        if (pthread_create(&th[started], NULL, digest_worker, j) == 0)
            started++;
    digest_worker(j);
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    return !atomic_load(&j->fail);
}

/* The chunks of the n - 1 sections before the chunk table (offsets
 * ascending, extents up to offs[n - 1]). */
static chunk *make_chunks(const uint64_t *offs, const unsigned *ids, unsigned n, size_t *nc)
{
    size_t cnt = 0;
    for (unsigned i = 0; i + 1 < n; i++)
        cnt += (size_t)((offs[i + 1] - offs[i] + CHUNK - 1) / CHUNK);
    chunk *c = malloc((cnt ? cnt : 1) * sizeof *c);
    if (!c)
        return NULL;
    size_t k = 0;
    for (unsigned i = 0; i + 1 < n; i++)
        for (uint64_t o = offs[i]; o < offs[i + 1]; o += CHUNK) {
            c[k].off = o;
            c[k].len = offs[i + 1] - o < CHUNK ? offs[i + 1] - o : CHUNK;
            c[k++].id = ids[i];
        }
    *nc = cnt;
    return c;
}

/* SHA-256 of the chunk table entries of section id: its key. */
static void section_key(const chunk *c, size_t nc, const uint8_t *table, unsigned id, uint8_t key[32])
{
    size_t a = 0, b;
    while (a < nc && c[a].id != id)
        a++;
    for (b = a; b < nc && c[b].id == id;)
        b++;
    unsigned int l = 0;
    EVP_Digest(table + 32 * a, 32 * (b - a), key, &l, EVP_sha256(), NULL);
}

static vg_status fmt_err(char *err, size_t n, const char *msg)
{
    snprintf(err, n, "%s", msg);
    return VG_EFORMAT;
}

/* Header and section table: ids, offsets, extents. */
static vg_status parse_header(const uint8_t *b, size_t len, vdbview *v, uint64_t *offs,
                              unsigned *ids, unsigned *nsec, char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    if (len < VGDB_VDB_HEADER || memcmp(b, VGDB_VDB_MAGIC, 8) != 0)
        return fmt_err(err, errlen, "not a vigil compiled database (bad magic or truncated header)");
    uint32_t ver = rd32(b + 8);
    if (ver != VGDB_VDB_VERSION) {
        snprintf(err, errlen, "compiled database format version %u; this vigil reads version %u", ver,
                 VGDB_VDB_VERSION);
        return VG_EUNSUPPORTED;
    }
    if (rd32(b + 12) != VGDB_VDB_HEADER)
        return fmt_err(err, errlen, "bad header size");
    if (rd64(b + 16) != 0)
        return fmt_err(err, errlen, "unknown feature flags");
    if (rd64(b + 24) != len)
        return fmt_err(err, errlen, "file size does not match the header (truncated or extended)");
    v->created = rd64(b + 32);
    v->nsigs = rd64(b + 40);
    uint32_t ns = rd32(b + 48);
    v->nnames = rd32(b + 52);
    if (ns > VGDB_MAX_SECTIONS)
        return fmt_err(err, errlen, "bad section count");
    for (size_t i = 88 + 24 * (size_t)ns; i < VGDB_VDB_HEADER; i++)
        if (b[i])
            return fmt_err(err, errlen, "header padding is not zero");
    uint64_t prev_end = VGDB_VDB_HEADER;
    unsigned prev_id = 0;
    for (uint32_t i = 0; i < ns; i++) {
        const uint8_t *t = b + 88 + 24 * i;
        uint32_t id = rd32(t);
        uint64_t off = rd64(t + 8), l = rd64(t + 16);
        if (id == 0 || id > VGDB_S_LAST || id <= prev_id || rd32(t + 4) != 0)
            return fmt_err(err, errlen, "bad or unknown section id");
        if (off % ALIGN || off < prev_end || off > len || l > len - off ||
            (i == 0 && off != VGDB_VDB_HEADER) || (i > 0 && off - prev_end >= ALIGN))
            return fmt_err(err, errlen, "section out of bounds");
        if (l % elem_size(id))
            return fmt_err(err, errlen, "section length is not a whole number of entries");
        v->s[id].p = b + off;
        v->s[id].off = off;
        v->s[id].len = l;
        offs[i] = off;
        ids[i] = id;
        prev_end = off + l;
        prev_id = id;
    }
    if (ns == 0 || ids[ns - 1] != VGDB_S_CHUNKS || len - prev_end >= ALIGN)
        return fmt_err(err, errlen, "no chunk table at the end");
    offs[ns] = len;
    *nsec = ns;
    return VG_OK;
}

/* The chunks of a parsed file, its chunk table checked against the
 * header's digest. NULL with a reason in err. */
static chunk *file_chunks(const uint8_t *b, size_t len, const vdbview *v, const uint64_t *offs,
                          const unsigned *ids, unsigned ns, size_t *nc, char *err, size_t errlen)
{
    const sect *t = &v->s[VGDB_S_CHUNKS];
    uint8_t sum[32];
    unsigned int l = 0;
    if (!EVP_Digest(t->p, len - t->off, sum, &l, EVP_sha256(), NULL) || memcmp(sum, b + 56, 32)) {
        snprintf(err, errlen, "checksum mismatch: the file is corrupted");
        return NULL;
    }
    chunk *c = make_chunks(offs, ids, ns, nc);
    if (!c)
        snprintf(err, errlen, "out of memory");
    else if (t->len != 32 * (uint64_t)*nc) {
        snprintf(err, errlen, "chunk table does not match the sections");
        free(c);
        c = NULL;
    }
    return c;
}

static uint64_t count(const vdbview *v, unsigned id) { return v->s[id].len / elem_size(id); }

/* Hash set s of a view as a frozen, mapped set (not yet checked). */
static void view_set(const vdbview *v, unsigned s, vgdb_hashset *hs)
{
    memset(hs, 0, sizeof *hs);
    hs->dlen = (uint8_t)vghash_len[s % VGH_KINDS];
    hs->n = (size_t)count(v, hs_id(s, VGDB_C_DIG));
    hs->dig = v->s[hs_id(s, VGDB_C_DIG)].p;
    hs->lo = (const uint16_t *)v->s[hs_id(s, VGDB_C_LO)].p;
    hs->names = (const uint32_t *)v->s[hs_id(s, VGDB_C_NAME)].p;
    uint64_t nbk = count(v, hs_id(s, VGDB_C_BKT));
    hs->bkt = nbk ? (const uint32_t *)v->s[hs_id(s, VGDB_C_BKT)].p : NULL;
    hs->nb = nbk ? (uint32_t)(nbk > 65537 ? 65537 : nbk) - 1 : 0;
    hs->any_size = hs->bkt && hs->bkt[hs->nb] < hs->n;
}

/* The names of a view, set on a scratch engine for vgdb_name(). */
static void view_names(const vdbview *v, vg_engine *e)
{
    e->nnames = e->fc_base = v->nnames;
    e->fc_names = v->s[VGDB_S_NAMES].p;
    e->fc_len = (uint32_t)v->s[VGDB_S_NAMES].len;
    e->fc_idx = (const uint32_t *)v->s[VGDB_S_NAMEIDX].p;
}

static vgm_parts view_parts(const vdbview *v)
{
    vgm_parts p = {(const vgm_sig *)v->s[VGDB_S_MSIGS].p, (uint32_t)count(v, VGDB_S_MSIGS), NULL, 0,
                   v->s[VGDB_S_MNODES].p, (uint32_t)v->s[VGDB_S_MNODES].len,
                   v->s[VGDB_S_MPOOL].p, (uint32_t)v->s[VGDB_S_MPOOL].len};
    return p;
}

/* The tables' own consistency: section sizes against each other, bucket
 * tables, the matcher's signatures. */
#define SIG_WINDOW 1024u

static vg_status validate(vdbview *v, int fd, char *err, size_t errlen)
{
    if (v->s[VGDB_S_NAMES].len > UINT32_MAX || v->s[VGDB_S_MNODES].len > UINT32_MAX ||
        v->s[VGDB_S_MPOOL].len > UINT32_MAX || count(v, VGDB_S_MSIGS) > UINT32_MAX)
        return fmt_err(err, errlen, "section too large");
    if (count(v, VGDB_S_NAMEIDX) != (v->nnames + (uint64_t)VGDB_NAME_BLOCK - 1) / VGDB_NAME_BLOCK)
        return fmt_err(err, errlen, "name block table does not match the name count");
    /* the block offsets and the entries are checked when a name is
     * decoded (names.c): reading them all here would map the table into
     * the process at every load, for names only reports need */
    if (v->nnames && v->s[VGDB_S_NAMES].len == 0)
        return fmt_err(err, errlen, "name table is empty");
    if (v->s[VGDB_S_YARADB].len != 0 && v->s[VGDB_S_YARADB].len != 32)
        return fmt_err(err, errlen, "YARA strings fingerprint is not 32 bytes");
    for (unsigned s = 0; s < 2 * VGH_KINDS; s++) {
        vgdb_hashset hs;
        view_set(v, s, &hs);
        if (count(v, hs_id(s, VGDB_C_LO)) != hs.n || count(v, hs_id(s, VGDB_C_NAME)) != hs.n ||
            (hs.n && !hs.bkt) || count(v, hs_id(s, VGDB_C_BKT)) > 65537 || !vgdb_hashset_check(&hs))
            return fmt_err(err, errlen, "hash table is inconsistent");
    }
    /* the matcher's signatures are read from the file, a window at a time
     * into a buffer, not through the mapping: scans read few of them, and
     * a reload must not map them all next to the serving engine's */
    vgm_parts p = view_parts(v);
    memset(&v->st, 0, sizeof v->st);
    vgm_sig *w = malloc((SIG_WINDOW + 1) * sizeof *w);
    if (!w)
        return VG_ENOMEM;
    vg_status st = VG_OK;
    for (uint32_t first = 0, n; st == VG_OK && first < p.nsigs; first += n) {
        n = p.nsigs - first < SIG_WINDOW ? p.nsigs - first : SIG_WINDOW;
        size_t want = ((size_t)n + (first + n < p.nsigs)) * sizeof *w;
        if (pread(fd, w, want, (off_t)(v->s[VGDB_S_MSIGS].off + (uint64_t)first * sizeof *w)) !=
            (ssize_t)want) {
            snprintf(err, errlen, "read error while checking");
            st = VG_EIO;
        } else
            st = vgm_validate_window(&p, w, first, n, (uint32_t)count(v, VGDB_S_BODY), &v->st,
                                     err, errlen);
    }
    free(w);
    return st;
}

typedef struct early_hs {
    uint8_t key[32];
    const void *p;
    size_t len;
    struct vgm_shared_db *sh;
} early_hs;

static void early_hs_get(void *arg)
{
    early_hs *h = arg;
    h->sh = vgm_shared_get(h->key, h->p, h->len);
}

/* Map path, check header and sections, verify every chunk against the
 * chunk table. With sh, the Vectorscan section is deserialized (or shared)
 * as soon as its chunks are verified, while the rest is checked; *sh gets
 * it, or NULL when it does not deserialize here. */
static vg_status open_view(const char *path, void **map, size_t *len, vdbview *v,
                           struct vgm_shared_db **sh, char *err, size_t errlen)
{
    if (sh)
        *sh = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? VG_ENOENT : VG_EIO;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size < (off_t)VGDB_VDB_HEADER) {
        snprintf(err, errlen, "%s: not a vigil compiled database (too short)", path);
        close(fd);
        return VG_EFORMAT;
    }
    /* private and read-only: pages come from the page cache and are
     * shared with every other mapping of the file */
    void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return VG_EIO;
    }
    uint64_t offs[VGDB_MAX_SECTIONS + 1];
    unsigned ids[VGDB_MAX_SECTIONS], ns = 0;
    char why[256];
    size_t nc = 0;
    chunk *c = NULL;
    size_t *order = NULL;
    vg_status st = parse_header(p, (size_t)sb.st_size, v, offs, ids, &ns, why, sizeof why);
    if (st == VG_OK && !(c = file_chunks(p, (size_t)sb.st_size, v, offs, ids, ns, &nc, why, sizeof why)))
        st = VG_EVERIFY;
    if (st == VG_OK && !(order = malloc((nc ? nc : 1) * sizeof *order)))
        st = VG_ENOMEM;
    early_hs h = {.p = v->s[VGDB_S_HSDB].p, .len = (size_t)v->s[VGDB_S_HSDB].len};
    if (st == VG_OK) {
        /* the Vectorscan section first, so it is ready early; then whole
         * chunks, then the sections' short last ones, longest first, so
         * that the chunks hashed side by side have about one length */
        size_t k = 0;
        for (size_t i = 0; i < nc; i++)
            if (c[i].id == VGDB_S_HSDB)
                order[k++] = i;
        size_t nhs = k;
        for (size_t i = 0; i < nc; i++)
            if (c[i].id != VGDB_S_HSDB && c[i].len == CHUNK)
                order[k++] = i;
        for (size_t i = 0, s0 = k; i < nc; i++)
            if (c[i].id != VGDB_S_HSDB && c[i].len < CHUNK) {
                size_t at = k++; /* insertion: at most one per section */
                for (; at > s0 && c[order[at - 1]].len < c[i].len; at--)
                    order[at] = order[at - 1];
                order[at] = i;
            }
        section_key(c, nc, v->s[VGDB_S_CHUNKS].p, VGDB_S_HSDB, h.key);
        digest_job j = {.fd = fd, .c = c, .n = nc, .order = order,
                        .expect = v->s[VGDB_S_CHUNKS].p, .early_id = VGDB_S_HSDB,
                        .early_n = nhs, .early = sh && nhs && h.len ? early_hs_get : NULL,
                        .early_arg = &h};
        atomic_init(&j.next, 0);
        atomic_init(&j.fail, 0);
        atomic_init(&j.early_done, 0);
        if (!run_job(&j)) {
            snprintf(why, sizeof why, "checksum mismatch: the file is corrupted");
            st = VG_EVERIFY;
        }
    }
    free(c);
    free(order);
    if (st == VG_OK)
        st = validate(v, fd, why, sizeof why);
    close(fd);
    if (st != VG_OK) {
        vgm_shared_put(h.sh);
        snprintf(err, errlen, "%s: %s", path, why);
        munmap(p, (size_t)sb.st_size);
        return st;
    }
    if (sh)
        *sh = h.sh;
    *map = p;
    *len = (size_t)sb.st_size;
    return VG_OK;
}

vg_status vgdb_vdb_seal(uint8_t *buf, size_t len)
{
    if (len < VGDB_VDB_HEADER)
        return VG_EFORMAT;
    wr64(buf + 24, len);
    memcpy(buf, VGDB_VDB_MAGIC, 8);
    vdbview v;
    uint64_t offs[VGDB_MAX_SECTIONS + 1];
    unsigned ids[VGDB_MAX_SECTIONS], ns = 0;
    char why[256];
    vg_status st = parse_header(buf, len, &v, offs, ids, &ns, why, sizeof why);
    size_t nc = 0;
    chunk *c = st == VG_OK ? make_chunks(offs, ids, ns, &nc) : NULL;
    if (!c)
        return st == VG_OK ? VG_ENOMEM : st;
    st = v.s[VGDB_S_CHUNKS].len == 32 * (uint64_t)nc ? VG_OK : VG_EFORMAT;
    if (st == VG_OK) {
        digest_job j = {.fd = -1, .mem = buf, .c = c, .n = nc,
                        .sums = buf + v.s[VGDB_S_CHUNKS].off};
        atomic_init(&j.next, 0);
        atomic_init(&j.fail, 0);
        atomic_init(&j.early_done, 0);
        unsigned int l = 0;
        st = run_job(&j) && EVP_Digest(buf + v.s[VGDB_S_CHUNKS].off, len - v.s[VGDB_S_CHUNKS].off,
                                       buf + 56, &l, EVP_sha256(), NULL) ? VG_OK : VG_ENOMEM;
    }
    free(c);
    return st;
}

static int engine_empty(const vg_engine *e)
{
    if (e->nnames || e->nbody || e->pending_vdb)
        return 0;
    for (int k = 0; k < VGH_KINDS; k++)
        if (e->det[k].n || e->fp[k].n)
            return 0;
    return vgm_builder_count(e->mb) == 0 && !vgy_rules_count(e->yara);
}

static vg_status parse_sources(vg_engine *e, const sect *s)
{
    if (!s->p || s->len == 0)
        return VG_OK;
    const char *p = (const char *)s->p, *end = p + s->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        char hex[65];
        unsigned long long size;
        char name[256];
        char line[512];
        size_t l = (size_t)(nl - p) < sizeof line - 1 ? (size_t)(nl - p) : sizeof line - 1;
        memcpy(line, p, l);
        line[l] = 0;
        p = nl + 1;
        if (sscanf(line, "%64s %llu %255s", hex, &size, name) != 3 || strlen(hex) != 64)
            continue;
        uint8_t sha[32];
        for (int i = 0; i < 32; i++) {
            unsigned v = 0;
            sscanf(hex + 2 * i, "%2x", &v);
            sha[i] = (uint8_t)v;
        }
        vg_status st = vgdb_source_push(e, name, size, sha);
        if (st != VG_OK)
            return st;
    }
    return VG_OK;
}

/* Copy a verified file's signatures into e's build tables. */
static vg_status import(vg_engine *e, const vdbview *v)
{
    uint32_t nn = v->nnames, base = e->nnames, bbase = e->nbody;
    vg_engine *ne = calloc(1, sizeof *ne);
    if (!ne)
        return VG_ENOMEM;
    view_names(v, ne);
    vg_status st = VG_OK;
    for (uint32_t i = 0; st == VG_OK && i < nn; i++) {
        const char *nm = vgdb_name(ne, i);
        uint32_t idx;
        st = nm == vgdb_bad_name ? VG_EFORMAT : vgdb_name_add(e, nm, strlen(nm), 1, &idx);
    }
    free(ne);
    for (unsigned s = 0; st == VG_OK && s < 2 * VGH_KINDS; s++) {
        vgdb_hashset hs;
        view_set(v, s, &hs);
        vgdb_hashset *to = s < VGH_KINDS ? &e->det[s] : &e->fp[s - VGH_KINDS];
        for (size_t j = 0; st == VG_OK && j < hs.n; j++) {
            uint8_t h[32] = {0};
            memcpy(h, hs.dig + j * hs.dlen, hs.dlen);
            st = hs.names[j] < nn ? vgdb_hash_add(to, h, vgdb_hashset_size(&hs, j), base + hs.names[j])
                                  : VG_EFORMAT;
        }
    }
    const vgdb_bodysig *bs = (const vgdb_bodysig *)v->s[VGDB_S_BODY].p;
    for (uint32_t i = 0; st == VG_OK && i < count(v, VGDB_S_BODY); i++) {
        uint32_t idx;
        st = bs[i].name < nn ? vgdb_body_add(e, base + bs[i].name, &idx) : VG_EFORMAT;
    }
    vgm_parts p = view_parts(v);
    for (uint32_t i = 0; st == VG_OK && i < p.nsigs; i++) {
        vgp_pattern pat;
        vgm_offset off;
        uint8_t target;
        uint32_t id;
        if (p.sigs[i].flags & VGM_SIG_MULTI)
            continue; /* a logical subsignature: its .ldb text adds it again */
        st = vgm_pattern_copy(&p, i, &pat, &off, &target, &id);
        if (st == VG_OK) {
            st = vgm_builder_add(e->mb, &pat, &off, target, bbase + id);
            vgp_free(&pat);
        }
    }
    if (st == VG_EFORMAT)
        vgdb_error(e, "%s: a signature refers to a missing name or pattern",
                   e->pending_vdb ? e->pending_vdb : "compiled database");
    if (st == VG_OK)
        st = parse_sources(e, &v->s[VGDB_S_SOURCES]);
    if (st == VG_OK)
        st = vgdb_srctext_load(e, v->s[VGDB_S_SRCTEXT].p, v->s[VGDB_S_SRCTEXT].len);
    if (st == VG_OK)
        e->nsigs += v->nsigs;
    return st;
}

void vgdb_vdb_unmap(vg_engine *e)
{
    vgm_shared_put(e->vdb_shared);
    e->vdb_shared = NULL;
    if (e->map)
        munmap(e->map, e->maplen);
    e->map = NULL;
    e->maplen = 0;
}

vg_status vgdb_vdb_open(vg_engine *e, const char *path)
{
    void *map;
    size_t len;
    char err[512];
    vdbview v;
    struct vgm_shared_db *sh = NULL;
    int empty = engine_empty(e);
    vg_status st = open_view(path, &map, &len, &v, empty ? &sh : NULL, err, sizeof err);
    if (st != VG_OK) {
        vgdb_error(e, "%s", err);
        return st;
    }
    if (empty) {
        e->pending_vdb = strdup(path);
        if (!e->pending_vdb) {
            vgm_shared_put(sh);
            munmap(map, len);
            return VG_ENOMEM;
        }
        e->map = map;
        e->maplen = len;
        e->vdb_shared = sh;
        e->vdb_nmemo = v.st.nmemo;
        e->vdb_nmulti = v.st.nmulti;
        e->vdb_multi_ids = v.st.multi_ids;
        return VG_OK;
    }
    st = vgdb_vdb_flush(e);
    if (st == VG_OK)
        st = import(e, &v);
    munmap(map, len);
    return st;
}

/* The view of the pending mapping (checked when it was opened). */
static vg_status pending_view(vg_engine *e, vdbview *v)
{
    uint64_t offs[VGDB_MAX_SECTIONS + 1];
    unsigned ids[VGDB_MAX_SECTIONS], ns;
    char err[256];
    return parse_header(e->map, e->maplen, v, offs, ids, &ns, err, sizeof err);
}

vg_status vgdb_vdb_flush(vg_engine *e)
{
    if (!e->pending_vdb)
        return VG_OK;
    vdbview v;
    vg_status st = pending_view(e, &v);
    if (st == VG_OK)
        st = import(e, &v);
    free(e->pending_vdb);
    e->pending_vdb = NULL;
    vgdb_vdb_unmap(e);
    return st;
}

vg_status vgdb_vdb_activate(vg_engine *e, int *rebuilt)
{
    vdbview v;
    vg_status st = pending_view(e, &v);
    if (st != VG_OK) {
        vgdb_error(e, "%s: changed while loading", e->pending_vdb);
        return st;
    }
    view_names(&v, e); /* names the texts add go after these */
    st = parse_sources(e, &v.s[VGDB_S_SOURCES]);
    uint32_t before = vgm_builder_count(e->mb);
    if (st == VG_OK)
        st = vgdb_srctext_load(e, v.s[VGDB_S_SRCTEXT].p, v.s[VGDB_S_SRCTEXT].len);
    /* the texts' YARA rules, then the matcher: the file's database serves
     * their strings too if it was built from the same expressions */
    if (st == VG_OK && e->yara)
        st = vgy_rules_compile(e->yara, e->err, sizeof e->err);
    if (st == VG_OK) {
        vgm_parts p = view_parts(&v);
        const sect *y = &v.s[VGDB_S_YARADB];
        st = vgdb_build_matcher(e, &p, v.s[VGDB_S_HSDB].p, v.s[VGDB_S_HSDB].len,
                                y->len ? y->p : NULL, rebuilt);
    }
    vgm_shared_put(e->vdb_shared); /* when not handed over above */
    e->vdb_shared = NULL;
    if (st != VG_OK)
        return st;
    /* The .ldb texts gave their logic (subsignature ids in load order) and
     * patterns that are already in the mapped matcher: those are dropped
     * with the builder, and the mapped ones must be exactly as many, each
     * naming a subsignature the texts made. */
    uint32_t nsubs = e->ldb ? e->ldb->nsubs : 0;
    if (vgm_builder_count(e->mb) - before != e->vdb_nmulti || e->vdb_multi_ids > nsubs) {
        vgdb_error(e, "%s: its logical subsignatures do not match its .ldb texts",
                   e->pending_vdb);
        return VG_EFORMAT;
    }
    for (unsigned k = 0; k < VGH_KINDS; k++) {
        vgdb_hashset_free(&e->det[k]);
        vgdb_hashset_free(&e->fp[k]);
        view_set(&v, k, &e->det[k]);
        view_set(&v, VGH_KINDS + k, &e->fp[k]);
    }
    free(e->body);
    e->body = (vgdb_bodysig *)v.s[VGDB_S_BODY].p;
    e->nbody = (uint32_t)count(&v, VGDB_S_BODY);
    e->nsigs += v.nsigs;
    e->vdb_created = v.created;
    e->mapped = 1;
    return VG_OK;
}

/* ---- writing ---------------------------------------------------------- */

typedef struct wsect {
    unsigned id;
    const void *p;
    uint64_t len;
} wsect;

static vg_status write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return VG_EIO;
        }
        b += w;
        n -= (size_t)w;
    }
    return VG_OK;
}

/* Matcher signatures with packed nodes (node0 = byte offset). */
static vg_status pack_parts(const vgm_parts *p, vgm_sig **sigs, uint8_t **packed, size_t *plen)
{
    if (p->packed) { /* already packed (a mapped engine) */
        *sigs = NULL;
        *packed = NULL;
        *plen = p->npacked;
        return VG_OK;
    }
    *sigs = malloc((size_t)p->nsigs * sizeof **sigs + 1);
    *packed = malloc(vgm_pack_bound(p->nnodes) + 1);
    if (!*sigs || !*packed) {
        free(*sigs);
        free(*packed);
        return VG_ENOMEM;
    }
    size_t o = 0;
    for (uint32_t i = 0; i < p->nsigs; i++) {
        (*sigs)[i] = p->sigs[i];
        (*sigs)[i].node0 = (uint32_t)o;
        o += vgm_pack_nodes(p->nodes + p->sigs[i].node0, p->sigs[i].nnodes, *packed + o);
        if (o > UINT32_MAX) {
            free(*sigs);
            free(*packed);
            return VG_ELIMIT;
        }
    }
    *plen = o;
    return VG_OK;
}

/* The names the hash sets and body signatures refer to, in index order
 * (*which, *nkeep), and those tables' name columns renumbered (cols, one
 * per set; *bnames for the body signatures). */
static vg_status keep_names(const vg_engine *e, uint32_t **remap, uint32_t **which,
                            uint32_t *nkeep, uint32_t **cols, uint32_t **bnames)
{
    uint32_t nn = e->nnames;
    *remap = malloc(((size_t)nn + 1) * 4);
    *which = malloc(((size_t)nn + 1) * 4);
    *bnames = malloc(((size_t)e->nbody + 1) * 4);
    if (!*remap || !*which || !*bnames)
        return VG_ENOMEM;
    memset(*remap, 0xff, ((size_t)nn + 1) * 4);
    for (unsigned s = 0; s < 2 * VGH_KINDS; s++) {
        const vgdb_hashset *h = s < VGH_KINDS ? &e->det[s] : &e->fp[s - VGH_KINDS];
        for (size_t j = 0; j < h->n; j++)
            if (h->names[j] < nn)
                (*remap)[h->names[j]] = 0;
    }
    for (uint32_t i = 0; i < e->nbody; i++)
        if (e->body[i].name < nn)
            (*remap)[e->body[i].name] = 0;
    uint32_t k = 0;
    for (uint32_t i = 0; i < nn; i++)
        if ((*remap)[i] == 0) {
            (*which)[k] = i;
            (*remap)[i] = k++;
        }
    *nkeep = k;
    /* an index past the names stays past them (it reads as a bad name) */
    for (unsigned s = 0; s < 2 * VGH_KINDS; s++) {
        const vgdb_hashset *h = s < VGH_KINDS ? &e->det[s] : &e->fp[s - VGH_KINDS];
        if (!(cols[s] = malloc(h->n * 4 + 4)))
            return VG_ENOMEM;
        for (size_t j = 0; j < h->n; j++)
            cols[s][j] = h->names[j] < nn ? (*remap)[h->names[j]] : k;
    }
    for (uint32_t i = 0; i < e->nbody; i++)
        (*bnames)[i] = e->body[i].name < nn ? (*remap)[e->body[i].name] : k;
    return VG_OK;
}

vg_status vgdb_vdb_write(vg_engine *e, const char *path, uint64_t created)
{
    if (!e->compiled)
        return VG_ESTATE;
    vgm_parts p;
    char *hs = NULL, *src = NULL, *tmp = NULL;
    size_t hslen = 0, srclen = 0, namelen = 0, plen = 0, stlen = 0;
    uint8_t *names = NULL, *packed = NULL, *stext = NULL;
    uint32_t *nameidx = NULL, nidx = 0;
    vgm_sig *sigs = NULL;
    uint64_t nsigs_text = 0;
    vg_status st = vgdb_srctext_build(e, &stext, &stlen, &nsigs_text);
    uint8_t *ydb = NULL;
    size_t ydblen = 0;
    if (st == VG_OK && e->yara && vgy_rules_count(e->yara)) {
        /* what the matcher's YARA expressions were built from */
        vgy_slist l;
        vgy_rules_list(e->yara, &l);
        if (!(ydb = malloc(32)))
            st = VG_ENOMEM;
        else {
            memcpy(ydb, l.fp, 32);
            ydblen = 32;
        }
    }
    if (st == VG_OK && e->m)
        st = vgm_export(e->m, &p, &hs, &hslen);
    else if (st == VG_OK)
        memset(&p, 0, sizeof p);
    if (st == VG_OK)
        st = pack_parts(&p, &sigs, &packed, &plen);
    /* only the names the tables refer to, renumbered in their order (the
     * texts' names come back when the texts are compiled at load) */
    uint32_t *remap = NULL, *which = NULL, nkeep = 0;
    uint32_t *cols[2 * VGH_KINDS] = {0}, *bnames = NULL;
    if (st == VG_OK)
        st = keep_names(e, &remap, &which, &nkeep, cols, &bnames);
    if (st == VG_OK)
        st = vgdb_names_encode(e, which, nkeep, &names, &namelen, &nameidx, &nidx);
    if (st == VG_OK && !(src = malloc((size_t)e->nsources * 400 + 1)))
        st = VG_ENOMEM;
    if (st != VG_OK)
        goto out;
    for (uint32_t i = 0; i < e->nsources; i++) {
        char hex[65];
        vghash_hex(e->sources[i].sha256, 32, hex);
        srclen += (size_t)snprintf(src + srclen, 400, "%s %llu %s\n", hex,
                                   (unsigned long long)e->sources[i].size, e->sources[i].name);
    }
    wsect ws[VGDB_S_LAST];
    unsigned n = 0;
    ws[n++] = (wsect){VGDB_S_NAMES, names, namelen};
    ws[n++] = (wsect){VGDB_S_NAMEIDX, nameidx, (uint64_t)nidx * 4};
    for (unsigned s = 0; s < 2 * VGH_KINDS; s++) {
        const vgdb_hashset *h = s < VGH_KINDS ? &e->det[s] : &e->fp[s - VGH_KINDS];
        uint64_t cnt = h->n;
        ws[n++] = (wsect){hs_id(s, VGDB_C_DIG), h->dig, cnt * vghash_len[s % VGH_KINDS]};
        ws[n++] = (wsect){hs_id(s, VGDB_C_LO), h->lo, cnt * 2};
        ws[n++] = (wsect){hs_id(s, VGDB_C_BKT), h->bkt, cnt ? ((uint64_t)h->nb + 1) * 4 : 0};
        ws[n++] = (wsect){hs_id(s, VGDB_C_NAME), cols[s], cnt * 4};
    }
    ws[n++] = (wsect){VGDB_S_BODY, bnames, (uint64_t)e->nbody * sizeof(vgdb_bodysig)};
    ws[n++] = (wsect){VGDB_S_MSIGS, sigs ? sigs : p.sigs, (uint64_t)p.nsigs * sizeof(vgm_sig)};
    ws[n++] = (wsect){VGDB_S_MNODES, packed ? packed : p.packed, plen};
    ws[n++] = (wsect){VGDB_S_MPOOL, p.pool, p.npool};
    ws[n++] = (wsect){VGDB_S_HSDB, hs, hslen};
    ws[n++] = (wsect){VGDB_S_SOURCES, src, srclen};
    ws[n++] = (wsect){VGDB_S_SRCTEXT, stext, stlen};
    ws[n++] = (wsect){VGDB_S_YARADB, ydb, ydblen};

    uint8_t hdr[VGDB_VDB_HEADER];
    memset(hdr, 0, sizeof hdr);
    memcpy(hdr, VGDB_VDB_MAGIC, 8);
    wr32(hdr + 8, VGDB_VDB_VERSION);
    wr32(hdr + 12, VGDB_VDB_HEADER);
    wr64(hdr + 32, created);
    wr64(hdr + 40, e->nsigs - nsigs_text);
    wr32(hdr + 52, nkeep);
    uint64_t off = VGDB_VDB_HEADER, offs[VGDB_MAX_SECTIONS + 1];
    unsigned ids[VGDB_MAX_SECTIONS];
    /* the chunk table comes last; its size follows from the others' */
    for (unsigned i = 0; i < n; i++) {
        offs[i] = off;
        ids[i] = ws[i].id;
        off = (off + ws[i].len + ALIGN - 1) / ALIGN * ALIGN;
    }
    offs[n] = off;
    ids[n] = VGDB_S_CHUNKS;
    size_t nc = 0;
    chunk *ch = make_chunks(offs, ids, n + 1, &nc);
    uint8_t *table = ch ? calloc(1, 32 * nc + ALIGN) : NULL;
    if (!table) {
        free(ch);
        st = VG_ENOMEM;
        goto out;
    }
    ws[n++] = (wsect){VGDB_S_CHUNKS, table, 32 * (uint64_t)nc};
    wr32(hdr + 48, n);
    off = VGDB_VDB_HEADER;
    for (unsigned i = 0; i < n; i++) {
        uint8_t *t = hdr + 88 + 24 * i;
        wr32(t, ws[i].id);
        wr64(t + 8, off);
        wr64(t + 16, ws[i].len);
        offs[i] = off;
        ids[i] = ws[i].id;
        off += ws[i].len;
        off = (off + ALIGN - 1) / ALIGN * ALIGN;
    }
    wr64(hdr + 24, off);

    size_t pl = strlen(path);
    tmp = malloc(pl + 16);
    int fd = -1;
    if (tmp) {
        snprintf(tmp, pl + 16, "%s.tmpXXXXXX", path);
        fd = mkstemp(tmp);
    }
    if (fd < 0) {
        if (tmp)
            vgdb_error(e, "%s: %s", tmp, strerror(errno));
        st = tmp ? VG_EIO : VG_ENOMEM;
        free(ch);
        free(table);
        goto out;
    }
    st = write_all(fd, hdr, sizeof hdr);
    static const uint8_t zeros[ALIGN];
    uint64_t pos = VGDB_VDB_HEADER;
    for (unsigned i = 0; st == VG_OK && i + 1 < n; i++) {
        if (ws[i].len)
            st = write_all(fd, ws[i].p, ws[i].len);
        pos += ws[i].len;
        size_t pad = (size_t)((ALIGN - pos % ALIGN) % ALIGN);
        if (st == VG_OK)
            st = write_all(fd, zeros, pad);
        pos += pad;
    }
    if (st == VG_OK) { /* chunk hashes from the file as written */
        digest_job j = {.fd = fd, .c = ch, .n = nc, .sums = table};
        atomic_init(&j.next, 0);
        atomic_init(&j.fail, 0);
        atomic_init(&j.early_done, 0);
        st = run_job(&j) ? VG_OK : VG_EIO;
    }
    size_t tlen = (32 * nc + ALIGN - 1) / ALIGN * ALIGN; /* zeros after the table */
    if (st == VG_OK)
        st = write_all(fd, table, tlen);
    uint8_t sum[32];
    unsigned int sl = 0;
    if (st == VG_OK && !EVP_Digest(table, tlen, sum, &sl, EVP_sha256(), NULL))
        st = VG_ENOMEM;
    free(ch);
    free(table);
    if (st == VG_OK && pwrite(fd, sum, 32, 56) != 32)
        st = VG_EIO;
    if (st == VG_OK && fchmod(fd, 0644) != 0)
        st = VG_EIO;
    if (st == VG_OK && fsync(fd) != 0)
        st = VG_EIO;
    if (close(fd) != 0 && st == VG_OK)
        st = VG_EIO;
    if (st == VG_OK && rename(tmp, path) != 0)
        st = VG_EIO;
    if (st == VG_OK) {
        /* make the rename durable */
        char *dcopy = strdup(path);
        if (dcopy) {
            int dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (dfd >= 0) {
                fsync(dfd);
                close(dfd);
            }
            free(dcopy);
        }
    } else {
        vgdb_error(e, "%s: cannot write: %s", path, strerror(errno));
        unlink(tmp);
    }
out:
    free(remap);
    free(which);
    for (unsigned k = 0; k < 2 * VGH_KINDS; k++)
        free(cols[k]);
    free(bnames);
    free(tmp);
    free(hs);
    free(ydb);
    free(src);
    free(names);
    free(nameidx);
    free(sigs);
    free(packed);
    free(stext);
    return st;
}

vg_status vgdb_vdb_describe(const char *path, void *file, char *err, size_t errlen)
{
    FILE *f = file;
    void *map;
    size_t len;
    vdbview v;
    vg_status st = open_view(path, &map, &len, &v, NULL, err, errlen);
    if (st != VG_OK)
        return st;
    char hex[65];
    vghash_hex((const uint8_t *)map + 56, 32, hex);
    fprintf(f, "format version: %u\n", VGDB_VDB_VERSION);
    fprintf(f, "file size: %zu\n", len);
    fprintf(f, "chunk table sha256: %s\n", hex);
    fprintf(f, "created: %llu\n", (unsigned long long)v.created);
    fprintf(f, "signatures: %llu%s\n", (unsigned long long)v.nsigs,
            v.s[VGDB_S_SRCTEXT].len ? " (and those of the source texts below, counted at load)" : "");
    static const char *const kn[] = {"md5", "sha1", "sha256"};
    for (unsigned k = 0; k < VGH_KINDS; k++)
        fprintf(f, "hash signatures (%s): %llu\n", kn[k],
                (unsigned long long)count(&v, hs_id(k, VGDB_C_DIG)));
    for (unsigned k = 0; k < VGH_KINDS; k++)
        fprintf(f, "allowlist entries (%s): %llu\n", kn[k],
                (unsigned long long)count(&v, hs_id(VGH_KINDS + k, VGDB_C_DIG)));
    uint64_t hbytes = 0;
    for (unsigned s = 0; s < 2 * VGH_KINDS; s++)
        for (unsigned c = 0; c < 4; c++)
            hbytes += v.s[hs_id(s, c)].len;
    fprintf(f, "body signatures: %llu\n", (unsigned long long)count(&v, VGDB_S_BODY));
    fprintf(f, "hash tables: %llu bytes\n", (unsigned long long)hbytes);
    fprintf(f, "packed patterns: %llu bytes\n", (unsigned long long)v.s[VGDB_S_MNODES].len);
    fprintf(f, "matcher database: %llu bytes\n", (unsigned long long)v.s[VGDB_S_HSDB].len);
    fprintf(f, "YARA strings in the matcher database: %s\n", v.s[VGDB_S_YARADB].len ? "yes" : "no");
    fprintf(f, "names: %u, %llu bytes\n", v.nnames,
            (unsigned long long)(v.s[VGDB_S_NAMES].len + v.s[VGDB_S_NAMEIDX].len));
    vgdb_srctext_describe(v.s[VGDB_S_SRCTEXT].p, v.s[VGDB_S_SRCTEXT].len, f);
    fprintf(f, "sources:\n%.*s", (int)v.s[VGDB_S_SOURCES].len, (const char *)v.s[VGDB_S_SOURCES].p);
    munmap(map, len);
    return VG_OK;
}
