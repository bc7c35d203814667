rule r { strings: $a = { 01 ( 02 [1-2] | 04 ) 05 } condition: $a }
