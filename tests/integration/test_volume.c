/* chapter4-volume: -v HOST:CONTAINER[:ro] bind mounts that outlive the
 * container, mounted in its namespace only, resolved inside its root. */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static struct result r;
static struct proc p;
static char tmp[] = "/tmp/mydocker-itest-vol.XXXXXX";
static char spec[8][4200];

static int vol_setup(void **state)
{
    snprintf(tmp, sizeof(tmp), "/tmp/mydocker-itest-vol.XXXXXX");
    if (!mkdtemp(tmp))
        return -1;
    return leak_setup(state);
}

static int vol_teardown(void **state)
{
    int ret = leak_teardown(state);

    return ret | rm_rf(tmp);
}

#define VTEST(fn)                                                                                  \
    {                                                                                              \
        "chapter4-volume", cmocka_unit_test_setup_teardown(fn, vol_setup, vol_teardown)            \
    }

static const char *vspec(int i, const char *host, const char *rest)
{
    snprintf(spec[i], sizeof(spec[i]), "%s/%s:%s", tmp, host, rest);
    return spec[i];
}

static void test_data_outlives_the_container(void **state)
{
    char path[4200];
    char *text;

    (void)state;
    md(&r, "run", "-v", vspec(0, "vol", "/data"), "sh", "-c", "echo kept >/data/file", NULL);
    assert_status(&r, 0);
    snprintf(path, sizeof(path), "%s/vol/file", tmp);
    text = read_text(path);
    assert_non_null(text);
    assert_string_equal(text, "kept\n");
    free(text);
    md(&r, "run", "-v", vspec(0, "vol", "/data"), "cat", "/data/file", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "kept\n");
    md(&r, "run", "-v", vspec(0, "vol", "/data:ro"), "sh", "-c",
       "cat /data/file; echo changed >/data/file", NULL);
    assert_status(&r, 1);
    assert_string_equal(r.out, "kept\n");
    assert_contains(r.err, "Read-only file system");
    text = read_text(path);
    assert_string_equal(text, "kept\n");
    free(text);
}

/* Linux before 5.12 (Debian 11's 5.10) has no mount_setattr, and ':ro'
 * cannot be made without it: the run is refused in one sentence that
 * names the kernel, and a volume without ':ro' still works. The old
 * kernel is played by a seccomp filter that fails that one call. */
static void test_ro_needs_mount_setattr(void **state)
{
    char wrapper[4200];

    (void)state;
    snprintf(wrapper, sizeof(wrapper), "%s/no_mount_setattr", tmp);
    assert_int_equal(host_sh("cc -O1 -o '%s' '%s/tests/integration/helpers/no_mount_setattr.c'",
                             wrapper, repo_dir),
                     0);
    run_argv(&r,
             (char *const[]){wrapper, mydocker_bin, "-log-level", "error", "run", "-v",
                             (char *)vspec(0, "vol", "/data:ro"), "true", NULL},
             30);
    assert_status(&r, 125);
    assert_contains(r.err, ":ro' needs Linux 5.12 or later (mount_setattr), and this kernel is ");
    run_argv(&r,
             (char *const[]){wrapper, mydocker_bin, "-log-level", "error", "run", "-v",
                             (char *)vspec(0, "vol", "/data"), "sh", "-c", "echo rw >/data/f",
                             NULL},
             30);
    assert_status(&r, 0);
}

/* A missing host dir is made (0755); a nested container path is made in
 * the upper layer, never in the image. */
static void test_missing_directories_are_created(void **state)
{
    char path[4200];
    struct stat st;

    (void)state;
    md(&r, "run", "-v", vspec(0, "new/deeper", "/a/b/c"), "sh", "-c", "echo x >/a/b/c/f", NULL);
    assert_status(&r, 0);
    snprintf(path, sizeof(path), "%s/new/deeper/f", tmp);
    assert_true(path_exists(path));
    snprintf(path, sizeof(path), "%s/new/deeper", tmp);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0755);
    snprintf(path, sizeof(path), "%s/images/busybox/a", state_root);
    assert_false(path_exists(path));
}

