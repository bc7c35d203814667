/* tests/unit/test_pattern.c - the hex pattern parser (match/pattern.c).
 *
 * Each syntax element parses to the nodes pattern.h describes, and every
 * form ClamAV 1.4's loader refuses is VG_EFORMAT with a message. The
 * accept/refuse cases mirror tests/e2e/patterns/loader.txt, which checks
 * them against clamscan itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/pattern.h"
#include "tap.h"

static vgp_pattern pat;
static char err[512];

static vg_status parse_t(const char *hex, int target)
{
    vgp_free(&pat);
    vgp_opts o = {(uint8_t)target, 0};
    err[0] = 0;
    return vgp_parse_opts(hex, strlen(hex), &o, &pat, err, sizeof err);
}

static vg_status parse(const char *hex) { return parse_t(hex, 0); }

/* node kinds as a string: b=BYTE s=SET a=ALT g=GALT l=LINE e=EDGE c=CH j=GAP */
static const char *shape(void)
{
    static char s[4096];
    static const char k[] = "bsaglecj";
    uint32_t i;
    for (i = 0; i < pat.nnodes && i + 1 < sizeof s; i++)
        s[i] = k[pat.nodes[i].kind];
    s[i] = 0;
    return s;
}

static int is_byte(uint32_t i, uint8_t mask, uint8_t val)
{
    return i < pat.nnodes && pat.nodes[i].kind == VGP_BYTE && pat.nodes[i].mask == mask &&
           pat.nodes[i].val == val;
}

static int set_has(uint32_t i, unsigned b)
{
    const vgp_node *n = &pat.nodes[i];
    return (pat.pool[n->pool + (b >> 3)] >> (b & 7)) & 1;
}

static unsigned set_count(uint32_t i)
{
    unsigned c = 0;
    for (unsigned b = 0; b < 256; b++)
        c += (unsigned)set_has(i, b);
    return c;
}

static int gap_is(uint32_t i, uint32_t a, uint32_t b)
{
    return i < pat.nnodes && pat.nodes[i].kind == VGP_GAP && pat.nodes[i].a == a &&
           pat.nodes[i].b == b;
}

static void good(const char *hex, const char *want_shape)
{
    vg_status st = parse(hex);
    TAP_OK(st == VG_OK && strcmp(shape(), want_shape) == 0, "'%s' parses to %s (got %s%s%s)", hex,
           want_shape, st == VG_OK ? shape() : "error: ", st == VG_OK ? "" : err, "");
}

static void bad_t(const char *hex, int target)
{
    vg_status st = parse_t(hex, target);
    TAP_OK(st == VG_EFORMAT && err[0], "target %d: '%s' is refused (%s)", target, hex,
           st == VG_EFORMAT ? err : "accepted");
}

static void bad(const char *hex) { bad_t(hex, 0); }

