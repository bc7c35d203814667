/* fmt/mspack.c - SZDD (MS COMPRESS, expand.exe) and CHM (compiled HTML
 * help) through libmspack, the well-kept library for Microsoft's formats
 * (Debian libmspack-dev; libarchive reads neither).
 *
 * libmspack does its I/O through a `struct mspack_system` of callbacks and
 * passes "file names" to its open callback untouched, so here a name is a
 * pointer to a `mem` descriptor: the input (bytes in memory) or an output
 * (a capped vgbuf). Nothing touches the file system. Reads past the input's
 * end return short counts; a write past the output's ceiling fails, which
 * libmspack reports as a write error, and the member is reported as over
 * the limit and dropped.
 *
 * Bounds: an SZDD or CHM member whose declared length is above the member
 * ceiling is not decompressed at all; CHM_MAX_FILES files per CHM; a file in
 * a compressed section whose end lies past CHM_MAX_SPAN_FACTOR member
 * ceilings into the section is skipped (reaching it would mean
 * decompressing everything before it), and the sum of those ends over all
 * files may not pass limits->max_scansize (files are listed by name, not
 * by offset, so each may restart the section). libmspack validates headers
 * and bounds every table it reads. */
#include "fmt/docs.h"

#include <mspack.h>
#include <stdlib.h>
#include <string.h>

#define CHM_MAX_FILES 100000u
#define CHM_MAX_SPAN_FACTOR 4u

typedef struct mem {
    const uint8_t *data; /* input, or NULL for an output */
    size_t len;
    vgbuf *out;
    int over; /* a write passed the ceiling */
} mem;

typedef struct mfile { /* one open handle */
    mem *m;
    size_t pos;
} mfile;

static struct mspack_file *m_open(struct mspack_system *self, const char *name, int mode)
{
    (void)self;
    mem *m = (mem *)(uintptr_t)name;
    if (!m || (mode == MSPACK_SYS_OPEN_READ ? !m->data : !m->out))
        return NULL;
    mfile *f = calloc(1, sizeof *f);
    if (f)
        f->m = m;
    return (struct mspack_file *)f;
}

static void m_close(struct mspack_file *file) { free(file); }

static int m_read(struct mspack_file *file, void *buf, int bytes)
{
    mfile *f = (mfile *)file;
    if (!f || bytes < 0 || !f->m->data)
        return -1;
    size_t left = f->m->len - f->pos, n = (size_t)bytes < left ? (size_t)bytes : left;
    memcpy(buf, f->m->data + f->pos, n);
    f->pos += n;
    return (int)n;
}

static int m_write(struct mspack_file *file, void *buf, int bytes)
{
    mfile *f = (mfile *)file;
    if (!f || bytes < 0 || !f->m->out)
        return -1;
    if (vgbuf_append(f->m->out, buf, (size_t)bytes) != VG_OK) {
        f->m->over = 1;
        return -1;
    }
    return bytes;
}

static int m_seek(struct mspack_file *file, off_t off, int mode)
{
    mfile *f = (mfile *)file;
    if (!f || !f->m->data)
        return -1;
    off_t base = mode == MSPACK_SYS_SEEK_START ? 0
                 : mode == MSPACK_SYS_SEEK_CUR ? (off_t)f->pos : (off_t)f->m->len;
    if ((off > 0 && base > (off_t)f->m->len - off) || base + off < 0 ||
        base + off > (off_t)f->m->len)
        return -1;
    f->pos = (size_t)(base + off);
    return 0;
}

static off_t m_tell(struct mspack_file *file)
{
    mfile *f = (mfile *)file;
    return f ? (off_t)f->pos : -1;
}

static void m_message(struct mspack_file *file, const char *fmt, ...)
{
    (void)file;
    (void)fmt;
}

static void *m_alloc(struct mspack_system *self, size_t n)
{
    (void)self;
    return malloc(n);
}

static void m_free(void *p) { free(p); }

static void m_copy(void *src, void *dst, size_t n) { memmove(dst, src, n); }

static struct mspack_system memsys = {
    m_open, m_close, m_read, m_write, m_seek, m_tell, m_message,
    m_alloc, m_free, m_copy, NULL,
};

