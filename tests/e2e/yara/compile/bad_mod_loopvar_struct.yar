import "pe"
rule r { condition: for any s in pe.sections : (s) }
