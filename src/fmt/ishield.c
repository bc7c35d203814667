/* fmt/ishield.c - InstallShield setup.exe with its files in the overlay
 * ("InstallShield" stream, ClamAV's CL_TYPE_ISHIELD_MSI).
 *
 * ClamAV extracts each file of this stream (clam_ISmsi_ext.exe: the file
 * "clam.exe409.bmp" is clam.exe; clam_ISmsi_int.exe: ini files and an
 * MSI). Layout, as InstallShield writes it (described by the open ISx
 * unpacker's notes, checked on those two files):
 *   in the first SEARCH bytes of the PE overlay (clam_ISmsi_ext.exe: 105
 *   bytes in): "InstallShield\0" | u16 file count | zeros to 0x2e
 *   per file: name[260] (NUL-terminated) | u32 | u32 | u64 stored size |
 *             36 more bytes | stored bytes
 *   stored bytes: obfuscated, then zlib: byte i is
 *             ~(key[(i % 1024) % keylen] ^ swap_nibbles(b)), key = the
 *             file name XOR 13 35 86 07 (repeated); the result is a zlib
 *             stream (78 9c ...) of the file.
 *
 * Limits: at most MAX_FILES entries; each file's output has the ceiling of
 * sink->max_member and the ratio limit (stored size x max_ratio, at least
 * ratio_min_size), past which it is dropped and reported; the de-obfuscated
 * copy is the stored size, which lies inside the input. */
#include "ishield.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/rd.h"
#include "fmt/docs.h"

#define MAX_FILES 4096u
#define HDR 0x2eu
#define NAME_LEN 260u
#define ENTRY 312u
#define Z_CHUNK (64u * 1024)
#define SEARCH 0x10000u /* overlay bytes searched for the stream */

static const uint8_t magic[14] = "InstallShield";

static void deobfuscate(uint8_t *p, size_t n, const char *name, size_t nl)
{
    static const uint8_t mix[4] = {0x13, 0x35, 0x86, 0x07};
    uint8_t key[NAME_LEN];
    for (size_t i = 0; i < nl; i++)
        key[i] = (uint8_t)((uint8_t)name[i] ^ mix[i % 4]);
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)((p[i] >> 4) | (p[i] << 4));
        p[i] = (uint8_t) ~(key[(i % 1024) % nl] ^ b);
    }
}

/* zlib stream in[0..n) into out (ceiling = out->max). */
static vg_status unzlib(const uint8_t *in, size_t n, vgbuf *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK)
        return VG_ENOMEM;
    uint8_t *chunk = malloc(Z_CHUNK);
    vg_status st = chunk ? VG_OK : VG_ENOMEM;
    z.next_in = (Bytef *)(uintptr_t)in;
    size_t left = n;
    while (st == VG_OK) {
        if (z.avail_in == 0 && left) {
            z.avail_in = left > 0x40000000u ? 0x40000000u : (uInt)left;
            left -= z.avail_in;
        }
        z.next_out = chunk;
        z.avail_out = Z_CHUNK;
        int r = inflate(&z, Z_NO_FLUSH);
        size_t got = Z_CHUNK - z.avail_out;
        if (got && (st = vgbuf_append(out, chunk, got)) != VG_OK)
            break;
        if (r == Z_STREAM_END)
            break;
        if (r == Z_MEM_ERROR)
            st = VG_ENOMEM;
        else if (r != Z_OK && !(r == Z_BUF_ERROR && got))
            st = VG_EFORMAT;
        else if (got == 0 && z.avail_in == 0 && !left)
            st = VG_EFORMAT; /* truncated */
    }
    free(chunk);
    inflateEnd(&z);
    return st;
}

static vg_status one(const vgarc_sink *s, const char *name, size_t nl, const uint8_t *p,
                     size_t n)
{
    uint64_t cap = s->max_member;
    unsigned which = s->max_member_limit;
    const vg_limits *l = s->limits;
    if (l && l->max_ratio) {
        uint64_t r = (uint64_t)(n ? n : 1) * l->max_ratio;
        if (r < l->ratio_min_size)
            r = l->ratio_min_size;
        if (r < cap) {
            cap = r;
            which = VG_LIMIT_RATIO;
        }
    }
    uint8_t *tmp = malloc(n ? n : 1);
    if (!tmp)
        return VG_ENOMEM;
    memcpy(tmp, p, n);
    deobfuscate(tmp, n, name, nl);
    vgbuf b;
    vgbuf_init(&b, cap < SIZE_MAX ? (size_t)cap : SIZE_MAX);
    vg_status st = unzlib(tmp, n, &b);
    free(tmp);
    st = vgdoc_emit_decoded(s, name, st, &b, which, "InstallShield: damaged file data");
    vgbuf_free(&b);
    return st;
}

vg_status vgishield_extract(const vg_exe_info *x, const uint8_t *d, size_t len,
                            const vgarc_sink *sink)
{
    if (!x || x->kind != VG_EXE_PE || !x->u.pe.overlay_size || x->u.pe.overlay_offset >= len)
        return VG_OK;
    vgrd r;
    vgrd_init(&r, d, len);
    /* the stream starts a little into the overlay (after other data) */
    size_t from = (size_t)x->u.pe.overlay_offset;
    size_t span = len - from < SEARCH ? len - from : SEARCH;
    const uint8_t *h = memmem(d + from, span, magic, sizeof magic);
    if (!h || !vgrd_span(&r, (size_t)(h - d), HDR))
        return VG_OK;
    size_t at = (size_t)(h - d);
    unsigned count = (unsigned)(h[14] | h[15] << 8);
    if (vgrd_seek(&r, at + HDR) != VG_OK)
        return VG_OK;
    for (unsigned i = 0; i < count && i < MAX_FILES; i++) {
        const uint8_t *e = vgrd_take(&r, ENTRY);
        if (!e)
            break;
        char name[NAME_LEN];
        memcpy(name, e, NAME_LEN);
        name[NAME_LEN - 1] = 0;
        size_t nl = strlen(name);
        uint64_t cs = 0;
        for (unsigned k = 8; k-- > 0;)
            cs = cs << 8 | e[NAME_LEN + 8 + k];
        if (cs > vgrd_left(&r)) {
            if (sink->warning)
                sink->warning(sink->user, "InstallShield: file past the end");
            break;
        }
        const uint8_t *p = vgrd_take(&r, (size_t)cs);
        if (nl == 0 || cs == 0)
            continue;
        vg_status st = one(sink, name, nl, p, (size_t)cs);
        if (st != VG_OK)
            return st;
    }
    return VG_OK;
}
