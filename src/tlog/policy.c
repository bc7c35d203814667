/* tlog/policy.c - see policy.h. */
#include "tlog/policy.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUORUM_NONE INT32_MIN

static int find_member(const tl_policy *p, const char *name)
{
    for (size_t i = 0; i < p->nwit; i++)
        if (!strcmp(p->wname[i], name))
            return (int)i;
    for (size_t i = 0; i < p->ngroups; i++)
        if (!strcmp(p->groups[i].name, name))
            return -(int)i - 1;
    return INT_MAX;
}

static int name_ok(const char *s)
{
    size_t l = strlen(s);
    return l > 0 && l < 64 && tl_key_name_ok(s, l);
}

static int directive(tl_policy *p, char **w, int nw, tl_policy_cb cb, void *arg, tl_err *e)
{
    if (!strcmp(w[0], "log")) {
        if (nw != 2) {
            tl_seterr(e, "log: expected one verifier key");
            return -1;
        }
        if (p->have_log) {
            tl_seterr(e, "log: only one log key is supported");
            return -1;
        }
        if (tl_vkey_parse(w[1], strlen(w[1]), &p->log, e) != 0)
            return -1;
        if (p->log.type != TL_KEY_ED25519) {
            tl_seterr(e, "log: %s is not an Ed25519 note key", p->log.name);
            return -1;
        }
        p->have_log = 1;
        return 0;
    }
    if (!strcmp(w[0], "witness")) {
        if (nw != 3 || !name_ok(w[1])) {
            tl_seterr(e, "witness: expected a name and a verifier key");
            return -1;
        }
        if (find_member(p, w[1]) != INT_MAX) {
            tl_seterr(e, "witness %s: name already used", w[1]);
            return -1;
        }
        if (p->nwit >= TL_POL_MAX_WIT) {
            tl_seterr(e, "too many witnesses");
            return -1;
        }
        tl_key *k = &p->wit[p->nwit];
        if (tl_vkey_parse(w[2], strlen(w[2]), k, e) != 0)
            return -1;
        if (k->type != TL_KEY_COSIG_V1) {
            tl_seterr(e, "witness %s: key is not a cosignature/v1 (type 0x04) key", w[1]);
            return -1;
        }
        snprintf(p->wname[p->nwit], sizeof p->wname[0], "%s", w[1]);
        p->nwit++;
        return 0;
    }
    if (!strcmp(w[0], "group")) {
        if (nw < 4 || !name_ok(w[1])) {
            tl_seterr(e, "group: expected a name, a threshold and members");
            return -1;
        }
        if (find_member(p, w[1]) != INT_MAX) {
            tl_seterr(e, "group %s: name already used", w[1]);
            return -1;
        }
        if (p->ngroups >= TL_POL_MAX_GROUPS || nw - 3 > TL_POL_MAX_MEMBERS) {
            tl_seterr(e, "group %s: too many groups or members", w[1]);
            return -1;
        }
        tl_pol_group *g = &p->groups[p->ngroups];
        memset(g, 0, sizeof *g);
        snprintf(g->name, sizeof g->name, "%s", w[1]);
        for (int i = 3; i < nw; i++) {
            int m = find_member(p, w[i]);
            if (m == INT_MAX) {
                tl_seterr(e, "group %s: unknown member %s (define it first)", w[1], w[i]);
                return -1;
            }
            for (size_t j = 0; j < g->n; j++)
                if (g->mem[j] == m) {
                    tl_seterr(e, "group %s: member %s listed twice", w[1], w[i]);
                    return -1;
                }
            g->mem[g->n++] = m;
        }
        uint64_t k;
        if (!strcmp(w[2], "all"))
            k = g->n;
        else if (!strcmp(w[2], "any"))
            k = 1;
        else if (tl_parse_u64(w[2], strlen(w[2]), &k) != 0 || k < 1 || k > g->n) {
            tl_seterr(e, "group %s: threshold must be all, any or 1..%zu", w[1], g->n);
            return -1;
        }
        g->k = (unsigned)k;
        p->ngroups++;
        return 0;
    }
    if (!strcmp(w[0], "quorum")) {
        if (nw != 2 || p->quorum_set) {
            tl_seterr(e, "quorum: expected exactly one quorum line with one argument");
            return -1;
        }
        uint64_t k;
        if (!strcmp(w[1], "none")) {
            p->quorum = QUORUM_NONE;
        } else if (tl_parse_u64(w[1], strlen(w[1]), &k) == 0) {
            /* shorthand: k of all witnesses defined so far */
            if (k < 1 || k > p->nwit || p->ngroups >= TL_POL_MAX_GROUPS) {
                tl_seterr(e, "quorum %s: needs 1..%zu (the witnesses defined above)", w[1], p->nwit);
                return -1;
            }
            tl_pol_group *g = &p->groups[p->ngroups];
            memset(g, 0, sizeof *g);
            snprintf(g->name, sizeof g->name, "%s-of-all", w[1]);
            for (size_t i = 0; i < p->nwit; i++)
                g->mem[g->n++] = (int)i;
            g->k = (unsigned)k;
            p->quorum = -(int)p->ngroups - 1;
            p->ngroups++;
        } else {
            int m = find_member(p, w[1]);
            if (m == INT_MAX) {
                tl_seterr(e, "quorum: unknown witness or group %s", w[1]);
                return -1;
            }
            p->quorum = m;
        }
        p->quorum_set = 1;
        return 0;
    }
    if (cb)
        return cb(arg, w, nw, e);
    tl_seterr(e, "unknown directive '%s'", w[0]);
    return -1;
}

