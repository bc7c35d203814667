/* tlog/note.c - see note.h. */
#include "tlog/note.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "tlog/cosig.h"

static const char DASH[] = "\xe2\x80\x94 "; /* U+2014 and a space */

/* Decode one UTF-8 sequence at s (n bytes left): code point and length,
 * or -1 when invalid (overlong, surrogate, > U+10FFFF, truncated). */
static int utf8_dec(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int len;
    uint32_t v, min;
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        v = c & 0x07;
        min = 0x10000;
    } else
        return -1;
    if ((size_t)len > n)
        return -1;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        v = v << 6 | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return -1;
    *cp = v;
    return len;
}

static int is_space(uint32_t c)
{
    switch (c) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
    case 0x205F: case 0x3000:
        return 1;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

int tl_key_name_ok(const char *name, size_t len)
{
    if (len == 0 || len > TL_NAME_MAX)
        return 0;
    const unsigned char *s = (const unsigned char *)name;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int l = utf8_dec(s + i, len - i, &cp);
        if (l < 0 || cp == '+' || cp < 0x20 || cp == 0x7F || is_space(cp))
            return 0;
        i += (size_t)l;
    }
    return 1;
}

uint32_t tl_key_id(const char *name, uint8_t type, const uint8_t pub[32])
{
    size_t nl = strlen(name);
    uint8_t buf[TL_NAME_MAX + 1 + 1 + 32], h[32];
    if (nl > TL_NAME_MAX)
        nl = TL_NAME_MAX;
    memcpy(buf, name, nl);
    buf[nl] = '\n';
    buf[nl + 1] = type;
    memcpy(buf + nl + 2, pub, 32);
    tl_sha256(buf, nl + 2 + 32, h);
    return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

int tl_ed25519_sign(const uint8_t seed[32], const void *msg, size_t len, uint8_t sig[64])
{
    EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t sl = 64;
    int rc = -1;
    if (pk && ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, pk) == 1 &&
        EVP_DigestSign(ctx, sig, &sl, msg, len) == 1 && sl == 64)
        rc = 0;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return rc;
}

int tl_ed25519_verify(const uint8_t pub[32], const void *msg, size_t len, const uint8_t sig[64])
{
    EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = -1;
    if (pk && ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) == 1 &&
        EVP_DigestVerify(ctx, sig, 64, msg, len) == 1)
        rc = 0;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return rc;
}

int tl_key_from_seed(const char *name, uint8_t type, const uint8_t seed[32], tl_key *k, tl_err *e)
{
    memset(k, 0, sizeof *k);
    size_t nl = strlen(name);
    if (!tl_key_name_ok(name, nl)) {
        tl_seterr(e, "invalid key name '%s' (needs: non-empty, no spaces, no '+')", name);
        return -1;
    }
    if (type != TL_KEY_ED25519 && type != TL_KEY_COSIG_V1) {
        tl_seterr(e, "unsupported key type 0x%02x", type);
        return -1;
    }
    EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    size_t pl = 32;
    if (!pk || EVP_PKEY_get_raw_public_key(pk, k->pub, &pl) != 1 || pl != 32) {
        EVP_PKEY_free(pk);
        tl_seterr(e, "Ed25519 key derivation failed");
        return -1;
    }
    EVP_PKEY_free(pk);
    memcpy(k->name, name, nl + 1);
    k->type = type;
    memcpy(k->seed, seed, 32);
    k->has_priv = 1;
    k->id = tl_key_id(k->name, type, k->pub);
    return 0;
}

int tl_key_generate(const char *name, uint8_t type, tl_key *k, tl_err *e)
{
    uint8_t seed[32];
    if (RAND_priv_bytes(seed, sizeof seed) != 1) {
        tl_seterr(e, "no randomness for a new key");
        return -1;
    }
    int rc = tl_key_from_seed(name, type, seed, k, e);
    memset(seed, 0, sizeof seed);
    return rc;
}

