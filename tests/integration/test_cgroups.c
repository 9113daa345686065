/* chapter3: cgroup limits bind the container, and their directories go
 * away with it. */
#include "harness.h"

#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static struct result r;
static struct proc p;

static void test_memory_hog_is_oom_killed(void **state)
{
    (void)state;
    /* dd's buffer is bs bytes, all touched: 64 MiB in a 32 MiB cgroup. */
    md(&r, "run", "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1", NULL);
    assert_status(&r, 0);
    md(&r, "run", "-m", "32m", "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1", NULL);
    assert_status(&r, 137);
}

/* The inner shell forks until the pids limit stops it; the container's
 * PID 1 survives and counts its processes with builtins only. */
static void test_fork_loop_stops_at_pids_limit(void **state)
{
    const char *script = "sh -c 'for i in $(seq 40); do sleep 3 & done' 2>/dev/null;"
                         " set -- /proc/[0-9]*; echo procs=$#; echo survived";
    int procs;
    const char *at;

    (void)state;
    md(&r, "run", "-pids", "16", "sh", "-c", script, NULL);
    assert_status(&r, 0);
    assert_contains(r.out, "survived");
    at = strstr(r.out, "procs=");
    assert_non_null(at);
    procs = atoi(at + 6);
    assert_true(procs >= 8 && procs <= 16);
    /* The host can still fork. */
    assert_int_equal(host_sh("true"), 0);
}

static void test_cpuset_pins_the_container(void **state)
{
    (void)state;
    md(&r, "run", "-cpuset", "0", "grep", "Cpus_allowed_list", "/proc/self/status", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "Cpus_allowed_list:\t0\n");
}

/* Where the host mounts a controller's v1 hierarchy, or (NULL) cgroup2. */
static bool controller_root(const char *controller, char *out, size_t len)
{
    char *mi = read_text("/proc/self/mountinfo");
    char *save = NULL;
    bool found = false;

    assert_non_null(mi);
    for (char *line = strtok_r(mi, "\n", &save); line && !found;
         line = strtok_r(NULL, "\n", &save)) {
        char mp[PATH_MAX];
        char fstype[32];
        char super[512];
        char opts[600];
        char want[64];
        const char *sep = strstr(line, " - ");

        if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
            sscanf(sep, " - %31s %*s %511s", fstype, super) != 2)
            continue;
        snprintf(opts, sizeof(opts), ",%s,", super);
        snprintf(want, sizeof(want), ",%s,", controller ? controller : "");
        if (controller ? strcmp(fstype, "cgroup") == 0 && strstr(opts, want)
                       : strcmp(fstype, "cgroup2") == 0) {
            snprintf(out, len, "%s", mp);
            found = true;
        }
    }
    free(mi);
    return found;
}

static bool memsw_accounted(void)
{
    char root[PATH_MAX];
    char path[PATH_MAX + 64];

    if (!controller_root("memory", root, sizeof(root)))
        return false;
    snprintf(path, sizeof(path), "%s/memory.memsw.limit_in_bytes", root);
    return path_exists(path);
}

/* Reads FILE in the cgroup of `pid` that holds `controller`: the v1 line
 * "N:controller:/path" if there is one, else the v2 line "0::/path". */
static void expect_file(const char *controller, pid_t pid, const char *file, const char *value)
{
    char root[PATH_MAX];
    char path[PATH_MAX * 2];
    char cg[PATH_MAX];
    char needle[64];
    char *text;
    const char *line;
    bool v1 = controller_root(controller, root, sizeof(root));

    if (!v1)
        assert_true(controller_root(NULL, root, sizeof(root)));
    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
    text = read_text(path);
    assert_non_null(text);
    snprintf(needle, sizeof(needle), v1 ? ":%s:" : "0::", controller);
    line = strstr(text, needle);
    assert_non_null(line);
    assert_int_equal(sscanf(line + strlen(needle), "%4095s", cg), 1);
    free(text);
    assert_non_null(strstr(cg, "/mydocker/"));
    snprintf(path, sizeof(path), "%s%s/%s", root, cg, file);
    text = read_text(path);
    assert_non_null(text);
    if (strcmp(text, value) != 0) {
        print_error("%s holds \"%s\", expected \"%s\"\n", path, text, value);
        fail();
    }
    free(text);
}

