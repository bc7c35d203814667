rule a /* c */ { // x
condition: true }
