/* fuzz/fuzz_pattern.c - the hex pattern parser and the matcher behind it.
 *
 * Input: byte 0 picks the target type and how the offset is set up, the
 * rest is the pattern text. What parses is compiled into a one-signature
 * matcher that then scans the whole input (and a buffer built from the
 * pattern's own literal bytes, so verification paths run), under every
 * offset kind. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match/matcher.h"
#include "match/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_hit(void *user, uint32_t id)
{
    (void)id;
    ++*(int *)user;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 8192)
        return 0;
    uint8_t ctl = data[0];
    vgp_opts o = {(uint8_t)(ctl % 15), (uint8_t)((ctl >> 4) & 1)};
    vgp_pattern pat;
    char err[256];
    if (vgp_parse_opts((const char *)data + 1, size - 1, &o, &pat, err, sizeof err) != VG_OK)
        return 0;
    /* a buffer made of what the pattern wants, where it is easy */
    uint8_t sample[512];
    size_t sl = 0;
    for (uint32_t i = 0; i < pat.nnodes && sl + 4 < sizeof sample; i++) {
        const vgp_node *n = &pat.nodes[i];
        if (n->kind == VGP_BYTE)
            sample[sl++] = n->val;
        else if (n->kind == VGP_GAP)
            sample[sl++] = 'x';
        else if (n->kind == VGP_LINE)
            sample[sl++] = '\n';
        else if (n->kind == VGP_SET || n->kind == VGP_ALT || n->kind == VGP_GALT)
            sample[sl++] = ' ';
    }
    vgm_offset off;
    memset(&off, 0, sizeof off);
    off.kind = (uint8_t)((ctl >> 5) % 3);
    off.n = (ctl >> 6) & 3;
    off.shift = ctl & 0x8 ? 3 : 0;
    vgm_builder *b;
    if (vgm_builder_new(&b) != VG_OK) {
        vgp_free(&pat);
        return 0;
    }
    vgm_matcher *m = NULL;
    if (vgm_builder_add(b, &pat, &off, o.target, 0) == VG_OK &&
        vgm_build(b, &m, err, sizeof err) == VG_OK) {
        vgm_scratch *s;
        if (vgm_scratch_new(m, &s) == VG_OK) {
            int hits = 0;
            vgm_new_object(s);
            vgm_scan(m, s, data, size, 0x7fff, on_hit, &hits);
            vgm_new_object(s);
            vgm_scan(m, s, sample, sl, 0x7fff, on_hit, &hits);
            vgm_scratch_free(s);
        }
        vgm_matcher_free(m);
    }
    vgp_free(&pat);
    vgm_builder_free(b);
    return 0;
}
