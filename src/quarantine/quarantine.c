/* quarantine/quarantine.c - the quarantine store: move, list, restore,
 * delete. The record format and the crash-safety argument are at the top
 * of quarantine.h.
 *
 * Divisions: helpers (errors, escaping, ids) / the record (write, parse) /
 * the store (open, clean-up) / move / list and get / restore and delete. */
#include "quarantine/quarantine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"

#define MAGIC "VIGILQ1\n"
#define MAGIC_LEN 8
#define COPY_CHUNK (256u * 1024u)

static const uint8_t xor_key[16] = {0x56, 0x49, 0x47, 0x49, 0x4c, 0xa5, 0x5a, 0xc3,
                                    0x3c, 0x96, 0x69, 0x0f, 0xf0, 0x81, 0x7e, 0xe7};

struct vgq_store {
    int dfd;
    int lockfd;
    pthread_mutex_t err_lock;
    char err[512];
};

/* ---- helpers ---------------------------------------------------------- */

static vg_status fail(vgq_store *q, vg_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static vg_status fail(vgq_store *q, vg_status st, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&q->err_lock);
    memcpy(q->err, msg, sizeof msg);
    pthread_mutex_unlock(&q->err_lock);
    return st;
}

static vg_status errno_st(int e)
{
    switch (e) {
    case ENOENT: case ENOTDIR: return VG_ENOENT;
    case EACCES: case EPERM: case EROFS: return VG_EACCES;
    case ENOMEM: return VG_ENOMEM;
    default: return VG_EIO;
    }
}

static int valid_id(const char *id)
{
    if (!id || strlen(id) != VGQ_ID_LEN)
        return 0;
    for (size_t i = 0; i < VGQ_ID_LEN; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return 0;
    return 1;
}

static void name_of(char *out, size_t len, const char *id, const char *ext)
{
    snprintf(out, len, "%s.%s", id, ext);
}

static int new_id(char out[VGQ_ID_LEN + 1])
{
    uint8_t r[VGQ_ID_LEN / 2];
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t n = getrandom(r + got, sizeof r - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof r; i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 15];
    }
    out[VGQ_ID_LEN] = 0;
    return 0;
}

static void xor_bytes(uint8_t *p, size_t n, uint64_t offset)
{
    for (size_t i = 0; i < n; i++)
        p[i] ^= xor_key[(offset + i) & 15];
}

static int write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

/* read() that retries on EINTR; 0 at end of file */
static ssize_t read_some(int fd, void *p, size_t n)
{
    for (;;) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        return r;
    }
}

static void fsync_dir_of(const char *path)
{
    char *dup = strdup(path);
    if (!dup)
        return;
    char *slash = strrchr(dup, '/');
    const char *dir = ".";
    if (slash == dup)
        dir = "/";
    else if (slash) {
        *slash = 0;
        dir = dup;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dup);
}

/* ---- the record ------------------------------------------------------- */

static int put_escaped(vgbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char tmp[5];
        if (*p == '\\')
            memcpy(tmp, "\\\\", 3);
        else if (*p < 0x20 || *p == 0x7f)
            snprintf(tmp, sizeof tmp, "\\x%02x", *p);
        else {
            tmp[0] = (char)*p;
            tmp[1] = 0;
        }
        if (vgbuf_append(b, tmp, strlen(tmp)) != VG_OK)
            return -1;
    }
    return 0;
}

static int put_line(vgbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int put_line(vgbuf *b, const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line)
        return -1;
    return vgbuf_append(b, line, (size_t)n) == VG_OK ? 0 : -1;
}

static int record_text(vgbuf *b, const vgq_entry *e)
{
    int bad = 0;
    bad |= put_line(b, "vigil-quarantine 1\nid %s\npath ", e->id);
    bad |= put_escaped(b, e->path);
    bad |= put_line(b, "\nuid %lu\ngid %lu\nmode %o\nsize %" PRIu64 "\n",
                    (unsigned long)e->uid, (unsigned long)e->gid, (unsigned)e->mode, e->size);
    const struct timespec *ts[3] = {&e->atime, &e->mtime, &e->ctime};
    static const char *const tn[3] = {"atime", "mtime", "ctime"};
    for (int i = 0; i < 3; i++)
        bad |= put_line(b, "%s %lld.%09ld\n", tn[i], (long long)ts[i]->tv_sec, ts[i]->tv_nsec);
    bad |= put_line(b, "sha256 %s\ntime %" PRId64 "\n", e->sha256, e->time);
    for (size_t i = 0; i < e->nsigs; i++) {
        bad |= put_line(b, "signature ");
        bad |= put_escaped(b, e->sigs[i]);
        bad |= put_line(b, "\n");
    }
    bad |= put_line(b, "end\n");
    return bad ? -1 : 0;
}

