/* Root in the container cannot reach the host. Each test runs a way out
 * from inside and asserts that it fails, then (from chapter4-busybox on)
 * runs the same attack with -privileged and asserts that it works, so
 * that the test proves the defence and not a missing tool. No attack
 * harms the host when it works: values read are written back unchanged,
 * files are opened without writing, devices are made but never opened. */
#include "harness.h"

#include <fcntl.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct result r;

/* mydocker ARGS (a shell word list) on a terminal of its own: script(1)
 * starts it in a new session on a new pty, as a login shell would be. */
static int md_on_tty(struct result *res, const char *args)
{
    char cmd[4096];
    char *argv[] = {"/usr/bin/script", "-qec", cmd, "/dev/null", NULL};

    snprintf(cmd, sizeof(cmd), "'%s' -log-level error %s", mydocker_bin, args);
    return run_argv(res, argv, 60);
}

/* ---- every chapter ---------------------------------------------------- */

/* A caller's fd to the host's / would lead out of any root (the
 * CVE-2024-21626 class): only 0, 1 and 2 reach the command. ls's own
 * listing of /proc/self/fd is the 3. */
static void test_only_stdio_fds_reach_the_command(void **state)
{
    enum { LEAKED_FD = 7 };
    int fd = open("/", O_RDONLY | O_DIRECTORY); /* inherited, as a careless caller's */

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(dup2(fd, LEAKED_FD), LEAKED_FD);
    close(fd);
    md(&r, "-log-level", "error", "run", "sh", "-c",
       "ls /proc/self/fd | tr '\\n' ' '; echo; cat /proc/self/fd/7/etc/hostname", NULL);
    close(LEAKED_FD);
    assert_status(&r, 1);
    assert_string_equal(r.out, "0 1 2 3 \n");
    assert_contains(r.err, "No such file or directory");
}

/* Without -ti the command has a session of its own and no controlling
 * terminal, so it cannot read your keyboard through /dev/tty. With -ti it
 * shares the terminal, as intended. */
static void test_without_ti_the_terminal_is_out_of_reach(void **state)
{
    const char *open_tty = "sh -c 'exec 3</dev/tty && echo opened'";
    char args[256];

    (void)state;
    snprintf(args, sizeof(args), "run %s", open_tty);
    md_on_tty(&r, args);
    assert_contains(r.out, "No such device or address");
    assert_not_contains(r.out, "opened");
    snprintf(args, sizeof(args), "run -ti %s", open_tty);
    md_on_tty(&r, args);
    assert_status(&r, 0);
    assert_contains(r.out, "opened");
}

/* ---- from chapter4-busybox on ------------------------------------------ */

/* tar, which unpacks the image, gets none of the caller's fds either.
 * A large image keeps tar running long enough to read its fd table. */
static void test_only_stdio_fds_reach_tar(void **state)
{
    const char *root = use_other_root(NULL);
    char path[4200];
    char *text;

    (void)state;
    assert_int_equal(host_sh("set -e; cd '%s'; mkdir -p t images; tar -xf '%s' -C t;"
                             " head -c 200000000 /dev/zero >t/big;"
                             " tar -C t -cf images/busybox.tar .; rm -rf t; : >fd-mark",
                             root, busybox_tar),
                     0);
    assert_int_equal(
        host_sh("cd '%s'; exec 7<fd-mark; '%s' -log-level error run true & md=$!;"
                " for i in $(seq 1000); do"
                "  for c in $(pgrep -P $md); do"
                "   case $(readlink /proc/$c/exe) in */tar)"
                "    ls -l /proc/$c/fd/ >tar-fds 2>&1; echo tar >>tar-fds; break 2;; esac;"
                "  done; sleep 0.01;"
                " done; wait $md",
                root, mydocker_bin),
        0);
    snprintf(path, sizeof(path), "%s/tar-fds", root);
    text = read_text(path);
    assert_non_null(text);
    assert_contains(text, "tar\n"); /* caught tar while it ran */
    assert_not_contains(text, "fd-mark");
    free(text);
}

/* mknod of the host's root disk, or of /dev/mem: a device node is only a
 * number, and opening it would read the disk below every permission. */
