/* tlog/util.c - see util.h. */
#include "tlog/util.h"
#include "core/hex.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void tl_seterr(tl_err *e, const char *fmt, ...)
{
    if (!e)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
}

void tl_preerr(tl_err *e, const char *fmt, ...)
{
    if (!e)
        return;
    char pre[256], old[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    size_t pl = strnlen(pre, sizeof pre), ol = strnlen(old, sizeof old - 1);
    size_t cap = sizeof e->msg - 1, o = 0;
    memcpy(e->msg, pre, pl < cap ? pl : cap);
    o = pl < cap ? pl : cap;
    if (o + 2 <= cap) {
        memcpy(e->msg + o, ": ", 2);
        o += 2;
    }
    size_t take = ol < cap - o ? ol : cap - o;
    memcpy(e->msg + o, old, take);
    e->msg[o + take] = 0;
}

int tl_buf_add(tl_buf *b, const void *data, size_t len)
{
    if (len == 0)
        return 0;
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + len + 1) {
            if (cap > SIZE_MAX / 2)
                return -1;
            cap *= 2;
        }
        uint8_t *np = realloc(b->p, cap);
        if (!np)
            return -1;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
    return 0;
}

int tl_buf_str(tl_buf *b, const char *s)
{
    return tl_buf_add(b, s, strlen(s));
}

