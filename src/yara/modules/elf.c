/* yara/modules/elf.c - YARA's elf module (yara 4.2.3's fields as its
 * modules/elf.rst documents them): header type/machine/entry point,
 * sections, segments, the dynamic section and the symbol table, for
 * 32- and 64-bit, little- and big-endian files.
 *
 * Parsed here from the object's bytes through the bounded reader; a table
 * that does not fit in the file is left out (its count stays as the header
 * says, as yara does), names come from the linked string table only when
 * they lie inside the file. The entry point is a file offset: through the
 * segments for ET_EXEC, through the sections otherwise. */
#include <string.h>

#include "core/rd.h"
#include "yara/modules/modules.h"

static const vgy_decl sec_m[] = {VGYD_INT("type"), VGYD_INT("flags"), VGYD_INT("address"),
                                 VGYD_STR("name"), VGYD_INT("size"), VGYD_INT("offset"),
                                 VGYD_END};
static const vgy_decl sec_e = VGYD_STRUCT(NULL, sec_m);
static const vgy_decl seg_m[] = {
    VGYD_INT("type"), VGYD_INT("flags"), VGYD_INT("offset"), VGYD_INT("virtual_address"),
    VGYD_INT("physical_address"), VGYD_INT("file_size"), VGYD_INT("memory_size"),
    VGYD_INT("alignment"), VGYD_END,
};
static const vgy_decl seg_e = VGYD_STRUCT(NULL, seg_m);
static const vgy_decl dyn_m[] = {VGYD_INT("type"), VGYD_INT("val"), VGYD_END};
static const vgy_decl dyn_e = VGYD_STRUCT(NULL, dyn_m);
static const vgy_decl sym_m[] = {VGYD_STR("name"), VGYD_INT("value"), VGYD_INT("size"),
                                 VGYD_INT("type"), VGYD_INT("bind"), VGYD_INT("shndx"),
                                 VGYD_END};
static const vgy_decl sym_e = VGYD_STRUCT(NULL, sym_m);

static const vgy_decl elf_m[] = { /* fields first: the setters search in order */
    VGYD_INT("type"), VGYD_INT("machine"), VGYD_INT("entry_point"),
    VGYD_INT("number_of_sections"), VGYD_ARRAY("sections", &sec_e),
    VGYD_INT("number_of_segments"), VGYD_ARRAY("segments", &seg_e),
    VGYD_INT("dynamic_section_entries"), VGYD_ARRAY("dynamic", &dyn_e),
    VGYD_INT("symtab_entries"), VGYD_ARRAY("symtab", &sym_e),
#include "yara/modules/elf_consts.inc"
    VGYD_END,
};
static const vgy_decl elf_root = VGYD_STRUCT("elf", elf_m);

#define MAX_ENTRIES 65536u

typedef struct elf {
    vgrd r;
    size_t n;
    int is64, be;
} elf;

static int rdn(const elf *e, uint64_t off, unsigned w, uint64_t *v)
{
    const uint8_t *b = off <= e->n ? vgrd_span(&e->r, (size_t)off, w) : NULL;
    if (!b)
        return 0;
    uint64_t x = 0;
    for (unsigned i = 0; i < w; i++)
        x |= (uint64_t)b[e->be ? w - 1 - i : i] << (8 * i);
    *v = x;
    return 1;
}

/* Field at 32-bit offset o32 (width w32) or 64-bit offset o64 (w64). */
static uint64_t fld(const elf *e, uint64_t base, unsigned o32, unsigned w32, unsigned o64,
                    unsigned w64)
{
    uint64_t v = 0;
    rdn(e, base + (e->is64 ? o64 : o32), e->is64 ? w64 : w32, &v);
    return v;
}

static int64_t cstr(const elf *e, uint64_t off)
{
    if (off >= e->n)
        return -1;
    const uint8_t *b = vgrd_span(&e->r, (size_t)off, 1);
    const uint8_t *z = memchr(b, 0, e->n - (size_t)off);
    return z ? z - b : -1;
}

