/* cli/out.c - see out.h. */
#include "cli/out.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

void vgout_buf_init(vgout_buf *b) { memset(b, 0, sizeof *b); }

void vgout_buf_free(vgout_buf *b)
{
    free(b->out);
    free(b->err);
    memset(b, 0, sizeof *b);
}

static void append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 256;
        while (c < *len + n + 1)
            c *= 2;
        char *nb = realloc(*buf, c);
        if (!nb) {
            fputs("vigil: out of memory\n", stderr);
            exit(2);
        }
        *buf = nb;
        *cap = c;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = 0;
}

void vgout_printf(vgout_buf *b, int to_stderr, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    char *s = tmp;
    char *big = NULL;
    if ((size_t)n >= sizeof tmp) {
        big = malloc((size_t)n + 1);
        if (!big)
            return;
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        s = big;
    }
    if (to_stderr)
        append(&b->err, &b->errlen, &b->errcap, s, (size_t)n);
    else
        append(&b->out, &b->outlen, &b->outcap, s, (size_t)n);
    free(big);
}

void vgout_flush(vgout_buf *b)
{
    if (b->errlen) {
        fflush(stdout);
        fwrite(b->err, 1, b->errlen, stderr);
        fflush(stderr);
    }
    if (b->outlen)
        fwrite(b->out, 1, b->outlen, stdout);
    b->outlen = b->errlen = 0;
}

const char *vgout_limit_name(unsigned i)
{
    /* the suffixes of Heuristics.Limits.Exceeded.*, in VG_LIMIT_* bit order */
    static const char *const names[] = {"MaxFileSize", "MaxScanSize", "MaxRecursion",
                                        "MaxFiles", "MaxCompressionRatio", "MaxScanTime"};
    return i < sizeof names / sizeof names[0] ? names[i] : NULL;
}

static void json_emit(vgout_buf *b, json_object *o)
{
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                          JSON_C_TO_STRING_NOSLASHESCAPE);
    vgout_printf(b, 0, "%s\n", s);
    json_object_put(o);
}

void vgout_json_result(vgout_buf *b, const char *path, const vg_result *r, double secs)
{
    json_object *o = json_object_new_object();
    size_t n = vg_result_count(r);
    json_object_object_add(o, "path", json_object_new_string(path));
    json_object_object_add(o, "verdict", json_object_new_string(n ? "FOUND" : "OK"));
    json_object *names = json_object_new_array();
    json_object *dets = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        const vg_detection *d = vg_result_get(r, i);
        json_object_array_add(names, json_object_new_string(d->name));
        json_object *dj = json_object_new_object();
        json_object_object_add(dj, "signature", json_object_new_string(d->name));
        json_object_object_add(dj, "member", json_object_new_string(d->member));
        json_object_array_add(dets, dj);
    }
    json_object_object_add(o, "signatures", names);
    json_object_object_add(o, "detections", dets);
    json_object_object_add(o, "size", json_object_new_int64((int64_t)vg_result_size(r)));
    json_object_object_add(o, "bytes_scanned",
                           json_object_new_int64((int64_t)vg_result_bytes_scanned(r)));
    json_object_object_add(o, "objects", json_object_new_int64(vg_result_files(r)));
    json_object *lim = json_object_new_array();
    for (unsigned i = 0; vgout_limit_name(i); i++)
        if (vg_result_limits(r) & (1u << i))
            json_object_array_add(lim, json_object_new_string(vgout_limit_name(i)));
    json_object_object_add(o, "limits_exceeded", lim);
    json_object_object_add(o, "warnings", json_object_new_int64(vg_result_warnings(r)));
    char ms[32];
    double v = secs * 1e3;
    snprintf(ms, sizeof ms, "%.3f", v);
    json_object_object_add(o, "time_ms", json_object_new_double_s(v, ms));
    json_emit(b, o);
}

void vgout_json_note(vgout_buf *b, const char *path, const char *note)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "path", json_object_new_string(path));
    json_object_object_add(o, "verdict", json_object_new_string("SKIPPED"));
    json_object_object_add(o, "reason", json_object_new_string(note));
    json_emit(b, o);
}

void vgout_json_error(vgout_buf *b, const char *path, const char *msg)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "path", json_object_new_string(path));
    json_object_object_add(o, "verdict", json_object_new_string("ERROR"));
    json_object_object_add(o, "error", json_object_new_string(msg));
    json_emit(b, o);
}