int main(void)
{
    /* ---- literals, nibbles, ?? ---- */
    good("414243", "bbb");
    TAP_OK(is_byte(0, 0xff, 0x41) && is_byte(2, 0xff, 0x43), "literal bytes");
    good("4142A?", "bbb");
    TAP_OK(is_byte(2, 0xf0, 0xa0), "a? fixes the high nibble");
    good("4142?a", "bbb");
    TAP_OK(is_byte(2, 0x0f, 0x0a), "?a fixes the low nibble");
    good("41??4243", "bbbb");
    TAP_OK(is_byte(1, 0, 0), "?? is any byte");
    TAP_OK(pat.nodes[2].flags & VGP_F_ANCHOR, "ClamAV's anchor is the static run 4243");
    TAP_OK(pat.nodes[2].a == 2, "anchor carries the forward minimum length (2)");
    good("??4142", "bbb");
    good("4142??", "bbb");

    /* ---- jumps ---- */
    good("4142*4344", "bbjbb");
    TAP_OK(gap_is(2, 0, VGP_INF), "* is a jump of 0..inf");
    good("4142{3}4344", "bbbbbbb");
    TAP_OK(is_byte(2, 0, 0) && is_byte(4, 0, 0), "{3} becomes three ??");
    good("4142{-3}4344", "bbjbb");
    TAP_OK(gap_is(2, 0, 3), "{-3} is 0..3");
    good("4142{3-}4344", "bbjbb");
    TAP_OK(gap_is(2, 3, VGP_INF), "{3-} is 3..inf");
    good("4142{1-3}4344", "bbjbb");
    TAP_OK(gap_is(2, 1, 3), "{1-3} is 1..3");
    good("4142{200}4344", "bbjbb");
    TAP_OK(gap_is(2, 200, 200), "{200} (>= 128) is a jump of exactly 200");
    good("4142{0}4344", "bbjbb");
    TAP_OK(gap_is(2, 0, VGP_INF), "{0}: ClamAV reads a maximum of 0 as none");
    good("4142{}4344", "bbjbb");
    TAP_OK(gap_is(2, 0, VGP_INF), "{} is {0}");
    good("4142{5-3}4344", "bbjbb");
    TAP_OK(gap_is(2, VGP_NEVER, VGP_NEVER), "{5-3} loads but can never match");
    good("4142{1-3}4344{5}4546", "bbjbbjbb");
    TAP_OK(gap_is(5, 5, 5), "after a ranged jump, {5} is a jump too, not ?? x5");
    good("4142{2}43{1-3}4445", "bbbbbjbb");
    good("4142{ 3}4344", "bbbbbbb");
    good("4142{+1}4344", "bbbbb");
    good("4142*4344*4546", "bbjbbjbb");

    /* ---- [n-m] ---- */
    good("58[1-2]595a5a", "cbbb");
    TAP_OK(pat.nodes[0].side == 0 && pat.nodes[0].val == 0x58 && pat.nodes[0].a == 1 &&
               pat.nodes[0].b == 2,
           "58[1-2] is a zero-width test 1..2 bytes before the part");
    good("595a[1-2]5a", "bbc");
    TAP_OK(pat.nodes[2].side == 1 && pat.nodes[2].val == 0x5a, "[1-2]5a tests after the part");
    good("58[1-2]595a5a[1-2]5a", "cbbbc");
    good("58[2]595a5a", "cbbb");
    TAP_OK(pat.nodes[0].a == 2 && pat.nodes[0].b == 2, "[2] is [2-2]");
    good("58[1-]595a5a", "cbbb");
    TAP_OK(pat.nodes[0].a == 1 && pat.nodes[0].b == 1, "[1-] is [1-1] (sscanf)");
    good("595a5a[0-2]??", "bbb");
    good("5?[1-2]595a5a", "bbb");
    good("?8[1-2]595a5a", "cbbb");
    TAP_OK(pat.nodes[0].mask == 0x0f, "?8 next to [n-m] is tested (a? is not, as in ClamAV)");
    good("4142[1-32]43", "bbc");

    /* ---- groups ---- */
    good("4142(43|44)", "bbs");
    TAP_OK(set_count(2) == 2 && set_has(2, 0x43) && set_has(2, 0x44), "(43|44) is a 2-byte set");
    good("4142!(43|44)", "bbs");
    TAP_OK(set_count(2) == 254 && !set_has(2, 0x43), "!(43|44) is the other 254 bytes");
    good("4142(43)", "bbs");
    TAP_OK(set_count(2) == 1, "(43) is one byte");
    good("4142(4344|4546)", "bba");
    TAP_OK(pat.nodes[2].a == 2 && pat.nodes[2].b == 2 && !pat.nodes[2].neg, "(4344|4546): 2 strings of 2");
    good("4142!(4344|4546)", "bba");
    TAP_OK(pat.nodes[2].neg, "!(4344|4546) is negated");
    good("4142(4344)", "bba");
    good("4142(43|4445)", "bbg");
    TAP_OK(pat.nodes[2].a == 2, "(43|4445) is generic, 2 strings");
    good("4142(43|)", "bbg");
    good("4142(43||44)", "bbg");
    good("4142((43|44)|45)", "bbs");
    TAP_OK(set_count(2) == 3, "((43|44)|45) expands to 3 bytes");
    good("4142(43(44|45)|46)", "bbg");
    TAP_OK(pat.nodes[2].a == 3, "43(44|45)|46 expands to 3 strings");
    good("4142((43|44)(45|46))", "bba");
    TAP_OK(pat.nodes[2].a == 4 && pat.nodes[2].b == 2, "(43|44)(45|46) expands to 4 strings of 2");
    good("4142(4?|5?)", "bbs");
    TAP_OK(set_count(2) == 32, "(4?|5?) is the 32 bytes 40-5f");
    good("4142(43|58{2}59)", "bbg");
    good("(41|42)434445", "sbbb");
    good("(4142|4344)454647", "abbb");
    good("4142(((((((((((((((41|42)))))))))))))))", "bbs");

    /* ---- (B) (L) (W) ---- */
    good("(B)414243(B)", "ebbbe");
    TAP_OK(pat.nodes[0].side == 0 && pat.nodes[4].side == 1 && pat.nodes[0].edge == VGP_EDGE_B,
           "(B) at the start tests before, at the end after");
    good("(L)414243", "ebbb");
    TAP_OK(pat.nodes[0].edge == VGP_EDGE_L, "(L) edge");
    good("414243(W)", "bbbe");
    TAP_OK(pat.nodes[3].edge == VGP_EDGE_W, "(W) edge");
    good("414243!(B)", "bbbe");
    TAP_OK(pat.nodes[3].neg && pat.nodes[3].side == 1, "!(B) at the end is a negated edge");
    good("4142(B)4344", "bbsbb");
    TAP_OK(set_has(2, ' ') && set_has(2, '\n') && set_has(2, '.') && !set_has(2, 'a') &&
               (pat.nodes[2].flags & VGP_F_ZERO),
           "mid-pattern (B) consumes one boundary byte");
    good("4142(W)4344", "bbsbb");
    TAP_OK(set_has(2, '-') && !set_has(2, 'z') && !set_has(2, '5'), "mid (W): non-alphanumeric");
    good("4142!(W)4344", "bbsbb");
    TAP_OK(set_has(2, 'z') && !set_has(2, '-'), "mid !(W): alphanumeric");
    good("414243(L)4445", "bbblbb");
    TAP_OK(pat.nodes[3].side == 0, "mid (L) after the anchor: forward rule");
    good("4142(L)4344", "bblbb");
    TAP_OK(pat.nodes[2].side == 1 && (pat.nodes[3].flags & VGP_F_ANCHOR),
           "4142(L)4344: ClamAV anchors on the later run of two, so (L) is checked backwards");
    good("41?\?(L)424344", "bblbbb");
    TAP_OK(pat.nodes[2].side == 1, "(L) before ClamAV's anchor: backward rule");
    good("414243(B)(B)", "bbbse");
    good("(B)(B)414243", "esbbb");
    good("4142(B)*(B)4344", "bbejebb");
    good("58[1-2](B)595a5a", "cebbb");
    good("4142(B)43", "bbsb");
    good("41?\?(B)4243", "bbsbb");

    /* ---- refused: the loader limits of reference §4 ---- */
    bad("4142*43");
    bad("41*42");
    bad("41??42");
    bad("41{3}42");
    bad("4142");
    bad("*41424344");
    bad("41424344*");
    bad("41[1-40]424344");
    bad("4142[1-2]4344");
    bad("(4142|4344)");
    bad("41(42|43)");
    /* and the rest of what ClamAV refuses */
    bad("");
    bad("41424");
    bad("4142zz");
    bad("4142(41|42");
    bad("4142{3");
    bad("41[1-2");
    bad("4142!41");
    bad("4142!(41|4243)");
    bad("4142!(4?)4344");
    bad("4142!((41|42))4344");
    bad("4142(!(41|42)|43)4344");
    bad("(B)");
    bad("(B)(B)");
    bad("41(B)");
    bad("4142(X)4344");
    bad("4142(b)4344");
    bad("4142()");
    bad("4142(|41)");
    bad("4142(|)");
    bad("4142(43|4)");
    bad("4142(414|4243)");
    bad("4142(43|58*59)");
    bad("4142(43|58{200}59)");
    bad("4142{3 }4344");
    bad("4142{3-4-5}4344");
    bad("4142{2147483648}4344");
    bad("4142**4344");
    bad("4142[1-2]*4344");
    bad("41[1-2]42");
    bad("41[1-2]4243[1-2]4445");
    bad("4142[2-1]4344");
    bad("4142[1-33]43");
    bad("4142[-2]43");
    bad("4142[]43");
    bad("(41|42)[1-2]4344");
    bad("4142[1-2](41|42)");
    bad("4142[1-2](B)");
    bad("4142(((((((((((((((((41|42)))))))))))))))))4344");
    bad("4142((41|42)(43|44)(45|46)(47|48)(49|4a)(4b|4c)(4d|4e)(4f|50)(51|52)(53|54)(55|56)"
        "(57|58)(59|5a)(5b|5c)(5d|5e)(5f|60)|00)");
    bad("41{128}4243");
    bad("4142{200}");
    bad("{-5}41424344");
    bad("41{3-}424344");
    /* ClamAV's prefilter on targets 0, 1, 4 and 7 */
    bad("41(B)4243");
    bad("41(4142|4344)4546");
    bad("?\?(4142|4344)454647");
    bad("???\?(4142|4344)4546");
    bad("(41|42)(4142|4344)454647");
    bad_t("41(B)4243", 4);
    TAP_OK(parse_t("41(B)4243", 6) == VG_OK, "41(B)4243 loads on target 6 (no prefilter there)");
    TAP_OK(parse_t("???\?(4142|4344)4546", 2) == VG_OK, "???\?(4142|4344)4546 loads on target 2");
    /* plain patterns: Boyer-Moore (>= 3 bytes) on targets 0 and 1 only */
    TAP_OK(parse_t("4142", 6) == VG_OK, "4142 loads on target 6 (Aho-Corasick only)");
    bad_t("4142", 1);
    vgp_opts ac = {1, 1};
    vgp_free(&pat);
    TAP_OK(vgp_parse_opts("4142", 4, &ac, &pat, err, sizeof err) == VG_OK,
           "4142 loads on target 1 when the offset sends it to Aho-Corasick");
    bad_t("41", 6);

    /* text with a NUL, or far too long, is refused */
    vgp_free(&pat);
    TAP_OK(vgp_parse("41\0" "4243", 6, &pat, err, sizeof err) == VG_EFORMAT, "NUL in the text");
    size_t big = VGP_MAX_TEXT + 2;
    char *huge = malloc(big);
    if (huge) {
        memset(huge, 'a', big);
        TAP_OK(vgp_parse(huge, big, &pat, err, sizeof err) == VG_EFORMAT, "too long a text");
        free(huge);
    }

    /* the edge tests */
    static const uint8_t d[] = " evil\r\nx";
    vgp_node e = {0};
    e.kind = VGP_EDGE;
    e.edge = VGP_EDGE_B;
    e.side = 0;
    TAP_OK(vgp_edge_at(&e, d, 8, 1) && vgp_edge_at(&e, d, 8, 0), "(B) before: space, file start");
    e.side = 1;
    TAP_OK(vgp_edge_at(&e, d, 8, 5) && vgp_edge_at(&e, d, 8, 8), "(B) after: CR, file end");
    TAP_OK(!vgp_edge_at(&e, d, 8, 1), "(B) after: not 'e'");
    e.edge = VGP_EDGE_L;
    TAP_OK(vgp_edge_at(&e, d, 8, 5), "(L) after: CRLF");
    static const uint8_t d2[] = "evil\rx";
    TAP_OK(!vgp_edge_at(&e, d2, 6, 4), "(L) after: a lone CR is not a line end");
    e.neg = 1;
    TAP_OK(vgp_edge_at(&e, d2, 6, 4), "!(L) after: a lone CR");
    TAP_OK(vgp_boundary_class('.') == 1 && vgp_boundary_class('=') == 2 &&
               vgp_boundary_class(' ') == 3 && vgp_boundary_class('a') == 0,
           "ClamAV's (B) byte classes");

    vgp_free(&pat);
    vgp_free(NULL);
    return tap_done();
}
