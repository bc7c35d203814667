/* db/slot.c - the engine slot: reload without stopping scans.
 *
 * A mutex guards only the pointer and the reference taken under it, so a
 * get is a lock, an increment and an unlock: scans never wait for a load or
 * a compile, which happen outside the slot before vg_engine_slot_set. */
#include <pthread.h>
#include <stdlib.h>

#include "db/engine_int.h"

struct vg_engine_slot {
    pthread_mutex_t lock;
    vg_engine *cur;
};

vg_status vg_engine_slot_new(vg_engine *initial, vg_engine_slot **out)
{
    if (!initial || !initial->compiled)
        return VG_EINVAL;
    vg_engine_slot *s = calloc(1, sizeof *s);
    if (!s)
        return VG_ENOMEM;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        return VG_ENOMEM;
    }
    s->cur = vg_engine_ref(initial);
    *out = s;
    return VG_OK;
}

vg_engine *vg_engine_slot_get(vg_engine_slot *s)
{
    pthread_mutex_lock(&s->lock);
    vg_engine *e = vg_engine_ref(s->cur);
    pthread_mutex_unlock(&s->lock);
    return e;
}

void vg_engine_slot_set(vg_engine_slot *s, vg_engine *e)
{
    vg_engine_ref(e);
    pthread_mutex_lock(&s->lock);
    vg_engine *old = s->cur;
    s->cur = e;
    pthread_mutex_unlock(&s->lock);
    vg_engine_free(old);
}

void vg_engine_slot_free(vg_engine_slot *s)
{
    if (!s)
        return;
    vg_engine_free(s->cur);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
