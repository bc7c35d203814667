/* daemon/proto.c - the clamd command parser; the rules are in proto.h.
 *
 * Cost: one memchr for the terminator plus a walk of the 17-entry command
 * table; nothing is copied, `arg` points into the caller's buffer. */
#include "daemon/proto.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/rd.h"

/* clamd 1.4.6's table, in its order: matching is by prefix, first wins. */
static const struct {
    const char *name;
    vgd_cmd cmd;
    unsigned char need_arg, legacy;
} cmds[] = {
    {"SCAN", VGD_CMD_SCAN, 1, 1},
    {"QUIT", VGD_CMD_QUIT, 0, 1},
    {"RELOAD", VGD_CMD_RELOAD, 0, 1},
    {"PING", VGD_CMD_PING, 0, 1},
    {"CONTSCAN", VGD_CMD_CONTSCAN, 1, 1},
    {"VERSIONCOMMANDS", VGD_CMD_VERSIONCOMMANDS, 0, 0},
    {"VERSION", VGD_CMD_VERSION, 0, 1},
    {"END", VGD_CMD_END, 0, 0},
    {"SHUTDOWN", VGD_CMD_SHUTDOWN, 0, 1},
    {"MULTISCAN", VGD_CMD_MULTISCAN, 1, 1},
    {"FILDES", VGD_CMD_FILDES, 0, 1},
    {"STATS", VGD_CMD_STATS, 0, 0},
    {"IDSESSION", VGD_CMD_IDSESSION, 0, 0},
    {"INSTREAM", VGD_CMD_INSTREAM, 0, 0},
    {"DETSTATSCLEAR", VGD_CMD_DETSTATSCLEAR, 0, 1},
    {"DETSTATS", VGD_CMD_DETSTATS, 0, 1},
    {"ALLMATCHSCAN", VGD_CMD_ALLMATCHSCAN, 1, 0},
};
#define NCMDS (sizeof cmds / sizeof cmds[0])

const char *vgd_proto_name(vgd_cmd c)
{
    for (size_t i = 0; i < NCMDS; i++)
        if (cmds[i].cmd == c)
            return cmds[i].name;
    return "UNKNOWN";
}

const char *vgd_proto_commands(void)
{
    return " COMMANDS: SCAN QUIT RELOAD PING CONTSCAN VERSIONCOMMANDS VERSION END"
           " SHUTDOWN MULTISCAN FILDES STATS IDSESSION INSTREAM DETSTATSCLEAR"
           " DETSTATS ALLMATCHSCAN";
}

int vgd_proto_session_ok(vgd_cmd c)
{
    switch (c) {
    case VGD_CMD_FILDES:
    case VGD_CMD_SCAN:
    case VGD_CMD_END:
    case VGD_CMD_INSTREAM:
    case VGD_CMD_VERSION:
    case VGD_CMD_PING:
    case VGD_CMD_STATS:
    case VGD_CMD_VERSIONCOMMANDS:
        return 1;
    default:
        return 0;
    }
}

int vgd_proto_chunk_len(const uint8_t *buf, size_t len, uint32_t *n)
{
    if (len < 4)
        return 0;
    *n = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
    return 1;
}

/* Match TEXT (tlen bytes, no NUL inside) against the table. */
static void classify(const char *text, size_t tlen, int legacy, vgd_req *req)
{
    req->cmd = VGD_CMD_UNKNOWN;
    req->arg = NULL;
    req->arg_len = 0;
    for (size_t i = 0; i < NCMDS; i++) {
        size_t nl = strlen(cmds[i].name);
        if (tlen < nl || memcmp(text, cmds[i].name, nl) != 0)
            continue;
        size_t rest = tlen - nl;
        if (cmds[i].need_arg) {
            if (rest == 0)
                return;
            req->arg = text + nl + 1; /* one byte skipped, whatever it is */
            req->arg_len = rest - 1;
        } else if (rest != 0) {
            return;
        }
        if (legacy && !cmds[i].legacy) {
            req->arg = NULL;
            req->arg_len = 0;
            return;
        }
        req->cmd = cmds[i].cmd;
        return;
    }
}

static size_t cstrlen(const uint8_t *p, size_t n)
{
    const uint8_t *z = memchr(p, 0, n);
    return z ? (size_t)(z - p) : n;
}

