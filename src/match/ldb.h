/* match/ldb.h - ClamAV logical signatures (.ldb) and container metadata
 * signatures (.cdb) as the engine holds them, and the per-scan state that
 * evaluates them.
 *
 * Loading (db/load_ldb.c) turns each .ldb line into a vgl_sig: its target
 * description block (target type, size / entry point / section ranges,
 * container constraints), its logical expression (ldb_expr.h) and its
 * subsignatures. Hex subsignatures go into the engine's one matcher as
 * "multi" patterns: the matcher reports every match with its start, so
 * counts like `0>2` work. PCRE and byte-compare subsignatures run after
 * the matcher pass over a buffer, only for signatures that need them.
 *
 * Scanning (ldb_run.c): per buffer, hits are counted per subsignature the
 * way ClamAV counts them (a match counts when it starts after the last
 * counted start of that subsignature); then every signature with a hit,
 * and every signature whose expression can be true without any hit, is
 * evaluated: target and description block first, byte compares, PCREs,
 * then the expression. A signature is reported at most once per object. */
#ifndef VG_MATCH_LDB_H
#define VG_MATCH_LDB_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/status.h"
#include "match/ldb_expr.h"
#include "match/matcher.h"
#include "exe/exe.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define VGL_TRACK 16           /* match starts kept per byte-compare trigger */
#define VGL_MAX_INTERMEDIATES 16
#define VGL_PCRE_MATCH_LIMIT 100000   /* ClamAV's defaults */
#define VGL_PCRE_DEPTH_LIMIT 2000
#define VGL_PCRE_MAX_GLOBAL 100000    /* matches counted for one /g PCRE */

#define VGL_T_NONE (-100)
#define VGL_T_ANY (-1)
#define VGL_T_NEVER (-2)
/* cpio variants, which ClamAV types apart and vigil's type detection does
 * not (VGFT_CPIO): the container stack holds these instead */
#define VGL_T_CPIO_OLD 1000
#define VGL_T_CPIO_ODC 1001
#define VGL_T_CPIO_NEWC 1002
#define VGL_T_CPIO_CRC 1003

enum vgl_sub_kind { VGL_SUB_HEX = 0, VGL_SUB_PCRE, VGL_SUB_BCOMP };

typedef struct vgl_range {
    uint64_t lo, hi;
    uint8_t on;
} vgl_range;

typedef struct vgl_pcre {
    pcre2_code *re;
    vgle_prog trigger;   /* over earlier subsignatures */
    vgm_offset off;      /* VGM_OFF_ANY without an offset */
    uint8_t has_shift;
    uint8_t global, rolling, encompass;
} vgl_pcre;

typedef struct vgl_bcomp {
    uint32_t trigger;    /* subsignature index in the signature */
    int64_t off;         /* from the trigger's match start */
    char type;           /* 'h' hex text, 'd' decimal, 'a' auto, 'i' raw */
    uint8_t le, exact;
    uint8_t noend;       /* h, a or i without l/b: clamscan loads it and it
                            never holds */
    uint32_t nbytes;
    uint8_t ncmp;
    char op[2];
    uint64_t val[2];
} vgl_bcomp;

typedef struct vgl_sub {
    uint8_t kind;        /* vgl_sub_kind */
    uint8_t idx;         /* position in its signature */
    uint16_t pad;
    uint32_t sig;        /* owning signature */
    uint32_t aux;        /* PCRE / BCOMP: index in pcres / bcomps */
    uint32_t track;      /* slot in the run's offset table, or UINT32_MAX */
} vgl_sub;

typedef struct vgl_sig {
    uint32_t name;
    uint8_t target;
    uint8_t nsubs;
    uint8_t always;      /* expression may hold with no hit at all */
    uint8_t post;        /* has PCRE or byte-compare subsignatures */
    uint8_t handler;     /* HandlerType given */
    uint8_t icon;        /* IconGroup1/2: needs .idb icon data */
    uint8_t pad;
    uint8_t nint;        /* Intermediates given */
    uint32_t sub0;       /* first subsignature in vgl_db.subs */
    vgle_prog expr;
    vgl_range fsize, ep, nsect;
    int16_t container;   /* VGL_T_NONE, VGL_T_ANY (top level only),
                            VGL_T_NEVER (a type vigil never assigns) or a
                            vgft type */
    int16_t inter[VGL_MAX_INTERMEDIATES]; /* vgft types; VGL_T_ANY wildcard */
    int16_t htype;       /* HandlerType as a vgft type, or VGL_T_NEVER */
} vgl_sig;

