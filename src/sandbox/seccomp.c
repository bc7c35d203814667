/* sandbox/seccomp.c - the seccomp-bpf filter of a scanning process
 * (libseccomp). The promise and the user-visible check are in seccomp.h.
 *
 * A deny list, not an allow list. What a scan runs is glibc, pthreads,
 * libarchive (with zlib, bzip2, liblzma, zstd, lz4), OpenSSL, Vectorscan
 * and json-c, and the set of system calls those make changes with their
 * versions (glibc moved to clone3, openat2, statx, rseq... over the last
 * releases); an allow list that misses one kills correct scans on the
 * next distribution update. The harm a compromised parser could do, on
 * the other hand, goes through a short and stable list: reach the network,
 * start a program, touch another process, fork, write or create files,
 * change the system. So everything is allowed except, always:
 *
 *   network     socket socketpair connect bind listen; for vigil scan also
 *               accept* send* recv* (VGSB_DAEMON keeps these for vigild's
 *               sockets opened before the filter)
 *   programs    execve execveat fork vfork; clone without CLONE_THREAD;
 *               clone3 fails with ENOSYS (its flags are in memory seccomp
 *               cannot read), so glibc falls back to clone, which we check
 *   processes   ptrace process_vm_readv/writev kcmp pidfd_getfd; signals
 *               to other processes (kill, tgkill, rt_*sigqueueinfo with
 *               another pid than ours; tkill, pidfd_send_signal)
 *   files       open/openat with O_WRONLY, O_RDWR, O_CREAT or O_TRUNC
 *               (openat allowed with those under the given directory
 *               descriptors: seccomp compares the dirfd *number* with the
 *               range of the pre-opened ones; it cannot read paths), creat
 *               truncate rename* link* symlink* mkdir* mknod* rmdir
 *               unlink* (VGSB_UNLINK allows unlink/unlinkat; renameat and
 *               unlinkat are allowed within the given directories), chmod
 *               and chown in all forms, utime*, *xattr writes,
 *               open_by_handle_at; openat2 fails with ENOSYS (flags in
 *               memory; glibc does not use it)
 *   system      mount and the new mount API, chroot pivot_root swap*
 *               reboot kexec_* *_module bpf perf_event_open userfaultfd
 *               io_uring_* (io_uring would bypass the filter) keyctl
 *               add_key request_key unshare setns acct clock/time setting
 *               sethostname setdomainname iopl ioperm quotactl
 *               fanotify_init; ioctl TIOCSTI (typing into the terminal)
 *
 * Violations: SCMP_ACT_TRAP, so the kernel sends SIGSYS to the thread
 * instead of running the call; our handler writes one fixed line with
 * write(2) (naming the call from a table filled before the filter went
 * in, nothing allocated) and then calls rt_sigaction(SIGSYS), which the
 * filter answers with SCMP_ACT_KILL_PROCESS: the whole process dies by
 * SIGSYS, as with KILL_PROCESS directly, but after saying why. A plain
 * KILL_PROCESS would leave no message (only the audit log). Because
 * rt_sigaction(SIGSYS) always kills, code in the process cannot replace
 * the handler to survive a refused call.
 *
 * Paths: seccomp sees a directory descriptor's number, not the path given
 * with it, so openat(store_fd, "/etc/x", O_WRONLY) or "../x" would pass
 * the number check. Where the kernel has Landlock (5.13 and later, when
 * enabled), the same writes are also confined by path: creating, writing,
 * truncating, renaming into and (without VGSB_UNLINK) removing files is
 * allowed only beneath the given directories, and fails with EACCES
 * elsewhere (or EXDEV for a rename across). Landlock binds the calling
 * thread and the threads it starts afterwards (all three callers enter
 * before starting their scanning threads); seccomp's TSYNC covers threads
 * that already exist. Without Landlock the number check alone remains;
 * vgsb_landlock_abi() says which. With no directory given, Landlock is not
 * used: the filter then refuses every write-open, rename and link
 * whatever the descriptor, and a Landlock domain would also hide other
 * processes' /proc/PID/exe (its ptrace scoping), which vigil watch reads to
 * recognise vigil's own processes.
 *
 * no_new_privs is set (libseccomp's default). A syscall made through
 * another ABI (int 0x80 on x86-64) does not match the native filter and
 * kills the process (SCMP_FLTATR_ACT_BADARCH), so the deny list cannot be
 * walked around that way.
 *
 * Sanitizers: LeakSanitizer checks for leaks at exit from a helper it
 * makes with clone (no CLONE_THREAD) that ptrace-attaches to every thread.
 * In builds with ASan/LSan (vgsb_relaxed_for_sanitizer() == 1), clone
 * without CLONE_THREAD, ptrace and signals to other processes stay
 * allowed; every other rule is the same, and the tests of those rules skip
 * in such builds.
 *
 * The only mutable globals of libvigil are here: the SIGSYS handler can
 * reach nothing else. They are written once, before the filter goes in. */
