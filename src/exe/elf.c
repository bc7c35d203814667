/* exe/elf.c - bounded ELF parser (System V gABI: ELFCLASS32/64, both byte
 * orders).
 *
 * The ELF header is required; program headers, section headers (named from
 * the section-name string table), symbols of .symtab/.dynsym and the
 * PT_DYNAMIC entries are each read only where they lie wholly inside the
 * file, up to the VG_EXE_MAX_* caps. Extended numbering (e_shnum == 0,
 * e_shstrndx == SHN_XINDEX, e_phnum == PN_XNUM: real values in section 0)
 * is followed.
 *
 * The entry point's file offset is found the way ClamAV does: through the
 * program headers, the last one whose [p_vaddr, p_vaddr + p_filesz) holds
 * e_entry. ClamAV's Sx/SEx/SL offsets use the section headers (sh_offset,
 * sh_size, sh_addr), so the common section list is the section table. */
#include "exe_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct elfctx {
    vgrd r;
    vg_exe_info *info;
    vg_elf_info *e;
    int be, is64, oom;
    uint16_t shent;
    size_t cap_sym;
} elfctx;

static uint64_t g(elfctx *c, uint64_t off, unsigned w, int *ok)
{
    return vgx_get(&c->r, off, w, c->be, ok);
}
/* A "word" that is 4 bytes in ELF32 and 8 in ELF64. */
static uint64_t gw(elfctx *c, uint64_t off, int *ok)
{
    return vgx_get(&c->r, off, c->is64 ? 8 : 4, c->be, ok);
}

static vg_status parse_phdrs(elfctx *c, uint16_t entsize, uint32_t phnum)
{
    vg_elf_info *e = c->e;
    uint32_t i, need = c->is64 ? 56 : 32;
    if (!phnum || !e->phoff)
        return VG_OK;
    if (entsize < need) {
        c->info->flags |= VG_EXE_F_MALFORMED;
        return VG_OK;
    }
    if (phnum > VG_EXE_MAX_SEGMENTS) {
        phnum = VG_EXE_MAX_SEGMENTS;
        c->info->flags |= VG_EXE_F_TRUNCATED;
    }
    e->segments = calloc(phnum, sizeof(*e->segments));
    if (!e->segments)
        return VG_ENOMEM;
    for (i = 0; i < phnum; i++) {
        uint64_t p = e->phoff + (uint64_t)entsize * i;
        vg_elf_segment *s = &e->segments[e->nsegments];
        int ok = 1;
        if (!vgrd_span(&c->r, p, need) || p < e->phoff) {
            c->info->flags |= VG_EXE_F_MALFORMED;
            break;
        }
        s->type = (uint32_t)g(c, p, 4, &ok);
        if (c->is64) {
            s->flags = (uint32_t)g(c, p + 4, 4, &ok);
            s->offset = g(c, p + 8, 8, &ok);
            s->vaddr = g(c, p + 16, 8, &ok);
            s->paddr = g(c, p + 24, 8, &ok);
            s->filesz = g(c, p + 32, 8, &ok);
            s->memsz = g(c, p + 40, 8, &ok);
            s->align = g(c, p + 48, 8, &ok);
        } else {
            s->offset = g(c, p + 4, 4, &ok);
            s->vaddr = g(c, p + 8, 4, &ok);
            s->paddr = g(c, p + 12, 4, &ok);
            s->filesz = g(c, p + 16, 4, &ok);
            s->memsz = g(c, p + 20, 4, &ok);
            s->flags = (uint32_t)g(c, p + 24, 4, &ok);
            s->align = g(c, p + 28, 4, &ok);
        }
        e->nsegments++;
    }
    return VG_OK;
}

