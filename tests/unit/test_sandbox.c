/* tests/unit/test_sandbox.c - the seccomp sandbox (src/sandbox).
 *
 * Each case runs in a forked child that enters the sandbox and then does
 * one thing; the parent checks how the child ended (exit 0, or killed by
 * SIGSYS) and what it wrote on stderr. The headline case: a scanning
 * thread that tries to open a socket is stopped, with the message. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/seccomp.h"
#include "tap.h"
#include "vigil/vigil.h"

static const char eicar[] =
    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
static char tmp[] = "/tmp/vg_sb_XXXXXX";
static int qfd = -1; /* a "quarantine" directory opened before entering */
static int pre_sock[2] = {-1, -1};
static int listen_fd = -1;

typedef struct outcome {
    int exited, code, signaled, sig;
    char err[2048];
} outcome;

/* Run fn in a child with stderr captured. */
static outcome run(void (*fn)(void))
{
    outcome o;
    memset(&o, 0, sizeof o);
    int p[2];
    if (pipe(p) != 0)
        return o;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        dup2(p[1], 2);
        fn();
        _exit(0); /* no atexit handlers, no leak check in the child */
    }
    close(p[1]);
    size_t len = 0;
    ssize_t r;
    while ((r = read(p[0], o.err + len, sizeof o.err - 1 - len)) > 0)
        len += (size_t)r;
    close(p[0]);
    int st;
    waitpid(pid, &st, 0);
    o.exited = WIFEXITED(st);
    o.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    o.signaled = WIFSIGNALED(st);
    o.sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    return o;
}

static void enter(unsigned flags)
{
    char err[256];
    if (vgsb_enter_dirs(flags, &qfd, 1, err, sizeof err) != 0) {
        fprintf(stderr, "enter failed: %s\n", err);
        _exit(3);
    }
}

static int killed(const outcome *o, const char *call)
{
    char want[128];
    snprintf(want, sizeof want, "vigil: sandbox: system call %s (", call);
    return o->signaled && o->sig == SIGSYS && strstr(o->err, want) &&
           strstr(o->err, "is not allowed while scanning; the process is stopped");
}

/* ---- the headline: a scanning thread opens a socket ------------------- */

static vg_engine *engine;

static void *scan_then_socket(void *arg)
{
    (void)arg;
    vg_scanner *sc;
    vg_result *r = NULL;
    if (vg_scanner_new(engine, &sc) != VG_OK ||
        vg_scanner_mem(sc, eicar, sizeof eicar - 1, NULL, &r) != VG_OK ||
        vg_result_count(r) != 1)
        _exit(4);
    fprintf(stderr, "scanned: %s\n", vg_result_get(r, 0)->name);
    vg_result_free(r);
    /* what an exploited parser would do next */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    fprintf(stderr, "survived: socket returned %d\n", s);
    return NULL;
}

static void c_thread_socket(void)
{
    enter(0);
    pthread_t th;
    if (pthread_create(&th, NULL, scan_then_socket, NULL) != 0)
        _exit(5);
    pthread_join(th, NULL);
}

/* a thread that existed before the filter is covered too (TSYNC) */
static int go[2];
static void *wait_then_socket(void *arg)
{
    (void)arg;
    char c;
    if (read(go[0], &c, 1) != 1)
        _exit(6);
    socket(AF_UNIX, SOCK_STREAM, 0);
    return NULL;
}

static void c_old_thread_socket(void)
{
    pthread_t th;
    if (pipe(go) != 0 || pthread_create(&th, NULL, wait_then_socket, NULL) != 0)
        _exit(5);
    enter(0);
    if (write(go[1], "x", 1) != 1)
        _exit(6);
    pthread_join(th, NULL);
}

/* ---- what a scan does must still work ----------------------------------- */

static void *scan_file(void *arg)
{
    vg_scanner *sc;
    vg_result *r = NULL;
    if (vg_scanner_new(engine, &sc) != VG_OK)
        return (void *)1;
    vg_status st = vg_scanner_file(sc, arg, NULL, &r);
    size_t n = st == VG_OK ? vg_result_count(r) : 99;
    vg_result_free(r);
    vg_scanner_free(sc);
    return (void *)n;
}

