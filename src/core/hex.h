/* core/hex.h - the value of one hex digit, for every parser that reads hex
 * (signature lines, patterns, encodings, YARA, transparency notes).
 *
 * A table, not a chain of range tests: loading 1,000,000 .hdb lines spent
 * most of its parse time in mispredicted digit tests (perf). The table
 * holds value + 1, so that 0 means "not a hex digit". */
#ifndef VG_CORE_HEX_H
#define VG_CORE_HEX_H

#include <stdint.h>

static const uint8_t vg_hex_digit1[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
    ['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14,
    ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
    ['F'] = 16,
};

/* 0-15 for 0-9, a-f, A-F; -1 for anything else (EOF and out-of-range ints
 * included). */
static inline int vg_hexval(int c)
{
    return c >= 0 && c <= 255 ? (int)vg_hex_digit1[c] - 1 : -1;
}

#endif
