/* daemon/conf.c - clamd.conf parser (syntax and defaults in conf.h).
 *
 * Table driven: each option vigild understands has a type and the offset of
 * its field in vgd_conf; every other clamd 1.4.6 option is listed by name so
 * that it gets a precise warning instead of "unknown". */
#include "daemon/conf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum otype { T_BOOL, T_NUM, T_SIZE, T_STR, T_MODE, T_ADDR, T_EXCL, T_EXAMPLE };

typedef struct opt {
    const char *name;
    enum otype type;
    size_t off;
    uint64_t min, max; /* for T_NUM / T_SIZE */
} opt;

#define F(field) offsetof(vgd_conf, field)
#define U32 0xffffffffull
static const opt opts[] = {
    {"LocalSocket", T_STR, F(local_socket), 0, 0},
    {"LocalSocketGroup", T_STR, F(local_socket_group), 0, 0},
    {"LocalSocketMode", T_MODE, F(local_socket_mode), 0, 0},
    {"FixStaleSocket", T_BOOL, F(fix_stale_socket), 0, 0},
    {"TCPSocket", T_NUM, F(tcp_port), 1, 65535},
    {"TCPAddr", T_ADDR, 0, 0, 0},
    {"MaxThreads", T_NUM, F(max_threads), 1, 4096},
    {"MaxQueue", T_NUM, F(max_queue), 1, 1u << 20},
    {"MaxConnectionQueueLength", T_NUM, F(max_conn_queue), 1, 1u << 20},
    {"StreamMaxLength", T_SIZE, F(stream_max_length), 1, U32},
    {"MaxScanSize", T_SIZE, F(max_scan_size), 0, UINT64_MAX},
    {"MaxFileSize", T_SIZE, F(max_file_size), 0, UINT64_MAX},
    {"MaxRecursion", T_NUM, F(max_recursion), 0, U32},
    {"MaxFiles", T_NUM, F(max_files), 0, U32},
    {"MaxScanTime", T_NUM, F(max_scan_time_ms), 0, U32},
    {"MaxDirectoryRecursion", T_NUM, F(max_dir_recursion), 0, U32},
    {"ReadTimeout", T_NUM, F(read_timeout), 0, 86400 * 365},
    {"CommandReadTimeout", T_NUM, F(command_read_timeout), 0, 86400 * 365},
    {"SendBufTimeout", T_NUM, F(send_buf_timeout_ms), 0, U32},
    {"IdleTimeout", T_NUM, F(idle_timeout), 0, 86400 * 365},
    {"AllowAllMatchScan", T_BOOL, F(allow_allmatch), 0, 0},
    {"AlertExceedsMax", T_BOOL, F(alert_exceeds_max), 0, 0},
    {"DatabaseDirectory", T_STR, F(database_directory), 0, 0},
    {"TemporaryDirectory", T_STR, F(temporary_directory), 0, 0},
    {"LogFile", T_STR, F(log_file), 0, 0},
    {"LogTime", T_BOOL, F(log_time), 0, 0},
    {"LogVerbose", T_BOOL, F(log_verbose), 0, 0},
    {"PidFile", T_STR, F(pid_file), 0, 0},
    {"Foreground", T_BOOL, F(foreground), 0, 0},
    {"User", T_STR, F(user), 0, 0},
    {"ExcludePath", T_EXCL, 0, 0, 0},
    {"Example", T_EXAMPLE, 0, 0, 0},
};

