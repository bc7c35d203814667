/* core/hash.c - digests through OpenSSL's EVP one-shot interface. */
#include "hash.h"

#include <openssl/evp.h>

vg_status vghash_compute(enum vghash_kind k, const void *data, size_t len,
                         uint8_t out[32])
{
    const EVP_MD *md = k == VGH_MD5 ? EVP_md5() : k == VGH_SHA1 ? EVP_sha1()
                                                                : EVP_sha256();
    unsigned int n = 0;
    if (!EVP_Digest(data, len, out, &n, md, NULL))
        return VG_ENOMEM;
    return VG_OK;
}

void vghash_hex(const uint8_t *h, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[h[i] >> 4];
        out[2 * i + 1] = digits[h[i] & 15];
    }
    out[2 * n] = 0;
}
