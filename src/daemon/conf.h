/* daemon/conf.h - clamd.conf for vigild.
 *
 * Syntax (clamd 1.4.6, see /work/shared/reference/clamav.md section 7):
 * one "Option Value" per line, '#' starts a comment line, names are case
 * sensitive, the value is the rest of the line (surrounding blanks and one
 * pair of double quotes removed). Types:
 *   BOOL    yes/no/true/false/1/0 (any case)
 *   NUMBER  decimal, no sign
 *   SIZE    NUMBER with an optional K, M or G suffix (bytes otherwise)
 *   STRING  anything; TCPAddr and ExcludePath may repeat
 * A bad value is an error naming the file, line and option, and vigild does
 * not start. A clamd option vigild does not use, or an unknown option, is a
 * warning (clamd itself refuses unknown options; we only warn so that a
 * Debian clamd.conf works unchanged). "Example" is an error, as in clamd.
 *
 * Defaults are clamd 1.4.6's, except DatabaseDirectory: unset means the
 * database compiled into libvigil. */
#ifndef VIGIL_DAEMON_CONF_H
#define VIGIL_DAEMON_CONF_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#define VGD_CONF_MAX_ADDRS 16
#define VGD_CONF_MAX_EXCLUDES 64

typedef struct vgd_conf {
    char *local_socket;
    char *local_socket_group;
    unsigned local_socket_mode; /* 0 = leave as created (umask) */
    int fix_stale_socket;
    unsigned tcp_port;          /* 0 = no TCP */
    char *tcp_addr[VGD_CONF_MAX_ADDRS];
    int n_tcp_addr;
    unsigned max_threads;
    unsigned max_queue;
    unsigned max_conn_queue; /* listen() backlog */
    uint64_t stream_max_length;
    uint64_t max_scan_size;
    uint64_t max_file_size;
    unsigned max_recursion;
    unsigned max_files;
    unsigned max_scan_time_ms;
    unsigned max_dir_recursion;
    unsigned read_timeout;      /* seconds */
    unsigned command_read_timeout;
    unsigned send_buf_timeout_ms;
    unsigned idle_timeout;
    int allow_allmatch;
    int alert_exceeds_max;
    char *database_directory;
    char *temporary_directory;
    char *log_file;
    int log_time;
    int log_verbose;
    char *pid_file;
    int foreground;
    char *user;
    char *exclude_src[VGD_CONF_MAX_EXCLUDES];
    regex_t exclude[VGD_CONF_MAX_EXCLUDES];
    int n_exclude;
} vgd_conf;

/* Receives each warning ("FILE:LINE: ..."), without a newline. */
typedef void (*vgd_conf_warn_fn)(void *ctx, const char *msg);

void vgd_conf_defaults(vgd_conf *c);

/* Parse `text` (len bytes) named `name` in messages into c, on top of what
 * c already holds. Returns 0, or -1 with the error in err. */
int vgd_conf_parse(vgd_conf *c, const char *name, const char *text, size_t len,
                   vgd_conf_warn_fn warn, void *ctx, char *err, size_t errlen);

/* Read and parse a file. Returns 0, or -1 with the error in err. */
int vgd_conf_load(vgd_conf *c, const char *path, vgd_conf_warn_fn warn, void *ctx,
                  char *err, size_t errlen);

/* Checks across options (MaxQueue against MaxThreads, a socket to listen
 * on...). Adjustments clamd makes are warnings; contradictions errors. */
int vgd_conf_check(vgd_conf *c, vgd_conf_warn_fn warn, void *ctx, char *err, size_t errlen);

/* Whether path matches an ExcludePath regex. */
int vgd_conf_excluded(const vgd_conf *c, const char *path);

void vgd_conf_free(vgd_conf *c);

#endif
