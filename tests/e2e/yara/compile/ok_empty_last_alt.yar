rule empty_last_alt { strings: $a = /BADD|Bad Error|/ $b = /a||b/ condition: $a or $b }
