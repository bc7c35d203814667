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

/* Per-thread output for one job: stdout and stderr text, written together. */
typedef struct vgout_buf {
    char *out, *err;
    size_t len, outlen, errlen, outcap, errcap;
} vgout_buf;

void vgout_buf_init(vgout_buf *b);
void vgout_buf_free(vgout_buf *b);
void vgout_printf(vgout_buf *b, int to_stderr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void vgout_flush(vgout_buf *b); /* caller holds the output lock */

void vgout_json_result(vgout_buf *b, const char *path, const vg_result *r, double secs);
void vgout_json_note(vgout_buf *b, const char *path, const char *note);
void vgout_json_error(vgout_buf *b, const char *path, const char *msg);

typedef struct vgout_summary {
    uint64_t known;
    unsigned dirs;
    unsigned long long files, infected, errors, bytes_scanned, bytes_read;
    double secs;
    time_t start, end;
} vgout_summary;

void vgout_print_summary(FILE *f, const vgout_summary *s);

/* Progress bar on stderr, redrawn by its own thread every 200 ms. */
typedef struct vgout_progress {
    pthread_t th;
    atomic_int stop;
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
void vgout_progress_stop(vgout_progress *p);

#endif
