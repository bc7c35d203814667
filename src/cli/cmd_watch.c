/* cli/cmd_watch.c - `vigil watch PATH...`: on-access scanning with
 * fanotify permission events. An open (FAN_OPEN_PERM) or an exec
 * (FAN_OPEN_EXEC_PERM) of a file under a watched directory waits until
 * vigil answers: allowed if clean, denied (the open fails with EPERM) if
 * infected. With --notify-only the marks ask for plain notification events
 * (FAN_OPEN, FAN_OPEN_EXEC) instead: no open ever waits for vigil, the
 * file is scanned while the opener goes on, and detections are logged.
 *
 * Design, against what makes clamonacc hang busy systems:
 *   - The main thread only reads events and answers the cheap cases at
 *     once: our own and other vigil processes (same executable as this one
 *     or vigild next to it, compared by device and inode of
 *     /proc/PID/exe), files other than regular ones, files outside the
 *     watched paths (--mount), and files in the verdict cache.
 *   - Verdict cache: direct-mapped, WATCH_CACHE_SLOTS entries keyed by
 *     device, inode and change time (ctime, to the nanosecond); a write
 *     changes the ctime, and FAN_CLOSE_WRITE also drops the entry, so an
 *     unchanged file is scanned once. Only finished scans are cached.
 *   - Everything else goes to a pool of scanning threads (one vg_scanner
 *     each), through a queue of at most WATCH_MAX_PENDING events; past
 *     that an open is allowed and logged rather than queued.
 *   - Every event has a deadline (--timeout, default 3000 ms, counted from
 *     its arrival, queueing included): the main thread allows an open
 *     whose deadline passed and logs it. The scan goes on and its verdict
 *     is cached, so the next open of the file gets it (the scan itself
 *     stops at 10 times the limit). Each event is answered exactly once
 *     (an atomic flag decides between the scanning thread and the
 *     deadline). As in `vigil scan`, a file for which a scan limit was
 *     hit is clean unless something was found before it.
 *   - On SIGINT/SIGTERM every pending open is allowed before exit (the
 *     kernel also allows them when the fanotify descriptor is closed).
 *   - After the marks are placed the process enters the scan sandbox
 *     (src/sandbox/seccomp.h): the bytes of files opened by anyone on
 *     the machine are parsed by a process that cannot reach the network,
 *     run programs or write files. --no-sandbox for debugging.
 *
 * Marks: each PATH that is a directory is marked with FAN_EVENT_ON_CHILD,
 * and so is every directory below it found at start (fanotify directory
 * marks are not recursive; directories created later are not watched).
 * --mount marks the whole mount of each PATH instead (new directories
 * included) and answers events outside the PATHs at once.
 *
 * Log lines on stdout, one per decision that is not "clean":
 *   PATH: NAME FOUND, open denied (pid N)     ("exec denied" for an exec)
 *   PATH: NAME FOUND, open allowed (--notify-only) (pid N)
 *   PATH: not scanned within N ms, open allowed (pid N)
 *   PATH: scan error (REASON), open allowed (pid N)
 * and "watching ..." / the counters on stderr at start and end. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sandbox/seccomp.h"
#include "vigil/vigil.h"

#define WATCH_CACHE_SLOTS 16384u  /* verdict cache entries (direct-mapped), ~2 MB */
#define WATCH_MAX_PENDING 4096u   /* events waiting for or in a scan */
#define WATCH_MAX_DIRS 100000u    /* directories marked below the PATHs */
#define WATCH_DEFAULT_TIMEOUT_MS 3000u
#define WATCH_NAME_MAX 96         /* signature name kept in the cache */

typedef struct wjob {
    int fd;
    pid_t pid;
    int exec; /* FAN_OPEN_EXEC(_PERM): an execve */
    int perm; /* a permission event, which must be answered */
    dev_t dev;
    ino_t ino;
    struct timespec ctime;
    double deadline;
    atomic_int answered;
    struct wjob *prev, *next; /* the pending list (all live jobs) */
    struct wjob *qnext;       /* the work queue */
} wjob;

typedef struct centry {
    dev_t dev;
    ino_t ino;
    struct timespec ctime;
    int valid, infected;
    char name[WATCH_NAME_MAX];
} centry;

