/* sandbox/seccomp.h - the seccomp-bpf sandbox a scanning process enters
 * once its databases are loaded (vigil scan, vigild, and vigil watch once
 * its fanotify marks are set: see src/cli/cmd_watch.c).
 *
 * After vgsb_enter the process (every thread: the filter is installed with
 * TSYNC, and threads made later inherit it) cannot create or connect a
 * socket, start a program, trace or read another process, fork, or create
 * or modify a file outside the directories it was given (see seccomp.c for
 * the full list and why it is a deny list; with Landlock the directories
 * are enforced by path too). no_new_privs is set. A call
 * the filter refuses kills the process with SIGSYS after one line on
 * stderr:
 *
 *   vigil: sandbox: system call socket (41) is not allowed while scanning;
 *   the process is stopped
 *
 * Users check it with `grep -E 'Seccomp|NoNewPrivs' /proc/PID/status`
 * ("Seccomp: 2" = filter mode) while a scan runs (README.md). */
#ifndef VG_SANDBOX_SECCOMP_H
#define VG_SANDBOX_SECCOMP_H

#include <stddef.h>

enum {
    /* vigild: accept, receive and send on sockets opened before entering
     * (socket, connect, bind and listen stay forbidden) */
    VGSB_DAEMON = 1u << 0,
    /* unlink and unlinkat anywhere (vigil scan --quarantine removes the
     * original after the copy is safe in the store) */
    VGSB_UNLINK = 1u << 1,
};

/* Enter the sandbox. `dirfds` (may be NULL when n == 0) are directory
 * descriptors under which files may still be created, written and renamed
 * (openat/renameat/unlinkat with that dirfd): the quarantine store, a
 * daemon's temporary directory. Their numbers must be consecutive (seccomp
 * can compare a descriptor number with a range, not a path);
 * vgsb_pack_fds arranges it. Returns 0, or -1 with the reason in err. */
int vgsb_enter_dirs(unsigned flags, const int *dirfds, size_t n, char *err, size_t errlen);

/* vgsb_enter_dirs with no writable directory; errors go to stderr. */
int vgsb_enter(unsigned flags);

/* Move the n descriptors to consecutive numbers (dup'ed above 100, with
 * close-on-exec; the old numbers are closed) and update fds[]. 0 or -1. */
int vgsb_pack_fds(int *fds, size_t n);

/* Also write the SIGSYS line to `fd` (besides stderr): vigild's LogFile,
 * set again whenever it is reopened. -1: stderr only. Safe to call at any
 * time, before or after entering. */
void vgsb_set_log_fd(int fd);

/* The Landlock ABI version the sandbox entered with, which confines writes
 * by path beneath the given directories (seccomp.c explains why it is
 * needed); 0 when the kernel has no Landlock or nothing was entered. */
int vgsb_landlock_abi(void);

/* 1 when this build keeps fork and ptrace allowed because a sanitizer
 * runtime needs them (LeakSanitizer stops threads with a ptrace'd helper
 * made by clone); 0 in normal builds. */
int vgsb_relaxed_for_sanitizer(void);

#endif
