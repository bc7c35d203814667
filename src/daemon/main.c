/* daemon/main.c - vigild: a clamd-compatible scanning daemon.
 *
 * Start-up order, each step able to stop start-up with a message that
 * names what is wrong: options, clamd.conf (conf.c), the log, the
 * databases (DatabaseDirectory: .hdb .hsb .fp .sfp .ndb .vdb, or the
 * built-in database), the sockets (systemd socket activation, LocalSocket,
 * TCPSocket/TCPAddr), then daemonize unless Foreground, PidFile, and the
 * switch to User. Only after that do threads start: the worker pool and the
 * event loop (server.c), with SIGTERM/SIGINT/SIGHUP/SIGUSR2 blocked in all
 * threads and read by the loop from a signalfd.
 *
 * Reload (RELOAD, SIGUSR2) builds a new engine on a thread of its own while
 * the old one serves; only an engine that loaded, verified and compiled is
 * put in the slot (vg_engine_slot_set), so a broken database leaves the old
 * one serving. Scans in flight finish on the engine they started with; the
 * pool drops idle scanners at once so the old engine goes away with its
 * last scan (with a mapped .vdb the two share the page cache anyway).
 * Reload requests during a reload are merged into one more reload. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <malloc.h>
#include <netdb.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "sandbox/seccomp.h"

#define DEFAULT_CONF "/etc/vigil/vigild.conf"
#define MAX_LISTEN 32

typedef struct daemon_state {
    vgd_conf conf;
    vgd_ctx ctx;
    pthread_mutex_t rl_lock;
    pthread_cond_t rl_done;
    int reloading, reload_again;
    vgd_listener ls[MAX_LISTEN];
    int nl;
    int made_socket; /* we created LocalSocket and remove it at exit */
} daemon_state;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: vigild [options]\n"
            "\n"
            "A clamd-compatible scanning daemon: speaks the clamd protocol on a unix\n"
            "socket and/or TCP, reads clamd.conf syntax, scans with libvigil.\n"
            "\n"
            "  -c, --config-file=FILE  configuration (default " DEFAULT_CONF ")\n"
            "  -F, --foreground        do not fork into the background\n"
            "      --no-sandbox        do not enter the seccomp sandbox (debugging)\n"
            "  -V, --version           print the version\n"
            "  -h, --help              this text\n"
            "\n"
            "Signals: SIGUSR2 reloads the databases, SIGHUP reopens the log,\n"
            "SIGTERM exits. See contrib/vigild.conf for the options.\n");
}

static void conf_warn(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "vigild: WARNING: %s\n", msg);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "vigild: %s\n", msg);
    if (vgd_log_to_file())
        vgd_log(VGD_LOG_ERROR, "%s", msg);
    exit(1);
}

/* ---- databases ------------------------------------------------------------ */

static int build_engine(const vgd_conf *c, vg_engine **out, char *err, size_t errlen)
{
    vg_engine *e;
    if (vg_engine_new(&e) != VG_OK) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    vg_status st = c->database_directory ? vg_engine_load(e, c->database_directory)
                                         : vg_engine_load_builtin(e);
    if (st == VG_OK)
        st = vg_engine_compile(e);
    if (st != VG_OK) {
        const char *why = vg_engine_error(e);
        snprintf(err, errlen, "%s", *why ? why : vg_strerror(st));
        vg_engine_free(e);
        return -1;
    }
    vg_engine_skipped sk; /* never silently: see db/load_cvd.c */
    vg_engine_skipped_get(e, &sk);
    if (sk.bytecode)
        vgd_log(VGD_LOG_WARN, "%llu bytecode signatures skipped (not supported)",
                (unsigned long long)sk.bytecode);
    if (sk.unsupported)
        vgd_log(VGD_LOG_WARN, "%llu signatures in %s files skipped (not supported yet)",
                (unsigned long long)sk.unsupported, sk.types);
    if (sk.ftm)
        vgd_log(VGD_LOG_WARN, "%llu file-type magic entries (.ftm) read, not applied",
                (unsigned long long)sk.ftm);
    if (vg_engine_sig_count(e) == 0) {
        snprintf(err, errlen, "%s: no signatures loaded",
                 c->database_directory ? c->database_directory : "built-in database");
        vg_engine_free(e);
        return -1;
    }
    *out = e;
    return 0;
}

