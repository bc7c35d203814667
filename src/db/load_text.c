/* db/load_text.c - the ClamAV text database formats, one line at a time.
 *
 *   .hdb .hsb  HASH:SIZE:NAME[:MinFL[:MaxFL]]   detections by whole-object hash
 *   .fp .sfp   same syntax                       allowlist
 *   .ndb       NAME:TARGET:OFFSET:HEX[:MinFL[:MaxFL]]  body patterns
 *
 * Semantics from shared/reference/clamav.md §1-§4, and where that is
 * silent, from what ClamAV 1.4's loader does (checked against clamscan by
 * tests/e2e/diff_patterns.sh), so that a database loads in vigil exactly
 * when it loads in clamscan:
 *   - lines are read as ClamAV's 8192-byte line buffer reads them: a longer
 *     line is an error; a line starting with '#' is a comment; the line
 *     ends at a NUL byte; trailing CR/LF are dropped; a blank line is an
 *     error; a file without any line is an error ("empty database file");
 *   - fields are split at ':' (empty fields are fields);
 *   - the functionality-level fields are read with atoi() and tested first:
 *     a line outside VGDB_FLEVEL is dropped silently, whatever else it
 *     holds (.ndb wants digits there, hash files take anything);
 *   - .ndb: a target that is a number >= 15 drops the line silently;
 *   - hash files: the size is strtoul() of the field, 1..0xfffffffe, or
 *     `*` with MinFL >= 73; the hash type follows the hex length (32 MD5,
 *     40 SHA-1, 64 SHA-256, in any hash file);
 *   - names: anything but empty; a " (Clam)" suffix is cut.
 * Any other problem is "file:line: reason" and fails the whole file.
 * Offsets relative to an executable's entry point, sections or version
 * information (EP+n, EP-n, Sx+n, SEx, SL+n, VI) are stored for
 * match/offset.c to resolve per file. */
#include "db/engine_int.h"
#include "db/exehash.h"
#include "db/fields.h"
#include "core/hex.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/offset.h"
#include "match/pattern.h"

#define MAX_FIELDS 8
#define CLAM_LINE_MAX 8190 /* ClamAV's FILEBUFF (8192) less "\n" and NUL */

/* FMT_SECT: .mdb/.msb PE section hashes, SIZE:HASH:NAME (size first);
 * FMT_IMP: .imp PE import-table hashes, HASH:SIZE:NAME where SIZE is the
 * length of the import string (see exe/pe.c). Both go to their own
 * table (db/exehash.c), matched by the scan pipeline against the parsed
 * PE. */
enum dbfmt { FMT_HASH, FMT_FP, FMT_NDB, FMT_SECT, FMT_IMP };

typedef vgdb_field field;

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

/* cli_isnumber: digits only; "" is a number. */
static int is_number(const field *f)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->p[i] < '0' || f->p[i] > '9')
            return 0;
    return 1;
}

/* atoi() on LP64 glibc: strtol (spaces, sign, digits, saturating at the
 * long limits), then truncated to int. */
static long long c_atoi(const field *f)
{
    size_t i = 0;
    while (i < f->n && isspace((unsigned char)f->p[i]))
        i++;
    int neg = 0;
    if (i < f->n && (f->p[i] == '+' || f->p[i] == '-'))
        neg = f->p[i++] == '-';
    unsigned long long v = 0, lim = neg ? (unsigned long long)LONG_MAX + 1 : LONG_MAX;
    for (; i < f->n && f->p[i] >= '0' && f->p[i] <= '9'; i++) {
        v = v * 10 + (unsigned long long)(f->p[i] - '0');
        if (v > lim) {
            v = lim;
            break;
        }
    }
    unsigned long long l = neg ? 0ull - v : v;
    return (long long)(int32_t)(uint32_t)l;
}

/* strtoul(s, &end, 10) must take the whole field; 0 if it does not. */
static int c_strtoul(const field *f, unsigned long long *out)
{
    size_t i = 0;
    while (i < f->n && isspace((unsigned char)f->p[i]))
        i++;
    int neg = 0;
    if (i < f->n && (f->p[i] == '+' || f->p[i] == '-'))
        neg = f->p[i++] == '-';
    size_t d0 = i;
    unsigned long long v = 0;
    int ovf = 0;
    for (; i < f->n && f->p[i] >= '0' && f->p[i] <= '9'; i++) {
        unsigned dg = (unsigned)(f->p[i] - '0');
        if (v > (ULONG_MAX - dg) / 10)
            ovf = 1;
        else
            v = v * 10 + dg;
    }
    if (i == d0) { /* no digits: strtoul returns 0, end at the start */
        *out = 0;
        return f->n == 0;
    }
    *out = ovf ? ULONG_MAX : neg ? 0ull - v : v;
    return i == f->n;
}

