/* yara/source.c - a YARA source made self-contained: every top-level
 * `include "file"` replaced by that file's text (itself expanded), so
 * that a rule set can be stored as one text (a .vdb keeps YARA rules as
 * source and compiles them at load, db/srctext.c) and compiled again
 * later without the included files, to the same rules.
 *
 * Includes are found with the lexer, at brace depth 0 only (rule bodies
 * are skipped, hex strings and regular expressions read raw as the parser
 * reads them), and resolved as the parser resolves them: relative to the
 * including file's directory. Limits: MAX_DEPTH nested includes, the
 * result at most VGY_MAX_SOURCE bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yara/lexer.h"
#include "yara/yara_int.h"

#define MAX_DEPTH 16

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static int add(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > VGY_MAX_SOURCE)
        return -1;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np)
            return -1;
        b->p = np;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
    return 0;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    sbuf b = {0};
    char tmp[65536];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
        if (add(&b, tmp, k)) {
            free(b.p);
            fclose(f);
            return NULL;
        }
    fclose(f);
    if (!b.p && add(&b, "", 0))
        return NULL;
    *len = b.n;
    return b.p;
}

static int expand(sbuf *out, const char *fname, const char *text, size_t len, int depth, char *err,
                  size_t errlen)
{
    vgyl l;
    vgyl_init(&l, text, len);
    size_t copied = 0;
    int brace = 0, prev = T_EOF, rc = 0;
    for (int t = vgyl_next(&l); t != T_EOF && t != T_ERR && !rc; prev = t, t = vgyl_next(&l)) {
        if (brace > 0) {
            if (t == T_LBRACE && prev == T_EQ)
                t = vgyl_hex(&l); /* a hex string, read raw */
            else if (t == T_SLASH && (prev == T_EQ || prev == K_MATCHES || prev == T_LPAREN ||
                                      prev == T_COMMA))
                t = vgyl_regex(&l);
            else if (t == T_LBRACE)
                brace++;
            else if (t == T_RBRACE)
                brace--;
            continue;
        }
        if (t == T_LBRACE) {
            brace++;
            continue;
        }
        if (t != K_INCLUDE)
            continue;
        size_t start = (size_t)(l.ts - text);
        int line = l.tline;
        if (vgyl_next(&l) != T_TEXT)
            break; /* not an include the parser would accept: left as it is */
        size_t end = (size_t)(l.p - text);
        char path[4096];
        const char *slash = strrchr(fname, '/');
        if (l.buf[0] == '/' || !slash)
            snprintf(path, sizeof path, "%.*s", (int)l.blen, (const char *)l.buf);
        else
            snprintf(path, sizeof path, "%.*s/%.*s", (int)(slash - fname), fname, (int)l.blen,
                     (const char *)l.buf);
        if (depth >= MAX_DEPTH) {
            snprintf(err, errlen, "%s:%d: includes nested too deeply", fname, line);
            rc = -1;
            break;
        }
        size_t ilen;
        char *inc = read_file(path, &ilen);
        if (!inc) {
            snprintf(err, errlen, "%s:%d: can't open include file: %s", fname, line, path);
            rc = -1;
            break;
        }
        if (add(out, text + copied, start - copied) || add(out, "\n", 1))
            rc = -1;
        if (!rc)
            rc = expand(out, path, inc, ilen, depth + 1, err, errlen);
        if (!rc && add(out, "\n", 1))
            rc = -1;
        free(inc);
        copied = end;
        t = T_TEXT;
    }
    vgyl_free(&l);
    if (!rc && add(out, text + copied, len - copied))
        rc = -1;
    if (rc && !err[0])
        snprintf(err, errlen, "%s: out of memory or over %u bytes", fname, VGY_MAX_SOURCE);
    return rc;
}

vg_status vgy_source_expand(const char *fname, const char *text, size_t len, char **out,
                            size_t *outlen, char *err, size_t errlen)
{
    sbuf b = {0};
    err[0] = 0;
    if (expand(&b, fname, text, len, 0, err, errlen)) {
        free(b.p);
        return strstr(err, "out of memory") ? VG_ENOMEM : VG_EFORMAT;
    }
    if (!b.p && add(&b, "", 0))
        return VG_ENOMEM;
    *out = b.p;
    *outlen = b.n;
    return VG_OK;
}
