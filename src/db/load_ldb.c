/* db/load_ldb.c - ClamAV logical signatures (.ldb) and container metadata
 * signatures (.cdb), one line at a time. (.ldu, the PUA variant, is
 * skipped like clamscan without --detect-pua does, db/load_cvd.c.)
 *
 *   .ldb  Name;TargetDescriptionBlock;LogicalExpression;Subsig0;Subsig1;...
 *   .cdb  Name:ContainerType:ContainerSize:FileNameREGEX:FileSizeInContainer:
 *         FileSizeReal:IsEncrypted:FilePos:Res1:Res2[:MinFL[:MaxFL]]
 *
 * Semantics: shared/reference/clamav.md §1.4 and §1.6 and ClamAV's
 * "Logical signatures" page, checked against clamscan 1.4.6 by
 * tests/e2e/diff_ldb.sh. The rules that decide whether a line loads:
 *   - lines as in the other text formats ('#' comments, blank line is an
 *     error, CR/LF dropped), but up to ClamAV's 32 KiB logical-signature
 *     buffer; fields split at ';' except inside a PCRE's /.../;
 *   - `Engine:a-b` is looked at first and must be the first key; a line
 *     outside vigil's FLEVEL (VGDB_FLEVEL, as for .ndb) is dropped
 *     silently whatever else it holds;
 *   - target description keys: Target (required; >= 15 drops the line),
 *     FileSize, EntryPoint and NumberOfSections (targets 1, 6, 9),
 *     Container, Intermediates, IconGroup1/2 (target 1), HandlerType; all
 *     but Target need Engine with a minimum >= 51; ranges are `a-b`; an
 *     unknown key drops the line silently, as clamscan does;
 *   - at most 64 subsignatures, and the expression must use exactly
 *     indexes 0..n-1 (highest index + 1 = number of subsignatures);
 *   - subsignatures: `[offset:]hex[::mods]` (mods i w f a), PCRE
 *     `[offset:]Trigger/regex/[flags]`, byte compare
 *     `Trigger(>>n#opts#cmp[,cmp])`.
 * Offsets: `*`, `n`, `EOF-n`, and for targets 1, 6, 9 the executable
 * ones (EP+n, EP-n, Sx+n, SEx, SL+n, and VI: at a PE version-information
 * string; match/offset.h), all but `*` with `,maxshift`.
 * Refused with "file:line: reason", never loaded as never-matching:
 * macro subsignatures `${min-max}id$`, fuzzy image hashes, `[n-m]` or a
 * negated group in a wide subsignature; in a .cdb, a
 * FileSizeInContainer, Res1 (CRC) or IsEncrypted 1 constraint (libarchive
 * extraction does not give vigil these).
 *
 * IconGroup1/IconGroup2 load and are never reported: ClamAV matches them
 * against icon groups of an .idb database; vigil loads no .idb, and
 * clamscan without one never reports such a signature either (tested).
 * HandlerType: the signature is reported and the object rescanned as that
 * type one layer deeper, as clamscan does (scan/pipeline.c). */
#include "db/engine_int.h"
#include "db/fields.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ftype/magic.h"
#include "match/ldb.h"
#include "match/offset.h"
#include "match/pattern.h"

#define LDB_LINE_MAX 32767   /* ClamAV's logical signature buffer */
#define LDB_MAX_TOKENS (3 + VGLE_MAX_SUBS + 1)

typedef vgdb_field tok;

typedef struct lctx {
    vg_engine *e;
    vgl_db *db;
    const char *file;
    size_t line;
    int official;
} lctx;