static char *unescape(const char *s, size_t n)
{
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            *o++ = s[i];
        } else if (i + 1 < n && s[i + 1] == '\\') {
            *o++ = '\\';
            i++;
        } else if (i + 3 < n && s[i + 1] == 'x') {
            char hx[3] = {s[i + 2], s[i + 3], 0};
            char *end;
            unsigned long v = strtoul(hx, &end, 16);
            if (*end || v == 0) {
                free(out);
                return NULL;
            }
            *o++ = (char)v;
            i += 3;
        } else {
            free(out);
            return NULL;
        }
    }
    *o = 0;
    return out;
}

static int parse_ts(const char *v, struct timespec *ts)
{
    char *end;
    errno = 0;
    long long s = strtoll(v, &end, 10);
    if (errno || *end != '.')
        return -1;
    const char *ns = end + 1;
    long n = strtol(ns, &end, 10);
    if (*end || end - ns != 9 || n < 0)
        return -1;
    ts->tv_sec = (time_t)s;
    ts->tv_nsec = n;
    return 0;
}

static int parse_u64(const char *v, int base, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*v < '0' || *v > '9')
        return -1;
    unsigned long long x = strtoull(v, &end, base);
    if (errno || *end)
        return -1;
    *out = x;
    return 0;
}

static int add_sig(vgq_entry *e, const char *v, size_t n)
{
    char **ns = realloc(e->sigs, (e->nsigs + 1) * sizeof *ns);
    if (!ns)
        return -1;
    e->sigs = ns;
    if (!(ns[e->nsigs] = unescape(v, n)))
        return -1;
    e->nsigs++;
    return 0;
}

/* One "key value" line; -1 if malformed. *done set on "end". */
static int parse_field(vgq_entry *e, const char *key, const char *v, size_t vlen, int *seen,
                       int *done)
{
    uint64_t x;
    if (!strcmp(key, "end")) {
        *done = 1;
        return 0;
    }
    if (!strcmp(key, "vigil-quarantine"))
        return strcmp(v, "1") ? -1 : 0;
    if (!strcmp(key, "signature"))
        return add_sig(e, v, vlen);
    if (!strcmp(key, "id")) {
        if (!valid_id(v))
            return -1;
        memcpy(e->id, v, VGQ_ID_LEN + 1);
    } else if (!strcmp(key, "path")) {
        free(e->path);
        if (!(e->path = unescape(v, vlen)) || e->path[0] != '/')
            return -1;
    } else if (!strcmp(key, "uid")) {
        if (parse_u64(v, 10, &x) || x > UINT32_MAX) return -1;
        e->uid = (uid_t)x;
    } else if (!strcmp(key, "gid")) {
        if (parse_u64(v, 10, &x) || x > UINT32_MAX) return -1;
        e->gid = (gid_t)x;
    } else if (!strcmp(key, "mode")) {
        if (parse_u64(v, 8, &x) || x > 0177777) return -1;
        e->mode = (mode_t)x;
    } else if (!strcmp(key, "size")) {
        if (parse_u64(v, 10, &e->size)) return -1;
    } else if (!strcmp(key, "atime")) {
        if (parse_ts(v, &e->atime)) return -1;
    } else if (!strcmp(key, "mtime")) {
        if (parse_ts(v, &e->mtime)) return -1;
    } else if (!strcmp(key, "ctime")) {
        if (parse_ts(v, &e->ctime)) return -1;
    } else if (!strcmp(key, "sha256")) {
        if (vlen != 64 || strspn(v, "0123456789abcdef") != 64) return -1;
        memcpy(e->sha256, v, 65);
    } else if (!strcmp(key, "time")) {
        if (parse_u64(v, 10, &x) || x > INT64_MAX) return -1;
        e->time = (int64_t)x;
    } else {
        return 0; /* a newer writer's field */
    }
    *seen |= 1;
    if (!strcmp(key, "id")) *seen |= 2;
    if (!strcmp(key, "path")) *seen |= 4;
    if (!strcmp(key, "sha256")) *seen |= 8;
    if (!strcmp(key, "mode")) *seen |= 16;
    return 0;
}

