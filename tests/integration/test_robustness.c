/* No caller makes mydocker hang, die half-way or hand its own state to
 * the container: a closed stderr, an ignored SIGCHLD, a tight umask,
 * ignored or blocked signals, a hostile TAR_OPTIONS. The leak check after
 * each test proves that the teardown ran to its end. */
#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct result r;

enum { RUN_TIMEOUT_S = 30 };

/* Runs mydocker ARGV with stdout and stderr on a pipe whose reader is
 * gone, as in "mydocker run ... 2>&1 | true", in a child that first calls
 * prepare(). Returns the raw wait status. */
static int run_detached(char *const argv[], void (*prepare)(void))
{
    int pipefd[2];
    int wstatus;
    pid_t pid;

    assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null_fd = open("/dev/null", O_RDONLY);

        if (prepare)
            prepare();
        dup2(null_fd, STDIN_FILENO);
        dup2(pipefd[1], STDOUT_FILENO);
        dup2(pipefd[1], STDERR_FILENO);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pipefd[1]);
    close(pipefd[0]); /* the reader is gone before mydocker writes a byte */
    for (int i = 0; i < RUN_TIMEOUT_S * 10; i++) {
        if (waitpid(pid, &wstatus, WNOHANG) == pid)
            return wstatus;
        nanosleep(&(struct timespec){0, 100000000L}, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &wstatus, 0);
    fail_msg("mydocker still running after %d s", RUN_TIMEOUT_S);
    return -1;
}

static void default_sigpipe(void)
{
    signal(SIGPIPE, SIG_DFL); /* as a shell leaves it; the harness ignores it */
}

/* mydocker outlives its log reader: the container runs to its end (its
 * echo meets the closed pipe too, and fails: SIGPIPE does not kill a PID
 * 1 that has no handler for it), the teardown completes (the leak check:
 * cgroup dirs, mounts, containers/), and mydocker exits with the
 * container's status rather than being killed by SIGPIPE. */
static void test_closed_stderr_does_not_stop_the_teardown(void **state)
{
    char *argv[] = {mydocker_bin, "run", "-pids", "64", "sh", "-c", "sleep 0.3; echo x; exit 7",
                    NULL};
    int wstatus;

    (void)state;
    wstatus = run_detached(argv, default_sigpipe);
    if (!WIFEXITED(wstatus)) {
        print_error("mydocker was killed by signal %d", WTERMSIG(wstatus));
        fail();
    }
    assert_int_equal(WEXITSTATUS(wstatus), 7);
}

static void ignore_sigchld(void)
{
    default_sigpipe();
    signal(SIGCHLD, SIG_IGN); /* as some wrappers leave it */
}

/* With SIGCHLD ignored the kernel reaps children itself, and a waitpid
 * for the container would never see it exit. */
static void test_ignored_sigchld_does_not_hang(void **state)
{
    char *argv[] = {mydocker_bin, "-log-level", "error", "run", "true", NULL};
    int wstatus;

    (void)state;
    wstatus = run_detached(argv, ignore_sigchld);
    assert_true(WIFEXITED(wstatus));
    assert_int_equal(WEXITSTATUS(wstatus), 0);
}

/* The container starts with default dispositions and an empty mask,
 * whatever the caller ignored (the harness ignores SIGPIPE) or blocked. */
