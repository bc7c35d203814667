/* cli/cmd_scan.c - `vigil scan`: clamscan-compatible scanning of files,
 * trees and stdin on all cores.
 *
 * The tree is walked first (lstat only) into a list of jobs, so the total
 * is known for the progress bar's ETA; then N threads take jobs by an
 * atomic index, each with its own vg_scanner. A job's output lines are
 * built in memory and written under one lock, so each file's lines stay
 * together. Exit code: 1 if anything was found (wins), else 2 if anything
 * failed, else 0. */
#include <errno.h>
#include <dirent.h>
#include <getopt.h>
#include <json-c/json.h>
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
#include "vigil/vigil.h"

enum job_kind { JOB_FILE, JOB_STDIN, JOB_NOTE };

typedef struct job {
    char *path;
    enum job_kind kind;
    const char *note;   /* JOB_NOTE: "Symbolic link", "Excluded", ... */
    int note_err;       /* note goes to stderr and counts as an error */
    uint64_t size;
} job;

typedef struct opts {
    const char **dbs;
    int ndbs;
    int infected_only, no_summary, json, progress;
    int threads;
    vg_scan_opts so;
    regex_t *excl, *excl_dir;
    int nexcl, nexcl_dir;
} opts;

typedef struct run {
    opts *o;
    vg_engine *e;
    job *jobs;
    size_t njobs, capjobs;
    unsigned ndirs;
    atomic_size_t next;
    atomic_ullong files, infected, errors, bytes_scanned, bytes_read, done_bytes;
    atomic_size_t done;
    pthread_mutex_t out_lock;
    vgout_progress prog;
} run;

static void add_job(run *r, char *path, enum job_kind k, const char *note, int err,
                    uint64_t size)
{
    if (r->njobs == r->capjobs) {
        size_t cap = r->capjobs ? r->capjobs * 2 : 256;
        job *nj = realloc(r->jobs, cap * sizeof *nj);
        if (!nj) {
            fprintf(stderr, "vigil: out of memory\n");
            exit(2);
        }
        r->jobs = nj;
        r->capjobs = cap;
    }
    r->jobs[r->njobs++] = (job){path, k, note, err, size};
}

static int excluded(regex_t *re, int n, const char *path)
{
    for (int i = 0; i < n; i++)
        if (regexec(&re[i], path, 0, NULL, 0) == 0)
            return 1;
    return 0;
}

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p) {
        fprintf(stderr, "vigil: out of memory\n");
        exit(2);
    }
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

/* Walk a directory depth-first in name order. */
static void walk(run *r, const char *dir, unsigned depth)
{
    r->ndirs++;
    DIR *d = opendir(dir);
    if (!d) {
        add_job(r, strdup(dir), JOB_NOTE, strerror(errno), 1, 0);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = realloc(names, cap * sizeof *names);
            if (!names) {
                fprintf(stderr, "vigil: out of memory\n");
                exit(2);
            }
        }
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_name);
    for (size_t i = 0; i < n; i++) {
        char *p = join(dir, names[i]);
        free(names[i]);
        struct stat sb;
        if (lstat(p, &sb) != 0) {
            add_job(r, p, JOB_NOTE, strerror(errno), 1, 0);
            continue;
        }
        if (S_ISLNK(sb.st_mode)) {
            add_job(r, p, JOB_NOTE, "Symbolic link", 0, 0);
        } else if (S_ISDIR(sb.st_mode)) {
            if (excluded(r->o->excl_dir, r->o->nexcl_dir, p)) {
                add_job(r, p, JOB_NOTE, "Excluded", 0, 0);
                continue;
            }
            if (depth < 256)
                walk(r, p, depth + 1);
            free(p);
        } else if (excluded(r->o->excl, r->o->nexcl, p)) {
            add_job(r, p, JOB_NOTE, "Excluded", 0, 0);
        } else if (!S_ISREG(sb.st_mode)) {
            add_job(r, p, JOB_NOTE, "Not supported file type", 1, 0);
        } else if (sb.st_size == 0) {
            add_job(r, p, JOB_NOTE, "Empty file", 0, 0);
        } else {
            add_job(r, p, JOB_FILE, NULL, 0, (uint64_t)sb.st_size);
        }
    }
    free(names);
}

