/* tlog/util.h - small helpers shared by the transparency-log modules:
 * growable buffers, SHA-256, strict base64/hex/decimal, files.
 *
 * Every parser here is strict: base64 must be canonical standard padded
 * base64, decimals have no sign, spaces or leading zeros. Errors go to a
 * caller buffer (tl_err) as one line of text. */
#ifndef VG_TLOG_UTIL_H
#define VG_TLOG_UTIL_H

#include <stddef.h>
#include <stdint.h>

typedef struct tl_err {
    char msg[768];
} tl_err;

void tl_seterr(tl_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefix the current message: "<prefix>: <old message>". */
void tl_preerr(tl_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

typedef struct tl_buf {
    uint8_t *p;
    size_t len, cap;
} tl_buf;

int tl_buf_add(tl_buf *b, const void *data, size_t len); /* 0 ok, -1 no memory */
int tl_buf_str(tl_buf *b, const char *s);
int tl_buf_printf(tl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NUL-terminate without counting the NUL in len. */
int tl_buf_cstr(tl_buf *b);
void tl_buf_free(tl_buf *b);

void tl_sha256(const void *data, size_t len, uint8_t out[32]);

/* Base64 (standard alphabet, padded). tl_b64_enc writes 4*ceil(n/3) chars
 * plus a NUL; returns the length without the NUL. */
#define TL_B64LEN(n) (4 * (((n) + 2) / 3))
size_t tl_b64_enc(const uint8_t *in, size_t n, char *out);
/* Strict canonical decode of exactly `len` chars; -1 if malformed, padded
 * wrongly, non-zero unused bits, or longer than outcap. */
int tl_b64_dec(const char *in, size_t len, uint8_t *out, size_t outcap, size_t *outlen);

void tl_hex(const uint8_t *in, size_t n, char *out); /* lower case, NUL */
/* Exactly 2n lower- or upper-case hex digits into n bytes; -1 if not. */
int tl_unhex(const char *in, size_t len, uint8_t *out, size_t n);
/* Lower-case only, as written in manifests. */
int tl_unhex_lower(const char *in, size_t len, uint8_t *out, size_t n);

/* Decimal without sign, spaces or leading zeros ("0" alone is fine). */
int tl_parse_u64(const char *s, size_t len, uint64_t *out);

/* Read a whole file of at most max bytes. 0 ok, 1 does not exist, -1 error
 * (message in e). */
int tl_read_file(const char *path, size_t max, tl_buf *out, tl_err *e);
/* Write atomically: temporary file in the same directory, fsync, rename,
 * fsync of the directory. */
int tl_write_atomic(const char *path, const void *data, size_t len, int mode, tl_err *e);
/* Write a file that must not exist yet (O_EXCL), fsync it; 0 ok. An
 * existing file with identical contents is also ok. */
int tl_write_new(const char *path, const void *data, size_t len, tl_err *e);
int tl_mkdir_p(const char *path, tl_err *e);
int tl_fsync_dir_of(const char *path);

/* RFC 3339 UTC ("2026-01-23T10:00:00Z") for a POSIX time, and back. */
void tl_time_fmt(uint64_t t, char out[32]);
int tl_time_parse(const char *s, size_t len, uint64_t *t);

/* Next line of [*p, end): sets line and len (without the '\n') and advances;
 * returns 0 at the end, -1 if the last line has no '\n'. */
int tl_next_line(const char **p, const char *end, const char **line, size_t *len);

#endif
