rule a { strings: $a = "x" condition: for 50% of them : ($) }