#include "sandbox/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sched.h>
#include <stdatomic.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* Landlock ABI 3 (Linux 6.2) */
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define VGSB_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||                   \
    __has_feature(leak_sanitizer)
#define VGSB_SANITIZER 1
#endif
#endif
#ifndef VGSB_SANITIZER
#define VGSB_SANITIZER 0
#endif

/* ---- the refused calls ------------------------------------------------ */

/* Refused whatever the arguments. */
static const char *const deny_always[] = {
    "socket", "socketpair", "connect", "bind", "listen",
    "execve", "execveat", "fork", "vfork",
    "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "creat", "truncate", "rename", "link", "linkat", "symlink", "symlinkat",
    "mkdir", "mkdirat", "mknod", "mknodat", "rmdir",
    "chmod", "fchmod", "fchmodat", "chown", "fchown", "lchown", "fchownat",
    "utime", "utimes", "futimesat", "utimensat",
    "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
    "open_by_handle_at", "name_to_handle_at",
    "mount", "umount2", "pivot_root", "chroot", "swapon", "swapoff", "reboot",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "keyctl", "add_key", "request_key", "unshare", "setns", "acct",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "sethostname", "setdomainname", "iopl", "ioperm", "quotactl", "fanotify_init",
};
/* Refused unless VGSB_DAEMON. */
static const char *const deny_unless_daemon[] = {
    "accept", "accept4", "sendto", "sendmsg", "sendmmsg", "recvfrom", "recvmsg", "recvmmsg",
};
/* Refused in normal builds, allowed for the sanitizer runtimes. */
static const char *const deny_unless_sanitizer[] = {"ptrace", "tkill", "pidfd_send_signal"};
/* Names the handler may print; also every conditional rule's call. */
static const char *const deny_conditional[] = {
    "open", "openat", "renameat", "renameat2", "unlink", "unlinkat", "clone", "ioctl",
    "kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
};

#define NDENY                                                                              \
    (sizeof deny_always / sizeof *deny_always +                                            \
     sizeof deny_unless_daemon / sizeof *deny_unless_daemon +                              \
     sizeof deny_unless_sanitizer / sizeof *deny_unless_sanitizer +                        \
     sizeof deny_conditional / sizeof *deny_conditional)

/* For the SIGSYS handler: syscall numbers of the names above, in the same
 * order (filled by vgsb_enter_dirs before the filter is loaded). */
static int deny_nr[NDENY];
static const char *deny_name[NDENY];
/* A second descriptor the handler writes its line to (vigild's LogFile:
 * a daemon's stderr is often /dev/null); -1 when none. */
static atomic_int log_fd = -1;
/* The Landlock ABI the last vgsb_enter_dirs used; 0 when none. */
static atomic_int landlock_abi_used;

/* ---- the SIGSYS handler ----------------------------------------------- */

static size_t put(char *buf, size_t at, size_t cap, const char *s)
{
    while (*s && at + 1 < cap)
        buf[at++] = *s++;
    return at;
}

