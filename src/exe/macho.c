/* exe/macho.c - bounded Mach-O parser (Apple's <mach-o/loader.h> and
 * <mach-o/fat.h> layouts: 32/64-bit, either byte order, fat/universal).
 *
 * A thin file: header, then ncmds load commands inside sizeofcmds bytes;
 * LC_SEGMENT(_64) give segments and their sections, LC_MAIN or
 * LC_UNIXTHREAD the entry point. A fat file: the big-endian arch table
 * (capped at VG_EXE_MAX_FAT_ARCHS), then the first arch that parses as a
 * thin Mach-O supplies the sections and entry point, with every file offset
 * made absolute (arch offset added).
 *
 * Entry point as a file offset (vg_exe_info.ep_*), as ClamAV has it: a
 * PowerPC LC_UNIXTHREAD program counter mapped through the sections (last
 * section whose [addr, addr + size) holds it); other CPUs' thread pcs are
 * kept in u.macho.thread_pc only. LC_MAIN's entryoff (already a file
 * offset, relative to this Mach-O) is reported in u.macho only, because
 * clamscan ignores LC_MAIN and EP signatures must behave as there. */
#include "exe_int.h"

#include <stdlib.h>
#include <string.h>

#define LC_SEGMENT 0x1u
#define LC_UNIXTHREAD 0x5u
#define LC_SEGMENT_64 0x19u
#define LC_MAIN 0x80000028u

typedef struct moctx {
    vgrd r;          /* the whole file */
    vg_exe_info *info;
    vg_macho_info *m;
    int be, is64, oom;
    uint64_t base, end; /* this Mach-O occupies [base, end) */
    size_t cap_lc, cap_seg, cap_sec;
} moctx;

static uint64_t g(moctx *c, uint64_t off, unsigned w, int *ok)
{
    if (off + w > c->end || off + w < off) {
        *ok = 0;
        return 0;
    }
    return vgx_get(&c->r, off, w, c->be, ok);
}

static int add_section(moctx *c, const uint8_t *p, uint64_t q)
{
    vg_exe_info *info = c->info;
    vg_exe_section s;
    char nm[34];
    size_t a = 0, b = 0;
    int ok = 1, gr;
    memset(&s, 0, sizeof(s));
    while (a < 16 && p[16 + a]) /* segname */
        a++;
    while (b < 16 && p[b]) /* sectname */
        b++;
    memcpy(nm, p + 16, a);
    nm[a] = ',';
    memcpy(nm + a + 1, p, b);
    s.name = vgx_str(info, (const uint8_t *)nm, a + 1 + b);
    if (!s.name)
        return -1;
    if (c->is64) {
        s.rva = g(c, q + 32, 8, &ok);
        s.vsize = g(c, q + 40, 8, &ok);
        s.raw_offset = g(c, q + 48, 4, &ok);
        s.flags = g(c, q + 64, 4, &ok);
    } else {
        s.rva = g(c, q + 32, 4, &ok);
        s.vsize = g(c, q + 36, 4, &ok);
        s.raw_offset = g(c, q + 40, 4, &ok);
        s.flags = g(c, q + 56, 4, &ok);
    }
    if (!ok)
        return 1;
    s.type = (uint32_t)(s.flags & 0xff);
    s.raw_size = (s.type == 1 || s.type == 0xc || s.type == 0x12) ? 0 : s.vsize;
    if (s.raw_size)
        s.raw_offset += c->base; /* absolute in the file */
    s.c_rva = s.rva;
    s.c_vsize = s.vsize;
    s.c_raw = s.raw_offset;
    s.c_rsize = s.raw_size;
    gr = vgx_grow(info, (void **)&info->sections, &info->nsections,
                  &c->cap_sec, sizeof(s), VG_EXE_MAX_SECTIONS);
    if (gr)
        return gr;
    info->sections[info->nsections++] = s;
    return 0;
}

