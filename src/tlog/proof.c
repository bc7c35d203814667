/* tlog/proof.c - see proof.h. */
#include "tlog/proof.h"

#include <inttypes.h>
#include <string.h>

int tl_tlog_proof_parse(const char *buf, size_t len, tl_tlog_proof *p, tl_err *e)
{
    memset(p, 0, sizeof *p);
    const char *q = buf, *end = buf + len, *l;
    size_t ll;
    if (tl_next_line(&q, end, &l, &ll) != 1 || ll != strlen(TL_PROOF_HEADER) ||
        memcmp(l, TL_PROOF_HEADER, ll) != 0) {
        tl_seterr(e, "tlog-proof: first line is not %s", TL_PROOF_HEADER);
        return -1;
    }
    if (tl_next_line(&q, end, &l, &ll) != 1) {
        tl_seterr(e, "tlog-proof: truncated");
        return -1;
    }
    if (ll >= 6 && !memcmp(l, "extra ", 6)) {
        uint8_t tmp[4096];
        size_t tl;
        if (ll - 6 > 4 * sizeof tmp / 3 || tl_b64_dec(l + 6, ll - 6, tmp, sizeof tmp, &tl) != 0) {
            tl_seterr(e, "tlog-proof: bad extra line");
            return -1;
        }
        p->has_extra = 1;
        if (tl_next_line(&q, end, &l, &ll) != 1) {
            tl_seterr(e, "tlog-proof: truncated");
            return -1;
        }
    }
    if (ll < 6 || memcmp(l, "index ", 6) != 0 || tl_parse_u64(l + 6, ll - 6, &p->index) != 0) {
        tl_seterr(e, "tlog-proof: bad index line");
        return -1;
    }
    for (;;) {
        int r = tl_next_line(&q, end, &l, &ll);
        if (r != 1) {
            tl_seterr(e, "tlog-proof: no checkpoint");
            return -1;
        }
        if (ll == 0)
            break;
        size_t ol;
        if (p->np >= TL_MAX_PROOF) {
            tl_seterr(e, "tlog-proof: more than %d hashes", TL_MAX_PROOF);
            return -1;
        }
        if (tl_b64_dec(l, ll, p->proof[p->np], 32, &ol) != 0 || ol != 32) {
            tl_seterr(e, "tlog-proof: hash line %zu is not base64 of 32 bytes", p->np + 1);
            return -1;
        }
        p->np++;
    }
    p->checkpoint = q;
    p->cplen = (size_t)(end - q);
    if (p->cplen == 0) {
        tl_seterr(e, "tlog-proof: no checkpoint");
        return -1;
    }
    return 0;
}

int tl_tlog_proof_format(uint64_t index, const tl_hash *proof, size_t np, const char *checkpoint,
                         size_t cplen, tl_buf *out)
{
    if (tl_buf_printf(out, "%s\nindex %" PRIu64 "\n", TL_PROOF_HEADER, index) != 0 ||
        tl_proof_format(proof, np, out) != 0 || tl_buf_add(out, "\n", 1) != 0 ||
        tl_buf_add(out, checkpoint, cplen) != 0)
        return -1;
    return tl_buf_cstr(out);
}
