/* yara/modules/pe.c - YARA's pe module (yara 4.2.3's fields, as its
 * modules/pe.rst documents them and its binary reports them).
 *
 * The PE is parsed here from the object's bytes through the bounded
 * reader (src/core/rd.h); every count is capped as yara caps it (96
 * sections, 16 data directories, 16,384 imports, 8,192 exports, resources
 * to VGY_MAX_ITEMS), and anything outside the file is left undefined, as
 * yara leaves it. File offsets from RVAs follow yara's mapping: the last
 * section (in table order, not starting below the one picked so far)
 * whose virtual range holds the RVA, its raw offset rounded down to
 * min(FileAlignment, 0x200); RVAs below every section map 1:1; an RVA past
 * the section's raw data or the file has no offset.
 *
 * On malformed files every value follows what yara 4.2.3 gives (the rules
 * were found by tests/e2e/diff_yara_pe.sh's damaged PEs and experiments
 * against the yara binary); where yara would rescan the file for every
 * record (unterminated names, version-info keys), scans are charged to a
 * per-file budget instead.
 *
 * Functions read back what load() set (c->self is the module root).
 *
 * Certificates (signatures[]) are read with OpenSSL, as yara 4.2.3 does. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <pcre2.h>

#include "core/hash.h"
#include "core/rd.h"
#include "exe/exe.h"
#include "yara/modules/modules.h"
#include "yara/modules/pe_int.h"

typedef vgype_pe pe;

#define MAX_SECTIONS 96
#define MAX_IMPORTS 16384
#define MAX_EXPORTS 8192
#define MAX_RES_DEPTH 3

/* ---- declarations ----------------------------------------------------- */

static const vgy_decl ver_decl[] = {VGYD_INT("major"), VGYD_INT("minor"), VGYD_END};
static const vgy_decl dir_m[] = {VGYD_INT("virtual_address"), VGYD_INT("size"), VGYD_END};
static const vgy_decl dir_e = VGYD_STRUCT(NULL, dir_m);
static const vgy_decl sec_m[] = {
    VGYD_STR("name"), VGYD_STR("full_name"), VGYD_INT("characteristics"),
    VGYD_INT("virtual_address"), VGYD_INT("virtual_size"), VGYD_INT("raw_data_offset"),
    VGYD_INT("raw_data_size"), VGYD_INT("pointer_to_relocations"),
    VGYD_INT("pointer_to_line_numbers"), VGYD_INT("number_of_relocations"),
    VGYD_INT("number_of_line_numbers"), VGYD_END,
};
static const vgy_decl sec_e = VGYD_STRUCT(NULL, sec_m);
static const vgy_decl ovl_m[] = {VGYD_INT("offset"), VGYD_INT("size"), VGYD_END};
static const vgy_decl res_m[] = {
    VGYD_INT("rva"), VGYD_INT("offset"), VGYD_INT("length"), VGYD_INT("type"), VGYD_INT("id"),
    VGYD_INT("language"), VGYD_STR("type_string"), VGYD_STR("name_string"),
    VGYD_STR("language_string"), VGYD_END,
};
static const vgy_decl res_e = VGYD_STRUCT(NULL, res_m);
static const vgy_decl str_e = VGYD_STR(NULL);
static const vgy_decl kv_m[] = {VGYD_STR("key"), VGYD_STR("value"), VGYD_END};
static const vgy_decl kv_e = VGYD_STRUCT(NULL, kv_m);
static const vgy_decl exp_m[] = {VGYD_INT("offset"), VGYD_STR("name"), VGYD_STR("forward_name"),
                                 VGYD_INT("ordinal"), VGYD_END};
static const vgy_decl exp_e = VGYD_STRUCT(NULL, exp_m);
static const vgy_decl fn_m[] = {VGYD_STR("name"), VGYD_INT("ordinal"), VGYD_END};
static const vgy_decl fn_e = VGYD_STRUCT(NULL, fn_m);
static const vgy_decl imp_m[] = {VGYD_STR("library_name"), VGYD_INT("number_of_functions"),
                                 VGYD_ARRAY("functions", &fn_e), VGYD_END};
static const vgy_decl imp_e = VGYD_STRUCT(NULL, imp_m);
static void valid_on(vgy_ctx *c, const vgy_val *a, vgy_val *o);
static const vgy_func sig_f[] = {
    {"pe", "valid_on", "i", VGY_T_INT, valid_on},
    {NULL, NULL, NULL, 0, NULL},
};
static const vgy_decl sig_m[] = {
    VGYD_STR("thumbprint"), VGYD_STR("issuer"), VGYD_STR("subject"), VGYD_INT("version"),
    VGYD_STR("algorithm"), VGYD_STR("algorithm_oid"), VGYD_STR("serial"),
    VGYD_INT("not_before"), VGYD_INT("not_after"), VGYD_END,
};
static const vgy_decl sig_e = VGYD_STRUCTF(NULL, sig_m, sig_f);
static void rich_version(vgy_ctx *c, const vgy_val *a, vgy_val *o);
static void rich_version2(vgy_ctx *c, const vgy_val *a, vgy_val *o);
static void rich_toolid(vgy_ctx *c, const vgy_val *a, vgy_val *o);
static void rich_toolid2(vgy_ctx *c, const vgy_val *a, vgy_val *o);
static const vgy_func rich_f[] = {
    {"pe", "version", "i", VGY_T_INT, rich_version},
    {"pe", "version", "ii", VGY_T_INT, rich_version2},
    {"pe", "toolid", "i", VGY_T_INT, rich_toolid},
    {"pe", "toolid", "ii", VGY_T_INT, rich_toolid2},
    {NULL, NULL, NULL, 0, NULL},
};
static const vgy_decl rich_m[] = {VGYD_INT("offset"), VGYD_INT("length"), VGYD_INT("key"),
                                  VGYD_STR("raw_data"), VGYD_STR("clear_data"), VGYD_END};

