/* db/vdb.h - the compiled database file (.vdb): format and access.
 *
 * A .vdb holds an engine after compilation, laid out so that loading is a
 * read-only mmap plus checks: no parsing, no per-entry allocation, no
 * pattern compilation. Same sources give the same bytes (stable order,
 * generic-CPU Vectorscan target, timestamp only from SOURCE_DATE_EPOCH).
 * Loading reads and checks every byte of the file (the checksum) before
 * any of it is used, so the file is kept small: the time to load is the
 * time to hash it. Little-endian; all offsets from the start of the file.
 *
 * Header (1024 bytes)
 *   off  size  field
 *   0    8     magic "VIGILVDB"
 *   8    4     format version (VGDB_VDB_VERSION)
 *   12   4     header size (1024)
 *   16   8     feature flags (none yet: must be 0)
 *   24   8     file size
 *   32   8     creation time (SOURCE_DATE_EPOCH, or 0)
 *   40   8     signatures in the tables (source-text formats are counted
 *              when they are compiled at load)
 *   48   4     number of sections n (<= VGDB_MAX_SECTIONS)
 *   52   4     number of names
 *   56   32    SHA-256 of the chunk table's extent (section 35)
 *   88   24*n  section table: {u32 id, u32 0, u64 offset, u64 length}
 *   ...        zero up to 1024
 * Sections follow in id order from offset 1024, each at the first 64-byte
 * boundary after the previous one, zero padded; the file ends at the
 * first 64-byte boundary after the last, which is always the chunk table.
 * A section's extent is its bytes and its padding. Every extent but the
 * chunk table's is cut into chunks of 256 KiB (the last one shorter); the
 * chunk table holds the SHA-256 of each, in file order. So every byte is
 * covered by one root in the header, and each chunk is checked on its
 * own, on any core, as soon as it is hashed: the loader hashes the
 * Vectorscan section first and deserializes it while the rest is checked,
 * and hashes 16 chunks at once per core where it can (db/sha256x16.c):
 * chunks are small so that each core has many groups of 16.
 * The SHA-256 over the table entries of section 31 identifies the
 * Vectorscan database, so that engines of one process share one copy.
 *
 *   id     contents                        element
 *   1      names, front-coded (names.c):   bytes; blocks of 16 names, per
 *          varint shared-prefix length,    name; ".UNOFFICIAL" is the low
 *          varint rest << 1 | unofficial,  bit, not stored
 *          rest bytes
 *   2      offset of each block in 1       u32
 *   3+4s   hash set s digests, sorted by   16/20/32 B (MD5/SHA-1/SHA-256)
 *          (size, digest, load order)
 *   4+4s   low 16 bits of each size        u16
 *   5+4s   bucket starts: entries with     u32, nb + 1 of them; entries
 *          size >> 16 == b are             from bkt[nb] on match any size
 *          [bkt[b], bkt[b+1])
 *   6+4s   name index of each entry        u32
 *          s = 0..5: detection MD5, SHA-1, SHA-256 (.hdb .hsb), allowlist
 *          MD5, SHA-1, SHA-256 (.fp .sfp)  (hashset.c)
 *   27     body signatures                 u32 name index
 *   28     matcher signatures              vgm_sig (56 B, match/matcher_int.h)
 *                                          node0 = byte offset into 29
 *   29     pattern nodes, packed           bytes (match/serial.c: runs of
 *                                          literal bytes, other nodes whole)
 *   30     pattern pool                    bytes
 *   31     Vectorscan database             hs_serialize_database() bytes:
 *                                          the body patterns of 28-30 (ids
 *                                          0..n-1) and the YARA strings'
 *                                          expressions (ids n..), one pass
 *                                          for both (db/engine.c)
 *   32     sources                         text: "sha256 size name\n" per file
 *   33     source texts compiled at load   entries (srctext.c): formats with
 *                                          no compiled form yet: YARA, PE
 *                                          section/import hashes (.mdb .msb
 *                                          .imp), logical signatures (.ldb
 *                                          .cdb; their hex subsignatures are
 *                                          in 28-31 with flag VGM_SIG_MULTI)
 *   34     YARA strings' fingerprint       32 bytes: the SHA-256 of the
 *          (empty: no YARA)                expression list (yara/strings.c)
 *                                          that 31 was built with. The YARA
 *                                          texts in 33 are parsed at load;
 *                                          when their expressions hash to
 *                                          the same value (nothing else was
 *                                          loaded beside them) 31 is used,
 *                                          else compiled again from 28-30
 *                                          and the texts
 *   35     chunk table                     32 B: SHA-256 per chunk
 * Checked at load: header, section bounds, sizes against each other, the
 * chunk table against the header and every chunk against the table, bucket tables, every matcher signature's
 * fields. Checked when followed: name indices, name block offsets and name
 * entries (a bad one reads VGDB_BAD_NAME), packed nodes (unpacked per signature and checked;
 * a bad one never matches). Unknown section ids, versions and flags are
 * refused, so nothing in a file is silently unused.
 *
 * A new format adds its compiled form as new section ids, or, until it
 * has one, travels in section 33 as text with a new kind. */
