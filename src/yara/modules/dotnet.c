/* yara/modules/dotnet.c - YARA's dotnet module (yara 4.2.3's fields), the
 * metadata root of a .NET PE (ECMA-335 II.24): is_dotnet, version, the
 * stream headers, the #GUID heap and the #US user strings.
 *
 * The PE comes from pe_int.h (same RVA mapping as the pe module); the CLI
 * header is data directory 14, its metadata root must start "BSJB". A
 * PE that is not .NET has is_dotnet 0, a non-PE leaves it undefined, as in
 * yara. Counts are capped (streams 16 as yara reads at most that many,
 * GUIDs and user strings VGY_MAX_ITEMS).
 *
 * Declared but not filled yet (undefined, so rules using them compile and
 * are false): the metadata tables - module_name, assembly, assembly_refs,
 * resources, modulerefs, typelib, field_offsets. */
#include <stdio.h>
#include <string.h>

#include "yara/modules/modules.h"
#include "yara/modules/pe_int.h"

#define MAX_STREAMS 16

static const vgy_decl stream_m[] = {VGYD_STR("name"), VGYD_INT("offset"), VGYD_INT("size"),
                                    VGYD_END};
static const vgy_decl stream_e = VGYD_STRUCT(NULL, stream_m);
static const vgy_decl str_e = VGYD_STR(NULL);
static const vgy_decl int_e = VGYD_INT(NULL);
static const vgy_decl res_m[] = {VGYD_INT("offset"), VGYD_INT("length"), VGYD_STR("name"),
                                 VGYD_END};
static const vgy_decl res_e = VGYD_STRUCT(NULL, res_m);
static const vgy_decl ver_m[] = {VGYD_INT("major"), VGYD_INT("minor"), VGYD_INT("build_number"),
                                 VGYD_INT("revision_number"), VGYD_END};
static const vgy_decl asm_m[] = {VGYD_STRUCT("version", ver_m), VGYD_STR("name"),
                                 VGYD_STR("culture"), VGYD_END};
static const vgy_decl ref_m[] = {VGYD_STRUCT("version", ver_m), VGYD_STR("name"),
                                 VGYD_STR("public_key_or_token"), VGYD_END};
static const vgy_decl ref_e = VGYD_STRUCT(NULL, ref_m);
static const vgy_decl dotnet_m[] = {
    VGYD_STR("version"), VGYD_STR("module_name"), VGYD_INT("number_of_streams"),
    VGYD_ARRAY("streams", &stream_e), VGYD_INT("number_of_guids"), VGYD_ARRAY("guids", &str_e),
    VGYD_INT("number_of_resources"), VGYD_ARRAY("resources", &res_e),
    VGYD_STRUCT("assembly", asm_m), VGYD_INT("number_of_modulerefs"),
    VGYD_ARRAY("modulerefs", &str_e), VGYD_STR("typelib"), VGYD_INT("number_of_assembly_refs"),
    VGYD_ARRAY("assembly_refs", &ref_e), VGYD_INT("number_of_user_strings"),
    VGYD_ARRAY("user_strings", &str_e), VGYD_INT("number_of_field_offsets"),
    VGYD_ARRAY("field_offsets", &int_e), VGYD_INT("is_dotnet"),
    VGYD_END,
};
static const vgy_decl dotnet_root = VGYD_STRUCT("dotnet", dotnet_m);

static int r32(const vgype_pe *p, uint64_t off, uint32_t *v)
{
    const uint8_t *b = off < p->n ? vgrd_span(&p->r, (size_t)off, 4) : NULL;
    if (!b)
        return 0;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 1;
}

static void guids(vgy_ctx *c, vgy_obj *o, const vgype_pe *p, uint64_t off, uint32_t size)
{
    uint32_t n = 0;
    for (uint64_t g = off; g + 16 <= off + size && n < VGY_MAX_ITEMS; g += 16) {
        const uint8_t *b = g < p->n ? vgrd_span(&p->r, (size_t)g, 16) : NULL;
        if (!b)
            break;
        char t[40];
        snprintf(t, sizeof t,
                 "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 (unsigned)(b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24),
                 (unsigned)(b[4] | b[5] << 8), (unsigned)(b[6] | b[7] << 8), b[8], b[9], b[10],
                 b[11], b[12], b[13], b[14], b[15]);
        vgyo_str(c, o, t, 36, "guids[%i]", (int)n++);
    }
    vgyo_int(c, o, n, "number_of_guids");
}

