/* cli/cmd_db.c - `vigil db`: build, info, verify, list and diff compiled
 * databases (.vdb; the format is specified in src/db/vdb.h). list and diff
 * also take source databases (.hdb .hsb .fp .sfp .ndb) and directories. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "db/listing.h"
#include "db/vdb.h"
#include "vigil/vigil.h"

static void db_usage(FILE *f)
{
    fprintf(f,
            "usage: vigil db build -o OUT.vdb SOURCE...   compile databases into one file\n"
            "       vigil db info FILE.vdb                header, counts, sizes, hashes\n"
            "       vigil db verify FILE.vdb              check structure and checksum\n"
            "       vigil db list DB...                   every signature: type name content-hash\n"
            "       vigil db diff A B                     added (+), removed (-), changed (~)\n"
            "SOURCE and DB are database files (.hdb .hsb .fp .sfp .ndb .ldb .cdb .yar .vdb) or\n"
            "directories of them. build is deterministic: the creation time comes\n"
            "from SOURCE_DATE_EPOCH, or is 0. Exit status 0 ok, 1 differences (diff),\n"
            "2 error.\n");
}

/* keep_src: keep the texts of formats that go into a .vdb as text */
static vg_engine *load(char **paths, int n, double *secs, int keep_src)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK)
        return NULL;
    e->keep_src = keep_src;
    vg_status st = VG_OK;
    for (int i = 0; st == VG_OK && i < n; i++)
        st = vg_engine_load(e, paths[i]);
    if (st == VG_OK)
        st = vg_engine_compile(e);
    if (st != VG_OK) {
        const char *m = vg_engine_error(e);
        fprintf(stderr, "vigil: %s\n", *m ? m : vg_strerror(st));
        vg_engine_free(e);
        return NULL;
    }
    vg_engine_skipped sk;
    vg_engine_skipped_get(e, &sk);
    if (sk.bytecode)
        fprintf(stderr, "vigil: %llu bytecode signatures skipped (not supported)\n",
                (unsigned long long)sk.bytecode);
    if (sk.unsupported)
        fprintf(stderr, "vigil: %llu signatures in %s files skipped (not supported yet)\n",
                (unsigned long long)sk.unsupported, sk.types);
    if (sk.ftm)
        fprintf(stderr, "vigil: %llu file-type magic entries (.ftm) read, not applied\n",
                (unsigned long long)sk.ftm);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (secs)
        *secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return e;
}

static int db_build(int argc, char **argv)
{
    const char *out = NULL;
    int first = 0;
    char **src = calloc((size_t)argc + 1, sizeof *src);
    int ns = 0;
    if (!src)
        return 2;
    for (int i = first; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (!strncmp(argv[i], "--output=", 9))
            out = argv[i] + 9;
        else
            src[ns++] = argv[i];
    }
    if (!out || ns == 0) {
        db_usage(stderr);
        free(src);
        return 2;
    }
    uint64_t created = 0;
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde)
        created = strtoull(sde, NULL, 10);
    double secs = 0;
    vg_engine *e = load(src, ns, &secs, 1);
    free(src);
    if (!e)
        return 2;
    vg_status st = vgdb_vdb_write(e, out, created);
    if (st != VG_OK) {
        fprintf(stderr, "vigil: %s\n", *vg_engine_error(e) ? vg_engine_error(e) : vg_strerror(st));
        vg_engine_free(e);
        return 2;
    }
    fprintf(stderr, "%s: %llu signatures, compiled in %.3f s\n", out,
            (unsigned long long)vg_engine_sig_count(e), secs);
    vg_engine_free(e);
    return 0;
}

static int db_info(const char *path)
{
    char err[512];
    vg_status st = vgdb_vdb_describe(path, stdout, err, sizeof err);
    if (st != VG_OK) {
        fprintf(stderr, "vigil: %s: %s\n", path, err);
        return 2;
    }
    return 0;
}

static int db_verify(const char *path)
{
    double secs;
    char *p[1] = {(char *)path};
    vg_engine *e = load(p, 1, &secs, 0);
    if (!e)
        return 2;
    printf("%s: OK (%llu signatures, loaded in %.3f ms)\n", path,
           (unsigned long long)vg_engine_sig_count(e), secs * 1e3);
    vg_engine_free(e);
    return 0;
}

static int db_list(char **paths, int n)
{
    vg_engine *e = load(paths, n, NULL, 1);
    if (!e)
        return 2;
    vgdb_entry *v;
    size_t cnt;
    if (vgdb_list(e, &v, &cnt) != VG_OK) {
        vg_engine_free(e);
        return 2;
    }
    for (size_t i = 0; i < cnt; i++)
        printf("%s %s %s\n", v[i].type, v[i].name, v[i].hash);
    free(v);
    vg_engine_free(e);
    return 0;
}

/* Signatures keyed by (type, name); a name carried by several signatures of
 * one type is compared as the sorted list of their hashes. */
static int db_diff(const char *a, const char *b)
{
    char *pa[1] = {(char *)a}, *pb[1] = {(char *)b};
    vg_engine *ea = load(pa, 1, NULL, 1), *eb = ea ? load(pb, 1, NULL, 1) : NULL;
    if (!ea || !eb) {
        vg_engine_free(ea);
        return 2;
    }
    vgdb_entry *va, *vb;
    size_t na, nb;
    if (vgdb_list(ea, &va, &na) != VG_OK || vgdb_list(eb, &vb, &nb) != VG_OK) {
        vg_engine_free(ea);
        vg_engine_free(eb);
        return 2;
    }
    size_t i = 0, j = 0;
    int diffs = 0;
    while (i < na || j < nb) {
        int c;
        if (i >= na)
            c = 1;
        else if (j >= nb)
            c = -1;
        else {
            c = strcmp(va[i].name, vb[j].name);
            if (!c)
                c = strcmp(va[i].type, vb[j].type);
        }
        if (c < 0) {
            printf("- %s %s %s\n", va[i].type, va[i].name, va[i].hash);
            i++;
            diffs++;
        } else if (c > 0) {
            printf("+ %s %s %s\n", vb[j].type, vb[j].name, vb[j].hash);
            j++;
            diffs++;
        } else {
            if (strcmp(va[i].hash, vb[j].hash)) {
                printf("~ %s %s %s -> %s\n", va[i].type, va[i].name, va[i].hash, vb[j].hash);
                diffs++;
            }
            i++;
            j++;
        }
    }
    free(va);
    free(vb);
    vg_engine_free(ea);
    vg_engine_free(eb);
    return diffs ? 1 : 0;
}

int vgcli_db(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        db_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "build"))
        return db_build(argc - 2, argv + 2);
    if (!strcmp(sub, "info") && argc == 3)
        return db_info(argv[2]);
    if (!strcmp(sub, "verify") && argc == 3)
        return db_verify(argv[2]);
    if (!strcmp(sub, "list") && argc >= 3)
        return db_list(argv + 2, argc - 2);
    if (!strcmp(sub, "diff") && argc == 4)
        return db_diff(argv[2], argv[3]);
    db_usage(stderr);
    return 2;
}
