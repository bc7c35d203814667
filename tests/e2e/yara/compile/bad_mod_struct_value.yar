import "pe"
rule r { condition: pe.sections }