/* The 512-byte header of the daily container clamd takes its VERSION from:
 * of daily.cvd and daily.cld the newer (a tie goes to the .cld, as the
 * loader decides, db/load_cvd.c), else daily.cud. 0 and hdr filled, or -1
 * when DatabaseDirectory has none. */
static int daily_header(const char *dir, uint8_t hdr[512])
{
    static const char *const names[] = {"daily.cld", "daily.cvd", "daily.cud"};
    uint8_t h[512];
    long best = -1;
    int found = -1;
    for (int i = 0; i < 3; i++) {
        if (i == 2 && found >= 0)
            break;
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path)
            continue;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t k = read(fd, h, sizeof h);
        close(fd);
        if (k != (ssize_t)sizeof h)
            continue;
        /* the version field, through the same parser VERSION uses */
        char txt[80];
        size_t n = vgd_proto_version(h, sizeof h, txt, sizeof txt);
        const char *slash = memchr(txt, '/', n);
        long ver = slash ? strtol(slash + 1, NULL, 10) : -1;
        if (ver > best) {
            best = ver;
            found = i;
            memcpy(hdr, h, sizeof h);
        }
    }
    return found >= 0 && best >= 0 ? 0 : -1;
}

/* VERSION's reply for the databases just loaded from c. */
static void set_version(vgd_ctx *ctx, const vgd_conf *c)
{
    uint8_t hdr[512];
    int have = c->database_directory && daily_header(c->database_directory, hdr) == 0;
    char v[sizeof ctx->version];
    vgd_proto_version(have ? hdr : NULL, sizeof hdr, v, sizeof v);
    pthread_mutex_lock(&ctx->version_lock);
    memcpy(ctx->version, v, sizeof v);
    pthread_mutex_unlock(&ctx->version_lock);
}

void vgd_ctx_version(vgd_ctx *ctx, char *out, size_t outlen)
{
    pthread_mutex_lock(&ctx->version_lock);
    snprintf(out, outlen, "%s", ctx->version);
    pthread_mutex_unlock(&ctx->version_lock);
}

static void *reload_main(void *arg)
{
    daemon_state *d = arg;
    for (;;) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        vg_engine *e;
        char err[1024];
        vgd_log(VGD_LOG_INFO, "Reading databases from %s",
                d->conf.database_directory ? d->conf.database_directory : "(built-in)");
        if (build_engine(&d->conf, &e, err, sizeof err) == 0) {
            unsigned long long n = (unsigned long long)vg_engine_sig_count(e);
            vg_engine_slot_set(d->ctx.slot, e);
            vg_engine_free(e);
            set_version(&d->ctx, &d->conf);
            vgd_pool_engine_changed(d->ctx.pool);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            vgd_log(VGD_LOG_INFO, "Database correctly reloaded (%llu signatures, %.3f s)", n,
                    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        } else {
            vgd_log(VGD_LOG_ERROR, "Database reload failed, the current database stays: %s", err);
        }
        /* the old engine is usually gone by now: give its pages back */
        malloc_trim(0);
        pthread_mutex_lock(&d->rl_lock);
        if (!d->reload_again) {
            d->reloading = 0;
            pthread_cond_broadcast(&d->rl_done);
            pthread_mutex_unlock(&d->rl_lock);
            return NULL;
        }
        d->reload_again = 0;
        pthread_mutex_unlock(&d->rl_lock);
    }
}

static void hook_reload(void *arg)
{
    daemon_state *d = arg;
    pthread_mutex_lock(&d->rl_lock);
    if (d->reloading) {
        d->reload_again = 1;
    } else {
        pthread_t th;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&th, &at, reload_main, d) == 0)
            d->reloading = 1;
        else
            vgd_log(VGD_LOG_ERROR, "can't start the reload thread");
        pthread_attr_destroy(&at);
    }
    pthread_mutex_unlock(&d->rl_lock);
}

static void hook_reopen(void *arg)
{
    (void)arg;
    vgd_log_reopen();
}

/* ---- sockets ---------------------------------------------------------------- */

static int add_listener(daemon_state *d, int fd, int is_unix)
{
    if (d->nl >= MAX_LISTEN) {
        close(fd);
        return -1;
    }
    d->ls[d->nl].fd = fd;
    d->ls[d->nl].is_unix = is_unix;
    d->nl++;
    return 0;
}