/* clamd 1.4.6 options vigild accepts and ignores (with a warning). */
static const char *const ignored[] = {
    "AlertBrokenExecutables", "AlertBrokenMedia", "AlertEncrypted", "AlertEncryptedArchive",
    "AlertEncryptedDoc", "AlertOLE2Macros", "AlertPartitionIntersection", "AlertPhishingCloak",
    "AlertPhishingSSLMismatch", "ArchiveBlockEncrypted", "Bytecode", "BytecodeSecurity",
    "BytecodeTimeout", "BytecodeUnsigned", "BytecodeMode", "CacheSize", "ClamukoExcludePath",
    "ConcurrentDatabaseReload", "CrossFilesystems", "Debug",
    "DetectPUA", "DevACOnly", "DevACDepth", "DevLiblog", "DisableCache", "DisableCertCheck",
    "ExcludePUA", "ExitOnOOM", "ExtendedDetectionInfo", "FollowDirectorySymlinks",
    "FollowFileSymlinks", "ForceToDisk", "GenerateMetadataJson", "HeuristicAlerts",
    "HeuristicScanPrecedence", "IncludePUA", "LeaveTemporaryFiles", "LogClean", "LogFacility",
    "LogFileMaxSize", "LogFileUnlock", "LogRotate", "LogSyslog", "MaxEmbeddedPE",
    "MaxHTMLNoTags", "MaxHTMLNormalize", "MaxIconsPE", "MaxPartitions", "MaxRecHWP3",
    "MaxScriptNormalize", "MaxZipTypeRcg", "OfficialDatabaseOnly", "OLE2BlockMacros",
    "OnAccessDisableDDD", "OnAccessExcludePath", "OnAccessExcludeRootUID",
    "OnAccessExcludeUID", "OnAccessExcludeUname", "OnAccessExtraScanning",
    "OnAccessIncludePath", "OnAccessMaxFileSize", "OnAccessMaxThreads", "OnAccessMountPath",
    "OnAccessPrevention", "OnAccessRetryAttempts", "OnAccessCurlTimeout",
    "OnAccessDenyOnError", "PartitionIntersection", "PCREMatchLimit", "PCREMaxFileSize",
    "PCRERecMatchLimit", "PhishingAlwaysBlockCloak", "PhishingAlwaysBlockSSLMismatch",
    "PhishingScanURLs", "PhishingSignatures", "PreludeAnalyzerName", "PreludeEnable",
    "ScanArchive", "ScanELF", "ScanHTML", "ScanHWP3", "ScanMail", "ScanOLE2", "ScanOneNote",
    "ScanPartialMessages", "ScanPDF", "ScanPE", "ScanSWF", "ScanXMLDOCS", "SelfCheck",
    "StatsEnabled", "StatsHostID", "StatsPEDisabled", "StatsTimeout", "StructuredCCOnly",
    "StructuredDataDetection", "StructuredMinCreditCardCount", "StructuredMinSSNCount",
    "StructuredSSNFormatNormal", "StructuredSSNFormatStripped", "VirusEvent",
    "AllowSupplementaryGroups",
    NULL};

void vgd_conf_defaults(vgd_conf *c)
{
    memset(c, 0, sizeof *c);
    c->fix_stale_socket = 1;
    c->max_threads = 10;
    c->max_queue = 100;
    c->max_conn_queue = 200;
    c->stream_max_length = 100ull << 20;
    c->max_scan_size = 400ull << 20;
    c->max_file_size = 100ull << 20;
    c->max_recursion = 17;
    c->max_files = 10000;
    c->max_scan_time_ms = 120000;
    c->max_dir_recursion = 15;
    c->read_timeout = 120;
    c->command_read_timeout = 30;
    c->send_buf_timeout_ms = 500;
    c->idle_timeout = 30;
    c->allow_allmatch = 1;
}

static void fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen)
        vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void warnf(vgd_conf_warn_fn warn, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void warnf(vgd_conf_warn_fn warn, void *ctx, const char *fmt, ...)
{
    if (!warn)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    warn(ctx, msg);
}

static int parse_bool(const char *v, int *out)
{
    static const char *const yes[] = {"yes", "true", "1", NULL};
    static const char *const no[] = {"no", "false", "0", NULL};
    for (int i = 0; yes[i]; i++)
        if (!strcasecmp(v, yes[i]))
            return *out = 1, 0;
    for (int i = 0; no[i]; i++)
        if (!strcasecmp(v, no[i]))
            return *out = 0, 0;
    return -1;
}

/* Decimal with an optional K/M/G suffix (size != 0). */
static int parse_num(const char *v, int size, uint64_t *out)
{
    if (!*v || *v < '0' || *v > '9')
        return -1;
    uint64_t n = 0;
    const char *p = v;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (n > (UINT64_MAX - 9) / 10)
            return -1;
        n = n * 10 + (uint64_t)(*p - '0');
    }
    if (*p && size) {
        unsigned shift = 0;
        switch (*p) {
        case 'k': case 'K': shift = 10; break;
        case 'm': case 'M': shift = 20; break;
        case 'g': case 'G': shift = 30; break;
        default: return -1;
        }
        if (n > (UINT64_MAX >> shift))
            return -1;
        n <<= shift;
        p++;
    }
    if (*p)
        return -1;
    *out = n;
    return 0;
}

