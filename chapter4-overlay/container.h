/* Child side: what runs inside the new namespaces, between clone() and
 * execve(). */
#ifndef MYDOCKER_CONTAINER_H
#define MYDOCKER_CONTAINER_H

#include <stdbool.h>

struct container_args {
    char **argv; /* the command, NULL-terminated */
    const char *hostname;
    const char *rootfs;    /* the directory that becomes "/" */
    bool tty;              /* keep stdin; else it is /dev/null */
    bool privileged;       /* every capability, no /proc masks, no seccomp */
    int go_fd;             /* read end: one byte once the cgroups hold us */
    int go_peer;           /* the write end, a copy the child must close */
    int status_fd;         /* write end, close-on-exec: an exit code on failure */
    int status_peer;       /* the read end, a copy the child must close */
    const int *cgroup_fds; /* the child joins its cgroups through these */
    int ncgroup_fds;
};

/* The function clone() starts in the new namespaces. Never returns on
 * success; on failure it writes an exit code to status_fd and exits. */
int container_main(void *arg);

#endif
