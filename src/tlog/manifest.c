/* tlog/manifest.c - see manifest.h. */
#include "tlog/manifest.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int tl_manifest_ident_ok(const char *s, size_t len)
{
    if (len == 0 || len > 64)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static int srcname_ok(const char *s, size_t len)
{
    if (len == 0 || len > 255)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

int tl_manifest_text(const tl_manifest *m, tl_buf *out)
{
    char t[32], dbh[65], rh[65], rr[TL_B64LEN(32) + 1];
    tl_time_fmt(m->created, t);
    tl_hex(m->db_sha256, 32, dbh);
    tl_hex(m->rules_sha256, 32, rh);
    tl_b64_enc(m->rules_root, 32, rr);
    if (tl_buf_printf(out,
                      TL_MANIFEST_HEADER "\nname %s\nchannel %s\nversion %" PRIu64
                                         "\ncreated %s\ndb %s %" PRIu64 "\nrules %" PRIu64
                                         " %s %s\n",
                      m->name, m->channel, m->version, t, dbh, m->db_size, m->rules, rh, rr) != 0)
        return -1;
    for (size_t i = 0; i < m->nsources; i++) {
        char sh[65];
        tl_hex(m->sources[i].sha256, 32, sh);
        if (tl_buf_printf(out, "source %s %" PRIu64 " %s\n", sh, m->sources[i].size,
                          m->sources[i].name) != 0)
            return -1;
    }
    if (m->has_prev) {
        char ph[65];
        tl_hex(m->prev, 32, ph);
        if (tl_buf_printf(out, "prev %s\n", ph) != 0)
            return -1;
    } else if (tl_buf_str(out, "prev none\n") != 0)
        return -1;
    return tl_buf_cstr(out);
}

void tl_manifest_free(tl_manifest *m)
{
    if (!m)
        return;
    free(m->sources);
    m->sources = NULL;
    m->nsources = 0;
}

/* "key " prefix of a line; returns the rest */
static const char *kw(const char *l, size_t ll, const char *key, size_t *rl)
{
    size_t k = strlen(key);
    if (ll <= k || memcmp(l, key, k) != 0 || l[k] != ' ')
        return NULL;
    *rl = ll - k - 1;
    return l + k + 1;
}

/* split s into n space-separated fields (exactly) */
static int fields(const char *s, size_t len, const char **f, size_t *fl, int n)
{
    int i = 0;
    size_t st = 0;
    for (size_t j = 0; j <= len; j++) {
        if (j == len || s[j] == ' ') {
            if (i == n || j == st)
                return -1;
            f[i] = s + st;
            fl[i] = j - st;
            i++;
            st = j + 1;
        }
    }
    return i == n ? 0 : -1;
}

int tl_manifest_parse(const char *text, size_t len, tl_manifest *m, tl_err *e)
{
    memset(m, 0, sizeof *m);
    const char *p = text, *end = text + len, *l, *r;
    size_t ll, rl;
    const char *f[3];
    size_t fl[3];
#define NEXT(what)                                                                 \
    do {                                                                           \
        if (tl_next_line(&p, end, &l, &ll) != 1) {                                 \
            tl_seterr(e, "manifest: missing %s line", what);                       \
            goto fail;                                                             \
        }                                                                          \
    } while (0)
    NEXT("header");
    if (ll != strlen(TL_MANIFEST_HEADER) || memcmp(l, TL_MANIFEST_HEADER, ll) != 0) {
        tl_seterr(e, "manifest: first line is not %s", TL_MANIFEST_HEADER);
        goto fail;
    }
    NEXT("name");
    if (!(r = kw(l, ll, "name", &rl)) || !tl_manifest_ident_ok(r, rl)) {
        tl_seterr(e, "manifest: bad name line");
        goto fail;
    }
    memcpy(m->name, r, rl);
    NEXT("channel");
    if (!(r = kw(l, ll, "channel", &rl)) || !tl_manifest_ident_ok(r, rl)) {
        tl_seterr(e, "manifest: bad channel line");
        goto fail;
    }
    memcpy(m->channel, r, rl);
    NEXT("version");
    if (!(r = kw(l, ll, "version", &rl)) || tl_parse_u64(r, rl, &m->version) != 0) {
        tl_seterr(e, "manifest: bad version line");
        goto fail;
    }
    NEXT("created");
    if (!(r = kw(l, ll, "created", &rl)) || tl_time_parse(r, rl, &m->created) != 0) {
        tl_seterr(e, "manifest: bad created line");
        goto fail;
    }
    NEXT("db");
    if (!(r = kw(l, ll, "db", &rl)) || fields(r, rl, f, fl, 2) != 0 ||
        tl_unhex_lower(f[0], fl[0], m->db_sha256, 32) != 0 ||
        tl_parse_u64(f[1], fl[1], &m->db_size) != 0) {
        tl_seterr(e, "manifest: bad db line");
        goto fail;
    }
    NEXT("rules");
    size_t ol;
    if (!(r = kw(l, ll, "rules", &rl)) || fields(r, rl, f, fl, 3) != 0 ||
        tl_parse_u64(f[0], fl[0], &m->rules) != 0 ||
        tl_unhex_lower(f[1], fl[1], m->rules_sha256, 32) != 0 ||
        tl_b64_dec(f[2], fl[2], m->rules_root, 32, &ol) != 0 || ol != 32) {
        tl_seterr(e, "manifest: bad rules line");
        goto fail;
    }
    for (;;) {
        NEXT("prev");
        if ((r = kw(l, ll, "source", &rl))) {
            if (m->nsources >= TL_MANIFEST_MAX_SOURCES) {
                tl_seterr(e, "manifest: too many source lines");
                goto fail;
            }
            if (!m->sources) {
                m->sources = calloc(TL_MANIFEST_MAX_SOURCES, sizeof *m->sources);
                if (!m->sources) {
                    tl_seterr(e, "out of memory");
                    goto fail;
                }
            }
            tl_manifest_source *s = &m->sources[m->nsources];
            if (fields(r, rl, f, fl, 3) != 0 || tl_unhex_lower(f[0], fl[0], s->sha256, 32) != 0 ||
                tl_parse_u64(f[1], fl[1], &s->size) != 0 || !srcname_ok(f[2], fl[2])) {
                tl_seterr(e, "manifest: bad source line");
                goto fail;
            }
            memcpy(s->name, f[2], fl[2]);
            s->name[fl[2]] = 0;
            m->nsources++;
            continue;
        }
        if ((r = kw(l, ll, "prev", &rl))) {
            if (rl == 4 && !memcmp(r, "none", 4))
                m->has_prev = 0;
            else if (tl_unhex_lower(r, rl, m->prev, 32) == 0)
                m->has_prev = 1;
            else {
                tl_seterr(e, "manifest: bad prev line");
                goto fail;
            }
            break;
        }
        tl_seterr(e, "manifest: unexpected line '%.*s'", (int)(ll > 40 ? 40 : ll), l);
        goto fail;
    }
    if (p != end) {
        tl_seterr(e, "manifest: text after the prev line");
        goto fail;
    }
#undef NEXT
    /* canonical: exactly one way to write it */
    tl_buf again = {0};
    if (tl_manifest_text(m, &again) != 0 || again.len != len || memcmp(again.p, text, len) != 0) {
        tl_buf_free(&again);
        tl_seterr(e, "manifest: not in canonical form");
        goto fail;
    }
    tl_buf_free(&again);
    return 0;
fail:
    tl_manifest_free(m);
    return -1;
}

int tl_manifest_open(const char *buf, size_t len, const tl_key *keys, size_t nkeys,
                     tl_manifest *m, size_t *signer, tl_err *e)
{
    memset(m, 0, sizeof *m);
    tl_note n;
    if (tl_note_parse(buf, len, &n, e) != 0) {
        tl_preerr(e, "manifest");
        return -1;
    }
    int rc = -1;
    int *ok = NULL;
    if (nkeys) {
        ok = calloc(nkeys, sizeof *ok);
        if (!ok) {
            tl_seterr(e, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < nkeys; i++)
            if (keys[i].type != TL_KEY_ED25519) {
                tl_seterr(e, "release key %s is not an Ed25519 note key", keys[i].name);
                goto done;
            }
        if (tl_note_verify(&n, keys, nkeys, ok, NULL, e) != 0) {
            tl_preerr(e, "manifest publisher signature");
            goto done;
        }
        size_t i;
        for (i = 0; i < nkeys && !ok[i]; i++)
            ;
        if (i == nkeys) {
            tl_seterr(e, "manifest is not signed by a trusted release key");
            goto done;
        }
        if (signer)
            *signer = i;
    }
    rc = tl_manifest_parse(n.text, n.textlen, m, e);
done:
    free(ok);
    tl_note_free(&n);
    return rc;
}

int tl_ruleindex_root(const char *idx, size_t len, uint64_t *count, uint8_t root[32], tl_err *e)
{
    const char *p = idx, *end = idx + len, *l;
    size_t ll;
    size_t n = 0, cap = 0;
    tl_hash *h = NULL;
    int r;
    while ((r = tl_next_line(&p, end, &l, &ll)) == 1) {
        const char *f[3];
        size_t fl[3];
        uint8_t tmp[32];
        if (fields(l, ll, f, fl, 3) != 0 || tl_unhex_lower(f[2], fl[2], tmp, 32) != 0) {
            tl_seterr(e, "rule index line %zu is not '<type> <name> <sha256 hex>'", n + 1);
            free(h);
            return -1;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            tl_hash *nh = realloc(h, cap * sizeof *h);
            if (!nh) {
                free(h);
                tl_seterr(e, "out of memory");
                return -1;
            }
            h = nh;
        }
        tl_leaf_hash(l, ll + 1, h[n++]);
    }
    if (r < 0) {
        free(h);
        tl_seterr(e, "rule index does not end in a newline");
        return -1;
    }
    tl_mem_tree mt = {h, n};
    int rc = tl_tree_root(tl_mem_hash, &mt, n, root, e);
    free(h);
    *count = n;
    return rc;
}
