/* daemon/jobs.c - what vigild's workers run, with clamd 1.4.6's replies.
 *
 * Every reply is "[<id>: ]<text><term>" (the id only inside IDSESSION).
 * Path commands follow clamd's walk and accounting, checked against clamd
 * (tests/e2e/daemon_proto.sh):
 *   - trailing slashes are cut from the path before anything is printed;
 *   - an ExcludePath match prints "PATH: Excluded" (not for MULTISCAN) and
 *     is neither scanned nor counted;
 *   - symlinks are not followed (FollowFileSymlinks/FollowDirectorySymlinks
 *     no): a symlink is skipped but counted, so "SCAN link" answers OK;
 *   - a FIFO, socket or device named directly answers "Not supported file
 *     type ERROR" and then OK; inside a walk it is skipped silently;
 *   - a directory is read whole, then files before directories, each group
 *     by inode number (clamd's cli_ftw order); depth stops at
 *     MaxDirectoryRecursion;
 *   - clean files print nothing; at the end "PATH: OK" is printed when
 *     nothing was found and not everything counted was an error. SCAN and
 *     ALLMATCHSCAN stop at the first infected file, CONTSCAN goes on;
 *   - MULTISCAN hands each non-empty file to the pool as its own job and
 *     counts only those (an empty or all-excluded directory prints nothing,
 *     as clamd does); it needs a second free thread or answers "Not enough
 *     threads for multiscan. Increase MaxThreads. ERROR".
 * Status texts are clamd's cl_strerror() wording. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/daemon.h"

struct vgd_group {
    pthread_mutex_t lock;
    pthread_cond_t done;
    unsigned pending, ok, err, total;
};

enum wtype { W_SCAN, W_CONT, W_MULTI };

typedef struct walk {
    vgd_job *j;
    vgd_worker *w;
    enum wtype type;
    int allmatch;
    unsigned total, errors, infected;
    int stop;
    vgd_group *g;
} walk;

static void run_job(vgd_task *t, vgd_worker *w);

vgd_job *vgd_job_new(vgd_ctx *ctx, vgd_conn *conn, vgd_cmd cmd, unsigned id, char term)
{
    vgd_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->ctx = ctx;
    j->conn = conn;
    j->cmd = cmd;
    j->id = id;
    j->term = term;
    j->fd = -1;
    j->task.run = run_job;
    vgd_conn_hold(conn);
    return j;
}

void vgd_job_free(vgd_job *j)
{
    if (!j)
        return;
    if (j->fd >= 0)
        close(j->fd);
    free(j->data);
    if (j->charged)
        atomic_fetch_sub(&j->ctx->spool_mem, j->charged);
    free(j->path);
    vgd_conn_release(j->conn);
    free(j);
}

/* "[id: ]text<term>"; returns -1 when the client is gone. */
static int reply(vgd_job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int reply(vgd_job *j, const char *fmt, ...)
{
    char stack[VGD_REPLY_MAX];
    char *buf = stack;
    size_t cap = sizeof stack;
    for (int pass = 0; pass < 2; pass++) {
        int n = 0;
        if (j->id)
            n = snprintf(buf, cap, "%u: ", j->id);
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(buf + n, cap - (size_t)n, fmt, ap);
        va_end(ap);
        if (k < 0)
            break;
        size_t total = (size_t)n + (size_t)k + 1;
        if (total <= cap) {
            buf[total - 1] = j->term;
            int rc = vgd_conn_send(j->conn, buf, total);
            if (buf != stack)
                free(buf);
            return rc;
        }
        if (pass == 0) {
            buf = malloc(total);
            if (!buf)
                return -1;
            cap = total;
        }
    }
    if (buf != stack)
        free(buf);
    return -1;
}

/* clamd's cl_strerror() text for a failed scan. */
static const char *scan_error(vg_status st)
{
    switch (st) {
    case VG_ENOMEM: return "Can't allocate memory";
    case VG_ENOENT: return "Can't open file or directory";
    case VG_EIO: return "Can't read file";
    case VG_EFORMAT: return "Bad format or broken data";
    case VG_ELIMIT: return "Exceeded scan limit";
    default: return vg_strerror(st);
    }
}

/* Report one scanned object under `label`. Returns 1 infected, 0 clean,
 * -1 error. */
static int report(vgd_job *j, const char *label, vg_status st, vg_result *r, int allmatch)
{
    /* the log names streams as clamd does; replies say "stream" */
    const char *lname = strcmp(label, "stream") ? label : "instream(local)";
    if (st != VG_OK) {
        const char *why = st == VG_EACCES ? "Access denied." : scan_error(st);
        reply(j, "%s: %s ERROR", label, why);
        vgd_log(VGD_LOG_INFO, "%s: %s ERROR", lname, why);
        return -1;
    }
    size_t n = vg_result_count(r);
    if (n == 0) {
        vg_result_free(r);
        return 0;
    }
    for (size_t i = 0; i < (allmatch ? n : 1); i++) {
        const char *name = vg_result_get(r, i)->name;
        reply(j, "%s: %s FOUND", label, name);
        vgd_log(VGD_LOG_INFO, "%s: %s FOUND", lname, name);
    }
    vg_result_free(r);
    return 1;
}

static vg_status scan_path(vgd_worker *w, vgd_job *j, const char *path, int allmatch,
                           vg_result **r)
{
    vg_scanner *sc = vgd_worker_scanner(w);
    if (!sc)
        return VG_ENOMEM;
    vg_scan_opts o = j->ctx->scan_opts;
    if (allmatch)
        o.flags |= VG_SCAN_ALLMATCH;
    vgd_worker_task(w, NULL, path);
    vg_status st = vg_scanner_file(sc, path, &o, r);
    vgd_worker_task(w, NULL, NULL);
    return st;
}

/* ---- MULTISCAN files ---------------------------------------------------- */

static void group_done(vgd_group *g, int outcome)
{
    pthread_mutex_lock(&g->lock);
    g->total++;
    if (outcome == 0)
        g->ok++;
    else if (outcome < 0)
        g->err++;
    if (--g->pending == 0)
        pthread_cond_broadcast(&g->done);
    pthread_mutex_unlock(&g->lock);
}

static void run_mfile(vgd_job *j, vgd_worker *w)
{
    vgd_worker_task(w, "MULTISCANFILE", NULL);
    int outcome = -1;
    if (!vgd_conn_gone(j->conn)) {
        vg_result *r = NULL;
        vg_status st = scan_path(w, j, j->path, 0, &r);
        outcome = report(j, j->path, st, r, 0);
    }
    group_done(j->group, outcome);
}

static void multi_submit(walk *wk, const char *path)
{
    vgd_job *f = vgd_job_new(wk->j->ctx, wk->j->conn, VGD_CMD_MULTISCAN, wk->j->id, wk->j->term);
    if (f)
        f->path = strdup(path);
    if (!f || !f->path) {
        vgd_job_free(f);
        wk->errors++;
        reply(wk->j, "%s: Can't allocate memory ERROR", path);
        return;
    }
    f->group = wk->g;
    pthread_mutex_lock(&wk->g->lock);
    wk->g->pending++;
    pthread_mutex_unlock(&wk->g->lock);
    if (vgd_pool_submit_wait(vgd_worker_pool(wk->w), &f->task) != 0) {
        vgd_job_free(f);
        group_done(wk->g, -1);
        wk->stop = 1;
    }
}

/* ---- walking ------------------------------------------------------------ */

static void visit_file(walk *wk, const char *path, const struct stat *sb)
{
    wk->total++;
    if (wk->j->ctx->have_procdev && sb->st_dev == wk->j->ctx->procdev)
        return;
    if (sb->st_size == 0)
        return;
    if (wk->type == W_MULTI) {
        multi_submit(wk, path);
        return;
    }
    vg_result *r = NULL;
    vg_status st = scan_path(wk->w, wk->j, path, wk->allmatch, &r);
    int rc = report(wk->j, path, st, r, wk->allmatch);
    if (rc < 0)
        wk->errors++;
    if (rc > 0) {
        wk->infected++;
        if (wk->type == W_SCAN)
            wk->stop = 1;
    }
}

typedef struct dent {
    char *path;
    ino_t ino;
    int is_dir;
    struct stat sb;
} dent;

static int dent_cmp(const void *a, const void *b)
{
    const dent *x = a, *y = b;
    if (x->is_dir != y->is_dir)
        return x->is_dir - y->is_dir;
    return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    int slash = !(a && dir[a - 1] == '/');
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    if (slash)
        p[a] = '/';
    memcpy(p + a + (size_t)slash, name, b + 1);
    return p;
}

static void stat_error(walk *wk, const char *path, int err)
{
    wk->total++;
    wk->errors++;
    reply(wk->j, "%s: File path check failure: %s. ERROR", path, strerror(err));
}

/* Read a directory whole: excluded names are reported now, the rest
 * returned with their lstat. */
static dent *read_dir(walk *wk, const char *dir, size_t *count)
{
    *count = 0;
    DIR *d = opendir(dir);
    if (!d) {
        stat_error(wk, dir, errno);
        return NULL;
    }
    dent *v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && !wk->stop) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char *p = join(dir, de->d_name);
        if (!p)
            break;
        if (vgd_conf_excluded(wk->j->ctx->conf, p)) {
            if (wk->type != W_MULTI && reply(wk->j, "%s: Excluded", p) != 0)
                wk->stop = 1;
            free(p);
            continue;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            dent *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                free(p);
                break;
            }
            v = nv;
            cap = nc;
        }
        v[n].path = p;
        if (lstat(p, &v[n].sb) != 0) {
            stat_error(wk, p, errno);
            free(p);
            continue;
        }
        v[n].ino = v[n].sb.st_ino;
        v[n].is_dir = S_ISDIR(v[n].sb.st_mode);
        n++;
    }
    closedir(d);
    if (n)
        qsort(v, n, sizeof *v, dent_cmp);
    *count = n;
    return v;
}

