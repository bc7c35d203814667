/* fmt/upx.c - UPX-packed PE32 files: decompress and rebuild a PE to scan.
 *
 * What ClamAV does (observed with clamscan --debug --leave-temps on
 * clam-upx.exe): it recognises the packer, decompresses the image and scans
 * a rebuilt PE whose headers are its own, the decompressed bytes from file
 * offset 0x1000, and the entry point of the original program. We do the
 * same so that body signatures (and EP-relative ones) see the program.
 *
 * Recognition, from the stub UPX puts at the entry point of i386 PE files:
 *     [80 7C 24 08 01 0F 85 rel32]   DLLs only: cmp [esp+8],1 / jnz
 *     60                            pushad
 *     BE imm32                      mov esi, VA of the compressed data
 *     8D BE imm32                   lea edi, [esi + disp]: where it unpacks
 * The compressed stream runs from esi to the end of its section's raw
 * data. The stub's decompressor is NRV2B, NRV2D or NRV2E (fmt/nrv2.c);
 * rather than fingerprinting the loop, each is tried and the first whose
 * stream ends with its end marker wins (a wrong method fails on the
 * marker or the offsets quickly). The original entry point is the target
 * of the first "jmp rel32" (E9) that follows the stub's popad (61) within
 * STUB_SCAN bytes; when none lands in the unpacked image, the image start
 * is used.
 *
 * Rebuilt file (our own layout): DOS header (e_lfanew 0x40), PE32 headers
 * with ImageBase from the packed file, the image at file offset HDR_SIZE.
 * UPX stores the packed program's own PE header after the image in the
 * compressed data; when it is found (find_orig) the image is cut at its
 * SizeOfImage (so the file is as long as clamscan's rebuilt one: an
 * embedded file at the image's end ends at EOF), and its entry point and
 * section table are used (raw offsets remapped to our layout). Otherwise
 * one ".text" section covers all decompressed bytes and the entry point
 * comes from the stub. Imports are not rebuilt (UPX keeps its own list).
 *
 * Limits: the output ceiling is the smallest of the packed file's
 * SizeOfImage past the unpack address, sink->max_member (minus the
 * headers) and the ratio limit against the compressed bytes (never under
 * ratio_min_size); a stream reaching it is dropped and the limit reported
 * (SizeOfImage: a damaged-file warning). PE32+ and other stubs are left
 * alone (VG_OK, nothing extracted). */
#include "upx.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/rd.h"
#include "fmt/nrv2.h"

#define HDR_SIZE 0x1000u
#define STUB_SCAN 0x400u
#define NT_OFF 0x40u
#define SECT_OFF (NT_OFF + 4u + 20u + 0xe0u)

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
    wr16(p, v & 0xffffu);
    wr16(p + 2, v >> 16);
}

/* File offset of an RVA, within some section's raw data; *avail is how
 * many raw bytes of that section follow it. */
static int rva_to_off(const vg_exe_info *x, size_t len, uint64_t rva, size_t *off,
                      size_t *avail)
{
    for (size_t i = 0; i < x->nsections; i++) {
        const vg_exe_section *s = &x->sections[i];
        if (rva < s->rva || rva - s->rva >= s->raw_size)
            continue;
        uint64_t o = s->raw_offset + (rva - s->rva);
        uint64_t end = s->raw_offset + s->raw_size;
        if (o >= len)
            return 0;
        if (end > len)
            end = len;
        *off = (size_t)o;
        *avail = (size_t)(end - o);
        return 1;
    }
    return 0;
}

typedef struct stub {
    uint32_t src_rva, dst_rva;
    size_t ep;     /* file offset of the entry point */
} stub;

static int find_stub(const vg_exe_info *x, const uint8_t *d, size_t len, stub *s)
{
    const vg_pe_info *pe = &x->u.pe;
    vgrd r;
    vgrd_init(&r, d, len);
    if (!x->ep_valid || (x->flags & VG_EXE_F_64) || x->ep_offset >= len)
        return 0;
    size_t at = (size_t)x->ep_offset;
    const uint8_t *p = vgrd_span(&r, at, 11);
    if (p && p[0] == 0x80 && p[1] == 0x7c && p[2] == 0x24 && p[3] == 0x08 && p[4] == 0x01 &&
        p[5] == 0x0f && p[6] == 0x85)
        at += 11;
    p = vgrd_span(&r, at, 12);
    if (!p || p[0] != 0x60 || p[1] != 0xbe || p[6] != 0x8d || p[7] != 0xbe)
        return 0;
    uint32_t src = rd32(p + 2), disp = rd32(p + 8);
    uint64_t base = pe->image_base;
    uint32_t dst = src + disp; /* disp is negative: 32-bit wrap intended */
    if (src < base || dst < base || src - base > 0x7fffffffu || dst - base > 0x7fffffffu)
        return 0;
    s->src_rva = (uint32_t)(src - base);
    s->dst_rva = (uint32_t)(dst - base);
    s->ep = at;
    return 1;
}

