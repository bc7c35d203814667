/* cli/cmd_tlog.c - transparent database releases: `vigil key`, `release`,
 * `log`, `witness`, `update` and `egress`.
 *
 * The cryptography and formats live in src/tlog (no network code there).
 * This file adds the one network client vigil has: libcurl (http, https
 * and file:// URLs), used only by the commands here. Every request it
 * makes is appended to the egress log before its bytes are used. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli/tlog_cmds.h"
#include "tlog/checkpoint.h"
#include "tlog/logdir.h"
#include "tlog/manifest.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/policy.h"
#include "tlog/proof.h"
#include "tlog/release.h"
#include "tlog/sections.h"
#include "tlog/tiles.h"
#include "tlog/util.h"
#include "vigil/vigil.h"

#define MAX_KEYS 16
#define DEFAULT_MAX_DB (1ull << 30)
#define MAX_RULE_INDEX (256u << 20)
#define MAX_VDB_READ ((size_t)1 << 34)
#define DEFAULT_SKEW 600

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

static int failmsg(const char *cmd, const tl_err *e)
{
    fprintf(stderr, "vigil %s: %s\n", cmd, e->msg);
    return 2;
}

/* "--name VALUE" or "--name=VALUE" at argv[*i] (advances *i). */
static int opt(int argc, char **argv, int *i, const char *name, const char **val)
{
    size_t l = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, l) != 0)
        return 0;
    if (a[l] == '=') {
        *val = a + l + 1;
        return 1;
    }
    if (a[l] == 0 && *i + 1 < argc) {
        *val = argv[++*i];
        return 1;
    }
    return 0;
}

static int is_url(const char *s)
{
    return strstr(s, "://") != NULL;
}

static uint64_t now_secs(void)
{
    return (uint64_t)time(NULL);
}

/* A verifier key given as a file or as the key string itself. */
static int vkey_arg(const char *a, tl_key *k, tl_err *e)
{
    struct stat sb;
    if (stat(a, &sb) == 0)
        return tl_vkey_load(a, k, e);
    return tl_vkey_parse(a, strlen(a), k, e);
}

static int parse_duration(const char *s, uint64_t *out)
{
    size_t l = strlen(s);
    uint64_t mult = 1;
    if (l > 1) {
        switch (s[l - 1]) {
        case 's': mult = 1; l--; break;
        case 'm': mult = 60; l--; break;
        case 'h': mult = 3600; l--; break;
        case 'd': mult = 86400; l--; break;
        default: break;
        }
    }
    uint64_t v;
    if (tl_parse_u64(s, l, &v) != 0 || v > UINT64_MAX / mult)
        return -1;
    *out = v * mult;
    return 0;
}

static int parse_bytes(const char *s, uint64_t *out)
{
    size_t l = strlen(s);
    uint64_t mult = 1;
    if (l > 1) {
        switch (s[l - 1]) {
        case 'K': case 'k': mult = 1ull << 10; l--; break;
        case 'M': case 'm': mult = 1ull << 20; l--; break;
        case 'G': case 'g': mult = 1ull << 30; l--; break;
        default: break;
        }
    }
    uint64_t v;
    if (tl_parse_u64(s, l, &v) != 0 || v > UINT64_MAX / mult)
        return -1;
    *out = v * mult;
    return 0;
}

static int parse_time_arg(const char *s, uint64_t *t)
{
    if (s[0] == '@')
        return tl_parse_u64(s + 1, strlen(s + 1), t);
    if (tl_parse_u64(s, strlen(s), t) == 0)
        return 0;
    return tl_time_parse(s, strlen(s), t);
}

static char *path_join2(const char *a, const char *b)
{
    size_t l = strlen(a) + strlen(b) + 2;
    char *p = malloc(l);
    if (p)
        snprintf(p, l, "%s/%s", a, b);
    return p;
}

/* Directory part of path ("." when none), in a static buffer. */
static const char *dir_of(const char *path, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", path);
    char *s = strrchr(buf, '/');
    if (!s)
        snprintf(buf, cap, ".");
    else if (s == buf)
        buf[1] = 0;
    else
        *s = 0;
    return buf;
}

/* ------------------------------------------------------------------ */
/* egress log: one line per request, chained by SHA-256                */

static char g_egress[4096];
static char g_cafile[4096]; /* config ca-file: CAs for https mirrors */

static void egress_resolve(const char *explicit_path, const char *cfg_path, const char *state_dir)
{
    const char *env = getenv("VIGIL_EGRESS_LOG");
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    if (explicit_path && *explicit_path)
        snprintf(g_egress, sizeof g_egress, "%s", explicit_path);
    else if (cfg_path && *cfg_path)
        snprintf(g_egress, sizeof g_egress, "%s", cfg_path);
    else if (env && *env)
        snprintf(g_egress, sizeof g_egress, "%s", env);
    else if (state_dir && *state_dir)
        snprintf(g_egress, sizeof g_egress, "%s/egress.log", state_dir);
    else if (xdg && *xdg)
        snprintf(g_egress, sizeof g_egress, "%s/vigil/egress.log", xdg);
    else if (home && *home)
        snprintf(g_egress, sizeof g_egress, "%s/.local/state/vigil/egress.log", home);
    else
        snprintf(g_egress, sizeof g_egress, "vigil-egress.log");
}

static int egress_open(tl_err *e)
{
    char d[4096];
    if (tl_mkdir_p(dir_of(g_egress, d, sizeof d), e) != 0)
        return -1;
    int fd = open(g_egress, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        tl_seterr(e, "egress log %s: %s", g_egress, strerror(errno));
        return -1;
    }
    return fd;
}

/* SHA-256 (hex) of the last line of the file, or 64 zeros. */
static void egress_prev(int fd, char hex[65])
{
    memset(hex, '0', 64);
    hex[64] = 0;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || sb.st_size == 0)
        return;
    size_t want = sb.st_size > 16384 ? 16384 : (size_t)sb.st_size;
    char *buf = malloc(want);
    if (!buf)
        return;
    ssize_t r = pread(fd, buf, want, sb.st_size - (off_t)want);
    if (r == (ssize_t)want && buf[want - 1] == '\n') {
        size_t st = want - 1;
        while (st > 0 && buf[st - 1] != '\n')
            st--;
        uint8_t h[32];
        tl_sha256(buf + st, want - st, h);
        tl_hex(h, 32, hex);
    }
    free(buf);
}

static int egress_record(const char *url, uint64_t sent, uint64_t recv, const char *status,
                         const uint8_t sha[32], tl_err *e)
{
    int fd = egress_open(e);
    if (fd < 0)
        return -1;
    flock(fd, LOCK_EX);
    char prev[65], t[32], sh[65];
    egress_prev(fd, prev);
    tl_time_fmt(now_secs(), t);
    tl_hex(sha, 32, sh);
    tl_buf line = {0};
    int rc = -1;
    if (tl_buf_printf(&line, "%s GET %s sent=%" PRIu64 " received=%" PRIu64 " status=%s sha256=%s prev=%s\n",
                      t, url, sent, recv, status, sh, prev) == 0 &&
        write(fd, line.p, line.len) == (ssize_t)line.len && fsync(fd) == 0)
        rc = 0;
    else
        tl_seterr(e, "egress log %s: cannot append: %s", g_egress, strerror(errno));
    tl_buf_free(&line);
    flock(fd, LOCK_UN);
    close(fd);
    return rc;
}

/* ------------------------------------------------------------------ */
/* fetching: a directory, or a URL through libcurl                     */

typedef struct fetcher {
    int url;
    char *base;
    CURL *curl;
} fetcher;

typedef struct sink {
    tl_buf *b;
    size_t max;
    int over;
} sink;

static size_t sink_write(char *p, size_t sz, size_t n, void *ud)
{
    sink *s = ud;
    size_t l = sz * n;
    if (s->b->len + l > s->max) {
        s->over = 1;
        return 0;
    }
    if (tl_buf_add(s->b, p, l) != 0)
        return 0;
    return l;
}

static int fetcher_open(fetcher *f, const char *loc, tl_err *e)
{
    memset(f, 0, sizeof *f);
    f->base = strdup(loc);
    if (!f->base) {
        tl_seterr(e, "out of memory");
        return -1;
    }
    size_t l = strlen(f->base);
    while (l > 1 && f->base[l - 1] == '/')
        f->base[--l] = 0;
    if (!is_url(loc))
        return 0;
    for (const char *c = loc; *c; c++)
        if ((unsigned char)*c <= 0x20 || *c == 0x7f) {
            tl_seterr(e, "URL has white space or control characters: %s", loc);
            free(f->base);
            return -1;
        }
    if (strncmp(loc, "http://", 7) && strncmp(loc, "https://", 8) && strncmp(loc, "file://", 7)) {
        tl_seterr(e, "%s: only http://, https:// and file:// URLs are supported", loc);
        free(f->base);
        return -1;
    }
    /* the egress log must be writable before any request is made */
    int fd = egress_open(e);
    if (fd < 0) {
        free(f->base);
        return -1;
    }
    close(fd);
    static int inited;
    if (!inited) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            tl_seterr(e, "libcurl initialisation failed");
            free(f->base);
            return -1;
        }
        inited = 1;
    }
    f->curl = curl_easy_init();
    if (!f->curl) {
        tl_seterr(e, "libcurl initialisation failed");
        free(f->base);
        return -1;
    }
    f->url = 1;
    return 0;
}

static void fetcher_close(fetcher *f)
{
    if (f->curl)
        curl_easy_cleanup(f->curl);
    free(f->base);
    memset(f, 0, sizeof *f);
}

/* One request, its bytes recorded in the egress log: 0 done (*code,
 * *rc set, body in out), -1 the egress log could not be written. */
static int url_once(CURL *c, const char *url, size_t max, tl_buf *out, CURLcode *rc, long *code,
                    int *over, char *errbuf, tl_err *e)
{
    memset(out, 0, sizeof *out);
    sink s = {out, max, 0};
    errbuf[0] = 0;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
    /* redirects are followed by url_fetch, one egress line per hop */
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 900L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "vigil-update");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    if (g_cafile[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, g_cafile);
    *rc = curl_easy_perform(c);
    long reqsize = 0, hdrsize = 0;
    curl_off_t up = 0;
    *code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, code);
    curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &reqsize);
    curl_easy_getinfo(c, CURLINFO_HEADER_SIZE, &hdrsize);
    curl_easy_getinfo(c, CURLINFO_SIZE_UPLOAD_T, &up);
    *over = s.over;
    uint8_t h[32];
    tl_sha256(out->p ? (const void *)out->p : "", out->len, h);
    char status[64];
    if (*rc != CURLE_OK)
        snprintf(status, sizeof status, "error:%d", (int)*rc);
    else if (!strncmp(url, "file://", 7))
        snprintf(status, sizeof status, "file");
    else
        snprintf(status, sizeof status, "%ld", *code);
    if (egress_record(url, (uint64_t)reqsize + (uint64_t)(up > 0 ? up : 0), (uint64_t)hdrsize + out->len,
                      status, h, e) != 0) {
        tl_buf_free(out);
        return -1;
    }
    return 0;
}