/* systemd socket activation: LISTEN_PID/LISTEN_FDS, descriptors from 3. */
static int activated_sockets(daemon_state *d)
{
    const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
    if (!pid || !fds || strtol(pid, NULL, 10) != (long)getpid())
        return 0;
    long n = strtol(fds, NULL, 10);
    for (long i = 0; i < n && i < MAX_LISTEN; i++) {
        int fd = 3 + (int)i;
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
            die("socket activation: descriptor %d is not a socket", fd);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        add_listener(d, fd, ss.ss_family == AF_UNIX);
    }
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    vgd_log(VGD_LOG_INFO, "Using %ld socket(s) from systemd socket activation", n);
    return (int)n;
}

static void listen_unix(daemon_state *d)
{
    const vgd_conf *c = &d->conf;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", c->local_socket);
    struct stat sb;
    if (lstat(c->local_socket, &sb) == 0) {
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int live = probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0;
        if (probe >= 0)
            close(probe);
        if (live)
            die("LocalSocket: %s is in use by another daemon", c->local_socket);
        if (!c->fix_stale_socket)
            die("LocalSocket: %s exists (set FixStaleSocket yes to remove it)", c->local_socket);
        if (!S_ISSOCK(sb.st_mode))
            die("LocalSocket: %s exists and is not a socket", c->local_socket);
        unlink(c->local_socket);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        die("LocalSocket: can't bind %s: %s", c->local_socket, strerror(errno));
    d->made_socket = 1;
    if (c->local_socket_mode && chmod(c->local_socket, c->local_socket_mode) != 0)
        die("LocalSocketMode: chmod %s: %s", c->local_socket, strerror(errno));
    if (c->local_socket_group) {
        struct group *g = getgrnam(c->local_socket_group);
        if (!g)
            die("LocalSocketGroup: unknown group %s", c->local_socket_group);
        if (chown(c->local_socket, (uid_t)-1, g->gr_gid) != 0)
            die("LocalSocketGroup: chown %s: %s", c->local_socket, strerror(errno));
    }
    if (listen(fd, (int)c->max_conn_queue) != 0)
        die("LocalSocket: listen %s: %s", c->local_socket, strerror(errno));
    add_listener(d, fd, 1);
    vgd_log(VGD_LOG_INFO, "LOCAL: Unix socket file %s", c->local_socket);
}

static void listen_tcp(daemon_state *d, const char *addr)
{
    const vgd_conf *c = &d->conf;
    char port[16];
    snprintf(port, sizeof port, "%u", c->tcp_port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE};
    struct addrinfo *res;
    int rc = getaddrinfo(addr, port, &hints, &res);
    if (rc != 0)
        die("TCPAddr: %s: %s", addr ? addr : "(any)", gai_strerror(rc));
    int bound = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (a->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, (int)c->max_conn_queue) != 0) {
            int e = errno;
            close(fd);
            if (addr)
                die("TCPAddr: can't bind %s port %s: %s", addr, port, strerror(e));
            continue;
        }
        add_listener(d, fd, 0);
        bound++;
    }
    freeaddrinfo(res);
    if (!bound)
        die("TCPSocket: can't bind port %s on any address", port);
    vgd_log(VGD_LOG_INFO, "TCP: bound to %s port %s", addr ? addr : "all addresses", port);
}

/* ---- process --------------------------------------------------------------- */

static void daemonize(void)
{
    pid_t p = fork();
    if (p < 0)
        die("fork: %s", strerror(errno));
    if (p > 0)
        _exit(0);
    setsid();
    p = fork();
    if (p < 0)
        die("fork: %s", strerror(errno));
    if (p > 0)
        _exit(0);
    if (chdir("/") != 0)
        die("chdir /: %s", strerror(errno));
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
    }
}

/* PidFile is opened before daemonizing, so that a bad path stops start-up
 * where the message can still be seen; the pid is written after the fork. */
static int open_pidfile(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        die("PidFile: can't write %s: %s", path, strerror(errno));
    return fd;
}

static void write_pidfile(int fd, const char *path)
{
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (write(fd, buf, (size_t)n) != n)
        die("PidFile: can't write %s: %s", path, strerror(errno));
    close(fd);
}

