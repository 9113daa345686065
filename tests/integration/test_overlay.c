/* chapter4-overlay: the image is a read-only lower layer; what a container
 * writes lands in its own upper layer and is gone when it exits. */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct result r;
static struct proc p;

/* A digest of every name, mode, size, link target and content in the image. */
static char *image_digest(void)
{
    char path[4200];

    assert_int_equal(
        host_sh("cd '%s/images/busybox' && { find . -printf '%%p %%m %%s %%l\\n' | sort;"
                " find . -type f -exec md5sum {} + | sort; } | md5sum >'%s/digest'",
                state_root, state_root),
        0);
    snprintf(path, sizeof(path), "%s/digest", state_root);
    char *digest = read_text(path);
    unlink(path);
    assert_non_null(digest);
    return digest;
}

static void assert_no_containers(void)
{
    assert_int_equal(host_sh("[ -z \"$(ls -A '%s/containers')\" ]", state_root), 0);
}

static void test_writes_are_gone_after_exit(void **state)
{
    char path[4200];

    (void)state;
    md(&r, "run", "sh", "-c", "echo x >/tmp/x && echo y >/etc/new && cat /tmp/x /etc/new", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "x\ny\n");
    snprintf(path, sizeof(path), "%s/images/busybox/tmp/x", state_root);
    assert_false(path_exists(path));
    snprintf(path, sizeof(path), "%s/images/busybox/etc/new", state_root);
    assert_false(path_exists(path));
    assert_no_containers();
    md(&r, "run", "ls", "/tmp/x", NULL);
    assert_status(&r, 1);
}

/* Deleting, renaming and appending inside leave the image bit for bit. */
static void test_image_is_untouched(void **state)
{
    char *before;
    char *after;

    (void)state;
    md(&r, "run", "true", NULL); /* unpacked */
    before = image_digest();
    md(&r, "run", "sh", "-c",
       "rm /bin/ls && mv /etc/passwd /etc/pw && echo z >>/etc/group && mkdir /newdir &&"
       " touch /bin/newfile && chmod 600 /etc/hostname && ls /bin/ls",
       NULL);
    assert_status(&r, 1); /* ls is gone: a whiteout hides it */
    after = image_digest();
    assert_string_equal(before, after);
    free(before);
    free(after);
    md(&r, "run", "sh", "-c", "ls /bin/ls && cat /etc/passwd | head -n 1", NULL);
    assert_status(&r, 0);
    assert_contains(r.out, "root:x:0:0");
}

/* While it runs, merged/ is an overlay mount on the host and the
 * container's writes are files in upper/. */
static void test_upper_receives_the_writes(void **state)
{
    char *mountinfo;
    char cmd[4200];

    (void)state;
    md_spawn(&p, "run", "-stop-timeout", "1", "sh", "-c",
             "echo data >/written; echo ready; sleep 100", NULL);
    proc_wait_for(&p, "ready", 10);
    mountinfo = read_text("/proc/self/mountinfo");
    snprintf(cmd, sizeof(cmd), "%s/containers/", state_root);
    assert_contains(mountinfo, cmd);
    assert_contains(mountinfo, "/merged rw");
    assert_contains(mountinfo, " - overlay overlay ");
    free(mountinfo);
    assert_int_equal(host_sh("[ \"$(cat '%s'/containers/*/upper/written)\" = data ]", state_root),
                     0);
    assert_int_equal(host_sh("[ ! -e '%s/images/busybox/written' ]", state_root), 0);
    kill(p.pid, SIGTERM);
    assert_int_equal(proc_finish(&p, 15), 137);
    assert_no_containers();
}

enum { PARALLEL = 20 };

static void test_parallel_containers_are_isolated(void **state)
{
    static struct proc procs[PARALLEL];
    char scripts[PARALLEL][160];

    (void)state;
    md(&r, "run", "true", NULL);
    for (int i = 0; i < PARALLEL; i++) {
        snprintf(scripts[i], sizeof(scripts[i]),
                 "echo %d >/mine-%d && sleep 1 && ls / | grep -c '^mine-' && cat /mine-%d", i, i,
                 i);
        md_spawn(&procs[i], "run", "sh", "-c", scripts[i], NULL);
    }
    for (int i = 0; i < PARALLEL; i++) {
        char expect[32];

        assert_int_equal(proc_finish(&procs[i], 60), 0);
        snprintf(expect, sizeof(expect), "1\n%d\n", i);
        assert_string_equal(procs[i].out, expect);
    }
    assert_no_containers();
}

