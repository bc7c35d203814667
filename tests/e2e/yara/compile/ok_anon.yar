rule a { strings: $ = "x" $ = "y" condition: any of them }
