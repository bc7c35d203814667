/* db/sha256x16.c - SHA-256 (FIPS 180-4) of 16 messages in the 16 32-bit
 * lanes of AVX-512 registers; see sha256x16.h for why. Each step loads one
 * 64-byte block of every lane, turns the 16 x 16 words around so that a
 * register holds word t of all lanes, and runs the 64 rounds on all lanes
 * at once; lanes with no block in a step run on a zero block and their
 * state is left as it was (a mask on the final addition). Rotations are
 * single instructions (vprold) and the three-input functions (Ch, Maj and
 * the triple xors of the sigmas) one ternary-logic instruction each. */
#include "db/sha256x16.h"

#include <stdlib.h>
#include <string.h>

#define LANES VG_SHA256X16_LANES

static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

void vg_sha256x16_init(vg_sha256x16 *s)
{
    for (int w = 0; w < 8; w++)
        for (int i = 0; i < LANES; i++)
            s->h[w][i] = H0[w];
    memset(s->len, 0, sizeof s->len);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512bw")))

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static const uint8_t zero_block[64];

int vg_sha256x16_ok(void)
{
    /* libgcc's and compiler-rt's checks include the OS saving the
     * registers (XCR0) */
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
}

#define ROR(x, n) _mm512_ror_epi32(x, n)
#define ADD(a, b) _mm512_add_epi32(a, b)
/* ternary-logic truth tables over (a, b, c) = (0xf0, 0xcc, 0xaa) */
#define XOR3(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0x96)
#define CH(e, f, g) _mm512_ternarylogic_epi32(e, f, g, 0xca)
#define MAJ(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0xe8)

/* r[i] = the 16 words of lane i  ->  r[t] = word t of the 16 lanes */
TARGET static void transpose(__m512i r[16])
{
    __m512i t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
        r[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
        r[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
        r[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int i = 0; i < 4; i++) {
        t[i] = _mm512_shuffle_i32x4(r[i], r[i + 4], 0x88);
        t[i + 4] = _mm512_shuffle_i32x4(r[i], r[i + 4], 0xdd);
        t[i + 8] = _mm512_shuffle_i32x4(r[i + 8], r[i + 12], 0x88);
        t[i + 12] = _mm512_shuffle_i32x4(r[i + 8], r[i + 12], 0xdd);
    }
    for (int i = 0; i < 4; i++) {
        r[i] = _mm512_shuffle_i32x4(t[i], t[i + 8], 0x88);
        r[i + 8] = _mm512_shuffle_i32x4(t[i], t[i + 8], 0xdd);
        r[i + 4] = _mm512_shuffle_i32x4(t[i + 4], t[i + 12], 0x88);
        r[i + 12] = _mm512_shuffle_i32x4(t[i + 4], t[i + 12], 0xdd);
    }
}

/* Lane i runs nb[i] blocks from p[i]. */
TARGET static void blocks(vg_sha256x16 *s, const uint8_t *const p[LANES], const size_t nb[LANES])
{
    const __m512i bswap = _mm512_set_epi8(
        12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11, 4, 5,
        6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8,
        9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    size_t most = 0;
    for (int i = 0; i < LANES; i++)
        if (nb[i] > most)
            most = nb[i];
    __m512i st[8];
    for (int w = 0; w < 8; w++)
        st[w] = _mm512_loadu_si512(s->h[w]);
    for (size_t b = 0; b < most; b++) {
        __m512i w[16];
        __mmask16 on = 0;
        for (int i = 0; i < LANES; i++) {
            const uint8_t *q = zero_block;
            if (b < nb[i]) {
                q = p[i] + 64 * b;
                on |= (__mmask16)(1u << i);
            }
            w[i] = _mm512_shuffle_epi8(_mm512_loadu_si512(q), bswap);
        }
        transpose(w);
        __m512i a = st[0], bb = st[1], c = st[2], d = st[3];
        __m512i e = st[4], f = st[5], g = st[6], h = st[7];
        for (int t = 0; t < 64; t++) {
            __m512i wt;
            if (t < 16)
                wt = w[t];
            else {
                __m512i w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
                __m512i s0 = XOR3(ROR(w15, 7), ROR(w15, 18), _mm512_srli_epi32(w15, 3));
                __m512i s1 = XOR3(ROR(w2, 17), ROR(w2, 19), _mm512_srli_epi32(w2, 10));
                wt = ADD(ADD(w[t & 15], s0), ADD(w[(t - 7) & 15], s1));
                w[t & 15] = wt;
            }
            __m512i t1 = ADD(ADD(h, XOR3(ROR(e, 6), ROR(e, 11), ROR(e, 25))),
                             ADD(CH(e, f, g), ADD(wt, _mm512_set1_epi32((int)K[t]))));
            __m512i t2 = ADD(XOR3(ROR(a, 2), ROR(a, 13), ROR(a, 22)), MAJ(a, bb, c));
            h = g;
            g = f;
            f = e;
            e = ADD(d, t1);
            d = c;
            c = bb;
            bb = a;
            a = ADD(t1, t2);
        }
        st[0] = _mm512_mask_add_epi32(st[0], on, st[0], a);
        st[1] = _mm512_mask_add_epi32(st[1], on, st[1], bb);
        st[2] = _mm512_mask_add_epi32(st[2], on, st[2], c);
        st[3] = _mm512_mask_add_epi32(st[3], on, st[3], d);
        st[4] = _mm512_mask_add_epi32(st[4], on, st[4], e);
        st[5] = _mm512_mask_add_epi32(st[5], on, st[5], f);
        st[6] = _mm512_mask_add_epi32(st[6], on, st[6], g);
        st[7] = _mm512_mask_add_epi32(st[7], on, st[7], h);
    }
    for (int w = 0; w < 8; w++)
        _mm512_storeu_si512(s->h[w], st[w]);
    for (int i = 0; i < LANES; i++)
        s->len[i] += 64 * (uint64_t)nb[i];
}

void vg_sha256x16_update(vg_sha256x16 *s, const uint8_t *const p[LANES], const size_t n[LANES])
{
    size_t nb[LANES];
    for (int i = 0; i < LANES; i++) {
        if (n[i] % 64)
            abort(); /* a caller's bug, not input */
        nb[i] = n[i] / 64;
    }
    blocks(s, p, nb);
}

#else /* no AVX-512 code on this target: callers use OpenSSL */

int vg_sha256x16_ok(void) { return 0; }

void vg_sha256x16_update(vg_sha256x16 *s, const uint8_t *const p[LANES], const size_t n[LANES])
{
    abort();
}

#endif

void vg_sha256x16_final(vg_sha256x16 *s, const uint8_t *const p[LANES], const size_t n[LANES],
                        uint8_t *out)
{
    size_t full[LANES];
    for (int i = 0; i < LANES; i++)
        full[i] = n[i] & ~(size_t)63;
    vg_sha256x16_update(s, p, full);
    /* the rest, 0x80, zeros and the length in bits: one or two blocks */
    uint8_t tail[LANES][128];
    const uint8_t *tp[LANES];
    size_t tn[LANES];
    memset(tail, 0, sizeof tail);
    for (int i = 0; i < LANES; i++) {
        size_t r = n[i] - full[i];
        uint64_t bits = (s->len[i] + r) * 8;
        if (r)
            memcpy(tail[i], p[i] + full[i], r);
        tail[i][r] = 0x80;
        tn[i] = r + 9 > 64 ? 128 : 64;
        for (int k = 0; k < 8; k++)
            tail[i][tn[i] - 1 - (size_t)k] = (uint8_t)(bits >> (8 * k));
        tp[i] = tail[i];
    }
    vg_sha256x16_update(s, tp, tn);
    for (int i = 0; i < LANES; i++)
        for (int w = 0; w < 8; w++) {
            uint32_t v = s->h[w][i];
            uint8_t *o = out + 32 * i + 4 * w;
            o[0] = (uint8_t)(v >> 24);
            o[1] = (uint8_t)(v >> 16);
            o[2] = (uint8_t)(v >> 8);
            o[3] = (uint8_t)v;
        }
}
