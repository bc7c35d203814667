/* match/ldb_run.c - the logical signature tables' life cycle, and their
 * evaluation during a scan (see ldb.h for the flow).
 *
 * Per-scan state is sized by the engine and stamped with generations, so
 * a new buffer or object costs O(1), not a clear of every counter. Per
 * buffer the cost is O(hits) for counting plus, per signature touched or
 * always evaluated, O(its expression) and the PCREs / byte compares it
 * has. PCREs run with ClamAV's match and depth limits. */
#include "match/ldb.h"
#include "core/hex.h"
#include "match/offset.h"
#include "ftype/magic.h"

#include <stdlib.h>
#include <string.h>

#define OFF_NONE UINT64_MAX

/* ---- database --------------------------------------------------------- */

vg_status vgl_db_new(vgl_db **out)
{
    vgl_db *db = calloc(1, sizeof *db);
    if (!db)
        return VG_ENOMEM;
    *out = db;
    return VG_OK;
}

void vgl_mark_take(const vgl_db *db, vgl_mark *mk)
{
    memset(mk, 0, sizeof *mk);
    if (!db)
        return;
    mk->nsigs = db->nsigs;
    mk->nsubs = db->nsubs;
    mk->npcres = db->npcres;
    mk->nbcomps = db->nbcomps;
    mk->ntrack = db->ntrack;
    mk->ncdbs = db->ncdbs;
}

void vgl_mark_rollback(vgl_db *db, const vgl_mark *mk)
{
    if (!db)
        return;
    while (db->nsigs > mk->nsigs)
        vgle_free(&db->sigs[--db->nsigs].expr);
    while (db->npcres > mk->npcres) {
        vgl_pcre *p = &db->pcres[--db->npcres];
        pcre2_code_free(p->re);
        vgle_free(&p->trigger);
    }
    while (db->ncdbs > mk->ncdbs)
        pcre2_code_free(db->cdbs[--db->ncdbs].re);
    /* tracking slots given to triggers of rolled-back lines */
    for (uint32_t i = 0; i < mk->nsubs; i++)
        if (db->subs[i].track != UINT32_MAX && db->subs[i].track >= mk->ntrack)
            db->subs[i].track = UINT32_MAX;
    db->nsubs = mk->nsubs;
    db->nbcomps = mk->nbcomps;
    db->ntrack = mk->ntrack;
}

void vgl_db_free(vgl_db *db)
{
    if (!db)
        return;
    vgl_mark zero;
    memset(&zero, 0, sizeof zero);
    vgl_mark_rollback(db, &zero);
    free(db->sigs);
    free(db->subs);
    free(db->pcres);
    free(db->bcomps);
    free(db->cdbs);
    free(db->always);
    free(db);
}

vg_status vgl_db_compile(vgl_db *db)
{
    if (!db)
        return VG_OK;
    free(db->always);
    db->always = NULL;
    db->nalways = 0;
    uint32_t n = 0;
    for (uint32_t i = 0; i < db->nsigs; i++)
        n += db->sigs[i].always;
    if (n == 0)
        return VG_OK;
    db->always = malloc(n * sizeof *db->always);
    if (!db->always)
        return VG_ENOMEM;
    for (uint32_t i = 0; i < db->nsigs; i++)
        if (db->sigs[i].always)
            db->always[db->nalways++] = i;
    return VG_OK;
}

/* ---- scan state ------------------------------------------------------- */

struct vgl_run {
    uint32_t nsubs, nsigs, ntrack;
    uint32_t *cnt, *cgen;   /* per subsignature: count, valid in buffer cgen */
    uint64_t *last;         /* per subsignature: last counted start */
    uint64_t *toff;         /* ntrack * VGL_TRACK starts of byte-compare triggers */
    uint8_t *tn;
    uint32_t *sgen;         /* per signature: touched in this buffer */
    uint32_t *rep;          /* per signature: reported in this object */
    uint32_t *touched;
    uint32_t ntouched;
    uint32_t buf_gen, obj_gen;
    int handler;            /* HandlerType rescan wanted, or -1 */
    pcre2_match_data *md;
    pcre2_match_context *mc;
};

