/* tests/unit/test_vdb.c - compiled databases: a .vdb gives the same
 * detections as its sources, is byte-for-byte deterministic, carries YARA
 * rules as source text, refuses by name a source it would leave out,
 * shares one Vectorscan database between engines loaded from one file,
 * and every kind of damage (truncation at any length, a flipped byte
 * anywhere, a wrong version) is refused with an error, never a crash. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/exehash.h"
#include "db/listing.h"
#include "db/vdb.h"
#include "match/matcher_int.h"
#include "tap.h"
#include "vigil/vigil.h"

static const char hdb[] = "44d88612fea8a8f36de82e1278abb02f:68:Test.Eicar.Hash\n"
                          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:*:Test.Any.Sha1:73\n";
static const char ndb[] = "Test.Body.A:0:*:48454c4c4f??574f524c44\n"
                          "Test.Body.B:0:*:414243*444546(B)\n"
                          "Test.Body.C:0:EOF-3:58595a\n"
                          "Test.Body.D:7:*:6576696c\n";
static const char fp[] = "5d41402abc4b2a76b9719d911017c592:5:Allow.Hello\n";
static char dir[256];

static void put(const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    tap_write_file(p, text, strlen(text));
}

static void put_at(const char *path, const char *text) { tap_write_file(path, text, strlen(text)); }

static vg_engine *load_keep(const char *path, vg_status *stp, int keep_src)
{
    vg_engine *e;
    vg_engine_new(&e);
    e->keep_src = keep_src;
    vg_status st = vg_engine_load(e, path);
    if (st == VG_OK)
        st = vg_engine_compile(e);
    if (stp)
        *stp = st;
    if (st != VG_OK) {
        vg_engine_free(e);
        return NULL;
    }
    return e;
}

static vg_engine *load(const char *path, vg_status *stp) { return load_keep(path, stp, 0); }

/* the `db list` lines of e, joined */
static char *listing(vg_engine *e)
{
    vgdb_entry *v;
    size_t n;
    if (vgdb_list(e, &v, &n) != VG_OK)
        return NULL;
    size_t cap = 1, len = 0;
    for (size_t i = 0; i < n; i++)
        cap += strlen(v[i].type) + strlen(v[i].name) + 68;
    char *out = malloc(cap);
    out[0] = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s %s %s\n", v[i].type, v[i].name, v[i].hash);
    free(v);
    return out;
}

