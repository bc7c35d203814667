/* exe/pe.c - bounded PE32/PE32+ parser (Microsoft PE/COFF specification).
 *
 * Order: DOS header -> e_lfanew -> "PE\0\0" + COFF header -> optional
 * header (PE32 or PE32+) -> section table -> the data directories we use
 * (imports, exports, resources, security). The headers are required (no
 * COFF header or an unknown optional-header magic = not a PE); anything
 * after them that points outside the file or loops is skipped with
 * VG_EXE_F_MALFORMED and the rest is still reported.
 *
 * Two views of each section are kept: the values as written (what YARA's
 * pe module shows) and ClamAV's normalised ones (c_*: addresses rounded to
 * the alignments (FileAlignment falling back to 0x200 where the raw
 * pointers ask for it), raw size cut at the end of the file), which its EP/Sx
 * offsets, section hashes and RVA lookups use. Directory RVAs are mapped
 * with the ClamAV rule too (vgx_map), so imphash agrees with clamscan.
 *
 * imphash: for each imported function, "<dll>.<func>" with the dll name
 * lower-cased and its .dll/.ocx/.sys extension dropped, the function name
 * lower-cased or, for an ordinal import, its well-known name (ws2_32,
 * wsock32, oleaut32: exe/ordnames.c) or "ord<N>"; joined by ',' and
 * MD5'd. */
#include "exe_int.h"
#include "core/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT_DESC_MAX 4096u   /* descriptors walked before giving up */
#define THUNKS_PER_DLL 8192u    /* thunks walked per descriptor */
#define RES_VISIT_MAX (4u * VG_EXE_MAX_RESOURCES) /* entries, all levels */
#define IMPHASH_MAX (4u << 20)  /* bytes of the joined import string */

typedef struct pectx {
    vgrd r;
    vg_exe_info *info;
    vg_pe_info *pe;
    int oom;
    size_t cap_imp, cap_exp, cap_res;
} pectx;

static uint64_t align_down(uint64_t v, uint64_t a) { return a ? v / a * a : v; }
static uint64_t align_up(uint64_t v, uint64_t a)
{
    return a ? (v / a + (v % a != 0)) * a : v;
}

static uint32_t u32at(pectx *c, uint64_t off, int *ok)
{
    return (uint32_t)vgx_get(&c->r, off, 4, 0, ok);
}
static uint16_t u16at(pectx *c, uint64_t off, int *ok)
{
    return (uint16_t)vgx_get(&c->r, off, 2, 0, ok);
}

/* RVA of directory data -> file offset, or -1. */
static int rva2off(pectx *c, uint64_t rva, uint64_t *off)
{
    return vgx_map(c->info->sections, c->info->nsections, rva,
                   c->info->hdr_size, c->r.len, off);
}

/* ---------------------------------------------------------------- headers */

