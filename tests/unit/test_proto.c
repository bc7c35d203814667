/* tests/unit/test_proto.c - the clamd command parser (src/daemon/proto.c):
 * every framing rule of proto.h, each checked against clamd 1.4.6's
 * observed behaviour, and that no input of any length makes it read past
 * the bytes it was given. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/proto.h"
#include "tap.h"

/* Parse a string literal (with embedded NULs: pass the size). */
static vgd_parse P(const char *s, size_t n, int legacy_ok, vgd_req *r)
{
    return vgd_proto_parse((const uint8_t *)s, n, legacy_ok, r);
}
#define PS(lit, lok, r) P(lit, sizeof(lit) - 1, lok, r)

static int arg_is(const vgd_req *r, const char *want)
{
    return r->arg && r->arg_len == strlen(want) && memcmp(r->arg, want, r->arg_len) == 0;
}

static void framing(void)
{
    vgd_req r;
    TAP_OK(PS("zPING\0", 1, &r) == VGD_PARSE_OK && r.cmd == VGD_CMD_PING && r.term == '\0' &&
               r.used == 6 && !r.legacy,
           "zPING\\0 is PING, NUL terminated, 6 bytes used");
    TAP_OK(PS("nPING\n", 1, &r) == VGD_PARSE_OK && r.cmd == VGD_CMD_PING && r.term == '\n' &&
               r.used == 6,
           "nPING\\n is PING, newline terminated");
    TAP_OK(PS("PING", 1, &r) == VGD_PARSE_OK && r.cmd == VGD_CMD_PING && r.legacy &&
               r.term == '\n' && r.used == 4,
           "unprefixed PING without newline is one legacy command");
    TAP_OK(PS("PING\r\n", 1, &r) == VGD_PARSE_OK && r.cmd == VGD_CMD_PING && r.used == 6,
           "legacy PING\\r\\n: CR and LF cut, all consumed");
    TAP_OK(PS("PING", 0, &r) == VGD_PARSE_NONE,
           "legacy command not at a packet start waits (NONE)");
    TAP_OK(PS("zPING", 1, &r) == VGD_PARSE_MORE, "zPING without NUL needs more");
    TAP_OK(PS("nPING", 1, &r) == VGD_PARSE_MORE, "nPING without newline needs more");
    TAP_OK(P("", 0, 1, &r) == VGD_PARSE_MORE, "empty input needs more");
    TAP_OK(PS("zPING\0zVERSION\0", 1, &r) == VGD_PARSE_OK && r.used == 6,
           "pipelined commands: only the first is consumed");
    TAP_OK(PS("nPING\r\n", 1, &r) == VGD_PARSE_OK && r.cmd == VGD_CMD_PING && r.used == 6,
           "nPING\\r\\n: CR cut, and (like clamd) the CR's byte is left unconsumed");
    TAP_OK(PS("nSCAN /a\r\r\n", 1, &r) == VGD_PARSE_OK && arg_is(&r, "/a") && r.used == 9,
           "two CRs cut: two bytes left over");
    TAP_OK(PS("zSCAN /a\r\0", 1, &r) == VGD_PARSE_OK && arg_is(&r, "/a\r"),
           "z commands keep a CR in the path");
    TAP_OK(PS("SCAN /x\nrest", 1, &r) == VGD_PARSE_OK && arg_is(&r, "/x") && r.used == 8,
           "legacy command ends at the first newline");
    TAP_OK(PS("nSCAN /a\0b\n", 1, &r) == VGD_PARSE_OK && arg_is(&r, "/a"),
           "a NUL inside an n command ends its text (C string)");
}

