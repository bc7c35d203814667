/* tests/unit/test_quarantine.c - the quarantine store (src/quarantine).
 *
 * Moves files in, lists, restores (same bytes, owner, mode, times; never
 * over an existing file without force), deletes; a damaged record is
 * refused; what a killed move leaves behind is cleaned up; a scan of the
 * store finds nothing. Runs as root when it can (for the owner checks). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "quarantine/quarantine.h"
#include "tap.h"
#include "vigil/vigil.h"

static const char eicar[] =
    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
static char tmp[] = "/tmp/vg_quar_XXXXXX";
static char qdir[256], fdir[256];

static char *pathf(const char *name)
{
    static char b[4][512];
    static int k;
    k = (k + 1) & 3;
    snprintf(b[k], sizeof b[k], "%s/%s", fdir, name);
    return b[k];
}

static int file_is(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return n == len && memcmp(buf, data, len) == 0;
}

/* files whose name contains `suffix` */
static size_t count_files(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (strstr(de->d_name, suffix))
            n++;
    }
    if (d)
        closedir(d);
    return n;
}

static void test_round_trip(vgq_store *q)
{
    const char *p = pathf("eicar.com");
    TAP_OK(tap_write_file(p, eicar, sizeof eicar - 1) == 0, "fixture written");
    chmod(p, 0751);
    int root = geteuid() == 0;
    if (root)
        TAP_OK(chown(p, 1234, 4321) == 0, "fixture owned by 1234:4321");
    struct timespec ts[2] = {{1577934245, 123456789}, {1577934245, 987654321}};
    utimensat(AT_FDCWD, p, ts, 0);

    const char *sigs[] = {"Eicar-Test-Signature", "Name\nwith newline"};
    char id[VGQ_ID_LEN + 1] = "";
    struct stat before;
    stat(p, &before);
    time_t t_before = time(NULL);
    TAP_OK(vgq_move(q, p, sigs, 2, id) == VG_OK, "move: OK (%s)", vgq_error(q));
    TAP_OK(strlen(id) == VGQ_ID_LEN, "move: 16-digit id %s", id);
    TAP_OK(access(p, F_OK) != 0, "move: the original is gone");
    time_t t_after = time(NULL);

    vgq_entry *v;
    size_t n;
    TAP_OK(vgq_list(q, &v, &n) == VG_OK && n == 1, "list: one entry");
    if (n == 1) {
        TAP_OK(!strcmp(v[0].id, id), "list: the id");
        TAP_OK(!strcmp(v[0].path, p), "list: absolute original path %s", v[0].path);
        TAP_OK(v[0].size == sizeof eicar - 1, "list: size");
        TAP_OK(!strcmp(v[0].sha256,
                       "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"),
               "list: SHA-256 of the original bytes");
        TAP_OK(v[0].nsigs == 2 && !strcmp(v[0].sigs[1], "Name\nwith newline"),
               "list: signature names, an escaped newline survives");
        TAP_OK((v[0].mode & 07777) == 0751, "list: mode 0751");
        TAP_OK(v[0].mtime.tv_sec == 1577934245 && v[0].mtime.tv_nsec == 987654321,
               "list: mtime to the nanosecond");
        TAP_OK(v[0].atime.tv_sec == 1577934245 && v[0].atime.tv_nsec == 123456789,
               "list: atime to the nanosecond");
        TAP_OK(v[0].ctime.tv_sec == before.st_ctim.tv_sec &&
                   v[0].ctime.tv_nsec == before.st_ctim.tv_nsec,
               "list: ctime of the original");
        TAP_OK(v[0].time >= (int64_t)t_before && v[0].time <= (int64_t)t_after,
               "list: the time of the move (%lld)", (long long)v[0].time);
        if (root)
            TAP_OK(v[0].uid == 1234 && v[0].gid == 4321, "list: owner and group");
    }
    vgq_entries_free(v, n);

    uint8_t *bytes = NULL;
    size_t len = 0;
    TAP_OK(vgq_read_bytes(q, id, &bytes, &len) == VG_OK && len == sizeof eicar - 1 &&
               memcmp(bytes, eicar, len) == 0,
           "read_bytes: decodes to the original");
    free(bytes);

    /* the store's own files are not detected */
    vg_engine *e = NULL;
    vg_engine_new(&e);
    vg_engine_load_builtin(e);
    vg_engine_compile(e);
    char data[512];
    snprintf(data, sizeof data, "%s/%s.data", qdir, id);
    vg_result *r = NULL;
    TAP_OK(vg_scan_file(e, data, NULL, &r) == VG_OK && vg_result_count(r) == 0,
           "a scan of ID.data finds nothing");
    vg_result_free(r);
    vg_engine_free(e);
    struct stat sb;
    TAP_OK(stat(data, &sb) == 0 && (sb.st_mode & 0111) == 0, "ID.data is not executable");

    /* restore refuses to overwrite, then does with force */
    TAP_OK(tap_write_file(p, "other", 5) == 0, "a new file at the original path");
    TAP_OK(vgq_restore(q, id, NULL, 0) == VG_ESTATE, "restore: refuses to overwrite");
    TAP_OK(file_is(p, "other", 5), "restore: the existing file is untouched");
    TAP_OK(strstr(vgq_error(q), "--force") != NULL, "restore: the error says --force (%s)",
           vgq_error(q));
    TAP_OK(vgq_restore(q, id, NULL, 1) == VG_OK, "restore with force: OK (%s)", vgq_error(q));
    TAP_OK(file_is(p, eicar, sizeof eicar - 1), "restore: byte-identical");
    TAP_OK(stat(p, &sb) == 0 && (sb.st_mode & 07777) == 0751, "restore: mode 0751");
    TAP_OK(sb.st_mtim.tv_sec == 1577934245 && sb.st_mtim.tv_nsec == 987654321,
           "restore: mtime");
    if (root)
        TAP_OK(sb.st_uid == 1234 && sb.st_gid == 4321, "restore: owner and group");
    TAP_OK(vgq_list(q, &v, &n) == VG_OK && n == 0, "restore: the entry is gone");
    vgq_entries_free(v, n);
    TAP_OK(count_files(qdir, ".data") == 0, "restore: no data file left");
}

