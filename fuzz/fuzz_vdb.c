/* fuzz/fuzz_vdb.c - the compiled-database loader on arbitrary files.
 *
 * Inputs with a consistent section table get the magic, their file size
 * and a correct checksum written into their header first
 * (vgdb_vdb_seal), so the fuzzer gets past the checksum and exercises the
 * table, name, hash-set, packed-pattern and source-text checks behind it.
 * Whatever loads is compiled, used for a scan, and listed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/listing.h"
#include "db/vdb.h"
#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/fuzz-vdb-%d.vdb", (int)getpid());
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    if (size >= 1024)
        (void)vgdb_vdb_seal(buf, size);
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(buf);
        return 0;
    }
    fwrite(buf, 1, size, f);
    fclose(f);
    free(buf);
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK)
        return 0;
    if (vg_engine_load(e, path) == VG_OK && vg_engine_compile(e) == VG_OK) {
        static const char sample[] = "xxHELLO WORLD..ABC.DEF X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR";
        vg_scan_opts o;
        vg_scan_opts_default(&o);
        o.flags |= VG_SCAN_ALLMATCH;
        vg_result *r;
        if (vg_scan_mem(e, sample, sizeof sample - 1, &o, &r) == VG_OK)
            vg_result_free(r);
        vgdb_entry *v;
        size_t n;
        if (vgdb_list(e, &v, &n) == VG_OK)
            free(v);
    }
    vg_engine_free(e);
    unlink(path);
    return 0;
}
