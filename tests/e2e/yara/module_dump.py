#!/usr/bin/env python3
"""Write a YARA rule file that prints (console.log) every pe/elf module
field of the scanned file, one rule per value, so that yara's output and
vigil's can be compared line by line. Strings print as their MD5 (yara and
vigil escape unprintable bytes differently). Arrays are printed for their
first N items by index and counted with for-in loops."""
import sys

N = 6  # items per array printed


def rule(out, name, cond):
    out.append('rule %s { condition: %s }' % (name, cond))


def log(out, key, expr, kind):
    val = 'hash.md5(%s)' % expr if kind == 's' else expr
    rule(out, 'v%d' % len(out), 'console.log("%s=", %s)' % (key.replace('"', "'"), val))


PE_INTS = """is_pe machine number_of_sections timestamp pointer_to_symbol_table
number_of_symbols size_of_optional_header characteristics entry_point entry_point_raw
image_base number_of_rva_and_sizes linker_version.major linker_version.minor
os_version.major os_version.minor image_version.major image_version.minor
subsystem_version.major subsystem_version.minor win32_version_value size_of_image
size_of_headers checksum subsystem dll_characteristics size_of_stack_reserve
size_of_stack_commit size_of_heap_reserve size_of_heap_commit loader_flags opthdr_magic
size_of_code size_of_initialized_data size_of_uninitialized_data base_of_code base_of_data
section_alignment file_alignment overlay.offset overlay.size number_of_resources
resource_timestamp resource_version.major resource_version.minor number_of_signatures
number_of_exports export_timestamp number_of_imports number_of_imported_functions
number_of_delayed_imports""".split()
PE_STRS = "dll_name".split()
PE_CALLS = ["is_dll()", "is_32bit()", "is_64bit()", "imphash()", "calculate_checksum()",
            "rva_to_offset(pe.entry_point_raw)", "section_index(\".text\")",
            "section_index(pe.entry_point)", "imports(\"kernel32.dll\")",
            "imports(\"KERNEL32.dll\", \"ExitProcess\")", "imports(/.*/, /^Get/)",
            "imports(pe.IMPORT_ANY, \"kernel32.dll\")", "exports(\"main\")", "exports(1)",
            "exports(/^[A-Z]/)", "exports_index(1)", "locale(0x0409)", "language(9)",
            "imports(pe.IMPORT_DELAYED, /.*/, /.*/)", "imports(pe.IMPORT_ANY, /.*/, /.*/)",
            "exports_index(\"AlphaExport\")", "section_index(\"/4\")",
            "signatures[0].valid_on(pe.signatures[0].not_before + 1)",
            "signatures[0].valid_on(0)"]
PE_ARRAYS = [
    ("sections", "name:s full_name:s characteristics virtual_address virtual_size "
     "raw_data_offset raw_data_size number_of_relocations"),
    ("data_directories", "virtual_address size"),
    ("resources", "rva offset length type id language type_string:s name_string:s"),
    ("export_details", "offset name:s forward_name:s ordinal"),
    ("import_details", "library_name:s number_of_functions"),
    ("version_info_list", "key:s value:s"),
    ("signatures", "thumbprint:s issuer:s subject:s version algorithm:s algorithm_oid:s serial:s "
     "not_before not_after"),
]
DOTNET_INTS = """is_dotnet number_of_streams number_of_guids number_of_user_strings""".split()
DOTNET_ARRAYS = [("streams", "name:s offset size"), ("guids", ":s"), ("user_strings", ":s")]
ELF_INTS = """type machine entry_point number_of_sections number_of_segments
dynamic_section_entries symtab_entries""".split()
ELF_ARRAYS = [
    ("sections", "type flags address name:s size offset"),
    ("segments", "type flags offset virtual_address physical_address file_size memory_size "
     "alignment"),
    ("dynamic", "type val"),
    ("symtab", "name:s value size type bind shndx"),
]


def fields(spec):
    for f in spec.split():
        name, _, kind = f.partition(':')
        yield name, kind or 'i'


def module(out, mod, ints, strs, calls, arrays):
    for f in ints:
        log(out, '%s.%s' % (mod, f), '%s.%s' % (mod, f), 'i')
    for f in strs:
        log(out, '%s.%s' % (mod, f), '%s.%s' % (mod, f), 's')
    for f in calls:
        kind = 's' if f.startswith('imphash') else 'i'
        log(out, '%s.%s' % (mod, f), '%s.%s' % (mod, f), kind)
    for arr, spec in arrays:
        for i in range(N):
            for name, kind in fields(spec):
                e = '%s.%s[%d]' % (mod, arr, i) + ('.' + name if name else '')
                log(out, e, e, kind)
        rule(out, 'v%d' % len(out), 'for any x in %s.%s : (console.log("%s.%s any"))'
             % (mod, arr, mod, arr))
    return out


def main():
    out = ['import "pe"', 'import "elf"', 'import "dotnet"', 'import "magic"', 'import "hash"', 'import "console"']
    module(out, 'pe', PE_INTS, PE_STRS, PE_CALLS, PE_ARRAYS)
    for i in range(N):
        e = 'pe.import_details[0].functions[%d]' % i
        log(out, e + '.name', e + '.name', 's')
        log(out, e + '.ordinal', e + '.ordinal', 'i')
    for key in ("CompanyName", "FileVersion", "ProductName", "OriginalFilename"):
        e = 'pe.version_info["%s"]' % key
        log(out, e, e, 's')
    rule(out, 'v%d' % len(out),
         'for any k, v in pe.version_info : (console.log("vi key ", k) and false)')
    module(out, 'elf', ELF_INTS, [], [], ELF_ARRAYS)
    module(out, 'dotnet', DOTNET_INTS, ['version'], [], DOTNET_ARRAYS)
    log(out, 'magic.type()', 'magic.type()', 's')
    log(out, 'magic.mime_type()', 'magic.mime_type()', 's')
    sys.stdout.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
