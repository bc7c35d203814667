rule b1 { condition: true } rule a { condition: any of (b*) }
