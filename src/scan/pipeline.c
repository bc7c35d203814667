/* scan/pipeline.c - one object through the stages, recursively.
 *
 * For each layer (the top-level object, then every extracted member):
 *   1. limits: depth, file count, bytes scanned so far, time;
 *   2. allowlist: if the layer's hash is in .fp/.sfp, it and everything
 *      inside it is clean (hashes computed only when some allowlist entry
 *      has this size);
 *   3. hash signatures, again only for sizes some signature has;
 *   4. type detection, then one matcher pass over the raw bytes with the
 *      target types that apply, and for text one more over the normalised
 *      bytes (target 0 and 7); HTML as clamscan: no target on the raw
 *      bytes (the pass still feeds the hash stage and YARA), targets 0
 *      and 3 on its nocomment and notags copies (fmt/htmlnorm.c);
 *   5. containers: members are extracted one at a time and scanned as
 *      layers one deeper.
 * In first-match mode the scan stops at the first detection; with
 * VG_SCAN_ALLMATCH every signature of every layer is reported. */
#include "scan/scan_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/hash.h"
#include "exe/exe.h"
#include "db/engine_int.h"
#include "db/exehash.h"
#include "fmt/arc.h"
#include "fmt/docs.h"
#include "fmt/peunpack.h"
#include "fmt/htmlnorm.h"
#include "fmt/textnorm.h"
#include "ftype/magic.h"
#include "yara/yara_int.h"

#define VG_MAX_MEMBER_PATH 4096
#define VG_READ_CHUNK (1u << 16)
#define VG_MAX_ANC 64 /* container types kept for .ldb/.cdb checks */

struct vg_scanner {
    vg_engine *e;
    vgm_scratch *ms;
    vgy_scratch *ys; /* YARA strings and verdicts; NULL without YARA rules */
    vgl_run *lr;     /* .ldb counts and verdicts; NULL without .ldb signatures */
    uint8_t *norm;
    size_t normcap;
    uint8_t *hnc, *hnt; /* HTML: clamscan's nocomment and notags copies */
    size_t hnccap, hntcap;
};

typedef struct scan {
    vg_scanner *sc;
    const vg_engine *e;
    const vg_scan_opts *o;
    vg_result *r;
    int stop;
    vg_status err;
    unsigned depth;
    char member[VG_MAX_MEMBER_PATH];
    size_t mlen;
    struct timespec start;
    /* Heuristic alerts (limits, encryption) wait here: as clamscan does,
     * they are reported only when no signature matched, or after the
     * signatures in all-match mode. Each name once per scan. */
    vg_result *heur;
    /* The current layer parsed as an executable (PE, ELF, Mach-O), or NULL:
     * parsed once per layer, used by EP/Sx offsets and section hashes. */
    const vg_exe_info *exe;
    /* .ldb Container/Intermediates and .cdb: the types of the enclosing
     * objects (outermost first), their sizes and members seen so far */
    int16_t anc[VG_MAX_ANC];
    uint64_t anc_size[VG_MAX_ANC], anc_pos[VG_MAX_ANC];
    unsigned nanc;
    int force_type; /* .ldb HandlerType: 1 + the type of the next layer */
    uint64_t obj_len; /* size of the object whose buffer is matched (.ldb
                         FileSize, also for its normalised text) */
    /* The layer's hash signatures, checked between the body pass over its
     * raw bytes and the logical signatures (match_buffer, hash_now). */
    struct pending_hash *ph;
} scan;

void vg_limits_default(vg_limits *lim)
{
    lim->max_filesize = VG_DEFAULT_MAX_FILESIZE;
    lim->max_scansize = VG_DEFAULT_MAX_SCANSIZE;
    lim->max_recursion = VG_DEFAULT_MAX_RECURSION;
    lim->max_files = VG_DEFAULT_MAX_FILES;
    lim->max_ratio = VG_DEFAULT_MAX_RATIO;
    lim->ratio_min_size = VG_DEFAULT_RATIO_MIN_SIZE;
    lim->max_scantime_ms = VG_DEFAULT_MAX_SCANTIME_MS;
}

void vg_scan_opts_default(vg_scan_opts *o)
{
    memset(o, 0, sizeof *o);
    vg_limits_default(&o->limits);
}

