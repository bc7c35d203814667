/* tests/unit/test_vdb_hash.c - a .vdb large enough for many 256 KiB
 * chunks (several groups of 16, whole and short ones) is checked the same
 * way whether its chunks are hashed 16 at a time (AVX-512 lanes,
 * db/sha256x16.c) or one at a time with OpenSSL: the writer makes the same
 * bytes either way, either loader accepts the other's file and detects
 * with it, and either refuses a file with one flipped byte in its first,
 * middle or last chunk, or cut short. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/vdb.h"
#include "tap.h"
#include "vigil/vigil.h"

#define NHASH 250000

static char dir[256];

static vg_status load(const char *path, vg_engine **out)
{
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK)
        return VG_ENOMEM;
    vg_status st = vg_engine_load(e, path);
    if (st == VG_OK)
        st = vg_engine_compile(e);
    if (st != VG_OK && out)
        printf("# %s\n", vg_engine_error(e));
    if (st != VG_OK || !out) {
        vg_engine_free(e);
        e = NULL;
    }
    if (out)
        *out = e;
    return st;
}

static const char eicar[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/* the names e finds in eicar (hash) and in "xxHELLOxx" (body), joined */
static void found(vg_engine *e, char *out, size_t cap)
{
    out[0] = 0;
    const char *in[2] = {eicar, "xxHELLO WORLDxx"};
    for (int k = 0; k < 2; k++) {
        vg_scan_opts o;
        vg_scan_opts_default(&o);
        vg_result *r;
        if (vg_scan_mem(e, in[k], strlen(in[k]), &o, &r) != VG_OK)
            continue;
        for (size_t i = 0; i < vg_result_count(r); i++) {
            strncat(out, vg_result_get(r, i)->name, cap - strlen(out) - 2);
            strncat(out, ",", cap - strlen(out) - 1);
        }
        vg_result_free(r);
    }
}

static int copy_flip(const char *from, const char *to, long at, long cut)
{
    FILE *f = fopen(from, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(b);
        return -1;
    }
    fclose(f);
    if (at >= 0 && at < n)
        b[at] ^= 0x20;
    int rc = tap_write_file(to, b, (size_t)(cut > 0 && cut < n ? cut : n));
    free(b);
    return rc;
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/vigil-vdbhash-%d", (int)getpid());
    mkdir(dir, 0700);
    char p[300], a[300], b[300], bad[300];
    /* hashes: pseudo-random digests and sizes, plus EICAR's */
    snprintf(p, sizeof p, "%s/big.hdb", dir);
    FILE *f = fopen(p, "w");
    if (!f)
        return 1;
    fprintf(f, "44d88612fea8a8f36de82e1278abb02f:68:Test.Eicar.Hash\n");
    unsigned long long x = 88172645463325252ull;
    for (int i = 0; i < NHASH; i++) {
        unsigned long long d[2];
        for (int k = 0; k < 2; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            d[k] = x;
        }
        fprintf(f, "%016llx%016llx:%llu:Test.Filler_%07d\n", d[0], d[1], (d[0] >> 40) % 9000000, i);
    }
    fclose(f);
    snprintf(p, sizeof p, "%s/b.ndb", dir);
    static const char ndb[] = "Test.Body:0:*:48454c4c4f20574f524c44\n";
    tap_write_file(p, ndb, sizeof ndb - 1);
    snprintf(a, sizeof a, "%s/wide.vdb", dir);
    snprintf(b, sizeof b, "%s/narrow.vdb", dir);
    snprintf(bad, sizeof bad, "%s/bad.vdb", dir);

    vg_engine *e = NULL;
    vg_status st = load(dir, &e);
    TAP_OK(st == VG_OK, "%d hashes and a body signature load", NHASH + 1);
    vgdb_vdb_set_wide(1);
    TAP_OK(e && vgdb_vdb_write(e, a, 0) == VG_OK, "written, hashed 16 chunks at a time");
    vgdb_vdb_set_wide(0);
    TAP_OK(e && vgdb_vdb_write(e, b, 0) == VG_OK, "written, hashed one chunk at a time");
    vg_engine_free(e);
    struct stat sb;
    long size = stat(a, &sb) == 0 ? (long)sb.st_size : 0;
    TAP_OK(size > 20L * (256 << 10), "the file has more than 20 chunks (%ld bytes)", size);
    TAP_OK(tap_same_file(a, b), "the same bytes either way");

    for (int wide = 1; wide >= 0; wide--) {
        vgdb_vdb_set_wide(wide);
        const char *how = wide ? "16 at a time" : "one at a time";
        char names[256] = "";
        e = NULL;
        st = load(wide ? b : a, &e);
        if (e)
            found(e, names, sizeof names);
        TAP_OK(st == VG_OK && !strcmp(names, "Test.Eicar.Hash.UNOFFICIAL,Test.Body.UNOFFICIAL,"),
               "checked %s, the other's file loads and detects (%s)", how, names);
        vg_engine_free(e);
        /* a flip in the first chunk, one in the middle, one in the last */
        long at[3] = {1024 + 5, size / 2, size - 4096 - 7};
        int refused = 0;
        for (int k = 0; k < 3; k++) {
            copy_flip(a, bad, at[k], 0);
            refused += load(bad, NULL) == VG_EVERIFY;
        }
        TAP_OK(refused == 3, "checked %s, a flipped byte in the first, middle and last chunk is refused",
               how);
        copy_flip(a, bad, -1, size - 64);
        TAP_OK(load(bad, NULL) != VG_OK, "checked %s, a file cut short is refused", how);
    }
    vgdb_vdb_set_wide(1);
    unlink(a);
    unlink(b);
    unlink(bad);
    snprintf(p, sizeof p, "%s/big.hdb", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/b.ndb", dir);
    unlink(p);
    rmdir(dir);
    return tap_done();
}