void vgl_run_free(vgl_run *r)
{
    if (!r)
        return;
    free(r->cnt);
    free(r->cgen);
    free(r->last);
    free(r->toff);
    free(r->tn);
    free(r->sgen);
    free(r->rep);
    free(r->touched);
    pcre2_match_data_free(r->md);
    pcre2_match_context_free(r->mc);
    free(r);
}

vg_status vgl_run_new(const vgl_db *db, vgl_run **out)
{
    vgl_run *r = calloc(1, sizeof *r);
    if (!r)
        return VG_ENOMEM;
    r->nsubs = db ? db->nsubs : 0;
    r->nsigs = db ? db->nsigs : 0;
    r->ntrack = db ? db->ntrack : 0;
    size_t ns = r->nsubs ? r->nsubs : 1, ng = r->nsigs ? r->nsigs : 1;
    size_t nt = r->ntrack ? r->ntrack : 1;
    r->cnt = calloc(ns, sizeof *r->cnt);
    r->cgen = calloc(ns, sizeof *r->cgen);
    r->last = calloc(ns, sizeof *r->last);
    r->toff = calloc(nt * VGL_TRACK, sizeof *r->toff);
    r->tn = calloc(nt, 1);
    r->sgen = calloc(ng, sizeof *r->sgen);
    r->rep = calloc(ng, sizeof *r->rep);
    r->touched = calloc(ng, sizeof *r->touched);
    r->md = pcre2_match_data_create(1, NULL);
    r->mc = pcre2_match_context_create(NULL);
    if (!r->cnt || !r->cgen || !r->last || !r->toff || !r->tn || !r->sgen || !r->rep ||
        !r->touched || !r->md || !r->mc) {
        vgl_run_free(r);
        return VG_ENOMEM;
    }
    pcre2_set_match_limit(r->mc, VGL_PCRE_MATCH_LIMIT);
    pcre2_set_depth_limit(r->mc, VGL_PCRE_DEPTH_LIMIT);
    r->buf_gen = r->obj_gen = 1;
    r->handler = -1;
    *out = r;
    return VG_OK;
}

int vgl_run_take_handler(vgl_run *r)
{
    int h = r->handler;
    r->handler = -1;
    return h;
}

void vgl_run_object(vgl_run *r)
{
    r->handler = -1;
    if (++r->obj_gen == 0) {
        memset(r->rep, 0, (r->nsigs ? r->nsigs : 1) * sizeof *r->rep);
        r->obj_gen = 1;
    }
}

void vgl_run_buffer(vgl_run *r)
{
    r->ntouched = 0;
    if (++r->buf_gen == 0) {
        memset(r->cgen, 0, (r->nsubs ? r->nsubs : 1) * sizeof *r->cgen);
        memset(r->sgen, 0, (r->nsigs ? r->nsigs : 1) * sizeof *r->sgen);
        r->buf_gen = 1;
    }
}

void vgl_run_hit(vgl_run *r, const vgl_db *db, uint32_t sub, uint64_t start)
{
    if (sub >= r->nsubs)
        return;
    const vgl_sub *su = &db->subs[sub];
    if (r->cgen[sub] != r->buf_gen) {
        r->cgen[sub] = r->buf_gen;
        r->cnt[sub] = 0;
        r->last[sub] = OFF_NONE;
        if (su->track != UINT32_MAX)
            r->tn[su->track] = 0;
    }
    /* ClamAV counts a match only when it starts after the last one */
    if (r->last[sub] != OFF_NONE && start <= r->last[sub])
        return;
    if (r->cnt[sub] != UINT32_MAX)
        r->cnt[sub]++;
    r->last[sub] = start;
    if (su->track != UINT32_MAX && r->tn[su->track] < VGL_TRACK)
        r->toff[(size_t)su->track * VGL_TRACK + r->tn[su->track]++] = start;
    if (r->sgen[su->sig] != r->buf_gen) {
        r->sgen[su->sig] = r->buf_gen;
        r->touched[r->ntouched++] = su->sig;
    }
}

int16_t vgl_container_type(int vgft, const uint8_t *d, size_t len)
{
    if (vgft != VGFT_CPIO)
        return (int16_t)vgft;
    if (len >= 6 && memcmp(d, "070701", 6) == 0)
        return VGL_T_CPIO_NEWC;
    if (len >= 6 && memcmp(d, "070702", 6) == 0)
        return VGL_T_CPIO_CRC;
    if (len >= 6 && memcmp(d, "070707", 6) == 0)
        return VGL_T_CPIO_ODC;
    return VGL_T_CPIO_OLD;
}

