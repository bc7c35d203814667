/* fmt/isc.c - InstallShield setup.exe whose overlay lists its disk files
 * (data1.hdr, data2.cab, engine32.cab, setup.ini ...), with the "ISc("
 * cabinets read through their header file.
 *
 * ClamAV unpacks these (clam_IScab_int.exe: "ishield: found file
 * data1.cab ... is_parse_hdr: file \clam.exe ... offset:200 (data2.cab)").
 * Layout, from the open unshield project's notes on the cabinet format and
 * checked on that file:
 *   overlay: records "name\0 path\0 version\0 size-in-decimal\0" + data;
 *   a record whose data starts with "ISc(" is a cabinet part; the .hdr one
 *   holds the tables: common header (u32 "ISc(", version, volume info,
 *   descriptor offset, descriptor size); descriptor: +0x0c file table
 *   offset, +0x1c directory count, +0x28 file count, +0x2c offset of the
 *   file descriptors in the table; each descriptor (0x57 bytes): u16 flags
 *   (1 split, 2 obfuscated, 4 compressed, 8 invalid), u64 size, u64 stored
 *   size, u64 offset in its volume, md5[16], 16 bytes, u32 name offset (in
 *   the table), ..., u16 volume at +0x55;
 *   volume N is the record "data<N>.cab" (the .hdr's name with its
 *   number replaced), the file's bytes at the descriptor's offset: chunks
 *   of u16 length + raw deflate (fmt/inflate64.c), or stored.
 * Other records (an MS cab, setup.exe ...) are handed out as they are.
 *
 * Limits: MAX_RECORDS records, MAX_FILES descriptors per header; stored
 * records larger than sink->max_member and files whose output passes the
 * ceiling (max_member, ratio against the stored size) are dropped and
 * reported; split, obfuscated and invalid files are skipped. */
#include "isc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/rd.h"
#include "fmt/docs.h"
#include "fmt/inflate64.h"

#define MAX_RECORDS 1024u
#define MAX_FILES 65536u
#define FD_SIZE 0x57u
#define STR_MAX 512u

typedef struct rec {
    char name[STR_MAX];
    const uint8_t *data;
    size_t len;
} rec;

/* One NUL-terminated string at the cursor, at most STR_MAX-1 bytes. */
static int str_at(vgrd *r, char *out)
{
    for (size_t i = 0; i < STR_MAX; i++) {
        uint8_t c;
        if (vgrd_u8(r, &c) != VG_OK)
            return 0;
        out[i] = (char)c;
        if (!c)
            return 1;
    }
    return 0;
}

static int read_record(vgrd *r, rec *out)
{
    char path[STR_MAX], ver[STR_MAX], size[STR_MAX];
    if (!str_at(r, out->name) || !out->name[0] || !str_at(r, path) || !str_at(r, ver) ||
        !str_at(r, size) || !size[0] || strlen(size) > 12)
        return 0;
    uint64_t n = 0;
    for (const char *p = size; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        n = n * 10 + (uint64_t)(*p - '0');
    }
    if (n > vgrd_left(r))
        return 0;
    out->len = (size_t)n;
    out->data = vgrd_take(r, out->len);
    return out->data != NULL;
}

static uint32_t u32at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t u64at(const uint8_t *p)
{
    return (uint64_t)u32at(p) | (uint64_t)u32at(p + 4) << 32;
}

static int is_isc(const rec *r)
{
    return r->len >= 20 && !memcmp(r->data, "ISc(", 4);
}

/* The record for volume `vol` of the header named `hdr` ("data1.hdr" ->
 * "data<vol>.cab"). */
static const rec *volume(const rec *recs, unsigned n, const char *hdr, unsigned vol)
{
    char want[STR_MAX + 16];
    size_t k = strlen(hdr);
    while (k && hdr[k - 1] != '.')
        k--;
    while (k > 1 && hdr[k - 2] >= '0' && hdr[k - 2] <= '9')
        k--;
    if (k < 1)
        return NULL;
    snprintf(want, sizeof want, "%.*s%u.cab", (int)(k - 1), hdr, vol);
    for (unsigned i = 0; i < n; i++)
        if (!strcasecmp(recs[i].name, want) && is_isc(&recs[i]))
            return &recs[i];
    return NULL;
}

/* Chunks of u16 length + raw deflate, `n` stored bytes. */
static vg_status chunks(const uint8_t *p, size_t n, vgbuf *out)
{
    vgrd r;
    vgrd_init(&r, p, n);
    while (vgrd_left(&r) >= 2) {
        uint16_t cl = 0;
        const uint8_t *c = vgrd_u16le(&r, &cl) == VG_OK ? vgrd_take(&r, cl) : NULL;
        if (!c)
            return VG_EFORMAT;
        vg_status st = vginf_decode(c, cl, 0, out);
        if (st != VG_OK)
            return st;
    }
    return VG_OK;
}

