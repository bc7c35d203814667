/* yara/modules/modules.c - the list of YARA modules this build has.
 *
 * Every module of yara 4.2.3 is here; importing any other name is
 * refused ("unknown module"), never silently accepted. Overloads
 * are chosen by exact argument types, as yara does: math.in_range(3, 1,
 * 5) is an error, 3.0 is needed. */
#include <string.h>

#include "yara/modules/modules.h"

static const vgy_decl no_members[] = {VGYD_END};

static const vgy_decl hash_root = VGYD_STRUCTF("hash", no_members, vgymod_hash);
static const vgy_decl math_root = VGYD_STRUCTF("math", vgymod_math_consts, vgymod_math);
static const vgy_decl time_root = VGYD_STRUCTF("time", no_members, vgymod_time);
static const vgy_decl console_root = VGYD_STRUCTF("console", no_members, vgymod_console);

static const vgy_module hash_mod = {"hash", &hash_root, NULL, NULL};
static const vgy_module math_mod = {"math", &math_root, NULL, NULL};
static const vgy_module time_mod = {"time", &time_root, NULL, NULL};
static const vgy_module console_mod = {"console", &console_root, NULL, NULL};

static const vgy_module *const mods[] = {
    &hash_mod, &math_mod, &time_mod, &console_mod, &vgymod_pe, &vgymod_elf, &vgymod_dotnet,
    &vgymod_cuckoo, &vgymod_magic,
};
_Static_assert(sizeof mods / sizeof mods[0] <= VGY_MAX_MODULES, "VGY_MAX_MODULES");

int vgy_module_index(const char *name)
{
    for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++)
        if (!strcmp(mods[i]->name, name))
            return (int)i;
    return -1;
}

const vgy_module *vgy_module_at(int i)
{
    return i >= 0 && (size_t)i < sizeof mods / sizeof mods[0] ? mods[i] : NULL;
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
