/* cli/cmd_scan.c - `vigil scan`: clamscan-compatible scanning of files,
 * trees and stdin on all cores.
 *
 * The tree is walked first (lstat only) into a list of jobs, so the total
 * is known for the progress bar's ETA; then N threads take jobs by an
 * atomic index, each with its own vg_scanner. A job's output lines are
 * built in memory and written under one lock, so each file's lines stay
 * together. Exit code: 1 if anything was found (wins), else 2 if anything
 * failed, else 0.
 *
 * What is printed for what, as clamscan 1.4 does unless noted:
 *   regular file         "PATH: OK" / "PATH: NAME FOUND" (one per signature)
 *   empty file           "PATH: Empty file"
 *   symlink in a walk    "PATH: Symbolic link" (not followed)
 *   --exclude[-dir] hit  "PATH: Excluded"
 *   unreadable file      "PATH: Access denied", an error
 *   unopenable directory "PATH: Can't open directory.", an error
 *   (both on stderr instead with -i or --quiet: errors are never silent)
 *   missing PATH         stderr "PATH: No such file or directory" and
 *                        "WARNING: PATH: Can't access file", an error
 *   broken symlink PATH  stderr "PATH: Broken symbolic link" and the same
 *                        WARNING, an error (clamscan skips it silently)
 *   FIFO, socket, device stderr "WARNING: PATH: Not supported file type";
 *                        an error when named on the command line; in a walk
 *                        only the warning (clamscan says nothing there)
 * The errors about a PATH argument itself (the last three) give exit
 * status 2 but are not in the summary's "Total errors", as in clamscan. */
#include <errno.h>
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/out.h"
#include "quarantine/quarantine.h"
#include "sandbox/seccomp.h"
#include "vigil/vigil.h"

#define DEFAULT_MAX_DIR_RECURSION 256u

enum job_kind { JOB_FILE, JOB_STDIN, JOB_NOTE };

enum note {
    N_SYMLINK,       /* stdout note */
    N_EMPTY,         /* stdout note */
    N_EXCLUDED,      /* stdout note */
    N_SPECIAL_WALK,  /* stderr warning */
    N_SPECIAL_ARG,   /* stderr warning, error */
    N_DIR_DEPTH,     /* stderr warning */
    N_CANT_OPEN_DIR, /* error line, error */
    N_STAT_FAILED,   /* stderr strerror + warning, error */
    N_BROKEN_LINK,   /* stderr + warning, error */
};

typedef struct job {
    char *path;
    enum job_kind kind;
    enum note note;
    int err;       /* errno for N_STAT_FAILED / N_CANT_OPEN_DIR */
    uint64_t size;
} job;

typedef struct opts {
    const char **dbs;
    int ndbs;
    int infected_only, suppress_ok, quiet, no_summary, json, progress, bell;
    int threads;
    unsigned max_dir_recursion;
    vg_scan_opts so;
    regex_t *excl, *excl_dir, *incl, *incl_dir;
    int nexcl, nexcl_dir, nincl, nincl_dir;
    int quarantine, no_sandbox;
    const char *quarantine_dir;
    vgq_store *qstore; /* opened before the sandbox is entered */
    const char **defs; /* -D name=value: YARA external variables */
    int ndefs, yara_strings, profile;
} opts;

enum { O_YARASTR = 0x7901, O_PROFILE }; /* --yara-strings (debug), --profile */

typedef struct run {
    opts *o;
    vg_engine *e;
    job *jobs;
    size_t njobs, capjobs;
    unsigned long long ndirs;
    atomic_size_t next;
    atomic_ullong files, infected, errors, limited, bytes_scanned, bytes_read, done_bytes;
    /* errors about a PATH argument itself (missing, broken link, special
     * file): they make the exit status 2, but clamscan leaves them out of
     * its "Total errors" line, and so does the summary */
    atomic_ullong arg_errors;
    atomic_size_t done;
    pthread_mutex_t out_lock;
    int show_progress;
    vgout_progress prog;
} run;

static void oom(void)
{
    fputs("vigil: out of memory\n", stderr);
    exit(2);
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        oom();
    return p;
}

static void add_job(run *r, char *path, enum job_kind k, enum note n, int err, uint64_t size)
{
    if (r->njobs == r->capjobs) {
        size_t cap = r->capjobs ? r->capjobs * 2 : 256;
        job *nj = realloc(r->jobs, cap * sizeof *nj);
        if (!nj)
            oom();
        r->jobs = nj;
        r->capjobs = cap;
    }
    r->jobs[r->njobs++] = (job){path, k, n, err, size};
}

static void add_note(run *r, const char *path, enum note n, int err)
{
    add_job(r, xstrdup(path), JOB_NOTE, n, err, 0);
}

static int matches(const regex_t *re, int n, const char *path)
{
    for (int i = 0; i < n; i++)
        if (regexec(&re[i], path, 0, NULL, 0) == 0)
            return 1;
    return 0;
}

/* --exclude / --include for a file, --exclude-dir / --include-dir for a
 * directory, against the path as it is printed. */
