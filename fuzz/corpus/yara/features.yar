// Differential test rules: each rule exercises one feature of YARA 4.2.
// tests/e2e/diff_yara.sh runs `yara -s` and `vigil --yara-strings` on the
// same generated inputs and compares matching rules and string offsets.
import "hash"
import "math"

rule text_plain : tag1 tag2 { meta: author = "vigil" n = -3 ok = true
  strings: $a = "hello" condition: $a }
rule text_nocase { strings: $a = "HELLO" nocase condition: $a }
rule text_wide { strings: $a = "wide" wide condition: $a }
rule text_ascii_wide { strings: $a = "wide" ascii wide condition: $a }
rule text_nocase_wide { strings: $a = "WIDE" nocase wide ascii condition: $a }
rule text_fullword { strings: $a = "word" fullword condition: $a }
rule text_fullword_wide { strings: $a = "wide" fullword wide condition: $a }
rule text_escapes { strings: $a = "tab\there\x21" condition: $a }
rule text_private { strings: $a = "hello" private $b = "world" condition: $a and $b }
rule xor_all { strings: $a = "secret message" xor condition: $a }
rule xor_range { strings: $a = "secret message" xor(0x10-0x30) condition: $a }
rule xor_one { strings: $a = "secret message" xor(0x20) condition: $a }
rule xor_wide { strings: $a = "xorwide" xor wide condition: $a }
rule b64 { strings: $a = "This program cannot" base64 condition: $a }
rule b64wide { strings: $a = "This program cannot" base64wide condition: $a }
rule b64_both { strings: $a = "base64 text here" base64 base64wide condition: $a }
rule b64_custom { strings: $a = "custom alpha" base64("ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba9876543210+/") condition: $a }
rule hex_plain { strings: $a = { 4D 5A 90 00 } condition: $a }
rule hex_wild { strings: $a = { 68 ?? 6C 6C 6F } condition: $a }
rule hex_nibble { strings: $a = { 6? 65 6C ?C 6F } condition: $a }
rule hex_jump { strings: $a = { 68 65 [1-3] 6F } condition: $a }
rule hex_jump_fixed { strings: $a = { 68 [3] 6F } condition: $a }
rule hex_jump_open { strings: $a = { 4D 5A [4-] 50 45 } condition: $a }
rule hex_alt { strings: $a = { 77 ( 6F 72 | 69 64 ) 6? } condition: $a }
rule hex_alt_len { strings: $a = { 68 ( 65 | 65 6C 6C ) } condition: $a }
rule re_plain { strings: $a = /w[aeiou]r?ld/ condition: $a }
rule re_nocase { strings: $a = /HEL+O/i condition: $a }
rule re_dotall { strings: $a = /line1.line2/s condition: $a }
rule re_nodot { strings: $a = /line1.line2/ condition: $a }
rule re_wide { strings: $a = /w[io]de/ wide condition: $a }
rule re_quant { strings: $a = /o{1,2}[a-z]{,3}d/ condition: $a }
rule re_class { strings: $a = /\d{3}-\d{4}/ condition: $a }
rule re_fullword { strings: $a = /wor[a-z]/ fullword condition: $a }
rule re_alt { strings: $a = /(cat|dog)s?/ condition: $a }
rule count_op { strings: $a = "o" condition: #a >= 3 and #a < 100 }
rule count_in { strings: $a = "o" condition: #a in (0..20) == 2 }
rule offset_op { strings: $a = "o" condition: @a[1] < @a[2] and @a == @a[1] }
rule offset_undef { strings: $a = "hello" condition: not (@a[100] > 0) }
rule length_op { strings: $a = /hel+o/ condition: !a[1] == 5 and !a == 5 }
rule at_op { strings: $a = "MZ" condition: $a at 0 }
rule in_op { strings: $a = "hello" condition: $a in (0..10) }
rule filesize_op { condition: filesize > 10 and filesize < 1MB }
rule filesize_kb { condition: filesize < 1KB }
rule ints_le { condition: uint16(0) == 0x5A4D and int8(0) == 0x4D and uint32(0) == 0x00905A4D }
rule ints_be { condition: uint16be(0) == 0x4D5A and uint32be(0) == 0x4D5A9000 }
rule ints_signed { condition: int16(2) < 0 or int32(0) > 0 }
rule ints_oob { condition: not (uint32(filesize) == 0) and not (uint8(filesize) >= 0) }
rule arith { condition: (filesize + 2) * 3 - 1 > 5 and filesize % 7 >= 0 and filesize \ 2 >= 0 and -filesize < 0 }
rule bitwise { condition: (filesize | 1) & 1 == 1 and (filesize ^ filesize) == 0 and ~0 == -1 and 1 << 4 == 16 and 256 >> 4 == 16 }
rule float_ops { condition: 1.5 * 2 == 3 and filesize \ 1 == filesize or 0.5 < 1 }
rule bool_ops { strings: $a = "hello" $b = "nothere" condition: ($a or $b) and not $b }
rule of_any { strings: $a = "hello" $b = "world" $c = "absent" condition: any of them }
rule of_all { strings: $a = "hello" $b = "world" condition: all of them }
rule of_none { strings: $a = "absent1" $b = "absent2" condition: none of them }
rule of_n { strings: $a = "hello" $b = "world" $c = "absent" condition: 2 of ($a, $b, $c) }
rule of_pct { strings: $a = "hello" $b = "world" $c = "absent" condition: 50% of them }
rule of_pct_high { strings: $a = "hello" $b = "world" $c = "absent" condition: 67% of them }
rule of_wild { strings: $x1 = "hello" $x2 = "world" $y = "absent" condition: all of ($x*) and not $y }
rule of_in { strings: $a = "hello" $b = "world" condition: any of them in (0..8) }
rule anon { strings: $ = "hello" $ = "world" condition: all of them }
rule for_of { strings: $a = "hello" $b = "world" condition: for all of them : ( # >= 1 and @ > 0 ) }
rule for_of_any { strings: $a = "o" $b = "l" condition: for any of ($a, $b) : ( !  == 1 and $ at 4 ) }
rule for_in_range { strings: $a = "o" condition: for any i in (1..#a) : ( @a[i] > 10 ) }
rule for_in_all { strings: $a = "o" condition: for all i in (1..#a) : ( @a[i] >= 0 ) }
rule for_in_set { condition: for any x in (1, 2, 3) : ( x * 2 == 4 ) }
rule for_in_n { condition: for 2 i in (1..5) : ( i > 3 ) }
rule for_in_empty { condition: for all i in (1..0) : ( true ) }
rule for_none { condition: for none i in (1..3) : ( i > 5 ) }
private rule priv_base { strings: $a = "hello" condition: $a }
rule rule_ref { condition: priv_base and text_plain }
rule rule_ref_neg { condition: not of_none }
rule rule_set { condition: any of (text_*) }
rule str_ops { condition: "hello world" contains "lo w" and "Hello" icontains "ELL" and "abc" startswith "ab" and "abc" istartswith "AB" and "abc" endswith "bc" and "abc" iendswith "BC" and "abc" iequals "ABC" }
rule str_cmp { condition: "abc" < "abd" and "b" > "a" and "x" == "x" and "x" != "y" }
rule matches_op { condition: "hello world" matches /wor.d$/ and not ("abc" matches /^b/) }
rule hash_md5 { condition: hash.md5(0, filesize) == hash.md5(0, filesize + 100) and hash.md5("abc") == "900150983cd24fb0d6963f7d28e17f72" }
rule hash_sha { condition: hash.sha1("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d" and hash.sha256("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" }
rule hash_crc { condition: hash.crc32("abc") == 0x352441c2 and hash.checksum32("abc") == 294 }
rule hash_range_md5 { condition: hash.md5(0, 2) == "ac6ad5ba64d3a0f1d7f9a4a4b0f7a8d0" or hash.md5(0, 2) != "" }
rule hash_undef { condition: not (hash.md5(filesize + 1, 2) == "") }
rule math_entropy { condition: math.entropy(0, filesize) > 2.0 and math.entropy("aaaa") == 0.0 }
rule math_stats { condition: math.mean(0, filesize) > 20.0 and math.deviation(0, filesize, math.MEAN_BYTES) > 1.0 and math.serial_correlation(0, filesize) < 1.0 }
rule math_mc { condition: math.monte_carlo_pi(0, filesize) < 100.0 }
rule math_misc { condition: math.in_range(2.0, 1.0, 3.0) and math.max(1, 2) == 2 and math.min(1, 2) == 1 and math.abs(-5) == 5 and math.to_number(true) == 1 }
rule math_count { condition: math.count(0x6F) >= 0 and math.count(0x6F, 0, filesize) == math.count(0x6F) }
rule math_pct_mode { condition: math.percentage(0x6F) < 0.5 and math.mode() >= 0 and math.mode(0, filesize) >= 0 }
rule ext_int { condition: ext_n == 42 }
rule ext_str { condition: ext_s == "abc" and ext_s contains "b" }
rule ext_bool { condition: ext_b }
rule undef_and { condition: not (uint32(filesize) == 0 and true) }
rule undef_or { condition: uint32(filesize) == 0 or true }
rule defined_op { condition: not defined uint8(filesize) and defined filesize }
