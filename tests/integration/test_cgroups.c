/* chapter3: cgroup limits bind the container, and their directories go
 * away with it. */
#include "harness.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
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

/* The cgroup of `pid` that holds `controller`, as a directory: from the v1
 * line "N:controller:/path" if the host mounts that controller's v1
 * hierarchy, else from the v2 line "0::/path". Says which in *v1. */
static void cgroup_dir(const char *controller, pid_t pid, char *out, size_t len, bool *v1)
{
    char root[PATH_MAX];
    char path[64];
    char cg[PATH_MAX];
    char needle[64];
    char *text;
    const char *line;

    *v1 = controller_root(controller, root, sizeof(root));
    if (!*v1)
        assert_true(controller_root(NULL, root, sizeof(root)));
    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
    text = read_text(path);
    assert_non_null(text);
    snprintf(needle, sizeof(needle), *v1 ? ":%s:" : "0::", controller);
    line = strstr(text, needle);
    assert_non_null(line);
    assert_int_equal(sscanf(line + strlen(needle), "%4095s", cg), 1);
    free(text);
    assert_non_null(strstr(cg, "/mydocker/"));
    snprintf(out, len, "%s%s", root, cg);
}

/* One limit as each cgroup version spells it. A NULL v2 file: v2 has no
 * such file (v1's period is part of v2's cpu.max). */
struct limit_file {
    const char *controller;
    const char *v1, *v1_value;
    const char *v2, *v2_value;
    bool optional; /* absent where the kernel has no swap accounting */
};

static void expect_file(pid_t pid, const struct limit_file *f)
{
    char dir[PATH_MAX];
    char path[PATH_MAX * 2];
    const char *value;
    char *text;
    bool v1;

    cgroup_dir(f->controller, pid, dir, sizeof(dir), &v1);
    if (!v1 && !f->v2)
        return;
    snprintf(path, sizeof(path), "%s/%s", dir, v1 ? f->v1 : f->v2);
    value = v1 ? f->v1_value : f->v2_value;
    if (f->optional && !path_exists(path))
        return;
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
    /* memory+swap equal to memory on v1, swap 0 on v2: a hog is
     * OOM-killed rather than swapped out. Shares 512 are weight 50, half
     * of v2's default as 512 is half of v1's. */
    static const struct limit_file files[] = {
        {"memory", "memory.limit_in_bytes", "67108864\n", "memory.max", "67108864\n", false},
        {"memory", "memory.memsw.limit_in_bytes", "67108864\n", "memory.swap.max", "0\n", true},
        {"cpu", "cpu.shares", "512\n", "cpu.weight", "50\n", false},
        {"cpu", "cpu.cfs_quota_us", "50000\n", "cpu.max", "50000 100000\n", false},
        {"cpu", "cpu.cfs_period_us", "100000\n", NULL, NULL, false},
        {"cpuset", "cpuset.cpus", "0\n", "cpuset.cpus", "0\n", false},
        {"pids", "pids.max", "64\n", "pids.max", "64\n", false},
    };
    pid_t child;

    (void)state;
    md_spawn(&p, "run", "-m", "64m", "-cpushare", "512", "-cpus", "0.5", "-cpuset", "0", "-pids",
             "64", "sh", "-c", "echo ready; sleep 100", NULL);
    proc_wait_for(&p, "ready", 10);
    child = container_pid(p.pid);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        expect_file(child, &files[i]);
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

/* Unmounts, in this mount namespace only, every cgroup filesystem of one
 * type ("cgroup" for v1's hierarchies, "cgroup2"). */
static void umount_all(const char *fstype)
{
    char *mi = read_text("/proc/self/mountinfo");
    char *save = NULL;
    char want[32];

    snprintf(want, sizeof(want), " - %s ", fstype);
    for (char *line = strtok_r(mi, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char mp[PATH_MAX];

        if (strstr(line, want) && sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1)
            umount2(mp, MNT_DETACH);
    }
    free(mi);
}

/* Joins the cgroup `cg`, makes it the root of a new cgroup namespace, and
 * in a mount namespace of its own (the caller keeps its mount to clean up)
 * mounts a fresh cgroup2 on `mnt`, which then shows `cg` as the root.
 * Then the shell command `check` tells pass (0) or fail. */
static int run_in_v2_ns(const char *mnt, const char *cg, const char *check)
{
    char procs[PATH_MAX + 16];
    FILE *f;

    /* stdio, not the harness's asserting helpers: this is a forked child. */
    snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
    f = fopen(procs, "we");
    if (!f || fprintf(f, "%d", (int)getpid()) < 0 || fclose(f) != 0 ||
        unshare(CLONE_NEWCGROUP | CLONE_NEWNS) < 0)
        return 2;
    umount_all("cgroup2");
    if (mount("cgroup2", mnt, "cgroup2", 0, NULL) < 0)
        return 2;
    return host_sh("%s", check) == 0 ? 0 : 1;
}

/* rmdir that waits out a cgroup still busy just after its last task. */
static bool rmdir_cgroup(const char *path)
{
    for (int tries = 0; tries < 100; tries++) {
        if (rmdir(path) == 0 || errno == ENOENT)
            return true;
        if (errno != EBUSY)
            return false;
        usleep(10000);
    }
    return false;
}

static bool offers(const char *cg, const char *controller)
{
    char path[PATH_MAX + 32];
    char *text;
    bool yes;

    snprintf(path, sizeof(path), "%s/cgroup.controllers", cg);
    text = read_text(path);
    yes = text && strstr(text, controller);
    free(text);
    return yes;
}

/* A v2 host made on any host, in a private mount namespace: the v1
 * hierarchies go (the host keeps them) and a fresh cgroup2 mount shows a
 * new cgroup, `outer`, with a child `leaf`. A child process then sees one
 * of them as its namespace's root:
 *   - bare: leaf, which offers no controller, as outer enables none;
 *   - nested: outer, which holds that child, and so processes, as the
 *     root of a CI container's cgroup namespace does. Outer offers pids
 *     where the v2 root we see can pass it on: the true root can; the
 *     root of a nested layout can once a limited run moved its processes.
 * `check` is a shell command for that child; %s in it is mydocker. */
static int v2_host(bool nested, const char *check)
{
    static const char *const made[] = {"leaf", "init", "mydocker", ""};
    char mnt[] = "/tmp/mydocker-cg-XXXXXX";
    char outer[PATH_MAX];
    char path[PATH_MAX + 16];
    char cmd[8192];
    int wstatus = 2 << 8; /* as if the child exited 2: could not set up */
    pid_t pid;

    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        !mkdtemp(mnt))
        return 2;
    umount_all("cgroup");
    if (mount("cgroup2", mnt, "cgroup2", 0, NULL) < 0)
        return 2;
    snprintf(outer, sizeof(outer), "%s/mydocker-itest-%d", mnt, (int)getpid());
    snprintf(path, sizeof(path), "%s/leaf", outer);
    /* Only the true root (it has no cgroup.type) may hold processes and
     * pass pids on: anywhere else that makes a thread root, under which
     * outer could not hold a process at all. */
    snprintf(cmd, sizeof(cmd), "%s/cgroup.type", mnt);
    if (nested && offers(mnt, "pids") && !path_exists(cmd)) {
        snprintf(cmd, sizeof(cmd), "%s/cgroup.subtree_control", mnt);
        host_sh("echo +pids >'%s' 2>/dev/null", cmd);
    }
    if (mkdir(outer, 0755) == 0 && mkdir(path, 0755) == 0) {
        if (nested && !offers(outer, "pids"))
            check = "'%s' run -pids 64 true 2>&1 </dev/null | grep -q 'pids cgroup controller is "
                    "not available on this host (cgroup layout: v2)'";
        snprintf(cmd, sizeof(cmd), check, mydocker_bin);
        pid = fork();
        if (pid == 0)
            _exit(run_in_v2_ns(mnt, nested ? outer : path, cmd));
        waitpid(pid, &wstatus, 0);
    }
    /* bare: a cgroup mydocker made in leaf fails its rmdir, and the test. */
    for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", outer, made[i]);
        if (!rmdir_cgroup(path))
            wstatus = 3 << 8;
    }
    umount2(mnt, MNT_DETACH);
    rmdir(mnt);
    return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 4;
}