static long fsize(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 ? (long)sb.st_size : -1;
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/vigil-vdb-%d", (int)getpid());
    mkdir(dir, 0700);
    put("t.hdb", hdb);
    put("t.ndb", ndb);
    put("t.fp", fp);
    char src[300], out1[300], out2[300];
    snprintf(src, sizeof src, "%s", dir);
    snprintf(out1, sizeof out1, "%s/one.vdb.out", dir);
    snprintf(out2, sizeof out2, "%s/two.vdb.out", dir);

    vg_engine *es = load(src, NULL);
    TAP_OK(es != NULL, "source databases load");
    TAP_OK(es && vgdb_vdb_write(es, out1, 1234) == VG_OK, "vdb written");
    vg_engine *es2 = load(src, NULL);
    TAP_OK(es2 && vgdb_vdb_write(es2, out2, 1234) == VG_OK, "vdb written again");
    FILE *f1 = fopen(out1, "rb"), *f2 = fopen(out2, "rb");
    int same = f1 && f2;
    for (int c1 = 0, c2 = 0; same && (c1 != EOF || c2 != EOF);) {
        c1 = fgetc(f1);
        c2 = fgetc(f2);
        same = c1 == c2;
    }
    if (f1) fclose(f1);
    if (f2) fclose(f2);
    TAP_OK(same, "two builds of the same sources are byte-identical");
    vg_engine_free(es2);

    char vdb[320];
    snprintf(vdb, sizeof vdb, "%s/db.vdb", dir);
    rename(out1, vdb);
    vg_engine *ev = load(vdb, NULL);
    TAP_OK(ev != NULL, "the .vdb loads");
    TAP_OK(ev && vg_engine_sig_count(ev) == vg_engine_sig_count(es), "same signature count");
    static const struct { const char *what; const char *data; size_t len; } cases[] = {
        {"eicar (hash)", "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*", 68},
        {"wildcard body", "xxHELLO WORLDxx", 15},
        {"star gap + boundary", "ABC...DEF ", 10},
        {"EOF offset", "....XYZ", 7},
        {"target 7 on normalised text", "this is EVIL text", 17},
        {"allowlisted", "hello", 5},
        {"clean", "nothing here", 12},
    };
    for (size_t i = 0; ev && i < sizeof cases / sizeof *cases; i++) {
        char a[256], b[256];
        tap_scan_names(es, cases[i].data, cases[i].len, a, sizeof a);
        tap_scan_names(ev, cases[i].data, cases[i].len, b, sizeof b);
        TAP_OK(!strcmp(a, b), "%s: sources [%s] == vdb [%s]", cases[i].what, a, b);
    }
    /* a directory with a .vdb and a text source together */
    char mix[300];
    snprintf(mix, sizeof mix, "%s/mix", dir);
    mkdir(mix, 0700);
    char p[400];
    snprintf(p, sizeof p, "%s/a.vdb", mix);
    vgdb_vdb_write(es, p, 0);
    snprintf(p, sizeof p, "%s/b.ndb", mix);
    tap_write_file(p, "Test.Extra:0:*:7a7a7a7a7a\n", 26);
    vg_engine *em = load(mix, NULL);
    char got[256];
    if (em)
        tap_scan_names(em, "..zzzzz..HELLO WORLD", 20, got, sizeof got);
    TAP_OK(em && strstr(got, "Test.Extra") && strstr(got, "Test.Body.A"),
           "-d DIR merges a .vdb with text sources (%s)", em ? got : "load failed");
    vg_engine_free(em);

    /* the listing (names, content hashes) is the same from either */
    char *la = listing(es), *lb = ev ? listing(ev) : NULL;
    TAP_OK(la && lb && !strcmp(la, lb), "db list of the .vdb equals db list of its sources");
    free(la);
    free(lb);

    /* a second engine from the same file shares its Vectorscan database */
    vg_engine *ev2 = load(vdb, NULL);
    TAP_OK(ev && ev2 && ev->m->shared && ev->m->db == ev2->m->db,
           "two engines from one .vdb share one Vectorscan database");
    vg_engine_free(ev2);
    vg_engine_free(ev);
    vg_engine *ev3 = load(vdb, NULL);
    char got3[256] = "";
    if (ev3)
        tap_scan_names(ev3, "xxHELLO WORLDxx", 15, got3, sizeof got3);
    TAP_OK(ev3 && strstr(got3, "Test.Body.A"), "a shared database outlives the engine that made it");
    vg_engine_free(ev3);

    /* YARA rules travel as source text and are compiled at load */
    char ydir[300], yvdb[320];
    snprintf(ydir, sizeof ydir, "%s/yara", dir);
    mkdir(ydir, 0700);
    snprintf(p, sizeof p, "%s/r.yar", ydir);
    put_at(p, "rule Hello_Rule { strings: $a = \"HELLO\" condition: $a }\n");
    snprintf(p, sizeof p, "%s/b.ndb", ydir);
    put_at(p, "Test.Extra:0:*:7a7a7a7a7a\n");
    snprintf(yvdb, sizeof yvdb, "%s/y.vdb", dir);
    vg_engine *ey = load(ydir, NULL);
    TAP_OK(ey && vgdb_vdb_write(ey, yvdb, 0) == VG_EUNSUPPORTED && strstr(vg_engine_error(ey), "r.yar"),
           "without its text kept, a YARA source is refused by name (%s)", ey ? vg_engine_error(ey) : "");
    vg_engine_free(ey);
    ey = load_keep(ydir, NULL, 1);
    TAP_OK(ey && vgdb_vdb_write(ey, yvdb, 0) == VG_OK, "YARA rules and .ndb written into one .vdb");
    vg_engine *eyv = load(yvdb, NULL);
    char ya[256] = "", yb[256] = "";
    if (ey && eyv) {
        tap_scan_names(ey, "..zzzzz..HELLO", 14, ya, sizeof ya);
        tap_scan_names(eyv, "..zzzzz..HELLO", 14, yb, sizeof yb);
    }
    TAP_OK(eyv && strstr(yb, "Hello_Rule") && strstr(yb, "Test.Extra") && !strcmp(ya, yb),
           "the .vdb's YARA rule and body signature match as the sources do [%s] [%s]", ya, yb);
    TAP_OK(eyv && vg_engine_sig_count(eyv) == vg_engine_sig_count(ey), "same signature count with YARA");
    vg_engine_free(eyv);
    vg_engine_free(ey);

    /* PE section hashes travel as text too, and keep their names */
    snprintf(p, sizeof p, "%s/s.mdb", ydir);
    put_at(p, "1024:44d88612fea8a8f36de82e1278abb02f:Test.Sect\n");
    ey = load_keep(ydir, NULL, 1);
    TAP_OK(ey && vgdb_vdb_write(ey, yvdb, 0) == VG_OK, "a .mdb goes into a .vdb (%s)",
           ey ? vg_engine_error(ey) : "not loaded");
    eyv = load_keep(yvdb, NULL, 1); /* texts kept: the listing has them */
    char *lm = ey ? listing(ey) : NULL, *lv = eyv ? listing(eyv) : NULL;
    TAP_OK(eyv && vg_engine_sig_count(eyv) == vg_engine_sig_count(ey) &&
               vgdb_exeh_count(eyv) == 1 && lm && lv && !strcmp(lm, lv),
           "the .vdb has the section hash and the same listing");
    int named = 0;
    for (uint32_t i = eyv ? eyv->fc_base : 0; eyv && i < eyv->nnames; i++)
        named += !strcmp(vgdb_name(eyv, i), "Test.Sect.UNOFFICIAL");
    TAP_OK(named == 1, "its name, with .UNOFFICIAL, follows the mapped names");
    free(lm);
    free(lv);
    vg_engine_free(eyv);
    vg_engine_free(ey);

    /* logical signatures travel as text, their subsignatures in the matcher */
    snprintf(p, sizeof p, "%s/l.ldb", ydir);
    put_at(p, "Test.Logical;Target:0;0&1;414243444546;78797a\n");
    ey = load_keep(ydir, NULL, 1);
    TAP_OK(ey && vgdb_vdb_write(ey, yvdb, 0) == VG_OK, "a .ldb goes into a .vdb (%s)",
           ey ? vg_engine_error(ey) : "not loaded");
    eyv = load(yvdb, NULL);
    char la2[256] = "", lb2[256] = "";
    if (ey && eyv) {
        tap_scan_names(ey, "..ABCDEF..xyz..HELLO", 20, la2, sizeof la2);
        tap_scan_names(eyv, "..ABCDEF..xyz..HELLO", 20, lb2, sizeof lb2);
    }
    TAP_OK(eyv && strstr(lb2, "Test.Logical") && strstr(lb2, "Hello_Rule") && !strcmp(la2, lb2) &&
               vg_engine_sig_count(eyv) == vg_engine_sig_count(ey),
           "the .vdb's logical signature matches as its source does [%s] [%s]", la2, lb2);
    char cl[256] = "";
    if (eyv)
        tap_scan_names(eyv, "..ABCDEF..", 10, cl, sizeof cl);
    TAP_OK(eyv && !strstr(cl, "Test.Logical"), "and not when only one subsignature is there");
    TAP_OK(eyv && eyv->mapped && !eyv->vdb_rebuilt,
           "a .vdb with logical signatures runs from its mapped matcher");
    {
        /* its .ldb text changed to one subsignature (and sealed again):
         * the mapped matcher's two no longer match it */
        long yn = fsize(yvdb);
        char *yb2 = yn > 0 ? malloc((size_t)yn) : NULL;
        FILE *yf = fopen(yvdb, "rb");
        int got_all = yb2 && yf && fread(yb2, 1, (size_t)yn, yf) == (size_t)yn;
        if (yf)
            fclose(yf);
        char *at = NULL;
        for (long i = 0; got_all && !at && i + 23 <= yn; i++)
            if (!memcmp(yb2 + i, "0&1;414243444546;78797a", 23))
                at = yb2 + i;
        vg_status yst = VG_OK;
        if (at) {
            memcpy(at, "0;414243444546\n#xxxxxx", 23);
            vgdb_vdb_seal((uint8_t *)yb2, (size_t)yn);
            snprintf(p, sizeof p, "%s/bad-ldb.vdb", dir);
            tap_write_file(p, yb2, (size_t)yn);
            vg_engine *eb = load(p, &yst);
            vg_engine_free(eb);
        }
        TAP_OK(at && yst == VG_EFORMAT, "a .vdb whose .ldb text disagrees with its matcher is refused");
        free(yb2);
    }
    vg_engine_free(eyv);
    vg_engine_free(ey);

    /* source texts keep the build deterministic, and a .vdb rebuilt from
     * a .vdb is the same file */
    char y2[330], y3[330];
    snprintf(y2, sizeof y2, "%s/y2.vdb", dir);
    snprintf(y3, sizeof y3, "%s/y3.vdb", dir);
    ey = load_keep(ydir, NULL, 1);
    int wrote = ey && vgdb_vdb_write(ey, y2, 0) == VG_OK;
    vg_engine_free(ey);
    ey = load_keep(y2, NULL, 1);
    wrote = wrote && ey && vgdb_vdb_write(ey, y3, 0) == VG_OK;
    vg_engine_free(ey);
    TAP_OK(wrote && tap_same_file(yvdb, y2) && tap_same_file(y2, y3),
           "YARA, .mdb and .ldb texts: same bytes from the same sources, and from its own .vdb");

    /* damage: every truncation length on a coarse grid, and flips */
    long n = fsize(vdb);
    if (n <= 0 || n > (1L << 30))
        n = 1;
    FILE *f = fopen(vdb, "rb");
    char *buf = malloc((size_t)n);
    size_t got_n = f ? fread(buf, 1, (size_t)n, f) : 0;
    if (f)
        fclose(f);
    TAP_OK(got_n == (size_t)n, "read the vdb back");
    char dmg[320];
    snprintf(dmg, sizeof dmg, "%s/damaged.vdb", dir);
    int crashes = 0, accepted = 0;
    for (long cut = 0; cut < n; cut += (cut < 1100 ? 7 : 61)) {
        tap_write_file(dmg, buf, (size_t)cut);
        vg_status st;
        vg_engine *e = load(dmg, &st);
        if (e)
            accepted++;
        vg_engine_free(e);
    }
    TAP_OK(accepted == 0 && crashes == 0, "every truncated file is refused");
    accepted = 0;
    for (long pos = 0; pos < n; pos += 13) {
        buf[pos] ^= 0x20;
        tap_write_file(dmg, buf, (size_t)n);
        buf[pos] ^= 0x20;
        vg_engine *e = load(dmg, NULL);
        if (e && pos >= 56 && pos < 88)
            accepted++; /* a flipped checksum byte must be refused too */
        else if (e && pos >= 1024)
            accepted++;
        vg_engine_free(e);
    }
    TAP_OK(accepted == 0, "a flipped byte in the checksum or the body is refused");
    memcpy(buf + 8, "\x09\x00\x00\x00", 4);
    tap_write_file(dmg, buf, (size_t)n);
    vg_status st;
    vg_engine *ew = load(dmg, &st);
    TAP_OK(!ew && st == VG_EUNSUPPORTED, "another format version is refused as unsupported");
    free(buf);
    vg_engine_free(es);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        TAP_OK(0, "cleanup");
    return tap_done();
}
