/* tlog/sections.h - a tiny binary-safe container used by release bundles
 * and the updater's state file:
 *
 *   <header line>\n
 *   <name> <decimal length>\n<bytes>\n     (repeated)
 *
 * Names are [a-z0-9-], unique within a file. */
#ifndef VG_TLOG_SECTIONS_H
#define VG_TLOG_SECTIONS_H

#include <stddef.h>
#include <stdint.h>
#include "tlog/util.h"

#define TL_BUNDLE_HEADER "vigil-release-bundle/v1"
#define TL_STATE_HEADER "vigil-update-state/v1"
#define TL_MAX_SECTIONS 16

typedef struct tl_section {
    char name[32];
    const uint8_t *p;
    size_t len;
} tl_section;

int tl_sections_add(tl_buf *b, const char *name, const void *p, size_t len);
int tl_sections_parse(const uint8_t *buf, size_t len, const char *header, tl_section *out,
                      size_t *n, tl_err *e);
const tl_section *tl_section_get(const tl_section *s, size_t n, const char *name);

#endif