static int set_str(char **slot, const char *v)
{
    char *s = strdup(v);
    if (!s)
        return -1;
    free(*slot);
    *slot = s;
    return 0;
}

/* Apply one option. Returns 0, or -1 with err filled (without position). */
static int apply(vgd_conf *c, const opt *o, const char *v, char *err, size_t errlen)
{
    char *base = (char *)c;
    uint64_t n;
    int b;
    switch (o->type) {
    case T_BOOL:
        if (parse_bool(v, &b) != 0)
            return fail(err, errlen, "%s: expected yes or no, got '%s'", o->name, v), -1;
        *(int *)(base + o->off) = b;
        return 0;
    case T_NUM:
    case T_SIZE:
        if (parse_num(v, o->type == T_SIZE, &n) != 0)
            return fail(err, errlen, "%s: expected a %s, got '%s'", o->name,
                        o->type == T_SIZE ? "size (number, optional K, M or G)" : "number", v), -1;
        if (n < o->min || n > o->max)
            return fail(err, errlen, "%s: %s out of range (%llu..%llu)", o->name, v,
                        (unsigned long long)o->min, (unsigned long long)o->max), -1;
        if (o->type == T_SIZE)
            *(uint64_t *)(base + o->off) = n;
        else
            *(unsigned *)(base + o->off) = (unsigned)n;
        return 0;
    case T_MODE: {
        char *end;
        errno = 0;
        unsigned long m = strtoul(v, &end, 8);
        if (!*v || *end || errno || m > 07777)
            return fail(err, errlen, "%s: expected an octal mode like 660, got '%s'", o->name, v), -1;
        c->local_socket_mode = (unsigned)m;
        return 0;
    }
    case T_STR:
        if (!*v)
            return fail(err, errlen, "%s: missing value", o->name), -1;
        if (set_str((char **)(base + o->off), v) != 0)
            return fail(err, errlen, "%s: out of memory", o->name), -1;
        return 0;
    case T_ADDR:
        if (c->n_tcp_addr >= VGD_CONF_MAX_ADDRS)
            return fail(err, errlen, "%s: more than %d addresses", o->name, VGD_CONF_MAX_ADDRS), -1;
        if (!*v || set_str(&c->tcp_addr[c->n_tcp_addr], v) != 0)
            return fail(err, errlen, "%s: missing value", o->name), -1;
        c->n_tcp_addr++;
        return 0;
    case T_EXCL: {
        if (c->n_exclude >= VGD_CONF_MAX_EXCLUDES)
            return fail(err, errlen, "%s: more than %d patterns", o->name, VGD_CONF_MAX_EXCLUDES), -1;
        int rc = regcomp(&c->exclude[c->n_exclude], v, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char m[128];
            regerror(rc, &c->exclude[c->n_exclude], m, sizeof m);
            return fail(err, errlen, "%s: bad regular expression '%s': %s", o->name, v, m), -1;
        }
        c->exclude_src[c->n_exclude] = strdup(v);
        if (!c->exclude_src[c->n_exclude]) {
            regfree(&c->exclude[c->n_exclude]);
            return fail(err, errlen, "%s: out of memory", o->name), -1;
        }
        c->n_exclude++;
        return 0;
    }
    case T_EXAMPLE:
        return fail(err, errlen, "Example: this is the example configuration; edit it "
                                 "and remove the Example line"), -1;
    }
    return -1;
}

static const opt *find_opt(const char *name)
{
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (!strcmp(opts[i].name, name))
            return &opts[i];
    return NULL;
}

static int is_ignored(const char *name)
{
    for (int i = 0; ignored[i]; i++)
        if (!strcmp(ignored[i], name))
            return 1;
    return 0;
}

