import "pe"
rule r { condition: for any s in pe.number_of_sections : (true) }
