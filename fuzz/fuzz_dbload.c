/* fuzz/fuzz_dbload.c - the text database loaders on arbitrary files.
 *
 * The input is loaded as an .ndb, then as an .hdb (and, by its first byte,
 * also as .hsb, .fp, .sfp, .mdb, .msb or .imp next to a fixed .ndb);
 * whatever loads is compiled and scans a fixed buffer and the input itself.
 * A failed load must leave the engine usable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char sample[] =
    "\xde\xad\xbe\xef\x00\x00HELLO-WORLD evil CAT-AB X1YZZ\r\nline\n"
    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

static void scan(vg_engine *e, const void *d, size_t n)
{
    vg_scan_opts o;
    vg_scan_opts_default(&o);
    o.flags |= VG_SCAN_ALLMATCH | VG_SCAN_NO_UNPACK;
    vg_result *r;
    if (vg_scan_mem(e, d, n, &o, &r) == VG_OK)
        vg_result_free(r);
}

static void one(const char *name, const uint8_t *data, size_t size, int with_base)
{
    static const char base[] = "Base:0:*:48454c4c4f2d574f524c44\n";
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK)
        return;
    if (with_base)
        vg_engine_load_mem(e, "base.ndb", base, sizeof base - 1, 0);
    vg_status st = vg_engine_load_mem(e, name, (const char *)data, size, 0);
    if (st != VG_OK && !with_base) {
        vg_engine_free(e);
        return;
    }
    (void)vg_engine_error(e);
    if (vg_engine_compile(e) == VG_OK) {
        scan(e, sample, sizeof sample - 1);
        scan(e, data, size);
    }
    vg_engine_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    static const char *const other[] = {"x.hsb", "x.fp", "x.sfp", "x.hdb",
                                        "x.mdb", "x.msb", "x.imp", "x.hsb"};
    one("x.ndb", data, size, 0);
    one("x.hdb", data, size, 0);
    one(other[size ? data[0] & 7 : 0], data, size, 1);
    return 0;
}