static int file_excluded(const opts *o, const char *path)
{
    return matches(o->excl, o->nexcl, path) ||
           (o->nincl && !matches(o->incl, o->nincl, path));
}

static int dir_excluded(const opts *o, const char *path)
{
    return matches(o->excl_dir, o->nexcl_dir, path) ||
           (o->nincl_dir && !matches(o->incl_dir, o->nincl_dir, path));
}

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p)
        oom();
    memcpy(p, dir, a);
    size_t o = a;
    if (a == 0 || dir[a - 1] != '/')
        p[o++] = '/';
    memcpy(p + o, name, b + 1);
    return p;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A regular file found by lstat/stat (excluded, empty or to scan). */
static void add_regular(run *r, char *path, const struct stat *sb)
{
    if (file_excluded(r->o, path))
        add_job(r, path, JOB_NOTE, N_EXCLUDED, 0, 0);
    else if (sb->st_size == 0)
        add_job(r, path, JOB_NOTE, N_EMPTY, 0, 0);
    else
        add_job(r, path, JOB_FILE, N_EMPTY, 0, (uint64_t)sb->st_size);
}

/* Walk a directory depth-first in name order. Directories are counted
 * ("Scanned directories") only when they could be opened. */
static void walk(run *r, const char *dir, unsigned depth)
{
    DIR *d = opendir(dir);
    if (!d) {
        add_note(r, dir, N_CANT_OPEN_DIR, errno);
        return;
    }
    r->ndirs++;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn)
                oom();
            names = nn;
        }
        names[n++] = xstrdup(de->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_name);
    for (size_t i = 0; i < n; i++) {
        char *p = join(dir, names[i]);
        free(names[i]);
        struct stat sb;
        if (lstat(p, &sb) != 0) {
            add_job(r, p, JOB_NOTE, N_STAT_FAILED, errno, 0);
        } else if (S_ISLNK(sb.st_mode)) {
            add_job(r, p, JOB_NOTE, N_SYMLINK, 0, 0);
        } else if (S_ISDIR(sb.st_mode)) {
            if (dir_excluded(r->o, p))
                add_job(r, p, JOB_NOTE, N_EXCLUDED, 0, 0);
            else if (depth + 1 > r->o->max_dir_recursion)
                add_job(r, p, JOB_NOTE, N_DIR_DEPTH, 0, 0);
            else {
                walk(r, p, depth + 1);
                free(p);
            }
        } else if (S_ISREG(sb.st_mode)) {
            add_regular(r, p, &sb);
        } else if (file_excluded(r->o, p)) {
            add_job(r, p, JOB_NOTE, N_EXCLUDED, 0, 0);
        } else {
            add_job(r, p, JOB_NOTE, N_SPECIAL_WALK, 0, 0);
        }
    }
    free(names);
}

