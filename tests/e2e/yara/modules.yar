// Module rules for tests/e2e/diff_yara.sh: every rule is compared with
// yara 4.2.3 (matching or not) on the PE, .NET and ELF inputs.
import "pe"
import "elf"
import "dotnet"
import "math"
import "hash"

rule m_is_pe { condition: pe.is_pe }
rule m_not_pe { condition: not pe.is_pe }
rule m_pe_undef_not { condition: not (pe.number_of_sections > 100) }
rule m_machine_i386 { condition: pe.machine == pe.MACHINE_I386 }
rule m_machine_amd64 { condition: pe.machine == pe.MACHINE_AMD64 }
rule m_dll { condition: pe.is_dll() }
rule m_dll_flag { condition: pe.characteristics & pe.DLL }
rule m_32 { condition: pe.is_32bit() and not pe.is_64bit() }
rule m_64 { condition: pe.is_64bit() }
rule m_ep_at { strings: $nop = { 90 90 90 C3 } condition: $nop in (pe.entry_point .. pe.entry_point + 0x40) }
rule m_ep_text { condition: pe.section_index(pe.entry_point) == 0 }
rule m_sec_loop_name { condition: for any s in pe.sections : (s.name == ".text") }
rule m_sec_loop_all { condition: for all s in pe.sections : (s.raw_data_size > 0) }
rule m_sec_loop_idx { condition: for any i in (0..pe.number_of_sections - 1) : (pe.sections[i].characteristics & pe.SECTION_MEM_EXECUTE) }
rule m_sec_full_name { condition: for any s in pe.sections : (s.full_name == ".rsrc_longname") }
rule m_sec_oob { condition: pe.sections[pe.number_of_sections].name == "" }
rule m_sec_oob_not { condition: not (pe.sections[99].name == "x") }
rule m_sec_neg { condition: defined pe.sections[-1].name }
rule m_sec_index { condition: pe.section_index(".rdata") == 1 }
rule m_sec_entropy { condition: for any s in pe.sections : (math.entropy(s.raw_data_offset, s.raw_data_size) > 0.5) }
rule m_overlay { condition: pe.overlay.size > 0 and uint32(pe.overlay.offset) != 0 }
rule m_overlay_hash { condition: hash.md5(pe.overlay.offset, pe.overlay.size) == "a7a7f6c0b3b8bd45e58bf0e3bbb0fb29" }
rule m_imports_fn { condition: pe.imports("kernel32.dll", "ExitProcess") }
rule m_imports_case { condition: pe.imports("KERNEL32.DLL", "exitprocess") }
rule m_imports_dll { condition: pe.imports("kernel32.dll") == 2 }
rule m_imports_ord { condition: pe.imports("ws2_32.dll", 23) }
rule m_imports_re { condition: pe.imports(/kernel32/i, /^Get/) >= 1 }
rule m_imports_flags { condition: pe.imports(pe.IMPORT_STANDARD, "kernel32.dll", "GetProcAddress") }
rule m_imports_delayed { condition: pe.imports(pe.IMPORT_DELAYED, /.*/, /.*/) > 0 }
rule m_import_details { condition: for any d in pe.import_details : (d.library_name iequals "ws2_32.dll" and for any f in d.functions : (f.name == "socket")) }
rule m_imphash { condition: pe.imphash() == "7ca4f97e02759751ba1b6cc7fa12e630" }
rule m_imphash_any { condition: pe.imphash() matches /^[0-9a-f]{32}$/ }
rule m_nimports { condition: pe.number_of_imports == 2 and pe.number_of_imported_functions == 4 }
rule m_exports { condition: pe.exports("AlphaExport") }
rule m_exports_case { condition: pe.exports("alphaexport") }
rule m_exports_ord { condition: pe.exports(6) }
rule m_exports_re { condition: pe.exports(/^Zeta/) }
rule m_exports_idx { condition: pe.exports_index("ZetaFwd") == 2 }
rule m_export_fwd { condition: for any e in pe.export_details : (e.forward_name == "KERNEL32.ExitProcess") }
rule m_export_noname { condition: for any e in pe.export_details : (not defined e.name) }
rule m_dll_name { condition: pe.dll_name == "synth.dll" }
rule m_nexports { condition: pe.number_of_exports == 3 }
rule m_resources { condition: pe.number_of_resources == 2 }
rule m_res_loop { condition: for any r in pe.resources : (r.type == pe.RESOURCE_TYPE_VERSION and r.language == 0x409) }
rule m_res_named { condition: for any r in pe.resources : (r.type_string == "M\x00Y\x00R\x00E\x00S\x00") }
rule m_res_data { condition: for any r in pe.resources : (uint32(r.offset) == 0x6c6c6568) }
rule m_locale { condition: pe.locale(0x0419) }
rule m_language { condition: pe.language(0x09) }
rule m_version_info { condition: pe.version_info["CompanyName"] == "Vigil Test" }
rule m_version_info_missing { condition: pe.version_info["Nope"] == "" }
rule m_version_info_not_missing { condition: not (pe.version_info["Nope"] == "") }
rule m_vi_loop { condition: for any k, v in pe.version_info : (k == "FileVersion" and v startswith "1.2") }
rule m_vi_list { condition: pe.version_info_list[0].key == "CompanyName" }
rule m_timestamp { condition: pe.timestamp == 0x5e0bd8a0 }
rule m_linker { condition: pe.linker_version.major == 14 and pe.linker_version.minor == 29 }
rule m_subsystem { condition: pe.subsystem == pe.SUBSYSTEM_WINDOWS_GUI }
rule m_checksum { condition: pe.checksum == pe.calculate_checksum() }
rule m_checksum_calc { condition: pe.calculate_checksum() > 0 }
rule m_rva { condition: pe.rva_to_offset(pe.entry_point_raw) == pe.entry_point }
rule m_data_dir { condition: pe.data_directories[pe.IMAGE_DIRECTORY_ENTRY_EXPORT].virtual_address != 0 }
rule m_sigs { condition: pe.number_of_signatures == 0 }
rule m_dotnet { condition: dotnet.is_dotnet }
rule m_dotnet_zero { condition: dotnet.is_dotnet == 0 }
rule m_dotnet_version { condition: dotnet.version == "v4.0.30319" }
rule m_dotnet_guid { condition: for any g in dotnet.guids : (g == "03020100-0504-0706-0809-0a0b0c0d0e0f") }
rule m_dotnet_streams { condition: for any s in dotnet.streams : (s.name == "#US" and s.size > 0) }
rule m_dotnet_us { condition: dotnet.user_strings[0] == "h\x00e\x00l\x00l\x00o\x00" }
rule m_elf { condition: elf.type == elf.ET_DYN and elf.machine == elf.EM_X86_64 }
rule m_elf_exec { condition: elf.type == elf.ET_EXEC }
rule m_elf_sec { condition: for any s in elf.sections : (s.name == ".text" and s.type == elf.SHT_PROGBITS) }
rule m_elf_seg { condition: for any s in elf.segments : (s.type == elf.PT_INTERP) }
rule m_elf_dyn { condition: for any d in elf.dynamic : (d.type == elf.DT_NEEDED) }
rule m_elf_sym { condition: for any s in elf.symtab : (s.name == "main") }
rule m_elf_ep { condition: elf.entry_point > 0 and elf.entry_point < filesize }
rule m_for_none_quirk { condition: for none s in pe.sections : (s.name == ".text") }
rule m_for_n { condition: for 2 s in pe.sections : (s.raw_data_size > 0) }
rule m_signed { condition: pe.number_of_signatures == 1 and pe.signatures[0].subject contains "CN=vigil signer" }
rule m_signed_serial { condition: for any s in pe.signatures : (s.serial == "00:c0:ff:ee:01:02" and s.version == 3) }
rule m_signed_valid { condition: pe.signatures[0].valid_on(pe.signatures[0].not_before) and not pe.signatures[0].valid_on(0) }
rule m_signed_alg { condition: pe.signatures[0].algorithm == "sha256WithRSAEncryption" and pe.signatures[0].algorithm_oid == "1.2.840.113549.1.1.11" }
rule m_unsigned { condition: pe.number_of_signatures == 0 }