static size_t put_num(char *buf, size_t at, size_t cap, long v)
{
    char tmp[24];
    size_t n = 0;
    unsigned long u = v < 0 ? (unsigned long)-v : (unsigned long)v;
    do
        tmp[n++] = (char)('0' + u % 10);
    while ((u /= 10) && n < sizeof tmp);
    if (v < 0 && at + 1 < cap)
        buf[at++] = '-';
    while (n && at + 1 < cap)
        buf[at++] = tmp[--n];
    return at;
}

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    char msg[256];
    size_t n = 0;
    const char *name = NULL;
    for (size_t i = 0; i < NDENY; i++)
        if (deny_name[i] && deny_nr[i] == si->si_syscall)
            name = deny_name[i];
    n = put(msg, n, sizeof msg, "vigil: sandbox: system call ");
    if (name) {
        n = put(msg, n, sizeof msg, name);
        n = put(msg, n, sizeof msg, " (");
    }
    n = put_num(msg, n, sizeof msg, si->si_syscall);
    n = put(msg, n, sizeof msg, name ? ")" : "");
    n = put(msg, n, sizeof msg,
            " is not allowed while scanning; the process is stopped\n");
    ssize_t w = write(2, msg, n);
    int lfd = atomic_load(&log_fd);
    if (lfd > 2)
        w = write(lfd, msg, n);
    (void)w;
    /* The filter answers this one with KILL_PROCESS: we die by SIGSYS. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGSYS, &sa, NULL);
    _exit(128 + SIGSYS); /* not reached */
}

/* ---- building the filter ---------------------------------------------- */

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* A rule for a call this architecture may not have (open, fork... on
 * arm64): libseccomp refuses it, and there is nothing to refuse. */
static int add(scmp_filter_ctx c, uint32_t act, const char *name, unsigned n,
               const struct scmp_arg_cmp *cmp)
{
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR)
        return 0;
    if (nr < 0)
        return 0; /* a pseudo number: not on this architecture */
    return seccomp_rule_add_array(c, act, nr, n, cmp);
}

/* The rule `name` with `cond` (may be NULL) refused when argument `arg`
 * is outside [lo, hi] (or always, when there is no range). */
static int add_outside(scmp_filter_ctx c, const char *name, unsigned arg, int have_range,
                       int lo, int hi, const struct scmp_arg_cmp *cond)
{
    struct scmp_arg_cmp cmp[2];
    unsigned n = 0;
    if (cond)
        cmp[n++] = *cond;
    if (!have_range)
        return add(c, SCMP_ACT_TRAP, name, n, cmp);
    cmp[n] = (struct scmp_arg_cmp){arg, SCMP_CMP_LT, (scmp_datum_t)lo, 0};
    int rc = add(c, SCMP_ACT_TRAP, name, n + 1, cmp);
    cmp[n] = (struct scmp_arg_cmp){arg, SCMP_CMP_GT, (scmp_datum_t)hi, 0};
    return rc ? rc : add(c, SCMP_ACT_TRAP, name, n + 1, cmp);
}

