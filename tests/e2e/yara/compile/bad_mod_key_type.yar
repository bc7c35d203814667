import "pe"
rule r { condition: pe.version_info[1] == "x" }
