/* db/engine.c - engine life cycle: new, load (all or nothing), compile,
 * reference counting, and the frozen hash tables' lookups. */
#include "db/engine_int.h"
#include "db/exehash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/builtin.h"
#include "db/ignore.h"
#include "db/load_cvd.h"
#include "db/vdb.h"
#include "match/serial.h"
#include "yara/yara_int.h"

const char *vg_version(void) { return "0.1.0"; }

const char *vg_strerror(vg_status st)
{
    switch (st) {
    case VG_OK: return "success";
    case VG_ENOMEM: return "out of memory";
    case VG_EIO: return "input/output error";
    case VG_EFORMAT: return "malformed input";
    case VG_ELIMIT: return "limit exceeded";
    case VG_EVERIFY: return "verification failed";
    case VG_EINVAL: return "invalid argument";
    case VG_ESTATE: return "not allowed in this state";
    case VG_EMATCHER: return "pattern matcher failure";
    case VG_EUNSUPPORTED: return "not supported";
    case VG_ENOENT: return "No such file or directory";
    case VG_EACCES: return "Permission denied";
    }
    return "unknown status";
}

void vgdb_error(vg_engine *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err, sizeof e->err, fmt, ap);
    va_end(ap);
}

vg_status vg_engine_new(vg_engine **out)
{
    vg_engine *e = calloc(1, sizeof *e);
    if (!e)
        return VG_ENOMEM;
    if (vgm_builder_new(&e->mb) != VG_OK) {
        free(e);
        return VG_ENOMEM;
    }
    atomic_init(&e->refs, 1);
    *out = e;
    return VG_OK;
}

vg_engine *vg_engine_ref(vg_engine *e)
{
    if (e)
        atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
    return e;
}

