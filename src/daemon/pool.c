/* daemon/pool.c - worker pool (contract in pool.h).
 *
 * One mutex guards the queue, the counters and the per-thread task
 * descriptors that STATS prints; a task costs two lock round trips (queue,
 * done) plus one for each vgd_worker_task call. */
#include "daemon/pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vgd_worker {
    vgd_pool *pool;
    vgd_worker *prev, *next; /* live threads, newest first (clamd order) */
    vg_scanner *sc;
    unsigned gen;            /* engine generation of sc */
    const char *cmd;         /* "IDLE", "SCAN"... */
    const char *file;
    struct timespec since;
};

struct vgd_pool {
    pthread_mutex_t lock;
    pthread_cond_t work;     /* a task was queued, or stop / engine change */
    pthread_cond_t space;    /* load dropped below max_queue */
    pthread_cond_t gone;     /* a thread exited */
    vgd_task *head, *tail;
    unsigned queued, running, alive, idle, multiscan;
    unsigned max_threads, max_queue, idle_timeout;
    int stopping, want_space;
    atomic_uint gen;
    vg_engine_slot *slot;
    vgd_worker *workers;
    void (*space_cb)(void *);
    void *space_arg;
};

static void now(struct timespec *ts)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
}

static double since(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

int vgd_pool_new(unsigned max_threads, unsigned max_queue, unsigned idle_timeout_s,
                 vg_engine_slot *slot, vgd_pool **out)
{
    vgd_pool *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, &ca);
    pthread_cond_init(&p->space, NULL);
    pthread_cond_init(&p->gone, NULL);
    pthread_condattr_destroy(&ca);
    p->max_threads = max_threads ? max_threads : 1;
    p->max_queue = max_queue ? max_queue : 1;
    p->idle_timeout = idle_timeout_s;
    p->slot = slot;
    *out = p;
    return 0;
}

void vgd_pool_set_space_cb(vgd_pool *p, void (*cb)(void *), void *arg)
{
    pthread_mutex_lock(&p->lock);
    p->space_cb = cb;
    p->space_arg = arg;
    pthread_mutex_unlock(&p->lock);
}

vgd_pool *vgd_worker_pool(vgd_worker *w)
{
    return w->pool;
}

static int contended(const vgd_pool *p)
{
    return p->queued + p->running >= p->max_queue;
}

static void unlink_worker(vgd_pool *p, vgd_worker *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        p->workers = w->next;
    if (w->next)
        w->next->prev = w->prev;
}

/* Wait for a task; NULL when the thread should exit. Lock held. */
static vgd_task *next_task(vgd_pool *p, vgd_worker *w)
{
    struct timespec dl;
    now(&dl);
    dl.tv_sec += p->idle_timeout ? p->idle_timeout : 1;
    if (w->cmd != NULL && strcmp(w->cmd, "IDLE") != 0) {
        w->cmd = "IDLE";
        w->file = NULL;
        now(&w->since);
    }
    p->idle++;
    vgd_task *t = NULL;
    for (;;) {
        if (w->sc && w->gen != atomic_load(&p->gen)) {
            vg_scanner_free(w->sc); /* release the old engine while idle */
            w->sc = NULL;
        }
        if (p->head) {
            t = p->head;
            p->head = t->next;
            if (!p->head)
                p->tail = NULL;
            p->queued--;
            p->running++;
            break;
        }
        if (p->stopping)
            break;
        if (pthread_cond_timedwait(&p->work, &p->lock, &dl) == ETIMEDOUT && !p->head &&
            p->idle_timeout)
            break;
    }
    p->idle--;
    return t;
}

static void *worker_main(void *arg)
{
    vgd_worker *w = arg;
    vgd_pool *p = w->pool;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        vgd_task *t = next_task(p, w);
        if (!t)
            break;
        pthread_mutex_unlock(&p->lock);
        t->run(t, w);
        pthread_mutex_lock(&p->lock);
        p->running--;
        void (*cb)(void *) = NULL;
        void *cba = NULL;
        if (!contended(p)) {
            pthread_cond_signal(&p->space);
            if (p->want_space) {
                p->want_space = 0;
                cb = p->space_cb;
                cba = p->space_arg;
            }
        }
        if (cb) {
            pthread_mutex_unlock(&p->lock);
            cb(cba);
            pthread_mutex_lock(&p->lock);
        }
    }
    unlink_worker(p, w);
    p->alive--;
    pthread_cond_broadcast(&p->gone);
    pthread_mutex_unlock(&p->lock);
    vg_scanner_free(w->sc);
    free(w);
    return NULL;
}

/* Queue t; start a thread if none is idle for it. Lock held. */
static void enqueue(vgd_pool *p, vgd_task *t)
{
    t->next = NULL;
    now(&t->queued);
    if (p->tail)
        p->tail->next = t;
    else
        p->head = t;
    p->tail = t;
    p->queued++;
    if (p->idle < p->queued && p->alive < p->max_threads) {
        vgd_worker *w = calloc(1, sizeof *w);
        pthread_t th;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        if (w) {
            w->pool = p;
            w->cmd = "IDLE";
            now(&w->since);
            w->next = p->workers;
            if (p->workers)
                p->workers->prev = w;
            p->workers = w;
            if (pthread_create(&th, &at, worker_main, w) == 0) {
                p->alive++;
            } else {
                unlink_worker(p, w);
                free(w);
            }
        }
        pthread_attr_destroy(&at);
    }
    pthread_cond_signal(&p->work);
}

