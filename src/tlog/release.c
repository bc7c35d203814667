/* tlog/release.c - see release.h.
 *
 * The rule index lists every rule by name with a content hash. Hash and
 * body signatures come from `vigil db list` (db/listing.c). Formats a
 * .vdb carries as source text (YARA, logical and PE-hash signatures) are
 * listed there once per file; here each of their rules gets its own line
 * instead, so a rule added to a .yar or .ldb file shows up by name in the
 * manifest and in `vigil log verify` (a secret rule cannot hide inside a
 * file entry). Line-based formats hash the line without its name (a
 * renamed rule keeps its hash, as in `db list`); a YARA rule hashes its
 * source text, from its own line to the next rule's line. Names with
 * white space (real databases have them) are written with %XX escapes. */
#include "tlog/release.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/engine_int.h"
#include "db/listing.h"
#include "vigil/vigil.h"
#include "yara/yara_int.h"

typedef struct ixent {
    const char *type;
    char *name; /* owned */
    char hash[65];
} ixent;

typedef struct ixlist {
    ixent *v;
    size_t n, cap;
} ixlist;

static void ix_free(ixlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].name);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Add (type, name, SHA-256 of "type:" || content). A name's bytes that
 * would break the line's three fields (white space, control characters)
 * and '%' itself are written %XX, so every name has one spelling:
 * "Sig.Name 1" is listed as "Sig.Name%201". */
static int ix_add(ixlist *l, const char *type, const char *name, size_t nl, const char *content,
                  size_t cl, const char *suffix, tl_err *e)
{
    if (nl == 0 || nl > 1024) {
        tl_seterr(e, "a %s rule has an empty or over-long name", type);
        return -1;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        ixent *nv = realloc(l->v, cap * sizeof *nv);
        if (!nv)
            goto oom;
        l->v = nv;
        l->cap = cap;
    }
    size_t sl = strlen(suffix);
    char *nm = malloc(3 * nl + sl + 1);
    tl_buf c = {0};
    if (!nm || tl_buf_printf(&c, "%s:", type) != 0 || tl_buf_add(&c, content, cl) != 0) {
        free(nm);
        tl_buf_free(&c);
        goto oom;
    }
    size_t o = 0;
    for (size_t i = 0; i < nl; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch <= 0x20 || ch == 0x7f || ch == '%')
            o += (size_t)snprintf(nm + o, 4, "%%%02X", ch);
        else
            nm[o++] = (char)ch;
    }
    memcpy(nm + o, suffix, sl + 1);
    uint8_t h[32];
    tl_sha256(c.p, c.len, h);
    tl_buf_free(&c);
    ixent *x = &l->v[l->n++];
    x->type = type;
    x->name = nm;
    tl_hex(h, 32, x->hash);
    return 0;
oom:
    tl_seterr(e, "out of memory");
    return -1;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

/* One line per signature of a .ldb/.cdb/.mdb/.msb/.imp text (and their
 * PUA variants): the name is field 1 (';' for logical, ':' for container
 * signatures) or field 3 (':' for PE hashes). */
static int index_lines(ixlist *l, const vgdb_srctext *s, tl_err *e)
{
    const char *dot = strrchr(s->name, '.');
    const char *type = dot && dot[1] ? dot + 1 : "text";
    int ldb = s->kind == VGDB_SRC_LDB && !ends_with(s->name, ".cdb");
    int cdb = ends_with(s->name, ".cdb");
    const char *suffix = s->official ? "" : ".UNOFFICIAL";
    const char *p = s->text, *end = s->text + s->len;
    tl_buf c = {0};
    int rc = 0;
    while (p < end && rc == 0) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *ln = p;
        p = nl ? nl + 1 : end;
        size_t ll = (size_t)(le - ln);
        while (ll && (ln[ll - 1] == '\r' || ln[ll - 1] == ' ' || ln[ll - 1] == '\t'))
            ll--;
        if (ll == 0 || ln[0] == '#')
            continue;
        const char *sep = ldb ? memchr(ln, ';', ll) : memchr(ln, ':', ll);
        if (ldb || cdb) {
            size_t nlen = sep ? (size_t)(sep - ln) : ll;
            rc = ix_add(l, type, ln, nlen, sep ? sep : "", sep ? ll - nlen : 0, suffix, e);
            continue;
        }
        /* size:hash:name[:rest] */
        const char *s2 = sep ? memchr(sep + 1, ':', ll - (size_t)(sep + 1 - ln)) : NULL;
        if (!s2) {
            tl_seterr(e, "%s: line '%.*s' has no name field", s->name, (int)(ll > 80 ? 80 : ll), ln);
            return -1;
        }
        const char *nm = s2 + 1;
        const char *s3 = memchr(nm, ':', ll - (size_t)(nm - ln));
        size_t nlen = s3 ? (size_t)(s3 - nm) : ll - (size_t)(nm - ln);
        c.len = 0;
        if (tl_buf_add(&c, ln, (size_t)(s2 - ln)) != 0 ||
            (s3 && tl_buf_add(&c, s3, ll - (size_t)(s3 - ln)) != 0)) {
            tl_seterr(e, "out of memory");
            rc = -1;
            break;
        }
        rc = ix_add(l, type, nm, nlen, (const char *)c.p, c.len, suffix, e);
    }
    tl_buf_free(&c);
    return rc;
}