static void walk_dir(walk *wk, const char *dir, unsigned depth)
{
    size_t n;
    dent *v = read_dir(wk, dir, &n);
    for (size_t i = 0; i < n; i++) {
        if (!wk->stop && vgd_conn_gone(wk->j->conn))
            wk->stop = 1;
        if (wk->stop) {
            free(v[i].path);
            continue;
        }
        const struct stat *sb = &v[i].sb;
        if (S_ISREG(sb->st_mode)) {
            visit_file(wk, v[i].path, sb);
        } else if (S_ISDIR(sb->st_mode)) {
            if (depth < wk->j->ctx->conf->max_dir_recursion)
                walk_dir(wk, v[i].path, depth + 1);
            else
                wk->total++;
        } else {
            wk->total++; /* symlink, FIFO, socket, device: skipped */
        }
        free(v[i].path);
    }
    free(v);
}

/* The path as clamd prints it: trailing slashes cut (but "/" stays). */
static void strip_slashes(char *p)
{
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = 0;
}

static void walk_top(walk *wk, const char *path)
{
    if (vgd_conf_excluded(wk->j->ctx->conf, path)) {
        if (wk->type != W_MULTI)
            reply(wk->j, "%s: Excluded", path);
        return;
    }
    struct stat sb;
    if (lstat(path, &sb) != 0) {
        stat_error(wk, path, errno);
        return;
    }
    if (S_ISDIR(sb.st_mode)) {
        wk->total++;
        walk_dir(wk, path, 1);
    } else if (S_ISREG(sb.st_mode)) {
        visit_file(wk, path, &sb);
    } else if (S_ISLNK(sb.st_mode)) {
        wk->total++;
    } else {
        wk->total++;
        reply(wk->j, "%s: Not supported file type ERROR", path);
    }
}