void vg_engine_free(vg_engine *e)
{
    if (!e || atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (int k = 0; k < VGH_KINDS; k++) {
        vgdb_hashset_free(&e->det[k]);
        vgdb_hashset_free(&e->fp[k]);
    }
    vgdb_exeh_free(e);
    free(e->strtab);
    free(e->name_off);
    if (!e->mapped)
        free(e->body);
    vgm_builder_free(e->mb);
    vgm_matcher_free(e->m);
    vgy_rules_free(e->yara);
    vgl_db_free(e->ldb);
    vgdb_ign_free(e->ign);
    free(e->sources);
    vgdb_srctext_free(e);
    free(e->pending_vdb);
    vgdb_vdb_unmap(e);
    free(e);
}

const char *vg_engine_error(const vg_engine *e) { return e ? e->err : ""; }

uint64_t vg_engine_sig_count(const vg_engine *e) { return e ? e->nsigs : 0; }

void vgdb_mark_take(const vg_engine *e, vgdb_mark *mk)
{
    mk->nnames = e->nnames;
    mk->strtab_len = e->strtab_len;
    mk->nsources = e->nsources;
    mk->nbody = e->nbody;
    mk->nmb = vgm_builder_count(e->mb);
    for (int k = 0; k < VGH_KINDS; k++) {
        mk->det[k] = e->det[k].n;
        mk->fp[k] = e->fp[k].n;
    }
    mk->nexeh = vgdb_exeh_count(e);
    mk->nsigs = e->nsigs;
    mk->had_pending = e->pending_vdb != NULL;
    mk->nyara = vgy_rules_units(e->yara);
    mk->nsrct = e->nsrct;
    vgl_mark_take(e->ldb, &mk->ldb);
    mk->nign = vgdb_ign_count(e->ign);
    mk->skip_bytecode = e->skip_bytecode;
    mk->skip_unsupported = e->skip_unsupported;
    mk->nftm = e->nftm;
    memcpy(mk->skip_types, e->skip_types, sizeof mk->skip_types);
}

void vgdb_mark_rollback(vg_engine *e, const vgdb_mark *mk)
{
    e->nnames = mk->nnames;
    e->strtab_len = mk->strtab_len;
    e->nsources = mk->nsources;
    e->nbody = mk->nbody;
    vgm_builder_truncate(e->mb, mk->nmb);
    for (int k = 0; k < VGH_KINDS; k++) {
        e->det[k].n = mk->det[k];
        e->fp[k].n = mk->fp[k];
        e->det[k].any_size = e->fp[k].any_size = 0;
        for (size_t i = 0; i < e->det[k].n; i++)
            if (e->det[k].e[i].size == VGDB_SIZE_ANY)
                e->det[k].any_size = 1;
        for (size_t i = 0; i < e->fp[k].n; i++)
            if (e->fp[k].e[i].size == VGDB_SIZE_ANY)
                e->fp[k].any_size = 1;
    }
    vgdb_exeh_truncate(e, mk->nexeh);
    e->nsigs = mk->nsigs;
    vgy_rules_truncate(e->yara, mk->nyara);
    vgdb_srctext_truncate(e, mk->nsrct);
    vgl_mark_rollback(e->ldb, &mk->ldb);
    vgdb_ign_truncate(e->ign, mk->nign);
    e->skip_bytecode = mk->skip_bytecode;
    e->skip_unsupported = mk->skip_unsupported;
    e->nftm = mk->nftm;
    memcpy(e->skip_types, mk->skip_types, sizeof e->skip_types);
    if (!mk->had_pending && e->pending_vdb) {
        free(e->pending_vdb);
        e->pending_vdb = NULL;
        vgdb_vdb_unmap(e);
    }
}

vg_status vgdb_name_add(vg_engine *e, const char *name, size_t len, int official,
                        uint32_t *idx)
{
    static const char suffix[] = ".UNOFFICIAL";
    /* names below fc_base are in a mapped .vdb (db/names.c) */
    if (e->nnames - e->fc_base == e->capnames) {
        uint32_t cap = e->capnames ? e->capnames * 2 : 64;
        uint32_t *no = realloc(e->name_off, cap * sizeof *no);
        if (!no)
            return VG_ENOMEM;
        e->name_off = no;
        e->capnames = cap;
    }
    size_t extra = official ? 0 : sizeof suffix - 1;
    size_t need = len + extra + 1;
    if (e->strtab_len + need > UINT32_MAX)
        return VG_ELIMIT;
    if (e->strtab_len + need > e->strtab_cap) {
        size_t cap = e->strtab_cap ? e->strtab_cap : 4096;
        while (cap < e->strtab_len + need)
            cap *= 2;
        char *ns = realloc(e->strtab, cap);
        if (!ns)
            return VG_ENOMEM;
        e->strtab = ns;
        e->strtab_cap = cap;
    }
    char *s = e->strtab + e->strtab_len;
    memcpy(s, name, len);
    memcpy(s + len, suffix, extra);
    s[len + extra] = 0;
    e->name_off[e->nnames - e->fc_base] = (uint32_t)e->strtab_len;
    e->strtab_len += need;
    *idx = e->nnames++;
    return VG_OK;
}

vg_status vgdb_source_push(vg_engine *e, const char *name, uint64_t size,
                           const uint8_t sha256[32])
{
    if (e->nsources == e->capsources) {
        uint32_t cap = e->capsources ? e->capsources * 2 : 8;
        vgdb_source *ns = realloc(e->sources, cap * sizeof *ns);
        if (!ns)
            return VG_ENOMEM;
        e->sources = ns;
        e->capsources = cap;
    }
    vgdb_source *src = &e->sources[e->nsources++];
    memset(src, 0, sizeof *src);
    snprintf(src->name, sizeof src->name, "%s", name);
    src->size = size;
    memcpy(src->sha256, sha256, 32);
    return VG_OK;
}

vg_status vgdb_source_add(vg_engine *e, const char *path, const void *data, size_t len)
{
    uint8_t sha[32];
    vg_status st = vghash_compute(VGH_SHA256, data, len, sha);
    if (st != VG_OK)
        return st;
    const char *b = strrchr(path, '/');
    return vgdb_source_push(e, b ? b + 1 : path, len, sha);
}

vg_status vgdb_hash_add(vgdb_hashset *hs, const uint8_t *hash, uint64_t size,
                        uint32_t name)
{
    if (hs->n == hs->cap) {
        size_t cap = hs->cap ? hs->cap * 2 : 256;
        vgdb_hashent *ne = realloc(hs->e, cap * sizeof *ne);
        if (!ne)
            return VG_ENOMEM;
        hs->e = ne;
        hs->cap = cap;
    }
    vgdb_hashent *en = &hs->e[hs->n++];
    memset(en, 0, sizeof *en);
    memcpy(en->hash, hash, 32);
    en->size = size;
    en->name = name;
    if (size == VGDB_SIZE_ANY)
        hs->any_size = 1;
    return VG_OK;
}

vg_status vgdb_body_add(vg_engine *e, uint32_t name, uint32_t *idx)
{
    if (e->nbody == e->capbody) {
        uint32_t cap = e->capbody ? e->capbody * 2 : 64;
        vgdb_bodysig *nb = realloc(e->body, cap * sizeof *nb);
        if (!nb)
            return VG_ENOMEM;
        e->body = nb;
        e->capbody = cap;
    }
    e->body[e->nbody].name = name;
    *idx = e->nbody++;
    return VG_OK;
}

/* ---- loading ---------------------------------------------------------- */

static int known_ext(const char *name)
{
    static const char *const exts[] = {".hdb", ".hsb", ".fp", ".sfp", ".ndb", ".vdb",
                                       ".yar", ".yara", ".ldb", ".cdb", ".mdb", ".msb",
                                       ".imp", NULL};
    size_t n = strlen(name);
    for (int i = 0; exts[i]; i++) {
        size_t k = strlen(exts[i]);
        if (n > k && strcmp(name + n - k, exts[i]) == 0)
            return 1;
    }
    return 0;
}

int vgdb_known_ext(const char *name) { return known_ext(name); }

/* Files a directory load takes: signature files, containers and the other
 * ClamAV types (counted when vigil cannot use them, db/load_cvd.c). */
static int loadable(const char *name)
{
    return known_ext(name) || vgdb_special_ext(name) || vgdb_unsupported_ext(name);
}

static int is_vdb(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && strcmp(path + n - 4, ".vdb") == 0;
}

static int is_yara(const char *path)
{
    size_t n = strlen(path);
    return (n > 4 && strcmp(path + n - 4, ".yar") == 0) ||
           (n > 5 && strcmp(path + n - 5, ".yara") == 0);
}

static int is_ldb(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && (strcmp(path + n - 4, ".ldb") == 0 || strcmp(path + n - 4, ".cdb") == 0);
}

static vg_status yara_rules(vg_engine *e)
{
    if (e->yara)
        return VG_OK;
    vg_status st = vgy_rules_new(&e->yara);
    if (st == VG_OK)
        vgy_rules_set_profile(e->yara, e->yara_profile);
    return st;
}

/* Text of any format: YARA sources by extension, the rest to load_text.c.
 * YARA rule names are reported as they are (no .UNOFFICIAL suffix). */
static vg_status load_text_plain(vg_engine *e, const char *name, const char *text,
                                 size_t len, int official)
{
    if (is_ldb(name))
        return vgdb_load_ldb(e, name, text, len, official);
    if (!is_yara(name))
        return vgdb_load_text(e, name, text, len, official);
    vg_status st = yara_rules(e);
    if (st != VG_OK)
        return st;
    uint64_t before = vgy_rules_count(e->yara);
    st = vgy_rules_add(e->yara, name, text, len, e->err, sizeof e->err);
    if (st == VG_OK)
        e->nsigs += vgy_rules_count(e->yara) - before;
    return st;
}

vg_status vgdb_load_any(vg_engine *e, const char *name, const char *text, size_t len,
                        int official)
{
    vg_status st;
    if (vgdb_special_load(e, name, text, len, official, &st))
        return st;
    char *kept = NULL; /* the text with ignored signatures commented out */
    st = vgdb_ign_filter(e->ign, name, text, len, &kept);
    uint64_t before = e->nsigs;
    if (st == VG_OK)
        st = load_text_plain(e, name, kept ? kept : text, len, official);
    /* Formats that go into a .vdb as text (db/srctext.c); a YARA file with
     * its includes inlined, so the .vdb compiles without the included files. */
    const char *t = kept ? kept : text;
    size_t n = len;
    char *expanded = NULL;
    if (st == VG_OK && e->keep_src && is_yara(name) &&
        (st = vgy_source_expand(name, t, n, &expanded, &n, e->err, sizeof e->err)) == VG_OK)
        t = expanded;
    if (st == VG_OK)
        st = vgdb_srctext_add(e, name, t, n, official, e->nsigs - before);
    free(expanded);
    free(kept);
    return st;
}

static vg_status load_text_any(vg_engine *e, const char *name, const char *text,
                               size_t len, int official)
{
    return vgdb_load_any(e, name, text, len, official);
}

void vg_engine_skipped_get(const vg_engine *e, vg_engine_skipped *out)
{
    memset(out, 0, sizeof *out);
    if (!e)
        return;
    out->bytecode = e->skip_bytecode;
    out->unsupported = e->skip_unsupported;
    out->ftm = e->nftm;
    snprintf(out->types, sizeof out->types, "%s", e->skip_types);
}

vg_status vg_engine_define(vg_engine *e, const char *name, const char *value)
{
    if (!e || !name || !value)
        return VG_EINVAL;
    if (e->compiled)
        return VG_ESTATE;
    vg_status st = yara_rules(e);
    if (st == VG_OK)
        st = vgy_rules_define(e->yara, name, value);
    if (st == VG_EINVAL)
        vgdb_error(e, "invalid external variable name \"%s\"", name);
    return st;
}

void vg_engine_set_yara_profile(vg_engine *e, int on)
{
    if (!e)
        return;
    e->yara_profile = on;
    if (e->yara)
        vgy_rules_set_profile(e->yara, on);
}

size_t vg_engine_yara_profile(const vg_engine *e, vg_yara_profile *out, size_t max)
{
    if (!e || !e->yara || max == 0)
        return 0;
    vgy_prof *p = calloc(max, sizeof *p);
    if (!p)
        return 0;
    size_t n = vgy_rules_profile(e->yara, p, max);
    for (size_t i = 0; i < n; i++) {
        out[i].rule = p[i].rule;
        out[i].cond_ns = p[i].cond_ns;
        out[i].strings_ns = p[i].strings_ns;
    }
    free(p);
    return n;
}

void vg_engine_set_yara_trace(vg_engine *e, vg_yara_string_fn fn, void *user)
{
    if (!e || e->compiled)
        return;
    e->yara_trace = fn;
    e->yara_trace_user = user;
}

static vg_status load_file(vg_engine *e, const char *path)
{
    if (is_vdb(path))
        return vgdb_vdb_open(e, path);
    vg_status fst = vgdb_vdb_flush(e);
    if (fst != VG_OK)
        return fst;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        vgdb_error(e, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? VG_ENOENT : errno == EACCES ? VG_EACCES : VG_EIO;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        vgdb_error(e, "%s: %s", path, strerror(errno));
        close(fd);
        return VG_EIO;
    }
    vg_status st;
    if (sb.st_size == 0) {
        st = load_text_any(e, path, "", 0, 0);
        if (st == VG_OK)
            st = vgdb_source_add(e, path, "", 0);
    } else {
        void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            vgdb_error(e, "%s: %s", path, strerror(errno));
            close(fd);
            return VG_EIO;
        }
        st = load_text_any(e, path, p, (size_t)sb.st_size, 0);
        if (st == VG_OK)
            st = vgdb_source_add(e, path, p, (size_t)sb.st_size);
        munmap(p, (size_t)sb.st_size);
    }
    close(fd);
    return st;
}

