/* exe/exe.h - bounded parsers for executables: PE (32/64), ELF (32/64,
 * both byte orders) and Mach-O (32/64, both byte orders, fat/universal).
 *
 * One call, vg_exe_parse, looks at an object's bytes and fills a
 * vg_exe_info: the kind, the entry point (as an address and as a file
 * offset), a common section list that ClamAV's EP/Sx/SEx/SL offsets and
 * .mdb/.msb section hashes use, and a per-kind detail block (PE headers,
 * imports with imphash, exports, resources, overlay, ...; ELF segments and
 * symbols; Mach-O load commands and the fat arch list) for .ldb target
 * blocks and the YARA pe/elf modules.
 *
 * Contract:
 *  - every read goes through core/rd.h; nothing is read outside [data,
 *    data+len), whatever the headers say;
 *  - every count and string is capped (VG_EXE_MAX_* below); a capped list
 *    sets VG_EXE_F_TRUNCATED, a structure that points outside the file or
 *    contradicts itself sets VG_EXE_F_MALFORMED and is skipped, and parsing
 *    goes on with what is left (partial info, never a crash);
 *  - VG_EFORMAT means "not an executable of any kind we parse" (out->kind
 *    is VG_EXE_NONE); VG_ENOMEM means an allocation failed. On either
 *    status `out` holds nothing to free, but vg_exe_free is still safe;
 *  - all strings are NUL-terminated, owned by `out` and freed by
 *    vg_exe_free. Pointers stay valid until then. `data` is not retained.
 *
 * The struct may grow (fields appended); code should not depend on its
 * size. */
#ifndef VG_EXE_EXE_H
#define VG_EXE_EXE_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/limits.h"
#include "vigil/status.h"

/* ------------------------------------------------------------- ceilings */

#define VG_EXE_MAX_SECTIONS 1024u   /* PE allows 96 by spec; loaders more */
#define VG_EXE_MAX_SEGMENTS 1024u   /* ELF program headers */
#define VG_EXE_MAX_IMPORT_DLLS 1024u
#define VG_EXE_MAX_IMPORTS 16384u   /* functions, all DLLs together */
#define VG_EXE_MAX_EXPORTS 16384u
#define VG_EXE_MAX_RESOURCES 4096u  /* leaves of the resource tree */
#define VG_EXE_MAX_SYMBOLS 65536u   /* ELF symtab + dynsym together */
#define VG_EXE_MAX_LOADCMDS 1024u   /* Mach-O load commands */
#define VG_EXE_MAX_FAT_ARCHS 30u    /* Mach-O universal */
#define VG_EXE_MAX_VINFO 256u       /* PE version-info strings */
#define VG_EXE_MAX_NAME 256u        /* longest string kept, NUL included;
                                       longer ones are cut and flagged */

/* ------------------------------------------------------------------ kinds */

typedef enum vg_exe_kind {
    VG_EXE_NONE = 0,
    VG_EXE_PE = 1,
    VG_EXE_ELF = 2,
    VG_EXE_MACHO = 3,     /* a thin Mach-O */
    VG_EXE_MACHO_FAT = 4, /* universal: see macho.archs; sections etc. are
                             those of the first arch that parses */
} vg_exe_kind;

/* vg_exe_info.flags */
enum {
    VG_EXE_F_TRUNCATED = 1u << 0, /* a list or string hit a VG_EXE_MAX_* */
    VG_EXE_F_MALFORMED = 1u << 1, /* some structure was skipped as bad */
    VG_EXE_F_64 = 1u << 2,        /* PE32+, ELFCLASS64, Mach-O 64 */
    VG_EXE_F_BIG_ENDIAN = 1u << 3,/* ELF/Mach-O data in big-endian order */
};

/* ----------------------------------------------------- common: sections */

/* One section in the kind-neutral form ClamAV's offsets use.
 *  PE:     name (8 chars max), rva = VirtualAddress, vsize = VirtualSize,
 *          raw_offset = PointerToRawData, raw_size = SizeOfRawData,
 *          flags = Characteristics.
 *  ELF:    name from .shstrtab, rva = sh_addr, vsize = raw_size = sh_size
 *          (raw_size 0 for SHT_NOBITS), raw_offset = sh_offset,
 *          flags = sh_flags, type = sh_type.
 *  Mach-O: name "segname,sectname" cut to VG_EXE_MAX_NAME, rva = addr,
 *          vsize = raw_size = size (raw_size 0 for zerofill), raw_offset =
 *          offset (made absolute for a fat arch), flags = flags,
 *          type = flags & 0xff. */
typedef struct vg_exe_section {
    const char *name;
    uint64_t rva;
    uint64_t vsize;
    uint64_t raw_offset;
    uint64_t raw_size;
    uint64_t flags;
    uint32_t type;
    /* The same section as ClamAV's offsets (Sx, SEx, SL), its EP mapping
     * and .mdb/.msb hashes see it. PE: rva/vsize rounded to
     * SectionAlignment, raw offset rounded down and raw size up to
     * FileAlignment (0x200 instead when the raw pointers break
     * FileAlignment but are multiples of 0x200), raw size cut at the end
     * of the file (0 when the section starts past it). ELF: the fields
     * above, but c_rsize = sh_size even for SHT_NOBITS (ClamAV's view).
     * Mach-O: the fields above (sizes not checked against the file). */
    uint64_t c_rva, c_vsize, c_raw, c_rsize;
} vg_exe_section;

