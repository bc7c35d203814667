rule a { strings: $a = { [2] 41 } condition: $a }