int vgd_pool_try_submit(vgd_pool *p, vgd_task *t)
{
    pthread_mutex_lock(&p->lock);
    int rc = 0;
    if (p->stopping) {
        rc = -1;
    } else if (contended(p)) {
        p->want_space = 1;
        rc = 1;
    } else {
        enqueue(p, t);
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

int vgd_pool_submit_wait(vgd_pool *p, vgd_task *t)
{
    pthread_mutex_lock(&p->lock);
    while (!p->stopping && contended(p))
        pthread_cond_wait(&p->space, &p->lock);
    int rc = -1;
    if (!p->stopping) {
        enqueue(p, t);
        rc = 0;
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

vg_scanner *vgd_worker_scanner(vgd_worker *w)
{
    unsigned g = atomic_load(&w->pool->gen);
    if (w->sc && w->gen == g)
        return w->sc;
    vg_scanner_free(w->sc);
    w->sc = NULL;
    vg_engine *e = vg_engine_slot_get(w->pool->slot);
    if (!e)
        return NULL;
    if (vg_scanner_new(e, &w->sc) != VG_OK)
        w->sc = NULL;
    vg_engine_free(e);
    w->gen = g;
    return w->sc;
}

void vgd_worker_task(vgd_worker *w, const char *cmd, const char *file)
{
    pthread_mutex_lock(&w->pool->lock);
    if (cmd) {
        w->cmd = cmd;
        now(&w->since);
    }
    w->file = file;
    pthread_mutex_unlock(&w->pool->lock);
}

int vgd_pool_multiscan_enter(vgd_pool *p)
{
    pthread_mutex_lock(&p->lock);
    int rc = -1;
    if (p->multiscan + 1 < p->max_threads) {
        p->multiscan++;
        rc = 0;
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

void vgd_pool_multiscan_leave(vgd_pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->multiscan--;
    pthread_mutex_unlock(&p->lock);
}

void vgd_pool_engine_changed(vgd_pool *p)
{
    pthread_mutex_lock(&p->lock);
    atomic_fetch_add(&p->gen, 1);
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
}

/* snprintf that never runs past cap and returns the new length. */
static size_t put(char *buf, size_t cap, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static size_t put(char *buf, size_t cap, size_t n, const char *fmt, ...)
{
    if (n + 1 >= cap)
        return n;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + n, cap - n, fmt, ap);
    va_end(ap);
    if (k < 0)
        return n;
    return (size_t)k >= cap - n ? cap - 1 : n + (size_t)k;
}

size_t vgd_pool_stats(vgd_pool *p, char *buf, size_t cap)
{
    struct timespec t;
    size_t n = 0;
    if (cap)
        buf[0] = 0;
    pthread_mutex_lock(&p->lock);
    now(&t);
    n = put(buf, cap, n, "THREADS: live %u  idle %u max %u idle-timeout %u\n", p->alive,
            p->idle, p->max_threads, p->idle_timeout);
    n = put(buf, cap, n, "QUEUE: %u items", p->queued);
    if (p->head) {
        double mn = 1e300, mx = 0, sum = 0;
        unsigned cnt = 0;
        for (vgd_task *q = p->head; q; q = q->next) {
            double d = since(&q->queued, &t);
            mn = d < mn ? d : mn;
            mx = d > mx ? d : mx;
            sum += d;
            cnt++;
        }
        n = put(buf, cap, n, " min_wait: %.6f max_wait: %.6f avg_wait: %.6f", mn, mx, sum / cnt);
    }
    n = put(buf, cap, n, "\n");
    for (vgd_worker *w = p->workers; w; w = w->next)
        n = put(buf, cap, n, "\t%s %f %s\n", w->cmd ? w->cmd : "N/A", since(&w->since, &t),
                w->file ? w->file : "");
    n = put(buf, cap, n, "\n");
    pthread_mutex_unlock(&p->lock);
    return n;
}

void vgd_pool_free(vgd_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->work);
    pthread_cond_broadcast(&p->space);
    while (p->alive > 0 || p->head) {
        if (p->head && p->alive == 0) {
            /* threads could not start: run what is left here */
            vgd_task *t = p->head;
            p->head = t->next;
            if (!p->head)
                p->tail = NULL;
            p->queued--;
            pthread_mutex_unlock(&p->lock);
            vgd_worker w = {.pool = p, .cmd = "IDLE"};
            t->run(t, &w);
            vg_scanner_free(w.sc);
            pthread_mutex_lock(&p->lock);
            continue;
        }
        pthread_cond_wait(&p->gone, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->space);
    pthread_cond_destroy(&p->gone);
    free(p);
}