static vg_status parse_headers(pectx *c, uint64_t *sect_off)
{
    vg_pe_info *pe = c->pe;
    int ok = 1;
    uint64_t nt, o;
    uint32_t nrva, i;
    int is64;

    nt = u32at(c, 0x3c, &ok);
    if (!ok || vgx_get(&c->r, nt, 4, 0, &ok) != 0x00004550u || !ok)
        return VG_EFORMAT;
    pe->nt_offset = (uint32_t)nt;
    pe->machine = u16at(c, nt + 4, &ok);
    pe->nsections_declared = u16at(c, nt + 6, &ok);
    pe->timestamp = u32at(c, nt + 8, &ok);
    pe->symtab_offset = u32at(c, nt + 12, &ok);
    pe->nsymbols = u32at(c, nt + 16, &ok);
    pe->opt_size = u16at(c, nt + 20, &ok);
    pe->characteristics = u16at(c, nt + 22, &ok);
    o = nt + 24;
    pe->opt_magic = u16at(c, o, &ok);
    if (!ok || (pe->opt_magic != 0x10b && pe->opt_magic != 0x20b))
        return VG_EFORMAT;
    is64 = pe->opt_magic == 0x20b;
    if (is64)
        c->info->flags |= VG_EXE_F_64;
    /* Fields common to both layouts up to DllCharacteristics (offset 70). */
    if (!vgrd_span(&c->r, o, 72))
        return VG_EFORMAT;
    pe->linker_major = (uint8_t)vgx_get(&c->r, o + 2, 1, 0, &ok);
    pe->linker_minor = (uint8_t)vgx_get(&c->r, o + 3, 1, 0, &ok);
    pe->size_of_code = u32at(c, o + 4, &ok);
    pe->size_of_init_data = u32at(c, o + 8, &ok);
    pe->size_of_uninit_data = u32at(c, o + 12, &ok);
    pe->ep_rva = u32at(c, o + 16, &ok);
    pe->base_of_code = u32at(c, o + 20, &ok);
    pe->image_base = is64 ? vgx_get(&c->r, o + 24, 8, 0, &ok)
                          : u32at(c, o + 28, &ok);
    pe->section_align = u32at(c, o + 32, &ok);
    pe->file_align = u32at(c, o + 36, &ok);
    pe->os_major = u16at(c, o + 40, &ok);
    pe->os_minor = u16at(c, o + 42, &ok);
    pe->image_major = u16at(c, o + 44, &ok);
    pe->image_minor = u16at(c, o + 46, &ok);
    pe->subsys_major = u16at(c, o + 48, &ok);
    pe->subsys_minor = u16at(c, o + 50, &ok);
    pe->win32_version = u32at(c, o + 52, &ok);
    pe->size_of_image = u32at(c, o + 56, &ok);
    pe->size_of_headers = u32at(c, o + 60, &ok);
    pe->checksum = u32at(c, o + 64, &ok);
    pe->subsystem = u16at(c, o + 68, &ok);
    pe->dll_characteristics = u16at(c, o + 70, &ok);
    if (!ok)
        return VG_EFORMAT;
    {
        /* The rest may be cut short by a small SizeOfOptionalHeader or
         * the end of the file: keep what is there. */
        unsigned w = is64 ? 8 : 4;
        uint64_t q = o + 72, dd;
        int ok2 = 1;
        pe->stack_reserve = vgx_get(&c->r, q, w, 0, &ok2);
        pe->stack_commit = vgx_get(&c->r, q + w, w, 0, &ok2);
        pe->heap_reserve = vgx_get(&c->r, q + 2 * w, w, 0, &ok2);
        pe->heap_commit = vgx_get(&c->r, q + 3 * w, w, 0, &ok2);
        pe->loader_flags = u32at(c, q + 4 * w, &ok2);
        nrva = u32at(c, q + 4 * w + 4, &ok2);
        dd = q + 4 * w + 8;
        if (!ok2) {
            c->info->flags |= VG_EXE_F_MALFORMED;
            nrva = 0;
        }
        if (nrva > 16)
            nrva = 16;
        /* Directories past the declared optional-header size don't count. */
        for (i = 0; i < nrva; i++) {
            if (dd + 8 * (uint64_t)(i + 1) > o + pe->opt_size ||
                !vgrd_span(&c->r, dd + 8 * i, 8))
                break;
            pe->datadir[i].rva = u32at(c, dd + 8 * i, &ok2);
            pe->datadir[i].size = u32at(c, dd + 8 * i + 4, &ok2);
        }
        pe->ndatadirs = i;
    }
    *sect_off = o + pe->opt_size;
    return VG_OK;
}

