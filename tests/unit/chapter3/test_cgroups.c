/* Unit tests for chapter3's cgroups.h: the flag parsers, the layout found in
 * a mountinfo text, and cgroup_create/add/destroy against a fake cgroupfs
 * built in a temporary directory. Nothing here touches /sys/fs/cgroup, and
 * nothing needs root. */
#undef main /* this file's main is the test runner */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cgroups.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ID "0123456789ab"

/* ---- capturing stderr -------------------------------------------------- */

struct capture {
    int saved;
    int file;
};

/* What the container's child does: open the join files, write "0". */
static int join_here(const struct cgroup *cg)
{
    int fds[CG_MAX_DIRS];
    int n = cgroup_open_join(cg, fds);
    int ret;

    if (n < 0)
        return -1;
    ret = cgroup_join(fds, n);
    for (int i = 0; i < n; i++)
        close(fds[i]);
    return ret;
}

static void capture_start(struct capture *c)
{
    char path[] = "/tmp/mydocker-ut-cg-err-XXXXXX";

    fflush(stderr);
    c->file = mkstemp(path);
    assert_true(c->file >= 0);
    unlink(path);
    c->saved = dup(STDERR_FILENO);
    assert_true(c->saved >= 0);
    assert_true(dup2(c->file, STDERR_FILENO) >= 0);
}

static void capture_end(struct capture *c, char *buf, size_t len)
{
    ssize_t n;

    fflush(stderr);
    dup2(c->saved, STDERR_FILENO);
    close(c->saved);
    n = pread(c->file, buf, len - 1, 0);
    close(c->file);
    buf[n > 0 ? n : 0] = '\0';
}

/* ---- a temporary directory per test ------------------------------------ */

struct fx {
    char dir[PATH_MAX];
};

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/mydocker-ut-cg-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;

    nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* "<tempdir>/<rel>", from a small ring so several fit in one call. */
static const char *P(void **state, const char *rel)
{
    static char ring[8][PATH_MAX];
    static int next;
    struct fx *f = *state;
    char *buf = ring[next++ % 8];

    snprintf(buf, PATH_MAX, "%s/%s", f->dir, rel);
    return buf;
}

static void mk(const char *path)
{
    if (mkdir(path, 0755) < 0)
        fail_msg("mkdir %s: %s", path, strerror(errno));
}

static void put(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");

    if (!fp)
        fail_msg("create %s: %s", path, strerror(errno));
    fputs(text, fp);
    fclose(fp);
}

static bool exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

static bool is_dir(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The file must exist and hold exactly want. */
static void expect_file(const char *path, const char *want)
{
    char buf[4096];
    int fd = open(path, O_RDONLY);
    ssize_t n;

    if (fd < 0)
        fail_msg("expected file %s: %s", path, strerror(errno));
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    assert_true(n >= 0);
    buf[n] = '\0';
    if (strcmp(buf, want) != 0)
        fail_msg("%s holds \"%s\", expected \"%s\"", path, buf, want);
}

static void expect_absent(const char *path)
{
    if (exists(path))
        fail_msg("%s should not exist", path);
}

/* Entries of a directory other than . and .. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (!d)
        fail_msg("opendir %s: %s", dir, strerror(errno));
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* A real cgroupfs lets rmdir remove a cgroup with its control files in it;
 * the fake one needs them gone first. */
static void clear_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[PATH_MAX + 256];

    if (!d)
        fail_msg("opendir %s: %s", dir, strerror(errno));
    while ((e = readdir(d))) {
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (!is_dir(path))
            unlink(path);
    }
    closedir(d);
}

/* A v1 hierarchy root in the temp dir, with what cpuset needs. */
static void make_cpuset_root(const char *root)
{
    char path[PATH_MAX + 32];

    mk(root);
    snprintf(path, sizeof(path), "%s/cpuset.cpus", root);
    put(path, "0-1\n");
    snprintf(path, sizeof(path), "%s/cpuset.mems", root);
    put(path, "0\n");
}

static void set_path(char *dst, const char *src)
{
    snprintf(dst, PATH_MAX, "%s", src);
}

/* ---- limits_parse_size ------------------------------------------------- */

static void test_parse_size_ok(void **state)
{
    static const struct {
        const char *text;
        long long bytes;
    } good[] = {
        {"1", 1},
        {"4096", 4096},
        {"1k", 1024},
        {"1K", 1024},
        {"100m", 104857600},
        {"100M", 104857600},
        {"2g", 2147483648LL},
        {"3G", 3221225472LL},
        {"007m", 7340032},
        {"0000000000000000000000000000001", 1}, /* 31 characters */
        {"9223372036854775807", LLONG_MAX},
        {"9007199254740991k", 9223372036854774784LL},
        {"8796093022207m", 9223372036853727232LL},
        {"8589934591g", 9223372035781033984LL},
    };
    char err[256];

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        long long bytes = -7;

        err[0] = '\0';
        if (limits_parse_size(good[i].text, &bytes, err, sizeof(err)) != 0)
            fail_msg("'%s' refused: %s", good[i].text, err);
        assert_int_equal(bytes, good[i].bytes);
    }
}

static void test_parse_size_bad(void **state)
{
    static const char *const bad[] = {
        "12x",
        "-1",
        "",
        "m",
        "k1",
        "1.5g",
        " 1",
        "1 ",
        "+1",
        "100mm",
        "1b",
        "1kb",
        "0x10",
        "1e6",
        "9223372036854775808",
        "8589934592g",
        "8796093022208m",
        "9007199254740992k",
        "00000000000000000000000000000001" /* 32 */,
    };
    char err[256];
    char want[256];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long long bytes = -7;

        if (limits_parse_size(bad[i], &bytes, err, sizeof(err)) != -1)
            fail_msg("'%s' accepted", bad[i]);
        assert_int_equal(bytes, -7);
        snprintf(want, sizeof(want), "invalid size '%s': use a number with k, m or g, like 100m",
                 bad[i]);
        assert_string_equal(err, want);
    }
}

static void test_parse_size_zero(void **state)
{
    static const char *const zero[] = {"0", "0k", "0m", "0G", "000"};
    char err[256];
    char want[256];

    (void)state;
    for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++) {
        long long bytes = -7;

        assert_int_equal(limits_parse_size(zero[i], &bytes, err, sizeof(err)), -1);
        assert_int_equal(bytes, -7);
        snprintf(want, sizeof(want), "invalid size '%s': must be more than 0", zero[i]);
        assert_string_equal(err, want);
    }
    /* err is cut to errlen, as snprintf. */
    assert_int_equal(limits_parse_size("x", &(long long){0}, err, 8), -1);
    assert_string_equal(err, "invalid");
}

/* ---- limits_parse_shares, limits_parse_pids ---------------------------- */

static void test_parse_shares(void **state)
{
    static const struct {
        const char *text;
        long shares;
    } good[] = {{"2", 2}, {"512", 512}, {"1024", 1024}, {"262144", 262144}, {"0002", 2}};
    static const char *const bad[] = {"1",   "0",  "262145", "abc",  "",   "-2",
                                      "1.5", " 2", "2 ",     "+512", "1k", "99999999999999999999"};
    char err[256];
    char want[256];

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        long shares = -7;

        assert_int_equal(limits_parse_shares(good[i].text, &shares, err, sizeof(err)), 0);
        assert_int_equal(shares, good[i].shares);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long shares = -7;

        if (limits_parse_shares(bad[i], &shares, err, sizeof(err)) != -1)
            fail_msg("'%s' accepted", bad[i]);
        assert_int_equal(shares, -7);
        snprintf(want, sizeof(want), "invalid cpu shares '%s': use a number from 2 to 262144",
                 bad[i]);
        assert_string_equal(err, want);
    }
}