#define F(name, args, ret, fn) {"pe", name, args, ret, fn}
static void f_imports_df(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_imports_d(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_imports_do(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_imports_rr(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_imports_idf(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_imports_id(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_imports_ido(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_imports_irr(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_exports_s(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_exports_i(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_exports_r(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_exports_index_s(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_exports_index_i(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_exports_index_r(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_locale(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_language(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_imphash(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_section_index_s(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_section_index_i(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_is_dll(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_is_32bit(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_is_64bit(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_rva_to_offset(vgy_ctx *, const vgy_val *, vgy_val *);
static void f_calculate_checksum(vgy_ctx *, const vgy_val *, vgy_val *);

static const vgy_func pe_f[] = {
    F("imports", "ss", VGY_T_INT, f_imports_df),
    F("imports", "s", VGY_T_INT, f_imports_d),
    F("imports", "si", VGY_T_INT, f_imports_do),
    F("imports", "rr", VGY_T_INT, f_imports_rr),
    F("imports", "iss", VGY_T_INT, f_imports_idf),
    F("imports", "is", VGY_T_INT, f_imports_id),
    F("imports", "isi", VGY_T_INT, f_imports_ido),
    F("imports", "irr", VGY_T_INT, f_imports_irr),
    F("exports", "s", VGY_T_INT, f_exports_s),
    F("exports", "i", VGY_T_INT, f_exports_i),
    F("exports", "r", VGY_T_INT, f_exports_r),
    F("exports_index", "s", VGY_T_INT, f_exports_index_s),
    F("exports_index", "i", VGY_T_INT, f_exports_index_i),
    F("exports_index", "r", VGY_T_INT, f_exports_index_r),
    F("locale", "i", VGY_T_INT, f_locale),
    F("language", "i", VGY_T_INT, f_language),
    F("imphash", "", VGY_T_STR, f_imphash),
    F("section_index", "s", VGY_T_INT, f_section_index_s),
    F("section_index", "i", VGY_T_INT, f_section_index_i),
    F("is_dll", "", VGY_T_INT, f_is_dll),
    F("is_32bit", "", VGY_T_INT, f_is_32bit),
    F("is_64bit", "", VGY_T_INT, f_is_64bit),
    F("rva_to_offset", "i", VGY_T_INT, f_rva_to_offset),
    F("calculate_checksum", "", VGY_T_INT, f_calculate_checksum),
    {NULL, NULL, NULL, 0, NULL},
};

static const vgy_decl pe_m[] = { /* fields first: the setters search in order */
    VGYD_INT("is_pe"), VGYD_INT("machine"), VGYD_INT("number_of_sections"),
    VGYD_INT("timestamp"), VGYD_INT("pointer_to_symbol_table"), VGYD_INT("number_of_symbols"),
    VGYD_INT("size_of_optional_header"), VGYD_INT("characteristics"), VGYD_INT("entry_point"),
    VGYD_INT("entry_point_raw"), VGYD_INT("image_base"), VGYD_INT("number_of_rva_and_sizes"),
    VGYD_STRUCT("linker_version", ver_decl), VGYD_STRUCT("os_version", ver_decl),
    VGYD_STRUCT("image_version", ver_decl), VGYD_STRUCT("subsystem_version", ver_decl),
    VGYD_INT("win32_version_value"), VGYD_INT("size_of_image"), VGYD_INT("size_of_headers"),
    VGYD_INT("checksum"), VGYD_INT("subsystem"), VGYD_INT("dll_characteristics"),
    VGYD_INT("size_of_stack_reserve"), VGYD_INT("size_of_stack_commit"),
    VGYD_INT("size_of_heap_reserve"), VGYD_INT("size_of_heap_commit"), VGYD_INT("loader_flags"),
    VGYD_INT("opthdr_magic"), VGYD_INT("size_of_code"), VGYD_INT("size_of_initialized_data"),
    VGYD_INT("size_of_uninitialized_data"), VGYD_INT("base_of_code"), VGYD_INT("base_of_data"),
    VGYD_INT("section_alignment"), VGYD_INT("file_alignment"),
    VGYD_ARRAY("data_directories", &dir_e), VGYD_ARRAY("sections", &sec_e),
    VGYD_STRUCT("overlay", ovl_m), VGYD_INT("number_of_resources"),
    VGYD_INT("resource_timestamp"), VGYD_STRUCT("resource_version", ver_decl),
    VGYD_ARRAY("resources", &res_e), VGYD_DICT("version_info", &str_e),
    VGYD_ARRAY("version_info_list", &kv_e), VGYD_INT("number_of_signatures"),
    VGYD_ARRAY("signatures", &sig_e),
    VGYD_STRUCTF("rich_signature", rich_m, rich_f),
    VGYD_STR("pdb_path"), VGYD_INT("number_of_exports"), VGYD_ARRAY("export_details", &exp_e),
    VGYD_STR("dll_name"), VGYD_INT("export_timestamp"), VGYD_INT("number_of_imports"),
    VGYD_INT("number_of_imported_functions"), VGYD_INT("number_of_delayed_imports"),
    VGYD_ARRAY("import_details", &imp_e),
    /* not in yara 4.2.3: the space keeps rules out; imports() reads it */
    VGYD_ARRAY(" delayed_import_details", &imp_e),
#include "yara/modules/pe_consts.inc"
    VGYD_END,
};
static const vgy_decl pe_root = VGYD_STRUCTF("pe", pe_m, pe_f);

/* ---- parsing ---------------------------------------------------------- */


static int u16(const pe *p, uint64_t off, uint16_t *v)
{
    const uint8_t *b = off <= p->n ? vgrd_span(&p->r, (size_t)off, 2) : NULL;
    if (!b)
        return 0;
    *v = (uint16_t)(b[0] | b[1] << 8);
    return 1;
}

static int u32(const pe *p, uint64_t off, uint32_t *v)
{
    const uint8_t *b = off <= p->n ? vgrd_span(&p->r, (size_t)off, 4) : NULL;
    if (!b)
        return 0;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 1;
}

static int u64(const pe *p, uint64_t off, uint64_t *v)
{
    uint32_t lo, hi;
    if (!u32(p, off, &lo) || !u32(p, off + 4, &hi))
        return 0;
    *v = (uint64_t)hi << 32 | lo;
    return 1;
}


/* cstr() to the end of the file for names that yara reads unbounded (DLL
 * names, long section names): the bytes scanned are charged to
 * *p->budget, so a file with thousands of descriptors pointing into one
 * long unterminated run costs a bounded time; past the budget a name
 * counts as unterminated (-1). */
static int64_t cstr_long(const pe *p, int64_t off)
{
    if (off < 0 || (uint64_t)off >= p->n || !p->budget)
        return -1;
    size_t left = p->n - (size_t)off;
    size_t lim = left < *p->budget ? left : (size_t)*p->budget;
    const uint8_t *z = memchr(p->d + off, 0, lim);
    size_t used = z ? (size_t)(z - (p->d + off)) + 1 : lim;
    *p->budget -= used;
    return z ? z - (p->d + off) : -1;
}

/* Length of the text at off up to the end of the file or max, whichever
 * comes first (no terminating NUL needed): yara 4.2.3 reads export names
 * so. */
static size_t tlen(const pe *p, int64_t off, size_t max)
{
    size_t left = p->n - (size_t)off, lim = left < max ? left : max;
    const uint8_t *z = memchr(p->d + off, 0, lim);
    return z ? (size_t)(z - (p->d + off)) : lim;
}

int64_t vgype_rva2off(const pe *p, uint64_t rva)
{
    uint32_t lowest = 0xffffffffu, srva = 0, soff = 0, sraw = 0;
    uint32_t align = p->falign < 0x200 ? p->falign : 0x200;
    unsigned n = p->nsec < MAX_SECTIONS ? p->nsec : MAX_SECTIONS;
    for (unsigned i = 0; i < n; i++) {
        size_t h = p->sec + 40u * i;
        uint32_t va, raw, rsz, vsz;
        if (!u32(p, h + 8, &vsz) || !u32(p, h + 12, &va) || !u32(p, h + 20, &raw) ||
            !u32(p, h + 16, &rsz) || !vgrd_span(&p->r, h, 40))
            return -1;
        if (va < lowest)
            lowest = va;
        /* only a section whose virtual range holds the RVA */
        if (rva >= va && rva - va < vsz && srva <= va) {
            srva = va;
            soff = raw;
            sraw = rsz;
            if (align)
                soff -= soff % align;
        }
    }
    if (rva < lowest) {
        srva = 0;
        soff = 0;
        sraw = (uint32_t)(p->n > 0xffffffffu ? 0xffffffffu : p->n);
    }
    if (rva - srva >= sraw)
        return -1;
    uint64_t res = (uint64_t)soff + (rva - srva);
    return res < p->n ? (int64_t)res : -1;
}

int vgype_parse(pe *p, const uint8_t *d, size_t n)
{
    memset(p, 0, sizeof *p);
    p->d = d;
    p->n = n;
    vgrd_init(&p->r, d, n);
    uint16_t mz, magic;
    uint32_t lfanew, sig;
    if (n < 64 || !u16(p, 0, &mz) || mz != 0x5a4d || !u32(p, 0x3c, &lfanew) ||
        (int32_t)lfanew < 0)
        return 0;
    p->nt = lfanew;
    if (!u32(p, p->nt, &sig) || sig != 0x4550 || p->nt + 24 >= n)
        return 0;
    p->opt = p->nt + 24;
    if (!u16(p, p->opt, &magic))
        return 0;
    p->is64 = magic == 0x20b;
    if (!vgrd_span(&p->r, p->opt, p->is64 ? 240 : 224))
        return 0;
    uint16_t optsz = 0;
    u16(p, p->nt + 6, &p->nsec);
    u16(p, p->nt + 20, &optsz);
    p->sec = p->opt + optsz;
    u32(p, p->opt + 36, &p->falign);
    p->dirs = p->opt + (p->is64 ? 112 : 96);
    u32(p, p->opt + (p->is64 ? 108 : 92), &p->ndirs);
    if (p->is64)
        u64(p, p->opt + 24, &p->image_base);
    else {
        uint32_t ib = 0;
        u32(p, p->opt + 28, &ib);
        p->image_base = ib;
    }
    return 1;
}

int vgype_dir(const pe *p, unsigned i, uint32_t *va, uint32_t *size)
{
    /* yara 4.2.3 refuses entry i only when NumberOfRvaAndSizes < i (so
     * entry 0 is read even when the header lists none) */
    if (i > p->ndirs || i >= 16)
        return 0;
    return u32(p, p->dirs + 8u * i, va) && u32(p, p->dirs + 8u * i + 4, size);
}

static void set_headers(vgy_ctx *c, vgy_obj *o, const pe *p)
{
    static const struct { const char *name; uint8_t off32, off64, w; } opt[] = {
        {"size_of_code", 4, 4, 4}, {"size_of_initialized_data", 8, 8, 4},
        {"size_of_uninitialized_data", 12, 12, 4}, {"entry_point_raw", 16, 16, 4},
        {"base_of_code", 20, 20, 4}, {"section_alignment", 32, 32, 4},
        {"file_alignment", 36, 36, 4}, {"os_version.major", 40, 40, 2},
        {"os_version.minor", 42, 42, 2}, {"image_version.major", 44, 44, 2},
        {"image_version.minor", 46, 46, 2}, {"subsystem_version.major", 48, 48, 2},
        {"subsystem_version.minor", 50, 50, 2}, {"win32_version_value", 52, 52, 4},
        {"size_of_image", 56, 56, 4}, {"size_of_headers", 60, 60, 4}, {"checksum", 64, 64, 4},
        {"subsystem", 68, 68, 2}, {"dll_characteristics", 70, 70, 2},
        {"size_of_stack_reserve", 72, 72, 4}, {"size_of_stack_commit", 76, 80, 4},
        {"size_of_heap_reserve", 80, 88, 4}, {"size_of_heap_commit", 84, 96, 4},
        {"loader_flags", 88, 104, 4}, {"number_of_rva_and_sizes", 92, 108, 4},
        {"opthdr_magic", 0, 0, 2},
    };
    static const struct { const char *name; uint8_t off, w; } fh[] = {
        {"machine", 4, 2}, {"number_of_sections", 6, 2}, {"timestamp", 8, 4},
        {"pointer_to_symbol_table", 12, 4}, {"number_of_symbols", 16, 4},
        {"size_of_optional_header", 20, 2}, {"characteristics", 22, 2},
    };
    uint16_t v16;
    uint32_t v32;
    uint64_t v64;
    for (size_t i = 0; i < sizeof fh / sizeof fh[0]; i++) {
        if (fh[i].w == 2 ? u16(p, p->nt + fh[i].off, &v16) : u32(p, p->nt + fh[i].off, &v32))
            vgyo_int(c, o, fh[i].w == 2 ? v16 : v32, fh[i].name);
    }
    for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++) {
        size_t off = p->opt + (p->is64 ? opt[i].off64 : opt[i].off32);
        int w64 = p->is64 && opt[i].off32 >= 72 && opt[i].off32 <= 84;
        if (w64 ? u64(p, off, &v64) : opt[i].w == 2 ? u16(p, off, &v16) : u32(p, off, &v32))
            vgyo_int(c, o, (int64_t)(w64 ? v64 : opt[i].w == 2 ? v16 : v32), opt[i].name);
    }
    uint8_t lmaj = p->d[p->opt + 2], lmin = p->d[p->opt + 3];
    vgyo_int(c, o, lmaj, "linker_version.major");
    vgyo_int(c, o, lmin, "linker_version.minor");
    vgyo_int(c, o, (int64_t)p->image_base, "image_base");
    if (!p->is64 && u32(p, p->opt + 24, &v32))
        vgyo_int(c, o, v32, "base_of_data");
    uint32_t ep = 0;
    u32(p, p->opt + 16, &ep);
    /* -1 when the entry point maps to no file offset, as yara 4.2.3 gives */
    vgyo_int(c, o, vgype_rva2off(p, ep), "entry_point");
    /* yara 4.2.3 lists min(NumberOfRvaAndSizes, 16) entries, the count
     * taken as signed: none from 0x80000000 up */
    for (unsigned i = 0; (int32_t)p->ndirs > 0 && i < p->ndirs && i < 16; i++) {
        uint32_t va, sz;
        if (!vgype_dir(p, i, &va, &sz))
            break;
        vgyo_int(c, o, va, "data_directories[%i].virtual_address", (int)i);
        vgyo_int(c, o, sz, "data_directories[%i].size", (int)i);
    }
}

static void set_sections(vgy_ctx *c, vgy_obj *o, const pe *p)
{
    static const struct { const char *name; uint8_t off, w; } f[] = {
        {"virtual_size", 8, 4}, {"virtual_address", 12, 4}, {"raw_data_size", 16, 4},
        {"raw_data_offset", 20, 4}, {"pointer_to_relocations", 24, 4},
        {"pointer_to_line_numbers", 28, 4}, {"number_of_relocations", 32, 2},
        {"number_of_line_numbers", 34, 2}, {"characteristics", 36, 4},
    };
    uint32_t symtab = 0, nsyms = 0;
    u32(p, p->nt + 12, &symtab);
    u32(p, p->nt + 16, &nsyms);
    uint64_t last_end = 0;
    unsigned n = p->nsec < MAX_SECTIONS ? p->nsec : MAX_SECTIONS;
    for (unsigned i = 0; i < n; i++) {
        size_t h = p->sec + 40u * i;
        const uint8_t *b = vgrd_span(&p->r, h, 40);
        if (!b)
            break;
        size_t nl = 8; /* yara keeps all 8 bytes but trailing NULs */
        while (nl > 0 && !b[nl - 1])
            nl--;
        vgyo_str(c, o, b, nl, "sections[%i].name", (int)i);
        const uint8_t *full = b;
        int64_t fl = (int64_t)nl;
        if (nl > 0 && b[0] == '/') { /* "/123": offset into the COFF string table */
            uint64_t k = 0;
            size_t j = 1;
            while (j < nl && j < 8 && b[j] >= '0' && b[j] <= '9')
                k = k * 10 + (uint64_t)(b[j++] - '0');
            int64_t so = (int64_t)symtab + (int64_t)nsyms * 18 + (int64_t)k;
            if (symtab) { /* without a symbol table the short name stands */
                fl = cstr_long(p, so); /* unreadable: undefined, as yara */
                for (int64_t q = 0; q < fl; q++)
                    if (p->d[so + q] < 0x20 || p->d[so + q] > 0x7e)
                        fl = -1; /* yara takes printable ASCII only */
                full = fl >= 0 ? p->d + so : NULL;
            }
        }
        if (fl >= 0)
            vgyo_str(c, o, full, (size_t)fl, "sections[%i].full_name", (int)i);
        vgy_obj *so = vgyo_at(c, o, "sections[%i]", (int)i);
        for (size_t k = 0; so && k < sizeof f / sizeof f[0]; k++) {
            uint32_t v = f[k].w == 2 ? (uint32_t)(b[f[k].off] | b[f[k].off + 1] << 8)
                                     : (uint32_t)(b[f[k].off] | b[f[k].off + 1] << 8 |
                                                  b[f[k].off + 2] << 16 |
                                                  (uint32_t)b[f[k].off + 3] << 24);
            vgyo_int(c, so, v, f[k].name);
        }
        uint32_t raw = 0, rsz = 0;
        u32(p, h + 20, &raw);
        u32(p, h + 16, &rsz);
        /* yara 4.2.3 compares the 32-bit (wrapping) end of each section
         * with the unwrapped end of the one picked so far */
        if ((uint32_t)(raw + rsz) > last_end)
            last_end = (uint64_t)raw + rsz;
    }
    if (last_end && last_end < p->n) {
        vgyo_int(c, o, (int64_t)last_end, "overlay.offset");
        vgyo_int(c, o, (int64_t)(p->n - last_end), "overlay.size");
    } else {
        vgyo_int(c, o, 0, "overlay.offset");
        vgyo_int(c, o, 0, "overlay.size");
    }
}

/* ---- imports and exports ---------------------------------------------- */

/* Names of functions imported by ordinal, for import_details and imphash,
 * come from the executable parsers' table (exe/ordnames.c: ws2_32/wsock32
 * and oleaut32, the lists yara 4.2.3 and clamscan use); any other ordinal
 * is "ordN". */
static int dll_is(const uint8_t *dll, size_t n, const char *name)
{
    return n == strlen(name) && !strncasecmp((const char *)dll, name, n);
}

/* "name" or "ordN" for an import by ordinal; returns its length. yara names
 * them only for these exact DLL names. */
static int ord_name(const uint8_t *dll, size_t dn, unsigned ord, char *out, size_t cap)
{
    if (dll_is(dll, dn, "ws2_32.dll") || dll_is(dll, dn, "wsock32.dll") ||
        dll_is(dll, dn, "oleaut32.dll")) {
        char d[16];
        memcpy(d, dll, dn); /* dn <= 12: one of the names above */
        d[dn] = 0;
        const char *name = vg_pe_ordinal_name(d, ord);
        if (name)
            return snprintf(out, cap, "%s", name);
    }
    return snprintf(out, cap, "ord%u", ord);
}

/* A standard import's DLL name, as yara 4.2.3 accepts it: not empty,
 * NUL-terminated inside the file, no control character (0x01-0x1f) and
 * none of " * < > ? | (any other byte goes, '/', '\\' and ':' too). */
static int import_dll_name(const pe *p, int64_t off, size_t *len)
{
    int64_t l = cstr_long(p, off);
    if (l <= 0)
        return 0;
    for (int64_t i = 0; i < l; i++)
        if (p->d[off + i] < 0x20 || strchr("\"*<>?|", p->d[off + i]))
            return 0;
    *len = (size_t)l;
    return 1;
}

/* The functions of one import descriptor, as yara 4.2.3 reads them: the
 * thunks of OriginalFirstThunk (FirstThunk when that maps to offset 0 or
 * nowhere) up to a zero one; a name is the text after the hint (up to 512
 * bytes or the end of the file, no NUL needed), an ordinal is named by
 * ord_name(). Every thunk counts in *count (number_of_imported_functions),
 * but only those with a name are listed. yara numbers functions[] across
 * all listed DLLs (the first function of the second DLL is functions[k]
 * with k the first DLL's count) and gives number_of_functions as that
 * running total; vigil does the same so that rules see the same values.
 * Returns how many were listed. */
static int import_funcs(vgy_ctx *c, vgy_obj *o, const pe *p, size_t desc, int di, int *listed,
                        int *count, const uint8_t *dll, size_t dn)
{
    uint32_t oft = 0, ft = 0;
    u32(p, desc, &oft);
    u32(p, desc + 16, &ft);
    int64_t off = vgype_rva2off(p, oft);
    if (off <= 0)
        off = vgype_rva2off(p, ft);
    if (off < 0)
        return 0;
    unsigned w = p->is64 ? 8 : 4;
    uint64_t ordflag = p->is64 ? 1ull << 63 : 1ull << 31;
    int nf = 0;
    for (uint64_t t = (uint64_t)off; *count < MAX_IMPORTS; t += w) {
        uint64_t v;
        uint32_t v32;
        if (p->is64 ? !u64(p, t, &v) : !u32(p, t, &v32))
            break;
        if (!p->is64)
            v = v32;
        if (v == 0)
            break;
        (*count)++;
        if (v & ordflag) {
            char nm[64];
            int k = ord_name(dll, dn, (unsigned)(v & 0xffff), nm, sizeof nm);
            vgyo_str(c, o, nm, (size_t)k, "import_details[%i].functions[%i].name", di, *listed);
            vgyo_int(c, o, (int64_t)(v & 0xffff), "import_details[%i].functions[%i].ordinal", di,
                     *listed);
        } else {
            int64_t no = vgype_rva2off(p, v);
            if (no < 0 || !vgrd_span(&p->r, (size_t)no, 4)) /* hint + name, padded */
                continue;
            vgyo_str(c, o, p->d + no + 2, tlen(p, no + 2, 512),
                     "import_details[%i].functions[%i].name", di, *listed);
        }
        nf++;
        (*listed)++;
    }
    return nf;
}

/* Delay-load descriptors (32 bytes: attributes, DLL name, module handle,
 * address table, name table, ...), read as yara 4.2.3 reads them: with
 * attribute bit 0 clear an address above the image base is a virtual
 * address (less the image base), any other is an RVA. The list ends at a
 * descriptor with no name or attributes above 1, or whose name or address
 * table lies at or past SizeOfImage (or the name table in the 64-byte DOS
 * header);
 * a DLL name that maps nowhere or is refused (import_dll_name) skips the
 * descriptor uncounted. Functions are read in pairs from the name and
 * address tables up to a zero in either or an unreadable slot; one whose
 * name maps nowhere is listed without a name. */
static uint64_t dly_rva(const pe *p, uint32_t attr, uint64_t v)
{
    return !(attr & 1) && v > p->image_base ? v - p->image_base : v;
}

static void set_delayed(vgy_ctx *c, vgy_obj *o, const pe *p)
{
    uint32_t va, sz;
    int64_t off;
    int ndll = 0, total = 0;
    if (vgype_dir(p, 13, &va, &sz) && va && (off = vgype_rva2off(p, va)) >= 0) {
        for (uint64_t d = (uint64_t)off; ndll < MAX_IMPORTS && total < MAX_IMPORTS; d += 32) {
            uint32_t attr, name, iat, nt;
            if (!vgrd_span(&p->r, (size_t)d, 32) || !u32(p, d, &attr) || !u32(p, d + 4, &name) ||
                !u32(p, d + 12, &iat) || !u32(p, d + 16, &nt) || !name || attr > 1)
                break;
            int64_t no = vgype_rva2off(p, dly_rva(p, attr, name));
            size_t nl;
            if (no < 0 || !import_dll_name(p, no, &nl))
                continue;
            uint64_t ntr = dly_rva(p, attr, nt), iatr = dly_rva(p, attr, iat);
            int64_t to = vgype_rva2off(p, ntr), ao = vgype_rva2off(p, iatr);
            uint32_t soi = 0;
            u32(p, p->opt + 56, &soi);
            if (ntr >= soi || iatr >= soi || (to >= 0 && to < 64))
                break; /* (yara refuses a name table inside the DOS header) */
            int nf = 0;
            unsigned w = p->is64 ? 8 : 4;
            uint64_t ordflag = p->is64 ? 1ull << 63 : 1ull << 31;
            for (uint64_t k = 0; to > 0 && ao >= 0 && total < MAX_IMPORTS; k++) {
                uint64_t v, fa;
                uint32_t v32, f32;
                uint64_t ts = (uint64_t)to + k * w, as = (uint64_t)ao + k * w;
                if (p->is64 ? !u64(p, ts, &v) || !u64(p, as, &fa)
                            : !u32(p, ts, &v32) || !u32(p, as, &f32))
                    break;
                if (!p->is64) {
                    v = v32;
                    fa = f32;
                }
                if (v == 0 || fa == 0)
                    break;
                total++;
                char nm[64];
                if (v & ordflag) {
                    int k2 = ord_name(p->d + no, nl, (unsigned)(v & 0xffff), nm, sizeof nm);
                    vgyo_str(c, o, nm, (size_t)k2, " delayed_import_details[%i].functions[%i].name",
                             ndll, nf);
                    vgyo_int(c, o, (int64_t)(v & 0xffff),
                             " delayed_import_details[%i].functions[%i].ordinal", ndll, nf);
                } else {
                    int64_t fo = vgype_rva2off(p, dly_rva(p, attr, v));
                    if (fo >= 0 && vgrd_span(&p->r, (size_t)fo, 4))
                        vgyo_str(c, o, p->d + fo + 2, tlen(p, fo + 2, 512),
                                 " delayed_import_details[%i].functions[%i].name", ndll, nf);
                    else /* listed without a name, as yara lists it */
                        vgyo_at(c, o, " delayed_import_details[%i].functions[%i]", ndll, nf);
                }
                nf++;
            }
            vgyo_str(c, o, p->d + no, nl, " delayed_import_details[%i].library_name", ndll);
            vgyo_int(c, o, nf, " delayed_import_details[%i].number_of_functions", ndll);
            ndll++;
        }
    }
    vgyo_int(c, o, ndll, "number_of_delayed_imports");
}

/* The import descriptors, up to one without a name. One whose name maps
 * to no acceptable DLL name is skipped; every other counts in
 * number_of_imports (even when its name maps nowhere); import_details
 * lists only those with a named function, numbered without gaps (as yara
 * 4.2.3 does). */
static void set_imports(vgy_ctx *c, vgy_obj *o, const pe *p)
{
    uint32_t va, sz;
    int ndesc = 0, ndll = 0, listed = 0, count = 0;
    int64_t off;
    if (vgype_dir(p, 1, &va, &sz) && va && (off = vgype_rva2off(p, va)) >= 0) {
        for (uint64_t d = (uint64_t)off; ndesc < MAX_IMPORTS; d += 20) {
            uint32_t name;
            if (!vgrd_span(&p->r, (size_t)d, 20) || !u32(p, d + 12, &name) || !name)
                break;
            int64_t no = vgype_rva2off(p, name);
            size_t nl;
            if (no >= 0) {
                if (!import_dll_name(p, no, &nl))
                    continue; /* skipped, not counted */
                if (import_funcs(c, o, p, (size_t)d, ndll, &listed, &count, p->d + no, nl)) {
                    vgyo_str(c, o, p->d + no, nl, "import_details[%i].library_name", ndll);
                    vgyo_int(c, o, listed, "import_details[%i].number_of_functions", ndll);
                    ndll++;
                }
            }
            ndesc++;
        }
    }
    vgyo_int(c, o, ndesc, "number_of_imports");
    vgyo_int(c, o, count, "number_of_imported_functions");
    set_delayed(c, o, p);
}

#define MAX_EXPORT_NAME 512

/* The export directory, walked as yara 4.2.3 walks it: the tables are
 * checked to fit before any entry is listed (all entries or none); entry i
 * has ordinal Base + i, and the name of the first j (below NumberOfNames)
 * whose ordinal slot is i; a function whose file offset lies strictly
 * inside the directory's file range is a forwarder. */
static void set_exports(vgy_ctx *c, vgy_obj *o, const pe *p)
{
    uint32_t va, sz, nfun = 0, nnames = 0, base = 0, ts = 0, name = 0, afun = 0, anames = 0,
             aords = 0;
    int64_t off;
    vgyo_int(c, o, 0, "number_of_exports");
    if (!vgype_dir(p, 0, &va, &sz) || !va || (off = vgype_rva2off(p, va)) < 0 ||
        !vgrd_span(&p->r, (size_t)off, 40))
        return;
    u32(p, off + 4, &ts);
    u32(p, off + 12, &name);
    u32(p, off + 16, &base);
    u32(p, off + 20, &nfun);
    u32(p, off + 24, &nnames);
    u32(p, off + 28, &afun);
    u32(p, off + 32, &anames);
    u32(p, off + 36, &aords);
    vgyo_int(c, o, ts, "export_timestamp");
    int64_t no = vgype_rva2off(p, name);
    if (no > 0)
        vgyo_str(c, o, p->d + no, tlen(p, no, p->n), "dll_name");
    uint32_t n = nfun < MAX_EXPORTS ? nfun : MAX_EXPORTS;
    /* yara 4.2.3's size check, against the DLL name's offset (or -1) */
    if ((int64_t)n * 4 > (int64_t)p->n - no)
        return;
    int64_t nmo = -1, oo, fo;
    if (nnames) {
        nmo = vgype_rva2off(p, anames);
        if (nmo < 0 || (uint64_t)nnames * 4 > p->n - (uint64_t)nmo)
            return;
    }
    oo = vgype_rva2off(p, aords);
    if (oo < 0 || p->n - (uint64_t)oo < 2ull * n)
        return;
    fo = vgype_rva2off(p, afun);
    if (fo < 0 || p->n - (uint64_t)fo < 4ull * n)
        return;
    uint32_t nn = nnames < n ? nnames : n;
    /* function index -> first name slot (below nn) whose ordinal is it:
     * one pass over the table instead of one per function */
    uint32_t *first = n ? vgy_alloc(&c->tmp, n * sizeof *first) : NULL;
    if (n && !first)
        return;
    for (uint32_t i = 0; i < n; i++)
        first[i] = UINT32_MAX;
    for (uint32_t j = 0; nmo >= 0 && j < nn; j++) {
        uint16_t ord = 0;
        u16(p, (uint64_t)oo + 2ull * j, &ord); /* fits: checked above */
        if (ord < n && first[ord] == UINT32_MAX)
            first[ord] = j;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t frva = 0, nrva = 0;
        u32(p, (uint64_t)fo + 4ull * i, &frva);
        vgyo_int(c, o, (uint32_t)(base + i), "export_details[%i].ordinal", (int)i);
        int64_t eo = vgype_rva2off(p, frva), so;
        if (eo > off && eo < off + (int64_t)sz)
            vgyo_str(c, o, p->d + eo, tlen(p, eo, MAX_EXPORT_NAME),
                     "export_details[%i].forward_name", (int)i);
        else /* -1 when it maps nowhere, as yara gives */
            vgyo_int(c, o, eo, "export_details[%i].offset", (int)i);
        if (first[i] != UINT32_MAX && u32(p, (uint64_t)nmo + 4ull * first[i], &nrva) &&
            (so = vgype_rva2off(p, nrva)) > 0)
            vgyo_str(c, o, p->d + so, tlen(p, so, MAX_EXPORT_NAME), "export_details[%i].name",
                     (int)i);
    }
    vgyo_int(c, o, n, "number_of_exports");
}

/* ---- resources and version information -------------------------------- */

typedef struct rwalk {
    vgy_ctx *c;
    vgy_obj *o;
    const pe *p;
    size_t base;      /* file offset of the resource directory */
    int n;
    int32_t ids[3];   /* type, id, language last seen at each level (-1 first) */
    int vi_done;      /* a VS_VERSION_INFO was read (yara reads only the first) */
    int nvi;
} rwalk;

/* Length in UTF-16 units of the NUL-terminated text at off, or -1 when it
 * runs off the end of the file. Scans are charged to *budget: a hostile
 * tree of unterminated keys stops the walk (-2) instead of rescanning the
 * file for every record. */
static int64_t wlen(const pe *p, uint64_t off, uint64_t *budget)
{
    for (uint64_t k = 0; off + 2 * k + 2 <= p->n; k++) {
        if (!*budget)
            return -2;
        --*budget;
        if (!p->d[off + 2 * k] && !p->d[off + 2 * k + 1])
            return (int64_t)k;
    }
    return -1;
}

/* UTF-16 text at off narrowed to its low bytes, up to cap - 1 of them or
 * the first low byte 0 (yara copies so into a C string). */
static size_t narrow(const pe *p, uint64_t off, char *out, size_t cap)
{
    size_t k = 0;
    uint16_t ch;
    while (k + 1 < cap && u16(p, off + 2 * k, &ch) && (ch & 0xff))
        out[k++] = (char)(ch & 0xff);
    out[k] = 0;
    return k;
}

/* Is the UTF-16 text at off exactly s (and its NUL)? */
static int wkey_is(const pe *p, uint64_t off, const char *s)
{
    uint16_t ch;
    for (size_t i = 0;; i++) {
        if (!u16(p, off + 2 * i, &ch) || ch != (uint8_t)s[i])
            return 0;
        if (!s[i])
            return 1;
    }
}

static uint64_t align4(uint64_t x) { return (x + 3) & ~(uint64_t)3; }

/* The VS_VERSION_INFO block at off, walked as yara 4.2.3 walks it (its
 * own length and the fixed part are not read: the children start 92
 * bytes in): VarFileInfo blocks are skipped, then each StringFileInfo
 * block's string tables are read up to the block's end, and each table's
 * records (length, value length, type, key, value at the 4-aligned end of
 * the key) up to the table's end or a record of length 0; the table and
 * record steps are their lengths rounded up to 4. A record is listed
 * when its key and value end inside the file; a value length of 0 lists
 * an empty value. Returns whether the VS_VERSION_INFO key was there (yara
 * reads only the first such block). */
static int version_info(rwalk *w, int64_t off)
{
    const pe *p = w->p;
    uint64_t budget = 1u << 26, v = (uint64_t)off + 92;
    uint16_t len, vlen;
    int64_t kl = 0;
    if (!vgrd_span(&p->r, (size_t)off, 16) || !wkey_is(p, (uint64_t)off + 6, "VS_VERSION_INFO"))
        return 0;
    while (u16(p, v, &len) && len && wkey_is(p, v + 6, "VarFileInfo"))
        v += len;
    while (u16(p, v, &len) && len && wkey_is(p, v + 6, "StringFileInfo")) {
        uint64_t t = v + 36, tend;
        uint16_t tlen_;
        v += len;
        while (t < v && vgrd_span(&p->r, (size_t)t, 6) && u16(p, t, &tlen_) && tlen_ &&
               (kl = wlen(p, t + 6, &budget)) >= 0) {
            uint64_t e = t + align4(6 + 2 * (uint64_t)(kl + 1));
            tend = t + align4(tlen_);
            t = tend;
            while (e < tend && u16(p, e, &len) && len) {
                int64_t vk;
                if (vgrd_span(&p->r, (size_t)e, 6) && (kl = wlen(p, e + 6, &budget)) >= 0) {
                    uint64_t val = e + align4(6 + 2 * (uint64_t)(kl + 1));
                    if ((vk = wlen(p, val, &budget)) >= 0 && w->nvi < 4096) {
                        char key[64], sv[256];
                        narrow(p, e + 6, key, sizeof key);
                        size_t vl = narrow(p, val, sv, sizeof sv);
                        if (u16(p, e + 2, &vlen) && vlen == 0)
                            vl = 0;
                        vgyo_str(w->c, w->o, sv, vl, "version_info[%s]", key);
                        vgyo_str(w->c, w->o, key, strlen(key), "version_info_list[%i].key", w->nvi);
                        vgyo_str(w->c, w->o, sv, vl, "version_info_list[%i].value", w->nvi);
                        w->nvi++;
                    }
                    if (vk == -2)
                        return 1;
                }
                if (kl == -2)
                    return 1;
                e += align4(len);
            }
        }
        if (kl == -2)
            return 1;
    }
    return 1;
}

/* A data entry: str[l] is the file offset of level l's name string
 * (length, UTF-16 text; it fits in the file) or -1 for a numbered entry
 * or a name that does not fit. */
static void res_leaf(rwalk *w, uint64_t de, const int64_t str[3])
{
    static const char *const sname[3] = {"type_string", "name_string", "language_string"};
    static const char *const iname[3] = {"type", "id", "language"};
    uint32_t rva, size;
    if (!u32(w->p, de, &rva) || !u32(w->p, de + 4, &size) || w->n >= (int)VGY_MAX_ITEMS)
        return;
    int i = w->n++;
    int64_t off = vgype_rva2off(w->p, rva);
    vgyo_int(w->c, w->o, rva, "resources[%i].rva", i);
    if (off >= 0)
        vgyo_int(w->c, w->o, off, "resources[%i].offset", i);
    vgyo_int(w->c, w->o, size, "resources[%i].length", i);
    vgy_obj *r = vgyo_at(w->c, w->o, "resources[%i]", i);
    for (int l = 0; l < 3 && r; l++) {
        uint16_t sl;
        if (str[l] < 0)
            vgyo_int(w->c, r, w->ids[l], iname[l]);
        else if (u16(w->p, (uint64_t)str[l], &sl) &&
                 vgrd_span(&w->p->r, (size_t)str[l] + 2, 2u * sl))
            vgyo_str(w->c, r, w->p->d + str[l] + 2, 2u * sl, sname[l]);
    }
    if (w->ids[0] == 16 && off >= 0 && !w->vi_done)
        w->vi_done = version_info(w, off);
}

/* One directory of the tree, as yara 4.2.3 walks it: a directory with
 * Characteristics set or more than 32768 named or id entries is skipped;
 * an entry, subdirectory or data entry outside the file ends the whole
 * walk (-1); a data entry may sit at any level, and at level 2 everything
 * is a data entry. The numbers (type, id, language) are the last seen
 * anywhere in the walk (the Name field as a signed 32-bit value, -1 before
 * any), while a name string is passed down only to the directories below
 * the entry that named it (str is this directory's copy). The walk also
 * ends after MAX_RES_VISITS entries (a tree whose directories point back
 * at each other), where yara would take far longer. */
#define MAX_RES_VISITS (1u << 20)
static int res_dir(rwalk *w, uint64_t dir, int depth, const int64_t parent[3], uint32_t *visits)
{
    uint32_t chars;
    uint16_t nn, ni;
    int64_t str[3] = {parent[0], parent[1], parent[2]};
    if (!u32(w->p, dir, &chars) || !u16(w->p, dir + 12, &nn) || !u16(w->p, dir + 14, &ni))
        return -1;
    if (chars != 0 || nn > 32768 || ni > 32768)
        return 0;
    for (unsigned k = 0; k < (unsigned)nn + ni; k++) {
        uint64_t e = dir + 16 + 8ull * k;
        uint32_t name, data;
        if (!u32(w->p, e, &name) || !u32(w->p, e + 4, &data) || ++*visits > MAX_RES_VISITS)
            return -1;
        w->ids[depth] = (int32_t)name;
        str[depth] = -1;
        uint64_t so = w->base + (name & 0x7fffffff);
        uint16_t sl;
        if ((name >> 31) && u16(w->p, so, &sl) && vgrd_span(&w->p->r, (size_t)so + 2, 2u * sl))
            str[depth] = (int64_t)so; /* else the number stands, as yara */
        uint64_t target = w->base + (data & 0x7fffffff);
        if ((data >> 31) && depth < 2) {
            if (!vgrd_span(&w->p->r, (size_t)target, 16) ||
                res_dir(w, target, depth + 1, str, visits))
                return -1;
        } else {
            if (!vgrd_span(&w->p->r, (size_t)target, 16))
                return -1;
            res_leaf(w, target, str);
        }
    }
    return 0;
}

static void set_resources(vgy_ctx *c, vgy_obj *o, const pe *p)
{
    uint32_t va, sz, ts = 0;
    uint16_t maj = 0, min = 0;
    int64_t off;
    rwalk w = {.c = c, .o = o, .p = p, .ids = {-1, -1, -1}};
    if (vgype_dir(p, 2, &va, &sz) && va && (off = vgype_rva2off(p, va)) >= 0 &&
        vgrd_span(&p->r, (size_t)off, 16)) {
        u32(p, off + 4, &ts);
        u16(p, off + 8, &maj);
        u16(p, off + 10, &min);
        vgyo_int(c, o, ts, "resource_timestamp");
        vgyo_int(c, o, maj, "resource_version.major");
        vgyo_int(c, o, min, "resource_version.minor");
        w.base = (size_t)off;
        uint32_t visits = 0;
        static const int64_t none[3] = {-1, -1, -1};
        res_dir(&w, (uint64_t)off, 0, none, &visits);
    }
    vgyo_int(c, o, w.n, "number_of_resources");
}

/* ---- rich signature --------------------------------------------------- */

/* The "Rich" header the Microsoft linker leaves between the DOS stub and
 * the NT headers, found as yara 4.2.3 finds it: walking back in 4-byte
 * steps from e_lfanew - 4 (while above the 64-byte DOS header) to the
 * first "Rich", whose next dword is the XOR key (0: none); then on back to
 * the first dword that XORs to "DanS", followed by three copies of the
 * key. offset/length cover DanS up to (not including) "Rich"; clear_data
 * is that block XORed with the key, dword by dword. */
#define RICH_RICH 0x68636952u /* "Rich" */
#define RICH_DANS 0x536e6144u /* "DanS" */

static void set_rich(vgy_ctx *c, vgy_obj *o, const pe *p)
{
    uint32_t w = 0, key = 0, k1, k2, k3;
    int64_t q = (int64_t)p->nt - 4, rich = -1, dans = -1;
    for (; q > 64; q -= 4)
        if (u32(p, (uint64_t)q, &w) && w == RICH_RICH) {
            rich = q;
            u32(p, (uint64_t)q + 4, &key);
            q -= 4;
            break;
        }
    if (rich < 0 || !key)
        return;
    for (; q > 64; q -= 4)
        if (u32(p, (uint64_t)q, &w) && (w ^ key) == RICH_DANS) {
            dans = q;
            break;
        }
    if (dans < 0 || !u32(p, (uint64_t)dans + 4, &k1) || !u32(p, (uint64_t)dans + 8, &k2) ||
        !u32(p, (uint64_t)dans + 12, &k3) || k1 != k2 || k2 != k3 || (w ^ k1) != RICH_DANS)
        return;
    size_t len = (size_t)(rich - dans);
    uint8_t *clear = vgy_alloc(&c->tmp, len);
    if (!clear)
        return;
    for (size_t i = 0; i < len; i++)
        clear[i] = p->d[dans + (int64_t)i] ^ (uint8_t)(k1 >> (8 * (i % 4)));
    vgyo_int(c, o, dans, "rich_signature.offset");
    vgyo_int(c, o, (int64_t)len, "rich_signature.length");
    vgyo_int(c, o, k1, "rich_signature.key");
    vgyo_str(c, o, p->d + dans, len, "rich_signature.raw_data");
    vgyo_str(c, o, clear, len, "rich_signature.clear_data");
}

/* ---- debug directory: pdb_path --------------------------------------- */

/* The first CodeView entry (type 2) of the debug directory (data directory
 * 6, a whole number of 28-byte entries) whose "NB10" (name at +16) or
 * "RSDS" (name at +24) record fits and whose name is 1 to 1,023 bytes
 * long (ending at a NUL or at the end of the file). The record is found by its
 * RVA, or by its file offset when the RVA is 0 or maps nowhere. */
#define MAX_PDB_PATH 1024

static void set_pdb(vgy_ctx *c, vgy_obj *o, const pe *p)
{
    uint32_t va, sz;
    int64_t off;
    if (!vgype_dir(p, 6, &va, &sz) || !sz || sz % 28 || !va || (off = vgype_rva2off(p, va)) < 0)
        return;
    for (uint64_t i = 0; i < sz / 28; i++) {
        uint64_t e = (uint64_t)off + 28 * i;
        uint32_t type = 0, arva = 0, aoff = 0, sig;
        if (e > p->n || !vgrd_span(&p->r, (size_t)e, 28))
            break;
        u32(p, e + 12, &type);
        u32(p, e + 20, &arva);
        u32(p, e + 24, &aoff);
        if (type != 2)
            continue;
        int64_t cv = arva ? vgype_rva2off(p, arva) : -1;
        if (cv < 0 && aoff) /* the file offset when the RVA is 0 or maps nowhere */
            cv = aoff;
        if (cv < 0 || !u32(p, (uint64_t)cv, &sig) || !vgrd_span(&p->r, (size_t)cv, 8))
            continue;
        uint64_t name;
        if (sig == 0x3031424eu && vgrd_span(&p->r, (size_t)cv, 20)) /* "NB10" */
            name = (uint64_t)cv + 16;
        else if (sig == 0x53445352u && vgrd_span(&p->r, (size_t)cv, 28)) /* "RSDS" */
            name = (uint64_t)cv + 24;
        else
            continue;
        size_t left = p->n - (size_t)name, lim = left < MAX_PDB_PATH ? left : MAX_PDB_PATH;
        const uint8_t *z = memchr(p->d + name, 0, lim);
        size_t len = z ? (size_t)(z - (p->d + name)) : lim;
        if (len > 0 && len < MAX_PDB_PATH) {
            vgyo_str(c, o, p->d + name, len, "pdb_path");
            break;
        }
    }
}

/* ---- Authenticode certificates (OpenSSL) ------------------------------ */

/* One signatures[] entry per signer certificate of the PKCS#7, then those
 * of the signatures nested in its unauthenticated attributes
 * (1.3.6.1.4.1.311.2.4.1), as yara 4.2.3 lists them. */
#define NESTED_SIG_OID "1.3.6.1.4.1.311.2.4.1"
#define MAX_SIGS 256

static void hexs(const uint8_t *b, size_t n, char *out, int colons)
{
    static const char hx[] = "0123456789abcdef";
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (colons && i)
            out[k++] = ':';
        out[k++] = hx[b[i] >> 4];
        out[k++] = hx[b[i] & 15];
    }
    out[k] = 0;
}

static int64_t asn1_epoch(const ASN1_TIME *t)
{
    struct tm tm;
    if (!t || !ASN1_TIME_to_tm(t, &tm))
        return -1;
    return (int64_t)timegm(&tm);
}

static void cert_fields(vgy_ctx *c, vgy_obj *s, X509 *x)
{
    char buf[1024];
    X509_NAME_oneline(X509_get_issuer_name(x), buf, sizeof buf);
    vgyo_str(c, s, buf, strlen(buf), "issuer");
    X509_NAME_oneline(X509_get_subject_name(x), buf, sizeof buf);
    vgyo_str(c, s, buf, strlen(buf), "subject");
    vgyo_int(c, s, X509_get_version(x) + 1, "version");
    const char *alg = OBJ_nid2ln(X509_get_signature_nid(x));
    if (alg)
        vgyo_str(c, s, alg, strlen(alg), "algorithm");
    const X509_ALGOR *sa = X509_get0_tbs_sigalg(x);
    const ASN1_OBJECT *aobj = NULL;
    if (sa) {
        X509_ALGOR_get0(&aobj, NULL, NULL, sa);
        if (aobj && OBJ_obj2txt(buf, sizeof buf, aobj, 1) > 0)
            vgyo_str(c, s, buf, strlen(buf), "algorithm_oid");
    }
    const ASN1_INTEGER *ser = X509_get0_serialNumber(x);
    unsigned char *der = NULL;
    int dl = ser ? i2d_ASN1_INTEGER(ser, &der) : -1;
    if (dl > 2 && dl - 2 <= 64 && der[1] < 0x80) { /* content bytes, as "xx:xx" */
        char sh[64 * 3 + 1];
        hexs(der + 2, (size_t)dl - 2, sh, 1);
        vgyo_str(c, s, sh, strlen(sh), "serial");
    }
    OPENSSL_free(der);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdl = 0;
    if (X509_digest(x, EVP_sha1(), md, &mdl) && mdl == 20) {
        char th[41];
        hexs(md, 20, th, 0);
        vgyo_str(c, s, th, 40, "thumbprint");
    }
    int64_t nb = asn1_epoch(X509_get0_notBefore(x)), na = asn1_epoch(X509_get0_notAfter(x));
    if (nb != -1)
        vgyo_int(c, s, nb, "not_before");
    if (na != -1)
        vgyo_int(c, s, na, "not_after");
}

static void parse_pkcs7(vgy_ctx *c, vgy_obj *o, PKCS7 *p7, int *n, int depth)
{
    STACK_OF(X509) *signers = PKCS7_get0_signers(p7, NULL, 0);
    for (int i = 0; signers && i < sk_X509_num(signers) && *n < MAX_SIGS; i++) {
        vgy_obj *s = vgyo_at(c, o, "signatures[%i]", *n);
        if (!s)
            break;
        cert_fields(c, s, sk_X509_value(signers, i));
        (*n)++;
    }
    sk_X509_free(signers);
    if (depth >= 4 || !PKCS7_type_is_signed(p7))
        return;
    STACK_OF(PKCS7_SIGNER_INFO) *sis = PKCS7_get_signer_info(p7);
    for (int i = 0; sis && i < sk_PKCS7_SIGNER_INFO_num(sis); i++) {
        PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_value(sis, i);
        STACK_OF(X509_ATTRIBUTE) *ua = si ? si->unauth_attr : NULL;
        for (int k = 0; ua && k < sk_X509_ATTRIBUTE_num(ua); k++) {
            X509_ATTRIBUTE *at = sk_X509_ATTRIBUTE_value(ua, k);
            char oid[64];
            if (OBJ_obj2txt(oid, sizeof oid, X509_ATTRIBUTE_get0_object(at), 1) <= 0 ||
                strcmp(oid, NESTED_SIG_OID))
                continue;
            for (int v = 0; v < X509_ATTRIBUTE_count(at); v++) {
                ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(at, v);
                if (!t || t->type != V_ASN1_SEQUENCE)
                    continue;
                const unsigned char *q = t->value.sequence->data;
                PKCS7 *nested = d2i_PKCS7(NULL, &q, t->value.sequence->length);
                if (nested) {
                    parse_pkcs7(c, o, nested, n, depth + 1);
                    PKCS7_free(nested);
                }
            }
        }
    }
}

/* The certificate table (data directory 4; its "address" is a file
 * offset): WIN_CERTIFICATE entries (length, revision, type), each 8-byte
 * aligned; revision 2.0 (0x200) with type 2 (PKCS#7 signed data) is read,
 * revision 1.0 skipped, any other revision ends the table (yara 4.2.3). */
static void set_signatures(vgy_ctx *c, vgy_obj *o, const pe *p)
{
    uint32_t off, size;
    int n = 0;
    if (!vgype_dir(p, 4, &off, &size))
        return; /* no entry for it: undefined, as yara 4.2.3 leaves it */
    if (off && off < p->n && size <= p->n - off) {
        uint64_t end = (uint64_t)off + size, w = off;
        while (w + 8 <= end && n < MAX_SIGS) {
            uint32_t len;
            uint16_t rev, type;
            if (!u32(p, w, &len) || !u16(p, w + 4, &rev) || !u16(p, w + 6, &type) || len <= 8 ||
                len > end - w || (rev != 0x100 && rev != 0x200))
                break;
            if (rev == 0x200 && type == 2) { /* revision 1.0 is skipped, as yara */
                const unsigned char *q = p->d + w + 8;
                PKCS7 *p7 = d2i_PKCS7(NULL, &q, (long)(len - 8));
                if (p7) {
                    parse_pkcs7(c, o, p7, &n, 0);
                    PKCS7_free(p7);
                }
            }
            w += ((uint64_t)len + 7) & ~(uint64_t)7;
        }
    }
    vgyo_int(c, o, n, "number_of_signatures");
}

static void load(vgy_ctx *c, vgy_obj *o)
{
    pe *p = vgy_alloc(&c->tmp, sizeof *p);
    if (!p || !vgype_parse(p, c->data, c->len)) {
        vgyo_int(c, o, 0, "is_pe");
        return;
    }
    o->priv = p;
    uint64_t budget = (uint64_t)1 << 28;
    p->budget = &budget;
    vgyo_int(c, o, 1, "is_pe");
    set_headers(c, o, p);
    set_sections(c, o, p);
    set_imports(c, o, p);
    set_exports(c, o, p);
    set_resources(c, o, p);
    set_signatures(c, o, p);
    set_rich(c, o, p);
    set_pdb(c, o, p);
    p->budget = NULL; /* functions run later: they scan no names */
}

const vgy_module vgymod_pe = {"pe", &pe_root, load, NULL};

/* ---- functions -------------------------------------------------------- */

static const vgy_obj *m(const vgy_obj *o, const char *name)
{
    int i = o ? vgy_decl_member(o->d, name) : -1;
    return i >= 0 && o->kid ? o->kid[i] : NULL;
}

static const vgy_obj *at(const vgy_obj *arr, uint32_t i)
{
    return arr && i < arr->n ? arr->kid[i] : NULL;
}

static int sget(const vgy_obj *o, const uint8_t **s, size_t *n)
{
    if (!o || !o->def)
        return 0;
    *s = o->s;
    *n = o->slen;
    return 1;
}

static int str_eq(const vgy_obj *o, const vgy_val *v, int icase)
{
    const uint8_t *s;
    size_t n;
    if (!sget(o, &s, &n) || n != v->slen)
        return 0;
    return icase ? !strncasecmp((const char *)s, (const char *)v->s, n) || n == 0
                 : !memcmp(s, v->s, n);
}

static int re_ok(const vgy_obj *o, const struct vgy_regex *re)
{
    const uint8_t *s;
    size_t n;
    return sget(o, &s, &n) && vgy_regex_match(re, s, n);
}

/* imports() with regexes counts a name only when the regex matches a
 * non-empty part of it (yara 4.2.3 tests the match length), so /.* /
 * skips an empty name but counts one that starts with a newline. */
static int re_nonempty(const vgy_obj *o, const struct vgy_regex *re)
{
    const uint8_t *s;
    size_t n;
    if (!sget(o, &s, &n) || !re->code)
        return 0;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
    if (!md)
        return 0;
    int rc = pcre2_match(re->code, n ? s : (const uint8_t *)"", n, 0, PCRE2_NOTEMPTY, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

/* Count imported functions matching (DLL and function names compared
 * without case, as yara 4.2.3 does); kind: 0 dll+name, 1 dll, 2 dll+ord,
 * 3 regex+regex; flags: 1 standard imports, 2 delayed ones. */
static void imports_q(vgy_ctx *c, int64_t flags, int kind, const vgy_val *a, vgy_val *o)
{
    if (!c->self->priv)
        return;
    int64_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (!(flags & (1 << pass)))
            continue;
        const vgy_obj *d = m(c->self, pass ? " delayed_import_details" : "import_details");
        for (uint32_t i = 0; d && i < d->n; i++) {
            const vgy_obj *lib = at(d, i), *fns = m(lib, "functions");
            if (kind == 3 ? !re_nonempty(m(lib, "library_name"), a[0].re)
                          : !str_eq(m(lib, "library_name"), &a[0], 1))
                continue;
            for (uint32_t j = 0; fns && j < fns->n; j++) {
                const vgy_obj *f = at(fns, j);
                int64_t ord;
                if (!f)
                    continue;
                if (kind == 1 || (kind == 0 && str_eq(m(f, "name"), &a[1], 1)) ||
                    (kind == 2 && vgyo_get_int(m(f, "ordinal"), &ord) && ord == a[1].i) ||
                    (kind == 3 && re_nonempty(m(f, "name"), a[1].re)))
                    n++;
            }
        }
    }
    vgymod_int(o, kind == 0 || kind == 2 ? n > 0 : n);
}

static void f_imports_df(vgy_ctx *c, const vgy_val *a, vgy_val *o) { imports_q(c, 1, 0, a, o); }
static void f_imports_d(vgy_ctx *c, const vgy_val *a, vgy_val *o) { imports_q(c, 1, 1, a, o); }
static void f_imports_do(vgy_ctx *c, const vgy_val *a, vgy_val *o) { imports_q(c, 1, 2, a, o); }
static void f_imports_rr(vgy_ctx *c, const vgy_val *a, vgy_val *o) { imports_q(c, 1, 3, a, o); }
static void f_imports_idf(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    imports_q(c, a[0].i, 0, a + 1, o);
}
static void f_imports_id(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    imports_q(c, a[0].i, 1, a + 1, o);
}
static void f_imports_ido(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    imports_q(c, a[0].i, 2, a + 1, o);
}
static void f_imports_irr(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    imports_q(c, a[0].i, 3, a + 1, o);
}

/* Index of the first export matching (kind 0 name, 1 ordinal, 2 regex). */
static int64_t export_find(vgy_ctx *c, int kind, const vgy_val *a)
{
    const vgy_obj *d = m(c->self, "export_details");
    int64_t n = 0;
    /* yara 4.2.3 compares an ordinal with number_of_exports before it
     * searches (ignoring the ordinal base): 0 or more than that is absent */
    if (kind == 1 && (!vgyo_get_int(m(c->self, "number_of_exports"), &n) || a->i <= 0 ||
                      a->i > n))
        return -1;
    for (uint32_t i = 0; d && i < d->n; i++) {
        const vgy_obj *e = at(d, i);
        int64_t ord;
        if ((kind == 0 && str_eq(m(e, "name"), a, 1)) ||
            (kind == 1 && vgyo_get_int(m(e, "ordinal"), &ord) && ord == a->i) ||
            (kind == 2 && re_ok(m(e, "name"), a->re)))
            return i;
    }
    return -1;
}

#define EXPORTS(suffix, kind)                                                   \
    static void f_exports_##suffix(vgy_ctx *c, const vgy_val *a, vgy_val *o)    \
    {                                                                           \
        if (c->self->priv)                                                      \
            vgymod_int(o, export_find(c, kind, a) >= 0);                        \
    }                                                                           \
    static void f_exports_index_##suffix(vgy_ctx *c, const vgy_val *a, vgy_val *o) \
    {                                                                           \
        int64_t i = c->self->priv ? export_find(c, kind, a) : -1;               \
        if (i >= 0)                                                             \
            vgymod_int(o, i);                                                   \
    }
EXPORTS(s, 0)
EXPORTS(i, 1)
EXPORTS(r, 2)

static void lang_q(vgy_ctx *c, int64_t want, int64_t mask, vgy_val *o)
{
    if (!c->self->priv)
        return;
    const vgy_obj *r = m(c->self, "resources");
    for (uint32_t i = 0; r && i < r->n; i++) {
        int64_t l;
        if (vgyo_get_int(m(at(r, i), "language"), &l) && (l & mask) == want) {
            vgymod_int(o, 1);
            return;
        }
    }
    vgymod_int(o, 0);
}

static void f_locale(vgy_ctx *c, const vgy_val *a, vgy_val *o) { lang_q(c, a[0].i, 0xffff, o); }
static void f_language(vgy_ctx *c, const vgy_val *a, vgy_val *o) { lang_q(c, a[0].i, 0xff, o); }

static void f_imphash(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)a;
    if (!c->self->priv)
        return;
    vgy_arena *ar = &c->tmp;
    size_t cap = 4096, len = 0;
    char *buf = vgy_alloc(ar, cap);
    const vgy_obj *d = m(c->self, "import_details");
    for (uint32_t i = 0; buf && d && i < d->n; i++) {
        const vgy_obj *lib = at(d, i), *fns = m(lib, "functions");
        const uint8_t *ln;
        size_t ll;
        if (!sget(m(lib, "library_name"), &ln, &ll))
            continue;
        /* yara 4.2.3 cuts the name at its first '.' when the four
         * characters there are .dll, .ocx or .sys (any case) */
        size_t stem = ll;
        const uint8_t *dot = memchr(ln, '.', ll);
        if (dot && ll - (size_t)(dot - ln) >= 4 &&
            (!strncasecmp((const char *)dot, ".dll", 4) ||
             !strncasecmp((const char *)dot, ".ocx", 4) ||
             !strncasecmp((const char *)dot, ".sys", 4)))
            stem = (size_t)(dot - ln);
        for (uint32_t j = 0; fns && j < fns->n; j++) {
            const uint8_t *fn;
            size_t fl;
            if (!sget(m(at(fns, j), "name"), &fn, &fl))
                continue;
            size_t need = len + stem + fl + 3;
            if (need > cap) {
                size_t nc = need * 2;
                char *nb = vgy_alloc(ar, nc);
                if (!nb)
                    return;
                memcpy(nb, buf, len);
                buf = nb;
                cap = nc;
            }
            if (len)
                buf[len++] = ',';
            for (size_t k = 0; k < stem; k++)
                buf[len++] = (char)(ln[k] >= 'A' && ln[k] <= 'Z' ? ln[k] + 32 : ln[k]);
            buf[len++] = '.';
            for (size_t k = 0; k < fl; k++)
                buf[len++] = (char)(fn[k] >= 'A' && fn[k] <= 'Z' ? fn[k] + 32 : fn[k]);
        }
    }
    if (!buf)
        return;
    uint8_t h[32];
    char hex[65];
    if (vghash_compute(VGH_MD5, (const uint8_t *)buf, len, h) != VG_OK)
        return;
    vghash_hex(h, 16, hex);
    vgymod_str(c, o, hex, 32);
}

/* Section names compared as C strings (up to the first NUL of each), as
 * yara 4.2.3 compares them: ".text\0H" is section ".text". */
static void f_section_index_s(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    const vgy_obj *s = c->self->priv ? m(c->self, "sections") : NULL;
    const uint8_t *z = a[0].slen ? memchr(a[0].s, 0, a[0].slen) : NULL;
    size_t al = z ? (size_t)(z - a[0].s) : a[0].slen;
    for (uint32_t i = 0; s && i < s->n; i++) {
        const uint8_t *nm;
        size_t nl;
        if (!sget(m(at(s, i), "name"), &nm, &nl))
            continue;
        z = nl ? memchr(nm, 0, nl) : NULL;
        if ((z ? (size_t)(z - nm) : nl) == al && (!al || !memcmp(nm, a[0].s, al))) {
            vgymod_int(o, i);
            return;
        }
    }
}

static void f_section_index_i(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    const vgy_obj *s = c->self->priv ? m(c->self, "sections") : NULL;
    for (uint32_t i = 0; s && i < s->n; i++) {
        int64_t off, sz;
        if (vgyo_get_int(m(at(s, i), "raw_data_offset"), &off) &&
            vgyo_get_int(m(at(s, i), "raw_data_size"), &sz) && a[0].i >= off &&
            a[0].i < off + sz) {
            vgymod_int(o, i);
            return;
        }
    }
}

static void f_is_dll(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    int64_t ch;
    (void)a;
    if (c->self->priv && vgyo_get_int(m(c->self, "characteristics"), &ch))
        vgymod_int(o, ch & 0x2000); /* the flag's value, as yara 4.2.3 returns */
}

static void f_is_32bit(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)a;
    const pe *p = c->self->priv;
    if (p)
        vgymod_int(o, !p->is64); /* any magic but PE32+'s, as yara 4.2.3 */
}

static void f_is_64bit(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)a;
    const pe *p = c->self->priv;
    if (p)
        vgymod_int(o, p->is64);
}

static void f_rva_to_offset(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    const pe *p = c->self->priv;
    int64_t off = p && a[0].i >= 0 ? vgype_rva2off(p, (uint64_t)a[0].i) : -1;
    if (off >= 0)
        vgymod_int(o, off);
}

static void f_calculate_checksum(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)a;
    const pe *p = c->self->priv;
    if (!p)
        return;
    uint64_t sum = 0, skip = (p->opt + 64) / 4;
    size_t words = (p->n + 3) / 4;
    for (size_t i = 0; i < words; i++) {
        if (i == skip)
            continue;
        uint32_t w = 0;
        for (unsigned k = 0; k < 4 && 4 * i + k < p->n; k++)
            w |= (uint32_t)p->d[4 * i + k] << (8 * k);
        sum = (sum & 0xffffffffu) + w + (sum >> 32);
        if (sum > 0xffffffffu)
            sum = (sum & 0xffffffffu) + (sum >> 32);
    }
    sum = (sum & 0xffff) + (sum >> 16);
    sum += sum >> 16;
    sum &= 0xffff;
    vgymod_int(o, (int64_t)(sum + p->n));
}

static void valid_on(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    int64_t nb, na;
    if (vgyo_get_int(m(c->self, "not_before"), &nb) && vgyo_get_int(m(c->self, "not_after"), &na))
        vgymod_int(o, a[0].i >= nb && a[0].i <= na);
}

/* Sum of the counts of the clear_data entries (after the 16-byte DanS
 * block: 8 bytes each, build number in the low 16 bits of the first dword,
 * tool id in the high 16, count in the second) whose build (ver) and/or
 * tool id (tool) match; NOARG = not asked. Undefined without a rich
 * header. */
#define NOARG INT64_MIN
static void rich_q(vgy_ctx *c, int64_t ver, int64_t tool, vgy_val *o)
{
    const uint8_t *cd;
    size_t n;
    int64_t len;
    if (!vgyo_get_int(m(c->self, "length"), &len) || !sget(m(c->self, "clear_data"), &cd, &n))
        return;
    uint64_t sum = 0;
    for (size_t i = 16; i + 8 <= n; i += 8) {
        uint32_t idv = (uint32_t)cd[i] | (uint32_t)cd[i + 1] << 8 | (uint32_t)cd[i + 2] << 16 |
                       (uint32_t)cd[i + 3] << 24;
        uint32_t times = (uint32_t)cd[i + 4] | (uint32_t)cd[i + 5] << 8 |
                         (uint32_t)cd[i + 6] << 16 | (uint32_t)cd[i + 7] << 24;
        if ((ver == NOARG || ver == (idv & 0xffff)) && (tool == NOARG || tool == (idv >> 16)))
            sum += times;
    }
    vgymod_int(o, (int64_t)sum);
}

static void rich_version(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    rich_q(c, a[0].i, NOARG, o);
}
static void rich_version2(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    rich_q(c, a[0].i, a[1].i, o);
}
static void rich_toolid(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    rich_q(c, NOARG, a[0].i, o);
}
static void rich_toolid2(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    rich_q(c, a[1].i, a[0].i, o);
}