static int parse_record(char *text, size_t len, vgq_entry *e)
{
    memset(e, 0, sizeof *e);
    int seen = 0, done = 0;
    char *p = text, *end = text + len;
    int first = 1;
    while (p < end && !done) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        *nl = 0;
        char *sp = strchr(p, ' ');
        const char *v = sp ? sp + 1 : "";
        if (sp)
            *sp = 0;
        if (first && strcmp(p, "vigil-quarantine"))
            return -1;
        first = 0;
        if (parse_field(e, p, v, strlen(v), &seen, &done))
            return -1;
        p = nl + 1;
    }
    return done && (seen & 30) == 30 ? 0 : -1;
}

/* Read and parse ID.meta. VG_ENOENT when there is no such entry. */
static vg_status read_meta(vgq_store *q, const char *id, vgq_entry *e)
{
    char name[64];
    name_of(name, sizeof name, id, "meta");
    int fd = openat(q->dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT ? VG_ENOENT : fail(q, errno_st(errno), "%s: %s", name, strerror(errno));
    char *buf = malloc(VGQ_MAX_META + 1);
    if (!buf) {
        close(fd);
        return VG_ENOMEM;
    }
    size_t len = 0;
    ssize_t r;
    while (len < VGQ_MAX_META && (r = read_some(fd, buf + len, VGQ_MAX_META - len)) > 0)
        len += (size_t)r;
    close(fd);
    vg_status st = VG_OK;
    if (parse_record(buf, len, e) != 0 || strcmp(e->id, id)) {
        vgq_entry_clear(e);
        st = fail(q, VG_EFORMAT, "%s: damaged quarantine record", name);
    }
    free(buf);
    return st;
}

void vgq_entry_clear(vgq_entry *e)
{
    if (!e)
        return;
    free(e->path);
    for (size_t i = 0; i < e->nsigs; i++)
        free(e->sigs[i]);
    free(e->sigs);
    memset(e, 0, sizeof *e);
}

void vgq_entries_free(vgq_entry *e, size_t n)
{
    for (size_t i = 0; e && i < n; i++)
        vgq_entry_clear(&e[i]);
    free(e);
}

/* ---- the store -------------------------------------------------------- */

static int mkdir_p(const char *dir)
{
    char *p = strdup(dir);
    if (!p)
        return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, 0700) != 0 && errno != EEXIST ? -1 : 0;
    free(p);
    return rc;
}

static int has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

/* Remove what a killed move left: *.tmp, and ID.data without ID.meta (the
 * original is still in place then). Only called with the lock exclusive. */