static void test_parse_pids(void **state)
{
    static const struct {
        const char *text;
        long pids;
    } good[] = {{"1", 1}, {"64", 64}, {"4194304", 4194304}};
    static const char *const bad[] = {"0", "4194305", "-1",  "",
                                      "x", "1k",      "6 4", "99999999999999999999"};
    char err[256];
    char want[256];

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        long pids = -7;

        assert_int_equal(limits_parse_pids(good[i].text, &pids, err, sizeof(err)), 0);
        assert_int_equal(pids, good[i].pids);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long pids = -7;

        if (limits_parse_pids(bad[i], &pids, err, sizeof(err)) != -1)
            fail_msg("'%s' accepted", bad[i]);
        assert_int_equal(pids, -7);
        snprintf(want, sizeof(want), "invalid pids limit '%s': use a number from 1 to 4194304",
                 bad[i]);
        assert_string_equal(err, want);
    }
}

/* ---- limits_parse_cpus ------------------------------------------------- */

static void test_parse_cpus_ok(void **state)
{
    static const struct {
        const char *text;
        long ncpus;
        long quota;
    } good[] = {
        {"0.5", 1, 50000},   {"1", 1, 100000},      {"1.5", 2, 150000},     {"0.01", 1, 1000},
        {"0.1", 1, 10000},   {"0.10", 1, 10000},    {"0.12345", 1, 12345},  {"2", 2, 200000},
        {"64", 64, 6400000}, {"0.99999", 1, 99999}, {"1.00000", 1, 100000},
    };
    char err[256];

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        long quota = -7;

        err[0] = '\0';
        if (limits_parse_cpus(good[i].text, good[i].ncpus, &quota, err, sizeof(err)) != 0)
            fail_msg("'%s' refused: %s", good[i].text, err);
        assert_int_equal(quota, good[i].quota);
    }
}

static void test_parse_cpus_bad(void **state)
{
    static const char *const format[] = {
        ".5", "1.2.3", "1,5", "abc",      "",         "-1",   "1e3",
        " 1", "+1",    "0x1", "0.123456", "1.000000", "0.5 ", "999999999999999999999"};
    static const char *const range[] = {"0",       "0.0",     "0.009", "0.00999",
                                        "0.00001", "2.00001", "3",     "99"};
    char err[256];
    char want[256];

    (void)state;
    for (size_t i = 0; i < sizeof(format) / sizeof(format[0]); i++) {
        long quota = -7;

        if (limits_parse_cpus(format[i], 2, &quota, err, sizeof(err)) != -1)
            fail_msg("'%s' accepted", format[i]);
        assert_int_equal(quota, -7);
        snprintf(want, sizeof(want), "invalid cpus '%s': use a number like 0.5", format[i]);
        assert_string_equal(err, want);
    }
    for (size_t i = 0; i < sizeof(range) / sizeof(range[0]); i++) {
        long quota = -7;

        if (limits_parse_cpus(range[i], 2, &quota, err, sizeof(err)) != -1)
            fail_msg("'%s' accepted", range[i]);
        assert_int_equal(quota, -7);
        snprintf(want, sizeof(want),
                 "invalid cpus '%s': must be from 0.01 to 2 (the CPUs this host has)", range[i]);
        assert_string_equal(err, want);
    }
    /* The bound is the ncpus passed in. */
    assert_int_equal(limits_parse_cpus("1.5", 1, &(long){0}, err, sizeof(err)), -1);
    assert_string_equal(err, "invalid cpus '1.5': must be from 0.01 to 1 (the CPUs this host has)");
}

/* ---- limits_parse_cpuset ----------------------------------------------- */

static void test_parse_cpuset_ok(void **state)
{
    static const char *const good[] = {"0",   "3",   "0-3",     "0,2", "0-1,3",
                                       "1-1", "3,0", "0,1,2,3", "00"};
    char out[64];
    char err[256];

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        memset(out, 'Z', sizeof(out));
        err[0] = '\0';
        if (limits_parse_cpuset(good[i], 4, out, sizeof(out), err, sizeof(err)) != 0)
            fail_msg("'%s' refused: %s", good[i], err);
        assert_string_equal(out, good[i]);
    }
    /* outlen counts the NUL: 3 characters fit in 4 bytes. */
    assert_int_equal(limits_parse_cpuset("0-3", 4, out, 4, err, sizeof(err)), 0);
    assert_string_equal(out, "0-3");
}

static void test_parse_cpuset_bad(void **state)
{
    static const char *const list[] = {
        "2-1", "0-", "-1", "0,", ",0",  "0,,1", "0-1-2",
        "a",   "",   " 0", "0 ", "1;2", "0-a",  "99999999999999999999999"};
    char long_text[80];
    char out[64];
    char err[256];
    char want[256];

    (void)state;
    for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
        memset(out, 'Z', sizeof(out));
        if (limits_parse_cpuset(list[i], 4, out, sizeof(out), err, sizeof(err)) != -1)
            fail_msg("'%s' accepted", list[i]);
        assert_int_equal(out[0], 'Z');
        snprintf(want, sizeof(want), "invalid cpuset '%s': use a list like 0-1,3", list[i]);
        assert_string_equal(err, want);
    }

    assert_int_equal(limits_parse_cpuset("4", 4, out, sizeof(out), err, sizeof(err)), -1);
    assert_string_equal(err, "invalid cpuset '4': this host has CPUs 0 to 3");
    assert_int_equal(limits_parse_cpuset("0-4", 4, out, sizeof(out), err, sizeof(err)), -1);
    assert_string_equal(err, "invalid cpuset '0-4': this host has CPUs 0 to 3");
    assert_int_equal(limits_parse_cpuset("0,1", 1, out, sizeof(out), err, sizeof(err)), -1);
    assert_string_equal(err, "invalid cpuset '0,1': this host has CPUs 0 to 0");

    /* 64 characters do not fit struct limits' 64 bytes. */
    memset(long_text, 0, sizeof(long_text));
    for (int i = 0; i < 32; i++)
        memcpy(long_text + 2 * i, "0,", 2);
    long_text[63] = '1';
    assert_int_equal(strlen(long_text), 64);
    memset(out, 'Z', sizeof(out));
    assert_int_equal(limits_parse_cpuset(long_text, 4, out, sizeof(out), err, sizeof(err)), -1);
    assert_int_equal(out[0], 'Z');
    snprintf(want, sizeof(want), "invalid cpuset '%s': too long", long_text);
    assert_string_equal(err, want);
    long_text[61] = '\0'; /* 61 characters, ends in "0": fits */
    assert_int_equal(strlen(long_text), 61);
    assert_int_equal(limits_parse_cpuset(long_text, 4, out, sizeof(out), err, sizeof(err)), 0);
    assert_string_equal(out, long_text);
    assert_int_equal(limits_parse_cpuset("0,1,2", 4, out, 5, err, sizeof(err)), -1);
    assert_string_equal(err, "invalid cpuset '0,1,2': too long");
}

/* ---- limits_any, cg_shares_to_weight ----------------------------------- */

static void test_limits_any(void **state)
{
    struct limits l;

    (void)state;
    memset(&l, 0, sizeof(l));
    assert_false(limits_any(&l));
    l.memory_bytes = 1;
    assert_true(limits_any(&l));
    memset(&l, 0, sizeof(l));
    l.cpu_shares = 2;
    assert_true(limits_any(&l));
    memset(&l, 0, sizeof(l));
    l.cpu_quota_us = 1000;
    assert_true(limits_any(&l));
    memset(&l, 0, sizeof(l));
    l.cpuset[0] = '0';
    assert_true(limits_any(&l));
    memset(&l, 0, sizeof(l));
    l.pids = 1;
    assert_true(limits_any(&l));
    memset(&l, 0, sizeof(l));
    snprintf(l.cpuset + 1, sizeof(l.cpuset) - 1, "junk after an empty string");
    assert_false(limits_any(&l));
}

