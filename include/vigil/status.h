/* vigil/status.h - one status code for every libvigil call.
 *
 * A status says whether the call worked, never what was found: verdicts live
 * in vg_result (see result.h). Codes are only ever appended, so a number keeps
 * its meaning across releases. */
#ifndef VIGIL_STATUS_H
#define VIGIL_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define VG_API __attribute__((visibility("default")))
#else
#define VG_API
#endif

typedef enum vg_status {
    VG_OK = 0,
    VG_ENOMEM = 1,   /* an allocation failed */
    VG_EIO = 2,      /* reading or writing a file failed (errno kept) */
    VG_EFORMAT = 3,  /* malformed input: a database line, a compiled db */
    VG_ELIMIT = 4,   /* a configured limit was reached */
    VG_EVERIFY = 5,  /* a checksum or signature did not verify */
    VG_EINVAL = 6,   /* the caller passed a bad argument */
    VG_ESTATE = 7,   /* call not allowed now (e.g. load after compile) */
    VG_EMATCHER = 8, /* the pattern matcher (Vectorscan) failed */
    VG_EUNSUPPORTED = 9, /* valid input that this build cannot use yet */
    VG_ENOENT = 10,  /* no such file or directory */
    VG_EACCES = 11,  /* permission denied */
} vg_status;

/* Static text for a status; never NULL. */
VG_API const char *vg_strerror(vg_status st);

#ifdef __cplusplus
}
#endif
#endif