static void commands(void)
{
    static const struct {
        const char *text;
        vgd_cmd cmd;
    } t[] = {
        {"zSCAN /a", VGD_CMD_SCAN}, {"zQUIT", VGD_CMD_QUIT}, {"zRELOAD", VGD_CMD_RELOAD},
        {"zPING", VGD_CMD_PING}, {"zCONTSCAN /a", VGD_CMD_CONTSCAN},
        {"zVERSIONCOMMANDS", VGD_CMD_VERSIONCOMMANDS}, {"zVERSION", VGD_CMD_VERSION},
        {"zEND", VGD_CMD_END}, {"zSHUTDOWN", VGD_CMD_SHUTDOWN},
        {"zMULTISCAN /a", VGD_CMD_MULTISCAN}, {"zSTATS", VGD_CMD_STATS},
        {"zIDSESSION", VGD_CMD_IDSESSION}, {"zINSTREAM", VGD_CMD_INSTREAM},
        {"zDETSTATSCLEAR", VGD_CMD_DETSTATSCLEAR}, {"zDETSTATS", VGD_CMD_DETSTATS},
        {"zALLMATCHSCAN /a", VGD_CMD_ALLMATCHSCAN},
        {"zping", VGD_CMD_UNKNOWN}, {"zPINGX", VGD_CMD_UNKNOWN}, {"zSCAN", VGD_CMD_UNKNOWN},
        {"z", VGD_CMD_UNKNOWN}, {"zSESSION", VGD_CMD_UNKNOWN}, {"zSTREAM", VGD_CMD_UNKNOWN},
        {"zRAWSCAN /a", VGD_CMD_UNKNOWN}, {"zOPTSCAN ALLMATCH CONTSCAN /a", VGD_CMD_UNKNOWN},
        {"zQUIT2", VGD_CMD_UNKNOWN}, {"zENDX", VGD_CMD_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char buf[64];
        size_t n = strlen(t[i].text);
        memcpy(buf, t[i].text, n + 1); /* the NUL terminates */
        vgd_req r;
        vgd_parse p = P(buf, n + 1, 1, &r);
        TAP_OK(p == VGD_PARSE_OK && r.cmd == t[i].cmd, "'%s' is %s", t[i].text + 1,
               vgd_proto_name(t[i].cmd));
    }
    vgd_req r;
    TAP_OK(PS("zSCANX/a\0", 1, &r) == VGD_PARSE_OK && r.cmd == VGD_CMD_SCAN && arg_is(&r, "/a"),
           "SCANX/a scans /a: one byte after the name is skipped, whatever it is");
    TAP_OK(PS("zSCAN  /a\0", 1, &r) == VGD_PARSE_OK && arg_is(&r, " /a"),
           "a second space becomes part of the path");
    TAP_OK(PS("zSCAN /a b  c\0", 1, &r) == VGD_PARSE_OK && arg_is(&r, "/a b  c"),
           "inner spaces of a path are kept");
    static const char *const prefixed_only[] = {"VERSIONCOMMANDS", "END", "IDSESSION",
                                                "INSTREAM", "ALLMATCHSCAN /a", "STATS"};
    for (size_t i = 0; i < sizeof prefixed_only / sizeof *prefixed_only; i++) {
        const char *s = prefixed_only[i];
        TAP_OK(P(s, strlen(s), 1, &r) == VGD_PARSE_OK && r.cmd == VGD_CMD_UNKNOWN,
               "unprefixed %s is UNKNOWN", s);
    }
    static const char *const legacy_ok[] = {"SCAN /a", "CONTSCAN /a", "MULTISCAN /a", "PING",
                                            "VERSION", "RELOAD", "SHUTDOWN", "QUIT",
                                            "DETSTATS", "DETSTATSCLEAR"};
    for (size_t i = 0; i < sizeof legacy_ok / sizeof *legacy_ok; i++) {
        const char *s = legacy_ok[i];
        TAP_OK(P(s, strlen(s), 1, &r) == VGD_PARSE_OK && r.cmd != VGD_CMD_UNKNOWN,
               "unprefixed %s is accepted", s);
    }
    TAP_OK(!strcmp(vgd_proto_commands(),
                   " COMMANDS: SCAN QUIT RELOAD PING CONTSCAN VERSIONCOMMANDS VERSION END "
                   "SHUTDOWN MULTISCAN FILDES STATS IDSESSION INSTREAM DETSTATSCLEAR DETSTATS "
                   "ALLMATCHSCAN"),
           "VERSIONCOMMANDS lists clamd 1.4.6's table in its order");
    TAP_OK(vgd_proto_session_ok(VGD_CMD_SCAN) && vgd_proto_session_ok(VGD_CMD_INSTREAM) &&
               !vgd_proto_session_ok(VGD_CMD_CONTSCAN) &&
               !vgd_proto_session_ok(VGD_CMD_MULTISCAN) &&
               !vgd_proto_session_ok(VGD_CMD_IDSESSION) && !vgd_proto_session_ok(VGD_CMD_UNKNOWN),
           "IDSESSION allows SCAN INSTREAM FILDES VERSION VERSIONCOMMANDS PING STATS END only");
}

static void fildes_and_limits(void)
{
    vgd_req r;
    TAP_OK(PS("zFILDES\0", 1, &r) == VGD_PARSE_MORE,
           "zFILDES\\0 alone waits for the byte carrying the descriptor");
    TAP_OK(PS("zFILDES\0X", 1, &r) == VGD_PARSE_OK && r.cmd == VGD_CMD_FILDES && r.used == 9,
           "zFILDES\\0X: the extra byte is consumed");
    TAP_OK(PS("FILDES", 1, &r) == VGD_PARSE_MORE, "legacy FILDES waits too");
    TAP_OK(PS("FILDES\nX", 1, &r) == VGD_PARSE_OK && r.cmd == VGD_CMD_FILDES && r.used == 8,
           "legacy FILDES\\nX works in one packet");
    TAP_OK(PS("zFILDESX\0", 1, &r) == VGD_PARSE_OK && r.cmd == VGD_CMD_UNKNOWN,
           "FILDES with trailing text is UNKNOWN");

    size_t big = VGD_CMD_BUF + 10;
    char *b = malloc(big);
    memset(b, 'a', big);
    memcpy(b, "zSCAN /", 7);
    TAP_OK(P(b, VGD_CMD_BUF - 1, 1, &r) == VGD_PARSE_MORE,
           "a z command without its NUL in %u bytes needs more", VGD_CMD_BUF - 1);
    TAP_OK(P(b, VGD_CMD_BUF, 1, &r) == VGD_PARSE_FULL,
           "no NUL in %u bytes (clamd's buffer) is FULL: drop", VGD_CMD_BUF);
    b[VGD_CMD_BUF - 1] = 0;
    TAP_OK(P(b, VGD_CMD_BUF, 1, &r) == VGD_PARSE_OK && r.cmd == VGD_CMD_SCAN &&
               r.arg_len == VGD_CMD_BUF - 7,
           "a %u-byte command with its NUL last is still parsed", VGD_CMD_BUF);
    free(b);

    uint32_t n = 0;
    TAP_OK(!vgd_proto_chunk_len((const uint8_t *)"\0\0\3", 3, &n), "chunk header needs 4 bytes");
    TAP_OK(vgd_proto_chunk_len((const uint8_t *)"\0\0\3\xe8", 4, &n) && n == 1000,
           "chunk length is big-endian (00 00 03 e8 = 1000)");
    TAP_OK(vgd_proto_chunk_len((const uint8_t *)"\xff\xff\xff\xff", 4, &n) && n == 0xffffffffu,
           "chunk length up to 4 GiB - 1");
}

/* Every prefix of some inputs, each in a buffer of exactly that size (ASan
 * catches any read past it); 'used' never exceeds the length. */
static void bounds(void)
{
    static const char *const inputs[] = {
        "zSCAN /a\0", "nSCAN /a\r\r\n", "SCAN /a\r\nrest", "zFILDES\0X", "FILDES\nX",
        "zIDSESSION\0zPING\0", "nINSTREAM\n\0\0\0\0", "\xff\xfe\0garbage\n",
    };
    static const size_t lens[] = {9, 11, 14, 9, 8, 17, 14, 11};
    int ok = 1;
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        for (size_t n = 0; n <= lens[i]; n++) {
            uint8_t *b = malloc(n ? n : 1);
            memcpy(b, inputs[i], n);
            for (int lok = 0; lok < 2; lok++) {
                vgd_req r;
                vgd_parse p = vgd_proto_parse(b, n, lok, &r);
                if (p == VGD_PARSE_OK && (r.used == 0 || r.used > n))
                    ok = 0;
                if (p == VGD_PARSE_OK && r.arg &&
                    (r.arg < (const char *)b || r.arg + r.arg_len > (const char *)b + n))
                    ok = 0;
            }
            free(b);
        }
    }
    TAP_OK(ok, "every prefix of every sample parses within its bytes, 'used' in 1..len");
}