static void test_mknod_of_a_host_disk_fails(void **state)
{
    struct stat st;
    char cmd[256];

    (void)state;
    assert_int_equal(stat("/", &st), 0);
    snprintf(cmd, sizeof(cmd), "mknod /dev/disk b %u %u && mknod /dev/mem c 1 1 && echo made",
             major(st.st_dev), minor(st.st_dev));
    md(&r, "-log-level", "error", "run", "sh", "-c", cmd, NULL);
    assert_int_not_equal(r.status, 0);
    assert_contains(r.err, "Operation not permitted");
    assert_not_contains(r.out, "made");
    /* Made in the container's own /dev tmpfs, never opened, gone at exit. */
    md(&r, "-log-level", "error", "run", "-privileged", "sh", "-c", cmd, NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "made\n");
}

/* /proc/sys and sysrq-trigger act on the whole machine. The value of
 * kernel.panic is written back as it was read; sysrq-trigger is only
 * opened (never written), and only where this kernel has it. */
static void test_proc_sys_and_sysrq_are_read_only(void **state)
{
    const char *panic = "v=$(cat /proc/sys/kernel/panic) && echo \"$v\" >/proc/sys/kernel/panic"
                        " && echo wrote";
    const char *sysrq = "exec 3>>/proc/sysrq-trigger && echo opened";

    (void)state;
    md(&r, "-log-level", "error", "run", "sh", "-c", panic, NULL);
    assert_int_not_equal(r.status, 0);
    assert_contains(r.err, "Read-only file system");
    md(&r, "-log-level", "error", "run", "-privileged", "sh", "-c", panic, NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "wrote\n");
    if (!path_exists("/proc/sysrq-trigger"))
        return; /* a kernel without CONFIG_MAGIC_SYSRQ */
    md(&r, "-log-level", "error", "run", "sh", "-c", sysrq, NULL);
    assert_int_not_equal(r.status, 0);
    assert_contains(r.err, "Read-only file system");
    md(&r, "-log-level", "error", "run", "-privileged", "sh", "-c", sysrq, NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "opened\n");
}

/* kcore (the host's memory), keys, timer_list and sched_debug read as
 * empty; acpi and scsi as empty directories. timer_list is on every
 * kernel and shows what -privileged would read. */
static void test_proc_leaks_are_masked(void **state)
{
    static const char *const files[] = {"/proc/kcore",       "/proc/keys", "/proc/timer_list",
                                        "/proc/sched_debug", "/proc/acpi", "/proc/scsi"};
    char cmd[256];
    int checked = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        if (!path_exists(files[i]))
            continue;
        snprintf(cmd, sizeof(cmd), "{ if [ -d %s ]; then ls -A %s; else head -c1 %s; fi; } | wc -c",
                 files[i], files[i], files[i]);
        md(&r, "-log-level", "error", "run", "sh", "-c", cmd, NULL);
        assert_status(&r, 0);
        if (strcmp(r.out, "0\n") != 0) {
            print_error("%s is readable inside: %s", files[i], r.out);
            fail();
        }
        checked++;
    }
    assert_true(checked >= 1);
    md(&r, "-log-level", "error", "run", "-privileged", "head", "-c", "10", "/proc/timer_list",
       NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "Timer List");
}

/* A cgroupfs mounted inside would be the host's tree: the container could
 * raise its own pids.max. */
static void test_cgroupfs_cannot_be_mounted(void **state)
{
    const char *v2 = "mkdir /dev/m && mount -t cgroup2 none /dev/m && echo mounted";
    const char *v1 = "mkdir /dev/m && mount -t cgroup -o pids none /dev/m && echo mounted";

    (void)state;
    md(&r, "-log-level", "error", "run", "sh", "-c", v2, NULL);
    assert_int_not_equal(r.status, 0);
    assert_not_contains(r.out, "mounted");
    md(&r, "-log-level", "error", "run", "sh", "-c", v1, NULL);
    assert_int_not_equal(r.status, 0);
    assert_not_contains(r.out, "mounted");
    /* Mounted in the container's own namespace: it goes with it. */
    md(&r, "-log-level", "error", "run", "-privileged", "sh", "-c", v2, NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "mounted\n");
}

