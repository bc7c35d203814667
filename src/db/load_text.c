/* db/load_text.c - the ClamAV text database formats, one line at a time.
 *
 *   .hdb .hsb  HASH:SIZE:NAME[:MinFL[:MaxFL]]   detections by whole-object hash
 *   .fp .sfp   same syntax                       allowlist
 *   .ndb       NAME:TARGET:OFFSET:HEX[:MinFL[:MaxFL]]  body patterns
 *
 * Semantics from shared/reference/clamav.md §1-§4: the hash type follows
 * from the hex length (32 MD5, 40 SHA-1, 64 SHA-256, in any hash file);
 * a `*` size needs MinFL >= 73; a signature outside our functionality level
 * (VGDB_FLEVEL) is dropped silently, as ClamAV does. Any other problem is
 * "file:line: reason" and fails the whole file. Offsets relative to an
 * executable's entry point or sections need the executable parsers, which
 * are not in vigil yet: such lines are refused with that reason, never
 * ignored. */
#include "db/engine_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/pattern.h"

#define MAX_FIELDS 8

enum dbfmt { FMT_HASH, FMT_FP, FMT_NDB };

typedef struct field {
    const char *p;
    size_t n;
} field;

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static size_t split(const char *line, size_t len, char sep, field *f, size_t max)
{
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || line[i] == sep) {
            if (n < max) {
                f[n].p = line + start;
                f[n].n = i - start;
            }
            n++;
            start = i + 1;
        }
    }
    return n;
}

static int field_eq(const field *f, const char *s)
{
    return f->n == strlen(s) && memcmp(f->p, s, f->n) == 0;
}

static int parse_u64(const field *f, uint64_t *v)
{
    if (f->n == 0 || f->n > 19)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (f->p[i] < '0' || f->p[i] > '9')
            return -1;
        x = x * 10 + (uint64_t)(f->p[i] - '0');
    }
    *v = x;
    return 0;
}

static int parse_hex(const field *f, uint8_t *out, size_t *outlen)
{
    if (f->n != 32 && f->n != 40 && f->n != 64)
        return -1;
    for (size_t i = 0; i < f->n; i += 2) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = f->p[i + (size_t)k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0)
                return -1;
            v = v * 16 + d;
        }
        out[i / 2] = (uint8_t)v;
    }
    *outlen = f->n / 2;
    return 0;
}

static int name_ok(const field *f)
{
    if (f->n == 0 || f->n > VGDB_MAX_NAME)
        return 0;
    for (size_t i = 0; i < f->n; i++) {
        unsigned char c = (unsigned char)f->p[i];
        if (c <= ' ' || c == 0x7f)
            return 0;
    }
    return 1;
}

/* Optional MinFL[:MaxFL]; returns 1 = use, 0 = drop (outside FLEVEL),
 * -1 = malformed. */
static int flevel(const field *f, size_t nf, size_t first, uint64_t *minfl)
{
    uint64_t lo = 0, hi = UINT64_MAX;
    *minfl = 0;
    if (nf > first && f[first].n) {
        if (parse_u64(&f[first], &lo))
            return -1;
        *minfl = lo;
    }
    if (nf > first + 1 && f[first + 1].n) {
        if (parse_u64(&f[first + 1], &hi))
            return -1;
    }
    return (VGDB_FLEVEL >= lo && VGDB_FLEVEL <= hi) ? 1 : 0;
}

