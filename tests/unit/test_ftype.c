/* tests/unit/test_ftype.c - file-type detection (ftype/magic.c).
 *
 * Samples are small byte arrays, files made at run time with the system
 * tools (tar, zip, 7z, cpio, genisoimage, ...) in a temporary directory,
 * and the clamav-testfiles package. Every sample is copied into a buffer of
 * exactly its length, and detection is also run on every prefix, so an
 * AddressSanitizer build catches any read past `len`. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ftype/magic.h"
#include "tap.h"

#define TESTFILES "/usr/share/clamav-testfiles/"

static char tmpdir[] = "/tmp/vg_ftype_XXXXXX";

/* Detect on an exact-size heap copy (ASan then flags any over-read). */
static vgft_type detect_exact(const void *p, size_t len)
{
    uint8_t *q = malloc(len ? len : 1);
    if (!q)
        return VGFT_COUNT;
    if (len)
        memcpy(q, p, len);
    vgft_type t = vgft_detect(q, len);
    free(q);
    return t;
}

/* Every prefix (up to max bytes) is detected without reading past it. */
static int prefixes_safe(const uint8_t *p, size_t len, size_t max)
{
    size_t n = len < max ? len : max;
    for (size_t i = 0; i <= n; i++)
        if (detect_exact(p, i) == VGFT_COUNT)
            return 0;
    return 1;
}

static vgft_type detect_path(const char *path)
{
    size_t len;
    uint8_t *p = tap_read_file(path, &len);
    if (!p)
        return VGFT_COUNT;
    vgft_type t = detect_exact(p, len);
    free(p);
    return t;
}

/* Run a shell command inside the temporary directory. */
static int sh(const char *fmt, ...)
{
    char cmd[4096], full[4400];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof cmd)
        return -1; /* never run a truncated command */
    snprintf(full, sizeof full, "cd %s && (%s) >/dev/null 2>&1", tmpdir, cmd);
    return system(full);
}

/* Type of a file the command made in the temporary directory. */
static vgft_type made(const char *file, const char *cmd)
{
    char path[256];
    if (sh("%s", cmd) != 0)
        return VGFT_COUNT;
    snprintf(path, sizeof path, "%s/%s", tmpdir, file);
    return detect_path(path);
}

#define DET(arr) detect_exact(arr, sizeof(arr) - 1)

static void test_executables(void)
{
    uint8_t pe[0x80] = {'M', 'Z'};
    pe[0x3c] = 0x40;
    memcpy(pe + 0x40, "PE\0\0", 4);
    TAP_OK(detect_exact(pe, sizeof pe) == VGFT_PE,
           "MZ whose e_lfanew points at PE\\0\\0 is PE");
    TAP_OK(detect_exact(pe, 0x43) == VGFT_MSDOS,
           "PE signature cut by the end of data gives MSDOS, no over-read");
    pe[0x3c] = 0xfe, pe[0x3d] = 0xff, pe[0x3e] = 0xff, pe[0x3f] = 0xff;
    TAP_OK(detect_exact(pe, sizeof pe) == VGFT_MSDOS,
           "MZ with e_lfanew near 4 GB is MSDOS (offset overflow handled)");
    TAP_OK(DET("MZ") == VGFT_MSDOS, "bare MZ is MSDOS");
    TAP_OK(DET("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0") == VGFT_ELF,
           "ELF magic is ELF");
    TAP_OK(DET("\xfe\xed\xfa\xce\0\0\0\x07") == VGFT_MACHO,
           "feedface (32-bit BE) is Mach-O");
    TAP_OK(DET("\xfe\xed\xfa\xcf\x01\0\0\x07") == VGFT_MACHO,
           "feedfacf (64-bit BE) is Mach-O");
    TAP_OK(DET("\xce\xfa\xed\xfe\x07\0\0\0") == VGFT_MACHO,
           "cefaedfe (32-bit LE) is Mach-O");
    TAP_OK(DET("\xcf\xfa\xed\xfe\x07\0\0\x01") == VGFT_MACHO,
           "cffaedfe (64-bit LE) is Mach-O");
    TAP_OK(DET("\xca\xfe\xba\xbe\0\0\0\x02\x01\0\0\x07") == VGFT_MACHO_UNIBIN,
           "cafebabe with 2 fat archs is a universal binary");
    TAP_OK(DET("\xca\xfe\xba\xbe\0\0\0\x34\0\x10") == VGFT_JAVA,
           "cafebabe with major version 52 is a Java class");
    TAP_OK(DET("\xca\xfe\xba\xbe\0\x03\0\x2d") == VGFT_JAVA,
           "cafebabe 45.3 (JDK 1.0 class) is a Java class");
    TAP_OK(DET("\xca\xfe\xba\xbe") != VGFT_MACHO_UNIBIN,
           "cafebabe cut after the magic is not a universal binary");
}