static int add_rules(scmp_filter_ctx c, unsigned flags, int have_range, int lo, int hi)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof deny_always / sizeof *deny_always; i++)
        rc = add(c, SCMP_ACT_TRAP, deny_always[i], 0, NULL);
    for (size_t i = 0; !rc && !(flags & VGSB_DAEMON) &&
                       i < sizeof deny_unless_daemon / sizeof *deny_unless_daemon; i++)
        rc = add(c, SCMP_ACT_TRAP, deny_unless_daemon[i], 0, NULL);
    for (size_t i = 0; !rc && !VGSB_SANITIZER &&
                       i < sizeof deny_unless_sanitizer / sizeof *deny_unless_sanitizer; i++)
        rc = add(c, SCMP_ACT_TRAP, deny_unless_sanitizer[i], 0, NULL);
    /* open(path, flags) and openat(dirfd, path, flags) for writing */
    static const int wbits[] = {O_WRONLY, O_RDWR, O_CREAT, O_TRUNC};
    for (size_t i = 0; !rc && i < sizeof wbits / sizeof *wbits; i++) {
        /* (arg & bit) == bit */
        struct scmp_arg_cmp b1 = {1, SCMP_CMP_MASKED_EQ, (scmp_datum_t)wbits[i],
                                  (scmp_datum_t)wbits[i]};
        struct scmp_arg_cmp b2 = {2, SCMP_CMP_MASKED_EQ, (scmp_datum_t)wbits[i],
                                  (scmp_datum_t)wbits[i]};
        rc = add(c, SCMP_ACT_TRAP, "open", 1, &b1);
        if (!rc)
            rc = add_outside(c, "openat", 0, have_range, lo, hi, &b2);
    }
    if (!rc)
        rc = add_outside(c, "renameat", 0, have_range, lo, hi, NULL);
    if (!rc)
        rc = add_outside(c, "renameat", 2, have_range, lo, hi, NULL);
    if (!rc)
        rc = add_outside(c, "renameat2", 0, have_range, lo, hi, NULL);
    if (!rc)
        rc = add_outside(c, "renameat2", 2, have_range, lo, hi, NULL);
    if (!rc && !(flags & VGSB_UNLINK)) {
        rc = add(c, SCMP_ACT_TRAP, "unlink", 0, NULL);
        if (!rc)
            rc = add_outside(c, "unlinkat", 0, have_range, lo, hi, NULL);
    }
    if (!rc && !VGSB_SANITIZER) {
        struct scmp_arg_cmp t = {0, SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0};
        rc = add(c, SCMP_ACT_TRAP, "clone", 1, &t);
    }
    /* signals: only to ourselves (raise, pthread_kill use our pid) */
    static const char *const sig_calls[] = {"kill", "tgkill", "rt_sigqueueinfo",
                                            "rt_tgsigqueueinfo"};
    struct scmp_arg_cmp other = {0, SCMP_CMP_NE, (scmp_datum_t)getpid(), 0};
    for (size_t i = 0; !rc && !VGSB_SANITIZER && i < sizeof sig_calls / sizeof *sig_calls; i++)
        rc = add(c, SCMP_ACT_TRAP, sig_calls[i], 1, &other);
    if (!rc)
        rc = add(c, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
    if (!rc)
        rc = add(c, SCMP_ACT_ERRNO(ENOSYS), "openat2", 0, NULL);
    struct scmp_arg_cmp sti = {1, SCMP_CMP_EQ, TIOCSTI, 0};
    if (!rc)
        rc = add(c, SCMP_ACT_TRAP, "ioctl", 1, &sti);
    struct scmp_arg_cmp sys = {0, SCMP_CMP_EQ, SIGSYS, 0};
    if (!rc)
        rc = add(c, SCMP_ACT_KILL_PROCESS, "rt_sigaction", 1, &sys);
    return rc;
}

static void fill_names(void)
{
    size_t k = 0;
    const char *const *lists[] = {deny_always, deny_unless_daemon, deny_unless_sanitizer,
                                  deny_conditional};
    const size_t lens[] = {sizeof deny_always / sizeof *deny_always,
                           sizeof deny_unless_daemon / sizeof *deny_unless_daemon,
                           sizeof deny_unless_sanitizer / sizeof *deny_unless_sanitizer,
                           sizeof deny_conditional / sizeof *deny_conditional};
    for (size_t l = 0; l < 4; l++)
        for (size_t i = 0; i < lens[l] && k < NDENY; i++, k++) {
            int nr = seccomp_syscall_resolve_name(lists[l][i]);
            deny_nr[k] = nr;
            deny_name[k] = nr >= 0 ? lists[l][i] : NULL;
        }
}

/* Confine file creation and writing to beneath dirfds by path (see the
 * top). Returns the ABI used, 0 when the kernel has no Landlock, -1 on a
 * failure of a Landlock that is there. no_new_privs must be set. */
static int enter_landlock(unsigned flags, const int *dirfds, size_t n, char *err,
                          size_t errlen)
{
    if (n == 0)
        return 0; /* seccomp alone refuses every write then (see the top) */
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1)
        return 0; /* ENOSYS (kernel) or EOPNOTSUPP (not enabled at boot) */
    uint64_t handled = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
                       LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
                       LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
                       LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
                       LANDLOCK_ACCESS_FS_MAKE_SYM;
    if (!(flags & VGSB_UNLINK))
        handled |= LANDLOCK_ACCESS_FS_REMOVE_FILE;
    if (abi >= 2)
        handled |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        handled |= LANDLOCK_ACCESS_FS_TRUNCATE;
    struct landlock_ruleset_attr ra = {.handled_access_fs = handled};
    int rs = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof ra, 0);
    if (rs < 0)
        return fail(err, errlen, "sandbox: landlock_create_ruleset: %s", strerror(errno));
    for (size_t i = 0; i < n; i++) {
        struct landlock_path_beneath_attr pb = {.allowed_access = handled,
                                                .parent_fd = dirfds[i]};
        if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) != 0) {
            int e = errno;
            close(rs);
            return fail(err, errlen, "sandbox: landlock_add_rule (descriptor %d): %s",
                        dirfds[i], strerror(e));
        }
    }
    if (syscall(SYS_landlock_restrict_self, rs, 0) != 0) {
        int e = errno;
        close(rs);
        return fail(err, errlen, "sandbox: landlock_restrict_self: %s", strerror(e));
    }
    close(rs);
    return (int)abi;
}