vg_status vg_scanner_new(vg_engine *e, vg_scanner **out)
{
    if (!e || !e->compiled)
        return VG_ESTATE;
    vg_scanner *s = calloc(1, sizeof *s);
    if (!s)
        return VG_ENOMEM;
    vg_status st = vgm_scratch_new(e->m, &s->ms);
    if (st != VG_OK) {
        free(s);
        return st;
    }
    if (e->yara && (st = vgy_scratch_new(e->yara, &s->ys)) != VG_OK) {
        vgm_scratch_free(s->ms);
        free(s);
        return st;
    }
    if (e->ldb && (st = vgl_run_new(e->ldb, &s->lr)) != VG_OK) {
        vgy_scratch_free(s->ys);
        vgm_scratch_free(s->ms);
        free(s);
        return st;
    }
    s->e = vg_engine_ref(e);
    *out = s;
    return VG_OK;
}

void vg_scanner_free(vg_scanner *s)
{
    if (!s)
        return;
    vgm_scratch_free(s->ms);
    vgy_scratch_free(s->ys);
    vgl_run_free(s->lr);
    free(s->norm);
    free(s->hnc);
    free(s->hnt);
    vg_engine_free(s->e);
    free(s);
}

/* ---- reporting -------------------------------------------------------- */

static void detect(scan *s, const char *name)
{
    if (s->stop)
        return;
    vg_status st = vgscan_result_add(s->r, name, s->member);
    if (st != VG_OK) {
        s->err = st;
        s->stop = 1;
        return;
    }
    if (!(s->o->flags & VG_SCAN_ALLMATCH))
        s->stop = 1;
}

static const char *limit_name(unsigned which)
{
    switch (which) {
    case VG_LIMIT_FILESIZE: return "Heuristics.Limits.Exceeded.MaxFileSize";
    case VG_LIMIT_SCANSIZE: return "Heuristics.Limits.Exceeded.MaxScanSize";
    case VG_LIMIT_RECURSION: return "Heuristics.Limits.Exceeded.MaxRecursion";
    case VG_LIMIT_FILES: return "Heuristics.Limits.Exceeded.MaxFiles";
    case VG_LIMIT_RATIO: return "Heuristics.Limits.Exceeded.MaxCompressionRatio";
    default: return "Heuristics.Limits.Exceeded.MaxScanTime";
    }
}

static void heuristic(scan *s, const char *name, const char *member)
{
    for (size_t i = 0; i < s->heur->n; i++)
        if (!strcmp(s->heur->d[i].name, name))
            return;
    if (vgscan_result_add(s->heur, name, member) != VG_OK) {
        s->err = VG_ENOMEM;
        s->stop = 1;
    }
}

static void limit_hit(scan *s, unsigned which)
{
    s->r->limits |= which;
    if (s->o->flags & VG_SCAN_ALERT_EXCEEDS_MAX)
        heuristic(s, limit_name(which), s->member);
}

static int time_up(scan *s)
{
    if (!s->o->limits.max_scantime_ms)
        return 0;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ms = (int64_t)(now.tv_sec - s->start.tv_sec) * 1000 +
                 (now.tv_nsec - s->start.tv_nsec) / 1000000;
    return ms > (int64_t)s->o->limits.max_scantime_ms;
}

/* ---- stages ----------------------------------------------------------- */

/* Hash signatures of `sets` matching this layer: calls found(s, name) for
 * each hash kind with a match (MD5, SHA-1, SHA-256, as clamscan reports
 * each in all-match mode) until it returns nonzero; returns whether any
 * matched. Hashes are computed only for kinds with a signature of this
 * size, and each at most once per layer (cache/have). */
static int hash_stage(scan *s, const vgdb_hashset *sets, const uint8_t *d, size_t len,
                      uint8_t (*cache)[32], int *have, int (*found)(scan *, uint32_t))
{
    int any = 0;
    for (int k = 0; k < VGH_KINDS; k++) {
        if (sets[k].n == 0 || !vgdb_hash_wants_size(&sets[k], len))
            continue;
        if (!have[k]) {
            if (vghash_compute((enum vghash_kind)k, d, len, cache[k]) != VG_OK) {
                s->err = VG_ENOMEM;
                s->stop = 1;
                return any;
            }
            have[k] = 1;
        }
        long n = vgdb_hash_find(&sets[k], cache[k], len);
        if (n >= 0) {
            any = 1;
            if (found(s, (uint32_t)n))
                break;
        }
    }
    return any;
}