/* The original entry point (an RVA), or `dflt`. */
static uint32_t find_oep(const uint8_t *d, size_t len, const vg_exe_info *x, size_t ep,
                         uint32_t lo, uint32_t hi, uint32_t dflt)
{
    size_t end = len - ep > STUB_SCAN ? ep + STUB_SCAN : len;
    for (size_t i = ep; i < end; i++) {
        if (d[i] != 0x61)
            continue;
        for (size_t j = i + 1; j + 5 <= end && j < i + 48; j++) {
            if (d[j] != 0xe9)
                continue;
            /* RVA of the byte after the jmp: entry RVA + distance */
            uint64_t next = x->u.pe.ep_rva + (uint64_t)(j + 5 - (size_t)x->ep_offset);
            uint32_t t = (uint32_t)(next + (uint64_t)(int64_t)(int32_t)rd32(d + j + 1));
            if (t >= lo && t < hi)
                return t;
        }
    }
    return dflt;
}

/* The packed program's own PE header, which UPX stores after the image
 * in the compressed data: searched backwards in the last ORIG_SCAN bytes
 * for "PE\0\0" + i386 + a PE32 optional header whose SizeOfImage ends
 * inside the output and whose section table is complete. */
#define ORIG_SCAN 0x10000u
#define MAX_ORIG_SECTIONS ((HDR_SIZE - SECT_OFF) / 40u)
typedef struct orig {
    uint32_t size_of_image, ep;
    uint16_t nsec;
    const uint8_t *sect; /* nsec entries of 40 bytes */
} orig;

static int find_orig(const uint8_t *img, size_t n, uint32_t rva, orig *o)
{
    size_t lo = n > ORIG_SCAN ? n - ORIG_SCAN : 0;
    for (size_t i = n >= 24 + 0xe0 ? n - 24 - 0xe0 + 1 : 0; i-- > lo;) {
        const uint8_t *p = img + i;
        if (p[0] != 'P' || p[1] != 'E' || p[2] || p[3] || p[4] != 0x4c || p[5] != 0x01 ||
            p[20] != 0xe0 || p[21] != 0 || p[24] != 0x0b || p[25] != 0x01)
            continue;
        uint16_t ns = (uint16_t)(p[6] | p[7] << 8);
        uint32_t soi = rd32(p + 24 + 56);
        if (ns == 0 || ns > MAX_ORIG_SECTIONS || (size_t)ns * 40 > n - i - 24 - 0xe0 ||
            soi <= rva || soi - rva > n)
            continue;
        o->size_of_image = soi;
        o->ep = rd32(p + 24 + 16);
        o->nsec = ns;
        o->sect = p + 24 + 0xe0;
        return 1;
    }
    return 0;
}

static void write_section(uint8_t *s, const uint8_t *name, uint32_t va, uint32_t vs,
                          uint32_t rva, uint32_t n, uint32_t chr)
{
    memcpy(s, name, 8);
    wr32(s + 8, vs);
    wr32(s + 12, va);
    if (va >= rva && va - rva < n) {
        uint32_t at = va - rva, rs = (vs + 0x1ffu) & ~0x1ffu;
        if (rs == 0 || rs > n - at)
            rs = n - at;
        wr32(s + 16, rs);
        wr32(s + 20, HDR_SIZE + at);
    }
    wr32(s + 36, chr);
}

/* Headers of the rebuilt file: the image (n bytes at RVA rva) is at file
 * offset HDR_SIZE; sections from the original header when there is one,
 * else one ".text" over the whole image. */
