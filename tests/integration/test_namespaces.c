/* chapter3: the command runs as PID 1 in new namespaces; exit codes,
 * signals and stdin behave as with docker run. */
#include "harness.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct result r;
static struct proc p;

static void test_command_is_pid1(void **state)
{
    (void)state;
    md(&r, "run", "sh", "-c", "echo pid=$$", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "pid=1\n");
}

/* ps reads /proc: with a fresh proc mount it lists the container alone. */
static void test_ps_sees_only_the_container(void **state)
{
    int lines = 0;

    (void)state;
    md(&r, "run", "ps", "-ef", NULL);
    assert_status(&r, 0);
    for (const char *c = r.out; *c; c++)
        lines += *c == '\n';
    if (lines != 2) {
        print_error("expected a header and ps itself, got:\n%s", r.out);
        fail();
    }
}

static void test_hostname_is_isolated(void **state)
{
    char before[256];
    char after[256];

    (void)state;
    assert_int_equal(gethostname(before, sizeof(before)), 0);
    /* From chapter4-busybox on, root inside may not set the hostname
     * (no CAP_SYS_ADMIN) unless -privileged. */
    if (chapter_has("chapter4-busybox"))
        md(&r, "run", "-privileged", "sh", "-c", "hostname inside-test && hostname", NULL);
    else
        md(&r, "run", "sh", "-c", "hostname inside-test && hostname", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "inside-test\n");
    assert_int_equal(gethostname(after, sizeof(after)), 0);
    assert_string_equal(before, after);
}

/* The default hostname is the container's id, as the start log names it. */
static void test_hostname_is_the_id(void **state)
{
    char expect[64];
    const char *log;

    (void)state;
    md(&r, "run", "hostname", NULL);
    assert_status(&r, 0);
    log = strstr(r.err, "container ");
    assert_non_null(log);
    snprintf(expect, sizeof(expect), "%.12s\n", log + strlen("container "));
    assert_string_equal(r.out, expect);
}

static void test_arguments_keep_their_spaces(void **state)
{
    (void)state;
    md(&r, "run", "sh", "-c", "echo \"a  b\"", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "a  b\n");
    md(&r, "run", "printf", "%s|", "x y", "", "z", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "x y||z|");
}

static void test_exit_codes(void **state)
{
    (void)state;
    md(&r, "run", "true", NULL);
    assert_status(&r, 0);
    md(&r, "run", "false", NULL);
    assert_status(&r, 1);
    md(&r, "run", "sh", "-c", "exit 42", NULL);
    assert_status(&r, 42);
    md(&r, "run", "/etc/passwd", NULL);
    assert_status(&r, 126);
    assert_contains(r.err, "mydocker: exec /etc/passwd: Permission denied");
    md(&r, "run", "/no/such/command", NULL);
    assert_status(&r, 127);
    assert_contains(r.err, "mydocker: exec /no/such/command: No such file or directory");
}

/* Starts `mydocker run ARGS... sleep 100` and returns once the container's
 * PID 1 really is sleep: a signal sent while a shell still stood there
 * would meet the shell's handlers, not sleep's lack of them. */
static void spawn_sleeper(struct proc *c, const char *timeout)
{
    char path[64];
    pid_t child;

    md_spawn(c, "run", "-stop-timeout", timeout, "sleep", "100", NULL);
    child = container_pid(c->pid);
    snprintf(path, sizeof(path), "/proc/%d/comm", (int)child);
    for (int i = 0; i < 500; i++) {
        char *comm = read_text(path);
        bool is_sleep = comm && strcmp(comm, "sleep\n") == 0;

        free(comm);
        if (is_sleep)
            return;
        usleep(10000);
    }
    fail_msg("the container never became sleep");
}

static void test_killed_from_host_is_137(void **state)
{
    (void)state;
    md_spawn(&p, "run", "sh", "-c", "echo ready; sleep 100", NULL);
    proc_wait_for(&p, "ready", 10);
    assert_int_equal(kill(container_pid(p.pid), SIGKILL), 0);
    assert_int_equal(proc_finish(&p, 10), 137);
}

/* A container that traps SIGTERM decides its own exit status. */
static void test_sigterm_is_forwarded(void **state)
{
    (void)state;
    md_spawn(&p, "run", "sh", "-c",
             "trap 'echo got-term; exit 3' TERM; echo ready; sleep 100 & wait", NULL);
    proc_wait_for(&p, "ready", 10);
    assert_int_equal(kill(p.pid, SIGTERM), 0);
    assert_int_equal(proc_finish(&p, 10), 3);
    assert_contains(p.out, "got-term");
    assert_contains(p.err, "forwarding SIGTERM");
}

