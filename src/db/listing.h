/* db/listing.h - every signature of a compiled engine with a content hash,
 * for `vigil db list` / `db diff` and the transparency monitor.
 *
 * The content hash is the SHA-256 of a canonical text of what the
 * signature matches, independent of how it was written or compiled:
 *   hash signatures  "<set>:<kind>:<hex digest>:<size or *>"
 *                    set = det | fp, kind = md5 | sha1 | sha256
 *   body signatures  "ndb:<target>:<offset kind>:<n>:<shift>:<program>"
 *                    program = hex of the parsed pattern's nodes and pool
 *   source texts     (YARA, .mdb/.msb/.imp, .ldb/.cdb: formats a .vdb
 *                    carries as text) one entry per file, its SHA-256,
 *                    when the engine kept its texts (`vigil db` does)
 * So a renamed signature keeps its hash, an edited one changes it. */
#ifndef VG_DB_LISTING_H
#define VG_DB_LISTING_H

#include "db/engine_int.h"

typedef struct vgdb_entry {
    const char *type; /* "md5", "sha1", "sha256", "fp-md5", ..., "ndb", "text-*" */
    const char *name;
    char hash[65];    /* hex content hash */
} vgdb_entry;

/* All entries of compiled engine e, sorted by (name, type, hash); caller
 * frees *out with free(). */
vg_status vgdb_list(const vg_engine *e, vgdb_entry **out, size_t *n);

#endif
