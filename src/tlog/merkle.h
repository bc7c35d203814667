/* tlog/merkle.h - RFC 6962 / RFC 9162 Merkle trees over SHA-256.
 *
 * Leaf hash LH(d) = SHA-256(0x00 || d), node N(l, r) = SHA-256(0x01 || l
 * || r), empty tree = SHA-256(""). Proof generation reads stored hashes
 * through a tl_hash_fn, so the same code serves a tree held in memory
 * (tl_mem_tree) and a tiled log read from disk or a mirror (tiles.h).
 * Verification is the iterative RFC 9162 §2.1.3.2 / §2.1.4.2 algorithm;
 * proofs are capped at TL_MAX_PROOF hashes. */
#ifndef VG_TLOG_MERKLE_H
#define VG_TLOG_MERKLE_H

#include <stddef.h>
#include <stdint.h>
#include "tlog/util.h"

#define TL_MAX_PROOF 64

typedef uint8_t tl_hash[32];

/* Hash of the perfect subtree [start, start + 2^height); start is a
 * multiple of 2^height. 0 ok, -1 error (message in e). */
typedef int (*tl_hash_fn)(void *ctx, uint64_t start, unsigned height, uint8_t out[32], tl_err *e);

void tl_leaf_hash(const void *data, size_t len, uint8_t out[32]);
void tl_node_hash(const uint8_t l[32], const uint8_t r[32], uint8_t out[32]);
void tl_empty_root(uint8_t out[32]);

/* MTH of leaves [a, b) as they occur in RFC 6962's recursion (a aligned
 * to the largest power of two not above b - a); b > a. */
int tl_range_hash(tl_hash_fn fn, void *ctx, uint64_t a, uint64_t b, uint8_t out[32], tl_err *e);
/* MTH of the first n leaves (n = 0: the empty-tree hash). */
int tl_tree_root(tl_hash_fn fn, void *ctx, uint64_t n, uint8_t out[32], tl_err *e);
int tl_inclusion_proof(tl_hash_fn fn, void *ctx, uint64_t index, uint64_t size,
                       tl_hash proof[TL_MAX_PROOF], size_t *np, tl_err *e);
int tl_consistency_proof(tl_hash_fn fn, void *ctx, uint64_t m, uint64_t n,
                         tl_hash proof[TL_MAX_PROOF], size_t *np, tl_err *e);

/* 0 when the proof is valid, -1 when not (e says why; e may be NULL). */
int tl_verify_inclusion(const uint8_t leaf[32], uint64_t index, uint64_t size,
                        const uint8_t root[32], const tl_hash *proof, size_t np, tl_err *e);
int tl_verify_consistency(uint64_t m, uint64_t n, const uint8_t r1[32], const uint8_t r2[32],
                          const tl_hash *proof, size_t np, tl_err *e);

/* A tree whose leaf hashes are all in memory. */
typedef struct tl_mem_tree {
    const tl_hash *leaves;
    uint64_t n;
} tl_mem_tree;
int tl_mem_hash(void *ctx /* tl_mem_tree* */, uint64_t start, unsigned height, uint8_t out[32],
                tl_err *e);

/* Proof files: one base64 hash per line ("\n"-terminated). */
int tl_proof_parse(const char *text, size_t len, tl_hash proof[TL_MAX_PROOF], size_t *np,
                   tl_err *e);
int tl_proof_format(const tl_hash *proof, size_t np, tl_buf *out);

#endif
