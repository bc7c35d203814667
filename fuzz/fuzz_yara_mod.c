/* fuzz/fuzz_yara_mod.c - the pe, elf and dotnet module parsers of the YARA
 * rules (src/yara/modules/) on arbitrary bytes: one rule that reads every
 * field, walks every array and dictionary and calls every function, scanned
 * over the input (one rule per field, so none is skipped by a short
 * circuit). Seeds: fuzz/corpus/yara_mod (synthetic PE/.NET files from
 * tests/e2e/yara/mkpe.py and a small ELF). The rule text is generated from
 * tests/e2e/yara/module_dump.py's field lists. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules[] =
    "import \"pe\"\n"
    "import \"elf\"\n"
    "import \"dotnet\"\n"
    "rule r0 { condition: (pe.is_pe == 0) }\n"
    "rule r1 { condition: (pe.machine == 0) }\n"
    "rule r2 { condition: (pe.number_of_sections == 0) }\n"
    "rule r3 { condition: (pe.timestamp == 0) }\n"
    "rule r4 { condition: (pe.pointer_to_symbol_table == 0) }\n"
    "rule r5 { condition: (pe.number_of_symbols == 0) }\n"
    "rule r6 { condition: (pe.size_of_optional_header == 0) }\n"
    "rule r7 { condition: (pe.characteristics == 0) }\n"
    "rule r8 { condition: (pe.entry_point == 0) }\n"
    "rule r9 { condition: (pe.entry_point_raw == 0) }\n"
    "rule r10 { condition: (pe.image_base == 0) }\n"
    "rule r11 { condition: (pe.number_of_rva_and_sizes == 0) }\n"
    "rule r12 { condition: (pe.linker_version.major == 0) }\n"
    "rule r13 { condition: (pe.linker_version.minor == 0) }\n"
    "rule r14 { condition: (pe.os_version.major == 0) }\n"
    "rule r15 { condition: (pe.os_version.minor == 0) }\n"
    "rule r16 { condition: (pe.image_version.major == 0) }\n"
    "rule r17 { condition: (pe.image_version.minor == 0) }\n"
    "rule r18 { condition: (pe.subsystem_version.major == 0) }\n"
    "rule r19 { condition: (pe.subsystem_version.minor == 0) }\n"
    "rule r20 { condition: (pe.win32_version_value == 0) }\n"
    "rule r21 { condition: (pe.size_of_image == 0) }\n"
    "rule r22 { condition: (pe.size_of_headers == 0) }\n"
    "rule r23 { condition: (pe.checksum == 0) }\n"
    "rule r24 { condition: (pe.subsystem == 0) }\n"
    "rule r25 { condition: (pe.dll_characteristics == 0) }\n"
    "rule r26 { condition: (pe.size_of_stack_reserve == 0) }\n"
    "rule r27 { condition: (pe.size_of_stack_commit == 0) }\n"
    "rule r28 { condition: (pe.size_of_heap_reserve == 0) }\n"
    "rule r29 { condition: (pe.size_of_heap_commit == 0) }\n"
    "rule r30 { condition: (pe.loader_flags == 0) }\n"
    "rule r31 { condition: (pe.opthdr_magic == 0) }\n"
    "rule r32 { condition: (pe.size_of_code == 0) }\n"
    "rule r33 { condition: (pe.size_of_initialized_data == 0) }\n"
    "rule r34 { condition: (pe.size_of_uninitialized_data == 0) }\n"
    "rule r35 { condition: (pe.base_of_code == 0) }\n"
    "rule r36 { condition: (pe.base_of_data == 0) }\n"
    "rule r37 { condition: (pe.section_alignment == 0) }\n"
    "rule r38 { condition: (pe.file_alignment == 0) }\n"
    "rule r39 { condition: (pe.overlay.offset == 0) }\n"
    "rule r40 { condition: (pe.overlay.size == 0) }\n"
    "rule r41 { condition: (pe.number_of_resources == 0) }\n"
    "rule r42 { condition: (pe.resource_timestamp == 0) }\n"
    "rule r43 { condition: (pe.resource_version.major == 0) }\n"
    "rule r44 { condition: (pe.resource_version.minor == 0) }\n"
    "rule r45 { condition: (pe.number_of_signatures == 0) }\n"
    "rule r46 { condition: (pe.number_of_exports == 0) }\n"
    "rule r47 { condition: (pe.export_timestamp == 0) }\n"
    "rule r48 { condition: (pe.number_of_imports == 0) }\n"
    "rule r49 { condition: (pe.number_of_imported_functions == 0) }\n"
    "rule r50 { condition: (pe.number_of_delayed_imports == 0) }\n"
    "rule r51 { condition: (pe.dll_name == \"\") }\n"
    "rule r52 { condition: (pe.is_dll() == 0) }\n"
    "rule r53 { condition: (pe.is_32bit() == 0) }\n"
    "rule r54 { condition: (pe.is_64bit() == 0) }\n"
    "rule r55 { condition: (pe.imphash() == \"\") }\n"
    "rule r56 { condition: (pe.calculate_checksum() == 0) }\n"
    "rule r57 { condition: (pe.rva_to_offset(pe.entry_point_raw) == 0) }\n"
    "rule r58 { condition: (pe.section_index(\".text\") == 0) }\n"
    "rule r59 { condition: (pe.section_index(pe.entry_point) == 0) }\n"
    "rule r60 { condition: (pe.imports(\"kernel32.dll\") == 0) }\n"
    "rule r61 { condition: (pe.imports(\"KERNEL32.dll\", \"ExitProcess\") == 0) }\n"
    "rule r62 { condition: (pe.imports(/.*/, /^Get/) == 0) }\n"
    "rule r63 { condition: (pe.imports(pe.IMPORT_ANY, \"kernel32.dll\") == 0) }\n"
    "rule r64 { condition: (pe.exports(\"main\") == 0) }\n"
    "rule r65 { condition: (pe.exports(1) == 0) }\n"
    "rule r66 { condition: (pe.exports(/^[A-Z]/) == 0) }\n"
    "rule r67 { condition: (pe.exports_index(1) == 0) }\n"
    "rule r68 { condition: (pe.locale(0x0409) == 0) }\n"
    "rule r69 { condition: (pe.language(9) == 0) }\n"
    "rule r70 { condition: (pe.imports(pe.IMPORT_DELAYED, /.*/, /.*/) == 0) }\n"
    "rule r71 { condition: (pe.imports(pe.IMPORT_ANY, /.*/, /.*/) == 0) }\n"
    "rule r72 { condition: (pe.exports_index(\"AlphaExport\") == 0) }\n"
    "rule r73 { condition: (pe.section_index(\"/4\") == 0) }\n"
    "rule r74 { condition: for any x in pe.sections : ((x.name == \"\") or (x.full_name == \"\") or (x.characteristics == 0) or (x.virtual_address == 0) or (x.virtual_size == 0) or (x.raw_data_offset == 0) or (x.raw_data_size == 0) or (x.number_of_relocations == 0)) }\n"
    "rule r75 { condition: for any x in pe.data_directories : ((x.virtual_address == 0) or (x.size == 0)) }\n"
    "rule r76 { condition: for any x in pe.resources : ((x.rva == 0) or (x.offset == 0) or (x.length == 0) or (x.type == 0) or (x.id == 0) or (x.language == 0) or (x.type_string == \"\") or (x.name_string == \"\")) }\n"
    "rule r77 { condition: for any x in pe.export_details : ((x.offset == 0) or (x.name == \"\") or (x.forward_name == \"\") or (x.ordinal == 0)) }\n"
    "rule r78 { condition: for any x in pe.import_details : ((x.library_name == \"\") or (x.number_of_functions == 0)) }\n"
    "rule r79 { condition: for any x in pe.version_info_list : ((x.key == \"\") or (x.value == \"\")) }\n"
    "rule r80 { condition: for any d in pe.import_details : (for any f in d.functions : (f.name == \"\" or f.ordinal == 0)) }\n"
    "rule r81 { condition: for any k, v in pe.version_info : (k == v) }\n"
    "rule r82 { condition: (elf.type == 0) }\n"
    "rule r83 { condition: (elf.machine == 0) }\n"
    "rule r84 { condition: (elf.entry_point == 0) }\n"
    "rule r85 { condition: (elf.number_of_sections == 0) }\n"
    "rule r86 { condition: (elf.number_of_segments == 0) }\n"
    "rule r87 { condition: (elf.dynamic_section_entries == 0) }\n"
    "rule r88 { condition: (elf.symtab_entries == 0) }\n"
    "rule r89 { condition: for any x in elf.sections : ((x.type == 0) or (x.flags == 0) or (x.address == 0) or (x.name == \"\") or (x.size == 0) or (x.offset == 0)) }\n"
    "rule r90 { condition: for any x in elf.segments : ((x.type == 0) or (x.flags == 0) or (x.offset == 0) or (x.virtual_address == 0) or (x.physical_address == 0) or (x.file_size == 0) or (x.memory_size == 0) or (x.alignment == 0)) }\n"
    "rule r91 { condition: for any x in elf.dynamic : ((x.type == 0) or (x.val == 0)) }\n"
    "rule r92 { condition: for any x in elf.symtab : ((x.name == \"\") or (x.value == 0) or (x.size == 0) or (x.type == 0) or (x.bind == 0) or (x.shndx == 0)) }\n"
    "rule r93 { condition: (dotnet.is_dotnet == 0) }\n"
    "rule r94 { condition: (dotnet.number_of_streams == 0) }\n"
    "rule r95 { condition: (dotnet.number_of_guids == 0) }\n"
    "rule r96 { condition: (dotnet.number_of_user_strings == 0) }\n"
    "rule r97 { condition: (dotnet.version == \"\") }\n"
    "rule r98 { condition: for any x in dotnet.streams : (x.name == \"\" or x.offset == 0) }\n"
    "rule r99 { condition: for any g in dotnet.guids : (g == \"\") }\n"
    "rule r100 { condition: for any u in dotnet.user_strings : (u == \"\") }\n"
    "rule sig { condition: for any x in pe.signatures : (x.issuer == \"\" or x.subject == \"\" "
    "or x.serial == \"\" or x.thumbprint == \"\" or x.version == 0 or x.algorithm == \"\" "
    "or x.algorithm_oid == \"\" or x.valid_on(0)) }\n"
    "rule rich { condition: pe.rich_signature.offset == 0 or pe.rich_signature.key == 0 "
    "or pe.rich_signature.clear_data == \"\" or pe.rich_signature.version(0) == 1 "
    "or pe.rich_signature.toolid(1, 2) == 1 or pe.pdb_path == \"\" }\n";

static vg_engine *engine(void)
{
    static vg_engine *e;
    if (!e) {
        if (vg_engine_new(&e) != VG_OK)
            return NULL;
        if (vg_engine_load_mem(e, "mod.yar", rules, strlen(rules), 0) != VG_OK ||
            vg_engine_compile(e) != VG_OK)
            __builtin_trap(); /* the rule text itself must compile */
    }
    return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_engine *e = engine();
    vg_result *r;
    vg_scan_opts o;
    if (!e)
        return 0;
    vg_scan_opts_default(&o);
    o.flags |= VG_SCAN_ALLMATCH;
    if (vg_scan_mem(e, data, size, &o, &r) == VG_OK)
        vg_result_free(r);
    return 0;
}
