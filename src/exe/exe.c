/* exe/exe.c - vg_exe_parse: pick the parser by magic, own the memory.
 *
 * Strings live in an arena of fixed-size chunks (one allocation per 16 KB
 * of names, freed in one walk) so that a file with 60,000 symbols costs a
 * handful of mallocs; arrays grow by doubling under a hard cap. */
#include "exe_int.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 16384u

struct vg_exe_arena {
    struct vg_exe_arena *next;
    size_t used, cap;
    char data[];
};

static char *arena_alloc(vg_exe_info *info, size_t n)
{
    struct vg_exe_arena *a = info->arena_;
    if (!a || a->cap - a->used < n) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        a = malloc(sizeof(*a) + cap);
        if (!a)
            return NULL;
        a->next = info->arena_;
        a->used = 0;
        a->cap = cap;
        info->arena_ = a;
    }
    a->used += n;
    return a->data + a->used - n;
}

const char *vgx_str(vg_exe_info *info, const uint8_t *p, size_t n)
{
    size_t k = 0;
    char *s;
    while (k < n && p[k])
        k++;
    if (k > VG_EXE_MAX_NAME - 1) {
        k = VG_EXE_MAX_NAME - 1;
        info->flags |= VG_EXE_F_TRUNCATED;
    }
    s = arena_alloc(info, k + 1);
    if (!s)
        return NULL;
    memcpy(s, p, k);
    s[k] = 0;
    return s;
}

const char *vgx_cstr_at(vg_exe_info *info, const vgrd *r, uint64_t off,
                        int *oom)
{
    size_t n;
    const char *s;
    if (off >= r->len)
        return NULL;
    n = r->len - (size_t)off;
    if (n > VG_EXE_MAX_NAME)
        n = VG_EXE_MAX_NAME; /* longer: cut (flagged by vgx_str) */
    s = vgx_str(info, r->base + off, n);
    if (!s)
        *oom = 1;
    return s;
}

int vgx_grow(vg_exe_info *info, void **arr, size_t *n, size_t *cap, size_t el,
             size_t max)
{
    void *p;
    size_t nc;
    if (*n >= max) {
        info->flags |= VG_EXE_F_TRUNCATED;
        return 1;
    }
    if (*n < *cap)
        return 0;
    nc = *cap ? *cap * 2 : 8;
    if (nc > max)
        nc = max;
    p = realloc(*arr, nc * el);
    if (!p)
        return -1;
    *arr = p;
    *cap = nc;
    return 0;
}

int vgx_map(const vg_exe_section *s, size_t ns, uint64_t rva, uint64_t hdr,
            uint64_t flen, uint64_t *off)
{
    size_t i;
    if (rva < hdr) {
        if (rva >= flen)
            return -1;
        *off = rva;
        return 0;
    }
    for (i = ns; i-- > 0;) {
        if (s[i].c_rsize && s[i].c_rva <= rva &&
            s[i].c_rsize > rva - s[i].c_rva) {
            *off = s[i].c_raw + (rva - s[i].c_rva);
            return 0;
        }
    }
    return -1;
}

int vg_exe_rva_to_offset(const vg_exe_info *info, uint64_t rva, uint64_t len,
                         uint64_t *off)
{
    size_t i;
    if (info->kind == VG_EXE_PE)
        return vgx_map(info->sections, info->nsections, rva, info->hdr_size,
                       len, off);
    if (info->kind == VG_EXE_ELF) {
        const vg_elf_info *e = &info->u.elf;
        for (i = 0; i < e->nsegments; i++) {
            const vg_elf_segment *g = &e->segments[i];
            if (g->filesz && g->vaddr <= rva && g->filesz > rva - g->vaddr) {
                *off = g->offset + (rva - g->vaddr);
                return *off < len ? 0 : -1;
            }
        }
        return -1;
    }
    if (info->kind == VG_EXE_MACHO || info->kind == VG_EXE_MACHO_FAT) {
        const vg_macho_info *m = &info->u.macho;
        for (i = 0; i < m->nsegments; i++) {
            const vg_macho_segment *g = &m->segments[i];
            if (g->filesize && g->vmaddr <= rva &&
                g->filesize > rva - g->vmaddr) {
                *off = g->fileoff + (rva - g->vmaddr);
                return *off < len ? 0 : -1;
            }
        }
    }
    return -1;
}

vg_status vg_exe_parse(const uint8_t *data, size_t len, const vg_limits *lim,
                       vg_exe_info *out)
{
    vg_status st = VG_EFORMAT;
    memset(out, 0, sizeof(*out));
    if (!data || len < 4)
        return VG_EFORMAT;
    if (data[0] == 'M' && data[1] == 'Z')
        st = vg_pe_parse(data, len, out);
    else if (data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' &&
             data[3] == 'F')
        st = vg_elf_parse(data, len, out);
    else
        st = vg_macho_parse(data, len, out);
    if (st != VG_OK)
        vg_exe_free(out);
    return st;
}

void vg_exe_free(vg_exe_info *info)
{
    struct vg_exe_arena *a, *n;
    if (!info)
        return;
    if (info->kind == VG_EXE_PE)
        vgx_free_pe(info);
    else if (info->kind == VG_EXE_ELF)
        vgx_free_elf(info);
    else if (info->kind == VG_EXE_MACHO || info->kind == VG_EXE_MACHO_FAT)
        vgx_free_macho(info);
    free(info->sections);
    for (a = info->arena_; a; a = n) {
        n = a->next;
        free(a);
    }
    memset(info, 0, sizeof(*info));
}
