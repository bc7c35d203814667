/* yara/seq.h - a YARA string as a small byte program: parsed from the
 * regex text strings.c makes of it, searched by a literal window, and
 * verified by a backtracking matcher. See seq.c for why. */
#ifndef VG_YARA_SEQ_H
#define VG_YARA_SEQ_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/status.h"

#define VGY_SEQ_INF 0xffffffffu

enum vgy_sqkind {
    SQ_BYTE,   /* one byte == b */
    SQ_NOCASE, /* one byte, (c | 0x20) == b; b is a lower-case letter */
    SQ_SET,    /* one byte in the 256-bit set `set` */
    SQ_REP,    /* lo..hi bytes of the set `set` (lo != hi); lazy or greedy */
    SQ_ALT,    /* branches [lo, lo + hi) of the branch table, tried in order */
    SQ_OPAQUE  /* lo..hi bytes the program cannot say more about (a
                  quantified group, an anchor, \b): only PCRE2 verifies */
};

typedef struct vgy_sqnode {
    uint8_t kind;
    uint8_t b;    /* SQ_BYTE, SQ_NOCASE */
    uint8_t lazy; /* SQ_REP */
    uint8_t pad;
    uint32_t set; /* SQ_SET, SQ_REP: index of a 32-byte set in the pool */
    uint32_t lo, hi;
} vgy_sqnode;

typedef struct vgy_sqbranch {
    uint32_t first, n; /* nodes [first, first + n) */
} vgy_sqbranch;

/* Every program of a rule set lives in one pool; a program is a range of
 * top-level nodes. The pool only grows while strings are compiled. */
typedef struct vgy_sqpool {
    vgy_sqnode *nodes;
    uint32_t nnodes, capnodes;
    vgy_sqbranch *br;
    uint32_t nbr, capbr;
    uint8_t (*sets)[32];
    uint32_t nsets, capsets;
} vgy_sqpool;

typedef struct vgy_sqprog {
    uint32_t first, n;  /* top-level nodes */
    uint8_t opaque;     /* holds SQ_OPAQUE: verify with PCRE2 */
    uint32_t nsplit;    /* REP + ALT nodes anywhere: backtracking depth */
} vgy_sqprog;

void vgy_sqpool_free(vgy_sqpool *p);

/* Parse regex text (the subset strings.c writes for hex strings and the
 * PCRE2 form of a yara regex) into a program. Returns VG_OK, VG_ENOMEM,
 * or VG_EFORMAT for syntax the parser does not model (the caller then
 * keeps the whole regex in Vectorscan/PCRE2). */
vg_status vgy_seq_parse(vgy_sqpool *p, const char *re, size_t len, int nocase,
                        int dotall, vgy_sqprog *out);

/* A literal string (one byte per node), each byte xored with `key`,
 * interleaved with `key` when wide. */
vg_status vgy_seq_literal(vgy_sqpool *p, const uint8_t *s, size_t n, int nocase,
                          int wide, uint8_t key, vgy_sqprog *out);

/* The window Vectorscan searches for: `len` byte nodes from pool node
 * `at`, starting dmin..dmax bytes after the program's start. */
typedef struct vgy_sqwin {
    uint32_t at, len;
    uint32_t dmin, dmax;
    int exact;  /* the window is the whole program */
    double bits;
} vgy_sqwin;

/* Pick the best window (<= maxlen bytes, start span <= maxspan, at least
 * minbits unless it is the whole program). Returns 0 when none qualifies. */
int vgy_seq_window(const vgy_sqpool *p, const vgy_sqprog *g, uint32_t maxlen,
                   uint32_t maxspan, double minbits, vgy_sqwin *w);

/* When no single window qualifies: one window in each branch of a
 * top-level alternative (one of them starts any match), each with at
 * least minbits. Returns how many (<= maxout), 0 when none works. */
uint32_t vgy_seq_alt_windows(const vgy_sqpool *p, const vgy_sqprog *g, uint32_t maxlen,
                             uint32_t maxspan, double minbits, vgy_sqwin *out,
                             uint32_t maxout);

/* The window as Vectorscan regex text (compile with HS_FLAG_DOTALL);
 * malloc'd, NULL on OOM. */
char *vgy_seq_window_regex(const vgy_sqpool *p, const vgy_sqwin *w);

/* Match the program anchored at d[pos]; returns the match length, or -1
 * (no match, or more than *budget steps: the budget is decremented). The
 * result is what a backtracking regex engine (PCRE2) gives: alternatives
 * in order, lazy repeats shortest first, greedy longest first. The program
 * must have no SQ_OPAQUE. */
/* Failures remembered while one buffer is verified (seq.c says why): a
 * table of cap entries (a power of two, 0 = none); bump gen for each new
 * buffer. Owned by the caller, one per thread. */
typedef struct vgy_sqmemo {
    uint64_t *key;
    uint32_t *gen_of;
    uint32_t cap, gen;
} vgy_sqmemo;

int64_t vgy_seq_match(const vgy_sqpool *p, const vgy_sqprog *g, const uint8_t *d,
                      size_t len, size_t pos, uint32_t *budget, vgy_sqmemo *memo);

#endif
