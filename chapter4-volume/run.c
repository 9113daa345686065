#include "run.h"

#include "container.h"
#include "image.h"
#include "overlay.h"
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

/* What a run holds from its first step to its teardown. */
struct run {
    char id[2 * ID_BYTES + 1];
    char image[PATH_MAX];   /* the image, unpacked: the lower layer */
    struct container_fs fs; /* containers/ID: the layers, merged */
    sigset_t signals;       /* blocked: the forwarded ones and SIGCHLD */
    struct cgroup cg;
    int cgroup_fds[CG_MAX_DIRS];
    int go[2];     /* see open_pipes() */
    int status[2]; /* see open_pipes() */
    char *stack;
    pid_t child;
    struct container_args args; /* what the child reads, in its copy */
};

static void run_init(struct run *r, const struct run_opts *opts)
{
    memset(r, 0, sizeof(*r));
    r->go[0] = r->go[1] = r->status[0] = r->status[1] = -1;
    r->stack = MAP_FAILED;
    r->child = -1;
    r->fs.lock_fd = -1;
    r->args.argv = opts->argv;
    r->args.hostname = opts->hostname ? opts->hostname : r->id;
    r->args.rootfs = r->fs.merged;
    r->args.volumes = opts->volumes;
    r->args.nvolumes = opts->nvolumes;
    r->args.tty = opts->tty;
    r->args.privileged = opts->privileged;
    r->args.cgroup_fds = r->cgroup_fds;
}

/* Blocked from the start, signals wait in a queue: during setup, to be
 * seen before clone() (start_child) so that setup is undone; later, for
 * sigtimedwait(). No handlers at arbitrary points, no EINTR. */
static void block_signals(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
        sigaddset(set, forwarded[i].sig);
    sigaddset(set, SIGCHLD);
    sigprocmask(SIG_BLOCK, set, NULL);
}

/* The cgroups the limits need, if any, and the files through which the
 * child joins them (cgroup_open_join). */
static int cgroups_setup(struct run *r, const struct limits *l)
{
    struct cg_layout layout;

    if (limits_any(l)) {
        if (cg_layout_detect(&layout) < 0 || cgroup_create(&r->cg, &layout, l, r->id) < 0)
            return -1;
        for (int i = 0; i < r->cg.ndirs; i++)
            log_info("cgroup %s (%s layout)", r->cg.dir[i].path, cg_layout_name(&layout));
    }
    r->args.ncgroup_fds = cgroup_open_join(&r->cg, r->cgroup_fds);
    return r->args.ncgroup_fds < 0 ? -1 : 0;
}

/* Two pipes: "go" holds the child until the parent is ready for it (and,
 * read as EOF, tells it that the parent died); "status" tells whether exec
 * worked: it is close-on-exec, so EOF means it did, and an int means setup
 * or exec failed with that exit code. */
static int open_pipes(struct run *r)
{
    if (pipe2(r->go, O_CLOEXEC) < 0 || pipe2(r->status, O_CLOEXEC) < 0) {
        err_sys("pipe2");
        return -1;
    }
    r->args.go_fd = r->go[0], r->args.go_peer = r->go[1];
    r->args.status_fd = r->status[1], r->args.status_peer = r->status[0];
    return 0;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* clone()s the child into new namespaces, where it waits for "go". A
 * signal that came during setup stops us first, with *ret set. */
static int start_child(struct run *r, int *ret)
{
    int flags = SIGCHLD;
    char names[64] = "";

    r->stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (r->stack == MAP_FAILED) {
        err_sys("mmap child stack");
        return -1;
    }
    for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
        flags |= namespaces[i].flag;
        snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? " " : "",
                 namespaces[i].name);
    }
    if (interrupted(ret))
        return -1;
    /* C can clone straight into a child function; Go cannot fork safely, so
     * the book re-executes itself as "init" instead. The stack grows down:
     * pass its top. */
    r->child = clone(container_main, r->stack + STACK_SIZE, flags, &r->args);
    if (r->child < 0) {
        err_sys("clone (%s namespaces)", names);
        return -1;
    }
    /* The child's ends are the child's now: see container_main(). */
    close_fd(&r->go[0]);
    close_fd(&r->status[1]);
    for (int i = 0; i < r->args.ncgroup_fds; i++)
        close(r->cgroup_fds[i]);
    r->args.ncgroup_fds = 0;
    log_info("container %s: pid %d in new %s namespaces, command %s", r->id, (int)r->child, names,
             r->args.argv[0]);
    return 0;
}