static void test_documents_and_images(void)
{
    uint8_t pdf[1200];
    memset(pdf, 0x01, sizeof pdf);
    memcpy(pdf + 600, "%PDF-1.4", 8);
    TAP_OK(detect_exact(pdf, sizeof pdf) == VGFT_PDF,
           "%%PDF- at offset 600 after junk is PDF");
    memset(pdf, 0x01, sizeof pdf);
    memcpy(pdf + 1100, "%PDF-1.4", 8);
    TAP_OK(detect_exact(pdf, sizeof pdf) == VGFT_BINARY,
           "%%PDF- beyond the first 1 KB is not PDF");
    TAP_OK(DET("%PDF-1.7\n") == VGFT_PDF, "%%PDF- at 0 is PDF");
    TAP_OK(DET("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0") == VGFT_OLE2,
           "OLE2 magic is OLE2");
    TAP_OK(DET("GIF89a\x01\0\x01\0") == VGFT_GIF, "GIF89a is GIF");
    TAP_OK(DET("GIF87a\x01\0\x01\0") == VGFT_GIF, "GIF87a is GIF");
    TAP_OK(DET("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR") == VGFT_PNG, "PNG magic is PNG");
    TAP_OK(DET("\xff\xd8\xff\xe0\0\x10JFIF") == VGFT_JPEG, "JPEG SOI is JPEG");
    TAP_OK(DET("II*\0\x08\0\0\0") == VGFT_TIFF, "little-endian TIFF");
    TAP_OK(DET("MM\0*\0\0\0\x08") == VGFT_TIFF, "big-endian TIFF");
    TAP_OK(DET("FWS\x0a\x40\0\0\0\x78\0\x05") == VGFT_SWF, "FWS v10 is SWF");
    TAP_OK(DET("CWS\x0a\x40\x10\0\0\x78\x9c") == VGFT_SWF,
           "CWS with a zlib header is SWF");
    TAP_OK(DET("FWS is an acronym in this sentence.\n") == VGFT_TEXT,
           "text starting with FWS stays TEXT (SWF length implausible)");
    TAP_OK(DET("{\\rtf1\\ansi hello}") == VGFT_RTF, "{\\rtf is RTF");
}