/* A PATH from the command line: symlinks are followed, as clamscan does. */
static void add_target(run *r, const char *arg)
{
    if (!strcmp(arg, "-")) {
        add_job(r, xstrdup("stdin"), JOB_STDIN, N_EMPTY, 0, 0);
        return;
    }
    struct stat sb;
    if (stat(arg, &sb) != 0) {
        int e = errno;
        struct stat lsb;
        if (e == ENOENT && lstat(arg, &lsb) == 0 && S_ISLNK(lsb.st_mode))
            add_note(r, arg, N_BROKEN_LINK, e);
        else
            add_note(r, arg, N_STAT_FAILED, e);
        return;
    }
    if (S_ISDIR(sb.st_mode)) {
        /* "dir///" is printed "dir/file" as clamscan does */
        char *p = xstrdup(arg);
        size_t l = strlen(p);
        while (l > 1 && p[l - 1] == '/')
            p[--l] = 0;
        if (dir_excluded(r->o, p))
            add_job(r, p, JOB_NOTE, N_EXCLUDED, 0, 0);
        else {
            walk(r, p, 0);
            free(p);
        }
    } else if (S_ISREG(sb.st_mode)) {
        add_regular(r, xstrdup(arg), &sb);
    } else if (file_excluded(r->o, arg)) {
        add_note(r, arg, N_EXCLUDED, 0);
    } else {
        add_note(r, arg, N_SPECIAL_ARG, 0);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- one job's output ------------------------------------------------- */

/* An informational line ("Empty file", "Symbolic link", "Excluded"). */
static void say_note(const opts *o, vgout_buf *ob, const char *path, const char *text)
{
    if (o->quiet || o->infected_only)
        return;
    if (o->json)
        vgout_json_note(ob, path, text);
    else
        vgout_printf(ob, 0, "%s: %s\n", path, text);
}

/* An error clamscan prints on stdout ("Access denied", "Can't open
 * directory."). With -i or --quiet it goes to stderr instead. */
static void say_error_line(run *r, vgout_buf *ob, const char *path, const char *text)
{
    const opts *o = r->o;
    atomic_fetch_add(&r->errors, 1);
    if (o->json && !o->quiet)
        vgout_json_error(ob, path, text);
    int to_err = o->json || o->quiet || o->infected_only;
    vgout_printf(ob, to_err, "%s: %s\n", path, text);
}

/* An error clamscan prints on stderr: the reason, then the WARNING line. */
static void say_access_error(run *r, vgout_buf *ob, const char *path, const char *text)
{
    const opts *o = r->o;
    atomic_fetch_add(&r->errors, 1);
    atomic_fetch_add(&r->arg_errors, 1);
    if (o->json && !o->quiet)
        vgout_json_error(ob, path, text);
    vgout_printf(ob, 1, "%s: %s\n", path, text);
    if (!o->quiet)
        vgout_printf(ob, 1, "WARNING: %s: Can't access file\n", path);
}

static void say_warning(run *r, vgout_buf *ob, const char *path, const char *text,
                        int is_error)
{
    const opts *o = r->o;
    if (is_error) {
        atomic_fetch_add(&r->errors, 1);
        atomic_fetch_add(&r->arg_errors, 1);
        if (o->json && !o->quiet)
            vgout_json_error(ob, path, text);
    } else if (o->json && !o->quiet && !o->infected_only) {
        vgout_json_note(ob, path, text);
    }
    if (!o->quiet)
        vgout_printf(ob, 1, "WARNING: %s: %s\n", path, text);
}

static void do_note(run *r, job *j, vgout_buf *ob)
{
    const opts *o = r->o;
    switch (j->note) {
    case N_SYMLINK: say_note(o, ob, j->path, "Symbolic link"); break;
    case N_EMPTY: say_note(o, ob, j->path, "Empty file"); break;
    case N_EXCLUDED: say_note(o, ob, j->path, "Excluded"); break;
    case N_SPECIAL_WALK: say_warning(r, ob, j->path, "Not supported file type", 0); break;
    case N_SPECIAL_ARG: say_warning(r, ob, j->path, "Not supported file type", 1); break;
    case N_DIR_DEPTH:
        say_warning(r, ob, j->path, "Directory recursion limit reached", 0);
        break;
    case N_CANT_OPEN_DIR: say_error_line(r, ob, j->path, "Can't open directory."); break;
    case N_STAT_FAILED:
        if (j->err == EACCES)
            say_error_line(r, ob, j->path, "Access denied");
        else
            say_access_error(r, ob, j->path, strerror(j->err));
        break;
    case N_BROKEN_LINK: say_access_error(r, ob, j->path, "Broken symbolic link"); break;
    }
}

/* --quarantine: move an infected file into the store right after its
 * scan (src/quarantine/quarantine.h says why a kill at any point loses
 * nothing). A failed move is an error; stdin cannot be moved. */
static void quarantine_job(run *r, const job *j, const vg_result *res, vgout_buf *ob)
{
    const opts *o = r->o;
    if (j->kind != JOB_FILE) {
        vgout_printf(ob, 1, "%s: not quarantined (standard input)\n", j->path);
        return;
    }
    size_t n = vg_result_count(res);
    const char **names = calloc(n ? n : 1, sizeof *names);
    if (!names)
        oom();
    size_t k = 0;
    for (size_t i = 0; i < n; i++) { /* each name once */
        const char *nm = vg_result_get(res, i)->name;
        size_t d = 0;
        while (d < k && strcmp(names[d], nm))
            d++;
        if (d == k)
            names[k++] = nm;
    }
    char id[VGQ_ID_LEN + 1];
    vg_status st = vgq_move(o->qstore, j->path, names, k, id);
    free(names);
    if (st == VG_OK) {
        if (o->json && !o->quiet)
            vgcli_json_quarantined(ob, j->path, id, NULL);
        else if (!o->quiet)
            vgout_printf(ob, 0, "%s: moved to quarantine as %s\n", j->path, id);
        return;
    }
    atomic_fetch_add(&r->errors, 1);
    const char *why = vgq_error(o->qstore);
    if (o->json && !o->quiet)
        vgcli_json_quarantined(ob, j->path, NULL, why);
    vgout_printf(ob, 1, "%s: quarantine failed: %s\n", j->path, why);
}

static void do_job(run *r, vg_scanner *sc, job *j, vgout_buf *ob)
{
    opts *o = r->o;
    if (j->kind == JOB_NOTE) {
        do_note(r, j, ob);
        return;
    }
    double t0 = now_s();
    vg_result *res = NULL;
    vg_status st = j->kind == JOB_STDIN ? vg_scanner_fd(sc, 0, &o->so, &res)
                                        : vg_scanner_file(sc, j->path, &o->so, &res);
    double dt = now_s() - t0;
    if (st != VG_OK) {
        if (st == VG_EACCES)
            say_error_line(r, ob, j->path, "Access denied");
        else if (st == VG_ENOENT)
            say_access_error(r, ob, j->path, strerror(ENOENT));
        else {
            char msg[128];
            snprintf(msg, sizeof msg, "%s ERROR", vg_strerror(st));
            say_error_line(r, ob, j->path, msg);
        }
        return;
    }
    atomic_fetch_add(&r->files, 1);
    atomic_fetch_add(&r->bytes_scanned, vg_result_bytes_scanned(res));
    /* "Data read" as clamscan counts it: whole 4 KiB blocks of each file,
     * the last partial block left out (68-byte eicar.com reads 0.00 MB) */
    atomic_fetch_add(&r->bytes_read, vg_result_size(res) / 4096 * 4096);
    if (vg_result_limits(res))
        atomic_fetch_add(&r->limited, 1);
    size_t n = vg_result_count(res);
    if (n) {
        atomic_fetch_add(&r->infected, 1);
        if (o->bell)
            vgout_printf(ob, 1, "\a");
    }
    if (o->quiet) {
        /* nothing on stdout */
    } else if (o->json) {
        if (n || !o->infected_only)
            vgout_json_result(ob, j->path, res, dt);
    } else if (n) {
        for (size_t i = 0; i < n; i++)
            vgout_printf(ob, 0, "%s: %s FOUND\n", j->path, vg_result_get(res, i)->name);
    } else if (!o->infected_only && !o->suppress_ok) {
        vgout_printf(ob, 0, "%s: OK\n", j->path);
    }
    if (n && o->qstore)
        quarantine_job(r, j, res, ob);
    vg_result_free(res);
}

static void *worker(void *arg)
{
    run *r = arg;
    vg_scanner *sc = NULL;
    if (vg_scanner_new(r->e, &sc) != VG_OK) {
        fputs("vigil: cannot create a scanner\n", stderr);
        exit(2);
    }
    vgout_buf ob;
    vgout_buf_init(&ob);
    for (;;) {
        size_t i = atomic_fetch_add(&r->next, 1);
        if (i >= r->njobs)
            break;
        job *j = &r->jobs[i];
        do_job(r, sc, j, &ob);
        pthread_mutex_lock(&r->out_lock);
        if (r->show_progress)
            vgout_progress_clear(&r->prog, ob.outlen > 0, ob.errlen > 0);
        vgout_flush(&ob); /* a terminal stdout is line buffered: on screen now */
        pthread_mutex_unlock(&r->out_lock);
        atomic_fetch_add(&r->done_bytes, j->size);
        atomic_fetch_add(&r->done, 1);
    }
    vgout_buf_free(&ob);
    vg_scanner_free(sc);
    return NULL;
}

/* ---- options ---------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
"Usage: vigil scan [options] [PATH...]\n"
"\n"
"Scan files and directories (always recursively) for malware, with the\n"
"output and exit codes of clamscan. PATH '-' scans standard input. With no\n"
"PATH the current directory is scanned.\n"
"\n"
"Databases:\n"
"  -d, --database=PATH        load a database file, or every database file in\n"
"                             a directory (repeatable); without -d the built-in\n"
"                             database (EICAR, ClamAV test file) is used;\n"
"                             .yar/.yara files are YARA 4 rules\n"
"  -D, --define=NAME=VALUE    YARA external variable (true/false, a number,\n"
"                             else text), as yara's -d\n"
"      --yara-strings         debug: print every match of each string of each\n"
"                             matching YARA rule as RULE:0xOFFSET:$id: data\n"
"                             (the `yara -s` view)\n"
"      --profile              after the scan, name the 10 slowest YARA rules\n"
"                             (condition + verifying their strings' matches)\n"
"\n"
"Output:\n"
"  -i, --infected             print only infected files (errors go to stderr)\n"
"  -o, --suppress-ok-results  do not print 'OK' lines\n"
"      --quiet                print nothing but error messages\n"
"      --no-summary           do not print the summary block\n"
"      --json                 one JSON object per line and file instead of text\n"
"                             (no summary)\n"
"      --bell                 ring the terminal bell on a detection\n"
"      --progress             progress bar on stderr even when not a terminal\n"
"      --no-progress          no progress bar (default: on when stderr is a\n"
"                             terminal)\n"
"\n"
"What to scan:\n"
"  -r, --recursive            accepted for clamscan compatibility (always on)\n"
"      --exclude=REGEX        skip files whose path matches REGEX (repeatable)\n"
"      --exclude-dir=REGEX    skip directories whose path matches REGEX\n"
"      --include=REGEX        scan only files whose path matches REGEX\n"
"      --include-dir=REGEX    enter only directories whose path matches REGEX\n"
"      --max-dir-recursion=N  directory depth walked (default 256)\n"
"\n"
"How to scan:\n"
"  -z, --allmatch, --all-match\n"
"                             report every signature that matches, not only one\n"
"      --alert-exceeds-max[=yes|no]\n"
"                             report a limit hit as\n"
"                             Heuristics.Limits.Exceeded.<Which> (default no)\n"
"      --alert-encrypted[=yes|no], --alert-encrypted-archive[=yes|no]\n"
"                             report encrypted archive members as\n"
"                             Heuristics.Encrypted.<Format> (default no)\n"
"      --no-unpack            scan raw bytes only, do not open containers\n"
"  -t, --threads=N            scanning threads (default: all cores)\n"
"      --quarantine           move infected files into the quarantine store\n"
"                             ('PATH: moved to quarantine as ID'); see\n"
"                             'vigil quarantine --help'\n"
"      --quarantine-dir=DIR   the store (default " VGQ_DEFAULT_DIR ")\n"
"      --no-sandbox           do not enter the seccomp sandbox (debugging)\n"
"\n"
"Limits (SIZE takes K, M or G; 0 = no limit; a hit is counted in the summary):\n"
"      --max-filesize=SIZE    larger files and members are not scanned (100M)\n"
"      --max-scansize=SIZE    bytes scanned per file, members included (400M)\n"
"      --max-recursion=N      container nesting depth (17)\n"
"      --max-files=N          objects scanned per file, members included (10000)\n"
"      --max-scantime=MS      milliseconds per file (120000)\n"
"      --max-ratio=N          members over 10M may expand at most N:1 (250)\n"
"\n"
"  -h, --help                 this text\n"
"  -V, --version              print the version\n"
"\n"
"Output lines: 'PATH: OK', 'PATH: NAME FOUND' (the top-level PATH also for a\n"
"detection inside a container; --json names the member), 'PATH: Empty file',\n"
"'PATH: Symbolic link', 'PATH: Excluded'.\n"
"Exit status: 0 nothing found, 1 something found (even if errors occurred),\n"
"2 errors only. See vigil(1).\n");
}

enum {
    O_NOSUM = 256, O_EXCL, O_EXCLDIR, O_INCL, O_INCLDIR, O_MAXFS, O_MAXSS, O_MAXREC,
    O_MAXFILES, O_MAXTIME, O_MAXRATIO, O_MAXDIRREC, O_ALERTMAX, O_ALERTENC,
    O_NOUNPACK, O_JSON, O_PROG, O_NOPROG, O_QUIET, O_BELL, O_QUAR, O_QUARDIR,
    O_NOSANDBOX
};

static int add_regex(regex_t **arr, int *n, const char *pat)
{
    regex_t *na = realloc(*arr, (size_t)(*n + 1) * sizeof *na);
    if (!na)
        oom();
    *arr = na;
    int rc = regcomp(&na[*n], pat, REG_EXTENDED | REG_NOSUB);
    if (rc) {
        char msg[256];
        regerror(rc, &na[*n], msg, sizeof msg);
        fprintf(stderr, "vigil: bad regular expression '%s': %s\n", pat, msg);
        return -1;
    }
    (*n)++;
    return 0;
}

int vgcli_parse_size(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!s || *s < '0' || *s > '9')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    unsigned long long mul = 1;
    if (*end == 'K' || *end == 'k')
        mul = 1024ull, end++;
    else if (*end == 'M' || *end == 'm')
        mul = 1024ull * 1024, end++;
    else if (*end == 'G' || *end == 'g')
        mul = 1024ull * 1024 * 1024, end++;
    if (*end)
        return -1;
    if (v > ULLONG_MAX / mul)
        return -1;
    *out = v * mul;
    return 0;
}

/* A size ("100M") or, with !size, a plain count; bounded by `max`. */
static int parse_num(const char *opt, const char *s, int size, unsigned long long min,
                     unsigned long long max, unsigned long long *v)
{
    if (vgcli_parse_size(s, v) != 0 || (!size && strpbrk(s, "KkMmGg")) || *v < min ||
        *v > max) {
        fprintf(stderr, "vigil: bad value '%s' for --%s\n", s, opt);
        return -1;
    }
    return 0;
}

/* --opt[=yes|no] */
static int parse_bool(const char *opt, const char *arg, int *out)
{
    if (!arg || !strcmp(arg, "yes"))
        *out = 1;
    else if (!strcmp(arg, "no"))
        *out = 0;
    else {
        fprintf(stderr, "vigil: --%s takes yes or no, not '%s'\n", opt, arg);
        return -1;
    }
    return 0;
}

static void set_flag(unsigned *flags, unsigned bit, int on)
{
    if (on)
        *flags |= bit;
    else
        *flags &= ~bit;
}

/* 0 = go on, 1 = done (help/version printed), -1 = usage error */
static int parse_opts(int argc, char **argv, opts *o)
{
    static const struct option lo[] = {
        {"database", required_argument, 0, 'd'},
        {"all-match", optional_argument, 0, 'z'},
        {"allmatch", optional_argument, 0, 'z'},
        {"infected", no_argument, 0, 'i'},
        {"suppress-ok-results", no_argument, 0, 'o'},
        {"quiet", no_argument, 0, O_QUIET},
        {"bell", no_argument, 0, O_BELL},
        {"recursive", optional_argument, 0, 'r'},
        {"no-summary", no_argument, 0, O_NOSUM},
        {"exclude", required_argument, 0, O_EXCL},
        {"exclude-dir", required_argument, 0, O_EXCLDIR},
        {"include", required_argument, 0, O_INCL},
        {"include-dir", required_argument, 0, O_INCLDIR},
        {"max-filesize", required_argument, 0, O_MAXFS},
        {"max-scansize", required_argument, 0, O_MAXSS},
        {"max-recursion", required_argument, 0, O_MAXREC},
        {"max-files", required_argument, 0, O_MAXFILES},
        {"max-scantime", required_argument, 0, O_MAXTIME},
        {"max-ratio", required_argument, 0, O_MAXRATIO},
        {"max-dir-recursion", required_argument, 0, O_MAXDIRREC},
        {"alert-exceeds-max", optional_argument, 0, O_ALERTMAX},
        {"alert-encrypted", optional_argument, 0, O_ALERTENC},
        {"alert-encrypted-archive", optional_argument, 0, O_ALERTENC},
        {"no-unpack", no_argument, 0, O_NOUNPACK},
        {"threads", required_argument, 0, 't'},
        {"json", no_argument, 0, O_JSON},
        {"progress", no_argument, 0, O_PROG},
        {"no-progress", no_argument, 0, O_NOPROG},
        {"quarantine", no_argument, 0, O_QUAR},
        {"quarantine-dir", required_argument, 0, O_QUARDIR},
        {"no-sandbox", no_argument, 0, O_NOSANDBOX},
        {"define", required_argument, 0, 'D'},
        {"yara-strings", no_argument, 0, O_YARASTR},
        {"profile", no_argument, 0, O_PROFILE},
        {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},
        {0, 0, 0, 0}};
    int c, b;
    unsigned long long v;
    o->progress = -1;
    o->max_dir_recursion = DEFAULT_MAX_DIR_RECURSION;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:D:ziort:hV", lo, NULL)) != -1) {
        switch (c) {
        case 'd': {
            const char **nd = realloc(o->dbs, (size_t)(o->ndbs + 1) * sizeof *nd);
            if (!nd)
                oom();
            o->dbs = nd;
            o->dbs[o->ndbs++] = optarg;
            break;
        }
        case 'D': {
            const char **nd = realloc(o->defs, (size_t)(o->ndefs + 1) * sizeof *nd);
            if (!nd)
                oom();
            o->defs = nd;
            o->defs[o->ndefs++] = optarg;
            break;
        }
        case O_YARASTR: o->yara_strings = 1; break;
        case O_PROFILE: o->profile = 1; break;
        case 'z': /* -z, --allmatch[=yes|no] */
            if (parse_bool("allmatch", optarg, &b)) return -1;
            set_flag(&o->so.flags, VG_SCAN_ALLMATCH, b);
            break;
        case 'i': o->infected_only = 1; break;
        case 'o': o->suppress_ok = 1; break;
        case 'r': /* always recursive; --recursive[=yes|no] accepted */
            if (parse_bool("recursive", optarg, &b)) return -1;
            break;
        case O_QUIET: o->quiet = 1; break;
        case O_BELL: o->bell = 1; break;
        case O_NOSUM: o->no_summary = 1; break;
        case O_EXCL:
            if (add_regex(&o->excl, &o->nexcl, optarg)) return -1;
            break;
        case O_EXCLDIR:
            if (add_regex(&o->excl_dir, &o->nexcl_dir, optarg)) return -1;
            break;
        case O_INCL:
            if (add_regex(&o->incl, &o->nincl, optarg)) return -1;
            break;
        case O_INCLDIR:
            if (add_regex(&o->incl_dir, &o->nincl_dir, optarg)) return -1;
            break;
        /* as in clamscan, 0 means no limit (for --max-recursion: the
         * default, with a warning) */
        case O_MAXFS:
            if (parse_num("max-filesize", optarg, 1, 0, ULLONG_MAX, &v)) return -1;
            o->so.limits.max_filesize = v ? v : UINT64_MAX;
            break;
        case O_MAXSS:
            if (parse_num("max-scansize", optarg, 1, 0, ULLONG_MAX, &v)) return -1;
            o->so.limits.max_scansize = v ? v : UINT64_MAX;
            break;
        case O_MAXREC:
            if (parse_num("max-recursion", optarg, 0, 0, 1000, &v)) return -1;
            if (v == 0)
                fprintf(stderr, "WARNING: --max-recursion=0 is not allowed, using "
                                "the default: %u\n", VG_DEFAULT_MAX_RECURSION);
            o->so.limits.max_recursion = v ? (uint32_t)v : VG_DEFAULT_MAX_RECURSION;
            break;
        case O_MAXFILES:
            if (parse_num("max-files", optarg, 0, 0, UINT32_MAX, &v)) return -1;
            o->so.limits.max_files = v ? (uint32_t)v : UINT32_MAX;
            break;
        case O_MAXTIME:
            if (parse_num("max-scantime", optarg, 0, 0, UINT32_MAX, &v)) return -1;
            o->so.limits.max_scantime_ms = (uint32_t)v;
            break;
        case O_MAXRATIO:
            if (parse_num("max-ratio", optarg, 0, 0, UINT32_MAX, &v)) return -1;
            o->so.limits.max_ratio = (uint32_t)v;
            break;
        case O_MAXDIRREC:
            if (parse_num("max-dir-recursion", optarg, 0, 0, 100000, &v)) return -1;
            o->max_dir_recursion = (unsigned)v;
            break;
        case O_ALERTMAX:
            if (parse_bool("alert-exceeds-max", optarg, &b)) return -1;
            set_flag(&o->so.flags, VG_SCAN_ALERT_EXCEEDS_MAX, b);
            break;
        case O_ALERTENC:
            if (parse_bool("alert-encrypted", optarg, &b)) return -1;
            set_flag(&o->so.flags, VG_SCAN_ALERT_ENCRYPTED, b);
            break;
        case O_NOUNPACK: o->so.flags |= VG_SCAN_NO_UNPACK; break;
        case 't':
            if (parse_num("threads", optarg, 0, 1, 1024, &v)) return -1;
            o->threads = (int)v;
            break;
        case O_JSON: o->json = 1; break;
        case O_PROG: o->progress = 1; break;
        case O_NOPROG: o->progress = 0; break;
        case O_QUAR: o->quarantine = 1; break;
        case O_QUARDIR: o->quarantine_dir = optarg; break;
        case O_NOSANDBOX: o->no_sandbox = 1; break;
        case 'h': usage(stdout); return 1;
        case 'V': printf("vigil %s\n", vg_version()); return 1;
        default:
            fputs("Try 'vigil scan --help' for more information.\n", stderr);
            return -1;
        }
    }
    return 0;
}

static void free_opts(opts *o)
{
    regex_t *sets[] = {o->excl, o->excl_dir, o->incl, o->incl_dir};
    int ns[] = {o->nexcl, o->nexcl_dir, o->nincl, o->nincl_dir};
    for (int k = 0; k < 4; k++) {
        for (int i = 0; i < ns[k]; i++)
            regfree(&sets[k][i]);
        free(sets[k]);
    }
    free(o->dbs);
    free(o->defs);
    vgq_close(o->qstore);
}

/* --yara-strings: "RULE:0xOFFSET:$id: data" per match, the data as
 * `yara -s` prints it (hex strings as bytes, at most 64, others as
 * escaped text, at most 512 bytes). */
static void yara_string_line(void *user, const char *rule, const char *sid, int is_hex,
                             uint64_t off, const uint8_t *d, size_t n)
{
    (void)user;
    flockfile(stdout);
    printf("%s:0x%llx:%s: ", rule, (unsigned long long)off, sid);
    /* yara shows a hex string's first 64 bytes, then "...", and the first
     * 512 bytes of any other */
    if (!is_hex && n > 512)
        n = 512;
    for (size_t i = 0; i < n; i++) {
        if (is_hex && i == 64) {
            fputs("...", stdout);
            break;
        }
        if (is_hex)
            printf(i + 1 < n ? "%02X " : "%02X", d[i]);
        else if (d[i] >= 0x20 && d[i] < 0x7f)
            putchar(d[i]);
        else
            printf("\\x%02X", d[i]);
    }
    putchar('\n');
    funlockfile(stdout);
}

/* Once per run, on stderr: what the databases held that vigil does not
 * use (bytecode is never executed; see db/load_cvd.c). */
static void report_skipped(const vg_engine *e)
{
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
}

static vg_engine *load_engine(opts *o)
{
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK) {
        fputs("vigil: out of memory\n", stderr);
        return NULL;
    }
    vg_status st = VG_OK;
    for (int i = 0; st == VG_OK && i < o->ndefs; i++) {
        char name[256];
        const char *eq = strchr(o->defs[i], '=');
        if (!eq || eq == o->defs[i] || (size_t)(eq - o->defs[i]) >= sizeof name) {
            fprintf(stderr, "vigil: -D wants NAME=VALUE, not '%s'\n", o->defs[i]);
            vg_engine_free(e);
            return NULL;
        }
        snprintf(name, sizeof name, "%.*s", (int)(eq - o->defs[i]), o->defs[i]);
        st = vg_engine_define(e, name, eq + 1);
    }
    if (o->yara_strings)
        vg_engine_set_yara_trace(e, yara_string_line, NULL);
    if (o->profile)
        vg_engine_set_yara_profile(e, 1);
    if (st == VG_OK && o->ndbs == 0)
        st = vg_engine_load_builtin(e);
    for (int i = 0; st == VG_OK && i < o->ndbs; i++)
        st = vg_engine_load(e, o->dbs[i]);
    if (st == VG_OK)
        st = vg_engine_compile(e);
    if (st != VG_OK) {
        /* the first line is exactly "file:line: reason" */
        const char *msg = vg_engine_error(e);
        if (*msg)
            fprintf(stderr, "%s\n", msg);
        fprintf(stderr, "ERROR: Can't load the database: %s\n", vg_strerror(st));
        vg_engine_free(e);
        return NULL;
    }
    report_skipped(e);
    return e;
}

