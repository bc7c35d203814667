rule a { strings: $a = "x" $b = "y" condition: $a }