static unsigned long long cap_field(const char *status, const char *name)
{
    const char *line = strstr(status, name);

    if (!line) {
        print_error("no %s in:\n%s", name, status);
        fail();
    }
    return strtoull(line + strlen(name), NULL, 16);
}

/* podman's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID
 * SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP, in every set but the
 * inheritable and ambient ones, which are empty. */
static void test_capabilities_are_cut(void **state)
{
    static const int kept[] = {0, 1, 3, 4, 5, 6, 7, 8, 10, 18, 31};
    static const int dropped[] = {2, 12, 16, 17, 19, 21, 25, 27, 34}; /* see the comment below */
    unsigned long long want = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
        want |= 1ULL << kept[i];
    md(&r, "-log-level", "error", "run", "cat", "/proc/self/status", NULL);
    assert_status(&r, 0);
    assert_int_equal(cap_field(r.out, "CapEff:"), want);
    assert_int_equal(cap_field(r.out, "CapPrm:"), want);
    assert_int_equal(cap_field(r.out, "CapBnd:"), want);
    assert_int_equal(cap_field(r.out, "CapInh:"), 0);
    assert_int_equal(cap_field(r.out, "CapAmb:"), 0);
    /* DAC_READ_SEARCH, NET_ADMIN, SYS_MODULE, SYS_RAWIO, SYS_PTRACE,
     * SYS_ADMIN, SYS_TIME, MKNOD, SYSLOG: each is a way to the host. */
    for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
        assert_int_equal(cap_field(r.out, "CapBnd:") & (1ULL << dropped[i]), 0);
    md(&r, "-log-level", "error", "run", "-privileged", "cat", "/proc/self/status", NULL);
    assert_status(&r, 0);
    assert_int_not_equal(cap_field(r.out, "CapEff:") & (1ULL << 21), 0); /* SYS_ADMIN */
}

/* In a cgroup namespace rooted at the container's cgroup, /proc/self/cgroup
 * shows "/" and no path of the host's tree. */
static void test_cgroup_paths_are_the_containers(void **state)
{
    char *save = NULL;

    (void)state;
    md(&r, "-log-level", "error", "run", "-m", "64m", "cat", "/proc/self/cgroup", NULL);
    assert_status(&r, 0);
    assert_not_contains(r.out, "mydocker");
    for (char *line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t len = strlen(line);

        if (len < 2 || strcmp(line + len - 2, ":/") != 0) {
            print_error("a host path in /proc/self/cgroup: %s", line);
            fail();
        }
    }
}

/* A key in the session keyring of whoever started mydocker: the kernel's
 * keyrings are not namespaced, so only the seccomp filter stands between
 * the container and it. The test makes a keyring of its own first, so
 * the key never lands in the keyring of the user running the tests. */
static void test_keyring_of_the_caller_is_out_of_reach(void **state)
{
    const char *secret = "mydocker-itest-secret";
    const char *helper = install_helper("escape");
    struct result priv;
    char id[32];
    long key;

    (void)state;
    assert_true(syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) >= 0);
    key = syscall(SYS_add_key, "user", "mydocker-itest", secret, strlen(secret),
                  KEY_SPEC_SESSION_KEYRING);
    assert_true(key > 0);
    snprintf(id, sizeof(id), "%ld", key);
    md(&r, "-log-level", "error", "run", "/escape", "keyread", id, NULL);
    md(&priv, "-log-level", "error", "run", "-privileged", "/escape", "keyread", id, NULL);
    syscall(SYS_keyctl, KEYCTL_INVALIDATE, key);
    unlink(helper);
    assert_status(&r, 1);
    assert_string_equal(r.out, "keyctl read: Operation not permitted\n");
    assert_status(&priv, 0);
    assert_string_equal(priv.out, "key: mydocker-itest-secret\n");
}

/* With -ti the container shares the caller's terminal; TIOCSTI would let
 * it type into the caller's shell. The terminal here is script's own. */
static void test_no_keys_pushed_into_the_terminal(void **state)
{
    const char *helper = install_helper("escape");
    struct result priv;

    (void)state;
    md_on_tty(&r, "run -ti /escape tiocsti");
    md_on_tty(&priv, "run -ti -privileged /escape tiocsti");
    unlink(helper);
    assert_contains(r.out, "ioctl TIOCSTI: Operation not permitted");
    assert_contains(priv.out, "pushed a key into the terminal");
}

