/* fuzz/fuzz_unpack.c - libFuzzer target for our own decoders and
 * unpackers. The first byte picks the decoder, the rest is its input:
 *   0 raw deflate, 1 Deflate64 (fmt/inflate64.c) into a 1 MB ceiling;
 *   2..5 implode (fmt/implode.c) with flag bits (b-2)<<1, asked for up to
 *        1 MB (the size is the next 3 bytes);
 *   6 the zip walk over those methods (fmt/zipold.c) with 1 MB members and
 *     a 50:1 ratio guard from 64 KB;
 *   7..9 NRV2B, NRV2D, NRV2E (fmt/nrv2.c) into a 1 MB ceiling;
 *   10 a PE parsed by exe/exe.c, then the PE unpackers (fmt/peunpack.c)
 *      with the zip walk's sink.
 * Any output past its ceiling, or a status other than the documented ones,
 * aborts. Corpus: fuzz/corpus/unpack/ (real files with the selector byte
 * prepended). */
#include <stdint.h>
#include <stdlib.h>

#include "core/buf.h"
#include "exe/exe.h"
#include "fmt/nrv2.h"
#include "fmt/peunpack.h"
#include "fmt/implode.h"
#include "fmt/inflate64.h"
#include "fmt/zipold.h"

#define CEIL (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t touched;

static vg_status on_member(void *user, const char *name, const uint8_t *p, size_t len)
{
    (void)user;
    if (!name || !p || len > CEIL)
        abort();
    if (len)
        touched = (uint8_t)(p[0] ^ p[len - 1]);
    return VG_OK;
}

static void on_limit(void *user, unsigned which, const char *name)
{
    (void)user;
    if (!name || !which)
        abort();
}

static void on_encrypted(void *user, const char *kind, const char *name)
{
    (void)user;
    if (!kind || !name)
        abort();
}

static void on_warning(void *user, const char *msg)
{
    (void)user;
    if (!msg)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned sel = data[0];
    data++;
    size--;
    vgbuf b;
    vgbuf_init(&b, CEIL);
    vg_status st = VG_OK;
    if (sel <= 1) {
        st = vginf_decode(data, size, (int)sel, &b);
    } else if (sel <= 5) {
        if (size < 3)
            return 0;
        uint64_t want = ((uint64_t)data[0] | (uint64_t)data[1] << 8 | (uint64_t)data[2] << 16) &
                        (2 * CEIL - 1);
        st = vgimp_decode(data + 3, size - 3, (sel - 2) << 1, want, &b);
        if (st == VG_OK && b.len != want)
            abort();
    } else if (sel == 6 || sel == 10) {
        static const vg_limits lim = {
            .max_filesize = CEIL, .max_scansize = 4u * CEIL, .max_recursion = 4,
            .max_files = 100, .max_ratio = 50, .ratio_min_size = 64u * 1024,
        };
        const vgarc_sink sink = {
            .member = on_member, .limit = on_limit, .encrypted = on_encrypted,
            .warning = on_warning, .limits = &lim, .max_member = CEIL,
            .max_member_limit = VG_LIMIT_FILESIZE,
        };
        if (sel == 6) {
            st = vgzipold_extract(data, size, &sink);
        } else {
            vg_exe_info x;
            if (vg_exe_parse(data, size, &lim, &x) == VG_OK)
                st = vgpeunp_extract(&x, data, size, &sink);
            vg_exe_free(&x);
        }
    } else if (sel <= 9) {
        st = vgnrv_decode((vgnrv_method)(sel - 7), data, size, &b, NULL);
    }
    if (b.len > CEIL || (st != VG_OK && st != VG_EFORMAT && st != VG_ELIMIT && st != VG_ENOMEM))
        abort();
    vgbuf_free(&b);
    return 0;
}