static void test_text_kinds(void)
{
    TAP_OK(DET(" \r\n\t<!DOCTYPE HTML>\n<html><body>x</body></html>") == VGFT_HTML,
           "leading white space then <!DOCTYPE HTML> is HTML");
    TAP_OK(DET("<HTML><HEAD><TITLE>t</TITLE></HEAD></HTML>") == VGFT_HTML,
           "upper-case <HTML> is HTML");
    TAP_OK(DET("\xef\xbb\xbf<script>alert(1)</script>") == VGFT_HTML,
           "UTF-8 BOM then <script> is HTML");
    TAP_OK(DET("Some notes\nand then <Script src=x></script>\n") == VGFT_HTML,
           "text holding a <script> tag is HTML");
    TAP_OK(DET("<table>\xe9\xe8\xe0\xf9\xe9\xe8\xe0\xf9\xe9\xe8</table>") == VGFT_HTML,
           "<table> is HTML despite Latin-1 bytes");
    TAP_OK(DET("<body>\xe9\xe8\xe0\xf9\xe9\xe8\xe0\xf9\xe9\xe8</body>") == VGFT_BINARY,
           "<body> alone does not make HTML (clamscan neither)");
    TAP_OK(DET("<title>x</title><meta x><style>") == VGFT_TEXT,
           "<title>, <meta>, <style> do not make HTML");
    TAP_OK(DET("x <iframe src=y>") == VGFT_HTML && DET("x <Iframe src=y>") == VGFT_TEXT,
           "<iframe> is HTML, the <Iframe> spelling is not");
    TAP_OK(DET("x <html>") == VGFT_HTML && DET("x <html lang=en>") == VGFT_TEXT,
           "<html> counts only when closed at once");
    TAP_OK(DET("see <a x=1\nHRef=y>") == VGFT_HTML && DET("see <a HReF=y>") == VGFT_TEXT &&
               DET("href then <a x") == VGFT_TEXT && DET("<a\thref=y>") == VGFT_TEXT,
           "\"<a \" then a later href (8 spellings) is HTML");
    TAP_OK(DET("\1\2\3\16\17 <script>") == VGFT_HTML, "control bytes do not stop <script> typing");
    TAP_OK(DET("ab\0\0cd <script>") == VGFT_BINARY, "a NUL in the first 4 KB does");
    TAP_OK(DET("MZ\0\0<script>") != VGFT_HTML, "a magic wins over <script>");
    {
        static uint8_t big[9000];
        memset(big, 'a', sizeof big);
        memcpy(big + 8000, "<SCRIPT", 7);
        TAP_OK(vgft_detect(big, sizeof big) == VGFT_HTML, "<SCRIPT past 4 KB is HTML");
        memcpy(big + 8000, "<sCRIPT", 7);
        TAP_OK(vgft_detect(big, sizeof big) == VGFT_TEXT, "<sCRIPT is not a known spelling");
    }
    TAP_OK(DET("hello <b>world</b>\n") == VGFT_TEXT,
           "text with a harmless tag is TEXT, not HTML");
    TAP_OK(DET("From someone@example.com Mon Jan  1 00:00:00 2024\nSubject: x\n\nhi\n") ==
               VGFT_MAIL,
           "mbox From_ line is MAIL");
    TAP_OK(DET("Received: from mx.example.com by mail\n") == VGFT_MAIL,
           "Received: header is MAIL");
    TAP_OK(DET("return-path: <a@b>\n") == VGFT_MAIL,
           "header names match case-insensitively");
    TAP_OK(DET("MIME-Version: 1.0\nContent-Type: text/plain\n\nx") == VGFT_MAIL,
           "MIME-Version: header is MAIL");
    TAP_OK(DET("From: a@b\r\nTo: c@d\r\n\r\nhi") == VGFT_MAIL,
           "From: followed by another header line is MAIL");
    TAP_OK(DET("Subject: x\n\tcontinued\n\nbody") == VGFT_MAIL,
           "Subject: followed by a folded line is MAIL");
    TAP_OK(DET("To: everyone in the team\nPlease read this.\n") == VGFT_TEXT,
           "a note opening with 'To:' but no second header is TEXT");
    TAP_OK(DET("Date: 2024-01-01") == VGFT_TEXT,
           "a lone 'Date:' line is TEXT");
    TAP_OK(DET("Received: from x\nSubject: see\n\n%PDF-1.4 inline\n") == VGFT_MAIL,
           "a mail quoting %%PDF- in its first 1 KB stays MAIL");
    TAP_OK(DET("Fromage is cheese.\n") == VGFT_TEXT,
           "text starting with 'From' without space or colon is TEXT");
    TAP_OK(DET("plain ASCII text\r\nsecond line\f\n") == VGFT_TEXT,
           "plain ASCII is TEXT");
    TAP_OK(DET("h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9f\x98\x80\n") == VGFT_TEXT,
           "UTF-8 text is TEXT");
    TAP_OK(DET("text with a \0 NUL byte") == VGFT_BINARY,
           "a NUL byte makes it BINARY");
    TAP_OK(detect_exact("", 0) == VGFT_BINARY, "empty input is BINARY");
    TAP_OK(vgft_detect(NULL, 0) == VGFT_BINARY, "NULL input is BINARY");

    char buf[1000];
    memset(buf, 'a', sizeof buf);
    for (int i = 0; i < 40; i++)
        buf[i * 25] = 0x01; /* 4% control bytes */
    TAP_OK(detect_exact(buf, sizeof buf) == VGFT_TEXT,
           "96%% printable is still TEXT");
    for (int i = 0; i < 100; i++)
        buf[i * 10] = 0x01; /* 10% */
    TAP_OK(detect_exact(buf, sizeof buf) == VGFT_BINARY,
           "90%% printable is BINARY");

    uint8_t rnd[4096];
    uint32_t s = 12345;
    for (size_t i = 0; i < sizeof rnd; i++) {
        s = s * 1103515245u + 12345u;
        rnd[i] = (uint8_t)(s >> 16);
    }
    rnd[0] = 0x42; /* not a magic start */
    TAP_OK(detect_exact(rnd, sizeof rnd) == VGFT_BINARY,
           "pseudo-random bytes are BINARY");
    TAP_OK(prefixes_safe(rnd, sizeof rnd, sizeof rnd),
           "every prefix of random bytes is detected in bounds");
}

