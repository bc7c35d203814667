/* yara/object.c - the values YARA modules give a scanned object.
 *
 * A module declares its fields once, as a static vgy_decl tree (integers,
 * floats, strings, structures, arrays, dictionaries, integer constants,
 * functions with overloads). When a rule first touches the module during
 * a scan, the module's load function fills a vgy_obj tree for the object
 * in the scan's arena through the path setters below ("sections[%i].name",
 * "version_info[%s]"), as yara's set_integer/set_string do. Anything never
 * set stays NULL and reads as undefined, which is how yara treats a field
 * a file does not have, an index past the end of an array and a missing
 * dictionary key.
 *
 * Costs: a path setter walks its components, each a linear search over
 * the structure's members (tens) or the dictionary's keys; arrays grow by
 * doubling. Every array or dictionary holds at most VGY_MAX_ITEMS items;
 * a setter past that (or with a bad path) sets nothing. */
#include <stdarg.h>
#include <string.h>

#include "yara/modules/modules.h"

int vgy_decl_member(const vgy_decl *d, const char *name)
{
    if (!d || d->t != VGY_T_STRUCT || !d->sub)
        return -1;
    for (int i = 0; d->sub[i].name; i++)
        if (!strcmp(d->sub[i].name, name))
            return i;
    return -1;
}

static int member_n(const vgy_decl *d, const char *name, size_t n)
{
    for (int i = 0; d->sub && d->sub[i].name; i++) {
        const char *m = d->sub[i].name;
        if (m[0] == name[0] && !strncmp(m, name, n) && m[n] == 0)
            return i;
    }
    return -1;
}

static uint32_t nmembers(const vgy_decl *d)
{
    uint32_t n = 0;
    while (d->sub && d->sub[n].name)
        n++;
    return n;
}

const vgy_func *vgy_decl_func(const vgy_decl *d, const char *name, const char *argtypes,
                              int *name_exists)
{
    *name_exists = 0;
    if (!d || d->t != VGY_T_STRUCT || !d->funcs)
        return NULL;
    for (const vgy_func *f = d->funcs; f->name; f++) {
        if (strcmp(f->name, name))
            continue;
        *name_exists = 1;
        if (!strcmp(f->args, argtypes))
            return f;
    }
    return NULL;
}

void vgy_obj_val(const vgy_obj *o, const vgy_decl *d, vgy_val *out)
{
    memset(out, 0, sizeof *out);
    out->t = d->t;
    if (!o) {
        out->undef = 1;
        return;
    }
    switch (d->t) {
    case VGY_T_INT:
        out->undef = !o->def;
        out->i = o->i;
        break;
    case VGY_T_FLT:
        out->undef = !o->def;
        out->f = o->f;
        break;
    case VGY_T_STR:
        out->undef = !o->def;
        out->s = o->s;
        out->slen = o->slen;
        break;
    default:
        out->o = o;
        break;
    }
}

const vgy_obj *vgy_obj_key(const vgy_obj *dict, const uint8_t *k, size_t n)
{
    for (uint32_t i = 0; i < dict->n; i++)
        if (strlen(dict->key[i]) == n && !memcmp(dict->key[i], k, n))
            return dict->kid[i];
    return NULL;
}

/* ---- building (modules' load functions) ------------------------------ */

vgy_obj *vgyo_new(vgy_ctx *c, const vgy_decl *d)
{
    vgy_obj *o = vgy_alloc(&c->tmp, sizeof *o);
    if (!o)
        return NULL;
    o->d = d;
    if (d->t == VGY_T_STRUCT) {
        o->n = o->cap = nmembers(d);
        o->kid = o->n ? vgy_alloc(&c->tmp, o->n * sizeof *o->kid) : NULL;
        if (o->n && !o->kid)
            return NULL;
    }
    return o;
}

/* Make room for item k of an array or dictionary. */
static int grow(vgy_ctx *c, vgy_obj *o, uint32_t k)
{
    if (k < o->cap)
        return 0;
    if (k >= VGY_MAX_ITEMS)
        return -1;
    uint32_t cap = o->cap ? o->cap : 8;
    while (cap <= k)
        cap *= 2;
    if (cap > VGY_MAX_ITEMS)
        cap = VGY_MAX_ITEMS;
    vgy_obj **nk = vgy_alloc(&c->tmp, cap * sizeof *nk);
    const char **nkey = o->d->t == VGY_T_DICT ? vgy_alloc(&c->tmp, cap * sizeof *nkey) : NULL;
    if (!nk || (o->d->t == VGY_T_DICT && !nkey))
        return -1;
    if (o->n) {
        memcpy(nk, o->kid, o->n * sizeof *nk);
        if (nkey)
            memcpy(nkey, o->key, o->n * sizeof *nkey);
    }
    o->kid = nk;
    o->key = nkey;
    o->cap = cap;
    return 0;
}

