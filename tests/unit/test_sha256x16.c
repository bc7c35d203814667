/* tests/unit/test_sha256x16.c - the 16-lane SHA-256 (db/sha256x16.c) gives
 * OpenSSL's SHA-256 for every lane: all lengths around the padding edges
 * (55, 56, 63, 64 bytes...), lanes of different lengths in one call, idle
 * lanes, messages fed in several updates, and long messages. Skipped where
 * the CPU has no AVX-512 (the loader then uses OpenSSL alone). */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/sha256x16.h"
#include "tap.h"

#define L VG_SHA256X16_LANES

static void ref(const uint8_t *p, size_t n, uint8_t out[32])
{
    unsigned int l = 0;
    EVP_Digest(p, n, out, &l, EVP_sha256(), NULL);
}

/* hash lane i = buf[off[i] .. off[i] + len[i]) in pieces of `piece`
 * bytes (a multiple of 64; 0: one final call); count lanes that differ */
static int run(const uint8_t *buf, const size_t off[L], const size_t len[L], size_t piece)
{
    vg_sha256x16 s;
    vg_sha256x16_init(&s);
    size_t done[L] = {0};
    for (;;) {
        const uint8_t *p[L];
        size_t n[L];
        int more = 0;
        for (int i = 0; i < L; i++) {
            size_t left = len[i] - done[i];
            n[i] = piece && left > piece ? piece : 0;
            p[i] = n[i] ? buf + off[i] + done[i] : NULL;
            more |= n[i] != 0;
        }
        if (!more)
            break;
        vg_sha256x16_update(&s, p, n);
        for (int i = 0; i < L; i++)
            done[i] += n[i];
    }
    const uint8_t *p[L];
    size_t n[L];
    for (int i = 0; i < L; i++) {
        p[i] = buf + off[i] + done[i];
        n[i] = len[i] - done[i];
    }
    uint8_t out[32 * L], want[32];
    vg_sha256x16_final(&s, p, n, out);
    int bad = 0;
    for (int i = 0; i < L; i++) {
        ref(buf + off[i], len[i], want);
        bad += memcmp(out + 32 * i, want, 32) != 0;
    }
    return bad;
}

int main(void)
{
    if (!vg_sha256x16_ok()) {
        TAP_OK(1, "# SKIP no AVX-512 here: the loader hashes with OpenSSL");
        return tap_done();
    }
    size_t big = 3u << 20;
    uint8_t *buf = malloc(big);
    if (!buf)
        return 1;
    uint32_t x = 0x12345678;
    for (size_t i = 0; i < big; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
    size_t off[L], len[L];
    int bad = 0;
    /* every length 0..300 in every lane position */
    for (size_t base = 0; base <= 300; base++) {
        for (int i = 0; i < L; i++) {
            len[i] = (base + 19 * (size_t)i) % 301;
            off[i] = (size_t)i * 997 + base;
        }
        bad += run(buf, off, len, 0);
    }
    TAP_OK(bad == 0, "lengths 0..300 in all lanes, one call (%d lanes differ)", bad);
    bad = 0;
    for (size_t edge = 0; edge < 4; edge++) {
        static const size_t e[4] = {55, 56, 63, 64};
        for (int i = 0; i < L; i++) {
            len[i] = e[edge] + 64 * (size_t)i;
            off[i] = 4096 * (size_t)i + 1; /* unaligned */
        }
        bad += run(buf, off, len, 0);
    }
    TAP_OK(bad == 0, "padding edges at 55, 56, 63, 64 bytes, unaligned input");
    /* fed in pieces, lanes of very different lengths (some empty) */
    bad = 0;
    for (int i = 0; i < L; i++) {
        len[i] = i % 5 == 0 ? 0 : ((size_t)i * 65537 * 3) % (big / L);
        off[i] = (size_t)i * (big / L) - (i ? 1 : 0);
    }
    bad += run(buf, off, len, 64);
    bad += run(buf, off, len, 4096);
    bad += run(buf, off, len, 16384);
    TAP_OK(bad == 0, "lanes of mixed lengths fed in 64 B, 4 KiB and 16 KiB pieces");
    /* long equal lanes, as the loader hashes them */
    bad = 0;
    for (int i = 0; i < L; i++) {
        len[i] = big / L - 64;
        off[i] = (size_t)i * (big / L);
    }
    bad += run(buf, off, len, 1u << 16);
    TAP_OK(bad == 0, "16 lanes of %zu bytes", big / L - 64);
    free(buf);
    return tap_done();
}
