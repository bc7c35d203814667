/* match/pattern.h - ClamAV hex body patterns parsed into a flat node program.
 *
 * A pattern ("4142??43*(44|45)(B)") becomes an array of fixed-size nodes
 * plus a byte pool; there are no pointers, so a parsed pattern can be
 * copied into a compiled database as it is. Node kinds:
 *
 *   BYTE  one byte b with (b & mask) == val   literal, ??, a?, ?a
 *   SET   one byte in a 256-bit set (pool)     (aa|bb), !(aa|bb), mid (B)(L)(W)
 *   ALT   one of n strings of length L (pool: n*L mask/val pairs), or with
 *         `neg` any L bytes equal to none of them   (aabb|ccdd), !(..)
 *   GALT  one of n strings of different lengths (pool: per alternative a
 *         length byte then mask/val pairs)        (aa|bbcc|dd??)
 *   GAP   min..max arbitrary bytes (max VGP_INF = unbounded)  * {n-m} [n-m]
 *   EDGE  zero-width test of the byte before (at the pattern start) or after
 *         (at the end): (B) (L) (W) with ClamAV's byte sets, file edge ok
 *
 * The syntax and its loader limits are in shared/reference/clamav.md §4;
 * what this parser refuses, ClamAV's loader refuses. */
#ifndef VG_MATCH_PATTERN_H
#define VG_MATCH_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/status.h"

#define VGP_INF 0xffffffffu
#define VGP_MAX_NODES 4096
#define VGP_MAX_ALT_DEPTH 15

enum vgp_kind { VGP_BYTE = 0, VGP_SET, VGP_ALT, VGP_GALT, VGP_GAP, VGP_EDGE };
enum vgp_edge { VGP_EDGE_B = 0, VGP_EDGE_L, VGP_EDGE_W };

typedef struct vgp_node {
    uint8_t kind;
    uint8_t mask, val;   /* BYTE */
    uint8_t neg;         /* ALT: negated; EDGE: 1 = checks the byte after */
    uint8_t edge;        /* EDGE: vgp_edge */
    uint8_t pad[3];
    uint32_t a, b;       /* GAP: min,max; ALT/GALT: count, length (ALT) */
    uint32_t pool;       /* SET/ALT/GALT: offset into the pool */
} vgp_node;

typedef struct vgp_pattern {
    vgp_node *nodes;
    uint32_t nnodes;
    uint8_t *pool;
    uint32_t npool;
} vgp_pattern;

/* Parse `hex` (len bytes, not NUL-terminated). On error fills err with a
 * reason (no file/line; the loader adds those). */
vg_status vgp_parse(const char *hex, size_t len, vgp_pattern *out, char *err,
                    size_t errlen);
void vgp_free(vgp_pattern *p);

/* Width of a node when fixed, or -1 (GAP, GALT). EDGE is 0. */
int vgp_node_width(const vgp_node *n);

/* Byte-set tables for the edge anchors: `before` = bytes allowed before the
 * pattern, `after` = allowed after, `mid` = consumed mid-pattern. */
int vgp_edge_ok(int edge, int after, int byte /* -1 = file edge */);

#endif