typedef struct yline {
    int line;
    const char *name;
} yline;

static int yline_cmp(const void *a, const void *b)
{
    const yline *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

/* Offset of the start of 1-based line `line` in text (len if beyond),
 * walking on from line *at, which starts at *off (lines only increase,
 * so a file is walked once). */
static size_t line_start(const char *t, size_t len, int line, int *at, size_t *off)
{
    while (*at < line && *off < len) {
        const char *nl = memchr(t + *off, '\n', len - *off);
        *off = nl ? (size_t)(nl - t) + 1 : len;
        ++*at;
    }
    return *off;
}

/* One line per YARA rule of kept text s: its name, and the hash of its
 * text from its line up to the next rule's line. */
static int index_yara(ixlist *l, const vg_engine *eng, const vgdb_srctext *s, tl_err *e)
{
    uint32_t total = eng->yara ? vgy_rules_total(eng->yara) : 0, n = 0;
    yline *v = calloc(total ? total : 1, sizeof *v);
    if (!v) {
        tl_seterr(e, "out of memory");
        return -1;
    }
    for (uint32_t k = 0; k < total; k++) {
        const vgy_rule *r = vgy_rules_nth(eng->yara, k);
        if (r && r->file && !strcmp(r->file, s->name)) {
            v[n].line = r->line;
            v[n].name = r->name;
            n++;
        }
    }
    if ((uint64_t)n != s->nsigs) {
        tl_seterr(e, "%s: %u YARA rules found for %llu loaded", s->name, n, (unsigned long long)s->nsigs);
        free(v);
        return -1;
    }
    qsort(v, n, sizeof *v, yline_cmp);
    int rc = 0, at = 1;
    size_t off = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        size_t a = line_start(s->text, s->len, v[i].line, &at, &off);
        int at2 = at;
        size_t off2 = off;
        size_t b = i + 1 < n ? line_start(s->text, s->len, v[i + 1].line, &at2, &off2) : s->len;
        rc = ix_add(l, "yara", v[i].name, strlen(v[i].name), s->text + a, b > a ? b - a : 0, "", e);
    }
    free(v);
    return rc;
}

static int ixcmp(const void *a, const void *b)
{
    const ixent *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (!c)
        c = strcmp(x->type, y->type);
    if (!c)
        c = strcmp(x->hash, y->hash);
    return c;
}

