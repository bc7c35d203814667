/* tlog/policy.h - trust policy: which log, which witnesses, what quorum
 * (the c2sp.org/tlog-policy text format, plus a shorthand).
 *
 *   log <vkey>                          the log's key (name = origin)
 *   witness <name> <vkey>               a cosignature/v1 witness key
 *   group <name> <k|any|all> <member>...  members: witnesses or earlier groups
 *   quorum <witness|group|none>         what a checkpoint needs
 *   quorum <k>                          shorthand: k of all witnesses
 *
 * Other lines are handed to a callback, so a vigil update configuration
 * is a tlog-policy file with a few extra directives. '#' starts a
 * comment; blank lines are ignored. */
#ifndef VG_TLOG_POLICY_H
#define VG_TLOG_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include "tlog/checkpoint.h"
#include "tlog/note.h"

#define TL_POL_MAX_WIT 64
#define TL_POL_MAX_GROUPS 32
#define TL_POL_MAX_MEMBERS 64

typedef struct tl_pol_group {
    char name[64];
    unsigned k;        /* required members */
    size_t n;
    int mem[TL_POL_MAX_MEMBERS]; /* >= 0: witness index; < 0: group -(i+1) */
} tl_pol_group;

typedef struct tl_policy {
    int have_log;
    tl_key log;
    size_t nwit;
    char wname[TL_POL_MAX_WIT][64];
    tl_key wit[TL_POL_MAX_WIT];
    size_t ngroups;
    tl_pol_group groups[TL_POL_MAX_GROUPS];
    int quorum_set;
    int quorum; /* >= 0 witness, < 0 group -(i+1), INT32_MIN none */
} tl_policy;

/* cb(arg, words, nwords, e) for unknown directives: 0 ok, -1 error. */
typedef int (*tl_policy_cb)(void *arg, char **w, int nw, tl_err *e);

int tl_policy_parse(const char *text, size_t len, tl_policy *p, tl_policy_cb cb, void *arg,
                    tl_err *e);
/* Does this set of valid witness cosignatures (ok[i] for p->wit[i])
 * satisfy the quorum? needed/got are filled for messages. */
int tl_policy_satisfied(const tl_policy *p, const int *ok, char *why, size_t whylen);

#endif
