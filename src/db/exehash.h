/* db/exehash.h - PE section-hash (.mdb/.msb) and import-hash (.imp)
 * signatures of an engine; see exehash.c. */
#ifndef VG_DB_EXEHASH_H
#define VG_DB_EXEHASH_H

#include "db/engine_int.h"

enum { VGDB_EXEH_SECT = 0, VGDB_EXEH_IMP = 1, VGDB_EXEH_TABLES = 2 };

/* While loading: add one signature (hash of vghash_len[kind] bytes; size
 * VGDB_SIZE_ANY for `*`). */
vg_status vgdb_exeh_add(vg_engine *e, unsigned table, unsigned kind, const uint8_t *hash,
                        uint64_t size, uint32_t name);
/* Engine marks: entries so far / cut back to n. */
size_t vgdb_exeh_count(const vg_engine *e);
void vgdb_exeh_truncate(vg_engine *e, size_t n);
/* Compile (sort); free with the engine. */
vg_status vgdb_exeh_freeze(vg_engine *e);
void vgdb_exeh_free(vg_engine *e);

/* After compile: does `table` hold any signature; does (table, kind) want
 * a digest of an object of `size` bytes; the names matching (up to max):
 * the last loaded of that size, then the first loaded `*` one. */
int vgdb_exeh_any(const vg_engine *e, unsigned table);
int vgdb_exeh_wants(const vg_engine *e, unsigned table, unsigned kind, uint64_t size);
size_t vgdb_exeh_find(const vg_engine *e, unsigned table, unsigned kind, const uint8_t *hash,
                      uint64_t size, uint32_t *names, size_t max);

#endif
