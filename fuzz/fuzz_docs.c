/* fuzz/fuzz_docs.c - libFuzzer target for the document and mail formats
 * (fmt/docs.h: mail.c, html.c, binhex.c, rtf.c, ole2.c, mspack.c, sis.c, arj.c) and the
 * decoders under them (fmt/enc.c).
 *
 * The first byte picks the format (so every reader gets mutations of every
 * input, not only those that keep a magic), the rest is the data. Small
 * ceilings (256 KB per member, ratio guard from 64 KB at 50:1) and a sink
 * that checks and touches what it is given. Corpus: fuzz/corpus/docs/
 * (first byte 0 mail, 1 HTML, 2 RTF, 3 OLE2, 4 BinHex, 5 SZDD, 6 CHM, 7 SIS, 8 ARJ). */
#include <stdint.h>
#include <stdlib.h>

#include "fmt/docs.h"

#define MAX_MEMBER (256u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t touched;

static vg_status on_member(void *user, const char *name, const uint8_t *p, size_t len)
{
    (void)user;
    if (!name || !p || len > MAX_MEMBER)
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

static void on_warning(void *user, const char *msg)
{
    (void)user;
    if (!msg)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const vgft_type types[] = {VGFT_MAIL, VGFT_HTML, VGFT_RTF, VGFT_OLE2,
                                      VGFT_BINHEX, VGFT_SZDD, VGFT_CHM, VGFT_SIS,
                                      VGFT_ARJ};
    static const vg_limits lim = {
        .max_filesize = MAX_MEMBER,
        .max_scansize = 4u * MAX_MEMBER,
        .max_recursion = 4,
        .max_files = 100,
        .max_ratio = 50,
        .ratio_min_size = 64u * 1024,
    };
    const vgarc_sink sink = {
        .member = on_member,
        .limit = on_limit,
        .warning = on_warning,
        .limits = &lim,
        .max_member = MAX_MEMBER,
        .max_member_limit = VG_LIMIT_FILESIZE,
    };
    if (size < 1)
        return 0;
    vgft_type t = types[data[0] % (sizeof types / sizeof types[0])];
    vg_status st = vgdoc_extract(t, data + 1, size - 1, &sink);
    if (st != VG_OK && st != VG_EFORMAT && st != VG_ENOMEM)
        abort();
    return 0;
}