static int allowlisted(scan *s, uint32_t name)
{
    (void)s;
    (void)name;
    return 1; /* one allowlist hit is enough */
}

static int hash_detected(scan *s, uint32_t name)
{
    detect(s, vgdb_name(s->e, name));
    return s->stop;
}

/* PE section hashes (.mdb/.msb) and import hashes (.imp) of a parsed PE
 * (db/exehash.c). As with .hdb, a digest is computed only when some
 * signature of that kind has this size: each section's raw data as ClamAV
 * maps it (c_raw, c_rsize; empty sections skipped), then the import string
 * of exe/pe.c, of PE32 files only: clamscan checks section hashes of PE32+
 * files too but no import hash (tests/e2e/diff_exe.sh has one of each).
 * Every matching signature is reported (all-match lists fixed-size and `*`
 * ones). */
#define EXEH_MAX_NAMES 64
static void exe_hash_stage(scan *s, const vg_exe_info *x, const uint8_t *d)
{
    const vg_engine *e = s->e;
    uint32_t names[EXEH_MAX_NAMES];
    uint8_t h[32];
    if (x->kind != VG_EXE_PE)
        return;
    if (vgdb_exeh_any(e, VGDB_EXEH_SECT)) {
        for (size_t i = 0; i < x->nsections && !s->stop; i++) {
            const vg_exe_section *sec = &x->sections[i];
            if (!sec->c_rsize)
                continue;
            for (unsigned k = 0; k < VGH_KINDS && !s->stop; k++) {
                if (!vgdb_exeh_wants(e, VGDB_EXEH_SECT, k, sec->c_rsize))
                    continue;
                if (vghash_compute((enum vghash_kind)k, d + sec->c_raw, sec->c_rsize, h) !=
                    VG_OK) {
                    s->err = VG_ENOMEM;
                    s->stop = 1;
                    return;
                }
                size_t n = vgdb_exeh_find(e, VGDB_EXEH_SECT, k, h, sec->c_rsize, names,
                                          EXEH_MAX_NAMES);
                for (size_t j = 0; j < n; j++)
                    detect(s, vgdb_name(e, names[j]));
            }
        }
    }
    if (!vgdb_exeh_any(e, VGDB_EXEH_IMP) || (x->flags & VG_EXE_F_64) || s->stop)
        return;
    char *imp = NULL;
    size_t il = 0;
    if (vg_pe_impstring(x, &imp, &il) == VG_ENOMEM) {
        s->err = VG_ENOMEM;
        s->stop = 1;
        return;
    }
    for (unsigned k = 0; imp && k < VGH_KINDS && !s->stop; k++) {
        if (!vgdb_exeh_wants(e, VGDB_EXEH_IMP, k, il))
            continue;
        if (vghash_compute((enum vghash_kind)k, imp, il, h) != VG_OK) {
            s->err = VG_ENOMEM;
            s->stop = 1;
            break;
        }
        size_t n = vgdb_exeh_find(e, VGDB_EXEH_IMP, k, h, il, names, EXEH_MAX_NAMES);
        for (size_t j = 0; j < n; j++)
            detect(s, vgdb_name(e, names[j]));
    }
    free(imp);
}

static int on_body_hit(void *user, uint32_t id)
{
    scan *s = user;
    detect(s, vgdb_name(s->e, s->e->body[id].name));
    return s->stop;
}

static void on_ldb_hit(void *user, uint32_t sub, uint64_t start)
{
    scan *s = user;
    vgl_run_hit(s->sc->lr, s->e->ldb, sub, start);
}

static int on_ldb_found(void *user, uint32_t name)
{
    scan *s = user;
    detect(s, vgdb_name(s->e, name));
    return s->stop;
}

/* ClamAV's order within one object: body signatures during the pass over
 * its raw bytes, then its hash signatures, then logical signatures; so in
 * first-match mode a body hit is the name clamscan prints, not the hash's,
 * and --all-match lists them in clamscan's order. */
