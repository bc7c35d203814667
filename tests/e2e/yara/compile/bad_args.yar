import "math"
rule a { condition: math.in_range(1, 2, 3) }
