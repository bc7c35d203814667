rule a { strings: $a = { 41 4 } condition: $a }