/* After a SIGKILL, mydocker's teardown never ran: its mount and dirs stay
 * until the next mydocker command, which removes them first thing. */
static void test_state_of_a_killed_run_is_reaped(void **state)
{
    char *mountinfo;

    (void)state;
    md_spawn(&p, "run", "-pids", "32", "sh", "-c", "echo ready; sleep 100", NULL);
    proc_wait_for(&p, "ready", 10);
    kill(p.pid, SIGKILL);
    assert_int_equal(proc_finish(&p, 10), 137);
    assert_int_equal(host_sh("[ -n \"$(ls -A '%s/containers')\" ]", state_root), 0);
    mountinfo = read_text("/proc/self/mountinfo");
    assert_contains(mountinfo, "/merged rw");
    free(mountinfo);
    md(&r, "run", "true", NULL);
    assert_status(&r, 0);
    assert_contains(r.err, "left by a mydocker that was killed");
    assert_no_containers();
}

/* The first run unpacks; later runs find the image ready. Two first runs
 * at once both work and leave one image, no temp dirs. */
/* The same in a state root whose path holds a space (mountinfo writes it
 * as \040: the reaper must not depend on parsing that). */
static void test_reaping_works_with_a_space_in_the_path(void **state)
{
    const char *root = use_other_root("/tmp/mydocker-itest space.XXXXXX");

    (void)state;
    assert_int_equal(host_sh("mkdir '%s/images' && cp '%s' '%s/images/'", root, busybox_tar, root),
                     0);
    md_spawn(&p, "run", "sh", "-c", "echo ready; sleep 100", NULL);
    proc_wait_for(&p, "ready", 10);
    kill(p.pid, SIGKILL);
    assert_int_equal(proc_finish(&p, 10), 137);
    md(&r, "run", "true", NULL);
    assert_status(&r, 0);
    assert_contains(r.err, "left by a mydocker that was killed");
    assert_int_equal(host_sh("[ -z \"$(ls -A '%s/containers')\" ]", root), 0);
}

static void test_unpack_once_even_when_racing(void **state)
{
    static struct proc a;
    static struct proc b;

    (void)state;
    const char *other_root = use_other_root(NULL);

    assert_int_equal(
        host_sh("mkdir '%s/images' && cp '%s' '%s/images/'", other_root, busybox_tar, other_root),
        0);
    md_spawn(&a, "run", "true", NULL);
    md_spawn(&b, "run", "true", NULL);
    assert_int_equal(proc_finish(&a, 30), 0);
    assert_int_equal(proc_finish(&b, 30), 0);
    assert_contains(a.err, "unpacking image");
    md(&r, "run", "true", NULL);
    assert_status(&r, 0);
    assert_not_contains(r.err, "unpacking image");
    assert_int_equal(
        host_sh("[ \"$(ls -A '%s/images')\" = \"$(printf 'busybox\\nbusybox.tar')\" ]", other_root),
        0);
}

/* A ',' in the state root would split the overlay options: refused, and
 * what was made before the refusal is removed. */
static void test_comma_in_path_is_refused(void **state)
{
    const char *root = use_other_root("/tmp/mydocker-itest,comma.XXXXXX");

    (void)state;
    assert_int_equal(host_sh("mkdir '%s/images' && cp '%s' '%s/images/'", root, busybox_tar, root),
                     0);
    md(&r, "run", "true", NULL);
    assert_status(&r, 125);
    assert_contains(r.err, "which mount options cannot carry");
    assert_int_equal(host_sh("[ -z \"$(ls -A '%s/containers')\" ]", root), 0);
}

const struct itest overlay_tests[] = {
    ITEST("chapter4-overlay", test_writes_are_gone_after_exit),
    ITEST("chapter4-overlay", test_image_is_untouched),
    ITEST("chapter4-overlay", test_upper_receives_the_writes),
    ITEST("chapter4-overlay", test_parallel_containers_are_isolated),
    ITEST("chapter4-overlay", test_state_of_a_killed_run_is_reaped),
    ITEST("chapter4-overlay", test_reaping_works_with_a_space_in_the_path),
    ITEST("chapter4-overlay", test_unpack_once_even_when_racing),
    ITEST("chapter4-overlay", test_comma_in_path_is_refused),
};
const size_t overlay_count = sizeof(overlay_tests) / sizeof(overlay_tests[0]);
