/* tlog/sections.c - see sections.h. */
#include "tlog/sections.h"

#include <string.h>

int tl_sections_add(tl_buf *b, const char *name, const void *p, size_t len)
{
    if (tl_buf_printf(b, "%s %zu\n", name, len) != 0 || tl_buf_add(b, p, len) != 0 ||
        tl_buf_add(b, "\n", 1) != 0)
        return -1;
    return 0;
}

static int secname_ok(const char *s, size_t l)
{
    if (l == 0 || l >= 32)
        return 0;
    for (size_t i = 0; i < l; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

int tl_sections_parse(const uint8_t *buf, size_t len, const char *header, tl_section *out,
                      size_t *n, tl_err *e)
{
    *n = 0;
    size_t hl = strlen(header);
    if (len < hl + 1 || memcmp(buf, header, hl) != 0 || buf[hl] != '\n') {
        tl_seterr(e, "not a %s file", header);
        return -1;
    }
    size_t off = hl + 1;
    while (off < len) {
        const uint8_t *nl = memchr(buf + off, '\n', len - off < 64 ? len - off : 64);
        if (!nl) {
            tl_seterr(e, "%s: bad section header", header);
            return -1;
        }
        const char *line = (const char *)buf + off;
        size_t ll = (size_t)(nl - (buf + off));
        const char *sp = memchr(line, ' ', ll);
        uint64_t sl;
        if (!sp || !secname_ok(line, (size_t)(sp - line)) ||
            tl_parse_u64(sp + 1, ll - (size_t)(sp - line) - 1, &sl) != 0) {
            tl_seterr(e, "%s: bad section header", header);
            return -1;
        }
        off += ll + 1;
        if (sl > len - off || len - off - sl < 1 || buf[off + sl] != '\n') {
            tl_seterr(e, "%s: truncated section", header);
            return -1;
        }
        if (*n >= TL_MAX_SECTIONS) {
            tl_seterr(e, "%s: too many sections", header);
            return -1;
        }
        tl_section *s = &out[*n];
        memcpy(s->name, line, (size_t)(sp - line));
        s->name[sp - line] = 0;
        if (tl_section_get(out, *n, s->name)) {
            tl_seterr(e, "%s: section %s twice", header, s->name);
            return -1;
        }
        s->p = buf + off;
        s->len = (size_t)sl;
        (*n)++;
        off += (size_t)sl + 1;
    }
    return 0;
}

const tl_section *tl_section_get(const tl_section *s, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s[i].name, name))
            return &s[i];
    return NULL;
}