struct pending_hash {
    const uint8_t *d;
    size_t len;
    uint8_t (*cache)[32];
    int *have;
};

static void hash_now(scan *s)
{
    struct pending_hash *p = s->ph;
    s->ph = NULL;
    if (p && !s->stop)
        hash_stage(s, s->e->det, p->d, p->len, p->cache, p->have, hash_detected);
}

static void match_buffer(scan *s, const uint8_t *d, size_t len, uint32_t mask)
{
    if (s->stop || len == 0)
        return;
    if (len > 0xffffffffu) {
        limit_hit(s, VG_LIMIT_FILESIZE);
        return;
    }
    vgl_run *lr = s->sc->lr;
    if (lr) {
        vgl_run_buffer(lr);
        vgm_scratch_set_multi(s->sc->ms, on_ldb_hit, s);
    }
    vg_status st = vgm_scan(s->e->m, s->sc->ms, d, len, mask, on_body_hit, s);
    if (st == VG_OK)
        hash_now(s);
    if (st == VG_OK && lr && !s->stop) {
        /* logical signatures once the pass over this buffer is done */
        vgl_obj o = {s->obj_len, s->exe, s->anc, s->nanc < VG_MAX_ANC ? s->nanc : VG_MAX_ANC};
        st = vgl_run_eval(lr, s->e->ldb, &o, d, len, mask, on_ldb_found, s);
    }
    if (st != VG_OK) {
        s->err = st;
        s->stop = 1;
    }
}

/* grow *buf to at least n bytes; 0 on failure (s stopped with VG_ENOMEM) */
static int grow(scan *s, uint8_t **buf, size_t *cap, size_t n)
{
    if (*cap >= n)
        return 1;
    uint8_t *nb = realloc(*buf, n);
    if (!nb) {
        s->err = VG_ENOMEM;
        s->stop = 1;
        return 0;
    }
    *buf = nb;
    *cap = n;
    return 1;
}

/* An HTML layer: its nocomment and notags copies, each matched with
 * targets 0 and 3 as clamscan does. Returns 1 when out of memory. */
static int html_pass(scan *s, const uint8_t *d, size_t len)
{
    size_t ncap = 2 * len + 16, tcap = ncap < VGHTML_MAX_NOTAGS ? ncap : VGHTML_MAX_NOTAGS;
    if (!grow(s, &s->sc->hnc, &s->sc->hnccap, ncap) || !grow(s, &s->sc->hnt, &s->sc->hntcap, tcap))
        return 1;
    vghtml_out nc = {s->sc->hnc, ncap, 0}, nt = {s->sc->hnt, tcap, 0};
    vghtml_normalize(d, len, &nc, &nt);
    match_buffer(s, nc.buf, nc.len, 1u | (1u << 3));
    match_buffer(s, nt.buf, nt.len, 1u | (1u << 3));
    return 0;
}

/* YARA rules see the raw bytes of the top-level object only, as `yara
 * FILE` does: not archive members, not normalised text. Their strings are
 * in the body matcher's database, so the one pass over those bytes
 * (match_buffer) serves both: yara_begin before it, yara_end after. */
static int on_yara_rule(void *user, const char *rule)
{
    scan *s = user;
    detect(s, rule);
    return s->stop;
}

static void on_yara_string(void *user, const char *rule, const char *sid, int is_hex,
                           uint64_t off, const uint8_t *data, size_t len)
{
    scan *s = user;
    s->e->yara_trace(s->e->yara_trace_user, rule, sid, is_hex, off, data, len);
}

static int on_yara_hit(void *user, uint32_t id, uint64_t end)
{
    scan *s = user;
    return vgy_scan_hit(s->sc->ys, id, end);
}

/* 1 if the YARA rules run on this layer (then yara_end must follow) */
static int yara_begin(scan *s, const uint8_t *d, size_t len)
{
    if (s->stop || !s->sc->ys || s->depth != 0 || s->mlen != 0)
        return 0;
    if (vgy_scan_begin(s->e->yara, s->sc->ys, d, len, s->e->yara_trace != NULL))
        vgm_scratch_set_foreign(s->sc->ms, on_yara_hit, s);
    return 1;
}

