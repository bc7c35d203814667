/* core/hash.h - MD5, SHA-1 and SHA-256 of a buffer (OpenSSL libcrypto,
 * which uses SHA-NI and AVX2 where the CPU has them). */
#ifndef VG_CORE_HASH_H
#define VG_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/status.h"

enum vghash_kind { VGH_MD5 = 0, VGH_SHA1 = 1, VGH_SHA256 = 2, VGH_KINDS = 3 };

static const unsigned vghash_len[VGH_KINDS] = {16, 20, 32};

vg_status vghash_compute(enum vghash_kind k, const void *data, size_t len,
                         uint8_t out[32]);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void vghash_hex(const uint8_t *h, size_t n, char *out);

#endif
