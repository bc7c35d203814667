rule a { strings: $a = { 4D 5A [2-4] ( 00 | 01 ?? ) ?A B? } condition: $a }
