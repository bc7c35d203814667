global private rule g { condition: filesize > 0 } rule a { condition: g }