int tl_release_ruleindex(const char *vdbpath, tl_buf *idx, tl_manifest_source **src,
                         size_t *nsrc, tl_err *e)
{
    memset(idx, 0, sizeof *idx);
    if (src) {
        *src = NULL;
        *nsrc = 0;
    }
    size_t pl = strlen(vdbpath);
    if (pl < 4 || strcmp(vdbpath + pl - 4, ".vdb") != 0) {
        tl_seterr(e, "%s: a release is made from a compiled database (.vdb)", vdbpath);
        return -1;
    }
    vg_engine *eng;
    if (vg_engine_new(&eng) != VG_OK) {
        tl_seterr(e, "out of memory");
        return -1;
    }
    int rc = -1;
    vgdb_entry *v = NULL;
    size_t n = 0;
    ixlist ix = {0};
    eng->keep_src = 1; /* the texts of YARA, logical and PE-hash rules */
    vg_status st = vg_engine_load(eng, vdbpath);
    if (st == VG_OK)
        st = vg_engine_compile(eng);
    if (st != VG_OK) {
        const char *m = vg_engine_error(eng);
        tl_seterr(e, "%s", *m ? m : vg_strerror(st));
        goto done;
    }
    if (vgdb_list(eng, &v, &n) != VG_OK) {
        tl_seterr(e, "%s: cannot list signatures", vdbpath);
        goto done;
    }
    /* hash and body signatures as `db list` gives them; source texts
     * (listed there once per file) rule by rule */
    for (size_t i = 0; i < n; i++) {
        if (!strncmp(v[i].type, "text", 4))
            continue;
        if (ix_add(&ix, v[i].type, v[i].name, strlen(v[i].name), "", 0, "", e) != 0) {
            tl_preerr(e, "%s", vdbpath);
            goto done;
        }
        memcpy(ix.v[ix.n - 1].hash, v[i].hash, 65);
    }
    for (uint32_t t = 0; t < eng->nsrct; t++) {
        const vgdb_srctext *s = &eng->srct[t];
        int r = s->kind == VGDB_SRC_YARA ? index_yara(&ix, eng, s, e) : index_lines(&ix, s, e);
        if (r != 0) {
            tl_preerr(e, "%s", vdbpath);
            goto done;
        }
    }
    if (ix.n)
        qsort(ix.v, ix.n, sizeof *ix.v, ixcmp);
    for (size_t i = 0; i < ix.n; i++)
        if (tl_buf_printf(idx, "%s %s %s\n", ix.v[i].type, ix.v[i].name, ix.v[i].hash) != 0) {
            tl_seterr(e, "out of memory");
            goto done;
        }
    if (tl_buf_cstr(idx) != 0) {
        tl_seterr(e, "out of memory");
        goto done;
    }
    if (src && eng->nsources) {
        if (eng->nsources > TL_MANIFEST_MAX_SOURCES) {
            tl_seterr(e, "%s: more than %d source files", vdbpath, TL_MANIFEST_MAX_SOURCES);
            goto done;
        }
        *src = calloc(eng->nsources, sizeof **src);
        if (!*src) {
            tl_seterr(e, "out of memory");
            goto done;
        }
        for (uint32_t i = 0; i < eng->nsources; i++) {
            tl_manifest_source *s = &(*src)[i];
            memcpy(s->sha256, eng->sources[i].sha256, 32);
            s->size = eng->sources[i].size;
            snprintf(s->name, sizeof s->name, "%s", eng->sources[i].name);
            for (char *c = s->name; *c; c++)
                if ((unsigned char)*c <= 0x20 || *c == 0x7f)
                    *c = '_';
            if (!s->name[0])
                snprintf(s->name, sizeof s->name, "unnamed");
        }
        *nsrc = eng->nsources;
    }
    rc = 0;
done:
    free(v);
    ix_free(&ix);
    vg_engine_free(eng);
    if (rc != 0)
        tl_buf_free(idx);
    return rc;
}

int tl_release_check_db(const tl_manifest *m, const uint8_t *data, size_t len,
                        const char *path_of_same_bytes, tl_err *e)
{
    uint8_t h[32];
    tl_sha256(data, len, h);
    if (len != m->db_size || memcmp(h, m->db_sha256, 32) != 0) {
        char want[65], got[65];
        tl_hex(m->db_sha256, 32, want);
        tl_hex(h, 32, got);
        tl_seterr(e, "database hash mismatch: got sha256 %s (%zu bytes), the manifest says %s (%llu bytes)",
                  got, len, want, (unsigned long long)m->db_size);
        return -1;
    }
    if (!path_of_same_bytes)
        return 0;
    tl_buf idx;
    if (tl_release_ruleindex(path_of_same_bytes, &idx, NULL, NULL, e) != 0) {
        tl_preerr(e, "loading the database");
        return -1;
    }
    uint8_t ih[32], root[32];
    uint64_t cnt;
    tl_sha256(idx.p, idx.len, ih);
    int rc = tl_ruleindex_root((const char *)idx.p, idx.len, &cnt, root, e);
    tl_buf_free(&idx);
    if (rc != 0)
        return -1;
    if (cnt != m->rules || memcmp(ih, m->rules_sha256, 32) != 0 || memcmp(root, m->rules_root, 32) != 0) {
        tl_seterr(e, "rule index mismatch: the database holds %llu rules that do not match the manifest's rules line",
                  (unsigned long long)cnt);
        return -1;
    }
    return 0;
}
