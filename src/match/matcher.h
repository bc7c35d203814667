/* match/matcher.h - every body pattern of the engine in one pass.
 *
 * Build once (vgm_builder_*), then scan any number of buffers from any
 * number of threads, each thread with its own vgm_scratch. See matcher.c for
 * how anchors are chosen and what each hit costs. */
#ifndef VG_MATCH_MATCHER_H
#define VG_MATCH_MATCHER_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/status.h"
#include "match/pattern.h"

enum vgm_off_kind { VGM_OFF_ANY = 0, VGM_OFF_ABS = 1, VGM_OFF_EOF = 2 };

typedef struct vgm_offset {
    uint8_t kind;   /* vgm_off_kind */
    uint64_t n;     /* ABS: start offset; EOF: bytes before the end */
    uint32_t shift; /* start may float up to `shift` bytes later */
} vgm_offset;

typedef struct vgm_builder vgm_builder;
typedef struct vgm_matcher vgm_matcher;
typedef struct vgm_scratch vgm_scratch;

vg_status vgm_builder_new(vgm_builder **out);
void vgm_builder_free(vgm_builder *b);
/* Number of patterns added so far (for rollback of a failed load). */
uint32_t vgm_builder_count(const vgm_builder *b);
void vgm_builder_truncate(vgm_builder *b, uint32_t count);
/* Add a parsed pattern; the builder takes ownership of `pat`'s arrays.
 * `target` is the ClamAV target type (0..14); `id` is returned on a hit. */
vg_status vgm_builder_add(vgm_builder *b, vgp_pattern *pat,
                          const vgm_offset *off, uint8_t target, uint32_t id);

/* The same for an .ldb subsignature: every match is reported to the
 * multi callback (vgm_scratch_set_multi) with its start, not once per
 * object through vgm_hit_fn. */
vg_status vgm_builder_add_multi(vgm_builder *b, vgp_pattern *pat,
                                const vgm_offset *off, uint8_t target, uint32_t id);

/* Compile the patterns into a matcher. The builder can be freed afterwards.
 * On failure err gets Vectorscan's message. */
vg_status vgm_build(vgm_builder *b, vgm_matcher **out, char *err, size_t errlen);

/* Expressions of another matcher (the YARA strings) compiled into the
 * same Vectorscan database, so one pass over a buffer serves both: each
 * with its own id in 0..nids-1, reported raw (id, end offset) to the
 * callback of vgm_scratch_set_foreign. */
typedef struct vgm_foreign {
    const char *const *ex;
    const unsigned *flags; /* Vectorscan flags, as the other matcher wants */
    const unsigned *ids;
    uint32_t n;    /* expressions */
    uint32_t nids; /* the id space: every ids[i] < nids */
} vgm_foreign;
/* vgm_build with foreign expressions (f may be NULL). When Vectorscan
 * refuses one of them, returns VG_EMATCHER with *bad its index in f (else
 * *bad = -1), so the other matcher can replace it and build again. */
vg_status vgm_build_with(vgm_builder *b, const vgm_foreign *f, vgm_matcher **out, int *bad,
                         char *err, size_t errlen);
/* The foreign id space the matcher was built with (0: none). */
uint32_t vgm_matcher_foreign(const vgm_matcher *m);
void vgm_matcher_free(vgm_matcher *m);
uint32_t vgm_matcher_count(const vgm_matcher *m);

vg_status vgm_scratch_new(const vgm_matcher *m, vgm_scratch **out);
void vgm_scratch_free(vgm_scratch *s);

/* Called once per signature that matches (per object). Return nonzero to
 * stop the scan. */
typedef int (*vgm_hit_fn)(void *user, uint32_t id);

/* Called for each match of a multi pattern: its id and where the match
 * starts in the buffer. */
typedef void (*vgm_multi_fn)(void *user, uint32_t id, uint64_t start);
/* Set the multi callback of the scans that follow (NULL: multi patterns
 * are not reported). */
void vgm_scratch_set_multi(vgm_scratch *s, vgm_multi_fn fn, void *user);

/* Foreign hits of the scans that follow (NULL: dropped, and a matcher
 * with no patterns of its own then skips the pass). Return nonzero to
 * stop the scan. */
typedef int (*vgm_foreign_fn)(void *user, uint32_t id, uint64_t end);
void vgm_scratch_set_foreign(vgm_scratch *s, vgm_foreign_fn fn, void *user);

/* Executable info (exe/exe.h) of the buffers scanned next, for EP/Sx/SEx/
 * SL offsets (match/offset.h); NULL when they are not a parsed executable.
 * The pointer must stay valid until it is replaced. */
struct vg_exe_info;
void vgm_scratch_set_exe(vgm_scratch *s, const struct vg_exe_info *exe);

/* Start a new object: signatures found in earlier buffers of the same
 * object (e.g. the raw bytes, then the normalised text) are not reported
 * again until vgm_new_object is called. */
void vgm_new_object(vgm_scratch *s);

/* Scan one buffer. `target_mask` has bit t set for each target type whose
 * signatures apply to this buffer. Returns VG_OK (also when stopped by the
 * callback) or VG_EMATCHER. */
vg_status vgm_scan(const vgm_matcher *m, vgm_scratch *s, const uint8_t *data,
                   size_t len, uint32_t target_mask, vgm_hit_fn fn, void *user);

#endif
