rule a { condition: true
