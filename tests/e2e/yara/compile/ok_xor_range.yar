rule a { strings: $a = "abc" xor(1-2) wide condition: $a }