typedef struct watch {
    vg_engine *e;
    vg_scan_opts so;
    int fan;
    int notify_only, mount_mode, nthreads, no_sandbox;
    unsigned timeout_ms;
    char **roots; /* realpath of each PATH (for --mount filtering) */
    int nroots;
    struct stat self_exe, vigild_exe;
    int have_vigild;
    pthread_mutex_t mu; /* pending list, queue, counters below */
    pthread_cond_t cv;
    wjob *pending, *qhead, *qtail;
    unsigned npending;
    int quit;
    pthread_mutex_t cache_mu;
    centry *cache;
    pthread_mutex_t out_mu;
    atomic_ullong events, scanned, cached, denied, timeouts, excluded, errors, overflow;
} watch;

static volatile sig_atomic_t stop_flag;
static int stop_pipe[2] = {-1, -1};

static void on_stop(int sig)
{
    (void)sig;
    stop_flag = 1;
    ssize_t w = write(stop_pipe[1], "x", 1);
    (void)w;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- answering and logging -------------------------------------------- */

static void respond(watch *w, int fd, int allow)
{
    struct fanotify_response r = {.fd = fd, .response = allow ? FAN_ALLOW : FAN_DENY};
    if (write(w->fan, &r, sizeof r) != (ssize_t)sizeof r)
        fprintf(stderr, "vigil watch: answering an event failed: %s\n", strerror(errno));
}

/* Answer a job once: 1 if this call answered it. A notification event
 * (--notify-only) has nobody waiting: it is only marked answered. */
static int answer(watch *w, wjob *j, int allow)
{
    int expected = 0;
    if (!atomic_compare_exchange_strong(&j->answered, &expected, 1))
        return 0;
    if (j->perm)
        respond(w, j->fd, allow);
    return 1;
}

static void fd_path(int fd, char *out, size_t len)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, len - 1);
    if (n < 0)
        snprintf(out, len, "(fd %d)", fd);
    else
        out[n] = 0;
}

