/* daemon/proto.h - the clamd wire protocol as a pure function: bytes in,
 * one parsed command (or "need more", or "nothing parseable now") out. No
 * I/O, no allocation, no global state; fuzzed by fuzz/fuzz_proto.c.
 *
 * Spec: /work/shared/reference/clamav.md section 6, every rule below checked
 * against clamd 1.4.6 with raw sockets (tests/e2e/daemon_proto.sh replays
 * the same bytes against both daemons and compares the replies).
 *
 * Framing (one command at the start of `buf`):
 *
 *   form     bytes                  text                     consumed
 *   z        'z' TEXT '\0'          TEXT                     all of it
 *   n        'n' TEXT '\n'          TEXT, trailing CRs cut   all but the CRs (*)
 *   legacy   TEXT ['\n' ...]        up to the first '\n' or  through the '\n', or
 *                                   the end of the packet,   the whole buffer
 *                                   trailing CR/LF cut
 *
 *   (*) clamd measures an n-command with strlen() after cutting the CRs, so
 *   each cut CR is left in the buffer and reads as garbage afterwards
 *   ("nSCAN /x\r\n" answers "Error processing command. ERROR" before the
 *   scan result). We reproduce that: `used` stops before the CRs.
 *
 *   TEXT is a C string for clamd: it ends at its first NUL byte.
 *   A legacy command exists only at the start of a packet ("one packet, one
 *   command"): callers pass legacy_ok = 1 for the first command parsed after
 *   new bytes arrived, else a non-z/n byte gives VGD_PARSE_NONE.
 *
 * Commands are matched by prefix, in clamd's table order (VERSIONCOMMANDS
 * before VERSION, DETSTATSCLEAR before DETSTATS). A command that takes a
 * path skips exactly one byte after its name, whatever it is ("SCANX/a"
 * scans "/a"; "SCAN  /a" scans " /a"); a missing path, or any byte after a
 * command without one, is UNKNOWN. Prefixed-only commands (VERSIONCOMMANDS,
 * END, IDSESSION, INSTREAM, ALLMATCHSCAN) sent unprefixed are UNKNOWN.
 * Names are case sensitive.
 *
 * FILDES needs one more byte after the command (the byte that carries the
 * descriptor, or "zFILDES\0X" in one packet); without it the result is
 * VGD_PARSE_MORE, and with it `used` includes that byte.
 *
 * A z/n command with no terminator in VGD_CMD_BUF bytes is VGD_PARSE_FULL:
 * clamd drops such a connection without a reply.
 *
 * Replies and version: VERSION answers what clamd 1.4.6 answers for the
 * same DatabaseDirectory, byte for byte: "ClamAV 1.4.6", plus
 * "/<version>/<build time>" when a container named daily.* (.cvd, .cld,
 * .cud) is loaded, the build time being the header's last field printed
 * by ctime() in the daemon's time zone (vgd_proto_version). Clients parse
 * that string (clamdscan prints it, pyclamd and ClamAV::Client return it),
 * so vigild does not add its own name there; `vigild --version` and the
 * log say what is answering. VERSIONCOMMANDS lists clamd 1.4.6's command
 * table byte for byte after that version. */
#ifndef VIGIL_DAEMON_PROTO_H
#define VIGIL_DAEMON_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* clamd's per-connection command buffer: PATH_MAX + 8. */
#define VGD_CMD_BUF 4104u
/* The protocol version we speak, and what VERSION answers. */
#define VGD_CLAMD_VERSION "1.4.6"

typedef enum vgd_cmd {
    VGD_CMD_UNKNOWN = 0,
    VGD_CMD_SCAN,
    VGD_CMD_QUIT, /* same as SHUTDOWN */
    VGD_CMD_RELOAD,
    VGD_CMD_PING,
    VGD_CMD_CONTSCAN,
    VGD_CMD_VERSIONCOMMANDS,
    VGD_CMD_VERSION,
    VGD_CMD_END,
    VGD_CMD_SHUTDOWN,
    VGD_CMD_MULTISCAN,
    VGD_CMD_FILDES,
    VGD_CMD_STATS,
    VGD_CMD_IDSESSION,
    VGD_CMD_INSTREAM,
    VGD_CMD_DETSTATSCLEAR,
    VGD_CMD_DETSTATS,
    VGD_CMD_ALLMATCHSCAN,
} vgd_cmd;

typedef enum vgd_parse {
    VGD_PARSE_OK = 0, /* *req is filled */
    VGD_PARSE_MORE,   /* an incomplete command: wait for more bytes */
    VGD_PARSE_NONE,   /* a legacy command not at a packet start: wait */
    VGD_PARSE_FULL,   /* no terminator within VGD_CMD_BUF: drop */
} vgd_parse;

typedef struct vgd_req {
    vgd_cmd cmd;
    int legacy;      /* sent without z/n prefix */
    char term;       /* reply terminator: '\0' for z, '\n' otherwise */
    const char *arg; /* the path for SCAN-like commands, into buf; else NULL */
    size_t arg_len;
    size_t used;     /* bytes of buf this command consumed */
} vgd_req;

/* Parse one command at the start of buf[0..len). */
vgd_parse vgd_proto_parse(const uint8_t *buf, size_t len, int legacy_ok, vgd_req *req);

/* clamd's name for a command ("SCAN"...); "UNKNOWN" for VGD_CMD_UNKNOWN. */
const char *vgd_proto_name(vgd_cmd c);

/* Whether the command may be used inside IDSESSION. */
int vgd_proto_session_ok(vgd_cmd c);

/* " COMMANDS: SCAN QUIT ..." as clamd 1.4.6 prints after VERSIONCOMMANDS'
 * version and '|'. */
const char *vgd_proto_commands(void);

/* VERSION's text into out (outlen bytes, NUL-terminated): "ClamAV 1.4.6",
 * then "/<version>/<ctime of the build time>" when hdr holds the 512-byte
 * header of a daily container ("ClamAV-VDB:time:version:sigs:flevel:md5:
 * dsig:builder:stime"); hdr NULL, or a header that is not one, gives the
 * bare "ClamAV 1.4.6". A header without a build time gives the epoch (an
 * old-format case not compared with clamd). Pure apart from the time
 * zone; returns the length written. */
size_t vgd_proto_version(const uint8_t *hdr, size_t len, char *out, size_t outlen);

/* INSTREAM chunk header: 4-byte big-endian length. Returns 1 and sets *n
 * when 4 bytes are available. */
int vgd_proto_chunk_len(const uint8_t *buf, size_t len, uint32_t *n);

#endif
