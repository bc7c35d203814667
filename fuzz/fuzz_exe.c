/* fuzz/fuzz_exe.c - libFuzzer target for the executable parsers (exe/):
 * PE, ELF and Mach-O (thin and fat), picked by magic as the scan pipeline
 * picks them, then everything a caller may touch is walked: every string
 * (strlen), every section through ClamAV's offsets (match/offset.c), the
 * import string, RVA mapping. The input is copied to an exact-size buffer
 * so ASan sees any read past `len`. Corpus: fuzz/corpus/exe/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exe/exe.h"
#include "match/offset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t touch(const char *s) { return s ? strlen(s) : 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    if (size)
        memcpy(p, data, size);
    vg_exe_info x;
    vg_status st = vg_exe_parse(p, size, NULL, &x);
    if (st != VG_OK) {
        if (st != VG_EFORMAT && st != VG_ENOMEM)
            abort();
        if (x.kind != VG_EXE_NONE || x.sections)
            abort();
        free(p);
        return 0;
    }
    size_t sum = 0;
    if (x.ep_valid && x.ep_offset >= size)
        abort();
    for (size_t i = 0; i < x.nsections; i++) {
        sum += touch(x.sections[i].name);
        vgm_offset o = {VGM_OFF_SE, i, 0};
        uint64_t lo, hi;
        if (vgm_offset_range(&o, size, &x, &lo, &hi) && (lo > hi || hi > size))
            abort();
        o.kind = VGM_OFF_SECT;
        o.n = ((uint64_t)i << 32) | 7;
        if (vgm_offset_range(&o, size, &x, &lo, &hi) && (lo > hi || hi > size))
            abort();
        if (x.sections[i].c_rsize && x.kind == VG_EXE_PE &&
            (x.sections[i].c_raw > size || x.sections[i].c_rsize > size - x.sections[i].c_raw))
            abort(); /* the pipeline hashes exactly this span */
    }
    uint64_t off;
    if (vg_exe_rva_to_offset(&x, x.ep_addr, size, &off) == 0 && off >= size &&
        x.kind == VG_EXE_PE)
        abort();
    if (x.kind == VG_EXE_PE) {
        const vg_pe_info *pe = &x.u.pe;
        for (size_t i = 0; i < pe->nimports; i++)
            sum += touch(pe->imports[i].dll) + touch(pe->imports[i].name);
        for (size_t i = 0; i < pe->nexports; i++)
            sum += touch(pe->exports[i].name) + touch(pe->exports[i].forward);
        for (size_t i = 0; i < pe->nresources; i++)
            sum += touch(pe->resources[i].type_str) + touch(pe->resources[i].name_str) +
                   touch(pe->resources[i].lang_str);
        sum += touch(pe->export_dll_name);
        for (size_t i = 0; i < pe->nvinfo; i++)
            if (pe->vinfo[i] >= size)
                abort();
        vgm_offset vi = {VGM_OFF_VI, 0, 0};
        uint64_t vlo, vhi;
        if (vgm_offset_range(&vi, size, &x, &vlo, &vhi) && (vlo > vhi || vhi > size))
            abort();
        char *imp;
        size_t il;
        if (vg_pe_impstring(&x, &imp, &il) == VG_OK && imp) {
            if (strlen(imp) != il)
                abort();
            free(imp);
        }
    } else if (x.kind == VG_EXE_ELF) {
        for (size_t i = 0; i < x.u.elf.nsymbols; i++)
            sum += touch(x.u.elf.symbols[i].name);
    } else {
        for (size_t i = 0; i < x.u.macho.nsegments; i++)
            sum += touch(x.u.macho.segments[i].name);
    }
    if (sum == (size_t)-1)
        abort();
    vg_exe_free(&x);
    free(p);
    return 0;
}