/* --profile: the slowest YARA rules, on stderr (stdout is for results). */
static void print_profile(const vg_engine *e)
{
    vg_yara_profile p[10];
    size_t n = vg_engine_yara_profile(e, p, 10);
    if (n == 0) {
        fputs("vigil: --profile: no YARA rules were loaded\n", stderr);
        return;
    }
    fputs("vigil: slowest YARA rules (condition + verifying their strings' matches, all "
          "threads; the shared string search is not counted per rule):\n", stderr);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "  %10.3f ms  %s  (condition %.3f ms, strings %.3f ms)\n",
                (double)(p[i].cond_ns + p[i].strings_ns) / 1e6, p[i].rule,
                (double)p[i].cond_ns / 1e6, (double)p[i].strings_ns / 1e6);
}

static void free_run(run *r)
{
    for (size_t i = 0; i < r->njobs; i++)
        free(r->jobs[i].path);
    free(r->jobs);
    pthread_mutex_destroy(&r->out_lock);
    free(r);
}

/* From here on nothing may reach the network, run a program or write a
 * file except in the quarantine store (src/sandbox/seccomp.h). Entered
 * after the databases are loaded and before any scanned byte is read. */
static int enter_sandbox(const opts *o)
{
    if (o->no_sandbox) {
        fputs("vigil: --no-sandbox: scanning WITHOUT the seccomp sandbox (for debugging "
              "only)\n", stderr);
        return 0;
    }
    int qfd = o->qstore ? vgq_dirfd(o->qstore) : -1;
    char err[256];
    if (vgsb_enter_dirs(o->qstore ? VGSB_UNLINK : 0, o->qstore ? &qfd : NULL,
                        o->qstore ? 1 : 0, err, sizeof err) != 0) {
        fprintf(stderr, "vigil: %s (--no-sandbox scans without it)\n", err);
        return -1;
    }
    return 0;
}

