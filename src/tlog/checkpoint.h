/* tlog/checkpoint.h - checkpoints (C2SP tlog-checkpoint v1.0.0).
 *
 * The note text is: origin line, tree size (decimal, no leading zeros),
 * root hash (base64 of 32 bytes), then optional non-empty extension
 * lines. A checkpoint is accepted only with a valid Ed25519 (type 0x01)
 * signature by the log key, whose name must equal the origin. Witness
 * cosignatures are counted through a tl_policy (policy.h) or a plain
 * "k of these keys" quorum. */
#ifndef VG_TLOG_CHECKPOINT_H
#define VG_TLOG_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>
#include "tlog/note.h"

#define TL_CHECKPOINT_MAX_EXT 16

typedef struct tl_checkpoint {
    char origin[TL_NAME_MAX + 1];
    uint64_t size;
    uint8_t root[32];
    size_t next; /* extension lines (not interpreted) */
} tl_checkpoint;

/* Parse checkpoint note text (everything before the empty line). */
int tl_checkpoint_parse(const char *text, size_t len, tl_checkpoint *c, tl_err *e);
/* "origin\nsize\nroot\n" (no extension lines). */
int tl_checkpoint_text(const tl_checkpoint *c, tl_buf *out);

/* A verified checkpoint and who signed it. */
typedef struct tl_checkpoint_sigs {
    tl_checkpoint cp;
    size_t nwit;          /* witnesses given */
    int wok[64];          /* wok[i]: witness i cosigned validly */
    uint64_t wtime[64];   /* its cosignature time */
    size_t nvalid;        /* number of distinct witnesses that cosigned */
    uint64_t newest;      /* newest cosignature time (0: none) */
} tl_checkpoint_sigs;

/* Parse a signed checkpoint and verify it: log key signature required
 * (type 0x01, name == origin); any configured key with a bad signature
 * fails the whole note; witness cosignatures (type 0x04) recorded in out.
 * Up to 64 witnesses. */
int tl_checkpoint_open(const char *buf, size_t len, const tl_key *logkey, const tl_key *wit,
                       size_t nwit, tl_checkpoint_sigs *out, tl_err *e);

#endif
