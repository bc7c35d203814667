/* cli/out.h - what `vigil scan` prints: result lines, JSON lines, the
 * clamscan summary block and the progress bar. */
#ifndef VG_CLI_OUT_H
#define VG_CLI_OUT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "vigil/vigil.h"

/* Per-thread output for one job: stdout and stderr text, written together
 * by vgout_flush so that one file's lines are never split up by another's. */
typedef struct vgout_buf {
    char *out, *err;
    size_t outlen, errlen, outcap, errcap;
} vgout_buf;

void vgout_buf_init(vgout_buf *b);
void vgout_buf_free(vgout_buf *b);
void vgout_printf(vgout_buf *b, int to_stderr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Write and empty the buffer: stderr text first, then stdout text. The
 * caller holds the output lock. */
void vgout_flush(vgout_buf *b);

/* One JSON object per line (see vigil(1) for the fields). */
void vgout_json_result(vgout_buf *b, const char *path, const vg_result *r, double secs);
void vgout_json_note(vgout_buf *b, const char *path, const char *note);
void vgout_json_error(vgout_buf *b, const char *path, const char *msg);

/* JSON names of the VG_LIMIT_* bits, lowest bit first; NULL past the end. */
const char *vgout_limit_name(unsigned bit_index);

typedef struct vgout_summary {
    uint64_t known;
    unsigned long long dirs, files, infected, errors, limited;
    unsigned long long bytes_scanned, bytes_read;
    double secs;
    time_t start, end;
} vgout_summary;

/* The clamscan block, preceded by an empty line. "Total errors" and
 * "Limits exceeded" appear only when not zero. */
void vgout_print_summary(FILE *f, const vgout_summary *s);

/* Progress bar on stderr, redrawn by its own thread. Every draw and every
 * vgout_progress_clear happens under `lock`, the output lock, so the bar
 * never cuts into a result line. */
typedef struct vgout_progress {
    pthread_t th;
    int running;
    atomic_int stop;
    int drawn;        /* the bar is on screen now (under lock) */
    int clear_for_stdout; /* stdout is a terminal too: clear before stdout */
    double last_draw; /* under lock */
    size_t total_files;
    uint64_t total_bytes;
    atomic_size_t *done_files;
    atomic_ullong *done_bytes;
    pthread_mutex_t *lock;
    double t0;
} vgout_progress;

void vgout_progress_start(vgout_progress *p, size_t files, uint64_t bytes,
                          atomic_size_t *done_files, atomic_ullong *done_bytes,
                          pthread_mutex_t *lock);
/* Before writing: take the bar off the screen if the text about to be
 * written would land on its line. Caller holds the lock. */
void vgout_progress_clear(vgout_progress *p, int writes_stdout, int writes_stderr);
/* Stop the thread and take the bar off the screen. */
void vgout_progress_stop(vgout_progress *p);

#endif
