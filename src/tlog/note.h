/* tlog/note.h - signed notes (C2SP signed-note v1.0.0) with Ed25519 keys.
 *
 * A note is UTF-8 text ending in '\n', one empty line, then one or more
 * signature lines "— <key name> <base64(key ID || signature)>\n". The text
 * ends at the last "\n\n". Key ID = first 4 bytes (big-endian) of
 * SHA-256(name || '\n' || type || public key).
 *
 * Key types handled: 0x01 Ed25519 note signatures (log checkpoints,
 * release manifests) and 0x04 cosignature/v1 (witnesses; see cosig.h).
 *
 * Key encodings:
 *   verifier key  name+<8 lower-case hex key ID>+base64(type || pubkey)
 *   signer key    PRIVATE+KEY+name+<hex key ID>+base64(type || seed)
 *                 (the golang.org/x/mod/sumdb/note convention, used for
 *                 both types) */
#ifndef VG_TLOG_NOTE_H
#define VG_TLOG_NOTE_H

#include <stddef.h>
#include <stdint.h>
#include "tlog/util.h"

#define TL_KEY_ED25519 0x01
#define TL_KEY_COSIG_V1 0x04

#define TL_NOTE_MAX_BYTES 65536
#define TL_NOTE_MAX_SIGS 100
#define TL_NAME_MAX 255

typedef struct tl_key {
    char name[TL_NAME_MAX + 1];
    uint8_t type;
    uint8_t pub[32];
    uint32_t id;
    int has_priv;
    uint8_t seed[32]; /* Ed25519 private seed when has_priv */
} tl_key;

typedef struct tl_sig {
    char name[TL_NAME_MAX + 1];
    uint32_t id;
    uint8_t *data; /* bytes after the key ID */
    size_t len;
} tl_sig;

typedef struct tl_note {
    const char *text; /* points into the parsed buffer; ends in '\n' */
    size_t textlen;
    tl_sig *sigs;
    size_t nsigs;
} tl_note;

/* Non-empty, valid UTF-8, no Unicode white space, no '+'. */
int tl_key_name_ok(const char *name, size_t len);
uint32_t tl_key_id(const char *name, uint8_t type, const uint8_t pub[32]);

int tl_key_from_seed(const char *name, uint8_t type, const uint8_t seed[32], tl_key *k, tl_err *e);
int tl_key_generate(const char *name, uint8_t type, tl_key *k, tl_err *e);

/* Parse (surrounding white space is not accepted, except that the *_load
 * functions drop one trailing "\n"). */
int tl_vkey_parse(const char *s, size_t len, tl_key *k, tl_err *e);
int tl_skey_parse(const char *s, size_t len, tl_key *k, tl_err *e);
int tl_vkey_load(const char *path, tl_key *k, tl_err *e);
int tl_skey_load(const char *path, tl_key *k, tl_err *e);
/* Into out (NUL-terminated, no newline). */
int tl_vkey_format(const tl_key *k, tl_buf *out);
int tl_skey_format(const tl_key *k, tl_buf *out);

/* Ed25519 primitives (OpenSSL EVP_PKEY_ED25519). 0 ok / valid. */
int tl_ed25519_sign(const uint8_t seed[32], const void *msg, size_t len, uint8_t sig[64]);
int tl_ed25519_verify(const uint8_t pub[32], const void *msg, size_t len, const uint8_t sig[64]);

/* Is text a valid note text (UTF-8, no control characters but '\n',
 * non-empty, ends in '\n')? */
int tl_note_text_ok(const char *text, size_t len);

/* Parse a note (does not verify). The note keeps pointers into buf, which
 * must outlive it; free with tl_note_free. */
int tl_note_parse(const char *buf, size_t len, tl_note *n, tl_err *e);
void tl_note_free(tl_note *n);

/* Check n's signature lines against keys: a line whose (name, key ID)
 * matches no key is ignored; a matching line that does not verify makes
 * the whole call fail (-1). On return ok[i] is 1 when keys[i] signed n
 * (validly), and for cosignature keys times[i] is the signed timestamp
 * (times may be NULL). Returns 0 even when no key matched: the caller
 * decides which signatures it requires. */
int tl_note_verify(const tl_note *n, const tl_key *keys, size_t nkeys, int *ok, uint64_t *times,
                   tl_err *e);

/* One signature line "— name base64\n" by key k over text (a cosignature
 * key needs the time `t`). Appends to out. */
int tl_note_sigline(const tl_key *k, const char *text, size_t len, uint64_t t, tl_buf *out,
                    tl_err *e);
/* text + "\n" + one line per key. */
int tl_note_sign(const char *text, size_t len, const tl_key *keys, size_t nkeys, uint64_t t,
                 tl_buf *out, tl_err *e);

#endif