static int url_fetch(fetcher *f, const char *path, size_t max, tl_buf *out, tl_err *e)
{
    memset(out, 0, sizeof *out);
    char *url = path_join2(f->base, path);
    if (!url) {
        tl_seterr(e, "out of memory");
        return -1;
    }
    char errbuf[CURL_ERROR_SIZE];
    CURLcode rc;
    long code;
    int over, hops = 0;
    for (;;) {
        if (url_once(f->curl, url, max, out, &rc, &code, &over, errbuf, e) != 0) {
            free(url);
            return -1;
        }
        char *loc = NULL;
        if (rc != CURLE_OK || code < 300 || code > 399 || strncmp(url, "http", 4) ||
            curl_easy_getinfo(f->curl, CURLINFO_REDIRECT_URL, &loc) != CURLE_OK || !loc)
            break;
        /* to http or https only, never from https down to http */
        if (++hops > 5 || (strncmp(loc, "http://", 7) && strncmp(loc, "https://", 8)) ||
            (!strncmp(url, "https://", 8) && strncmp(loc, "https://", 8))) {
            tl_seterr(e, "%s: %s to %s refused", url, hops > 5 ? "more than 5 redirects" : "redirect", loc);
            tl_buf_free(out);
            free(url);
            return -1;
        }
        char *next = strdup(loc);
        tl_buf_free(out);
        free(url);
        if (!next) {
            tl_seterr(e, "out of memory");
            return -1;
        }
        url = next;
    }
    int ret = 0;
    if (rc == CURLE_FILE_COULDNT_READ_FILE || (rc == CURLE_OK && (code == 404 || code == 410))) {
        tl_seterr(e, "%s: not found", url);
        ret = 1;
    } else if (over) {
        tl_seterr(e, "%s: larger than %zu bytes", url, max);
        ret = -1;
    } else if (rc != CURLE_OK) {
        tl_seterr(e, "%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
        ret = -1;
    } else if (strncmp(url, "file://", 7) && (code < 200 || code > 299)) {
        tl_seterr(e, "%s: HTTP status %ld", url, code);
        ret = -1;
    }
    if (ret != 0)
        tl_buf_free(out);
    else if (tl_buf_cstr(out) != 0) {
        tl_seterr(e, "out of memory");
        tl_buf_free(out);
        ret = -1;
    }
    free(url);
    return ret;
}

static int fetch_cb(void *ctx, const char *path, size_t max, tl_buf *out, tl_err *e)
{
    fetcher *f = ctx;
    if (f->url)
        return url_fetch(f, path, max, out, e);
    return tl_dir_fetch(f->base, path, max, out, e);
}

/* ------------------------------------------------------------------ */
/* reading a log: checkpoint, tiles, entries                           */

typedef struct logview {
    fetcher f;
    tl_buf cpbuf;
    tl_checkpoint cp;
    tl_tiles *t;
} logview;

static void logview_close(logview *v)
{
    tl_tiles_free(v->t);
    tl_buf_free(&v->cpbuf);
    fetcher_close(&v->f);
    memset(v, 0, sizeof *v);
}

/* Fetch and parse the checkpoint; when logkey is given its signature is
 * checked (and the witnesses' into cs). Tiles are opened against the root
 * (open_tiles). */
static int logview_open(logview *v, const char *loc, const tl_key *logkey, const tl_key *wit,
                        size_t nwit, tl_checkpoint_sigs *cs, int open_tiles, tl_err *e)
{
    memset(v, 0, sizeof *v);
    if (fetcher_open(&v->f, loc, e) != 0)
        return -1;
    int r = fetch_cb(&v->f, "checkpoint", TL_NOTE_MAX_BYTES, &v->cpbuf, e);
    if (r != 0) {
        if (r == 1)
            tl_seterr(e, "%s: no checkpoint (not a log?)", loc);
        goto fail;
    }
    if (logkey) {
        tl_checkpoint_sigs tmp;
        tl_checkpoint_sigs *c = cs ? cs : &tmp;
        if (tl_checkpoint_open((const char *)v->cpbuf.p, v->cpbuf.len, logkey, wit, nwit, c, e) != 0)
            goto fail;
        v->cp = c->cp;
    } else {
        tl_note n;
        if (tl_note_parse((const char *)v->cpbuf.p, v->cpbuf.len, &n, e) != 0)
            goto fail;
        int rc = tl_checkpoint_parse(n.text, n.textlen, &v->cp, e);
        tl_note_free(&n);
        if (rc != 0)
            goto fail;
    }
    if (open_tiles && tl_tiles_open(&v->t, fetch_cb, &v->f, v->cp.size, v->cp.root, NULL, e) != 0)
        goto fail;
    return 0;
fail:
    logview_close(v);
    return -1;
}

/* Parse an entry as a manifest, without checking signatures. */
static int entry_manifest(const uint8_t *p, size_t len, tl_manifest *m, tl_err *e)
{
    return tl_manifest_open((const char *)p, len, NULL, 0, m, NULL, e);
}

/* The newest (highest index) entry of name/channel: 0 found, 1 none. */
static int find_latest(tl_tiles *t, const char *name, const char *channel, uint64_t *index,
                       tl_buf *entry, tl_err *e)
{
    uint64_t size = tl_tiles_size(t);
    if (size == 0)
        return 1;
    for (uint64_t b = (size - 1) / TL_TILE_W + 1; b-- > 0;) {
        tl_buf raw;
        tl_entry ents[256];
        unsigned n;
        if (tl_tiles_bundle(t, b, &raw, ents, &n, e) != 0)
            return -1;
        for (unsigned i = n; i-- > 0;) {
            tl_manifest m;
            tl_err e2;
            if (entry_manifest(ents[i].p, ents[i].len, &m, &e2) != 0)
                continue;
            int match = !strcmp(m.name, name) && !strcmp(m.channel, channel);
            tl_manifest_free(&m);
            if (match) {
                memset(entry, 0, sizeof *entry);
                if (tl_buf_add(entry, ents[i].p, ents[i].len) != 0 || tl_buf_cstr(entry) != 0) {
                    tl_buf_free(&raw);
                    tl_seterr(e, "out of memory");
                    return -1;
                }
                *index = b * TL_TILE_W + i;
                tl_buf_free(&raw);
                return 0;
            }
        }
        tl_buf_free(&raw);
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* vigil key                                                            */

static void key_usage(FILE *f)
{
    fprintf(f,
            "usage: vigil key generate --name NAME [--witness] -o PREFIX\n"
            "           new Ed25519 key: PREFIX.skey (private, mode 0600) and PREFIX.vkey;\n"
            "           --witness makes a cosignature/v1 witness key (type 0x04), else a\n"
            "           signed-note key (type 0x01) for a publisher or a log. A log's key\n"
            "           name is its origin, e.g. vigil.example/db-log.\n"
            "       vigil key vkey SKEYFILE       print the verifier key of a private key\n"
            "Formats (C2SP signed-note): vkey name+<hex key ID>+base64(type||public key);\n"
            "skey PRIVATE+KEY+name+<hex key ID>+base64(type||seed).\n");
}

static int write_excl(const char *path, const char *data, int mode, tl_err *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        tl_seterr(e, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t l = strlen(data);
    if (write(fd, data, l) != (ssize_t)l || write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
        tl_seterr(e, "%s: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        return -1;
    }
    close(fd);
    return 0;
}

static int key_generate(int argc, char **argv)
{
    const char *name = NULL, *out = NULL, *v;
    int witness = 0;
    for (int i = 0; i < argc; i++) {
        if (opt(argc, argv, &i, "--name", &v))
            name = v;
        else if (opt(argc, argv, &i, "-o", &v) || opt(argc, argv, &i, "--output", &v))
            out = v;
        else if (!strcmp(argv[i], "--witness"))
            witness = 1;
        else if (!name && argv[i][0] != '-')
            name = argv[i];
        else {
            key_usage(stderr);
            return 2;
        }
    }
    if (!name || !out) {
        key_usage(stderr);
        return 2;
    }
    tl_err e;
    tl_key k;
    if (tl_key_generate(name, witness ? TL_KEY_COSIG_V1 : TL_KEY_ED25519, &k, &e) != 0)
        return failmsg("key", &e);
    tl_buf s = {0}, vk = {0};
    char *sp = NULL, *vp = NULL;
    int rc = 2;
    size_t ol = strlen(out) + 8;
    sp = malloc(ol);
    vp = malloc(ol);
    if (!sp || !vp || tl_skey_format(&k, &s) != 0 || tl_vkey_format(&k, &vk) != 0) {
        tl_seterr(&e, "out of memory");
        failmsg("key", &e);
        goto done;
    }
    snprintf(sp, ol, "%s.skey", out);
    snprintf(vp, ol, "%s.vkey", out);
    if (write_excl(sp, (const char *)s.p, 0600, &e) != 0) {
        failmsg("key", &e);
        goto done;
    }
    if (write_excl(vp, (const char *)vk.p, 0644, &e) != 0) {
        unlink(sp);
        failmsg("key", &e);
        goto done;
    }
    printf("%s\n", (const char *)vk.p);
    rc = 0;
done:
    if (s.p)
        memset(s.p, 0, s.len);
    memset(&k, 0, sizeof k);
    tl_buf_free(&s);
    tl_buf_free(&vk);
    free(sp);
    free(vp);
    return rc;
}

int vgcli_key(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        key_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "generate"))
        return key_generate(argc - 2, argv + 2);
    if (!strcmp(argv[1], "vkey") && argc == 3) {
        tl_err e;
        tl_key k;
        tl_buf vk = {0};
        if (tl_skey_load(argv[2], &k, &e) != 0)
            return failmsg("key", &e);
        if (tl_vkey_format(&k, &vk) != 0)
            return 2;
        memset(&k, 0, sizeof k);
        printf("%s\n", (const char *)vk.p);
        tl_buf_free(&vk);
        return 0;
    }
    key_usage(stderr);
    return 2;
}

/* ------------------------------------------------------------------ */
/* vigil release                                                        */

static void release_usage(FILE *f)
{
    fprintf(f,
            "usage: vigil release create --key PUBLISHER.skey --name NAME --version N\n"
            "           [--channel CH] [--created TIME] [--prev MANIFEST | --log DIR|URL]\n"
            "           [--rules-out FILE] -o OUT.manifest DB.vdb\n"
            "           sign a release manifest for a compiled database: version, time,\n"
            "           SHA-256 of the .vdb, source files, rule count and the hash and\n"
            "           Merkle root of its rule index (every rule: name, content hash). --log finds the\n"
            "           previous release of NAME/CH in the log (the 'prev' line).\n"
            "       vigil release bundle --log DIR|URL --vdb DB.vdb -o OUT.bundle MANIFEST\n"
            "           an offline release: database, manifest, inclusion proof, the\n"
            "           log's current (cosigned) checkpoint and its leaf hashes\n"
            "       vigil release show MANIFEST    print a manifest's fields\n"
            "TIME is RFC 3339 UTC (2026-01-23T10:00:00Z) or @seconds; default: now.\n");
}

static int release_create(int argc, char **argv)
{
    const char *keyf = NULL, *name = NULL, *channel = "stable", *vers = NULL, *created = NULL;
    const char *prevf = NULL, *logloc = NULL, *rulesout = NULL, *out = NULL, *db = NULL, *v;
    for (int i = 0; i < argc; i++) {
        if (opt(argc, argv, &i, "--key", &v))
            keyf = v;
        else if (opt(argc, argv, &i, "--name", &v))
            name = v;
        else if (opt(argc, argv, &i, "--channel", &v))
            channel = v;
        else if (opt(argc, argv, &i, "--version", &v))
            vers = v;
        else if (opt(argc, argv, &i, "--created", &v))
            created = v;
        else if (opt(argc, argv, &i, "--prev", &v))
            prevf = v;
        else if (opt(argc, argv, &i, "--log", &v))
            logloc = v;
        else if (opt(argc, argv, &i, "--rules-out", &v))
            rulesout = v;
        else if (opt(argc, argv, &i, "-o", &v) || opt(argc, argv, &i, "--output", &v))
            out = v;
        else if (argv[i][0] != '-' && !db)
            db = argv[i];
        else {
            release_usage(stderr);
            return 2;
        }
    }
    if (!keyf || !name || !vers || !out || !db || (prevf && logloc)) {
        release_usage(stderr);
        return 2;
    }
    tl_err e;
    tl_manifest m;
    memset(&m, 0, sizeof m);
    if (!tl_manifest_ident_ok(name, strlen(name)) || !tl_manifest_ident_ok(channel, strlen(channel))) {
        fprintf(stderr, "vigil release: name and channel: 1-64 of [A-Za-z0-9._-]\n");
        return 2;
    }
    snprintf(m.name, sizeof m.name, "%s", name);
    snprintf(m.channel, sizeof m.channel, "%s", channel);
    if (tl_parse_u64(vers, strlen(vers), &m.version) != 0) {
        fprintf(stderr, "vigil release: --version must be a decimal number\n");
        return 2;
    }
    m.created = now_secs();
    if (created && parse_time_arg(created, &m.created) != 0) {
        fprintf(stderr, "vigil release: bad --created time '%s'\n", created);
        return 2;
    }
    tl_key k;
    if (tl_skey_load(keyf, &k, &e) != 0)
        return failmsg("release", &e);
    if (k.type != TL_KEY_ED25519) {
        fprintf(stderr, "vigil release: %s is not a signed-note (publisher) key\n", keyf);
        return 2;
    }
    int rc = 2;
    tl_buf dbb = {0}, idx = {0}, text = {0}, note = {0}, prevb = {0};
    tl_manifest_source *src = NULL;
    size_t nsrc = 0;
    if (tl_read_file(db, MAX_VDB_READ, &dbb, &e) != 0) {
        failmsg("release", &e);
        goto done;
    }
    tl_sha256(dbb.p, dbb.len, m.db_sha256);
    m.db_size = dbb.len;
    if (tl_release_ruleindex(db, &idx, &src, &nsrc, &e) != 0) {
        failmsg("release", &e);
        goto done;
    }
    tl_sha256(idx.p, idx.len, m.rules_sha256);
    if (tl_ruleindex_root((const char *)idx.p, idx.len, &m.rules, m.rules_root, &e) != 0) {
        failmsg("release", &e);
        goto done;
    }
    m.sources = src;
    m.nsources = nsrc;
    uint64_t prev_version = 0;
    int have_prev = 0;
    if (prevf) {
        if (tl_read_file(prevf, TL_ENTRY_MAX, &prevb, &e) != 0) {
            failmsg("release", &e);
            goto done;
        }
        have_prev = 1;
    } else if (logloc) {
        logview lv;
        if (logview_open(&lv, logloc, NULL, NULL, 0, NULL, 1, &e) != 0) {
            failmsg("release", &e);
            goto done;
        }
        uint64_t index;
        int r = find_latest(lv.t, name, channel, &index, &prevb, &e);
        logview_close(&lv);
        if (r < 0) {
            failmsg("release", &e);
            goto done;
        }
        have_prev = r == 0;
    }
    if (have_prev) {
        tl_manifest pm;
        if (entry_manifest(prevb.p, prevb.len, &pm, &e) != 0) {
            tl_preerr(&e, "previous release");
            failmsg("release", &e);
            goto done;
        }
        prev_version = pm.version;
        int same = !strcmp(pm.name, m.name) && !strcmp(pm.channel, m.channel);
        tl_manifest_free(&pm);
        if (!same) {
            fprintf(stderr, "vigil release: the previous manifest is of another name/channel\n");
            goto done;
        }
        if (m.version <= prev_version) {
            fprintf(stderr, "vigil release: version %" PRIu64 " is not above the previous release's %" PRIu64 "\n",
                    m.version, prev_version);
            goto done;
        }
        m.has_prev = 1;
        tl_leaf_hash(prevb.p, prevb.len, m.prev);
    }
    if (tl_manifest_text(&m, &text) != 0 ||
        tl_note_sign((const char *)text.p, text.len, &k, 1, 0, &note, &e) != 0) {
        failmsg("release", &e);
        goto done;
    }
    if (note.len > TL_ENTRY_MAX) {
        fprintf(stderr, "vigil release: manifest of %zu bytes is above the log's entry limit\n", note.len);
        goto done;
    }
    if (tl_write_atomic(out, note.p, note.len, 0644, &e) != 0 ||
        (rulesout && tl_write_atomic(rulesout, idx.p, idx.len, 0644, &e) != 0)) {
        failmsg("release", &e);
        goto done;
    }
    fprintf(stderr, "%s: %s/%s version %" PRIu64 ", %" PRIu64 " rules, %zu source file(s), prev %s\n",
            out, m.name, m.channel, m.version, m.rules, m.nsources, m.has_prev ? "set" : "none");
    rc = 0;
done:
    memset(&k, 0, sizeof k);
    free(src);
    tl_buf_free(&dbb);
    tl_buf_free(&idx);
    tl_buf_free(&text);
    tl_buf_free(&note);
    tl_buf_free(&prevb);
    return rc;
}

static int release_bundle(int argc, char **argv)
{
    const char *logloc = NULL, *vdb = NULL, *out = NULL, *man = NULL, *v;
    for (int i = 0; i < argc; i++) {
        if (opt(argc, argv, &i, "--log", &v))
            logloc = v;
        else if (opt(argc, argv, &i, "--vdb", &v))
            vdb = v;
        else if (opt(argc, argv, &i, "-o", &v) || opt(argc, argv, &i, "--output", &v))
            out = v;
        else if (argv[i][0] != '-' && !man)
            man = argv[i];
        else {
            release_usage(stderr);
            return 2;
        }
    }
    if (!logloc || !vdb || !out || !man) {
        release_usage(stderr);
        return 2;
    }
    tl_err e;
    tl_buf mb = {0}, dbb = {0}, proof = {0}, leaves = {0}, bundle = {0};
    logview lv;
    int have_lv = 0, rc = 2;
    tl_manifest m;
    memset(&m, 0, sizeof m);
    if (tl_read_file(man, TL_ENTRY_MAX, &mb, &e) != 0 || entry_manifest(mb.p, mb.len, &m, &e) != 0 ||
        tl_read_file(vdb, MAX_VDB_READ, &dbb, &e) != 0 ||
        tl_release_check_db(&m, dbb.p, dbb.len, NULL, &e) != 0) {
        failmsg("release", &e);
        goto done;
    }
    if (logview_open(&lv, logloc, NULL, NULL, 0, NULL, 1, &e) != 0) {
        failmsg("release", &e);
        goto done;
    }
    have_lv = 1;
    uint8_t lh[32];
    tl_leaf_hash(mb.p, mb.len, lh);
    uint64_t index = UINT64_MAX;
    for (uint64_t i = 0; i < lv.cp.size; i++) {
        uint8_t h[32];
        if (tl_tiles_hash(lv.t, i, 0, h, &e) != 0) {
            failmsg("release", &e);
            goto done;
        }
        if (tl_buf_add(&leaves, h, 32) != 0)
            goto done;
        if (!memcmp(h, lh, 32) && index == UINT64_MAX)
            index = i;
    }
    if (index == UINT64_MAX) {
        fprintf(stderr, "vigil release: %s is not in the log at %s (append it first)\n", man, logloc);
        goto done;
    }
    tl_hash pr[TL_MAX_PROOF];
    size_t np;
    if (tl_inclusion_proof(tl_tiles_hash, lv.t, index, lv.cp.size, pr, &np, &e) != 0 ||
        tl_tlog_proof_format(index, pr, np, (const char *)lv.cpbuf.p, lv.cpbuf.len, &proof) != 0) {
        failmsg("release", &e);
        goto done;
    }
    if (tl_buf_str(&bundle, TL_BUNDLE_HEADER "\n") != 0 ||
        tl_sections_add(&bundle, "manifest", mb.p, mb.len) != 0 ||
        tl_sections_add(&bundle, "proof", proof.p, proof.len) != 0 ||
        tl_sections_add(&bundle, "leaves", leaves.p, leaves.len) != 0 ||
        tl_sections_add(&bundle, "db", dbb.p, dbb.len) != 0) {
        fprintf(stderr, "vigil release: out of memory\n");
        goto done;
    }
    if (tl_write_atomic(out, bundle.p, bundle.len, 0644, &e) != 0) {
        failmsg("release", &e);
        goto done;
    }
    fprintf(stderr, "%s: %s/%s version %" PRIu64 ", log index %" PRIu64 " of %" PRIu64 "\n", out,
            m.name, m.channel, m.version, index, lv.cp.size);
    rc = 0;
done:
    if (have_lv)
        logview_close(&lv);
    tl_manifest_free(&m);
    tl_buf_free(&mb);
    tl_buf_free(&dbb);
    tl_buf_free(&proof);
    tl_buf_free(&leaves);
    tl_buf_free(&bundle);
    return rc;
}

static void print_manifest(FILE *f, const tl_manifest *m)
{
    char t[32], h[65], rh[65], rr[TL_B64LEN(32) + 1];
    tl_time_fmt(m->created, t);
    tl_hex(m->db_sha256, 32, h);
    tl_hex(m->rules_sha256, 32, rh);
    tl_b64_enc(m->rules_root, 32, rr);
    fprintf(f, "name %s\nchannel %s\nversion %" PRIu64 "\ncreated %s\ndb %s (%" PRIu64
               " bytes)\nrules %" PRIu64 " (index %s, root %s)\n",
            m->name, m->channel, m->version, t, h, m->db_size, m->rules, rh, rr);
    for (size_t i = 0; i < m->nsources; i++) {
        tl_hex(m->sources[i].sha256, 32, h);
        fprintf(f, "source %s %s (%" PRIu64 " bytes)\n", m->sources[i].name, h, m->sources[i].size);
    }
    if (m->has_prev) {
        tl_hex(m->prev, 32, h);
        fprintf(f, "prev %s\n", h);
    } else
        fprintf(f, "prev none\n");
}

int vgcli_release(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        release_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "create"))
        return release_create(argc - 2, argv + 2);
    if (!strcmp(argv[1], "bundle"))
        return release_bundle(argc - 2, argv + 2);
    if (!strcmp(argv[1], "show") && argc == 3) {
        tl_err e;
        tl_buf b;
        tl_manifest m;
        if (tl_read_file(argv[2], TL_ENTRY_MAX, &b, &e) != 0)
            return failmsg("release", &e);
        if (entry_manifest(b.p, b.len, &m, &e) != 0) {
            tl_buf_free(&b);
            return failmsg("release", &e);
        }
        print_manifest(stdout, &m);
        tl_manifest_free(&m);
        tl_buf_free(&b);
        return 0;
    }
    release_usage(stderr);
    return 2;
}

/* ------------------------------------------------------------------ */
/* trust configuration (vigil update, log verify/monitor)              */

typedef struct ucfg {
    tl_policy pol;
    char mirror[4096];
    tl_key rel[MAX_KEYS];
    size_t nrel;
    char name[65], channel[65];
    uint64_t max_age;
    int max_age_set;
    uint64_t skew;
    char state[4096], database[4096], reload_socket[108], egress[4096], cafile[4096];
    uint64_t max_db;
} ucfg;

static int cfg_directive(void *arg, char **w, int nw, tl_err *e)
{
    ucfg *c = arg;
    const char *d = w[0];
    if (nw != 2) {
        tl_seterr(e, "%s: expected one value", d);
        return -1;
    }
    const char *v = w[1];
    if (!strcmp(d, "mirror"))
        snprintf(c->mirror, sizeof c->mirror, "%s", v);
    else if (!strcmp(d, "release-key")) {
        if (c->nrel >= MAX_KEYS) {
            tl_seterr(e, "too many release keys");
            return -1;
        }
        if (tl_vkey_parse(v, strlen(v), &c->rel[c->nrel], e) != 0)
            return -1;
        if (c->rel[c->nrel].type != TL_KEY_ED25519) {
            tl_seterr(e, "release-key: not an Ed25519 note key");
            return -1;
        }
        c->nrel++;
    } else if (!strcmp(d, "name") || !strcmp(d, "channel")) {
        if (!tl_manifest_ident_ok(v, strlen(v))) {
            tl_seterr(e, "%s: 1-64 of [A-Za-z0-9._-]", d);
            return -1;
        }
        snprintf(!strcmp(d, "name") ? c->name : c->channel, 65, "%s", v);
    } else if (!strcmp(d, "max-age")) {
        if (parse_duration(v, &c->max_age) != 0) {
            tl_seterr(e, "max-age: seconds, or a number with s/m/h/d");
            return -1;
        }
        c->max_age_set = 1;
    } else if (!strcmp(d, "clock-skew")) {
        if (parse_duration(v, &c->skew) != 0) {
            tl_seterr(e, "clock-skew: seconds, or a number with s/m/h/d");
            return -1;
        }
    } else if (!strcmp(d, "state"))
        snprintf(c->state, sizeof c->state, "%s", v);
    else if (!strcmp(d, "database"))
        snprintf(c->database, sizeof c->database, "%s", v);
    else if (!strcmp(d, "reload-socket")) {
        if (strlen(v) >= sizeof c->reload_socket) {
            tl_seterr(e, "reload-socket: path too long");
            return -1;
        }
        snprintf(c->reload_socket, sizeof c->reload_socket, "%s", v);
    } else if (!strcmp(d, "egress-log"))
        snprintf(c->egress, sizeof c->egress, "%s", v);
    else if (!strcmp(d, "ca-file"))
        snprintf(c->cafile, sizeof c->cafile, "%s", v);
    else if (!strcmp(d, "max-db-size")) {
        if (parse_bytes(v, &c->max_db) != 0) {
            tl_seterr(e, "max-db-size: bytes, or a number with K/M/G");
            return -1;
        }
    } else {
        tl_seterr(e, "unknown directive '%s'", d);
        return -1;
    }
    return 0;
}

static int cfg_load(const char *path, ucfg *c, tl_err *e)
{
    memset(c, 0, sizeof *c);
    snprintf(c->channel, sizeof c->channel, "stable");
    c->skew = DEFAULT_SKEW;
    c->max_db = DEFAULT_MAX_DB;
    tl_buf b;
    if (tl_read_file(path, 1 << 20, &b, e) != 0)
        return -1;
    int rc = tl_policy_parse((const char *)b.p, b.len, &c->pol, cfg_directive, c, e);
    tl_buf_free(&b);
    if (rc != 0) {
        tl_preerr(e, "%s", path);
        return -1;
    }
    if (!c->max_age_set)
        c->max_age = c->pol.nwit ? 7 * 86400 : 0;
    return 0;
}

/* ------------------------------------------------------------------ */
/* vigil log                                                            */

static void log_usage(FILE *f)
{
    fprintf(f,
            "usage: vigil log init --key LOG.skey DIR\n"
            "           start an empty log; the key's name is the log's origin\n"
            "       vigil log append --key LOG.skey --vdb DB.vdb [--release-key VKEY]... DIR MANIFEST\n"
            "           check the manifest (signature, database hash, rule index, version\n"
            "           above the last of its name/channel, prev = that release), publish\n"
            "           the database and rule index under DIR/sha256/, append, re-sign\n"
            "       vigil log verify  [TRUST] DIR|URL\n"
            "       vigil log monitor [TRUST] [--state DIR] DIR|URL\n"
            "           replay the whole log: checkpoint, every tile and entry, every\n"
            "           manifest and artifact; list every release and every rule ever\n"
            "           published (first version, version that dropped it). monitor also\n"
            "           checks the log only grew since its last run (--state).\n"
            "           TRUST: --config FILE (as for vigil update) or --key LOG.vkey\n"
            "           [--release-key VKEY]... [--witness VKEY]... [--quorum K]; --no-db\n"
            "           skips downloading databases. Exit 0 consistent, 1 inconsistent,\n"
            "           2 error.\n"
            "The log directory is the C2SP tlog-tiles layout; serve it with any static\n"
            "web server.\n");
}

static int log_init(int argc, char **argv)
{
    const char *keyf = NULL, *dir = NULL, *v;
    for (int i = 0; i < argc; i++) {
        if (opt(argc, argv, &i, "--key", &v))
            keyf = v;
        else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else {
            log_usage(stderr);
            return 2;
        }
    }
    if (!keyf || !dir) {
        log_usage(stderr);
        return 2;
    }
    tl_err e;
    tl_key k;
    if (tl_skey_load(keyf, &k, &e) != 0 || tl_log_init(dir, &k, &e) != 0) {
        memset(&k, 0, sizeof k);
        return failmsg("log", &e);
    }
    fprintf(stderr, "%s: empty log %s\n", dir, k.name);
    memset(&k, 0, sizeof k);
    return 0;
}

typedef struct series_scan {
    const char *name, *channel;
    const uint8_t *self;
    size_t selflen;
    int found, dup;
    uint64_t version;
    uint8_t leaf[32];
} series_scan;

static int series_cb(void *arg, uint64_t index, const uint8_t *p, size_t len)
{
    series_scan *s = arg;
    (void)index;
    if (len == s->selflen && !memcmp(p, s->self, len))
        s->dup = 1;
    tl_manifest m;
    tl_err e;
    if (entry_manifest(p, len, &m, &e) != 0)
        return 0;
    if (!strcmp(m.name, s->name) && !strcmp(m.channel, s->channel)) {
        s->found = 1;
        s->version = m.version;
        tl_leaf_hash(p, len, s->leaf);
    }
    tl_manifest_free(&m);
    return 0;
}

static int put_artifact(const char *dir, const uint8_t sha[32], const void *data, size_t len, tl_err *e)
{
    char hex[65];
    tl_hex(sha, 32, hex);
    char *d = path_join2(dir, "sha256");
    if (!d) {
        tl_seterr(e, "out of memory");
        return -1;
    }
    int rc = tl_mkdir_p(d, e);
    char *p = rc == 0 ? path_join2(d, hex) : NULL;
    if (rc == 0 && p)
        rc = tl_write_atomic(p, data, len, 0644, e);
    free(p);
    free(d);
    return rc;
}

static int log_append(int argc, char **argv)
{
    const char *keyf = NULL, *vdb = NULL, *dir = NULL, *man = NULL, *v;
    tl_key relk[MAX_KEYS];
    size_t nrel = 0;
    tl_err e;
    for (int i = 0; i < argc; i++) {
        if (opt(argc, argv, &i, "--key", &v))
            keyf = v;
        else if (opt(argc, argv, &i, "--vdb", &v))
            vdb = v;
        else if (opt(argc, argv, &i, "--release-key", &v)) {
            if (nrel >= MAX_KEYS || vkey_arg(v, &relk[nrel], &e) != 0) {
                if (nrel >= MAX_KEYS)
                    tl_seterr(&e, "too many release keys");
                return failmsg("log", &e);
            }
            nrel++;
        } else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else if (argv[i][0] != '-' && !man)
            man = argv[i];
        else {
            log_usage(stderr);
            return 2;
        }
    }
    if (!keyf || !vdb || !dir || !man) {
        log_usage(stderr);
        return 2;
    }
    tl_key k;
    if (tl_skey_load(keyf, &k, &e) != 0)
        return failmsg("log", &e);
    int rc = 2, lock = -1;
    tl_buf mb = {0}, dbb = {0}, idx = {0};
    tl_manifest m;
    memset(&m, 0, sizeof m);
    logview lv;
    int have_lv = 0;
    if (tl_read_file(man, TL_ENTRY_MAX, &mb, &e) != 0 ||
        tl_manifest_open((const char *)mb.p, mb.len, relk, nrel, &m, NULL, &e) != 0) {
        failmsg("log", &e);
        goto done;
    }
    if (tl_read_file(vdb, MAX_VDB_READ, &dbb, &e) != 0 ||
        tl_release_check_db(&m, dbb.p, dbb.len, NULL, &e) != 0 ||
        tl_release_ruleindex(vdb, &idx, NULL, NULL, &e) != 0) {
        failmsg("log", &e);
        goto done;
    }
    {
        uint8_t ih[32], root[32];
        uint64_t cnt;
        tl_sha256(idx.p, idx.len, ih);
        if (tl_ruleindex_root((const char *)idx.p, idx.len, &cnt, root, &e) != 0) {
            failmsg("log", &e);
            goto done;
        }
        if (cnt != m.rules || memcmp(ih, m.rules_sha256, 32) || memcmp(root, m.rules_root, 32)) {
            fprintf(stderr, "vigil log: %s: the rules line does not match the database's rule index\n", man);
            goto done;
        }
    }
    if ((lock = tl_log_lock(dir, &e)) < 0) {
        failmsg("log", &e);
        goto done;
    }
    tl_key pub = k;
    pub.has_priv = 0;
    memset(pub.seed, 0, sizeof pub.seed);
    if (logview_open(&lv, dir, &pub, NULL, 0, NULL, 1, &e) != 0) {
        failmsg("log", &e);
        goto done;
    }
    have_lv = 1;
    series_scan ss = {m.name, m.channel, mb.p, mb.len, 0, 0, 0, {0}};
    if (tl_tiles_check_all(lv.t, series_cb, &ss, &e) != 0) {
        failmsg("log", &e);
        goto done;
    }
    if (ss.dup) {
        fprintf(stderr, "vigil log: %s is already in the log\n", man);
        goto done;
    }
    if (ss.found && m.version <= ss.version) {
        fprintf(stderr, "vigil log: version %" PRIu64 " of %s/%s is not above the logged %" PRIu64 "\n",
                m.version, m.name, m.channel, ss.version);
        goto done;
    }
    if (ss.found && (!m.has_prev || memcmp(m.prev, ss.leaf, 32))) {
        fprintf(stderr, "vigil log: %s: prev must be the leaf hash of version %" PRIu64
                        " (vigil release create --log %s)\n", man, ss.version, dir);
        goto done;
    }
    if (!ss.found && m.has_prev) {
        fprintf(stderr, "vigil log: %s names a previous release, but the log has none of %s/%s\n",
                man, m.name, m.channel);
        goto done;
    }
    /* artifacts first: the checkpoint never names a release whose files
     * are not published */
    if (put_artifact(dir, m.db_sha256, dbb.p, dbb.len, &e) != 0 ||
        put_artifact(dir, m.rules_sha256, idx.p, idx.len, &e) != 0) {
        failmsg("log", &e);
        goto done;
    }
    tl_entry ent = {mb.p, mb.len};
    uint64_t first;
    if (tl_log_append_locked(dir, &k, &ent, 1, &first, &e) != 0) {
        failmsg("log", &e);
        goto done;
    }
    fprintf(stderr, "%s: appended %s/%s version %" PRIu64 " at index %" PRIu64 "; tree size %" PRIu64 "\n",
            dir, m.name, m.channel, m.version, first, first + 1);
    rc = 0;
done:
    if (have_lv)
        logview_close(&lv);
    tl_log_unlock(lock);
    memset(&k, 0, sizeof k);
    tl_manifest_free(&m);
    tl_buf_free(&mb);
    tl_buf_free(&dbb);
    tl_buf_free(&idx);
    return rc;
}

/* ---- replay (verify / monitor) ---- */

typedef struct relrec {
    uint64_t index;
    tl_manifest m;
    uint8_t leaf[32];
    int ok;
} relrec;

typedef struct rulerec {
    char *key;      /* "series type name hash" */
    uint64_t first, dropped; /* dropped 0: still present */
    uint64_t seen;  /* last version that carried it */
    char *past;     /* earlier intervals "first A dropped B;" */
} rulerec;

typedef struct replay {
    relrec *r;
    size_t n, cap;
    const tl_key *relk;
    size_t nrel;
    int bad;
    /* rules */
    rulerec *tab;
    size_t tcap, tn;
} replay;

static void problem(replay *rp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(replay *rp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stdout, "PROBLEM: ");
    vfprintf(stdout, fmt, ap);
    fprintf(stdout, "\n");
    va_end(ap);
    rp->bad++;
}

static int replay_cb(void *arg, uint64_t index, const uint8_t *p, size_t len)
{
    replay *rp = arg;
    if (rp->n == rp->cap) {
        size_t cap = rp->cap ? rp->cap * 2 : 64;
        relrec *nr = realloc(rp->r, cap * sizeof *nr);
        if (!nr)
            return -1;
        rp->r = nr;
        rp->cap = cap;
    }
    relrec *r = &rp->r[rp->n];
    memset(r, 0, sizeof *r);
    r->index = index;
    tl_leaf_hash(p, len, r->leaf);
    tl_err e;
    if (tl_manifest_open((const char *)p, len, rp->relk, rp->nrel, &r->m, NULL, &e) != 0) {
        problem(rp, "entry %" PRIu64 ": %s", index, e.msg);
        return 0;
    }
    r->ok = 1;
    rp->n++;
    return 0;
}

static uint64_t strhash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static rulerec *rule_get(replay *rp, const char *key)
{
    if (rp->tn * 2 >= rp->tcap) {
        size_t ncap = rp->tcap ? rp->tcap * 2 : 4096;
        rulerec *nt = calloc(ncap, sizeof *nt);
        if (!nt)
            return NULL;
        for (size_t i = 0; i < rp->tcap; i++)
            if (rp->tab[i].key) {
                size_t j = strhash(rp->tab[i].key) & (ncap - 1);
                while (nt[j].key)
                    j = (j + 1) & (ncap - 1);
                nt[j] = rp->tab[i];
            }
        free(rp->tab);
        rp->tab = nt;
        rp->tcap = ncap;
    }
    size_t j = strhash(key) & (rp->tcap - 1);
    while (rp->tab[j].key) {
        if (!strcmp(rp->tab[j].key, key))
            return &rp->tab[j];
        j = (j + 1) & (rp->tcap - 1);
    }
    rp->tab[j].key = strdup(key);
    if (!rp->tab[j].key)
        return NULL;
    rp->tn++;
    return &rp->tab[j];
}

static int rulecmp(const void *a, const void *b)
{
    const rulerec *x = a, *y = b;
    if (!x->key || !y->key)
        return (x->key == NULL) - (y->key == NULL);
    return strcmp(x->key, y->key);
}

typedef struct trust {
    tl_key log;
    int have_log;
    tl_key rel[MAX_KEYS];
    size_t nrel;
    tl_key wit[TL_POL_MAX_WIT];
    size_t nwit;
    tl_policy pol;
    int have_pol;
    uint64_t quorum;
} trust;

static int log_replay(int argc, char **argv, int monitor)
{
    const char *cmd = monitor ? "log monitor" : "log verify";
    const char *loc = NULL, *cfgf = NULL, *statedir = NULL, *egress = NULL, *v;
    int no_db = 0;
    trust tr;
    memset(&tr, 0, sizeof tr);
    tl_err e;
    for (int i = 0; i < argc; i++) {
        if (opt(argc, argv, &i, "--config", &v))
            cfgf = v;
        else if (opt(argc, argv, &i, "--key", &v)) {
            if (vkey_arg(v, &tr.log, &e) != 0)
                return failmsg(cmd, &e);
            tr.have_log = 1;
        } else if (opt(argc, argv, &i, "--release-key", &v)) {
            if (tr.nrel >= MAX_KEYS || vkey_arg(v, &tr.rel[tr.nrel], &e) != 0) {
                if (tr.nrel >= MAX_KEYS)
                    tl_seterr(&e, "too many release keys");
                return failmsg(cmd, &e);
            }
            tr.nrel++;
        } else if (opt(argc, argv, &i, "--witness", &v)) {
            if (tr.nwit >= TL_POL_MAX_WIT || vkey_arg(v, &tr.wit[tr.nwit], &e) != 0) {
                if (tr.nwit >= TL_POL_MAX_WIT)
                    tl_seterr(&e, "too many witnesses");
                return failmsg(cmd, &e);
            }
            tr.nwit++;
        } else if (opt(argc, argv, &i, "--quorum", &v)) {
            if (tl_parse_u64(v, strlen(v), &tr.quorum) != 0) {
                log_usage(stderr);
                return 2;
            }
        } else if (monitor && opt(argc, argv, &i, "--state", &v))
            statedir = v;
        else if (opt(argc, argv, &i, "--egress-log", &v))
            egress = v;
        else if (!strcmp(argv[i], "--no-db"))
            no_db = 1;
        else if (argv[i][0] != '-' && !loc)
            loc = argv[i];
        else {
            log_usage(stderr);
            return 2;
        }
    }
    ucfg *cfg = NULL;
    if (cfgf) {
        cfg = calloc(1, sizeof *cfg);
        if (!cfg || cfg_load(cfgf, cfg, &e) != 0) {
            free(cfg);
            return failmsg(cmd, &e);
        }
        if (!tr.have_log && cfg->pol.have_log) {
            tr.log = cfg->pol.log;
            tr.have_log = 1;
        }
        for (size_t i = 0; i < cfg->nrel && tr.nrel < MAX_KEYS; i++)
            tr.rel[tr.nrel++] = cfg->rel[i];
        tr.pol = cfg->pol;
        tr.have_pol = 1;
        if (!loc && cfg->mirror[0])
            loc = cfg->mirror;
    }
    if (!loc || !tr.have_log) {
        free(cfg);
        log_usage(stderr);
        return 2;
    }
    egress_resolve(egress, cfg ? cfg->egress : NULL, cfg ? cfg->state : NULL);
    if (cfg)
        snprintf(g_cafile, sizeof g_cafile, "%s", cfg->cafile);
    const tl_key *wit = tr.have_pol ? tr.pol.wit : tr.wit;
    size_t nwit = tr.have_pol ? tr.pol.nwit : tr.nwit;
    replay rp;
    memset(&rp, 0, sizeof rp);
    rp.relk = tr.rel;
    rp.nrel = tr.nrel;
    logview lv;
    tl_checkpoint_sigs cs;
    int rc = 2;
    if (logview_open(&lv, loc, &tr.log, wit, nwit, &cs, 0, &e) != 0) {
        printf("PROBLEM: checkpoint: %s\n", e.msg);
        free(cfg);
        return 1;
    }
    char rb[TL_B64LEN(32) + 1];
    tl_b64_enc(cs.cp.root, 32, rb);
    printf("log %s size %" PRIu64 " root %s: log signature OK, %zu witness cosignature(s)\n",
           cs.cp.origin, cs.cp.size, rb, cs.nvalid);
    char why[256];
    if (tr.have_pol && !tl_policy_satisfied(&tr.pol, cs.wok, why, sizeof why))
        problem(&rp, "witness quorum: %s", why);
    else if (!tr.have_pol && cs.nvalid < tr.quorum)
        problem(&rp, "witness quorum: %zu cosignature(s), %" PRIu64 " required", cs.nvalid, tr.quorum);
    /* monitor: the log must only have grown since the last run */
    tl_buf oldcp = {0};
    char *statefile = NULL;
    if (statedir) {
        char hex[65];
        uint8_t oh[32];
        tl_sha256(cs.cp.origin, strlen(cs.cp.origin), oh);
        tl_hex(oh, 32, hex);
        if (tl_mkdir_p(statedir, &e) != 0 || !(statefile = path_join2(statedir, hex))) {
            failmsg(cmd, &e);
            goto done;
        }
        int r = tl_read_file(statefile, TL_NOTE_MAX_BYTES, &oldcp, &e);
        if (r < 0) {
            failmsg(cmd, &e);
            goto done;
        }
    }
    if (tl_tiles_open(&lv.t, fetch_cb, &lv.f, cs.cp.size, cs.cp.root, NULL, &e) != 0) {
        problem(&rp, "tiles: %s", e.msg);
        goto report;
    }
    if (oldcp.len) {
        tl_checkpoint_sigs ocs;
        if (tl_checkpoint_open((const char *)oldcp.p, oldcp.len, &tr.log, NULL, 0, &ocs, &e) != 0)
            problem(&rp, "stored checkpoint: %s", e.msg);
        else if (ocs.cp.size > cs.cp.size)
            problem(&rp, "consistency: the log shrank from size %" PRIu64 " to %" PRIu64, ocs.cp.size,
                    cs.cp.size);
        else {
            tl_hash pr[TL_MAX_PROOF];
            size_t np;
            if (tl_consistency_proof(tl_tiles_hash, lv.t, ocs.cp.size, cs.cp.size, pr, &np, &e) != 0 ||
                tl_verify_consistency(ocs.cp.size, cs.cp.size, ocs.cp.root, cs.cp.root, pr, np, &e) != 0)
                problem(&rp, "consistency with the checkpoint seen last (size %" PRIu64 "): %s%s",
                        ocs.cp.size, ocs.cp.size == cs.cp.size ? "split view: " : "", e.msg);
            else
                printf("consistent with the checkpoint seen last (size %" PRIu64 ")\n", ocs.cp.size);
        }
    }
    int cr = tl_tiles_check_all(lv.t, replay_cb, &rp, &e);
    if (cr != 0) {
        problem(&rp, "log contents: %s", cr < 0 ? e.msg : "out of memory");
        goto report;
    }
    /* per name/channel: strictly increasing versions, prev chain */
    for (size_t i = 0; i < rp.n; i++) {
        relrec *r = &rp.r[i];
        relrec *prev = NULL;
        for (size_t j = i; j-- > 0;)
            if (!strcmp(rp.r[j].m.name, r->m.name) && !strcmp(rp.r[j].m.channel, r->m.channel)) {
                prev = &rp.r[j];
                break;
            }
        if (prev && r->m.version <= prev->m.version)
            problem(&rp, "entry %" PRIu64 ": %s/%s version %" PRIu64 " after version %" PRIu64,
                    r->index, r->m.name, r->m.channel, r->m.version, prev->m.version);
        if (prev && (!r->m.has_prev || memcmp(r->m.prev, prev->leaf, 32)))
            problem(&rp, "entry %" PRIu64 ": prev is not the previous release of %s/%s (entry %" PRIu64 ")",
                    r->index, r->m.name, r->m.channel, prev->index);
        if (!prev && r->m.has_prev)
            problem(&rp, "entry %" PRIu64 ": prev names a release that is not in the log", r->index);
        char t[32], h[65];
        tl_time_fmt(r->m.created, t);
        tl_hex(r->m.db_sha256, 32, h);
        printf("release %" PRIu64 " %s/%s version %" PRIu64 " created %s db %s %" PRIu64 " rules %" PRIu64 "\n",
               r->index, r->m.name, r->m.channel, r->m.version, t, h, r->m.db_size, r->m.rules);
    }
    /* artifacts: rule index (and database) of every release */
    for (size_t i = 0; i < rp.n; i++) {
        relrec *r = &rp.r[i];
        char hex[65], rel[80];
        tl_hex(r->m.rules_sha256, 32, hex);
        snprintf(rel, sizeof rel, "sha256/%s", hex);
        tl_buf idx;
        int fr = fetch_cb(&lv.f, rel, MAX_RULE_INDEX, &idx, &e);
        if (fr != 0) {
            problem(&rp, "entry %" PRIu64 ": rule index %s: %s (dark release)", r->index, rel,
                    fr == 1 ? "not published" : e.msg);
            r->ok = 0;
            continue;
        }
        uint8_t ih[32], root[32];
        uint64_t cnt = 0;
        tl_sha256(idx.p, idx.len, ih);
        if (memcmp(ih, r->m.rules_sha256, 32) != 0 ||
            tl_ruleindex_root((const char *)idx.p, idx.len, &cnt, root, &e) != 0 || cnt != r->m.rules ||
            memcmp(root, r->m.rules_root, 32) != 0) {
            problem(&rp, "entry %" PRIu64 ": the published rule index does not match the manifest", r->index);
            tl_buf_free(&idx);
            r->ok = 0;
            continue;
        }
        /* rule history of this name/channel */
        const char *p = (const char *)idx.p, *end = p + idx.len, *l;
        size_t ll;
        while (tl_next_line(&p, end, &l, &ll) == 1) {
            char key[1024];
            snprintf(key, sizeof key, "%s/%s %.*s", r->m.name, r->m.channel, (int)(ll > 900 ? 900 : ll), l);
            rulerec *rr = rule_get(&rp, key);
            if (!rr) {
                problem(&rp, "out of memory");
                break;
            }
            if (rr->first == 0 && rr->seen == 0) {
                rr->first = r->m.version;
            } else if (rr->dropped) {
                size_t ol = rr->past ? strlen(rr->past) : 0;
                char *np = realloc(rr->past, ol + 64);
                if (np) {
                    snprintf(np + ol, 64, "first %" PRIu64 " dropped %" PRIu64 ";", rr->first, rr->dropped);
                    rr->past = np;
                }
                rr->first = r->m.version;
                rr->dropped = 0;
            }
            rr->seen = r->m.version;
        }
        tl_buf_free(&idx);
        /* rules of this series not in this release are dropped by it */
        char pre[140];
        int pl = snprintf(pre, sizeof pre, "%s/%s ", r->m.name, r->m.channel);
        for (size_t j = 0; j < rp.tcap; j++) {
            rulerec *q = &rp.tab[j];
            if (q->key && !strncmp(q->key, pre, (size_t)pl) && !q->dropped && q->seen != r->m.version)
                q->dropped = r->m.version;
        }
        if (!no_db) {
            tl_hex(r->m.db_sha256, 32, hex);
            snprintf(rel, sizeof rel, "sha256/%s", hex);
            tl_buf db;
            size_t max = r->m.db_size < SIZE_MAX ? (size_t)r->m.db_size : SIZE_MAX;
            fr = fetch_cb(&lv.f, rel, max, &db, &e);
            if (fr != 0) {
                problem(&rp, "entry %" PRIu64 ": database %s: %s (dark release)", r->index, rel,
                        fr == 1 ? "not published" : e.msg);
                continue;
            }
            if (tl_release_check_db(&r->m, db.p, db.len, NULL, &e) != 0)
                problem(&rp, "entry %" PRIu64 ": published database: %s", r->index, e.msg);
            tl_buf_free(&db);
        }
    }
    qsort(rp.tab, rp.tcap, sizeof *rp.tab, rulecmp);
    for (size_t j = 0; j < rp.tcap && rp.tab[j].key; j++) {
        rulerec *q = &rp.tab[j];
        const char *s = q->past;
        while (s && *s) {
            const char *semi = strchr(s, ';');
            printf("rule %s %.*s\n", q->key, (int)(semi ? semi - s : (long)strlen(s)), s);
            s = semi ? semi + 1 : NULL;
        }
        if (q->dropped)
            printf("rule %s first %" PRIu64 " dropped %" PRIu64 "\n", q->key, q->first, q->dropped);
        else
            printf("rule %s first %" PRIu64 " dropped -\n", q->key, q->first);
    }
report:
    if (rp.bad == 0 && statefile) {
        if (tl_write_atomic(statefile, lv.cpbuf.p, lv.cpbuf.len, 0644, &e) != 0)
            problem(&rp, "cannot store the checkpoint: %s", e.msg);
    } else if (rp.bad && statefile && lv.cpbuf.len) {
        /* keep the conflicting checkpoint as evidence */
        size_t l = strlen(statefile) + 64;
        char *ev = malloc(l);
        if (ev) {
            snprintf(ev, l, "%s.evidence.%" PRIu64, statefile, now_secs());
            tl_write_atomic(ev, lv.cpbuf.p, lv.cpbuf.len, 0644, &e);
            free(ev);
        }
    }
    if (rp.bad) {
        printf("vigil %s: %d problem(s) found: the log is not consistent\n", cmd, rp.bad);
        rc = 1;
    } else {
        printf("vigil %s: OK: %zu release(s), %zu rule(s) ever published; every tile, entry and artifact checked\n",
               cmd, rp.n, rp.tn);
        rc = 0;
    }
done:
    for (size_t i = 0; i < rp.n; i++)
        tl_manifest_free(&rp.r[i].m);
    free(rp.r);
    for (size_t j = 0; j < rp.tcap; j++) {
        free(rp.tab[j].key);
        free(rp.tab[j].past);
    }
    free(rp.tab);
    free(statefile);
    tl_buf_free(&oldcp);
    logview_close(&lv);
    free(cfg);
    return rc;
}

int vgcli_log(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        log_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "init"))
        return log_init(argc - 2, argv + 2);
    if (!strcmp(argv[1], "append"))
        return log_append(argc - 2, argv + 2);
    if (!strcmp(argv[1], "verify"))
        return log_replay(argc - 2, argv + 2, 0);
    if (!strcmp(argv[1], "monitor"))
        return log_replay(argc - 2, argv + 2, 1);
    log_usage(stderr);
    return 2;
}

