rule a { condition: }
