rule a { strings: $a = "x" xor(3-1) condition: $a }
