/* fmt/arc_la.c - archive and compressed-stream extraction with libarchive
 * (contract in arc.h).
 *
 * One libarchive reader per call, reading the caller's bytes in memory
 * through our own read/skip/seek callbacks, which hand out at most BLOCK
 * bytes at a time and so know how far libarchive has read (see "Bombs").
 * The reader gets only what the detected type needs:
 *
 *   archives     the one format reader for the type (zip, 7zip, rar+rar5,
 *                tar, cpio, ar, cab, iso9660, xar, lha); no filters.
 *   compressors  the one decompression filter for the type + the "raw"
 *                format, so exactly one layer is peeled and the stream
 *                comes back as a single member (.tar.gz -> the .tar).
 *
 * Never archive_read_support_filter_all: it registers filters (lrzip,
 * grzip, lzop without liblzo) that run external programs on the input.
 * A filter that libarchive can only provide through an external program is
 * refused (VG_EUNSUPPORTED).
 *
 * Memory: at most one member is held, in a vgbuf whose ceiling is
 * sink->max_member; a member that grows past it is dropped and reported.
 * Bombs: once a member passes limits->ratio_min_size, its size divided by
 * the compressed bytes it can have cost must stay <= limits->max_ratio,
 * else it is dropped and reported. The cost is bounded from above, so the
 * guard never refuses a member whose true ratio is within the limit:
 * libarchive cannot have decompressed bytes it was not handed, so the cost
 * is at most the bytes handed out since the member started plus those it
 * held unconsumed at that moment (our offset minus its consumed position;
 * both move together on a seek). A single stream counts from its first
 * byte, so its cost is at most the whole input. libarchive's consumed
 * position alone (archive_filter_bytes) is no measure: formats consume
 * lazily (tar hands out a stored member from one read-ahead block and
 * consumes it afterwards) and seek (7z reads its header at the end of the
 * file before the data at the front).
 *
 * Termination: every libarchive loop is bounded (MAX_HEADERS headers per
 * container, MAX_STALLS consecutive calls that return no data); a FATAL
 * status ends the container, a FAILED data read ends one member. Either
 * way sink->warning is called, and the bytes of the damaged member read so
 * far still go to sink->member (few readers hand any out: libarchive's
 * gzip, zip and tar readers drop a block they cannot complete).
 *
 * libarchive quirks met here:
 *  - the raw format accepts anything, so when the filter did not recognise
 *    the stream raw hands back the input unchanged; that is checked
 *    (archive_filter_code) and reported as a damaged stream, otherwise the
 *    pipeline would recurse into the same bytes;
 *  - the raw format's pathname is always "data"; gzip's stored name is read
 *    from the gzip header here instead;
 *  - the lz4 filter does not step over leading skippable frames (the zstd
 *    one does); that is done here;
 *  - skipping the rest of a dropped member means decompressing it for
 *    solid formats (7z); for a single stream nothing follows, so the
 *    reader is closed at once instead of asked for another header. */
#include "arc.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/rd.h"
#include "fmt/zipold.h"

/* ---------------------------------------------------------------- limits */

#define CHUNK (64u * 1024)     /* one archive_read_data call */
#define BLOCK (64u * 1024)     /* one read callback: bounds the cost error */
#define MAX_HEADERS 1000000u   /* entries read from one container */
#define MAX_STALLS 16u         /* consecutive calls giving no data */
#define GZ_NAME_MAX 1024u      /* longest gzip FNAME kept */
#define MAX_SKIPPABLE 8u       /* lz4 skippable frames stepped over */

/* ----------------------------------------------------------------- state */

typedef struct xstate {
    struct archive *a;
    const vgarc_sink *sink;
    vgft_type t;
    const uint8_t *data;
    size_t len;        /* input bytes */
    size_t off;        /* next input byte handed to libarchive */
    uint64_t handed;   /* bytes handed out or skipped, all seeks included */
    int single;        /* compressor: one member through the raw format */
    int done;          /* stop reading (fatal error or single stream over) */
    int damaged;       /* a libarchive call failed */
    unsigned handled;  /* members passed to or reported through the sink */
    uint8_t *chunk;    /* CHUNK bytes */
    char gzname[GZ_NAME_MAX + 1];
} xstate;

