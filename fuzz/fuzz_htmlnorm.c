/* fuzz/fuzz_htmlnorm.c - libFuzzer target for fmt/htmlnorm.c.
 *
 * The input (copied to an exact-size buffer so ASan sees any read past
 * `len`) is normalised twice: with room for the whole result (2 * len + 16,
 * which must never be exceeded) and with a capacity taken from the first
 * byte, which must give a prefix of the full copies. Corpus:
 * fuzz/corpus/htmlnorm/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/htmlnorm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);
    size_t cap = 2 * size + 16;
    uint8_t *a = malloc(cap + 1), *b = malloc(cap + 1), *c = malloc(cap), *d = malloc(cap);
    if (!p || !a || !b || !c || !d)
        goto out;
    if (size)
        memcpy(p, data, size);
    vghtml_out nc = {a, cap + 1, 0}, nt = {b, cap + 1, 0};
    vghtml_normalize(p, size, &nc, &nt);
    if (nc.len > cap || nt.len > cap)
        abort();
    size_t small = size ? (size_t)p[0] * 7 % cap : 0;
    vghtml_out nc2 = {c, small, 0}, nt2 = {d, small, 0};
    vghtml_normalize(p, size, &nc2, &nt2);
    if (nc2.len != (small < nc.len ? small : nc.len) || memcmp(c, a, nc2.len) ||
        nt2.len != (small < nt.len ? small : nt.len) || memcmp(d, b, nt2.len))
        abort();
out:
    free(p);
    free(a);
    free(b);
    free(c);
    free(d);
    return 0;
}
