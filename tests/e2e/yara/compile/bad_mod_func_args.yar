import "pe"
rule r { condition: pe.imports(1, 2, 3, 4) }
