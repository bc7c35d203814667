/* fuzz/fuzz_vdb.c - the compiled-database loader on arbitrary files.
 *
 * Inputs of at least a header's length get a correct file size and
 * checksum written into their header first, so the fuzzer gets past the
 * checksum and exercises the section and index checks behind it. Whatever
 * loads is compiled and used for a scan. */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    if (size >= 1024) {
        memcpy(buf, "VIGILVDB", 8);
        for (int i = 0; i < 8; i++)
            buf[24 + i] = (uint8_t)((uint64_t)size >> (8 * i));
        unsigned int l = 0;
        EVP_Digest(buf + 1024, size - 1024, buf + 56, &l, EVP_sha256(), NULL);
    }
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
    }
    vg_engine_free(e);
    unlink(path);
    return 0;
}
