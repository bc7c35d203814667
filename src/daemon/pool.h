/* daemon/pool.h - vigild's worker pool: MaxThreads threads over one FIFO,
 * bounded by MaxQueue, each thread with its own vg_scanner.
 *
 * Load = queued tasks + tasks running. At MaxQueue the pool is "contended"
 * (clamd's word): vgd_pool_try_submit refuses the task and remembers that
 * someone waits, and the space callback fires once load drops below
 * MaxQueue again, so the event loop stops reading from a connection instead
 * of queueing without bound; vgd_pool_submit_wait blocks instead (used by a
 * MULTISCAN walking a directory on a worker, as clamd does).
 *
 * Threads start on demand (a task queued and no idle thread) up to
 * MaxThreads and exit after IdleTimeout seconds without work, as clamd's
 * thrmgr. Scanners follow the engine slot: vgd_pool_engine_changed bumps a
 * generation, idle threads drop their scanner at once and busy ones after
 * their task, so an old engine is released as soon as its last scan ends. */
#ifndef VIGIL_DAEMON_POOL_H
#define VIGIL_DAEMON_POOL_H

#include <stddef.h>
#include <time.h>

#include "vigil/vigil.h"

typedef struct vgd_pool vgd_pool;
typedef struct vgd_worker vgd_worker;
typedef struct vgd_task vgd_task;

struct vgd_task {
    vgd_task *next;
    void (*run)(vgd_task *t, vgd_worker *w); /* owns t from here on */
    struct timespec queued; /* set by the pool */
};

int vgd_pool_new(unsigned max_threads, unsigned max_queue, unsigned idle_timeout_s,
                 vg_engine_slot *slot, vgd_pool **out);

/* 0 queued; 1 contended (not queued; space_cb fires later); -1 stopping. */
int vgd_pool_try_submit(vgd_pool *p, vgd_task *t);
/* Waits while contended. 0 queued; -1 stopping (t not queued). */
int vgd_pool_submit_wait(vgd_pool *p, vgd_task *t);
/* Called from a worker thread (pool lock not held) when load drops below
 * MaxQueue after a refused try_submit. */
void vgd_pool_set_space_cb(vgd_pool *p, void (*cb)(void *), void *arg);

/* The scanner for the slot's current engine; NULL if none can be made. */
vg_scanner *vgd_worker_scanner(vgd_worker *w);
/* What this thread does, for STATS: cmd is a static string, file (may be
 * NULL) must stay valid until the next call. */
void vgd_worker_task(vgd_worker *w, const char *cmd, const char *file);
vgd_pool *vgd_worker_pool(vgd_worker *w);

/* MULTISCAN needs a thread of its own plus one to scan: returns 0 and
 * counts it, or -1 when multiscans + 1 >= MaxThreads. */
int vgd_pool_multiscan_enter(vgd_pool *p);
void vgd_pool_multiscan_leave(vgd_pool *p);

void vgd_pool_engine_changed(vgd_pool *p);

/* clamd's STATS body from "THREADS:" through the blank line after the
 * thread list. Returns the length written (truncated to cap - 1). */
size_t vgd_pool_stats(vgd_pool *p, char *buf, size_t cap);

/* Stop: queued tasks still run, then all threads exit. */
void vgd_pool_free(vgd_pool *p);

#endif
