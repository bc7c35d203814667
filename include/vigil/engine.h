/* vigil/engine.h - the signature engine: load, compile, share, release.
 *
 * Life cycle: vg_engine_new, any number of vg_engine_load* calls, then
 * vg_engine_compile. After compile the engine is immutable and may be used
 * by any number of threads at once without locks. It is reference counted:
 * vg_engine_ref takes a reference, vg_engine_free drops one and frees the
 * engine with the last; a daemon swaps in a new engine and the old one goes
 * away when the last scan using it ends.
 *
 * Loading is all-or-nothing per call: a database with one bad line is
 * refused whole, the engine is left as it was before the call, and
 * vg_engine_error names the file, line and reason. */
#ifndef VIGIL_ENGINE_H
#define VIGIL_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vg_engine vg_engine;

VG_API vg_status vg_engine_new(vg_engine **out);

/* Load a database file, or every database file in a directory (not
 * recursive; files with unknown extensions are skipped). The format is
 * chosen by extension: .hdb .hsb .fp .sfp .ndb .vdb, and .yar .yara for
 * YARA 4 rules (reported by rule name). */
VG_API vg_status vg_engine_load(vg_engine *e, const char *path);

/* Load database text held in memory; `name` supplies the extension and the
 * name used in error messages. `official` controls the .UNOFFICIAL suffix. */
VG_API vg_status vg_engine_load_mem(vg_engine *e, const char *name,
                                    const char *text, size_t len, int official);

/* Load the database compiled into libvigil (EICAR and the ClamAV test file). */
VG_API vg_status vg_engine_load_builtin(vg_engine *e);

/* Build the matcher. After this, only scans and vg_engine_* getters. */
VG_API vg_status vg_engine_compile(vg_engine *e);

/* The last error's text ("file:line: reason"); "" when none. Valid until the
 * next call on the engine. */
VG_API const char *vg_engine_error(const vg_engine *e);

/* Number of signatures loaded (detections, not allowlist entries). */
VG_API uint64_t vg_engine_sig_count(const vg_engine *e);

/* What the loads so far read but do not use, for the caller to report
 * (never silently): bytecode signatures (.cbc, also inside .cvd files) are
 * not executed; lines of ClamAV database types vigil has no loader for
 * (PUA variants, .pdb .wdb ...) are skipped, their extensions in `types`;
 * .ftm file-type magic entries are checked but not applied. */
typedef struct vg_engine_skipped {
    uint64_t bytecode;
    uint64_t unsupported;
    uint64_t ftm;
    char types[96];
} vg_engine_skipped;
VG_API void vg_engine_skipped_get(const vg_engine *e, vg_engine_skipped *out);

VG_API vg_engine *vg_engine_ref(vg_engine *e);
VG_API void vg_engine_free(vg_engine *e); /* drops one reference; NULL ok */

/* A slot holds the engine that serves scans and lets a new one replace it
 * while scans run: vg_engine_slot_get returns the current engine with a
 * reference taken (release it with vg_engine_free when the scan ends);
 * vg_engine_slot_set installs a compiled engine and drops the slot's
 * reference on the old one, which is freed when its last scan ends. With
 * a mapped .vdb the old and new engines share the page cache, so memory
 * does not double across a reload. */
typedef struct vg_engine_slot vg_engine_slot;

VG_API vg_status vg_engine_slot_new(vg_engine *initial, vg_engine_slot **out);
VG_API vg_engine *vg_engine_slot_get(vg_engine_slot *s);
VG_API void vg_engine_slot_set(vg_engine_slot *s, vg_engine *e);
VG_API void vg_engine_slot_free(vg_engine_slot *s);

/* YARA external variable (`-d name=value` in yara, `-D` in vigil), typed
 * from its text as yara does: true/false, an integer, a float, else a
 * string. Define before loading the rules that use it. */
VG_API vg_status vg_engine_define(vg_engine *e, const char *name, const char *value);

/* Debug view of YARA string matches (`vigil scan --yara-strings`): called
 * during scans, from the scanning thread, once per match of each
 * non-private string of each matching rule, before the rule's detection.
 * Set before vg_engine_compile. */
typedef void (*vg_yara_string_fn)(void *user, const char *rule, const char *string_id,
                                  int is_hex, uint64_t offset, const uint8_t *data,
                                  size_t len);
VG_API void vg_engine_set_yara_trace(vg_engine *e, vg_yara_string_fn fn, void *user);

/* YARA profiling (`vigil scan --profile`): set before vg_engine_compile.
 * Each scanner then times, per rule, its condition and the verification of
 * its strings' matches (the shared Vectorscan pass is not per rule), and
 * adds them to the engine when it is freed. vg_engine_yara_profile fills
 * out with the slowest rules first (at most max) and returns how many. */
typedef struct vg_yara_profile {
    const char *rule;    /* valid while the engine lives */
    uint64_t cond_ns;    /* in its condition, all threads */
    uint64_t strings_ns; /* verifying its strings' matches, all threads */
} vg_yara_profile;
VG_API void vg_engine_set_yara_profile(vg_engine *e, int on);
VG_API size_t vg_engine_yara_profile(const vg_engine *e, vg_yara_profile *out, size_t max);

/* "1.4.6"-style version string of libvigil. */
VG_API const char *vg_version(void);

#ifdef __cplusplus
}
#endif
#endif
