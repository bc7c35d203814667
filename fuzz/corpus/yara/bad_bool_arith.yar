rule a { condition: 1 + true > 0 }