static void test_archive_magics(void)
{
    TAP_OK(DET("PK\x03\x04\x14\0\0\0\x08\0") == VGFT_ZIP, "PK\\3\\4 is ZIP");
    TAP_OK(DET("PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0") == VGFT_ZIP,
           "empty zip (end record only) is ZIP");
    TAP_OK(DET("PK\x07\x08PK\x03\x04") == VGFT_ZIP, "spanned zip marker is ZIP");
    TAP_OK(DET("7z\xbc\xaf\x27\x1c\0\x04") == VGFT_7Z, "7z magic is 7Z");
    TAP_OK(DET("Rar!\x1a\x07\x00\xcf\x90\x73") == VGFT_RAR, "RAR 4 magic is RAR");
    TAP_OK(DET("Rar!\x1a\x07\x01\x00\x33\x92") == VGFT_RAR, "RAR 5 magic is RAR");
    TAP_OK(DET("070707000000000000") == VGFT_CPIO, "odc cpio magic is CPIO");
    TAP_OK(DET("070701000000000000") == VGFT_CPIO, "newc cpio magic is CPIO");
    TAP_OK(DET("070702000000000000") == VGFT_CPIO, "crc cpio magic is CPIO");
    TAP_OK(DET("!<arch>\ndebian-binary   1342943816  0     0     100644  4         `\n") ==
               VGFT_AR,
           "ar (and .deb) is AR, not TEXT");
    TAP_OK(DET("MSCF\0\0\0\0\x6d\x02\0\0") == VGFT_CAB, "MSCF is CAB");
    TAP_OK(DET("xar!\0\x1c\0\x01") == VGFT_XAR, "xar! is XAR");
    TAP_OK(DET("\x1f\x8b\x08\0\0\0\0\0\0\x03") == VGFT_GZ, "gzip magic is GZ");
    TAP_OK(DET("BZh91AY&SY\x84\xcf") == VGFT_BZ2, "bzip2 block magic is BZ2");
    TAP_OK(DET("BZh9\x17\x72\x45\x38\x50\x90\0\0\0\0") == VGFT_BZ2,
           "empty bzip2 stream (end-of-stream magic) is BZ2");
    TAP_OK(DET("BZh9 is not a stream\n") == VGFT_TEXT,
           "BZh without block magic is not BZ2");
    TAP_OK(DET("\xfd" "7zXZ\0\0\x04") == VGFT_XZ, "xz magic is XZ");
    TAP_OK(DET("\x28\xb5\x2f\xfd\x24\x05") == VGFT_ZSTD, "zstd magic is ZSTD");
    TAP_OK(DET("\x04\x22\x4d\x18\x64\x40") == VGFT_LZ4, "lz4 frame magic is LZ4");
    TAP_OK(DET("\x02\x21\x4c\x18\x07\0\0\0") == VGFT_LZ4, "lz4 legacy magic is LZ4");
    TAP_OK(DET("P*M\x18\x04\0\0\0abcd\x28\xb5\x2f\xfd\x24") == VGFT_ZSTD,
           "zstd behind a skippable frame is ZSTD");
    TAP_OK(DET("Q*M\x18\0\0\0\0\x04\x22\x4d\x18\x64") == VGFT_LZ4,
           "lz4 behind an empty skippable frame is LZ4");
    TAP_OK(DET("P*M\x18\xff\0\0\0abcd\x28\xb5\x2f\xfd\x24") == VGFT_BINARY,
           "skippable frame running past the end is BINARY");
    TAP_OK(DET("\x5d\0\0\x80\0\xff\xff\xff\xff\xff\xff\xff\xff\0\x21\x16\x49\x20") ==
               VGFT_LZMA,
           "lzma-alone header (5d, 8 MB dict, unknown size) is LZMA");
    TAP_OK(DET("\x5d\x39\x30\0\0\xff\xff\xff\xff\xff\xff\xff\xff\0\x21\x16\x49\x20") !=
               VGFT_LZMA,
           "lzma-alone header with a 12345-byte dictionary is not LZMA");
    TAP_OK(DET("\x5d\0\0\x80\0\0\0\0\0\0\x01\0\0\0\x21\x16\x49\x20") != VGFT_LZMA,
           "lzma-alone header with a 2^40 size is not LZMA");

    uint8_t lha[32] = {0x1c, 0x55, '-', 'l', 'h', '5', '-'};
    lha[20] = 1;
    TAP_OK(detect_exact(lha, sizeof lha) == VGFT_LHA, "-lh5- at 2 is LHA");
    lha[20] = 9;
    TAP_OK(detect_exact(lha, sizeof lha) != VGFT_LHA,
           "-lh5- with header level 9 is not LHA");

    static uint8_t iso[0x9800];
    memcpy(iso + 0x8001, "CD001", 5);
    TAP_OK(detect_exact(iso, sizeof iso) == VGFT_ISO9660, "CD001 at 0x8001 is ISO9660");
    memset(iso + 0x8001, 0, 5);
    memcpy(iso + 0x9001, "CD001", 5);
    TAP_OK(detect_exact(iso, sizeof iso) == VGFT_ISO9660, "CD001 at 0x9001 is ISO9660");
    TAP_OK(detect_exact(iso, 0x9005) != VGFT_ISO9660,
           "CD001 cut by the end of data is not ISO9660");
    TAP_OK(prefixes_safe(iso, sizeof iso, sizeof iso),
           "every prefix of an ISO image is detected in bounds");
}