static void parse_segment(moctx *c, uint64_t lc, uint32_t size)
{
    vg_macho_info *m = c->m;
    vg_macho_segment sg;
    uint32_t hsz = c->is64 ? 72 : 56, ssz = c->is64 ? 80 : 68, i;
    const uint8_t *p = vgrd_span(&c->r, lc, hsz);
    int ok = 1, gr;
    if (!p || size < hsz) {
        c->info->flags |= VG_EXE_F_MALFORMED;
        return;
    }
    memset(&sg, 0, sizeof(sg));
    sg.name = vgx_str(c->info, p + 8, 16);
    if (!sg.name) {
        c->oom = 1;
        return;
    }
    if (c->is64) {
        sg.vmaddr = g(c, lc + 24, 8, &ok);
        sg.vmsize = g(c, lc + 32, 8, &ok);
        sg.fileoff = g(c, lc + 40, 8, &ok);
        sg.filesize = g(c, lc + 48, 8, &ok);
    } else {
        sg.vmaddr = g(c, lc + 24, 4, &ok);
        sg.vmsize = g(c, lc + 28, 4, &ok);
        sg.fileoff = g(c, lc + 32, 4, &ok);
        sg.filesize = g(c, lc + 36, 4, &ok);
    }
    sg.maxprot = (uint32_t)g(c, lc + hsz - 16, 4, &ok);
    sg.initprot = (uint32_t)g(c, lc + hsz - 12, 4, &ok);
    sg.nsects = (uint32_t)g(c, lc + hsz - 8, 4, &ok);
    sg.flags = (uint32_t)g(c, lc + hsz - 4, 4, &ok);
    if (!ok) {
        c->info->flags |= VG_EXE_F_MALFORMED;
        return;
    }
    sg.fileoff += c->base;
    gr = vgx_grow(c->info, (void **)&m->segments, &m->nsegments, &c->cap_seg,
                  sizeof(sg), VG_EXE_MAX_SEGMENTS);
    if (gr < 0)
        c->oom = 1;
    if (gr)
        return;
    m->segments[m->nsegments++] = sg;
    for (i = 0; i < sg.nsects; i++) {
        uint64_t q = lc + hsz + (uint64_t)ssz * i;
        const uint8_t *sp;
        if ((uint64_t)hsz + (uint64_t)ssz * (i + 1) > size ||
            !(sp = vgrd_span(&c->r, q, ssz))) {
            c->info->flags |= VG_EXE_F_MALFORMED;
            return;
        }
        gr = add_section(c, sp, q);
        if (gr < 0)
            c->oom = 1;
        if (gr)
            return;
    }
}

/* Program counter in an LC_UNIXTHREAD, by CPU type; 0 when unknown. */
static int thread_pc(moctx *c, uint64_t lc, uint32_t size, uint64_t *pc)
{
    int ok = 1;
    uint64_t st = lc + 16, idx;
    unsigned w;
    switch (c->m->cputype) {
    case 7:          w = 4; idx = 10; break; /* i386: eip */
    case 0x01000007: w = 8; idx = 16; break; /* x86_64: rip */
    case 12:         w = 4; idx = 15; break; /* arm: r15 */
    case 0x0100000c: w = 8; idx = 32; break; /* arm64: pc */
    case 18:         w = 4; idx = 0; break;  /* ppc: srr0 */
    case 0x01000012: w = 8; idx = 0; break;  /* ppc64: srr0 */
    default: return -1;
    }
    if (16 + (idx + 1) * w > size)
        return -1;
    *pc = g(c, st + idx * w, w, &ok);
    return ok ? 0 : -1;
}

/* One thin Mach-O at [base, end). */
static vg_status parse_thin(moctx *c)
{
    vg_macho_info *m = c->m;
    vg_exe_info *info = c->info;
    uint64_t magic, lc, lcend;
    uint32_t i, hsz;
    int ok = 1, have_main = 0, have_thread = 0;
    uint64_t pc = 0;

    magic = vgx_get(&c->r, c->base, 4, 1, &ok);
    if (!ok)
        return VG_EFORMAT;
    switch (magic) {
    case 0xfeedfaceu: c->be = 1; c->is64 = 0; break;
    case 0xcefaedfeu: c->be = 0; c->is64 = 0; break;
    case 0xfeedfacfu: c->be = 1; c->is64 = 1; break;
    case 0xcffaedfeu: c->be = 0; c->is64 = 1; break;
    default: return VG_EFORMAT;
    }
    hsz = c->is64 ? 32 : 28;
    m->magic = (uint32_t)g(c, c->base, 4, &ok);
    m->cputype = (uint32_t)g(c, c->base + 4, 4, &ok);
    m->cpusubtype = (uint32_t)g(c, c->base + 8, 4, &ok);
    m->filetype = (uint32_t)g(c, c->base + 12, 4, &ok);
    m->ncmds = (uint32_t)g(c, c->base + 16, 4, &ok);
    m->sizeofcmds = (uint32_t)g(c, c->base + 20, 4, &ok);
    m->flags = (uint32_t)g(c, c->base + 24, 4, &ok);
    if (!ok || c->base + hsz > c->end)
        return VG_EFORMAT;
    m->base = c->base;
    if (c->is64)
        info->flags |= VG_EXE_F_64;
    if (c->be)
        info->flags |= VG_EXE_F_BIG_ENDIAN;
    lc = c->base + hsz;
    lcend = lc + m->sizeofcmds;
    if (lcend > c->end) {
        info->flags |= VG_EXE_F_MALFORMED;
        lcend = c->end;
    }
    for (i = 0; i < m->ncmds && !c->oom; i++) {
        vg_macho_loadcmd l;
        int gr;
        l.cmd = (uint32_t)g(c, lc, 4, &ok);
        l.size = (uint32_t)g(c, lc + 4, 4, &ok);
        l.offset = lc;
        if (!ok || l.size < 8 || lc + l.size > lcend) {
            info->flags |= VG_EXE_F_MALFORMED;
            break;
        }
        gr = vgx_grow(info, (void **)&m->loadcmds, &m->nloadcmds, &c->cap_lc,
                      sizeof(l), VG_EXE_MAX_LOADCMDS);
        if (gr < 0)
            c->oom = 1;
        if (gr)
            break;
        m->loadcmds[m->nloadcmds++] = l;
        if (l.cmd == LC_SEGMENT || l.cmd == LC_SEGMENT_64) {
            if ((l.cmd == LC_SEGMENT_64) == c->is64)
                parse_segment(c, lc, l.size);
        } else if (l.cmd == LC_MAIN && l.size >= 24) {
            int ok2 = 1;
            m->entryoff = g(c, lc + 8, 8, &ok2);
            m->stack_size = g(c, lc + 16, 8, &ok2);
            if (ok2)
                have_main = 1;
        } else if (l.cmd == LC_UNIXTHREAD && !have_thread) {
            if (thread_pc(c, lc, l.size, &pc) == 0)
                have_thread = 1;
        }
        lc += l.size;
    }
    if (c->oom)
        return VG_ENOMEM;
    if (have_main) {
        /* Kept for callers (u.macho), but not the entry point of the
         * common view: clamscan 1.4 reads only LC_UNIXTHREAD (--debug
         * prints no entry point for an LC_MAIN binary, and EP+n signatures
         * never match one; tests/e2e/diff_exe.sh). */
        m->ep_from_main = 1;
        m->entryoff_valid = c->base + m->entryoff < c->end;
    }
    if (have_thread) {
        uint64_t off;
        m->thread_pc = pc;
        info->ep_addr = pc;
        /* clamscan 1.4 takes the entry point from PowerPC thread states
         * only: i386, x86_64, ARM and ARM64 ones give no EP (verified with
         * the pc in every register slot; tests/e2e/diff_exe.sh) */
        if (m->cputype != 18 && m->cputype != 0x01000012)
            return VG_OK;
        if (vgx_map(info->sections, info->nsections, pc, 0, c->end, &off) ==
                0 &&
            off < c->end) { /* section sizes are not checked against the file */
            info->ep_valid = 1;
            info->ep_offset = off;
        }
    }
    return VG_OK;
}

