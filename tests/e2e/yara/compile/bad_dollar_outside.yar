rule a { strings: $a = "x" condition: $ and $a }
