/* tlog/merkle.c - see merkle.h. */
#include "tlog/merkle.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

void tl_leaf_hash(const void *data, size_t len, uint8_t out[32])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    static const uint8_t zero = 0;
    unsigned int l = 0;
    if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL) || !EVP_DigestUpdate(c, &zero, 1) ||
        (len && !EVP_DigestUpdate(c, data, len)) || !EVP_DigestFinal_ex(c, out, &l))
        abort();
    EVP_MD_CTX_free(c);
}

void tl_node_hash(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
    uint8_t buf[65];
    buf[0] = 1;
    memcpy(buf + 1, l, 32);
    memcpy(buf + 33, r, 32);
    tl_sha256(buf, sizeof buf, out);
}

void tl_empty_root(uint8_t out[32])
{
    tl_sha256("", 0, out);
}

/* largest power of two strictly below n (n >= 2) */
static uint64_t split_point(uint64_t n)
{
    uint64_t k = 1;
    while (k << 1 < n)
        k <<= 1;
    return k;
}

static int is_pow2(uint64_t n)
{
    return n && !(n & (n - 1));
}

static unsigned log2u(uint64_t n)
{
    unsigned h = 0;
    while ((1ull << h) < n)
        h++;
    return h;
}

int tl_range_hash(tl_hash_fn fn, void *ctx, uint64_t a, uint64_t b, uint8_t out[32], tl_err *e)
{
    if (b <= a) {
        tl_seterr(e, "empty range");
        return -1;
    }
    uint64_t n = b - a;
    if (is_pow2(n) && a % n == 0)
        return fn(ctx, a, log2u(n), out, e);
    if (n == 1)
        return fn(ctx, a, 0, out, e);
    uint64_t k = split_point(n);
    uint8_t l[32], r[32];
    if (tl_range_hash(fn, ctx, a, a + k, l, e) != 0 || tl_range_hash(fn, ctx, a + k, b, r, e) != 0)
        return -1;
    tl_node_hash(l, r, out);
    return 0;
}

int tl_tree_root(tl_hash_fn fn, void *ctx, uint64_t n, uint8_t out[32], tl_err *e)
{
    if (n == 0) {
        tl_empty_root(out);
        return 0;
    }
    return tl_range_hash(fn, ctx, 0, n, out, e);
}

static int push(tl_hash proof[TL_MAX_PROOF], size_t *np, const uint8_t h[32], tl_err *e)
{
    if (*np >= TL_MAX_PROOF) {
        tl_seterr(e, "proof too long");
        return -1;
    }
    memcpy(proof[(*np)++], h, 32);
    return 0;
}

/* PATH(m, D[a, b)) */
static int path(tl_hash_fn fn, void *ctx, uint64_t m, uint64_t a, uint64_t b,
                tl_hash proof[TL_MAX_PROOF], size_t *np, tl_err *e)
{
    uint64_t n = b - a;
    if (n <= 1)
        return 0;
    uint64_t k = split_point(n);
    uint8_t h[32];
    if (m < k) {
        if (path(fn, ctx, m, a, a + k, proof, np, e) != 0 ||
            tl_range_hash(fn, ctx, a + k, b, h, e) != 0)
            return -1;
    } else {
        if (path(fn, ctx, m - k, a + k, b, proof, np, e) != 0 ||
            tl_range_hash(fn, ctx, a, a + k, h, e) != 0)
            return -1;
    }
    return push(proof, np, h, e);
}

int tl_inclusion_proof(tl_hash_fn fn, void *ctx, uint64_t index, uint64_t size,
                       tl_hash proof[TL_MAX_PROOF], size_t *np, tl_err *e)
{
    *np = 0;
    if (index >= size) {
        tl_seterr(e, "leaf %llu is not in a tree of size %llu", (unsigned long long)index,
                  (unsigned long long)size);
        return -1;
    }
    return path(fn, ctx, index, 0, size, proof, np, e);
}

/* SUBPROOF(m, D[a, b), complete) */
static int subproof(tl_hash_fn fn, void *ctx, uint64_t m, uint64_t a, uint64_t b, int complete,
                    tl_hash proof[TL_MAX_PROOF], size_t *np, tl_err *e)
{
    uint64_t n = b - a;
    uint8_t h[32];
    if (m == n) {
        if (complete)
            return 0;
        if (tl_range_hash(fn, ctx, a, b, h, e) != 0)
            return -1;
        return push(proof, np, h, e);
    }
    uint64_t k = split_point(n);
    if (m <= k) {
        if (subproof(fn, ctx, m, a, a + k, complete, proof, np, e) != 0 ||
            tl_range_hash(fn, ctx, a + k, b, h, e) != 0)
            return -1;
    } else {
        if (subproof(fn, ctx, m - k, a + k, b, 0, proof, np, e) != 0 ||
            tl_range_hash(fn, ctx, a, a + k, h, e) != 0)
            return -1;
    }
    return push(proof, np, h, e);
}

int tl_consistency_proof(tl_hash_fn fn, void *ctx, uint64_t m, uint64_t n,
                         tl_hash proof[TL_MAX_PROOF], size_t *np, tl_err *e)
{
    *np = 0;
    if (m > n) {
        tl_seterr(e, "consistency from size %llu to a smaller size %llu",
                  (unsigned long long)m, (unsigned long long)n);
        return -1;
    }
    if (m == 0 || m == n)
        return 0;
    return subproof(fn, ctx, m, 0, n, 1, proof, np, e);
}

