/* ftype/magic.h - file-type detection by magic bytes.
 *
 * vgft_detect looks only at the first bytes of an object (and a few fixed
 * offsets, e.g. ustar at 257, CD001 at 0x8001) and never reads past `len`.
 * Each type maps to the ClamAV target type its signatures use and to the
 * ClamAV CL_TYPE_* name (for --json and, later, .ldb Container checks). */
#ifndef VG_FTYPE_MAGIC_H
#define VG_FTYPE_MAGIC_H

#include <stddef.h>
#include <stdint.h>

typedef enum vgft_type {
    VGFT_BINARY = 0, /* nothing more specific: CL_TYPE_BINARY_DATA */
    VGFT_TEXT,       /* ASCII/UTF-8 text: CL_TYPE_TEXT_ASCII, target 7 */
    VGFT_HTML,       /* target 3 */
    VGFT_MAIL,       /* target 4 */
    VGFT_PE,         /* MZ + PE header: target 1 */
    VGFT_MSDOS,      /* MZ without a PE header */
    VGFT_ELF,        /* target 6 */
    VGFT_MACHO,      /* target 9 */
    VGFT_MACHO_UNIBIN,
    VGFT_OLE2,       /* target 2 */
    VGFT_PDF,        /* target 10 */
    VGFT_GIF, VGFT_PNG, VGFT_JPEG, VGFT_TIFF, /* graphics: target 5 */
    VGFT_SWF,        /* target 11 */
    VGFT_JAVA,       /* class file: target 12 */
    VGFT_RTF,
    /* containers with their own readers (fmt/docs.h) */
    VGFT_BINHEX, VGFT_SZDD, VGFT_CHM, VGFT_SIS, VGFT_ARJ,
    /* containers libarchive reads */
    VGFT_ZIP, VGFT_7Z, VGFT_RAR, VGFT_TAR, VGFT_CPIO, VGFT_AR, VGFT_CAB,
    VGFT_ISO9660, VGFT_XAR, VGFT_LHA,
    /* single-stream compressors libarchive reads through its raw format */
    VGFT_GZ, VGFT_BZ2, VGFT_XZ, VGFT_LZMA, VGFT_ZSTD, VGFT_LZ4,
    VGFT_COUNT
} vgft_type;

vgft_type vgft_detect(const uint8_t *p, size_t len);

/* ClamAV target type whose signatures apply to the raw bytes of this type
 * (0 when only target-0 signatures apply). */
int vgft_target(vgft_type t);

/* "CL_TYPE_ZIP" etc. */
const char *vgft_clname(vgft_type t);

/* Nonzero for types whose members are extracted (archives, compressors,
 * and mail, HTML, RTF and OLE2, whose embedded objects are). */
int vgft_is_container(vgft_type t);

/* Nonzero for types whose bytes are also scanned lower-cased (ClamAV's text
 * normalisation: ASCII text and HTML). */
int vgft_is_text(vgft_type t);

#endif