static void run_path(vgd_job *j, vgd_worker *w)
{
    walk wk = {.j = j, .w = w};
    char *path = j->path;
    strip_slashes(path);
    switch (j->cmd) {
    case VGD_CMD_SCAN: wk.type = W_SCAN; break;
    case VGD_CMD_CONTSCAN: wk.type = W_CONT; break;
    case VGD_CMD_ALLMATCHSCAN:
        if (!j->ctx->conf->allow_allmatch) {
            reply(j, "%s: ALLMATCHSCAN command disabled by clamd configuration. ERROR", path);
            return;
        }
        wk.type = W_SCAN;
        wk.allmatch = 1;
        break;
    default: {
        struct stat sb;
        if (stat(path, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
            wk.type = W_CONT; /* MULTISCAN only for directories, as clamd */
            break;
        }
        if (vgd_pool_multiscan_enter(vgd_worker_pool(w)) != 0) {
            reply(j, "%s: Not enough threads for multiscan. Increase MaxThreads. ERROR", path);
            return;
        }
        wk.type = W_MULTI;
        break;
    }
    }
    vgd_worker_task(w, wk.type == W_MULTI ? "MULTISCAN" : vgd_proto_name(j->cmd), NULL);
    vgd_group g = {.pending = 1};
    if (wk.type == W_MULTI) {
        pthread_mutex_init(&g.lock, NULL);
        pthread_cond_init(&g.done, NULL);
        wk.g = &g;
    }
    walk_top(&wk, path);
    int print_ok;
    if (wk.type == W_MULTI) {
        pthread_mutex_lock(&g.lock);
        g.pending--;
        while (g.pending > 0)
            pthread_cond_wait(&g.done, &g.lock);
        print_ok = g.ok + g.err == g.total && g.err != g.total;
        pthread_mutex_unlock(&g.lock);
        pthread_mutex_destroy(&g.lock);
        pthread_cond_destroy(&g.done);
        vgd_pool_multiscan_leave(vgd_worker_pool(w));
    } else {
        print_ok = wk.infected == 0 && wk.errors != wk.total;
    }
    if (print_ok && !vgd_conn_gone(j->conn))
        reply(j, "%s: OK", path);
}

/* ---- FILDES, INSTREAM, STATS ----------------------------------------------- */

static void run_fildes(vgd_job *j, vgd_worker *w)
{
    char label[32];
    snprintf(label, sizeof label, "fd[%d]", j->fd);
    vgd_worker_task(w, "FILDES", NULL);
    struct stat sb;
    if (fstat(j->fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        reply(j, "%s: Not a regular file ERROR", label);
        return;
    }
    vg_scanner *sc = vgd_worker_scanner(w);
    vg_result *r = NULL;
    vg_status st = VG_ENOMEM;
    if (sc) {
        vgd_worker_task(w, NULL, label);
        st = vg_scanner_fd(sc, j->fd, &j->ctx->scan_opts, &r);
        vgd_worker_task(w, NULL, NULL);
    }
    if (report(j, label, st, r, 0) == 0)
        reply(j, "%s: OK", label);
}

static void run_stream(vgd_job *j, vgd_worker *w)
{
    vgd_worker_task(w, "INSTREAM", "instream(local)");
    vg_scanner *sc = vgd_worker_scanner(w);
    vg_result *r = NULL;
    vg_status st = VG_ENOMEM;
    if (sc) {
        if (j->fd >= 0)
            st = vg_scanner_fd(sc, j->fd, &j->ctx->scan_opts, &r);
        else
            st = vg_scanner_mem(sc, j->data ? j->data : (const uint8_t *)"", j->len,
                                &j->ctx->scan_opts, &r);
    }
    vgd_worker_task(w, NULL, NULL);
    if (report(j, "stream", st, r, 0) == 0)
        reply(j, "stream: OK");
}

/* Resident memory of the process in MiB, for MEMSTATS. */
static double rss_mib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, res = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &res) != 2)
            res = 0;
        fclose(f);
    }
    return (double)res * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

static void run_stats(vgd_job *j, vgd_worker *w)
{
    vgd_worker_task(w, "STATS", NULL);
    char body[16384];
    size_t n = vgd_pool_stats(j->ctx->pool, body, sizeof body);
    double m = rss_mib();
    reply(j, "POOLS: 1\n\nSTATE: VALID PRIMARY\n%.*sMEMSTATS: heap N/A mmap N/A used N/A "
             "free N/A releasable N/A pools 1 pools_used %.3fM pools_total %.3fM\nEND",
          (int)n, body, m, m);
}

static void run_job(vgd_task *t, vgd_worker *w)
{
    vgd_job *j = (vgd_job *)t;
    if (j->group) {
        run_mfile(j, w);
    } else if (!vgd_conn_gone(j->conn)) {
        switch (j->cmd) {
        case VGD_CMD_FILDES: run_fildes(j, w); break;
        case VGD_CMD_INSTREAM: run_stream(j, w); break;
        case VGD_CMD_STATS: run_stats(j, w); break;
        default: run_path(j, w); break;
        }
    }
    vgd_worker_task(w, "IDLE", NULL);
    vgd_job_free(j);
}
