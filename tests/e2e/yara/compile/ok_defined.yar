rule a { condition: defined filesize }