static vg_status bad(lctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static vg_status bad(lctx *c, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vgdb_error(c->e, "%s:%zu: %s", c->file, c->line, msg);
    return VG_EFORMAT;
}

static int tok_prefix(const tok *t, const char *s)
{
    size_t n = strlen(s);
    return t->n >= n && memcmp(t->p, s, n) == 0;
}

/* Decimal digits only, whole token, no overflow past 2^64-1. */
static int tok_u64(const tok *t, uint64_t *out)
{
    if (t->n == 0 || t->n > 20)
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (t->p[i] < '0' || t->p[i] > '9')
            return 0;
        uint64_t d = (uint64_t)(t->p[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* Decimal, or hex with 0x. */
static int tok_num(const tok *t, uint64_t *out)
{
    if (t->n > 2 && t->p[0] == '0' && (t->p[1] == 'x' || t->p[1] == 'X')) {
        if (t->n > 18)
            return 0;
        uint64_t v = 0;
        for (size_t i = 2; i < t->n; i++) {
            int c = tolower((unsigned char)t->p[i]);
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0)
                return 0;
            v = v * 16 + (uint64_t)d;
        }
        *out = v;
        return 1;
    }
    return tok_u64(t, out);
}

/* "a-b", or with `single` also "a" (a = b). The target description
 * block takes only "a-b" (clamscan refuses Engine:81 and FileSize:15). */
static int parse_range(const tok *t, vgl_range *r, int single)
{
    const char *dash = memchr(t->p, '-', t->n);
    tok a = *t, b = *t;
    if (!dash && !single)
        return 0;
    if (dash) {
        a.n = (size_t)(dash - t->p);
        b.p = dash + 1;
        b.n = t->n - a.n - 1;
    }
    if (!tok_u64(&a, &r->lo) || !tok_u64(&b, &r->hi) || r->lo > r->hi)
        return 0;
    r->on = 1;
    return 1;
}

/* CL_TYPE_x to a vgft type: -1 for CL_TYPE_ANY, -2 for a type name vigil
 * never assigns (such a constraint never holds), -3 not a CL_TYPE name. */
static int cl_type(const tok *t)
{
    if (vgdb_field_eq(t, "CL_TYPE_ANY"))
        return -1;
    if (!tok_prefix(t, "CL_TYPE_"))
        return -3;
    static const struct { const char *n; int t; } cpio[] = {
        {"CL_TYPE_CPIO_OLD", VGL_T_CPIO_OLD}, {"CL_TYPE_CPIO_ODC", VGL_T_CPIO_ODC},
        {"CL_TYPE_CPIO_NEWC", VGL_T_CPIO_NEWC}, {"CL_TYPE_CPIO_CRC", VGL_T_CPIO_CRC}};
    for (size_t k = 0; k < sizeof cpio / sizeof cpio[0]; k++)
        if (vgdb_field_eq(t, cpio[k].n))
            return cpio[k].t;
    for (int k = 0; k < VGFT_COUNT; k++) {
        const char *nm = vgft_clname((vgft_type)k);
        if (vgdb_field_eq(t, nm) && !(k != VGFT_BINARY && !strcmp(nm, "CL_TYPE_BINARY_DATA")))
            return k;
    }
    return -2;
}

/* ---- growth ----------------------------------------------------------- */

#define GROW(arr, n, cap)                                                         \
    do {                                                                          \
        if ((n) == (cap)) {                                                       \
            uint32_t nc_ = (cap) ? (cap) * 2 : 64;                                \
            void *np_ = realloc((arr), nc_ * sizeof *(arr));                      \
            if (!np_)                                                             \
                return VG_ENOMEM;                                                 \
            (arr) = np_;                                                          \
            (cap) = nc_;                                                          \
        }                                                                         \
    } while (0)

/* ---- target description block ----------------------------------------- */

static vg_status parse_tdb(lctx *c, const tok *blk, vgl_sig *s, int *skip)
{
    tok kv[64];
    size_t n = vgdb_split(blk->p, blk->n, ',', kv, 64);
    if (n == 64)
        return bad(c, "too many target description attributes");
    int have_target = 0, newattr = 0, exeattr = 0;
    uint64_t engine_min = 0;
    for (size_t i = 0; i < n; i++) {
        const char *colon = memchr(kv[i].p, ':', kv[i].n);
        if (!colon)
            return bad(c, "target description attribute '%.*s' has no value", (int)kv[i].n,
                       kv[i].p);
        tok k = {kv[i].p, (size_t)(colon - kv[i].p)};
        tok v = {colon + 1, kv[i].n - k.n - 1};
        vgl_range r;
        if (!vgdb_field_eq(&k, "Engine") && !vgdb_field_eq(&k, "Target"))
            newattr = 1; /* needs Engine >= 51, see below */
        if (vgdb_field_eq(&k, "Engine")) {
            if (i != 0)
                return bad(c, "Engine must be the first target description attribute");
            if (!parse_range(&v, &r, 0))
                return bad(c, "bad Engine range '%.*s'", (int)v.n, v.p);
            engine_min = r.lo;
            if (r.lo > VGDB_FLEVEL || r.hi < VGDB_FLEVEL)
                *skip = 1;
        } else if (vgdb_field_eq(&k, "Target")) {
            uint64_t t;
            if (!tok_u64(&v, &t))
                return bad(c, "bad Target '%.*s'", (int)v.n, v.p);
            if (t >= 15)
                *skip = 1; /* ClamAV skips targets it does not know */
            s->target = (uint8_t)(t < 15 ? t : 0);
            have_target = 1;
        } else if (vgdb_field_eq(&k, "FileSize")) {
            if (!parse_range(&v, &s->fsize, 0))
                return bad(c, "bad FileSize range '%.*s'", (int)v.n, v.p);
        } else if (vgdb_field_eq(&k, "EntryPoint")) {
            exeattr |= 1;
            if (!parse_range(&v, &s->ep, 0))
                return bad(c, "bad EntryPoint range '%.*s'", (int)v.n, v.p);
        } else if (vgdb_field_eq(&k, "NumberOfSections")) {
            exeattr |= 1;
            if (!parse_range(&v, &s->nsect, 0))
                return bad(c, "bad NumberOfSections range '%.*s'", (int)v.n, v.p);
        } else if (vgdb_field_eq(&k, "Container")) {
            int t = cl_type(&v);
            if (t == -3)
                return bad(c, "bad Container type '%.*s'", (int)v.n, v.p);
            s->container = (int16_t)t;
        } else if (vgdb_field_eq(&k, "Intermediates")) {
            tok it[VGL_MAX_INTERMEDIATES + 1];
            size_t m = vgdb_split(v.p, v.n, '>', it, VGL_MAX_INTERMEDIATES + 1);
            if (m > VGL_MAX_INTERMEDIATES)
                return bad(c, "more than %d Intermediates", VGL_MAX_INTERMEDIATES);
            for (size_t j = 0; j < m; j++) {
                int t = cl_type(&it[j]);
                if (t == -3)
                    return bad(c, "bad Intermediates type '%.*s'", (int)it[j].n, it[j].p);
                s->inter[j] = (int16_t)t;
            }
            s->nint = (uint8_t)m;
        } else if (vgdb_field_eq(&k, "IconGroup1") || vgdb_field_eq(&k, "IconGroup2")) {
            exeattr |= 2;
            if (v.n == 0)
                return bad(c, "empty icon group name");
            s->icon = 1;
        } else if (vgdb_field_eq(&k, "HandlerType")) {
            int t = cl_type(&v);
            if (t == -3)
                return bad(c, "bad HandlerType '%.*s'", (int)v.n, v.p);
            s->handler = 1;
            s->htype = (int16_t)(t >= 0 ? t : VGL_T_NEVER);
        } else {
            *skip = 1; /* clamscan drops such a line without a word */
            return VG_OK;
        }
    }
    if (!have_target)
        return bad(c, "no target specified in the target description block");
    if (newattr && engine_min < 51)
        return bad(c, "target description attributes other than Target need Engine with a "
                      "minimum of at least 51");
    if ((exeattr & 1) && s->target != 1 && s->target != 6 && s->target != 9)
        return bad(c, "EntryPoint and NumberOfSections need target 1, 6 or 9");
    if ((exeattr & 2) && s->target != 1)
        return bad(c, "IconGroup needs target 1 (PE)");
    return VG_OK;
}

/* ---- offsets ---------------------------------------------------------- */

/* `*`, `n`, `EOF-n`, and for targets 1, 6 and 9 `EP+n`, `EP-n`, `Sx+n`,
 * `SEx`, `SL+n`, `VI` (match/offset.h), each but `*` with `,maxshift`. */
static vg_status parse_offset(lctx *c, const tok *of, int target, vgm_offset *off,
                              int *has_shift)
{
    memset(off, 0, sizeof *off);
    *has_shift = 0;
    if (vgdb_field_eq(of, "*")) {
        off->kind = VGM_OFF_ANY;
        return VG_OK;
    }
    tok main = *of;
    const char *comma = memchr(of->p, ',', of->n);
    if (comma) {
        main.n = (size_t)(comma - of->p);
        tok sh = {comma + 1, of->n - main.n - 1};
        uint64_t v;
        if (!tok_u64(&sh, &v) || v > UINT32_MAX)
            return bad(c, "invalid offset shift '%.*s'", (int)sh.n, sh.p);
        off->shift = (uint32_t)v;
        *has_shift = 1;
    }
    uint64_t n;
    if (tok_prefix(&main, "EOF-")) {
        tok v = {main.p + 4, main.n - 4};
        if (!tok_u64(&v, &n) || n > UINT32_MAX)
            return bad(c, "invalid offset '%.*s'", (int)of->n, of->p);
        off->kind = VGM_OFF_EOF;
        off->n = n;
        return VG_OK;
    }
    if (tok_u64(&main, &n)) {
        if (n > UINT32_MAX)
            return bad(c, "invalid offset '%.*s'", (int)of->n, of->p);
        off->kind = VGM_OFF_ABS;
        off->n = n;
        return VG_OK;
    }
    int r = 0;
    if (vgdb_field_eq(&main, "VI")) { /* at a PE version-information string */
        off->kind = VGM_OFF_VI;
        off->shift = 0; /* clamscan ignores a maxshift here (VI,4 = VI) */
        r = 1;
    } else {
        r = vgm_offset_parse_exe(main.p, main.n, off);
    }
    if (r == 1) {
        if (target != 1 && target != 6 && target != 9)
            return bad(c, "Invalid offset type for target %d", target);
        return VG_OK;
    }
    return bad(c, "invalid offset '%.*s'", (int)of->n, of->p);
}

/* ---- hex subsignatures ------------------------------------------------ */

static int hexd(char ch) { return isxdigit((unsigned char)ch) || ch == '?'; }

/* The wide form of a hex pattern: every byte token (`??` and nibbles
 * too) gets a 00 byte after it; jumps `*` `{n-m}` and anchors stay as
 * they are, as in clamscan (6865??6c6f::w matches "h.e.X.l.o.", not
 * "h.e.XYl.o."). NULL on allocation failure. */
static char *widen(const char *h, size_t n, size_t *outn)
{
    char *o = malloc(2 * n + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (h[i] == '{' || h[i] == '[') {
            char close = h[i] == '{' ? '}' : ']';
            while (i < n && h[i] != close)
                o[k++] = h[i++];
            if (i < n)
                o[k++] = h[i++];
        } else if (h[i] == '(' && i + 2 < n && h[i + 2] == ')' &&
                   (h[i + 1] == 'B' || h[i + 1] == 'L' || h[i + 1] == 'W')) {
            memcpy(o + k, h + i, 3);
            k += 3;
            i += 3;
        } else if (i + 1 < n && hexd(h[i]) && hexd(h[i + 1])) {
            o[k++] = h[i];
            o[k++] = h[i + 1];
            o[k++] = '0';
            o[k++] = '0';
            i += 2;
        } else {
            o[k++] = h[i++];
        }
    }
    o[k] = 0;
    *outn = k;
    return o;
}

static int upcase_mv(uint8_t *mask, uint8_t *val)
{
    if (*mask == 0xff && isalpha(*val)) {
        *mask = 0xdf;
        *val = (uint8_t)toupper(*val);
        return 1;
    }
    return 0;
}

/* Case-insensitive: literal letters match either case. */
static void nocase(vgp_pattern *p)
{
    for (uint32_t i = 0; i < p->nnodes; i++) {
        vgp_node *n = &p->nodes[i];
        switch (n->kind) {
        case VGP_BYTE:
        case VGP_CH:
            upcase_mv(&n->mask, &n->val);
            break;
        case VGP_SET: {
            uint8_t *set = p->pool + n->pool;
            for (unsigned b = 'A'; b <= 'Z'; b++) {
                unsigned l = b + 32;
                int any = (set[b >> 3] >> (b & 7) & 1) | (set[l >> 3] >> (l & 7) & 1);
                if (any) {
                    set[b >> 3] |= (uint8_t)(1u << (b & 7));
                    set[l >> 3] |= (uint8_t)(1u << (l & 7));
                }
            }
            break;
        }
        case VGP_ALT:
            for (uint32_t k = 0; k < n->a * n->b; k++)
                upcase_mv(&p->pool[n->pool + 2 * k], &p->pool[n->pool + 2 * k + 1]);
            break;
        case VGP_GALT: {
            uint32_t off = n->pool;
            for (uint32_t a = 0; a < n->a; a++) {
                uint32_t l = p->pool[off++];
                for (uint32_t k = 0; k < l; k++, off += 2)
                    upcase_mv(&p->pool[off], &p->pool[off + 1]);
            }
            break;
        }
        default:
            break;
        }
    }
}

static vg_status add_hex(lctx *c, vgl_sig *s, const char *hex, size_t n, int ci,
                         const vgm_offset *off, uint32_t subid)
{
    vgp_pattern pat;
    char err[512];
    vgp_opts po = {s->target, 1}; /* subsignatures go to ClamAV's Aho-Corasick */
    vg_status st = vgp_parse_opts(hex, n, &po, &pat, err, sizeof err);
    if (st == VG_EFORMAT)
        return bad(c, "bad subsignature pattern: %s", err);
    if (st)
        return st;
    if (ci)
        nocase(&pat);
    st = vgm_builder_add_multi(c->e->mb, &pat, off, s->target, subid);
    vgp_free(&pat);
    return st;
}

static vg_status hex_sub(lctx *c, vgl_sig *s, tok sub, uint32_t subid)
{
    tok mods = {NULL, 0};
    const char *dc = memmem(sub.p, sub.n, "::", 2);
    if (dc && memmem(dc + 2, sub.n - (size_t)(dc + 2 - sub.p), "::", 2)) {
        /* two "::" blocks: clamscan keeps the pattern before the first and
         * applies no modifier at all (414243::i*444546::i matches "ABC",
         * case-sensitive, anywhere; one line of main.ldb has this form) */
        sub.n = (size_t)(dc - sub.p);
    }
    for (size_t i = 0; i + 1 < sub.n; i++)
        if (sub.p[i] == ':' && sub.p[i + 1] == ':') {
            mods.p = sub.p + i + 2;
            mods.n = sub.n - i - 2;
            sub.n = i;
            break;
        }
    int ci = 0, wide = 0, full = 0, ascii = 0;
    for (size_t i = 0; i < mods.n; i++) {
        switch (mods.p[i]) {
        case 'i': ci = 1; break;
        case 'w': wide = 1; break;
        case 'f': full = 1; break;
        case 'a': ascii = 1; break;
        default:
            return bad(c, "unknown subsignature modifier '%c'", mods.p[i]);
        }
    }
    vgm_offset off = {VGM_OFF_ANY, 0, 0};
    const char *colon = memchr(sub.p, ':', sub.n);
    if (colon) {
        tok of = {sub.p, (size_t)(colon - sub.p)};
        int has_shift;
        vg_status st = parse_offset(c, &of, s->target, &off, &has_shift);
        if (st)
            return st;
        sub.p = colon + 1;
        sub.n -= of.n + 1;
    }
    if (sub.n == 0)
        return bad(c, "empty subsignature");
    if (memchr(sub.p, ':', sub.n))
        return bad(c, "bad subsignature '%.*s'", (int)(sub.n > 64 ? 64 : sub.n), sub.p);
    /* fullword: ClamAV wraps the pattern in (W) tests */
    size_t bl = sub.n + 7;
    char *base = malloc(bl);
    if (!base)
        return VG_ENOMEM;
    int w = snprintf(base, bl, "%s%.*s%s", full ? "(W)" : "", (int)sub.n, sub.p, full ? "(W)" : "");
    size_t baselen = w > 0 ? (size_t)w : 0;
    vg_status st = VG_OK;
    if (!wide || ascii)
        st = add_hex(c, s, base, baselen, ci, &off, subid);
    if (st == VG_OK && wide && memchr(sub.p, '[', sub.n))
        st = bad(c, "[n-m] ranges in a wide (::w) subsignature are not supported");
    if (st == VG_OK && wide && memmem(sub.p, sub.n, "!(", 2))
        st = bad(c, "Can't apply negation operation to generic alternate strings "
                    "(a negated group in a wide subsignature)");
    if (st == VG_OK && wide) {
        size_t wl;
        char *wh = widen(base, baselen, &wl);
        if (!wh)
            st = VG_ENOMEM;
        else
            st = add_hex(c, s, wh, wl, ci, &off, subid);
        free(wh);
    }
    free(base);
    return st;
}

/* ---- PCRE subsignatures ----------------------------------------------- */

/* ClamAV's PCRE flags (g r e: its own; i s m x A E U: PCRE options). What
 * follows "::" is ignored, as clamscan ignores it ("sig::i" in the wmetcalf
 * set is not caseless there: 0/hello/::i misses "Hello", any letters load). */
static vg_status pcre_flags(lctx *c, const tok *flags, vgl_pcre *pc, uint32_t *opts)
{
    for (size_t i = 0; i < flags->n; i++) {
        char f = flags->p[i];
        if (f == ':' && i + 1 < flags->n && flags->p[i + 1] == ':')
            break;
        switch (f) {
        case 'g': pc->global = 1; break;
        case 'r': pc->rolling = 1; break;
        case 'e': pc->encompass = 1; break;
        case 'i': *opts |= PCRE2_CASELESS; break;
        case 's': *opts |= PCRE2_DOTALL; break;
        case 'm': *opts |= PCRE2_MULTILINE; break;
        case 'x': *opts |= PCRE2_EXTENDED; break;
        case 'A': *opts |= PCRE2_ANCHORED; break;
        case 'E': *opts |= PCRE2_DOLLAR_ENDONLY; break;
        case 'U': *opts |= PCRE2_UNGREEDY; break;
        default:
            return bad(c, "unknown PCRE flag '%c'", f);
        }
    }
    return VG_OK;
}

static vg_status pcre_sub(lctx *c, vgl_sig *s, tok sub, uint32_t idx, uint32_t *aux)
{
    const char *sl1 = memchr(sub.p, '/', sub.n);
    const char *sl2 = sub.p + sub.n;
    while (sl2 > sl1 && sl2[-1] != '/')
        sl2--;
    sl2--; /* the last '/' */
    if (sl2 <= sl1)
        return bad(c, "PCRE subsignature without a closing '/'");
    tok pre = {sub.p, (size_t)(sl1 - sub.p)};
    tok re = {sl1 + 1, (size_t)(sl2 - sl1 - 1)};
    tok flags = {sl2 + 1, (size_t)(sub.p + sub.n - sl2 - 1)};
    vgl_pcre pc;
    memset(&pc, 0, sizeof pc);
    pc.off.kind = VGM_OFF_ANY;
    const char *colon = memchr(pre.p, ':', pre.n);
    if (colon) {
        tok of = {pre.p, (size_t)(colon - pre.p)};
        int hs;
        vg_status st = parse_offset(c, &of, s->target, &pc.off, &hs);
        if (st)
            return st;
        pc.has_shift = (uint8_t)hs;
        if (pc.off.kind == VGM_OFF_VI) { /* clamscan: anywhere, even with no
                                            version information at all */
            pc.off.kind = VGM_OFF_ANY;
            pc.has_shift = 0;
        }
        pre.p = colon + 1;
        pre.n -= of.n + 1;
    }
    if (pre.n == 0)
        return bad(c, "PCRE subsignature without a trigger");
    if (re.n == 0)
        return bad(c, "empty PCRE");
    uint32_t opts = 0;
    vg_status st = pcre_flags(c, &flags, &pc, &opts);
    if (st)
        return st;
    char err[256];
    st = vgle_parse(pre.p, pre.n, idx, &pc.trigger, err, sizeof err);
    if (st == VG_EFORMAT)
        return bad(c, "PCRE trigger (may use only earlier subsignatures): %s", err);
    if (st)
        return st;
    int ec;
    PCRE2_SIZE eo;
    pc.re = pcre2_compile((PCRE2_SPTR)re.p, re.n, opts | PCRE2_NEVER_UTF, &ec, &eo, NULL);
    if (!pc.re) {
        PCRE2_UCHAR msg[200];
        pcre2_get_error_message(ec, msg, sizeof msg);
        vgle_free(&pc.trigger);
        return bad(c, "PCRE does not compile at %zu: %s", (size_t)eo, (const char *)msg);
    }
    vgl_db *db = c->db;
    if (db->npcres == db->cappcres) {
        uint32_t nc = db->cappcres ? db->cappcres * 2 : 64;
        vgl_pcre *np = realloc(db->pcres, nc * sizeof *np);
        if (!np) {
            pcre2_code_free(pc.re);
            vgle_free(&pc.trigger);
            return VG_ENOMEM;
        }
        db->pcres = np;
        db->cappcres = nc;
    }
    *aux = db->npcres;
    db->pcres[db->npcres++] = pc;
    return VG_OK;
}

/* ---- byte compare ----------------------------------------------------- */

/* Trigger(>>off#opts#cmp[,cmp]) */
static vg_status bcomp_sub(lctx *c, tok sub, uint32_t idx, uint32_t *aux, uint32_t *trig)
{
    const char *lp = memchr(sub.p, '(', sub.n);
    if (!lp || sub.p[sub.n - 1] != ')')
        return bad(c, "bad byte compare subsignature");
    tok t = {sub.p, (size_t)(lp - sub.p)};
    uint64_t tr;
    if (!tok_u64(&t, &tr))
        return bad(c, "byte compare trigger must be one subsignature index");
    if (tr >= idx)
        return bad(c, "byte compare trigger must be an earlier subsignature");
    tok body = {lp + 1, (size_t)(sub.p + sub.n - 1 - lp - 1)};
    tok f[4];
    if (vgdb_split(body.p, body.n, '#', f, 4) != 3)
        return bad(c, "byte compare needs offset#options#comparisons");
    vgl_bcomp b;
    memset(&b, 0, sizeof b);
    b.trigger = (uint32_t)tr;
    int neg;
    if (tok_prefix(&f[0], ">>"))
        neg = 0;
    else if (tok_prefix(&f[0], "<<"))
        neg = 1;
    else
        return bad(c, "byte compare offset must start with >> or <<");
    tok on = {f[0].p + 2, f[0].n - 2};
    uint64_t ov;
    if (!tok_num(&on, &ov) || ov > INT32_MAX)
        return bad(c, "bad byte compare offset '%.*s'", (int)on.n, on.p);
    b.off = neg ? -(int64_t)ov : (int64_t)ov;
    size_t i = 0;
    tok o = f[1];
    if (i < o.n && strchr("hdai", o.p[i]))
        b.type = o.p[i++];
    else
        return bad(c, "byte compare type must be h, d, a or i");
    b.le = 0;
    if (i < o.n && (o.p[i] == 'l' || o.p[i] == 'b'))
        b.le = o.p[i++] == 'l';
    else if (b.type != 'd')
        b.noend = 1; /* decimal is big-endian by default, the others have none */
    if (b.type == 'd' && b.le)
        return bad(c, "byte compare: decimal cannot be little-endian");
    if (i < o.n && o.p[i] == 'e') {
        b.exact = 1;
        i++;
    }
    tok nb = {o.p + i, o.n - i};
    uint64_t nbytes;
    if (!tok_num(&nb, &nbytes) || nbytes == 0 || nbytes > 64 /* fits le_hex */)
        return bad(c, "bad byte compare length '%.*s'", (int)nb.n, nb.p);
    if (b.type == 'i') {
        if (nbytes != 1 && nbytes != 2 && nbytes != 4 && nbytes != 8)
            return bad(c, "raw byte compare reads 1, 2, 4 or 8 bytes");
        b.exact = 1;
    }
    b.nbytes = (uint32_t)nbytes;
    tok cmps[3];
    size_t nc = vgdb_split(f[2].p, f[2].n, ',', cmps, 3);
    if (nc > 2)
        return bad(c, "at most two byte compare comparisons");
    for (size_t k = 0; k < nc; k++) {
        if (cmps[k].n < 2 || !strchr("<>=", cmps[k].p[0]))
            return bad(c, "byte compare comparison must be <, > or = and a value");
        tok v = {cmps[k].p + 1, cmps[k].n - 1};
        if (!tok_num(&v, &b.val[k]))
            return bad(c, "bad byte compare value '%.*s'", (int)v.n, v.p);
        b.op[k] = cmps[k].p[0];
    }
    b.ncmp = (uint8_t)nc;
    vgl_db *db = c->db;
    GROW(db->bcomps, db->nbcomps, db->capbcomps);
    *aux = db->nbcomps;
    *trig = b.trigger;
    db->bcomps[db->nbcomps++] = b;
    return VG_OK;
}

static int is_bcomp(const tok *s)
{
    size_t i = 0;
    while (i < s->n && isdigit((unsigned char)s->p[i]))
        i++;
    return i > 0 && i < s->n && s->p[i] == '(' && memchr(s->p, '#', s->n) &&
           s->p[s->n - 1] == ')' && i + 2 < s->n && (s->p[i + 1] == '>' || s->p[i + 1] == '<');
}

/* ---- one .ldb line ---------------------------------------------------- */

/* Split an .ldb line at ';' as clamscan does: from the fourth field on, an
 * unescaped '/' opens or closes a PCRE, inside which ';' does not split. */
static size_t split_ldb(const char *s, size_t len, tok *t, size_t max)
{
    size_t n = 0, start = 0, i = 0;
    int in_re = 0;
    while (n < max) {
        for (; i < len; i++) {
            if (!in_re && s[i] == ';')
                break;
            if (n >= 3 && s[i] == '/' && i > 0 && s[i - 1] != '\\')
                in_re = !in_re;
        }
        t[n].p = s + start;
        t[n].n = i - start;
        n++;
        if (i >= len)
            break;
        start = ++i;
    }
    return n;
}

/* Subsignature i of signature s (its index sigidx): appended to the table
 * and, by its form, to the matcher, the PCREs or the byte compares. */
static vg_status add_subsig(lctx *c, vgl_sig *s, uint32_t sigidx, tok sub, uint32_t i)
{
    vgl_db *db = c->db;
    if (db->nsubs == db->capsubs) {
        uint32_t ncap = db->capsubs ? db->capsubs * 2 : 256;
        vgl_sub *ns = realloc(db->subs, ncap * sizeof *ns);
        if (!ns)
            return VG_ENOMEM;
        db->subs = ns;
        db->capsubs = ncap;
    }
    vgl_sub *su = &db->subs[db->nsubs];
    memset(su, 0, sizeof *su);
    su->idx = (uint8_t)i;
    su->sig = sigidx;
    su->track = UINT32_MAX;
    uint32_t subid = db->nsubs++;
    if (sub.n == 0)
        return bad(c, "empty subsignature %u", i);
    if (sub.p[0] == '$')
        return bad(c, "macro subsignatures (${min-max}id$) are not supported");
    if (tok_prefix(&sub, "fuzzy_img#"))
        return bad(c, "fuzzy image hash subsignatures are not supported");
    if (memchr(sub.p, '/', sub.n)) {
        su->kind = VGL_SUB_PCRE;
        s->post = 1;
        return pcre_sub(c, s, sub, i, &su->aux);
    }
    if (is_bcomp(&sub)) {
        su->kind = VGL_SUB_BCOMP;
        s->post = 1;
        uint32_t trig = 0;
        vg_status st = bcomp_sub(c, sub, i, &su->aux, &trig);
        if (st)
            return st;
        vgl_sub *ts = &db->subs[s->sub0 + trig];
        if (ts->kind != VGL_SUB_HEX)
            return bad(c, "byte compare trigger must be a hex subsignature");
        if (ts->track == UINT32_MAX)
            ts->track = db->ntrack++;
        return VG_OK;
    }
    su->kind = VGL_SUB_HEX;
    return hex_sub(c, s, sub, subid);
}

static vg_status ldb_line(lctx *c, const char *line, size_t len)
{
    tok t[LDB_MAX_TOKENS];
    size_t nt = split_ldb(line, len, t, LDB_MAX_TOKENS);
    if (nt < 4)
        return bad(c, "expected Name;TargetDescriptionBlock;LogicalExpression;Subsig0[;...]");
    if (nt - 3 > VGLE_MAX_SUBS)
        return bad(c, "more than %d subsignatures", VGLE_MAX_SUBS);
    /* Engine first: a line for other engines is dropped whatever it holds */
    if (tok_prefix(&t[1], "Engine:")) {
        tok eng = {t[1].p + 7, t[1].n - 7};
        const char *cm = memchr(eng.p, ',', eng.n);
        if (cm)
            eng.n = (size_t)(cm - eng.p);
        vgl_range r;
        if (parse_range(&eng, &r, 0) && (r.lo > VGDB_FLEVEL || r.hi < VGDB_FLEVEL))
            return VG_OK;
    }
    vgl_sig s;
    memset(&s, 0, sizeof s);
    s.container = VGL_T_NONE;
    int skip = 0;
    vg_status st = parse_tdb(c, &t[1], &s, &skip);
    if (st || skip)
        return st;
    tok name = t[0];
    if (!vgdb_clean_name(&name))
        return bad(c, "empty signature name");
    uint32_t nsubs = (uint32_t)(nt - 3);
    char err[256];
    st = vgle_parse(t[2].p, t[2].n, VGLE_MAX_SUBS, &s.expr, err, sizeof err);
    if (st == VG_EFORMAT)
        return bad(c, "%s", err);
    if (st)
        return st;
    if (s.expr.maxid + 1 != nsubs) {
        vgle_free(&s.expr);
        return bad(c, "the logical expression uses %u subsignatures, the line has %u",
                   s.expr.maxid + 1, nsubs);
    }
    s.nsubs = (uint8_t)nsubs;
    vgl_db *db = c->db;
    s.sub0 = db->nsubs;
    for (uint32_t i = 0; i < nsubs && st == VG_OK; i++)
        st = add_subsig(c, &s, db->nsigs, t[3 + i], i);
    if (st == VG_OK) {
        uint32_t zero[VGLE_MAX_SUBS] = {0};
        s.always = (uint8_t)vgle_eval(&s.expr, zero);
        if (s.post) /* a PCRE or byte compare may hold with no hex hit */
            s.always = 1;
        st = vgdb_name_add(c->e, name.p, name.n, c->official, &s.name);
    }
    if (st == VG_OK && db->nsigs == db->capsigs) {
        uint32_t ncap = db->capsigs ? db->capsigs * 2 : 64;
        vgl_sig *ns = realloc(db->sigs, ncap * sizeof *ns);
        if (!ns)
            st = VG_ENOMEM;
        else {
            db->sigs = ns;
            db->capsigs = ncap;
        }
    }
    if (st != VG_OK) {
        vgle_free(&s.expr);
        return st; /* the caller's rollback drops the subsignatures */
    }
    db->sigs[db->nsigs++] = s;
    c->e->nsigs++;
    return VG_OK;
}

/* ---- one .cdb line ---------------------------------------------------- */

/* `*` or a number or range */
static int cdb_range(const tok *t, vgl_range *r)
{
    memset(r, 0, sizeof *r);
    if (vgdb_field_eq(t, "*"))
        return 1;
    return parse_range(t, r, 1);
}

static vg_status cdb_line(lctx *c, const char *line, size_t len)
{
    tok f[13];
    size_t nf = vgdb_split(line, len, ':', f, 13);
    if (nf < 10 || nf > 12)
        return bad(c, "expected VirusName:ContainerType:ContainerSize:FileNameREGEX:"
                      "FileSizeInContainer:FileSizeReal:IsEncrypted:FilePos:Res1:Res2"
                      "[:MinFL[:MaxFL]]");
    if (nf > 10) {
        uint64_t v;
        if (!tok_u64(&f[10], &v))
            return bad(c, "bad minimum functionality level");
        if (v > VGDB_FLEVEL)
            return VG_OK;
        if (nf == 12) {
            if (!tok_u64(&f[11], &v))
                return bad(c, "bad maximum functionality level");
            if (v < VGDB_FLEVEL)
                return VG_OK;
        }
    }
    vgl_cdb cd;
    memset(&cd, 0, sizeof cd);
    tok name = f[0];
    if (!vgdb_clean_name(&name))
        return bad(c, "empty signature name");
    if (vgdb_field_eq(&f[1], "*"))
        cd.ctype = -1;
    else {
        int t = cl_type(&f[1]);
        if (t < -1)
            t = t == -3 ? -3 : -2;
        if (t == -3)
            return bad(c, "bad container type '%.*s'", (int)f[1].n, f[1].p);
        cd.ctype = (int16_t)t;
    }
    if (!cdb_range(&f[2], &cd.csize))
        return bad(c, "bad container size '%.*s'", (int)f[2].n, f[2].p);
    if (!cdb_range(&f[4], &cd.fsize_c))
        return bad(c, "bad file size in container '%.*s'", (int)f[4].n, f[4].p);
    if (!cdb_range(&f[5], &cd.fsize_r))
        return bad(c, "bad real file size '%.*s'", (int)f[5].n, f[5].p);
    if (vgdb_field_eq(&f[6], "*"))
        cd.encrypted = 2;
    else if (vgdb_field_eq(&f[6], "0") || vgdb_field_eq(&f[6], "1"))
        cd.encrypted = f[6].p[0] == '1';
    else
        return bad(c, "IsEncrypted must be 0, 1 or *");
    if (!cdb_range(&f[7], &cd.pos))
        return bad(c, "bad file position '%.*s'", (int)f[7].n, f[7].p);
    if (!cdb_range(&f[8], &cd.res1))
        return bad(c, "bad Res1 (CRC) '%.*s'", (int)f[8].n, f[8].p);
    if (!vgdb_field_eq(&f[9], "*"))
        return bad(c, "Res2 must be *");
    /* what vigil's archive extraction (libarchive) does not tell: refused,
     * so that such a line is never loaded as one that cannot match */
    if (cd.fsize_c.on)
        return bad(c, "FileSizeInContainer (the compressed size) is not supported; use *");
    if (cd.res1.on)
        return bad(c, "Res1 (the member's CRC) is not supported; use *");
    if (cd.encrypted == 1)
        return bad(c, "IsEncrypted 1 is not supported (encrypted members are not extracted); "
                      "use 0 or *");
    if (!vgdb_field_eq(&f[3], "*")) {
        int ec;
        PCRE2_SIZE eo;
        cd.re = pcre2_compile((PCRE2_SPTR)f[3].p, f[3].n, PCRE2_NEVER_UTF, &ec, &eo, NULL);
        if (!cd.re)
            return bad(c, "file name regex does not compile at %zu", (size_t)eo);
    }
    vg_status st = vgdb_name_add(c->e, name.p, name.n, c->official, &cd.name);
    vgl_db *db = c->db;
    if (st == VG_OK && db->ncdbs == db->capcdbs) {
        uint32_t ncap = db->capcdbs ? db->capcdbs * 2 : 16;
        vgl_cdb *nc = realloc(db->cdbs, ncap * sizeof *nc);
        if (!nc)
            st = VG_ENOMEM;
        else {
            db->cdbs = nc;
            db->capcdbs = ncap;
        }
    }
    if (st != VG_OK) {
        pcre2_code_free(cd.re);
        return st;
    }
    db->cdbs[db->ncdbs++] = cd;
    c->e->nsigs++;
    return VG_OK;
}

/* ---- file ------------------------------------------------------------- */

vg_status vgdb_load_ldb(vg_engine *e, const char *fname, const char *text, size_t len,
                        int official)
{
    if (!e->ldb) {
        vg_status st = vgl_db_new(&e->ldb);
        if (st)
            return st;
    }
    size_t fl = strlen(fname);
    int cdb = fl >= 4 && strcmp(fname + fl - 4, ".cdb") == 0;
    lctx c = {e, e->ldb, fname, 0, official};
    if (len == 0) {
        vgdb_error(e, "%s: empty database file", fname);
        return VG_EFORMAT;
    }
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t l = end - pos;
        c.line++;
        const char *line = text + pos;
        pos = end + 1;
        if (l > LDB_LINE_MAX)
            return bad(&c, "line too long (ClamAV reads at most %d characters)", LDB_LINE_MAX);
        if (l && line[0] == '#')
            continue;
        const char *z = memchr(line, 0, l);
        if (z)
            l = (size_t)(z - line);
        while (l && (line[l - 1] == '\r' || line[l - 1] == '\n'))
            l--;
        if (l == 0)
            return bad(&c, "empty line");
        vg_status st = cdb ? cdb_line(&c, line, l) : ldb_line(&c, line, l);
        if (st)
            return st;
    }
    return VG_OK;
}