/* Ends a child that never got to run its command. */
static void stop_child(struct run *r)
{
    kill(r->child, SIGKILL);
    waitpid(r->child, NULL, 0);
}

/* Lets the child go, then reads "status": 1 if its setup or exec failed,
 * with its exit code in *ret; 0 once the command runs; -1 if the child
 * could not be told to go. */
static int let_go(struct run *r, int *ret)
{
    int code;

    if (write(r->go[1], "G", 1) != 1) {
        err_sys("start container");
        stop_child(r);
        return -1;
    }
    close_fd(&r->go[1]);
    if (read(r->status[0], &code, sizeof(code)) != (ssize_t)sizeof(code))
        return 0;
    waitpid(r->child, NULL, 0);
    *ret = code;
    return 1;
}

/* Undoes what the steps did, in reverse order; returns the run's exit
 * status, EXIT_MYDOCKER if the run itself was fine but cleaning up was
 * not. */
static int teardown(struct run *r, int ret)
{
    if (r->args.tty)
        terminal_restore(); /* also when exec failed after the child took it */
    for (int i = 0; i < r->args.ncgroup_fds; i++)
        close(r->cgroup_fds[i]);
    if (r->stack != MAP_FAILED)
        munmap(r->stack, STACK_SIZE);
    for (int i = 0; i < 2; i++) {
        close_fd(&r->go[i]);
        close_fd(&r->status[i]);
    }
    if (cgroup_destroy(&r->cg) < 0 && ret == 0)
        ret = EXIT_MYDOCKER;
    if (container_fs_destroy(&r->fs) < 0 && ret == 0)
        ret = EXIT_MYDOCKER;
    return ret;
}

/* The parent side of a run: the README's steps, in order. */
int run_container(const struct run_opts *opts)
{
    struct run r;
    int ret = EXIT_MYDOCKER;

    run_init(&r, opts);
    /* 1. From here on, signals wait in a queue until we ask for them. */
    block_signals(&r.signals);
    /* 2. An ID: the container's name, and its hostname. */
    if (container_id(r.id, sizeof(r.id)) < 0)
        goto out;
    /* 3. The image, unpacked once, and the container's own layers over
     * it, merged: its root. */
    if (image_unpack(IMAGE, r.image, sizeof(r.image)) < 0 ||
        container_fs_create(&r.fs, r.id, r.image) < 0)
        goto out;
    /* 4. The volumes' host directories. After the image is known good: a
     * run that fails for lack of it creates no host directory. */
    if (volumes_prepare(opts->volumes, opts->nvolumes) < 0)
        goto out;
    /* 5. The cgroups with their limits, if any were asked for. */
    if (cgroups_setup(&r, &opts->limits) < 0)
        goto out;
    /* 6. The "go" and "status" pipes. */
    if (open_pipes(&r) < 0)
        goto out;
    /* 7. The child, in new namespaces, held back until "go". */
    if (start_child(&r, &ret) < 0)
        goto out;
    /* 8. The child's pid in containers/ID/state, for the reaper;
     * then "go", and "status" says whether the command's exec worked. */
    if (container_fs_write_state(&r.fs, r.child) < 0) {
        stop_child(&r);
        goto out;
    }
    if (let_go(&r, &ret) != 0)
        goto out;
    /* 9. Forward signals until the command exits. */
    ret = wait_container(r.child, opts->stop_timeout, &r.signals);
    log_info("container %s exited with status %d", r.id, ret);
out:
    /* 10. Undo it all, in reverse order. */
    return teardown(&r, ret);
}
