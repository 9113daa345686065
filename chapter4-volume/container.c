#include "container.h"

#include "cgroups.h"
#include "log.h"
#include "mydocker.h"
#include "terminal.h"
#include "rootfs.h"
#include "security.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>

/* Between clone() and execve() nothing can be undone or retried: tell the
 * parent which exit code to give, and stop. */
static void __attribute__((noreturn)) exit_with(const struct container_args *a, int code)
{
    if (write(a->status_fd, &code, sizeof(code)) < 0) {
        /* The parent is gone; our exit status says the same. */
    }
    _exit(code);
}

/* The same, naming the call that failed: once, here. */
static void __attribute__((noreturn))
die(const struct container_args *a, int code, const char *fmt, ...)
{
    char what[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    err_sys("%s", what);
    exit_with(a, code);
}

/* The host's environment (its PATH, HOME, SUDO_USER...) describes the
 * host, not the image: start from what docker run gives. execvp below
 * searches this PATH, inside the new root. */
static int set_environment(const struct container_args *a)
{
    const char *term = getenv("TERM");
    char saved_term[64];

    snprintf(saved_term, sizeof(saved_term), "%s", term ? term : "");
    if (clearenv() != 0)
        return -1;
    if (setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1) < 0 ||
        setenv("HOME", "/root", 1) < 0 || setenv("HOSTNAME", a->hostname, 1) < 0)
        return -1;
    if (a->tty && saved_term[0] && setenv("TERM", saved_term, 1) < 0)
        return -1;
    return 0;
}

/* Holds the child until the parent has it in hand; returns on "go". */
static void wait_for_go(const struct container_args *a)
{
    char go;

    /* clone() copied every fd, including the parent's ends of our pipes:
     * while we hold the write end of "go", we would never see its EOF. */
    close(a->go_peer);
    close(a->status_peer);

    /* If mydocker dies, so do we: no orphan containers. Set before waiting
     * for "go", so a parent that died already shows as EOF below. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        die(a, EXIT_MYDOCKER, "prctl PR_SET_PDEATHSIG");
    if (read(a->go_fd, &go, 1) != 1)
        _exit(EXIT_MYDOCKER);
    close(a->go_fd);
}

int container_main(void *arg)
{
    const struct container_args *a = arg;

    wait_for_go(a);

    /* Into the cgroups before anything else, so every byte the command
     * allocates and every process it forks is counted. Moving ourselves is
     * the kernel's fast path; see cgroup_open_join(). */
    if (cgroup_join(a->cgroup_fds, a->ncgroup_fds) < 0)
        die(a, EXIT_MYDOCKER, "join the container's cgroups");
    /* A cgroup namespace is rooted where we stand when we make it, so it
     * comes after the join (as a clone flag it would be rooted at
     * mydocker's cgroup): /proc/self/cgroup then shows "/", not the
     * host's tree, and a cgroupfs mounted inside could show no more than
     * our own. See cgroup_namespaces(7). */
    if (unshare(CLONE_NEWCGROUP) < 0)
        die(a, EXIT_MYDOCKER, "unshare CLONE_NEWCGROUP");

    /* A new mount namespace starts as a copy that still shares propagation
     * with the host (systemd makes / shared): without this, our /proc mount
     * below would appear on the host too. See mount_namespaces(7). */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        die(a, EXIT_MYDOCKER, "make / private (mount MS_REC|MS_PRIVATE)");
    if (sethostname(a->hostname, strlen(a->hostname)) < 0)
        die(a, EXIT_MYDOCKER, "sethostname %s", a->hostname);

    /* Volumes go in while the host's paths are still reachable, and in our
     * own mount namespace only: the host never sees them, and they vanish
     * with the container however it ends. */
    if (volumes_mount(a->volumes, a->nvolumes, a->rootfs) < 0 || rootfs_enter(a->rootfs) < 0)
        exit_with(a, EXIT_MYDOCKER);
    if (!a->privileged && security_harden_proc() < 0)
        exit_with(a, EXIT_MYDOCKER);

    if (a->tty) {
        if (terminal_take() < 0)
            die(a, EXIT_MYDOCKER, "make the container the terminal's foreground");
    } else if (terminal_detach() < 0) {
        die(a, EXIT_MYDOCKER, "detach the container from the terminal");
    }

    if (set_environment(a) < 0)
        die(a, EXIT_MYDOCKER, "set the container's environment");

    /* The parent blocked the signals it forwards and ignores SIGPIPE; the
     * command starts with none of that. umask 022 came from main(). */
    reset_signals();
    log_info("exec %s", a->argv[0]);
    /* Last: the mounts, the pivot, the hostname and the /dev nodes above
     * need capabilities that this takes away. */
    if (!a->privileged && security_drop_privileges() < 0)
        exit_with(a, EXIT_MYDOCKER);
    if (close_extra_fds() < 0)
        die(a, EXIT_MYDOCKER, "mark inherited fds close-on-exec");
    execvp(a->argv[0], a->argv);
    die(a, errno == ENOENT || errno == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC, "exec %s",
        a->argv[0]);
}