static int is_ign(const char *s)
{
    size_t n = strlen(s);
    return (n > 4 && strcmp(s + n - 4, ".ign") == 0) || (n > 5 && strcmp(s + n - 5, ".ign2") == 0);
}

/* Name order, except that ignore lists come first: in a directory they
 * apply to every file, as in clamscan. */
static int cmp_str(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    if (is_ign(x) != is_ign(y))
        return is_ign(x) ? -1 : 1;
    return strcmp(x, y);
}

static vg_status load_dir(vg_engine *e, const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        vgdb_error(e, "%s: %s", path, strerror(errno));
        return VG_EIO;
    }
    char **files = NULL;
    size_t n = 0, cap = 0;
    vg_status st = VG_OK;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!loadable(de->d_name))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nf = realloc(files, cap * sizeof *nf);
            if (!nf) {
                st = VG_ENOMEM;
                break;
            }
            files = nf;
        }
        size_t l = strlen(path) + strlen(de->d_name) + 2;
        files[n] = malloc(l);
        if (!files[n]) {
            st = VG_ENOMEM;
            break;
        }
        snprintf(files[n++], l, "%s/%s", path, de->d_name);
    }
    closedir(d);
    if (st == VG_OK) {
        qsort(files, n, sizeof *files, cmp_str); /* stable load order */
        for (size_t i = 0; i < n && st == VG_OK; i++)
            if (!vgdb_cvd_superseded(files[i])) /* X.cvd beside a newer X.cld */
                st = load_file(e, files[i]);
    }
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    return st;
}