static void test_tool_made(void)
{
    TAP_OK(sh("printf 'hello world\\n' > hello.txt && mkdir -p sub && "
              "cp hello.txt sub/a.txt") == 0,
           "fixture files are created");
    TAP_OK(made("t.zip", "zip -q -X t.zip hello.txt") == VGFT_ZIP, "zip(1) output is ZIP");
    TAP_OK(made("t.7z", "7z a -bd -y t.7z hello.txt") == VGFT_7Z, "7z(1) output is 7Z");
    TAP_OK(made("u.tar", "tar --format=ustar -cf u.tar hello.txt") == VGFT_TAR,
           "ustar tar is TAR");
    TAP_OK(made("g.tar", "tar --format=gnu -cf g.tar hello.txt sub") == VGFT_TAR,
           "GNU tar is TAR");
    TAP_OK(made("v7.tar", "tar --format=v7 -cf v7.tar hello.txt") == VGFT_TAR,
           "v7 tar (no magic, header checksum) is TAR");
    TAP_OK(made("h.gz", "gzip -c hello.txt > h.gz") == VGFT_GZ, "gzip(1) output is GZ");
    TAP_OK(made("h.bz2", "bzip2 -c hello.txt > h.bz2") == VGFT_BZ2, "bzip2(1) output is BZ2");
    TAP_OK(made("h.xz", "xz -c hello.txt > h.xz") == VGFT_XZ, "xz(1) output is XZ");
    TAP_OK(made("h.lzma", "xz --format=lzma -c hello.txt > h.lzma") == VGFT_LZMA,
           "xz --format=lzma output is LZMA");
    TAP_OK(made("h9.lzma", "xz --format=lzma -9 -c hello.txt > h9.lzma") == VGFT_LZMA,
           "lzma -9 (64 MB dictionary) output is LZMA");
    TAP_OK(made("h.zst", "zstd -q -c hello.txt > h.zst") == VGFT_ZSTD, "zstd(1) output is ZSTD");
    TAP_OK(made("h.lz4", "lz4 -q -c hello.txt > h.lz4") == VGFT_LZ4, "lz4(1) output is LZ4");
    TAP_OK(made("l.lz4", "lz4 -q -l -c hello.txt > l.lz4") == VGFT_LZ4,
           "lz4 -l (legacy frame) output is LZ4");
    TAP_OK(made("o.cpio", "echo hello.txt | cpio -o -H odc > o.cpio") == VGFT_CPIO,
           "cpio -H odc output is CPIO");
    TAP_OK(made("n.cpio", "echo hello.txt | cpio -o -H newc > n.cpio") == VGFT_CPIO,
           "cpio -H newc output is CPIO");
    TAP_OK(made("c.cpio", "echo hello.txt | cpio -o -H crc > c.cpio") == VGFT_CPIO,
           "cpio -H crc output is CPIO");
    TAP_OK(made("b.cpio", "echo hello.txt | cpio -o -H bin > b.cpio") == VGFT_CPIO,
           "cpio -H bin output is CPIO");
    TAP_OK(made("t.a", "ar rc t.a hello.txt") == VGFT_AR, "ar(1) output is AR");
    TAP_OK(made("t.iso", "genisoimage -quiet -R -o t.iso hello.txt") == VGFT_ISO9660,
           "genisoimage output is ISO9660");

    static const char *const files[] = {"t.zip", "u.tar", "v7.tar", "h.gz",
                                        "h.lzma", "b.cpio", "t.a", "t.iso"};
    int ok = 1;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[256];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
        uint8_t *p = tap_read_file(path, &len);
        ok = ok && p && prefixes_safe(p, len, 0x9100);
        free(p);
    }
    TAP_OK(ok, "every prefix of the tool-made samples is detected in bounds");
}

