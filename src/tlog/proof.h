/* tlog/proof.h - offline inclusion proofs (c2sp.org/tlog-proof@v1).
 *
 *   c2sp.org/tlog-proof@v1
 *   extra <base64>          (optional, unauthenticated)
 *   index <n>
 *   <base64 hash>           (inclusion proof, leaf's sibling first)
 *   ...
 *   <empty line>
 *   <signed checkpoint, verbatim>
 */
#ifndef VG_TLOG_PROOF_H
#define VG_TLOG_PROOF_H

#include <stddef.h>
#include <stdint.h>
#include "tlog/merkle.h"

#define TL_PROOF_HEADER "c2sp.org/tlog-proof@v1"

typedef struct tl_tlog_proof {
    uint64_t index;
    tl_hash proof[TL_MAX_PROOF];
    size_t np;
    const char *checkpoint; /* points into the parsed buffer */
    size_t cplen;
    int has_extra;
} tl_tlog_proof;

int tl_tlog_proof_parse(const char *buf, size_t len, tl_tlog_proof *p, tl_err *e);
int tl_tlog_proof_format(uint64_t index, const tl_hash *proof, size_t np, const char *checkpoint,
                         size_t cplen, tl_buf *out);

#endif