/* ------------------------------------------------------------------ */
/* vigil witness                                                        */

static void witness_usage(FILE *f)
{
    fprintf(f,
            "usage: vigil witness cosign --key WITNESS.skey --log-key LOG.vkey --state DIR\n"
            "           [--time T] [-o OUT] DIR|URL\n"
            "           check the log's checkpoint (log signature) and that it extends the\n"
            "           last one this witness cosigned (consistency proof from the log's\n"
            "           tiles; same size must mean same root), remember it, and add a\n"
            "           cosignature/v1 line. With a log directory and no -o the line is\n"
            "           added to DIR/checkpoint; otherwise the cosigned checkpoint goes to\n"
            "           OUT (or stdout). Refuses (exit 1) a checkpoint that does not extend\n"
            "           what it saw. T: seconds or RFC 3339 (default: now).\n");
}

/* Copy note `n` without signature lines of key k, then add `line`. */
static int note_replace_line(const tl_note *n, const tl_key *k, const tl_buf *line, tl_buf *out)
{
    if (tl_buf_add(out, n->text, n->textlen) != 0 || tl_buf_add(out, "\n", 1) != 0)
        return -1;
    for (size_t i = 0; i < n->nsigs; i++) {
        const tl_sig *s = &n->sigs[i];
        if (s->id == k->id && !strcmp(s->name, k->name))
            continue;
        uint8_t raw[4 + 4096];
        if (s->len > 4096)
            return -1;
        raw[0] = (uint8_t)(s->id >> 24);
        raw[1] = (uint8_t)(s->id >> 16);
        raw[2] = (uint8_t)(s->id >> 8);
        raw[3] = (uint8_t)s->id;
        memcpy(raw + 4, s->data, s->len);
        char *b64 = malloc(TL_B64LEN(s->len + 4) + 1);
        if (!b64)
            return -1;
        tl_b64_enc(raw, s->len + 4, b64);
        int rc = tl_buf_printf(out, "\xe2\x80\x94 %s %s\n", s->name, b64);
        free(b64);
        if (rc != 0)
            return -1;
    }
    if (tl_buf_add(out, line->p, line->len) != 0)
        return -1;
    return tl_buf_cstr(out);
}