static void test_clamav_testfiles(void)
{
    static const struct {
        const char *file;
        vgft_type t;
    } want[] = {
        {"clam.exe", VGFT_PE},         {"clam-mew.exe", VGFT_PE},
        {"clam-upack.exe", VGFT_PE},   {"clam.zip", VGFT_ZIP},
        {"clam.bz2.zip", VGFT_ZIP},    {"clam.7z", VGFT_7Z},
        {"clam.tar.gz", VGFT_GZ},      {"clam_cache_emax.tgz", VGFT_GZ},
        {"clam.cab", VGFT_CAB},        {"clam.bin-be.cpio", VGFT_CPIO},
        {"clam.bin-le.cpio", VGFT_CPIO}, {"clam.newc.cpio", VGFT_CPIO},
        {"clam.odc.cpio", VGFT_CPIO},  {"clam.exe.bz2", VGFT_BZ2},
        {"clam.mail", VGFT_MAIL},      {"clam.exe.mbox.base64", VGFT_MAIL},
        {"clam.exe.mbox.uu", VGFT_MAIL}, {"clam.pdf", VGFT_PDF},
        {"clam.ole.doc", VGFT_OLE2},   {"clam.ppt", VGFT_OLE2},
        {"clam.exe.rtf", VGFT_RTF},    {"clam.exe.html", VGFT_HTML},
        {"clam.exe.binhex", VGFT_BINHEX}, {"clam.arj", VGFT_ARJ},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, TESTFILES "%s", want[i].file);
        vgft_type t = detect_path(path);
        TAP_OK(t == want[i].t, "clamav-testfiles %s is %s (got %s)", want[i].file,
               vgft_clname(want[i].t), t < VGFT_COUNT ? vgft_clname(t) : "unreadable");
    }
}