static vg_status parse_sections(pectx *c, uint64_t so)
{
    vg_exe_info *info = c->info;
    vg_pe_info *pe = c->pe;
    uint64_t flen = c->r.len, falign = pe->file_align,
             valign = pe->section_align;
    size_t n = pe->nsections_declared, i;

    if (n > VG_EXE_MAX_SECTIONS) {
        n = VG_EXE_MAX_SECTIONS;
        info->flags |= VG_EXE_F_TRUNCATED;
    }
    if (n) {
        info->sections = calloc(n, sizeof(*info->sections));
        if (!info->sections)
            return VG_ENOMEM;
    }
    /* ClamAV's file alignment: a FileAlignment that some raw pointer does
     * not respect, where all of them are multiples of 0x200, gives way to
     * 0x200 (clamscan on one-section PEs with FileAlignment 0x80..0x1000
     * and raw pointers 0x1ff..0x400: tests/e2e/diff_exe.sh). */
    if (falign && falign != 0x200) {
        int off_falign = 0, all_512 = 1;
        for (i = 0; i < n; i++) {
            int ok = 1;
            uint64_t raw = vgx_get(&c->r, so + 40 * i + 20, 4, 0, &ok);
            if (!ok)
                break;
            if (raw % falign)
                off_falign = 1;
            if (raw % 0x200)
                all_512 = 0;
        }
        if (off_falign && all_512)
            falign = 0x200;
    }
    for (i = 0; i < n; i++) {
        vg_exe_section *s = &info->sections[i];
        const uint8_t *p = vgrd_span(&c->r, so + 40 * i, 40);
        int ok = 1;
        if (so + 40 * i > SIZE_MAX || !p) {
            info->flags |= VG_EXE_F_MALFORMED;
            break;
        }
        s->name = vgx_str(info, p, 8);
        if (!s->name)
            return VG_ENOMEM;
        s->vsize = vgx_get(&c->r, so + 40 * i + 8, 4, 0, &ok);
        s->rva = vgx_get(&c->r, so + 40 * i + 12, 4, 0, &ok);
        s->raw_size = vgx_get(&c->r, so + 40 * i + 16, 4, 0, &ok);
        s->raw_offset = vgx_get(&c->r, so + 40 * i + 20, 4, 0, &ok);
        s->flags = vgx_get(&c->r, so + 40 * i + 36, 4, 0, &ok);
        s->c_rva = align_down(s->rva, valign);
        s->c_vsize = align_up(s->vsize, valign);
        s->c_raw = align_down(s->raw_offset, falign);
        s->c_rsize = align_up(s->raw_size, falign);
        if (!s->c_vsize && s->c_rsize)
            s->c_vsize = align_up(s->raw_size, valign);
        if (s->c_rsize && s->c_raw >= flen)
            s->c_rsize = 0; /* starts past the end: no data */
        else if (s->c_rsize && s->c_rsize > flen - s->c_raw)
            s->c_rsize = flen - s->c_raw;
        info->nsections++;
    }
    return VG_OK;
}

/* ---------------------------------------------------------------- imports */

static int add_import(pectx *c, const vg_pe_import *im)
{
    int g = vgx_grow(c->info, (void **)&c->pe->imports, &c->pe->nimports,
                     &c->cap_imp, sizeof(*im), VG_EXE_MAX_IMPORTS);
    if (g < 0) {
        c->oom = 1;
        return -1;
    }
    if (g > 0)
        return -1;
    c->pe->imports[c->pe->nimports++] = *im;
    return 0;
}