/* PID 1 ignores SIGTERM without a handler: after the stop timeout,
 * SIGKILL, as docker stop does. */
static void test_ignored_sigterm_ends_in_sigkill(void **state)
{
    struct timespec t0;
    struct timespec t1;
    double took;

    (void)state;
    spawn_sleeper(&p, "1");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(kill(p.pid, SIGTERM), 0);
    assert_int_equal(proc_finish(&p, 15), 137);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(took >= 0.9 && took < 5);
    assert_contains(p.err, "sending SIGKILL");
}

static bool process_alive(pid_t pid)
{
    char path[64];
    char *stat;
    const char *state;
    bool alive;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    stat = read_text(path);
    if (!stat)
        return false;
    state = strrchr(stat, ')');
    alive = state && state[1] == ' ' && state[2] != 'Z' && state[2] != 'X';
    free(stat);
    return alive;
}

/* A second Ctrl-C does not wait for the stop timeout. */
static void test_second_sigint_kills_at_once(void **state)
{
    (void)state;
    spawn_sleeper(&p, "10");
    assert_int_equal(kill(p.pid, SIGINT), 0);
    proc_wait_for_err(&p, "forwarding SIGINT", 10);
    assert_int_equal(kill(p.pid, SIGINT), 0);
    assert_int_equal(proc_finish(&p, 5), 137); /* the stop timeout is 10 s */
    assert_contains(p.err, "SIGINT again: sending SIGKILL now");
}

/* Killing mydocker kills its container too (PR_SET_PDEATHSIG). */
static void test_no_orphan_when_mydocker_dies(void **state)
{
    pid_t child;

    (void)state;
    md_spawn(&p, "run", "sh", "-c", "echo ready; sleep 100", NULL);
    proc_wait_for(&p, "ready", 10);
    child = container_pid(p.pid);
    assert_int_equal(kill(p.pid, SIGKILL), 0);
    assert_int_equal(proc_finish(&p, 10), 137);
    /* Gone within a second: absent, or a zombie its new parent has yet to reap. */
    for (int i = 0; i < 100 && process_alive(child); i++)
        usleep(10000);
    assert_false(process_alive(child));
    /* Later chapters leave state after a SIGKILL; their next command
     * removes it, which the leak check then confirms. */
    md(&r, "run", "true", NULL);
    assert_status(&r, 0);
}

static void test_stdin_is_dev_null_without_ti(void **state)
{
    (void)state;
    md_input(&r, "hello\n", "run", "cat", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "");
    md_input(&r, "hello\n", "run", "-ti", "cat", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "hello\n");
}

/* With -ti on a terminal, an interactive shell gets the terminal and gives
 * it back cleanly: dash used to exit 2 with "Cannot set tty process group". */
static void test_interactive_shell_owns_the_terminal(void **state)
{
    char out[4300];
    char *text;

    (void)state;
    snprintf(out, sizeof(out), "%s/tty.out", state_root);
    assert_int_equal(
        host_sh("(sleep 0.5; echo 'echo in-$$'; sleep 0.3; echo 'exit 0'; sleep 1) |"
                " script -qec \"'%s' -log-level error run -ti sh -i\" /dev/null >'%s' 2>&1",
                mydocker_bin, out),
        0);
    text = read_text(out);
    unlink(out);
    assert_non_null(text);
    assert_contains(text, "in-1");
    assert_not_contains(text, "tty process group");
    free(text);
}

static void test_needs_root(void **state)
{
    char *argv[] = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    mydocker_bin,       "run",           "true",          NULL};

    (void)state;
    run_argv(&r, argv, 10);
    assert_status(&r, 125);
    assert_contains(r.err, "needs root");
}

static void test_usage_errors(void **state)
{
    (void)state;
    md(&r, "run", NULL);
    assert_status(&r, 125);
    assert_contains(r.err, "run needs a command");
    md(&r, "run", "-bogus", "true", NULL);
    assert_status(&r, 125);
    assert_contains(r.err, "unknown flag -bogus");
    md(&r, "nosuchcommand", NULL);
    assert_status(&r, 125);
    md(&r, "run", "--help", NULL);
    assert_status(&r, 0);
    assert_contains(r.out, "Usage: mydocker run");
    md(&r, "-help", NULL);
    assert_status(&r, 0);
    assert_contains(r.out, "Usage: mydocker");
}

