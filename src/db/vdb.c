/* db/vdb.c - reading and writing compiled databases; the format is
 * specified in vdb.h. Reading trusts nothing: the header, every section's
 * bounds and alignment, the checksum, and every index inside the sections
 * are checked before the engine uses any of it. */
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

#include "match/serial.h"
#include "core/pages.h"

_Static_assert(sizeof(vgdb_hashent) == 48, "vgdb_hashent is part of the .vdb format");
_Static_assert(sizeof(vgdb_bodysig) == 4, "vgdb_bodysig is part of the .vdb format");

#define ALIGN 64u

typedef struct sect {
    const uint8_t *p;
    uint64_t len;
} sect;

typedef struct vdbview {
    uint64_t flags, created, nsigs;
    sect s[VGDB_S_LAST + 1];
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

static size_t elem_size(unsigned id)
{
    if (id >= VGDB_S_DET0 && id < VGDB_S_DETSIZES0)
        return sizeof(vgdb_hashent);
    if (id >= VGDB_S_DETSIZES0 && id < VGDB_S_BODY)
        return 8;
    switch (id) {
    case VGDB_S_NAMEOFF: return 4;
    case VGDB_S_BODY: return sizeof(vgdb_bodysig);
    case VGDB_S_MSIGS: return sizeof(vgm_sig);
    case VGDB_S_MNODES: return sizeof(vgp_node);
    default: return 1;
    }
}

/* Body digest: SHA-256 over the SHA-256 of each VGDB_CHUNK-byte chunk of
 * the body (the last chunk may be shorter), so that the chunks can be
 * hashed on all cores at load. */
#define VGDB_CHUNK (4u << 20)


typedef struct digest_job {
    const uint8_t *body;
    size_t len, nchunks;
    uint8_t *sums;
    atomic_size_t next;
    atomic_int fail;
} digest_job;

static void *digest_worker(void *arg)
{
    digest_job *j = arg;
    for (;;) {
        size_t c = atomic_fetch_add(&j->next, 1);
        if (c >= j->nchunks)
            break;
        size_t off = c * VGDB_CHUNK, n = j->len - off < VGDB_CHUNK ? j->len - off : VGDB_CHUNK;
        unsigned int l = 0;
        if (!EVP_Digest(j->body + off, n, j->sums + 32 * c, &l, EVP_sha256(), NULL))
            atomic_store(&j->fail, 1);
        vgpages_release(j->body + off, n);
    }
    return NULL;
}

static vg_status body_digest(const uint8_t *body, size_t len, uint8_t out[32])
{
    digest_job j;
    j.body = body;
    j.len = len;
    j.nchunks = (len + VGDB_CHUNK - 1) / VGDB_CHUNK;
    j.sums = malloc(j.nchunks ? 32 * j.nchunks : 1);
    if (!j.sums)
        return VG_ENOMEM;
    atomic_init(&j.next, 0);
    atomic_init(&j.fail, 0);
    long nc = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nth = nc > 1 ? (size_t)nc : 1;
    if (nth > 16)
        nth = 16;
    if (nth > j.nchunks)
        nth = j.nchunks ? j.nchunks : 1;
    pthread_t th[16];
    size_t started = 0;
    for (size_t i = 1; i < nth; i++)
        if (pthread_create(&th[started], NULL, digest_worker, &j) == 0)
            started++;
    digest_worker(&j);
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    unsigned int l = 0;
    int ok = !atomic_load(&j.fail) &&
             EVP_Digest(j.sums, 32 * j.nchunks, out, &l, EVP_sha256(), NULL);
    free(j.sums);
    return ok ? VG_OK : VG_ENOMEM;
}


static vg_status fmt_err(char *err, size_t n, const char *msg)
{
    snprintf(err, n, "%s", msg);
    return VG_EFORMAT;
}

/* Header, section table and checksum. */
static vg_status parse(const uint8_t *b, size_t len, vdbview *v, int check_sum, char *err,
                       size_t errlen)
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
    v->flags = rd64(b + 16);
    if (v->flags & ~(uint64_t)0x3f)
        return fmt_err(err, errlen, "unknown feature flags");
    if (rd64(b + 24) != len)
        return fmt_err(err, errlen, "file size does not match the header (truncated or extended)");
    v->created = rd64(b + 32);
    v->nsigs = rd64(b + 40);
    uint32_t ns = rd32(b + 48);
    if (ns > VGDB_MAX_SECTIONS || 88 + 24 * ns > VGDB_VDB_HEADER)
        return fmt_err(err, errlen, "bad section count");
    uint64_t prev_end = VGDB_VDB_HEADER;
    unsigned prev_id = 0;
    for (uint32_t i = 0; i < ns; i++) {
        const uint8_t *t = b + 88 + 24 * i;
        uint32_t id = rd32(t);
        uint64_t off = rd64(t + 8), l = rd64(t + 16);
        if (id == 0 || id > VGDB_S_LAST || id <= prev_id || rd32(t + 4) != 0)
            return fmt_err(err, errlen, "bad or unknown section id");
        if (off % ALIGN || off < prev_end || off > len || l > len - off)
            return fmt_err(err, errlen, "section out of bounds");
        if (l % elem_size(id))
            return fmt_err(err, errlen, "section length is not a whole number of entries");
        v->s[id].p = b + off;
        v->s[id].len = l;
        prev_end = off + l;
        prev_id = id;
    }
    if (!check_sum)
        return VG_OK;
    uint8_t sum[32];
    if (body_digest(b + VGDB_VDB_HEADER, len - VGDB_VDB_HEADER, sum) != VG_OK)
        return VG_ENOMEM;
    if (memcmp(sum, b + 56, 32) != 0) {
        snprintf(err, errlen, "checksum mismatch: the file is corrupted");
        return VG_EVERIFY;
    }
    return VG_OK;
}