static void parse_imports(pectx *c)
{
    vg_pe_info *pe = c->pe;
    uint64_t base;
    unsigned w = (c->info->flags & VG_EXE_F_64) ? 8 : 4;
    uint64_t ordflag = (uint64_t)1 << (w * 8 - 1);
    uint32_t d;

    if (pe->ndatadirs < 2 || !pe->datadir[1].rva)
        return;
    if (rva2off(c, pe->datadir[1].rva, &base) < 0) {
        c->info->flags |= VG_EXE_F_MALFORMED;
        return;
    }
    for (d = 0; d < IMPORT_DESC_MAX && !c->oom; d++) {
        uint64_t e = base + 20ull * d, noff, toff;
        int ok = 1;
        uint32_t ilt = u32at(c, e, &ok), name = u32at(c, e + 12, &ok),
                 iat = u32at(c, e + 16, &ok), thunks, t;
        const char *dll;
        if (!ok) {
            c->info->flags |= VG_EXE_F_MALFORMED;
            break;
        }
        if (!ilt && !name && !iat)
            break;
        if (pe->nimport_dlls >= VG_EXE_MAX_IMPORT_DLLS) {
            c->info->flags |= VG_EXE_F_TRUNCATED;
            break;
        }
        if (rva2off(c, name, &noff) < 0 ||
            !(dll = vgx_cstr_at(c->info, &c->r, noff, &c->oom))) {
            c->info->flags |= VG_EXE_F_MALFORMED;
            continue;
        }
        thunks = ilt ? ilt : iat;
        if (rva2off(c, thunks, &toff) < 0) {
            c->info->flags |= VG_EXE_F_MALFORMED;
            continue;
        }
        pe->nimport_dlls++;
        for (t = 0; t < THUNKS_PER_DLL; t++) {
            vg_pe_import im;
            uint64_t v = vgx_get(&c->r, toff + (uint64_t)w * t, w, 0, &ok);
            if (!ok) {
                c->info->flags |= VG_EXE_F_MALFORMED;
                break;
            }
            if (!v)
                break;
            memset(&im, 0, sizeof(im));
            im.dll = dll;
            im.iat_rva = (uint64_t)iat + (uint64_t)w * t;
            if (v & ordflag) {
                im.ordinal = (uint16_t)v;
            } else {
                uint64_t hoff;
                if (rva2off(c, v & 0x7fffffffu, &hoff) < 0) {
                    c->info->flags |= VG_EXE_F_MALFORMED;
                    break; /* a bad thunk ends this list */
                }
                im.hint = u16at(c, hoff, &ok);
                im.name = vgx_cstr_at(c->info, &c->r, hoff + 2, &c->oom);
                if (!ok || !im.name) {
                    c->info->flags |= VG_EXE_F_MALFORMED;
                    break;
                }
            }
            if (add_import(c, &im) < 0)
                return;
        }
    }
}

static int lc(int ch) { return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch; }

vg_status vg_pe_impstring(const vg_exe_info *info, char **out, size_t *outlen)
{
    const vg_pe_info *pe = &info->u.pe;
    char *s;
    size_t cap = 0, n = 0, i;

    *out = NULL;
    *outlen = 0;
    if (info->kind != VG_EXE_PE || !pe->nimports)
        return VG_OK;
    for (i = 0; i < pe->nimports; i++) {
        const vg_pe_import *im = &pe->imports[i];
        const char *on = im->name ? NULL : vg_pe_ordinal_name(im->dll, im->ordinal);
        cap += strlen(im->dll) + 2 + (im->name ? strlen(im->name) : on ? strlen(on) : 8);
    }
    if (cap > IMPHASH_MAX)
        return VG_ELIMIT; /* cannot happen with the caps */
    s = malloc(cap + 1);
    if (!s)
        return VG_ENOMEM;
    for (i = 0; i < pe->nimports; i++) {
        const vg_pe_import *im = &pe->imports[i];
        size_t dl = strlen(im->dll), k;
        if (i)
            s[n++] = ',';
        if (dl > 4) {
            const char *x = im->dll + dl - 4;
            char e[5];
            for (k = 0; k < 4; k++)
                e[k] = (char)lc((unsigned char)x[k]);
            e[4] = 0;
            if (!strcmp(e, ".dll") || !strcmp(e, ".ocx") || !strcmp(e, ".sys"))
                dl -= 4;
        }
        for (k = 0; k < dl; k++)
            s[n++] = (char)lc((unsigned char)im->dll[k]);
        s[n++] = '.';
        const char *fn = im->name ? im->name : vg_pe_ordinal_name(im->dll, im->ordinal);
        if (fn) {
            for (k = 0; fn[k]; k++)
                s[n++] = (char)lc((unsigned char)fn[k]);
        } else {
            n += (size_t)snprintf(s + n, 9, "ord%u", (unsigned)im->ordinal);
        }
    }
    s[n] = 0;
    *out = s;
    *outlen = n;
    return VG_OK;
}

static vg_status compute_imphash(pectx *c)
{
    char *s;
    size_t n;
    uint8_t md[32];
    vg_status st = vg_pe_impstring(c->info, &s, &n);
    if (st == VG_ELIMIT)
        return VG_OK; /* keep "" */
    if (st != VG_OK || !s)
        return st;
    st = vghash_compute(VGH_MD5, s, n, md);
    free(s);
    if (st == VG_OK)
        vghash_hex(md, 16, c->pe->imphash);
    return st;
}