static void test_shares_to_weight(void **state)
{
    long prev = 0;

    (void)state;
    assert_int_equal(cg_shares_to_weight(2), 1);
    assert_int_equal(cg_shares_to_weight(3), 1);
    assert_int_equal(cg_shares_to_weight(512), 50);
    assert_int_equal(cg_shares_to_weight(1024), 100);
    assert_int_equal(cg_shares_to_weight(131073), 5030);
    assert_int_equal(cg_shares_to_weight(262143), 9999);
    assert_int_equal(cg_shares_to_weight(262144), 10000);
    for (long s = 2; s <= 262144; s++) {
        long w = cg_shares_to_weight(s);

        if (w < prev || w < 1 || w > 10000)
            fail_msg("shares %ld -> weight %ld (previous %ld)", s, w, prev);
        prev = w;
    }
}

/* ---- cg_layout_parse --------------------------------------------------- */

static bool layout_v1_empty(const struct cg_layout *l)
{
    for (int c = 0; c < CG_NCONTROLLERS; c++) {
        if (l->v1[c][0])
            return false;
    }
    return true;
}

static bool layout_in_v2_none(const struct cg_layout *l)
{
    for (int c = 0; c < CG_NCONTROLLERS; c++) {
        if (l->in_v2[c])
            return false;
    }
    return true;
}

#include "../mountinfo_fixtures.h"

static void test_layout_v1(void **state)
{
    struct cg_layout l;

    (void)state;
    assert_int_equal(cg_layout_parse(mountinfo_v1, &l), 0);
    assert_string_equal(l.v1[CG_MEMORY], "/sys/fs/cgroup/memory");
    assert_string_equal(l.v1[CG_CPU], "/sys/fs/cgroup/cpu,cpuacct");
    assert_string_equal(l.v1[CG_CPUSET], "/sys/fs/cgroup/cpuset");
    assert_string_equal(l.v1[CG_PIDS], "/sys/fs/cgroup/pids");
    assert_string_equal(l.v2, "");
    assert_true(layout_in_v2_none(&l));
    assert_string_equal(cg_layout_name(&l), "v1");
}

static void test_layout_v2(void **state)
{
    struct cg_layout l;

    (void)state;
    assert_int_equal(cg_layout_parse(mountinfo_v2, &l), 0);
    assert_true(layout_v1_empty(&l));
    assert_string_equal(l.v2, "/sys/fs/cgroup");
    assert_true(layout_in_v2_none(&l)); /* only cg_layout_read_v2 fills these */
    assert_string_equal(cg_layout_name(&l), "v2");
}

static void test_layout_hybrid_this_host(void **state)
{
    struct cg_layout l;

    (void)state;
    assert_int_equal(cg_layout_parse(mountinfo_hybrid, &l), 0);
    assert_string_equal(l.v1[CG_MEMORY], "/sys/fs/cgroup/memory");
    assert_string_equal(l.v1[CG_CPU], "/sys/fs/cgroup/cpu");
    assert_string_equal(l.v1[CG_CPUSET], "/sys/fs/cgroup/cpuset");
    assert_string_equal(l.v1[CG_PIDS], "/sys/fs/cgroup/pids");
    assert_string_equal(l.v2, "/sys/fs/cgroup/unified");
    assert_string_equal(cg_layout_name(&l), "hybrid");
}

static void test_layout_hybrid_combined(void **state)
{
    struct cg_layout l;

    (void)state;
    assert_int_equal(cg_layout_parse(mountinfo_hybrid_combined, &l), 0);
    assert_string_equal(l.v1[CG_MEMORY], "/sys/fs/cgroup/memory");
    assert_string_equal(l.v1[CG_CPU], "/sys/fs/cgroup/cpu,cpuacct");
    assert_string_equal(l.v1[CG_CPUSET], "/sys/fs/cgroup/cpuset");
    assert_string_equal(l.v1[CG_PIDS], "/sys/fs/cgroup/pids");
    assert_string_equal(l.v2, "/sys/fs/cgroup/unified");
    assert_string_equal(cg_layout_name(&l), "hybrid");
}

static void test_layout_escaped_mount_points(void **state)
{
    static const char text[] =
        "50 1 0:40 / /tmp/my\\040cgroups/memory rw - cgroup cgroup rw,memory\n"
        "51 1 0:41 / /tmp/tab\\011and\\134backslash rw - cgroup cgroup rw,pids\n"
        "52 1 0:42 / /tmp/new\\012line rw - cgroup cgroup rw,cpu\n"
        "53 1 0:43 / /tmp/v2\\040root rw shared:1 - cgroup2 cgroup2 rw";
    struct cg_layout l;

    (void)state;
    assert_int_equal(cg_layout_parse(text, &l), 0);
    assert_string_equal(l.v1[CG_MEMORY], "/tmp/my cgroups/memory");
    assert_string_equal(l.v1[CG_PIDS], "/tmp/tab\tand\\backslash");
    assert_string_equal(l.v1[CG_CPU], "/tmp/new\nline");
    assert_string_equal(l.v1[CG_CPUSET], "");
    assert_string_equal(l.v2, "/tmp/v2 root"); /* the last line has no newline */
}

static void test_layout_noise_and_first_wins(void **state)
{
    static const char text[] =
        "\n"
        "garbage\n"
        "1 2 3\n"
        "60 1 0:50 / /no-separator rw cgroup cgroup rw,memory\n"
        "61 1 8:1 / /data rw - ext4 /dev/memory rw,memory\n"
        "62 1 0:51 / /fake rw - tmpfs cgroup2 rw\n"
        "63 1 0:52 / /nosuperopts rw - cgroup cgroup\n"
        "64 1 0:53 / /x/cpuacct rw - cgroup cgroup rw,cpuacct\n"
        "65 1 0:54 / /x/cpusetlike rw - cgroup cgroup rw,cpuset_x,xcpu,memoryx\n"
        "66 1 0:55 /docker/abc /x/memory rw - cgroup cgroup rw,memory\n"
        "67 1 0:56 / /x/memory2 rw - cgroup cgroup rw,memory\n"
        "68 1 0:57 / /x/cpu rw - cgroup cgroup rw,cpu\n"
        "69 1 0:58 / /x/unified rw - cgroup2 cgroup2 rw\n"
        "70 1 0:59 / /x/unified2 rw - cgroup2 cgroup2 rw\n";
    char copy[sizeof(text)];
    struct cg_layout l;

    (void)state;
    memcpy(copy, text, sizeof(text));
    memset(&l, 'x', sizeof(l)); /* junk in: parse starts from zero */
    assert_int_equal(cg_layout_parse(copy, &l), 0);
    assert_memory_equal(copy, text, sizeof(text));     /* input untouched */
    assert_string_equal(l.v1[CG_MEMORY], "/x/memory"); /* mount point, not root; first */
    assert_string_equal(l.v1[CG_CPU], "/x/cpu");       /* cpuacct is not cpu */
    assert_string_equal(l.v1[CG_CPUSET], "");
    assert_string_equal(l.v1[CG_PIDS], "");
    assert_string_equal(l.v2, "/x/unified");
    assert_true(layout_in_v2_none(&l));

    memset(&l, 'x', sizeof(l));
    assert_int_equal(cg_layout_parse("", &l), 0);
    assert_true(layout_v1_empty(&l));
    assert_string_equal(l.v2, "");
    assert_true(layout_in_v2_none(&l));
    assert_string_equal(cg_layout_name(&l), "none");
}