static int witness_cosign(int argc, char **argv)
{
    const char *keyf = NULL, *logkf = NULL, *statedir = NULL, *targ = NULL, *out = NULL;
    const char *loc = NULL, *egress = NULL, *v;
    for (int i = 0; i < argc; i++) {
        if (opt(argc, argv, &i, "--key", &v))
            keyf = v;
        else if (opt(argc, argv, &i, "--log-key", &v))
            logkf = v;
        else if (opt(argc, argv, &i, "--state", &v))
            statedir = v;
        else if (opt(argc, argv, &i, "--time", &v))
            targ = v;
        else if (opt(argc, argv, &i, "-o", &v) || opt(argc, argv, &i, "--output", &v))
            out = v;
        else if (opt(argc, argv, &i, "--egress-log", &v))
            egress = v;
        else if (argv[i][0] != '-' && !loc)
            loc = argv[i];
        else {
            witness_usage(stderr);
            return 2;
        }
    }
    if (!keyf || !logkf || !statedir || !loc) {
        witness_usage(stderr);
        return 2;
    }
    egress_resolve(egress, NULL, NULL);
    tl_err e;
    tl_key wk, lk;
    if (tl_skey_load(keyf, &wk, &e) != 0 || vkey_arg(logkf, &lk, &e) != 0)
        return failmsg("witness", &e);
    if (wk.type != TL_KEY_COSIG_V1) {
        fprintf(stderr, "vigil witness: %s is not a witness key (vigil key generate --witness)\n", keyf);
        return 2;
    }
    uint64_t t = now_secs();
    if (targ && parse_time_arg(targ, &t) != 0) {
        fprintf(stderr, "vigil witness: bad --time '%s'\n", targ);
        return 2;
    }
    int rc = 2, lock = -1;
    logview lv;
    tl_checkpoint_sigs cs;
    tl_buf old = {0}, line = {0}, note = {0}, cur = {0};
    char *sf = NULL;
    tl_note n;
    memset(&n, 0, sizeof n);
    int is_dir = !is_url(loc) && !out;
    if (is_dir && (lock = tl_log_lock(loc, &e)) < 0) {
        failmsg("witness", &e);
        goto out0;
    }
    if (logview_open(&lv, loc, &lk, NULL, 0, &cs, 0, &e) != 0) {
        fprintf(stderr, "vigil witness: refused: log signature: %s\n", e.msg);
        rc = 1;
        goto out0;
    }
    char hex[65];
    uint8_t oh[32];
    tl_sha256(cs.cp.origin, strlen(cs.cp.origin), oh);
    tl_hex(oh, 32, hex);
    if (tl_mkdir_p(statedir, &e) != 0 || !(sf = path_join2(statedir, hex))) {
        failmsg("witness", &e);
        goto out;
    }
    int r = tl_read_file(sf, TL_NOTE_MAX_BYTES, &old, &e);
    if (r < 0) {
        failmsg("witness", &e);
        goto out;
    }
    if (r == 0) {
        tl_checkpoint_sigs ocs;
        if (tl_checkpoint_open((const char *)old.p, old.len, &lk, NULL, 0, &ocs, &e) != 0) {
            tl_preerr(&e, "stored checkpoint %s", sf);
            failmsg("witness", &e);
            goto out;
        }
        if (ocs.cp.size > cs.cp.size) {
            fprintf(stderr, "vigil witness: refused: not an extension: size %" PRIu64
                            " is below the size %" PRIu64 " this witness cosigned\n", cs.cp.size, ocs.cp.size);
            rc = 1;
            goto out;
        }
        if (ocs.cp.size == cs.cp.size && memcmp(ocs.cp.root, cs.cp.root, 32) != 0) {
            fprintf(stderr, "vigil witness: refused: split view: two checkpoints of size %" PRIu64
                            " with different roots\n", cs.cp.size);
            rc = 1;
            goto out;
        }
        if (ocs.cp.size < cs.cp.size) {
            tl_hash pr[TL_MAX_PROOF];
            size_t np;
            if (tl_tiles_open(&lv.t, fetch_cb, &lv.f, cs.cp.size, cs.cp.root, NULL, &e) != 0 ||
                tl_consistency_proof(tl_tiles_hash, lv.t, ocs.cp.size, cs.cp.size, pr, &np, &e) != 0 ||
                tl_verify_consistency(ocs.cp.size, cs.cp.size, ocs.cp.root, cs.cp.root, pr, np, &e) != 0) {
                fprintf(stderr, "vigil witness: refused: not an extension of size %" PRIu64 ": %s\n",
                        ocs.cp.size, e.msg);
                rc = 1;
                goto out;
            }
        }
    }
    if (tl_note_parse((const char *)lv.cpbuf.p, lv.cpbuf.len, &n, &e) != 0 ||
        tl_note_sigline(&wk, n.text, n.textlen, t, &line, &e) != 0) {
        failmsg("witness", &e);
        goto out;
    }
    /* remember before releasing the cosignature */
    if (tl_write_atomic(sf, lv.cpbuf.p, lv.cpbuf.len, 0644, &e) != 0) {
        failmsg("witness", &e);
        goto out;
    }
    if (note_replace_line(&n, &wk, &line, &note) != 0) {
        fprintf(stderr, "vigil witness: out of memory\n");
        goto out;
    }
    if (is_dir) {
        /* under the log's lock: the checkpoint cannot change meanwhile */
        char *cp = path_join2(loc, "checkpoint");
        int wr = cp ? tl_write_atomic(cp, note.p, note.len, 0644, &e) : -1;
        free(cp);
        if (wr != 0) {
            failmsg("witness", &e);
            goto out;
        }
    } else if (out) {
        if (tl_write_atomic(out, note.p, note.len, 0644, &e) != 0) {
            failmsg("witness", &e);
            goto out;
        }
    } else
        fwrite(note.p, 1, note.len, stdout);
    fprintf(stderr, "witness %s cosigned %s size %" PRIu64 " at time %" PRIu64 "\n", wk.name,
            cs.cp.origin, cs.cp.size, t);
    rc = 0;
out:
    logview_close(&lv);
out0:
    tl_log_unlock(lock);
    tl_note_free(&n);
    memset(&wk, 0, sizeof wk);
    free(sf);
    tl_buf_free(&old);
    tl_buf_free(&line);
    tl_buf_free(&note);
    tl_buf_free(&cur);
    return rc;
}

