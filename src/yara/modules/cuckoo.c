/* yara/modules/cuckoo.c - YARA's cuckoo module without a behaviour report.
 *
 * yara's cuckoo module matches rules against a Cuckoo sandbox JSON report
 * given with `yara -x cuckoo=report.json`; without one, every function
 * (network.http_request(/re/), sync.mutex(/re/), ...) is false. vigil
 * scans files, never reports, so it declares the same functions and
 * answers as yara does without a report: 0. Rule sets that import cuckoo
 * (Yara-Rules has several) then load and behave the same in both. */
#include "yara/modules/modules.h"

static void no_report(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)c;
    (void)a;
    vgymod_int(o, 0);
}

#define NF(name, args) {"cuckoo", name, args, VGY_T_INT, no_report}
static const vgy_func network_f[] = {
    NF("http_request", "r"), NF("http_get", "r"), NF("http_post", "r"),
    NF("http_user_agent", "r"), NF("dns_lookup", "r"), NF("host", "r"), NF("tcp", "ri"),
    NF("udp", "ri"), {NULL, NULL, NULL, 0, NULL},
};
static const vgy_func registry_f[] = {NF("key_access", "r"), {NULL, NULL, NULL, 0, NULL}};
static const vgy_func filesystem_f[] = {NF("file_access", "r"), {NULL, NULL, NULL, 0, NULL}};
static const vgy_func sync_f[] = {NF("mutex", "r"), {NULL, NULL, NULL, 0, NULL}};
static const vgy_decl none[] = {VGYD_END};
static const vgy_decl cuckoo_m[] = {
    VGYD_STRUCTF("network", none, network_f), VGYD_STRUCTF("registry", none, registry_f),
    VGYD_STRUCTF("filesystem", none, filesystem_f), VGYD_STRUCTF("sync", none, sync_f),
    VGYD_END,
};
static const vgy_decl cuckoo_root = VGYD_STRUCT("cuckoo", cuckoo_m);

/* The substructures exist (empty) so that their functions can be called. */
static void load(vgy_ctx *c, vgy_obj *o)
{
    vgyo_at(c, o, "network");
    vgyo_at(c, o, "registry");
    vgyo_at(c, o, "filesystem");
    vgyo_at(c, o, "sync");
}

const vgy_module vgymod_cuckoo = {"cuckoo", &cuckoo_root, load, NULL};
