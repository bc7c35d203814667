rule a { strings: $a = "xyz" base64 nocase condition: $a }