#ifndef VG_DB_VDB_H
#define VG_DB_VDB_H

#include <stdint.h>
#include "db/engine_int.h"

#define VGDB_VDB_MAGIC "VIGILVDB"
#define VGDB_VDB_VERSION 6u /* 3: columns, front-coded names, packed nodes,
                               * source texts; 4: 256 KiB chunks; 5: YARA
                               * strings database; 6: YARA strings in 31 */
#define VGDB_VDB_HEADER 1024u
#define VGDB_MAX_SECTIONS 39u /* (1024 - 88) / 24 */

enum {
    VGDB_S_NAMES = 1, VGDB_S_NAMEIDX = 2, VGDB_S_HASH0 = 3, /* 3..26: 6 sets x 4 columns */
    VGDB_S_BODY = 27, VGDB_S_MSIGS = 28, VGDB_S_MNODES = 29, VGDB_S_MPOOL = 30,
    VGDB_S_HSDB = 31, VGDB_S_SOURCES = 32, VGDB_S_SRCTEXT = 33, VGDB_S_YARADB = 34,
    VGDB_S_CHUNKS = 35, VGDB_S_LAST = 35
};
enum { VGDB_C_DIG = 0, VGDB_C_LO = 1, VGDB_C_BKT = 2, VGDB_C_NAME = 3 };

/* Load a .vdb into e: mapped and verified now; if e holds nothing else at
 * compile time it runs straight from the mapping, else it is merged. */
vg_status vgdb_vdb_open(vg_engine *e, const char *path);
/* Merge a pending mapped .vdb into the build tables (before more loads). */
vg_status vgdb_vdb_flush(vg_engine *e);
/* At compile: run from the pending mapping. *rebuilt tells whether the
 * Vectorscan part had to be compiled again (this CPU, other YARA
 * expressions). */
vg_status vgdb_vdb_activate(vg_engine *e, int *rebuilt);
/* The body matcher with the YARA strings (engine.c): from p's parts and
 * the file's database hs when hs_fp is the fingerprint of the YARA list
 * (NULL: the file has no YARA strings), else built; p NULL: from e->mb. */
struct vgm_parts;
vg_status vgdb_build_matcher(vg_engine *e, const struct vgm_parts *p, const void *hs,
                             size_t hslen, const uint8_t *hs_fp, int *rebuilt);
void vgdb_vdb_unmap(vg_engine *e);

/* Write compiled engine e to path atomically (temporary file, fsync,
 * rename). `created` goes into the header. */
vg_status vgdb_vdb_write(vg_engine *e, const char *path, uint64_t created);

/* Write size and checksum into a .vdb image in memory whose section
 * table is consistent (the fuzz target uses it to get past the checksum). */
vg_status vgdb_vdb_seal(uint8_t *buf, size_t len);

/* 0: hash one chunk at a time with OpenSSL, as where there is no AVX-512
 * (tests compare the two); 1 (the default): 16 at a time where it can. */
void vgdb_vdb_set_wide(int on);

/* Describe a .vdb (header, sections) on f; for `vigil db info`. */
vg_status vgdb_vdb_describe(const char *path, void *file /* FILE* */, char *err, size_t errlen);

#endif