/* ---------------------------------------------------------------- exports */

static void parse_exports(pectx *c)
{
    vg_pe_info *pe = c->pe;
    uint64_t d, foff, noff, ooff;
    uint32_t base, nfunc, nname, afunc, aname, aord, i, dname, drva, dsize;
    int ok = 1;
    int32_t *name_of = NULL;

    if (pe->ndatadirs < 1 || !pe->datadir[0].rva)
        return;
    drva = pe->datadir[0].rva;
    dsize = pe->datadir[0].size;
    if (rva2off(c, drva, &d) < 0) {
        c->info->flags |= VG_EXE_F_MALFORMED;
        return;
    }
    pe->export_timestamp = u32at(c, d + 4, &ok);
    dname = u32at(c, d + 12, &ok);
    base = u32at(c, d + 16, &ok);
    nfunc = u32at(c, d + 20, &ok);
    nname = u32at(c, d + 24, &ok);
    afunc = u32at(c, d + 28, &ok);
    aname = u32at(c, d + 32, &ok);
    aord = u32at(c, d + 36, &ok);
    if (!ok) {
        c->info->flags |= VG_EXE_F_MALFORMED;
        return;
    }
    if (dname && rva2off(c, dname, &noff) == 0)
        pe->export_dll_name = vgx_cstr_at(c->info, &c->r, noff, &c->oom);
    if (nfunc > VG_EXE_MAX_EXPORTS) {
        nfunc = VG_EXE_MAX_EXPORTS;
        c->info->flags |= VG_EXE_F_TRUNCATED;
    }
    if (nname > VG_EXE_MAX_EXPORTS) {
        nname = VG_EXE_MAX_EXPORTS;
        c->info->flags |= VG_EXE_F_TRUNCATED;
    }
    if (!nfunc || rva2off(c, afunc, &foff) < 0)
        return;
    name_of = malloc(nfunc * sizeof(*name_of));
    if (!name_of) {
        c->oom = 1;
        return;
    }
    for (i = 0; i < nfunc; i++)
        name_of[i] = -1;
    if (nname && rva2off(c, aname, &noff) == 0 &&
        rva2off(c, aord, &ooff) == 0) {
        for (i = 0; i < nname; i++) {
            int ok2 = 1;
            uint16_t o = u16at(c, ooff + 2ull * i, &ok2);
            (void)u32at(c, noff + 4ull * i, &ok2);
            if (!ok2)
                break;
            if (o < nfunc && name_of[o] < 0)
                name_of[o] = (int32_t)i;
        }
    }
    for (i = 0; i < nfunc && !c->oom; i++) {
        vg_pe_export ex;
        int ok2 = 1, g;
        uint32_t rva = u32at(c, foff + 4ull * i, &ok2);
        uint64_t o;
        if (!ok2) {
            c->info->flags |= VG_EXE_F_MALFORMED;
            break;
        }
        if (!rva)
            continue;
        memset(&ex, 0, sizeof(ex));
        ex.rva = rva;
        ex.ordinal = base + i;
        if (name_of[i] >= 0) {
            uint32_t nrva = u32at(c, noff + 4ull * (uint32_t)name_of[i], &ok2);
            if (ok2 && rva2off(c, nrva, &o) == 0)
                ex.name = vgx_cstr_at(c->info, &c->r, o, &c->oom);
        }
        if (rva >= drva && rva - drva < dsize && rva2off(c, rva, &o) == 0)
            ex.forward = vgx_cstr_at(c->info, &c->r, o, &c->oom);
        g = vgx_grow(c->info, (void **)&pe->exports, &pe->nexports,
                     &c->cap_exp, sizeof(ex), VG_EXE_MAX_EXPORTS);
        if (g < 0)
            c->oom = 1;
        if (g)
            break;
        pe->exports[pe->nexports++] = ex;
    }
    free(name_of);
}

/* -------------------------------------------------------------- resources */