/* Split "name+hex8+base64" (after any prefix). */
static int parse_key_common(const char *s, size_t len, tl_key *k, uint8_t *keybytes,
                            size_t *kblen, uint32_t *id, const char *what, tl_err *e)
{
    const char *p1 = memchr(s, '+', len);
    if (!p1) {
        tl_seterr(e, "malformed %s: no '+'", what);
        return -1;
    }
    size_t nl = (size_t)(p1 - s);
    if (!tl_key_name_ok(s, nl)) {
        tl_seterr(e, "malformed %s: invalid key name", what);
        return -1;
    }
    const char *rest = p1 + 1;
    size_t rl = len - nl - 1;
    const char *p2 = memchr(rest, '+', rl);
    if (!p2 || p2 - rest != 8) {
        tl_seterr(e, "malformed %s: key ID is not 8 hex digits", what);
        return -1;
    }
    uint8_t idb[4];
    if (tl_unhex_lower(rest, 8, idb, 4) != 0) {
        tl_seterr(e, "malformed %s: key ID is not 8 lower-case hex digits", what);
        return -1;
    }
    *id = (uint32_t)idb[0] << 24 | (uint32_t)idb[1] << 16 | (uint32_t)idb[2] << 8 | idb[3];
    const char *b = p2 + 1;
    size_t bl = rl - 9;
    if (tl_b64_dec(b, bl, keybytes, 64, kblen) != 0) {
        tl_seterr(e, "malformed %s: bad base64", what);
        return -1;
    }
    memcpy(k->name, s, nl);
    k->name[nl] = 0;
    return 0;
}

int tl_vkey_parse(const char *s, size_t len, tl_key *k, tl_err *e)
{
    memset(k, 0, sizeof *k);
    uint8_t kb[64];
    size_t kbl;
    uint32_t id;
    if (parse_key_common(s, len, k, kb, &kbl, &id, "verifier key", e) != 0)
        return -1;
    if (kbl < 1 || (kb[0] != TL_KEY_ED25519 && kb[0] != TL_KEY_COSIG_V1)) {
        tl_seterr(e, "verifier key %s: unsupported key type 0x%02x", k->name, kbl ? kb[0] : 0);
        return -1;
    }
    if (kbl != 33) {
        tl_seterr(e, "verifier key %s: Ed25519 public key is not 32 bytes", k->name);
        return -1;
    }
    k->type = kb[0];
    memcpy(k->pub, kb + 1, 32);
    k->id = tl_key_id(k->name, k->type, k->pub);
    if (k->id != id) {
        tl_seterr(e, "verifier key %s: key ID %08x does not match the key (%08x)", k->name, id,
                  k->id);
        return -1;
    }
    return 0;
}

int tl_skey_parse(const char *s, size_t len, tl_key *k, tl_err *e)
{
    static const char pre[] = "PRIVATE+KEY+";
    memset(k, 0, sizeof *k);
    if (len < sizeof pre - 1 || memcmp(s, pre, sizeof pre - 1) != 0) {
        tl_seterr(e, "not a signer key (no PRIVATE+KEY+ prefix)");
        return -1;
    }
    uint8_t kb[64];
    size_t kbl;
    uint32_t id;
    tl_key tmp;
    memset(&tmp, 0, sizeof tmp);
    if (parse_key_common(s + sizeof pre - 1, len - (sizeof pre - 1), &tmp, kb, &kbl, &id,
                         "signer key", e) != 0)
        return -1;
    if (kbl != 33 || (kb[0] != TL_KEY_ED25519 && kb[0] != TL_KEY_COSIG_V1)) {
        tl_seterr(e, "signer key %s: unsupported key type or length", tmp.name);
        memset(kb, 0, sizeof kb);
        return -1;
    }
    int rc = tl_key_from_seed(tmp.name, kb[0], kb + 1, k, e);
    memset(kb, 0, sizeof kb);
    if (rc != 0)
        return -1;
    if (k->id != id) {
        tl_seterr(e, "signer key %s: key ID %08x does not match the key", k->name, id);
        memset(k, 0, sizeof *k);
        return -1;
    }
    return 0;
}

static int load_key(const char *path, tl_key *k, int priv, tl_err *e)
{
    tl_buf b;
    if (tl_read_file(path, 4096, &b, e) != 0)
        return -1;
    size_t l = b.len;
    if (l && b.p[l - 1] == '\n')
        l--;
    int rc = priv ? tl_skey_parse((const char *)b.p, l, k, e)
                  : tl_vkey_parse((const char *)b.p, l, k, e);
    memset(b.p, 0, b.len);
    tl_buf_free(&b);
    if (rc != 0)
        tl_preerr(e, "%s", path);
    return rc;
}