static void expect_v2_host(bool nested, const char *check)
{
    pid_t pid;
    int wstatus;

    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(v2_host(nested, check));
    assert_int_equal(waitpid(pid, &wstatus, 0), pid);
    assert_true(WIFEXITED(wstatus));
    assert_int_equal(WEXITSTATUS(wstatus), 0);
}

/* A limit whose controller v2 does not offer must fail loudly, never be
 * dropped. */
static void test_v2_host_refuses_missing_controller(void **state)
{
    (void)state;
    expect_v2_host(false, "'%s' run -pids 64 true 2>&1 </dev/null | grep -q 'pids cgroup "
                          "controller is not available on this host (cgroup layout: v2)'");
}

/* In a CI container's cgroup namespace the limit still holds: mydocker
 * moves the root's processes into init, says so, and the container runs in
 * its own cgroup. (On a host whose v2 root offers no pids, as a hybrid one,
 * outer cannot offer it either: then the check is the refusal above.) */
static void test_nested_v2_root_is_evacuated(void **state)
{
    (void)state;
    expect_v2_host(true, "out=$('%s' run -pids 64 true 2>&1 </dev/null) &&"
                         " echo \"$out\" | grep -q 'cgroup: moved [0-9]* process.* into .*/init' &&"
                         " echo \"$out\" | grep -q 'cgroup [^ ]*/mydocker/[0-9a-f]* (v2 layout)'"
                         " || { echo \"$out\"; exit 1; }");
}

const struct itest cgroup_tests[] = {
    ITEST("chapter3", test_memory_hog_is_oom_killed),
    ITEST("chapter3", test_fork_loop_stops_at_pids_limit),
    ITEST("chapter3", test_cpuset_pins_the_container),
    ITEST("chapter3", test_limit_files_hold_the_values),
    ITEST("chapter3", test_no_limits_no_cgroup),
    ITEST("chapter3", test_bad_values_are_refused),
    ITEST("chapter3", test_v2_host_refuses_missing_controller),
    ITEST("chapter3", test_nested_v2_root_is_evacuated),
};
const size_t cgroup_count = sizeof(cgroup_tests) / sizeof(cgroup_tests[0]);