vg_status vg_engine_load(vg_engine *e, const char *path)
{
    if (!e || !path)
        return VG_EINVAL;
    if (e->compiled)
        return VG_ESTATE;
    e->err[0] = 0;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        vgdb_error(e, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? VG_ENOENT : VG_EIO;
    }
    vg_status st = vgdb_vdb_flush(e);
    if (st != VG_OK)
        return st;
    vgdb_mark mk;
    vgdb_mark_take(e, &mk);
    if (S_ISDIR(sb.st_mode))
        st = load_dir(e, path);
    else if (!loadable(path)) {
        vgdb_error(e, "%s: not a supported database file (.hdb .hsb .fp .sfp .ndb .ldb .cdb .mdb .msb .imp .vdb .yar .yara .cvd .cld .cud .ign2)",
                   path);
        st = VG_EUNSUPPORTED;
    } else
        st = load_file(e, path);
    if (st != VG_OK)
        vgdb_mark_rollback(e, &mk);
    return st;
}

vg_status vg_engine_load_mem(vg_engine *e, const char *name, const char *text,
                             size_t len, int official)
{
    if (!e || !name || (!text && len))
        return VG_EINVAL;
    if (e->compiled)
        return VG_ESTATE;
    e->err[0] = 0;
    vg_status st = vgdb_vdb_flush(e);
    if (st != VG_OK)
        return st;
    vgdb_mark mk;
    vgdb_mark_take(e, &mk);
    st = load_text_any(e, name, text ? text : "", len, official);
    if (st == VG_OK)
        st = vgdb_source_add(e, name, text ? text : "", len);
    if (st != VG_OK)
        vgdb_mark_rollback(e, &mk);
    return st;
}