static void yara_end(scan *s)
{
    vgm_scratch_set_foreign(s->sc->ms, NULL, NULL);
    vg_status st = vgy_scan_end(s->sc->ys, !s->stop, on_yara_rule,
                                s->e->yara_trace ? on_yara_string : NULL, s);
    if (st != VG_OK) {
        s->err = st;
        s->stop = 1;
    }
}

static void scan_layer(scan *s, const uint8_t *d, size_t len);

static vg_status on_member(void *user, const char *name, const uint8_t *d, size_t len)
{
    scan *s = user;
    if (s->stop)
        return VGARC_STOP;
    if (s->r->files >= s->o->limits.max_files) {
        limit_hit(s, VG_LIMIT_FILES);
        return VGARC_STOP;
    }
    if (s->e->ldb && s->nanc > 0 && s->nanc <= VG_MAX_ANC) {
        /* .cdb: the member as its container lists it */
        unsigned k = s->nanc - 1;
        vgl_member m = {s->anc[k], s->anc_size[k], name ? name : "", len, len, 0,
                        ++s->anc_pos[k], UINT64_MAX};
        if (vgl_cdb_match(s->e->ldb, &m, on_ldb_found, s))
            return VGARC_STOP;
    }
    size_t saved = s->mlen;
    const char *nm = name && *name ? name : "[data]";
    int w = snprintf(s->member + s->mlen, sizeof s->member - s->mlen, "%s%s",
                     s->mlen ? "/" : "", nm);
    if (w > 0)
        s->mlen = s->mlen + (size_t)w >= sizeof s->member ? sizeof s->member - 1
                                                          : s->mlen + (size_t)w;
    s->depth++;
    scan_layer(s, d, len);
    s->depth--;
    s->mlen = saved;
    s->member[saved] = 0;
    return s->stop ? VGARC_STOP : VG_OK;
}

static void on_limit(void *user, unsigned which, const char *name)
{
    (void)name;
    limit_hit(user, which);
}

static void on_encrypted(void *user, const char *kind, const char *name)
{
    scan *s = user;
    s->r->warnings++;
    if (s->o->flags & VG_SCAN_ALERT_ENCRYPTED) {
        char n[96], m[VG_MAX_MEMBER_PATH + 512];
        snprintf(n, sizeof n, "Heuristics.Encrypted.%s", kind);
        int w = snprintf(m, sizeof m, "%s%s%.500s", s->member,
                         s->mlen && name && *name ? "/" : "", name ? name : "");
        if (w < 0)
            m[0] = 0;
        heuristic(s, n, m);
    }
}

static void on_warning(void *user, const char *msg)
{
    scan *s = user;
    (void)msg;
    s->r->warnings++;
}

/* A Mach-O universal binary holds one Mach-O per architecture: each is
 * scanned as a member one level deeper, with its own executable info, as
 * clamscan extracts them (its EP/section offsets never match the fat file
 * itself: tests/e2e/diff_exe.sh). */
static void unibin(scan *s, vgft_type t, const vg_exe_info *x, const uint8_t *d, size_t len)
{
    if (s->depth + 1 >= s->o->limits.max_recursion) {
        limit_hit(s, VG_LIMIT_RECURSION);
        return;
    }
    if (s->nanc < VG_MAX_ANC) {
        s->anc[s->nanc] = (int16_t)t;
        s->anc_size[s->nanc] = len;
        s->anc_pos[s->nanc] = 0;
    }
    s->nanc++;
    for (size_t i = 0; i < x->u.macho.narchs && !s->stop; i++) {
        const vg_macho_arch *a = &x->u.macho.archs[i];
        char nm[32];
        if (!a->size || a->offset >= len || a->size > len - a->offset)
            continue;
        snprintf(nm, sizeof nm, "arch%zu", i);
        if (on_member(s, nm, d + a->offset, (size_t)a->size) != VG_OK)
            break;
    }
    s->nanc--;
}

