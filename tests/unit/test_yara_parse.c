/* tests/unit/test_yara_parse.c - the YARA parser and evaluator through the
 * engine API: what compiles, the "file:line: message" of what does not,
 * all-or-nothing loads, and verdicts of conditions on small buffers. */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "vigil/vigil.h"

static vg_status load(const char *text, char *err, size_t errlen, vg_engine **out)
{
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK)
        return VG_ENOMEM;
    vg_engine_define(e, "ext_n", "42");
    vg_status st = vg_engine_load_mem(e, "t.yar", text, strlen(text), 0);
    if (st == VG_OK)
        st = vg_engine_compile(e);
    snprintf(err, errlen, "%s", vg_engine_error(e));
    if (st != VG_OK || !out)
        vg_engine_free(e);
    else
        *out = e;
    return st;
}

static void refused(const char *text, const char *msg)
{
    char err[1024];
    vg_status st = load(text, err, sizeof err, NULL);
    TAP_OK(st == VG_EFORMAT && strstr(err, msg) && !strncmp(err, "t.yar:", 6),
           "refused with \"%s\" (got: %s)", msg, err);
}

/* Rule `a` in text matches data? -1 on load failure. */
static int verdict(const char *text, const char *data)
{
    char err[1024];
    vg_engine *e;
    if (load(text, err, sizeof err, &e) != VG_OK)
        return -1;
    vg_result *r;
    vg_scan_opts o;
    vg_scan_opts_default(&o);
    o.flags |= VG_SCAN_ALLMATCH;
    int hit = -1;
    if (vg_scan_mem(e, data, strlen(data), &o, &r) == VG_OK) {
        hit = 0;
        for (size_t i = 0; i < vg_result_count(r); i++)
            if (!strcmp(vg_result_get(r, i)->name, "a"))
                hit = 1;
        vg_result_free(r);
    }
    vg_engine_free(e);
    return hit;
}

int main(void)
{
    char err[1024];
    TAP_OK(load("rule a { condition: true }", err, sizeof err, NULL) == VG_OK,
           "a minimal rule compiles");
    refused("rule a { condition: true }\nrule a { condition: true }", "t.yar:2: duplicated identifier \"a\"");
    refused("rule a {\n strings: $a = \"x\"\n $b = \"y\"\n condition: $a }", "unreferenced string \"$b\"");
    refused("rule a { strings: $a = \"x\" $a = \"y\" condition: all of them }", "duplicated string identifier");
    refused("rule a : t t { condition: true }", "duplicated tag identifier \"t\"");
    refused("rule a { condition: $x }", "undefined string identifier \"$x\"");
    refused("rule a { condition: nosuch }", "undefined identifier \"nosuch\"");
    refused("import \"nosuch\"\nrule a { condition: true }", "t.yar:1: unknown module \"nosuch\"");
    refused("rule a { condition: }", "syntax error");
    refused("rule a { strings: $a = \"x\" xor nocase condition: $a }", "invalid modifier combination");
    refused("rule a { strings: $a = \"x\" wide wide condition: $a }", "duplicated modifier");
    refused("rule a { strings: $a = { 41 [2] } condition: $a }", "syntax error");
    refused("rule a { strings: $a = { 41 [5-2] 42 } condition: $a }", "invalid jump length");
    refused("rule a { condition: 1 \\ 0 == 1 }", "division by zero");
    refused("rule a { condition: 9223372036854775807 + 1 > 0 }", "integer overflow");
    refused("rule a { condition: true == true }", "syntax error");
    refused("rule a { strings: $a = \"\\q\" condition: $a }", "illegal escape sequence");
    refused("rule a { strings: $a = \"x\" condition: $ }", "outside of a for..of");

    /* a bad file leaves the engine as it was */
    vg_engine *e;
    vg_engine_new(&e);
    const char *good = "rule g { condition: true }";
    const char *bad = "rule h { condition: true } rule h { condition: true }";
    TAP_OK(vg_engine_load_mem(e, "g.yar", good, strlen(good), 0) == VG_OK &&
               vg_engine_load_mem(e, "b.yar", bad, strlen(bad), 0) == VG_EFORMAT &&
               vg_engine_sig_count(e) == 1 && vg_engine_compile(e) == VG_OK,
           "a refused .yar is rolled back whole (1 rule left)");
    vg_engine_free(e);

    TAP_OK(verdict("rule a { strings: $a = \"lo\" condition: #a == 2 and @a[2] == 9 and !a[1] == 2 }",
                   "hello hello") == 1, "#a, @a[i], !a[i]");
    TAP_OK(verdict("rule a { condition: not (uint32(100) == 0) }", "abc") == 0,
           "undefined out-of-range read: not undefined is false");
    TAP_OK(verdict("rule a { condition: uint32(100) == 0 or filesize == 3 }", "abc") == 1,
           "undefined or true is true");
    TAP_OK(verdict("rule a { condition: ext_n * 2 == 84 }", "x") == 1, "external integer");
    TAP_OK(verdict("rule a { strings: $a = \"word\" fullword condition: #a == 1 }", "words word") == 1,
           "fullword");
    TAP_OK(verdict("private rule p { condition: true } rule a { condition: p }", "x") == 1,
           "reference to a private rule");
    TAP_OK(verdict("global rule g { condition: filesize > 10 } rule a { condition: true }", "x") == 0,
           "a false global rule disables the others");
    TAP_OK(verdict("rule a { strings: $a = { 41 [0-4] 42 } condition: !a == 3 }", "AxBxB") == 1,
           "hex jumps take the shortest match, as yara");
    TAP_OK(verdict("rule a { strings: $a = \"key\" xor(1-3) condition: $a }", "\x6a\x64\x78") == 1,
           "xor range");
    TAP_OK(verdict("import \"hash\" rule a { condition: hash.md5(0, filesize) == \"900150983cd24fb0d6963f7d28e17f72\" }",
                   "abc") == 1, "hash.md5 over the object");
    TAP_OK(verdict("import \"math\" rule a { condition: math.entropy(0, filesize) == 0.0 }", "aaaa") == 1,
           "math.entropy");
    TAP_OK(verdict("rule a { condition: for all i in (1..3) : (i < 4) and for 2 i in (1, 5, 6) : (i > 4) }",
                   "x") == 1, "for..in over a range and a set");
    return tap_done();
}
