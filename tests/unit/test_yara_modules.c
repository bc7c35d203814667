/* tests/unit/test_yara_modules.c - YARA module values through the engine
 * API: the declaration checks the parser makes (fields, arrays,
 * dictionaries, functions, iterators), undefined values for a file that is
 * not a PE, a minimal PE built here (header fields, sections, for-in,
 * constants), and damaged PE headers that must give undefined fields, not
 * a crash. The values themselves are compared with yara 4.2.3 by
 * tests/e2e/diff_yara.sh. */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "vigil/vigil.h"

static vg_status load(const char *text, char *err, size_t errlen, vg_engine **out)
{
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK)
        return VG_ENOMEM;
    vg_status st = vg_engine_load_mem(e, "m.yar", text, strlen(text), 0);
    if (st == VG_OK)
        st = vg_engine_compile(e);
    snprintf(err, errlen, "%s", vg_engine_error(e));
    if (st != VG_OK || !out)
        vg_engine_free(e);
    else
        *out = e;
    return st;
}

static void refused(const char *text, const char *msg)
{
    char err[1024];
    vg_status st = load(text, err, sizeof err, NULL);
    TAP_OK(st == VG_EFORMAT && strstr(err, msg) && !strncmp(err, "m.yar:", 6),
           "refused with \"%s\" (got: %s)", msg, err);
}

/* Does rule `a` match data[0..n)? -1 on load failure. */
static int verdict(const char *cond, const uint8_t *data, size_t n)
{
    char text[2048], err[1024];
    snprintf(text, sizeof text, "import \"pe\"\nimport \"elf\"\nimport \"dotnet\"\n"
                                "rule a { condition: %s }", cond);
    vg_engine *e;
    if (load(text, err, sizeof err, &e) != VG_OK)
        return -1;
    vg_result *r;
    vg_scan_opts o;
    vg_scan_opts_default(&o);
    int hit = -1;
    if (vg_scan_mem(e, data, n, &o, &r) == VG_OK) {
        hit = vg_result_count(r) > 0 && !strcmp(vg_result_get(r, 0)->name, "a");
        vg_result_free(r);
    }
    vg_engine_free(e);
    return hit;
}

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

/* A 32-bit PE: 2 sections (.text at RVA 0x1000 raw 0x200, .data), entry
 * point RVA 0x1010, 16 data directories, 0x400 bytes + a 16-byte overlay. */
static size_t mini_pe(uint8_t *b)
{
    memset(b, 0, 0x410);
    b[0] = 'M';
    b[1] = 'Z';
    put32(b + 0x3c, 0x40);
    memcpy(b + 0x40, "PE\0\0", 4);
    put16(b + 0x44, 0x14c);   /* machine */
    put16(b + 0x46, 2);       /* sections */
    put32(b + 0x48, 1234567); /* timestamp */
    put16(b + 0x54, 224);     /* optional header size */
    put16(b + 0x56, 0x2102);  /* DLL | 32BIT | EXECUTABLE */
    uint8_t *o = b + 0x58;
    put16(o, 0x10b);
    o[2] = 14;                /* linker 14.0 */
    put32(o + 16, 0x1010);    /* entry point */
    put32(o + 28, 0x400000);  /* image base */
    put32(o + 32, 0x1000);
    put32(o + 36, 0x200);     /* file alignment */
    put16(o + 68, 2);         /* subsystem GUI */
    put32(o + 92, 16);
    uint8_t *s = o + 224;
    memcpy(s, ".text", 5);
    put32(s + 8, 0x100);
    put32(s + 12, 0x1000);
    put32(s + 16, 0x200);
    put32(s + 20, 0x200);
    put32(s + 36, 0x60000020);
    memcpy(s + 40, ".data", 5);
    put32(s + 48, 0x100);
    put32(s + 52, 0x2000);
    put32(s + 56, 0x100);
    put32(s + 60, 0x300);
    put32(s + 76, 0xc0000040);
    memcpy(b + 0x400, "overlay bytes!!!", 16);
    return 0x410;
}

