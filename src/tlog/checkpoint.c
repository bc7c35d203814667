/* tlog/checkpoint.c - see checkpoint.h. */
#include "tlog/checkpoint.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int tl_checkpoint_parse(const char *text, size_t len, tl_checkpoint *c, tl_err *e)
{
    memset(c, 0, sizeof *c);
    const char *p = text, *end = text + len, *l;
    size_t ll;
    if (tl_next_line(&p, end, &l, &ll) != 1 || !tl_key_name_ok(l, ll)) {
        /* origins are URL-like: non-empty, no spaces */
        tl_seterr(e, "checkpoint: missing or invalid origin line");
        return -1;
    }
    memcpy(c->origin, l, ll);
    c->origin[ll] = 0;
    if (tl_next_line(&p, end, &l, &ll) != 1 || tl_parse_u64(l, ll, &c->size) != 0) {
        tl_seterr(e, "checkpoint: tree size is not a canonical decimal number");
        return -1;
    }
    size_t rl;
    if (tl_next_line(&p, end, &l, &ll) != 1 || tl_b64_dec(l, ll, c->root, 32, &rl) != 0 ||
        rl != 32) {
        tl_seterr(e, "checkpoint: root hash is not base64 of 32 bytes");
        return -1;
    }
    int r;
    while ((r = tl_next_line(&p, end, &l, &ll)) == 1) {
        if (ll == 0) {
            tl_seterr(e, "checkpoint: empty extension line");
            return -1;
        }
        if (++c->next > TL_CHECKPOINT_MAX_EXT) {
            tl_seterr(e, "checkpoint: too many extension lines");
            return -1;
        }
    }
    if (r < 0) {
        tl_seterr(e, "checkpoint: text does not end in a newline");
        return -1;
    }
    return 0;
}

int tl_checkpoint_text(const tl_checkpoint *c, tl_buf *out)
{
    char b[TL_B64LEN(32) + 1];
    tl_b64_enc(c->root, 32, b);
    if (tl_buf_printf(out, "%s\n%" PRIu64 "\n%s\n", c->origin, c->size, b) != 0)
        return -1;
    return tl_buf_cstr(out);
}

int tl_checkpoint_open(const char *buf, size_t len, const tl_key *logkey, const tl_key *wit,
                       size_t nwit, tl_checkpoint_sigs *out, tl_err *e)
{
    memset(out, 0, sizeof *out);
    if (nwit > 64) {
        tl_seterr(e, "too many witness keys");
        return -1;
    }
    if (logkey->type != TL_KEY_ED25519) {
        tl_seterr(e, "key %s is not a log (Ed25519 note) key", logkey->name);
        return -1;
    }
    for (size_t i = 0; i < nwit; i++)
        if (wit[i].type != TL_KEY_COSIG_V1) {
            tl_seterr(e, "key %s is not a cosignature/v1 witness key", wit[i].name);
            return -1;
        }
    tl_note n;
    if (tl_note_parse(buf, len, &n, e) != 0)
        return -1;
    int rc = -1;
    tl_key *keys = malloc((nwit + 1) * sizeof *keys);
    int *ok = malloc((nwit + 1) * sizeof *ok);
    uint64_t *times = malloc((nwit + 1) * sizeof *times);
    if (!keys || !ok || !times) {
        tl_seterr(e, "out of memory");
        goto done;
    }
    keys[0] = *logkey;
    for (size_t i = 0; i < nwit; i++)
        keys[i + 1] = wit[i];
    if (tl_checkpoint_parse(n.text, n.textlen, &out->cp, e) != 0)
        goto done;
    if (strcmp(out->cp.origin, logkey->name) != 0) {
        tl_seterr(e, "checkpoint origin '%s' is not the log key's name '%s'", out->cp.origin,
                  logkey->name);
        goto done;
    }
    if (tl_note_verify(&n, keys, nwit + 1, ok, times, e) != 0) {
        tl_preerr(e, "checkpoint");
        goto done;
    }
    if (!ok[0]) {
        tl_seterr(e, "checkpoint has no valid signature by the log key %s+%08x", logkey->name,
                  logkey->id);
        goto done;
    }
    out->nwit = nwit;
    for (size_t i = 0; i < nwit; i++) {
        out->wok[i] = ok[i + 1];
        out->wtime[i] = times[i + 1];
        if (!ok[i + 1])
            continue;
        /* count distinct witness keys once */
        int dup = 0;
        for (size_t j = 0; j < i; j++)
            if (out->wok[j] && wit[j].id == wit[i].id && !strcmp(wit[j].name, wit[i].name))
                dup = 1;
        if (!dup)
            out->nvalid++;
        if (times[i + 1] > out->newest)
            out->newest = times[i + 1];
    }
    rc = 0;
done:
    free(keys);
    free(ok);
    free(times);
    tl_note_free(&n);
    return rc;
}
