rule a { condition: 4 / 2 == 2 }
