#include "run.h"

#include "container.h"
#include "image.h"
#include "log.h"
#include "mydocker.h"
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
    ID_BYTES = 6,             /* 12 hex digits, as docker ps shows */
    STACK_SIZE = 1024 * 1024, /* reserved only; pages are touched lazily */
};

/* The image every container runs in, unpacked once from images/busybox.tar. */
#define IMAGE "busybox"

/* Each namespace the child gets; see namespaces(7). */
static const struct {
    int flag;
    const char *name;
} namespaces[] = {
    {CLONE_NEWUTS, "uts"}, {CLONE_NEWPID, "pid"}, {CLONE_NEWNS, "mount"},
    {CLONE_NEWIPC, "ipc"}, {CLONE_NEWNET, "net"},
};

/* Signals mydocker passes on to the container, as docker run does, and
 * their names for the log (sigabbrev_np() would need glibc 2.32). */
static const struct {
    int sig;
    const char *name;
} forwarded[] = {{SIGINT, "INT"}, {SIGTERM, "TERM"}, {SIGHUP, "HUP"}, {SIGQUIT, "QUIT"}};

static int container_id(char *id, size_t len)
{
    unsigned char raw[ID_BYTES];

    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
        err_sys("getrandom");
        return -1;
    }
    for (size_t i = 0; i < sizeof(raw) && 2 * i + 2 < len; i++)
        snprintf(id + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

static int exit_status(int wstatus)
{
    if (WIFSIGNALED(wstatus))
        return SIGNAL_EXIT_BASE + WTERMSIG(wstatus);
    return WEXITSTATUS(wstatus);
}

static const char *signal_name(int sig)
{
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
        if (forwarded[i].sig == sig)
            return forwarded[i].name;
    }
    return "?";
}

/* A signal that came during setup: no container yet to forward it to, so
 * stop, as if it had killed us, and let the caller undo the setup. */
static bool interrupted(int *ret)
{
    sigset_t pending;

    if (sigpending(&pending) < 0)
        return false;
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
        if (sigismember(&pending, forwarded[i].sig)) {
            log_warn("SIG%s during setup: stopping", forwarded[i].name);
            *ret = SIGNAL_EXIT_BASE + forwarded[i].sig;
            return true;
        }
    }
    return false;
}

/* Waits for the container, forwarding signals. PID 1 of a namespace ignores
 * every signal it has no handler for (pid_namespaces(7)): so, as docker
 * stop does, after a forwarded signal it gets stop_timeout seconds, then
 * SIGKILL, which init cannot ignore; at once if the signal comes again. */
static int wait_container(pid_t child, int stop_timeout, const sigset_t *set)
{
    struct timespec deadline = {0, 0};
    bool stopping = false;
    int first = 0; /* the signal that started the countdown */

    for (;;) {
        struct timespec now;
        struct timespec left;
        siginfo_t info;
        int wstatus;
        int sig;

        if (waitpid(child, &wstatus, WNOHANG) == child)
            return exit_status(wstatus);
        if (stopping) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            left.tv_sec = deadline.tv_sec - now.tv_sec;
            left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
            if (left.tv_nsec < 0)
                left.tv_sec--, left.tv_nsec += 1000000000L;
            if (left.tv_sec < 0)
                left.tv_sec = 0, left.tv_nsec = 0;
        }
        sig = sigtimedwait(set, &info, stopping ? &left : NULL);
        if (sig == SIGCHLD || (sig < 0 && errno == EINTR))
            continue;
        if (sig < 0) {
            log_warn("container still running %ds after the signal: sending SIGKILL", stop_timeout);
            kill(child, SIGKILL);
            stopping = false;
            continue;
        }
        /* The same signal twice (Ctrl-C, Ctrl-C): the user means it. */
        if (stopping && sig == first) {
            log_warn("SIG%s again: sending SIGKILL now", signal_name(sig));
            kill(child, SIGKILL);
            stopping = false;
            continue;
        }
        log_info("forwarding SIG%s to the container", signal_name(sig));
        kill(child, sig);
        if (!stopping) {
            stopping = true;
            first = sig;
            clock_gettime(CLOCK_MONOTONIC, &deadline);
            deadline.tv_sec += stop_timeout;
        }
    }
}