static uint32_t count(const vdbview *v, unsigned id)
{
    return (uint32_t)(v->s[id].len / elem_size(id));
}

/* Every index and reference inside the sections. */
static vg_status validate(const vdbview *v, char *err, size_t errlen)
{
    const sect *st = &v->s[VGDB_S_STRTAB];
    uint32_t nn = count(v, VGDB_S_NAMEOFF);
    if (v->s[VGDB_S_NAMEOFF].len / 4 > UINT32_MAX)
        return fmt_err(err, errlen, "too many names");
    if (nn && (st->len == 0 || st->p[st->len - 1] != 0))
        return fmt_err(err, errlen, "name table is not terminated");
    const uint8_t *no = v->s[VGDB_S_NAMEOFF].p;
    for (uint32_t i = 0; i < nn; i++)
        if (rd32(no + 4 * i) >= st->len)
            return fmt_err(err, errlen, "name offset out of bounds");
    vgpages_release(no, (size_t)nn * 4);
    for (unsigned k = 0; k < 2 * VGH_KINDS; k++) {
        const vgdb_hashent *he = (const vgdb_hashent *)v->s[VGDB_S_DET0 + k].p;
        uint32_t n = count(v, VGDB_S_DET0 + k);
        for (uint32_t i = 0; i < n; i++) {
            if (he[i].name >= nn)
                return fmt_err(err, errlen, "hash signature names a missing name");
            if (i && (he[i - 1].size > he[i].size ||
                      (he[i - 1].size == he[i].size && memcmp(he[i - 1].hash, he[i].hash, 32) > 0)))
                return fmt_err(err, errlen, "hash table is not sorted");
            if (i % 8192 == 8191)
                vgpages_release(&he[i - 8191], 8191 * sizeof *he);
        }
        const uint64_t *sz = (const uint64_t *)v->s[VGDB_S_DETSIZES0 + k].p;
        uint32_t m = count(v, VGDB_S_DETSIZES0 + k);
        for (uint32_t i = 0; i < m; i++)
            if (sz[i] == UINT64_MAX || (i && sz[i - 1] >= sz[i]))
                return fmt_err(err, errlen, "size table is not sorted");
        vgpages_release(sz, (size_t)m * 8);
        vgpages_release(he, (size_t)n * sizeof *he);
    }
    const vgdb_bodysig *bs = (const vgdb_bodysig *)v->s[VGDB_S_BODY].p;
    uint32_t nb = count(v, VGDB_S_BODY);
    for (uint32_t i = 0; i < nb; i++)
        if (bs[i].name >= nn)
            return fmt_err(err, errlen, "body signature names a missing name");
    vgm_parts p = {(const vgm_sig *)v->s[VGDB_S_MSIGS].p, count(v, VGDB_S_MSIGS),
                   (const vgp_node *)v->s[VGDB_S_MNODES].p, count(v, VGDB_S_MNODES),
                   v->s[VGDB_S_MPOOL].p, (uint32_t)v->s[VGDB_S_MPOOL].len};
    if (v->s[VGDB_S_MPOOL].len > UINT32_MAX)
        return fmt_err(err, errlen, "pattern pool too large");
    return vgm_validate_parts(&p, nb, err, errlen);
}

