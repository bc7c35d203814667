/* tests/unit/test_matcher.c - body patterns end to end through the engine
 * API (load .ndb text, compile, scan memory): matches at the start and the
 * end of a buffer, offsets, all-match reporting, ClamAV's behaviour at the
 * end of a buffer, and pathological databases that must stay fast.
 * Every buffer is an exact-size heap copy, so ASan sees any over-read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "vigil/vigil.h"

static vg_engine *build(const char *ndb)
{
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK)
        return NULL;
    if (vg_engine_load_mem(e, "t.ndb", ndb, strlen(ndb), 1) != VG_OK ||
        vg_engine_compile(e) != VG_OK) {
        fprintf(stderr, "# build: %s\n", vg_engine_error(e));
        vg_engine_free(e);
        return NULL;
    }
    return e;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names found (all-match), sorted, joined by ','; "ERROR" when the scan
 * fails. */
static const char *scan_n(vg_engine *e, const void *data, size_t len)
{
    static char out[4096];
    out[0] = 0;
    if (!e)
        return "NOENGINE";
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return "ERROR";
    memcpy(copy, data, len);
    vg_scan_opts o;
    vg_scan_opts_default(&o);
    o.flags |= VG_SCAN_ALLMATCH | VG_SCAN_NO_UNPACK;
    vg_result *r;
    vg_status st = vg_scan_mem(e, copy, len, &o, &r);
    free(copy);
    if (st != VG_OK)
        return "ERROR";
    size_t n = vg_result_count(r);
    const char **names = malloc((n ? n : 1) * sizeof *names);
    for (size_t i = 0; names && i < n; i++)
        names[i] = vg_result_get(r, i)->name;
    if (names)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; names && i < n; i++) {
        if (i)
            strncat(out, ",", sizeof out - strlen(out) - 1);
        strncat(out, names[i], sizeof out - strlen(out) - 1);
    }
    free(names);
    vg_result_free(r);
    return out;
}


/* binary framing, so that no text normalisation pass gets involved */
static char buf[1024];
static size_t blen;
static void frame(const char *mid, size_t n)
{
    static const char pre[] = "\xde\xad\xbe\xef\x00\x00";
    memcpy(buf, pre, 6);
    memcpy(buf + 6, mid, n);
    blen = 6 + n;
}