static void add_target(run *r, const char *arg)
{
    if (!strcmp(arg, "-")) {
        add_job(r, strdup("stdin"), JOB_STDIN, NULL, 0, 0);
        return;
    }
    struct stat sb;
    if (stat(arg, &sb) != 0) {
        add_job(r, strdup(arg), JOB_NOTE, strerror(errno), 1, 0);
        return;
    }
    if (S_ISDIR(sb.st_mode)) {
        if (excluded(r->o->excl_dir, r->o->nexcl_dir, arg)) {
            add_job(r, strdup(arg), JOB_NOTE, "Excluded", 0, 0);
            return;
        }
        walk(r, arg, 0);
    } else if (excluded(r->o->excl, r->o->nexcl, arg)) {
        add_job(r, strdup(arg), JOB_NOTE, "Excluded", 0, 0);
    } else if (!S_ISREG(sb.st_mode)) {
        add_job(r, strdup(arg), JOB_NOTE, "Not supported file type", 1, 0);
    } else if (sb.st_size == 0) {
        add_job(r, strdup(arg), JOB_NOTE, "Empty file", 0, 0);
    } else {
        add_job(r, strdup(arg), JOB_FILE, NULL, 0, (uint64_t)sb.st_size);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void do_job(run *r, vg_scanner *sc, job *j, vgout_buf *ob)
{
    opts *o = r->o;
    ob->len = 0;
    if (j->kind == JOB_NOTE) {
        if (j->note_err) {
            atomic_fetch_add(&r->errors, 1);
            if (!strcmp(j->note, "Not supported file type"))
                vgout_printf(ob, 1, "WARNING: %s: %s\n", j->path, j->note);
            else {
                vgout_printf(ob, 1, "%s: %s\n", j->path, j->note);
                vgout_printf(ob, 1, "WARNING: %s: Can't access file\n", j->path);
            }
        } else if (o->json) {
            vgout_json_note(ob, j->path, j->note);
        } else if (!o->infected_only) {
            vgout_printf(ob, 0, "%s: %s\n", j->path, j->note);
        }
        return;
    }
    double t0 = now_s();
    vg_result *res = NULL;
    vg_status st = j->kind == JOB_STDIN ? vg_scanner_fd(sc, 0, &o->so, &res)
                                        : vg_scanner_file(sc, j->path, &o->so, &res);
    double dt = now_s() - t0;
    if (st != VG_OK) {
        atomic_fetch_add(&r->errors, 1);
        if (o->json)
            vgout_json_error(ob, j->path, vg_strerror(st));
        vgout_printf(ob, 1, "%s: %s\n", j->path, vg_strerror(st));
        vgout_printf(ob, 1, "WARNING: %s: Can't access file\n", j->path);
        return;
    }
    atomic_fetch_add(&r->files, 1);
    atomic_fetch_add(&r->bytes_scanned, vg_result_bytes_scanned(res));
    atomic_fetch_add(&r->bytes_read, vg_result_size(res));
    size_t n = vg_result_count(res);
    if (n)
        atomic_fetch_add(&r->infected, 1);
    if (o->json) {
        vgout_json_result(ob, j->path, res, dt);
    } else if (n) {
        for (size_t i = 0; i < n; i++)
            vgout_printf(ob, 0, "%s: %s FOUND\n", j->path, vg_result_get(res, i)->name);
    } else if (!o->infected_only) {
        vgout_printf(ob, 0, "%s: OK\n", j->path);
    }
    vg_result_free(res);
}

static void *worker(void *arg)
{
    run *r = arg;
    vg_scanner *sc = NULL;
    if (vg_scanner_new(r->e, &sc) != VG_OK) {
        fprintf(stderr, "vigil: cannot create scanner\n");
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
        vgout_flush(&ob);
        pthread_mutex_unlock(&r->out_lock);
        atomic_fetch_add(&r->done_bytes, j->size);
        atomic_fetch_add(&r->done, 1);
    }
    vgout_buf_free(&ob);
    vg_scanner_free(sc);
    return NULL;
}

static void usage(FILE *f)
{
    fprintf(f,
"usage: vigil scan [options] [PATH...]\n"
"\n"
"Scan files and directories (recursively) for malware. PATH '-' scans stdin.\n"
"With no PATH the current directory is scanned.\n"
"\n"
"  -d, --database=PATH      load a database file or directory (repeatable);\n"
"                           without -d the built-in default database is used\n"
"  -z, --all-match          report every matching signature, not just the first\n"
"  -i, --infected           print infected files only\n"
"      --no-summary         do not print the summary block\n"
"      --exclude=REGEX      skip files whose path matches REGEX (repeatable)\n"
"      --exclude-dir=REGEX  skip directories whose path matches REGEX\n"
"      --max-filesize=SIZE  files larger than this are not scanned (100M)\n"
"      --max-scansize=SIZE  bytes scanned per file, containers included (400M)\n"
"      --max-recursion=N    container nesting depth (17)\n"
"      --max-files=N        members extracted per file (10000)\n"
"      --max-scantime=MS    time per file in milliseconds, 0 = none (120000)\n"
"      --max-ratio=N        compression ratio limit for members over 10M (250)\n"
"      --alert-exceeds-max  report a limit hit as Heuristics.Limits.Exceeded.*\n"
"      --alert-encrypted    report encrypted archive members as Heuristics.Encrypted.*\n"
"      --no-unpack          scan raw bytes only (no containers)\n"
"  -t, --threads=N          scanning threads (default: all cores)\n"
"      --json               one JSON object per scanned file instead of text\n"
"      --progress / --no-progress   progress bar on stderr (default: if a terminal)\n"
"  -r, --recursive          accepted for clamscan compatibility (always on)\n"
"  -h, --help               this text\n"
"\n"
"Output lines are as clamscan's: 'PATH: OK', 'PATH: NAME FOUND'.\n"
"Exit status: 0 nothing found, 1 something found, 2 an error occurred.\n");
}

enum {
    O_NOSUM = 256, O_EXCL, O_EXCLDIR, O_MAXFS, O_MAXSS, O_MAXREC, O_MAXFILES,
    O_MAXTIME, O_MAXRATIO, O_ALERTMAX, O_ALERTENC, O_NOUNPACK, O_JSON, O_PROG,
    O_NOPROG
};

static int add_regex(regex_t **arr, int *n, const char *pat)
{
    regex_t *na = realloc(*arr, (size_t)(*n + 1) * sizeof *na);
    if (!na)
        return -1;
    *arr = na;
    int rc = regcomp(&na[*n], pat, REG_EXTENDED | REG_NOSUB);
    if (rc) {
        char msg[256];
        regerror(rc, &na[*n], msg, sizeof msg);
        fprintf(stderr, "vigil: bad regex '%s': %s\n", pat, msg);
        return -1;
    }
    (*n)++;
    return 0;
}

static int parse_num(const char *opt, const char *s, unsigned long long *v, int size)
{
    if ((size ? vgcli_parse_size(s, v) : vgcli_parse_size(s, v)) != 0 ||
        (!size && strpbrk(s, "KkMmGg"))) {
        fprintf(stderr, "vigil: bad value '%s' for --%s\n", s, opt);
        return -1;
    }
    return 0;
}

int vgcli_parse_size(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-')
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

static int parse_opts(int argc, char **argv, opts *o)
{
    static const struct option lo[] = {
        {"database", required_argument, 0, 'd'},
        {"all-match", no_argument, 0, 'z'},
        {"allmatch", no_argument, 0, 'z'},
        {"infected", no_argument, 0, 'i'},
        {"recursive", no_argument, 0, 'r'},
        {"no-summary", no_argument, 0, O_NOSUM},
        {"exclude", required_argument, 0, O_EXCL},
        {"exclude-dir", required_argument, 0, O_EXCLDIR},
        {"max-filesize", required_argument, 0, O_MAXFS},
        {"max-scansize", required_argument, 0, O_MAXSS},
        {"max-recursion", required_argument, 0, O_MAXREC},
        {"max-files", required_argument, 0, O_MAXFILES},
        {"max-scantime", required_argument, 0, O_MAXTIME},
        {"max-ratio", required_argument, 0, O_MAXRATIO},
        {"alert-exceeds-max", optional_argument, 0, O_ALERTMAX},
        {"alert-encrypted", optional_argument, 0, O_ALERTENC},
        {"no-unpack", no_argument, 0, O_NOUNPACK},
        {"threads", required_argument, 0, 't'},
        {"json", no_argument, 0, O_JSON},
        {"progress", no_argument, 0, O_PROG},
        {"no-progress", no_argument, 0, O_NOPROG},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    unsigned long long v;
    o->progress = -1;
    while ((c = getopt_long(argc, argv, "d:zirt:h", lo, NULL)) != -1) {
        switch (c) {
        case 'd':
            o->dbs = realloc(o->dbs, (size_t)(o->ndbs + 1) * sizeof *o->dbs);
            if (!o->dbs)
                return -1;
            o->dbs[o->ndbs++] = optarg;
            break;
        case 'z': o->so.flags |= VG_SCAN_ALLMATCH; break;
        case 'i': o->infected_only = 1; break;
        case 'r': break;
        case O_NOSUM: o->no_summary = 1; break;
        case O_EXCL:
            if (add_regex(&o->excl, &o->nexcl, optarg))
                return -1;
            break;
        case O_EXCLDIR:
            if (add_regex(&o->excl_dir, &o->nexcl_dir, optarg))
                return -1;
            break;
        case O_MAXFS:
            if (parse_num("max-filesize", optarg, &v, 1)) return -1;
            o->so.limits.max_filesize = v;
            break;
        case O_MAXSS:
            if (parse_num("max-scansize", optarg, &v, 1)) return -1;
            o->so.limits.max_scansize = v;
            break;
        case O_MAXREC:
            if (parse_num("max-recursion", optarg, &v, 0) || v > 1000) return -1;
            o->so.limits.max_recursion = (uint32_t)v;
            break;
        case O_MAXFILES:
            if (parse_num("max-files", optarg, &v, 0) || v > UINT32_MAX) return -1;
            o->so.limits.max_files = (uint32_t)v;
            break;
        case O_MAXTIME:
            if (parse_num("max-scantime", optarg, &v, 0) || v > UINT32_MAX) return -1;
            o->so.limits.max_scantime_ms = (uint32_t)v;
            break;
        case O_MAXRATIO:
            if (parse_num("max-ratio", optarg, &v, 0) || v == 0 || v > UINT32_MAX) return -1;
            o->so.limits.max_ratio = (uint32_t)v;
            break;
        case O_ALERTMAX:
            if (!optarg || !strcmp(optarg, "yes"))
                o->so.flags |= VG_SCAN_ALERT_EXCEEDS_MAX;
            else
                o->so.flags &= ~(unsigned)VG_SCAN_ALERT_EXCEEDS_MAX;
            break;
        case O_ALERTENC:
            if (!optarg || !strcmp(optarg, "yes"))
                o->so.flags |= VG_SCAN_ALERT_ENCRYPTED;
            else
                o->so.flags &= ~(unsigned)VG_SCAN_ALERT_ENCRYPTED;
            break;
        case O_NOUNPACK: o->so.flags |= VG_SCAN_NO_UNPACK; break;
        case 't':
            if (parse_num("threads", optarg, &v, 0) || v == 0 || v > 1024) {
                fprintf(stderr, "vigil: --threads must be 1..1024\n");
                return -1;
            }
            o->threads = (int)v;
            break;
        case O_JSON: o->json = 1; break;
        case O_PROG: o->progress = 1; break;
        case O_NOPROG: o->progress = 0; break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    return 0;
}

static vg_engine *load_engine(opts *o, double *secs)
{
    double t0 = now_s();
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK) {
        fprintf(stderr, "vigil: out of memory\n");
        return NULL;
    }
    vg_status st = VG_OK;
    if (o->ndbs == 0)
        st = vg_engine_load_builtin(e);
    for (int i = 0; st == VG_OK && i < o->ndbs; i++)
        st = vg_engine_load(e, o->dbs[i]);
    if (st == VG_OK)
        st = vg_engine_compile(e);
    if (st != VG_OK) {
        const char *msg = vg_engine_error(e);
        fprintf(stderr, "vigil: %s\n", *msg ? msg : vg_strerror(st));
        fprintf(stderr, "ERROR: Can't load the database: %s\n", vg_strerror(st));
        vg_engine_free(e);
        return NULL;
    }
    *secs = now_s() - t0;
    return e;
}

int vgcli_scan(int argc, char **argv)
{
    opts o;
    memset(&o, 0, sizeof o);
    vg_scan_opts_default(&o.so);
    if (parse_opts(argc, argv, &o))
        return 2;
    time_t start_wall = time(NULL);
    double t0 = now_s(), load_secs = 0;
    vg_engine *e = load_engine(&o, &load_secs);
    if (!e)
        return 2;
    run *r = calloc(1, sizeof *r);
    if (!r)
        return 2;
    r->o = &o;
    r->e = e;
    pthread_mutex_init(&r->out_lock, NULL);
    if (optind >= argc)
        add_target(r, ".");
    for (int i = optind; i < argc; i++)
        add_target(r, argv[i]);
    uint64_t total = 0;
    for (size_t i = 0; i < r->njobs; i++)
        total += r->jobs[i].size;

    int nthreads = o.threads;
    if (nthreads <= 0) {
        long nc = sysconf(_SC_NPROCESSORS_ONLN);
        nthreads = nc > 0 ? (int)nc : 1;
    }
    if ((size_t)nthreads > r->njobs)
        nthreads = r->njobs ? (int)r->njobs : 1;
    int show_prog = o.progress >= 0 ? o.progress : isatty(2);
    if (show_prog)
        vgout_progress_start(&r->prog, r->njobs, total, &r->done, &r->done_bytes,
                             &r->out_lock);
    pthread_t *th = calloc((size_t)nthreads, sizeof *th);
    if (!th)
        return 2;
    for (int i = 0; i < nthreads; i++)
        if (pthread_create(&th[i], NULL, worker, r) != 0) {
            fprintf(stderr, "vigil: cannot start thread\n");
            return 2;
        }
    for (int i = 0; i < nthreads; i++)
        pthread_join(th[i], NULL);
    if (show_prog)
        vgout_progress_stop(&r->prog);
    free(th);

    unsigned long long infected = atomic_load(&r->infected);
    unsigned long long errors = atomic_load(&r->errors);
    if (!o.no_summary && !o.json) {
        vgout_summary s = {
            .known = vg_engine_sig_count(e),
            .dirs = r->ndirs,
            .files = atomic_load(&r->files),
            .infected = infected,
            .errors = errors,
            .bytes_scanned = atomic_load(&r->bytes_scanned),
            .bytes_read = atomic_load(&r->bytes_read),
            .secs = now_s() - t0,
            .start = start_wall,
            .end = time(NULL),
        };
        vgout_print_summary(stdout, &s);
    }
    fflush(stdout);
    for (size_t i = 0; i < r->njobs; i++)
        free(r->jobs[i].path);
    free(r->jobs);
    pthread_mutex_destroy(&r->out_lock);
    free(r);
    for (int i = 0; i < o.nexcl; i++)
        regfree(&o.excl[i]);
    for (int i = 0; i < o.nexcl_dir; i++)
        regfree(&o.excl_dir[i]);
    free(o.excl);
    free(o.excl_dir);
    free(o.dbs);
    vg_engine_free(e);
    return infected ? 1 : errors ? 2 : 0;
}