static vgy_obj *item(vgy_ctx *c, vgy_obj *o, const char *fmt, va_list *ap)
{
    if (fmt[1] == 'i' && o->d->t == VGY_T_ARRAY) {
        int k = va_arg(*ap, int);
        if (k < 0 || grow(c, o, (uint32_t)k))
            return NULL;
        if (!o->kid[k] && !(o->kid[k] = vgyo_new(c, o->d->sub)))
            return NULL;
        if ((uint32_t)k >= o->n)
            o->n = (uint32_t)k + 1;
        return o->kid[k];
    }
    if (fmt[1] == 's' && o->d->t == VGY_T_DICT) {
        const char *key = va_arg(*ap, const char *);
        for (uint32_t i = 0; i < o->n; i++)
            if (!strcmp(o->key[i], key))
                return o->kid[i];
        if (grow(c, o, o->n))
            return NULL;
        char *kc = vgy_strndup(&c->tmp, key, strlen(key));
        vgy_obj *v = vgyo_new(c, o->d->sub);
        if (!kc || !v)
            return NULL;
        o->key[o->n] = kc;
        o->kid[o->n++] = v;
        return v;
    }
    return NULL;
}

/* Walk (creating) the path; NULL when it does not fit the declarations. */
static vgy_obj *walk(vgy_ctx *c, vgy_obj *o, const char *p, va_list *ap)
{
    while (o && *p) {
        const char *st = p;
        while (*p && *p != '.' && *p != '[')
            p++;
        if (p > st) {
            int m = o->d->t == VGY_T_STRUCT ? member_n(o->d, st, (size_t)(p - st)) : -1;
            if (m < 0)
                return NULL;
            if (!o->kid[m] && !(o->kid[m] = vgyo_new(c, &o->d->sub[m])))
                return NULL;
            o = o->kid[m];
        }
        while (o && p[0] == '[' && p[1] == '%' && p[2] && p[3] == ']') {
            o = item(c, o, p + 1, ap);
            p += 4;
        }
        if (*p == '.')
            p++;
        else if (*p)
            return NULL;
    }
    return o;
}

vgy_obj *vgyo_at(vgy_ctx *c, vgy_obj *root, const char *path, ...)
{
    va_list ap;
    va_start(ap, path);
    vgy_obj *o = walk(c, root, path, &ap);
    va_end(ap);
    return o;
}

void vgyo_int(vgy_ctx *c, vgy_obj *root, int64_t v, const char *path, ...)
{
    va_list ap;
    va_start(ap, path);
    vgy_obj *o = walk(c, root, path, &ap);
    va_end(ap);
    if (o && o->d->t == VGY_T_INT) {
        o->i = v;
        o->def = 1;
    }
}

void vgyo_flt(vgy_ctx *c, vgy_obj *root, double v, const char *path, ...)
{
    va_list ap;
    va_start(ap, path);
    vgy_obj *o = walk(c, root, path, &ap);
    va_end(ap);
    if (o && o->d->t == VGY_T_FLT) {
        o->f = v;
        o->def = 1;
    }
}

void vgyo_str(vgy_ctx *c, vgy_obj *root, const void *s, size_t n, const char *path, ...)
{
    va_list ap;
    va_start(ap, path);
    vgy_obj *o = walk(c, root, path, &ap);
    va_end(ap);
    if (!o || o->d->t != VGY_T_STR)
        return;
    char *d = vgy_strndup(&c->tmp, s, n);
    if (!d)
        return;
    o->s = (const uint8_t *)d;
    o->slen = n;
    o->def = 1;
}

/* Read back what a load function set (for module functions). */
int vgyo_get_int(const vgy_obj *o, int64_t *v)
{
    if (!o || !o->def || o->d->t != VGY_T_INT)
        return 0;
    *v = o->i;
    return 1;
}
