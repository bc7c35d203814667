/* yara/modules/pe_int.h - the PE header walk of the pe module, shared with
 * the dotnet module (which needs RVA -> file offset and the data
 * directories). See pe.c for the rules it follows. */
#ifndef VG_YARA_PE_INT_H
#define VG_YARA_PE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/rd.h"

typedef struct vgype {
    const uint8_t *d;
    size_t n;
    vgrd r;
    size_t nt;        /* "PE\0\0" */
    size_t opt;       /* optional header */
    int is64;
    uint16_t nsec;
    size_t sec;       /* section table */
    uint32_t falign;
    uint32_t ndirs;
    size_t dirs;
    uint64_t image_base;
    uint64_t *budget; /* bytes left for unbounded name scans (pe.c), or NULL */
} vgype_pe;

/* Is d[0..n) a PE (MZ, e_lfanew, "PE\0\0", an optional header that
 * fits)? Fills p (which points into d). */
int vgype_parse(vgype_pe *p, const uint8_t *d, size_t n);
/* File offset of an RVA as yara maps it, or -1. */
int64_t vgype_rva2off(const vgype_pe *p, uint64_t rva);
/* Data directory i (0..15) if the header lists it and it fits. */
int vgype_dir(const vgype_pe *p, unsigned i, uint32_t *va, uint32_t *size);

#endif
