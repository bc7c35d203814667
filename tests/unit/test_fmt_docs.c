/* tests/unit/test_fmt_docs.c - the document and mail formats of fmt/docs.h
 * and the decoders of fmt/enc.h.
 *
 * Hand-made inputs exercise each rule on its own (base64 with junk and line
 * breaks, quoted-printable soft breaks, uuencode, yEnc, MIME nesting,
 * mbox, data: URIs, OLE1 packages in RTF, ceilings); the real files of
 * clamav-testfiles must give clam.exe byte for byte, which is what clamscan
 * finds in them; ARJ archives of every method are made by arj(1) at run
 * time. Members are collected by a sink that copies them. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt/docs.h"
#include "fmt/enc.h"
#include "ftype/magic.h"
#include "tap.h"

#define TESTFILES "/usr/share/clamav-testfiles/"
#define MAXM 64

typedef struct got {
    unsigned n, limits, warnings;
    unsigned last_limit;
    char name[MAXM][128];
    uint8_t *data[MAXM];
    size_t len[MAXM];
} got;

static vg_status on_member(void *u, const char *name, const uint8_t *p, size_t n)
{
    got *g = u;
    if (g->n < MAXM) {
        snprintf(g->name[g->n], sizeof g->name[0], "%s", name);
        g->data[g->n] = malloc(n ? n : 1);
        memcpy(g->data[g->n], p, n);
        g->len[g->n] = n;
    }
    g->n++;
    return VG_OK;
}

static void on_limit(void *u, unsigned which, const char *name)
{
    got *g = u;
    (void)name;
    g->limits++;
    g->last_limit = which;
}

static void on_warning(void *u, const char *msg)
{
    got *g = u;
    (void)msg;
    g->warnings++;
}

static vg_limits lim;

static vg_status run(vgft_type t, const void *d, size_t n, got *g, uint64_t max)
{
    memset(g, 0, sizeof *g);
    vgarc_sink s = {g, on_member, on_limit, NULL, on_warning, &lim, max, VG_LIMIT_FILESIZE};
    return vgdoc_extract(t, d, n, &s);
}

static void drop(got *g)
{
    for (unsigned i = 0; i < g->n && i < MAXM; i++)
        free(g->data[i]);
    g->n = 0;
}

static int has(const got *g, const void *p, size_t n)
{
    for (unsigned i = 0; i < g->n && i < MAXM; i++)
        if (g->len[i] == n && !memcmp(g->data[i], p, n))
            return 1;
    return 0;
}

static int eq(vgbuf *b, const char *s)
{
    return b->len == strlen(s) && !memcmp(b->data, s, b->len);
}

static void decoders(void)
{
    vgbuf b;
    vgbuf_init(&b, 1024);
    const char *b64 = "TWFu\r\nIGlz!!IGEg\nbWFu=junk";
    TAP_OK(vgenc_base64((const uint8_t *)b64, strlen(b64), &b) == VG_OK && eq(&b, "Man is a man"),
           "base64 skips line breaks and junk, stops at '='");
    vgbuf_free(&b);
    vgbuf_init(&b, 1024);
    const char *qp = "a=3Db=\r\nc=\nd=ZZ=4";
    TAP_OK(vgenc_qp((const uint8_t *)qp, strlen(qp), &b) == VG_OK && eq(&b, "a=bcd=ZZ=4"),
           "quoted-printable: escapes, soft breaks, malformed '=' kept");
    vgbuf_free(&b);
    vgbuf_init(&b, 1024);
    const char *uu = "begin 644 cat.txt\n#0V%T\n`\nend\ntrailer\n";
    size_t used = 0;
    TAP_OK(vgenc_uu((const uint8_t *)uu, strlen(uu), &b, &used) == VG_OK && eq(&b, "Cat") &&
               used == strlen(uu) - strlen("trailer\n"),
           "uuencode: line length from the first character, stops after 'end'");
    vgbuf_free(&b);
    vgbuf_init(&b, 1024);
    /* yEnc of "Hi=" : H+42, i+42, '=' + 42 = 'g' */
    uint8_t ye[64];
    int k = snprintf((char *)ye, sizeof ye, "=ybegin line=128 size=3 name=x\n%c%cg\n=yend size=3\n",
                     'H' + 42, 'i' + 42);
    TAP_OK(vgenc_yenc(ye, (size_t)k, &b, &used) == VG_OK && eq(&b, "Hi=") && used == (size_t)k,
           "yEnc: offset 42, between =ybegin and =yend");
    vgbuf_free(&b);
    vgbuf_init(&b, 4);
    TAP_OK(vgenc_hex((const uint8_t *)"41 42\n4344 45", 13, &b) == VG_ELIMIT && b.len == 0,
           "hex: output past the ceiling is VG_ELIMIT");
    vgbuf_free(&b);
    vgbuf_init(&b, 16);
    TAP_OK(vgenc_hex((const uint8_t *)"41 4\n2{}4", 9, &b) == VG_OK && eq(&b, "AB"),
           "hex: non-digits skipped, odd digit dropped");
    vgbuf_free(&b);
}

