/* fuzz/fuzz_arc.c - libFuzzer target for fmt/arc_la.c.
 *
 * The input is typed with vgft_detect; a container is extracted with small
 * limits (1 MB per member, ratio guard from 64 KB at 50:1) and a sink that
 * only checks what it is given. A non-container input is also fed to the
 * zip and gz readers so mutations of non-magic bytes still reach
 * libarchive. Corpus: fuzz/corpus/arc/.
 *
 * libarchive sizes some read-ahead buffers from header fields before it
 * knows the input is that long (a cpio name size, a 7z next-header size),
 * so hostile input makes it call malloc with gigabytes or terabytes; the
 * call fails or stays untouched virtual memory, and libarchive reports an
 * error. Those are not our bugs, so ASan is told to return NULL for
 * impossible sizes, and LLVMFuzzerInitialize puts -malloc_limit_mb=1048576
 * first on the command line (flags given later still override it): the
 * -rss_limit_mb cap on memory really used stays, one big untouched
 * allocation is allowed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/arc.h"
#include "fmt/docs.h"
#include "ftype/magic.h"

#define MAX_MEMBER (1u << 20)

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static char flag[] = "-malloc_limit_mb=1048576";
    static char *args[256];
    if (*argc < 1 || *argc > 254)
        return 0;
    args[0] = (*argv)[0];
    args[1] = flag;
    for (int i = 1; i < *argc; i++)
        args[i + 1] = (*argv)[i];
    args[*argc + 1] = NULL;
    *argc += 1;
    *argv = args;
    return 0;
}

static volatile uint8_t touched;

static vg_status on_member(void *user, const char *name, const uint8_t *p,
                           size_t len)
{
    (void)user;
    if (!name || !p || len > MAX_MEMBER)
        abort();
    if (len) /* touch both ends: the buffer must be that long */
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
        .encrypted = on_encrypted,
        .warning = on_warning,
        .limits = &lim,
        .max_member = MAX_MEMBER,
        .max_member_limit = VG_LIMIT_FILESIZE,
    };
    vgft_type t = vgft_detect(data, size);
    if (vgft_is_container(t) && !vgdoc_handles(t)) { /* docs: fuzz_docs */
        vg_status st = vgarc_extract(t, data, size, &sink);
        if (st != VG_OK && st != VG_EFORMAT && st != VG_ENOMEM &&
            st != VG_EUNSUPPORTED)
            abort();
    } else if (size) {
        vgarc_extract(VGFT_ZIP, data, size, &sink);
        vgarc_extract(VGFT_GZ, data, size, &sink);
    }
    return 0;
}