static void test_limit_files_hold_the_values(void **state)
{
    pid_t child;

    (void)state;
    md_spawn(&p, "run", "-m", "64m", "-cpushare", "512", "-cpus", "0.5", "-cpuset", "0", "-pids",
             "64", "sh", "-c", "echo ready; sleep 100", NULL);
    proc_wait_for(&p, "ready", 10);
    child = container_pid(p.pid);
    expect_file("memory", child, "memory.limit_in_bytes", "67108864\n");
    /* memory+swap equal to memory: no swap, so a hog is OOM-killed rather
     * than swapped out. Absent only where the kernel has no swap
     * accounting (v1's memory root then lacks the file). */
    if (memsw_accounted())
        expect_file("memory", child, "memory.memsw.limit_in_bytes", "67108864\n");
    expect_file("cpu", child, "cpu.shares", "512\n");
    expect_file("cpu", child, "cpu.cfs_quota_us", "50000\n");
    expect_file("cpu", child, "cpu.cfs_period_us", "100000\n");
    expect_file("cpuset", child, "cpuset.cpus", "0\n");
    expect_file("pids", child, "pids.max", "64\n");
    assert_int_equal(kill(child, SIGKILL), 0);
    assert_int_equal(proc_finish(&p, 10), 137);
}

/* A run that asks for no limit does no cgroup work at all. */
static void test_no_limits_no_cgroup(void **state)
{
    (void)state;
    md(&r, "run", "-log-level", "debug", "cat", "/proc/self/cgroup", NULL);
    assert_status(&r, 0);
    assert_not_contains(r.out, "mydocker");
    assert_not_contains(r.err, "cgroup");
}

static void test_bad_values_are_refused(void **state)
{
    static const char *const bad[][2] = {
        {"-m", "12x"},     {"-m", "-1"},         {"-m", "0"},
        {"-m", ""},        {"-cpushare", "abc"}, {"-cpushare", "1"},
        {"-cpuset", "99"}, {"-cpuset", "1-0"},   {"-cpuset", "a"},
        {"-pids", "0"},    {"-pids", "-5"},      {"-cpus", "0"},
        {"-cpus", "99"},   {"-cpus", "0.5x"},    {"-stop-timeout", "x"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        md(&r, "run", bad[i][0], bad[i][1], "true", NULL);
        assert_status(&r, 125);
        assert_contains(r.err, "mydocker: invalid");
        assert_not_contains(r.err, "\"level\"");
    }
}

/* A pure cgroup v2 host, made in a private mount namespace: the v1
 * hierarchies are unmounted there (the host keeps them) and only the v2
 * mount is left. A limit whose controller v2 does not offer must fail
 * loudly, never be dropped. */
static void test_v2_host_refuses_missing_controller(void **state)
{
    pid_t pid;
    int wstatus;

    (void)state;
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *mi;
        char *save = NULL;
        char cmd[8192];

        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
            _exit(2);
        mi = read_text("/proc/self/mountinfo");
        for (char *line = strtok_r(mi, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char mp[PATH_MAX];

            if (strstr(line, " - cgroup ") && sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1)
                umount2(mp, MNT_DETACH);
        }
        if (!strstr(read_text("/proc/self/mountinfo"), " - cgroup2 "))
            _exit(0); /* no v2 mount at all: nothing to show here */
        snprintf(cmd, sizeof(cmd),
                 "'%s' run -pids 64 true 2>&1 </dev/null | grep -q 'pids cgroup controller is not "
                 "available on this host (cgroup layout: v2)'",
                 mydocker_bin);
        _exit(host_sh("%s", cmd) == 0 ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &wstatus, 0), pid);
    assert_true(WIFEXITED(wstatus));
    assert_int_equal(WEXITSTATUS(wstatus), 0);
}

const struct itest cgroup_tests[] = {
    ITEST("chapter3", test_memory_hog_is_oom_killed),
    ITEST("chapter3", test_fork_loop_stops_at_pids_limit),
    ITEST("chapter3", test_cpuset_pins_the_container),
    ITEST("chapter3", test_limit_files_hold_the_values),
    ITEST("chapter3", test_no_limits_no_cgroup),
    ITEST("chapter3", test_bad_values_are_refused),
    ITEST("chapter3", test_v2_host_refuses_missing_controller),
};
const size_t cgroup_count = sizeof(cgroup_tests) / sizeof(cgroup_tests[0]);
