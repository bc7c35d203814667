/* db/engine_int.h - the engine's internal layout, shared by the loaders,
 * the compiler and the scan pipeline.
 *
 * Until vg_engine_compile an engine is a set of growing tables; each load
 * call snapshots the table sizes first and truncates back to them if any
 * line fails, so a database is taken whole or not at all. After compile
 * the tables are sorted and frozen and the engine is only read. */
#ifndef VG_DB_ENGINE_INT_H
#define VG_DB_ENGINE_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "vigil/engine.h"
#include "core/hash.h"
#include "match/matcher.h"
#include "match/ldb.h"

struct vgy_rules; /* yara/yara_int.h */
struct vgdb_exehash; /* db/exehash.h */
struct vgdb_ignlist; /* db/ignore.h */

#define VGDB_FLEVEL 216             /* ClamAV 1.4.6's functionality level */
#define VGDB_SIZE_ANY UINT64_MAX
#define VGDB_MAX_LINE (1u << 20)    /* longest database line accepted */
#define VGDB_MAX_NAME 512

#define VGDB_SIZE_MAX 0xfffffffeull /* largest size a hash file may give */

/* A hash signature while loading (db/hashset.c freezes them). */
typedef struct vgdb_hashent {
    uint8_t hash[32];
    uint64_t size;  /* VGDB_SIZE_ANY: any size */
    uint32_t name;  /* index into names */
    uint32_t pad;
} vgdb_hashent;

/* One kind of hash signature (db/hashset.c). Loading appends to e; after
 * compile the set is columns sorted by (size, digest, load order), in
 * memory or mapped from a .vdb: entry j has digest dig + j * dlen, name
 * names[j], and size b << 16 | lo[j] for the bucket b < nb with
 * bkt[b] <= j < bkt[b + 1], or any size for j >= bkt[nb]. */
typedef struct vgdb_hashset {
    vgdb_hashent *e;
    size_t n, cap;
    int any_size;     /* some entry matches any size */
    const uint8_t *dig;
    const uint16_t *lo;
    const uint32_t *bkt;   /* nb + 1 entries */
    const uint32_t *names;
    uint32_t nb;
    uint8_t dlen;
    uint8_t owned;         /* the columns are malloc'd, not mapped */
} vgdb_hashset;

/* What the scanner needs to know about each body signature. */
typedef struct vgdb_bodysig {
    uint32_t name;
} vgdb_bodysig;

/* The text of a source kept for a .vdb (db/srctext.c). */
#define VGDB_SRC_YARA 1u /* .yar .yara */
#define VGDB_SRC_EXEH 2u /* .mdb .msb .imp (and PUA .mdu .msu) */
#define VGDB_SRC_LDB 3u  /* .ldb .cdb (and PUA .ldu) */
typedef struct vgdb_srctext {
    char name[256];
    uint32_t kind;    /* VGDB_SRC_* */
    int official;     /* names without ".UNOFFICIAL" */
    uint64_t nsigs;   /* signatures it gave */
    char *text;
    size_t len;
    uint8_t sha256[32];
} vgdb_srctext;

/* A source file that went into the engine (for `vigil db info` and the
 * release manifest). */
typedef struct vgdb_source {
    char name[256];     /* base name */
    uint64_t size;
    uint8_t sha256[32];
} vgdb_source;

struct vg_engine {
    atomic_int refs;
    int compiled;
    char err[1024];
    /* Names: one string table plus an offset per name. Built in memory by
     * the loaders, or pointing into the mapped .vdb (mapped != 0). */
    char *strtab;
    size_t strtab_len, strtab_cap;
    uint32_t *name_off;
    uint32_t nnames, capnames;
    /* names [0, fc_base) front-coded in a mapped .vdb (db/names.c); the
     * string table then holds those after them */
    uint32_t fc_base;
    const uint8_t *fc_names;
    uint32_t fc_len;
    const uint32_t *fc_idx;
    vgdb_hashset det[VGH_KINDS]; /* detections: .hdb .hsb */
    vgdb_hashset fp[VGH_KINDS];  /* allowlist: .fp .sfp */
    struct vgdb_exehash *exeh;   /* PE hashes: .mdb .msb .imp (db/exehash.c) */
    vgdb_bodysig *body;
    uint32_t nbody, capbody;
    vgm_builder *mb;
    vgm_matcher *m;
    uint64_t nsigs;
    vgdb_source *sources;
    uint32_t nsources, capsources;
    /* compiled database (db/vdb.c) */
    char *pending_vdb; /* a .vdb given as the only database: mapped at compile */
    void *map;
    size_t maplen;
    int mapped;
    uint64_t vdb_created;
    int vdb_rebuilt; /* matcher recompiled for this CPU at load */
    struct vgm_shared_db *vdb_shared; /* its Vectorscan database, made early */
    uint32_t vdb_nmemo, vdb_nmulti, vdb_multi_ids; /* from its check (serial.h) */
    /* sources that go into a .vdb as text (db/srctext.c) */
    int keep_src;
    vgdb_srctext *srct;
    uint32_t nsrct, capsrct;
    /* YARA rules (.yar/.yara), made at the first load or define */
    struct vgy_rules *yara;
    /* .ldb / .cdb signatures (match/ldb.h), made at the first such load */
    vgl_db *ldb;
    int yara_profile;
    vg_yara_string_fn yara_trace;
    void *yara_trace_user;
    /* ignore lists, and what was read but is not used (db/load_cvd.c) */
    struct vgdb_ignlist *ign;
    uint64_t skip_bytecode;    /* .cbc signatures, never executed */
    uint64_t skip_unsupported; /* lines of database types vigil lacks */
    char skip_types[96];       /* their extensions, space-separated */
    uint64_t nftm;             /* .ftm entries parsed, not applied */
};