static void clean_up(vgq_store *q)
{
    int fd = dup(q->dfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        if (has_suffix(n, ".tmp") && strlen(n) == VGQ_ID_LEN + 9) {
            unlinkat(q->dfd, n, 0);
        } else if (has_suffix(n, ".data") && strlen(n) == VGQ_ID_LEN + 5) {
            char meta[64];
            snprintf(meta, sizeof meta, "%.*s.meta", VGQ_ID_LEN, n);
            struct stat sb;
            if (fstatat(q->dfd, meta, &sb, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT)
                unlinkat(q->dfd, n, 0);
        }
    }
    closedir(d);
    fsync(q->dfd);
}

vg_status vgq_open(const char *dir, int create, vgq_store **out, char *errbuf, size_t errlen)
{
    if (!dir || !*dir || !out)
        return VG_EINVAL;
    *out = NULL;
    if (errbuf && errlen)
        errbuf[0] = 0;
    if (create && mkdir_p(dir) != 0) {
        int e = errno;
        if (errbuf)
            snprintf(errbuf, errlen, "%s: cannot create: %s", dir, strerror(e));
        return errno_st(e);
    }
    vgq_store *q = calloc(1, sizeof *q);
    if (!q)
        return VG_ENOMEM;
    pthread_mutex_init(&q->err_lock, NULL);
    q->lockfd = -1;
    q->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (q->dfd >= 0)
        q->lockfd = openat(q->dfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (q->dfd < 0 || q->lockfd < 0) {
        int e = errno;
        if (errbuf)
            snprintf(errbuf, errlen, "%s: %s", dir, strerror(e));
        vgq_close(q);
        return errno_st(e);
    }
    if (flock(q->lockfd, LOCK_EX | LOCK_NB) == 0)
        clean_up(q);
    if (flock(q->lockfd, LOCK_SH) != 0) {
        int e = errno;
        if (errbuf)
            snprintf(errbuf, errlen, "%s: lock: %s", dir, strerror(e));
        vgq_close(q);
        return VG_EIO;
    }
    *out = q;
    return VG_OK;
}

void vgq_close(vgq_store *q)
{
    if (!q)
        return;
    if (q->lockfd >= 0)
        close(q->lockfd);
    if (q->dfd >= 0)
        close(q->dfd);
    pthread_mutex_destroy(&q->err_lock);
    free(q);
}

int vgq_dirfd(const vgq_store *q)
{
    return q ? q->dfd : -1;
}

const char *vgq_error(const vgq_store *q)
{
    return q ? q->err : "";
}

/* ---- move ------------------------------------------------------------- */

/* "/abs/dir/name" for a path as given (the directory resolved, the last
 * component kept as it is, so a symlink's own path is kept). */
static char *abs_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    const char *base = slash ? slash + 1 : path;
    if (!dir)
        return NULL;
    char *real = realpath(dir, NULL);
    free(dir);
    if (!real)
        return NULL;
    size_t a = strlen(real), b = strlen(base);
    char *out = malloc(a + b + 2);
    if (out) {
        memcpy(out, real, a);
        size_t o = a;
        if (a == 0 || real[a - 1] != '/')
            out[o++] = '/';
        memcpy(out + o, base, b + 1);
    }
    free(real);
    return out;
}

/* Step 1: the neutralised bytes into ID.data, fsync'ed; the SHA-256 of the
 * original bytes into e->sha256. */
static vg_status copy_in(vgq_store *q, int src, const char *id, vgq_entry *e)
{
    char name[64];
    name_of(name, sizeof name, id, "data");
    int dst = openat(q->dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (dst < 0)
        return fail(q, errno_st(errno), "quarantine: %s: %s", name, strerror(errno));
    uint8_t *buf = malloc(COPY_CHUNK);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    vg_status st = VG_OK;
    if (!buf || !md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
        st = VG_ENOMEM;
        goto out;
    }
    if (write_all(dst, MAGIC, MAGIC_LEN) != 0) {
        st = fail(q, VG_EIO, "quarantine: writing %s: %s", name, strerror(errno));
        goto out;
    }
    uint64_t off = 0;
    ssize_t r;
    while ((r = read_some(src, buf, COPY_CHUNK)) > 0) {
        EVP_DigestUpdate(md, buf, (size_t)r);
        xor_bytes(buf, (size_t)r, off);
        off += (uint64_t)r;
        if (write_all(dst, buf, (size_t)r) != 0) {
            st = fail(q, VG_EIO, "quarantine: writing %s: %s", name, strerror(errno));
            goto out;
        }
    }
    if (r < 0) {
        st = fail(q, VG_EIO, "reading: %s", strerror(errno));
        goto out;
    }
    if (off != e->size) {
        st = fail(q, VG_ESTATE, "the file changed while it was being quarantined");
        goto out;
    }
    uint8_t h[32];
    unsigned hl = 0;
    EVP_DigestFinal_ex(md, h, &hl);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        e->sha256[2 * i] = hex[h[i] >> 4];
        e->sha256[2 * i + 1] = hex[h[i] & 15];
    }
    e->sha256[64] = 0;
    if (fsync(dst) != 0)
        st = fail(q, VG_EIO, "quarantine: fsync %s: %s", name, strerror(errno));
out:
    EVP_MD_CTX_free(md);
    free(buf);
    if (close(dst) != 0 && st == VG_OK)
        st = fail(q, VG_EIO, "quarantine: close %s: %s", name, strerror(errno));
    if (st != VG_OK)
        unlinkat(q->dfd, name, 0);
    return st;
}

/* Step 2: ID.meta.tmp, fsync, rename to ID.meta, fsync the store. */
static vg_status write_meta(vgq_store *q, const vgq_entry *e)
{
    char tmp[64], meta[64];
    name_of(tmp, sizeof tmp, e->id, "meta.tmp");
    name_of(meta, sizeof meta, e->id, "meta");
    vgbuf b;
    vgbuf_init(&b, VGQ_MAX_META);
    if (record_text(&b, e) != 0) {
        vgbuf_free(&b);
        return fail(q, VG_ELIMIT, "quarantine record too large");
    }
    int fd = openat(q->dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    vg_status st = VG_OK;
    if (fd < 0)
        st = fail(q, errno_st(errno), "quarantine: %s: %s", tmp, strerror(errno));
    else if (write_all(fd, b.data, b.len) != 0 || fsync(fd) != 0)
        st = fail(q, VG_EIO, "quarantine: writing %s: %s", tmp, strerror(errno));
    if (fd >= 0 && close(fd) != 0 && st == VG_OK)
        st = fail(q, VG_EIO, "quarantine: close %s: %s", tmp, strerror(errno));
    vgbuf_free(&b);
    if (st == VG_OK && renameat(q->dfd, tmp, q->dfd, meta) != 0)
        st = fail(q, VG_EIO, "quarantine: rename %s: %s", tmp, strerror(errno));
    if (st != VG_OK) {
        unlinkat(q->dfd, tmp, 0);
        return st;
    }
    fsync(q->dfd);
    return VG_OK;
}

static void drop_entry(vgq_store *q, const char *id)
{
    char name[64];
    name_of(name, sizeof name, id, "meta");
    unlinkat(q->dfd, name, 0);
    fsync(q->dfd);
    name_of(name, sizeof name, id, "data");
    unlinkat(q->dfd, name, 0);
    fsync(q->dfd);
}

static int same_times(const struct stat *a, const struct stat *b)
{
    return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

vg_status vgq_move(vgq_store *q, const char *path, const char *const *sigs, size_t nsigs,
                   char *id_out)
{
    if (!q || !path || (nsigs && !sigs))
        return VG_EINVAL;
    int src = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (src < 0)
        return fail(q, errno_st(errno), "%s", strerror(errno));
    struct stat sb, sb2, lsb;
    vgq_entry e;
    memset(&e, 0, sizeof e);
    vg_status st = VG_OK;
    if (fstat(src, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = fail(q, VG_EINVAL, "not a regular file");
        goto out;
    }
    if (!(e.path = abs_path(path))) {
        st = fail(q, errno_st(errno), "%s", strerror(errno));
        goto out;
    }
    e.uid = sb.st_uid;
    e.gid = sb.st_gid;
    e.mode = sb.st_mode;
    e.size = (uint64_t)sb.st_size;
    e.atime = sb.st_atim;
    e.mtime = sb.st_mtim;
    e.ctime = sb.st_ctim;
    e.time = (int64_t)time(NULL);
    e.sigs = (char **)sigs;
    e.nsigs = nsigs;
    for (int tries = 0;; tries++) {
        if (new_id(e.id) != 0) {
            st = fail(q, VG_EIO, "no random id: %s", strerror(errno));
            goto out;
        }
        st = copy_in(q, src, e.id, &e);
        if (st != VG_EIO || tries > 3 || lseek(src, 0, SEEK_SET) != 0)
            break; /* an EEXIST on the id is retried with another one */
        char name[64];
        name_of(name, sizeof name, e.id, "data");
        if (faccessat(q->dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) != 0)
            break;
    }
    if (st != VG_OK)
        goto out;
    if (fstat(src, &sb2) != 0 || !same_times(&sb, &sb2)) {
        drop_entry(q, e.id);
        st = fail(q, VG_ESTATE, "the file changed while it was being quarantined");
        goto out;
    }
    if ((st = write_meta(q, &e)) != VG_OK) {
        drop_entry(q, e.id);
        goto out;
    }
    /* step 3: the path must still name the file copied */
    if (lstat(path, &lsb) != 0 || lsb.st_dev != sb.st_dev || lsb.st_ino != sb.st_ino) {
        drop_entry(q, e.id);
        st = fail(q, VG_ESTATE, "the file was replaced while it was being quarantined");
        goto out;
    }
    if (unlink(path) != 0) {
        int err = errno;
        drop_entry(q, e.id);
        st = fail(q, errno_st(err), "cannot remove the original: %s", strerror(err));
        goto out;
    }
    fsync_dir_of(path);
    if (id_out)
        memcpy(id_out, e.id, VGQ_ID_LEN + 1);
out:
    close(src);
    free(e.path);
    return st;
}

/* ---- list and get ----------------------------------------------------- */

static int cmp_entry(const void *a, const void *b)
{
    const vgq_entry *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return strcmp(x->id, y->id);
}

vg_status vgq_list(vgq_store *q, vgq_entry **out, size_t *n)
{
    if (!q || !out || !n)
        return VG_EINVAL;
    *out = NULL;
    *n = 0;
    int fd = dup(q->dfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return fail(q, VG_EIO, "reading the store: %s", strerror(errno));
    }
    rewinddir(d);
    vgq_entry *v = NULL;
    size_t cnt = 0, cap = 0;
    vg_status st = VG_OK;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *nm = de->d_name;
        if (strlen(nm) != VGQ_ID_LEN + 5 || !has_suffix(nm, ".meta"))
            continue;
        char id[VGQ_ID_LEN + 1];
        memcpy(id, nm, VGQ_ID_LEN);
        id[VGQ_ID_LEN] = 0;
        if (!valid_id(id))
            continue;
        if (cnt == cap) {
            cap = cap ? cap * 2 : 16;
            vgq_entry *nv = realloc(v, cap * sizeof *nv);
            if (!nv) {
                st = VG_ENOMEM;
                break;
            }
            v = nv;
        }
        vg_status rs = read_meta(q, id, &v[cnt]);
        if (rs == VG_OK)
            cnt++;
        else if (rs != VG_ENOENT) { /* a damaged record is reported */
            st = rs;
            break;
        }
    }
    closedir(d);
    if (st != VG_OK) {
        vgq_entries_free(v, cnt);
        return st;
    }
    if (cnt)
        qsort(v, cnt, sizeof *v, cmp_entry);
    *out = v;
    *n = cnt;
    return VG_OK;
}

vg_status vgq_get(vgq_store *q, const char *id, vgq_entry *out)
{
    if (!q || !out)
        return VG_EINVAL;
    if (!valid_id(id))
        return fail(q, VG_EINVAL, "'%s' is not a quarantine id (16 hex digits)", id ? id : "");
    vg_status st = read_meta(q, id, out);
    if (st == VG_ENOENT)
        return fail(q, VG_ENOENT, "%s: no such quarantine entry", id);
    return st;
}

/* ---- restore and delete ----------------------------------------------- */

/* Decode ID.data into `dst` (or a buffer when dst < 0), checking the
 * SHA-256 against the record. */
static vg_status decode_to(vgq_store *q, const vgq_entry *e, int dst, uint8_t **bufout)
{
    char name[64];
    name_of(name, sizeof name, e->id, "data");
    int src = openat(q->dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (src < 0)
        return fail(q, errno_st(errno), "%s: %s", name, strerror(errno));
    uint8_t *buf = malloc(COPY_CHUNK), *all = NULL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    vg_status st = VG_OK;
    char magic[MAGIC_LEN];
    if (!buf || !md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
        st = VG_ENOMEM;
        goto out;
    }
    if (bufout && !(all = malloc(e->size ? (size_t)e->size : 1))) {
        st = VG_ENOMEM;
        goto out;
    }
    if (read_some(src, magic, MAGIC_LEN) != MAGIC_LEN || memcmp(magic, MAGIC, MAGIC_LEN)) {
        st = fail(q, VG_EFORMAT, "%s: not a quarantine data file", name);
        goto out;
    }
    uint64_t off = 0;
    ssize_t r;
    while ((r = read_some(src, buf, COPY_CHUNK)) > 0) {
        if (off + (uint64_t)r > e->size) {
            st = fail(q, VG_EVERIFY, "%s: longer than recorded", name);
            goto out;
        }
        xor_bytes(buf, (size_t)r, off);
        EVP_DigestUpdate(md, buf, (size_t)r);
        if (all)
            memcpy(all + off, buf, (size_t)r);
        else if (write_all(dst, buf, (size_t)r) != 0) {
            st = fail(q, VG_EIO, "writing: %s", strerror(errno));
            goto out;
        }
        off += (uint64_t)r;
    }
    uint8_t h[32];
    unsigned hl = 0;
    char hex[65];
    EVP_DigestFinal_ex(md, h, &hl);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
    if (r < 0)
        st = fail(q, VG_EIO, "%s: %s", name, strerror(errno));
    else if (off != e->size || strcmp(hex, e->sha256))
        st = fail(q, VG_EVERIFY, "%s: the stored bytes do not match the recorded SHA-256", name);
out:
    EVP_MD_CTX_free(md);
    free(buf);
    close(src);
    if (st == VG_OK && bufout)
        *bufout = all;
    else
        free(all);
    return st;
}

vg_status vgq_read_bytes(vgq_store *q, const char *id, uint8_t **out, size_t *len)
{
    vgq_entry e;
    vg_status st = vgq_get(q, id, &e);
    if (st != VG_OK)
        return st;
    st = decode_to(q, &e, -1, out);
    if (st == VG_OK)
        *len = (size_t)e.size;
    vgq_entry_clear(&e);
    return st;
}

/* The target path: `to`, or the original path, or `to`/basename when `to`
 * is a directory. */
static char *target_of(const vgq_entry *e, const char *to)
{
    struct stat sb;
    if (!to)
        return strdup(e->path);
    if (stat(to, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        const char *base = strrchr(e->path, '/') + 1;
        size_t a = strlen(to), b = strlen(base);
        char *p = malloc(a + b + 2);
        if (p)
            snprintf(p, a + b + 2, "%s%s%s", to, a && to[a - 1] == '/' ? "" : "/", base);
        return p;
    }
    return strdup(to);
}

/* Write the temporary file next to `target` and fill it. */
static vg_status write_restored(vgq_store *q, const vgq_entry *e, const char *tmp)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return fail(q, errno_st(errno), "%s: %s", tmp, strerror(errno));
    vg_status st = decode_to(q, e, fd, NULL);
    const struct timespec times[2] = {e->atime, e->mtime};
    if (st == VG_OK && fchown(fd, e->uid, e->gid) != 0)
        st = fail(q, errno_st(errno), "cannot set the owner %lu:%lu: %s",
                  (unsigned long)e->uid, (unsigned long)e->gid, strerror(errno));
    if (st == VG_OK && fchmod(fd, e->mode & 07777) != 0)
        st = fail(q, errno_st(errno), "cannot set the mode: %s", strerror(errno));
    if (st == VG_OK && futimens(fd, times) != 0)
        st = fail(q, errno_st(errno), "cannot set the times: %s", strerror(errno));
    if (st == VG_OK && fsync(fd) != 0)
        st = fail(q, VG_EIO, "fsync: %s", strerror(errno));
    if (close(fd) != 0 && st == VG_OK)
        st = fail(q, VG_EIO, "close: %s", strerror(errno));
    return st;
}

static vg_status place(vgq_store *q, const char *tmp, const char *target, int force)
{
    if (force) {
        if (rename(tmp, target) == 0)
            return VG_OK;
        return fail(q, errno_st(errno), "%s: %s", target, strerror(errno));
    }
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, target, RENAME_NOREPLACE) == 0)
        return VG_OK;
    if (errno == EINVAL || errno == ENOSYS) { /* file system without NOREPLACE */
        if (link(tmp, target) == 0) {
            unlink(tmp);
            return VG_OK;
        }
    }
    if (errno == EEXIST)
        return fail(q, VG_ESTATE, "%s exists; not overwritten (use --force)", target);
    return fail(q, errno_st(errno), "%s: %s", target, strerror(errno));
}

vg_status vgq_restore(vgq_store *q, const char *id, const char *to, int force)
{
    vgq_entry e;
    vg_status st = vgq_get(q, id, &e);
    if (st != VG_OK)
        return st;
    char *target = target_of(&e, to), *tmp = NULL;
    struct stat sb;
    if (!target) {
        st = VG_ENOMEM;
        goto out;
    }
    if (!force && lstat(target, &sb) == 0) {
        st = fail(q, VG_ESTATE, "%s exists; not overwritten (use --force)", target);
        goto out;
    }
    size_t tl = strlen(target) + 32;
    if (!(tmp = malloc(tl))) {
        st = VG_ENOMEM;
        goto out;
    }
    snprintf(tmp, tl, "%s.vigil-restore-%s", target, e.id);
    unlink(tmp); /* a leftover of a killed restore of this same entry */
    if ((st = write_restored(q, &e, tmp)) == VG_OK && (st = place(q, tmp, target, force)) == VG_OK) {
        fsync_dir_of(target);
        drop_entry(q, e.id);
    }
    if (st != VG_OK)
        unlink(tmp);
out:
    free(tmp);
    free(target);
    vgq_entry_clear(&e);
    return st;
}

vg_status vgq_delete(vgq_store *q, const char *id)
{
    vgq_entry e;
    vg_status st = vgq_get(q, id, &e);
    if (st != VG_OK)
        return st;
    drop_entry(q, e.id);
    vgq_entry_clear(&e);
    return VG_OK;
}