static vg_status parse_shdrs(elfctx *c, uint16_t entsize, uint32_t shnum,
                             uint32_t shstrndx)
{
    vg_exe_info *info = c->info;
    vg_elf_info *e = c->e;
    uint32_t i, need = c->is64 ? 64 : 40;
    uint64_t stroff = 0, strsz = 0;
    int have_str = 0;

    if (!shnum || !e->shoff)
        return VG_OK;
    if (entsize < need) {
        info->flags |= VG_EXE_F_MALFORMED;
        return VG_OK;
    }
    if (shnum > VG_EXE_MAX_SECTIONS) {
        shnum = VG_EXE_MAX_SECTIONS;
        info->flags |= VG_EXE_F_TRUNCATED;
    }
    if (shstrndx < shnum) {
        uint64_t p = e->shoff + (uint64_t)entsize * shstrndx;
        int ok = 1;
        stroff = c->is64 ? g(c, p + 24, 8, &ok) : g(c, p + 16, 4, &ok);
        strsz = c->is64 ? g(c, p + 32, 8, &ok) : g(c, p + 20, 4, &ok);
        have_str = ok && vgrd_span(&c->r, stroff, strsz) != NULL;
    }
    info->sections = calloc(shnum, sizeof(*info->sections));
    if (!info->sections)
        return VG_ENOMEM;
    for (i = 0; i < shnum; i++) {
        uint64_t p = e->shoff + (uint64_t)entsize * i;
        vg_exe_section *s = &info->sections[info->nsections];
        uint32_t name;
        int ok = 1;
        if (!vgrd_span(&c->r, p, need)) {
            info->flags |= VG_EXE_F_MALFORMED;
            break;
        }
        name = (uint32_t)g(c, p, 4, &ok);
        s->type = (uint32_t)g(c, p + 4, 4, &ok);
        s->flags = gw(c, p + 8, &ok);
        s->rva = gw(c, p + (c->is64 ? 16 : 12), &ok);
        s->raw_offset = gw(c, p + (c->is64 ? 24 : 16), &ok);
        s->vsize = s->raw_size = gw(c, p + (c->is64 ? 32 : 20), &ok);
        if (s->type == 8) /* SHT_NOBITS: nothing in the file */
            s->raw_size = 0;
        s->c_rva = s->rva;
        s->c_vsize = s->vsize;
        s->c_raw = s->raw_offset;
        s->c_rsize = s->vsize; /* ClamAV uses sh_size whatever the type */
        if (have_str && name < strsz)
            s->name = vgx_str(info, c->r.base + stroff + name, strsz - name);
        else
            s->name = vgx_str(info, (const uint8_t *)"", 0);
        if (!s->name)
            return VG_ENOMEM;
        info->nsections++;
    }
    return VG_OK;
}

/* Symbols of one SHT_SYMTAB / SHT_DYNSYM section; names from sh_link. */
static void parse_symtab(elfctx *c, uint32_t idx, int dynamic)
{
    vg_exe_info *info = c->info;
    vg_elf_info *e = c->e;
    const vg_exe_section *s = &info->sections[idx], *str = NULL;
    uint64_t esz = c->is64 ? 24 : 16, n, i, link, p;
    int ok = 1;

    p = e->shoff + (uint64_t)c->shent * idx;
    /* sh_link sits at 40 (ELF64) or 24 (ELF32); the section header was
     * already checked to be inside the file. */
    link = g(c, p + (c->is64 ? 40 : 24), 4, &ok);
    if (!ok)
        return;
    if (link < info->nsections)
        str = &info->sections[link];
    if (!vgrd_span(&c->r, s->raw_offset, s->raw_size)) {
        info->flags |= VG_EXE_F_MALFORMED;
        return;
    }
    n = s->raw_size / esz;
    for (i = 0; i < n && !c->oom; i++) {
        uint64_t q = s->raw_offset + esz * i;
        vg_elf_symbol sym;
        uint32_t name;
        uint8_t inf;
        int gr;
        memset(&sym, 0, sizeof(sym));
        name = (uint32_t)g(c, q, 4, &ok);
        if (c->is64) {
            inf = (uint8_t)g(c, q + 4, 1, &ok);
            sym.other = (uint8_t)g(c, q + 5, 1, &ok);
            sym.shndx = (uint16_t)g(c, q + 6, 2, &ok);
            sym.value = g(c, q + 8, 8, &ok);
            sym.size = g(c, q + 16, 8, &ok);
        } else {
            sym.value = g(c, q + 4, 4, &ok);
            sym.size = g(c, q + 8, 4, &ok);
            inf = (uint8_t)g(c, q + 12, 1, &ok);
            sym.other = (uint8_t)g(c, q + 13, 1, &ok);
            sym.shndx = (uint16_t)g(c, q + 14, 2, &ok);
        }
        if (!ok)
            break;
        sym.type = inf & 0xf;
        sym.bind = inf >> 4;
        sym.dynamic = (uint8_t)dynamic;
        if (str && name < str->raw_size &&
            vgrd_span(&c->r, str->raw_offset, str->raw_size))
            sym.name = vgx_str(info, c->r.base + str->raw_offset + name,
                               str->raw_size - name);
        else
            sym.name = vgx_str(info, (const uint8_t *)"", 0);
        if (!sym.name) {
            c->oom = 1;
            break;
        }
        gr = vgx_grow(info, (void **)&e->symbols, &e->nsymbols, &c->cap_sym,
                      sizeof(sym), VG_EXE_MAX_SYMBOLS);
        if (gr < 0)
            c->oom = 1;
        if (gr)
            break;
        e->symbols[e->nsymbols++] = sym;
    }
}