static void drop_privileges(const vgd_conf *c)
{
    if (!c->user)
        return;
    struct passwd *pw = getpwnam(c->user);
    if (!pw)
        die("User: unknown user %s", c->user);
    if (pw->pw_uid == 0)
        return; /* User root: nothing to drop */
    if (getuid() != 0) {
        if (getuid() != pw->pw_uid)
            vgd_log(VGD_LOG_WARN, "User %s: not running as root, staying uid %ld", c->user,
                    (long)getuid());
        return;
    }
    if (c->log_file && chown(c->log_file, pw->pw_uid, pw->pw_gid) != 0)
        vgd_log(VGD_LOG_WARN, "LogFile: chown %s: %s", c->log_file, strerror(errno));
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0)
        die("User: can't switch to %s: %s", c->user, strerror(errno));
    if (setuid(0) == 0)
        die("User: privileges could be regained after switching to %s", c->user);
    vgd_log(VGD_LOG_INFO, "Running as user %s (uid %ld)", c->user, (long)pw->pw_uid);
}

static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void scan_opts_from(const vgd_conf *c, vg_scan_opts *o)
{
    vg_scan_opts_default(o);
    o->limits.max_filesize = c->max_file_size ? c->max_file_size : UINT64_MAX;
    o->limits.max_scansize = c->max_scan_size ? c->max_scan_size : UINT64_MAX;
    o->limits.max_recursion = c->max_recursion ? c->max_recursion : UINT32_MAX;
    o->limits.max_files = c->max_files ? c->max_files : UINT32_MAX;
    o->limits.max_scantime_ms = c->max_scan_time_ms;
    if (c->alert_exceeds_max)
        o->flags |= VG_SCAN_ALERT_EXCEEDS_MAX;
}

static int no_sandbox; /* --no-sandbox */

/* From here on the daemon cannot create or connect sockets (it keeps the
 * listeners it has), run programs or write files except under
 * TemporaryDirectory and the LogFile's directory (src/sandbox/seccomp.h).
 * Called once every descriptor it needs is open and privileges are
 * dropped, before the first client is served. */
static void enter_sandbox(daemon_state *d)
{
    if (no_sandbox) {
        vgd_log(VGD_LOG_WARN, "--no-sandbox: serving WITHOUT the seccomp sandbox");
        return;
    }
    int dirs[2] = {d->ctx.tmp_dfd, vgd_log_dirfd()};
    size_t n = dirs[1] >= 0 ? 2 : 1;
    char err[256];
    if (vgsb_pack_fds(dirs, n) != 0)
        die("sandbox: %s", strerror(errno));
    d->ctx.tmp_dfd = dirs[0];
    if (n == 2)
        vgd_log_set_dirfd(dirs[1]);
    /* VGSB_UNLINK: the LocalSocket and PidFile are removed at exit */
    if (vgsb_enter_dirs(VGSB_DAEMON | VGSB_UNLINK, dirs, n, err, sizeof err) != 0)
        die("%s (vigild --no-sandbox runs without it)", err);
    vgd_log(VGD_LOG_INFO, "Sandbox: seccomp filter installed");
}

