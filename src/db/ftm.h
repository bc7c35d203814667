/* db/ftm.h - .ftm file-type magic: parsed and counted, not applied
 * (why: ftm.c). */
#ifndef VG_DB_FTM_H
#define VG_DB_FTM_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/engine.h"

/* Check every line; add the number of entries to *entries. */
vg_status vgdb_ftm_load(vg_engine *e, const char *fname, const char *text, size_t len,
                        uint64_t *entries);

#endif
