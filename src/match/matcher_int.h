/* match/matcher_int.h - the matcher's flat arrays, shared by matcher.c and
 * serial.c (compiled databases). Every struct here is written to .vdb files
 * as it is in memory: fixed-width fields, explicit padding, no pointers
 * except in vgm_matcher itself. */
#ifndef VG_MATCH_MATCHER_INT_H
#define VG_MATCH_MATCHER_INT_H

#include <hs/hs.h>
#include <stdint.h>
#include "match/matcher.h"
#include "match/pattern.h"

typedef struct vgm_sig {
    uint32_t node0, nnodes;  /* into matcher->nodes */
    uint32_t pool0;          /* pool offsets of the nodes are relative */
    uint32_t seg0, seg1;     /* anchor segment: nodes [seg0, seg1) */
    uint32_t win0;           /* first node of the window */
    uint32_t pre_width;      /* bytes from segment start to window start */
    uint32_t win_width;      /* bytes in the window */
    uint8_t exact, target, off_kind, flags; /* flags: VGM_SIG_* */
    uint32_t off_shift;
    uint64_t off_n;
    uint32_t id;
    uint32_t memo;           /* 0, or 1 + index of its two jump memos */
} vgm_sig;

/* vgm_sig.flags */
#define VGM_SIG_MULTI 1u /* .ldb subsignature: every match reported, with its start */

_Static_assert(sizeof(vgm_sig) == 56, "vgm_sig is part of the .vdb format");
_Static_assert(sizeof(vgp_node) == 20, "vgp_node is part of the .vdb format");

struct vgm_matcher {
    hs_database_t *db;
    vgm_sig *sigs;
    uint32_t nsigs;
    uint32_t nforeign; /* ids nsigs .. nsigs + nforeign - 1: vgm_foreign's */
    vgp_node *nodes;
    uint32_t nnodes;
    uint8_t *pool;
    uint32_t npool;
    uint32_t nmemo;   /* jump memos a scratch needs (2 per `*` signature) */
    int borrowed; /* sigs/nodes/pool point into a mapped .vdb */
    const uint8_t *packed;  /* or packed nodes (match/serial.c) */
    uint32_t npacked;
    struct vgm_shared_db *shared; /* db is shared (match/serial.c) */
};

#endif
