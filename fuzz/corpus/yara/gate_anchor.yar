import "pe"
rule g { strings: $a = "rule" $b = /ru+le/ condition: uint8(0) == 0x69 and filesize < 1000 and $a and $b }
rule h { strings: $c = "pe" condition: for any of ($*) : ($ at pe.entry_point) }
rule k { strings: $m = "import" condition: $m at 0 }
