/* match/offset.c - parsing and per-file resolution of ClamAV's
 * executable-relative offsets (see offset.h).
 *
 * Resolution follows ClamAV's documented meaning (BodySignatureFormat):
 * EP is the entry point's file offset, Sx the start of section x's raw
 * data (sections counted from 0, in file-header order), SL that of the
 * last section, SEx the whole of section x. The section view is the one
 * ClamAV uses (vg_exe_section.c_raw / c_rsize: for PE the raw pointer
 * rounded down to FileAlignment, the size rounded up and cut at the end of
 * the file). A start computed below 0 or past the end of the buffer means
 * no match. */
#include "match/offset.h"

#include <string.h>

/* Decimal number of at most 10 digits fitting 32 bits; length used. */
static size_t num(const char *p, size_t n, uint64_t *v)
{
    size_t i = 0;
    *v = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9' && i < 10) {
        *v = *v * 10 + (uint64_t)(p[i] - '0');
        i++;
    }
    if (i == 0 || (i < n && p[i] >= '0' && p[i] <= '9') || *v > 0xffffffffull)
        return 0;
    return i;
}

int vgm_offset_parse_exe(const char *p, size_t n, vgm_offset *off)
{
    uint64_t a, b;
    size_t k;
    if (n >= 3 && p[0] == 'E' && p[1] == 'P' && (p[2] == '+' || p[2] == '-')) {
        if (!(k = num(p + 3, n - 3, &a)) || k != n - 3)
            return -1;
        off->kind = p[2] == '+' ? VGM_OFF_EP_PLUS : VGM_OFF_EP_MINUS;
        off->n = a;
        return 1;
    }
    if (n >= 1 && p[0] == 'S') {
        if (n >= 3 && p[1] == 'L' && p[2] == '+') {
            if (!(k = num(p + 3, n - 3, &a)) || k != n - 3)
                return -1;
            off->kind = VGM_OFF_SL;
            off->n = a;
            return 1;
        }
        if (n >= 2 && p[1] == 'E') {
            if (!(k = num(p + 2, n - 2, &a)) || k != n - 2 || a > 0xffff)
                return -1;
            off->kind = VGM_OFF_SE;
            off->n = a;
            return 1;
        }
        if (!(k = num(p + 1, n - 1, &a)) || a > 0xffff || 1 + k >= n ||
            p[1 + k] != '+')
            return -1;
        {
            size_t r = n - 2 - k, k2 = num(p + 2 + k, r, &b);
            if (!k2 || k2 != r)
                return -1;
        }
        off->kind = VGM_OFF_SECT;
        off->n = (a << 32) | b;
        return 1;
    }
    return 0;
}

void vgm_offset_points(const vgm_offset *off, const vg_exe_info *exe,
                       const uint64_t **pts, size_t *n)
{
    *pts = NULL;
    *n = 0;
    if (off->kind == VGM_OFF_VI && exe && exe->kind == VG_EXE_PE) {
        *pts = exe->u.pe.vinfo;
        *n = exe->u.pe.nvinfo;
    }
}

int vgm_offset_range(const vgm_offset *off, uint64_t len,
                     const vg_exe_info *exe, uint64_t *lo, uint64_t *hi)
{
    uint64_t base, span = off->shift;
    switch (off->kind) {
    case VGM_OFF_ANY:
        *lo = 0;
        *hi = len;
        return 1;
    case VGM_OFF_ABS:
        base = off->n;
        break;
    case VGM_OFF_EOF:
        if (off->n > len)
            return 0;
        base = len - off->n;
        break;
    default:
        if (!exe || !vgm_offset_is_exe(off->kind))
            return 0;
        if (off->kind == VGM_OFF_VI) {
            if (exe->kind != VG_EXE_PE || !exe->u.pe.nvinfo)
                return 0;
            base = exe->u.pe.vinfo[0];
            span += exe->u.pe.vinfo[exe->u.pe.nvinfo - 1] - base;
        } else if (off->kind == VGM_OFF_EP_PLUS || off->kind == VGM_OFF_EP_MINUS) {
            if (!exe->ep_valid)
                return 0;
            if (off->kind == VGM_OFF_EP_PLUS)
                base = exe->ep_offset + off->n;
            else if (off->n > exe->ep_offset)
                return 0;
            else
                base = exe->ep_offset - off->n;
        } else if (off->kind == VGM_OFF_SL) {
            if (!exe->nsections)
                return 0;
            base = exe->sections[exe->nsections - 1].c_raw + off->n;
        } else {
            int se = off->kind == VGM_OFF_SE || off->kind == VGM_OFF_SE_BM;
            uint64_t x = se ? off->n : off->n >> 32;
            if (x >= exe->nsections)
                return 0;
            base = exe->sections[x].c_raw;
            if (off->kind == VGM_OFF_SE ||
                (off->kind == VGM_OFF_SE_BM && len < VGM_BM_OFFMODE_SIZE))
                span += exe->sections[x].c_rsize;
            else if (!se)
                base += off->n & 0xffffffffull;
        }
        break;
    }
    if (base > len)
        return 0;
    *lo = base;
    *hi = span > len - base ? len : base + span;
    return 1;
}
