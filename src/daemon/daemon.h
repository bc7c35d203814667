/* daemon/daemon.h - what vigild's files share: the daemon context, the
 * connection calls jobs make, the jobs the event loop creates, the logger.
 *
 *   main.c    options, clamd.conf, log, engine load and reload, sockets,
 *             daemonize, pidfile, privilege drop
 *   server.c  the epoll loop: accept, read, parse (proto.c), INSTREAM
 *             spooling, FILDES, IDSESSION, timeouts, back-pressure
 *   jobs.c    what workers run: SCAN/CONTSCAN/MULTISCAN/ALLMATCHSCAN walks,
 *             FILDES, INSTREAM and STATS, with clamd's reply lines
 *   pool.c    the worker pool (MaxThreads, MaxQueue)
 *   log.c     LogFile / LogTime, reopened on SIGHUP
 *
 * Ownership of a connection: the event loop owns it while it reads from
 * it. Each job holds a reference (vgd_conn_hold / vgd_conn_release). When
 * the loop stops reading (a single command was dispatched, END, an error)
 * it detaches the connection, and whoever drops the last reference closes
 * the socket and frees it. Replies are written by whoever produces them,
 * under the connection's lock, so each reply line goes out whole. */
#ifndef VIGIL_DAEMON_DAEMON_H
#define VIGIL_DAEMON_DAEMON_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/conf.h"
#include "daemon/pool.h"
#include "daemon/proto.h"
#include "vigil/vigil.h"

/* Bytes of INSTREAM data all connections together may hold in memory;
 * beyond it a stream spills to an unlinked file in TemporaryDirectory. */
#define VGD_SPOOL_MEM_MAX (256ull << 20)
/* Largest reply line we format on the stack (paths are < 4104 bytes). */
#define VGD_REPLY_MAX 8400u

typedef struct vgd_ctx {
    const vgd_conf *conf;
    vgd_pool *pool;
    vg_engine_slot *slot;
    vg_scan_opts scan_opts;  /* limits from clamd.conf */
    atomic_size_t spool_mem; /* INSTREAM bytes held in memory */
    size_t spool_max;
    dev_t procdev;           /* files on /proc are skipped, as clamd does */
    int have_procdev;
    int tmp_dfd;             /* TemporaryDirectory, opened before the sandbox */
    pthread_mutex_t version_lock; /* version changes with a reload */
    char version[80];        /* VERSION reply body (vgd_proto_version) */
} vgd_ctx;

/* Copy the VERSION reply body (under version_lock). */
void vgd_ctx_version(vgd_ctx *ctx, char *out, size_t outlen);

/* ---- connections (server.c) ------------------------------------------ */
typedef struct vgd_conn vgd_conn;

/* Write one whole reply, waiting up to SendBufTimeout for room. Returns 0,
 * or -1 when the peer is gone (the connection is then shut down). */
int vgd_conn_send(vgd_conn *c, const char *buf, size_t len);
/* Whether the peer went away or the connection was aborted. */
int vgd_conn_gone(vgd_conn *c);
void vgd_conn_hold(vgd_conn *c);
void vgd_conn_release(vgd_conn *c);

/* ---- jobs (jobs.c) ----------------------------------------------------- */
typedef struct vgd_group vgd_group;

typedef struct vgd_job {
    vgd_task task; /* first: the pool queues jobs as tasks */
    vgd_ctx *ctx;
    vgd_conn *conn;
    vgd_cmd cmd;
    unsigned id;   /* IDSESSION reply number, 0 outside a session */
    char term;
    char *path;    /* SCAN-like commands, MULTISCAN files */
    int fd;        /* FILDES descriptor, or a spilled INSTREAM; -1 */
    uint8_t *data; /* INSTREAM held in memory */
    size_t len;
    size_t charged; /* bytes counted in ctx->spool_mem */
    vgd_group *group;
} vgd_job;

/* A job for conn (a reference is taken); NULL when out of memory. */
vgd_job *vgd_job_new(vgd_ctx *ctx, vgd_conn *conn, vgd_cmd cmd, unsigned id, char term);
/* Free a job that was never run (drops its reference). */
void vgd_job_free(vgd_job *j);

/* ---- server (server.c) ------------------------------------------------- */
typedef struct vgd_server vgd_server;

typedef struct vgd_hooks {
    void (*reload)(void *arg);     /* RELOAD, SIGUSR2 */
    void (*reopen_log)(void *arg); /* SIGHUP */
    void *arg;
} vgd_hooks;

typedef struct vgd_listener {
    int fd;
    int is_unix;
} vgd_listener;

/* Signals SIGTERM SIGINT SIGHUP SIGUSR2 must be blocked in every thread
 * before this; the loop takes them through a signalfd. */
int vgd_server_new(vgd_ctx *ctx, const vgd_listener *l, int nl, const vgd_hooks *h,
                   vgd_server **out);
/* Serve until SHUTDOWN, SIGTERM or SIGINT. */
int vgd_server_run(vgd_server *s);
/* After vgd_pool_free: every job has ended. */
void vgd_server_free(vgd_server *s);

/* ---- log (log.c) ------------------------------------------------------- */
enum { VGD_LOG_ERROR, VGD_LOG_WARN, VGD_LOG_INFO, VGD_LOG_DEBUG };

/* Log to path (appending), or to stderr when path is NULL. */
int vgd_log_open(const char *path, int log_time, int verbose, char *err, size_t errlen);
/* Reopen the same path (after rotation). */
void vgd_log_reopen(void);
/* The LogFile's directory, opened by vgd_log_open (-1 without LogFile), so
 * that a reopen works under the sandbox; set it when it is renumbered. */
int vgd_log_dirfd(void);
void vgd_log_set_dirfd(int fd);
void vgd_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vgd_log_close(void);
/* Whether the log goes to a file (else stderr). */
int vgd_log_to_file(void);

#endif
