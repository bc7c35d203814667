/* yara/modules/magic.c - YARA's magic module: magic.type() and
 * magic.mime_type(), libmagic's description and MIME type of the whole
 * object, through Debian's libmagic (the library yara 4.2.3 itself uses,
 * so both read the same magic database and give the same text).
 *
 * A libmagic cookie is not safe to share between threads, so each scratch
 * (one per scanning thread) opens its own on the first call and keeps it
 * (c->modcache); the answers for one object are computed once, on the
 * first call, and kept with the object's module values. When libmagic
 * cannot load its database the functions are undefined. */
#include <magic.h>
#include <stdlib.h>
#include <string.h>

#include "yara/modules/modules.h"

typedef struct cache {
    magic_t type, mime;
    int failed;
} cache;

typedef struct answers {
    int done;
    const char *type, *mime;
} answers;

static void cache_free(void *p)
{
    cache *k = p;
    if (k->type)
        magic_close(k->type);
    if (k->mime)
        magic_close(k->mime);
    free(k);
}

static cache *get_cache(vgy_ctx *c)
{
    int i = vgy_module_index("magic");
    if (!c->modcache || i < 0)
        return NULL;
    cache *k = c->modcache[i];
    if (k)
        return k->failed ? NULL : k;
    k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    c->modcache[i] = k;
    k->type = magic_open(MAGIC_NONE);
    k->mime = magic_open(MAGIC_MIME_TYPE);
    if (!k->type || !k->mime || magic_load(k->type, NULL) || magic_load(k->mime, NULL)) {
        k->failed = 1;
        return NULL;
    }
    return k;
}

static char *dup_tmp(vgy_ctx *c, const char *s)
{
    return s ? vgy_strndup(&c->tmp, s, strlen(s)) : NULL;
}

static const answers *answer(vgy_ctx *c)
{
    answers *a = c->self->priv;
    if (!a || a->done)
        return a;
    a->done = 1;
    cache *k = get_cache(c);
    if (!k)
        return a;
    a->type = dup_tmp(c, magic_buffer(k->type, c->data, c->len));
    a->mime = dup_tmp(c, magic_buffer(k->mime, c->data, c->len));
    return a;
}

static void f_type(vgy_ctx *c, const vgy_val *args, vgy_val *o)
{
    (void)args;
    const answers *a = answer(c);
    if (a && a->type)
        vgymod_str(c, o, a->type, strlen(a->type));
}

static void f_mime(vgy_ctx *c, const vgy_val *args, vgy_val *o)
{
    (void)args;
    const answers *a = answer(c);
    if (a && a->mime)
        vgymod_str(c, o, a->mime, strlen(a->mime));
}

static const vgy_func magic_f[] = {
    {"magic", "type", "", VGY_T_STR, f_type},
    {"magic", "mime_type", "", VGY_T_STR, f_mime},
    {NULL, NULL, NULL, 0, NULL},
};
static const vgy_decl no_members[] = {VGYD_END};
static const vgy_decl magic_root = VGYD_STRUCTF("magic", no_members, magic_f);

static void load(vgy_ctx *c, vgy_obj *o)
{
    o->priv = vgy_alloc(&c->tmp, sizeof(answers));
}

const vgy_module vgymod_magic = {"magic", &magic_root, load, cache_free};
