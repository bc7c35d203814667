/* fmt/arc.h - extracting members of archives and compressed streams.
 *
 * The pipeline hands a container's bytes and a sink; the extractor calls
 * sink->member once per member with the member's bytes in memory, in archive
 * order, and never holds more than one member at a time. Limits the
 * extractor can see are enforced here (a member larger than max_member is
 * skipped and reported through sink->limit; a member whose expansion ratio
 * exceeds the limit is refused the same way); counting files, depth and total
 * bytes is the pipeline's job, in its member callback.
 *
 * Compressed single streams (gz, bz2, xz, lzma, zstd, lz4) give one member;
 * a tar.gz is therefore two layers, gz then tar, as ClamAV sees it. */
#ifndef VG_FMT_ARC_H
#define VG_FMT_ARC_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/limits.h"
#include "vigil/status.h"
#include "ftype/magic.h"

/* Returned by sink->member to end extraction early without error (e.g. a
 * detection in first-match mode). vgarc_extract then returns VG_OK. */
#define VGARC_STOP ((vg_status)1000)

typedef struct vgarc_sink {
    void *user;
    /* One member. `name` is the member path ("" when the format has none,
     * e.g. a gz stream without a stored name). Return VG_OK to go on,
     * VGARC_STOP to stop, any other status to abort extraction with it. */
    vg_status (*member)(void *user, const char *name, const uint8_t *data,
                        size_t len);
    /* A member was skipped because of a limit (VG_LIMIT_* bit). */
    void (*limit)(void *user, unsigned which, const char *name);
    /* An encrypted member (or encrypted archive) was met; `kind` is the
     * suffix clamscan uses: "Zip", "RAR", "7Zip", ... */
    void (*encrypted)(void *user, const char *kind, const char *name);
    /* The container is damaged; extraction stopped here. */
    void (*warning)(void *user, const char *msg);
    const vg_limits *limits;
    uint64_t max_member;      /* members larger than this are skipped */
    unsigned max_member_limit;/* VG_LIMIT_* bit reported for such a skip */
} vgarc_sink;

/* Extract every member of `data` (of detected type `t`). Returns VG_OK when
 * the container was read to its end or stopped by the sink, VG_EFORMAT when
 * it is not a readable container (sink->warning has been called), or the
 * status a sink callback returned. */
vg_status vgarc_extract(vgft_type t, const uint8_t *data, size_t len,
                        const vgarc_sink *sink);

#endif
