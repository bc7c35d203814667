/* tlog/release.c - see release.h. */
#include "tlog/release.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/engine_int.h"
#include "db/listing.h"
#include "vigil/vigil.h"

int tl_release_ruleindex(const char *vdbpath, tl_buf *idx, tl_manifest_source **src,
                         size_t *nsrc, tl_err *e)
{
    memset(idx, 0, sizeof *idx);
    if (src) {
        *src = NULL;
        *nsrc = 0;
    }
    size_t pl = strlen(vdbpath);
    if (pl < 4 || strcmp(vdbpath + pl - 4, ".vdb") != 0) {
        tl_seterr(e, "%s: a release is made from a compiled database (.vdb)", vdbpath);
        return -1;
    }
    vg_engine *eng;
    if (vg_engine_new(&eng) != VG_OK) {
        tl_seterr(e, "out of memory");
        return -1;
    }
    int rc = -1;
    vgdb_entry *v = NULL;
    size_t n = 0;
    vg_status st = vg_engine_load(eng, vdbpath);
    if (st == VG_OK)
        st = vg_engine_compile(eng);
    if (st != VG_OK) {
        const char *m = vg_engine_error(eng);
        tl_seterr(e, "%s", *m ? m : vg_strerror(st));
        goto done;
    }
    if (vgdb_list(eng, &v, &n) != VG_OK) {
        tl_seterr(e, "%s: cannot list signatures", vdbpath);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (strpbrk(v[i].name, " \t\r\n") || !*v[i].name) {
            tl_seterr(e, "%s: signature name '%s' contains white space", vdbpath, v[i].name);
            goto done;
        }
        if (tl_buf_printf(idx, "%s %s %s\n", v[i].type, v[i].name, v[i].hash) != 0) {
            tl_seterr(e, "out of memory");
            goto done;
        }
    }
    if (tl_buf_cstr(idx) != 0) {
        tl_seterr(e, "out of memory");
        goto done;
    }
    if (src && eng->nsources) {
        if (eng->nsources > TL_MANIFEST_MAX_SOURCES) {
            tl_seterr(e, "%s: more than %d source files", vdbpath, TL_MANIFEST_MAX_SOURCES);
            goto done;
        }
        *src = calloc(eng->nsources, sizeof **src);
        if (!*src) {
            tl_seterr(e, "out of memory");
            goto done;
        }
        for (uint32_t i = 0; i < eng->nsources; i++) {
            tl_manifest_source *s = &(*src)[i];
            memcpy(s->sha256, eng->sources[i].sha256, 32);
            s->size = eng->sources[i].size;
            snprintf(s->name, sizeof s->name, "%s", eng->sources[i].name);
            for (char *c = s->name; *c; c++)
                if ((unsigned char)*c <= 0x20 || *c == 0x7f)
                    *c = '_';
            if (!s->name[0])
                snprintf(s->name, sizeof s->name, "unnamed");
        }
        *nsrc = eng->nsources;
    }
    rc = 0;
done:
    free(v);
    vg_engine_free(eng);
    if (rc != 0)
        tl_buf_free(idx);
    return rc;
}

int tl_release_check_db(const tl_manifest *m, const uint8_t *data, size_t len,
                        const char *path_of_same_bytes, tl_err *e)
{
    uint8_t h[32];
    tl_sha256(data, len, h);
    if (len != m->db_size || memcmp(h, m->db_sha256, 32) != 0) {
        char want[65], got[65];
        tl_hex(m->db_sha256, 32, want);
        tl_hex(h, 32, got);
        tl_seterr(e, "database hash mismatch: got sha256 %s (%zu bytes), the manifest says %s (%llu bytes)",
                  got, len, want, (unsigned long long)m->db_size);
        return -1;
    }
    if (!path_of_same_bytes)
        return 0;
    tl_buf idx;
    if (tl_release_ruleindex(path_of_same_bytes, &idx, NULL, NULL, e) != 0) {
        tl_preerr(e, "loading the database");
        return -1;
    }
    uint8_t ih[32], root[32];
    uint64_t cnt;
    tl_sha256(idx.p, idx.len, ih);
    int rc = tl_ruleindex_root((const char *)idx.p, idx.len, &cnt, root, e);
    tl_buf_free(&idx);
    if (rc != 0)
        return -1;
    if (cnt != m->rules || memcmp(ih, m->rules_sha256, 32) != 0 || memcmp(root, m->rules_root, 32) != 0) {
        tl_seterr(e, "rule index mismatch: the database holds %llu rules that do not match the manifest's rules line",
                  (unsigned long long)cnt);
        return -1;
    }
    return 0;
}
