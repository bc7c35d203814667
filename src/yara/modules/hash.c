/* yara/modules/hash.c - YARA's hash module: md5, sha1, sha256 (lower-case
 * hex text), crc32 and checksum32 (integers), over (offset, size) of the
 * object (clipped at its end; undefined when offset is past it) or over a
 * string. Hashes come from core/hash.h (OpenSSL). */
#include <string.h>

#include "core/hash.h"
#include "yara/modules/modules.h"

/* Digests of the object's ranges already computed for this object: rules
 * like `hash.sha1(0, filesize) == "..." or hash.sha1(0, filesize) == ...`
 * ask for the same one many times (yara keeps them too). In the object's
 * arena, so it goes with the object. */
#define HASH_CACHE 8

struct vgy_hashcache {
    struct {
        const uint8_t *d;
        size_t n;
        int kind; /* -1: empty */
        char hex[65];
    } e[HASH_CACHE];
    unsigned next;
};

static void digest(vgy_ctx *c, enum vghash_kind k, const uint8_t *d, size_t n, vgy_val *o)
{
    uint8_t h[32];
    char hex[65];
    if (vghash_compute(k, d ? d : (const uint8_t *)"", n, h) != VG_OK)
        return;
    vghash_hex(h, vghash_len[k], hex);
    vgymod_str(c, o, hex, 2 * vghash_len[k]);
}

static void digest_range(vgy_ctx *c, enum vghash_kind k, const uint8_t *d, size_t n,
                         vgy_val *o)
{
    struct vgy_hashcache *hc = c->hcache;
    if (!hc && (hc = vgy_alloc(&c->tmp, sizeof *hc)) != NULL) {
        for (unsigned i = 0; i < HASH_CACHE; i++)
            hc->e[i].kind = -1;
        c->hcache = hc;
    }
    for (unsigned i = 0; hc && i < HASH_CACHE; i++)
        if (hc->e[i].kind == (int)k && hc->e[i].d == d && hc->e[i].n == n) {
            vgymod_str(c, o, hc->e[i].hex, 2 * vghash_len[k]);
            return;
        }
    digest(c, k, d, n, o);
    if (hc && o->t == VGY_T_STR && !o->undef && o->slen == 2 * vghash_len[k]) {
        unsigned i = hc->next++ % HASH_CACHE;
        hc->e[i].kind = (int)k;
        hc->e[i].d = d;
        hc->e[i].n = n;
        memcpy(hc->e[i].hex, o->s, o->slen);
        hc->e[i].hex[o->slen] = 0;
    }
}

static uint32_t crc32_of(const uint8_t *d, size_t n)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        crc ^= d[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static uint32_t sum32(const uint8_t *d, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += d[i];
    return s;
}

/* fname_r over (offset, size) of the object (range body), fname_s over a
 * string (string body) */
#define RANGE_FN(fname, rbody, sbody)                                           \
    static void fname##_r(vgy_ctx *c, const vgy_val *a, vgy_val *o)             \
    {                                                                           \
        size_t n;                                                               \
        const uint8_t *d = vgymod_range(c, a[0].i, a[1].i, &n);                 \
        if (d)                                                                  \
            rbody;                                                              \
    }                                                                           \
    static void fname##_s(vgy_ctx *c, const vgy_val *a, vgy_val *o)             \
    {                                                                           \
        const uint8_t *d = a[0].s;                                              \
        size_t n = a[0].slen;                                                   \
        (void)c;                                                                \
        sbody;                                                                  \
    }

RANGE_FN(md5, digest_range(c, VGH_MD5, d, n, o), digest(c, VGH_MD5, d, n, o))
RANGE_FN(sha1, digest_range(c, VGH_SHA1, d, n, o), digest(c, VGH_SHA1, d, n, o))
RANGE_FN(sha256, digest_range(c, VGH_SHA256, d, n, o), digest(c, VGH_SHA256, d, n, o))
RANGE_FN(crc32, vgymod_int(o, crc32_of(d, n)), vgymod_int(o, crc32_of(d, n)))
RANGE_FN(checksum32, vgymod_int(o, sum32(d, n)), vgymod_int(o, sum32(d, n)))

const vgy_func vgymod_hash[] = {
    {"hash", "md5", "ii", VGY_T_STR, md5_r},
    {"hash", "md5", "s", VGY_T_STR, md5_s},
    {"hash", "sha1", "ii", VGY_T_STR, sha1_r},
    {"hash", "sha1", "s", VGY_T_STR, sha1_s},
    {"hash", "sha256", "ii", VGY_T_STR, sha256_r},
    {"hash", "sha256", "s", VGY_T_STR, sha256_s},
    {"hash", "crc32", "ii", VGY_T_INT, crc32_r},
    {"hash", "crc32", "s", VGY_T_INT, crc32_s},
    {"hash", "checksum32", "ii", VGY_T_INT, checksum32_r},
    {"hash", "checksum32", "s", VGY_T_INT, checksum32_s},
    {NULL, NULL, NULL, 0, NULL},
};
