/* chapter4-busybox: the container's root is the busybox image, entered
 * with pivot_root; /proc and /dev are its own. */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct result r;

static void test_root_is_the_busybox_image(void **state)
{
    const char *marker = "/mydocker-itest-host-marker";

    (void)state;
    write_text(marker, "host\n");
    md(&r, "run", "ls", "/", NULL);
    unlink(marker);
    assert_status(&r, 0);
    assert_string_equal(r.out, "bin\ndev\netc\nhome\nproc\nroot\nsys\ntmp\nusr\nvar\n");
    md(&r, "run", "readlink", "/bin/sh", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "busybox\n");
}

/* Only /, /proc and /dev are mounted, then the parts of /proc that
 * security.c makes read-only or masks (those this kernel has); none of
 * them a peer of the host's. -privileged has no /proc hardening. */
static void test_mount_table_is_the_containers(void **state)
{
    static const char *const hardened[] = {
        "/proc/sys",         "/proc/sysrq-trigger", "/proc/irq",  "/proc/bus",
        "/proc/fs",          "/proc/kcore",         "/proc/keys", "/proc/timer_list",
        "/proc/sched_debug", "/proc/acpi",          "/proc/scsi",
    };
    const char *list = "cut -d' ' -f5 /proc/1/mountinfo; grep -c shared: /proc/1/mountinfo";
    char expect[1024] = "/\n/proc\n/dev\n";

    (void)state;
    for (size_t i = 0; i < sizeof(hardened) / sizeof(hardened[0]); i++) {
        if (path_exists(hardened[i]))
            snprintf(expect + strlen(expect), sizeof(expect) - strlen(expect), "%s\n", hardened[i]);
    }
    strcat(expect, "0\n");
    md(&r, "run", "sh", "-c", list, NULL);
    assert_status(&r, 1); /* grep -c found nothing: exit 1 */
    assert_string_equal(r.out, expect);
    md(&r, "run", "-privileged", "sh", "-c", list, NULL);
    assert_status(&r, 1);
    assert_string_equal(r.out, "/\n/proc\n/dev\n0\n");
}

static void test_dev_is_minimal(void **state)
{
    (void)state;
    md(&r, "run", "sh", "-c",
       "echo gone >/dev/null && head -c 4 /dev/zero | od -An -tx1 && ls /dev | tr '\\n' ' '", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, " 00 00 00 00\nfd full null random stderr stdin stdout tty urandom "
                               "zero ");
}

/* Build helpers/breakout.c static, drop it into the container's root,
 * run it: it must still see the container's root, not the host's. */
static void test_chroot_breakout_stays_inside(void **state)
{
    const char *bin = install_helper("breakout");
    const char *marker = "/mydocker-itest-host-marker";

    (void)state;
    write_text(marker, "host\n");
    md(&r, "run", "/breakout", NULL);
    unlink(marker);
    unlink(bin);
    assert_status(&r, 0);
    assert_contains(r.out, "bin\n");
    assert_contains(r.out, "proc\n");
    assert_not_contains(r.out, "mydocker-itest-host-marker");
}

static void test_missing_image_is_125(void **state)
{
    (void)state;
    const char *other_root = use_other_root(NULL);

    md(&r, "run", "true", NULL);
    assert_status(&r, 125);
    assert_contains(r.err, "busybox.tar: No such file or directory");
    assert_contains(r.err, "scripts/busybox-image.sh");
    /* Nothing was created. */
    assert_int_equal(host_sh("[ -z \"$(ls -A '%s')\" ]", other_root), 0);
}

/* Owners are numbers: a file that the image gives uid 4321 under the user
 * name "root" keeps 4321. Without --numeric-owner, tar would look the name
 * up in the host's /etc/passwd and make the file root's. */
static void test_image_owners_are_numeric(void **state)
{
    (void)state;
    const char *other_root = use_other_root(NULL);

    assert_int_equal(host_sh("set -e; cd '%s'; mkdir -p images h; echo x >h/owned;"
                             " cp '%s' images/busybox.tar;"
                             " tar -rf images/busybox.tar -C h --owner=root:4321"
                             " --group=root:4321 owned; rm -r h",
                             other_root, busybox_tar),
                     0);
    md(&r, "-log-level", "error", "run", "stat", "-c", "%u:%g", "/owned", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "4321:4321\n");
}

/* An image whose /proc is a symlink would have mydocker mount proc
 * wherever it points. */
static void test_symlinked_proc_is_refused(void **state)
{
    (void)state;
    const char *other_root = use_other_root(NULL);

    assert_int_equal(host_sh("set -e; cd '%s'; mkdir -p t images; tar -xf '%s' -C t; "
                             "rmdir t/proc; ln -s /etc t/proc; "
                             "tar -C t -cf images/busybox.tar .; rm -rf t",
                             other_root, busybox_tar),
                     0);
    md(&r, "run", "true", NULL);
    assert_status(&r, 125);
    assert_contains(r.err, "/proc is not a directory");
}

/* A SIGTERM while mydocker sets up (here: a slow first unpack) stops the
 * run before any container starts, and what setup made is undone. */
static void test_sigterm_during_setup_cleans_up(void **state)
{
    static struct proc p;

    (void)state;
    const char *other_root = use_other_root(NULL);

    assert_int_equal(host_sh("set -e; cd '%s'; mkdir -p t images; tar -xf '%s' -C t;"
                             " head -c 300000000 /dev/zero >t/big;"
                             " tar -C t -cf images/busybox.tar .; rm -rf t",
                             other_root, busybox_tar),
                     0);
    md_spawn(&p, "run", "true", NULL);
    proc_wait_for_err(&p, "unpacking image", 20);
    kill(p.pid, SIGTERM);
    assert_int_equal(proc_finish(&p, 60), 143);
    assert_contains(p.err, "SIGTERM during setup: stopping");
    assert_not_contains(p.err, "exec true");
    /* Only the image and its tarball: no temp dir, no container. */
    assert_int_equal(
        host_sh("cd '%s' && [ \"$(ls -A images)\" = \"$(printf 'busybox\\nbusybox.tar')\" ]"
                " && [ -z \"$(ls -A containers 2>/dev/null)\" ]",
                other_root),
        0);
}

const struct itest rootfs_tests[] = {
    ITEST("chapter4-busybox", test_root_is_the_busybox_image),
    ITEST("chapter4-busybox", test_mount_table_is_the_containers),
    ITEST("chapter4-busybox", test_dev_is_minimal),
    ITEST("chapter4-busybox", test_chroot_breakout_stays_inside),
    ITEST("chapter4-busybox", test_missing_image_is_125),
    ITEST("chapter4-busybox", test_image_owners_are_numeric),
    ITEST("chapter4-busybox", test_symlinked_proc_is_refused),
    ITEST("chapter4-busybox", test_sigterm_during_setup_cleans_up),
};
const size_t rootfs_count = sizeof(rootfs_tests) / sizeof(rootfs_tests[0]);