static void test_container_gets_clean_signal_state(void **state)
{
    sigset_t usr1;

    (void)state;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    signal(SIGHUP, SIG_IGN);   /* as nohup leaves it */
    signal(SIGRTMIN, SIG_IGN); /* a real-time signal too */
    md(&r, "-log-level", "error", "run", "cat", "/proc/self/status", NULL);
    signal(SIGRTMIN, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    sigprocmask(SIG_UNBLOCK, &usr1, NULL);
    assert_status(&r, 0);
    assert_contains(r.out, "\nSigBlk:\t0000000000000000\n");
    assert_contains(r.out, "\nSigIgn:\t0000000000000000\n");
}

/* A caller's umask 077 does not reach the container, and (from
 * chapter4-busybox on, where / is a directory mydocker makes) / is 755:
 * in chapter4-overlay it is the upper layer, made by mkdir. */
static void test_umask_of_the_caller_stays_outside(void **state)
{
    char cmd[256];
    char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    bool own_root = chapter_has("chapter4-busybox");

    (void)state;
    snprintf(cmd, sizeof(cmd), "umask 077; '%s' -log-level error run sh -c 'umask%s'", mydocker_bin,
             own_root ? "; stat -c %a /" : "");
    run_argv(&r, argv, RUN_TIMEOUT_S);
    assert_status(&r, 0);
    assert_string_equal(r.out, own_root ? "0022\n755\n" : "0022\n");
}

/* TAR_OPTIONS=--absolute-names in the caller's environment would let an
 * image's absolute member name write anywhere on the host. tar gets a
 * fixed environment, so the name is stripped as usual and the file lands
 * inside the image. */
static void test_tar_options_do_not_reach_tar(void **state)
{
    const char *root = use_other_root(NULL);
    char target[256];
    int escaped;
    int status;

    (void)state;
    snprintf(target, sizeof(target), "%s-escaped", root); /* beside the root, outside it */
    assert_int_equal(
        host_sh("set -e; cd '%s'; mkdir -p images h; echo evil >h/f;"
                " cp '%s' images/busybox.tar;"
                " tar -P -rf images/busybox.tar -C h --transform 's,^f$,%s,' f; rm -r h",
                root, busybox_tar, target),
        0);
    status = host_sh("TAR_OPTIONS=--absolute-names '%s' -log-level error run cat '%s' >/dev/null",
                     mydocker_bin, target);
    escaped = path_exists(target);
    unlink(target); /* before any assert, so that a failure leaves nothing */
    assert_false(escaped);
    assert_int_equal(status, 0); /* the file is in the image, where it belongs */
}

/* The container decides how deep its tree is: a teardown that removes
 * by path stops at PATH_MAX and keeps containers/ID for good. busybox's
 * cd gives up near PATH_MAX itself, which is deep enough. */
static void test_deep_tree_does_not_block_the_teardown(void **state)
{
    (void)state;
    md(&r, "-log-level", "error", "run", "sh", "-c",
       "i=0; while [ $i -lt 2100 ] && mkdir d && cd d 2>/dev/null; do : >f; i=$((i+1)); done;"
       " [ $i -gt 1500 ]",
       NULL);
    assert_status(&r, 0); /* and the leak check: containers/ is empty */
}

static bool gone_or_zombie(pid_t pid)
{
    char path[64];
    char *stat;
    bool gone;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    stat = read_text(path);
    gone = !stat || (strrchr(stat, ')') && strrchr(stat, ')')[2] == 'Z');
    free(stat);
    return gone;
}

/* A PID 1 that changed its uid outlives a kill -9 of its mydocker: the
 * kernel clears PR_SET_PDEATHSIG at su. The next mydocker command ends
 * it, through the cgroup that -pids gave it (and, from chapter4-overlay
 * on, through the state file too, checked by its start time against a
 * reused pid), and only then removes its cgroups and layers: the leak
 * check sees none left. */
static void test_container_outliving_its_mydocker_is_ended(void **state)
{
    static struct proc p;
    char path[64];
    pid_t pid;
    int waited = 0;

    (void)state;
    /* PID 1 itself must change its uid: the host's su (chapter3 has no
     * image) stays root and forks the command, busybox's su execs it. */
    md_spawn(&p, "run", "-pids", "20", "sh", "-c",
             chapter_has("chapter4-busybox")
                 ? "echo ready; exec su -s /bin/sh nobody -c 'exec sleep 600'"
                 : "echo ready; exec setpriv --reuid 65534 --regid 65534 --clear-groups sleep 600",
             NULL);
    proc_wait_for(&p, "ready", 10);
    pid = container_pid(p.pid);
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    for (char *st = NULL; waited < 100; waited++, free(st)) {
        st = read_text(path);
        if (st && strstr(st, "\nUid:\t65534")) {
            free(st);
            break;
        }
        usleep(50000);
    }
    /* waitpid, not proc_finish: the container still holds the pipes. */
    kill(p.pid, SIGKILL);
    assert_int_equal(waitpid(p.pid, NULL, 0), p.pid);
    close(p.out_fd);
    close(p.err_fd);
    assert_true(waited < 100); /* else PDEATHSIG ended it: no test */
    md(&r, "-log-level", "error", "run", "true", NULL);
    for (int i = 0; i < 50 && !gone_or_zombie(pid); i++)
        usleep(100000);
    if (!gone_or_zombie(pid)) {
        kill(pid, SIGKILL); /* ours: the test started it */
        fail_msg("the container's PID 1 (pid %d) still runs after the next mydocker run", (int)pid);
    }
    assert_status(&r, 0);
}

/* The id in "mydocker/ID" of the first line of /proc/PID/cgroup that
 * names one: read from the host, the path is the host's whole path even
 * where the container has a cgroup namespace of its own. */
static void cgroup_id_of(pid_t pid, char *id, size_t len)
{
    char path[64];
    char *text;
    const char *at;

    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
    text = read_text(path);
    at = text ? strstr(text, "/mydocker/") : NULL;
    id[0] = '\0';
    if (at)
        snprintf(id, len, "%.*s", (int)strcspn(at + 10, "/\n"), at + 10);
    free(text);
    assert_int_equal(strlen(id), 12);
}

/* A run killed with SIGKILL has no teardown: its cgroup dirs stay. The
 * next run takes each dead run's dir (nobody holds its lock any more)
 * and removes it, in every hierarchy where there is one. */
static void test_killed_run_leaves_no_cgroup_dir(void **state)
{
    static struct proc p;
    char id[32];
    int left;

    (void)state;
    md_spawn(&p, "run", "-m", "64m", "-pids", "20", "sh", "-c", "echo ready; sleep 600", NULL);
    proc_wait_for(&p, "ready", 10);
    cgroup_id_of(container_pid(p.pid), id, sizeof(id));
    assert_int_equal(host_sh("ls -d /sys/fs/cgroup/*/mydocker/%s /sys/fs/cgroup/mydocker/%s "
                             "2>/dev/null | grep -q .",
                             id, id),
                     0);
    kill(p.pid, SIGKILL); /* its PID 1 gets SIGKILL too (PDEATHSIG) */
    assert_int_equal(waitpid(p.pid, NULL, 0), p.pid);
    close(p.out_fd);
    close(p.err_fd);
    md(&r, "-log-level", "error", "run", "true", NULL);
    left = host_sh("ls -d /sys/fs/cgroup/*/mydocker/%s /sys/fs/cgroup/mydocker/%s 2>/dev/null | "
                   "grep .",
                   id, id);
    assert_int_not_equal(left, 0);
    assert_status(&r, 0);
}

/* The reaper's other half: a run that is alive holds its lock, and the
 * next run leaves its cgroup and its processes alone. */
static void test_next_run_spares_a_live_run(void **state)
{
    static struct proc p;
    char id[32];
    pid_t pid;

    (void)state;
    md_spawn(&p, "run", "-m", "64m", "sh", "-c",
             "trap 'exit 0' TERM; echo ready; while :; do sleep 0.1; done", NULL);
    proc_wait_for(&p, "ready", 10);
    pid = container_pid(p.pid);
    cgroup_id_of(pid, id, sizeof(id));
    md(&r, "-log-level", "error", "run", "-m", "64m", "true", NULL);
    assert_status(&r, 0);
    assert_false(gone_or_zombie(pid));
    assert_int_equal(host_sh("ls -d /sys/fs/cgroup/*/mydocker/%s /sys/fs/cgroup/mydocker/%s "
                             "2>/dev/null | grep -q .",
                             id, id),
                     0);
    kill(p.pid, SIGTERM); /* mydocker passes it on; the trap ends the run */
    assert_int_equal(proc_finish(&p, 10), 0);
}

/* What a mydocker killed mid-unpack (or, from chapter4-commit on,
 * mid-commit) leaves in images/: temps whose names begin with '.'. The
 * next command removes those nobody holds a lock on, and keeps the one
 * the test holds, as a mydocker at work does. */
static void test_dead_temps_in_images_are_removed(void **state)
{
    char dead_dir[4200];
    char dead_file[4200];
    char live[4200];
    bool dead_gone;
    bool live_kept;
    int fd;

    (void)state;
    md(&r, "-log-level", "error", "run", "true", NULL); /* images/busybox/ */
    snprintf(dead_dir, sizeof(dead_dir), "%s/images/.busybox.unpack-dead01", state_root);
    snprintf(dead_file, sizeof(dead_file), "%s/images/.snap.tar.dead01", state_root);
    snprintf(live, sizeof(live), "%s/images/.busybox.unpack-live01", state_root);
    assert_int_equal(host_sh("mkdir -p '%s/bin' '%s' && : >'%s' && : >'%s/bin/sh'", dead_dir, live,
                             dead_file, dead_dir),
                     0);
    fd = open(live, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    md(&r, "-log-level", "error", "run", "true", NULL);
    dead_gone = !path_exists(dead_dir) && !path_exists(dead_file);
    live_kept = path_exists(live);
    close(fd);
    rmdir(live);
    rm_rf(dead_dir), unlink(dead_file); /* before any assert */
    assert_status(&r, 0);
    assert_true(dead_gone);
    assert_true(live_kept);
}

const struct itest robustness_tests[] = {
    ITEST("chapter3", test_closed_stderr_does_not_stop_the_teardown),
    ITEST("chapter3", test_ignored_sigchld_does_not_hang),
    ITEST("chapter3", test_container_gets_clean_signal_state),
    ITEST("chapter3", test_umask_of_the_caller_stays_outside),
    ITEST("chapter4-busybox", test_tar_options_do_not_reach_tar),
    ITEST("chapter4-busybox", test_dead_temps_in_images_are_removed),
    ITEST("chapter4-overlay", test_deep_tree_does_not_block_the_teardown),
    ITEST("chapter3", test_killed_run_leaves_no_cgroup_dir),
    ITEST("chapter3", test_container_outliving_its_mydocker_is_ended),
    ITEST("chapter3", test_next_run_spares_a_live_run),
};
const size_t robustness_count = sizeof(robustness_tests) / sizeof(robustness_tests[0]);