static const uint8_t empty[1];

/* ------------------------------------------------------------ reporting */

static void warn(xstate *x, const char *fallback)
{
    const char *msg = archive_error_string(x->a);
    x->damaged = 1;
    if (x->sink->warning)
        x->sink->warning(x->sink->user, msg && *msg ? msg : fallback);
}

static void report_limit(xstate *x, unsigned which, const char *name)
{
    x->handled++;
    if (x->sink->limit)
        x->sink->limit(x->sink->user, which, name);
}

static const char *enc_kind(vgft_type t)
{
    switch (t) {
    case VGFT_ZIP: return "Zip";
    case VGFT_RAR: return "RAR";
    case VGFT_7Z: return "7Zip";
    default: return "Archive";
    }
}

static void report_encrypted(xstate *x, const char *name)
{
    x->handled++;
    if (x->sink->encrypted)
        x->sink->encrypted(x->sink->user, enc_kind(x->t), name);
}

/* ------------------------------------------------------------- callbacks */

static la_ssize_t cb_read(struct archive *a, void *user, const void **buf)
{
    xstate *x = user;
    size_t n = x->len - x->off;
    (void)a;
    if (n > BLOCK)
        n = BLOCK;
    *buf = n ? x->data + x->off : empty;
    x->off += n;
    x->handed += n;
    return (la_ssize_t)n;
}

static la_int64_t cb_skip(struct archive *a, void *user, la_int64_t req)
{
    xstate *x = user;
    size_t left = x->len - x->off;
    (void)a;
    if (req <= 0)
        return 0;
    if ((uint64_t)req > left)
        req = (la_int64_t)left;
    x->off += (size_t)req;
    x->handed += (uint64_t)req;
    return req;
}

static la_int64_t cb_seek(struct archive *a, void *user, la_int64_t off,
                          int whence)
{
    xstate *x = user;
    la_int64_t base = whence == SEEK_SET ? 0
                      : whence == SEEK_CUR ? (la_int64_t)x->off
                                           : (la_int64_t)x->len;
    (void)a;
    if (off < -base || off > (la_int64_t)x->len - base)
        return ARCHIVE_FATAL;
    x->off = (size_t)(base + off);
    return (la_int64_t)x->off;
}

static int open_reader(xstate *x)
{
    struct archive *a = x->a;
    if (archive_read_set_read_callback(a, cb_read) != ARCHIVE_OK ||
        archive_read_set_skip_callback(a, cb_skip) != ARCHIVE_OK ||
        archive_read_set_seek_callback(a, cb_seek) != ARCHIVE_OK ||
        archive_read_set_callback_data(a, x) != ARCHIVE_OK)
        return ARCHIVE_FATAL;
    return archive_read_open1(a);
}

/* ---------------------------------------------------------------- setup */

static int is_single(vgft_type t)
{
    return t == VGFT_GZ || t == VGFT_BZ2 || t == VGFT_XZ || t == VGFT_LZMA ||
           t == VGFT_ZSTD || t == VGFT_LZ4;
}

/* Register the one reader the type needs. ARCHIVE_WARN from a filter means
 * "works through an external program": refused. */
