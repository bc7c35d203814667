rule mixed_greedy { strings: $a = /ab{2}c*?/ condition: $a }