static void c_allowed(void)
{
    enter(0);
    char path[300];
    snprintf(path, sizeof path, "%s/eicar.zip", tmp);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        if (pthread_create(&th[i], NULL, scan_file, path) != 0)
            _exit(10);
    for (int i = 0; i < 4; i++) {
        void *rv;
        pthread_join(th[i], &rv);
        if (rv != (void *)1)
            _exit(11); /* one detection in the zip, from every thread */
    }
    int fd = open("/etc/passwd", O_RDONLY);
    char b[16];
    if (fd < 0 || read(fd, b, sizeof b) <= 0)
        _exit(12);
    void *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        _exit(13);
    munmap(m, 1 << 20);
    int mfd = (int)syscall(SYS_memfd_create, "x", 0); /* memory is fine */
    if (mfd < 0 || write(mfd, "abc", 3) != 3)
        _exit(14);
    if (write(1, "", 0) != 0)
        _exit(15);
    int w = openat(qfd, "written-in-store", O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (w < 0 || write(w, "ok", 2) != 2 || fsync(w) != 0)
        _exit(16);
    close(w);
    if (renameat(qfd, "written-in-store", qfd, "renamed-in-store") != 0)
        _exit(17);
    if (unlinkat(qfd, "renamed-in-store", 0) != 0)
        _exit(18);
    if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
        _exit(19);
    _exit(0);
}

/* ---- each refused call -------------------------------------------------- */

static void c_open_wronly(void) { enter(0); open("/tmp/vg_sb_never", O_WRONLY); }
static void c_open_creat(void) { enter(0); open("/tmp/vg_sb_never", O_RDONLY | O_CREAT, 0600); }
static void c_openat_rdwr(void) { enter(0); openat(AT_FDCWD, "/etc/passwd", O_RDWR); }
static void c_openat_trunc(void) { enter(0); openat(AT_FDCWD, "/tmp/vg_sb_x", O_RDONLY | O_TRUNC); }
static void c_creat(void) { enter(0); syscall(SYS_creat, "/tmp/vg_sb_never", 0600); }
static void c_openat_other_dir(void)
{
    int d = open("/tmp", O_RDONLY | O_DIRECTORY);
    enter(0);
    openat(d, "vg_sb_never", O_WRONLY | O_CREAT, 0600);
}
static void c_exec(void)
{
    enter(0);
    char *av[] = {"/bin/true", NULL};
    execv("/bin/true", av);
}
static void c_fork(void) { enter(0); syscall(SYS_fork); }
static void c_ptrace(void) { enter(0); ptrace(PTRACE_TRACEME, 0, NULL, NULL); }
static void c_connect(void)
{
    enter(VGSB_DAEMON);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    connect(pre_sock[0], (struct sockaddr *)&a, sizeof a);
}
static void c_send_scan(void) { enter(0); send(pre_sock[0], "x", 1, 0); }
static void c_send_daemon(void)
{
    enter(VGSB_DAEMON);
    char c;
    if (send(pre_sock[0], "x", 1, 0) != 1 || recv(pre_sock[1], &c, 1, 0) != 1)
        _exit(20);
    int a = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK);
    if (a >= 0 || errno != EAGAIN) /* nobody connecting: EAGAIN, but allowed */
        _exit(21);
    _exit(0);
}
static void c_socket_daemon(void) { enter(VGSB_DAEMON); socket(AF_INET6, SOCK_DGRAM, 0); }
static void c_unlink(void) { enter(0); unlink("/tmp/vg_sb_never"); }
static void c_unlink_allowed(void)
{
    char p[300];
    snprintf(p, sizeof p, "%s/to-unlink", tmp);
    enter(VGSB_UNLINK);
    _exit(unlink(p) == 0 ? 0 : 22);
}
static void c_rename_out(void)
{
    enter(0);
    renameat(qfd, "a", AT_FDCWD, "/tmp/vg_sb_never");
}
static void c_chmod(void) { enter(0); chmod("/tmp", 0777); }
static void c_kill_other(void) { enter(0); kill(1, 0); }
static void c_kill_self(void)
{
    enter(0);
    _exit(kill(getpid(), 0) == 0 && pthread_kill(pthread_self(), 0) == 0 ? 0 : 50);
}
static void c_io_uring(void) { enter(0); syscall(SYS_io_uring_setup, 1, NULL); }
static void c_unshare(void) { enter(0); syscall(SYS_unshare, 0); }
static void c_sigaction(void)
{
    enter(0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGSYS, &sa, NULL); /* trying to survive refused calls */
    fprintf(stderr, "survived\n");
}
static void c_status(void)
{
    enter(0);
    int fd = open("/proc/self/status", O_RDONLY);
    char b[4096];
    ssize_t n = fd >= 0 ? read(fd, b, sizeof b - 1) : -1;
    if (n <= 0)
        _exit(30);
    b[n] = 0;
    _exit(strstr(b, "Seccomp:\t2") && strstr(b, "NoNewPrivs:\t1") ? 0 : 31);
}

#if defined(__x86_64__)
/* socket through the i386 ABI (int 0x80, nr 359) and the x32 ABI: a deny
 * list must not be walked around by another system call table */