/* ---- target description block ----------------------------------------- */

static int in_range(const vgl_range *rg, uint64_t v) { return !rg->on || (v >= rg->lo && v <= rg->hi); }

static int tdb_ok(const vgl_sig *s, const vgl_obj *o, size_t len, uint32_t mask)
{
    if (!((mask >> s->target) & 1))
        return 0;
    if (s->icon)
        return 0; /* needs .idb icon groups, which vigil does not load */
    (void)len;
    if (!in_range(&s->fsize, o->size)) /* the object's, also for its text */
        return 0;
    if (s->ep.on || s->nsect.on) {
        const vg_exe_info *x = o->exe;
        if (!x || (s->ep.on && (!x->ep_valid || !in_range(&s->ep, x->ep_offset))) ||
            !in_range(&s->nsect, x->nsections))
            return 0;
    }
    if (s->container != VGL_T_NONE) {
        if (s->container == VGL_T_ANY) {
            if (o->nanc != 0)
                return 0;
        } else if (o->nanc == 0 || o->anc[o->nanc - 1] != s->container) {
            return 0;
        }
    }
    if (s->nint) {
        if (o->nanc < s->nint)
            return 0;
        for (unsigned j = 0; j < s->nint; j++) {
            int16_t want = s->inter[j];
            if (want != VGL_T_ANY && want != o->anc[o->nanc - s->nint + j])
                return 0;
        }
    }
    return 1;
}

/* ---- byte compare ----------------------------------------------------- */

/* strtol over at most n characters: spaces, a sign, for base 16 an
 * optional 0x, then digits. *used = characters taken (0 when no digit). */
static int64_t ntol(const char *p, size_t n, int base, size_t *used)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r')))
        i++;
    int neg = 0;
    if (i < n && (p[i] == '+' || p[i] == '-'))
        neg = p[i++] == '-';
    if (base == 16 && i + 2 < n && p[i] == '0' && (p[i + 1] == 'x' || p[i + 1] == 'X') &&
        vg_hexval((uint8_t)p[i + 2]) >= 0)
        i += 2;
    size_t d0 = i;
    uint64_t v = 0;
    for (; i < n; i++) {
        int dv = base == 16 ? vg_hexval((uint8_t)p[i]) : (p[i] >= '0' && p[i] <= '9' ? p[i] - '0' : -1);
        if (dv < 0)
            break;
        v = v * (uint64_t)base + (uint64_t)dv;
    }
    *used = i == d0 ? 0 : i;
    return neg ? -(int64_t)v : (int64_t)v;
}

/* Little-endian hex text to big-endian: pairs of digits in reverse order,
 * the text padded to an even length (after any 0x); a pair that is not
 * hex zeroes what was built so far, as clamscan does. out has n + 2. */
static size_t le_hex(const char *t, size_t n, char *out)
{
    size_t norm = n % 2 ? n + 1 : n;
    char hb[80];
    memset(hb, '0', sizeof hb);
    memset(out, '0', norm + 1);
    if (n == 1) {
        out[0] = t[0];
        out[1] = 0;
        return 1;
    }
    int px = n >= 3 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
    if (norm == n + 1) {
        if (px) {
            memcpy(hb + 3, t + 2, n - 2);
            hb[0] = 'x';
        } else {
            memcpy(hb + 1, t, n);
        }
    } else {
        memcpy(hb, t, n);
        if (px)
            hb[0] = 'x';
    }
    for (size_t i = 0; i < norm; i += 2) {
        char a = hb[norm - i - 2], b2 = hb[norm - i - 1];
        if (vg_hexval((uint8_t)a) < 0 && a != 'x' && a != 'X') {
            memset(out, '0', norm + 1);
            continue;
        }
        out[i] = a;
        if (vg_hexval((uint8_t)b2) < 0 && b2 != 'x' && b2 != 'X')
            memset(out, '0', norm + 1);
        else
            out[i + 1] = b2;
    }
    out[norm] = 0;
    return norm;
}

