import "magic"
rule r { condition: magic.type(0) == "x" }
