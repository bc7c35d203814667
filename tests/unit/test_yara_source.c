/* tests/unit/test_yara_source.c - vgy_source_expand: a rule file with
 * (nested) includes becomes one text that compiles to the same rules
 * without the included files; includes inside strings, comments, hex
 * strings and regexes are left alone; a missing include is an error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "vigil/vigil.h"
#include "yara/yara_int.h"

static int rules_of(const char *name, const char *text, size_t len)
{
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK)
        return -1;
    int n = -1;
    if (vg_engine_load_mem(e, name, text, len, 0) == VG_OK && vg_engine_compile(e) == VG_OK)
        n = (int)vg_engine_sig_count(e);
    vg_engine_free(e);
    return n;
}

int main(void)
{
    char dir[] = "/tmp/vg_yarasrc.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char p[256], main_path[256];
    snprintf(p, sizeof p, "%s/sub", dir);
    mkdir(p, 0700);
    const char *inner = "rule inner { strings: $a = \"include \\\"x\\\"\" condition: $a }\n";
    const char *mid = "include \"inner.yar\"\nrule mid { condition: inner }\n";
    const char *top = "// include \"nope.yar\"\ninclude \"sub/mid.yar\"\n"
                      "rule top { strings: $h = { 41 /* include \"nope\" */ 42 } $r = /include \"x\"/\n"
                      "  condition: mid and ($h or $r) }\n";
    snprintf(p, sizeof p, "%s/sub/inner.yar", dir);
    tap_write_file(p, inner, strlen(inner));
    snprintf(p, sizeof p, "%s/sub/mid.yar", dir);
    tap_write_file(p, mid, strlen(mid));
    snprintf(main_path, sizeof main_path, "%s/top.yar", dir);
    tap_write_file(main_path, top, strlen(top));

    char *out = NULL, err[512];
    size_t n = 0;
    TAP_OK(vgy_source_expand(main_path, top, strlen(top), &out, &n, err, sizeof err) == VG_OK,
           "nested includes expand (%s)", err);
    TAP_OK(out && !strstr(out, "include \"sub/mid.yar\"") && !strstr(out, "include \"inner.yar\"") &&
               strstr(out, "rule inner") && strstr(out, "rule mid") &&
               strstr(out, "// include \"nope.yar\"") && strstr(out, "/include \"x\"/"),
           "include directives replaced; comments, strings and regexes kept");
    TAP_OK(rules_of(main_path, top, strlen(top)) == 3, "the original compiles to 3 rules");
    snprintf(p, sizeof p, "%s/sub/inner.yar", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/sub/mid.yar", dir);
    unlink(p);
    TAP_OK(out && rules_of("elsewhere.yar", out, n) == 3,
           "the expanded text compiles to the same 3 rules with the includes gone");
    free(out);
    out = NULL;
    TAP_OK(vgy_source_expand(main_path, top, strlen(top), &out, &n, err, sizeof err) == VG_EFORMAT &&
               strstr(err, "top.yar:2: can't open include file"),
           "a missing include is refused with file:line (%s)", err);
    free(out);
    const char *self = "include \"self.yar\"\n";
    snprintf(p, sizeof p, "%s/self.yar", dir);
    tap_write_file(p, self, strlen(self));
    out = NULL;
    TAP_OK(vgy_source_expand(p, self, strlen(self), &out, &n, err, sizeof err) == VG_EFORMAT &&
               strstr(err, "nested too deeply"), "an include loop stops at the depth limit");
    free(out);
    unlink(p);
    unlink(main_path);
    snprintf(p, sizeof p, "%s/sub", dir);
    rmdir(p);
    rmdir(dir);
    return tap_done();
}