vg_status vg_engine_load_builtin(vg_engine *e)
{
    if (!e)
        return VG_EINVAL;
    vgdb_mark mk;
    vgdb_mark_take(e, &mk);
    vg_status st = VG_OK;
    for (int i = 0; st == VG_OK && vgdb_builtin_files[i].name; i++)
        st = vg_engine_load_mem(e, vgdb_builtin_files[i].name, vgdb_builtin_files[i].text,
                                vgdb_builtin_files[i].len, 1);
    if (st != VG_OK)
        vgdb_mark_rollback(e, &mk);
    return st;
}

/* ---- compile ---------------------------------------------------------- */

/* The body matcher: ClamAV body patterns and the YARA strings' expressions
 * in one Vectorscan database, so each buffer is read once for both. An
 * expression Vectorscan refuses is searched another way by the YARA side,
 * and the database built again (rare: a regex it cannot take whole). A
 * .vdb's matcher is taken from the file when its YARA fingerprint matches
 * (vgdb_vdb_activate), else built the same way from its patterns. */
vg_status vgdb_build_matcher(vg_engine *e, const struct vgm_parts *p, const void *hs, size_t hslen,
                             const uint8_t *hs_fp, int *rebuilt)
{
    vg_status st = VG_OK;
    for (;;) {
        vgy_slist l;
        vgy_rules_list(e->yara, &l);
        vgm_foreign f = {l.ex, l.flags, l.ids, l.n, l.nids};
        int bad = -1;
        if (p) {
            /* the file's database fits if built from this very list (or
             * from none, with no YARA strings) */
            int fits = hs_fp ? !memcmp(hs_fp, l.fp, 32) : l.n == 0;
            st = vgm_from_parts(p, hs, hslen, e->vdb_shared, e->vdb_nmemo, l.n ? &f : NULL,
                                fits, &e->m, rebuilt, &bad, e->err, sizeof e->err);
            e->vdb_shared = NULL; /* the matcher's now, or released */
        } else {
            st = vgm_build_with(e->mb, l.n ? &f : NULL, &e->m, &bad, e->err, sizeof e->err);
        }
        if (st != VG_EMATCHER || bad < 0)
            break;
        if ((st = vgy_rules_refuse(e->yara, (uint32_t)bad, e->err, sizeof e->err)) != VG_OK)
            break;
    }
    vgy_rules_drop_list(e->yara);
    return st;
}