static void test_layout_name(void **state)
{
    struct cg_layout l;

    (void)state;
    memset(&l, 0, sizeof(l));
    assert_string_equal(cg_layout_name(&l), "none");
    l.in_v2[CG_MEMORY] = true; /* without a v2 mount it means nothing */
    assert_string_equal(cg_layout_name(&l), "none");
    set_path(l.v1[CG_PIDS], "/p");
    assert_string_equal(cg_layout_name(&l), "v1");
    set_path(l.v2, "/u");
    assert_string_equal(cg_layout_name(&l), "hybrid");
    l.v1[CG_PIDS][0] = '\0';
    assert_string_equal(cg_layout_name(&l), "v2");
    set_path(l.v1[CG_MEMORY], "/m");
    assert_string_equal(cg_layout_name(&l), "hybrid");
}

/* ---- cg_layout_read_v2 ------------------------------------------------- */

static void read_v2_of(void **state, const char *rel, const char *controllers, struct cg_layout *l)
{
    char path[PATH_MAX + 32];

    mk(P(state, rel));
    snprintf(path, sizeof(path), "%s/cgroup.controllers", P(state, rel));
    put(path, controllers);
    memset(l, 0, sizeof(*l));
    set_path(l->v2, P(state, rel));
    assert_int_equal(cg_layout_read_v2(l), 0);
}

static void test_layout_read_v2(void **state)
{
    struct cg_layout l;
    struct capture c;
    char err[1024];
    char want[PATH_MAX + 128];
    int ret;

    read_v2_of(state, "full", "cpuset cpu io memory hugetlb pids rdma misc\n", &l);
    assert_true(l.in_v2[CG_MEMORY] && l.in_v2[CG_CPU] && l.in_v2[CG_CPUSET] && l.in_v2[CG_PIDS]);
    assert_string_equal(cg_layout_name(&l), "v2");

    read_v2_of(state, "part", "memory pids\n", &l);
    assert_true(l.in_v2[CG_MEMORY]);
    assert_false(l.in_v2[CG_CPU]);
    assert_false(l.in_v2[CG_CPUSET]);
    assert_true(l.in_v2[CG_PIDS]);

    read_v2_of(state, "cpuset-only", "cpuset", &l); /* no newline; "cpu" is not "cpuset" */
    assert_false(l.in_v2[CG_CPU]);
    assert_true(l.in_v2[CG_CPUSET]);
    assert_false(l.in_v2[CG_MEMORY]);

    read_v2_of(state, "others", "io hugetlb rdma misc memoryx xpids\n", &l);
    assert_true(layout_in_v2_none(&l));

    read_v2_of(state, "empty", "", &l); /* the usual hybrid unified mount */
    assert_true(layout_in_v2_none(&l));

    /* No v2 mount: nothing to read, not an error. */
    memset(&l, 0, sizeof(l));
    assert_int_equal(cg_layout_read_v2(&l), 0);
    assert_true(layout_in_v2_none(&l));

    /* A v2 mount without the file is. */
    memset(&l, 0, sizeof(l));
    set_path(l.v2, P(state, "missing"));
    capture_start(&c);
    ret = cg_layout_read_v2(&l);
    capture_end(&c, err, sizeof(err));
    assert_int_equal(ret, -1);
    snprintf(want, sizeof(want),
             "mydocker: read %s/cgroup.controllers: No such file or directory\n",
             P(state, "missing"));
    assert_string_equal(err, want);
}

/* ---- cgroup_create on v1 ----------------------------------------------- */

static void test_create_v1_memory(void **state)
{
    struct cg_layout layout = {0};
    struct limits l = {.memory_bytes = 100LL << 20};
    struct cgroup cg;
    struct capture c;
    char err[1024];
    int ret;

    mk(P(state, "memory"));
    set_path(layout.v1[CG_MEMORY], P(state, "memory"));
    capture_start(&c);
    ret = cgroup_create(&cg, &layout, &l, ID);
    capture_end(&c, err, sizeof(err));
    assert_int_equal(ret, 0);
    assert_string_equal(err, "");
    assert_int_equal(cg.ndirs, 1);
    assert_string_equal(cg.dir[0].path, P(state, "memory/mydocker/" ID));
    assert_false(cg.dir[0].v2);
    expect_file(P(state, "memory/mydocker/" ID "/memory.limit_in_bytes"), "104857600");
    /* Swap accounting off in the fake kernel: the file is not made up. */
    expect_absent(P(state, "memory/mydocker/" ID "/memory.memsw.limit_in_bytes"));
    assert_int_equal(entries(P(state, "memory/mydocker/" ID)), 1);
    assert_int_equal(entries(P(state, "memory/mydocker")), 1);
    assert_int_equal(entries(P(state, "memory")), 1);

    assert_int_equal(join_here(&cg), 0);
    expect_file(P(state, "memory/mydocker/" ID "/tasks"), "0");

    clear_files(P(state, "memory/mydocker/" ID));
    assert_int_equal(cgroup_destroy(&cg), 0);
    assert_int_equal(cg.ndirs, 0);
    expect_absent(P(state, "memory/mydocker/" ID));
    assert_true(is_dir(P(state, "memory/mydocker"))); /* the shared parent stays */
}

/* cpu and cpuacct mounted together, found through a mountinfo text. */
static void test_create_v1_cpu_combined_mount(void **state)
{
    struct cg_layout layout;
    struct limits l = {.cpu_shares = 512, .cpu_quota_us = 50000};
    struct cgroup cg;
    char text[2 * PATH_MAX];

    mk(P(state, "cpu,cpuacct"));
    snprintf(text, sizeof(text),
             "40 35 0:35 / %s rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup "
             "rw,cpu,cpuacct\n",
             P(state, "cpu,cpuacct"));
    assert_int_equal(cg_layout_parse(text, &layout), 0);
    assert_string_equal(layout.v1[CG_CPU], P(state, "cpu,cpuacct"));
    assert_string_equal(cg_layout_name(&layout), "v1");

    assert_int_equal(cgroup_create(&cg, &layout, &l, ID), 0);
    assert_int_equal(cg.ndirs, 1);
    assert_string_equal(cg.dir[0].path, P(state, "cpu,cpuacct/mydocker/" ID));
    expect_file(P(state, "cpu,cpuacct/mydocker/" ID "/cpu.shares"), "512");
    expect_file(P(state, "cpu,cpuacct/mydocker/" ID "/cpu.cfs_period_us"), "100000");
    expect_file(P(state, "cpu,cpuacct/mydocker/" ID "/cpu.cfs_quota_us"), "50000");
    assert_int_equal(entries(P(state, "cpu,cpuacct/mydocker/" ID)), 3);

    clear_files(P(state, "cpu,cpuacct/mydocker/" ID));
    assert_int_equal(cgroup_destroy(&cg), 0);
    expect_absent(P(state, "cpu,cpuacct/mydocker/" ID));
}

/* Shares alone: no period or quota files. */
static void test_create_v1_shares_only(void **state)
{
    struct cg_layout layout = {0};
    struct limits l = {.cpu_shares = 2};
    struct cgroup cg;

    mk(P(state, "cpu"));
    set_path(layout.v1[CG_CPU], P(state, "cpu"));
    assert_int_equal(cgroup_create(&cg, &layout, &l, ID), 0);
    expect_file(P(state, "cpu/mydocker/" ID "/cpu.shares"), "2");
    assert_int_equal(entries(P(state, "cpu/mydocker/" ID)), 1);
}

