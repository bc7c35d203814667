/* tests/unit/test_loader.c - the text database loaders (db/load_text.c).
 *
 * Every kind of bad line in .hdb .hsb .fp .sfp .ndb is VG_EFORMAT with a
 * "file:line: reason" error naming the right line; a failed load leaves
 * the engine as it was; lines outside the functionality level or for an
 * unknown target are dropped silently; .fp entries suppress detections.
 * What is good and bad follows clamscan 1.4.6 (tests/e2e/diff_patterns.sh
 * checks the same lines against clamscan itself). */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "vigil/vigil.h"

/* the probe: binary framing around HELLO-WORLD */
static const char probe[] = "\xde\xad\xbe\xef\x00\x00HELLO-WORLD\xde\xad\xbe\xef\x00\x00\x00\x00";
#define PROBE_LEN (sizeof probe - 1)
static char md5[33], sha1[41], sha256[65], size[16];

static void hexdigest(const EVP_MD *md, char *out)
{
    unsigned char d[64];
    unsigned n = 0;
    EVP_Digest(probe, PROBE_LEN, d, &n, md, NULL);
    for (unsigned i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Replace @MD5@ @SHA1@ @SHA256@ @SIZE@ in t. */
static const char *subst(const char *t)
{
    static char out[16384];
    size_t o = 0;
    while (*t && o + 80 < sizeof out) {
        const char *v = NULL;
        size_t k = 0;
        if (!strncmp(t, "@MD5@", 5))
            v = md5, k = 5;
        else if (!strncmp(t, "@SHA1@", 6))
            v = sha1, k = 6;
        else if (!strncmp(t, "@SHA256@", 8))
            v = sha256, k = 8;
        else if (!strncmp(t, "@SIZE@", 6))
            v = size, k = 6;
        if (v) {
            o += (size_t)snprintf(out + o, sizeof out - o, "%s", v);
            t += k;
        } else {
            out[o++] = *t++;
        }
    }
    out[o] = 0;
    return out;
}

static vg_engine *fresh(void)
{
    vg_engine *e = NULL;
    vg_engine_new(&e);
    return e;
}

/* Load one database text into a new engine; status, error in err. */
static vg_status load1(const char *name, const char *text, size_t len, char *err, size_t cap)
{
    vg_engine *e = fresh();
    vg_status st = vg_engine_load_mem(e, name, text, len, 0);
    snprintf(err, cap, "%s", vg_engine_error(e));
    vg_engine_free(e);
    return st;
}

/* `line` placed as line 3 after a comment and a good line must fail with
 * "<name>:3: ..." */
static void bad_at3(const char *ext, const char *good, const char *line)
{
    char name[32], text[16384], err[1024], want[64], g[4096], l[4096];
    snprintf(name, sizeof name, "x.%s", ext);
    snprintf(g, sizeof g, "%s", subst(good));
    snprintf(l, sizeof l, "%s", subst(line));
    int n = snprintf(text, sizeof text, "# comment\n%s\n%s\n%s\n", g, l, g);
    vg_status st = load1(name, text, (size_t)n, err, sizeof err);
    snprintf(want, sizeof want, "x.%s:3: ", ext);
    TAP_OK(st == VG_EFORMAT && strncmp(err, want, strlen(want)) == 0 && strlen(err) > strlen(want),
           ".%s: bad line '%.60s' -> %s", ext, line, err);
}

static void good_text(const char *ext, const char *text, const char *what)
{
    char name[32], err[1024];
    snprintf(name, sizeof name, "x.%s", ext);
    const char *t = subst(text);
    vg_status st = load1(name, t, strlen(t), err, sizeof err);
    TAP_OK(st == VG_OK, ".%s loads: %s%s%s", ext, what, st ? " -- " : "", st ? err : "");
}

/* Detections (sorted names joined by ',') of the probe with these dbs. */
static const char *detect(const char *n1, const char *t1, const char *n2, const char *t2)
{
    static char out[1024];
    vg_engine *e = fresh();
    char a[16384];
    snprintf(a, sizeof a, "%s", subst(t1));
    vg_status st = vg_engine_load_mem(e, n1, a, strlen(a), 0);
    if (st == VG_OK && n2) {
        const char *b = subst(t2);
        st = vg_engine_load_mem(e, n2, b, strlen(b), 0);
    }
    if (st == VG_OK)
        st = vg_engine_compile(e);
    if (st != VG_OK) {
        snprintf(out, sizeof out, "ERROR %s", vg_engine_error(e));
        vg_engine_free(e);
        return out;
    }
    vg_scan_opts o;
    vg_scan_opts_default(&o);
    o.flags |= VG_SCAN_ALLMATCH;
    vg_result *r;
    out[0] = 0;
    if (vg_scan_mem(e, probe, PROBE_LEN, &o, &r) == VG_OK) {
        for (size_t i = 0; i < vg_result_count(r); i++) {
            if (i)
                strncat(out, ",", sizeof out - strlen(out) - 1);
            strncat(out, vg_result_get(r, i)->name, sizeof out - strlen(out) - 1);
        }
        vg_result_free(r);
    } else {
        snprintf(out, sizeof out, "SCANERROR");
    }
    vg_engine_free(e);
    return out;
}

static void expect_detect(const char *n1, const char *t1, const char *n2, const char *t2,
                          const char *want, const char *what)
{
    const char *got = detect(n1, t1, n2, t2);
    TAP_OK(strcmp(got, want) == 0, "%s: [%s] (want [%s])", what, got, want);
}

int main(void)
{
    hexdigest(EVP_md5(), md5);
    hexdigest(EVP_sha1(), sha1);
    hexdigest(EVP_sha256(), sha256);
    snprintf(size, sizeof size, "%zu", (size_t)PROBE_LEN);

    /* ---- .ndb: every kind of bad line ---- */
    const char *ng = "Good:0:*:48454c4c4f";
    static const char *const ndb_bad[] = {
        "A:0:*",                       /* too few fields */
        "A:0:*:414243:1:2:3",          /* too many */
        "",                            /* blank line */
        "A",                           /* one field */
        ":0:*:414243",                 /* empty name */
        " (Clam):0:*:414243",          /* empty once " (Clam)" is cut */
        "A:x:*:414243",                /* target not a number */
        "A:-1:*:414243",               /* nor this */
        "A:0:abc:414243",              /* offset */
        "A:0:+10:414243",
        "A:0:1 :414243",
        "A:0:*,5:414243",
        "A:0:10,x:414243",             /* shift */
        "A:0:EOF-x:414243",
        "A:0:EP+0:414243",             /* EP offset on target 0 */
        "A:0:S0+4:414243",
        "A:0:SE0:414243",
        "A:0:VI:414243",
        "A:0:$33$:414243",             /* macro group >= 32 */
        "A:0:$x$:414243",
        "A:0:*:4142",                  /* pattern: too short */
        "A:0:*:41??42",                /* no static run of 2 */
        "A:0:*:4142zz",                /* bad hex */
        "A:0:*:41424",                 /* odd */
        "A:0:*:*41424344",             /* leading jump */
        "A:0:*:41[1-40]424344",        /* [n-m] too long */
        "A:0:*:4142(41|42",            /* unterminated group */
        "A:0:*:414243 ",               /* a space */
        "A:0:*:414243:abc",            /* MinFL not a number */
        "A:0:*:414243:1:abc",          /* MaxFL not a number */
        "A:0:*:414243:-1",
        "A:0:*:",                      /* empty pattern */
    };
    for (size_t i = 0; i < sizeof ndb_bad / sizeof *ndb_bad; i++)
        bad_at3("ndb", ng, ndb_bad[i]);

    /* ---- .hdb .hsb .fp .sfp: every kind of bad line ---- */
    static const char *const hash_bad[] = {
        "@MD5@:@SIZE@",               /* two fields */
        "@MD5@",                      /* one */
        "",                           /* blank */
        "@MD5@:@SIZE@:N:1:2:3",       /* six */
        "@MD5@:0:N",                  /* size 0 */
        "@MD5@:-1:N",
        "@MD5@:4294967295:N",         /* size >= 0xffffffff */
        "@MD5@:12x:N",
        "@MD5@::N",
        "@MD5@:*:N",                  /* * without MinFL */
        "@MD5@:*:N:72",               /* * with MinFL < 73 */
        "*:@MD5@:N:73",               /* size first is .mdb's order */
        "@MD5@0:@SIZE@:N",            /* 33 hex digits */
        "zz@MD5@:@SIZE@:N",
        "@MD5@:@SIZE@:",              /* empty name */
        "@MD5@:@SIZE@: (Clam)",
    };
    static const char *const exts[] = {"hdb", "hsb", "fp", "sfp"};
    for (size_t x = 0; x < 4; x++)
        for (size_t i = 0; i < sizeof hash_bad / sizeof *hash_bad; i++)
            bad_at3(exts[x], "@SHA1@:@SIZE@:G", hash_bad[i]);

    /* ---- empty files, long lines ---- */
    char err[1024];
    TAP_OK(load1("x.ndb", "", 0, err, sizeof err) == VG_EFORMAT && strstr(err, "x.ndb"),
           "an empty .ndb is refused (%s)", err);
    TAP_OK(load1("x.hdb", "", 0, err, sizeof err) == VG_EFORMAT, "an empty .hdb is refused");
    good_text("ndb", "# only a comment\n", "a file with only a comment");
    static char longl[8200];
    memcpy(longl, "A:0:*:", 6);
    memset(longl + 6, 'a', 8190 - 6);
    longl[8190] = '\n';
    TAP_OK(load1("x.ndb", longl, 8191, err, sizeof err) == VG_OK, "a line of 8190 characters loads");
    memset(longl + 6, 'a', 8191 - 6);
    longl[8191] = '\n';
    TAP_OK(load1("x.ndb", longl, 8192, err, sizeof err) == VG_EFORMAT && strstr(err, "x.ndb:1: "),
           "a line of 8191 characters does not (%s)", err);

    /* ---- good lines ClamAV takes, oddities included ---- */
    good_text("ndb", "A:0:*:48454c4c4f\r\n", "CRLF");
    good_text("ndb", "A:0:*:48454c4c4f\n#c\nB:1:0,4:41424344\n", "comments between lines");
    good_text("ndb", "A B:0:*:48454c4c4f\n", "a name with a space");
    good_text("ndb", "A:0:*:48454c4c4f::\n", "empty FLEVEL fields");
    good_text("ndb", "A::*:48454c4c4f\n", "an empty target is 0");
    good_text("ndb", "A:0::48454c4c4f\n", "an empty offset is 0");
    good_text("ndb", "A:0:10,:48454c4c4f\n", "an empty shift is 0");
    good_text("ndb", "A:0:EOF-:48454c4c4f\n", "EOF- is EOF-0");
    good_text("ndb", "A:6:*:4142\n", "2-byte patterns on target 6");
    good_text("hdb", "@MD5@: @SIZE@:N\n", "a size with a space");
    good_text("hdb", "@MD5@:+@SIZE@:N\n", "a size with a sign");
    good_text("hdb", "@MD5@:@SIZE@:N:abc\n", "MinFL is atoi()'d in hash files");
    good_text("hdb", "@SHA256@:@SIZE@:N\n", "SHA-256 in .hdb");
    good_text("hsb", "@MD5@:@SIZE@:N\n", "MD5 in .hsb");

    /* ---- detections ---- */
    expect_detect("a.ndb", "Body:0:*:48454c4c4f2d574f524c44\n", NULL, NULL, "Body.UNOFFICIAL",
                  "a body signature finds the probe");
    expect_detect("a.hdb", "@MD5@:@SIZE@:Hash\n", NULL, NULL, "Hash.UNOFFICIAL", "MD5");
    expect_detect("a.hsb", "@SHA1@:@SIZE@:Hash1\n", NULL, NULL, "Hash1.UNOFFICIAL", "SHA-1");
    expect_detect("a.hsb", "@SHA256@:@SIZE@:Hash2\n", NULL, NULL, "Hash2.UNOFFICIAL", "SHA-256");
    expect_detect("a.hdb", "@MD5@:*:Any:73\n", NULL, NULL, "Any.UNOFFICIAL", "* size with MinFL 73");
    expect_detect("a.hdb", "@MD5@:1:Wrong\n", NULL, NULL, "", "a hash with the wrong size");
    expect_detect("a.ndb", "Clam Name (Clam):0:*:48454c4c4f\n", NULL, NULL,
                  "Clam Name.UNOFFICIAL", "\" (Clam)\" is cut from names");
    /* .fp allowlisting */
    expect_detect("a.ndb", "Body:0:*:48454c4c4f2d574f524c44\n", "a.fp", "@MD5@:@SIZE@:Allow\n",
                  "", ".fp (MD5) suppresses a body detection");
    expect_detect("a.hdb", "@MD5@:@SIZE@:Hash\n", "a.sfp", "@SHA256@:*:Allow:73\n", "",
                  ".sfp (SHA-256, any size) suppresses a hash detection");
    expect_detect("a.ndb", "Body:0:*:48454c4c4f2d574f524c44\n", "a.fp", "@MD5@:1:Allow\n",
                  "Body.UNOFFICIAL", "an .fp entry of another size does not");
    /* functionality levels and targets: dropped silently */
    expect_detect("a.ndb",
                  "New:0:*:48454c4c4f:300\nOld:0:*:48454c4c4f:1:100\nIn:0:*:48454c4c4f:1:300\n"
                  "Junk:0:*:zz:300\nFar:99:*:48454c4c4f\nZ:0:*:48454c4c4f::\n",
                  NULL, NULL, "In.UNOFFICIAL",
                  ".ndb lines outside FLEVEL 216, or for targets >= 15, are dropped");
    expect_detect("a.hdb",
                  "@MD5@:@SIZE@:New:300\n@MD5@:@SIZE@:Old:1:100\n@MD5@:@SIZE@:In:1:300\n"
                  "@MD5@:@SIZE@:EmptyMax:1:\n@MD5@:bad:Junk:300\n",
                  NULL, NULL, "In.UNOFFICIAL", ".hdb lines outside FLEVEL 216 are dropped");
    vg_engine *e = fresh();
    const char *t = "A:0:*:414243:300\nB:0:*:414243\n";
    TAP_OK(vg_engine_load_mem(e, "c.ndb", t, strlen(t), 0) == VG_OK && vg_engine_sig_count(e) == 1,
           "a dropped line is not counted");
    vg_engine_free(e);

    /* ---- a failed load leaves the engine as it was ---- */
    e = fresh();
    const char *g = "Good:0:*:48454c4c4f2d57\n";
    const char *b = "Bad1:0:*:4c4c4f2d574f\nBad2:0:*:574f524c44\nBad3:0:*:4142\n";
    const char *bh = "@MD5@:@SIZE@:BadHash\n@MD5@:0:Broken\n";
    vg_status s1 = vg_engine_load_mem(e, "good.ndb", g, strlen(g), 0);
    vg_status s2 = vg_engine_load_mem(e, "bad.ndb", b, strlen(b), 0);
    TAP_OK(s2 == VG_EFORMAT && strstr(vg_engine_error(e), "bad.ndb:3: "),
           "the bad database is refused at line 3 (%s)", vg_engine_error(e));
    const char *bhs = subst(bh);
    vg_status s3 = vg_engine_load_mem(e, "bad.hdb", bhs, strlen(bhs), 0);
    TAP_OK(s3 == VG_EFORMAT && strstr(vg_engine_error(e), "bad.hdb:2: "),
           "so is the bad hash database, at line 2 (%s)", vg_engine_error(e));
    TAP_OK(s1 == VG_OK && vg_engine_sig_count(e) == 1, "only the good signature is counted (%llu)",
           (unsigned long long)vg_engine_sig_count(e));
    TAP_OK(vg_engine_compile(e) == VG_OK, "the engine still compiles");
    vg_scan_opts o;
    vg_scan_opts_default(&o);
    o.flags |= VG_SCAN_ALLMATCH;
    vg_result *r = NULL;
    int only_good = 0;
    if (vg_scan_mem(e, probe, PROBE_LEN, &o, &r) == VG_OK) {
        only_good = vg_result_count(r) == 1 && !strcmp(vg_result_get(r, 0)->name, "Good.UNOFFICIAL");
        vg_result_free(r);
    }
    TAP_OK(only_good, "the good signature detects, the bad files' good lines do not");
    vg_engine_free(e);

    /* an unknown extension */
    TAP_OK(load1("x.txt", "A:0:*:414243\n", 13, err, sizeof err) == VG_EUNSUPPORTED,
           "an unknown extension is refused");
    return tap_done();
}