int tl_vkey_load(const char *path, tl_key *k, tl_err *e)
{
    return load_key(path, k, 0, e);
}

int tl_skey_load(const char *path, tl_key *k, tl_err *e)
{
    return load_key(path, k, 1, e);
}

static int fmt_key(const tl_key *k, const char *prefix, const uint8_t *material, tl_buf *out)
{
    uint8_t kb[33];
    char b64[TL_B64LEN(33) + 1];
    kb[0] = k->type;
    memcpy(kb + 1, material, 32);
    tl_b64_enc(kb, 33, b64);
    memset(kb, 0, sizeof kb);
    int rc = tl_buf_printf(out, "%s%s+%08x+%s", prefix, k->name, k->id, b64);
    memset(b64, 0, sizeof b64);
    return rc ? rc : tl_buf_cstr(out);
}

int tl_vkey_format(const tl_key *k, tl_buf *out)
{
    return fmt_key(k, "", k->pub, out);
}

int tl_skey_format(const tl_key *k, tl_buf *out)
{
    if (!k->has_priv)
        return -1;
    return fmt_key(k, "PRIVATE+KEY+", k->seed, out);
}

int tl_note_text_ok(const char *text, size_t len)
{
    if (len == 0 || text[len - 1] != '\n')
        return 0;
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int l = utf8_dec(s + i, len - i, &cp);
        if (l < 0 || (cp < 0x20 && cp != '\n'))
            return 0;
        i += (size_t)l;
    }
    return 1;
}

void tl_note_free(tl_note *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nsigs; i++)
        free(n->sigs[i].data);
    free(n->sigs);
    n->sigs = NULL;
    n->nsigs = 0;
}

int tl_note_parse(const char *buf, size_t len, tl_note *n, tl_err *e)
{
    memset(n, 0, sizeof *n);
    if (len > TL_NOTE_MAX_BYTES) {
        tl_seterr(e, "malformed note: longer than %d bytes", TL_NOTE_MAX_BYTES);
        return -1;
    }
    if (!tl_note_text_ok(buf, len)) {
        tl_seterr(e, "malformed note: not UTF-8 text ending in a newline, or has control characters");
        return -1;
    }
    /* the last "\n\n" splits text from signatures */
    size_t split = SIZE_MAX;
    for (size_t i = len - 1; i-- > 0;)
        if (buf[i] == '\n' && buf[i + 1] == '\n') {
            split = i;
            break;
        }
    if (split == SIZE_MAX || split + 2 >= len) {
        tl_seterr(e, "malformed note: no signature lines");
        return -1;
    }
    n->text = buf;
    n->textlen = split + 1;
    n->sigs = calloc(TL_NOTE_MAX_SIGS, sizeof *n->sigs);
    if (!n->sigs) {
        tl_seterr(e, "out of memory");
        return -1;
    }
    const char *p = buf + split + 2, *end = buf + len, *line;
    size_t ll;
    int r;
    while ((r = tl_next_line(&p, end, &line, &ll)) == 1) {
        if (n->nsigs == TL_NOTE_MAX_SIGS) {
            tl_seterr(e, "malformed note: more than %d signatures", TL_NOTE_MAX_SIGS);
            goto fail;
        }
        if (ll < sizeof DASH - 1 || memcmp(line, DASH, sizeof DASH - 1) != 0) {
            tl_seterr(e, "malformed note: signature line does not start with an em dash");
            goto fail;
        }
        line += sizeof DASH - 1;
        ll -= sizeof DASH - 1;
        const char *sp = memchr(line, ' ', ll);
        if (!sp) {
            tl_seterr(e, "malformed note: signature line has no signature");
            goto fail;
        }
        size_t nl = (size_t)(sp - line);
        if (!tl_key_name_ok(line, nl)) {
            tl_seterr(e, "malformed note: invalid key name in a signature line");
            goto fail;
        }
        const char *b64 = sp + 1;
        size_t bl = ll - nl - 1;
        uint8_t *raw = malloc(bl / 4 * 3 + 3);
        size_t rl;
        if (!raw) {
            tl_seterr(e, "out of memory");
            goto fail;
        }
        if (tl_b64_dec(b64, bl, raw, bl / 4 * 3 + 3, &rl) != 0 || rl < 5) {
            free(raw);
            tl_seterr(e, "malformed note: bad signature encoding");
            goto fail;
        }
        tl_sig *s = &n->sigs[n->nsigs++];
        memcpy(s->name, line, nl);
        s->name[nl] = 0;
        s->id = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3];
        memmove(raw, raw + 4, rl - 4);
        s->data = raw;
        s->len = rl - 4;
    }
    if (r < 0) {
        tl_seterr(e, "malformed note: unterminated signature line");
        goto fail;
    }
    return 0;