static int parse_hex(const field *f, uint8_t *out, size_t *outlen)
{
    if (f->n != 32 && f->n != 40 && f->n != 64)
        return -1;
    unsigned missing = 0;
    for (size_t i = 0; i < f->n; i += 2) {
        int h = vg_hexval((unsigned char)f->p[i]), l = vg_hexval((unsigned char)f->p[i + 1]);
        missing |= (unsigned)((h | l) < 0); /* no branch: see core/hex.h */
        out[i / 2] = (uint8_t)((unsigned)h << 4 | ((unsigned)l & 15));
    }
    if (missing)
        return -1;
    *outlen = f->n / 2;
    return 0;
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

/* .hdb .hsb .fp .sfp (cli_loadhash) */
static vg_status hash_line(lctx *c, const char *line, size_t len)
{
    field f[MAX_FIELDS];
    size_t nf = vgdb_split(line, len, ':', f, 6);
    const char *form = c->fmt == FMT_SECT ? "SIZE:HASH:NAME[:MinFL[:MaxFL]]"
                                          : "HASH:SIZE:NAME[:MinFL[:MaxFL]]";
    if (nf < 3)
        return bad(c, "expected %s, got %zu field%s", form, nf, nf == 1 ? "" : "s");
    if (c->fmt == FMT_SECT) { /* size first: swap into the .hdb order */
        field t = f[0];
        f[0] = f[1];
        f[1] = t;
    }
    long long req = 0;
    if (nf > 3) {
        if (nf > 5)
            return bad(c, "expected %s, got too many fields", form);
        req = c_atoi(&f[3]);
        if ((unsigned)VGDB_FLEVEL < (unsigned)req)
            return VG_OK; /* needs a newer engine: dropped */
        if (nf == 5 && (unsigned)VGDB_FLEVEL > (unsigned)c_atoi(&f[4]))
            return VG_OK; /* for older engines only: dropped */
    }
    uint64_t size;
    if (!vgdb_field_eq(&f[1], "*")) {
        unsigned long long v;
        if (!c_strtoul(&f[1], &v) || v == 0 || v >= 0xffffffffull)
            return bad(c, "invalid value for the size field '%.*s'", (int)f[1].n, f[1].p);
        size = v;
    } else {
        if (nf < 4 || (unsigned)req < 73)
            return bad(c, "Minimum FLEVEL field must be at least 73 for wildcard size hash signatures");
        size = VGDB_SIZE_ANY;
    }
    field name = f[2];
    if (!vgdb_clean_name(&name))
        return bad(c, "empty signature name");
    uint8_t h[32] = {0};
    size_t hl;
    if (parse_hex(&f[0], h, &hl))
        return bad(c, "malformed hash string (need 32, 40 or 64 hex digits)");
    int kind = hl == 16 ? VGH_MD5 : hl == 20 ? VGH_SHA1 : VGH_SHA256;
    uint32_t nm;
    vg_status st = vgdb_name_add(c->e, name.p, name.n, c->official, &nm);
    if (st)
        return st;
    if (c->fmt == FMT_FP)
        return vgdb_hash_add(&c->e->fp[kind], h, size, nm);
    if (c->fmt == FMT_SECT || c->fmt == FMT_IMP)
        st = vgdb_exeh_add(c->e, c->fmt == FMT_SECT ? VGDB_EXEH_SECT : VGDB_EXEH_IMP,
                           (unsigned)kind, h, size, nm);
    else
        st = vgdb_hash_add(&c->e->det[kind], h, size, nm);
    if (st == VG_OK)
        c->e->nsigs++;
    return st;
}

/* Length of the prefix of p[0..n) made of bytes in `set`. */
static size_t strspn_n(const char *p, size_t n, const char *set)
{
    size_t i = 0;
    while (i < n && p[i] && strchr(set, p[i]))
        i++;
    return i;
}

static int prefix(const field *f, const char *p)
{
    size_t n = strlen(p);
    return f->n >= n && memcmp(f->p, p, n) == 0;
}

/* Offset field of an .ndb line (cli_caloff); *force_ac: the offset makes
 * ClamAV use Aho-Corasick for a plain pattern. *never: loads, never
 * matches in an .ndb ($n$ macro groups). */
static vg_status parse_offset(lctx *c, const field *of, int target, vgm_offset *off,
                              int *force_ac, int *never)
{
    memset(off, 0, sizeof off[0]);
    *force_ac = 0;
    *never = 0;
    if (vgdb_field_eq(of, "*")) {
        off->kind = VGM_OFF_ANY;
        *force_ac = target == 1; /* PE's Boyer-Moore keeps to fixed offsets */
        return VG_OK;
    }
    if (of->n > 64)
        return bad(c, "offset string too long");
    field main = *of, shift = {NULL, 0};
    const char *comma = memchr(of->p, ',', of->n);
    if (comma) {
        main.n = (size_t)(comma - of->p);
        shift.p = comma + 1;
        shift.n = of->n - main.n - 1;
        if (!is_number(&shift))
            return bad(c, "invalid offset shift value '%.*s'", (int)shift.n, shift.p);
        off->shift = (uint32_t)c_atoi(&shift);
        *force_ac = target == 1;
    }
    int exe = 0;
    if (prefix(&main, "EP+") || prefix(&main, "EP-")) {
        field n = {main.p + 3, main.n - 3};
        if (!is_number(&n))
            return bad(c, "invalid offset value '%.*s'", (int)of->n, of->p);
        exe = 1;
    } else if (main.n > 0 && main.p[0] == 'S') {
        if (main.n > 1 && main.p[1] == 'E') {
            field n = {main.p + 2, main.n - 2};
            if (!is_number(&n))
                return bad(c, "invalid section number in '%.*s'", (int)of->n, of->p);
        } else if (prefix(of, "SL+")) {
            field n = {main.p + 3, main.n - 3};
            if (!is_number(&n))
                return bad(c, "invalid offset value '%.*s'", (int)of->n, of->p);
        } else {
            /* sscanf "S%u+%u" */
            size_t i = 1, d;
            while (i < main.n && isspace((unsigned char)main.p[i]))
                i++;
            if (i < main.n && (main.p[i] == '+' || main.p[i] == '-'))
                i++;
            for (d = i; i < main.n && main.p[i] >= '0' && main.p[i] <= '9'; i++)
                ;
            int ok = i > d && i < main.n && main.p[i] == '+';
            if (ok) {
                i++;
                while (i < main.n && isspace((unsigned char)main.p[i]))
                    i++;
                if (i < main.n && (main.p[i] == '+' || main.p[i] == '-'))
                    i++;
                ok = i < main.n && main.p[i] >= '0' && main.p[i] <= '9';
            }
            if (!ok)
                return bad(c, "invalid offset string '%.*s'", (int)of->n, of->p);
        }
        exe = 1;
    } else if (prefix(&main, "EOF-")) {
        field n = {main.p + 4, main.n - 4};
        if (!is_number(&n))
            return bad(c, "invalid offset value '%.*s'", (int)of->n, of->p);
        off->kind = VGM_OFF_EOF;
        off->n = (uint32_t)c_atoi(&n);
        return VG_OK;
    } else if (prefix(&main, "VI")) {
        exe = 1;
        *force_ac = 1;
    } else if (memchr(main.p, '$', main.n)) {
        /* sscanf "$%u$" */
        size_t i = 0;
        unsigned long long v = 0;
        int ok = main.n > 0 && main.p[0] == '$';
        if (ok) {
            i = 1;
            while (i < main.n && isspace((unsigned char)main.p[i]))
                i++;
            int neg = 0;
            if (i < main.n && (main.p[i] == '+' || main.p[i] == '-'))
                neg = main.p[i++] == '-';
            size_t d = i;
            for (; i < main.n && main.p[i] >= '0' && main.p[i] <= '9'; i++)
                v = v > 0xffffffffull ? v : v * 10 + (unsigned)(main.p[i] - '0');
            ok = i > d;
            if (neg)
                v = (uint32_t)(0u - (uint32_t)v);
        }
        if (!ok)
            return bad(c, "invalid macro($) in offset '%.*s'", (int)of->n, of->p);
        if (v >= 32)
            return bad(c, "at most 32 macro groups supported");
        *force_ac = 1;
        *never = 1; /* a macro anchor only feeds .ldb macros; never an alert */
        off->kind = VGM_OFF_ANY;
        return VG_OK;
    } else {
        if (!is_number(&main))
            return bad(c, "invalid offset value '%.*s'", (int)of->n, of->p);
        off->kind = VGM_OFF_ABS;
        off->n = (uint32_t)c_atoi(&main);
        return VG_OK;
    }
    if (exe) {
        if (target != 1 && target != 6 && target != 9)
            return bad(c, "Invalid offset type for target %d", target);
        /* EP+n, EP-n, Sx+n, SEx, SL+n: resolved per file (match/offset.c) */
        if (vgdb_field_eq(&main, "VI"))
            off->kind = VGM_OFF_VI; /* resolved per file: match/offset.c */
        else if (vgm_offset_parse_exe(main.p, main.n, off) != 1)
            return bad(c, "invalid offset value '%.*s'", (int)of->n, of->p);
    }
    return VG_OK;
}

/* .ndb (cli_loadndb) */
static vg_status ndb_line(lctx *c, const char *line, size_t len)
{
    field f[MAX_FIELDS];
    size_t nf = vgdb_split(line, len, ':', f, 7);
    if (nf < 4 || nf > 6)
        return bad(c, "expected Name:TargetType:Offset:HexSignature[:MinFL[:MaxFL]], got %zu field%s",
                   nf, nf == 1 ? "" : "s");
    if (nf > 4) {
        if (!is_number(&f[4]))
            return bad(c, "malformed minimum functionality level '%.*s'", (int)f[4].n, f[4].p);
        if ((unsigned)c_atoi(&f[4]) > (unsigned)VGDB_FLEVEL)
            return VG_OK; /* needs a newer engine: dropped */
        if (nf == 6) {
            if (!is_number(&f[5]))
                return bad(c, "malformed maximum functionality level '%.*s'", (int)f[5].n, f[5].p);
            if ((unsigned)c_atoi(&f[5]) < (unsigned)VGDB_FLEVEL)
                return VG_OK; /* for older engines only: dropped */
        }
    }
    if (!vgdb_field_eq(&f[1], "*") && !is_number(&f[1]))
        return bad(c, "bad target type '%.*s'", (int)f[1].n, f[1].p);
    long long target = vgdb_field_eq(&f[1], "*") ? 0 : c_atoi(&f[1]);
    if (target < 0 || target >= 15)
        return VG_OK; /* ClamAV skips targets it does not know */
    field name = f[0];
    if (!vgdb_clean_name(&name))
        return bad(c, "empty signature name");
    vgm_offset off;
    int force_ac, never;
    vg_status st = parse_offset(c, &f[2], (int)target, &off, &force_ac, &never);
    if (st)
        return st;
    vgp_pattern pat;
    char err[512];
    vgp_opts po = {(uint8_t)target, (uint8_t)force_ac};
    st = vgp_parse_opts(f[3].p, f[3].n, &po, &pat, err, sizeof err);
    if (st == VG_EFORMAT)
        return bad(c, "bad pattern: %s", err);
    if (st)
        return st;
    if (never) {
        vgp_free(&pat);
        return VG_OK;
    }
    /* ClamAV hands a plain hex PE signature (no wildcards, no shift) to its
     * Boyer-Moore matcher, which in files of 256 KiB and more only tries the
     * offsets' start points: SEx then matches at the start of section x
     * only (match/offset.h, VGM_OFF_SE_BM). Other targets and .ldb use the
     * whole section. */
    if (target == 1 && off.kind == VGM_OFF_SE && off.shift == 0 && f[3].n >= 6 &&
        strspn_n(f[3].p, f[3].n, "0123456789abcdefABCDEF") == f[3].n)
        off.kind = VGM_OFF_SE_BM;
    uint32_t nm, idx;
    st = vgdb_name_add(c->e, name.p, name.n, c->official, &nm);
    if (st == VG_OK)
        st = vgdb_body_add(c->e, nm, &idx);
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
    else if (ends_with(fname, ".mdb") || ends_with(fname, ".msb"))
        c.fmt = FMT_SECT;
    else if (ends_with(fname, ".imp"))
        c.fmt = FMT_IMP;
    else {
        vgdb_error(e, "%s: unknown database type", fname);
        return VG_EUNSUPPORTED;
    }
    c.file = fname;
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
        if (l > (nl ? CLAM_LINE_MAX : CLAM_LINE_MAX + 1))
            return bad(&c, "line too long (ClamAV reads at most %d characters)", CLAM_LINE_MAX);
        if (l && line[0] == '#')
            continue;
        const char *z = memchr(line, 0, l); /* ClamAV sees a C string */
        if (z)
            l = (size_t)(z - line);
        while (l && (line[l - 1] == '\r' || line[l - 1] == '\n'))
            l--;
        vg_status st = c.fmt == FMT_NDB ? ndb_line(&c, line, l) : hash_line(&c, line, l);
        if (st)
            return st;
    }
    return VG_OK;
}