static void load(vgy_ctx *c, vgy_obj *o)
{
    const uint8_t *d = c->data;
    size_t n = c->len;
    if (n < 52 || memcmp(d, "\177ELF", 4) || (d[4] != 1 && d[4] != 2) || (d[5] != 1 && d[5] != 2))
        return;
    elf e = {.n = n, .is64 = d[4] == 2, .be = d[5] == 2};
    vgrd_init(&e.r, d, n);
    if (e.is64 && n < 64)
        return;
    uint64_t type = fld(&e, 0, 16, 2, 16, 2), entry = fld(&e, 0, 24, 4, 24, 8);
    uint64_t phoff = fld(&e, 0, 28, 4, 32, 8), shoff = fld(&e, 0, 32, 4, 40, 8);
    uint64_t phnum = fld(&e, 0, 44, 2, 56, 2), shnum = fld(&e, 0, 48, 2, 60, 2);
    uint64_t shstr = fld(&e, 0, 50, 2, 62, 2);
    unsigned shsz = e.is64 ? 64 : 40, phsz = e.is64 ? 56 : 32;
    vgyo_int(c, o, (int64_t)type, "type");
    vgyo_int(c, o, (int64_t)fld(&e, 0, 18, 2, 18, 2), "machine");
    vgyo_int(c, o, (int64_t)shnum, "number_of_sections");
    vgyo_int(c, o, (int64_t)phnum, "number_of_segments");
    int sh_ok = shnum && shoff < n && shnum * shsz <= n - shoff;
    int ph_ok = phnum && phoff < n && phnum * phsz <= n - phoff;
    int64_t ep = -1;
    if (sh_ok) {
        uint64_t strbase = 0;
        int have_str = shstr < shnum;
        if (have_str)
            strbase = fld(&e, shoff + shstr * shsz, 16, 4, 24, 8);
        for (uint64_t i = 0; i < shnum; i++) {
            uint64_t h = shoff + i * shsz;
            uint64_t nm = fld(&e, h, 0, 4, 0, 4), st = fld(&e, h, 4, 4, 4, 4);
            uint64_t fl = fld(&e, h, 8, 4, 8, 8), addr = fld(&e, h, 12, 4, 16, 8);
            uint64_t off = fld(&e, h, 16, 4, 24, 8), sz = fld(&e, h, 20, 4, 32, 8);
            vgy_obj *s = vgyo_at(c, o, "sections[%i]", (int)i);
            if (!s)
                break;
            vgyo_int(c, s, (int64_t)st, "type");
            vgyo_int(c, s, (int64_t)fl, "flags");
            vgyo_int(c, s, (int64_t)addr, "address");
            vgyo_int(c, s, (int64_t)sz, "size");
            vgyo_int(c, s, (int64_t)off, "offset");
            int64_t l;
            if (have_str && strbase + nm >= strbase && (l = cstr(&e, strbase + nm)) >= 0)
                vgyo_str(c, s, d + strbase + nm, (size_t)l, "name");
            if (type != 2 && ep < 0 && st != 0 && st != 8 && entry >= addr && entry - addr < sz)
                ep = (int64_t)(off + (entry - addr));
            if (st == 2 && fld(&e, h, 40, 4, 56, 8)) { /* SHT_SYMTAB */
                uint64_t link = fld(&e, h, 24, 4, 40, 4);
                uint64_t ssz = e.is64 ? 24 : 16, cnt = sz / ssz, sbase = 0;
                if (link < shnum)
                    sbase = fld(&e, shoff + link * shsz, 16, 4, 24, 8);
                if (off >= n || cnt * ssz > n - off)
                    continue;
                for (uint64_t k = 0; k < cnt && k < MAX_ENTRIES; k++) {
                    uint64_t y = off + k * ssz;
                    vgy_obj *sy = vgyo_at(c, o, "symtab[%i]", (int)k);
                    if (!sy)
                        break;
                    uint64_t sn = fld(&e, y, 0, 4, 0, 4);
                    uint64_t info = fld(&e, y, 12, 1, 4, 1);
                    vgyo_int(c, sy, (int64_t)fld(&e, y, 4, 4, 8, 8), "value");
                    vgyo_int(c, sy, (int64_t)fld(&e, y, 8, 4, 16, 8), "size");
                    vgyo_int(c, sy, (int64_t)(info & 15), "type");
                    vgyo_int(c, sy, (int64_t)(info >> 4), "bind");
                    vgyo_int(c, sy, (int64_t)fld(&e, y, 14, 2, 6, 2), "shndx");
                    if (link < shnum && (l = cstr(&e, sbase + sn)) >= 0)
                        vgyo_str(c, sy, d + sbase + sn, (size_t)l, "name");
                }
                vgyo_int(c, o, (int64_t)(cnt < MAX_ENTRIES ? cnt : MAX_ENTRIES), "symtab_entries");
            }
        }
    }
    if (ph_ok) {
        for (uint64_t i = 0; i < phnum; i++) {
            uint64_t h = phoff + i * phsz;
            uint64_t pt = fld(&e, h, 0, 4, 0, 4), off = fld(&e, h, 4, 4, 8, 8);
            uint64_t va = fld(&e, h, 8, 4, 16, 8), fsz = fld(&e, h, 16, 4, 32, 8);
            uint64_t msz = fld(&e, h, 20, 4, 40, 8);
            vgy_obj *s = vgyo_at(c, o, "segments[%i]", (int)i);
            if (!s)
                break;
            vgyo_int(c, s, (int64_t)pt, "type");
            vgyo_int(c, s, (int64_t)fld(&e, h, 24, 4, 4, 4), "flags");
            vgyo_int(c, s, (int64_t)off, "offset");
            vgyo_int(c, s, (int64_t)va, "virtual_address");
            vgyo_int(c, s, (int64_t)fld(&e, h, 12, 4, 24, 8), "physical_address");
            vgyo_int(c, s, (int64_t)fsz, "file_size");
            vgyo_int(c, s, (int64_t)msz, "memory_size");
            vgyo_int(c, s, (int64_t)fld(&e, h, 28, 4, 48, 8), "alignment");
            if (type == 2 && ep < 0 && entry >= va && entry - va < msz)
                ep = (int64_t)(off + (entry - va));
            if (pt == 2 && off < n) { /* PT_DYNAMIC */
                uint64_t dsz = e.is64 ? 16 : 8, k = 0;
                for (; k < MAX_ENTRIES && (k + 1) * dsz <= n - off; k++) {
                    uint64_t y = off + k * dsz;
                    uint64_t tag = fld(&e, y, 0, 4, 0, 8);
                    vgyo_int(c, o, (int64_t)tag, "dynamic[%i].type", (int)k);
                    vgyo_int(c, o, (int64_t)fld(&e, y, 4, 4, 8, 8), "dynamic[%i].val", (int)k);
                    if (tag == 0) {
                        k++;
                        break;
                    }
                }
                vgyo_int(c, o, (int64_t)k, "dynamic_section_entries");
            }
        }
    }
    if (ep >= 0)
        vgyo_int(c, o, ep, "entry_point");
}

const vgy_module vgymod_elf = {"elf", &elf_root, load, NULL};
