/* bench/bench_reload.c - memory of a serving engine across reloads.
 *
 *   bench_reload DB [RELOADS]
 * Loads DB (a .vdb or sources) into an engine slot, keeps one thread
 * scanning a 1 MB buffer with whatever engine the slot holds, and reloads
 * DB RELOADS times (default 5), as a daemon's RELOAD does: the new engine
 * is loaded and compiled while the old one serves, then swapped in. A
 * sampler reads VmRSS every 5 ms. Prints: load seconds, steady RSS (the
 * highest over 0.5 s of scanning before the reloads), peak RSS during the
 * reloads, and their ratio. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vigil/vigil.h"

static vg_engine_slot *slot;
static atomic_int stop;
static atomic_long peak_kb;

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6))
            v = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static vg_engine *load(const char *db)
{
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK || vg_engine_load(e, db) != VG_OK ||
        vg_engine_compile(e) != VG_OK) {
        fprintf(stderr, "bench_reload: %s\n", vg_engine_error(e));
        exit(2);
    }
    return e;
}

static void *sampler(void *a)
{
    (void)a;
    while (!atomic_load(&stop)) {
        long r = rss_kb();
        if (r > atomic_load(&peak_kb))
            atomic_store(&peak_kb, r);
        usleep(5000);
    }
    return NULL;
}

static void *scanner(void *a)
{
    (void)a;
    size_t n = 1 << 20;
    char *buf = malloc(n);
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)(i * 2654435761u >> 13);
    while (!atomic_load(&stop)) {
        vg_engine *e = vg_engine_slot_get(slot);
        vg_result *r;
        if (vg_scan_mem(e, buf, n, NULL, &r) == VG_OK)
            vg_result_free(r);
        vg_engine_free(e);
    }
    free(buf);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_reload DB [RELOADS]\n");
        return 2;
    }
    int reloads = argc > 2 ? atoi(argv[2]) : 5;
    double t0 = now();
    vg_engine *e = load(argv[1]);
    double tl = now() - t0;
    vg_engine_slot_new(e, &slot);
    vg_engine_free(e);
    pthread_t ts, tsc;
    pthread_create(&tsc, NULL, scanner, NULL);
    usleep(300000); /* the steady state includes a scanning thread */
    /* steady: the highest RSS over half a second of scanning, sampled as
     * the reloads are, so that a scan's own transient memory counts on
     * both sides of the ratio */
    atomic_store(&peak_kb, rss_kb());
    pthread_create(&ts, NULL, sampler, NULL);
    usleep(500000);
    long steady = atomic_load(&peak_kb);
    for (int i = 0; i < reloads; i++) {
        vg_engine *n = load(argv[1]);
        vg_engine_slot_set(slot, n);
        vg_engine_free(n);
        usleep(100000);
    }
    atomic_store(&stop, 1);
    pthread_join(ts, NULL);
    pthread_join(tsc, NULL);
    long peak = atomic_load(&peak_kb);
    printf("load_s %.4f steady_rss_kb %ld reload_peak_kb %ld ratio %.3f\n", tl, steady, peak,
           steady > 0 ? (double)peak / (double)steady : 0.0);
    vg_engine_slot_free(slot);
    return 0;
}
