import "pe"
rule r { condition: pe.delayed_import_details[0].library_name == "x" }