static void parse_dynamic(elfctx *c)
{
    vg_elf_info *e = c->e;
    size_t i, cap = 0;
    unsigned w = c->is64 ? 8 : 4;
    for (i = 0; i < e->nsegments; i++) {
        const vg_elf_segment *s = &e->segments[i];
        uint64_t k, n;
        if (s->type != 2) /* PT_DYNAMIC */
            continue;
        if (!vgrd_span(&c->r, s->offset, s->filesz)) {
            c->info->flags |= VG_EXE_F_MALFORMED;
            return;
        }
        n = s->filesz / (2 * w);
        for (k = 0; k < n; k++) {
            int ok = 1, gr;
            vg_elf_dyn d;
            uint64_t t = g(c, s->offset + 2 * w * k, w, &ok);
            d.tag = w == 8 ? (int64_t)t : (int64_t)(int32_t)(uint32_t)t;
            d.val = g(c, s->offset + 2 * w * k + w, w, &ok);
            if (!ok)
                break;
            gr = vgx_grow(c->info, (void **)&e->dynamic, &e->ndynamic, &cap,
                          sizeof(d), VG_EXE_MAX_SYMBOLS);
            if (gr < 0)
                c->oom = 1;
            if (gr)
                return;
            e->dynamic[e->ndynamic++] = d;
            if (d.tag == 0) /* DT_NULL */
                break;
        }
        return; /* one PT_DYNAMIC */
    }
}