vg_status vg_macho_parse(const uint8_t *data, size_t len, vg_exe_info *out)
{
    moctx c;
    vg_macho_info *m = &out->u.macho;
    int ok = 1;
    uint64_t magic;
    vg_status st = VG_EFORMAT;

    memset(out, 0, sizeof(*out));
    memset(&c, 0, sizeof(c));
    vgrd_init(&c.r, data, len);
    c.info = out;
    c.m = m;
    c.end = len;
    magic = vgx_get(&c.r, 0, 4, 1, &ok);
    if (!ok)
        return VG_EFORMAT;
    if (magic == 0xcafebabeu || magic == 0xcafebabfu) {
        int fat64 = magic == 0xcafebabfu;
        uint32_t n = (uint32_t)vgx_get(&c.r, 4, 4, 1, &ok), i;
        uint32_t esz = fat64 ? 32 : 20;
        /* Java class files share 0xcafebabe; their "count" is a version
         * number (>= 45), far above any real arch count. */
        if (!ok || n == 0 || n > VG_EXE_MAX_FAT_ARCHS)
            return VG_EFORMAT;
        out->kind = VG_EXE_MACHO_FAT;
        out->clam_target = 9;
        m->archs = calloc(n, sizeof(*m->archs));
        if (!m->archs) {
            vg_exe_free(out);
            return VG_ENOMEM;
        }
        for (i = 0; i < n; i++) {
            vg_macho_arch *a = &m->archs[m->narchs];
            uint64_t p = 8 + (uint64_t)esz * i;
            a->cputype = (uint32_t)vgx_get(&c.r, p, 4, 1, &ok);
            a->cpusubtype = (uint32_t)vgx_get(&c.r, p + 4, 4, 1, &ok);
            a->offset = vgx_get(&c.r, p + 8, fat64 ? 8 : 4, 1, &ok);
            a->size = vgx_get(&c.r, p + (fat64 ? 16 : 12), fat64 ? 8 : 4, 1,
                              &ok);
            a->align = (uint32_t)vgx_get(&c.r, p + (fat64 ? 24 : 16), 4, 1,
                                         &ok);
            if (!ok) {
                out->flags |= VG_EXE_F_MALFORMED;
                break;
            }
            m->narchs++;
        }
        if (!m->narchs) {
            vg_exe_free(out);
            return VG_EFORMAT;
        }
        /* Sections and entry point of the first arch that parses. */
        for (i = 0; i < m->narchs; i++) {
            const vg_macho_arch *a = &m->archs[i];
            if (a->offset >= len || a->size > len - a->offset)
                continue;
            c.base = a->offset;
            c.end = a->offset + a->size;
            st = parse_thin(&c);
            if (st == VG_ENOMEM) {
                vg_exe_free(out);
                return st;
            }
            if (st == VG_OK)
                break;
        }
        if (st != VG_OK)
            out->flags |= VG_EXE_F_MALFORMED;
        return VG_OK; /* a fat header alone is still a universal binary */
    }
    out->kind = VG_EXE_MACHO;
    out->clam_target = 9;
    st = parse_thin(&c);
    if (st != VG_OK)
        vg_exe_free(out);
    return st;
}

void vgx_free_macho(vg_exe_info *info)
{
    free(info->u.macho.archs);
    free(info->u.macho.loadcmds);
    free(info->u.macho.segments);
}