vg_status vg_engine_compile(vg_engine *e)
{
    if (!e)
        return VG_EINVAL;
    if (e->compiled)
        return VG_ESTATE;
    vg_status st = VG_OK;
    if (e->pending_vdb) {
        int rebuilt = 0;
        st = vgdb_vdb_activate(e, &rebuilt);
        if (st != VG_OK)
            return st;
        e->vdb_rebuilt = rebuilt;
        if ((st = vgdb_exeh_freeze(e)) != VG_OK) /* PE hashes from the .vdb's texts */
            return st;
        if ((st = vgl_db_compile(e->ldb)) != VG_OK) /* and logical signatures */
            return st;
        vgm_builder_free(e->mb);
        e->mb = NULL;
        e->compiled = 1;
        return VG_OK;
    }
    for (int k = 0; k < VGH_KINDS && st == VG_OK; k++) {
        st = vgdb_hashset_freeze(&e->det[k], vghash_len[k]);
        if (st == VG_OK)
            st = vgdb_hashset_freeze(&e->fp[k], vghash_len[k]);
    }
    if (st == VG_OK)
        st = vgdb_exeh_freeze(e);
    if (st == VG_OK && e->yara)
        st = vgy_rules_compile(e->yara, e->err, sizeof e->err);
    if (st == VG_OK)
        st = vgdb_build_matcher(e, NULL, NULL, 0, NULL, NULL);
    if (st == VG_OK)
        st = vgl_db_compile(e->ldb);
    if (st != VG_OK)
        return st;
    /* Vectorscan's compiler peaks at many times the size of what it
     * builds; hand the freed heap back so a daemon's RSS is the engine's */
    malloc_trim(0);
    vgm_builder_free(e->mb);
    e->mb = NULL;
    e->compiled = 1;
    return VG_OK;
}
