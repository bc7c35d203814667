rule a { condition: nosuch }