int tl_policy_parse(const char *text, size_t len, tl_policy *p, tl_policy_cb cb, void *arg,
                    tl_err *e)
{
    memset(p, 0, sizeof *p);
    const char *q = text, *end = text + len;
    int lineno = 0;
    while (q < end) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        size_t ll = nl ? (size_t)(nl - q) : (size_t)(end - q);
        lineno++;
        char line[4096];
        if (ll >= sizeof line) {
            tl_seterr(e, "line %d: too long", lineno);
            return -1;
        }
        memcpy(line, q, ll);
        line[ll] = 0;
        q += ll + (nl ? 1 : 0);
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *w[80];
        int nw = 0;
        char *save = NULL;
        for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
            if (nw == 80) {
                tl_seterr(e, "line %d: too many words", lineno);
                return -1;
            }
            w[nw++] = t;
        }
        if (nw == 0)
            continue;
        if (directive(p, w, nw, cb, arg, e) != 0) {
            tl_preerr(e, "line %d", lineno);
            return -1;
        }
    }
    if (!p->quorum_set)
        p->quorum = p->nwit ? INT32_MIN + 1 : QUORUM_NONE; /* see below */
    if (p->quorum == INT32_MIN + 1) {
        /* witnesses but no quorum line: require all of them */
        if (p->ngroups >= TL_POL_MAX_GROUPS) {
            tl_seterr(e, "too many groups");
            return -1;
        }
        tl_pol_group *g = &p->groups[p->ngroups];
        memset(g, 0, sizeof *g);
        snprintf(g->name, sizeof g->name, "all-witnesses");
        for (size_t i = 0; i < p->nwit; i++)
            g->mem[g->n++] = (int)i;
        g->k = (unsigned)p->nwit;
        p->quorum = -(int)p->ngroups - 1;
        p->ngroups++;
    }
    return 0;
}

static int eval(const tl_policy *p, int m, const int *ok, int depth)
{
    if (depth > TL_POL_MAX_GROUPS + 1)
        return 0;
    if (m >= 0)
        return ok[m] ? 1 : 0;
    const tl_pol_group *g = &p->groups[-m - 1];
    unsigned c = 0;
    for (size_t i = 0; i < g->n; i++)
        c += (unsigned)eval(p, g->mem[i], ok, depth + 1);
    return c >= g->k;
}

int tl_policy_satisfied(const tl_policy *p, const int *ok, char *why, size_t whylen)
{
    if (p->quorum == QUORUM_NONE)
        return 1;
    if (eval(p, p->quorum, ok, 0))
        return 1;
    if (why) {
        size_t have = 0;
        for (size_t i = 0; i < p->nwit; i++)
            have += ok[i] ? 1 : 0;
        if (p->quorum >= 0)
            snprintf(why, whylen, "witness %s did not cosign", p->wname[p->quorum]);
        else {
            const tl_pol_group *g = &p->groups[-p->quorum - 1];
            snprintf(why, whylen, "%zu valid cosignature(s) from %zu pinned witness(es); quorum %s needs %u of %zu",
                     have, p->nwit, g->name, g->k, g->n);
        }
    }
    return 0;
}
