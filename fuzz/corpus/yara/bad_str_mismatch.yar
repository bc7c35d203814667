rule a { condition: "a" == 1 }
