/* db/fields.h - the field tokenizer shared by the ClamAV text loaders
 * (load_text.c for .hdb/.ndb/..., load_ldb.c for .ldb/.cdb): a field is a
 * (pointer, length) view into the line, never NUL-terminated, so a line is
 * split without copying it. */
#ifndef VG_DB_FIELDS_H
#define VG_DB_FIELDS_H

#include <stddef.h>
#include <string.h>

typedef struct vgdb_field {
    const char *p;
    size_t n;
} vgdb_field;

/* cli_strtokenize: the first `max` fields separated by `sep`; returns how
 * many were found (max when there are more). */
static inline size_t vgdb_split(const char *line, size_t len, char sep, vgdb_field *f,
                                size_t max)
{
    size_t n = 0, start = 0;
    while (n < max) {
        const char *q = memchr(line + start, sep, len - start);
        size_t e = q ? (size_t)(q - line) : len;
        f[n].p = line + start;
        f[n].n = e - start;
        n++;
        if (!q)
            break;
        start = e + 1;
    }
    return n;
}

static inline int vgdb_field_eq(const vgdb_field *f, const char *s)
{
    return f->n == strlen(s) && memcmp(f->p, s, f->n) == 0;
}

/* cli_mpool_virname: the name up to " (Clam)"; empty is an error. */
static inline int vgdb_clean_name(vgdb_field *f)
{
    static const char clam[] = " (Clam)";
    for (size_t i = 0; i + sizeof clam - 1 <= f->n; i++)
        if (memcmp(f->p + i, clam, sizeof clam - 1) == 0) {
            f->n = i;
            break;
        }
    return f->n > 0;
}

#endif
