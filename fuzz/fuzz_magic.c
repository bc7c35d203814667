/* fuzz/fuzz_magic.c - libFuzzer target for ftype/magic.c.
 *
 * Detection must stay inside the input and map every result to a target
 * and a CL_TYPE name; the input is copied to an exact-size buffer so ASan
 * sees any read past `len`. Corpus: fuzz/corpus/magic/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ftype/magic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    if (size)
        memcpy(p, data, size);
    vgft_type t = vgft_detect(p, size);
    if ((unsigned)t >= VGFT_COUNT || !vgft_clname(t) || vgft_target(t) < 0 ||
        vgft_target(t) > 12)
        abort();
    (void)vgft_is_container(t);
    (void)vgft_is_text(t);
    free(p);
    return 0;
}
