rule a { strings: $a = { 41 [2] } condition: $a }
