/* match/ldb_expr.h - the logical expression of a ClamAV .ldb signature,
 * parsed once into a small tree and evaluated per scanned buffer.
 *
 * Language (docs.clamav.net, "Logical signatures"): subsignature indexes,
 * `&`, `|`, parentheses, and a count modifier `=X`, `>X`, `<X`, `=X,Y`,
 * `>X,Y`, `<X,Y` after an index or after a parenthesised block. ClamAV's
 * parser splits an expression at its first top-level operator, so `&` and
 * `|` have no precedence and group to the right: `0&1|2` is `0&(1|2)`.
 *
 * Evaluation gives, per node, a truth value, a match count and a set of
 * subsignatures:
 *   - an index is true when its subsignature matched (or when its modifier
 *     holds on the match count; `0=0` is true for no match); true, it
 *     counts its matches and adds itself to the set;
 *   - `A&B`, `A|B`: the truth of both sides combined; true, the counts add
 *     up and the sets join (a false side brings nothing);
 *   - a block modifier compares the block's count (0 when the block is
 *     false) with X, and with `,Y` needs at least Y distinct
 *     subsignatures in the block's set; when it holds the block is true
 *     with that count but, as in ClamAV, passes no set upwards.
 * The unit tests (tests/unit/test_ldb.c) and tests/e2e/diff_ldb.sh check
 * these rules against clamscan. */
#ifndef VG_MATCH_LDB_EXPR_H
#define VG_MATCH_LDB_EXPR_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/status.h"

#define VGLE_MAX_SUBS 64       /* subsignatures in one .ldb line */
#define VGLE_MAX_NODES 1024    /* nodes in one expression */
#define VGLE_MAX_DEPTH 256     /* nesting: parentheses plus operators in a chain */

enum vgle_kind { VGLE_LEAF = 0, VGLE_AND, VGLE_OR };

typedef struct vgle_node {
    uint8_t kind;  /* vgle_kind */
    char mod;      /* 0, '=', '<' or '>' */
    uint8_t has_y; /* ",Y" given (blocks only use it) */
    uint8_t pad;
    uint32_t a, b; /* LEAF: a = subsig index; AND/OR: child nodes */
    uint32_t x, y; /* modifier values */
} vgle_node;

typedef struct vgle_prog {
    vgle_node *n;
    uint32_t nn;
    uint32_t root;
    uint32_t maxid; /* highest subsignature index used */
} vgle_prog;

/* Parse `len` bytes at `s`. Subsignature indexes must be < max_subs. On
 * error returns VG_EFORMAT with a reason in err. */
vg_status vgle_parse(const char *s, size_t len, uint32_t max_subs, vgle_prog *out,
                     char *err, size_t errlen);
void vgle_free(vgle_prog *p);

/* Evaluate with counts[i] = matches of subsignature i. 1 true, 0 false. */
int vgle_eval(const vgle_prog *p, const uint32_t *counts);

/* Which subsignatures the expression mentions (bit i for index i). */
uint64_t vgle_uses(const vgle_prog *p);

#endif