static void mail(void)
{
    got g;
    /* base64 of "hello world" + quoted-printable + a nested rfc822 message */
    const char *m =
        "From: a@b\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n"
        " boundary=\"XX\"\r\n\r\npreamble\r\n--XX\r\nContent-Type: text/plain\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\nsoft=\r\nbreak=41\r\n"
        "--XX\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8g\r\nd29ybGQ=\r\n"
        "--XX\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n"
        "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "aW5uZXI=\r\n--XX--\r\nepilogue\r\n";
    run(VGFT_MAIL, m, strlen(m), &g, 1 << 20);
    int named = 0;
    for (unsigned i = 0; i < g.n && i < MAXM; i++)
        named |= !strcmp(g.name[i], "a.bin") && g.len[i] == 11;
    TAP_OK(g.n == 3 && has(&g, "hello world", 11) && named && has(&g, "softbreakA\r\n", 12) &&
               has(&g, "inner", 5),
           "MIME: base64, quoted-printable and message/rfc822 parts decoded, names kept "
           "(%u members)", g.n);
    drop(&g);

    /* mbox of two messages, the second with a uuencoded block in its text */
    const char *mb = "From x Thu Jan  1 00:00:00 1970\nSubject: one\n\nfirst body\n"
                     "From y Thu Jan  1 00:00:00 1970\nSubject: two\n\ntext\n"
                     "begin 644 cat.txt\n#0V%T\n`\nend\n";
    run(VGFT_MAIL, mb, strlen(mb), &g, 1 << 20);
    int uuname = 0;
    for (unsigned i = 0; i < g.n && i < MAXM; i++)
        uuname |= !strcmp(g.name[i], "cat.txt");
    TAP_OK(g.n == 3 && has(&g, "first body\n", 11) && has(&g, "Cat", 3) && uuname,
           "mbox: each message read, uuencoded block in a text body is a member (%u)", g.n);
    drop(&g);

    /* 200 nested multiparts: bounded depth, no crash, the leaf still seen */
    size_t cap = 200 * 80 + 200, off = 0;
    char *deep = malloc(cap);
    for (int i = 0; i < 200; i++)
        off += (size_t)snprintf(deep + off, cap - off,
                                "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
    off += (size_t)snprintf(deep + off, cap - off, "\nleaf\n");
    TAP_OK(run(VGFT_MAIL, deep, off, &g, 1 << 20) == VG_OK && g.n == 1,
           "200 nested multiparts: read to the depth ceiling, one member (%u)", g.n);
    drop(&g);
    free(deep);

    /* an attachment over the member ceiling is reported, not handed out */
    const char *big = "Content-Transfer-Encoding: base64\n\nQUFBQUFBQUFBQUFB\n";
    run(VGFT_MAIL, big, strlen(big), &g, 4);
    TAP_OK(g.n == 0 && g.limits == 1 && g.last_limit == VG_LIMIT_FILESIZE,
           "a decoded part over the member ceiling is reported as a limit");
    drop(&g);
}

static void html(void)
{
    got g;
    const char *h = "<html><img src=\"data:image/png;base64,aGVs\nbG8=\">"
                    "<a href='data:,a%41b'>x</a><p>data: not a uri</p>";
    run(VGFT_HTML, h, strlen(h), &g, 1 << 20);
    TAP_OK(g.n == 2 && has(&g, "hello", 5) && has(&g, "aAb", 3),
           "HTML: base64 and %%-encoded data: URIs decoded (%u)", g.n);
    drop(&g);
}

static void rtf(void)
{
    got g;
    /* OLE1 "Package" object holding "PAYLOAD" as file "p.exe" */
    uint8_t obj[256];
    size_t n = 0;
#define PUT32(v) do { uint32_t x_ = (v); memcpy(obj + n, &x_, 4); n += 4; } while (0)
    PUT32(0x0501);
    PUT32(2);
    PUT32(8);
    memcpy(obj + n, "Package", 8), n += 8;
    PUT32(0);
    PUT32(0);
    size_t natsize_at = n;
    PUT32(0);
    size_t nat = n;
    obj[n++] = 2, obj[n++] = 0;
    memcpy(obj + n, "p.exe\0C:\\p.exe\0", 15), n += 15;
    PUT32(0x00030000);
    PUT32(3);
    memcpy(obj + n, "C:\0", 3), n += 3;
    PUT32(7);
    memcpy(obj + n, "PAYLOAD", 7), n += 7;
    uint32_t natlen = (uint32_t)(n - nat);
    memcpy(obj + natsize_at, &natlen, 4);
    char doc[1024];
    size_t o = (size_t)snprintf(doc, sizeof doc, "{\\rtf1{\\object\\objemb{\\*\\objdata ");
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(doc + o, sizeof doc - o, "%02x%s", obj[i], i % 32 == 31 ? "\r\n" : "");
    o += (size_t)snprintf(doc + o, sizeof doc - o, "}}}");
    run(VGFT_RTF, doc, o, &g, 1 << 20);
    TAP_OK(g.n == 1 && has(&g, "PAYLOAD", 7) && !strcmp(g.name[0], "p.exe"),
           "RTF: \\objdata hex -> OLE1 -> Package -> the packaged file");
    drop(&g);
    const char *raw = "{\\rtf1{\\*\\objdata 41424344}}";
    run(VGFT_RTF, raw, strlen(raw), &g, 1 << 20);
    TAP_OK(g.n == 1 && has(&g, "ABCD", 4), "RTF: an object that is not OLE1 is handed out decoded");
    drop(&g);
}

/* Real files: each must give clam.exe. */
static void real(const char *file, vgft_type t, int levels)
{
    size_t cl = 0, n = 0;
    uint8_t *exe = tap_read_file(TESTFILES "clam.exe", &cl);
    uint8_t *d = tap_read_file(file, &n);
    if (!exe || !d) {
        TAP_OK(1, "# SKIP %s not installed", file);
        free(exe);
        free(d);
        return;
    }
    TAP_OK(vgft_detect(d, n) == t, "%s typed as %s", file, vgft_clname(t));
    got g;
    run(t, d, n, &g, 1 << 20);
    /* two levels: the members are containers themselves (PowerPoint) */
    for (int l = 1; l < levels && !has(&g, exe, cl); l++) {
        got inner = g;
        got g2;
        memset(&g2, 0, sizeof g2);
        for (unsigned i = 0; i < inner.n && i < MAXM && !has(&g2, exe, cl); i++) {
            vgft_type it = vgft_detect(inner.data[i], inner.len[i]);
            if (vgdoc_handles(it)) {
                drop(&g2);
                run(it, inner.data[i], inner.len[i], &g2, 1 << 20);
            }
        }
        drop(&inner);
        g = g2;
    }
    TAP_OK(has(&g, exe, cl), "%s gives clam.exe (%u members)", file, g.n);
    drop(&g);
    free(exe);
    free(d);
}

static void damaged(void)
{
    /* every prefix of the real files: no crash, any status but an error */
    static const char *files[] = {"clam.exe.binhex", "clam.exe.szdd", "clam.chm", "clam.ppt",
                                  "clam.exe.rtf", "clam.mail", "clam.sis", "clam.arj"};
    int bad = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[256];
        size_t n = 0;
        snprintf(path, sizeof path, TESTFILES "%s", files[f]);
        uint8_t *d = tap_read_file(path, &n);
        if (!d)
            continue;
        vgft_type t = vgft_detect(d, n);
        for (size_t cut = 0; cut < n; cut += 1 + cut / 8) {
            got g;
            vg_status st = run(t, d, cut, &g, 1 << 20);
            bad += st != VG_OK && st != VG_EFORMAT;
            drop(&g);
        }
        free(d);
    }
    TAP_OK(bad == 0, "truncated real files give VG_OK or VG_EFORMAT, never worse (%d)", bad);
}