/* A 512-byte container header, space padded, as sigtool writes one. */
static void header(uint8_t h[512], const char *line)
{
    memset(h, ' ', 512);
    memcpy(h, line, strlen(line));
}

static void version(void)
{
    char out[128];
    uint8_t h[512];
    setenv("TZ", "UTC", 1);
    tzset();
    size_t n = vgd_proto_version(NULL, 0, out, sizeof out);
    TAP_OK(n == 12 && !strcmp(out, "ClamAV 1.4.6"),
           "no daily container: VERSION is 'ClamAV 1.4.6', as clamd answers (%s)", out);
    /* header of a daily.cud built by sigtool 1.4.6; clamd answered
     * "ClamAV 1.4.6/7/Fri Nov 27 16:06:51 2026" for it */
    header(h, "ClamAV-VDB:27 Nov 2026 16-06 +0000:7:1:216:587ac6d4951a9c4634e5068b0103350e:X:"
              "vigiltest:1795795611");
    n = vgd_proto_version(h, sizeof h, out, sizeof out);
    TAP_OK(!strcmp(out, "ClamAV 1.4.6/7/Fri Nov 27 16:06:51 2026") && n == strlen(out),
           "daily header: version and build time as clamd prints them (%s)", out);
    header(h, "ClamAV-VDB:01 Nov 2026 03-38 +0000:27777:2:216:x:X:b:1793504280\r\nrest:99");
    vgd_proto_version(h, sizeof h, out, sizeof out);
    TAP_OK(!strcmp(out, "ClamAV 1.4.6/27777/Sun Nov  1 03:38:00 2026"),
           "a single-digit day is space padded as ctime pads it; the header ends at CR (%s)",
           out);
    header(h, "ClamAV-VDB:x:7:1:216:x:X:b");
    vgd_proto_version(h, sizeof h, out, sizeof out);
    TAP_OK(!strcmp(out, "ClamAV 1.4.6/7/Thu Jan  1 00:00:00 1970"),
           "no build time field: the epoch (%s)", out);
    static const char *const bad[] = {
        "ClamAV-VDB:x:0:1:216:x:X:b:1795795611", /* version 0: clamd prints none */
        "ClamAV-VDB:x:7a:1:216:x:X:b:1",          /* not a number */
        "ClamAV-VDB:x::1",                         /* empty */
        "ClamAV-VDB:x",                            /* too few fields */
        "NotClamAV:x:7:1:216:x:X:b:1",             /* not a header */
    };
    int ok = 1;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        header(h, bad[i]);
        vgd_proto_version(h, sizeof h, out, sizeof out);
        if (strcmp(out, "ClamAV 1.4.6") != 0)
            ok = 0;
    }
    header(h, "ClamAV-VDB:x:7:1:216:x:X:b:1795795611");
    vgd_proto_version(h, 511, out, sizeof out); /* short: not a header */
    if (strcmp(out, "ClamAV 1.4.6") != 0)
        ok = 0;
    TAP_OK(ok, "a header with no usable version, or shorter than 512 bytes: bare version");
    n = vgd_proto_version(h, sizeof h, out, 20);
    TAP_OK(n == 12 && !strcmp(out, "ClamAV 1.4.6"), "an output too small for the suffix "
                                                     "keeps the bare version (%s)", out);
}

int main(void)
{
    version();
    framing();
    commands();
    fildes_and_limits();
    bounds();
    return tap_done();
}
