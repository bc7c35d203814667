/* fmt/htmlnorm.h - the two normalised copies of an HTML file that clamscan
 * matches target-0 and target-3 signatures against instead of the raw
 * bytes: "nocomment" (comments dropped, tags kept, lower case, whitespace
 * squeezed, character references decoded, script and style bodies without
 * whitespace) and "notags" (the text alone, plus the link targets of <a>
 * and <img>). The rules were learnt by experiment against clamscan 1.4.6
 * (tests/e2e/diff_html.sh compares the two byte for byte).
 *
 * Pure and bounded: one pass over `in`, no allocation; each copy is cut at
 * its caller-given capacity (ClamAV's MaxHTMLNormalize / MaxHTMLNoTags play
 * that role there). A capacity of 2 * len + 16 never truncates. */
#ifndef VG_FMT_HTMLNORM_H
#define VG_FMT_HTMLNORM_H
#include <stddef.h>
#include <stdint.h>

#define VGHTML_MAX_NORMALIZE (40u << 20) /* larger files are not normalised */
#define VGHTML_MAX_NOTAGS (8u << 20)     /* the text copy stops there */

typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len; /* out: bytes written (<= cap) */
} vghtml_out;

/* Writes the nocomment copy into *nc and the notags copy into *nt (either
 * may be NULL). */
void vghtml_normalize(const uint8_t *in, size_t len, vghtml_out *nc, vghtml_out *nt);

#endif
