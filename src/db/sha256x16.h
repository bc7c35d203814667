/* db/sha256x16.h - SHA-256 of 16 independent messages at once.
 *
 * Checking a compiled database (db/vdb.c) is hashing ~100 MB as many
 * independent chunks. One SHA-256 stream is bound by its serial rounds
 * (about 2 GB/s per core even with the SHA instructions); 16 streams in
 * the 16 lanes of AVX-512 registers run about twice as fast, since the
 * lanes share every instruction. The result is plain SHA-256 of each
 * message (FIPS 180-4); tests/unit/test_sha256x16.c compares it with
 * OpenSSL's. Where AVX-512 is missing vg_sha256x16_ok() is 0 and the
 * caller hashes one message at a time with OpenSSL. */
#ifndef VG_DB_SHA256X16_H
#define VG_DB_SHA256X16_H

#include <stddef.h>
#include <stdint.h>

#define VG_SHA256X16_LANES 16

typedef struct vg_sha256x16 {
    uint32_t h[8][VG_SHA256X16_LANES]; /* word w of lane i: h[w][i] */
    uint64_t len[VG_SHA256X16_LANES];  /* bytes hashed per lane */
} vg_sha256x16;

/* Whether this CPU and OS run the 16-lane code (AVX-512 F and BW). */
int vg_sha256x16_ok(void);

void vg_sha256x16_init(vg_sha256x16 *s);

/* Lane i hashes n[i] more bytes from p[i]; each n[i] is a multiple of 64
 * (0: the lane waits; p[i] is then not read). Only when ok. */
void vg_sha256x16_update(vg_sha256x16 *s, const uint8_t *const p[VG_SHA256X16_LANES],
                         const size_t n[VG_SHA256X16_LANES]);

/* Lane i hashes its last n[i] bytes (any number) from p[i] and its
 * digest goes to out + 32 * i. Only when ok. */
void vg_sha256x16_final(vg_sha256x16 *s, const uint8_t *const p[VG_SHA256X16_LANES],
                        const size_t n[VG_SHA256X16_LANES], uint8_t *out);

#endif