/* A resource name: u16 count of UTF-16LE units, decoded to UTF-8. */
static const char *res_string(pectx *c, uint64_t off)
{
    int ok = 1;
    uint16_t n = u16at(c, off, &ok), i;
    char buf[VG_EXE_MAX_NAME];
    size_t k = 0;
    if (!ok)
        return NULL;
    for (i = 0; i < n; i++) {
        uint32_t u = u16at(c, off + 2 + 2ull * i, &ok);
        if (!ok)
            break;
        if (u >= 0xd800 && u < 0xe000)
            u = 0xfffd; /* surrogates: not paired up, replaced */
        if (k + 4 >= sizeof(buf)) {
            c->info->flags |= VG_EXE_F_TRUNCATED;
            break;
        }
        if (u < 0x80) {
            buf[k++] = (char)(u ? u : '?');
        } else if (u < 0x800) {
            buf[k++] = (char)(0xc0 | (u >> 6));
            buf[k++] = (char)(0x80 | (u & 0x3f));
        } else {
            buf[k++] = (char)(0xe0 | (u >> 12));
            buf[k++] = (char)(0x80 | ((u >> 6) & 0x3f));
            buf[k++] = (char)(0x80 | (u & 0x3f));
        }
    }
    return vgx_str(c->info, (const uint8_t *)buf, k);
}

typedef struct res_walk {
    uint64_t root;
    uint32_t visited;
    uint32_t id[3];
    const char *str[3];
} res_walk;

static void res_dir(pectx *c, res_walk *w, uint64_t dir, int level)
{
    int ok = 1;
    uint32_t n, i;
    if (level > 2 || c->oom)
        return;
    if (level == 0) {
        c->pe->resource_timestamp = u32at(c, dir + 4, &ok);
        c->pe->resource_major = u16at(c, dir + 8, &ok);
        c->pe->resource_minor = u16at(c, dir + 10, &ok);
    }
    n = (uint32_t)u16at(c, dir + 12, &ok) + u16at(c, dir + 14, &ok);
    if (!ok) {
        c->info->flags |= VG_EXE_F_MALFORMED;
        return;
    }
    for (i = 0; i < n && !c->oom; i++) {
        uint64_t e = dir + 16 + 8ull * i;
        uint32_t nm = u32at(c, e, &ok), od = u32at(c, e + 4, &ok);
        if (!ok) {
            c->info->flags |= VG_EXE_F_MALFORMED;
            return;
        }
        if (++w->visited > RES_VISIT_MAX) {
            c->info->flags |= VG_EXE_F_TRUNCATED;
            return;
        }
        w->id[level] = nm & 0x7fffffffu;
        w->str[level] = (nm & 0x80000000u)
                            ? res_string(c, w->root + (nm & 0x7fffffffu))
                            : NULL;
        if (od & 0x80000000u) {
            if (level < 2)
                res_dir(c, w, w->root + (od & 0x7fffffffu), level + 1);
            else
                c->info->flags |= VG_EXE_F_MALFORMED; /* too deep */
        } else {
            vg_pe_resource rs;
            uint64_t de = w->root + od, foff;
            int g, k;
            memset(&rs, 0, sizeof(rs));
            rs.rva = u32at(c, de, &ok);
            rs.size = u32at(c, de + 4, &ok);
            rs.codepage = u32at(c, de + 8, &ok);
            if (!ok) {
                c->info->flags |= VG_EXE_F_MALFORMED;
                continue;
            }
            for (k = level + 1; k < 3; k++) {
                w->id[k] = 0;
                w->str[k] = NULL;
            }
            rs.type_id = w->id[0];
            rs.name_id = w->id[1];
            rs.lang_id = w->id[2];
            rs.type_str = w->str[0];
            rs.name_str = w->str[1];
            rs.lang_str = w->str[2];
            rs.offset = rva2off(c, rs.rva, &foff) == 0 ? foff : UINT64_MAX;
            g = vgx_grow(c->info, (void **)&c->pe->resources,
                         &c->pe->nresources, &c->cap_res, sizeof(rs),
                         VG_EXE_MAX_RESOURCES);
            if (g < 0)
                c->oom = 1;
            if (g)
                return;
            c->pe->resources[c->pe->nresources++] = rs;
        }
    }
}

