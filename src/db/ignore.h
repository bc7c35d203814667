/* db/ignore.h - ignore lists (.ign2, .ign): names dropped at load
 * (rules in ignore.c). */
#ifndef VG_DB_IGNORE_H
#define VG_DB_IGNORE_H

#include <stddef.h>
#include "vigil/engine.h"

typedef struct vgdb_ignlist vgdb_ignlist;

/* Parse an ignore list and add its entries to *lp (made on first use).
 * Errors are "file:line: reason" in the engine. */
vg_status vgdb_ign_load(vg_engine *e, vgdb_ignlist **lp, const char *fname,
                        const char *text, size_t len);

/* For a database text about to load: *out = NULL when no line of it is
 * ignored, else a malloc'd copy (caller frees) in which each ignored line
 * starts with '#'. */
vg_status vgdb_ign_filter(vgdb_ignlist *l, const char *fname, const char *text,
                          size_t len, char **out);

size_t vgdb_ign_count(const vgdb_ignlist *l);
void vgdb_ign_truncate(vgdb_ignlist *l, size_t n); /* back to n entries */
void vgdb_ign_free(vgdb_ignlist *l);

#endif
