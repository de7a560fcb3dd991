#ifndef STRIPE_WEBHOOKD_CLINUX_SHIM_H
#define STRIPE_WEBHOOKD_CLINUX_SHIM_H
// Linux process calls Swift cannot make safely: between vfork and exec only async-signal-safe system
// calls may run (no allocation, no locks, no Swift runtime, nothing the suspended parent would see
// changed but this function's own locals), so the whole child side lives here.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/// Where the child failed before running the program (written to the report pipe with errno).
enum {
    WEBHOOKD_SPAWN_SETUP = 0,
    WEBHOOKD_SPAWN_CHDIR = 1,
    WEBHOOKD_SPAWN_EXEC = 2,
};

/// Child side: tells the parent which step failed and with which errno, then exits.
static inline void webhookd_spawn_fail(int report, int32_t stage) {
    int32_t message[2] = { stage, (int32_t)errno };
    ssize_t ignored = write(report, message, sizeof message);
    (void)ignored;
    _exit(127);
}

/// Child side: closes every descriptor from `from` up to and including `to`.
static inline void webhookd_close_range(unsigned int from, unsigned int to) {
    if (from > to) return;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, from, to, 0) == 0) return;
#endif
    struct rlimit limit;
    unsigned int last = to;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur - 1 < last) {
        last = (unsigned int)(limit.rlim_cur - 1);
    }
    for (unsigned int fd = from; fd <= last && fd >= from; fd++) close((int)fd);
}

/// Starts `path` in a new process group of its own with `input`, `output` and `error` as its standard
/// streams, in `directory` (NULL: the caller's), every signal at its default and none blocked, and no
/// other descriptor of the caller's. The child gets SIGKILL when the calling thread (or the whole
/// process) dies (PR_SET_PDEATHSIG), so a command cannot outlive a daemon killed with SIGKILL; it
/// checks `getppid()` against `parent` (the caller's pid) after setting that, in case the caller died
/// in between. `report` is the write end of a close-on-exec pipe: it sees end-of-file when the
/// program started, or two int32 (the failed step, errno) when it did not, and the child then exits 127.
/// Returns the child's pid (also its process group id), or -1 with errno set when vfork failed.
static inline pid_t webhookd_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
                                   int input, int output, int error, int report, pid_t parent) {
    sigset_t all, previous;
    sigfillset(&all);
    // No handler of the parent's may run in the child (which shares its memory) before the
    // dispositions are reset.
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    // vfork, as glibc's posix_spawn does (clone with CLONE_VM | CLONE_VFORK): the child borrows the
    // parent's memory until it execs, so starting a command costs no copy of the daemon's page tables.
    pid_t pid = vfork();
    if (pid != 0) {
        int saved = errno;
        pthread_sigmask(SIG_SETMASK, &previous, NULL);
        errno = saved;
        return pid;
    }
    // The child: async-signal-safe calls only from here on.
    if (setpgid(0, 0) != 0) webhookd_spawn_fail(report, WEBHOOKD_SPAWN_SETUP);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) webhookd_spawn_fail(report, WEBHOOKD_SPAWN_SETUP);
    if (getppid() != parent) _exit(127);
    // Copies above the standard streams first, so that no dup2 overwrites a descriptor still needed.
    int moved[4];
    int sources[4] = { input, output, error, report };
    for (int index = 0; index < 4; index++) {
        moved[index] = fcntl(sources[index], F_DUPFD_CLOEXEC, 3);
        if (moved[index] < 0) webhookd_spawn_fail(report, WEBHOOKD_SPAWN_SETUP);
    }
    report = moved[3];
    for (int target = 0; target < 3; target++) {
        if (dup2(moved[target], target) < 0) webhookd_spawn_fail(report, WEBHOOKD_SPAWN_SETUP);
    }
    if (report > 3) webhookd_close_range(3, (unsigned int)report - 1);
    webhookd_close_range((unsigned int)report + 1, ~0U);
    if (directory != NULL && chdir(directory) != 0) webhookd_spawn_fail(report, WEBHOOKD_SPAWN_CHDIR);
    struct sigaction defaults;
    for (unsigned int index = 0; index < sizeof defaults; index++) ((char *)&defaults)[index] = 0;
    defaults.sa_handler = SIG_DFL;
    for (int number = 1; number < NSIG; number++) sigaction(number, &defaults, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(path, argv, envp);
    webhookd_spawn_fail(report, WEBHOOKD_SPAWN_EXEC);
    return -1;
}

#endif