int main(void)
{
    refused("import \"pe\"\nrule a { condition: pe.nosuch == 1 }", "invalid field name \"nosuch\"");
    refused("import \"pe\"\nrule a { condition: pe.sections.name == \"\" }",
            "\"sections\" is not a structure");
    refused("import \"pe\"\nrule a { condition: pe.machine[0] == 1 }",
            "\"machine\" is not an array or dictionary");
    refused("import \"pe\"\nrule a { condition: pe.sections[\"x\"].name == \"\" }",
            "array indexes must be of integer type");
    refused("import \"pe\"\nrule a { condition: pe.version_info[0] == \"\" }",
            "dictionary keys must be of string type");
    refused("import \"pe\"\nrule a { condition: pe.sections }", "wrong usage of identifier \"sections\"");
    refused("import \"pe\"\nrule a { condition: pe.is_dll }", "wrong usage of identifier \"is_dll\"");
    refused("import \"pe\"\nrule a { condition: pe.imports(1.5) }",
            "wrong arguments for function \"imports\"");
    refused("import \"pe\"\nrule a { condition: for any k, v in pe.sections : (true) }",
            "yields a single item on each iteration, but the loop expects 2");
    refused("import \"pe\"\nrule a { condition: for any k in pe.version_info : (true) }",
            "yields a key,value pair");
    refused("import \"pe\"\nrule a { condition: for any x in pe.machine : (true) }", "is not iterable");
    refused("import \"pe\"\nrule a { condition: for any s in pe.sections : (s.nosuch == 1) }",
            "invalid field name \"nosuch\"");
    refused("rule a { condition: pe.is_pe }", "undefined identifier \"pe\"");

    const uint8_t text[] = "just some text, not a PE";
    TAP_OK(verdict("pe.is_pe == 0", text, sizeof text) == 1, "not a PE: is_pe is 0");
    TAP_OK(verdict("not (pe.number_of_sections == 0)", text, sizeof text) == 0,
           "not a PE: a field is undefined and `not undefined` is false");
    TAP_OK(verdict("not defined pe.entry_point", text, sizeof text) == 1,
           "not a PE: defined pe.entry_point is false");
    TAP_OK(verdict("for any s in pe.sections : (true)", text, sizeof text) == 0,
           "not a PE: a loop over an undefined array is false");
    TAP_OK(verdict("pe.MACHINE_AMD64 == 0x8664 and pe.SECTION_MEM_WRITE == 0x80000000", text,
                   sizeof text) == 1, "constants are defined for any file");

    uint8_t pe[0x410];
    size_t n = mini_pe(pe);
    TAP_OK(verdict("pe.is_pe and pe.machine == pe.MACHINE_I386 and pe.number_of_sections == 2", pe,
                   n) == 1, "minimal PE: header fields");
    TAP_OK(verdict("pe.entry_point == 0x210 and pe.entry_point_raw == 0x1010", pe, n) == 1,
           "minimal PE: entry point RVA mapped to its file offset");
    TAP_OK(verdict("pe.is_dll() and pe.is_32bit() and not pe.is_64bit() and "
                   "pe.linker_version.major == 14 and pe.subsystem == pe.SUBSYSTEM_WINDOWS_GUI", pe,
                   n) == 1, "minimal PE: functions and nested structures");
    TAP_OK(verdict("pe.sections[1].name == \".data\" and pe.sections[0].raw_data_size == 0x200 and "
                   "not defined pe.sections[2].name and not defined pe.sections[-1].name", pe, n) == 1,
           "minimal PE: sections by index, out of range undefined");
    TAP_OK(verdict("for any s in pe.sections : (s.name == \".text\" and s.characteristics & "
                   "pe.SECTION_MEM_EXECUTE)", pe, n) == 1, "minimal PE: for-in over sections");
    TAP_OK(verdict("for all i in (0..pe.number_of_sections - 1) : (pe.sections[i].virtual_address > 0)",
                   pe, n) == 1, "minimal PE: for-in over an index range");
    TAP_OK(verdict("pe.section_index(\".data\") == 1 and pe.section_index(0x210) == 0", pe, n) == 1,
           "minimal PE: section_index by name and by offset");
    TAP_OK(verdict("pe.overlay.offset == 0x400 and pe.overlay.size == 16", pe, n) == 1,
           "minimal PE: overlay after the last section's raw data");
    TAP_OK(verdict("pe.number_of_imports == 0 and pe.number_of_resources == 0 and "
                   "pe.number_of_exports == 0 and not pe.imports(\"kernel32.dll\")", pe, n) == 1,
           "minimal PE: no import, export or resource tables");
    TAP_OK(verdict("not defined pe.version_info[\"CompanyName\"]", pe, n) == 1,
           "minimal PE: missing dictionary key is undefined");
    TAP_OK(verdict("dotnet.is_dotnet == 0 and not defined elf.type", pe, n) == 1,
           "minimal PE: dotnet says 0, elf undefined");

    /* damaged headers: undefined fields, never a crash */
    uint8_t bad[0x410];
    memcpy(bad, pe, n);
    put16(bad + 0x46, 0xffff); /* 65535 sections, table runs off the end */
    TAP_OK(verdict("pe.number_of_sections == 65535 and for all s in pe.sections : (true)", bad,
                   n) == 1, "section count past the file: the table stops at the end");
    memcpy(bad, pe, n);
    put32(bad + 0x3c, 0x7ffffff0);
    TAP_OK(verdict("pe.is_pe == 0", bad, n) == 1, "e_lfanew past the end: not a PE");
    TAP_OK(verdict("pe.is_pe == 0", pe, 0x60) == 1, "PE cut inside the optional header: not a PE");
    memcpy(bad, pe, n);
    put32(bad + 0x58 + 100, 0x10); /* import directory at an RVA past everything */
    put32(bad + 0x58 + 104, 0x7fffffff);
    TAP_OK(verdict("pe.number_of_imports == 0", bad, n) == 1, "import directory off the map: none");
    return tap_done();
}
