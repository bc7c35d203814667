import "pe"
rule r { condition: pe.number_of_sections[0] == 1 }