static void test_create_v1_cpuset_inherits(void **state)
{
    struct cg_layout layout = {0};
    struct limits l = {.cpuset = "1"};
    struct cgroup cg;

    make_cpuset_root(P(state, "cpuset"));
    set_path(layout.v1[CG_CPUSET], P(state, "cpuset"));
    assert_int_equal(cgroup_create(&cg, &layout, &l, ID), 0);
    assert_int_equal(cg.ndirs, 1);
    assert_string_equal(cg.dir[0].path, P(state, "cpuset/mydocker/" ID));
    /* The parent got the root's, without the newline. */
    expect_file(P(state, "cpuset/mydocker/cpuset.cpus"), "0-1");
    expect_file(P(state, "cpuset/mydocker/cpuset.mems"), "0");
    /* The container: mems inherited, cpus narrowed by the limit. */
    expect_file(P(state, "cpuset/mydocker/" ID "/cpuset.mems"), "0");
    expect_file(P(state, "cpuset/mydocker/" ID "/cpuset.cpus"), "1");
    assert_int_equal(entries(P(state, "cpuset/mydocker/" ID)), 2);
    /* The root is read, never written. */
    expect_file(P(state, "cpuset/cpuset.cpus"), "0-1\n");
    expect_file(P(state, "cpuset/cpuset.mems"), "0\n");

    assert_int_equal(join_here(&cg), 0);
    expect_file(P(state, "cpuset/mydocker/" ID "/tasks"), "0");
    clear_files(P(state, "cpuset/mydocker/" ID));
    assert_int_equal(cgroup_destroy(&cg), 0);
    expect_absent(P(state, "cpuset/mydocker/" ID));
}

/* An existing parent keeps what it has; only an empty value is filled in,
 * and the container inherits from its parent, not from the root. */
static void test_create_v1_cpuset_existing_parent(void **state)
{
    struct cg_layout layout = {0};
    struct limits l = {.cpuset = "0"};
    struct cgroup cg;

    make_cpuset_root(P(state, "cpuset"));
    mk(P(state, "cpuset/mydocker"));
    put(P(state, "cpuset/mydocker/cpuset.cpus"), "\n");
    put(P(state, "cpuset/mydocker/cpuset.mems"), "3\n");
    set_path(layout.v1[CG_CPUSET], P(state, "cpuset"));
    assert_int_equal(cgroup_create(&cg, &layout, &l, ID), 0);
    expect_file(P(state, "cpuset/mydocker/cpuset.cpus"), "0-1");
    expect_file(P(state, "cpuset/mydocker/cpuset.mems"), "3\n");
    expect_file(P(state, "cpuset/mydocker/" ID "/cpuset.mems"), "3");
    expect_file(P(state, "cpuset/mydocker/" ID "/cpuset.cpus"), "0");
}

/* Every controller on its own v1 hierarchy but memory and pids, which share
 * one: three directories, and the child joins each once. */
static void test_create_v1_all_shared_mount(void **state)
{
    struct cg_layout layout = {0};
    struct limits l = {.memory_bytes = 1 << 20,
                       .cpu_shares = 1024,
                       .cpu_quota_us = 150000,
                       .cpuset = "0-1",
                       .pids = 64};
    struct cgroup cg;

    mk(P(state, "memory,pids"));
    mk(P(state, "cpu"));
    make_cpuset_root(P(state, "cpuset"));
    set_path(layout.v1[CG_MEMORY], P(state, "memory,pids"));
    set_path(layout.v1[CG_PIDS], P(state, "memory,pids"));
    set_path(layout.v1[CG_CPU], P(state, "cpu"));
    set_path(layout.v1[CG_CPUSET], P(state, "cpuset"));

    assert_int_equal(cgroup_create(&cg, &layout, &l, ID), 0);
    assert_int_equal(cg.ndirs, 3);
    assert_string_equal(cg.dir[0].path, P(state, "memory,pids/mydocker/" ID));
    assert_string_equal(cg.dir[1].path, P(state, "cpu/mydocker/" ID));
    assert_string_equal(cg.dir[2].path, P(state, "cpuset/mydocker/" ID));
    for (int i = 0; i < 3; i++)
        assert_false(cg.dir[i].v2);

    expect_file(P(state, "memory,pids/mydocker/" ID "/memory.limit_in_bytes"), "1048576");
    expect_file(P(state, "memory,pids/mydocker/" ID "/pids.max"), "64");
    assert_int_equal(entries(P(state, "memory,pids/mydocker/" ID)), 2);
    expect_file(P(state, "cpu/mydocker/" ID "/cpu.shares"), "1024");
    expect_file(P(state, "cpu/mydocker/" ID "/cpu.cfs_period_us"), "100000");
    expect_file(P(state, "cpu/mydocker/" ID "/cpu.cfs_quota_us"), "150000");
    assert_int_equal(entries(P(state, "cpu/mydocker/" ID)), 3);
    expect_file(P(state, "cpuset/mydocker/" ID "/cpuset.cpus"), "0-1");
    expect_file(P(state, "cpuset/mydocker/" ID "/cpuset.mems"), "0");
    assert_int_equal(entries(P(state, "cpuset/mydocker/" ID)), 2);

    assert_int_equal(join_here(&cg), 0);
    expect_file(P(state, "memory,pids/mydocker/" ID "/tasks"), "0");
    expect_file(P(state, "cpu/mydocker/" ID "/tasks"), "0");
    expect_file(P(state, "cpuset/mydocker/" ID "/tasks"), "0");
    assert_int_equal(entries(P(state, "memory,pids/mydocker/" ID)), 3);

    clear_files(P(state, "memory,pids/mydocker/" ID));
    clear_files(P(state, "cpu/mydocker/" ID));
    clear_files(P(state, "cpuset/mydocker/" ID));
    assert_int_equal(cgroup_destroy(&cg), 0);
    assert_int_equal(cg.ndirs, 0);
    expect_absent(P(state, "memory,pids/mydocker/" ID));
    expect_absent(P(state, "cpu/mydocker/" ID));
    expect_absent(P(state, "cpuset/mydocker/" ID));
}

/* Four hierarchies, four directories, four cgroup.procs. */
static void test_create_v1_four_dirs(void **state)
{
    static const char *const roots[] = {"memory", "cpu", "cpuset", "pids"};
    struct cg_layout layout = {0};
    struct limits l = {.memory_bytes = 4096, .cpu_shares = 3, .cpuset = "0", .pids = 1};
    struct cgroup cg;
    char path[PATH_MAX + 64];

    mk(P(state, "memory"));
    mk(P(state, "cpu"));
    make_cpuset_root(P(state, "cpuset"));
    mk(P(state, "pids"));
    set_path(layout.v1[CG_MEMORY], P(state, "memory"));
    set_path(layout.v1[CG_CPU], P(state, "cpu"));
    set_path(layout.v1[CG_CPUSET], P(state, "cpuset"));
    set_path(layout.v1[CG_PIDS], P(state, "pids"));
    assert_int_equal(cgroup_create(&cg, &layout, &l, ID), 0);
    assert_int_equal(cg.ndirs, 4);
    assert_int_equal(join_here(&cg), 0);
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/mydocker/" ID, roots[i]);
        assert_string_equal(cg.dir[i].path, P(state, path));
        snprintf(path, sizeof(path), "%s/mydocker/" ID "/tasks", roots[i]);
        expect_file(P(state, path), "0");
    }
    expect_file(P(state, "memory/mydocker/" ID "/memory.limit_in_bytes"), "4096");
    expect_file(P(state, "cpu/mydocker/" ID "/cpu.shares"), "3");
    expect_absent(P(state, "cpu/mydocker/" ID "/cpu.cfs_quota_us"));
    expect_file(P(state, "pids/mydocker/" ID "/pids.max"), "1");
}