typedef struct lctx {
    vg_engine *e;
    const char *file;
    size_t line;
    int official;
    enum dbfmt fmt;
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

static vg_status hash_line(lctx *c, const char *line, size_t len)
{
    field f[MAX_FIELDS];
    size_t nf = split(line, len, ':', f, MAX_FIELDS);
    if (nf < 3 || nf > 5)
        return bad(c, "expected HASH:SIZE:NAME[:MinFL[:MaxFL]], got %zu fields", nf);
    uint8_t h[32] = {0};
    size_t hl;
    const field *hf = &f[0], *sf = &f[1];
    if (parse_hex(hf, h, &hl)) {
        /* ClamAV also accepts SIZE:HASH order for wildcard sizes */
        if (parse_hex(&f[1], h, &hl))
            return bad(c, "malformed hash (need 32, 40 or 64 hex digits)");
        hf = &f[1];
        sf = &f[0];
    }
    uint64_t minfl;
    int use = flevel(f, nf, 3, &minfl);
    if (use < 0)
        return bad(c, "malformed functionality level");
    uint64_t size;
    if (field_eq(sf, "*")) {
        if (minfl < 73)
            return bad(c, "Minimum FLEVEL field must be at least 73 for wildcard size hash signatures");
        size = VGDB_SIZE_ANY;
    } else if (parse_u64(sf, &size)) {
        return bad(c, "malformed file size");
    }
    if (!name_ok(&f[2]))
        return bad(c, "malformed signature name");
    if (!use)
        return VG_OK;
    int kind = hl == 16 ? VGH_MD5 : hl == 20 ? VGH_SHA1 : VGH_SHA256;
    uint32_t name;
    vg_status st = vgdb_name_add(c->e, f[2].p, f[2].n, c->official, &name);
    if (st)
        return st;
    if (c->fmt == FMT_FP)
        return vgdb_hash_add(&c->e->fp[kind], h, size, name);
    st = vgdb_hash_add(&c->e->det[kind], h, size, name);
    if (st == VG_OK)
        c->e->nsigs++;
    return st;
}

static int prefix(const field *f, const char *p)
{
    size_t n = strlen(p);
    return f->n >= n && memcmp(f->p, p, n) == 0;
}

/* Offset field of an .ndb line. */
static vg_status parse_offset(lctx *c, const field *of, int target, vgm_offset *off)
{
    memset(off, 0, sizeof *off);
    if (field_eq(of, "*")) {
        off->kind = VGM_OFF_ANY;
        return VG_OK;
    }
    field main = *of, shift = {NULL, 0};
    const char *comma = memchr(of->p, ',', of->n);
    if (comma) {
        main.n = (size_t)(comma - of->p);
        shift.p = comma + 1;
        shift.n = of->n - main.n - 1;
    }
    if (prefix(&main, "EP") || prefix(&main, "SL") || prefix(&main, "SE") ||
        (main.n > 1 && main.p[0] == 'S' && main.p[1] >= '0' && main.p[1] <= '9') ||
        prefix(&main, "VI")) {
        if (target != 1 && target != 6 && target != 9)
            return bad(c, "Invalid offset type for target %d", target);
        return bad(c, "offset '%.*s' (entry point / section relative) needs the executable parsers, not supported yet",
                   (int)of->n, of->p);
    }
    if (prefix(&main, "EOF-")) {
        field n = {main.p + 4, main.n - 4};
        if (parse_u64(&n, &off->n))
            return bad(c, "malformed EOF-n offset");
        off->kind = VGM_OFF_EOF;
    } else {
        if (parse_u64(&main, &off->n))
            return bad(c, "malformed offset '%.*s'", (int)of->n, of->p);
        off->kind = VGM_OFF_ABS;
    }
    if (comma) {
        uint64_t s;
        if (parse_u64(&shift, &s) || s > 0x7fffffff)
            return bad(c, "malformed offset shift");
        off->shift = (uint32_t)s;
    }
    return VG_OK;
}

static vg_status ndb_line(lctx *c, const char *line, size_t len)
{
    field f[MAX_FIELDS];
    size_t nf = split(line, len, ':', f, MAX_FIELDS);
    if (nf < 4 || nf > 6)
        return bad(c, "expected Name:TargetType:Offset:HexSignature[:MinFL[:MaxFL]], got %zu fields", nf);
    if (!name_ok(&f[0]))
        return bad(c, "malformed signature name");
    uint64_t target;
    if (field_eq(&f[1], "*"))
        target = 0;
    else if (parse_u64(&f[1], &target) || target >= 15)
        return bad(c, "bad target type '%.*s' (0-14)", (int)f[1].n, f[1].p);
    uint64_t minfl;
    int use = flevel(f, nf, 4, &minfl);
    if (use < 0)
        return bad(c, "malformed functionality level");
    vgm_offset off;
    vg_status st = parse_offset(c, &f[2], (int)target, &off);
    if (st)
        return st;
    vgp_pattern pat;
    char err[256];
    st = vgp_parse(f[3].p, f[3].n, &pat, err, sizeof err);
    if (st == VG_EFORMAT)
        return bad(c, "bad pattern: %s", err);
    if (st)
        return st;
    if (!use) {
        vgp_free(&pat);
        return VG_OK;
    }
    uint32_t name, idx;
    st = vgdb_name_add(c->e, f[0].p, f[0].n, c->official, &name);
    if (st == VG_OK)
        st = vgdb_body_add(c->e, name, &idx);
    if (st == VG_OK)
        st = vgm_builder_add(c->e->mb, &pat, &off, (uint8_t)target, idx);
    vgp_free(&pat);
    if (st == VG_OK)
        c->e->nsigs++;
    return st;
}

vg_status vgdb_load_text(vg_engine *e, const char *fname, const char *text,
                         size_t len, int official)
{
    lctx c = {e, base_name(fname), 0, official, FMT_HASH};
    if (ends_with(fname, ".hdb") || ends_with(fname, ".hsb"))
        c.fmt = FMT_HASH;
    else if (ends_with(fname, ".fp") || ends_with(fname, ".sfp"))
        c.fmt = FMT_FP;
    else if (ends_with(fname, ".ndb"))
        c.fmt = FMT_NDB;
    else {
        vgdb_error(e, "%s: unknown database type", fname);
        return VG_EUNSUPPORTED;
    }
    c.file = fname;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t l = end - pos;
        c.line++;
        const char *line = text + pos;
        pos = end + 1;
        if (l && line[l - 1] == '\r')
            l--;
        if (l > VGDB_MAX_LINE)
            return bad(&c, "line too long");
        if (l == 0)
            return bad(&c, "empty line");
        if (line[0] == '#')
            continue;
        if (memchr(line, 0, l))
            return bad(&c, "NUL byte in line");
        vg_status st = c.fmt == FMT_NDB ? ndb_line(&c, line, l) : hash_line(&c, line, l);
        if (st)
            return st;
    }
    return VG_OK;
}
