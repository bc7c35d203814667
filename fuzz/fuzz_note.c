/* fuzz/fuzz_note.c - the transparency-log parsers on arbitrary bytes:
 * signed notes (with verification against a fixed key set), checkpoints,
 * verifier and signer keys, proof files, tlog-proof files, entry bundles,
 * release manifests, release bundles / update state (sections), trust
 * policies, and rule indexes (fetched from mirrors by `log verify`). The
 * first byte picks the parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlog/checkpoint.h"
#include "tlog/manifest.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/policy.h"
#include "tlog/proof.h"
#include "tlog/sections.h"
#include "tlog/tiles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tl_key keys[2];
static int have_keys;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_err e;
    if (!have_keys) {
        static const char *lk = "vigil.example/tlogref-test-log+ef44ff5f+AcaWEEwzvauLXz2el5Dokhrqk0qlujT832IrFCCPUTac";
        static const char *wk = "witness1.example/vigil-test+91ea257a+BIABS9JVL5l2v6cneghtiUpXOV70dX5FZpR/DNA8cgIk";
        if (tl_vkey_parse(lk, strlen(lk), &keys[0], &e) != 0 || tl_vkey_parse(wk, strlen(wk), &keys[1], &e) != 0)
            abort();
        have_keys = 1;
    }
    if (size < 1)
        return 0;
    unsigned sel = data[0] % 10;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    switch (sel) {
    case 0: {
        tl_note note;
        if (tl_note_parse(s, n, &note, &e) == 0) {
            int ok[2];
            uint64_t t[2];
            tl_note_verify(&note, keys, 2, ok, t, &e);
            tl_note_free(&note);
        }
        break;
    }
    case 1: {
        tl_checkpoint_sigs cs;
        tl_checkpoint_open(s, n, &keys[0], &keys[1], 1, &cs, &e);
        tl_checkpoint c;
        tl_checkpoint_parse(s, n, &c, &e);
        break;
    }
    case 2: {
        tl_key k;
        tl_vkey_parse(s, n, &k, &e);
        tl_skey_parse(s, n, &k, &e);
        break;
    }
    case 3: {
        tl_hash pr[TL_MAX_PROOF];
        size_t np;
        if (tl_proof_parse(s, n, pr, &np, &e) == 0 && np) {
            uint8_t leaf[32] = {0}, root[32] = {0};
            tl_verify_inclusion(leaf, 3, 13, root, pr, np, &e);
            tl_verify_consistency(5, 13, leaf, root, pr, np, &e);
        }
        break;
    }
    case 4: {
        tl_tlog_proof p;
        tl_tlog_proof_parse(s, n, &p, &e);
        break;
    }
    case 5: {
        tl_entry ents[256];
        tl_bundle_parse((const uint8_t *)s, n, n ? (unsigned)(data[1] % 257) : 0, 1, ents, &e);
        break;
    }
    case 7: {
        tl_section sec[TL_MAX_SECTIONS];
        size_t ns;
        if (tl_sections_parse((const uint8_t *)s, n, TL_BUNDLE_HEADER, sec, &ns, &e) == 0)
            for (size_t i = 0; i < ns; i++)
                if (sec[i].len && sec[i].p[sec[i].len - 1] == 0x7f)
                    break; /* touch every section's last byte */
        break;
    }
    case 8: {
        tl_policy pol;
        if (tl_policy_parse(s, n, &pol, NULL, NULL, &e) == 0) {
            int ok[TL_POL_MAX_WIT] = {0};
            char why[128];
            tl_policy_satisfied(&pol, ok, why, sizeof why);
        }
        break;
    }
    case 9: {
        uint64_t cnt;
        uint8_t root[32];
        tl_ruleindex_root(s, n, &cnt, root, &e);
        break;
    }
    default: {
        tl_manifest m;
        if (tl_manifest_parse(s, n, &m, &e) == 0)
            tl_manifest_free(&m);
        break;
    }
    }
    return 0;
}