/* ARJ: archives made here by arj(1) with each method (0 stored, 1-3
 * LZ77+Huffman, 4 fast) must give their files back byte for byte. */
static void arj_methods(void)
{
    if (system("command -v arj >/dev/null 2>&1") != 0) {
        TAP_OK(1, "# SKIP arj(1) not installed (scripts/deps.sh installs it)");
        return;
    }
    char dir[] = "/tmp/vigil-arj.XXXXXX";
    if (!mkdtemp(dir)) {
        TAP_OK(0, "mkdtemp");
        return;
    }
    /* text with long repeats (matches up to 256 bytes, far distances) and
     * binary noise with short repeats, ~200 KB each: several blocks */
    size_t tn = 200000, bn = 200000;
    uint8_t *text = malloc(tn), *bin = malloc(bn);
    static const char *words[] = {"alpha ", "beta ", "gamma\n", "delta ", "epsilon ", "zeta, "};
    uint32_t x = 12345;
    for (size_t i = 0; i < tn;) {
        x = x * 1103515245u + 12345u;
        const char *w = words[(x >> 16) % 6];
        for (size_t k = 0; w[k] && i < tn; k++)
            text[i++] = (uint8_t)w[k];
    }
    for (size_t i = 0; i < bn; i++) {
        x = x * 1103515245u + 12345u;
        bin[i] = (x >> 24) < 96 && i > 64 ? bin[i - 1 - (x >> 16) % 64] : (uint8_t)(x >> 16);
    }
    char path[512];
    snprintf(path, sizeof path, "%s/t.txt", dir);
    tap_write_file(path, text, tn);
    snprintf(path, sizeof path, "%s/b.bin", dir);
    tap_write_file(path, bin, bn);
    for (int m = 0; m <= 4; m++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "cd %s && arj a -m%d -y m%d.arj t.txt b.bin >/dev/null 2>&1", dir,
                 m, m);
        int rc = system(cmd);
        snprintf(path, sizeof path, "%s/m%d.arj", dir, m);
        size_t n = 0;
        uint8_t *d = rc == 0 ? tap_read_file(path, &n) : NULL;
        got g;
        vg_status st = d ? run(VGFT_ARJ, d, n, &g, 1 << 20) : VG_EIO;
        TAP_OK(d && vgft_detect(d, n) == VGFT_ARJ && st == VG_OK && g.n == 2 &&
                   has(&g, text, tn) && has(&g, bin, bn),
               "ARJ method %d (arj -m%d): both files back byte for byte (%u members)", m, m,
               d ? g.n : 0);
        if (d)
            drop(&g);
        if (d && m == 1) {
            /* flipped bytes inside the compressed data: no crash, bounded */
            int bad = 0;
            for (size_t i = 200; i < n; i += n / 50) {
                uint8_t *c = malloc(n);
                memcpy(c, d, n);
                c[i] ^= 0x5a;
                st = run(VGFT_ARJ, c, n, &g, 1 << 20);
                bad += st != VG_OK && st != VG_EFORMAT;
                for (unsigned k = 0; k < g.n && k < MAXM; k++)
                    bad += g.len[k] > tn;
                drop(&g);
                free(c);
            }
            TAP_OK(bad == 0, "ARJ: damaged compressed data gives no error and no oversize member");
            /* the member ceiling: the 200 KB files are reported, not decoded */
            st = run(VGFT_ARJ, d, n, &g, 1000);
            TAP_OK(st == VG_OK && g.n == 0 && g.limits == 2,
                   "ARJ: members over the ceiling are reported as limits (%u)", g.limits);
            drop(&g);
        }
        free(d);
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        TAP_OK(0, "cleanup %s", dir);
    free(text);
    free(bin);
}

