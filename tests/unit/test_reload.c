/* tests/unit/test_reload.c - scanning threads through hundreds of engine
 * reloads: every scan must see a whole engine (EICAR found, clean file
 * clean) and no engine may be freed under a running scan. Run under ASan
 * and TSan by tests/run.sh. Reloads alternate between text sources and a
 * mapped .vdb, as a daemon's would. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/vdb.h"
#include "tap.h"
#include "vigil/vigil.h"

static const char eicar[] =
    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
static const char ndb[] = "Test.Reload:0:*:4e4545444c45??2d:0\n"; /* "NEEDLE?-" */

static vg_engine_slot *slot;
static atomic_int stop, bad, scans;
static char vdb_path[256];

static void *scanner(void *arg)
{
    (void)arg;
    char buf[4096];
    memset(buf, 'a', sizeof buf);
    memcpy(buf + 1000, "NEEDLEX-", 8);
    while (!atomic_load(&stop)) {
        vg_engine *e = vg_engine_slot_get(slot);
        vg_result *r1 = NULL, *r2 = NULL, *r3 = NULL;
        if (vg_scan_mem(e, eicar, sizeof eicar - 1, NULL, &r1) != VG_OK ||
            vg_scan_mem(e, buf, sizeof buf, NULL, &r2) != VG_OK ||
            vg_scan_mem(e, "clean", 5, NULL, &r3) != VG_OK || vg_result_count(r1) != 1 ||
            vg_result_count(r2) != 1 || vg_result_count(r3) != 0)
            atomic_fetch_add(&bad, 1);
        vg_result_free(r1);
        vg_result_free(r2);
        vg_result_free(r3);
        vg_engine_free(e);
        atomic_fetch_add(&scans, 1);
    }
    return NULL;
}

static vg_engine *make_engine(int from_vdb)
{
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK)
        return NULL;
    vg_status st = from_vdb ? vg_engine_load(e, vdb_path)
                            : vg_engine_load_builtin(e);
    if (st == VG_OK && !from_vdb)
        st = vg_engine_load_mem(e, "reload.ndb", ndb, sizeof ndb - 1, 0);
    if (st == VG_OK)
        st = vg_engine_compile(e);
    if (st != VG_OK) {
        fprintf(stderr, "load: %s\n", vg_engine_error(e));
        vg_engine_free(e);
        return NULL;
    }
    return e;
}

int main(void)
{
    snprintf(vdb_path, sizeof vdb_path, "/tmp/vigil-reload-%d.vdb", (int)getpid());
    vg_engine *e0 = make_engine(0);
    TAP_OK(e0 != NULL, "an engine from the built-in and a text database compiles");
    if (!e0)
        return tap_done();
    TAP_OK(vgdb_vdb_write(e0, vdb_path, 0) == VG_OK, "the engine is written as a .vdb");
    TAP_OK(vg_engine_slot_new(e0, &slot) == VG_OK, "a slot holds the first engine");
    vg_engine_free(e0);
    enum { NTHREADS = 4, RELOADS = 300 };
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, scanner, NULL);
    int failed_loads = 0;
    for (int i = 0; i < RELOADS; i++) {
        vg_engine *e = make_engine(i & 1);
        if (!e) {
            failed_loads++;
            continue;
        }
        vg_engine_slot_set(slot, e);
        vg_engine_free(e);
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    TAP_OK(failed_loads == 0, "%d reloads alternating text and mapped .vdb all load", RELOADS);
    TAP_OK(atomic_load(&bad) == 0, "%d scans during reloads all saw a whole engine (%d wrong)",
           atomic_load(&scans), atomic_load(&bad));
    TAP_OK(atomic_load(&scans) > 0, "scans ran while reloading");
    vg_engine_slot_free(slot);
    unlink(vdb_path);
    return tap_done();
}
