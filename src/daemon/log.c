/* daemon/log.c - vigild's log: LogFile (or stderr), LogTime, LogVerbose.
 *
 * Lines look like clamd's: with LogTime, "Fri Nov 27 03:38:26 2026 -> ";
 * warnings and errors start "WARNING: " / "ERROR: ". One process-wide log
 * (this is the daemon, not libvigil); a mutex keeps lines whole, and
 * vgd_log_reopen swaps the file under it for logrotate's SIGHUP. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "sandbox/seccomp.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = 2;
static char *log_path;
static int log_dfd = -1;          /* the LogFile's directory */
static const char *log_base;      /* the LogFile's name in it */
static int log_time, log_verbose;

int vgd_log_dirfd(void)
{
    return log_dfd;
}

void vgd_log_set_dirfd(int fd)
{
    log_dfd = fd;
}

int vgd_log_open(const char *path, int with_time, int verbose, char *err, size_t errlen)
{
    log_time = with_time;
    log_verbose = verbose;
    if (!path)
        return 0;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
    if (fd < 0) {
        snprintf(err, errlen, "LogFile: can't open %s: %s", path, strerror(errno));
        return -1;
    }
    char *p = strdup(path);
    if (!p) {
        close(fd);
        snprintf(err, errlen, "LogFile: out of memory");
        return -1;
    }
    /* reopened by directory descriptor and name: the sandbox allows
     * writing only under descriptors opened before it (src/sandbox) */
    char *slash = strrchr(p, '/');
    char *dir = slash == p ? strdup("/") : slash ? strndup(p, (size_t)(slash - p)) : strdup(".");
    int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    free(dir);
    pthread_mutex_lock(&log_lock);
    log_fd = fd;
    vgsb_set_log_fd(fd); /* a sandbox violation is logged here too */
    free(log_path);
    log_path = p;
    log_base = slash ? slash + 1 : p;
    if (log_dfd >= 0)
        close(log_dfd);
    log_dfd = dfd;
    pthread_mutex_unlock(&log_lock);
    return 0;
}

void vgd_log_reopen(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_path) {
        int fd = log_dfd >= 0 ? openat(log_dfd, log_base, O_WRONLY | O_APPEND | O_CREAT |
                                           O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0640)
                              : -1;
        if (fd >= 0) {
            vgsb_set_log_fd(fd);
            if (log_fd > 2)
                close(log_fd);
            log_fd = fd;
        }
    }
    pthread_mutex_unlock(&log_lock);
    vgd_log(VGD_LOG_INFO, "SIGHUP caught: re-opening log file.");
}

void vgd_log(int level, const char *fmt, ...)
{
    if (level == VGD_LOG_DEBUG && !log_verbose)
        return;
    char line[2048];
    size_t n = 0;
    if (log_time) {
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        n = strftime(line, sizeof line, "%a %b %e %H:%M:%S %Y -> ", &tm);
    }
    const char *pre = level == VGD_LOG_ERROR ? "ERROR: " : level == VGD_LOG_WARN ? "WARNING: " : "";
    int k = snprintf(line + n, sizeof line - n, "%s", pre);
    if (k > 0)
        n += (size_t)k;
    va_list ap;
    va_start(ap, fmt);
    k = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    if (k > 0)
        n = n + (size_t)k < sizeof line - 1 ? n + (size_t)k : sizeof line - 2;
    line[n++] = '\n';
    pthread_mutex_lock(&log_lock);
    ssize_t w = write(log_fd, line, n);
    (void)w;
    pthread_mutex_unlock(&log_lock);
}

int vgd_log_to_file(void)
{
    pthread_mutex_lock(&log_lock);
    int r = log_path != NULL;
    pthread_mutex_unlock(&log_lock);
    return r;
}

void vgd_log_close(void)
{
    pthread_mutex_lock(&log_lock);
    vgsb_set_log_fd(-1);
    if (log_fd > 2)
        close(log_fd);
    log_fd = 2;
    free(log_path);
    log_path = NULL;
    pthread_mutex_unlock(&log_lock);
}