static vg_status setup(struct archive *a, vgft_type t)
{
    int r;
    switch (t) {
    case VGFT_GZ: r = archive_read_support_filter_gzip(a); break;
    case VGFT_BZ2: r = archive_read_support_filter_bzip2(a); break;
    case VGFT_XZ: r = archive_read_support_filter_xz(a); break;
    case VGFT_LZMA: r = archive_read_support_filter_lzma(a); break;
    case VGFT_ZSTD: r = archive_read_support_filter_zstd(a); break;
    case VGFT_LZ4: r = archive_read_support_filter_lz4(a); break;
    case VGFT_ZIP: r = archive_read_support_format_zip(a); break;
    case VGFT_7Z: r = archive_read_support_format_7zip(a); break;
    case VGFT_RAR:
        r = archive_read_support_format_rar(a);
        if (r == ARCHIVE_OK)
            r = archive_read_support_format_rar5(a);
        break;
    case VGFT_TAR: r = archive_read_support_format_tar(a); break;
    case VGFT_CPIO: r = archive_read_support_format_cpio(a); break;
    case VGFT_AR: r = archive_read_support_format_ar(a); break;
    case VGFT_CAB: r = archive_read_support_format_cab(a); break;
    case VGFT_ISO9660: r = archive_read_support_format_iso9660(a); break;
    case VGFT_XAR: r = archive_read_support_format_xar(a); break;
    case VGFT_LHA: r = archive_read_support_format_lha(a); break;
    default: return VG_EINVAL;
    }
    if (r != ARCHIVE_OK)
        return VG_EUNSUPPORTED;
    if (is_single(t) && archive_read_support_format_raw(a) != ARCHIVE_OK)
        return VG_EUNSUPPORTED;
    return VG_OK;
}

static int filter_code(vgft_type t)
{
    switch (t) {
    case VGFT_GZ: return ARCHIVE_FILTER_GZIP;
    case VGFT_BZ2: return ARCHIVE_FILTER_BZIP2;
    case VGFT_XZ: return ARCHIVE_FILTER_XZ;
    case VGFT_LZMA: return ARCHIVE_FILTER_LZMA;
    case VGFT_ZSTD: return ARCHIVE_FILTER_ZSTD;
    case VGFT_LZ4: return ARCHIVE_FILTER_LZ4;
    default: return ARCHIVE_FILTER_NONE;
    }
}

/* gzip (RFC 1952): ID1 ID2 CM FLG MTIME(4) XFL OS, then if FLG.FEXTRA a
 * u16 LE length and that many bytes, then if FLG.FNAME a NUL-terminated
 * name. Leaves `out` empty when the name is absent, unterminated or longer
 * than GZ_NAME_MAX. */
static void gz_name(const uint8_t *data, size_t len, char *out)
{
    vgrd r;
    const uint8_t *h, *name;
    uint16_t xlen;
    out[0] = 0;
    vgrd_init(&r, data, len);
    h = vgrd_take(&r, 10);
    if (!h || h[0] != 0x1f || h[1] != 0x8b || !(h[3] & 0x08))
        return;
    if ((h[3] & 0x04) &&
        (vgrd_u16le(&r, &xlen) != VG_OK || vgrd_skip(&r, xlen) != VG_OK))
        return;
    size_t room = vgrd_left(&r);
    name = vgrd_span(&r, r.pos, room);
    const uint8_t *nul = name ? memchr(name, 0, room) : NULL;
    if (!nul || (size_t)(nul - name) > GZ_NAME_MAX)
        return;
    memcpy(out, name, (size_t)(nul - name) + 1);
}

/* lz4 (like zstd) allows "skippable frames" (u32 LE 0x184D2A5?, u32 LE
 * size, payload) before the data; libarchive's zstd filter steps over them,
 * its lz4 filter does not, so they are stepped over here. Returns the
 * offset of the first other frame (0 when there is no skippable frame). */
static size_t lz4_skippable(const uint8_t *data, size_t len)
{
    vgrd r;
    uint32_t magic, size;
    size_t off = 0;
    vgrd_init(&r, data, len);
    for (unsigned i = 0; i < MAX_SKIPPABLE; i++) {
        if (vgrd_u32le(&r, &magic) != VG_OK ||
            (magic & 0xfffffff0u) != 0x184d2a50u ||
            vgrd_u32le(&r, &size) != VG_OK || vgrd_skip(&r, size) != VG_OK)
            break;
        off = r.pos;
    }
    return off;
}