static void test_create_no_limits(void **state)
{
    struct cg_layout layout = {0};
    struct limits l = {0};
    struct cgroup cg;

    mk(P(state, "memory"));
    set_path(layout.v1[CG_MEMORY], P(state, "memory"));
    memset(&cg, 0x5a, sizeof(cg));
    assert_int_equal(cgroup_create(&cg, &layout, &l, ID), 0);
    assert_int_equal(cg.ndirs, 0);
    assert_int_equal(entries(P(state, "memory")), 0);
    assert_int_equal(join_here(&cg), 0);
    assert_int_equal(entries(P(state, "memory")), 0);
    assert_int_equal(cgroup_destroy(&cg), 0);
}

/* ---- cgroup_create on v2 and hybrid ------------------------------------ */

/* Makes <tempdir>/<rel> with the given cgroup.controllers and returns the
 * layout cg_layout_parse and cg_layout_read_v2 find for a mountinfo line
 * naming it (escaped as the kernel would). */
static void v2_layout(void **state, const char *rel, const char *escaped_rel,
                      const char *controllers, struct cg_layout *layout)
{
    char text[2 * PATH_MAX];
    char path[PATH_MAX + 32];
    struct fx *f = *state;

    mk(P(state, rel));
    snprintf(path, sizeof(path), "%s/cgroup.controllers", P(state, rel));
    put(path, controllers);
    snprintf(text, sizeof(text),
             "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
             "25 20 0:23 / %s/%s rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
             "rw,nsdelegate,memory_recursiveprot\n",
             f->dir, escaped_rel);
    assert_int_equal(cg_layout_parse(text, layout), 0);
    assert_string_equal(layout->v2, P(state, rel));
    assert_int_equal(cg_layout_read_v2(layout), 0);
}

static void test_create_v2_memory_escaped_root(void **state)
{
    struct cg_layout layout;
    struct limits l = {.memory_bytes = 100LL << 20};
    struct cgroup cg;

    v2_layout(state, "my cgroup", "my\\040cgroup", "memory pids\n", &layout);
    assert_string_equal(cg_layout_name(&layout), "v2");
    assert_true(layout.in_v2[CG_MEMORY]);
    assert_false(layout.in_v2[CG_CPU]);

    assert_int_equal(cgroup_create(&cg, &layout, &l, ID), 0);
    assert_int_equal(cg.ndirs, 1);
    assert_true(cg.dir[0].v2);
    assert_string_equal(cg.dir[0].path, P(state, "my cgroup/mydocker/" ID));
    expect_file(P(state, "my cgroup/cgroup.subtree_control"), "+memory");
    expect_file(P(state, "my cgroup/mydocker/cgroup.subtree_control"), "+memory");
    expect_file(P(state, "my cgroup/mydocker/" ID "/memory.max"), "104857600");
    expect_absent(P(state, "my cgroup/mydocker/" ID "/memory.swap.max"));
    expect_absent(P(state, "my cgroup/mydocker/" ID "/memory.limit_in_bytes"));
    assert_int_equal(entries(P(state, "my cgroup/mydocker/" ID)), 1);
    expect_absent(P(state, "my cgroup/mydocker/" ID "/cgroup.subtree_control"));

    assert_int_equal(join_here(&cg), 0);
    expect_file(P(state, "my cgroup/mydocker/" ID "/cgroup.procs"), "0");
    clear_files(P(state, "my cgroup/mydocker/" ID));
    assert_int_equal(cgroup_destroy(&cg), 0);
    expect_absent(P(state, "my cgroup/mydocker/" ID));
}

static void test_create_v2_cpu(void **state)
{
    struct cg_layout layout;
    struct limits l = {.cpu_shares = 512, .cpu_quota_us = 50000};
    struct cgroup cg;

    v2_layout(state, "v2", "v2", "cpu\n", &layout);
    assert_int_equal(cgroup_create(&cg, &layout, &l, ID), 0);
    expect_file(P(state, "v2/cgroup.subtree_control"), "+cpu");
    expect_file(P(state, "v2/mydocker/cgroup.subtree_control"), "+cpu");
    expect_file(P(state, "v2/mydocker/" ID "/cpu.weight"), "50");
    expect_file(P(state, "v2/mydocker/" ID "/cpu.max"), "50000 100000");
    expect_absent(P(state, "v2/mydocker/" ID "/cpu.shares"));
    expect_absent(P(state, "v2/mydocker/" ID "/cpu.cfs_period_us"));
    expect_absent(P(state, "v2/mydocker/" ID "/cpu.cfs_quota_us"));
    assert_int_equal(entries(P(state, "v2/mydocker/" ID)), 2);
}

static void test_create_v2_all(void **state)
{
    struct cg_layout layout;
    struct limits l = {.memory_bytes = 100LL << 20,
                       .cpu_shares = 262144,
                       .cpu_quota_us = 250000,
                       .cpuset = "0",
                       .pids = 64};
    struct cgroup cg;

    v2_layout(state, "v2", "v2", "cpuset cpu io memory hugetlb pids rdma misc\n", &layout);
    assert_int_equal(cgroup_create(&cg, &layout, &l, ID), 0);
    assert_int_equal(cg.ndirs, 1); /* one directory holds every controller */
    assert_true(cg.dir[0].v2);
    /* Each "+x" write truncates the fake file: pids is enabled last. */
    expect_file(P(state, "v2/cgroup.subtree_control"), "+pids");
    expect_file(P(state, "v2/mydocker/cgroup.subtree_control"), "+pids");
    expect_file(P(state, "v2/mydocker/" ID "/memory.max"), "104857600");
    expect_file(P(state, "v2/mydocker/" ID "/cpu.weight"), "10000");
    expect_file(P(state, "v2/mydocker/" ID "/cpu.max"), "250000 100000");
    expect_file(P(state, "v2/mydocker/" ID "/cpuset.cpus"), "0");
    expect_file(P(state, "v2/mydocker/" ID "/pids.max"), "64");
    expect_absent(P(state, "v2/mydocker/" ID "/memory.swap.max"));
    expect_absent(P(state, "v2/mydocker/" ID "/cpuset.mems")); /* no v1 inheritance on v2 */
    expect_absent(P(state, "v2/mydocker/cpuset.cpus"));
    assert_int_equal(entries(P(state, "v2/mydocker/" ID)), 5);

    assert_int_equal(join_here(&cg), 0);
    expect_file(P(state, "v2/mydocker/" ID "/cgroup.procs"), "0");
    expect_absent(P(state, "v2/cgroup.procs"));
    expect_absent(P(state, "v2/mydocker/cgroup.procs"));
}

static void test_create_v2_missing_controller(void **state)
{
    struct cg_layout layout;
    struct limits l = {.memory_bytes = 1 << 20, .pids = 10};
    struct cgroup cg;
    struct capture c;
    char err[1024];
    int ret;

    v2_layout(state, "v2", "v2", "cpu memory\n", &layout);
    capture_start(&c);
    ret = cgroup_create(&cg, &layout, &l, ID);
    capture_end(&c, err, sizeof(err));
    assert_int_equal(ret, -1);
    assert_string_equal(
        err, "mydocker: the pids cgroup controller is not available on this host (cgroup "
             "layout: v2)\n");
    assert_int_equal(entries(P(state, "v2")), 1); /* cgroup.controllers alone */
}