static void expect(vg_engine *e, const void *d, size_t n, const char *want, const char *what)
{
    const char *got = scan_n(e, d, n);
    TAP_OK(strcmp(got, want) == 0, "%s: [%s] (want [%s])", what, got, want);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
    /* ---- start and end of the buffer ---- */
    vg_engine *e = build("Start:0:0:48454c4c4f\n"
                         "End:0:EOF-5:574f524c44\n"
                         "Any:0:*:4c4c4f2d57\n"
                         "Lead:0:*:??48454c4c4f\n"
                         "Trail:0:*:574f524c44??\n");
    TAP_OK(e != NULL, "engine with offset signatures compiles");
    expect(e, "HELLO-WORLD", 11, "Any,End,Start", "whole buffer: start, end and middle");
    expect(e, "xHELLO-WORLDx", 13, "Any,Lead,Trail", "one byte more on each side");
    expect(e, "HELLO", 5, "Start", "start only");
    expect(e, "WORLD", 5, "End", "end only");
    expect(e, "HELL", 4, "", "a pattern longer than the buffer");
    expect(e, "", 0, "", "empty buffer");
    vg_engine_free(e);

    /* ---- offsets ---- */
    e = build("Abs:0:3:414243\n"
              "AbsNo:0:2:414243\n"
              "Shift:0:0,3:414243\n"
              "ShiftNo:0:0,2:414243\n"
              "Eof:0:EOF-7:414243\n"
              "EofNo:0:EOF-6:414243\n"
              "EofShift:0:EOF-8,1:414243\n"
              "Far:0:100:414243\n"
              "Multi:0:3:4142*4647\n"
              "MultiNo:0:4:4142*4647\n");
    expect(e, "xyzABCDEFG", 10, "Abs,Eof,EofShift,Multi,Shift", "offsets n, n,m, EOF-n, EOF-n,m");
    vg_engine_free(e);

    /* ---- all-match: each signature once, however often it occurs ---- */
    e = build("A:0:*:414243\n"
              "B:0:*:4142??44\n"
              "C2:0:*:4142*4344\n"
              "D:0:*:(B)616263(B)\n");
    frame("ABCD ABCD ABCD abc abc ABCD", 27);
    expect(e, buf, blen, "A,B,C2,D", "all-match lists every signature once");
    vg_scan_opts o;
    vg_scan_opts_default(&o);
    vg_result *r = NULL;
    vg_status st = vg_scan_mem(e, buf, blen, &o, &r);
    TAP_OK(st == VG_OK && r && vg_result_count(r) == 1, "first-match stops at one detection");
    vg_result_free(r);
    vg_engine_free(e);

    /* ---- every syntax element finds its match and nothing else ---- */
    e = build("Alt:0:*:4341542d(41|42)2e\n"
              "NegAlt:0:*:4341542d!(41|42)2e\n"
              "Multi:0:*:4341542d(4142|5859)2e\n"
              "NegMulti:0:*:4341542d!(4142|5859)2e\n"
              "Generic:0:*:4341542d(43|5859|515151)2e\n"
              "Nested:0:*:4341542d(41(42|43)|44)2e\n"
              "Empty:0:*:4341542d(41|)2e\n"
              "Range:0:*:58[1-2]595a5a\n"
              "Gap:0:*:4142{2-3}4344\n");
    frame("CAT-A.", 6);
    expect(e, buf, blen, "Alt,Empty", "CAT-A.");
    frame("CAT-XY.", 7);
    expect(e, buf, blen, "Generic,Multi", "CAT-XY.");
    frame("CAT-AC.", 7);
    expect(e, buf, blen, "NegMulti,Nested", "CAT-AC.");
    frame("CAT-.", 5);
    expect(e, buf, blen, "Empty", "CAT-.");
    frame("X12YZZ", 6);
    expect(e, buf, blen, "Range", "X12YZZ");
    frame("X123YZZ", 7);
    expect(e, buf, blen, "", "X123YZZ");
    frame("AB12CD", 6);
    expect(e, buf, blen, "Gap", "AB12CD");
    frame("AB1CD", 5);
    expect(e, buf, blen, "", "AB1CD");
    vg_engine_free(e);

    /* ---- every syntax element at the very start and the very end ----
     * Each matching text M and non-matching text N is scanned as the first
     * bytes of a buffer (then "\n" + binary tail) and as its last bytes
     * (binary head + "\n" first). All 19 signatures are loaded together,
     * so each expected set also says which other elements match there. The
     * sets are clamscan 1.4.6's answers on the same bytes (--allmatch, each
     * name once); tests/e2e/diff_patterns.sh compares more such files live. */
    static const char *const el_db =
        "Q2:0:*:48454c4c4f??574f524c44\n"
        "NibH:0:*:48454c4c4f2?574f524c44\n"
        "NibL:0:*:48454c4c4f?d574f524c44\n"
        "Star:0:*:4142*4344\n"
        "JmpN:0:*:4142{2}4344\n"
        "JmpMax:0:*:4142{-2}4344\n"
        "JmpMin:0:*:4142{2-}4344\n"
        "JmpRange:0:*:4142{1-2}4344\n"
        "Range:0:*:58[1-2]595a5a\n"
        "Alt:0:*:4341542d(41|42)2e\n"
        "AltMulti:0:*:4341542d(4142|5859)2e\n"
        "AltLen:0:*:4341542d(43|5859|515151)2e\n"
        "NegAlt:0:*:4341542d!(41|42)2e\n"
        "NegMulti:0:*:4341542d!(4142|5859)2e\n"
        "B:0:*:(B)6576696c(B)\n"
        "L:0:*:(L)6576696c(L)\n"
        "W:0:*:(W)6576696c(W)\n"
        "NegB:0:*:6576696c!(B)\n"
        "MidB:0:*:48454c4c4f(B)574f524c44\n";
    static const struct {
        const char *m, *n;                     /* matching, not matching */
        const char *m0, *m1, *n0, *n1;         /* found: at start, at end */
    } el[] = {
        {"HELLO-WORLD", "HELLO--WORLD", "MidB,NibH,NibL,Q2", "MidB,NibH,NibL,Q2", "", ""},
        {"HELLO-WORLD", "HELLO]WORLD", "MidB,NibH,NibL,Q2", "MidB,NibH,NibL,Q2", "NibL,Q2", "NibL,Q2"},
        {"HELLO-WORLD", "HELLO.WORLD", "MidB,NibH,NibL,Q2", "MidB,NibH,NibL,Q2", "MidB,NibH,Q2",
         "MidB,NibH,Q2"},
        {"AB12345CD", "CDAB", "JmpMin,Star", "JmpMin,Star", "", ""},
        {"AB12CD", "AB1CD", "JmpMax,JmpMin,JmpN,JmpRange,Star", "JmpMax,JmpMin,JmpN,JmpRange,Star",
         "JmpMax,JmpRange,Star", "JmpMax,JmpRange,Star"},
        {"AB1CD", "AB123CD", "JmpMax,JmpRange,Star", "JmpMax,JmpRange,Star", "JmpMin,Star",
         "JmpMin,Star"},
        {"AB123CD", "AB1CD", "JmpMin,Star", "JmpMin,Star", "JmpMax,JmpRange,Star",
         "JmpMax,JmpRange,Star"},
        {"AB12CD", "AB123CD", "JmpMax,JmpMin,JmpN,JmpRange,Star", "JmpMax,JmpMin,JmpN,JmpRange,Star",
         "JmpMin,Star", "JmpMin,Star"},
        {"X12YZZ", "X123YZZ", "Range", "Range", "", ""},
        {"CAT-B.", "CAT-C.", "Alt", "Alt", "AltLen,NegAlt", "AltLen,NegAlt"},
        {"CAT-XY.", "CAT-XZ.", "AltLen,AltMulti", "AltLen,AltMulti", "NegMulti", "NegMulti"},
        {"CAT-QQQ.", "CAT-QQ.", "AltLen", "AltLen", "NegMulti", "NegMulti"},
        {"CAT-C.", "CAT-A.", "AltLen,NegAlt", "AltLen,NegAlt", "Alt", "Alt"},
        {"CAT-XZ.", "CAT-XY.", "NegMulti", "NegMulti", "AltLen,AltMulti", "AltLen,AltMulti"},
        {"evil", "xevil", "B,L,W", "L,W", "", ""},
        {"evil", "evilx", "B,L,W", "L,W", "NegB", "NegB"},
        {"evils", "evil", "NegB", "NegB", "B,L,W", "L,W"},
        {"HELLO WORLD", "HELLOxWORLD", "MidB,NibH,Q2", "MidB,NibH,Q2", "Q2", "Q2"},
    };
    static const char el_head[] = "\xde\xad\xbe\xef\x00\x00\n";
    static const char el_tail[] = "\n\xde\xad\xbe\xef\x00\x00";
    e = build(el_db);
    TAP_OK(e != NULL, "19 signatures, one per syntax element, compile together");
    for (size_t i = 0; e && i < sizeof el / sizeof el[0]; i++) {
        for (int which = 0; which < 2; which++) {
            const char *t = which ? el[i].n : el[i].m;
            size_t tl = strlen(t);
            memcpy(buf, t, tl); /* at the start */
            memcpy(buf + tl, el_tail, sizeof el_tail - 1);
            char what[128];
            snprintf(what, sizeof what, "'%s' at the start", t);
            expect(e, buf, tl + sizeof el_tail - 1, which ? el[i].n0 : el[i].m0, what);
            memcpy(buf, el_head, sizeof el_head - 1); /* at the end */
            memcpy(buf + sizeof el_head - 1, t, tl);
            snprintf(what, sizeof what, "'%s' at the end", t);
            expect(e, buf, sizeof el_head - 1 + tl, which ? el[i].n1 : el[i].m1, what);
        }
    }
    vg_engine_free(e);

    /* ---- (B) (L) (W) ---- */
    e = build("B:0:*:(B)6576696c(B)\n"
              "L:0:*:(L)6576696c(L)\n"
              "W:0:*:(W)6576696c(W)\n"
              "MidL:0:*:48454c4c4f(L)574f524c44\n");
    expect(e, "evil", 4, "B,L,W", "anchors at both buffer edges");
    frame(" evil ", 6);
    expect(e, buf, blen, "B,W", "' evil '");
    frame("\r\nevil\r\n", 8);
    expect(e, buf, blen, "L,W", "CRLF evil CRLF");
    frame("aevilb", 6);
    expect(e, buf, blen, "", "aevilb");
    frame("HELLO\r\nWORLD", 12);
    expect(e, buf, blen, "MidL", "mid (L) takes CRLF");
    frame("HELLO\rWORLD", 11);
    expect(e, buf, blen, "", "mid (L) does not take a lone CR");
    vg_engine_free(e);

    /* ---- ClamAV at the end of a buffer: a tail after mid (B) is cut ---- */
    e = build("Cut:0:*:48454c4c4f(B)574f524c44\n");
    frame("HELLO WORL", 10);
    expect(e, buf, blen, "Cut", "HELLO(B)WORLD hits 'HELLO WORL' at the end, as in clamscan");
    frame("HELLO WOR", 9);
    expect(e, buf, blen, "", "but not 'HELLO WOR'");
    frame("HELLO WORLx", 11);
    expect(e, buf, blen, "", "and not away from the end");
    vg_engine_free(e);

    /* ---- a signature that never matches, and one dropped by FLEVEL ---- */
    e = build("Never:0:*:4142{5-3}4344\nNew:0:*:414243:300\nKept:0:*:414243:1:300\n");
    frame("AB1234CD ABC", 12);
    expect(e, buf, blen, "Kept", "{5-3} never matches; a MinFL 300 line is dropped");
    TAP_OK(vg_engine_sig_count(e) == 2, "dropped lines are not counted (%llu)",
           (unsigned long long)vg_engine_sig_count(e));
    vg_engine_free(e);

    /* ---- pathological: 2,000 patterns sharing 0000000000* over 1 MB of
     * zeros; must finish quickly (not timed strictly) ---- */
    size_t cap = 2000 * 40;
    char *db = malloc(cap);
    size_t dl = 0;
    srand(7);
    for (int i = 0; i < 2000 && db; i++)
        dl += (size_t)snprintf(db + dl, cap - dl, "P%d:0:*:0000000000*%02x%02x%02x\n", i,
                               1 + rand() % 255, 1 + rand() % 255, 1 + rand() % 255);
    double t0 = now();
    e = db ? build(db) : NULL;
    free(db);
    TAP_OK(e != NULL, "2,000 signatures 0000000000*<tail> compile (%.2f s)", now() - t0);
    size_t zn = 1u << 20;
    uint8_t *z = calloc(1, zn);
    t0 = now();
    const char *got = z && e ? scan_n(e, z, zn) : "ERROR";
    double dt = now() - t0;
    TAP_OK(strcmp(got, "") == 0, "1 MB of zeros scans clean (%.2f s)", dt);
    TAP_OK(dt < 30, "and in reasonable time");
    if (z && e) {
        memcpy(z + zn - 3, "\x01\x02\x03", 3);
        got = scan_n(e, z, zn);
        TAP_OK(strlen(got) < 64, "a tail at the very end finds at most the matching ones [%.40s]", got);
    }
    vg_engine_free(e);

    /* a frequent window with a jump that never completes */
    e = build("J:0:*:414141414141*42424242\nK:0:*:41414141{-8}4343\n");
    memset(z, 'A', zn);
    t0 = now();
    got = z && e ? scan_n(e, z, zn) : "ERROR";
    dt = now() - t0;
    TAP_OK(strcmp(got, "") == 0 && dt < 30, "1 MB of 'A' against A..*B.. (%.2f s)", dt);
    memcpy(z + zn - 4, "BBBB", 4);
    TAP_OK(strcmp(scan_n(e, z, zn), "J") == 0, "and the jump completes at the very end");
    vg_engine_free(e);
    free(z);

    return tap_done();
}