int vgcli_witness(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        witness_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "cosign"))
        return witness_cosign(argc - 2, argv + 2);
    witness_usage(stderr);
    return 2;
}

/* ------------------------------------------------------------------ */
/* vigil update                                                         */

static void update_usage(FILE *f)
{
    fprintf(f,
            "usage: vigil update [--config FILE] [--mirror DIR|URL | --bundle FILE]\n"
            "                    [--max-age DURATION] [--egress-log FILE] [--no-reload]\n"
            "Fetch the newest checkpoint, the tiles it needs and the newest release of\n"
            "the configured name/channel from the mirror (http, https, file:// or a\n"
            "directory), or take them from an offline release bundle, and install the\n"
            "database only if every check passes: publisher signature, log signature,\n"
            "witness quorum, freshness (newest cosignature not older than max-age),\n"
            "tiles, inclusion proof, consistency with the checkpoint stored last, the\n"
            "database's SHA-256 and rule index, and a version above the installed one.\n"
            "Installs atomically (temporary file, fsync, rename), then asks a running\n"
            "vigild to reload (reload-socket). Any failure changes nothing, names the\n"
            "check that failed ('refused: <check>: ...') and exits 2. Every request is\n"
            "recorded in the egress log (vigil egress).\n"
            "Configuration (default /etc/vigil/update.conf), a c2sp.org/tlog-policy file\n"
            "plus: mirror, release-key VKEY, name, channel, max-age, clock-skew, state DIR,\n"
            "database FILE, reload-socket PATH, egress-log FILE, max-db-size, ca-file FILE\n"
            "(CA certificates, PEM, that https mirrors are verified against, as curl --cacert).\n");
}

