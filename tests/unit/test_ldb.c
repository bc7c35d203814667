/* tests/unit/test_ldb.c - logical signatures: the expression parser and
 * evaluator (match/ldb_expr.c), the .ldb/.cdb loader (db/load_ldb.c) and
 * what a scan reports with them.
 *
 * The counting rules asserted here are the ones tests/e2e/diff_ldb.sh
 * checks against clamscan 1.4.6 itself (right-grouping `&`/`|`, block
 * counts that sum their members' matches and do not pass their set of
 * subsignatures upwards, `A=0` true without a match); the loader cases are
 * lines clamscan loads or refuses the same way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/ldb_expr.h"
#include "tap.h"
#include "vigil/vigil.h"

/* ---- expression ------------------------------------------------------- */

/* Evaluate `expr` with counts given as a string of digits ("210": subsig 0
 * matched twice, 1 once, 2 never). -1: does not parse. */
static int ev(const char *expr, const char *counts)
{
    vgle_prog p;
    char err[256];
    if (vgle_parse(expr, strlen(expr), VGLE_MAX_SUBS, &p, err, sizeof err) != VG_OK)
        return -1;
    uint32_t c[VGLE_MAX_SUBS] = {0};
    for (size_t i = 0; counts[i] && i < VGLE_MAX_SUBS; i++)
        c[i] = (uint32_t)(counts[i] - '0');
    int r = vgle_eval(&p, c);
    vgle_free(&p);
    return r;
}

static void expect(const char *expr, const char *counts, int want)
{
    int got = ev(expr, counts);
    TAP_OK(got == want, "'%s' with counts %s -> %d (want %d)", expr, counts, got, want);
}

static void expression_tests(void)
{
    expect("0", "1", 1);
    expect("0", "0", 0);
    expect("0&1", "11", 1);
    expect("0&1", "10", 0);
    expect("0|1", "01", 1);
    expect("0|1", "00", 0);
    /* no precedence: the first operator splits, the rest groups right */
    expect("0&1|2", "101", 1);   /* 0&(1|2) */
    expect("0|1&2", "100", 1);   /* 0|(1&2) */
    expect("0|1&2", "010", 0);
    expect("(0|1)&2", "010", 0);
    /* counts on one subsignature */
    expect("0=3", "3", 1);
    expect("0=3", "2", 0);
    expect("0>1", "2", 1);
    expect("0>1", "1", 0);
    expect("0<2", "1", 1);
    expect("0<2", "0", 1);       /* true without a match */
    expect("0=0", "0", 1);
    expect("0=0", "1", 0);
    expect("0>0,2", "1", 1);     /* ,Y is ignored on a single subsignature */
    expect("0>=2", "2", 1);      /* several signs: the last counts (clamscan) */
    expect("0>=2", "3", 0);
    /* counts on blocks: the sum of the members' matches */
    expect("(0|1)>2", "21", 1);
    expect("(0|1)>2", "20", 0);
    expect("(0|1)=3", "21", 1);
    expect("(0|1)=0", "00", 1);
    expect("(0&1)=0", "10", 1);  /* a false block counts 0 */
    expect("(0&1)>2", "21", 1);
    expect("(0|1)<3", "20", 1);
    /* ,Y: at least Y distinct subsignatures in the block */
    expect("(0|1)>1,2", "21", 1);
    expect("(0|1)>1,2", "30", 0);
    expect("(0|1)=2,1", "20", 1);
    expect("(0|1)=3,3", "21", 0);
    /* a counted block passes its count up, not its set (clamscan: the
     * first is OK, the second FOUND on "hello World abc") */
    expect("((0|1)>0|2)>1,3", "111", 0);
    expect("((0|1)|2)>1,3", "111", 1);
    /* white space as sscanf skips it */
    expect("0 & 1", "11", 1);
    expect(" 0", "1", 1);
    /* what clamscan refuses */
    expect("(0)>0", "1", -1);
    expect("((0|1))>0", "11", -1);
    expect("0&&1", "11", -1);
    expect("0&", "11", -1);
    expect("(0|1", "11", -1);
    expect("", "1", -1);
    expect("64", "1", -1);       /* at most 64 subsignatures */
    expect("(0)", "1", 1);
    expect("0x", "1", 1);        /* clamscan ignores what follows a number */
    expect("0,4", "1", 1);       /* a PCRE trigger of the wmetcalf set */
    expect("0,4&1", "10", 0);
    expect("0=2,&1", "21", 1);   /* main.ldb Unix.Trojan.Elknot-2 */
    expect("(0|1)=2,&1", "11", 1);
    /* depth and size limits are errors, not crashes */
    char deep[700];
    memset(deep, '(', 300);
    deep[300] = '0';
    memset(deep + 301, ')', 300);
    deep[601] = 0;
    TAP_OK(ev(deep, "1") == -1, "nesting deeper than VGLE_MAX_DEPTH is refused");
    char *longx = malloc(20000);
    size_t o = 0;
    for (int i = 0; i < 3000; i++)
        o += (size_t)snprintf(longx + o, 20000 - o, "%s%d", i ? "|" : "", i % 64);
    TAP_OK(ev(longx, "1") == -1, "an expression of more than VGLE_MAX_DEPTH operators is refused");
    free(longx);
    vgle_prog p;
    char err[256];
    TAP_OK(vgle_parse("(0|3)&2", 7, 8, &p, err, sizeof err) == VG_OK && p.maxid == 3 &&
               vgle_uses(&p) == 0xd,
           "maxid and the set of subsignatures used");
    vgle_free(&p);
}