static void test_log_lines_are_json_with_levels(void **state)
{
    (void)state;
    md(&r, "run", "true", NULL);
    assert_status(&r, 0);
    assert_true(strncmp(r.err, "{\"level\":\"info\",\"msg\":\"", 23) == 0);
    assert_contains(r.err, "\"source\":\"");
    md(&r, "-log-level", "error", "run", "true", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.err, "");
    md(&r, "run", "-log-level", "debug", "-pids", "64", "true", NULL);
    assert_status(&r, 0);
    assert_contains(r.err, "\"level\":\"debug\"");
    /* A quote and a newline in a command name stay valid JSON. */
    md(&r, "run", "no\"such\ncmd", NULL);
    assert_status(&r, 127);
    assert_contains(r.err, "\"msg\":\"exec no\\\"such\\ncmd\"");
}

/* On systemd hosts / is shared: a container that forgot MS_PRIVATE would
 * push its /proc mount back into the host's namespace. Recreate such a
 * host in a private mount namespace and check nothing comes back. */
static void test_mounts_do_not_propagate_to_a_shared_host(void **state)
{
    pid_t pid;
    int wstatus;

    (void)state;
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *before;
        char *after;
        int ok;

        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) < 0)
            _exit(2);
        before = read_text("/proc/self/mountinfo");
        /* A mount inside takes -privileged from chapter4-busybox on. */
        if (host_sh("'%s' run -log-level error %s sh -c 'mount -t tmpfs none /tmp' </dev/null",
                    mydocker_bin, chapter_has("chapter4-busybox") ? "-privileged" : "") != 0)
            _exit(3);
        after = read_text("/proc/self/mountinfo");
        ok = before && after && strcmp(before, after) == 0 && path_exists("/proc/self/stat");
        if (!ok)
            fprintf(stderr, "mount table changed:\n--- before\n%s--- after\n%s", before, after);
        _exit(ok ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &wstatus, 0), pid);
    assert_true(WIFEXITED(wstatus));
    assert_int_equal(WEXITSTATUS(wstatus), 0);
}

/* chapter3/minimal/minimal.c, the README's first page of code: it builds
 * with the repo's flags and is a container. The command is PID 1, sees a
 * hostname and a /proc of its own, and its exit status comes back; the
 * host's hostname and mount table are as before (the leak check). */
static void test_minimal_container_builds_and_runs(void **state)
{
    char bin[] = "/tmp/mydocker-minimal.XXXXXX";
    char host[256];
    char after[256];
    char *argv[] = {bin, "sh", "-c",
                    "echo pid=$$; hostname; ls /proc | grep -c '^[0-9]'; "
                    "test $(readlink /proc/1/ns/uts) != $(readlink /proc/self/ns/net) && exit 7",
                    NULL};
    int fd = mkstemp(bin);

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(gethostname(host, sizeof(host)), 0);
    assert_int_equal(host_sh("cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o '%s' "
                             "'%s/chapter3/minimal/minimal.c'",
                             bin, repo_dir),
                     0);
    run_argv(&r, argv, 10);
    unlink(bin);
    /* sh, ls and grep: the only processes of the new PID namespace. */
    assert_status(&r, 7);
    assert_string_equal(r.out, "pid=1\ncontainer\n3\n");
    assert_int_equal(gethostname(after, sizeof(after)), 0);
    assert_string_equal(host, after);
}

const struct itest namespace_tests[] = {
    /* "=chapter3": the minimal container is chapter3's alone. */
    ITEST("=chapter3", test_minimal_container_builds_and_runs),
    ITEST("chapter3", test_command_is_pid1),
    ITEST("chapter3", test_ps_sees_only_the_container),
    ITEST("chapter3", test_hostname_is_isolated),
    ITEST("chapter3", test_hostname_is_the_id),
    ITEST("chapter3", test_arguments_keep_their_spaces),
    ITEST("chapter3", test_exit_codes),
    ITEST("chapter3", test_killed_from_host_is_137),
    ITEST("chapter3", test_sigterm_is_forwarded),
    ITEST("chapter3", test_ignored_sigterm_ends_in_sigkill),
    ITEST("chapter3", test_second_sigint_kills_at_once),
    ITEST("chapter3", test_no_orphan_when_mydocker_dies),
    ITEST("chapter3", test_stdin_is_dev_null_without_ti),
    ITEST("chapter3", test_interactive_shell_owns_the_terminal),
    ITEST("chapter3", test_needs_root),
    ITEST("chapter3", test_usage_errors),
    ITEST("chapter3", test_log_lines_are_json_with_levels),
    ITEST("chapter3", test_mounts_do_not_propagate_to_a_shared_host),
};
const size_t namespace_count = sizeof(namespace_tests) / sizeof(namespace_tests[0]);