/* ---------------------------------------------------------------- data */

/* Upper bound of the compressed bytes a member can have cost so far is
 * x->handed - base (see the top of the file); base is taken when the
 * member starts. */
static uint64_t cost_base(const xstate *x)
{
    if (x->single)
        return 0;
    int64_t pos = archive_filter_bytes(x->a, -1);
    uint64_t held = 0;
    if (pos >= 0 && (uint64_t)pos < x->off)
        held = x->off - (uint64_t)pos;
    return held < x->handed ? x->handed - held : 0;
}

/* Does a member of `out` bytes so far break the ratio limit? Only checked
 * past ratio_min_size; max_ratio 0 disables it. */
static int ratio_exceeded(const xstate *x, uint64_t out, uint64_t base)
{
    const vg_limits *l = x->sink->limits;
    if (!l || l->max_ratio == 0 || out <= l->ratio_min_size)
        return 0;
    uint64_t cost = x->handed - base;
    return out / (cost ? cost : 1) > l->max_ratio;
}

/* Read the current entry's data into `b`. Returns VG_OK with `*keep` set
 * when the member is complete, or damaged but with some bytes read (those
 * are scanned, as ClamAV scans a truncated stream); VG_OK with `*keep`
 * clear when it was dropped (limit reported) or nothing was read before
 * the damage; or VG_ENOMEM. */
static vg_status read_data(xstate *x, const char *name, vgbuf *b, int *keep)
{
    const vgarc_sink *s = x->sink;
    uint64_t base = cost_base(x);
    unsigned stalls = 0;
    *keep = 0;
    for (;;) {
        la_ssize_t n = archive_read_data(x->a, x->chunk, CHUNK);
        if (n == 0)
            break;
        if (n == ARCHIVE_WARN || n == ARCHIVE_RETRY) {
            if (++stalls <= MAX_STALLS)
                continue;
            warn(x, "archive data read makes no progress");
            x->done = 1;
            *keep = b->len > 0;
            return VG_OK;
        }
        if (n < 0) {
            warn(x, "damaged archive data");
            if (n == ARCHIVE_FATAL || x->single)
                x->done = 1;
            *keep = b->len > 0;
            return VG_OK;
        }
        stalls = 0;
        if ((uint64_t)n > s->max_member - b->len) {
            report_limit(x, s->max_member_limit, name);
            return VG_OK;
        }
        if (ratio_exceeded(x, b->len + (uint64_t)n, base)) {
            report_limit(x, VG_LIMIT_RATIO, name);
            return VG_OK;
        }
        vg_status st = vgbuf_append(b, x->chunk, (size_t)n);
        if (st != VG_OK)
            return st == VG_ELIMIT ? VG_OK : st; /* ELIMIT: cannot happen */
    }
    *keep = 1;
    return VG_OK;
}

static const char *entry_name(xstate *x, struct archive_entry *e)
{
    if (x->single)
        return x->gzname;
    const char *n = archive_entry_pathname(e);
    if (!n)
        n = archive_entry_pathname_utf8(e);
    return n ? n : "";
}

/* One entry: skip what is not file data, report what is encrypted or too
 * big, else read it and hand it to the sink. Returns the sink's status
 * (VGARC_STOP included) or VG_ENOMEM. */
