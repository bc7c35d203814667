/* tlog/logdir.h - an append-only tiled log in a directory (C2SP
 * tlog-tiles layout; serve the directory with any static web server).
 *
 *   DIR/checkpoint                 signed by the log key (origin = key name)
 *   DIR/tile/<L>/<N>[.p/<W>]       hash tiles
 *   DIR/tile/entries/<N>[.p/<W>]   entry bundles
 *
 * Appends take an exclusive lock on the directory, check the current
 * checkpoint's signature and that the tiles on disk hash to its root,
 * write the new tiles and bundles (files no published checkpoint refers
 * to yet), check the new tree is consistent with the old one, and only
 * then replace the checkpoint (temporary file, fsync, rename). Partial
 * tiles of earlier sizes are kept. The private key never lives in DIR. */
#ifndef VG_TLOG_LOGDIR_H
#define VG_TLOG_LOGDIR_H

#include <stddef.h>
#include <stdint.h>
#include "tlog/checkpoint.h"
#include "tlog/note.h"
#include "tlog/tiles.h"

/* Create DIR (if needed) with an empty tree's checkpoint; fails if DIR
 * already has a checkpoint. */
int tl_log_init(const char *dir, const tl_key *logkey, tl_err *e);
/* Append n entries; *first = index of the first. */
int tl_log_append(const char *dir, const tl_key *logkey, const tl_entry *ents, size_t n,
                  uint64_t *first, tl_err *e);
/* The same, for a caller that holds tl_log_lock(dir) already. */
int tl_log_append_locked(const char *dir, const tl_key *logkey, const tl_entry *ents, size_t n,
                         uint64_t *first, tl_err *e);
/* Lock / unlock DIR for a read-modify-write by the caller (returns a fd). */
int tl_log_lock(const char *dir, tl_err *e);
void tl_log_unlock(int fd);

#endif
