rule a { strings: $a = "x" wide wide condition: $a }
