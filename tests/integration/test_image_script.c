/* scripts/busybox-image.sh: the tarball it writes, and how it fails. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/mydocker-script.XXXXXX";
static char tar_path[256];
static char script[4096];

static int script_setup(void **state)
{
    if (leak_setup(state) < 0)
        return -1;
    snprintf(dir, sizeof(dir), "/tmp/mydocker-script.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(tar_path, sizeof(tar_path), "%s/busybox.tar", dir);
    snprintf(script, sizeof(script), "%s/scripts/busybox-image.sh", repo_dir);
    return 0;
}

static int script_teardown(void **state)
{
    int ret = rm_rf(dir);

    return leak_teardown(state) | ret;
}

#define STEST(fn)                                                                                  \
    {                                                                                              \
        "scripts", cmocka_unit_test_setup_teardown(fn, script_setup, script_teardown)              \
    }

/* Runs the script with `env` (VAR=value words) and `args`; output in dir/log. */
static int script_run(const char *env, const char *args)
{
    return host_sh("env %s '%s' %s >'%s/log' 2>&1", env, script, args, dir);
}

static char *script_log(void)
{
    char path[300];

    snprintf(path, sizeof(path), "%s/log", dir);
    return read_text(path);
}

static void test_tarball_has_the_root_filesystem(void **state)
{
    char cmd[600];
    char *listing;

    (void)state;
    assert_int_equal(script_run("", tar_path), 0);
    snprintf(cmd, sizeof(cmd), "tar -tvf '%s' >'%s/list'", tar_path, dir);
    assert_int_equal(host_sh("%s", cmd), 0);
    snprintf(cmd, sizeof(cmd), "%s/list", dir);
    listing = read_text(cmd);
    assert_non_null(listing);
    assert_contains(listing, "-rwxr-xr-x 0/0");
    assert_contains(listing, " ./bin/busybox\n");
    assert_contains(listing, " ./bin/sh -> busybox\n");
    assert_contains(listing, " ./etc/passwd\n");
    assert_contains(listing, " ./proc/\n");
    assert_contains(listing, "drwxrwxrwt 0/0");
    assert_contains(listing, " ./tmp/\n");
    /* Every entry relative to the root, owned by 0:0. */
    for (char *line = strtok(listing, "\n"); line; line = strtok(NULL, "\n")) {
        assert_non_null(strstr(line, " 0/0 "));
        assert_non_null(strstr(line, " ./"));
    }
    free(listing);
}

static void test_default_output_is_in_the_state_root(void **state)
{
    char env[300];
    char path[300];

    (void)state;
    snprintf(env, sizeof(env), "MYDOCKER_ROOT='%s'", dir);
    assert_int_equal(script_run(env, ""), 0);
    snprintf(path, sizeof(path), "%s/images/busybox.tar", dir);
    assert_true(path_exists(path));
}

/* A state root the script creates, and its images/, are for root only:
 * images will hold setuid-root files. */
static void test_new_state_root_is_root_only(void **state)
{
    char env[300];

    (void)state;
    snprintf(env, sizeof(env), "MYDOCKER_ROOT='%s/state'", dir);
    assert_int_equal(script_run(env, ""), 0);
    assert_int_equal(
        host_sh("cd '%s/state' && [ \"$(stat -c %%a . images)\" = \"$(printf '700\\n700')\" ]",
                dir),
        0);
}

static void test_second_run_is_a_no_op(void **state)
{
    struct stat a;
    struct stat b;
    char *log;

    (void)state;
    assert_int_equal(script_run("", tar_path), 0);
    assert_int_equal(stat(tar_path, &a), 0);
    assert_int_equal(script_run("", tar_path), 0);
    assert_int_equal(stat(tar_path, &b), 0);
    assert_int_equal(a.st_ino, b.st_ino);
    assert_int_equal(a.st_mtim.tv_nsec, b.st_mtim.tv_nsec);
    log = script_log();
    assert_contains(log, "already exists (use -f to rebuild)");
    free(log);
}

static void test_force_rebuilds(void **state)
{
    struct stat a;
    struct stat b;
    char args[300];

    (void)state;
    assert_int_equal(script_run("", tar_path), 0);
    assert_int_equal(stat(tar_path, &a), 0);
    snprintf(args, sizeof(args), "-f '%s'", tar_path);
    assert_int_equal(script_run("", args), 0);
    assert_int_equal(stat(tar_path, &b), 0);
    assert_int_not_equal(a.st_ino, b.st_ino);
}

/* Only the log may be left in dir: no tarball, no temp file. */
static void assert_only_log(void)
{
    char cmd[400];

    snprintf(cmd, sizeof(cmd), "[ \"$(ls -A '%s')\" = log ]", dir);
    assert_int_equal(host_sh("%s", cmd), 0);
}

static void test_bad_busybox_variable_fails_cleanly(void **state)
{
    char *log;

    (void)state;
    assert_int_equal(script_run("BUSYBOX=/nonexistent", tar_path), 1);
    log = script_log();
    assert_contains(log, "BUSYBOX=/nonexistent is not an executable file");
    free(log);
    assert_only_log();
}

/* No docker, no busybox, no apt-get: a PATH holding every other tool, and
 * /bin/busybox hidden in a private mount namespace. */
static void test_no_way_fails_with_one_sentence(void **state)
{
    char *log;

    (void)state;
    assert_int_equal(
        host_sh("mkdir '%s/bin' && for f in /usr/bin/* /usr/sbin/*; do "
                "case ${f##*/} in busybox|apt-get|apt|docker|dpkg-deb) continue;; esac; "
                "ln -sf \"$f\" '%s/bin/'; done",
                dir, dir),
        0);
    assert_int_equal(host_sh("unshare -m sh -c \"mount --bind /dev/null /bin/busybox 2>/dev/null; "
                             "PATH='%s/bin' '%s' '%s/out.tar'\" >'%s/log' 2>&1",
                             dir, script, dir, dir),
                     1);
    log = script_log();
    assert_contains(log, "no way to get busybox: install busybox-static");
    free(log);
    assert_int_equal(host_sh("rm -rf '%s/bin'", dir), 0);
    assert_only_log();
}

const struct itest script_tests[] = {
    STEST(test_tarball_has_the_root_filesystem),
    STEST(test_default_output_is_in_the_state_root),
    STEST(test_new_state_root_is_root_only),
    STEST(test_second_run_is_a_no_op),
    STEST(test_force_rebuilds),
    STEST(test_bad_busybox_variable_fails_cleanly),
    STEST(test_no_way_fails_with_one_sentence),
};
const size_t script_count = sizeof(script_tests) / sizeof(script_tests[0]);
