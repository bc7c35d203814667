rule empty_first_alt { strings: $a = /a(|b)/ condition: $a }
