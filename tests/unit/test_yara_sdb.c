/* tests/unit/test_yara_sdb.c - YARA strings and ClamAV body patterns in
 * one Vectorscan database: an engine with both has one matcher holding
 * both id spaces (and the YARA side none of its own); a .vdb carries that
 * database with the fingerprint of the YARA expressions, and loading it
 * alone takes it as it is, while a .vdb loaded beside another .yar is
 * compiled again with the extra strings; two builds give the same file;
 * the detections are the same every way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/engine_int.h"
#include "db/vdb.h"
#include "tap.h"
#include "vigil/vigil.h"

static const char *RULES =
    "rule hexjump { strings: $a = { 4D 5A [2-8] 50 45 ( 00 | 4C ) } condition: $a }\n"
    "rule text { strings: $a = \"needle\" nocase wide ascii condition: #a == 2 }\n"
    "rule re { strings: $a = /ab+c[0-9]{2}/ condition: $a }\n"
    "rule nostr { condition: filesize > 10 and uint16(2) == 0x5a4d }\n";
static const char *NDB = "Test.Body.Needle:0:*:4e65456e4c65\n"
                         "Test.Body.Jump:0:*:4d5a{2-8}5045\n";
static const char *EXTRA = "rule extra { strings: $a = \"abbbc\" condition: $a }\n";
static const char data[] = "xxMZ\x01\x02\x03PE\x00 abbbc42 NeEnLe n\0e\0e\0d\0l\0e\0 needle";
static char dir[256];

static void put(const char *sub, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, sub);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/%s/%s", dir, sub, name);
    tap_write_file(p, text, strlen(text));
}

static vg_engine *load(const char *a, const char *b, int keep_src)
{
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK)
        return NULL;
    e->keep_src = keep_src;
    vg_status st = vg_engine_load(e, a);
    if (st == VG_OK && b)
        st = vg_engine_load(e, b);
    if (st == VG_OK)
        st = vg_engine_compile(e);
    if (st != VG_OK) {
        fprintf(stderr, "# %s\n", vg_engine_error(e));
        vg_engine_free(e);
        return NULL;
    }
    return e;
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/vigil-ysdb-%d", (int)getpid());
    mkdir(dir, 0700);
    put("src", "r.yar", RULES);
    put("src", "b.ndb", NDB);
    put("extra", "x.yar", EXTRA);
    char src[300], extra[300], v1[300], v2[300], want[512], got[512];
    snprintf(src, sizeof src, "%s/src", dir);
    snprintf(extra, sizeof extra, "%s/extra/x.yar", dir);
    snprintf(v1, sizeof v1, "%s/one.vdb", dir);
    snprintf(v2, sizeof v2, "%s/two.vdb", dir);

    vg_engine *es = load(src, NULL, 1);
    TAP_OK(es != NULL, "YARA rules and body signatures compile together");
    if (!es)
        return tap_done();
    TAP_OK(vgm_matcher_count(es->m) == 2 && vgm_matcher_foreign(es->m) >= 3,
           "one matcher holds the 2 body patterns and the YARA strings (%u foreign ids)",
           vgm_matcher_foreign(es->m));
    tap_scan_names(es, data, sizeof data - 1, want, sizeof want);
    TAP_OK(strstr(want, "Test.Body.Needle.UNOFFICIAL") && strstr(want, "Test.Body.Jump.UNOFFICIAL") &&
               strstr(want, "hexjump") && strstr(want, "text") && strstr(want, ",re,") &&
               strstr(want, "nostr") && !strstr(want, "extra"),
           "the one pass finds both kinds (%s)", want);
    char want_all[512];
    snprintf(want_all, sizeof want_all, "%s", want);
    TAP_OK(vgdb_vdb_write(es, v1, 7) == VG_OK, ".vdb written");
    vg_engine *es2 = load(src, NULL, 1);
    TAP_OK(es2 && vgdb_vdb_write(es2, v2, 7) == VG_OK && tap_same_file(v1, v2),
           "a second build writes the same bytes");
    vg_engine_free(es2);

    vg_engine *ev = load(v1, NULL, 0);
    TAP_OK(ev && ev->mapped && !ev->vdb_rebuilt,
           "the .vdb alone: its database is used, nothing compiled");
    TAP_OK(ev && vgm_matcher_count(ev->m) == 2 &&
               vgm_matcher_foreign(ev->m) == vgm_matcher_foreign(es->m),
           "with the same YARA id space");
    tap_scan_names(ev, data, sizeof data - 1, got, sizeof got);
    TAP_OK(!strcmp(got, want), "and the same detections (%s)", got);
    vg_engine_free(ev);

    vg_engine *ex = load(v1, extra, 0);
    tap_scan_names(ex, data, sizeof data - 1, got, sizeof got);
    TAP_OK(ex && strstr(got, "extra") && strstr(got, "hexjump") &&
               strstr(got, "Test.Body.Needle.UNOFFICIAL"),
           "the .vdb beside another .yar: compiled with the extra strings (%s)", got);
    vg_engine_free(ex);

    /* YARA only, and the .vdb of it */
    put("yonly", "r.yar", RULES);
    char yo[300], yv[300];
    snprintf(yo, sizeof yo, "%s/yonly", dir);
    snprintf(yv, sizeof yv, "%s/yonly.vdb", dir);
    vg_engine *ey = load(yo, NULL, 1);
    tap_scan_names(ey, data, sizeof data - 1, want, sizeof want);
    TAP_OK(ey && vgm_matcher_count(ey->m) == 0 && vgm_matcher_foreign(ey->m) > 0 &&
               !strcmp(want, "hexjump,text,re,nostr,"),
           "YARA alone: the matcher holds only its strings (%s)", want);
    TAP_OK(ey && vgdb_vdb_write(ey, yv, 7) == VG_OK, "YARA-only .vdb written");
    vg_engine_free(ey);
    vg_engine *eyv = load(yv, NULL, 0);
    tap_scan_names(eyv, data, sizeof data - 1, got, sizeof got);
    TAP_OK(eyv && !eyv->vdb_rebuilt && !strcmp(got, want),
           "and loaded from it without compiling (%s)", got);
    vg_engine_free(eyv);

    /* a .vdb whose fingerprint names other expressions (another vigil's
     * YARA translation): its database is not used but compiled again */
    size_t len = 0;
    uint8_t *img = tap_read_file(v1, &len);
    long yoff = -1;
    uint32_t nsec = img && len > 1024 ? (uint32_t)img[48] | (uint32_t)img[49] << 8 : 0;
    for (uint32_t k = 0; k < nsec && k < 39; k++) {
        const uint8_t *t = img + 88 + 24 * k;
        uint64_t off = 0, l = 0;
        for (int b = 7; b >= 0; b--) {
            off = off << 8 | t[8 + b];
            l = l << 8 | t[16 + b];
        }
        if (t[0] == VGDB_S_YARADB && l == 32 && off + 32 <= len)
            yoff = (long)off;
    }
    TAP_OK(yoff > 0, "the .vdb carries a 32-byte YARA fingerprint");
    if (yoff > 0) {
        img[yoff] ^= 0x5a;
        char v3[300];
        snprintf(v3, sizeof v3, "%s/three.vdb", dir);
        TAP_OK(vgdb_vdb_seal(img, len) == VG_OK && tap_write_file(v3, img, len) == 0,
               "a copy with another fingerprint, sealed");
        vg_engine *et = load(v3, NULL, 0);
        tap_scan_names(et, data, sizeof data - 1, got, sizeof got);
        TAP_OK(et && et->vdb_rebuilt && !strcmp(got, want_all),
               "is compiled again at load and detects the same (%s)", got);
        vg_engine_free(et);
    }
    free(img);
    vg_engine_free(es);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "# could not remove %s\n", dir);
    return tap_done();
}
