import "pe"
rule r { condition: pe.no_such_field == 1 }
