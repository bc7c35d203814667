/* tests/unit/test_cvd.c - signature containers, ignore lists, .ftm and the
 * skipped-type counts (db/load_cvd.c, db/ignore.c, db/ftm.c).
 *
 * Real signed containers come from shared/data/clamav-sigs (ClamAV's own
 * test CVDs and an official bytecode.cvd); altered copies of them must be
 * refused, the way clamscan 1.4.6 refuses them. Unsigned containers are
 * built here as plain tar. Each ignore-list case below was run through
 * clamscan first (the expected outcome is clamscan's). */
#include <archive.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "vigil/vigil.h"

static char talos[1024], artef[1024];

static const char eicar[] =
    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/* Load `name` (text in memory), compile, scan `data`; the names found,
 * space-separated, into out ("" when none; "ERR" + status when the load
 * or compile failed, with the engine's error in err). */
static vg_status run(const char *const *names, const void *const *texts, const size_t *lens,
                     int n, const void *data, size_t dlen, char *out, size_t outsz, char *err,
                     size_t errsz, vg_engine_skipped *sk)
{
    vg_engine *e;
    out[0] = 0;
    if (err)
        err[0] = 0;
    if (vg_engine_new(&e) != VG_OK)
        return VG_ENOMEM;
    vg_status st = VG_OK;
    for (int i = 0; i < n && st == VG_OK; i++)
        st = vg_engine_load_mem(e, names[i], texts[i], lens[i], 0);
    if (st == VG_OK)
        st = vg_engine_compile(e);
    if (err)
        snprintf(err, errsz, "%s", vg_engine_error(e));
    if (sk)
        vg_engine_skipped_get(e, sk);
    if (st == VG_OK) {
        vg_scan_opts o;
        vg_scan_opts_default(&o);
        o.flags |= VG_SCAN_ALLMATCH;
        vg_result *r;
        if (vg_scan_mem(e, data, dlen, &o, &r) == VG_OK) {
            size_t k = 0;
            for (size_t i = 0; i < vg_result_count(r); i++)
                k += (size_t)snprintf(out + k, outsz - k, "%s%s", k ? " " : "",
                                      vg_result_get(r, i)->name);
            vg_result_free(r);
        }
    }
    vg_engine_free(e);
    return st;
}

static vg_status run1(const char *name, const void *text, size_t len, const void *data,
                      size_t dlen, char *out, char *err, vg_engine_skipped *sk)
{
    const char *nm[1] = {name};
    const void *tx[1] = {text};
    size_t ln[1] = {len};
    return run(nm, tx, ln, 1, data, dlen, out, 512, err, 1024, sk);
}

/* ---- a plain tar writer for unsigned containers ---- */

typedef struct tarb {
    uint8_t *p;
    size_t n, cap;
} tarb;

static void tar_add(tarb *t, const char *name, const void *data, size_t len)
{
    size_t need = t->n + 512 + (len + 511) / 512 * 512 + 1024;
    if (need > t->cap) {
        t->cap = need * 2;
        t->p = realloc(t->p, t->cap);
    }
    uint8_t *h = t->p + t->n;
    memset(h, 0, 512);
    snprintf((char *)h, 100, "%s", name);
    snprintf((char *)h + 100, 8, "%07o", 0644);
    snprintf((char *)h + 108, 8, "%07o", 0);
    snprintf((char *)h + 116, 8, "%07o", 0);
    snprintf((char *)h + 124, 12, "%011lo", (unsigned long)len);
    snprintf((char *)h + 136, 12, "%011o", 0);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    t->n += 512;
    memcpy(t->p + t->n, data, len);
    memset(t->p + t->n + len, 0, (len + 511) / 512 * 512 - len);
    t->n += (len + 511) / 512 * 512;
}

static void tar_end(tarb *t)
{
    memset(t->p + t->n, 0, 1024);
    t->n += 1024;
}

