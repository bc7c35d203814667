rule a { strings: $a = "abcdef" base64 base64wide condition: $a }
