import "pe"
rule r { condition: pe.sections["a"].name == "x" }