/* CHM: the LZX work for all files counts against the scan size budget */
static void chm_budget(void)
{
    size_t n = 0;
    uint8_t *d = tap_read_file(TESTFILES "clam.chm", &n);
    if (!d) {
        TAP_OK(1, "# SKIP clam.chm not installed");
        return;
    }
    got g;
    uint64_t saved = lim.max_scansize;
    lim.max_scansize = 1000;
    run(VGFT_CHM, d, n, &g, 1 << 20);
    lim.max_scansize = saved;
    TAP_OK(g.limits == 1 && g.last_limit == VG_LIMIT_SCANSIZE,
           "CHM: compressed-section work past max_scansize stops with a limit (%u members)", g.n);
    drop(&g);
    free(d);
}

int main(void)
{
    vg_limits_default(&lim);
    decoders();
    mail();
    html();
    rtf();
    real(TESTFILES "clam.exe.binhex", VGFT_BINHEX, 1);
    real(TESTFILES "clam.exe.szdd", VGFT_SZDD, 1);
    real(TESTFILES "clam.chm", VGFT_CHM, 1);
    real(TESTFILES "clam.exe.rtf", VGFT_RTF, 1);
    real(TESTFILES "clam.mail", VGFT_MAIL, 1);
    real(TESTFILES "clam.exe.mbox.base64", VGFT_MAIL, 1);
    real(TESTFILES "clam.exe.mbox.uu", VGFT_MAIL, 1);
    real(TESTFILES "clam.exe.html", VGFT_HTML, 1);
    real(TESTFILES "clam.ppt", VGFT_OLE2, 3);
    real(TESTFILES "clam.sis", VGFT_SIS, 1);
    real(TESTFILES "clam.arj", VGFT_ARJ, 1);
    arj_methods();
    chm_budget();
    damaged();
    return tap_done();
}