static void test_mappings(void)
{
    TAP_OK(vgft_target(VGFT_PE) == 1 && vgft_target(VGFT_OLE2) == 2 &&
               vgft_target(VGFT_HTML) == 3 && vgft_target(VGFT_MAIL) == 4 &&
               vgft_target(VGFT_PNG) == 5 && vgft_target(VGFT_ELF) == 6 &&
               vgft_target(VGFT_TEXT) == 7 && vgft_target(VGFT_MACHO) == 9 &&
               vgft_target(VGFT_MACHO_UNIBIN) == 9 && vgft_target(VGFT_PDF) == 10 &&
               vgft_target(VGFT_SWF) == 11 && vgft_target(VGFT_JAVA) == 12,
           "target types follow ClamAV's table");
    TAP_OK(vgft_target(VGFT_ZIP) == 0 && vgft_target(VGFT_BINARY) == 0 &&
               vgft_target(VGFT_RTF) == 0,
           "archives, RTF and binary data have target 0");
    TAP_OK(vgft_target(VGFT_MSDOS) == 1,
           "MZ without PE header keeps target 1 (ClamAV types it MSEXE)");
    TAP_OK(strcmp(vgft_clname(VGFT_PE), "CL_TYPE_MSEXE") == 0 &&
               strcmp(vgft_clname(VGFT_ZIP), "CL_TYPE_ZIP") == 0 &&
               strcmp(vgft_clname(VGFT_TAR), "CL_TYPE_POSIX_TAR") == 0 &&
               strcmp(vgft_clname(VGFT_BZ2), "CL_TYPE_BZ") == 0 &&
               strcmp(vgft_clname(VGFT_TEXT), "CL_TYPE_TEXT_ASCII") == 0,
           "CL_TYPE names are ClamAV's");
    int all = 1;
    for (int t = 0; t < VGFT_COUNT; t++)
        all = all && strncmp(vgft_clname((vgft_type)t), "CL_TYPE_", 8) == 0;
    TAP_OK(all, "every type has a CL_TYPE name");
    TAP_OK(strcmp(vgft_clname(VGFT_COUNT), "CL_TYPE_BINARY_DATA") == 0,
           "an out-of-range type is CL_TYPE_BINARY_DATA");
    TAP_OK(vgft_is_container(VGFT_ZIP) && vgft_is_container(VGFT_GZ) &&
               vgft_is_container(VGFT_LZ4) && vgft_is_container(VGFT_ISO9660) &&
               !vgft_is_container(VGFT_PE) && !vgft_is_container(VGFT_TEXT) &&
               !vgft_is_container(VGFT_COUNT),
           "archives and compressors are containers, others not");
    TAP_OK(vgft_is_text(VGFT_TEXT) && vgft_is_text(VGFT_HTML) &&
               !vgft_is_text(VGFT_MAIL) && !vgft_is_text(VGFT_BINARY),
           "TEXT and HTML are text");
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_executables();
    test_documents_and_images();
    test_text_kinds();
    test_archive_magics();
    test_tool_made();
    test_clamav_testfiles();
    test_mappings();
    sh("rm -rf %s", tmpdir);
    return tap_done();
}
