import "hash"
rule a { condition: hash.nosuch(0, 1) == "" }