/* images/ holds setuid-root files: a host user must not reach them, even
 * where an older install left the state root and images/ at 0755. */
static void test_images_are_out_of_a_host_users_reach(void **state)
{
    const char *root = use_other_root(NULL);
    /* Through sh: setpriv itself finds the program before it drops root. */
    const char *as_nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups sh -c";

    (void)state;
    assert_int_equal(host_sh("set -e; chmod 755 '%s'; mkdir -m 755 '%s/images';"
                             " cp '%s' '%s/images/busybox.tar'; chmod 644 '%s/images/busybox.tar'",
                             root, root, busybox_tar, root, root),
                     0);
    /* The threat is real before mydocker has run: nobody can list it. */
    assert_int_equal(host_sh("%s 'ls %s/images' >/dev/null", as_nobody, root), 0);
    md(&r, "run", "true", NULL);
    assert_status(&r, 0);
    assert_int_not_equal(host_sh("%s 'ls %s/images' >/dev/null 2>&1", as_nobody, root), 0);
    assert_int_not_equal(
        host_sh("%s '%s/images/busybox/bin/busybox true' 2>/dev/null", as_nobody, root), 0);
    assert_int_equal(host_sh("'%s/images/busybox/bin/busybox' true", root), 0); /* root can */
    assert_int_equal(host_sh("[ \"$(stat -c %%a '%s/images')\" = 700 ]", root), 0);
}

/* -hostname sets it; inside, root can no longer change it. */
static void test_hostname_flag(void **state)
{
    (void)state;
    md(&r, "-log-level", "error", "run", "-hostname", "web-1.example", "hostname", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "web-1.example\n");
    md(&r, "-log-level", "error", "run", "sh", "-c", "hostname changed", NULL);
    assert_int_not_equal(r.status, 0);
    assert_contains(r.err, "Operation not permitted");
    md(&r, "run", "-hostname", "no spaces", "true", NULL);
    assert_status(&r, 125);
    assert_contains(r.err, "invalid hostname 'no spaces'");
}

/* What a container is for still works as root inside, and after su. */
static void test_normal_use_still_works(void **state)
{
    (void)state;
    md(&r, "-log-level", "error", "run", "sh", "-c",
       "id && ps | wc -l && mount | grep -c ' on /proc ' && touch /tmp/f && chown 1:1 /tmp/f &&"
       " stat -c %u:%g /tmp/f && rm /tmp/f && su -s /bin/sh nobody -c id && chroot / true &&"
       " echo done",
       NULL);
    assert_status(&r, 0);
    assert_contains(r.out, "uid=0(root) gid=0(root)");
    assert_contains(r.out, "\n1:1\n");
    assert_contains(r.out, "uid=65534(nobody)");
    assert_contains(r.out, "done\n");
}

const struct itest security_tests[] = {
    ITEST("chapter3", test_only_stdio_fds_reach_the_command),
    ITEST("chapter3", test_without_ti_the_terminal_is_out_of_reach),
    ITEST("chapter4-busybox", test_only_stdio_fds_reach_tar),
    ITEST("chapter4-busybox", test_mknod_of_a_host_disk_fails),
    ITEST("chapter4-busybox", test_proc_sys_and_sysrq_are_read_only),
    ITEST("chapter4-busybox", test_proc_leaks_are_masked),
    ITEST("chapter4-busybox", test_cgroupfs_cannot_be_mounted),
    ITEST("chapter4-busybox", test_capabilities_are_cut),
    ITEST("chapter4-busybox", test_cgroup_paths_are_the_containers),
    ITEST("chapter4-busybox", test_keyring_of_the_caller_is_out_of_reach),
    ITEST("chapter4-busybox", test_no_keys_pushed_into_the_terminal),
    ITEST("chapter4-busybox", test_images_are_out_of_a_host_users_reach),
    ITEST("chapter4-busybox", test_hostname_flag),
    ITEST("chapter4-busybox", test_normal_use_still_works),
};
const size_t security_count = sizeof(security_tests) / sizeof(security_tests[0]);
