rule a { strings: $a = { 41 42 } nocase condition: $a }