static int refuse(const char *check, const tl_err *e)
{
    fprintf(stderr, "vigil update: refused: %s: %s\n", check, e->msg);
    fprintf(stderr, "vigil update: nothing was installed or changed\n");
    return 2;
}

typedef struct ustate {
    tl_buf raw;
    int have_cp, have_man;
    tl_checkpoint cp;
    const uint8_t *cpnote;
    size_t cpnotelen;
    tl_manifest man;
    uint8_t manleaf[32];
} ustate;

static int state_load(const char *path, const tl_key *logkey, ustate *s, tl_err *e)
{
    memset(s, 0, sizeof *s);
    int r = tl_read_file(path, 1 << 20, &s->raw, e);
    if (r == 1)
        return 0;
    if (r < 0)
        return -1;
    tl_section sec[TL_MAX_SECTIONS];
    size_t ns;
    if (tl_sections_parse(s->raw.p, s->raw.len, TL_STATE_HEADER, sec, &ns, e) != 0)
        return -1;
    const tl_section *c = tl_section_get(sec, ns, "checkpoint");
    const tl_section *m = tl_section_get(sec, ns, "manifest");
    if (c) {
        tl_checkpoint_sigs cs;
        if (tl_checkpoint_open((const char *)c->p, c->len, logkey, NULL, 0, &cs, e) != 0) {
            tl_preerr(e, "stored checkpoint");
            return -1;
        }
        s->cp = cs.cp;
        s->cpnote = c->p;
        s->cpnotelen = c->len;
        s->have_cp = 1;
    }
    if (m) {
        if (entry_manifest(m->p, m->len, &s->man, e) != 0) {
            tl_preerr(e, "stored manifest");
            return -1;
        }
        tl_leaf_hash(m->p, m->len, s->manleaf);
        s->have_man = 1;
    }
    return 0;
}