/* ---------------------------------------------------------------- PE */

typedef struct vg_pe_import {
    const char *dll;      /* as written in the file */
    const char *name;     /* function name, NULL when imported by ordinal */
    uint16_t ordinal;     /* valid when name == NULL */
    uint16_t hint;
    uint64_t iat_rva;     /* RVA of its IAT slot */
} vg_pe_import;

typedef struct vg_pe_export {
    const char *name;     /* NULL for an ordinal-only export */
    uint32_t ordinal;     /* biased by the directory's Base */
    uint32_t rva;
    const char *forward;  /* forwarder string "DLL.Func", or NULL */
} vg_pe_export;

/* One leaf of the resource tree: type / name / language, each an id or a
 * (UTF-16 decoded to UTF-8) string. */
typedef struct vg_pe_resource {
    uint32_t type_id, name_id, lang_id;       /* valid when *_str is NULL */
    const char *type_str, *name_str, *lang_str;
    uint32_t rva, size, codepage;
    uint64_t offset;      /* file offset of the data, or UINT64_MAX */
} vg_pe_resource;

typedef struct vg_pe_datadir {
    uint32_t rva, size;
} vg_pe_datadir;

typedef struct vg_pe_info {
    uint32_t nt_offset;          /* e_lfanew: file offset of "PE\0\0" */
    uint16_t machine;
    uint16_t nsections_declared; /* NumberOfSections as written */
    uint32_t timestamp;
    uint32_t symtab_offset, nsymbols; /* COFF PointerToSymbolTable etc. */
    uint16_t opt_size;           /* SizeOfOptionalHeader */
    uint16_t characteristics;
    uint16_t opt_magic;          /* 0x10b PE32, 0x20b PE32+ */
    uint8_t linker_major, linker_minor;
    uint32_t size_of_code, size_of_init_data, size_of_uninit_data;
    uint32_t ep_rva;             /* AddressOfEntryPoint */
    uint32_t base_of_code;
    uint64_t image_base;
    uint32_t section_align, file_align;
    uint16_t os_major, os_minor, image_major, image_minor;
    uint16_t subsys_major, subsys_minor;
    uint32_t win32_version;
    uint32_t size_of_image, size_of_headers, checksum;
    uint16_t subsystem, dll_characteristics;
    uint64_t stack_reserve, stack_commit, heap_reserve, heap_commit;
    uint32_t loader_flags;
    uint32_t ndatadirs;          /* NumberOfRvaAndSizes, capped at 16 */
    vg_pe_datadir datadir[16];

    vg_pe_import *imports;
    size_t nimports;
    size_t nimport_dlls;         /* distinct descriptors parsed */
    char imphash[33];            /* lower-case hex MD5; "" if no imports */

    vg_pe_export *exports;
    size_t nexports;
    const char *export_dll_name; /* Name field of the export directory */
    uint32_t export_timestamp;

    vg_pe_resource *resources;
    size_t nresources;
    uint32_t resource_timestamp;
    uint16_t resource_major, resource_minor;

    uint64_t overlay_offset;     /* end of the last section's raw data */
    uint64_t overlay_size;       /* bytes after it (0: no overlay) */
    int has_security_dir;        /* data directory 4 non-empty and in file */
    uint32_t security_offset, security_size; /* file offset (not RVA) */
    uint32_t rich_offset;        /* file offset of "DanS"^key, 0 = none */
    uint32_t rich_end;           /* file offset of "Rich" */
    uint32_t rich_key;
    /* Version information (RT_VERSION): the file offset of each String's
     * szKey in its StringFileInfo tables, where ClamAV's VI offset lets a
     * signature start ("key\0" UTF-16, padding, value). */
    uint64_t *vinfo;
    size_t nvinfo;
} vg_pe_info;

/* ---------------------------------------------------------------- ELF */

typedef struct vg_elf_segment {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
} vg_elf_segment;

typedef struct vg_elf_symbol {
    const char *name;
    uint64_t value, size;
    uint8_t type, bind, other; /* STT_*, STB_*, st_other */
    uint16_t shndx;
    uint8_t dynamic;           /* 1: from .dynsym, 0: from .symtab */
} vg_elf_symbol;

typedef struct vg_elf_dyn {
    int64_t tag;
    uint64_t val;
} vg_elf_dyn;

typedef struct vg_elf_info {
    uint8_t ei_class, ei_data, ei_osabi, ei_abiversion;
    uint16_t type, machine;
    uint32_t version, flags;
    uint64_t entry;            /* e_entry (a virtual address) */
    uint64_t phoff, shoff;
    uint16_t phnum, shnum, shstrndx; /* as written (after extended-count
                                        fixups from section 0) */
    vg_elf_segment *segments;
    size_t nsegments;
    vg_elf_symbol *symbols;    /* .symtab first, then .dynsym */
    size_t nsymbols;
    vg_elf_dyn *dynamic;       /* PT_DYNAMIC entries up to DT_NULL */
    size_t ndynamic;
} vg_elf_info;