/* #US: blobs (compressed length, UTF-16 text, one final byte). */
static void user_strings(vgy_ctx *c, vgy_obj *o, const vgype_pe *p, uint64_t off, uint32_t size)
{
    uint64_t end = off + size, q = off + 1;
    uint32_t n = 0;
    if (end > p->n)
        end = p->n;
    while (q < end && n < VGY_MAX_ITEMS) {
        const uint8_t *b = p->d + q;
        uint64_t len, hdr;
        if ((b[0] & 0x80) == 0) {
            len = b[0];
            hdr = 1;
        } else if ((b[0] & 0xc0) == 0x80 && q + 1 < end) {
            len = (uint64_t)(b[0] & 0x3f) << 8 | b[1];
            hdr = 2;
        } else if ((b[0] & 0xe0) == 0xc0 && q + 3 < end) {
            len = (uint64_t)(b[0] & 0x1f) << 24 | (uint64_t)b[1] << 16 | (uint64_t)b[2] << 8 | b[3];
            hdr = 4;
        } else
            break;
        q += hdr;
        if (len == 0)
            continue;
        if (q + len > end)
            break;
        vgyo_str(c, o, p->d + q, (size_t)(len - 1), "user_strings[%i]", (int)n++);
        q += len;
    }
    vgyo_int(c, o, n, "number_of_user_strings");
}

static void load(vgy_ctx *c, vgy_obj *o)
{
    vgype_pe *p = vgy_alloc(&c->tmp, sizeof *p);
    if (!p || !vgype_parse(p, c->data, c->len))
        return;
    uint32_t va, sz, mrva, msz, sig, vlen;
    int64_t cli, root;
    if (!vgype_dir(p, 14, &va, &sz) || !va || (cli = vgype_rva2off(p, va)) < 0 ||
        !r32(p, (uint64_t)cli + 8, &mrva) || !r32(p, (uint64_t)cli + 12, &msz) ||
        (root = vgype_rva2off(p, mrva)) < 0 || !r32(p, (uint64_t)root, &sig) ||
        sig != 0x424a5342 || !r32(p, (uint64_t)root + 12, &vlen) || vlen > 255 ||
        !vgrd_span(&p->r, (size_t)root + 16, vlen + 4u)) {
        vgyo_int(c, o, 0, "is_dotnet");
        return;
    }
    vgyo_int(c, o, 1, "is_dotnet");
    const uint8_t *vs = p->d + root + 16;
    size_t vl = 0;
    while (vl < vlen && vs[vl])
        vl++;
    vgyo_str(c, o, vs, vl, "version");
    uint64_t h = (uint64_t)root + 16 + vlen;
    unsigned nstreams = (unsigned)(p->d[h + 2] | p->d[h + 3] << 8);
    vgyo_int(c, o, nstreams, "number_of_streams");
    h += 4;
    for (unsigned i = 0; i < nstreams && i < MAX_STREAMS; i++) {
        uint32_t soff, ssz;
        if (!r32(p, h, &soff) || !r32(p, h + 4, &ssz) || h + 8 >= p->n)
            break;
        const uint8_t *nm = p->d + h + 8;
        size_t left = p->n - (size_t)(h + 8), nl = 0;
        while (nl < left && nl < 32 && nm[nl])
            nl++;
        if (nl == left || nl == 32)
            break;
        uint64_t foff = (uint64_t)root + soff;
        vgyo_str(c, o, nm, nl, "streams[%i].name", (int)i);
        vgyo_int(c, o, (int64_t)foff, "streams[%i].offset", (int)i);
        vgyo_int(c, o, ssz, "streams[%i].size", (int)i);
        if (nl == 5 && !memcmp(nm, "#GUID", 5))
            guids(c, o, p, foff, ssz);
        else if (nl == 3 && !memcmp(nm, "#US", 3))
            user_strings(c, o, p, foff, ssz);
        h += 8 + ((nl + 4) & ~(size_t)3);
    }
}

const vgy_module vgymod_dotnet = {"dotnet", &dotnet_root, load, NULL};