static void logf_(watch *w, int fd, pid_t pid, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void logf_(watch *w, int fd, pid_t pid, const char *fmt, ...)
{
    char path[PATH_MAX], what[512];
    fd_path(fd, path, sizeof path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&w->out_mu);
    printf("%s: %s (pid %ld)\n", path, what, (long)pid);
    fflush(stdout);
    pthread_mutex_unlock(&w->out_mu);
}

/* ---- the verdict cache ------------------------------------------------ */

static size_t slot_of(dev_t dev, ino_t ino)
{
    uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ull ^ (uint64_t)dev * 0xc2b2ae3d27d4eb4full;
    return (size_t)(h >> 32) % WATCH_CACHE_SLOTS;
}

/* 1 and *infected/name when the cache knows this version of the file. */
static int cache_get(watch *w, const struct stat *sb, int *infected, char *name, size_t nlen)
{
    int hit = 0;
    pthread_mutex_lock(&w->cache_mu);
    centry *c = &w->cache[slot_of(sb->st_dev, sb->st_ino)];
    if (c->valid && c->dev == sb->st_dev && c->ino == sb->st_ino &&
        c->ctime.tv_sec == sb->st_ctim.tv_sec && c->ctime.tv_nsec == sb->st_ctim.tv_nsec) {
        hit = 1;
        *infected = c->infected;
        snprintf(name, nlen, "%s", c->name);
    }
    pthread_mutex_unlock(&w->cache_mu);
    return hit;
}

static void cache_put(watch *w, const wjob *j, int infected, const char *name)
{
    pthread_mutex_lock(&w->cache_mu);
    centry *c = &w->cache[slot_of(j->dev, j->ino)];
    c->dev = j->dev;
    c->ino = j->ino;
    c->ctime = j->ctime;
    c->valid = 1;
    c->infected = infected;
    snprintf(c->name, sizeof c->name, "%s", name ? name : "");
    pthread_mutex_unlock(&w->cache_mu);
}

static void cache_drop(watch *w, const struct stat *sb)
{
    pthread_mutex_lock(&w->cache_mu);
    centry *c = &w->cache[slot_of(sb->st_dev, sb->st_ino)];
    if (c->dev == sb->st_dev && c->ino == sb->st_ino)
        c->valid = 0;
    pthread_mutex_unlock(&w->cache_mu);
}

/* ---- scanning threads ------------------------------------------------- */

static void finish(watch *w, wjob *j)
{
    pthread_mutex_lock(&w->mu);
    if (j->prev)
        j->prev->next = j->next;
    else
        w->pending = j->next;
    if (j->next)
        j->next->prev = j->prev;
    w->npending--;
    pthread_mutex_unlock(&w->mu);
    close(j->fd);
    free(j);
}

static void scan_job(watch *w, vg_scanner *sc, wjob *j)
{
    vg_result *res = NULL;
    vg_status st = vg_scanner_fd(sc, j->fd, &w->so, &res);
    atomic_fetch_add(&w->scanned, 1);
    if (st != VG_OK) {
        atomic_fetch_add(&w->errors, 1);
        if (answer(w, j, 1))
            logf_(w, j->fd, j->pid, "scan error (%s), open allowed", vg_strerror(st));
        return;
    }
    size_t n = vg_result_count(res);
    const char *name = n ? vg_result_get(res, 0)->name : NULL;
    cache_put(w, j, n > 0, name);
    if (n == 0) {
        answer(w, j, 1);
    } else if (w->notify_only) {
        if (answer(w, j, 1))
            logf_(w, j->fd, j->pid, "%s FOUND, open allowed (--notify-only)", name);
    } else if (answer(w, j, 0)) {
        atomic_fetch_add(&w->denied, 1);
        logf_(w, j->fd, j->pid, "%s FOUND, %s denied", name, j->exec ? "exec" : "open");
    } else {
        logf_(w, j->fd, j->pid, "%s FOUND after the time limit; the open was allowed, "
                                "the next one will be denied", name);
    }
    vg_result_free(res);
}

static void *worker(void *arg)
{
    watch *w = arg;
    vg_scanner *sc = NULL;
    if (vg_scanner_new(w->e, &sc) != VG_OK) {
        fputs("vigil watch: cannot create a scanner\n", stderr);
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (!w->qhead && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        wjob *j = w->qhead;
        if (j) {
            w->qhead = j->qnext;
            if (!w->qhead)
                w->qtail = NULL;
        }
        int quit = w->quit;
        pthread_mutex_unlock(&w->mu);
        if (!j)
            break;
        if (!quit)
            scan_job(w, sc, j);
        else
            answer(w, j, 1);
        finish(w, j);
    }
    vg_scanner_free(sc);
    return NULL;
}

/* ---- events ----------------------------------------------------------- */

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Another vigil process (this binary or vigild): its opens are its own
 * business (a `vigil scan` must be able to read infected files). */
static int is_vigil_process(watch *w, pid_t pid)
{
    if (pid == getpid())
        return 1;
    char p[64];
    struct stat sb;
    snprintf(p, sizeof p, "/proc/%ld/exe", (long)pid);
    if (stat(p, &sb) != 0)
        return 0;
    return same_file(&sb, &w->self_exe) || (w->have_vigild && same_file(&sb, &w->vigild_exe));
}

static int under_roots(watch *w, int fd)
{
    char path[PATH_MAX];
    fd_path(fd, path, sizeof path);
    for (int i = 0; i < w->nroots; i++) {
        size_t l = strlen(w->roots[i]);
        if (!strncmp(path, w->roots[i], l) &&
            (path[l] == '/' || path[l] == 0 || (l == 1 && w->roots[i][0] == '/')))
            return 1;
    }
    return 0;
}

/* Queue a scan; 0 if the queue is full (the caller allows the open). */
static int enqueue(watch *w, const struct fanotify_event_metadata *m, const struct stat *sb)
{
    wjob *j = calloc(1, sizeof *j);
    if (!j)
        return 0;
    j->fd = m->fd;
    j->pid = m->pid;
    j->exec = (m->mask & (FAN_OPEN_EXEC_PERM | FAN_OPEN_EXEC)) != 0;
    j->perm = (m->mask & (FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM)) != 0;
    j->dev = sb->st_dev;
    j->ino = sb->st_ino;
    j->ctime = sb->st_ctim;
    /* nobody waits on a notification: no deadline (the scan time limit
     * still stops the scan) */
    j->deadline = j->perm ? now_s() + w->timeout_ms / 1000.0 : HUGE_VAL;
    atomic_init(&j->answered, 0);
    pthread_mutex_lock(&w->mu);
    if (w->npending >= WATCH_MAX_PENDING) {
        pthread_mutex_unlock(&w->mu);
        free(j);
        return 0;
    }
    j->next = w->pending;
    if (w->pending)
        w->pending->prev = j;
    w->pending = j;
    w->npending++;
    if (w->qtail)
        w->qtail->qnext = j;
    else
        w->qhead = j;
    w->qtail = j;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return 1;
}

/* One permission event: answer now, or hand it to the scanning threads
 * (which then own the descriptor). The common case, a clean file in the
 * cache, costs an fstat and a lookup; whether the opener is a vigil
 * process is only asked when that would change the answer. */
static void on_perm_event(watch *w, const struct fanotify_event_metadata *m)
{
    struct stat sb;
    int infected = 0, allow = 1;
    char name[WATCH_NAME_MAX];
    atomic_fetch_add(&w->events, 1);
    if (fstat(m->fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0 ||
        (w->mount_mode && !under_roots(w, m->fd))) {
        /* nothing to scan */
    } else if (cache_get(w, &sb, &infected, name, sizeof name)) {
        atomic_fetch_add(&w->cached, 1);
        if (infected && is_vigil_process(w, m->pid)) {
            atomic_fetch_add(&w->excluded, 1);
        } else if (infected) {
            allow = w->notify_only;
            atomic_fetch_add(&w->denied, (unsigned long long)!allow);
            logf_(w, m->fd, m->pid, "%s FOUND, %s %s", name,
                  m->mask & (FAN_OPEN_EXEC_PERM | FAN_OPEN_EXEC) ? "exec" : "open",
                  allow ? "allowed (--notify-only)" : "denied");
        }
    } else if (is_vigil_process(w, m->pid)) {
        atomic_fetch_add(&w->excluded, 1);
    } else if (enqueue(w, m, &sb)) {
        return;
    } else {
        atomic_fetch_add(&w->overflow, 1);
        logf_(w, m->fd, m->pid, "%u scans pending, open allowed without a scan",
              WATCH_MAX_PENDING);
    }
    if (m->mask & (FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM))
        respond(w, m->fd, allow);
    close(m->fd);
}

static void read_events(watch *w)
{
    static char buf[64 * 1024] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
    for (;;) {
        ssize_t len = read(w->fan, buf, sizeof buf);
        if (len <= 0)
            return; /* EAGAIN: all read */
        const struct fanotify_event_metadata *m = (const void *)buf;
        for (; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
            if (m->vers != FANOTIFY_METADATA_VERSION) {
                fputs("vigil watch: fanotify metadata version mismatch\n", stderr);
                exit(2);
            }
            if (m->mask & FAN_Q_OVERFLOW) {
                fputs("vigil watch: the kernel's event queue overflowed\n", stderr);
                continue;
            }
            if (m->fd < 0)
                continue;
            if (m->mask & (FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM | FAN_OPEN | FAN_OPEN_EXEC)) {
                on_perm_event(w, m);
            } else { /* FAN_CLOSE_WRITE: the cached verdict is stale */
                struct stat sb;
                if (fstat(m->fd, &sb) == 0)
                    cache_drop(w, &sb);
                close(m->fd);
            }
        }
    }
}

/* Allow every open whose deadline passed; returns ms to the next one. */
static int check_deadlines(watch *w)
{
    double now = now_s(), next = now + 0.1;
    pthread_mutex_lock(&w->mu);
    for (wjob *j = w->pending; j; j = j->next) {
        if (atomic_load(&j->answered))
            continue;
        if (j->deadline <= now) {
            if (answer(w, j, 1)) {
                atomic_fetch_add(&w->timeouts, 1);
                logf_(w, j->fd, j->pid, "not scanned within %u ms, open allowed", w->timeout_ms);
            }
        } else if (j->deadline < next) {
            next = j->deadline;
        }
    }
    pthread_mutex_unlock(&w->mu);
    int ms = (int)((next - now) * 1000.0) + 1;
    return ms < 1 ? 1 : ms > 100 ? 100 : ms;
}

/* ---- marks ------------------------------------------------------------ */

static uint64_t mark_mask = FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM | FAN_CLOSE_WRITE;
static uint64_t exec_bit = FAN_OPEN_EXEC_PERM;

static int mark(watch *w, const char *path, unsigned extra)
{
    uint64_t mask = mark_mask | (w->mount_mode ? 0 : FAN_EVENT_ON_CHILD);
    unsigned fl = FAN_MARK_ADD | (w->mount_mode ? FAN_MARK_MOUNT : FAN_MARK_ONLYDIR) | extra;
    if (fanotify_mark(w->fan, fl, mask, AT_FDCWD, path) == 0)
        return 0;
    if (errno == EINVAL && (mark_mask & exec_bit)) {
        /* kernels before 5.0: no FAN_OPEN_EXEC(_PERM); an exec still opens */
        mark_mask &= ~exec_bit;
        fputs("vigil watch: this kernel has no FAN_OPEN_EXEC_PERM; execs are checked "
              "as opens\n", stderr);
        return mark(w, path, extra);
    }
    return -1;
}

/* Mark `dir` and the directories below it (not following symlinks). */
static int mark_tree(watch *w, const char *dir, unsigned *count, unsigned depth)
{
    if (*count >= WATCH_MAX_DIRS) {
        fprintf(stderr, "vigil watch: more than %u directories; %s and below not watched "
                        "(use --mount)\n", WATCH_MAX_DIRS, dir);
        return 0;
    }
    if (mark(w, dir, 0) != 0) {
        fprintf(stderr, "vigil watch: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    (*count)++;
    DIR *d = opendir(dir);
    if (!d || depth > 256) {
        if (d)
            closedir(d);
        return 0;
    }
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        struct stat sb;
        if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(sb.st_mode))
            continue;
        size_t l = strlen(dir) + strlen(de->d_name) + 2;
        char *sub = malloc(l);
        if (!sub)
            break;
        snprintf(sub, l, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name);
        rc = mark_tree(w, sub, count, depth + 1);
        free(sub);
    }
    closedir(d);
    return rc;
}

static int place_marks(watch *w, char **paths, int n)
{
    unsigned dirs = 0;
    w->roots = calloc((size_t)n, sizeof *w->roots);
    if (!w->roots)
        return -1;
    for (int i = 0; i < n; i++) {
        struct stat sb;
        char *real = realpath(paths[i], NULL);
        if (!real || stat(real, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            fprintf(stderr, "vigil watch: %s: %s\n", paths[i],
                    real ? "not a directory" : strerror(errno));
            free(real);
            return -1;
        }
        w->roots[w->nroots++] = real;
        if (w->mount_mode ? mark(w, real, 0) : mark_tree(w, real, &dirs, 0))
            return -1;
    }
    char what[64];
    if (w->mount_mode)
        snprintf(what, sizeof what, "the mount%s of %d path%s", n > 1 ? "s" : "", n,
                 n > 1 ? "s" : "");
    else
        snprintf(what, sizeof what, "%d path%s (%u director%s)", n, n > 1 ? "s" : "", dirs,
                 dirs == 1 ? "y" : "ies");
    fprintf(stderr, "vigil watch: watching %s, %s, %d scanning threads, time limit %u ms; "
                    "ready\n",
            what, w->notify_only ? "logging only (--notify-only)" : "blocking infected files",
            w->nthreads, w->timeout_ms);
    return 0;
}

/* ---- options ---------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
"Usage: vigil watch [options] PATH...\n"
"\n"
"On-access scanning (root): every open or exec of a file under the PATHs\n"
"waits for a scan; an infected file cannot be opened (EPERM). Uses fanotify\n"
"permission events. Runs until SIGINT or SIGTERM.\n"
"\n"
"  -d, --database=PATH    database file or directory (repeatable; default:\n"
"                         the built-in database)\n"
"      --notify-only      never block: opens do not wait for a scan (fanotify\n"
"                         notification events); detections are logged\n"
"      --timeout=MS       per-file time limit; when a scan takes longer, the\n"
"                         open is allowed and logged (default %u)\n"
"  -t, --threads=N        scanning threads (default: all cores, at least 2)\n"
"      --mount            watch the whole mount of each PATH (directories\n"
"                         created later included); by default each PATH and\n"
"                         the directories below it at start are watched\n"
"      --max-filesize=SIZE  larger files are not scanned (100M)\n"
"      --no-sandbox       do not enter the seccomp sandbox (debugging)\n"
"  -h, --help             this text\n"
"\n"
"Each file is scanned once until it changes (verdict cache keyed by device,\n"
"inode and change time). Opens by vigil's own processes (this program,\n"
"vigild) are not scanned. Log on stdout, one line per detection, time-out or\n"
"error: 'PATH: NAME FOUND, open denied (pid N)'. See vigil(1).\n",
            WATCH_DEFAULT_TIMEOUT_MS);
}

enum { W_NOTIFY = 256, W_TIMEOUT, W_MOUNT, W_MAXFS, W_NOSANDBOX };

/* 0 = go on, 1 = help printed, -1 = usage error */
static int parse_watch_opts(int argc, char **argv, watch *w, const char ***dbs, int *ndbs)
{
    static const struct option lo[] = {
        {"database", required_argument, 0, 'd'},
        {"notify-only", no_argument, 0, W_NOTIFY},
        {"timeout", required_argument, 0, W_TIMEOUT},
        {"threads", required_argument, 0, 't'},
        {"mount", no_argument, 0, W_MOUNT},
        {"max-filesize", required_argument, 0, W_MAXFS},
        {"no-sandbox", no_argument, 0, W_NOSANDBOX},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    unsigned long long v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:t:h", lo, NULL)) != -1) {
        switch (c) {
        case 'd': {
            const char **nd = realloc(*dbs, (size_t)(*ndbs + 1) * sizeof *nd);
            if (!nd)
                return -1;
            *dbs = nd;
            nd[(*ndbs)++] = optarg;
            break;
        }
        case W_NOTIFY: w->notify_only = 1; break;
        case W_MOUNT: w->mount_mode = 1; break;
        case W_NOSANDBOX: w->no_sandbox = 1; break;
        case W_TIMEOUT:
            if (vgcli_parse_size(optarg, &v) || strpbrk(optarg, "KkMmGg") || v < 1 ||
                v > 600000) {
                fprintf(stderr, "vigil: bad value '%s' for --timeout (1..600000 ms)\n", optarg);
                return -1;
            }
            w->timeout_ms = (unsigned)v;
            break;
        case 't':
            if (vgcli_parse_size(optarg, &v) || strpbrk(optarg, "KkMmGg") || v < 1 || v > 256) {
                fprintf(stderr, "vigil: bad value '%s' for --threads (1..256)\n", optarg);
                return -1;
            }
            w->nthreads = (int)v;
            break;
        case W_MAXFS:
            if (vgcli_parse_size(optarg, &v)) {
                fprintf(stderr, "vigil: bad value '%s' for --max-filesize\n", optarg);
                return -1;
            }
            w->so.limits.max_filesize = v ? v : UINT64_MAX;
            break;
        case 'h': usage(stdout); return 1;
        default:
            fputs("Try 'vigil watch --help' for more information.\n", stderr);
            return -1;
        }
    }
    if (optind >= argc) {
        fputs("vigil watch: no PATH to watch\n", stderr);
        usage(stderr);
        return -1;
    }
    return 0;
}

/* ---- set-up and the event loop ---------------------------------------- */

static vg_engine *watch_engine(const char **dbs, int ndbs)
{
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK)
        return NULL;
    vg_status st = ndbs ? VG_OK : vg_engine_load_builtin(e);
    for (int i = 0; st == VG_OK && i < ndbs; i++)
        st = vg_engine_load(e, dbs[i]);
    if (st == VG_OK)
        st = vg_engine_compile(e);
    if (st != VG_OK) {
        const char *msg = vg_engine_error(e);
        fprintf(stderr, "%s%sERROR: Can't load the database: %s\n", msg, *msg ? "\n" : "",
                vg_strerror(st));
        vg_engine_free(e);
        return NULL;
    }
    vg_engine_skipped sk; /* never silently: see db/load_cvd.c */
    vg_engine_skipped_get(e, &sk);
    if (sk.bytecode)
        fprintf(stderr, "vigil: %llu bytecode signatures skipped (not supported)\n",
                (unsigned long long)sk.bytecode);
    if (sk.unsupported)
        fprintf(stderr, "vigil: %llu signatures in %s files skipped (not supported yet)\n",
                (unsigned long long)sk.unsupported, sk.types);
    return e;
}

/* Who is "vigil": this executable and vigild next to it. */
static void find_own_exes(watch *w)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 8);
    stat("/proc/self/exe", &w->self_exe);
    if (n <= 0)
        return;
    self[n] = 0;
    char *slash = strrchr(self, '/');
    if (!slash)
        return;
    memcpy(slash + 1, "vigild", sizeof "vigild"); /* room: 8 bytes were kept */
    w->have_vigild = stat(self, &w->vigild_exe) == 0;
}

static void run_loop(watch *w)
{
    struct pollfd pf[2] = {{.fd = w->fan, .events = POLLIN}, {.fd = stop_pipe[0], .events = POLLIN}};
    int wait_ms = 100;
    while (!stop_flag) {
        int r = poll(pf, 2, wait_ms);
        if (r < 0 && errno != EINTR) {
            fprintf(stderr, "vigil watch: poll: %s\n", strerror(errno));
            break;
        }
        if (r > 0 && (pf[0].revents & POLLIN))
            read_events(w);
        wait_ms = check_deadlines(w);
    }
}

static void shut_down(watch *w, pthread_t *th, int started)
{
    pthread_mutex_lock(&w->mu);
    for (wjob *j = w->pending; j; j = j->next)
        answer(w, j, 1); /* nobody waits on a stopping watcher */
    w->quit = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    close(w->fan);
    fprintf(stderr,
            "vigil watch: stopped: %llu opens checked, %llu scanned, %llu from the cache, "
            "%llu denied, %llu over the time limit, %llu by vigil itself, %llu scan errors, "
            "%llu not queued\n",
            (unsigned long long)w->events, (unsigned long long)w->scanned,
            (unsigned long long)w->cached, (unsigned long long)w->denied,
            (unsigned long long)w->timeouts, (unsigned long long)w->excluded,
            (unsigned long long)w->errors, (unsigned long long)w->overflow);
}

static int setup(watch *w, char **paths, int npaths)
{
    w->fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK | FAN_UNLIMITED_QUEUE,
                           O_RDONLY | O_LARGEFILE | O_CLOEXEC);
    if (w->fan < 0) {
        fprintf(stderr, "vigil watch: fanotify_init: %s (needs root and a kernel with "
                        "fanotify permission events, CONFIG_FANOTIFY_ACCESS_PERMISSIONS)\n",
                strerror(errno));
        return -1;
    }
    find_own_exes(w);
    if (!(w->cache = calloc(WATCH_CACHE_SLOTS, sizeof *w->cache)) || pipe(stop_pipe) != 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (w->notify_only) { /* nobody waits: notification events */
        mark_mask = FAN_OPEN | FAN_OPEN_EXEC | FAN_CLOSE_WRITE;
        exec_bit = FAN_OPEN_EXEC;
    }
    if (place_marks(w, paths, npaths) != 0)
        return -1;
    if (w->no_sandbox) {
        fputs("vigil: --no-sandbox: scanning WITHOUT the seccomp sandbox (for debugging "
              "only)\n", stderr);
        return 0;
    }
    return vgsb_enter(0);
}

int vgcli_watch(int argc, char **argv)
{
    static watch w; /* big (the counters are atomics); one per process */
    memset(&w, 0, sizeof w);
    vg_scan_opts_default(&w.so);
    w.timeout_ms = WATCH_DEFAULT_TIMEOUT_MS;
    w.fan = -1;
    const char **dbs = NULL;
    int ndbs = 0;
    int pr = parse_watch_opts(argc, argv, &w, &dbs, &ndbs);
    if (pr != 0) {
        free(dbs);
        return pr > 0 ? 0 : 2;
    }
    if (w.nthreads == 0) {
        long nc = sysconf(_SC_NPROCESSORS_ONLN);
        w.nthreads = nc < 2 ? 2 : nc > 64 ? 64 : (int)nc;
    }
    /* a scan may go on after its open was allowed (its verdict is cached
     * for the next open), but not for ever: 10 times the time limit */
    unsigned long long lim = 10ull * w.timeout_ms;
    w.so.limits.max_scantime_ms =
        (uint32_t)(lim < VG_DEFAULT_MAX_SCANTIME_MS ? lim : VG_DEFAULT_MAX_SCANTIME_MS);
    w.e = watch_engine(dbs, ndbs);
    free(dbs);
    pthread_mutex_init(&w.mu, NULL);
    pthread_mutex_init(&w.cache_mu, NULL);
    pthread_mutex_init(&w.out_mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    int rc = 2, started = 0;
    pthread_t *th = calloc((size_t)w.nthreads, sizeof *th);
    if (w.e && th && setup(&w, argv + optind, argc - optind) == 0) {
        for (; started < w.nthreads; started++)
            if (pthread_create(&th[started], NULL, worker, &w) != 0)
                break;
        if (started > 0) {
            run_loop(&w);
            rc = 0;
        }
        shut_down(&w, th, started);
    } else if (w.fan >= 0) {
        close(w.fan);
    }
    free(th);
    for (int i = 0; i < w.nroots; i++)
        free(w.roots[i]);
    free(w.roots);
    free(w.cache);
    vg_engine_free(w.e);
    return rc;
}
