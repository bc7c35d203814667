/* fmt/docs.h - document, mail and old-archive formats vigil reads with its
 * own bounded parsers (or libmspack), beside fmt/arc_la.c's libarchive
 * formats: mail and mbox (MIME), HTML data: URIs, BinHex 4.0, RTF embedded
 * objects, OLE2 compound files, SZDD, CHM, Symbian SIS and ARJ.
 *
 * Same contract as vgarc_extract (fmt/arc.h): members go to sink->member one
 * at a time, in memory; a member larger than sink->max_member is dropped and
 * reported through sink->limit; counting files, depth and total bytes is the
 * pipeline's job. Every module enforces its own count and nesting ceilings
 * (named in its file) so that no input makes it loop or recurse unbounded. */
#ifndef VG_FMT_DOCS_H
#define VG_FMT_DOCS_H

#include "core/buf.h"
#include "fmt/arc.h"

/* Nonzero for the types vgdoc_extract reads. */
int vgdoc_handles(vgft_type t);

/* Extract the members of `data` of type `t`: VG_OK when read to the end or
 * stopped by the sink, VG_EFORMAT when nothing could be read (sink->warning
 * called), or the status a sink callback returned. */
vg_status vgdoc_extract(vgft_type t, const uint8_t *data, size_t len,
                        const vgarc_sink *sink);

/* ---- per-format entry points (one module each), same contract ---- */
vg_status vgmail_extract(const uint8_t *data, size_t len, const vgarc_sink *sink);
vg_status vghtml_extract(const uint8_t *data, size_t len, const vgarc_sink *sink);
vg_status vgbinhex_extract(const uint8_t *data, size_t len, const vgarc_sink *sink);
vg_status vgrtf_extract(const uint8_t *data, size_t len, const vgarc_sink *sink);
vg_status vgole2_extract(const uint8_t *data, size_t len, const vgarc_sink *sink);
vg_status vgarj_extract(const uint8_t *data, size_t len, const vgarc_sink *sink);
vg_status vgsis_extract(const uint8_t *data, size_t len, const vgarc_sink *sink);
vg_status vgmspack_extract(vgft_type t, const uint8_t *data, size_t len,
                           const vgarc_sink *sink);

/* ---- helpers shared by the modules (docs.c) ---- */

/* A buffer for one decoded member, capped at the sink's member ceiling. */
void vgdoc_buf(vgbuf *b, const vgarc_sink *sink);

/* Hand a member to the sink. `st` is the status that produced the bytes:
 * VG_ELIMIT means the member passed the ceiling, so it is reported through
 * sink->limit and dropped (VG_OK returned, extraction goes on). Returns the
 * sink's status (VG_OK, VGARC_STOP, or an error). */
vg_status vgdoc_emit(const vgarc_sink *sink, const char *name, const uint8_t *p,
                     size_t n, vg_status st);

void vgdoc_warn(const vgarc_sink *sink, const char *msg);

/* Hand over a member a decoder wrote into b, by the decoder's status st:
 * VG_ELIMIT reports limit `which` and drops it; VG_OK hands b over;
 * VG_EFORMAT hands over what was decoded before the damage (warning
 * `damaged` either way) or, with nothing decoded, only warns. Returns
 * VG_OK or the sink's status; other statuses are returned as they are. */
vg_status vgdoc_emit_decoded(const vgarc_sink *sink, const char *name, vg_status st,
                             const vgbuf *b, unsigned which, const char *damaged);

/* Inflate the zlib stream p[0..n) into b (capped). Stops with VG_ELIMIT at
 * b's ceiling, or with VG_ELIMIT and *ratio = 1 when the output passes
 * lim->ratio_min_size at more than lim->max_ratio times n. A damaged stream
 * keeps what came out before the damage (VG_OK). */
vg_status vgdoc_inflate(const uint8_t *p, size_t n, const vg_limits *lim, vgbuf *b,
                        int *ratio);

/* The file inside Object Packager ("Package") native data: u16 2, label
 * (NUL-terminated), source path (NUL), u32 0x00030000, u32 length +
 * temporary path, u32 size + the file's bytes. Returns a pointer into p and
 * sets *flen and nm (the label), or NULL when p does not parse. */
const uint8_t *vgdoc_package(const uint8_t *p, size_t n, size_t *flen, char *nm,
                             size_t cap);

#endif
