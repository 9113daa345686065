/* Unit tests for chapter3's "run" command line: parse_run_args() (cli.c).
 *
 * Build (the -Dmain=mydocker_main renames mydocker's own main):
 *   cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -I chapter3 -Dmain=mydocker_main \
 *      -o test_cli tests/unit/chapter3/test_cli.c chapter3/main.c chapter3/run.c \
 *      chapter3/container.c chapter3/cgroups.c chapter3/log.c -lcmocka
 */
#undef main /* this file's main is the test runner */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli.h"
#include "mydocker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1) /* minus the NULL */

/* ---- capturing what parse_run_args prints ------------------------------ */

/* Points fd (1 or 2) at a fresh temporary file until capture_end. The
 * assertions run only after capture_end, so a failing one still reports
 * on the real terminal. */
struct capture {
    int fd;
    int saved;
    int file;
};

static void capture_start(struct capture *c, int fd)
{
    char path[] = "/tmp/mydocker-ut-cli-XXXXXX";

    fflush(fd == 1 ? stdout : stderr);
    c->fd = fd;
    c->file = mkstemp(path);
    assert_true(c->file >= 0);
    unlink(path);
    c->saved = dup(fd);
    assert_true(c->saved >= 0);
    assert_true(dup2(c->file, fd) >= 0);
}

static void capture_end(struct capture *c, char *buf, size_t len)
{
    ssize_t n;

    fflush(c->fd == 1 ? stdout : stderr);
    dup2(c->saved, c->fd);
    close(c->saved);
    n = pread(c->file, buf, len - 1, 0);
    close(c->file);
    buf[n > 0 ? n : 0] = '\0';
}

/* Runs parse_run_args with stderr captured into err. */
static int parse(int argc, char **argv, struct run_opts *opts, char *err, size_t errlen)
{
    struct capture c;
    int ret;

    capture_start(&c, 2);
    ret = parse_run_args(argc, argv, opts);
    capture_end(&c, err, errlen);
    return ret;
}

static long host_cpus(void)
{
    return sysconf(_SC_NPROCESSORS_CONF);
}

/* ---- accepted command lines -------------------------------------------- */

