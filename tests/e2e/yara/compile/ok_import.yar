import "math"
rule a { condition: math.entropy(0, filesize) > 1.0 }