static vg_status map_file(const char *path, void **map, size_t *len, char *err, size_t errlen)
{
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
    void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return VG_EIO;
    }
    *map = p;
    *len = (size_t)sb.st_size;
    return VG_OK;
}

static int engine_empty(const vg_engine *e)
{
    if (e->nnames || e->nbody || e->pending_vdb)
        return 0;
    for (int k = 0; k < VGH_KINDS; k++)
        if (e->det[k].n || e->fp[k].n)
            return 0;
    return 1;
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
    uint32_t nn = count(v, VGDB_S_NAMEOFF), base = e->nnames, bbase = e->nbody;
    const char *strtab = (const char *)v->s[VGDB_S_STRTAB].p;
    vg_status st = VG_OK;
    for (uint32_t i = 0; st == VG_OK && i < nn; i++) {
        const char *nm = strtab + rd32(v->s[VGDB_S_NAMEOFF].p + 4 * i);
        uint32_t idx;
        st = vgdb_name_add(e, nm, strlen(nm), 1, &idx);
    }
    for (unsigned k = 0; st == VG_OK && k < VGH_KINDS; k++) {
        const vgdb_hashent *he = (const vgdb_hashent *)v->s[VGDB_S_DET0 + k].p;
        for (uint32_t i = 0; st == VG_OK && i < count(v, VGDB_S_DET0 + k); i++)
            st = vgdb_hash_add(&e->det[k], he[i].hash, he[i].size, base + he[i].name);
        he = (const vgdb_hashent *)v->s[VGDB_S_FP0 + k].p;
        for (uint32_t i = 0; st == VG_OK && i < count(v, VGDB_S_FP0 + k); i++)
            st = vgdb_hash_add(&e->fp[k], he[i].hash, he[i].size, base + he[i].name);
    }
    const vgdb_bodysig *bs = (const vgdb_bodysig *)v->s[VGDB_S_BODY].p;
    for (uint32_t i = 0; st == VG_OK && i < count(v, VGDB_S_BODY); i++) {
        uint32_t idx;
        st = vgdb_body_add(e, base + bs[i].name, &idx);
    }
    vgm_parts p = {(const vgm_sig *)v->s[VGDB_S_MSIGS].p, count(v, VGDB_S_MSIGS),
                   (const vgp_node *)v->s[VGDB_S_MNODES].p, count(v, VGDB_S_MNODES),
                   v->s[VGDB_S_MPOOL].p, (uint32_t)v->s[VGDB_S_MPOOL].len};
    for (uint32_t i = 0; st == VG_OK && i < p.nsigs; i++) {
        vgp_pattern pat;
        vgm_offset off;
        uint8_t target;
        uint32_t id;
        st = vgm_pattern_copy(&p, i, &pat, &off, &target, &id);
        if (st == VG_OK) {
            st = vgm_builder_add(e->mb, &pat, &off, target, bbase + id);
            vgp_free(&pat);
        }
    }
    if (st == VG_OK)
        st = parse_sources(e, &v->s[VGDB_S_SOURCES]);
    if (st == VG_OK)
        e->nsigs += v->nsigs;
    return st;
}

