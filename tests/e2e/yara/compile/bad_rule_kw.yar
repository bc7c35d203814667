rule rule { condition: true }