/* ---------------------------------------------------------------- Mach-O */

typedef struct vg_macho_arch {
    uint32_t cputype, cpusubtype;
    uint64_t offset, size;     /* of this arch's Mach-O inside the fat file */
    uint32_t align;
} vg_macho_arch;

typedef struct vg_macho_loadcmd {
    uint32_t cmd, size;
    uint64_t offset;           /* absolute file offset of the command */
} vg_macho_loadcmd;

typedef struct vg_macho_segment {
    const char *name;
    uint64_t vmaddr, vmsize, fileoff, filesize; /* fileoff absolute */
    uint32_t maxprot, initprot, nsects, flags;
} vg_macho_segment;

typedef struct vg_macho_info {
    uint32_t magic;
    uint32_t cputype, cpusubtype, filetype, ncmds, sizeofcmds, flags;
    uint64_t base;             /* offset of this Mach-O in the file (fat) */
    vg_macho_arch *archs;      /* universal only */
    size_t narchs;
    vg_macho_loadcmd *loadcmds;
    size_t nloadcmds;
    vg_macho_segment *segments;
    size_t nsegments;
    int ep_from_main;          /* 1: an LC_MAIN was found */
    uint64_t entryoff;         /* LC_MAIN entryoff: file offset relative to
                                  `base`; NOT in vg_exe_info.ep_* (clamscan
                                  ignores LC_MAIN, see exe/macho.c) */
    uint64_t stack_size;       /* LC_MAIN */
    uint64_t thread_pc;        /* LC_UNIXTHREAD program counter (any CPU;
                                  ep_* only for PowerPC, as ClamAV) */
    int entryoff_valid;        /* base + entryoff lies inside the file */
} vg_macho_info;

/* ---------------------------------------------------------------- info */

typedef struct vg_exe_info {
    vg_exe_kind kind;
    uint32_t flags;            /* VG_EXE_F_* */
    int clam_target;           /* ClamAV target type: 1 PE, 6 ELF, 9 Mach-O */

    /* Entry point as ClamAV's EP offsets and EntryPoint see it */
    int ep_valid;              /* the entry point maps into the file */
    uint64_t ep_offset;        /* file offset of the entry point */
    uint64_t ep_addr;          /* PE: RVA; ELF: e_entry; Mach-O: the
                                  LC_UNIXTHREAD pc (LC_MAIN: u.macho) */

    vg_exe_section *sections;
    size_t nsections;
    uint64_t hdr_size;         /* PE: addresses below this map to
                                  themselves (SizeOfHeaders, aligned) */

    union {
        vg_pe_info pe;
        vg_elf_info elf;
        vg_macho_info macho;
    } u;

    struct vg_exe_arena *arena_; /* private: strings and arrays */
} vg_exe_info;

/* Parse `data` (len bytes). See the contract at the top; the work is
 * bounded by the VG_EXE_MAX_* caps whatever the input (about 0.1 ms per
 * file on average over /usr/bin and /usr/lib). `lim` may be NULL; it is
 * accepted for per-scan limits and not consulted yet. */
vg_status vg_exe_parse(const uint8_t *data, size_t len, const vg_limits *lim,
                       vg_exe_info *out);

/* Release everything `info` owns and zero it. Safe on a zeroed info and
 * after any vg_exe_parse status. */
void vg_exe_free(vg_exe_info *info);

/* Map a PE RVA to a file offset through the section table (ClamAV's rule:
 * inside a section's [rva, rva+vsize) -> raw_offset + (rva - va); RVAs
 * below the first section map to themselves when inside the headers).
 * Returns 0 and sets *off, or -1 when the RVA maps nowhere in the file.
 * For ELF/Mach-O the same lookup uses the segment list (vaddr). */
int vg_exe_rva_to_offset(const vg_exe_info *info, uint64_t rva, uint64_t len,
                         uint64_t *off);

/* The import string imphash is the MD5 of (see exe/pe.c): malloc'd,
 * NUL-terminated, *len bytes; *out = NULL when the PE imports nothing.
 * ClamAV's .imp signatures hash this string and give its length. */
vg_status vg_pe_impstring(const vg_exe_info *info, char **out, size_t *len);

/* Name of the function a PE imports by ordinal `ord` from `dll`, for the
 * DLLs whose ordinals are well known (ws2_32, wsock32, oleaut32); NULL
 * otherwise. Static storage. */
const char *vg_pe_ordinal_name(const char *dll, unsigned ord);

/* Parsers per kind, called by vg_exe_parse after a magic check; exposed for
 * the fuzz targets and tests. Same contract. */
vg_status vg_pe_parse(const uint8_t *data, size_t len, vg_exe_info *out);
vg_status vg_elf_parse(const uint8_t *data, size_t len, vg_exe_info *out);
vg_status vg_macho_parse(const uint8_t *data, size_t len, vg_exe_info *out);

#endif
