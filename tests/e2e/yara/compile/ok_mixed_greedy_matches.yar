rule mixed_greedy_cond { condition: "abc" matches /a(b*?)c+/ }