/* ---- loader ----------------------------------------------------------- */

static vg_status load(const char *name, const char *text, char *err, size_t cap,
                      uint64_t *nsigs)
{
    vg_engine *e = NULL;
    vg_engine_new(&e);
    vg_status st = vg_engine_load_mem(e, name, text, strlen(text), 0);
    snprintf(err, cap, "%s", vg_engine_error(e));
    if (nsigs)
        *nsigs = vg_engine_sig_count(e);
    vg_engine_free(e);
    return st;
}

static void bad_line(const char *line, const char *why)
{
    char text[8192], err[1024];
    snprintf(text, sizeof text, "Good;Target:0;0;414243\n%s\n", line);
    vg_status st = load("x.ldb", text, err, sizeof err, NULL);
    TAP_OK(st == VG_EFORMAT && strncmp(err, "x.ldb:2: ", 9) == 0,
           "refused (%s): '%.50s' -> %s", why, line, err);
}

static void dropped_line(const char *line, const char *why)
{
    char text[8192], err[1024];
    uint64_t n = 0;
    snprintf(text, sizeof text, "Good;Target:0;0;414243\n%s\n", line);
    vg_status st = load("x.ldb", text, err, sizeof err, &n);
    TAP_OK(st == VG_OK && n == 1, "dropped silently (%s): '%.50s' (%llu sigs) %s", why, line,
           (unsigned long long)n, err);
}

static void good_line(const char *line, const char *why)
{
    char err[1024];
    uint64_t n = 0;
    vg_status st = load("x.ldb", line, err, sizeof err, &n);
    TAP_OK(st == VG_OK && n == 1, "loads (%s): '%.50s' %s", why, line, err);
}

