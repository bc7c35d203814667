rule a { condition: 2 of (true, false) }