fail:
    tl_note_free(n);
    return -1;
}

int tl_note_verify(const tl_note *n, const tl_key *keys, size_t nkeys, int *ok, uint64_t *times,
                   tl_err *e)
{
    for (size_t i = 0; i < nkeys; i++) {
        ok[i] = 0;
        if (times)
            times[i] = 0;
    }
    for (size_t s = 0; s < n->nsigs; s++) {
        const tl_sig *sg = &n->sigs[s];
        for (size_t i = 0; i < nkeys; i++) {
            const tl_key *k = &keys[i];
            if (k->id != sg->id || strcmp(k->name, sg->name) != 0)
                continue;
            if (k->type == TL_KEY_ED25519) {
                if (sg->len != 64 || tl_ed25519_verify(k->pub, n->text, n->textlen, sg->data) != 0) {
                    tl_seterr(e, "signature by %s+%08x does not verify", k->name, k->id);
                    return -1;
                }
            } else if (k->type == TL_KEY_COSIG_V1) {
                uint64_t t;
                if (tl_cosig_verify(k, n->text, n->textlen, sg->data, sg->len, &t, e) != 0)
                    return -1;
                if (times && (!ok[i] || t > times[i]))
                    times[i] = t;
            } else {
                tl_seterr(e, "key %s has an unsupported type", k->name);
                return -1;
            }
            ok[i] = 1;
        }
    }
    return 0;
}

int tl_note_sigline(const tl_key *k, const char *text, size_t len, uint64_t t, tl_buf *out,
                    tl_err *e)
{
    uint8_t raw[4 + TL_COSIG_PAYLOAD];
    size_t rl;
    if (!k->has_priv) {
        tl_seterr(e, "%s: no private key", k->name);
        return -1;
    }
    raw[0] = (uint8_t)(k->id >> 24);
    raw[1] = (uint8_t)(k->id >> 16);
    raw[2] = (uint8_t)(k->id >> 8);
    raw[3] = (uint8_t)k->id;
    if (k->type == TL_KEY_ED25519) {
        if (tl_ed25519_sign(k->seed, text, len, raw + 4) != 0) {
            tl_seterr(e, "%s: Ed25519 signing failed", k->name);
            return -1;
        }
        rl = 4 + 64;
    } else if (k->type == TL_KEY_COSIG_V1) {
        if (tl_cosig_sign(k, text, len, t, raw + 4, e) != 0)
            return -1;
        rl = 4 + TL_COSIG_PAYLOAD;
    } else {
        tl_seterr(e, "%s: unsupported key type", k->name);
        return -1;
    }
    char b64[TL_B64LEN(sizeof raw) + 1];
    tl_b64_enc(raw, rl, b64);
    if (tl_buf_printf(out, "%s%s %s\n", DASH, k->name, b64) != 0) {
        tl_seterr(e, "out of memory");
        return -1;
    }
    return 0;
}

int tl_note_sign(const char *text, size_t len, const tl_key *keys, size_t nkeys, uint64_t t,
                 tl_buf *out, tl_err *e)
{
    if (!tl_note_text_ok(text, len)) {
        tl_seterr(e, "note text must be UTF-8 ending in a newline, without control characters");
        return -1;
    }
    if (tl_buf_add(out, text, len) != 0 || tl_buf_add(out, "\n", 1) != 0) {
        tl_seterr(e, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < nkeys; i++)
        if (tl_note_sigline(&keys[i], text, len, t, out, e) != 0)
            return -1;
    return tl_buf_cstr(out);
}
