/* fmt/enc.h - the text encodings mail, HTML and RTF carry binaries in:
 * base64 (RFC 2045), quoted-printable (RFC 2045), uuencode, yEnc and hex
 * digits. Each decoder appends to a capped vgbuf (core/buf.h) and returns
 * VG_ELIMIT, with the bytes decoded so far kept, when the output would pass
 * the buffer's ceiling; bad characters are skipped, never an error, as mail
 * readers do. Output is never longer than the input, so the ceiling is the
 * only growth bound needed. */
#ifndef VG_FMT_ENC_H
#define VG_FMT_ENC_H

#include <stddef.h>
#include <stdint.h>
#include "core/buf.h"
#include "vigil/status.h"

/* base64: characters outside the alphabet are skipped; '=' ends the data. */
vg_status vgenc_base64(const uint8_t *p, size_t n, vgbuf *out);

/* quoted-printable: "=XX" escapes, soft line breaks "=\r?\n". */
vg_status vgenc_qp(const uint8_t *p, size_t n, vgbuf *out);

/* uuencode: the lines between "begin MODE NAME" and "end" (or the end of
 * p when `end` is missing). *consumed is set to the bytes used, from the
 * start of p, which must be the "begin" line. */
vg_status vgenc_uu(const uint8_t *p, size_t n, vgbuf *out, size_t *consumed);

/* yEnc: the lines between "=ybegin" and "=yend"; same contract as uu. */
vg_status vgenc_yenc(const uint8_t *p, size_t n, vgbuf *out, size_t *consumed);

/* Pairs of hex digits; other characters (white space, line breaks) are
 * skipped; an odd last digit is dropped. */
vg_status vgenc_hex(const uint8_t *p, size_t n, vgbuf *out);

/* Length of the line at p (up to and excluding '\n'), and the offset of
 * the next line in *next (n when none). */
size_t vgenc_line(const uint8_t *p, size_t n, size_t *next);

#endif
