/* db/load_cvd.h - signature containers (.cvd .cld .cud) and the database
 * types that are not signature text (.ign .ign2 .ftm .cbc, PUA and not yet
 * supported ClamAV types); rules in load_cvd.c. */
#ifndef VG_DB_LOAD_CVD_H
#define VG_DB_LOAD_CVD_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/engine.h"

int vgdb_is_container(const char *name);
/* .cvd .cld .cud .db .ign .ign2 .ftm .cbc and PUA types: handled here. */
int vgdb_special_ext(const char *name);
/* A ClamAV database type vigil has no loader for (counted as skipped). */
int vgdb_unsupported_ext(const char *name);

/* In a directory holding both X.cvd and X.cld, clamscan loads only the
 * one with the newer header version: 1 when `path` is the other one. */
int vgdb_cvd_superseded(const char *path);

/* Check and load a whole container held in memory. */
vg_status vgdb_cvd_load(vg_engine *e, const char *name, const uint8_t *data, size_t len);

/* When `name` is one of the types above: load or count it, set *st and
 * return 1; else return 0 and leave it to the text loaders. */
int vgdb_special_load(vg_engine *e, const char *name, const char *text, size_t len,
                      int official, vg_status *st);

#endif
