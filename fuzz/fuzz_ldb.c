/* fuzz/fuzz_ldb.c - the .ldb/.cdb loader and the logical signature
 * evaluation on arbitrary text.
 *
 * The input is loaded as an .ldb (first byte even) or a .cdb (odd); whatever
 * loads is compiled and scans a fixed sample (text, wide text, PCRE and
 * byte-compare bait, a small zip for .cdb members) and the input itself.
 * The expression parser alone also gets the whole input, with every count
 * vector the first bytes suggest. A failed load must leave the engine
 * usable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match/ldb_expr.h"
#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char sample[] =
    "\xde\xad\xbe\xef\x00\x00hello World hello CLAM=123; CLAM\x10\x00"
    "h\0e\0l\0l\0o\0 clamav CLAMAV\r\nline\n"
    "PK\x03\x04\x0a\x00\x00\x00\x00\x00\x00\x00\x21\x00\xa5\xa5\x36\x10\x05\x00\x00\x00"
    "\x05\x00\x00\x00\x05\x00\x00\x00a.txthello";

static void scan(vg_engine *e, const void *d, size_t n)
{
    vg_scan_opts o;
    vg_scan_opts_default(&o);
    o.flags |= VG_SCAN_ALLMATCH;
    vg_result *r;
    if (vg_scan_mem(e, d, n, &o, &r) == VG_OK)
        vg_result_free(r);
}

static void expr(const uint8_t *data, size_t size)
{
    vgle_prog p;
    char err[256];
    if (vgle_parse((const char *)data, size, VGLE_MAX_SUBS, &p, err, sizeof err) != VG_OK)
        return;
    uint32_t c[VGLE_MAX_SUBS];
    for (unsigned k = 0; k < 4; k++) {
        for (unsigned i = 0; i < VGLE_MAX_SUBS; i++)
            c[i] = size ? (uint32_t)((data[(i + k) % size] >> k) & 3) : 0;
        (void)vgle_eval(&p, c);
    }
    (void)vgle_uses(&p);
    vgle_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    expr(data, size);
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK)
        return 0;
    const char *name = size && (data[0] & 1) ? "x.cdb" : "x.ldb";
    static const char base[] = "Base;Target:0;0&1;68656c6c6f;576f726c64\n";
    vg_engine_load_mem(e, "base.ldb", base, sizeof base - 1, 0);
    (void)vg_engine_load_mem(e, name, (const char *)data, size, 0);
    (void)vg_engine_error(e);
    if (vg_engine_compile(e) == VG_OK) {
        scan(e, sample, sizeof sample - 1);
        scan(e, data, size);
    }
    vg_engine_free(e);
    return 0;
}
