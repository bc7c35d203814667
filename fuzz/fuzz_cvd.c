/* fuzz/fuzz_cvd.c - the signature-container loader (db/load_cvd.c) and the
 * ignore-list and .ftm parsers on arbitrary bytes.
 *
 * The input is loaded as a .cud (unsigned, so the fuzzer reaches the tar
 * body, the .info manifest and the members), as a .cld (the .info
 * signature check) and as a .cvd (header, MD5 and RSA check); whatever
 * loads is compiled and scans a fixed buffer. The first 4 KB are also
 * read as an .ign2 list in front of a fixed .ndb, and as an .ftm. A failed
 * load must leave the engine usable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char sample[] =
    "\xde\xad\xbe\xef\x00\x00HELLO-WORLD EICAR evil\r\n"
    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

static void one(const char *name, const uint8_t *data, size_t size, int then_ndb)
{
    static const char ndb[] = "Base:0:*:48454c4c4f2d574f524c44\nEicar:0:*:4549434152\n";
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK)
        return;
    vg_status st = vg_engine_load_mem(e, name, (const char *)data, size, 0);
    (void)vg_engine_error(e);
    if (then_ndb)
        st = vg_engine_load_mem(e, "base.ndb", ndb, sizeof ndb - 1, 0);
    vg_engine_skipped sk;
    vg_engine_skipped_get(e, &sk);
    if (st == VG_OK && vg_engine_compile(e) == VG_OK) {
        vg_scan_opts o;
        vg_scan_opts_default(&o);
        o.flags |= VG_SCAN_ALLMATCH | VG_SCAN_NO_UNPACK;
        vg_result *r;
        if (vg_scan_mem(e, sample, sizeof sample - 1, &o, &r) == VG_OK)
            vg_result_free(r);
    }
    vg_engine_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 262144)
        return 0;
    one("x.cud", data, size, 0);
    one("x.cld", data, size, 0);
    one("x.cvd", data, size, 0);
    size_t head = size < 4096 ? size : 4096;
    one("x.ign2", data, head, 1);
    one("x.ftm", data, head, 0);
    return 0;
}
