/* tlog/manifest.h - vigil database release manifests: the log's leaves.
 *
 * A manifest is a signed note (signer: a release key, type 0x01) whose
 * text is, line by line and in this order (canonical: one form only):
 *
 *   vigil-db-release/v1
 *   name <database name>                  [A-Za-z0-9._-], 1-64
 *   channel <channel>                     same alphabet
 *   version <decimal>                     strictly increasing per name+channel
 *   created <YYYY-MM-DDTHH:MM:SSZ>
 *   db <sha256 hex of the .vdb> <size>
 *   rules <count> <sha256 hex of the rule index> <base64 MTH of the rule index lines>
 *   source <sha256 hex> <size> <file name>   zero or more, as recorded in the .vdb
 *   prev <hex leaf hash of the previous release of name+channel | none>
 *
 * The rule index has one line per rule of the .vdb (tlog/release.c):
 * "<type> <name> <content sha256 hex>\n", sorted by (name, type, hash);
 * hash and body signatures as `vigil db list` gives them, and each rule
 * of a YARA, logical or PE-hash source text on a line of its own (white
 * space, control characters and '%' in a name written %XX);
 * its root is the RFC 6962 MTH with each line (with its '\n') as a leaf,
 * so "rule X was in release Y" can be proved by an inclusion proof. */
#ifndef VG_TLOG_MANIFEST_H
#define VG_TLOG_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include "tlog/merkle.h"
#include "tlog/note.h"

#define TL_MANIFEST_HEADER "vigil-db-release/v1"
#define TL_MANIFEST_MAX_SOURCES 256

typedef struct tl_manifest_source {
    uint8_t sha256[32];
    uint64_t size;
    char name[256];
} tl_manifest_source;

typedef struct tl_manifest {
    char name[65];
    char channel[65];
    uint64_t version;
    uint64_t created;
    uint8_t db_sha256[32];
    uint64_t db_size;
    uint64_t rules;
    uint8_t rules_sha256[32];
    uint8_t rules_root[32];
    tl_manifest_source *sources;
    size_t nsources;
    int has_prev;
    uint8_t prev[32];
} tl_manifest;

int tl_manifest_ident_ok(const char *s, size_t len);
/* Canonical text of m (ends in '\n'). */
int tl_manifest_text(const tl_manifest *m, tl_buf *out);
/* Parse manifest text (strict: re-serialising gives the same bytes). */
int tl_manifest_parse(const char *text, size_t len, tl_manifest *m, tl_err *e);
void tl_manifest_free(tl_manifest *m);

/* Parse a signed manifest note and check it: when nkeys > 0 one of keys
 * must have signed it (*signer = its index); a bad signature by a listed
 * key fails. With nkeys == 0 signatures are not checked. */
int tl_manifest_open(const char *buf, size_t len, const tl_key *keys, size_t nkeys,
                     tl_manifest *m, size_t *signer, tl_err *e);

/* Rule index helpers: count lines, check their form, and
 * compute the MTH over them. */
int tl_ruleindex_root(const char *idx, size_t len, uint64_t *count, uint8_t root[32], tl_err *e);

#endif
