rule a { strings: $a = "x" condition: 50% of them }