/* The number at d[pos..pos+nbytes), read as b says; 0 when it fails. */
static int bcomp_value(const vgl_bcomp *b, const uint8_t *d, size_t pos, int64_t *out)
{
    const uint8_t *p = d + pos;
    if (b->type == 'i') {
        uint64_t v = 0;
        for (uint32_t k = 0; k < b->nbytes; k++)
            v = (v << 8) | p[b->le ? b->nbytes - 1 - k : k];
        *out = (int64_t)v;
        return 1;
    }
    /* leading white space does not count */
    size_t pad = 0;
    while (pad < b->nbytes && (p[pad] == ' ' || (p[pad] >= '\t' && p[pad] <= '\r')))
        pad++;
    const char *t = (const char *)p + pad;
    size_t n = b->nbytes - pad;
    char type = b->type;
    if (type == 'a') /* 0x: hex, else decimal (and decimal below 3 bytes) */
        type = n >= 3 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') ? 'h' : 'd';
    size_t used;
    if (type == 'd') {
        if (b->le)
            return 0; /* auto-detected decimal in little-endian: unsupported */
        *out = ntol(t, n, 10, &used);
    } else if (b->le) {
        char buf[80];
        size_t nn = le_hex(t, n, buf);
        *out = ntol(buf, nn, 16, &used);
        return !b->exact || (used == n && pad == 0);
    } else {
        *out = ntol(t, n, 16, &used);
    }
    return !b->exact || (used == n && pad == 0);
}

static int bcomp_at(const vgl_bcomp *b, const uint8_t *d, size_t len, uint64_t start)
{
    if (b->noend)
        return 0; /* as clamscan: no endianness, no conversion */
    int64_t pos = (int64_t)start + b->off;
    if (pos <= 0 || (uint64_t)pos + b->nbytes > len)
        return 0;
    int64_t v;
    if (!bcomp_value(b, d, (size_t)pos, &v))
        return 0;
    for (unsigned k = 0; k < b->ncmp; k++) {
        int64_t c = (int64_t)b->val[k];
        int ok = b->op[k] == '<' ? v < c : b->op[k] == '>' ? v > c : v == c;
        if (!ok)
            return 0;
    }
    return 1;
}

/* ---- PCRE ------------------------------------------------------------- */

/* Matches of one PCRE subsignature in d[0..len) (1 at most without g),
 * with the offset rules clamscan follows (tests/e2e/diff_ldb.sh):
 *   - no offset or `*`: anywhere;
 *   - `n` or `EOF-n`: anchored there, or from there on with r (rolling);
 *   - `n,m`: the match must start in [n, n+m]; with e (encompass) the
 *     subject ends at n+m instead and a match may start anywhere in it. */
static uint32_t pcre_count(vgl_run *r, const vgl_pcre *pc, const vgl_obj *o,
                           const uint8_t *d, size_t len)
{
    size_t start = 0, end = len, last_start = len;
    uint32_t opts = 0;
    if (pc->off.kind != VGM_OFF_ANY) {
        uint64_t lo, hi;
        if (!vgm_offset_range(&pc->off, len, o->exe, &lo, &hi))
            return 0;
        start = (size_t)lo;
        if (pc->has_shift) {
            if (pc->encompass) {
                if (start + pc->off.shift < end)
                    end = start + pc->off.shift;
            } else {
                last_start = (size_t)hi;
            }
        } else if (!pc->rolling && pc->off.kind != VGM_OFF_SE) {
            opts |= PCRE2_ANCHORED;
        }
    }
    uint32_t n = 0;
    size_t at = start;
    while (at <= end) {
        int rc = pcre2_match(pc->re, (PCRE2_SPTR)d, end, at, opts, r->md, r->mc);
        if (rc < 0)
            break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
        if (ov[0] > last_start)
            break;
        n++;
        if (!pc->global || n >= VGL_PCRE_MAX_GLOBAL)
            break;
        size_t next = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        if (next <= at)
            next = at + 1;
        at = next;
    }
    return n;
}

/* ---- evaluation ------------------------------------------------------- */