static void test_to_and_delete(vgq_store *q)
{
    const char *p = pathf("x.bin");
    tap_write_file(p, "abc", 3);
    char id[VGQ_ID_LEN + 1], id2[VGQ_ID_LEN + 1];
    TAP_OK(vgq_move(q, p, NULL, 0, id) == VG_OK, "move with no signature names");
    mkdir(pathf("sub"), 0755);
    TAP_OK(vgq_restore(q, id, pathf("sub"), 0) == VG_OK, "restore --to a directory");
    TAP_OK(file_is(pathf("sub/x.bin"), "abc", 3), "restored into it by the original name");
    TAP_OK(vgq_move(q, pathf("sub/x.bin"), NULL, 0, id2) == VG_OK, "move again");
    TAP_OK(vgq_restore(q, id2, pathf("renamed"), 0) == VG_OK && file_is(pathf("renamed"), "abc", 3),
           "restore --to a new path");
    TAP_OK(vgq_move(q, pathf("renamed"), NULL, 0, id) == VG_OK, "move a third time");
    TAP_OK(vgq_delete(q, id) == VG_OK, "delete: OK");
    TAP_OK(count_files(qdir, ".meta") == 0 && count_files(qdir, ".data") == 0,
           "delete: nothing left in the store");
    TAP_OK(vgq_delete(q, id) == VG_ENOENT, "delete again: no such entry");
    TAP_OK(vgq_restore(q, "../../etc/passwd", NULL, 0) == VG_EINVAL, "an id with a path is refused");
    TAP_OK(vgq_move(q, fdir, NULL, 0, id) == VG_EINVAL, "a directory is not moved");
    TAP_OK(vgq_move(q, pathf("missing"), NULL, 0, id) == VG_ENOENT, "a missing file: ENOENT");
}