/* .cdb: one container metadata signature */
typedef struct vgl_cdb {
    uint32_t name;
    int16_t ctype;        /* vgft type, VGL_T_ANY, VGL_T_NEVER */
    uint8_t encrypted;    /* 0, 1, or 2 for any */
    uint8_t pad;
    vgl_range csize, fsize_c, fsize_r, pos, res1;
    pcre2_code *re;       /* file name, NULL for any */
} vgl_cdb;

typedef struct vgl_db {
    vgl_sig *sigs;
    uint32_t nsigs, capsigs;
    vgl_sub *subs;
    uint32_t nsubs, capsubs;
    vgl_pcre *pcres;
    uint32_t npcres, cappcres;
    vgl_bcomp *bcomps;
    uint32_t nbcomps, capbcomps;
    uint32_t ntrack;
    vgl_cdb *cdbs;
    uint32_t ncdbs, capcdbs;
    uint32_t *always;    /* signatures evaluated on every buffer (compile) */
    uint32_t nalways;
} vgl_db;

typedef struct vgl_mark {
    uint32_t nsigs, nsubs, npcres, nbcomps, ntrack, ncdbs;
} vgl_mark;

vg_status vgl_db_new(vgl_db **out);
void vgl_db_free(vgl_db *db);
void vgl_mark_take(const vgl_db *db, vgl_mark *mk);
void vgl_mark_rollback(vgl_db *db, const vgl_mark *mk);
/* After loading: build the list of always-evaluated signatures. */
vg_status vgl_db_compile(vgl_db *db);

/* What the evaluator needs to know about the object being scanned. */
typedef struct vgl_obj {
    uint64_t size;             /* the object's size */
    const vg_exe_info *exe;    /* the object parsed as an executable, or NULL */
    const int16_t *anc;        /* vgft types of the enclosing objects, */
    unsigned nanc;             /* outermost first */
} vgl_obj;

typedef struct vgl_run vgl_run;

vg_status vgl_run_new(const vgl_db *db, vgl_run **out);
void vgl_run_free(vgl_run *r);
void vgl_run_object(vgl_run *r);   /* a new object starts */
void vgl_run_buffer(vgl_run *r);   /* a new buffer of the object starts */
/* A match of hex subsignature `sub` starting at `start`. */
void vgl_run_hit(vgl_run *r, const vgl_db *db, uint32_t sub, uint64_t start);

/* Evaluate after the matcher pass over d[0..len). `mask` has the target
 * types that apply to this buffer. found(user, name) for each signature
 * that holds (not reported before in this object); nonzero stops. */
typedef int (*vgl_found_fn)(void *user, uint32_t name);
vg_status vgl_run_eval(vgl_run *r, const vgl_db *db, const vgl_obj *o,
                       const uint8_t *d, size_t len, uint32_t mask,
                       vgl_found_fn found, void *user);

/* The type of a container as .ldb Container/Intermediates and .cdb see
 * it: the vgft type, or for cpio the VGL_T_CPIO_* variant of its magic. */
int16_t vgl_container_type(int vgft, const uint8_t *d, size_t len);

/* HandlerType: after a signature with one matched, the vgft type clamscan
 * would rescan the object as (one layer deeper), else -1. Cleared by the
 * call and by vgl_run_object. */
int vgl_run_take_handler(vgl_run *r);

/* .cdb: members of a container. found() as above. */
typedef struct vgl_member {
    int16_t ctype;             /* vgft type of the container */
    uint64_t csize;            /* container size */
    const char *name;          /* member name ("" if none) */
    uint64_t size_c, size_r;   /* compressed / real size */
    int encrypted;
    uint64_t pos;              /* 1-based position in the container */
    uint64_t crc;              /* CRC-32, or UINT64_MAX if unknown */
} vgl_member;
int vgl_cdb_match(const vgl_db *db, const vgl_member *m, vgl_found_fn found, void *user);

#endif
