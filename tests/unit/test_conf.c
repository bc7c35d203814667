/* tests/unit/test_conf.c - the clamd.conf parser (src/daemon/conf.c):
 * defaults are clamd 1.4.6's, every option vigild uses is read with its
 * type, bad values stop start-up with a message naming the file, line and
 * option, and unknown or unused options only warn. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/conf.h"
#include "tap.h"

static int nwarn;
static char last_warn[512];

static void warn(void *ctx, const char *msg)
{
    (void)ctx;
    nwarn++;
    snprintf(last_warn, sizeof last_warn, "%s", msg);
}

static int parse(vgd_conf *c, const char *text, char *err, size_t errlen)
{
    vgd_conf_defaults(c);
    nwarn = 0;
    last_warn[0] = 0;
    return vgd_conf_parse(c, "t.conf", text, strlen(text), warn, NULL, err, errlen);
}

static void defaults(void)
{
    vgd_conf c;
    vgd_conf_defaults(&c);
    TAP_OK(c.max_threads == 10 && c.max_queue == 100 && c.max_conn_queue == 200,
           "defaults: MaxThreads 10, MaxQueue 100, MaxConnectionQueueLength 200");
    TAP_OK(c.stream_max_length == 100ull << 20 && c.max_scan_size == 400ull << 20 &&
               c.max_file_size == 100ull << 20,
           "defaults: StreamMaxLength 100M, MaxScanSize 400M, MaxFileSize 100M");
    TAP_OK(c.max_recursion == 17 && c.max_files == 10000 && c.read_timeout == 120 &&
               c.command_read_timeout == 30 && c.idle_timeout == 30,
           "defaults: MaxRecursion 17, MaxFiles 10000, ReadTimeout 120, CommandReadTimeout 30, "
           "IdleTimeout 30");
    TAP_OK(c.fix_stale_socket && c.allow_allmatch && !c.foreground && !c.log_time,
           "defaults: FixStaleSocket yes, AllowAllMatchScan yes, Foreground no, LogTime no");
    vgd_conf_free(&c);
}

static void values(void)
{
    vgd_conf c;
    char err[512];
    const char *text =
        "# a comment\n"
        "   # an indented comment\n"
        "\n"
        "LocalSocket /run/vigil/vigild.ctl\n"
        "LocalSocketMode 660\n"
        "TCPSocket 3310\n"
        "TCPAddr 127.0.0.1\n"
        "TCPAddr ::1\n"
        "MaxThreads 12\n"
        "MaxQueue 50\n"
        "MaxConnectionQueueLength 15\n"
        "StreamMaxLength 25M\n"
        "MaxScanSize 1G\n"
        "MaxFileSize 512k\n"
        "MaxRecursion 16\n"
        "MaxFiles 20\n"
        "ReadTimeout 180\n"
        "CommandReadTimeout 5\n"
        "IdleTimeout 60\n"
        "DatabaseDirectory \"/var/lib/vigil db\"\n"
        "LogFile /var/log/vigil/vigild.log\n"
        "LogTime yes\n"
        "PidFile /run/vigil/vigild.pid\n"
        "Foreground TRUE\n"
        "User vigil\r\n"
        "ExcludePath ^/proc/\n"
        "ExcludePath \\.tmp$\n";
    int rc = parse(&c, text, err, sizeof err);
    TAP_OK(rc == 0, "a full configuration parses (%s)", rc ? err : "ok");
    TAP_OK(c.local_socket && !strcmp(c.local_socket, "/run/vigil/vigild.ctl") &&
               c.local_socket_mode == 0660,
           "LocalSocket and LocalSocketMode (octal)");
    TAP_OK(c.tcp_port == 3310 && c.n_tcp_addr == 2 && !strcmp(c.tcp_addr[1], "::1"),
           "TCPSocket, TCPAddr repeated");
    TAP_OK(c.max_threads == 12 && c.max_queue == 50 && c.max_conn_queue == 15,
           "MaxThreads, MaxQueue, MaxConnectionQueueLength");
    TAP_OK(c.stream_max_length == 25ull << 20 && c.max_scan_size == 1ull << 30 &&
               c.max_file_size == 512ull << 10,
           "SIZE values with M, G and k suffixes");
    TAP_OK(c.max_recursion == 16 && c.max_files == 20 && c.read_timeout == 180 &&
               c.command_read_timeout == 5 && c.idle_timeout == 60,
           "MaxRecursion, MaxFiles, ReadTimeout, CommandReadTimeout, IdleTimeout");
    TAP_OK(c.database_directory && !strcmp(c.database_directory, "/var/lib/vigil db"),
           "a quoted value keeps its spaces, loses its quotes");
    TAP_OK(c.log_time && c.foreground && c.user && !strcmp(c.user, "vigil"),
           "BOOL in any case; a CR at the end of a line is cut");
    TAP_OK(c.n_exclude == 2 && vgd_conf_excluded(&c, "/proc/1/maps") &&
               vgd_conf_excluded(&c, "/home/a.tmp") && !vgd_conf_excluded(&c, "/home/a.txt"),
           "ExcludePath regexes, repeated");
    TAP_OK(nwarn == 0, "no warnings for options vigild uses");
    TAP_OK(vgd_conf_check(&c, warn, NULL, err, sizeof err) == 0 && c.max_queue == 50,
           "MaxQueue 50 >= 2 x MaxThreads 12 is kept");
    vgd_conf_free(&c);
}

static void errors(void)
{
    static const struct {
        const char *text;
        const char *want; /* in the error message */
    } bad[] = {
        {"MaxThreads abc\n", "t.conf:1: MaxThreads: expected a number, got 'abc'"},
        {"# x\nMaxThreads 0\n", "t.conf:2: MaxThreads: 0 out of range"},
        {"MaxThreads -3\n", "MaxThreads: expected a number"},
        {"StreamMaxLength 10X\n", "StreamMaxLength: expected a size"},
        {"StreamMaxLength 5G\n", "StreamMaxLength: 5G out of range"},
        {"TCPSocket 70000\n", "TCPSocket: 70000 out of range"},
        {"Foreground maybe\n", "Foreground: expected yes or no, got 'maybe'"},
        {"LocalSocketMode 999\n", "LocalSocketMode: expected an octal mode"},
        {"ExcludePath (unclosed\n", "ExcludePath: bad regular expression"},
        {"LogFile\n", "LogFile: missing value"},
        {"Example\n", "Example"},
        {"ReadTimeout 99999999999999999999999\n", "ReadTimeout: expected a number"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vgd_conf c;
        char err[512] = "";
        int rc = parse(&c, bad[i].text, err, sizeof err);
        TAP_OK(rc != 0 && strstr(err, bad[i].want), "bad value refused: \"%s\" (%s)", bad[i].want,
               err);
        vgd_conf_free(&c);
    }
}

