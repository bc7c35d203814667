import "pe"
rule r { condition: for any k in pe.version_info : (true) }