void vgdb_vdb_unmap(vg_engine *e)
{
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
    vg_status st = map_file(path, &map, &len, err, sizeof err);
    if (st != VG_OK) {
        vgdb_error(e, "%s", err);
        return st;
    }
    vdbview v;
    st = parse(map, len, &v, 1, err, sizeof err);
    if (st == VG_OK)
        st = validate(&v, err, sizeof err);
    if (st != VG_OK) {
        vgdb_error(e, "%s: %s", path, err);
        munmap(map, len);
        return st;
    }
    /* Verification read every page; hand them back to the page cache so
     * that only what scans touch (a few pages of each binary search, the
     * matcher arrays) counts against this process. */
    madvise(map, len, MADV_DONTNEED);
    if (engine_empty(e)) {
        e->pending_vdb = strdup(path);
        if (!e->pending_vdb) {
            munmap(map, len);
            return VG_ENOMEM;
        }
        e->map = map;
        e->maplen = len;
        return VG_OK;
    }
    st = vgdb_vdb_flush(e);
    if (st == VG_OK)
        st = import(e, &v);
    munmap(map, len);
    return st;
}

vg_status vgdb_vdb_flush(vg_engine *e)
{
    if (!e->pending_vdb)
        return VG_OK;
    vdbview v;
    char err[256];
    vg_status st = parse(e->map, e->maplen, &v, 0, err, sizeof err);
    free(e->pending_vdb);
    e->pending_vdb = NULL;
    if (st == VG_OK)
        st = import(e, &v);
    vgdb_vdb_unmap(e);
    return st;
}

