rule r { strings: $a = "x1" $b = "x2" condition: 2 of ($*) }
