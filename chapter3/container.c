#include "container.h"

#include "cgroups.h"
#include "log.h"
#include "mydocker.h"
#include "terminal.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
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

    /* A new mount namespace starts as a copy that still shares propagation
     * with the host (systemd makes / shared): without this, our /proc mount
     * below would appear on the host too. See mount_namespaces(7). */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        die(a, EXIT_MYDOCKER, "make / private (mount MS_REC|MS_PRIVATE)");
    if (sethostname(a->hostname, strlen(a->hostname)) < 0)
        die(a, EXIT_MYDOCKER, "sethostname %s", a->hostname);

    /* The /proc we inherited describes the host's PID namespace; ps would
     * list every host process. A new proc instance shows ours. */
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) < 0)
        die(a, EXIT_MYDOCKER, "mount proc on /proc");

    if (a->tty) {
        if (terminal_take() < 0)
            die(a, EXIT_MYDOCKER, "make the container the terminal's foreground");
    } else if (terminal_detach() < 0) {
        die(a, EXIT_MYDOCKER, "detach the container from the terminal");
    }

    /* The parent blocked the signals it forwards and ignores SIGPIPE; the
     * command starts with none of that. umask 022 came from main(). */
    reset_signals();
    log_info("exec %s", a->argv[0]);
    if (close_extra_fds() < 0)
        die(a, EXIT_MYDOCKER, "mark inherited fds close-on-exec");
    execvp(a->argv[0], a->argv);
    die(a, errno == ENOENT || errno == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC, "exec %s",
        a->argv[0]);
}