static int eval_sig(vgl_run *r, const vgl_db *db, uint32_t si, const vgl_obj *o,
                    const uint8_t *d, size_t len, uint32_t mask)
{
    const vgl_sig *s = &db->sigs[si];
    if (r->rep[si] == r->obj_gen || !tdb_ok(s, o, len, mask))
        return 0;
    uint32_t counts[VGLE_MAX_SUBS];
    for (uint32_t i = 0; i < s->nsubs; i++) {
        uint32_t sub = s->sub0 + i;
        counts[i] = r->cgen[sub] == r->buf_gen ? r->cnt[sub] : 0;
    }
    if (s->post) {
        /* byte compares first, then PCREs in their order */
        for (uint32_t i = 0; i < s->nsubs; i++) {
            const vgl_sub *su = &db->subs[s->sub0 + i];
            if (su->kind != VGL_SUB_BCOMP)
                continue;
            const vgl_bcomp *b = &db->bcomps[su->aux];
            uint32_t tsub = s->sub0 + b->trigger;
            const vgl_sub *ts = &db->subs[tsub];
            counts[i] = 0;
            /* clamscan runs byte compares for target-0 signatures only (a
             * Target:1 one never holds, tests/e2e/diff_ldb.sh Exe.bc) */
            if (s->target != 0 || counts[b->trigger] == 0 || ts->track == UINT32_MAX)
                continue;
            /* clamscan compares at the trigger's last counted match */
            counts[i] = (uint32_t)bcomp_at(b, d, len, r->last[tsub]);
        }
        for (uint32_t i = 0; i < s->nsubs; i++) {
            const vgl_sub *su = &db->subs[s->sub0 + i];
            if (su->kind != VGL_SUB_PCRE)
                continue;
            const vgl_pcre *pc = &db->pcres[su->aux];
            counts[i] = vgle_eval(&pc->trigger, counts) ? pcre_count(r, pc, o, d, len) : 0;
        }
    }
    if (!vgle_eval(&s->expr, counts))
        return 0;
    if (s->handler && s->htype >= 0 && r->handler < 0)
        r->handler = s->htype; /* reported, and rescanned as that type */
    r->rep[si] = r->obj_gen;
    return 1;
}

vg_status vgl_run_eval(vgl_run *r, const vgl_db *db, const vgl_obj *o,
                       const uint8_t *d, size_t len, uint32_t mask,
                       vgl_found_fn found, void *user)
{
    if (!db || db->nsigs == 0)
        return VG_OK;
    for (uint32_t k = 0; k < db->nalways; k++) {
        uint32_t si = db->always[k];
        if (r->sgen[si] == r->buf_gen)
            continue; /* touched: done below */
        if (eval_sig(r, db, si, o, d, len, mask) && found(user, db->sigs[si].name))
            return VG_OK;
    }
    for (uint32_t k = 0; k < r->ntouched; k++) {
        uint32_t si = r->touched[k];
        if (eval_sig(r, db, si, o, d, len, mask) && found(user, db->sigs[si].name))
            return VG_OK;
    }
    return VG_OK;
}

/* ---- .cdb ------------------------------------------------------------- */

int vgl_cdb_match(const vgl_db *db, const vgl_member *m, vgl_found_fn found, void *user)
{
    if (!db || db->ncdbs == 0)
        return 0;
    pcre2_match_data *md = NULL;
    int stop = 0;
    for (uint32_t i = 0; i < db->ncdbs && !stop; i++) {
        const vgl_cdb *c = &db->cdbs[i];
        if (c->ctype == VGL_T_NEVER || (c->ctype != VGL_T_ANY && c->ctype != m->ctype))
            continue;
        if (!in_range(&c->csize, m->csize) || !in_range(&c->fsize_r, m->size_r) ||
            !in_range(&c->pos, m->pos))
            continue;
        if (c->fsize_c.on && !in_range(&c->fsize_c, m->size_c))
            continue;
        if (c->res1.on && (m->crc == UINT64_MAX || !in_range(&c->res1, m->crc)))
            continue;
        if (c->encrypted != 2 && c->encrypted != (m->encrypted ? 1 : 0))
            continue;
        if (c->re) {
            if (!md && !(md = pcre2_match_data_create(1, NULL)))
                break;
            const char *nm = m->name ? m->name : "";
            if (pcre2_match(c->re, (PCRE2_SPTR)nm, strlen(nm), 0, 0, md, NULL) < 0)
                continue;
        }
        stop = found(user, c->name);
    }
    pcre2_match_data_free(md);
    return stop;
}
