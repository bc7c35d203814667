import "pe"
import "elf"
rule r { condition: for any s in pe.sections : (s.name == ".text") and for any k, v in pe.version_info : (k == "x" and v == "y") and for all seg in elf.segments : (seg.type != 0) and pe.MACHINE_AMD64 == 0x8664 }