void vgout_print_summary(FILE *f, const vgout_summary *s)
{
    char sd[32], ed[32];
    struct tm tm;
    strftime(sd, sizeof sd, "%Y:%m:%d %H:%M:%S", localtime_r(&s->start, &tm));
    strftime(ed, sizeof ed, "%Y:%m:%d %H:%M:%S", localtime_r(&s->end, &tm));
    /* clamscan: "Data scanned" is every byte that went through the matcher,
     * the files themselves and everything unpacked from them; "Data read"
     * is the size of the files (and stdin) that were scanned, in whole
     * 4 KiB blocks per file as clamscan counts it (cmd_scan.c); the ratio
     * is scanned / read, 0 when nothing was read. */
    double mbs = (double)s->bytes_scanned / (1024.0 * 1024.0);
    double mbr = (double)s->bytes_read / (1024.0 * 1024.0);
    fprintf(f, "\n----------- SCAN SUMMARY -----------\n");
    fprintf(f, "Known viruses: %llu\n", (unsigned long long)s->known);
    fprintf(f, "Engine version: %s\n", vg_version());
    fprintf(f, "Scanned directories: %llu\n", s->dirs);
    fprintf(f, "Scanned files: %llu\n", s->files);
    fprintf(f, "Infected files: %llu\n", s->infected);
    if (s->errors)
        fprintf(f, "Total errors: %llu\n", s->errors);
    if (s->limited)
        fprintf(f, "Limits exceeded: %llu\n", s->limited);
    fprintf(f, "Data scanned: %.2f MB\n", mbs);
    fprintf(f, "Data read: %.2f MB (ratio %.2f:1)\n", mbr,
            s->bytes_read ? (double)s->bytes_scanned / (double)s->bytes_read : 0.0);
    double secs = s->secs < 0 ? 0 : s->secs;
    unsigned long ms = (unsigned long)(secs * 1000.0);
    unsigned long whole = ms / 1000;
    fprintf(f, "Time: %lu.%03lu sec (%lu m %lu s)\n", whole, ms % 1000, whole / 60,
            whole % 60);
    fprintf(f, "Start Date: %s\n", sd);
    fprintf(f, "End Date:   %s\n", ed);
}

/* ---- progress bar ----------------------------------------------------- */

#define PROGRESS_PERIOD 0.2   /* seconds between redraws */
#define PROGRESS_TICK 50000   /* microseconds the thread sleeps */

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int term_width(void)
{
    struct winsize ws;
    if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

static void fmt_eta(char *out, size_t n, double secs)
{
    if (secs < 0 || secs > 359999)
        snprintf(out, n, "--:--");
    else if (secs >= 3600)
        snprintf(out, n, "%dh%02dm", (int)secs / 3600, (int)secs / 60 % 60);
    else
        snprintf(out, n, "%dm%02ds", (int)secs / 60, (int)secs % 60);
}

/* Caller holds the lock. */
static void draw_locked(vgout_progress *p)
{
    size_t df = atomic_load(p->done_files);
    unsigned long long db = atomic_load(p->done_bytes);
    double now = mono(), el = now - p->t0;
    if (el <= 0)
        el = 1e-9;
    double frac = p->total_bytes ? (double)db / (double)p->total_bytes
                  : p->total_files ? (double)df / (double)p->total_files : 1;
    if (frac > 1)
        frac = 1;
    if (df < p->total_files && frac > 0.99)
        frac = 0.99; /* bytes all done, but not every file (stdin, empty) */
    enum { WIDTH = 20 };
    char bar[WIDTH + 1];
    int fill = (int)(frac * WIDTH);
    for (int i = 0; i < WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[WIDTH] = 0;
    char eta[16];
    fmt_eta(eta, sizeof eta, frac > 0 && frac < 1 ? el / frac - el : frac >= 1 ? 0 : -1);
    char line[256];
    snprintf(line, sizeof line,
             "[%s] %3d%% %zu/%zu files %.1f/%.1f MB %.0f files/s %.1f MB/s ETA %s", bar,
             (int)(frac * 100), df, p->total_files, (double)db / 1048576.0,
             (double)p->total_bytes / 1048576.0, (double)df / el,
             (double)db / 1048576.0 / el, eta);
    int w = term_width() - 1; /* never reach the last column: no wrap */
    if (w < (int)sizeof line && (int)strlen(line) > w)
        line[w] = 0;
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    p->drawn = 1;
    p->last_draw = now;
}

static void *progress_main(void *arg)
{
    vgout_progress *p = arg;
    while (!atomic_load(&p->stop)) {
        pthread_mutex_lock(p->lock);
        /* redraw at once when output took the bar away, else every period */
        if (!p->drawn || mono() - p->last_draw >= PROGRESS_PERIOD)
            draw_locked(p);
        pthread_mutex_unlock(p->lock);
        usleep(PROGRESS_TICK);
    }
    return NULL;
}

void vgout_progress_start(vgout_progress *p, size_t files, uint64_t bytes,
                          atomic_size_t *done_files, atomic_ullong *done_bytes,
                          pthread_mutex_t *lock)
{
    p->total_files = files;
    p->total_bytes = bytes;
    p->done_files = done_files;
    p->done_bytes = done_bytes;
    p->lock = lock;
    p->drawn = 0;
    p->last_draw = 0;
    p->clear_for_stdout = isatty(1);
    p->t0 = mono();
    atomic_init(&p->stop, 0);
    /* the first frame at once: a scan that ends before the drawing thread
     * first runs still showed a bar (and the tests' check was a race) */
    pthread_mutex_lock(p->lock);
    draw_locked(p);
    pthread_mutex_unlock(p->lock);
    p->running = pthread_create(&p->th, NULL, progress_main, p) == 0;
    if (!p->running) { /* no thread to keep it fresh: no bar */
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = 0;
    }
}

void vgout_progress_clear(vgout_progress *p, int writes_stdout, int writes_stderr)
{
    if (!p->running || !p->drawn)
        return;
    if (writes_stderr || (writes_stdout && p->clear_for_stdout)) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = 0;
    }
}

void vgout_progress_stop(vgout_progress *p)
{
    if (!p->running)
        return;
    atomic_store(&p->stop, 1);
    pthread_join(p->th, NULL);
    p->running = 0;
    pthread_mutex_lock(p->lock);
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = 0;
    }
    pthread_mutex_unlock(p->lock);
}