static const char *parse_args(int argc, char **argv, int *foreground)
{
    static const struct option lo[] = {
        {"config-file", required_argument, NULL, 'c'},
        {"foreground", no_argument, NULL, 'F'},
        {"no-sandbox", no_argument, NULL, 'S'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *conf = DEFAULT_CONF;
    int ch;
    while ((ch = getopt_long(argc, argv, "c:FVh", lo, NULL)) != -1) {
        switch (ch) {
        case 'c': conf = optarg; break;
        case 'F': *foreground = 1; break;
        case 'S': no_sandbox = 1; break;
        case 'V': printf("vigild %s (clamd protocol %s)\n", vg_version(), VGD_CLAMD_VERSION); exit(0);
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); exit(2);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vigild: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        exit(2);
    }
    return conf;
}

static void setup(daemon_state *d, const char *conf_path, int foreground)
{
    char err[1024];
    vgd_conf_defaults(&d->conf);
    if (vgd_conf_load(&d->conf, conf_path, conf_warn, NULL, err, sizeof err) != 0 ||
        vgd_conf_check(&d->conf, conf_warn, NULL, err, sizeof err) != 0)
        die("%s", err);
    if (foreground)
        d->conf.foreground = 1;
    if (vgd_log_open(d->conf.log_file, d->conf.log_time, d->conf.log_verbose, err, sizeof err) != 0)
        die("%s", err);
    vgd_log(VGD_LOG_INFO, "vigild %s (clamd protocol %s) starting, pid %ld", vg_version(),
            VGD_CLAMD_VERSION, (long)getpid());
    raise_nofile();

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    vg_engine *e;
    if (build_engine(&d->conf, &e, err, sizeof err) != 0)
        die("DatabaseDirectory: %s", err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    vgd_log(VGD_LOG_INFO, "Loaded %llu signatures from %s in %.3f s",
            (unsigned long long)vg_engine_sig_count(e),
            d->conf.database_directory ? d->conf.database_directory : "the built-in database",
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    if (vg_engine_slot_new(e, &d->ctx.slot) != VG_OK)
        die("out of memory");
    vg_engine_free(e);

    if (activated_sockets(d) == 0) {
        if (d->conf.local_socket)
            listen_unix(d);
        if (d->conf.tcp_port) {
            if (d->conf.n_tcp_addr == 0)
                listen_tcp(d, NULL);
            for (int i = 0; i < d->conf.n_tcp_addr; i++)
                listen_tcp(d, d->conf.tcp_addr[i]);
        }
    }
    if (d->nl == 0)
        die("no socket to listen on: set LocalSocket or TCPSocket");
}

int main(int argc, char **argv)
{
    int foreground = 0;
    const char *conf_path = parse_args(argc, argv, &foreground);
    static daemon_state d;
    pthread_mutex_init(&d.rl_lock, NULL);
    pthread_cond_init(&d.rl_done, NULL);
    pthread_mutex_init(&d.ctx.version_lock, NULL);
    tzset(); /* VERSION's date is local time; read the zone before the sandbox */
    setup(&d, conf_path, foreground);

    int pidfd = d.conf.pid_file ? open_pidfile(d.conf.pid_file) : -1;
    if (d.conf.user && !getpwnam(d.conf.user))
        die("User: unknown user %s", d.conf.user); /* before the fork, seen */
    if (!d.conf.foreground)
        daemonize();
    if (pidfd >= 0)
        write_pidfile(pidfd, d.conf.pid_file);
    drop_privileges(&d.conf);
    const char *tmpdir = d.conf.temporary_directory ? d.conf.temporary_directory : "/tmp";
    d.ctx.tmp_dfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d.ctx.tmp_dfd < 0)
        die("TemporaryDirectory %s: %s", tmpdir, strerror(errno));

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    d.ctx.conf = &d.conf;
    scan_opts_from(&d.conf, &d.ctx.scan_opts);
    d.ctx.spool_max = VGD_SPOOL_MEM_MAX;
    set_version(&d.ctx, &d.conf);
    struct stat sb;
    if (stat("/proc", &sb) == 0) {
        d.ctx.procdev = sb.st_dev;
        d.ctx.have_procdev = 1;
    }
    if (vgd_pool_new(d.conf.max_threads, d.conf.max_queue, d.conf.idle_timeout, d.ctx.slot,
                     &d.ctx.pool) != 0)
        die("out of memory");
    vgd_hooks hooks = {.reload = hook_reload, .reopen_log = hook_reopen, .arg = &d};
    vgd_server *srv;
    if (vgd_server_new(&d.ctx, d.ls, d.nl, &hooks, &srv) != 0)
        die("can't set up the event loop: %s", strerror(errno));
    enter_sandbox(&d);
    vgd_log(VGD_LOG_INFO, "Ready: MaxThreads %u, MaxQueue %u, StreamMaxLength %llu",
            d.conf.max_threads, d.conf.max_queue, (unsigned long long)d.conf.stream_max_length);

    vgd_server_run(srv);

    for (int i = 0; i < d.nl; i++)
        close(d.ls[i].fd);
    if (d.made_socket)
        unlink(d.conf.local_socket);
    pthread_mutex_lock(&d.rl_lock);
    d.reload_again = 0;
    while (d.reloading)
        pthread_cond_wait(&d.rl_done, &d.rl_lock);
    pthread_mutex_unlock(&d.rl_lock);
    vgd_pool_free(d.ctx.pool);
    vgd_server_free(srv);
    close(d.ctx.tmp_dfd);
    vg_engine_slot_free(d.ctx.slot);
    if (d.conf.pid_file)
        unlink(d.conf.pid_file);
    vgd_log(VGD_LOG_INFO, "vigild stopped");
    vgd_log_close();
    vgd_conf_free(&d.conf);
    return 0;
}
