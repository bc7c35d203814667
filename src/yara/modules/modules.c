/* yara/modules/modules.c - the list of YARA modules this build has, and
 * lookup of module.name with overloads chosen by argument types (exactly,
 * as yara: math.in_range(3, 1, 5) is an error, 3.0 is needed).
 *
 * Known to yara 4.2.3 but not here yet: pe, elf, dotnet, magic, cuckoo;
 * importing one is refused ("module not supported by vigil yet"), never
 * silently accepted. */
#include <string.h>

#include "yara/modules/modules.h"

static const struct {
    const char *name;
    const vgy_func *funcs;
} mods[] = {
    {"hash", vgymod_hash},
    {"math", vgymod_math},
    {"time", vgymod_time},
    {"console", vgymod_console},
};

int vgy_module_known(const char *name)
{
    for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++)
        if (!strcmp(mods[i].name, name))
            return 1;
    return 0;
}

const vgy_func *vgy_module_find(const char *module, const char *name, const char *argtypes,
                                int *name_exists)
{
    *name_exists = 0;
    for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++) {
        if (strcmp(mods[i].name, module))
            continue;
        for (const vgy_func *f = mods[i].funcs; f->name; f++) {
            if (strcmp(f->name, name))
                continue;
            *name_exists = 1;
            if (!argtypes ? f->args == NULL : (f->args && !strcmp(f->args, argtypes)))
                return f;
        }
    }
    return NULL;
}

const uint8_t *vgymod_range(const vgy_ctx *c, int64_t off, int64_t size, size_t *n)
{
    if (off < 0 || size < 0 || (uint64_t)off > c->len)
        return NULL;
    uint64_t left = c->len - (uint64_t)off;
    *n = (uint64_t)size < left ? (size_t)size : (size_t)left;
    return c->data + off;
}

void vgymod_int(vgy_val *o, int64_t v)
{
    memset(o, 0, sizeof *o);
    o->t = VGY_T_INT;
    o->i = v;
}

void vgymod_flt(vgy_val *o, double v)
{
    memset(o, 0, sizeof *o);
    o->t = VGY_T_FLT;
    o->f = v;
}

void vgymod_str(vgy_ctx *c, vgy_val *o, const char *s, size_t n)
{
    char *d = vgy_strndup(&c->tmp, s, n);
    if (!d)
        return; /* stays undefined */
    memset(o, 0, sizeof *o);
    o->t = VGY_T_STR;
    o->s = (const uint8_t *)d;
    o->slen = n;
}