static void parse_resources(pectx *c)
{
    res_walk w;
    if (c->pe->ndatadirs < 3 || !c->pe->datadir[2].rva)
        return;
    memset(&w, 0, sizeof(w));
    if (rva2off(c, c->pe->datadir[2].rva, &w.root) < 0) {
        c->info->flags |= VG_EXE_F_MALFORMED;
        return;
    }
    res_dir(c, &w, w.root, 0);
}

/* ------------------------------------------------------- version info */

/* A VS_VERSIONINFO-style node at `off`: wLength, wValueLength, wType,
 * szKey (UTF-16, NUL), padding to 4, value, padding, children. Returns the
 * offset of its first child (or of its value when want_value), 0 on error. */
static uint64_t vi_node(pectx *c, uint64_t off, uint64_t end, uint16_t *len,
                        uint16_t *vlen, int want_value)
{
    int ok = 1;
    uint64_t k = off + 6, v;
    *len = u16at(c, off, &ok);
    *vlen = u16at(c, off + 2, &ok);
    if (!ok || *len < 6 || off + *len > end)
        return 0;
    while (k + 2 <= off + *len && u16at(c, k, &ok) != 0 && ok)
        k += 2;
    if (!ok || k + 2 > off + *len)
        return 0;
    v = (k + 2 + 3) & ~(uint64_t)3; /* value, 32-bit aligned */
    if (want_value)
        return v;
    return (v + *vlen + 3) & ~(uint64_t)3; /* children (binary value) */
}

static int key_is(pectx *c, uint64_t off, const char *key)
{
    int ok = 1;
    size_t i;
    for (i = 0; key[i]; i++)
        if (u16at(c, off + 6 + 2 * i, &ok) != (unsigned char)key[i] || !ok)
            return 0;
    return u16at(c, off + 6 + 2 * i, &ok) == 0 && ok;
}

/* Record the szKey offset of every String in every StringTable of the
 * StringFileInfo children of each RT_VERSION resource. Every step is
 * inside its parent's wLength and the file; at most VG_EXE_MAX_VINFO. */
static void parse_vinfo(pectx *c)
{
    vg_pe_info *pe = c->pe;
    size_t r, cap = 0;
    for (r = 0; r < pe->nresources && !c->oom; r++) {
        const vg_pe_resource *rs = &pe->resources[r];
        uint64_t root, end, ch, rend;
        uint16_t len, vlen;
        if (rs->type_str || rs->type_id != 16 || rs->offset == UINT64_MAX)
            continue;
        root = rs->offset;
        end = root + rs->size;
        if (end > c->r.len)
            end = c->r.len;
        ch = vi_node(c, root, end, &len, &vlen, 0); /* VS_VERSIONINFO */
        if (!ch || !key_is(c, root, "VS_VERSION_INFO"))
            continue;
        rend = root + len;
        while (ch + 6 <= rend) {
            uint16_t flen, fvl;
            uint64_t tbl = vi_node(c, ch, rend, &flen, &fvl, 1), tend;
            if (!flen || !tbl)
                break;
            tend = ch + flen;
            if (key_is(c, ch, "StringFileInfo")) {
                /* StringFileInfo has no value: its children start at tbl */
                while (tbl + 6 <= tend) {
                    uint16_t tlen, tvl;
                    uint64_t str = vi_node(c, tbl, tend, &tlen, &tvl, 1), send;
                    if (!tlen || !str)
                        break;
                    send = tbl + tlen;
                    while (str + 6 <= send) {
                        uint16_t sl, svl;
                        if (!vi_node(c, str, send, &sl, &svl, 1))
                            break;
                        int g = vgx_grow(c->info, (void **)&pe->vinfo, &pe->nvinfo, &cap,
                                         sizeof(*pe->vinfo), VG_EXE_MAX_VINFO);
                        if (g < 0)
                            c->oom = 1;
                        if (g)
                            return;
                        pe->vinfo[pe->nvinfo++] = str + 6;
                        str = (str + sl + 3) & ~(uint64_t)3;
                    }
                    tbl = (tbl + tlen + 3) & ~(uint64_t)3;
                }
            }
            ch = (ch + flen + 3) & ~(uint64_t)3;
        }
    }
}

