rule r { strings: $a = { 01 ( 02 [1-6] 03 | 04 ( 05 [2] 06 | 07 ) ) 08 } condition: $a }