int vgcli_scan(int argc, char **argv)
{
    opts o;
    memset(&o, 0, sizeof o);
    vg_scan_opts_default(&o.so);
    int pr = parse_opts(argc, argv, &o);
    if (pr != 0) {
        free_opts(&o);
        return pr > 0 ? 0 : 2;
    }
    if (o.quarantine_dir && !o.quarantine) {
        fputs("vigil: --quarantine-dir goes with --quarantine\n", stderr);
        free_opts(&o);
        return 2;
    }
    if (o.quarantine) {
        char err[512];
        const char *qd = o.quarantine_dir ? o.quarantine_dir : VGQ_DEFAULT_DIR;
        if (vgq_open(qd, 1, &o.qstore, err, sizeof err) != VG_OK) {
            fprintf(stderr, "vigil: quarantine: %s\n", err);
            free_opts(&o);
            return 2;
        }
    }
    time_t start_wall = time(NULL);
    double t0 = now_s();
    vg_engine *e = load_engine(&o);
    if (!e) {
        free_opts(&o);
        return 2;
    }
    if (enter_sandbox(&o) != 0) {
        vg_engine_free(e);
        free_opts(&o);
        return 2;
    }
    run *r = calloc(1, sizeof *r);
    if (!r)
        oom();
    r->o = &o;
    r->e = e;
    pthread_mutex_init(&r->out_lock, NULL);
    if (optind >= argc) {
        /* clamscan scans the working directory and prints full paths */
        char *cwd = getcwd(NULL, 0);
        add_target(r, cwd ? cwd : ".");
        free(cwd);
    }
    for (int i = optind; i < argc; i++)
        add_target(r, argv[i]);
    uint64_t total = 0;
    for (size_t i = 0; i < r->njobs; i++)
        total += r->jobs[i].size;

    int nthreads = o.threads;
    if (nthreads <= 0) {
        long nc = sysconf(_SC_NPROCESSORS_ONLN);
        nthreads = nc > 0 ? (int)(nc > 1024 ? 1024 : nc) : 1;
    }
    if ((size_t)nthreads > r->njobs)
        nthreads = r->njobs ? (int)r->njobs : 1;
    r->show_progress = !o.quiet && (o.progress >= 0 ? o.progress : isatty(2));
    if (r->show_progress)
        vgout_progress_start(&r->prog, r->njobs, total, &r->done, &r->done_bytes,
                             &r->out_lock);
    pthread_t *th = calloc((size_t)nthreads, sizeof *th);
    if (!th)
        oom();
    int started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&th[started], NULL, worker, r) != 0)
            break;
    if (started == 0) {
        fputs("vigil: cannot start a scanning thread\n", stderr);
        exit(2);
    }
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    if (r->show_progress)
        vgout_progress_stop(&r->prog);
    if (o.profile) /* the workers have freed their scanners: totals are in */
        print_profile(e);

    unsigned long long infected = atomic_load(&r->infected);
    unsigned long long errors = atomic_load(&r->errors);
    if (!o.no_summary && !o.json && !o.quiet) {
        vgout_summary s = {
            .known = vg_engine_sig_count(e),
            .dirs = r->ndirs,
            .files = atomic_load(&r->files),
            .infected = infected,
            .errors = errors - atomic_load(&r->arg_errors),
            .limited = atomic_load(&r->limited),
            .bytes_scanned = atomic_load(&r->bytes_scanned),
            .bytes_read = atomic_load(&r->bytes_read),
            .secs = now_s() - t0,
            .start = start_wall,
            .end = time(NULL),
        };
        vgout_print_summary(stdout, &s);
    }
    int write_failed = fflush(stdout) != 0 || ferror(stdout);
    if (write_failed)
        fprintf(stderr, "vigil: writing the results failed: %s\n", strerror(errno));
    free_run(r);
    free_opts(&o);
    vg_engine_free(e);
    return infected ? 1 : (errors || write_failed) ? 2 : 0;
}