/* ----------------------------------------------------------- odds and ends */

static void parse_tail(pectx *c)
{
    vg_pe_info *pe = c->pe;
    vg_exe_info *info = c->info;
    uint64_t end = 0, len = c->r.len;
    size_t i;
    uint32_t p;

    /* Overlay: whatever follows the furthest section data in the file. */
    for (i = 0; i < info->nsections; i++) {
        const vg_exe_section *s = &info->sections[i];
        if (s->raw_size && s->raw_offset < len) {
            uint64_t e = s->raw_offset + s->raw_size;
            if (e > end)
                end = e;
        }
    }
    if (end && end < len) {
        pe->overlay_offset = end;
        pe->overlay_size = len - end;
    }
    /* Security directory: its "RVA" is a file offset. */
    if (pe->ndatadirs > 4 && pe->datadir[4].rva && pe->datadir[4].size) {
        pe->security_offset = pe->datadir[4].rva;
        pe->security_size = pe->datadir[4].size;
        pe->has_security_dir = vgrd_span(&c->r, pe->datadir[4].rva,
                                         pe->datadir[4].size) != NULL;
    }
    /* Rich header: "Rich" + key between the DOS stub and the PE header,
     * opened by "DanS" xor key. */
    for (p = 0x80; p + 8 <= pe->nt_offset; p += 4) {
        int ok = 1;
        if (u32at(c, p, &ok) == 0x68636952u && ok) { /* "Rich" */
            uint32_t key = u32at(c, p + 4, &ok), q;
            if (!ok)
                break;
            for (q = p; q >= 0x80 && q + 4 > q; q -= 4) {
                if ((u32at(c, q, &ok) ^ key) == 0x536e6144u && ok) {
                    pe->rich_offset = q;
                    pe->rich_end = p;
                    pe->rich_key = key;
                    break;
                }
                if (q < 4)
                    break;
            }
            break;
        }
    }
}

vg_status vg_pe_parse(const uint8_t *data, size_t len, vg_exe_info *out)
{
    pectx c;
    uint64_t so, hdr;
    vg_status st;

    memset(out, 0, sizeof(*out));
    memset(&c, 0, sizeof(c));
    vgrd_init(&c.r, data, len);
    c.info = out;
    c.pe = &out->u.pe;
    if (len < 0x40 || data[0] != 'M' || data[1] != 'Z')
        return VG_EFORMAT;
    out->kind = VG_EXE_PE;
    out->clam_target = 1;
    st = parse_headers(&c, &so);
    if (st == VG_OK)
        st = parse_sections(&c, so);
    if (st != VG_OK) {
        vg_exe_free(out);
        return st;
    }
    hdr = align_up(c.pe->size_of_headers, c.pe->section_align);
    out->hdr_size = hdr;
    out->ep_addr = c.pe->ep_rva;
    {
        uint64_t off;
        if (vgx_map(out->sections, out->nsections, c.pe->ep_rva, hdr, len,
                    &off) == 0) {
            out->ep_valid = 1;
            out->ep_offset = off;
        }
    }
    parse_imports(&c);
    if (!c.oom)
        parse_exports(&c);
    if (!c.oom)
        parse_resources(&c);
    if (!c.oom)
        parse_vinfo(&c);
    if (!c.oom)
        parse_tail(&c);
    if (!c.oom && compute_imphash(&c) != VG_OK)
        c.oom = 1;
    if (c.oom) {
        vg_exe_free(out);
        return VG_ENOMEM;
    }
    return VG_OK;
}

void vgx_free_pe(vg_exe_info *info)
{
    free(info->u.pe.imports);
    free(info->u.pe.exports);
    free(info->u.pe.resources);
    free(info->u.pe.vinfo);
}