static void test_create_no_cgroups_at_all(void **state)
{
    struct cg_layout layout;
    struct limits l = {.cpuset = "0"};
    struct cgroup cg;
    struct capture c;
    char err[1024];
    int ret;

    (void)state;
    memset(&layout, 0, sizeof(layout));
    layout.in_v2[CG_CPUSET] = true; /* listed, but there is no v2 mount */
    capture_start(&c);
    ret = cgroup_create(&cg, &layout, &l, ID);
    capture_end(&c, err, sizeof(err));
    assert_int_equal(ret, -1);
    assert_string_equal(
        err, "mydocker: the cpuset cgroup controller is not available on this host (cgroup "
             "layout: none)\n");
}

/* Hybrid: memory on v1, pids only in the unified hierarchy. */
static void test_create_hybrid_split(void **state)
{
    struct cg_layout layout;
    struct limits l = {.memory_bytes = 64 << 20, .pids = 5};
    struct cgroup cg;
    char text[4 * PATH_MAX];

    mk(P(state, "memory"));
    mk(P(state, "unified"));
    put(P(state, "unified/cgroup.controllers"), "pids\n");
    snprintf(text, sizeof(text),
             "35 31 0:32 / %s rw,relatime - cgroup cgroup rw,memory\n"
             "41 31 0:38 / %s rw,relatime - cgroup2 cgroup2 rw\n",
             P(state, "memory"), P(state, "unified"));
    assert_int_equal(cg_layout_parse(text, &layout), 0);
    assert_int_equal(cg_layout_read_v2(&layout), 0);
    assert_string_equal(cg_layout_name(&layout), "hybrid");

    assert_int_equal(cgroup_create(&cg, &layout, &l, ID), 0);
    assert_int_equal(cg.ndirs, 2);
    assert_string_equal(cg.dir[0].path, P(state, "memory/mydocker/" ID));
    assert_false(cg.dir[0].v2);
    assert_string_equal(cg.dir[1].path, P(state, "unified/mydocker/" ID));
    assert_true(cg.dir[1].v2);
    expect_file(P(state, "memory/mydocker/" ID "/memory.limit_in_bytes"), "67108864");
    assert_int_equal(entries(P(state, "memory/mydocker/" ID)), 1);
    expect_absent(P(state, "memory/cgroup.subtree_control"));
    expect_file(P(state, "unified/cgroup.subtree_control"), "+pids");
    expect_file(P(state, "unified/mydocker/cgroup.subtree_control"), "+pids");
    expect_file(P(state, "unified/mydocker/" ID "/pids.max"), "5");
    assert_int_equal(entries(P(state, "unified/mydocker/" ID)), 1);

    assert_int_equal(join_here(&cg), 0);
    expect_file(P(state, "memory/mydocker/" ID "/tasks"), "0");
    expect_file(P(state, "unified/mydocker/" ID "/cgroup.procs"), "0");

    clear_files(P(state, "memory/mydocker/" ID));
    clear_files(P(state, "unified/mydocker/" ID));
    assert_int_equal(cgroup_destroy(&cg), 0);
    expect_absent(P(state, "memory/mydocker/" ID));
    expect_absent(P(state, "unified/mydocker/" ID));
}

/* Hybrid, but cpu is nowhere: refused before anything is made, even in the
 * v1 hierarchy that memory would have used. */
static void test_create_hybrid_missing_controller(void **state)
{
    struct cg_layout layout = {0};
    struct limits l = {.memory_bytes = 1 << 20, .cpu_quota_us = 1000};
    struct cgroup cg;
    struct capture c;
    char err[1024];
    int ret;

    mk(P(state, "memory"));
    mk(P(state, "unified"));
    set_path(layout.v1[CG_MEMORY], P(state, "memory"));
    set_path(layout.v2, P(state, "unified"));
    layout.in_v2[CG_PIDS] = true;
    capture_start(&c);
    ret = cgroup_create(&cg, &layout, &l, ID);
    capture_end(&c, err, sizeof(err));
    assert_int_equal(ret, -1);
    assert_string_equal(err,
                        "mydocker: the cpu cgroup controller is not available on this host (cgroup "
                        "layout: hybrid)\n");
    assert_int_equal(entries(P(state, "memory")), 0);
    assert_int_equal(entries(P(state, "unified")), 0);
}

/* ---- failures half-way ------------------------------------------------- */

/* The pids "hierarchy" is a regular file: memory's and cpu's directories,
 * made before, must be gone again. */
static void test_create_fails_halfway_root_is_file(void **state)
{
    struct cg_layout layout = {0};
    struct limits l = {.memory_bytes = 1 << 20, .cpu_shares = 512, .pids = 10};
    struct cgroup cg;
    struct capture c;
    char err[1024];
    char want[PATH_MAX + 128];
    int ret;

    mk(P(state, "memory"));
    mk(P(state, "cpu"));
    put(P(state, "pids"), "not a directory\n");
    set_path(layout.v1[CG_MEMORY], P(state, "memory"));
    set_path(layout.v1[CG_CPU], P(state, "cpu"));
    set_path(layout.v1[CG_PIDS], P(state, "pids"));
    capture_start(&c);
    ret = cgroup_create(&cg, &layout, &l, ID);
    capture_end(&c, err, sizeof(err));
    assert_int_equal(ret, -1);
    assert_int_equal(cg.ndirs, 0);
    snprintf(want, sizeof(want), "mydocker: mkdir %s/mydocker: Not a directory\n",
             P(state, "pids"));
    assert_string_equal(err, want);
    expect_absent(P(state, "memory/mydocker/" ID));
    expect_absent(P(state, "cpu/mydocker/" ID));
    assert_int_equal(entries(P(state, "memory/mydocker")), 0);
    assert_int_equal(entries(P(state, "cpu/mydocker")), 0);
}

/* The container's directory already exists in one hierarchy: it is not
 * ours, so it stays; the one made before it goes. */
static void test_create_fails_existing_id(void **state)
{
    struct cg_layout layout = {0};
    struct limits l = {.memory_bytes = 1 << 20, .cpu_shares = 512};
    struct cgroup cg;
    struct capture c;
    char err[1024];
    char want[PATH_MAX + 128];
    int ret;

    mk(P(state, "memory"));
    mk(P(state, "cpu"));
    mk(P(state, "cpu/mydocker"));
    mk(P(state, "cpu/mydocker/" ID));
    put(P(state, "cpu/mydocker/" ID "/marker"), "someone else's\n");
    set_path(layout.v1[CG_MEMORY], P(state, "memory"));
    set_path(layout.v1[CG_CPU], P(state, "cpu"));
    capture_start(&c);
    ret = cgroup_create(&cg, &layout, &l, ID);
    capture_end(&c, err, sizeof(err));
    assert_int_equal(ret, -1);
    snprintf(want, sizeof(want), "mydocker: mkdir %s: File exists\n", P(state, "cpu/mydocker/" ID));
    assert_string_equal(err, want);
    expect_absent(P(state, "memory/mydocker/" ID));
    expect_file(P(state, "cpu/mydocker/" ID "/marker"), "someone else's\n");
    expect_absent(P(state, "cpu/mydocker/" ID "/cpu.shares"));
}

/* v1 cpuset whose root lacks cpuset.mems: the parent cannot inherit. */
static void test_create_fails_cpuset_without_mems(void **state)
{
    struct cg_layout layout = {0};
    struct limits l = {.memory_bytes = 1 << 20, .cpuset = "0"};
    struct cgroup cg;
    struct capture c;
    char err[1024];
    char want[PATH_MAX + 128];
    int ret;

    mk(P(state, "memory"));
    mk(P(state, "cpuset"));
    put(P(state, "cpuset/cpuset.cpus"), "0-1\n");
    set_path(layout.v1[CG_MEMORY], P(state, "memory"));
    set_path(layout.v1[CG_CPUSET], P(state, "cpuset"));
    capture_start(&c);
    ret = cgroup_create(&cg, &layout, &l, ID);
    capture_end(&c, err, sizeof(err));
    assert_int_equal(ret, -1);
    snprintf(want, sizeof(want), "mydocker: read %s/../cpuset.mems: No such file or directory\n",
             P(state, "cpuset/mydocker"));
    assert_string_equal(err, want);
    expect_absent(P(state, "memory/mydocker/" ID));
    expect_absent(P(state, "cpuset/mydocker/" ID));
}