static vg_status one_file(const vgarc_sink *s, const char *name, const uint8_t *fd,
                          const rec *vol)
{
    uint16_t flags = (uint16_t)(fd[0] | fd[1] << 8);
    uint64_t size = u64at(fd + 2), csize = u64at(fd + 10), off = u64at(fd + 18);
    if (flags & 0xb) /* split, obfuscated or invalid */
        return VG_OK;
    if (off > vol->len || csize > vol->len - off)
        return VG_OK;
    const uint8_t *p = vol->data + off;
    uint64_t cap = s->max_member;
    unsigned which = s->max_member_limit;
    const vg_limits *l = s->limits;
    if ((flags & 4) && l && l->max_ratio) {
        uint64_t rc = (csize ? csize : 1) * l->max_ratio;
        if (rc < l->ratio_min_size)
            rc = l->ratio_min_size;
        if (rc < cap) {
            cap = rc;
            which = VG_LIMIT_RATIO;
        }
    }
    if (size > cap || (!(flags & 4) && csize > cap)) {
        if (s->limit)
            s->limit(s->user, which, name);
        return VG_OK;
    }
    if (!(flags & 4))
        return s->member(s->user, name, p, (size_t)csize);
    vgbuf b;
    vgbuf_init(&b, cap < SIZE_MAX ? (size_t)cap : SIZE_MAX);
    vg_status st = vgdoc_emit_decoded(s, name, chunks(p, (size_t)csize, &b), &b, which,
                                      "InstallShield cabinet: damaged file data");
    vgbuf_free(&b);
    return st;
}

static vg_status header(const vgarc_sink *s, const rec *recs, unsigned n, const rec *h)
{
    vgrd r;
    vgrd_init(&r, h->data, h->len);
    const uint8_t *ch = vgrd_span(&r, 0, 20);
    if (!ch)
        return VG_OK;
    size_t cdo = u32at(ch + 12);
    const uint8_t *cd = vgrd_span(&r, cdo, 0x30);
    if (!cd)
        return VG_OK;
    size_t ft = cdo + (size_t)u32at(cd + 0x0c);
    uint32_t nfiles = u32at(cd + 0x28), fdoff = u32at(cd + 0x2c);
    for (uint32_t i = 0; i < nfiles && i < MAX_FILES; i++) {
        const uint8_t *fd = vgrd_span(&r, ft + fdoff + (size_t)i * FD_SIZE, FD_SIZE);
        if (!fd)
            break;
        char name[STR_MAX];
        size_t no = ft + (size_t)u32at(fd + 58);
        const uint8_t *np = vgrd_span(&r, no, 1);
        size_t k = 0;
        while (np && k < STR_MAX - 1 && no + k < h->len && h->data[no + k])
            k++;
        if (np)
            memcpy(name, np, k);
        name[k] = 0;
        const rec *vol = volume(recs, n, h->name, (unsigned)(fd[0x55] | fd[0x56] << 8));
        if (!vol)
            continue;
        vg_status st = one_file(s, name, fd, vol);
        if (st != VG_OK)
            return st;
    }
    return VG_OK;
}

vg_status vgisc_extract(const vg_exe_info *x, const uint8_t *d, size_t len,
                        const vgarc_sink *sink)
{
    if (!x || x->kind != VG_EXE_PE || !x->u.pe.overlay_size || x->u.pe.overlay_offset >= len)
        return VG_OK;
    vgrd r;
    vgrd_init(&r, d, len);
    if (vgrd_seek(&r, (size_t)x->u.pe.overlay_offset) != VG_OK)
        return VG_OK;
    rec *recs = malloc(MAX_RECORDS * sizeof *recs);
    if (!recs)
        return VG_ENOMEM;
    unsigned n = 0;
    while (n < MAX_RECORDS && read_record(&r, &recs[n]))
        n++;
    vg_status st = VG_OK;
    int any_isc = 0;
    for (unsigned i = 0; i < n && st == VG_OK; i++)
        any_isc |= is_isc(&recs[i]);
    /* two records, one of them a cabinet part: not a chance listing */
    for (unsigned i = 0; n >= 2 && any_isc && i < n && st == VG_OK; i++) {
        const rec *e = &recs[i];
        size_t nl = strlen(e->name);
        if (is_isc(e)) {
            if (nl > 4 && !strcasecmp(e->name + nl - 4, ".hdr"))
                st = header(sink, recs, n, e);
            continue;
        }
        if (e->len > sink->max_member) {
            if (sink->limit)
                sink->limit(sink->user, sink->max_member_limit, e->name);
            continue;
        }
        st = sink->member(sink->user, e->name, e->len ? e->data : (const uint8_t *)"", e->len);
    }
    free(recs);
    return st;
}