vg_status vg_elf_parse(const uint8_t *data, size_t len, vg_exe_info *out)
{
    elfctx c;
    vg_elf_info *e = &out->u.elf;
    uint16_t phent, shent;
    uint32_t phnum, shnum, shstrndx, i;
    int ok = 1;
    vg_status st;

    memset(out, 0, sizeof(*out));
    memset(&c, 0, sizeof(c));
    vgrd_init(&c.r, data, len);
    c.info = out;
    c.e = e;
    if (len < 52 || memcmp(data, "\x7f" "ELF", 4))
        return VG_EFORMAT;
    if ((data[4] != 1 && data[4] != 2) || (data[5] != 1 && data[5] != 2))
        return VG_EFORMAT;
    c.is64 = data[4] == 2;
    c.be = data[5] == 2;
    if (c.is64 && len < 64)
        return VG_EFORMAT;
    out->kind = VG_EXE_ELF;
    out->clam_target = 6;
    if (c.is64)
        out->flags |= VG_EXE_F_64;
    if (c.be)
        out->flags |= VG_EXE_F_BIG_ENDIAN;
    e->ei_class = data[4];
    e->ei_data = data[5];
    e->ei_osabi = data[7];
    e->ei_abiversion = data[8];
    e->type = (uint16_t)g(&c, 16, 2, &ok);
    e->machine = (uint16_t)g(&c, 18, 2, &ok);
    e->version = (uint32_t)g(&c, 20, 4, &ok);
    e->entry = gw(&c, 24, &ok);
    e->phoff = gw(&c, c.is64 ? 32 : 28, &ok);
    e->shoff = gw(&c, c.is64 ? 40 : 32, &ok);
    e->flags = (uint32_t)g(&c, c.is64 ? 48 : 36, 4, &ok);
    phent = (uint16_t)g(&c, c.is64 ? 54 : 42, 2, &ok);
    phnum = (uint32_t)g(&c, c.is64 ? 56 : 44, 2, &ok);
    shent = (uint16_t)g(&c, c.is64 ? 58 : 46, 2, &ok);
    shnum = (uint32_t)g(&c, c.is64 ? 60 : 48, 2, &ok);
    shstrndx = (uint32_t)g(&c, c.is64 ? 62 : 50, 2, &ok);
    if (!ok) {
        vg_exe_free(out);
        return VG_EFORMAT;
    }
    /* Extended numbering: the real counts live in section header 0. */
    if (e->shoff && (shnum == 0 || shstrndx == 0xffff || phnum == 0xffff) &&
        shent >= (c.is64 ? 64 : 40)) {
        int ok0 = 1;
        uint64_t p = e->shoff;
        uint64_t sz = c.is64 ? g(&c, p + 32, 8, &ok0) : g(&c, p + 20, 4, &ok0);
        uint32_t link = (uint32_t)g(&c, p + (c.is64 ? 40 : 24), 4, &ok0);
        uint32_t inf = (uint32_t)g(&c, p + (c.is64 ? 44 : 28), 4, &ok0);
        if (ok0) {
            if (shnum == 0)
                shnum = sz > UINT32_MAX ? UINT32_MAX : (uint32_t)sz;
            if (shstrndx == 0xffff)
                shstrndx = link;
            if (phnum == 0xffff)
                phnum = inf;
        }
    }
    e->phnum = (uint16_t)(phnum > 0xffff ? 0xffff : phnum);
    e->shnum = (uint16_t)(shnum > 0xffff ? 0xffff : shnum);
    e->shstrndx = (uint16_t)(shstrndx > 0xffff ? 0xffff : shstrndx);
    c.shent = shent;
    st = parse_phdrs(&c, phent, phnum);
    if (st == VG_OK)
        st = parse_shdrs(&c, shent, shnum, shstrndx);
    if (st != VG_OK) {
        vg_exe_free(out);
        return st;
    }
    for (i = 0; i < out->nsections && !c.oom; i++)
        if (out->sections[i].type == 2)
            parse_symtab(&c, i, 0);
    for (i = 0; i < out->nsections && !c.oom; i++)
        if (out->sections[i].type == 11)
            parse_symtab(&c, i, 1);
    if (!c.oom)
        parse_dynamic(&c);
    if (c.oom) {
        vg_exe_free(out);
        return VG_ENOMEM;
    }
    /* Entry point: last program header holding it (ClamAV's rule). */
    out->ep_addr = e->entry;
    for (i = (uint32_t)e->nsegments; i-- > 0;) {
        const vg_elf_segment *s = &e->segments[i];
        if (s->filesz && s->vaddr <= e->entry &&
            s->filesz > e->entry - s->vaddr) {
            uint64_t off = s->offset + (e->entry - s->vaddr);
            if (off < len) {
                out->ep_valid = 1;
                out->ep_offset = off;
            }
            break;
        }
    }
    return VG_OK;
}

void vgx_free_elf(vg_exe_info *info)
{
    free(info->u.elf.segments);
    free(info->u.elf.symbols);
    free(info->u.elf.dynamic);
}
