/* db/vdb.h - the compiled database file (.vdb): format and access.
 *
 * A .vdb holds an engine after compilation, laid out so that loading is a
 * read-only mmap plus checks: no parsing, no per-entry allocation, no
 * pattern compilation. Same sources give the same bytes (stable order,
 * generic-CPU Vectorscan target, timestamp only from SOURCE_DATE_EPOCH).
 * Little-endian; all offsets from the start of the file.
 *
 * Header (1024 bytes)
 *   off  size  field
 *   0    8     magic "VIGILVDB"
 *   8    4     format version (VGDB_VDB_VERSION)
 *   12   4     header size (1024)
 *   16   8     feature flags (VGDB_F_*)
 *   24   8     file size
 *   32   8     creation time (SOURCE_DATE_EPOCH, or 0)
 *   40   8     detection signatures (hash + body)
 *   48   4     number of sections (<= VGDB_MAX_SECTIONS)
 *   52   4     0
 *   56   32    body digest: SHA-256 over the SHA-256 of each 4 MiB chunk
 *              of bytes [1024, file size) in order (the last chunk may be
 *              shorter), so the chunks are hashed on all cores at load
 *   88   24*n  section table: {u32 id, u32 0, u64 offset, u64 length}
 *   ...        zero up to 1024
 * Sections start at 64-byte aligned offsets, in id order, zero padded:
 *   id  contents                         element
 *   1   name string table                bytes, each name NUL-terminated
 *   2   name offsets into 1              u32
 *   3-5 detection hashes MD5/SHA1/SHA256 vgdb_hashent (48 B), sorted by
 *                                         (size, hash, name); size
 *                                         UINT64_MAX = any size
 *   6-8 allowlist hashes, same layout
 *   9-11  distinct sizes of 3-5          u64, ascending, no UINT64_MAX
 *   12-14 distinct sizes of 6-8          u64
 *   15  body signatures                  vgdb_bodysig (u32 name index)
 *   16  matcher signatures               vgm_sig (56 B, match/matcher_int.h)
 *   17  pattern nodes                    vgp_node (20 B, match/pattern.h)
 *   18  pattern pool                     bytes
 *   19  Vectorscan database              hs_serialize_database() bytes
 *   20  sources                          text: "sha256 size name\n" per file
 * Feature flags: bits 0-2 "some detection hash of kind k has any size",
 * bits 3-5 the same for the allowlist. Unknown flag bits are refused.
 *
 * New formats (.ldb, .yar, ...) add section ids; a reader refuses a file
 * whose version it does not know, and ignores no section it does not know
 * (unknown ids are refused too, so nothing in a file is silently unused). */
#ifndef VG_DB_VDB_H
#define VG_DB_VDB_H

#include <stdint.h>
#include "db/engine_int.h"

#define VGDB_VDB_MAGIC "VIGILVDB"
#define VGDB_VDB_VERSION 2u /* 2: pattern nodes LINE, CH, EDGE sides */
#define VGDB_VDB_HEADER 1024u
#define VGDB_MAX_SECTIONS 32u

enum {
    VGDB_S_STRTAB = 1, VGDB_S_NAMEOFF = 2,
    VGDB_S_DET0 = 3, VGDB_S_FP0 = 6, VGDB_S_DETSIZES0 = 9, VGDB_S_FPSIZES0 = 12,
    VGDB_S_BODY = 15, VGDB_S_MSIGS = 16, VGDB_S_MNODES = 17, VGDB_S_MPOOL = 18,
    VGDB_S_HSDB = 19, VGDB_S_SOURCES = 20, VGDB_S_LAST = 20
};

/* Load a .vdb into e: mapped and verified now; if e holds nothing else at
 * compile time it runs straight from the mapping, else it is merged. */
vg_status vgdb_vdb_open(vg_engine *e, const char *path);
/* Merge a pending mapped .vdb into the build tables (before more loads). */
vg_status vgdb_vdb_flush(vg_engine *e);
/* At compile: run from the pending mapping. *rebuilt tells whether the
 * Vectorscan part had to be compiled again for this CPU. */
vg_status vgdb_vdb_activate(vg_engine *e, int *rebuilt);
void vgdb_vdb_unmap(vg_engine *e);

/* Write compiled engine e to path atomically (temporary file, fsync,
 * rename). `created` goes into the header. */
vg_status vgdb_vdb_write(vg_engine *e, const char *path, uint64_t created);

/* Describe a .vdb (header, sections) on f; for `vigil db info`. */
vg_status vgdb_vdb_describe(const char *path, void *file /* FILE* */, char *err, size_t errlen);

#endif
