#!/usr/bin/env python3
"""Write a YARA rule file that prints (console.log) every value of the pe
module, one rule per value, for the differential test on malformed PEs
(tests/e2e/diff_yara_pe.sh). Wider than module_dump.py: more array items,
every section/resource/import field, rich_signature and its functions,
pdb_path, and where each array ends. A value that is undefined prints
nothing, so undefinedness is compared too. Strings print as their MD5
(yara and vigil escape unprintable bytes differently) unless --raw.
Usage: pe_dump.py [--raw]"""
import sys

RAW = '--raw' in sys.argv
NSEC, NRES, NIMP, NFUN, NEXP, NVI, NSIG = 12, 12, 8, 10, 10, 10, 3

INTS = """is_pe machine number_of_sections timestamp pointer_to_symbol_table
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
number_of_delayed_imports rich_signature.offset rich_signature.length
rich_signature.key""".split()
STRS = "dll_name pdb_path rich_signature.raw_data rich_signature.clear_data".split()
CALLS = ["is_dll()", "is_32bit()", "is_64bit()", "imphash()", "calculate_checksum()",
         "rva_to_offset(pe.entry_point_raw)", "rva_to_offset(0)", "rva_to_offset(0x1000)",
         "rva_to_offset(0x2000)", "rva_to_offset(0x400)", "section_index(\".text\")",
         "section_index(\".rsrc\")", "section_index(pe.entry_point)", "section_index(0)",
         "section_index(0x400)", "imports(\"kernel32.dll\")", "imports(\"KERNEL32.dll\", \"ExitProcess\")",
         "imports(/.*/, /.*/)", "imports(/.*/, /^Get/)", "imports(\"kernel32.dll\", 1)",
         "imports(pe.IMPORT_ANY, /.*/, /.*/)", "imports(pe.IMPORT_DELAYED, /.*/, /.*/)",
         "exports(\"main\")", "exports(1)", "exports(2)", "exports(/./)", "exports_index(1)",
         "exports_index(/./)", "locale(0x0409)", "language(9)", "locale(0)", "language(0)"]
ARRAYS = [
    ("sections", NSEC, "name:s full_name:s characteristics virtual_address virtual_size "
     "raw_data_offset raw_data_size pointer_to_relocations pointer_to_line_numbers "
     "number_of_relocations number_of_line_numbers"),
    ("data_directories", 16, "virtual_address size"),
    ("resources", NRES, "rva offset length type id language type_string:s name_string:s "
     "language_string:s"),
    ("export_details", NEXP, "offset name:s forward_name:s ordinal"),
    ("import_details", NIMP, "library_name:s number_of_functions"),
    ("version_info_list", NVI, "key:s value:s"),
    ("signatures", NSIG, "thumbprint:s issuer:s subject:s version algorithm:s algorithm_oid:s "
     "serial:s not_before not_after"),
]
# rich header entries: tool ids and build numbers seen in MSVC output
TOOLIDS = list(range(0, 0x110)) + [0x1000, 0xffff]
VERSIONS = [0, 1, 8047, 9782, 20115, 21022, 21005, 30319, 30729, 40219, 50727, 24123,
            24215, 26715, 27412, 29395, 30133, 31937, 65535]


def main():
    out = ['import "pe"', 'import "hash"', 'import "console"']

    def rule(cond):
        out.append('rule v%d { condition: %s }' % (len(out), cond))

    def log(key, expr, kind='i'):
        val = expr if kind == 'i' or RAW else 'hash.md5(%s)' % expr
        rule('console.log("%s=", %s)' % (key.replace('"', "'"), val))

    for f in INTS:
        log(f, 'pe.' + f)
    for f in STRS:
        log(f, 'pe.' + f, 's')
    for f in CALLS:
        log(f, 'pe.' + f, 's' if f.startswith('imphash') else 'i')
    for arr, n, spec in ARRAYS:
        for i in range(n):
            for fld in spec.split():
                name, _, kind = fld.partition(':')
                e = 'pe.%s[%d].%s' % (arr, i, name)
                log(e, e, kind or 'i')
        first = spec.split()[0].partition(':')[0]
        rule('for any i in (0..100000) : (not defined pe.%s[i].%s and console.log("%s end=", i))'
             % (arr, first, arr))
    for i in range(NIMP):
        for j in range(NFUN):
            e = 'pe.import_details[%d].functions[%d]' % (i, j)
            log(e + '.name', e + '.name', 's')
            log(e + '.ordinal', e + '.ordinal')
    for key in ("CompanyName", "FileVersion", "ProductName", "OriginalFilename", "FileDescription"):
        e = 'pe.version_info["%s"]' % key
        log(e, e, 's')
    rule('for any k, v in pe.version_info : (console.log("vi key ", %s) and false)'
         % ('k' if RAW else 'hash.md5(k)'))
    for t in TOOLIDS:
        log('toolid(%d)' % t, 'pe.rich_signature.toolid(%d)' % t)
    for v in VERSIONS:
        log('version(%d)' % v, 'pe.rich_signature.version(%d)' % v)
        for t in (0x5d, 0x93, 0x104, 0x105, 0x1, 0x0):
            log('version(%d,%d)' % (v, t), 'pe.rich_signature.version(%d, %d)' % (v, t))
            log('toolid(%d,%d)' % (t, v), 'pe.rich_signature.toolid(%d, %d)' % (t, v))
    sys.stdout.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
