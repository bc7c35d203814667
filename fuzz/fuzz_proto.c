/* fuzz/fuzz_proto.c - the clamd command parser (src/daemon/proto.c) on
 * arbitrary bytes, driven the way vigild's loop drives it: parse, consume,
 * parse the rest, with and without a legacy command allowed. Checks the
 * invariants the server relies on: a parsed command consumes 1..len bytes,
 * its argument lies inside the input, and a result is deterministic. The
 * input is also read as a daily container header for VERSION
 * (vgd_proto_version): the reply always starts "ClamAV 1.4.6" and fits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, so reading past the end is caught */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    /* the same bytes as a daily container header for VERSION */
    char ver[96];
    size_t vn = vgd_proto_version(buf, size, ver, sizeof ver);
    if (vn >= sizeof ver || strlen(ver) != vn || memcmp(ver, "ClamAV 1.4.6", 12) != 0)
        abort();
    size_t pos = 0;
    int legacy_ok = 1;
    while (pos < size) {
        vgd_req r, r2;
        vgd_parse p = vgd_proto_parse(buf + pos, size - pos, legacy_ok, &r);
        vgd_parse p2 = vgd_proto_parse(buf + pos, size - pos, legacy_ok, &r2);
        if (p != p2)
            abort();
        if (p != VGD_PARSE_OK)
            break;
        if (r.used == 0 || r.used > size - pos || r.cmd != r2.cmd || r.used != r2.used)
            abort();
        if (r.arg && (r.arg < (const char *)buf + pos ||
                      r.arg + r.arg_len > (const char *)buf + size))
            abort();
        (void)vgd_proto_name(r.cmd);
        (void)vgd_proto_session_ok(r.cmd);
        pos += r.used;
        legacy_ok = 0;
        if (r.cmd == VGD_CMD_INSTREAM) {
            /* walk chunk headers as the server does */
            uint32_t n;
            while (vgd_proto_chunk_len(buf + pos, size - pos, &n) && n != 0) {
                pos += 4;
                if (n > size - pos)
                    break;
                pos += n;
            }
            if (pos + 4 <= size)
                pos += 4;
            legacy_ok = 1;
        }
    }
    free(buf);
    return 0;
}
