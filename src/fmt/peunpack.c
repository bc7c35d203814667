/* fmt/peunpack.c - registry of PE unpackers.
 *
 * The pipeline calls one function for every PE layer; each unpacker
 * checks its own signature (cheap: a few bytes at the entry point) and
 * returns at once when it is not its packer. A new unpacker is one line in
 * the table. Each gets the parsed headers (exe/exe.h), the bytes, and the
 * sink whose limits it must apply to its output. */
#include "peunpack.h"

#include "fmt/embpe.h"
#include "fmt/isc.h"
#include "fmt/ishield.h"
#include "fmt/nsis.h"
#include "fmt/upx.h"

typedef vg_status (*unpacker)(const vg_exe_info *, const uint8_t *, size_t,
                              const vgarc_sink *);

/* clamscan's order, as first-match mode shows it: the embedded-PE search
 * (part of its type scan) before the packers (tests/e2e/diff_peunpack.sh) */
static const unpacker unpackers[] = {
    vgemb_extract,
    vgupx_extract,
    vgnsis_extract,
    vgishield_extract,
    vgisc_extract,
};

vg_status vgpeunp_extract(const vg_exe_info *x, const uint8_t *d, size_t len,
                          const vgarc_sink *sink)
{
    if (!x || x->kind != VG_EXE_PE || !sink || !sink->member)
        return VG_OK;
    for (size_t i = 0; i < sizeof unpackers / sizeof unpackers[0]; i++) {
        vg_status st = unpackers[i](x, d, len, sink);
        if (st != VG_OK)
            return st;
    }
    return VG_OK;
}