vg_status vgdb_vdb_activate(vg_engine *e, int *rebuilt)
{
    vdbview v;
    char err[512];
    vg_status st = parse(e->map, e->maplen, &v, 0, err, sizeof err);
    if (st != VG_OK) {
        vgdb_error(e, "%s: %s", e->pending_vdb, err);
        return st;
    }
    vgm_parts p = {(const vgm_sig *)v.s[VGDB_S_MSIGS].p, count(&v, VGDB_S_MSIGS),
                   (const vgp_node *)v.s[VGDB_S_MNODES].p, count(&v, VGDB_S_MNODES),
                   v.s[VGDB_S_MPOOL].p, (uint32_t)v.s[VGDB_S_MPOOL].len};
    st = vgm_from_parts(&p, v.s[VGDB_S_HSDB].p, v.s[VGDB_S_HSDB].len, &e->m, rebuilt,
                        e->err, sizeof e->err);
    if (st != VG_OK)
        return st;
    st = parse_sources(e, &v.s[VGDB_S_SOURCES]);
    if (st != VG_OK)
        return st;
    e->strtab = (char *)v.s[VGDB_S_STRTAB].p;
    e->strtab_len = v.s[VGDB_S_STRTAB].len;
    e->name_off = (uint32_t *)v.s[VGDB_S_NAMEOFF].p;
    e->nnames = count(&v, VGDB_S_NAMEOFF);
    for (unsigned k = 0; k < VGH_KINDS; k++) {
        free(e->det[k].e);
        free(e->fp[k].e);
        e->det[k].e = (vgdb_hashent *)v.s[VGDB_S_DET0 + k].p;
        e->det[k].n = count(&v, VGDB_S_DET0 + k);
        e->det[k].sizes = (uint64_t *)v.s[VGDB_S_DETSIZES0 + k].p;
        e->det[k].nsizes = count(&v, VGDB_S_DETSIZES0 + k);
        e->det[k].any_size = (int)((v.flags >> k) & 1);
        e->fp[k].e = (vgdb_hashent *)v.s[VGDB_S_FP0 + k].p;
        e->fp[k].n = count(&v, VGDB_S_FP0 + k);
        e->fp[k].sizes = (uint64_t *)v.s[VGDB_S_FPSIZES0 + k].p;
        e->fp[k].nsizes = count(&v, VGDB_S_FPSIZES0 + k);
        e->fp[k].any_size = (int)((v.flags >> (3 + k)) & 1);
    }
    free(e->body);
    e->body = (vgdb_bodysig *)v.s[VGDB_S_BODY].p;
    e->nbody = count(&v, VGDB_S_BODY);
    e->nsigs = v.nsigs;
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

vg_status vgdb_vdb_write(vg_engine *e, const char *path, uint64_t created)
{
    if (!e->compiled)
        return VG_ESTATE;
    if (vgy_rules_count(e->yara)) {
        vgdb_error(e, "YARA rules cannot be compiled into .vdb yet");
        return VG_EUNSUPPORTED;
    }
    vgm_parts p;
    char *hs = NULL;
    size_t hslen = 0;
    vg_status st = vgm_export(e->m, &p, &hs, &hslen);
    if (st != VG_OK)
        return st;
    /* sources text */
    size_t srclen = 0;
    char *src = malloc((size_t)e->nsources * 400 + 1);
    if (!src) {
        free(hs);
        return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < e->nsources; i++) {
        char hex[65];
        vghash_hex(e->sources[i].sha256, 32, hex);
        srclen += (size_t)snprintf(src + srclen, 400, "%s %llu %s\n", hex,
                                   (unsigned long long)e->sources[i].size, e->sources[i].name);
    }
    wsect ws[VGDB_S_LAST];
    unsigned n = 0;
    ws[n++] = (wsect){VGDB_S_STRTAB, e->strtab, e->strtab_len};
    ws[n++] = (wsect){VGDB_S_NAMEOFF, e->name_off, (uint64_t)e->nnames * 4};
    for (unsigned k = 0; k < VGH_KINDS; k++)
        ws[n++] = (wsect){VGDB_S_DET0 + k, e->det[k].e, e->det[k].n * sizeof(vgdb_hashent)};
    for (unsigned k = 0; k < VGH_KINDS; k++)
        ws[n++] = (wsect){VGDB_S_FP0 + k, e->fp[k].e, e->fp[k].n * sizeof(vgdb_hashent)};
    for (unsigned k = 0; k < VGH_KINDS; k++)
        ws[n++] = (wsect){VGDB_S_DETSIZES0 + k, e->det[k].sizes, e->det[k].nsizes * 8};
    for (unsigned k = 0; k < VGH_KINDS; k++)
        ws[n++] = (wsect){VGDB_S_FPSIZES0 + k, e->fp[k].sizes, e->fp[k].nsizes * 8};
    ws[n++] = (wsect){VGDB_S_BODY, e->body, (uint64_t)e->nbody * sizeof(vgdb_bodysig)};
    ws[n++] = (wsect){VGDB_S_MSIGS, p.sigs, (uint64_t)p.nsigs * sizeof(vgm_sig)};
    ws[n++] = (wsect){VGDB_S_MNODES, p.nodes, (uint64_t)p.nnodes * sizeof(vgp_node)};
    ws[n++] = (wsect){VGDB_S_MPOOL, p.pool, p.npool};
    ws[n++] = (wsect){VGDB_S_HSDB, hs, hslen};
    ws[n++] = (wsect){VGDB_S_SOURCES, src, srclen};

    uint8_t hdr[VGDB_VDB_HEADER];
    memset(hdr, 0, sizeof hdr);
    memcpy(hdr, VGDB_VDB_MAGIC, 8);
    wr32(hdr + 8, VGDB_VDB_VERSION);
    wr32(hdr + 12, VGDB_VDB_HEADER);
    uint64_t flags = 0;
    for (unsigned k = 0; k < VGH_KINDS; k++) {
        flags |= (uint64_t)(e->det[k].any_size ? 1 : 0) << k;
        flags |= (uint64_t)(e->fp[k].any_size ? 1 : 0) << (3 + k);
    }
    wr64(hdr + 16, flags);
    wr64(hdr + 32, created);
    wr64(hdr + 40, e->nsigs);
    wr32(hdr + 48, n);
    uint64_t off = VGDB_VDB_HEADER;
    for (unsigned i = 0; i < n; i++) {
        uint8_t *t = hdr + 88 + 24 * i;
        wr32(t, ws[i].id);
        wr64(t + 8, off);
        wr64(t + 16, ws[i].len);
        off += ws[i].len;
        off = (off + ALIGN - 1) / ALIGN * ALIGN;
    }
    wr64(hdr + 24, off);

    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (!tmp) {
        free(hs);
        free(src);
        return VG_ENOMEM;
    }
    snprintf(tmp, pl + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        vgdb_error(e, "%s: %s", tmp, strerror(errno));
        free(tmp);
        free(hs);
        free(src);
        return VG_EIO;
    }
    st = write_all(fd, hdr, sizeof hdr);
    static const uint8_t zeros[ALIGN];
    uint64_t pos = VGDB_VDB_HEADER;
    for (unsigned i = 0; st == VG_OK && i < n; i++) {
        st = write_all(fd, ws[i].p, ws[i].len);
        pos += ws[i].len;
        size_t pad = (size_t)((ALIGN - pos % ALIGN) % ALIGN);
        if (st == VG_OK)
            st = write_all(fd, zeros, pad);
        pos += pad;
    }
    uint8_t sum[32];
    if (st == VG_OK) {
        void *mp = mmap(NULL, (size_t)pos, PROT_READ, MAP_SHARED, fd, 0);
        if (mp == MAP_FAILED)
            st = VG_EIO;
        else {
            st = body_digest((const uint8_t *)mp + VGDB_VDB_HEADER, (size_t)pos - VGDB_VDB_HEADER, sum);
            munmap(mp, (size_t)pos);
        }
    }
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
    free(tmp);
    free(hs);
    free(src);
    return st;
}

vg_status vgdb_vdb_describe(const char *path, void *file, char *err, size_t errlen)
{
    FILE *f = file;
    void *map;
    size_t len;
    vg_status st = map_file(path, &map, &len, err, errlen);
    if (st != VG_OK)
        return st;
    vdbview v;
    st = parse(map, len, &v, 1, err, errlen);
    if (st == VG_OK)
        st = validate(&v, err, errlen);
    if (st == VG_OK) {
        char hex[65];
        vghash_hex((const uint8_t *)map + 56, 32, hex);
        fprintf(f, "format version: %u\n", VGDB_VDB_VERSION);
        fprintf(f, "file size: %zu\n", len);
        fprintf(f, "body sha256: %s\n", hex);
        fprintf(f, "created: %llu\n", (unsigned long long)v.created);
        fprintf(f, "signatures: %llu\n", (unsigned long long)v.nsigs);
        static const char *const kn[] = {"md5", "sha1", "sha256"};
        for (unsigned k = 0; k < VGH_KINDS; k++)
            fprintf(f, "hash signatures (%s): %u\n", kn[k], count(&v, VGDB_S_DET0 + k));
        for (unsigned k = 0; k < VGH_KINDS; k++)
            fprintf(f, "allowlist entries (%s): %u\n", kn[k], count(&v, VGDB_S_FP0 + k));
        fprintf(f, "body signatures: %u\n", count(&v, VGDB_S_BODY));
        fprintf(f, "pattern nodes: %u\n", count(&v, VGDB_S_MNODES));
        fprintf(f, "matcher database: %llu bytes\n", (unsigned long long)v.s[VGDB_S_HSDB].len);
        fprintf(f, "name table: %llu bytes\n", (unsigned long long)v.s[VGDB_S_STRTAB].len);
        fprintf(f, "sources:\n%.*s", (int)v.s[VGDB_S_SOURCES].len,
                (const char *)v.s[VGDB_S_SOURCES].p);
    }
    munmap(map, len);
    return st;
}