static int cgroups_setup(struct cgroup *cg, const struct limits *l, const char *id)
{
    struct cg_layout layout;

    if (cg_layout_detect(&layout) < 0 || cgroup_create(cg, &layout, l, id) < 0)
        return -1;
    for (int i = 0; i < cg->ndirs; i++)
        log_info("cgroup %s (%s layout)", cg->dir[i].path, cg_layout_name(&layout));
    return 0;
}

int run_container(const struct run_opts *opts)
{
    char id[2 * ID_BYTES + 1];
    struct cgroup cg = {0};
    char rootfs[PATH_MAX];
    struct container_args args = {.argv = opts->argv,
                                  .hostname = opts->hostname ? opts->hostname : id,
                                  .rootfs = rootfs,
                                  .tty = opts->tty,
                                  .privileged = opts->privileged};
    int go[2] = {-1, -1};
    int status[2] = {-1, -1};
    int cgroup_fds[CG_MAX_DIRS];
    int flags = SIGCHLD;
    char names[64] = "";
    char *stack = MAP_FAILED;
    sigset_t set;
    pid_t child = -1;
    int ret = EXIT_MYDOCKER;
    int code;
    ssize_t n;

    /* Blocked from the start, signals wait in a queue: during setup, to be
     * seen before clone() (below) so that setup is undone; later, for
     * sigtimedwait(). No handlers at arbitrary points, no EINTR. */
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
        sigaddset(&set, forwarded[i].sig);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);

    if (container_id(id, sizeof(id)) < 0 || image_unpack(IMAGE, rootfs, sizeof(rootfs)) < 0)
        return EXIT_MYDOCKER;
    if (limits_any(&opts->limits) && cgroups_setup(&cg, &opts->limits, id) < 0)
        return EXIT_MYDOCKER;

    args.ncgroup_fds = cgroup_open_join(&cg, cgroup_fds);
    args.cgroup_fds = cgroup_fds;
    if (args.ncgroup_fds < 0)
        goto out;

    /* Two pipes: "go" holds the child until the parent is ready for it
     * (and, read as EOF, tells it that the parent died); "status" tells
     * whether exec worked: it is close-on-exec, so EOF means it did, and an
     * int means setup or exec failed with that exit code. */
    if (pipe2(go, O_CLOEXEC) < 0 || pipe2(status, O_CLOEXEC) < 0) {
        err_sys("pipe2");
        goto out;
    }
    args.go_fd = go[0], args.go_peer = go[1];
    args.status_fd = status[1], args.status_peer = status[0];

    stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                 -1, 0);
    if (stack == MAP_FAILED) {
        err_sys("mmap child stack");
        goto out;
    }
    for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
        flags |= namespaces[i].flag;
        snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? " " : "",
                 namespaces[i].name);
    }
    if (interrupted(&ret))
        goto out;
    /* C can clone straight into a child function; Go cannot fork safely, so
     * the book re-executes itself as "init" instead. The stack grows down:
     * pass its top. */
    child = clone(container_main, stack + STACK_SIZE, flags, &args);
    if (child < 0) {
        err_sys("clone (%s namespaces)", names);
        goto out;
    }
    close(go[0]), go[0] = -1;
    close(status[1]), status[1] = -1;
    for (int i = 0; i < args.ncgroup_fds; i++)
        close(cgroup_fds[i]);
    args.ncgroup_fds = 0;
    log_info("container %s: pid %d in new %s namespaces, command %s", id, (int)child, names,
             opts->argv[0]);

    if (write(go[1], "G", 1) != 1) {
        err_sys("start container");
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        goto out;
    }
    close(go[1]), go[1] = -1;

    n = read(status[0], &code, sizeof(code));
    if (n == (ssize_t)sizeof(code)) {
        waitpid(child, NULL, 0);
        ret = code;
        goto out;
    }
    ret = wait_container(child, opts->stop_timeout, &set);
    log_info("container %s exited with status %d", id, ret);
out:
    if (opts->tty)
        terminal_restore(); /* also when exec failed after the child took it */
    for (int i = 0; i < args.ncgroup_fds; i++)
        close(cgroup_fds[i]);
    if (stack != MAP_FAILED)
        munmap(stack, STACK_SIZE);
    for (int i = 0; i < 2; i++) {
        if (go[i] >= 0)
            close(go[i]);
        if (status[i] >= 0)
            close(status[i]);
    }
    if (cgroup_destroy(&cg) < 0 && ret == 0)
        ret = EXIT_MYDOCKER;
    return ret;
}
