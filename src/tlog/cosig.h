/* tlog/cosig.h - witness cosignatures (C2SP tlog-cosignature,
 * cosignature/v1, key type 0x04).
 *
 * A witness signs with Ed25519 the message
 *     "cosignature/v1\n" "time <T>\n" <checkpoint text>
 * (T: POSIX seconds, decimal, no leading zeros). The signature line's
 * payload after the 4-byte key ID is T as a big-endian uint64 followed by
 * the 64-byte signature: 76 bytes with the key ID. */
#ifndef VG_TLOG_COSIG_H
#define VG_TLOG_COSIG_H

#include <stddef.h>
#include <stdint.h>
#include "tlog/note.h"

#define TL_COSIG_PAYLOAD 72 /* time (8) + signature (64) */

int tl_cosig_message(const char *text, size_t len, uint64_t t, tl_buf *out);
/* payload = T (8, big-endian) || signature (64). */
int tl_cosig_sign(const tl_key *k, const char *text, size_t len, uint64_t t,
                  uint8_t payload[TL_COSIG_PAYLOAD], tl_err *e);
/* 0 when data (the bytes after the key ID) is a valid cosignature by k
 * over text; *t gets the signed time. */
int tl_cosig_verify(const tl_key *k, const char *text, size_t len, const uint8_t *data,
                    size_t dlen, uint64_t *t, tl_err *e);

#endif
