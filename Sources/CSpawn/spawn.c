// The child side of ProcessRunner: only async-signal-safe calls between fork and exec, because
// the parent has many threads and only the forking one exists in the child.
#define _GNU_SOURCE
#include "CSpawn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

static void child_fail(int report_fd) {
    int e = errno;
    ssize_t unused = write(report_fd, &e, sizeof e);
    (void)unused;
    _exit(127);
}

int fleetroll_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                    int stdin_fd, int stdout_fd, int stderr_fd) {
    int report[2];
    if (pipe(report) != 0) return errno;
    fcntl(report[0], F_SETFD, FD_CLOEXEC);
    fcntl(report[1], F_SETFD, FD_CLOEXEC);

    // Block every signal across fork, so the child cannot run one of the parent's handlers
    // before it has reset them.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
#ifdef __linux__
    pid_t parent = getpid();
#endif
    pid_t child = fork();
    if (child == 0) {
        struct sigaction dfl;
        dfl.sa_handler = SIG_DFL;
        dfl.sa_flags = 0;
        sigemptyset(&dfl.sa_mask);
        for (int s = 1; s < NSIG; s++) {
            if (s != SIGKILL && s != SIGSTOP) sigaction(s, &dfl, 0);
        }
        if (setpgid(0, 0) != 0) child_fail(report[1]);
#ifdef __linux__
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail(report[1]);
        // The parent may have died before the line above: then nobody would kill us.
        if (getppid() != parent) _exit(127);
#endif
        if (dup2(stdin_fd, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0) child_fail(report[1]);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, 0);
        execve(path, argv, envp);
        child_fail(report[1]);
    }
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, 0);
    close(report[1]);
    if (child < 0) {
        close(report[0]);
        return fork_errno;
    }
    int child_errno = 0;
    ssize_t n;
    do {
        n = read(report[0], &child_errno, sizeof child_errno);
    } while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == (ssize_t)sizeof child_errno) {
        // The child never became the program: reap it here.
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        return child_errno;
    }
    *pid = child;
    return 0;
}
