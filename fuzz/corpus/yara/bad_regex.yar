rule a { strings: $a = /ab(c/ condition: $a }
