# tests/e2e/patterns/inputs.sh - input files for diff_patterns.sh (sourced).
#
#   mk NAME 'printf format'                       the file's bytes
#   mkrep NAME 'before' COUNT 'byte' 'after'      before + COUNT x byte + after
#
# Most inputs start with $P so that both scanners see binary
# data: clamscan takes e.g. "\x00\x01..." for UTF-16 text and would scan a
# converted copy too. $S ends a file without touching a (B)/(L)/(W) test.
P='\xde\xad\xbe\xef\x00\x00'
S='\xde\xad\xbe\xef\x00\x00\x00\x00'

# E1-E4 and the mid-pattern anchors: HELLO?WORLD with every kind of byte
mk hw_dash    "${P}HELLO-WORLD$S"
mk hw_space   "${P}HELLO WORLD$S"
mk hw_under   "${P}HELLO_WORLD$S"
mk hw_rbr     "${P}HELLO]WORLD$S"
mk hw_none    "${P}HELLOWORLD$S"
mk hw_1       "${P}HELLO1WORLD$S"
mk hw_123     "${P}HELLO123WORLD$S"
mk hw_12345   "${P}HELLO12345WORLD$S"
mk hw_dot     "${P}HELLO.WORLD$S"
mk hw_lt      "${P}HELLO<WORLD$S"
mk hw_at      "${P}HELLO@WORLD$S"
mk hw_slash   "${P}HELLO/WORLD$S"
mk hw_dq      "${P}HELLO\"WORLD$S"
mk hw_apos    "${P}HELLO'WORLD$S"
mk hw_eq      "${P}HELLO=WORLD$S"
mk hw_gt      "${P}HELLO>WORLD$S"
mk hw_comma   "${P}HELLO,WORLD$S"
mk hw_a       "${P}HELLOaWORLD$S"
mk hw_lf      "${P}HELLO\nWORLD$S"
mk hw_cr      "${P}HELLO\rWORLD$S"
mk hw_crlf    "${P}HELLO\r\nWORLD$S"
mk hw_lflf    "${P}HELLO\n\nWORLD$S"
mk hw_crlflf  "${P}HELLO\r\n\nWORLD$S"
mk hw_tab     "${P}HELLO\tWORLD$S"
mk hw_hi      "${P}HELLO\xadWORLD$S"
mkrep hw_gap128 "${P}HELLO" 128 x "WORLD$S"
mkrep hw_gap129 "${P}HELLO" 129 x "WORLD$S"
# at the very start and end of a file
mk hw_start   "HELLO-WORLD$S"
mk hw_end     "${P}HELLO-WORLD"
mk hw_end_sp  "${P}HELLO-WORLD "
mk hw_end_lf  "${P}HELLO-WORLD\n"
mk hw_end_cr  "${P}HELLO-WORLD\r"
mk hw_end_crlf "${P}HELLO-WORLD\r\n"
mk hw_trunc   "${P}HELLO-WORL"
mk hw_tr_w    "${P}HELLO W"
mk hw_tr_worl "${P}HELLO WORL"
mk hw_tr_lf   "${P}HELLO\nWORL"
mk hw_tr_sp   "${P}HELLO "

# E5: [n-m]
mk x1yzz      "${P}X1YZZ$S"
mk x12yzz     "${P}X12YZZ$S"
mk xyzz       "${P}XYZZ$S"
mk x123yzz    "${P}X123YZZ$S"
mk yz1z       "${P}YZ1Z$S"
mk yz12z      "${P}YZ12Z$S"
mk yz123z     "${P}YZ123Z$S"
mk x1yzz1z    "${P}X1YZZ1Z$S"
mk x1yzz_0    "X1YZZ$S"
mk yzz_end    "${P}YZZ"
mk h1yzz      "${P}h1YZZ$S"

# E6: alternatives after CAT-
mk cat_a      "${P}CAT-A$S"
mk cat_b      "${P}CAT-B$S"
mk cat_ab     "${P}CAT-AB$S"
mk cat_c      "${P}CAT-C$S"
mk cat_xy     "${P}CAT-XY$S"
mk cat_qqq    "${P}CAT-QQQ$S"
mk cat_a_dot  "${P}CAT-A.$S"
mk cat_c_dot  "${P}CAT-C.$S"
mk cat_xy_dot "${P}CAT-XY.$S"
mk cat_qqq_dot "${P}CAT-QQQ.$S"
mk cat_abc    "${P}CAT-ABC$S"
mk cat_ab_dot "${P}CAT-AB.$S"
mk cat_q_dot  "${P}CAT-Q.$S"
mk cat_end    "${P}CAT-"
mk cat_a_end  "${P}CAT-A"
mk cat_x_end  "${P}CAT-X"
mk cat_dot    "${P}CAT-.$S"
mk de_ta      "${P}DET-A$S"

# E7: "evil" between all sorts of bytes (binary files)
mk ev_sp      "${P} evil $S"
mk ev_lt      "${P}<evil>$S"
mk ev_us      "${P}_evil_$S"
mk ev_eof     "${P} evil"
mk ev_start   "evil $S"
mk ev_ab      "${P}aevilb$S"
mk ev_comma   "${P},evil;$S"
mk ev_dot     "${P}.evil.$S"
mk ev_dq      "${P}\"evil\"$S"
mk ev_lf      "${P}\nevil\n$S"
mk ev_crlf    "${P}\r\nevil\r\n$S"
mk ev_cr      "${P}\revil\r$S"
mk ev_at      "${P}@evil=$S"
mk ev_slash   "${P}/evil/$S"
mk ev_apos    "${P}-evil'$S"
mk ev_start_lf "evil\n$S"
mk ev_lf_eof  "${P}\nevil"
mk ev_cr_x    "${P}\nevil\rX$S"
mk ev_digits  "${P}1evil2$S"

# (L) checked backwards (see the E7pL signatures)
mk pl_1       "${P}H\r\nLLO$S"
mk pl_2       "${P}HX\r\nLLO$S"
mk pl_3       "${P}HX\nLLO$S"
mk pl_4       "${P}HXX\nLLO$S"
mk pl_5       "${P}AB\r\nCD$S"
mk pl_6       "${P}AB\nCD$S"
mk pl_7       "${P}ABC\r\nDE$S"

# jumps between parts
mk gp_0       "${P}ABCD$S"
mk gp_1       "${P}AB1CD$S"
mk gp_2       "${P}AB12CD$S"
mk gp_3       "${P}AB123CD$S"
mk gp_10      "${P}AB1234567890CD$S"
mk gp_rev     "${P}CDAB$S"
mk gp_ovl     "${P}ABCDE$S"
mk gp_3p      "${P}AB1CD2EF$S"
mk gp_3p_rev  "${P}AB1EF2CD$S"
mkrep gp_200  "${P}AB" 200 z "CD$S"

# offsets: A at 3, 15 bytes
mk off_abc    "${P}ABCDEFGHIJ$S"

# E9: text is lower-cased and scanned again
mk text_upper "This is EVIL text\n"
mk text_lower "this is evil text\n"
mk text_hello "say HELLO-WORLD now\n"
mk bin_upper  "${P}EVIL$S"
