/* tests/unit/test_yara_sdb.c - the YARA strings database a .vdb carries:
 * a rule set compiled from the same texts takes it instead of compiling
 * (and finds the same matches), a different rule set or a damaged copy
 * does not, and a portable build gives the same bytes twice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "yara/yara_int.h"

static const char *RULES =
    "rule hexjump { strings: $a = { 4D 5A [2-8] 50 45 ( 00 | 4C ) } condition: $a }\n"
    "rule text { strings: $a = \"needle\" nocase wide ascii condition: #a == 2 }\n"
    "rule re { strings: $a = /ab+c[0-9]{2}/ condition: $a }\n";

static vgy_rules *compile(const char *text, const vgy_sdb *cache, int portable)
{
    vgy_rules *rs;
    char err[256];
    if (vgy_rules_new(&rs) != VG_OK)
        return NULL;
    vgy_rules_set_portable(rs, portable);
    if (cache)
        vgy_rules_use_strings_db(rs, cache);
    if (vgy_rules_add(rs, "t.yar", text, strlen(text), err, sizeof err) != VG_OK ||
        vgy_rules_compile(rs, err, sizeof err) != VG_OK) {
        vgy_rules_free(rs);
        return NULL;
    }
    return rs;
}

static int on_rule(void *user, const char *rule)
{
    char *out = user;
    strcat(out, rule);
    strcat(out, " ");
    return 0;
}

/* The rules that match `d`, space-separated. */
static void scan(vgy_rules *rs, const char *d, size_t n, char *out)
{
    vgy_scratch *s;
    out[0] = 0;
    if (vgy_scratch_new(rs, &s) != VG_OK)
        return;
    vgy_scan(rs, s, (const uint8_t *)d, n, on_rule, NULL, out);
    vgy_scratch_free(s);
}

int main(void)
{
    static const char data[] = "xxMZ\x01\x02\x03PE\x00 abbbc42 NeEdLe n\0e\0e\0d\0l\0e\0";
    size_t dlen = sizeof data - 1;
    char want[256], got[256];

    vgy_rules *a = compile(RULES, NULL, 1);
    TAP_OK(a != NULL, "portable build compiles");
    if (!a)
        return tap_done();
    scan(a, data, dlen, want);
    TAP_OK(!strcmp(want, "hexjump text re "), "portable build matches (%s)", want);

    uint8_t fp[32];
    char *blob = NULL;
    size_t len = 0;
    vg_status st = vgy_rules_strings_db(a, fp, &blob, &len);
    TAP_OK(st == VG_OK && blob && len > 0, "strings database serialized (%zu bytes)", len);

    vgy_rules *b = compile(RULES, NULL, 1);
    uint8_t fp2[32];
    char *blob2 = NULL;
    size_t len2 = 0;
    TAP_OK(b && vgy_rules_strings_db(b, fp2, &blob2, &len2) == VG_OK && len2 == len &&
               !memcmp(fp, fp2, 32) && !memcmp(blob, blob2, len),
           "a second portable build gives the same fingerprint and bytes");
    vgy_rules_free(b);
    free(blob2);

    vgy_sdb c;
    memcpy(c.fp, fp, 32);
    c.blob = blob;
    c.len = len;
    vgy_rules *d = compile(RULES, &c, 0);
    TAP_OK(d && vgy_rules_strings_cached(d), "same texts: the database is taken, not compiled");
    if (d) {
        scan(d, data, dlen, got);
        TAP_OK(!strcmp(got, want), "and it matches the same (%s)", got);
    }
    vgy_rules_free(d);

    static const char *other =
        "rule other { strings: $a = { 4D 5A [2-8] 50 45 ( 00 | 4C ) } condition: $a }\n"
        "rule more { strings: $a = \"haystack\" condition: $a }\n";
    vgy_rules *e = compile(other, &c, 0);
    TAP_OK(e && !vgy_rules_strings_cached(e), "other texts: compiled, the database is not used");
    if (e) {
        scan(e, data, dlen, got);
        TAP_OK(!strcmp(got, "other "), "and they match by their own strings (%s)", got);
    }
    vgy_rules_free(e);

    char *bad = malloc(len);
    if (bad) {
        memcpy(bad, blob, len);
        memset(bad + len / 2, 0xa5, len - len / 2);
        c.blob = bad;
        vgy_rules *f = compile(RULES, &c, 0);
        int ok = f != NULL;
        if (f) {
            scan(f, data, dlen, got);
            ok = !strcmp(got, want);
        }
        TAP_OK(ok, "a damaged copy with the right fingerprint: still the right matches (%s)",
               f ? got : "no rules");
        vgy_rules_free(f);
        free(bad);
    }
    free(blob);
    vgy_rules_free(a);
    return tap_done();
}