/* Run extract(out-name) into a capped buffer and emit the result. */
static vg_status emit_out(const vgarc_sink *sink, const char *name, int err, mem *out)
{
    if (out->over)
        return vgdoc_emit(sink, name, NULL, 0, VG_ELIMIT);
    if (err != MSPACK_ERR_OK) {
        vgdoc_warn(sink, "mspack: damaged member");
        if (!out->out->len)
            return VG_OK;
    }
    return vgdoc_emit(sink, name, out->out->data, out->out->len, VG_OK);
}

static vg_status szdd(const uint8_t *data, size_t len, const vgarc_sink *sink)
{
    struct msszdd_decompressor *d = mspack_create_szdd_decompressor(&memsys);
    if (!d)
        return VG_ENOMEM;
    mem in = {data, len, NULL, 0};
    vg_status st = VG_OK;
    struct msszddd_header *h = d->open(d, (const char *)&in);
    if (!h) {
        vgdoc_warn(sink, "szdd: unreadable header");
        st = VG_EFORMAT;
    } else if (h->length < 0 || (uint64_t)h->length > sink->max_member) {
        st = vgdoc_emit(sink, "", NULL, 0, VG_ELIMIT);
    } else {
        vgbuf b;
        vgdoc_buf(&b, sink);
        mem out = {NULL, 0, &b, 0};
        int err = d->extract(d, h, (const char *)&out);
        st = emit_out(sink, "", err, &out);
        vgbuf_free(&b);
    }
    if (h)
        d->close(d, h);
    mspack_destroy_szdd_decompressor(d);
    return st;
}

static vg_status chm(const uint8_t *data, size_t len, const vgarc_sink *sink)
{
    struct mschm_decompressor *d = mspack_create_chm_decompressor(&memsys);
    if (!d)
        return VG_ENOMEM;
    mem in = {data, len, NULL, 0};
    vg_status st = VG_OK;
    struct mschmd_header *h = d->open(d, (const char *)&in);
    if (!h) {
        vgdoc_warn(sink, "chm: unreadable header");
        mspack_destroy_chm_decompressor(d);
        return VG_EFORMAT;
    }
    unsigned n = 0;
    uint64_t span = sink->max_member > UINT64_MAX / CHM_MAX_SPAN_FACTOR
                        ? UINT64_MAX : sink->max_member * CHM_MAX_SPAN_FACTOR;
    uint64_t cost = 0;
    uint64_t budget = sink->limits ? sink->limits->max_scansize : UINT64_MAX;
    for (struct mschmd_file *f = h->files; f && st == VG_OK; f = f->next) {
        if (++n > CHM_MAX_FILES) {
            vgdoc_warn(sink, "chm: too many files");
            break;
        }
        if (f->length <= 0)
            continue;
        const char *name = f->filename ? f->filename : "";
        if ((uint64_t)f->length > sink->max_member ||
            (f->section->id == 1 && (f->offset < 0 || (uint64_t)f->offset > span))) {
            st = vgdoc_emit(sink, name, NULL, 0, VG_ELIMIT);
            continue;
        }
        if (f->section->id == 1) {
            /* without a usable reset table libmspack decompresses the
             * section from its start for each file: count that */
            cost += (uint64_t)f->offset + (uint64_t)f->length;
            if (cost > budget) {
                if (sink->limit)
                    sink->limit(sink->user, VG_LIMIT_SCANSIZE, name);
                break;
            }
        }
        vgbuf b;
        vgdoc_buf(&b, sink);
        mem out = {NULL, 0, &b, 0};
        int err = d->extract(d, f, (const char *)&out);
        st = emit_out(sink, name, err, &out);
        vgbuf_free(&b);
    }
    d->close(d, h);
    mspack_destroy_chm_decompressor(d);
    return st;
}

vg_status vgmspack_extract(vgft_type t, const uint8_t *data, size_t len,
                           const vgarc_sink *sink)
{
    if (t == VGFT_SZDD)
        return szdd(data, len, sink);
    if (t == VGFT_CHM)
        return chm(data, len, sink);
    return VG_EINVAL;
}
