/* match/pattern.h - ClamAV hex body patterns parsed into a flat node program.
 *
 * A pattern ("4142??43*(44|45)(B)") becomes an array of fixed-size nodes
 * plus a byte pool; there are no pointers, so a parsed pattern can be
 * copied into a compiled database as it is.
 *
 * ClamAV cuts a pattern into "parts" at `*` and at ranged jumps, and
 * matches each part on its own (Aho-Corasick anchor, then the bytes before
 * the anchor backwards and the rest forwards); parts are chained by the
 * distance between the end of one and the start of the next. vigil keeps
 * that structure: parts are separated by GAP nodes, and everything that is
 * zero-width in ClamAV stays zero-width here. Node kinds:
 *
 *   BYTE  one byte b with (b & mask) == val    literal, ??, a?, ?a
 *   SET   one byte in a 256-bit set (pool)      (aa|bb), !(aa|bb), mid-part
 *                                               (B) and (W), negated or not
 *   ALT   one of `a` strings of `b` bytes (pool: a*b mask/val pairs); with
 *         `neg` any b bytes equal to none of them   (aabb|ccdd), !(..)
 *   GALT  one of `a` strings of different lengths, 0 allowed (pool: per
 *         string a length byte, then mask/val pairs; at most 255 bytes)
 *         (aa|bbcc|dd??), nested groups (expanded), (aa|) ...
 *   LINE  mid-part (L): "\n" or "\r\n" (side 0, ClamAV's forward rule) or,
 *         for an (L) ClamAV checks backwards (side 1), "\n", or "\r" plus
 *         the byte before it when the next byte is "\n"; `neg`: one byte
 *         that is neither
 *   EDGE  zero-width test at a part edge: side 0 the byte before the part
 *         (or file start), side 1 the byte after it (or file end); `edge`
 *         is B, L or W, `neg` inverts
 *   CH    zero-width test of the single byte of `[n-m]`: mask/val must
 *         occur a..b bytes before the part (side 0) or after it (side 1);
 *         it is not part of the match, so offsets and jumps ignore it
 *   GAP   between two parts: the next part starts a..b bytes after the end
 *         of the previous one (b = VGP_INF for no maximum). ClamAV loads
 *         {5-3} and never matches it; that is a = b = VGP_NEVER, a distance
 *         no buffer has
 *
 * Flag VGP_F_ANCHOR marks, in each part, the first byte of the static run
 * ClamAV anchors the part on (its Aho-Corasick trie entry); on that node
 * `a` holds ClamAV's minimum length of the part from there to its end and
 * `b` that of the elements before it, in which mid-part (B)/(W)/(L) (flag
 * VGP_F_ZERO) count 0 bytes and generic alternatives their shortest
 * string. The matcher needs these to reproduce ClamAV's behaviour at the
 * start and the end of a buffer (see matcher.c).
 *
 * The syntax and its loader limits are in shared/reference/clamav.md §4;
 * the parser follows ClamAV 1.4's loader step by step (readdb's `{n}`
 * rewrite and part split, then per part the `[n-m]` bytes, the groups, the
 * static-run and prefilter checks), so that what it refuses, clamscan
 * refuses, and the reverse. */
#ifndef VG_MATCH_PATTERN_H
#define VG_MATCH_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/status.h"

#define VGP_INF 0xffffffffu
#define VGP_NEVER 0xfffffffeu
#define VGP_MAX_NODES (1u << 18)   /* elements in one pattern */
#define VGP_MAX_ALT_NEST 15        /* '(' inside one group (ClamAV's limit) */
#define VGP_MAX_EXPANSION 65536    /* strings a nested group may expand to */
#define VGP_MAX_TEXT (1u << 20)    /* pattern text after {n} rewriting */

enum vgp_kind {
    VGP_BYTE = 0,
    VGP_SET,
    VGP_ALT,
    VGP_GALT,
    VGP_LINE,
    VGP_EDGE,
    VGP_CH,
    VGP_GAP
};
enum vgp_edge { VGP_EDGE_B = 0, VGP_EDGE_L, VGP_EDGE_W };

#define VGP_F_ANCHOR 1u
#define VGP_F_ZERO 2u   /* mid-part (B)/(W)/(L): ClamAV counts 0 bytes */

typedef struct vgp_node {
    uint8_t kind;
    uint8_t mask, val;   /* BYTE, CH */
    uint8_t neg;         /* ALT, LINE, EDGE: negated */
    uint8_t edge;        /* EDGE: vgp_edge */
    uint8_t side;        /* EDGE, CH: 0 before, 1 after; LINE: 0 fwd, 1 bwd */
    uint8_t flags;       /* VGP_F_* */
    uint8_t pad;
    uint32_t a, b;       /* GAP, CH: min,max; ALT/GALT: count, length (ALT);
                            anchor BYTE: ClamAV's forward minimum length */
    uint32_t pool;       /* SET/ALT/GALT: offset into the pool */
} vgp_node;

typedef struct vgp_pattern {
    vgp_node *nodes;
    uint32_t nnodes;
    uint8_t *pool;
    uint32_t npool;
} vgp_pattern;

/* Where the pattern is used; ClamAV's rules depend on it. */
typedef struct vgp_opts {
    uint8_t target;   /* ClamAV target type, 0..14 */
    uint8_t force_ac; /* the offset sends a plain pattern to ClamAV's
                         Aho-Corasick matcher (target 1 with `*` or `n,m`;
                         `VI`; `$n$`), which takes 2-byte patterns */
} vgp_opts;

/* Parse `hex` (len bytes, not NUL-terminated) as used with `o` (NULL:
 * target 0, offset `*`). On error returns VG_EFORMAT and fills err with a
 * reason (no file/line; the loader adds those). */
vg_status vgp_parse_opts(const char *hex, size_t len, const vgp_opts *o,
                         vgp_pattern *out, char *err, size_t errlen);
vg_status vgp_parse(const char *hex, size_t len, vgp_pattern *out, char *err,
                    size_t errlen);
void vgp_free(vgp_pattern *p);

/* Width of a node when fixed, or -1 (GAP, GALT, LINE). EDGE and CH are 0. */
int vgp_node_width(const vgp_node *n);

/* Zero-width EDGE test at `pos` in d[0..len): ClamAV's rules, including its
 * byte sets for (B) (reference §4, E7). */
int vgp_edge_at(const vgp_node *n, const uint8_t *d, size_t len, size_t pos);

/* ClamAV's (B) byte classes: 1 = may precede a word, 2 = may follow one. */
int vgp_boundary_class(uint8_t b);

/* A GALT node's alternative `k`: its length and mask/val pairs. Walks the
 * pool, O(k). */
const uint8_t *vgp_galt_alt(const vgp_node *n, const uint8_t *pool, uint32_t k,
                            uint32_t *alen);

#endif
