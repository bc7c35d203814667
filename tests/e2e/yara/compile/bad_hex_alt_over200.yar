rule r { strings: $a = { 01 ( 02 [0-201] 03 | 04 ) 05 } condition: $a }