int tl_buf_printf(tl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    char *tmp = malloc((size_t)n + 1);
    if (!tmp)
        return -1;
    va_start(ap, fmt);
    vsnprintf(tmp, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = tl_buf_add(b, tmp, (size_t)n);
    free(tmp);
    return rc;
}

int tl_buf_cstr(tl_buf *b)
{
    if (tl_buf_add(b, "", 1) != 0)
        return -1;
    b->len--;
    return 0;
}

void tl_buf_free(tl_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void tl_sha256(const void *data, size_t len, uint8_t out[32])
{
    unsigned int l = 0;
    if (!EVP_Digest(data, len, out, &l, EVP_sha256(), NULL) || l != 32)
        abort(); /* libcrypto cannot hash: nothing sensible left to do */
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t tl_b64_enc(const uint8_t *in, size_t n, char *out)
{
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64chars[v >> 18];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = b64chars[(v >> 6) & 63];
        out[o++] = b64chars[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = b64chars[v >> 18];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = b64chars[v >> 18];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = b64chars[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = 0;
    return o;
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int tl_b64_dec(const char *in, size_t len, uint8_t *out, size_t outcap, size_t *outlen)
{
    if (len % 4)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)in[i + k];
            if (c == '=') {
                /* only in the last group, only at positions 2-3, and a
                 * '=' may only be followed by '=' */
                if (i + 4 != len || k < 2)
                    return -1;
                pad++;
                v[k] = 0;
            } else {
                if (pad)
                    return -1;
                v[k] = b64val(c);
                if (v[k] < 0)
                    return -1;
            }
        }
        uint32_t x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        size_t nb = 3 - (size_t)pad;
        /* canonical: the unused bits of the last symbol are zero */
        if (pad == 1 && (v[2] & 3))
            return -1;
        if (pad == 2 && (v[1] & 15))
            return -1;
        if (o + nb > outcap)
            return -1;
        out[o++] = (uint8_t)(x >> 16);
        if (nb > 1)
            out[o++] = (uint8_t)(x >> 8);
        if (nb > 2)
            out[o++] = (uint8_t)x;
    }
    *outlen = o;
    return 0;
}

void tl_hex(const uint8_t *in, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[in[i] >> 4];
        out[2 * i + 1] = hx[in[i] & 15];
    }
    out[2 * n] = 0;
}

static int hexval(unsigned char c, int lower_only)
{
    return lower_only && c >= 'A' && c <= 'F' ? -1 : vg_hexval(c);
}

static int unhex(const char *in, size_t len, uint8_t *out, size_t n, int lower)
{
    if (len != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int a = hexval((unsigned char)in[2 * i], lower), b = hexval((unsigned char)in[2 * i + 1], lower);
        if (a < 0 || b < 0)
            return -1;
        out[i] = (uint8_t)(a << 4 | b);
    }
    return 0;
}

int tl_unhex(const char *in, size_t len, uint8_t *out, size_t n)
{
    return unhex(in, len, out, n, 0);
}

int tl_unhex_lower(const char *in, size_t len, uint8_t *out, size_t n)
{
    return unhex(in, len, out, n, 1);
}

int tl_parse_u64(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int tl_read_file(const char *path, size_t max, tl_buf *out, tl_err *e)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        tl_seterr(e, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? 1 : -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        tl_seterr(e, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    if ((uint64_t)sb.st_size > max) {
        tl_seterr(e, "%s: larger than %zu bytes", path, max);
        close(fd);
        return -1;
    }
    uint8_t chunk[65536];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            tl_seterr(e, "%s: %s", path, strerror(errno));
            goto fail;
        }
        if (r == 0)
            break;
        if (out->len + (size_t)r > max) {
            tl_seterr(e, "%s: larger than %zu bytes", path, max);
            goto fail;
        }
        if (tl_buf_add(out, chunk, (size_t)r) != 0) {
            tl_seterr(e, "%s: out of memory", path);
            goto fail;
        }
    }
    close(fd);
    if (tl_buf_cstr(out) != 0) {
        tl_buf_free(out);
        tl_seterr(e, "out of memory");
        return -1;
    }
    return 0;
fail:
    close(fd);
    tl_buf_free(out);
    return -1;
}

static int write_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int tl_fsync_dir_of(const char *path)
{
    char *dup = strdup(path);
    if (!dup)
        return -1;
    int fd = open(dirname(dup), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dup);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int tl_write_atomic(const char *path, const void *data, size_t len, int mode, tl_err *e)
{
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 32);
    if (!tmp) {
        tl_seterr(e, "out of memory");
        return -1;
    }
    snprintf(tmp, pl + 32, "%s.tmp.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        tl_seterr(e, "%s: cannot create a temporary file: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    if (write_all(fd, data, len) != 0 || fchmod(fd, (mode_t)mode) != 0 || fsync(fd) != 0) {
        tl_seterr(e, "%s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        tl_seterr(e, "%s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    tl_fsync_dir_of(path);
    return 0;
}

int tl_write_new(const char *path, const void *data, size_t len, tl_err *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno == EEXIST) {
            tl_buf old;
            tl_err e2;
            if (tl_read_file(path, len + 1, &old, &e2) == 0) {
                int same = old.len == len && (len == 0 || memcmp(old.p, data, len) == 0);
                tl_buf_free(&old);
                if (same)
                    return 0;
            }
            tl_seterr(e, "%s: exists with different contents", path);
            return -1;
        }
        tl_seterr(e, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        tl_seterr(e, "%s: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        return -1;
    }
    if (close(fd) != 0) {
        tl_seterr(e, "%s: %s", path, strerror(errno));
        unlink(path);
        return -1;
    }
    return 0;
}

int tl_mkdir_p(const char *path, tl_err *e)
{
    size_t l = strlen(path);
    char *p = malloc(l + 1);
    if (!p) {
        tl_seterr(e, "out of memory");
        return -1;
    }
    memcpy(p, path, l + 1);
    for (size_t i = 1; i <= l; i++) {
        if (p[i] == '/' || p[i] == 0) {
            char c = p[i];
            p[i] = 0;
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                tl_seterr(e, "%s: %s", p, strerror(errno));
                free(p);
                return -1;
            }
            p[i] = c;
        }
    }
    free(p);
    return 0;
}

void tl_time_fmt(uint64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, 32, "1970-01-01T00:00:00Z");
        return;
    }
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int dig(const char *s, size_t n, int *v)
{
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 0;
}

int tl_time_parse(const char *s, size_t len, uint64_t *t)
{
    /* exactly YYYY-MM-DDTHH:MM:SSZ */
    if (len != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || s[19] != 'Z')
        return -1;
    int Y, M, D, h, m, sec;
    if (dig(s, 4, &Y) || dig(s + 5, 2, &M) || dig(s + 8, 2, &D) || dig(s + 11, 2, &h) ||
        dig(s + 14, 2, &m) || dig(s + 17, 2, &sec))
        return -1;
    if (Y < 1970 || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 59)
        return -1;
    /* days from civil (proleptic Gregorian) */
    int y = Y - (M <= 2);
    int era = y / 400;
    int yoe = y - era * 400;
    int mp = (M + 9) % 12;
    int doy = (153 * mp + 2) / 5 + D - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    int64_t v = days * 86400 + h * 3600 + m * 60 + sec;
    if (v < 0)
        return -1;
    char back[32];
    tl_time_fmt((uint64_t)v, back);
    if (memcmp(back, s, 20) != 0) /* e.g. 31 February */
        return -1;
    *t = (uint64_t)v;
    return 0;
}

int tl_next_line(const char **p, const char *end, const char **line, size_t *len)
{
    if (*p >= end)
        return 0;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl)
        return -1;
    *line = *p;
    *len = (size_t)(nl - *p);
    *p = nl + 1;
    return 1;
}