static void state_free(ustate *s)
{
    tl_manifest_free(&s->man);
    tl_buf_free(&s->raw);
}

static int state_save(const char *path, const void *cp, size_t cplen, const void *man, size_t manlen,
                      tl_err *e)
{
    tl_buf b = {0};
    int rc = -1;
    if (tl_buf_str(&b, TL_STATE_HEADER "\n") == 0 && tl_sections_add(&b, "checkpoint", cp, cplen) == 0 &&
        (!man || tl_sections_add(&b, "manifest", man, manlen) == 0))
        rc = tl_write_atomic(path, b.p, b.len, 0644, e);
    else
        tl_seterr(e, "out of memory");
    tl_buf_free(&b);
    return rc;
}

static void keep_evidence(const char *statedir, const ustate *st, const tl_buf *cpbuf)
{
    char *d = path_join2(statedir, "evidence");
    tl_err e;
    if (!d || tl_mkdir_p(d, &e) != 0) {
        free(d);
        return;
    }
    char name[64];
    uint64_t t = now_secs();
    snprintf(name, sizeof name, "%" PRIu64 "-stored-checkpoint", t);
    char *p1 = path_join2(d, name);
    snprintf(name, sizeof name, "%" PRIu64 "-received-checkpoint", t);
    char *p2 = path_join2(d, name);
    if (p1 && st->cpnote)
        tl_write_atomic(p1, st->cpnote, st->cpnotelen, 0644, &e);
    if (p2)
        tl_write_atomic(p2, cpbuf->p, cpbuf->len, 0644, &e);
    fprintf(stderr, "vigil update: both checkpoints kept as evidence in %s\n", d);
    free(p1);
    free(p2);
    free(d);
}

/* clamd protocol: "zRELOAD\0" -> "RELOADING" */
static void ask_reload(const char *sock)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        fprintf(stderr, "vigil update: no vigild at %s (%s); it will load the new database when started\n",
                sock, strerror(errno));
        close(fd);
        return;
    }
    static const char cmd[] = "zRELOAD";
    char reply[64] = "";
    ssize_t n = -1;
    if (write(fd, cmd, sizeof cmd) == (ssize_t)sizeof cmd)
        n = read(fd, reply, sizeof reply - 1);
    if (n > 0) {
        reply[n] = 0;
        reply[strcspn(reply, "\r\n")] = 0;
        fprintf(stderr, "vigil update: vigild: %s\n", reply);
    } else
        fprintf(stderr, "vigil update: vigild at %s did not answer the reload request\n", sock);
    close(fd);
}

