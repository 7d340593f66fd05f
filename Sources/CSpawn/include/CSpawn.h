#ifndef FLEETROLL_CSPAWN_H
#define FLEETROLL_CSPAWN_H

#include <sys/types.h>

/// Starts `path` (an absolute or relative path, no PATH search) with `argv` and `envp`, its
/// stdin, stdout and stderr on the given descriptors, in a process group of its own, with every
/// signal at its default and none blocked. On Linux the child is also killed (SIGKILL) when the
/// thread that started it ends, fleetroll's death included: posix_spawn cannot ask for that
/// (PR_SET_PDEATHSIG must be set in the child, between fork and exec).
///
/// Returns 0 and sets `*pid`, or returns the errno of what failed (exec's included, reported
/// back through a close-on-exec pipe).
int fleetroll_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                    int stdin_fd, int stdout_fd, int stderr_fd);

#endif