int vgsb_enter_dirs(unsigned flags, const int *dirfds, size_t n, char *err, size_t errlen)
{
    int lo = 0, hi = -1;
    for (size_t i = 0; i < n; i++) {
        if (dirfds[i] < 0)
            return fail(err, errlen, "sandbox: bad directory descriptor %d", dirfds[i]);
        if (i == 0 || dirfds[i] < lo)
            lo = dirfds[i];
        if (i == 0 || dirfds[i] > hi)
            hi = dirfds[i];
    }
    if (n && (size_t)(hi - lo) + 1 != n)
        return fail(err, errlen, "sandbox: the writable directory descriptors are not "
                                 "consecutive (use vgsb_pack_fds)");
    fill_names();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSYS, &sa, NULL) != 0)
        return fail(err, errlen, "sandbox: SIGSYS handler: %s", strerror(errno));
    sigset_t ss;
    sigemptyset(&ss);
    sigaddset(&ss, SIGSYS);
    pthread_sigmask(SIG_UNBLOCK, &ss, NULL);

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return fail(err, errlen, "sandbox: no_new_privs: %s", strerror(errno));
    int abi = enter_landlock(flags, dirfds, n, err, errlen);
    if (abi < 0)
        return -1;
    atomic_store(&landlock_abi_used, abi);

    scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
    if (!c)
        return fail(err, errlen, "sandbox: seccomp_init failed");
    int rc = seccomp_attr_set(c, SCMP_FLTATR_CTL_NNP, 1);
    if (!rc)
        rc = seccomp_attr_set(c, SCMP_FLTATR_CTL_TSYNC, 1);
    if (!rc)
        rc = seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (!rc)
        rc = add_rules(c, flags, n > 0, lo, hi);
    if (rc) {
        seccomp_release(c);
        return fail(err, errlen, "sandbox: building the filter: %s", strerror(-rc));
    }
    rc = seccomp_load(c);
    seccomp_release(c);
    if (rc)
        return fail(err, errlen, "sandbox: loading the seccomp filter: %s", strerror(-rc));
    return 0;
}

int vgsb_enter(unsigned flags)
{
    char err[256];
    if (vgsb_enter_dirs(flags, NULL, 0, err, sizeof err) != 0) {
        fprintf(stderr, "vigil: %s\n", err);
        return -1;
    }
    return 0;
}

int vgsb_pack_fds(int *fds, size_t n)
{
    if (n == 0)
        return 0;
    /* find n free consecutive numbers at or above 100 */
    for (int base = 100; base < 100000; base += (int)n) {
        int free_run = 1;
        for (size_t i = 0; i < n && free_run; i++)
            if (fcntl(base + (int)i, F_GETFD) != -1 || errno != EBADF)
                free_run = 0;
        if (!free_run)
            continue;
        for (size_t i = 0; i < n; i++) {
            if (fcntl(fds[i], F_DUPFD_CLOEXEC, base + (int)i) != base + (int)i) {
                for (size_t k = 0; k < i; k++)
                    close(base + (int)k);
                return -1;
            }
        }
        for (size_t i = 0; i < n; i++) {
            close(fds[i]);
            fds[i] = base + (int)i;
        }
        return 0;
    }
    errno = EMFILE;
    return -1;
}

int vgsb_relaxed_for_sanitizer(void)
{
    return VGSB_SANITIZER;
}

void vgsb_set_log_fd(int fd)
{
    atomic_store(&log_fd, fd);
}

int vgsb_landlock_abi(void)
{
    return atomic_load(&landlock_abi_used);
}
