/* db/ftm.c - .ftm file-type magic databases: parsed, checked, counted,
 * not applied.
 *
 * Line format (ClamAV's daily.ftm, shared/reference/clamav.md):
 *   MagicType:Offset:HexMagic:Description:RequiredType:DetectedType[:MinFL[:MaxFL]]
 * MagicType 0 compares HexMagic at a fixed decimal Offset; 1 is a body
 * pattern (an .ndb-style hex signature, Offset may be '*') searched in the
 * first bytes; 4 names a partition type. Types are CL_TYPE_* names. Other
 * magic types are skipped, as clamscan skips them; a file with no entry at
 * all is an error ("empty filetype database"), like clamscan's.
 *
 * Why the entries change nothing in vigil yet: ClamAV's own type table is
 * compiled into libclamav and daily.ftm only adds to or overrides it, so an
 * .ftm means something only on top of that exact table. vigil detects types
 * with its own fixed bid sequence (ftype/magic.c) that is checked against
 * clamscan on the test files instead, and none of the real sets in
 * shared/data/clamav-sigs ships an .ftm (the official one lives in
 * daily.cvd, which is not among them), so there is nothing to compare an
 * applied .ftm against. The loader therefore validates each line (so a
 * broken .ftm is refused as clamscan refuses it), counts the entries, and
 * the CLI says on stderr that they were not applied: never silently. */
#include "db/ftm.h"

#include <string.h>

#include "db/engine_int.h"

static int is_digits(const char *p, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

static int is_hex(const char *p, size_t n)
{
    if (n == 0 || n % 2)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return 0;
    }
    return 1;
}

static int is_type(const char *p, size_t n)
{
    return n > 8 && memcmp(p, "CL_TYPE_", 8) == 0;
}

vg_status vgdb_ftm_load(vg_engine *e, const char *fname, const char *text, size_t len,
                        uint64_t *entries)
{
    size_t pos = 0, line = 0;
    uint64_t n = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *p = text + pos;
        size_t l = end - pos;
        pos = end + 1;
        line++;
        while (l && (p[l - 1] == '\r' || p[l - 1] == '\n'))
            l--;
        if (l > VGDB_MAX_LINE) {
            vgdb_error(e, "%s:%zu: line too long", fname, line);
            return VG_EFORMAT;
        }
        if (l == 0 || p[0] == '#')
            continue;
        const char *f[9];
        size_t fl[9], nf = 0, s = 0;
        while (nf < 9) {
            const char *q = memchr(p + s, ':', l - s);
            size_t fe = q ? (size_t)(q - p) : l;
            f[nf] = p + s;
            fl[nf++] = fe - s;
            if (!q)
                break;
            s = fe + 1;
        }
        if (nf < 6 || nf > 8) {
            vgdb_error(e, "%s:%zu: expected MagicType:Offset:HexMagic:Name:RequiredType:"
                          "DetectedType[:MinFL[:MaxFL]]", fname, line);
            return VG_EFORMAT;
        }
        if (!is_digits(f[0], fl[0])) {
            vgdb_error(e, "%s:%zu: bad magic type '%.*s'", fname, line, (int)fl[0], f[0]);
            return VG_EFORMAT;
        }
        if (nf > 6 && !is_digits(f[6], fl[6])) {
            vgdb_error(e, "%s:%zu: bad minimum functionality level", fname, line);
            return VG_EFORMAT;
        }
        int type = fl[0] == 1 ? f[0][0] - '0' : -1;
        if (type != 0 && type != 1 && type != 4)
            continue; /* a magic type this engine does not know: skipped */
        int off_ok = is_digits(f[1], fl[1]) || (type == 1 && fl[1] == 1 && f[1][0] == '*');
        if (!off_ok) {
            vgdb_error(e, "%s:%zu: bad offset '%.*s'", fname, line, (int)fl[1], f[1]);
            return VG_EFORMAT;
        }
        if (type != 1 && !is_hex(f[2], fl[2])) {
            vgdb_error(e, "%s:%zu: bad hex magic", fname, line);
            return VG_EFORMAT;
        }
        if (type == 1 && fl[2] == 0) {
            vgdb_error(e, "%s:%zu: empty pattern", fname, line);
            return VG_EFORMAT;
        }
        if (!is_type(f[4], fl[4]) || !is_type(f[5], fl[5])) {
            vgdb_error(e, "%s:%zu: types must be CL_TYPE_* names", fname, line);
            return VG_EFORMAT;
        }
        n++;
    }
    if (n == 0) {
        vgdb_error(e, "%s: empty file-type database", fname);
        return VG_EFORMAT;
    }
    *entries += n;
    return VG_OK;
}
