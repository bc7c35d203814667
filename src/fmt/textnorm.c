/* fmt/textnorm.c - see textnorm.h. */
#include "fmt/textnorm.h"

size_t vgtext_normalize(const uint8_t *in, size_t len, uint8_t *out)
{
    size_t o = 0;
    int in_space = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = in[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r') {
            if (!in_space)
                out[o++] = ' ';
            in_space = 1;
            continue;
        }
        if (c < 0x20 || c >= 0x80)
            continue;
        in_space = 0;
        out[o++] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
    }
    return o;
}
