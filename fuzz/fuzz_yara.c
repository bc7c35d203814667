/* fuzz/fuzz_yara.c - the YARA lexer, parser and compiler on arbitrary
 * rule text, then one scan of the same bytes with whatever compiled. */
#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_engine *e;
    if (size > 65536 || vg_engine_new(&e) != VG_OK)
        return 0;
    if (vg_engine_load_mem(e, "f.yar", (const char *)data, size, 0) == VG_OK &&
        vg_engine_compile(e) == VG_OK) {
        vg_result *r;
        if (vg_scan_mem(e, data, size, NULL, &r) == VG_OK)
            vg_result_free(r);
    }
    vg_engine_free(e);
    return 0;
}