#define VGDB_NAME_BLOCK 16u
#define VGDB_BAD_NAME "Vigil.Database.BadNameIndex"
extern const char vgdb_bad_name[]; /* what vgdb_name gives for a bad index */

/* Name i; for a mapped .vdb decoded into a buffer of the calling thread,
 * valid until its next call (db/names.c). */
const char *vgdb_name(const vg_engine *e, uint32_t i);
/* Front-coded copy of e's names which[0..count) for a .vdb. */
vg_status vgdb_names_encode(const vg_engine *e, const uint32_t *which, uint32_t count,
                            uint8_t **blob, size_t *len, uint32_t **idx, uint32_t *nidx);

typedef struct vgdb_mark {
    uint32_t nnames, nbody, nmb, nsources;
    size_t strtab_len;
    size_t det[VGH_KINDS], fp[VGH_KINDS];
    size_t nexeh;
    uint64_t nsigs;
    int had_pending;
    uint32_t nyara; /* YARA units */
    uint32_t nsrct;
    vgl_mark ldb;   /* .ldb / .cdb tables */
    size_t nign;
    uint64_t skip_bytecode, skip_unsupported, nftm;
    char skip_types[96];
} vgdb_mark;

vg_status vgdb_source_add(vg_engine *e, const char *path, const void *data, size_t len);
/* Record a source whose hash is already known (from a .vdb). */
vg_status vgdb_source_push(vg_engine *e, const char *name, uint64_t size,
                           const uint8_t sha256[32]);

void vgdb_mark_take(const vg_engine *e, vgdb_mark *mk);
void vgdb_mark_rollback(vg_engine *e, const vgdb_mark *mk);

void vgdb_error(vg_engine *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Add a name (copies; appends ".UNOFFICIAL" when !official). */
vg_status vgdb_name_add(vg_engine *e, const char *name, size_t len, int official,
                        uint32_t *idx);
vg_status vgdb_hash_add(vgdb_hashset *hs, const uint8_t *hash, uint64_t size,
                        uint32_t name);
vg_status vgdb_body_add(vg_engine *e, uint32_t name, uint32_t *idx);

/* Parse one text database (already read into memory). `fname` is used for
 * the extension and error messages. */
vg_status vgdb_load_text(vg_engine *e, const char *fname, const char *text,
                         size_t len, int official);

/* Load one database held in memory by its name's extension, as
 * vg_engine_load_mem does but without its own mark and rollback (the
 * caller's cover it): containers, ignore lists and the other special
 * types (db/load_cvd.c), ignore filtering, then the text loaders. */
vg_status vgdb_load_any(vg_engine *e, const char *name, const char *text, size_t len,
                        int official);
/* A file name vigil loads signatures from (engine.c's table). */
int vgdb_known_ext(const char *name);

/* Source texts (db/srctext.c): keep one (if e->keep_src and its format
 * travels as text); the section for a .vdb, refusing by name any source
 * that would be left out (*nsigs: signatures counted at load instead);
 * compile a section's texts into e; print them for `db info`. */
vg_status vgdb_srctext_add(vg_engine *e, const char *path, const char *text, size_t len,
                           int official, uint64_t nsigs);
void vgdb_srctext_truncate(vg_engine *e, uint32_t n);
void vgdb_srctext_free(vg_engine *e);
vg_status vgdb_srctext_build(vg_engine *e, uint8_t **out, size_t *len, uint64_t *nsigs);
vg_status vgdb_srctext_load(vg_engine *e, const uint8_t *p, uint64_t len);
void vgdb_srctext_describe(const uint8_t *p, uint64_t len, void *file);
/* Patterns of m that are logical subsignatures (VGM_SIG_MULTI). */
uint32_t vgdb_matcher_multi(const vgm_matcher *m);

/* Sort and split into columns (compile); dlen = the kind's digest length. */
vg_status vgdb_hashset_freeze(vgdb_hashset *hs, unsigned dlen);
void vgdb_hashset_free(vgdb_hashset *hs);
/* 1 when a mapped set's bucket table keeps every search inside it. */
int vgdb_hashset_check(const vgdb_hashset *hs);
/* Size of frozen entry j (VGDB_SIZE_ANY for any). */
uint64_t vgdb_hashset_size(const vgdb_hashset *hs, size_t j);

/* .ldb / .cdb text (db/load_ldb.c). */
vg_status vgdb_load_ldb(vg_engine *e, const char *fname, const char *text, size_t len,
                        int official);

/* Lookup after compile: name index of a hash signature matching (kind,
 * size, hash), or -1. */
long vgdb_hash_find(const vgdb_hashset *hs, const uint8_t *hash, uint64_t size);
int vgdb_hash_wants_size(const vgdb_hashset *hs, uint64_t size);

#endif