static void test_all_flags_book_spelling(void **state)
{
    char *argv[] = {"run",     "-ti", "-m",    "100m", "-cpushare", "512", "-cpus",  "0.5",
                    "-cpuset", "0",   "-pids", "64",   "sh",        "-c",  "echo a", NULL};
    struct run_opts o;
    char err[512];

    (void)state;
    assert_int_equal(parse(ARGC(argv), argv, &o, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    assert_true(o.tty);
    assert_int_equal(o.limits.memory_bytes, 100LL * 1024 * 1024);
    assert_int_equal(o.limits.cpu_shares, 512);
    assert_int_equal(o.limits.cpu_quota_us, 50000);
    assert_string_equal(o.limits.cpuset, "0");
    assert_int_equal(o.limits.pids, 64);
    assert_int_equal(o.stop_timeout, DEFAULT_STOP_TIMEOUT);
    /* The command and its own flags are kept verbatim: the very same array. */
    assert_ptr_equal(o.argv, &argv[12]);
    assert_string_equal(o.argv[0], "sh");
    assert_string_equal(o.argv[1], "-c");
    assert_string_equal(o.argv[2], "echo a");
    assert_null(o.argv[3]);
}

static void test_command_only_defaults(void **state)
{
    char *argv[] = {"run", "sh", NULL};
    struct run_opts o;
    char err[512];

    (void)state;
    memset(&o, 0xa5, sizeof(o)); /* garbage in: everything must be reset */
    assert_int_equal(parse(ARGC(argv), argv, &o, err, sizeof(err)), 0);
    assert_false(o.tty);
    assert_int_equal(o.limits.memory_bytes, 0);
    assert_int_equal(o.limits.cpu_shares, 0);
    assert_int_equal(o.limits.cpu_quota_us, 0);
    assert_string_equal(o.limits.cpuset, "");
    assert_int_equal(o.limits.pids, 0);
    assert_int_equal(o.stop_timeout, 10);
    assert_int_equal(DEFAULT_STOP_TIMEOUT, 10);
    assert_ptr_equal(o.argv, &argv[1]);
    assert_null(o.argv[1]);
}

static void test_double_dash_spellings(void **state)
{
    char *argv[] = {"run", "--memory",      "100m", "--cpu-shares", "1024", "--cpus",
                    "1",   "--cpuset-cpus", "0-1",  "--pids-limit", "10",   "--stop-timeout",
                    "5",   "top",           NULL};
    struct run_opts o;
    char err[512];

    (void)state;
    if (host_cpus() < 2)
        skip();
    assert_int_equal(parse(ARGC(argv), argv, &o, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    assert_false(o.tty);
    assert_int_equal(o.limits.memory_bytes, 104857600);
    assert_int_equal(o.limits.cpu_shares, 1024);
    assert_int_equal(o.limits.cpu_quota_us, 100000);
    assert_string_equal(o.limits.cpuset, "0-1");
    assert_int_equal(o.limits.pids, 10);
    assert_int_equal(o.stop_timeout, 5);
    assert_string_equal(o.argv[0], "top");
    assert_null(o.argv[1]);
}

static void test_double_dash_equals_and_single_dash_long(void **state)
{
    char *argv[] = {"run", "--memory=1g", "-cpu-shares=2", "--pids=7", "--ti", "true", NULL};
    struct run_opts o;
    char err[512];

    (void)state;
    assert_int_equal(parse(ARGC(argv), argv, &o, err, sizeof(err)), 0);
    assert_int_equal(o.limits.memory_bytes, 1LL << 30);
    assert_int_equal(o.limits.cpu_shares, 2);
    assert_int_equal(o.limits.pids, 7);
    assert_true(o.tty);
    assert_string_equal(o.argv[0], "true");
}

static void test_it_spelling(void **state)
{
    char *argv[] = {"run", "-it", "sh", NULL};
    struct run_opts o;
    char err[512];

    (void)state;
    assert_int_equal(parse(ARGC(argv), argv, &o, err, sizeof(err)), 0);
    assert_true(o.tty);
    assert_string_equal(o.argv[0], "sh");
}

static void test_stop_timeout(void **state)
{
    char *three[] = {"run", "-stop-timeout", "3", "sleep", "9", NULL};
    char *zero[] = {"run", "-stop-timeout", "0", "sh", NULL};
    char *max[] = {"run", "-stop-timeout", "3600", "sh", NULL};
    struct run_opts o;
    char err[512];

    (void)state;
    assert_int_equal(parse(ARGC(three), three, &o, err, sizeof(err)), 0);
    assert_int_equal(o.stop_timeout, 3);
    assert_string_equal(o.argv[0], "sleep");
    assert_string_equal(o.argv[1], "9");
    assert_int_equal(parse(ARGC(zero), zero, &o, err, sizeof(err)), 0);
    assert_int_equal(o.stop_timeout, 0);
    assert_int_equal(parse(ARGC(max), max, &o, err, sizeof(err)), 0);
    assert_int_equal(o.stop_timeout, 3600);
}

static void test_bad_stop_timeout(void **state)
{
    static const char *const bad[] = {"abc", "-1", "3601", "3s", ""};
    struct run_opts o;
    char err[512];
    char want[256];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *argv[] = {"run", "-stop-timeout", (char *)bad[i], "sh", NULL};

        assert_int_equal(parse(ARGC(argv), argv, &o, err, sizeof(err)), -1);
        snprintf(want, sizeof(want),
                 "mydocker: invalid stop timeout '%s': use seconds from 0 to 3600\n", bad[i]);
        assert_string_equal(err, want);
    }
}

/* "+" in the optstring: parsing stops at the command, so the command's own
 * flags are not mydocker's. */
static void test_flags_after_command_are_the_commands(void **state)
{
    char *argv[] = {"run", "ls", "-m", "5", "-ti", NULL};
    struct run_opts o;
    char err[512];

    (void)state;
    assert_int_equal(parse(ARGC(argv), argv, &o, err, sizeof(err)), 0);
    assert_false(o.tty);
    assert_int_equal(o.limits.memory_bytes, 0);
    assert_ptr_equal(o.argv, &argv[1]);
    assert_string_equal(o.argv[1], "-m");
    assert_string_equal(o.argv[2], "5");
    assert_string_equal(o.argv[3], "-ti");
    assert_null(o.argv[4]);
}

static void test_double_dash_ends_flags(void **state)
{
    char *argv[] = {"run", "-ti", "--", "-weird-command", "x", NULL};
    struct run_opts o;
    char err[512];

    (void)state;
    assert_int_equal(parse(ARGC(argv), argv, &o, err, sizeof(err)), 0);
    assert_true(o.tty);
    assert_string_equal(o.argv[0], "-weird-command");
    assert_string_equal(o.argv[1], "x");
}

static void test_last_value_wins(void **state)
{
    char *argv[] = {"run", "-m", "1k", "-m", "2k", "sh", NULL};
    struct run_opts o;
    char err[512];

    (void)state;
    assert_int_equal(parse(ARGC(argv), argv, &o, err, sizeof(err)), 0);
    assert_int_equal(o.limits.memory_bytes, 2048);
}

/* ---- help and errors --------------------------------------------------- */

static void test_help(void **state)
{
    static const char *const spellings[] = {"--help", "-help", "-h"};
    struct run_opts o;
    struct capture c;
    char out[4096];
    char err[512];

    (void)state;
    for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
        char *argv[] = {"run", (char *)spellings[i], "sh", NULL};
        int ret;

        capture_start(&c, 1);
        ret = parse(ARGC(argv), argv, &o, err, sizeof(err));
        capture_end(&c, out, sizeof(out));
        assert_int_equal(ret, 1);
        assert_string_equal(err, "");
        assert_true(strncmp(out, "Usage: mydocker run [FLAGS] COMMAND [ARG...]\n", 45) == 0);
        assert_non_null(strstr(out, "-cpushare N"));
    }
}

static void test_missing_command(void **state)
{
    char *none[] = {"run", NULL};
    char *flags_only[] = {"run", "-ti", "-m", "1m", NULL};
    char *dashdash[] = {"run", "--", NULL};
    static const char want[] =
        "mydocker: run needs a command, e.g. mydocker run -ti sh (see mydocker run -help)\n";
    struct run_opts o;
    char err[512];

    (void)state;
    assert_int_equal(parse(ARGC(none), none, &o, err, sizeof(err)), -1);
    assert_string_equal(err, want);
    assert_int_equal(parse(ARGC(flags_only), flags_only, &o, err, sizeof(err)), -1);
    assert_string_equal(err, want);
    assert_int_equal(parse(ARGC(dashdash), dashdash, &o, err, sizeof(err)), -1);
    assert_string_equal(err, want);
}

static void test_unknown_flag(void **state)
{
    char *argv[] = {"run", "-x", "sh", NULL};
    char *dd[] = {"run", "--no-such-flag", "sh", NULL};
    struct run_opts o;
    char err[512];

    (void)state;
    assert_int_equal(parse(ARGC(argv), argv, &o, err, sizeof(err)), -1);
    assert_string_equal(err, "mydocker: unknown flag -x (see mydocker run -help)\n");
    assert_int_equal(parse(ARGC(dd), dd, &o, err, sizeof(err)), -1);
    assert_string_equal(err, "mydocker: unknown flag --no-such-flag (see mydocker run -help)\n");
}

static void test_missing_value(void **state)
{
    char *m[] = {"run", "-m", NULL};
    char *memory[] = {"run", "--memory", NULL};
    char *timeout[] = {"run", "-stop-timeout", NULL};
    struct run_opts o;
    char err[512];

    (void)state;
    assert_int_equal(parse(ARGC(m), m, &o, err, sizeof(err)), -1);
    /* The message names the flag and says what is missing. */
    assert_true(strncmp(err, "mydocker: ", 10) == 0);
    assert_non_null(strstr(err, "needs a value"));
    assert_non_null(strstr(err, " -m "));
    assert_int_equal(parse(ARGC(memory), memory, &o, err, sizeof(err)), -1);
    assert_non_null(strstr(err, " --memory "));
    assert_int_equal(parse(ARGC(timeout), timeout, &o, err, sizeof(err)), -1);
    assert_non_null(strstr(err, " -stop-timeout "));
}

static void check_bad_value(const char *flag, const char *value, const char *want)
{
    char *argv[] = {"run", (char *)flag, (char *)value, "sh", NULL};
    struct run_opts o;
    char err[512];

    assert_int_equal(parse(ARGC(argv), argv, &o, err, sizeof(err)), -1);
    assert_string_equal(err, want);
}

static void test_bad_memory(void **state)
{
    (void)state;
    check_bad_value("-m", "12x",
                    "mydocker: invalid size '12x': use a number with k, m or g, like 100m\n");
    check_bad_value("-m", "-1",
                    "mydocker: invalid size '-1': use a number with k, m or g, like 100m\n");
    check_bad_value("-m", "0", "mydocker: invalid size '0': must be more than 0\n");
    check_bad_value("--memory", "0m", "mydocker: invalid size '0m': must be more than 0\n");
}

static void test_bad_cpushare(void **state)
{
    (void)state;
    check_bad_value("-cpushare", "abc",
                    "mydocker: invalid cpu shares 'abc': use a number from 2 to 262144\n");
    check_bad_value("-cpushare", "1",
                    "mydocker: invalid cpu shares '1': use a number from 2 to 262144\n");
    check_bad_value("--cpu-shares", "262145",
                    "mydocker: invalid cpu shares '262145': use a number from 2 to 262144\n");
}

static void test_bad_cpuset(void **state)
{
    long ncpus = host_cpus();
    char want[256];

    (void)state;
    if (ncpus > 99)
        skip();
    snprintf(want, sizeof(want), "mydocker: invalid cpuset '99': this host has CPUs 0 to %ld\n",
             ncpus - 1);
    check_bad_value("-cpuset", "99", want);
    check_bad_value("-cpuset", "0-", "mydocker: invalid cpuset '0-': use a list like 0-1,3\n");
}

static void test_bad_pids(void **state)
{
    (void)state;
    check_bad_value("-pids", "0",
                    "mydocker: invalid pids limit '0': use a number from 1 to 4194304\n");
    check_bad_value("-pids", "many",
                    "mydocker: invalid pids limit 'many': use a number from 1 to 4194304\n");
}

static void test_bad_cpus(void **state)
{
    long ncpus = host_cpus();
    char want[256];

    (void)state;
    snprintf(want, sizeof(want),
             "mydocker: invalid cpus '0': must be from 0.01 to %ld (the CPUs this host has)\n",
             ncpus);
    check_bad_value("-cpus", "0", want);
    if (ncpus >= 99)
        skip();
    snprintf(want, sizeof(want),
             "mydocker: invalid cpus '99': must be from 0.01 to %ld (the CPUs this host has)\n",
             ncpus);
    check_bad_value("-cpus", "99", want);
    check_bad_value("-cpus", "half", "mydocker: invalid cpus 'half': use a number like 0.5\n");
}

static void test_bad_log_level(void **state)
{
    (void)state;
    check_bad_value("-log-level", "loud",
                    "mydocker: invalid log level 'loud': use debug, info, warn or error\n");
}

/* A failure must not poison the next call: getopt is reset each time. */
static void test_repeated_calls(void **state)
{
    char *bad[] = {"run", "-ti", "-m", "oops", "sh", NULL};
    char *good[] = {"run", "-pids", "3", "sh", NULL};
    struct run_opts o;
    char err[512];

    (void)state;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(parse(ARGC(bad), bad, &o, err, sizeof(err)), -1);
        assert_int_equal(parse(ARGC(good), good, &o, err, sizeof(err)), 0);
        assert_false(o.tty);
        assert_int_equal(o.limits.memory_bytes, 0);
        assert_int_equal(o.limits.pids, 3);
        assert_ptr_equal(o.argv, &good[3]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_flags_book_spelling),
        cmocka_unit_test(test_command_only_defaults),
        cmocka_unit_test(test_double_dash_spellings),
        cmocka_unit_test(test_double_dash_equals_and_single_dash_long),
        cmocka_unit_test(test_it_spelling),
        cmocka_unit_test(test_stop_timeout),
        cmocka_unit_test(test_bad_stop_timeout),
        cmocka_unit_test(test_flags_after_command_are_the_commands),
        cmocka_unit_test(test_double_dash_ends_flags),
        cmocka_unit_test(test_last_value_wins),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_missing_command),
        cmocka_unit_test(test_unknown_flag),
        cmocka_unit_test(test_missing_value),
        cmocka_unit_test(test_bad_memory),
        cmocka_unit_test(test_bad_cpushare),
        cmocka_unit_test(test_bad_cpuset),
        cmocka_unit_test(test_bad_pids),
        cmocka_unit_test(test_bad_cpus),
        cmocka_unit_test(test_bad_log_level),
        cmocka_unit_test(test_repeated_calls),
    };

    return cmocka_run_group_tests_name("chapter3 unit: cli", tests, NULL, NULL);
}