static void test_bad_specs_are_refused_before_anything(void **state)
{
    static const char *const rests[] = {
        "",      "/a:",     "relative", "/a:/b:rx", "/a:/b:ro:x", "/",
        "/proc", "/proc/x", "/sys/fs",  "/dev",     "/dev/shm",   "/../",
    };
    char bad[4200];

    (void)state;
    for (size_t i = 0; i < sizeof(rests) / sizeof(rests[0]); i++) {
        snprintf(bad, sizeof(bad), "%s/h%zu%s%s", tmp, i, rests[i][0] == '/' ? ":" : "", rests[i]);
        if (i == 1)
            snprintf(bad, sizeof(bad), "%s/h%zu:", tmp, i);
        md(&r, "run", "-v", bad, "true", NULL);
        assert_status(&r, 125);
        assert_contains(r.err, "invalid volume");
    }
    md(&r, "run", "-v", ":/b", "true", NULL);
    assert_status(&r, 125);
    md(&r, "run", "-v", "relative:/b", "true", NULL);
    assert_status(&r, 125);
    md(&r, "run", "-v", vspec(0, "d1", "/same"), "-v", vspec(1, "d2", "//same/"), "true", NULL);
    assert_status(&r, 125);
    assert_contains(r.err, "two volumes on /same");
    /* Nothing was made on the host. */
    assert_int_equal(host_sh("[ -z \"$(ls -A '%s')\" ]", tmp), 0);
}

/* A run that fails for lack of an image makes no host directory. */
static void test_missing_image_makes_no_host_dir(void **state)
{
    char path[4200];

    (void)state;
    use_other_root(NULL); /* empty: no image */
    md(&r, "run", "-v", vspec(0, "never", "/data"), "true", NULL);
    assert_status(&r, 125);
    assert_contains(r.err, "busybox.tar");
    snprintf(path, sizeof(path), "%s/never", tmp);
    assert_false(path_exists(path));
}

/* The image's symlinks are followed as the container sees them: /data ->
 * /etc means the container's /etc, and ".." cannot climb out. */
static void test_paths_resolve_inside_the_container(void **state)
{
    char root[4200];
    char *host_etc_before = NULL;

    (void)state;
    snprintf(root, sizeof(root), "%s/root", tmp);
    assert_int_equal(
        host_sh("set -e; mkdir -p '%s/images' '%s/t'; tar -xf '%s' -C '%s/t';"
                " ln -s /etc '%s/t/data'; ln -s ../../../../.. '%s/t/up';"
                " ln -s /proc '%s/t/pdata'; ln -s / '%s/t/rootlink'; ln -s ../sys/fs '%s/t/sfs';"
                " tar -C '%s/t' -cf '%s/images/busybox.tar' .; rm -rf '%s/t'",
                root, root, busybox_tar, root, root, root, root, root, root, root, root, root),
        0);
    assert_int_equal(host_sh("mkdir '%s/v' && echo from-volume >'%s/v/marker'", tmp, tmp), 0);

    host_etc_before = read_text("/etc/hostname");
    setenv("MYDOCKER_ROOT", root, 1);
    /* Symlinks that lead where no volume may go are refused. */
    md(&r, "run", "-v", vspec(0, "v", "/pdata"), "true", NULL);
    assert_status(&r, 125);
    assert_contains(r.err, "volume /pdata: resolves to /proc in the container");
    md(&r, "run", "-v", vspec(0, "v", "/rootlink"), "true", NULL);
    assert_status(&r, 125);
    assert_contains(r.err, "resolves to / in the container");
    md(&r, "run", "-v", vspec(0, "v", "/sfs/x"), "true", NULL);
    assert_status(&r, 125);
    md(&r, "run", "-v", vspec(0, "v", "/data"), "cat", "/etc/marker", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "from-volume\n");
    md(&r, "run", "-v", vspec(0, "v", "/up/tmp/x"), "cat", "/tmp/x/marker", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "from-volume\n");
    md(&r, "run", "-v", vspec(0, "v", "/../../tmp/y"), "cat", "/tmp/y/marker", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "from-volume\n");
    assert_false(path_exists("/etc/marker"));
    assert_false(path_exists("/tmp/x/marker"));
    {
        char *host_etc_after = read_text("/etc/hostname");

        assert_string_equal(host_etc_before, host_etc_after);
        free(host_etc_after);
    }
    free(host_etc_before);
}