static void loader_tests(void)
{
    bad_line("A;Target:0;0&1;414243", "fewer subsignatures than the expression uses");
    bad_line("A;Target:0;0;414243;444546", "more subsignatures than the expression uses");
    bad_line("A;Target:0;0;414243;", "trailing ';' (an empty subsignature)");
    bad_line("", "blank line");
    bad_line("A;Target:0;0", "no subsignature");
    bad_line("A;Engine:81,Target:0;0;414243", "Engine without a range");
    bad_line("A;Target:0,Engine:51-255;0;414243", "Engine not first");
    bad_line("A;Target:0,FileSize:15;0;414243", "FileSize without a range");
    bad_line("A;FileSize:1-20;0;414243", "no Target");
    bad_line("A;Target:0;(0)>1;414243", "count on a group without an operator");
    bad_line("A;Target:0;0;4142::x", "unknown modifier");
    bad_line("A;Target:0;0;41", "one-byte pattern");
    bad_line("A;Target:0;0;EP+0:414243", "EP offset for target 0");
    bad_line("A;Target:0;0&1;414243;${6-7}12$", "macro subsignature");
    bad_line("A;Target:0;0;VI:41424344", "VI subsignature for target 0");
    bad_line("A;Target:0;0&1;414243;1/abc/", "PCRE trigger on itself");
    bad_line("A;Target:0;0&1;414243;0/ab(c/", "PCRE that does not compile");
    bad_line("A;Target:0;0&1;414243;0/abc/q", "unknown PCRE flag");
    bad_line("A;Target:0;0&1;414243;0(>>4#il3#=16)", "raw byte compare of 3 bytes");
    bad_line("A;Target:0;0&1;414243;0(>>4#dl3#=16)", "little-endian decimal byte compare");
    bad_line("A;Target:0;0&1;414243;0(>>4#il2#!16)", "unknown comparison");
    bad_line("A;Target:0;0;6865!(58|59)6c6f::w", "negated group made wide");
    dropped_line("A;Engine:300-400,Target:0;0;414243", "Engine above vigil's FLEVEL");
    dropped_line("A;Engine:300-400,Target:0;0;zz", "out-of-FLEVEL lines are not parsed further");
    dropped_line("A;Target:15;0;414243", "unknown target");
    dropped_line("A;Target:0,Foo:1;0;414243", "unknown attribute");
    good_line("A;Engine:81-255,Target:0;0&1;414243;0/a[bc]+/gi", "PCRE");
    good_line("A;Target:0;0&1;414243;0(>>4#il2#=16)", "byte compare");
    good_line("A;Target:0;0;4142", "two-byte subsignature (Aho-Corasick in ClamAV)");
    good_line("A;Target:0;0;414243::iwfa", "all modifiers");
    good_line("A;Target:1;0;EP+0:414243", "EP offset for PE");
    good_line("A;Target:1;0;VI:41424344", "VI subsignature for PE");
    good_line("A;Engine:51-255,Target:1,IconGroup1:foo;0;414243", "IconGroup (never reported without .idb)");
    bad_line("A;Target:0,FileSize:1-20;0;414243", "FileSize without Engine >= 51");
    bad_line("A;Engine:51-255,Target:0,EntryPoint:1-20;0;414243", "EntryPoint for target 0");
    bad_line("A;Engine:51-255,Target:6,IconGroup1:x;0;414243", "IconGroup for ELF");
    good_line("A;Engine:51-255,Target:0,Container:CL_TYPE_ZIP,FileSize:1-99;0;10:414243", "TDB and offset");
    good_line("A;Engine:51-255,Target:0,Intermediates:CL_TYPE_ANY>CL_TYPE_ZIP;0;EOF-3,2:414243", "Intermediates");
    char err[1024];
    TAP_OK(load("x.cdb", "C:CL_TYPE_ZIP:*:clam\\.exe:*:544:0:*:*:*\n", err, sizeof err, NULL) ==
               VG_OK,
           ".cdb line loads %s", err);
    TAP_OK(load("x.cdb", "C:CL_TYPE_ZIP:*:clam(\\.exe:*:544:0:*:*:*\n", err, sizeof err, NULL) ==
               VG_EFORMAT,
           ".cdb with a bad regex is refused: %s", err);
    TAP_OK(load("x.cdb", "C:CL_TYPE_ZIP:*:*:*:*:2:*:*:*\n", err, sizeof err, NULL) == VG_EFORMAT,
           ".cdb IsEncrypted 2 is refused: %s", err);
}

/* ---- scanning --------------------------------------------------------- */

/* Sorted, comma-joined detections of `data` with one database. */
static const char *scan(const char *dbname, const char *db, const void *data, size_t len)
{
    static char out[2048];
    vg_engine *e = NULL;
    vg_engine_new(&e);
    vg_status st = vg_engine_load_mem(e, dbname, db, strlen(db), 0);
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
    vg_result *r = NULL;
    out[0] = 0;
    if (vg_scan_mem(e, data, len, &o, &r) == VG_OK) {
        const char *names[64];
        size_t n = vg_result_count(r) < 64 ? vg_result_count(r) : 64;
        for (size_t i = 0; i < n; i++)
            names[i] = vg_result_get(r, i)->name;
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
                const char *t = names[j];
                names[j] = names[j - 1];
                names[j - 1] = t;
            }
        for (size_t i = 0; i < n; i++) {
            if (i && strcmp(names[i], names[i - 1]) == 0)
                continue;
            if (*out)
                strncat(out, ",", sizeof out - strlen(out) - 1);
            strncat(out, names[i], sizeof out - strlen(out) - 1);
        }
        vg_result_free(r);
    } else {
        snprintf(out, sizeof out, "SCANERROR");
    }
    vg_engine_free(e);
    return out;
}