static vg_status do_entry(xstate *x, struct archive_entry *e)
{
    const vgarc_sink *s = x->sink;
    const char *name = entry_name(x, e);
    int sized = archive_entry_size_is_set(e);
    int64_t size = archive_entry_size(e);

    unsigned ft = archive_entry_filetype(e);
    if (ft != AE_IFREG && ft != 0) /* 0: no type bits stored (ar) */
        return VG_OK;
    if (archive_entry_hardlink(e) && (!sized || size == 0))
        return VG_OK; /* a link to data stored under another entry */
    if (archive_entry_is_encrypted(e)) {
        report_encrypted(x, name);
        return VG_OK;
    }
    if (sized && size > 0 && (uint64_t)size > s->max_member) {
        report_limit(x, s->max_member_limit, name);
        return VG_OK;
    }

    vgbuf b;
    int keep;
    vgbuf_init(&b, s->max_member < SIZE_MAX ? (size_t)s->max_member : SIZE_MAX);
    vg_status st = read_data(x, name, &b, &keep);
    if (st == VG_OK && keep) {
        x->handled++;
        st = s->member(s->user, name, b.data ? b.data : empty, b.len);
    } else if (x->single) {
        x->done = 1; /* nothing follows; do not make libarchive skip */
    }
    vgbuf_free(&b);
    return st;
}

/* A header read failed. When it is the first one and libarchive has met
 * encrypted metadata (7z -mhe, rar -hp), that is reported as encryption. */
static void header_failed(xstate *x, int first)
{
    x->done = 1;
    if (first && archive_read_has_encrypted_entries(x->a) > 0) {
        report_encrypted(x, "");
        return;
    }
    warn(x, "damaged archive header");
}

/* ----------------------------------------------------------------- loop */

static vg_status run(xstate *x)
{
    unsigned stalls = 0;
    for (unsigned nh = 0; !x->done; nh++) {
        struct archive_entry *e;
        if (nh >= MAX_HEADERS) {
            if (x->sink->warning)
                x->sink->warning(x->sink->user, "too many archive entries");
            break;
        }
        int r = archive_read_next_header(x->a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r == ARCHIVE_RETRY) {
            if (++stalls > MAX_STALLS) {
                warn(x, "archive header read makes no progress");
                break;
            }
            continue;
        }
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            header_failed(x, nh == 0);
            break;
        }
        stalls = 0;
        if (x->single && archive_filter_code(x->a, 0) != filter_code(x->t)) {
            x->damaged = 1;
            if (x->sink->warning)
                x->sink->warning(x->sink->user,
                                 "not a valid compressed stream");
            break;
        }
        vg_status st = do_entry(x, e);
        if (st != VG_OK)
            return st;
        if (x->single)
            break; /* the raw format has exactly one entry */
    }
    return (x->damaged && x->handled == 0) ? VG_EFORMAT : VG_OK;
}

vg_status vgarc_extract(vgft_type t, const uint8_t *data, size_t len,
                        const vgarc_sink *sink)
{
    if (!sink || !sink->member || (!data && len) || !vgft_is_container(t))
        return VG_EINVAL;

    xstate x;
    memset(&x, 0, sizeof x);
    x.sink = sink;
    x.t = t;
    x.data = data;
    x.len = len;
    x.single = is_single(t);
    if (t == VGFT_GZ)
        gz_name(data, len, x.gzname);
    if (t == VGFT_LZ4) {
        size_t off = lz4_skippable(data, len);
        if (off) { /* libarchive sees the stream from the first frame */
            x.data += off; /* that is not skippable */
            x.len -= off;
        }
    }
    x.chunk = malloc(CHUNK);
    x.a = archive_read_new();
    if (!x.chunk || !x.a) {
        free(x.chunk);
        if (x.a)
            archive_read_free(x.a);
        return VG_ENOMEM;
    }

    vg_status st = setup(x.a, t);
    if (st == VG_OK) {
        if (open_reader(&x) != ARCHIVE_OK) {
            warn(&x, "unreadable archive");
            st = VG_EFORMAT;
        } else {
            st = run(&x);
        }
    }
    /* methods libarchive refuses (implode, Deflate64): zipold.c */
    if (t == VGFT_ZIP && (st == VG_OK || st == VG_EFORMAT)) {
        vg_status zs = vgzipold_extract(data, len, sink);
        if (zs != VG_OK)
            st = zs;
    }
    archive_read_free(x.a);
    free(x.chunk);
    return st == VGARC_STOP ? VG_OK : st;
}