/* `pe` set: the PE unpackers (fmt/peunpack.c) on that parsed PE instead */
static void extract(scan *s, vgft_type t, const uint8_t *d, size_t len, const vg_exe_info *pe)
{
    /* members sit one level deeper; like clamscan, depth N-1 is the last
     * one scanned with --max-recursion N (the top level is depth 0). A
     * single compressed stream is a level of its own too, as in ClamAV:
     * the .tar inside clam.tar.gz is depth 1, so --max-recursion 1 finds
     * nothing there (clamscan --debug: "Archive recursion limit exceeded
     * (0, max: 1)" on the gzip's data). */
    if (s->depth + 1 >= s->o->limits.max_recursion) {
        limit_hit(s, VG_LIMIT_RECURSION);
        return;
    }
    uint64_t left = s->o->limits.max_scansize > s->r->bytes
                        ? s->o->limits.max_scansize - s->r->bytes : 0;
    vgarc_sink sink = {s, on_member, on_limit, on_encrypted, on_warning,
                       &s->o->limits, s->o->limits.max_filesize, VG_LIMIT_FILESIZE};
    if (left < sink.max_member) {
        sink.max_member = left;
        sink.max_member_limit = VG_LIMIT_SCANSIZE;
    }
    vg_status st = pe ? vgpeunp_extract(pe, d, len, &sink)
                 : vgdoc_handles(t) ? vgdoc_extract(t, d, len, &sink)
                                    : vgarc_extract(t, d, len, &sink);
    if (st != VG_OK && st != VG_EFORMAT && st != VGARC_STOP && !s->err) {
        s->err = st;
        s->stop = 1;
    }
}

static void scan_layer(scan *s, const uint8_t *d, size_t len)
{
    if (s->stop)
        return;
    if (time_up(s)) {
        limit_hit(s, VG_LIMIT_SCANTIME);
        s->stop = 1;
        return;
    }
    if (len > s->o->limits.max_filesize) {
        limit_hit(s, VG_LIMIT_FILESIZE);
        return;
    }
    if (s->r->bytes + len > s->o->limits.max_scansize) {
        limit_hit(s, VG_LIMIT_SCANSIZE);
        return;
    }
    s->r->bytes += len;
    s->r->files++;

    uint8_t hashes[VGH_KINDS][32] = {{0}};
    int have[VGH_KINDS] = {0};
    if (hash_stage(s, s->e->fp, d, len, hashes, have, allowlisted))
        return; /* allowlisted: this layer and all inside it are clean */

    vgft_type t = s->force_type ? (vgft_type)(s->force_type - 1) : vgft_detect(d, len);
    s->force_type = 0;
    int target = vgft_target(t);
    vgm_new_object(s->sc->ms);
    if (s->sc->lr)
        vgl_run_object(s->sc->lr);
    uint32_t mask = 1u;
    if (target != 7 && target != 3)
        mask |= 1u << target;
    if (t == VGFT_BINARY)
        mask |= 1u << 14;
    vg_exe_info exe;
    const vg_exe_info *outer_exe = s->exe;
    int have_exe = 0;
    if (target == 1 || target == 6 || target == 9) {
        vg_status est = vg_exe_parse(d, len, &s->o->limits, &exe);
        if (est == VG_ENOMEM) {
            s->err = est;
            s->stop = 1;
            return;
        }
        have_exe = est == VG_OK;
    }
    /* a universal binary's own layer has no entry point or sections; its
     * Mach-O members (unibin below) do */
    s->exe = have_exe && exe.kind != VG_EXE_MACHO_FAT ? &exe : NULL;
    if (have_exe)
        exe_hash_stage(s, &exe, d);
    vgm_scratch_set_exe(s->sc->ms, s->exe);
    s->obj_len = len;
    int yara = yara_begin(s, d, len);
    struct pending_hash ph = {d, len, hashes, have};
    s->ph = &ph;
    /* HTML as clamscan (HTMLSKIPRAW): body and logical signatures see
     * only its two normalised copies; the raw pass still runs, with no
     * target, for the hash stage and YARA. Beyond ClamAV's
     * MaxHTMLNormalize the raw bytes and the text pass as before. */
    int html = t == VGFT_HTML && len <= VGHTML_MAX_NORMALIZE;
    match_buffer(s, d, len, html ? 0u : mask);
    hash_now(s); /* when match_buffer returned before its pass */
    if (yara)
        yara_end(s);
    vgm_scratch_set_exe(s->sc->ms, NULL);
    int handler = s->sc->lr ? vgl_run_take_handler(s->sc->lr) : -1;
    /* normalised text is for body and logical signatures only */
    if (html && !s->stop && (vgm_matcher_count(s->e->m) > 0 || s->sc->lr)) {
        if (html_pass(s, d, len))
            goto out;
    } else if (vgft_is_text(t) && !s->stop && (vgm_matcher_count(s->e->m) > 0 || s->sc->lr)) {
        if (!grow(s, &s->sc->norm, &s->sc->normcap, len))
            goto out;
        size_t nl = vgtext_normalize(d, len, s->sc->norm);
        match_buffer(s, s->sc->norm, nl, 1u | (1u << (target == 3 ? 3 : 7)));
    }
    if (!s->stop && vgft_is_container(t) && !(s->o->flags & VG_SCAN_NO_UNPACK)) {
        if (s->nanc < VG_MAX_ANC) {
            s->anc[s->nanc] = vgl_container_type(t, d, len);
            s->anc_size[s->nanc] = len;
            s->anc_pos[s->nanc] = 0;
        }
        s->nanc++;
        extract(s, t, d, len, NULL);
        s->nanc--;
    }
    if (have_exe && exe.kind == VG_EXE_MACHO_FAT && !s->stop &&
        !(s->o->flags & VG_SCAN_NO_UNPACK))
        unibin(s, t, &exe, d, len);
    if (have_exe && exe.kind == VG_EXE_PE && !s->stop && !(s->o->flags & VG_SCAN_NO_UNPACK)) {
        /* packed PE (UPX ...): the unpacked file one level deeper */
        if (s->nanc < VG_MAX_ANC) {
            s->anc[s->nanc] = (int16_t)t;
            s->anc_size[s->nanc] = len;
            s->anc_pos[s->nanc] = 0;
        }
        s->nanc++;
        extract(s, t, d, len, &exe);
        s->nanc--;
    }
    if (handler >= 0 && handler != (int)t && !s->stop &&
        s->depth + 1 < s->o->limits.max_recursion) {
        /* an .ldb HandlerType matched: the same bytes again, as that
         * type, one layer deeper (clamscan's rescan) */
        if (s->nanc < VG_MAX_ANC) {
            s->anc[s->nanc] = (int16_t)t;
            s->anc_size[s->nanc] = len;
            s->anc_pos[s->nanc] = 0;
        }
        s->nanc++;
        s->depth++;
        s->force_type = handler + 1;
        scan_layer(s, d, len);
        s->force_type = 0;
        s->depth--;
        s->nanc--;
    }
out:
    if (have_exe)
        vg_exe_free(&exe);
    s->exe = outer_exe;
}