#define BIN "\xde\xad\xbe\xef\x00\x00\x00\x00"

static void expect_scan(const char *db, const char *data, size_t len, const char *want,
                        const char *what)
{
    const char *got = scan("t.ldb", db, data, len);
    TAP_OK(strcmp(got, want) == 0, "%s: got '%s', want '%s'", what, got, want);
}

static void scan_tests(void)
{
    static const char hello3[] = BIN "hello hello hello World";
    expect_scan("A;Target:0;0=3;68656c6c6f\nB;Target:0;0>3;68656c6c6f\n", hello3,
                sizeof hello3 - 1, "A.UNOFFICIAL", "three matches counted");
    static const char aaaa[] = BIN "aaaa";
    expect_scan("A;Target:0;0=3;6161\nB;Target:0;0=2;6161\n", aaaa, sizeof aaaa - 1,
                "A.UNOFFICIAL", "overlapping matches each count");
    expect_scan("A;Target:0;0&1;68656c6c6f::i;576f726c64\n", BIN "..HELLO..World..", 24,
                "A.UNOFFICIAL", "nocase");
    expect_scan("A;Target:0;0;68656c6c6f::f\nB;Target:0;0;68656c6c6f::w\n",
                BIN "xhellox h\0e\0l\0l\0o\0", 26, "B.UNOFFICIAL", "fullword and wide");
    expect_scan("A;Target:0;0;68656c6c6f::wa\n", BIN " hello ", 15, "A.UNOFFICIAL",
                "wide+ascii finds the ascii form");
    static const char pc[] = "\x01\x02" "clamav\x03\x04" "clamav\x05\x06" "CLAMAV\x07";
    expect_scan("A;Engine:81-255,Target:0;0&1=2;0102;0/clamav/g\n"
                "B;Engine:81-255,Target:0;0&1=3;0102;0/clamav/gi\n"
                "C;Engine:81-255,Target:0;0&1;0102;3:0/clamav/\n"
                "D;Engine:81-255,Target:0;0&1;0102;3:0/clamav/r\n"
                "E;Engine:81-255,Target:0;0&1;0102;2,6:0/clamav/e\n"
                "F;Engine:81-255,Target:0;0&1;0102;2,5:0/clamav/e\n"
                "G;Engine:81-255,Target:0;0&1;0102;4,1:0/clamav/\n"
                "H;Engine:81-255,Target:0;1;7a7a7a;0=0/clamav/\n",
                pc, sizeof pc - 1, "A.UNOFFICIAL,B.UNOFFICIAL,D.UNOFFICIAL,E.UNOFFICIAL,H.UNOFFICIAL",
                "PCRE flags and offsets");
    static const char bc[] = "xxCLAM\x10\x00yyCLAM=123;";
    expect_scan("A;Target:0;0&1;434c414d;0(>>5#de3#=123)\n"
                "B;Target:0;0&1;434c414d;0(>>4#il2#=16)\n"
                "C;Target:0;0&1;434c414d;0(>>5#hb3#=0x123)\n",
                bc, sizeof bc - 1, "A.UNOFFICIAL,C.UNOFFICIAL",
                "byte compare at the trigger's last match");
    expect_scan("A;Engine:51-255,Target:0,FileSize:1-10;0;414243\nB;Engine:51-255,Target:0,FileSize:11-99;0;414243\n",
                BIN "ABC", 11, "B.UNOFFICIAL", "FileSize");
    expect_scan("A;Engine:51-255,Target:1,IconGroup1:x;0;4d5a\n"
                "B;Engine:51-255,Target:0,HandlerType:CL_TYPE_MSEXE;0;414243\n"
                "C;Engine:51-255,Target:0,Container:CL_TYPE_ANY;0;414243\n"
                "D;Engine:51-255,Target:0,Container:CL_TYPE_ZIP;0;414243\n",
                BIN "ABC", 11, "B.UNOFFICIAL,C.UNOFFICIAL",
                "IconGroup never reported, HandlerType reported; Container top level only");
    expect_scan("A;Target:1;0;414243\nB;Target:0;0;414243\n", BIN "ABC", 11, "B.UNOFFICIAL",
                "a PE signature does not fire on data");
}

int main(void)
{
    expression_tests();
    loader_tests();
    scan_tests();
    return tap_done();
}