static void test_damage_and_cleanup(void)
{
    vgq_store *q;
    const char *p = pathf("d.bin");
    tap_write_file(p, "hello", 5);
    char id[VGQ_ID_LEN + 1], name[600];
    TAP_OK(vgq_open(qdir, 0, &q, NULL, 0) == VG_OK, "reopen the store");
    TAP_OK(vgq_move(q, p, NULL, 0, id) == VG_OK, "move d.bin");
    /* a flipped stored byte is caught by the SHA-256 on restore */
    snprintf(name, sizeof name, "%s/%s.data", qdir, id);
    int fd = open(name, O_RDWR);
    char c;
    int flipped = pread(fd, &c, 1, 9) == 1 && (c ^= 1, pwrite(fd, &c, 1, 9) == 1);
    close(fd);
    TAP_OK(flipped, "one stored byte flipped");
    TAP_OK(vgq_restore(q, id, NULL, 0) == VG_EVERIFY, "restore of damaged bytes: VERIFY");
    TAP_OK(access(p, F_OK) != 0, "nothing written at the target");
    TAP_OK(count_files(fdir, ".vigil-restore-" ) == 0, "no temporary file left");
    /* a truncated record is refused */
    snprintf(name, sizeof name, "%s/%s.meta", qdir, id);
    TAP_OK(truncate(name, 40) == 0, "the record truncated");
    vgq_entry *v;
    size_t n;
    TAP_OK(vgq_list(q, &v, &n) == VG_EFORMAT, "list with a damaged record: FORMAT (%s)",
           vgq_error(q));
    unlink(name);
    /* what a killed move leaves: ID.data without ID.meta, ID.meta.tmp */
    snprintf(name, sizeof name, "%s/0123456789abcdef.meta.tmp", qdir);
    tap_write_file(name, "vigil-quarantine 1\n", 19);
    vgq_close(q);
    TAP_OK(count_files(qdir, ".data") == 1 && count_files(qdir, ".tmp") == 1,
           "leftovers of a killed move are there");
    TAP_OK(vgq_open(qdir, 0, &q, NULL, 0) == VG_OK, "open cleans up");
    TAP_OK(count_files(qdir, ".data") == 0 && count_files(qdir, ".tmp") == 0,
           "the orphan data file and the .tmp record are gone");
    vgq_store *q2;
    snprintf(name, sizeof name, "%s/0123456789abcdef.data", qdir);
    tap_write_file(name, "x", 1);
    TAP_OK(vgq_open(qdir, 0, &q2, NULL, 0) == VG_OK, "a second user opens the store");
    TAP_OK(count_files(qdir, ".data") == 1,
           "no clean-up while another user holds the store (it may be mid-move)");
    vgq_close(q2);
    vgq_close(q);
    unlink(name);
    char err[256];
    TAP_OK(vgq_open("/nonexistent-vigil/q", 0, &q, err, sizeof err) == VG_ENOENT && q == NULL,
           "open of a missing store without create: ENOENT (%s)", err);
}

int main(void)
{
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(qdir, sizeof qdir, "%s/store/nested", tmp);
    snprintf(fdir, sizeof fdir, "%s/files", tmp);
    mkdir(fdir, 0755);
    vgq_store *q = NULL;
    char err[256];
    TAP_OK(vgq_open(qdir, 1, &q, err, sizeof err) == VG_OK, "open creates the store (%s)", err);
    struct stat sb;
    TAP_OK(stat(qdir, &sb) == 0 && (sb.st_mode & 0777) == 0700, "the store is mode 0700");
    if (q) {
        test_round_trip(q);
        test_to_and_delete(q);
        vgq_close(q);
        test_damage_and_cleanup();
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup of %s failed\n", tmp);
    return tap_done();
}
