rule empty_group { strings: $a = /a()b/ condition: $a }
