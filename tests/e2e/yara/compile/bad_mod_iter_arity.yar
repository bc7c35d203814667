import "pe"
rule r { condition: for any k, v in pe.sections : (true) }