static int update_cmd(int argc, char **argv)
{
    const char *cfgf = "/etc/vigil/update.conf", *mirror = NULL, *bundlef = NULL, *maxage = NULL;
    const char *egress = NULL, *v;
    int no_reload = 0;
    for (int i = 0; i < argc; i++) {
        if (opt(argc, argv, &i, "--config", &v))
            cfgf = v;
        else if (opt(argc, argv, &i, "--mirror", &v))
            mirror = v;
        else if (opt(argc, argv, &i, "--bundle", &v))
            bundlef = v;
        else if (opt(argc, argv, &i, "--max-age", &v))
            maxage = v;
        else if (opt(argc, argv, &i, "--egress-log", &v))
            egress = v;
        else if (!strcmp(argv[i], "--no-reload"))
            no_reload = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            update_usage(stdout);
            return 0;
        } else {
            update_usage(stderr);
            return 2;
        }
    }
    tl_err e;
    ucfg *c = calloc(1, sizeof *c);
    if (!c) {
        fprintf(stderr, "vigil update: out of memory\n");
        return 2;
    }
    if (cfg_load(cfgf, c, &e) != 0) {
        free(c);
        return failmsg("update", &e);
    }
    if (maxage && (parse_duration(maxage, &c->max_age) != 0)) {
        free(c);
        update_usage(stderr);
        return 2;
    }
    if (mirror)
        snprintf(c->mirror, sizeof c->mirror, "%s", mirror);
    if (!c->pol.have_log || c->nrel == 0 || !c->name[0] || !c->state[0] || !c->database[0] ||
        (!bundlef && !c->mirror[0])) {
        fprintf(stderr, "vigil update: %s needs: log, release-key, name, state, database and mirror\n", cfgf);
        free(c);
        return 2;
    }
    egress_resolve(egress, c->egress, c->state);
    snprintf(g_cafile, sizeof g_cafile, "%s", c->cafile);

    int rc = 2, lock = -1;
    ustate st;
    memset(&st, 0, sizeof st);
    logview lv;
    memset(&lv, 0, sizeof lv);
    int have_lv = 0;
    tl_buf bundle = {0}, cpbuf = {0}, manbuf = {0}, dbbuf = {0};
    tl_hash *leaves = NULL;
    tl_mem_tree mt = {NULL, 0};
    tl_hash_fn hfn = NULL;
    void *hctx = NULL;
    tl_manifest m;
    memset(&m, 0, sizeof m);
    char *statefile = NULL, *tmp = NULL, *chk = NULL;
    tl_checkpoint_sigs cs;
    uint64_t index = 0;
    tl_hash pr[TL_MAX_PROOF];
    size_t np = 0;
    const char *cpdata;
    size_t cplen;

    if (tl_mkdir_p(c->state, &e) != 0 || (lock = tl_log_lock(c->state, &e)) < 0 ||
        !(statefile = path_join2(c->state, "state"))) {
        failmsg("update", &e);
        goto done;
    }
    if (state_load(statefile, &c->pol.log, &st, &e) != 0) {
        failmsg("update", &e);
        goto done;
    }

    /* 1. the checkpoint (and, offline, the whole bundle) */
    if (bundlef) {
        if (tl_read_file(bundlef, MAX_VDB_READ, &bundle, &e) != 0) {
            failmsg("update", &e);
            goto done;
        }
        tl_section sec[TL_MAX_SECTIONS];
        size_t ns;
        if (tl_sections_parse(bundle.p, bundle.len, TL_BUNDLE_HEADER, sec, &ns, &e) != 0) {
            rc = refuse("bundle", &e);
            goto done;
        }
        const tl_section *sm = tl_section_get(sec, ns, "manifest"), *sp = tl_section_get(sec, ns, "proof"),
                         *sl = tl_section_get(sec, ns, "leaves"), *sd = tl_section_get(sec, ns, "db");
        if (!sm || !sp || !sl || !sd || sl->len % 32) {
            tl_seterr(&e, "missing or malformed section (needs manifest, proof, leaves, db)");
            rc = refuse("bundle", &e);
            goto done;
        }
        tl_tlog_proof tp;
        if (tl_tlog_proof_parse((const char *)sp->p, sp->len, &tp, &e) != 0) {
            rc = refuse("bundle", &e);
            goto done;
        }
        if (tl_buf_add(&manbuf, sm->p, sm->len) || tl_buf_add(&cpbuf, tp.checkpoint, tp.cplen) ||
            tl_buf_add(&dbbuf, sd->p, sd->len)) {
            fprintf(stderr, "vigil update: out of memory\n");
            goto done;
        }
        index = tp.index;
        np = tp.np;
        memcpy(pr, tp.proof, sizeof(tl_hash) * np);
        leaves = malloc(sl->len ? sl->len : 1);
        if (!leaves) {
            fprintf(stderr, "vigil update: out of memory\n");
            goto done;
        }
        memcpy(leaves, sl->p, sl->len);
        mt.leaves = leaves;
        mt.n = sl->len / 32;
        hfn = tl_mem_hash;
        hctx = &mt;
    } else {
        if (fetcher_open(&lv.f, c->mirror, &e) != 0) {
            failmsg("update", &e);
            goto done;
        }
        have_lv = 1;
        int r = fetch_cb(&lv.f, "checkpoint", TL_NOTE_MAX_BYTES, &cpbuf, &e);
        if (r != 0) {
            rc = refuse("fetch", &e);
            goto done;
        }
    }
    cpdata = (const char *)cpbuf.p;
    cplen = cpbuf.len;

    /* 2. log signature, then witness cosignatures and quorum */
    if (tl_checkpoint_open(cpdata, cplen, &c->pol.log, NULL, 0, &cs, &e) != 0) {
        rc = refuse("log signature", &e);
        goto done;
    }
    if (tl_checkpoint_open(cpdata, cplen, &c->pol.log, c->pol.wit, c->pol.nwit, &cs, &e) != 0) {
        rc = refuse("witness cosignature", &e);
        goto done;
    }
    {
        char why[256];
        if (!tl_policy_satisfied(&c->pol, cs.wok, why, sizeof why)) {
            tl_seterr(&e, "too few cosignatures: %s", why);
            rc = refuse("witness quorum", &e);
            goto done;
        }
    }
    /* 3. freshness: no cosignature from the future, the newest not too old */
    {
        uint64_t now = now_secs();
        for (size_t i = 0; i < c->pol.nwit; i++)
            if (cs.wok[i] && cs.wtime[i] > now + c->skew) {
                tl_seterr(&e, "witness %s cosigned at %" PRIu64 ", %" PRIu64 " s in the future",
                          c->pol.wname[i], cs.wtime[i], cs.wtime[i] - now);
                rc = refuse("freshness", &e);
                goto done;
            }
        if (c->max_age) {
            if (cs.newest == 0) {
                tl_seterr(&e, "no witness cosignature carries a time, and max-age is set");
                rc = refuse("freshness", &e);
                goto done;
            }
            if (cs.newest + c->max_age < now) {
                char t[32];
                tl_time_fmt(cs.newest, t);
                tl_seterr(&e, "the newest cosignature is from %s, %" PRIu64 " s ago; max-age is %" PRIu64
                              " s: the log or the mirror may be frozen",
                          t, now - cs.newest, c->max_age);
                rc = refuse("freshness", &e);
                goto done;
            }
        }
    }
    /* 4. the tree: tiles (or the bundle's leaf list) must give the root */
    if (bundlef) {
        uint8_t root[32];
        if (mt.n != cs.cp.size || tl_tree_root(tl_mem_hash, &mt, mt.n, root, &e) != 0 ||
            memcmp(root, cs.cp.root, 32) != 0) {
            tl_seterr(&e, "the bundle's %" PRIu64 " leaf hashes do not hash to the checkpoint's root (size %" PRIu64 ")",
                      mt.n, cs.cp.size);
            rc = refuse("log leaves", &e);
            goto done;
        }
    } else {
        if (tl_tiles_open(&lv.t, fetch_cb, &lv.f, cs.cp.size, cs.cp.root, NULL, &e) != 0) {
            rc = refuse("tiles", &e);
            goto done;
        }
        hfn = tl_tiles_hash;
        hctx = lv.t;
    }
    /* 5. consistency with the checkpoint stored last */
    if (st.have_cp) {
        if (strcmp(st.cp.origin, cs.cp.origin) != 0) {
            tl_seterr(&e, "origin %s is not the stored %s", cs.cp.origin, st.cp.origin);
            rc = refuse("consistency", &e);
            goto done;
        }
        if (st.cp.size > cs.cp.size) {
            tl_seterr(&e, "the checkpoint (size %" PRIu64 ") is older than the one stored (size %" PRIu64
                          "): rollback or a stale mirror",
                      cs.cp.size, st.cp.size);
            rc = refuse("consistency", &e);
            goto done;
        }
        if (st.cp.size == cs.cp.size && memcmp(st.cp.root, cs.cp.root, 32) != 0) {
            tl_seterr(&e, "two checkpoints of size %" PRIu64 " with different roots, both signed by the log",
                      cs.cp.size);
            keep_evidence(c->state, &st, &cpbuf);
            rc = refuse("split view", &e);
            goto done;
        }
        tl_hash cp2[TL_MAX_PROOF];
        size_t cn;
        if (tl_consistency_proof(hfn, hctx, st.cp.size, cs.cp.size, cp2, &cn, &e) != 0 ||
            tl_verify_consistency(st.cp.size, cs.cp.size, st.cp.root, cs.cp.root, cp2, cn, &e) != 0) {
            tl_preerr(&e, "size %" PRIu64 " -> %" PRIu64 " (split view)", st.cp.size, cs.cp.size);
            keep_evidence(c->state, &st, &cpbuf);
            rc = refuse("consistency", &e);
            goto done;
        }
    }
    /* 6. the release: newest of name/channel in the log (online) */
    if (!bundlef) {
        int r = find_latest(lv.t, c->name, c->channel, &index, &manbuf, &e);
        if (r != 0) {
            if (r == 1)
                tl_seterr(&e, "the log (size %" PRIu64 ") has no release of %s/%s", cs.cp.size, c->name,
                          c->channel);
            rc = refuse("release", &e);
            goto done;
        }
        if (tl_inclusion_proof(tl_tiles_hash, lv.t, index, cs.cp.size, pr, &np, &e) != 0) {
            rc = refuse("inclusion proof", &e);
            goto done;
        }
    }
    /* 7. inclusion of exactly these manifest bytes */
    {
        uint8_t lh[32];
        tl_leaf_hash(manbuf.p, manbuf.len, lh);
        if (tl_verify_inclusion(lh, index, cs.cp.size, cs.cp.root, pr, np, &e) != 0) {
            tl_preerr(&e, "the release is not in the log (index %" PRIu64 ", size %" PRIu64 ")", index,
                      cs.cp.size);
            rc = refuse("inclusion proof", &e);
            goto done;
        }
        if (bundlef) {
            if (index >= mt.n || memcmp(leaves[index], lh, 32) != 0) {
                tl_seterr(&e, "leaf %" PRIu64 " of the bundle's leaf list is not this manifest", index);
                rc = refuse("inclusion proof", &e);
                goto done;
            }
        }
    }
    /* 8. the publisher's signature and the manifest's fields */
    if (tl_manifest_open((const char *)manbuf.p, manbuf.len, c->rel, c->nrel, &m, NULL, &e) != 0) {
        rc = refuse("publisher signature", &e);
        goto done;
    }
    if (strcmp(m.name, c->name) || strcmp(m.channel, c->channel)) {
        tl_seterr(&e, "the release is %s/%s, this client follows %s/%s", m.name, m.channel, c->name,
                  c->channel);
        rc = refuse("release", &e);
        goto done;
    }
    /* 9. strictly newer than what is installed */
    if (st.have_man && !strcmp(st.man.name, m.name) && !strcmp(st.man.channel, m.channel)) {
        uint8_t lh[32];
        tl_leaf_hash(manbuf.p, manbuf.len, lh);
        if (m.version == st.man.version && !memcmp(lh, st.manleaf, 32)) {
            /* nothing to install; remember the newer checkpoint */
            if (state_save(statefile, cpdata, cplen, manbuf.p, manbuf.len, &e) != 0) {
                failmsg("update", &e);
                goto done;
            }
            printf("vigil update: %s/%s version %" PRIu64 " is installed and is the newest (log size %" PRIu64 ")\n",
                   m.name, m.channel, m.version, cs.cp.size);
            rc = 0;
            goto done;
        }
        if (m.version <= st.man.version) {
            tl_seterr(&e, "version %" PRIu64 " is not above the installed version %" PRIu64 " (rollback)",
                      m.version, st.man.version);
            rc = refuse("version", &e);
            goto done;
        }
    }
    /* 10. the database bytes */
    if (!bundlef) {
        char hex[65], rel[80];
        tl_hex(m.db_sha256, 32, hex);
        snprintf(rel, sizeof rel, "sha256/%s", hex);
        if (m.db_size > c->max_db) {
            tl_seterr(&e, "database of %" PRIu64 " bytes is above max-db-size %" PRIu64, m.db_size, c->max_db);
            rc = refuse("database size", &e);
            goto done;
        }
        int r = fetch_cb(&lv.f, rel, (size_t)m.db_size, &dbbuf, &e);
        if (r != 0) {
            rc = refuse(r == 1 ? "database" : "fetch", &e);
            goto done;
        }
    }
    if (dbbuf.len > c->max_db) {
        tl_seterr(&e, "database of %zu bytes is above max-db-size %" PRIu64, dbbuf.len, c->max_db);
        rc = refuse("database size", &e);
        goto done;
    }
    if (tl_release_check_db(&m, dbbuf.p, dbbuf.len, NULL, &e) != 0) {
        rc = refuse("database hash", &e);
        goto done;
    }
    /* 11. install: temporary file, fsync, rule index check, rename. The
     * temporary name does not end in .vdb, so a vigild that loads the
     * database directory (a reload by someone else meanwhile, or a start
     * after a crash here) never takes a half-written or unchecked file;
     * the rule index is checked through a .vdb-named symbolic link to it
     * in the state directory. */
    {
        size_t l = strlen(c->database) + 32;
        tmp = malloc(l);
        if (!tmp) {
            fprintf(stderr, "vigil update: out of memory\n");
            goto done;
        }
        char dd[4096];
        if (tl_mkdir_p(dir_of(c->database, dd, sizeof dd), &e) != 0) {
            failmsg("update", &e);
            goto done;
        }
        snprintf(tmp, l, "%s.tmp-XXXXXX", c->database);
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0) {
            tl_seterr(&e, "%s: %s", tmp, strerror(errno));
            free(tmp);
            tmp = NULL;
            failmsg("update", &e);
            goto done;
        }
        size_t off = 0;
        while (off < dbbuf.len) {
            ssize_t w = write(fd, dbbuf.p + off, dbbuf.len - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        if (off != dbbuf.len || fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
            tl_seterr(&e, "%s: %s", tmp, strerror(errno));
            close(fd);
            failmsg("update", &e);
            goto done;
        }
        close(fd);
        char absdir[PATH_MAX], *target = NULL;
        const char *base = strrchr(tmp, '/');
        base = base ? base + 1 : tmp;
        if (realpath(dir_of(c->database, dd, sizeof dd), absdir))
            target = path_join2(absdir, base);
        if (!target || !(chk = path_join2(c->state, "install-check.vdb"))) {
            tl_seterr(&e, "%s: %s", dd, target ? "out of memory" : strerror(errno));
            free(target);
            failmsg("update", &e);
            goto done;
        }
        unlink(chk);
        int lr = symlink(target, chk);
        free(target);
        if (lr != 0) {
            tl_seterr(&e, "%s: %s", chk, strerror(errno));
            failmsg("update", &e);
            goto done;
        }
        int cr = tl_release_check_db(&m, dbbuf.p, dbbuf.len, chk, &e);
        unlink(chk);
        if (cr != 0) {
            rc = refuse("rule index", &e);
            goto done;
        }
        if (rename(tmp, c->database) != 0) {
            tl_seterr(&e, "%s: %s", c->database, strerror(errno));
            failmsg("update", &e);
            goto done;
        }
        free(tmp);
        tmp = NULL;
        tl_fsync_dir_of(c->database);
    }
    if (state_save(statefile, cpdata, cplen, manbuf.p, manbuf.len, &e) != 0) {
        failmsg("update", &e);
        goto done;
    }
    printf("vigil update: installed %s/%s version %" PRIu64 " (%" PRIu64 " rules; log index %" PRIu64
           " of %" PRIu64 ", %zu cosignature(s)) -> %s\n",
           m.name, m.channel, m.version, m.rules, index, cs.cp.size, cs.nvalid, c->database);
    if (c->reload_socket[0] && !no_reload)
        ask_reload(c->reload_socket);
    rc = 0;
done:
    if (tmp) {
        unlink(tmp);
        free(tmp);
    }
    free(chk);
    if (have_lv)
        logview_close(&lv);
    tl_log_unlock(lock);
    state_free(&st);
    tl_manifest_free(&m);
    tl_buf_free(&bundle);
    tl_buf_free(&cpbuf);
    tl_buf_free(&manbuf);
    tl_buf_free(&dbbuf);
    free(leaves);
    free(statefile);
    free(c);
    return rc;
}

int vgcli_update(int argc, char **argv)
{
    return update_cmd(argc - 1, argv + 1);
}

/* ------------------------------------------------------------------ */
/* vigil egress                                                         */

static void egress_usage(FILE *f)
{
    fprintf(f,
            "usage: vigil egress [--config FILE | --log FILE]\n"
            "Print the egress log: one line per network request vigil made (time, URL,\n"
            "bytes sent, bytes received, status, SHA-256 of what came back), each\n"
            "chained to the previous line by SHA-256; the chain is checked (exit 1 if\n"
            "broken). Default log: VIGIL_EGRESS_LOG, the update state directory's\n"
            "egress.log, or ~/.local/state/vigil/egress.log.\n");
}

int vgcli_egress(int argc, char **argv)
{
    const char *cfgf = NULL, *logf = NULL, *v;
    for (int i = 1; i < argc; i++) {
        if (opt(argc, argv, &i, "--config", &v))
            cfgf = v;
        else if (opt(argc, argv, &i, "--log", &v))
            logf = v;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            egress_usage(stdout);
            return 0;
        } else {
            egress_usage(stderr);
            return 2;
        }
    }
    tl_err e;
    ucfg *c = NULL;
    if (cfgf) {
        c = calloc(1, sizeof *c);
        if (!c || cfg_load(cfgf, c, &e) != 0) {
            free(c);
            return failmsg("egress", &e);
        }
    }
    egress_resolve(logf, c ? c->egress : NULL, c ? c->state : NULL);
    free(c);
    tl_buf b;
    int r = tl_read_file(g_egress, (size_t)1 << 32, &b, &e);
    if (r == 1) {
        printf("# %s: no requests recorded\n", g_egress);
        return 0;
    }
    if (r < 0)
        return failmsg("egress", &e);
    const char *p = (const char *)b.p, *end = p + b.len, *l;
    size_t ll;
    char prev[65];
    memset(prev, '0', 64);
    prev[64] = 0;
    uint64_t n = 0, sent = 0, recv = 0;
    int broken = 0;
    while (tl_next_line(&p, end, &l, &ll) == 1) {
        n++;
        printf("%.*s\n", (int)ll, l);
        const char *pv = NULL;
        for (size_t i = 0; i + 5 <= ll; i++)
            if (!memcmp(l + i, "prev=", 5))
                pv = l + i + 5;
        if (!pv || (size_t)(l + ll - pv) != 64 || memcmp(pv, prev, 64) != 0) {
            if (!broken)
                fprintf(stderr, "vigil egress: line %" PRIu64 " does not chain to the line before it\n", n);
            broken = 1;
        }
        const char *s;
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%.*s", (int)(ll < sizeof tmp - 1 ? ll : sizeof tmp - 1), l);
        if ((s = strstr(tmp, " sent=")))
            sent += strtoull(s + 6, NULL, 10);
        if ((s = strstr(tmp, " received=")))
            recv += strtoull(s + 10, NULL, 10);
        uint8_t h[32];
        tl_sha256(l, ll + 1, h);
        tl_hex(h, 32, prev);
    }
    printf("# %s: %" PRIu64 " request(s), %" PRIu64 " bytes sent, %" PRIu64 " bytes received; chain %s\n",
           g_egress, n, sent, recv, broken ? "BROKEN" : "intact");
    tl_buf_free(&b);
    return broken ? 1 : 0;
}
