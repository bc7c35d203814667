/* tlog/cosig.c - see cosig.h. */
#include "tlog/cosig.h"

#include <inttypes.h>
#include <string.h>

int tl_cosig_message(const char *text, size_t len, uint64_t t, tl_buf *out)
{
    if (tl_buf_printf(out, "cosignature/v1\ntime %" PRIu64 "\n", t) != 0 ||
        tl_buf_add(out, text, len) != 0)
        return -1;
    return 0;
}

int tl_cosig_sign(const tl_key *k, const char *text, size_t len, uint64_t t,
                  uint8_t payload[TL_COSIG_PAYLOAD], tl_err *e)
{
    if (k->type != TL_KEY_COSIG_V1 || !k->has_priv) {
        tl_seterr(e, "%s: not a cosignature/v1 signer key", k->name);
        return -1;
    }
    tl_buf m = {0};
    if (tl_cosig_message(text, len, t, &m) != 0) {
        tl_buf_free(&m);
        tl_seterr(e, "out of memory");
        return -1;
    }
    for (int i = 0; i < 8; i++)
        payload[i] = (uint8_t)(t >> (56 - 8 * i));
    int rc = tl_ed25519_sign(k->seed, m.p, m.len, payload + 8);
    tl_buf_free(&m);
    if (rc != 0)
        tl_seterr(e, "%s: Ed25519 signing failed", k->name);
    return rc;
}

int tl_cosig_verify(const tl_key *k, const char *text, size_t len, const uint8_t *data,
                    size_t dlen, uint64_t *t, tl_err *e)
{
    if (dlen != TL_COSIG_PAYLOAD) {
        tl_seterr(e, "cosignature by %s has %zu bytes, not %d", k->name, dlen + 4,
                  TL_COSIG_PAYLOAD + 4);
        return -1;
    }
    uint64_t ts = 0;
    for (int i = 0; i < 8; i++)
        ts = ts << 8 | data[i];
    tl_buf m = {0};
    if (tl_cosig_message(text, len, ts, &m) != 0) {
        tl_buf_free(&m);
        tl_seterr(e, "out of memory");
        return -1;
    }
    int rc = tl_ed25519_verify(k->pub, m.p, m.len, data + 8);
    tl_buf_free(&m);
    if (rc != 0) {
        tl_seterr(e, "cosignature by %s does not verify", k->name);
        return -1;
    }
    if (t)
        *t = ts;
    return 0;
}