static vg_status scan_top(vg_scanner *sc, const uint8_t *d, size_t len,
                          const vg_scan_opts *o, vg_result **out)
{
    vg_scan_opts def;
    if (!o) {
        vg_scan_opts_default(&def);
        o = &def;
    }
    vg_result *r;
    vg_status st = vgscan_result_new(&r);
    if (st != VG_OK)
        return st;
    scan s;
    memset(&s, 0, sizeof s);
    s.sc = sc;
    s.e = sc->e;
    s.o = o;
    s.r = r;
    r->size = len;
    st = vgscan_result_new(&s.heur);
    if (st != VG_OK) {
        vg_result_free(r);
        return st;
    }
    clock_gettime(CLOCK_MONOTONIC, &s.start);
    scan_layer(&s, d, len);
    if (s.err == VG_OK && (r->n == 0 || (o->flags & VG_SCAN_ALLMATCH))) {
        size_t take = (o->flags & VG_SCAN_ALLMATCH) ? s.heur->n : (s.heur->n ? 1 : 0);
        for (size_t i = 0; i < take && s.err == VG_OK; i++)
            s.err = vgscan_result_add(r, s.heur->d[i].name, s.heur->d[i].member);
    }
    vg_result_free(s.heur);
    if (s.err != VG_OK) {
        vg_result_free(r);
        return s.err;
    }
    *out = r;
    return VG_OK;
}

vg_status vg_scanner_mem(vg_scanner *sc, const void *data, size_t len,
                         const vg_scan_opts *o, vg_result **out)
{
    if (!sc || (!data && len) || !out)
        return VG_EINVAL;
    return scan_top(sc, data, len, o, out);
}