static void c_int80_socket(void)
{
    enter(0);
    long ret, nr = 359;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(2L), "c"(1L), "d"(0L) : "memory");
    fprintf(stderr, "survived %ld\n", ret);
}
static void c_x32_socket(void)
{
    enter(0);
    long r = syscall(0x40000000L | SYS_socket, 2, 1, 0);
    fprintf(stderr, "survived %ld\n", r);
}
#endif

/* Landlock: the store's descriptor number passes seccomp's check, but a
 * path that leaves the store must not (absolute, or through ".."). The
 * child exits 0 when every escape failed with the kernel's error. */
static char outside_abs[300], log_path[300];
static void c_path_escapes(void)
{
    enter(0);
    if (vgsb_landlock_abi() < 1)
        _exit(60);
    int a = openat(qfd, outside_abs, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (a >= 0 || errno != EACCES)
        _exit(61);
    int b = openat(qfd, "../outside-dotdot", O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (b >= 0 || errno != EACCES)
        _exit(62);
    int f = openat(qfd, "inside", O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (f < 0)
        _exit(63);
    close(f);
    if (renameat(qfd, "inside", qfd, outside_abs) == 0 || (errno != EXDEV && errno != EACCES))
        _exit(64);
    int t = openat(qfd, "/etc/passwd", O_WRONLY | O_APPEND);
    if (t >= 0 || errno != EACCES)
        _exit(65);
    _exit(unlinkat(qfd, "inside", 0) == 0 ? 0 : 66);
}

/* the SIGSYS line goes to the log descriptor too (a daemon's LogFile) */
static void c_log_fd(void)
{
    int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    vgsb_set_log_fd(fd);
    enter(0);
    socket(AF_INET, SOCK_STREAM, 0);
}

static void c_not_consecutive(void)
{
    int fds[2] = {qfd, 0};
    char err[256] = "";
    fds[1] = dup(qfd);
    if (dup(qfd) < 0) /* so that fds[1] + 1 is taken and the pair has a gap */
        _exit(43);
    fds[1] = dup(qfd);
    if (vgsb_enter_dirs(0, fds, 2, err, sizeof err) == 0)
        _exit(40);
    if (vgsb_pack_fds(fds, 2) != 0 || fds[1] != fds[0] + 1)
        _exit(41);
    _exit(vgsb_enter_dirs(0, fds, 2, err, sizeof err) == 0 ? 0 : 42);
}

int main(void)
{
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    char p[300], cmd[700];
    snprintf(p, sizeof p, "%s/store", tmp);
    mkdir(p, 0700);
    qfd = open(p, O_RDONLY | O_DIRECTORY);
    snprintf(p, sizeof p, "%s/to-unlink", tmp);
    tap_write_file(p, "x", 1);
    snprintf(p, sizeof p, "%s/eicar.com", tmp);
    tap_write_file(p, eicar, sizeof eicar - 1);
    snprintf(cmd, sizeof cmd, "cd '%s' && zip -q eicar.zip eicar.com", tmp);
    int have_zip = system(cmd) == 0;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pre_sock) != 0)
        perror("socketpair");
    listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s/sock", tmp);
    bind(listen_fd, (struct sockaddr *)&a, sizeof a);
    listen(listen_fd, 4);
    vg_engine_new(&engine);
    vg_engine_load_builtin(engine);
    vg_engine_compile(engine);

    outcome o = run(c_thread_socket);
    TAP_OK(strstr(o.err, "scanned: ") != NULL, "the scanning thread scanned EICAR under the sandbox");
    TAP_OK(killed(&o, "socket"), "then its socket() stopped the process with SIGSYS and a message");
    TAP_OK(!strstr(o.err, "survived"), "nothing ran after the refused call");
    fprintf(stdout, "#   child said: %s", strstr(o.err, "vigil:") ? strstr(o.err, "vigil:") : o.err);
    o = run(c_old_thread_socket);
    TAP_OK(killed(&o, "socket"), "a thread started before entering is filtered too (TSYNC)");
    o = run(c_allowed);
    if (have_zip)
        TAP_OK(o.exited && o.code == 0,
               "allowed: 4 threads scan a zip, read, mmap, memfd, write into the store dir, "
               "renameat/unlinkat there, clone3 is ENOSYS (exit %d, signal %d)", o.code, o.sig);
    else
        TAP_OK(1, "allowed: ... # SKIP zip not installed");
    o = run(c_status);
    TAP_OK(o.exited && o.code == 0, "/proc/self/status shows Seccomp 2 and NoNewPrivs 1");

    struct { void (*fn)(void); const char *call, *what; } kill_cases[] = {
        {c_open_wronly, "openat", "open O_WRONLY (glibc calls openat)"},
        {c_open_creat, "openat", "open O_CREAT"},
        {c_openat_rdwr, "openat", "openat O_RDWR"},
        {c_openat_trunc, "openat", "openat O_TRUNC"},
        {c_creat, "creat", "creat"},
        {c_openat_other_dir, "openat", "openat O_CREAT under another directory"},
        {c_exec, "execve", "execve"},
        {c_connect, "connect", "connect, even in daemon mode"},
        {c_socket_daemon, "socket", "socket, even in daemon mode"},
        {c_send_scan, "sendto", "send on an old socket when not a daemon"},
        {c_unlink, "unlink", "unlink without VGSB_UNLINK"},
        {c_rename_out, "renameat", "renameat out of the store"},
        {c_chmod, "chmod", "chmod"},
        {c_io_uring, "io_uring_setup", "io_uring_setup"},
        {c_unshare, "unshare", "unshare"},
    };
    for (size_t i = 0; i < sizeof kill_cases / sizeof *kill_cases; i++) {
        o = run(kill_cases[i].fn);
        int k = killed(&o, kill_cases[i].call);
        TAP_OK(k, "refused: %s", kill_cases[i].what);
        if (!k)
            printf("#   signal %d, stderr: %s\n", o.sig, o.err);
    }
    if (vgsb_relaxed_for_sanitizer()) {
        TAP_OK(1, "refused: fork # SKIP sanitizer build (LeakSanitizer needs it)");
        TAP_OK(1, "refused: ptrace # SKIP sanitizer build (LeakSanitizer needs it)");
        TAP_OK(1, "refused: kill 1 # SKIP sanitizer build (LeakSanitizer's helper)");
    } else {
        o = run(c_fork);
        TAP_OK(killed(&o, "fork"), "refused: fork");
        o = run(c_ptrace);
        TAP_OK(killed(&o, "ptrace"), "refused: ptrace");
        o = run(c_kill_other);
        TAP_OK(killed(&o, "kill"), "refused: a signal to another process (kill 1)");
    }
    o = run(c_sigaction);
    TAP_OK(o.signaled && o.sig == SIGSYS && !strstr(o.err, "survived"),
           "replacing the SIGSYS handler kills the process");
#if defined(__x86_64__)
    o = run(c_int80_socket);
    TAP_OK(o.signaled && o.sig == SIGSYS && !strstr(o.err, "survived"),
           "socket through the i386 ABI (int 0x80): killed");
    o = run(c_x32_socket);
    TAP_OK(o.signaled && o.sig == SIGSYS && !strstr(o.err, "survived"),
           "socket through the x32 ABI: killed");
#endif
    o = run(c_kill_self);
    TAP_OK(o.exited && o.code == 0, "signals to ourselves still work (exit %d)", o.code);
    o = run(c_send_daemon);
    TAP_OK(o.exited && o.code == 0, "daemon mode: send, recv, accept4 on old sockets (exit %d)",
           o.code);
    o = run(c_unlink_allowed);
    TAP_OK(o.exited && o.code == 0, "VGSB_UNLINK: unlink allowed (exit %d)", o.code);
    snprintf(outside_abs, sizeof outside_abs, "%s/outside-abs", tmp);
    o = run(c_path_escapes);
    long kabi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1u /* _VERSION */);
    if (kabi < 1) {
        TAP_OK(1, "Landlock: writes leaving the store by path are refused # SKIP the kernel "
                  "has no Landlock (seccomp's descriptor check alone)");
    } else {
        char dd[300];
        snprintf(dd, sizeof dd, "%s/outside-dotdot", tmp);
        TAP_OK(o.exited && o.code == 0 && access(outside_abs, F_OK) != 0 &&
                   access(dd, F_OK) != 0,
               "Landlock ABI %ld: openat(store, \"/abs\" or \"../x\", O_CREAT), renameat out "
               "and O_APPEND on /etc/passwd fail with EACCES/EXDEV, nothing created (exit "
               "%d, signal %d)", kabi, o.code, o.sig);
    }
    snprintf(log_path, sizeof log_path, "%s/daemon.log", tmp);
    o = run(c_log_fd);
    {
        char lb[512] = "";
        int lf = open(log_path, O_RDONLY);
        ssize_t k = lf >= 0 ? read(lf, lb, sizeof lb - 1) : -1;
        if (lf >= 0)
            close(lf);
        lb[k > 0 ? k : 0] = 0;
        TAP_OK(killed(&o, "socket") &&
                   strstr(lb, "vigil: sandbox: system call socket (") &&
                   strstr(lb, "the process is stopped"),
               "vgsb_set_log_fd: the line is in the log file too (%.60s...)", lb);
    }
    o = run(c_not_consecutive);
    TAP_OK(o.exited && o.code == 0,
           "directories must be consecutive descriptors; vgsb_pack_fds makes them so (exit %d)",
           o.code);

    vg_engine_free(engine);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup of %s failed\n", tmp);
    return tap_done();
}