int tl_verify_inclusion(const uint8_t leaf[32], uint64_t index, uint64_t size,
                        const uint8_t root[32], const tl_hash *proof, size_t np, tl_err *e)
{
    if (index >= size) {
        tl_seterr(e, "inclusion proof: index %llu is not below the tree size %llu",
                  (unsigned long long)index, (unsigned long long)size);
        return -1;
    }
    if (np > TL_MAX_PROOF) {
        tl_seterr(e, "inclusion proof: too many hashes");
        return -1;
    }
    uint64_t fn = index, sn = size - 1;
    uint8_t r[32];
    memcpy(r, leaf, 32);
    for (size_t i = 0; i < np; i++) {
        if (sn == 0) {
            tl_seterr(e, "inclusion proof: too many hashes");
            return -1;
        }
        if ((fn & 1) || fn == sn) {
            tl_node_hash(proof[i], r, r);
            if (!(fn & 1))
                while (fn && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            tl_node_hash(r, proof[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) {
        tl_seterr(e, "inclusion proof: too few hashes");
        return -1;
    }
    if (memcmp(r, root, 32) != 0) {
        tl_seterr(e, "inclusion proof: computed root does not match");
        return -1;
    }
    return 0;
}

int tl_verify_consistency(uint64_t m, uint64_t n, const uint8_t r1[32], const uint8_t r2[32],
                          const tl_hash *proof, size_t np, tl_err *e)
{
    if (m > n) {
        tl_seterr(e, "consistency proof: old size %llu is above new size %llu",
                  (unsigned long long)m, (unsigned long long)n);
        return -1;
    }
    if (m == n) {
        if (np != 0) {
            tl_seterr(e, "consistency proof: must be empty for equal sizes");
            return -1;
        }
        if (memcmp(r1, r2, 32) != 0) {
            tl_seterr(e, "consistency proof: same size %llu, different roots",
                      (unsigned long long)m);
            return -1;
        }
        return 0;
    }
    if (m == 0) {
        uint8_t er[32];
        tl_empty_root(er);
        if (np != 0) {
            tl_seterr(e, "consistency proof: must be empty from size 0");
            return -1;
        }
        if (memcmp(r1, er, 32) != 0) {
            tl_seterr(e, "consistency proof: root of size 0 is not the empty-tree hash");
            return -1;
        }
        return 0;
    }
    if (np == 0) {
        tl_seterr(e, "consistency proof: empty");
        return -1;
    }
    if (np > TL_MAX_PROOF) {
        tl_seterr(e, "consistency proof: too many hashes");
        return -1;
    }
    tl_hash *p = malloc((np + 1) * sizeof *p);
    if (!p) {
        tl_seterr(e, "out of memory");
        return -1;
    }
    size_t pn = 0;
    if (is_pow2(m))
        memcpy(p[pn++], r1, 32);
    memcpy(p + pn, proof, np * sizeof *p);
    pn += np;
    uint64_t fn = m - 1, sn = n - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    uint8_t fr[32], sr[32];
    memcpy(fr, p[0], 32);
    memcpy(sr, p[0], 32);
    int rc = 0;
    for (size_t i = 1; i < pn; i++) {
        if (sn == 0) {
            tl_seterr(e, "consistency proof: too many hashes");
            rc = -1;
            break;
        }
        if ((fn & 1) || fn == sn) {
            tl_node_hash(p[i], fr, fr);
            tl_node_hash(p[i], sr, sr);
            if (!(fn & 1))
                while (fn && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            tl_node_hash(sr, p[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    free(p);
    if (rc)
        return rc;
    if (sn != 0) {
        tl_seterr(e, "consistency proof: too few hashes");
        return -1;
    }
    if (memcmp(fr, r1, 32) != 0) {
        tl_seterr(e, "consistency proof: old root does not match");
        return -1;
    }
    if (memcmp(sr, r2, 32) != 0) {
        tl_seterr(e, "consistency proof: new root does not match");
        return -1;
    }
    return 0;
}

int tl_mem_hash(void *ctx, uint64_t start, unsigned height, uint8_t out[32], tl_err *e)
{
    const tl_mem_tree *t = ctx;
    if (height >= 64 || start + (1ull << height) > t->n || start + (1ull << height) < start) {
        tl_seterr(e, "subtree outside the tree");
        return -1;
    }
    if (height == 0) {
        memcpy(out, t->leaves[start], 32);
        return 0;
    }
    uint8_t l[32], r[32];
    uint64_t half = 1ull << (height - 1);
    if (tl_mem_hash(ctx, start, height - 1, l, e) != 0 ||
        tl_mem_hash(ctx, start + half, height - 1, r, e) != 0)
        return -1;
    tl_node_hash(l, r, out);
    return 0;
}

int tl_proof_parse(const char *text, size_t len, tl_hash proof[TL_MAX_PROOF], size_t *np,
                   tl_err *e)
{
    *np = 0;
    const char *p = text, *end = text + len, *line;
    size_t ll;
    int r;
    while ((r = tl_next_line(&p, end, &line, &ll)) == 1) {
        size_t ol;
        if (*np >= TL_MAX_PROOF) {
            tl_seterr(e, "proof has more than %d hashes", TL_MAX_PROOF);
            return -1;
        }
        if (tl_b64_dec(line, ll, proof[*np], 32, &ol) != 0 || ol != 32) {
            tl_seterr(e, "proof line %zu is not a base64 SHA-256 hash", *np + 1);
            return -1;
        }
        (*np)++;
    }
    if (r < 0) {
        tl_seterr(e, "proof does not end in a newline");
        return -1;
    }
    return 0;
}

int tl_proof_format(const tl_hash *proof, size_t np, tl_buf *out)
{
    for (size_t i = 0; i < np; i++) {
        char b[TL_B64LEN(32) + 1];
        tl_b64_enc(proof[i], 32, b);
        if (tl_buf_printf(out, "%s\n", b) != 0)
            return -1;
    }
    return tl_buf_cstr(out);
}