/* Split one line into name and value (in place); returns 0 for a blank or
 * comment line, 1 for an option. */
static int split_line(char *line, char **name, char **val)
{
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p || *p == '#')
        return 0;
    *name = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    if (*p)
        *p++ = 0;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strlen(p);
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        p[--n] = 0;
    if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
        p[n - 1] = 0;
        p++;
    }
    *val = p;
    return 1;
}

int vgd_conf_parse(vgd_conf *c, const char *name, const char *text, size_t len,
                   vgd_conf_warn_fn warn, void *ctx, char *err, size_t errlen)
{
    size_t pos = 0;
    unsigned lineno = 0;
    char line[4096];
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t l = end - pos;
        lineno++;
        if (l >= sizeof line) {
            fail(err, errlen, "%s:%u: line too long", name, lineno);
            return -1;
        }
        memcpy(line, text + pos, l);
        line[l] = 0;
        pos = end + 1;
        if (memchr(line, 0, l)) {
            fail(err, errlen, "%s:%u: NUL byte in line", name, lineno);
            return -1;
        }
        char *key, *val;
        if (!split_line(line, &key, &val))
            continue;
        const opt *o = find_opt(key);
        if (!o) {
            if (is_ignored(key))
                warnf(warn, ctx, "%s:%u: %s is a clamd option vigild does not use; ignored",
                      name, lineno, key);
            else
                warnf(warn, ctx, "%s:%u: unknown option %s; ignored", name, lineno, key);
            continue;
        }
        char e[512];
        if (apply(c, o, val, e, sizeof e) != 0) {
            fail(err, errlen, "%s:%u: %s", name, lineno, e);
            return -1;
        }
    }
    return 0;
}

int vgd_conf_load(vgd_conf *c, const char *path, vgd_conf_warn_fn warn, void *ctx,
                  char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            if (cap >= (16u << 20)) {
                fclose(f);
                free(buf);
                fail(err, errlen, "%s: file too large", path);
                return -1;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    int rerr = ferror(f);
    fclose(f);
    if (!buf || rerr) {
        free(buf);
        fail(err, errlen, "%s: %s", path, buf ? "read error" : "out of memory");
        return -1;
    }
    int rc = vgd_conf_parse(c, path, buf, n, warn, ctx, err, errlen);
    free(buf);
    return rc;
}

int vgd_conf_check(vgd_conf *c, vgd_conf_warn_fn warn, void *ctx, char *err, size_t errlen)
{
    if (c->n_tcp_addr && !c->tcp_port) {
        fail(err, errlen, "TCPAddr: set but TCPSocket (the port) is not");
        return -1;
    }
    if (c->local_socket && c->local_socket[0] != '/') {
        fail(err, errlen, "LocalSocket: '%s' must be an absolute path", c->local_socket);
        return -1;
    }
    if (c->local_socket && strlen(c->local_socket) >= 108) {
        fail(err, errlen, "LocalSocket: '%s' is longer than a socket path may be", c->local_socket);
        return -1;
    }
    if (c->max_queue < 2 * c->max_threads) {
        unsigned q = 2 * c->max_threads;
        warnf(warn, ctx, "MaxQueue %u is lower than twice MaxThreads, increasing to %u",
              c->max_queue, q);
        c->max_queue = q;
    }
    return 0;
}

int vgd_conf_excluded(const vgd_conf *c, const char *path)
{
    for (int i = 0; i < c->n_exclude; i++)
        if (regexec(&c->exclude[i], path, 0, NULL, 0) == 0)
            return 1;
    return 0;
}

void vgd_conf_free(vgd_conf *c)
{
    if (!c)
        return;
    free(c->local_socket);
    free(c->local_socket_group);
    for (int i = 0; i < c->n_tcp_addr; i++)
        free(c->tcp_addr[i]);
    free(c->database_directory);
    free(c->temporary_directory);
    free(c->log_file);
    free(c->pid_file);
    free(c->user);
    for (int i = 0; i < c->n_exclude; i++) {
        regfree(&c->exclude[i]);
        free(c->exclude_src[i]);
    }
    memset(c, 0, sizeof *c);
}