static void write_headers(uint8_t *h, const vg_exe_info *x, uint32_t rva, uint32_t n,
                          uint32_t oep, const orig *og)
{
    uint32_t raw = (n + 0x1ffu) & ~0x1ffu;
    uint32_t img = og ? og->size_of_image
                      : (uint32_t)((rva + (uint64_t)n + 0xfffu) & ~(uint64_t)0xfffu);
    memset(h, 0, HDR_SIZE);
    h[0] = 'M';
    h[1] = 'Z';
    wr32(h + 0x3c, NT_OFF);
    uint8_t *nt = h + NT_OFF;
    memcpy(nt, "PE\0\0", 4);
    wr16(nt + 4, 0x14c);             /* i386 */
    wr16(nt + 6, og ? og->nsec : 1);
    wr16(nt + 20, 0xe0);             /* SizeOfOptionalHeader */
    wr16(nt + 22, 0x010f);           /* executable, 32-bit */
    uint8_t *o = nt + 24;
    wr16(o, 0x10b);
    wr32(o + 4, raw);                /* SizeOfCode */
    wr32(o + 16, oep);
    wr32(o + 20, rva);               /* BaseOfCode */
    wr32(o + 28, (uint32_t)x->u.pe.image_base);
    wr32(o + 32, 0x1000);            /* SectionAlignment */
    wr32(o + 36, 0x200);             /* FileAlignment */
    wr16(o + 40, 4);                 /* OS 4.0 */
    wr16(o + 48, 4);                 /* subsystem 4.0 */
    wr32(o + 56, img);               /* SizeOfImage */
    wr32(o + 60, HDR_SIZE);          /* SizeOfHeaders */
    wr16(o + 68, x->u.pe.subsystem ? x->u.pe.subsystem : 2);
    wr32(o + 72, 0x100000);
    wr32(o + 76, 0x1000);
    wr32(o + 80, 0x100000);
    wr32(o + 84, 0x1000);
    wr32(o + 92, 16);                /* NumberOfRvaAndSizes */
    if (!og) {
        write_section(h + SECT_OFF, (const uint8_t *)".text\0\0\0", rva, n, rva, n,
                      0xe0000060u);
        return;
    }
    for (uint16_t i = 0; i < og->nsec; i++) {
        const uint8_t *q = og->sect + 40u * i;
        write_section(h + SECT_OFF + 40u * i, q, rd32(q + 12), rd32(q + 8), rva, n,
                      rd32(q + 36));
    }
}

vg_status vgupx_extract(const vg_exe_info *x, const uint8_t *d, size_t len,
                        const vgarc_sink *sink)
{
    stub st;
    size_t off, avail;
    if (!x || x->kind != VG_EXE_PE || !find_stub(x, d, len, &st) ||
        !rva_to_off(x, len, st.src_rva, &off, &avail))
        return VG_OK;
    const vg_pe_info *pe = &x->u.pe;
    if (st.dst_rva >= pe->size_of_image || sink->max_member <= HDR_SIZE)
        return VG_OK;
    uint64_t cap = pe->size_of_image - st.dst_rva;
    unsigned which = 0;
    if (sink->max_member - HDR_SIZE < cap) {
        cap = sink->max_member - HDR_SIZE;
        which = sink->max_member_limit;
    }
    const vg_limits *l = sink->limits;
    if (l && l->max_ratio) {
        uint64_t r = (uint64_t)avail * l->max_ratio;
        if (r < l->ratio_min_size)
            r = l->ratio_min_size;
        if (r < cap) {
            cap = r;
            which = VG_LIMIT_RATIO;
        }
    }
    if (cap > 0xffffffffu - HDR_SIZE)
        cap = 0xffffffffu - HDR_SIZE;
    vgbuf b;
    vg_status rs = VG_EFORMAT;
    for (int m = VGNRV_2B; m <= VGNRV_2E && rs != VG_OK; m++) {
        vgbuf_init(&b, HDR_SIZE + (size_t)cap);
        rs = vgbuf_reserve(&b, HDR_SIZE);
        if (rs == VG_OK) {
            b.len = HDR_SIZE;
            rs = vgnrv_decode((vgnrv_method)m, d + off, avail, &b, NULL);
        }
        if (rs == VG_OK && b.len > HDR_SIZE)
            break;
        if (rs == VG_OK)
            rs = VG_EFORMAT; /* an empty image is no unpacking */
        vgbuf_free(&b);
        if (rs == VG_ENOMEM)
            return rs;
        if (rs == VG_ELIMIT) {
            if (which && sink->limit)
                sink->limit(sink->user, which, "UPX");
            else if (sink->warning)
                sink->warning(sink->user, "UPX: image larger than SizeOfImage");
            return VG_OK;
        }
    }
    if (rs != VG_OK) {
        if (sink->warning)
            sink->warning(sink->user, "UPX stub found but the data does not decompress");
        return VG_OK;
    }
    uint32_t n = (uint32_t)(b.len - HDR_SIZE);
    orig og;
    int have_orig = find_orig(b.data + HDR_SIZE, n, st.dst_rva, &og);
    uint32_t oep;
    if (have_orig) {
        n = og.size_of_image - st.dst_rva; /* what follows is UPX's own data */
        b.len = HDR_SIZE + (size_t)n;
        oep = og.ep;
    } else {
        oep = find_oep(d, len, x, st.ep, st.dst_rva, st.dst_rva + n, st.dst_rva);
    }
    write_headers(b.data, x, st.dst_rva, n, oep, have_orig ? &og : NULL);
    vg_status ms = sink->member(sink->user, "UPX", b.data, b.len);
    vgbuf_free(&b);
    return ms;
}