static void warnings(void)
{
    vgd_conf c;
    char err[512];
    int rc = parse(&c, "SelfCheck 3600\n", err, sizeof err);
    TAP_OK(rc == 0 && nwarn == 1 && strstr(last_warn, "t.conf:1: SelfCheck is a clamd option"),
           "a clamd option vigild does not use warns (%s)", last_warn);
    vgd_conf_free(&c);
    rc = parse(&c, "LocalSocket /tmp/s\nFrobnicate 1\n", err, sizeof err);
    TAP_OK(rc == 0 && nwarn == 1 && strstr(last_warn, "t.conf:2: unknown option Frobnicate"),
           "an unknown option warns, start-up goes on (%s)", last_warn);
    vgd_conf_free(&c);

    parse(&c, "MaxThreads 8\nMaxQueue 4\nLocalSocket /tmp/s\n", err, sizeof err);
    rc = vgd_conf_check(&c, warn, NULL, err, sizeof err);
    TAP_OK(rc == 0 && c.max_queue == 16 && strstr(last_warn, "MaxQueue 4 is lower than twice"),
           "MaxQueue below 2 x MaxThreads is raised with a warning, as clamd does");
    vgd_conf_free(&c);
    parse(&c, "TCPAddr 127.0.0.1\n", err, sizeof err);
    TAP_OK(vgd_conf_check(&c, warn, NULL, err, sizeof err) != 0 && strstr(err, "TCPAddr"),
           "TCPAddr without TCPSocket is an error naming TCPAddr");
    vgd_conf_free(&c);
    parse(&c, "LocalSocket relative.sock\n", err, sizeof err);
    TAP_OK(vgd_conf_check(&c, warn, NULL, err, sizeof err) != 0 && strstr(err, "LocalSocket"),
           "a relative LocalSocket is an error naming LocalSocket");
    vgd_conf_free(&c);
}

static void debian_conf(void)
{
    /* Debian's packaged clamd.conf parses: unused options warn, none fails */
    const char *path = "/etc/clamav/clamd.conf";
    FILE *f = fopen(path, "r");
    if (!f) {
        TAP_OK(1, "Debian clamd.conf parses # SKIP not installed");
        return;
    }
    fclose(f);
    vgd_conf c;
    vgd_conf_defaults(&c);
    char err[512] = "";
    nwarn = 0;
    int rc = vgd_conf_load(&c, path, warn, NULL, err, sizeof err);
    TAP_OK(rc == 0, "Debian's %s parses (%d warnings) %s", path, nwarn, err);
    vgd_conf_free(&c);
}

static void contrib_conf(void)
{
    /* the sample shipped in contrib/ uses only options vigild knows */
    const char *src = getenv("VIGIL_SRC");
    char path[1024];
    snprintf(path, sizeof path, "%s/contrib/vigild.conf", src ? src : ".");
    vgd_conf c;
    vgd_conf_defaults(&c);
    char err[512] = "";
    nwarn = 0;
    last_warn[0] = 0;
    int rc = vgd_conf_load(&c, path, warn, NULL, err, sizeof err);
    if (rc == 0)
        rc = vgd_conf_check(&c, warn, NULL, err, sizeof err);
    TAP_OK(rc == 0 && nwarn == 0 && c.user && !strcmp(c.user, "vigil"),
           "contrib/vigild.conf parses with no warning (%s%s)", err, last_warn);
    vgd_conf_free(&c);
}

int main(void)
{
    defaults();
    values();
    errors();
    warnings();
    debian_conf();
    contrib_conf();
    return tap_done();
}
