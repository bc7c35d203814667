/* db/names.c - signature names: in memory a string table, in a .vdb
 * front-coded.
 *
 * Names are needed only to report a detection and to list a database, yet
 * they were a quarter of a .vdb; most share a long prefix with the name
 * before them (Win.Trojan.Agent-6312345-0, ...-6312346-0), so the file
 * stores each name as the length it shares with the previous one and the
 * rest, in blocks of VGDB_NAME_BLOCK names whose first name is whole. A
 * table gives each block's offset, so a name costs one short decode. The
 * ".UNOFFICIAL" suffix clamscan adds to names from unofficial databases
 * is one bit per name, added back when the name is decoded.
 *
 * Entry: varint shared, varint (rest << 1 | unofficial), rest bytes.
 * Decoding checks every length against the block and NAME_MAX_LEN; a
 * name that does not decode, or an index past the table, reads as
 * VGDB_BAD_NAME (the checksum makes that a deliberately crafted file). */
#include "db/engine_int.h"

#include <stdlib.h>
#include <string.h>


static const char unofficial[] = ".UNOFFICIAL";
const char vgdb_bad_name[] = VGDB_BAD_NAME;
#define UNOFF_LEN (sizeof unofficial - 1)
/* ClamAV reads database lines into an 8192-byte buffer: no longer name */
#define NAME_MAX_LEN 8192u
#define NAME_BUF (NAME_MAX_LEN + UNOFF_LEN + 1)

static int get_varint(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
    uint32_t v = 0;
    for (int shift = 0; shift < 28; shift += 7) {
        if (*p >= end)
            return 0;
        uint8_t c = *(*p)++;
        v |= (uint32_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return 1;
        }
    }
    return 0;
}

static size_t put_varint(uint8_t *o, uint32_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        o[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    o[n++] = (uint8_t)v;
    return n;
}

/* Decode name i of a front-coded table into buf (NAME_BUF bytes). */
static int fc_decode(const vg_engine *e, uint32_t i, char *buf)
{
    if (i >= e->fc_base)
        return 0;
    uint32_t blk = i / VGDB_NAME_BLOCK;
    const uint8_t *end = e->fc_names + e->fc_len;
    uint32_t off = e->fc_idx[blk];
    if (off > e->fc_len)
        return 0;
    if (blk + 1 < (e->fc_base + VGDB_NAME_BLOCK - 1) / VGDB_NAME_BLOCK) {
        uint32_t next = e->fc_idx[blk + 1];
        if (next < off || next > e->fc_len)
            return 0;
        end = e->fc_names + next;
    }
    const uint8_t *p = e->fc_names + off;
    size_t len = 0;
    int unoff = 0;
    for (uint32_t k = blk * VGDB_NAME_BLOCK; k <= i; k++) {
        uint32_t shared, rest;
        if (!get_varint(&p, end, &shared) || !get_varint(&p, end, &rest))
            return 0;
        unoff = rest & 1;
        rest >>= 1;
        if (shared > len || rest > NAME_MAX_LEN - shared || rest > (size_t)(end - p) ||
            (k == blk * VGDB_NAME_BLOCK && shared))
            return 0;
        memcpy(buf + shared, p, rest);
        p += rest;
        len = shared + rest;
    }
    if (len == 0)
        return 0;
    if (unoff) {
        memcpy(buf + len, unofficial, UNOFF_LEN);
        len += UNOFF_LEN;
    }
    buf[len] = 0;
    return 1;
}

const char *vgdb_name(const vg_engine *e, uint32_t i)
{
    if (i >= e->fc_base)
        return i < e->nnames ? e->strtab + e->name_off[i - e->fc_base] : vgdb_bad_name;
    static _Thread_local char buf[NAME_BUF];
    return fc_decode(e, i, buf) ? buf : vgdb_bad_name;
}

vg_status vgdb_names_encode(const vg_engine *e, const uint32_t *which, uint32_t count,
                            uint8_t **blob, size_t *len, uint32_t **idx, uint32_t *nidx)
{
    uint32_t nblk = (count + VGDB_NAME_BLOCK - 1) / VGDB_NAME_BLOCK;
    size_t cap = 64;
    for (uint32_t i = 0; i < count; i++)
        cap += strlen(vgdb_name(e, which[i])) + 10;
    uint8_t *o = malloc(cap);
    uint32_t *ix = malloc((size_t)nblk * 4 + 4);
    if (!o || !ix) {
        free(o);
        free(ix);
        return VG_ENOMEM;
    }
    size_t n = 0;
    char prev[NAME_BUF];
    size_t prevlen = 0;
    for (uint32_t i = 0; i < count; i++) {
        const char *s = vgdb_name(e, which[i]);
        size_t l = strlen(s);
        int unoff = l > UNOFF_LEN && memcmp(s + l - UNOFF_LEN, unofficial, UNOFF_LEN) == 0;
        if (unoff)
            l -= UNOFF_LEN;
        size_t shared = 0;
        if (i % VGDB_NAME_BLOCK == 0)
            ix[i / VGDB_NAME_BLOCK] = (uint32_t)n;
        else
            while (shared < l && shared < prevlen && s[shared] == prev[shared])
                shared++;
        if (l > NAME_MAX_LEN || n > UINT32_MAX - 1024) {
            free(o);
            free(ix);
            return VG_ELIMIT;
        }
        n += put_varint(o + n, (uint32_t)shared);
        n += put_varint(o + n, (uint32_t)((l - shared) << 1 | (unsigned)unoff));
        memcpy(o + n, s + shared, l - shared);
        n += l - shared;
        memcpy(prev, s, l);
        prevlen = l;
    }
    *blob = o;
    *len = n;
    *idx = ix;
    *nidx = nblk;
    return VG_OK;
}
