rule a { strings: $a = "xyz" base64("abc") condition: $a }
