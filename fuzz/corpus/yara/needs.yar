rule n { strings: $f = "nothere" $g = /[a-z]+/ $h = /r[a-z]*e/ condition: $f and $g and 2 of them }
rule m { strings: $x = "rule" $y = /[0-9a-z]{2,}/ $z = "zzz" condition: 3 of them }
rule o { strings: $p = "rule" condition: $p at 0 or $p at 0 }
