rule a { strings: $a = "x" xor(1-300) condition: $a }
