import "magic"
rule r { condition: magic.type() contains "PE32" or magic.mime_type() == "text/plain" }
