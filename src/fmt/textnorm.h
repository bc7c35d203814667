/* fmt/textnorm.h - ClamAV's text normalisation, so that target-0 and
 * target-7 signatures see text the way clamscan shows it to them: ASCII
 * upper case becomes lower case, each run of whitespace (\t \n \v \f \r and
 * space) becomes one space, other control bytes and bytes >= 0x80 are
 * dropped, everything else is copied. Output is never longer than input. */
#ifndef VG_FMT_TEXTNORM_H
#define VG_FMT_TEXTNORM_H
#include <stddef.h>
#include <stdint.h>
size_t vgtext_normalize(const uint8_t *in, size_t len, uint8_t *out);
#endif
