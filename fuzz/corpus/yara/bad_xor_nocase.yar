rule a { strings: $a = "x" xor nocase condition: $a }
