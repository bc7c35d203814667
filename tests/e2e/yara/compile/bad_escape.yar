rule a { strings: $a = "\q" condition: $a }
