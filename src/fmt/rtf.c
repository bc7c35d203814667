/* fmt/rtf.c - objects embedded in RTF documents (\object ... \objdata).
 *
 * Each "\objdata" group holds an OLE1 object as hex digits. It is decoded
 * and read as an OLE1 object (MS-OLEDS 2.2.4 EmbeddedObject):
 *   u32 OLEVersion, u32 FormatID (2 = embedded), then ClassName, TopicName
 *   and ItemName (each u32 length + bytes), u32 NativeDataSize, NativeData.
 * When the class is "Package" (the Object Packager, how a file is dropped
 * into a document) the native data is the packaged file:
 *   u16 2, label (NUL-terminated), source path (NUL), u32 0x00030000,
 *   u32 length + temporary path, u32 size + the file's bytes;
 * the file is the member (named by its label), as the user would get it by
 * double-clicking (vgdoc_package in docs.c, shared with OLE2's
 * \1Ole10Native streams). Any other class gives its native data (an OLE2 document,
 * usually, which the pipeline reads one layer deeper); an object that does
 * not parse as OLE1 is handed out as decoded. Ceiling: RTF_MAX_OBJECTS
 * objects per document; the search and the hex decoding are one pass each. */
#include "fmt/docs.h"

#include <stdio.h>
#include <string.h>

#include "core/rd.h"
#include "fmt/enc.h"

#define RTF_MAX_OBJECTS 1000u
#define OLE1_EMBEDDED 2u

/* A u32-length-prefixed string; NULL when it does not fit. */
static const uint8_t *lstr(vgrd *r, uint32_t *n)
{
    if (vgrd_u32le(r, n) != VG_OK)
        return NULL;
    return vgrd_take(r, *n);
}

/* Emit the object in the decoded bytes b[0..n). */
static vg_status object(const vgarc_sink *sink, const uint8_t *b, size_t n, unsigned k)
{
    char nm[256];
    snprintf(nm, sizeof nm, "object%u", k);
    vgrd r;
    vgrd_init(&r, b, n);
    uint32_t ver, fmt, cl, tl, il, nl;
    const uint8_t *cls = NULL, *nat = NULL;
    if (vgrd_u32le(&r, &ver) == VG_OK && vgrd_u32le(&r, &fmt) == VG_OK &&
        fmt == OLE1_EMBEDDED && (cls = lstr(&r, &cl)) && lstr(&r, &tl) && lstr(&r, &il) &&
        vgrd_u32le(&r, &nl) == VG_OK)
        nat = vgrd_take(&r, nl);
    if (!nat)
        return vgdoc_emit(sink, nm, b, n, VG_OK);
    if (cl >= 7 && !memcmp(cls, "Package", 7)) {
        size_t fl = 0;
        const uint8_t *f = vgdoc_package(nat, nl, &fl, nm, sizeof nm);
        if (f)
            return vgdoc_emit(sink, nm, f, fl, VG_OK);
    }
    return vgdoc_emit(sink, nm, nat, nl, VG_OK);
}

/* The hex digits of the group that "\objdata" opens, up to its closing
 * brace; control words (\xxx[-N][ ]) and nested groups are skipped. */
static vg_status objdata(const uint8_t *p, size_t n, vgbuf *b, size_t *end)
{
    size_t i = 0, depth = 0;
    vg_status st = VG_OK;
    while (i < n && st == VG_OK) {
        uint8_t c = p[i];
        if (c == '}') {
            if (depth == 0)
                break;
            depth--;
            i++;
        } else if (c == '{') {
            depth++;
            i++;
        } else if (c == '\\') {
            i++;
            while (i < n && ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z')))
                i++;
            while (i < n && ((p[i] >= '0' && p[i] <= '9') || p[i] == '-'))
                i++;
            if (i < n && p[i] == ' ')
                i++;
        } else {
            size_t s = i;
            while (i < n && p[i] != '{' && p[i] != '}' && p[i] != '\\')
                i++;
            if (depth == 0)
                st = vgenc_hex(p + s, i - s, b);
        }
    }
    *end = i;
    return st;
}

vg_status vgrtf_extract(const uint8_t *data, size_t len, const vgarc_sink *sink)
{
    static const char kw[] = "\\objdata";
    size_t pos = 0;
    unsigned count = 0;
    while (pos < len) {
        const uint8_t *q = memmem(data + pos, len - pos, kw, sizeof kw - 1);
        if (!q)
            break;
        pos = (size_t)(q - data) + sizeof kw - 1;
        if (pos < len && ((data[pos] >= 'a' && data[pos] <= 'z') ||
                          (data[pos] >= 'A' && data[pos] <= 'Z')))
            continue; /* a longer control word */
        if (++count > RTF_MAX_OBJECTS) {
            vgdoc_warn(sink, "rtf: too many objects");
            return VG_OK;
        }
        vgbuf b;
        size_t used = 0;
        vgdoc_buf(&b, sink);
        vg_status st = objdata(data + pos, len - pos, &b, &used);
        pos += used;
        if (st == VG_OK && b.len)
            st = object(sink, b.data, b.len, count);
        else if (st == VG_ELIMIT)
            st = vgdoc_emit(sink, "object", NULL, 0, st);
        vgbuf_free(&b);
        if (st != VG_OK)
            return st;
    }
    return VG_OK;
}