static vg_status errno_status(int e)
{
    return e == ENOENT ? VG_ENOENT : e == EACCES || e == EPERM ? VG_EACCES
           : e == ENOMEM ? VG_ENOMEM : VG_EIO;
}

vg_status vg_scanner_fd(vg_scanner *sc, int fd, const vg_scan_opts *o, vg_result **out)
{
    if (!sc || fd < 0 || !out)
        return VG_EINVAL;
    vg_scan_opts def;
    if (!o) {
        vg_scan_opts_default(&def);
        o = &def;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return errno_status(errno);
    if (S_ISREG(sb.st_mode)) {
        size_t len = (size_t)sb.st_size;
        if (len == 0)
            return scan_top(sc, (const uint8_t *)"", 0, o, out);
        if ((uint64_t)sb.st_size > o->limits.max_filesize) {
            /* not read at all: reported like clamscan, with the limit */
            vg_result *r;
            vg_status st = vgscan_result_new(&r);
            if (st != VG_OK)
                return st;
            r->size = (uint64_t)sb.st_size;
            r->limits |= VG_LIMIT_FILESIZE;
            if (o->flags & VG_SCAN_ALERT_EXCEEDS_MAX)
                st = vgscan_result_add(r, limit_name(VG_LIMIT_FILESIZE), "");
            if (st != VG_OK) {
                vg_result_free(r);
                return st;
            }
            *out = r;
            return VG_OK;
        }
        void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED)
            return errno_status(errno);
        madvise(p, len, MADV_SEQUENTIAL);
        vg_status st = scan_top(sc, p, len, o, out);
        munmap(p, len);
        return st;
    }
    /* pipes, sockets, character devices: read up to the size limit */
    vgbuf b;
    vgbuf_init(&b, o->limits.max_filesize);
    int over = 0;
    for (;;) {
        if (vgbuf_reserve(&b, VG_READ_CHUNK) != VG_OK) {
            if (vgbuf_reserve(&b, 1) != VG_OK) {
                over = 1;
                break;
            }
        }
        size_t room = b.cap - b.len;
        ssize_t n = read(fd, b.data + b.len, room);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            vgbuf_free(&b);
            return errno_status(e);
        }
        if (n == 0)
            break;
        b.len += (size_t)n;
    }
    vg_status st = scan_top(sc, b.data ? b.data : (const uint8_t *)"", b.len, o, out);
    if (st == VG_OK && over) {
        (*out)->limits |= VG_LIMIT_FILESIZE;
        if (o->flags & VG_SCAN_ALERT_EXCEEDS_MAX)
            st = vgscan_result_add(*out, limit_name(VG_LIMIT_FILESIZE), "");
    }
    vgbuf_free(&b);
    return st;
}

vg_status vg_scanner_file(vg_scanner *sc, const char *path, const vg_scan_opts *o,
                          vg_result **out)
{
    if (!sc || !path || !out)
        return VG_EINVAL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return errno_status(errno);
    vg_status st = vg_scanner_fd(sc, fd, o, out);
    close(fd);
    return st;
}

vg_status vg_scan_file(vg_engine *e, const char *path, const vg_scan_opts *o,
                       vg_result **out)
{
    vg_scanner *sc;
    vg_status st = vg_scanner_new(e, &sc);
    if (st == VG_OK) {
        st = vg_scanner_file(sc, path, o, out);
        vg_scanner_free(sc);
    }
    return st;
}

vg_status vg_scan_fd(vg_engine *e, int fd, const vg_scan_opts *o, vg_result **out)
{
    vg_scanner *sc;
    vg_status st = vg_scanner_new(e, &sc);
    if (st == VG_OK) {
        st = vg_scanner_fd(sc, fd, o, out);
        vg_scanner_free(sc);
    }
    return st;
}

vg_status vg_scan_mem(vg_engine *e, const void *data, size_t len,
                      const vg_scan_opts *o, vg_result **out)
{
    vg_scanner *sc;
    vg_status st = vg_scanner_new(e, &sc);
    if (st == VG_OK) {
        st = vg_scanner_mem(sc, data, len, o, out);
        vg_scanner_free(sc);
    }
    return st;
}