static void sha256hex(const void *d, size_t n, char out[65])
{
    unsigned char h[32];
    unsigned k;
    EVP_Digest(d, n, h, &k, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* A .cud: header + plain tar of .info (no DSIG) and the members given;
 * `lie` > 0 makes the .info give a wrong hash for member lie-1. */
static uint8_t *make_cud(const char *const *names, const char *const *texts, int n, int lie,
                         size_t *len)
{
    char info[4096];
    size_t k = (size_t)snprintf(info, sizeof info,
                                "ClamAV-VDB:27 Nov 2026 08-29 +0000:7:2:216:X:X:test:1\n");
    for (int i = 0; i < n; i++) {
        char h[65];
        sha256hex(texts[i], strlen(texts[i]), h);
        if (lie == i + 1)
            h[0] = h[0] == '0' ? '1' : '0';
        k += (size_t)snprintf(info + k, sizeof info - k, "%s:%zu:%s\n", names[i],
                              strlen(texts[i]), h);
    }
    tarb t = {0};
    t.cap = 512;
    t.p = malloc(t.cap);
    memset(t.p, ' ', 512);
    static const char hdr[] = "ClamAV-VDB:27 Nov 2026 08-29 +0000:7:2:216:X:X:test:1";
    memcpy(t.p, hdr, sizeof hdr - 1);
    t.n = 512;
    tar_add(&t, "COPYING", "GPL", 3);
    tar_add(&t, "test.info", info, k);
    for (int i = 0; i < n; i++)
        tar_add(&t, names[i], texts[i], strlen(texts[i]));
    tar_end(&t);
    *len = t.n;
    return t.p;
}

/* The gzip body of a .cvd unpacked (libarchive, raw format): the .cld
 * freshclam would write. */
static uint8_t *cvd_to_cld(const uint8_t *cvd, size_t n, size_t *outlen)
{
    struct archive *a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_format_raw(a);
    uint8_t *out = malloc(512 + (64u << 20));
    size_t k = 512;
    memcpy(out, cvd, 512);
    struct archive_entry *en;
    if (archive_read_open_memory(a, cvd + 512, n - 512) == ARCHIVE_OK &&
        archive_read_next_header(a, &en) == ARCHIVE_OK) {
        la_ssize_t r;
        while ((r = archive_read_data(a, out + k, 65536)) > 0)
            k += (size_t)r;
    }
    archive_read_free(a);
    *outlen = k;
    return out;
}

static void t_signed(void)
{
    char path[1200], out[512], err[1024];
    snprintf(path, sizeof path, "%s/freshclam_testfiles/test-6.cvd", talos);
    size_t n;
    uint8_t *cvd = tap_read_file(path, &n);
    TAP_OK(cvd != NULL, "read %s", path);
    if (!cvd)
        return;
    vg_status st = run1("test-6.cvd", cvd, n, eicar, sizeof eicar - 1, out, err, NULL);
    /* all-match: its .hdb and .hsb both name the file */
    TAP_OK(st == VG_OK && strncmp(out, "Eicar-Test-Signature", 20) == 0 && !strstr(out, "UNOFF"),
           "signed .cvd loads; names stay official: '%s' (%s)", out, err);

    /* one flipped body byte: the MD5 no longer matches */
    cvd[700] ^= 1;
    st = run1("test-6.cvd", cvd, n, eicar, sizeof eicar - 1, out, err, NULL);
    TAP_OK(st == VG_EVERIFY && strstr(err, "test-6.cvd: MD5 of the body does not match"),
           "altered body refused: %s", err);
    cvd[700] ^= 1;

    /* a DSIG that is not ClamAV's: same length, another character */
    char *d = memchr(cvd, ':', 512);
    for (int i = 0; d && i < 5; i++)
        d = memchr(d + 1, ':', (size_t)(cvd + 512 - (uint8_t *)d - 1));
    TAP_OK(d != NULL, "found the DSIG field");
    if (d) {
        char keep = d[5];
        d[5] = keep == 'a' ? 'b' : 'a';
        st = run1("test-6.cvd", cvd, n, eicar, sizeof eicar - 1, out, err, NULL);
        TAP_OK(st == VG_EVERIFY && strstr(err, "digital signature does not verify"),
               "forged header signature refused: %s", err);
        d[5] = keep;
    }

    /* the same bytes as a .cld: the header is not checked, the signed
     * .info and the members are */
    size_t cl;
    uint8_t *cld = cvd_to_cld(cvd, n, &cl);
    st = run1("test-6.cld", cld, cl, eicar, sizeof eicar - 1, out, err, NULL);
    TAP_OK(st == VG_OK && strncmp(out, "Eicar-Test-Signature", 20) == 0 && !strstr(out, "UNOFF"),
           ".cld (plain tar) loads, official: '%s' (%s)", out, err);
    uint8_t *k = memmem(cld, cl, "Klez-1", 6);
    TAP_OK(k != NULL, "found a signature name in the .cld tar");
    if (k) {
        k[5] = '2';
        st = run1("test-6.cld", cld, cl, eicar, sizeof eicar - 1, out, err, NULL);
        TAP_OK(st == VG_EVERIFY && strstr(err, "test-6.cld:test.ndb: SHA-256 does not match"),
               "edited .cld member refused: %s", err);
        k[5] = '1';
    }
    uint8_t *ds = memmem(cld, cl, "DSIG:", 5);
    if (ds) {
        ds[6] = ds[6] == 'a' ? 'b' : 'a';
        st = run1("test-6.cld", cld, cl, eicar, sizeof eicar - 1, out, err, NULL);
        TAP_OK(st == VG_EVERIFY && strstr(err, "test.info: digital signature does not verify"),
               ".cld with a forged .info signature refused: %s", err);
    }
    free(cld);

    /* a directory with X.cvd and X.cld: only the newer loads (clamscan) */
    char dir[] = "/tmp/vigil-test-cvd2.XXXXXX", p3[1200], pc[128], pv[128];
    snprintf(p3, sizeof p3, "%s/freshclam_testfiles/test-3.cvd", talos);
    size_t n3;
    uint8_t *cvd3 = tap_read_file(p3, &n3);
    if (cvd3 && mkdtemp(dir)) {
        cld = cvd_to_cld(cvd, n, &cl); /* version 6 */
        snprintf(pc, sizeof pc, "%s/test.cld", dir);
        snprintf(pv, sizeof pv, "%s/test.cvd", dir);
        tap_write_file(pc, cld, cl);
        tap_write_file(pv, cvd3, n3); /* version 3 */
        vg_engine *a, *b;
        vg_engine_new(&a);
        vg_engine_new(&b);
        vg_status sa = vg_engine_load(a, dir);
        vg_status sb = vg_engine_load_mem(b, "test-6.cvd", (const char *)cvd, n, 0);
        TAP_OK(sa == VG_OK && sb == VG_OK && vg_engine_sig_count(a) == vg_engine_sig_count(b),
               "X.cvd (v3) beside X.cld (v6): only the .cld loads (%llu sigs, v6 alone %llu) %s%s",
               (unsigned long long)vg_engine_sig_count(a), (unsigned long long)vg_engine_sig_count(b),
               vg_engine_error(a), vg_engine_error(b));
        vg_engine_free(a);
        vg_engine_free(b);
        unlink(pc);
        unlink(pv);
        rmdir(dir);
        free(cld);
    }
    free(cvd3);

    /* truncations never crash and never load */
    int bad = 0;
    for (size_t cut = 0; cut < n; cut += n / 37 + 1)
        if (run1("test-6.cvd", cvd, cut, eicar, sizeof eicar - 1, out, err, NULL) == VG_OK)
            bad++;
    TAP_OK(bad == 0, "every truncated copy is refused (%d loaded)", bad);
    free(cvd);
}

static void t_bytecode(void)
{
    char path[1200], out[512], err[1024];
    snprintf(path, sizeof path, "%s/bytecode.cvd", artef);
    size_t n;
    uint8_t *cvd = tap_read_file(path, &n);
    TAP_OK(cvd != NULL, "read %s", path);
    if (!cvd)
        return;
    vg_engine_skipped sk;
    vg_status st = run1("bytecode.cvd", cvd, n, "x", 1, out, err, &sk);
    TAP_OK(st == VG_OK && sk.bytecode == 48,
           "official bytecode.cvd loads; its 48 .cbc members counted as skipped (%llu; %s)",
           (unsigned long long)sk.bytecode, err);
    free(cvd);
    static const char cbc[] = "ClamBCafhkgkojbld|xx\n";
    st = run1("x.cbc", cbc, sizeof cbc - 1, "x", 1, out, err, &sk);
    TAP_OK(st == VG_OK && sk.bytecode == 1, "a .cbc file counts one bytecode signature");
    static const char pdb[] = "R:example\\.com\n#c\nH:foo\n";
    st = run1("daily.pdb", pdb, sizeof pdb - 1, "x", 1, out, err, &sk);
    TAP_OK(st == VG_OK && sk.unsupported == 2 && strcmp(sk.types, ".pdb") == 0,
           "unsupported .pdb: 2 signature lines counted, type named (%llu '%s')",
           (unsigned long long)sk.unsupported, sk.types);
}

static void t_cud(void)
{
    char out[512], err[1024];
    const char *nm[] = {"a.hdb", "b.ndb", "c.ign2"};
    const char *tx[] = {"44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n",
                        "Vigil.Test.Ndb:0:*:4549434152\n", "Vigil.Test.Ndb\n"};
    size_t n;
    uint8_t *cud = make_cud(nm, tx, 2, 0, &n);
    vg_status st = run1("t.cud", cud, n, eicar, sizeof eicar - 1, out, err, NULL);
    /* clamscan --allmatch order: the body signature, then the hash one */
    TAP_OK(st == VG_OK &&
               strcmp(out, "Vigil.Test.Ndb.UNOFFICIAL Eicar-Test-Signature.UNOFFICIAL") == 0,
           ".cud: names get .UNOFFICIAL: '%s' (%s)", out, err);
    free(cud);
    /* ignore list before the member: dropped; after it: kept (clamscan) */
    const char *nm2[] = {"c.ign2", "a.hdb", "b.ndb"};
    const char *tx2[] = {tx[2], tx[0], tx[1]};
    cud = make_cud(nm2, tx2, 3, 0, &n);
    st = run1("t.cud", cud, n, eicar, sizeof eicar - 1, out, err, NULL);
    TAP_OK(st == VG_OK && strcmp(out, "Eicar-Test-Signature.UNOFFICIAL") == 0,
           ".ign2 member before the .ndb drops its signature: '%s' (%s)", out, err);
    free(cud);
    cud = make_cud(nm, tx, 3, 0, &n);
    st = run1("t.cud", cud, n, eicar, sizeof eicar - 1, out, err, NULL);
    TAP_OK(st == VG_OK && strstr(out, "Vigil.Test.Ndb.UNOFFICIAL"),
           ".ign2 member after the .ndb does not: '%s'", out);
    free(cud);
    cud = make_cud(nm, tx, 2, 2, &n);
    st = run1("t.cud", cud, n, eicar, sizeof eicar - 1, out, err, NULL);
    TAP_OK(st == VG_EVERIFY && strstr(err, "t.cud:b.ndb: SHA-256 does not match"),
           ".cud member not matching its .info refused: %s", err);
    free(cud);
    const char *nm3[] = {"a.hdb", "inner.cvd"};
    const char *tx3[] = {tx[0], "ClamAV-VDB:x"};
    cud = make_cud(nm3, tx3, 2, 0, &n);
    st = run1("t.cud", cud, n, eicar, sizeof eicar - 1, out, err, NULL);
    TAP_OK(st != VG_OK && strstr(err, "inner.cvd"), "nested container refused: %s", err);
    free(cud);
    st = run1("t.cvd", "ClamAV-VDB:", 11, eicar, sizeof eicar - 1, out, err, NULL);
    TAP_OK(st == VG_EFORMAT, "a header shorter than 512 bytes is refused: %s", err);
}

/* Ignore list `ign` (as .ign2 or .ign by `ext`), then one .ndb line that
 * matches "xxEICARxx"; returns the outcome: "ignored", "found" or "ERR". */
static const char *ign_case(const char *ext, const char *ign, char *err)
{
    static const char ndb[] = "Vigil.Test.Ndb:0:*:4549434152\n";
    static const char data[] = "xxEICARxx";
    char name[16], out[512];
    snprintf(name, sizeof name, "l.%s", ext);
    const char *nm[2] = {name, "a.ndb"};
    const void *tx[2] = {ign, ndb};
    size_t ln[2] = {strlen(ign), sizeof ndb - 1};
    vg_status st = run(nm, tx, ln, 2, data, sizeof data - 1, out, sizeof out, err, 1024, NULL);
    if (st != VG_OK)
        return "ERR";
    return out[0] ? "found" : "ignored";
}

static void t_ignore(void)
{
    char err[1024], md5[33], up[33];
    unsigned char h[16];
    unsigned k;
    static const char line[] = "Vigil.Test.Ndb:0:*:4549434152";
    EVP_Digest(line, sizeof line - 1, h, &k, EVP_md5(), NULL);
    for (int i = 0; i < 16; i++) {
        snprintf(md5 + 2 * i, 3, "%02x", h[i]);
        snprintf(up + 2 * i, 3, "%02X", h[i]);
    }
    char with_md5[64], with_up[64], with_bad[64];
    snprintf(with_md5, sizeof with_md5, "Vigil.Test.Ndb:%s\n", md5);
    snprintf(with_up, sizeof with_up, "Vigil.Test.Ndb:%s\n", up);
    snprintf(with_bad, sizeof with_bad, "Vigil.Test.Ndb:0123456789abcdef0123456789abcdef\n");
    static const struct {
        const char *ext, *text, *want;
    } cases[] = {
        {"ign2", "Vigil.Test.Ndb\n", "ignored"},
        {"ign2", "Vigil.Test.Ndb", "ignored"},        /* no final newline */
        {"ign2", "# c\nVigil.Test.Ndb\r\n", "ignored"},
        {"ign2", "Other\nVigil.Test.Ndb\n", "ignored"},
        {"ign2", "x:1:Vigil.Test.Ndb\n", "ignored"},  /* DB:LINE:NAME */
        {"ign2", "x::Vigil.Test.Ndb\n", "ignored"},
        {"ign", "zz.ndb:7:Vigil.Test.Ndb\n", "ignored"},
        {"ign", "Vigil.Test.Ndb\n", "ignored"},
        {"ign2", "Vigil.Test.Ndb \n", "found"},       /* exact match */
        {"ign2", "vigil.test.ndb\n", "found"},
        {"ign2", "Vigil.Test.Nd\n", "found"},
        {"ign2", "Vigil.Test.Ndb.UNOFFICIAL\n", "found"},
        {"ign2", "#Vigil.Test.Ndb\n", "found"},
        {"ign2", "", "found"},                        /* empty list: fine */
        {"ign2", "Vigil.Test.Ndb:x:y:z\n", "ERR"},
        {"ign2", "\nVigil.Test.Ndb\n", "ERR"},       /* empty line */
        {"ign2", ":Vigil.Test.Ndb\n", "ERR"},
        {"ign2", "Vigil.Test.Ndb:abc\n", "ERR"},
        {"ign2", "Vigil.Test.Ndb:\n", "ERR"},
        {"ign", "Vigil.Test.Ndb:1\n", "ERR"},
        {"ign2", "x:1:Vigil.Test.Ndb:0123456789abcdef0123456789abcdef\n", "ERR"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = ign_case(cases[i].ext, cases[i].text, err);
        TAP_OK(strcmp(got, cases[i].want) == 0, ".%s '%.*s': %s (want %s) %s", cases[i].ext,
               (int)strcspn(cases[i].text, "\n"), cases[i].text, got, cases[i].want, err);
    }
    TAP_OK(strcmp(ign_case("ign2", with_md5, err), "ignored") == 0, "NAME:MD5 of the line ignores");
    TAP_OK(strcmp(ign_case("ign2", with_up, err), "ignored") == 0, "the MD5 in upper case too");
    TAP_OK(strcmp(ign_case("ign2", with_bad, err), "found") == 0, "another MD5 does not");

    /* an ignore list names a hash signature too; a failed load of a bad
     * list leaves no entry behind */
    static const char hdb[] = "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n";
    const char *nm[2] = {"x.ign2", "x.hdb"};
    const void *tx[2] = {"Eicar-Test-Signature\n", hdb};
    size_t ln[2] = {21, sizeof hdb - 1};
    char out[512];
    vg_status st = run(nm, tx, ln, 2, eicar, sizeof eicar - 1, out, sizeof out, err, 1024, NULL);
    TAP_OK(st == VG_OK && out[0] == 0, ".hdb signature ignored by name ('%s')", out);

    vg_engine *e;
    vg_engine_new(&e);
    st = vg_engine_load_mem(e, "y.ign2", "Eicar-Test-Signature\nbad:x:y:z\n", 31, 0);
    TAP_OK(st == VG_EFORMAT && strstr(vg_engine_error(e), "y.ign2:2:"),
           "bad ignore list: file:line error (%s)", vg_engine_error(e));
    st = vg_engine_load_mem(e, "x.hdb", hdb, sizeof hdb - 1, 0);
    if (st == VG_OK)
        st = vg_engine_compile(e);
    vg_scan_opts o;
    vg_scan_opts_default(&o);
    vg_result *r = NULL;
    int found = st == VG_OK && vg_scan_mem(e, eicar, sizeof eicar - 1, &o, &r) == VG_OK &&
                vg_result_count(r) == 1;
    TAP_OK(found, "the failed list's first entry was rolled back");
    vg_result_free(r);
    vg_engine_free(e);

    /* a directory: ignore lists load first, whatever their names */
    char dir[] = "/tmp/vigil-test-cvd.XXXXXX";
    if (mkdtemp(dir)) {
        char p1[128], p2[128];
        snprintf(p1, sizeof p1, "%s/a.ndb", dir);
        snprintf(p2, sizeof p2, "%s/z.ign2", dir);
        tap_write_file(p1, "Vigil.Test.Ndb:0:*:4549434152\n", 30);
        tap_write_file(p2, "Vigil.Test.Ndb\n", 15);
        vg_engine_new(&e);
        st = vg_engine_load(e, dir);
        TAP_OK(st == VG_OK && vg_engine_sig_count(e) == 0,
               "directory: z.ign2 applies to a.ndb (%llu sigs)",
               (unsigned long long)vg_engine_sig_count(e));
        vg_engine_free(e);
        unlink(p1);
        unlink(p2);
        rmdir(dir);
    }
}

static void t_ftm(void)
{
    char out[512], err[1024];
    vg_engine_skipped sk;
    static const char good[] =
        "# file types\n0:0:cafebabe:Java class file:CL_TYPE_ANY:CL_TYPE_JAVA\n"
        "1:*:3c68746d6c:HTML:CL_TYPE_ANY:CL_TYPE_HTML:51\n9:0:00:future:CL_TYPE_ANY:CL_TYPE_X\n";
    vg_status st = run1("x.ftm", good, sizeof good - 1, "x", 1, out, err, &sk);
    TAP_OK(st == VG_OK && sk.ftm == 2, ".ftm: 2 entries read, unknown magic type skipped (%llu)",
           (unsigned long long)sk.ftm);
    static const char bad[] = "0:0:cafebab:Java:CL_TYPE_ANY:CL_TYPE_JAVA\n";
    st = run1("x.ftm", bad, sizeof bad - 1, "x", 1, out, err, &sk);
    TAP_OK(st == VG_EFORMAT && strstr(err, "x.ftm:1:"), ".ftm odd hex refused: %s", err);
    st = run1("x.ftm", "# only\n", 7, "x", 1, out, err, &sk);
    TAP_OK(st == VG_EFORMAT, ".ftm without entries refused: %s", err);
}

int main(void)
{
    const char *src = getenv("VIGIL_SRC");
    snprintf(talos, sizeof talos, "%s/../shared/data/clamav-sigs/Cisco-Talos-clamav/unit_tests/input",
             src ? src : ".");
    snprintf(artef, sizeof artef, "%s/../shared/data/clamav-sigs/artefactual-labs-clamav-files",
             src ? src : ".");
    t_signed();
    t_bytecode();
    t_cud();
    t_ignore();
    t_ftm();
    return tap_done();
}
