/* cli/cmd_quarantine.c - `vigil quarantine list|restore|delete`, and the
 * JSON line `vigil scan --json --quarantine` prints for a moved file.
 *
 * The store itself (format, crash safety) is src/quarantine/quarantine.h.
 * Exit status: 0 done, 2 error (no such entry, target exists without
 * --force, damaged store, usage). */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/out.h"
#include "quarantine/quarantine.h"

static void usage(FILE *f)
{
    fprintf(f,
"Usage: vigil quarantine list [--json] [--quarantine-dir DIR]\n"
"       vigil quarantine restore ID [--to PATH] [--force] [--quarantine-dir DIR]\n"
"       vigil quarantine delete ID [--quarantine-dir DIR]\n"
"\n"
"Files that 'vigil scan --quarantine' found infected are kept in a store\n"
"(default " VGQ_DEFAULT_DIR "), encoded so that they cannot run\n"
"and are not detected again, with a record of where they were.\n"
"\n"
"  list                  one line per entry: ID, time (UTC), signatures, path\n"
"      --json            one JSON object per entry instead: id, path, size,\n"
"                        sha256, signatures, time, uid, gid, mode, atime,\n"
"                        mtime, ctime\n"
"  restore ID            put the file back where it was, with the same bytes\n"
"                        (SHA-256 checked), owner, group, mode and times, and\n"
"                        remove the entry\n"
"      --to PATH         restore to PATH instead (into it, if a directory)\n"
"      --force           replace an existing file (default: refuse)\n"
"  delete ID             remove the entry and its bytes for good\n"
"      --quarantine-dir DIR  the store to use (default " VGQ_DEFAULT_DIR ")\n"
"\n"
"Exit status: 0 done, 2 error.\n");
}

static void iso_time(int64_t t, char *out, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_object *ts_json(const struct timespec *ts)
{
    char b[48];
    snprintf(b, sizeof b, "%lld.%09ld", (long long)ts->tv_sec, ts->tv_nsec);
    return json_object_new_double_s((double)ts->tv_sec + (double)ts->tv_nsec / 1e9, b);
}

static void print_entry_json(const vgq_entry *e)
{
    char tbuf[32], mode[16];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(e->id));
    json_object_object_add(o, "path", json_object_new_string(e->path));
    json_object_object_add(o, "size", json_object_new_uint64(e->size));
    json_object_object_add(o, "sha256", json_object_new_string(e->sha256));
    json_object *sigs = json_object_new_array();
    for (size_t i = 0; i < e->nsigs; i++)
        json_object_array_add(sigs, json_object_new_string(e->sigs[i]));
    json_object_object_add(o, "signatures", sigs);
    iso_time(e->time, tbuf, sizeof tbuf);
    json_object_object_add(o, "time", json_object_new_string(tbuf));
    json_object_object_add(o, "uid", json_object_new_uint64(e->uid));
    json_object_object_add(o, "gid", json_object_new_uint64(e->gid));
    snprintf(mode, sizeof mode, "%04o", (unsigned)(e->mode & 07777));
    json_object_object_add(o, "mode", json_object_new_string(mode));
    json_object_object_add(o, "atime", ts_json(&e->atime));
    json_object_object_add(o, "mtime", ts_json(&e->mtime));
    json_object_object_add(o, "ctime", ts_json(&e->ctime));
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

static int do_list(vgq_store *q, int json)
{
    vgq_entry *v;
    size_t n;
    if (vgq_list(q, &v, &n) != VG_OK) {
        fprintf(stderr, "vigil: quarantine: %s\n", vgq_error(q));
        return 2;
    }
    for (size_t i = 0; i < n; i++) {
        if (json) {
            print_entry_json(&v[i]);
            continue;
        }
        char tbuf[32];
        iso_time(v[i].time, tbuf, sizeof tbuf);
        printf("%s  %s  ", v[i].id, tbuf);
        for (size_t k = 0; k < v[i].nsigs; k++)
            printf("%s%s", k ? "," : "", v[i].sigs[k]);
        printf("%s  %s\n", v[i].nsigs ? "" : "-", v[i].path);
    }
    vgq_entries_free(v, n);
    return fflush(stdout) == 0 ? 0 : 2;
}

enum { O_QDIR = 256, O_TO, O_FORCE, O_JSON };

int vgcli_quarantine(int argc, char **argv)
{
    static const struct option lo[] = {
        {"quarantine-dir", required_argument, 0, O_QDIR},
        {"to", required_argument, 0, O_TO},
        {"force", no_argument, 0, O_FORCE},
        {"json", no_argument, 0, O_JSON},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *dir = VGQ_DEFAULT_DIR, *to = NULL;
    int force = 0, json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case O_QDIR: dir = optarg; break;
        case O_TO: to = optarg; break;
        case O_FORCE: force = 1; break;
        case O_JSON: json = 1; break;
        case 'h': usage(stdout); return 0;
        default:
            fputs("Try 'vigil quarantine --help' for more information.\n", stderr);
            return 2;
        }
    }
    const char *sub = optind < argc ? argv[optind] : NULL;
    int nargs = argc - optind - 1;
    int is_list = sub && !strcmp(sub, "list");
    int is_restore = sub && !strcmp(sub, "restore");
    int is_delete = sub && !strcmp(sub, "delete");
    if (!(is_list && nargs == 0) && !((is_restore || is_delete) && nargs == 1)) {
        usage(stderr);
        return 2;
    }
    if ((to || force) && !is_restore) {
        fputs("vigil: --to and --force go with 'quarantine restore'\n", stderr);
        return 2;
    }
    if (json && !is_list) {
        fputs("vigil: --json goes with 'quarantine list'\n", stderr);
        return 2;
    }
    vgq_store *q;
    char err[512];
    if (vgq_open(dir, 0, &q, err, sizeof err) != VG_OK) {
        fprintf(stderr, "vigil: quarantine: %s\n", err);
        return 2;
    }
    int rc = 0;
    const char *id = is_list ? NULL : argv[optind + 1];
    if (is_list)
        rc = do_list(q, json);
    else if (is_restore) {
        vgq_entry e;
        memset(&e, 0, sizeof e);
        if (vgq_get(q, id, &e) != VG_OK || vgq_restore(q, id, to, force) != VG_OK) {
            fprintf(stderr, "vigil: quarantine restore: %s\n", vgq_error(q));
            rc = 2;
        } else {
            printf("%s: restored to %s\n", id, to ? to : e.path);
        }
        vgq_entry_clear(&e);
    } else {
        if (vgq_delete(q, id) != VG_OK) {
            fprintf(stderr, "vigil: quarantine delete: %s\n", vgq_error(q));
            rc = 2;
        } else {
            printf("%s: deleted\n", id);
        }
    }
    vgq_close(q);
    return rc;
}

void vgcli_json_quarantined(struct vgout_buf *ob, const char *path, const char *id, const char *err)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "path", json_object_new_string(path));
    if (id)
        json_object_object_add(o, "quarantined", json_object_new_string(id));
    else
        json_object_object_add(o, "quarantine_error", json_object_new_string(err));
    vgout_printf(ob, 0, "%s\n",
                 json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}
