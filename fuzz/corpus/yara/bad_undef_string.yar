rule a { strings: $a = "x" condition: $a and $b }