/* The host never sees a volume mount; a SIGKILLed run leaves the data. */
static void test_host_never_sees_the_mount(void **state)
{
    char *mountinfo;
    char needle[4200];
    char path[4200];

    (void)state;
    md_spawn(&p, "run", "-v", vspec(0, "v", "/data"), "sh", "-c",
             "echo safe >/data/f; echo ready; sleep 100", NULL);
    proc_wait_for(&p, "ready", 10);
    mountinfo = read_text("/proc/self/mountinfo");
    snprintf(needle, sizeof(needle), "%s/v", tmp);
    assert_not_contains(mountinfo, needle);
    assert_not_contains(mountinfo, "/merged/data");
    free(mountinfo);
    kill(p.pid, SIGKILL);
    assert_int_equal(proc_finish(&p, 10), 137);
    md(&r, "run", "true", NULL); /* reaps the killed run's state */
    assert_status(&r, 0);
    snprintf(path, sizeof(path), "%s/v/f", tmp);
    mountinfo = read_text(path);
    assert_string_equal(mountinfo, "safe\n");
    free(mountinfo);
}

/* Sixteen at once, one of them over the image's /etc: hidden while
 * mounted, intact after. */
static void test_many_volumes_and_hiding(void **state)
{
    char *argv_specs[16];
    char buf[16][4200];
    char path[4200];
    char *etc;

    (void)state;
    for (int i = 0; i < 16; i++) {
        char host[32];
        char ctr[32];

        snprintf(host, sizeof(host), "v%d", i);
        snprintf(ctr, sizeof(ctr), i == 0 ? "/etc" : "/vol/%d", i);
        snprintf(buf[i], sizeof(buf[i]), "%s/%s:%s", tmp, host, ctr);
        argv_specs[i] = buf[i];
    }
    md(&r, "run", "-v", argv_specs[0], "-v", argv_specs[1], "-v", argv_specs[2], "-v",
       argv_specs[3], "-v", argv_specs[4], "-v", argv_specs[5], "-v", argv_specs[6], "-v",
       argv_specs[7], "-v", argv_specs[8], "-v", argv_specs[9], "-v", argv_specs[10], "-v",
       argv_specs[11], "-v", argv_specs[12], "-v", argv_specs[13], "-v", argv_specs[14], "-v",
       argv_specs[15], "sh", "-c", "ls /etc | wc -l; ls /vol | wc -l; mount | grep -c ' /vol/'",
       NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "0\n15\n15\n");
    snprintf(path, sizeof(path), "%s/images/busybox/etc/passwd", state_root);
    etc = read_text(path);
    assert_non_null(etc);
    assert_contains(etc, "root:x:0:0");
    free(etc);
}

static void test_at_most_32_volumes(void **state)
{
    char *argv[80];
    char buf[33][64];
    int n = 0;

    (void)state;
    argv[n++] = mydocker_bin;
    argv[n++] = "run";
    for (int i = 0; i < 33; i++) {
        snprintf(buf[i], sizeof(buf[i]), "%s/v:/v%d", tmp, i);
        argv[n++] = "-v";
        argv[n++] = buf[i];
    }
    argv[n++] = "true";
    argv[n] = NULL;
    run_argv(&r, argv, 30);
    assert_status(&r, 125);
    assert_contains(r.err, "at most 32 volumes");
    argv[n - 3] = "true";
    argv[n - 2] = NULL;
    run_argv(&r, argv, 30);
    assert_status(&r, 0);
}

const struct itest volume_tests[] = {
    VTEST(test_data_outlives_the_container),
    VTEST(test_missing_directories_are_created),
    VTEST(test_ro_needs_mount_setattr),
    VTEST(test_bad_specs_are_refused_before_anything),
    VTEST(test_missing_image_makes_no_host_dir),
    VTEST(test_paths_resolve_inside_the_container),
    VTEST(test_host_never_sees_the_mount),
    VTEST(test_many_volumes_and_hiding),
    VTEST(test_at_most_32_volumes),
};
const size_t volume_count = sizeof(volume_tests) / sizeof(volume_tests[0]);