/* Hybrid: v2's cgroup.subtree_control cannot be written (a directory in the
 * fake tree); the v1 memory directory made before is removed. */
static void test_create_fails_v2_enable(void **state)
{
    struct cg_layout layout = {0};
    struct limits l = {.memory_bytes = 1 << 20, .pids = 3};
    struct cgroup cg;
    struct capture c;
    char err[1024];
    char want[PATH_MAX + 128];
    int ret;

    mk(P(state, "memory"));
    mk(P(state, "unified"));
    mk(P(state, "unified/cgroup.subtree_control"));
    set_path(layout.v1[CG_MEMORY], P(state, "memory"));
    set_path(layout.v2, P(state, "unified"));
    layout.in_v2[CG_PIDS] = true;
    capture_start(&c);
    ret = cgroup_create(&cg, &layout, &l, ID);
    capture_end(&c, err, sizeof(err));
    assert_int_equal(ret, -1);
    snprintf(want, sizeof(want), "mydocker: write +pids to %s: Is a directory\n",
             P(state, "unified/cgroup.subtree_control"));
    assert_string_equal(err, want);
    expect_absent(P(state, "memory/mydocker/" ID));
    expect_absent(P(state, "unified/mydocker"));
}

static void test_create_path_too_long(void **state)
{
    struct cg_layout layout = {0};
    struct limits l = {.memory_bytes = 1 << 20, .pids = 3};
    struct cgroup cg;
    struct capture c;
    char err[8192];
    size_t len;
    int ret;

    mk(P(state, "memory"));
    set_path(layout.v1[CG_MEMORY], P(state, "memory"));
    set_path(layout.v1[CG_PIDS], P(state, "p"));
    len = strlen(layout.v1[CG_PIDS]);
    memset(layout.v1[CG_PIDS] + len, 'a', PATH_MAX - 1 - len);
    layout.v1[CG_PIDS][PATH_MAX - 1] = '\0';
    capture_start(&c);
    ret = cgroup_create(&cg, &layout, &l, ID);
    capture_end(&c, err, sizeof(err));
    assert_int_equal(ret, -1);
    assert_true(strncmp(err, "mydocker: path /", 16) == 0);
    assert_non_null(strstr(err, "...: File name too long\n"));
    assert_int_equal(entries(P(state, "memory")), 0);
}

/* ---- cgroup_open_join, cgroup_join, cgroup_destroy ------------------------ */

static void test_add_stops_at_missing_dir(void **state)
{
    struct cgroup cg = {0};
    struct capture c;
    char err[1024];
    char want[PATH_MAX + 128];
    int ret;

    mk(P(state, "there"));
    cg.ndirs = 2;
    set_path(cg.dir[0].path, P(state, "gone"));
    set_path(cg.dir[1].path, P(state, "there"));
    capture_start(&c);
    ret = join_here(&cg);
    capture_end(&c, err, sizeof(err));
    assert_int_equal(ret, -1);
    snprintf(want, sizeof(want), "mydocker: open %s/tasks: No such file or directory\n",
             P(state, "gone"));
    assert_string_equal(err, want);
    expect_absent(P(state, "there/tasks"));
    expect_absent(P(state, "gone"));
}

static void test_destroy(void **state)
{
    /* Dirs made here, not by cgroup_create: none holds a lock fd. */
    struct cgroup cg = {.dir = {{.lock_fd = -1}, {.lock_fd = -1}, {.lock_fd = -1}}};
    struct capture c;
    char err[1024];
    char want[PATH_MAX + 128];
    int ret;

    /* Children before parents (reverse order); a missing one is fine. */
    mk(P(state, "p"));
    mk(P(state, "p/c"));
    cg.ndirs = 3;
    set_path(cg.dir[0].path, P(state, "p"));
    set_path(cg.dir[1].path, P(state, "never-made"));
    set_path(cg.dir[2].path, P(state, "p/c"));
    assert_int_equal(cgroup_destroy(&cg), 0);
    assert_int_equal(cg.ndirs, 0);
    expect_absent(P(state, "p"));

    /* A directory that will not go is an error, reported, and the rest
     * are still tried. */
    mk(P(state, "busy"));
    put(P(state, "busy/file"), "x");
    mk(P(state, "idle"));
    cg.ndirs = 2;
    set_path(cg.dir[0].path, P(state, "idle"));
    set_path(cg.dir[1].path, P(state, "busy"));
    capture_start(&c);
    ret = cgroup_destroy(&cg);
    capture_end(&c, err, sizeof(err));
    assert_int_equal(ret, -1);
    assert_int_equal(cg.ndirs, 0);
    snprintf(want, sizeof(want), "mydocker: rmdir %s: Directory not empty\n", P(state, "busy"));
    assert_string_equal(err, want);
    assert_true(is_dir(P(state, "busy")));
    expect_absent(P(state, "idle"));

    /* Nothing to do. */
    assert_int_equal(cgroup_destroy(&cg), 0);
}

#define FX(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_size_ok),
        cmocka_unit_test(test_parse_size_bad),
        cmocka_unit_test(test_parse_size_zero),
        cmocka_unit_test(test_parse_shares),
        cmocka_unit_test(test_parse_pids),
        cmocka_unit_test(test_parse_cpus_ok),
        cmocka_unit_test(test_parse_cpus_bad),
        cmocka_unit_test(test_parse_cpuset_ok),
        cmocka_unit_test(test_parse_cpuset_bad),
        cmocka_unit_test(test_limits_any),
        cmocka_unit_test(test_shares_to_weight),
        cmocka_unit_test(test_layout_v1),
        cmocka_unit_test(test_layout_v2),
        cmocka_unit_test(test_layout_hybrid_this_host),
        cmocka_unit_test(test_layout_hybrid_combined),
        cmocka_unit_test(test_layout_escaped_mount_points),
        cmocka_unit_test(test_layout_noise_and_first_wins),
        cmocka_unit_test(test_layout_name),
        FX(test_layout_read_v2),
        FX(test_create_v1_memory),
        FX(test_create_v1_cpu_combined_mount),
        FX(test_create_v1_shares_only),
        FX(test_create_v1_cpuset_inherits),
        FX(test_create_v1_cpuset_existing_parent),
        FX(test_create_v1_all_shared_mount),
        FX(test_create_v1_four_dirs),
        FX(test_create_no_limits),
        FX(test_create_v2_memory_escaped_root),
        FX(test_create_v2_cpu),
        FX(test_create_v2_all),
        FX(test_create_v2_missing_controller),
        FX(test_create_no_cgroups_at_all),
        FX(test_create_hybrid_split),
        FX(test_create_hybrid_missing_controller),
        FX(test_create_fails_halfway_root_is_file),
        FX(test_create_fails_existing_id),
        FX(test_create_fails_cpuset_without_mems),
        FX(test_create_fails_v2_enable),
        FX(test_create_path_too_long),
        FX(test_add_stops_at_missing_dir),
        FX(test_destroy),
    };

    return cmocka_run_group_tests_name("chapter3 unit: cgroups", tests, NULL, NULL);
}