static size_t chomp(const uint8_t *p, size_t n)
{
    while (n && (p[n - 1] == '\r' || p[n - 1] == '\n'))
        n--;
    return n;
}

vgd_parse vgd_proto_parse(const uint8_t *buf, size_t len, int legacy_ok, vgd_req *req)
{
    size_t text_at, tlen, used;
    if (len == 0)
        return VGD_PARSE_MORE;
    memset(req, 0, sizeof *req);
    if (buf[0] == 'z' || buf[0] == 'n') {
        char term = buf[0] == 'z' ? '\0' : '\n';
        const uint8_t *t = memchr(buf + 1, term, len - 1);
        if (!t)
            return len >= VGD_CMD_BUF ? VGD_PARSE_FULL : VGD_PARSE_MORE;
        size_t tpos = (size_t)(t - buf);
        text_at = 1;
        if (term == '\0') {
            tlen = tpos - 1;
            used = tpos + 1;
        } else {
            /* clamd: strlen from the prefix, CRs cut, then one more byte */
            size_t l = chomp(buf, cstrlen(buf, tpos));
            tlen = l ? l - 1 : 0;
            used = (l ? l : 1) + 1;
        }
        req->term = term;
    } else {
        if (!legacy_ok)
            return VGD_PARSE_NONE;
        const uint8_t *nl = memchr(buf, '\n', len);
        size_t end = nl ? (size_t)(nl - buf) : len;
        text_at = 0;
        tlen = chomp(buf, cstrlen(buf, end));
        used = nl ? end + 1 : len;
        req->term = '\n';
        req->legacy = 1;
    }
    classify((const char *)buf + text_at, tlen, req->legacy, req);
    if (req->cmd == VGD_CMD_FILDES) {
        /* clamd waits for one byte after "FILDES" plus its terminator */
        if (len <= text_at + 7)
            return VGD_PARSE_MORE;
        used = used + 1 > len ? len : used + 1;
    }
    req->used = used;
    return VGD_PARSE_OK;
}

/* One ':'-separated field of the header: digits only, else -1. */
static long long header_number(const uint8_t *f, size_t n)
{
    if (n == 0 || n > 18)
        return -1;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (f[i] < '0' || f[i] > '9')
            return -1;
        v = v * 10 + (f[i] - '0');
    }
    return v;
}

size_t vgd_proto_version(const uint8_t *hdr, size_t len, char *out, size_t outlen)
{
    if (outlen == 0)
        return 0;
    int n = snprintf(out, outlen, "ClamAV %s", VGD_CLAMD_VERSION);
    if (n < 0 || (size_t)n >= outlen)
        return outlen - 1;
    if (!hdr)
        return (size_t)n;
    vgrd r;
    vgrd_init(&r, hdr, len);
    const uint8_t *h = vgrd_take(&r, 512);
    if (!h || memcmp(h, "ClamAV-VDB:", 11) != 0)
        return (size_t)n;
    /* the header line: up to the first NUL, CR or LF; padding cut */
    size_t hl = 0;
    while (hl < 512 && h[hl] && h[hl] != '\n' && h[hl] != '\r')
        hl++;
    while (hl && h[hl - 1] == ' ')
        hl--;
    size_t at[10], ln[10], nf = 0, s = 0;
    while (nf < 10) {
        const uint8_t *q = memchr(h + s, ':', hl - s);
        size_t end = q ? (size_t)(q - h) : hl;
        at[nf] = s;
        ln[nf++] = end - s;
        if (!q)
            break;
        s = end + 1;
    }
    if (nf < 3)
        return (size_t)n;
    long long ver = header_number(h + at[2], ln[2]);
    if (ver <= 0 || ver > 0xffffffffll)
        return (size_t)n; /* clamd prints no suffix for version 0 */
    long long st = nf > 8 ? header_number(h + at[8], ln[8]) : 0;
    if (st < 0)
        st = 0;
    time_t t = (time_t)st;
    struct tm tm;
    char when[64];
    if (!localtime_r(&t, &tm) || !strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", &tm))
        return (size_t)n;
    int k = snprintf(out + n, outlen - (size_t)n, "/%llu/%s", ver, when);
    if (k < 0 || (size_t)k >= outlen - (size_t)n) {
        out[n] = 0; /* too small for the suffix: the bare version */
        return (size_t)n;
    }
    return (size_t)n + (size_t)k;
}
