rule r { strings: $a = { 01 ( 02 [1-] 03 | 04 ) 05 } condition: $a }
