rule a { strings: $a = { 41 [5-2] 42 } condition: $a }
