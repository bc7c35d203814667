/* tlog/release.h - what a release manifest says about a compiled
 * database: its rule index (see manifest.h) and source files, derived
 * from the .vdb itself so anyone can recompute them. */
#ifndef VG_TLOG_RELEASE_H
#define VG_TLOG_RELEASE_H

#include <stddef.h>
#include <stdint.h>
#include "tlog/manifest.h"

/* Load the .vdb at path and produce its rule index text (one line per
 * rule, see manifest.h), and its source files (caller frees *src). */
int tl_release_ruleindex(const char *vdbpath, tl_buf *idx, tl_manifest_source **src,
                         size_t *nsrc, tl_err *e);

/* Check a .vdb file against a manifest: size and SHA-256 of the bytes,
 * then the rule index (count, hash, root) recomputed from the loaded
 * database. */
int tl_release_check_db(const tl_manifest *m, const uint8_t *data, size_t len,
                        const char *path_of_same_bytes, tl_err *e);

#endif
