/* exe/exe_int.h - helpers shared by the PE, ELF and Mach-O parsers: a
 * string arena owned by vg_exe_info, a capped growable array, and
 * byte-order-neutral readers at absolute offsets. */
#ifndef VG_EXE_EXE_INT_H
#define VG_EXE_EXE_INT_H

#include "exe/exe.h"
#include "core/rd.h"

/* Copy at most n bytes of p (stopping at the first NUL) into the arena;
 * strings longer than VG_EXE_MAX_NAME-1 are cut and set
 * VG_EXE_F_TRUNCATED. Returns NULL only on allocation failure. */
const char *vgx_str(vg_exe_info *info, const uint8_t *p, size_t n);

/* Read a NUL-terminated string at file offset off (at most
 * VG_EXE_MAX_NAME-1 bytes kept); NULL when off is outside the file or on
 * allocation failure (*oom set). */
const char *vgx_cstr_at(vg_exe_info *info, const vgrd *r, uint64_t off,
                        int *oom);

/* Make room for one more element of size `el` in *arr (count *n, capacity
 * *cap), never past `max` elements. Returns 0 on success, 1 when the cap is
 * reached (VG_EXE_F_TRUNCATED set), -1 on allocation failure. */
int vgx_grow(vg_exe_info *info, void **arr, size_t *n, size_t *cap, size_t el,
             size_t max);

/* Integers at absolute offsets; return 0 (and set *ok = 0) when outside. */
static inline uint64_t vgx_get(const vgrd *r, uint64_t off, unsigned width,
                               int be, int *ok)
{
    const uint8_t *p;
    uint64_t v = 0;
    unsigned i;
    if (off > SIZE_MAX || !(p = vgrd_span(r, (size_t)off, width))) {
        *ok = 0;
        return 0;
    }
    for (i = 0; i < width; i++) {
        unsigned sh = be ? 8u * (width - 1 - i) : 8u * i;
        v |= (uint64_t)p[i] << sh;
    }
    return v;
}

/* ClamAV's RVA -> file offset rule over a section list (see
 * vg_exe_rva_to_offset): headers map to themselves, otherwise the last
 * section whose [c_rva, c_rva + c_rsize) holds the address. */
int vgx_map(const vg_exe_section *s, size_t ns, uint64_t rva, uint64_t hdr,
            uint64_t flen, uint64_t *off);

void vgx_free_pe(vg_exe_info *info);
void vgx_free_elf(vg_exe_info *info);
void vgx_free_macho(vg_exe_info *info);

#endif
