/* Unit tests for chapter4-volume's volume.h: volume_parse (the -v spec,
 * HOST:CONTAINER[:ro|:rw]), path_normalise (purely lexical) and
 * volumes_check (two volumes on one container path). Nothing here mounts,
 * creates a directory or needs root. */
#undef main /* this file's main is the test runner */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "volume.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a)    ((int)(sizeof(a) / sizeof((a)[0])))
#define MARK    'X' /* fills buffers, so a write past the end shows */
#define NO_MODE "use HOST:CONTAINER[:ro|:rw]"
#define IN_PSD  "the container path cannot be in /proc, /sys or /dev"

/* Fails naming the case (a table row) when got is not want. */
static void same(const char *what, const char *got, const char *want)
{
    if (strcmp(got, want) != 0)
        fail_msg("%s: got '%s', want '%s'", what, got, want);
}

/* ---- path_normalise ---------------------------------------------------- */

static void test_normalise(void **state)
{
    static const struct {
        const char *in, *want;
    } rows[] = {
        {"/", "/"},
        {"//", "/"},
        {"///", "/"},
        {"/.", "/"},
        {"/./", "/"},
        {"/..", "/"},
        {"/../..", "/"},
        {"/a", "/a"},
        {"/a/", "/a"},
        {"//a//b//", "/a/b"},
        {"/./a/.", "/a"},
        {"/a/./b/../c/", "/a/c"},
        {"//a/./b/../c/", "/a/c"}, /* volume.h's own example */
        {"/a/b/..", "/a"},
        {"/a/b/../..", "/"},
        {"/a/../../..", "/"}, /* ".." stops at "/", as in the kernel */
        {"/../a", "/a"},
        {"/../../etc/passwd", "/etc/passwd"},
        {"/a/b/c/../../d", "/a/d"},
        {"/ab/../cd", "/cd"},
        {"/a/bc/../d", "/a/d"},
        {"/a/../b/../c", "/c"},
        {"/proc/../data", "/data"},
        {"/a/../dev", "/dev"},
        /* Only "." and ".." are special: other dot names are names. */
        {"/.a/..b/.../a./a..", "/.a/..b/.../a./a.."},
        {"/...", "/..."},
        {"/a b/c:d", "/a b/c:d"},
    };
    char out[PATH_MAX];

    (void)state;
    for (int i = 0; i < N(rows); i++) {
        memset(out, MARK, sizeof(out));
        if (path_normalise(rows[i].in, out, sizeof(out)) != 0)
            fail_msg("path_normalise(\"%s\") refused it", rows[i].in);
        same(rows[i].in, out, rows[i].want);
    }
}

/* Normalising twice changes nothing. */
static void test_normalise_is_idempotent(void **state)
{
    static const char *const paths[] = {"//a/./b/../c/", "/../x", "/a/b/../../..", "/.a/..b"};
    char once[PATH_MAX], twice[PATH_MAX];

    (void)state;
    for (int i = 0; i < N(paths); i++) {
        assert_int_equal(path_normalise(paths[i], once, sizeof(once)), 0);
        assert_int_equal(path_normalise(once, twice, sizeof(twice)), 0);
        same(paths[i], twice, once);
    }
}

static void test_normalise_refuses_relative(void **state)
{
    static const char *const paths[] = {"", "a", "a/b", "./a", "../a", ".", "..", " /a", "~/a"};
    char out[PATH_MAX];

    (void)state;
    for (int i = 0; i < N(paths); i++) {
        if (path_normalise(paths[i], out, sizeof(out)) != -1)
            fail_msg("path_normalise(\"%s\") accepted a relative path as '%s'", paths[i], out);
    }
}

/* len is the whole buffer, NUL included; nothing is written past it. */
static void test_normalise_size(void **state)
{
    static const struct {
        const char *in;
        size_t len;
        int ret;
        const char *want; /* checked when ret is 0 */
    } rows[] = {
        {"/", 0, -1, ""},
        {"/", 1, -1, ""},
        {"/", 2, 0, "/"},
        {"//./", 2, 0, "/"},
        {"/a", 2, -1, ""},
        {"/a", 3, 0, "/a"},
        {"/ab", 3, -1, ""},
        {"/ab", 4, 0, "/ab"},
        {"/a/b", 4, -1, ""},
        {"/a/b", 5, 0, "/a/b"},
        {"/a/b/", 5, 0, "/a/b"},
        /* what counts is the output: a long input may fit */
        {"/./././././a", 3, 0, "/a"},
    };
    char out[16];

    (void)state;
    for (int i = 0; i < N(rows); i++) {
        char what[64];
        int ret;

        snprintf(what, sizeof(what), "\"%s\" in %zu bytes", rows[i].in, rows[i].len);
        memset(out, MARK, sizeof(out));
        ret = path_normalise(rows[i].in, out, rows[i].len);
        if (ret != rows[i].ret)
            fail_msg("%s: returned %d, want %d", what, ret, rows[i].ret);
        if (ret == 0)
            same(what, out, rows[i].want);
        for (size_t j = rows[i].len; j < sizeof(out); j++) {
            if (out[j] != MARK)
                fail_msg("%s: wrote byte %zu, past the buffer", what, j);
        }
    }
}

static void test_normalise_path_max(void **state)
{
    static char in[2 * PATH_MAX], out[PATH_MAX];

    (void)state;
    /* "/" and PATH_MAX - 2 letters: PATH_MAX bytes with the NUL, fits. */
    in[0] = '/';
    memset(in + 1, 'a', PATH_MAX - 2);
    in[PATH_MAX - 1] = '\0';
    assert_int_equal(path_normalise(in, out, sizeof(out)), 0);
    assert_int_equal(strlen(out), PATH_MAX - 1);
    /* One letter more does not. */
    in[PATH_MAX - 1] = 'a';
    in[PATH_MAX] = '\0';
    assert_int_equal(path_normalise(in, out, sizeof(out)), -1);
    /* A component that fits may be taken back by a "..". */
    snprintf(in + PATH_MAX - 1, sizeof(in) - PATH_MAX + 1, "/../b");
    assert_int_equal(path_normalise(in, out, sizeof(out)), 0);
    same("\"/\" PATH_MAX - 2 letters \"/../b\"", out, "/b");
}

/* ---- volume_parse: accepted specs -------------------------------------- */

static void test_parse_accepts(void **state)
{
    static const struct {
        const char *spec, *host, *container;
        bool ro;
    } rows[] = {
        {"/h:/c", "/h", "/c", false},
        {"/h:/c:ro", "/h", "/c", true},
        {"/h:/c:rw", "/h", "/c", false},
        {"/var/lib/mydocker/volumes/demo:/data", "/var/lib/mydocker/volumes/demo", "/data", false},
        /* both sides normalised */
        {"//srv/./data/:/a//b/../c/", "/srv/data", "/a/c", false},
        {"/h/../../x:/../../data:ro", "/x", "/data", true},
        {"/:/mnt", "/", "/mnt", false}, /* the host side may be / */
        /* /proc, /sys, /dev are whole components only */
        {"/h:/proc2", "/h", "/proc2", false},
        {"/h:/system", "/h", "/system", false},
        {"/h:/devices/x", "/h", "/devices/x", false},
        {"/h:/.proc", "/h", "/.proc", false},
        {"/h:/data/proc", "/h", "/data/proc", false},
        {"/h:/x/dev", "/h", "/x/dev", false},
        {"/h:/Proc", "/h", "/Proc", false},
        /* checked once normalised: this is /data, not under /proc */
        {"/h:/proc/../data", "/h", "/data", false},
        {"/my dir:/a b", "/my dir", "/a b", false},
    };
    char err[512];

    (void)state;
    for (int i = 0; i < N(rows); i++) {
        struct volume v;
        char what[128];

        snprintf(what, sizeof(what), "-v %s", rows[i].spec);
        memset(&v, MARK, sizeof(v));
        strcpy(err, "untouched");
        if (volume_parse(rows[i].spec, &v, err, sizeof(err)) != 0)
            fail_msg("%s was refused: %s", what, err);
        same(what, v.host, rows[i].host);
        same(what, v.container, rows[i].container);
        if (v.read_only != rows[i].ro)
            fail_msg("%s: read_only is %d, want %d", what, v.read_only, rows[i].ro);
        same(what, err, "untouched");
    }
}

/* ---- volume_parse: refused specs, and what they say -------------------- */

static void test_parse_refuses(void **state)
{
    static const struct {
        const char *spec, *why;
    } rows[] = {
        /* no ':', or more than three fields */
        {"", NO_MODE},
        {"/h", NO_MODE},
        {"/h/c", NO_MODE},
        {"/a:/b:ro:x", "too many ':' (use HOST:CONTAINER[:ro|:rw])"},
        {"/a:/b:c:d:e", "too many ':' (use HOST:CONTAINER[:ro|:rw])"},
        {":::", "too many ':' (use HOST:CONTAINER[:ro|:rw])"},
        /* an empty side: strsep keeps the empty field */
        {":/data", "empty path"},
        {"/a:", "empty path"},
        {":", "empty path"},
        {"/a::/data", "empty path"},
        {"::ro", "empty path"},
        {":/data:ro", "empty path"},
        /* relative on either side */
        {"rel:/c", "both paths must be absolute"},
        {"/h:rel", "both paths must be absolute"},
        {"./h:/c", "both paths must be absolute"},
        {"/h:./c", "both paths must be absolute"},
        {"~/h:/c", "both paths must be absolute"},
        {"cache:/data", "both paths must be absolute"}, /* no named volumes (yet) */
        {"/a:b:/c", "both paths must be absolute"},     /* a ':' in HOST splits it */
        /* the mode */
        {"/h:/c:", "the mode must be ro or rw"},
        {"/h:/c:RO", "the mode must be ro or rw"},
        {"/h:/c:r", "the mode must be ro or rw"},
        {"/h:/c:rox", "the mode must be ro or rw"},
        {"/h:/c:readonly", "the mode must be ro or rw"},
        {"/h:/c:noexec", "the mode must be ro or rw"},
        {"/h:/c: ro", "the mode must be ro or rw"},
        /* "/" would hide the image */
        {"/h:/", "the container path cannot be /"},
        {"/h://", "the container path cannot be /"},
        {"/h:/.", "the container path cannot be /"},
        {"/h:/..", "the container path cannot be /"},
        {"/h:/a/..", "the container path cannot be /"},
        {"/h:/dev/..", "the container path cannot be /"},
        {"/h:/:ro", "the container path cannot be /"},
        /* the kernel's interfaces */
        {"/h:/proc", IN_PSD},
        {"/h:/proc/", IN_PSD},
        {"/h:/proc/sys", IN_PSD},
        {"/h:/sys", IN_PSD},
        {"/h:/sys/fs/cgroup", IN_PSD},
        {"/h:/dev", IN_PSD},
        {"/h:/dev/shm:rw", IN_PSD},
        {"/h://proc//x", IN_PSD},
        {"/h:/./sys", IN_PSD},
        {"/h:/a/../dev", IN_PSD},
        {"/h:/../proc", IN_PSD},
        {"/h:/data/../../dev/pts", IN_PSD},
        {"/h:/proc:ro", IN_PSD},
    };
    char err[512], want[512];

    (void)state;
    for (int i = 0; i < N(rows); i++) {
        struct volume v;
        char what[128];

        snprintf(what, sizeof(what), "-v '%s'", rows[i].spec);
        snprintf(want, sizeof(want), "invalid volume '%s': %s", rows[i].spec, rows[i].why);
        memset(err, MARK, sizeof(err));
        err[sizeof(err) - 1] = '\0';
        if (volume_parse(rows[i].spec, &v, err, sizeof(err)) != -1)
            fail_msg("%s was accepted (host '%s', container '%s')", what, v.host, v.container);
        same(what, err, want);
    }
}

/* The first problem found is the one reported, in this order. */
static void test_parse_order_of_checks(void **state)
{
    static const struct {
        const char *spec, *why;
    } order[] = {
        {":rel:bad", "empty path"},                                  /* before absolute */
        {"rel:/proc:bad", "both paths must be absolute"},            /* before the mode */
        {"/h:/proc:bad", "the mode must be ro or rw"},               /* before /proc */
        {"/h:/a:b:c", "too many ':' (use HOST:CONTAINER[:ro|:rw])"}, /* before anything */
    };
    char err[512], want[512];
    struct volume v;

    (void)state;
    for (int i = 0; i < N(order); i++) {
        snprintf(want, sizeof(want), "invalid volume '%s': %s", order[i].spec, order[i].why);
        assert_int_equal(volume_parse(order[i].spec, &v, err, sizeof(err)), -1);
        same(order[i].spec, err, want);
    }
}

/* A spec too long to copy, and paths that do not fit in PATH_MAX once
 * normalised. */
static void test_parse_lengths(void **state)
{
    static char spec[3 * PATH_MAX], err[4 * PATH_MAX], want[4 * PATH_MAX];
    const size_t copy = 2 * PATH_MAX + 8; /* volume_parse's own buffer */
    const size_t dots = 3000;
    struct volume v;

    (void)state;
    /* strlen(spec) == copy: refused before it is split. */
    memset(spec, 'a', copy);
    spec[0] = '/';
    spec[PATH_MAX] = ':';
    spec[PATH_MAX + 1] = '/';
    spec[copy] = '\0';
    snprintf(want, sizeof(want), "invalid volume '%s': too long", spec);
    assert_int_equal(volume_parse(spec, &v, err, sizeof(err)), -1);
    same("a spec of 2*PATH_MAX+8 bytes", err, want);

    /* One byte shorter: split, and then its HOST (PATH_MAX bytes) is too
     * long. */
    spec[copy - 1] = '\0';
    snprintf(want, sizeof(want), "invalid volume '%s': path too long", spec);
    assert_int_equal(volume_parse(spec, &v, err, sizeof(err)), -1);
    same("a HOST of PATH_MAX bytes", err, want);

    /* A HOST of PATH_MAX - 1 bytes fits, with its NUL. */
    memset(spec, 'a', PATH_MAX - 1);
    spec[0] = '/';
    snprintf(spec + PATH_MAX - 1, sizeof(spec) - PATH_MAX + 1, ":/c:ro");
    assert_int_equal(volume_parse(spec, &v, err, sizeof(err)), 0);
    assert_int_equal(strlen(v.host), PATH_MAX - 1);
    same("a HOST of PATH_MAX - 1 bytes", v.container, "/c");
    assert_true(v.read_only);

    /* The CONTAINER side has the same limit. */
    snprintf(spec, sizeof(spec), "/h:/");
    memset(spec + 4, 'c', PATH_MAX - 1);
    spec[4 + PATH_MAX - 1] = '\0';
    snprintf(want, sizeof(want), "invalid volume '%s': path too long", spec);
    assert_int_equal(volume_parse(spec, &v, err, sizeof(err)), -1);
    same("a CONTAINER of PATH_MAX bytes", err, want);

    /* What must fit is the normalised path: 3000 "./" are nothing. */
    spec[0] = '/';
    for (size_t i = 0; i < dots; i++)
        memcpy(spec + 1 + 2 * i, "./", 2);
    snprintf(spec + 1 + 2 * dots, sizeof(spec) - 1 - 2 * dots, "h:/c");
    assert_true(strlen(spec) > PATH_MAX);
    assert_int_equal(volume_parse(spec, &v, err, sizeof(err)), 0);
    same("a HOST of 3000 \"./\"", v.host, "/h");
}

/* err is always a string, cut to errlen; nothing is written past it. */
static void test_parse_error_truncated(void **state)
{
    char buf[32];
    struct volume v;

    (void)state;
    memset(buf, MARK, sizeof(buf));
    assert_int_equal(volume_parse("/h:/proc", &v, buf, 16), -1);
    same("errlen 16", buf, "invalid volume ");
    for (size_t i = 16; i < sizeof(buf); i++)
        assert_int_equal(buf[i], MARK);
}

/* ---- volumes_check ----------------------------------------------------- */

/* Parses specs (which must all be valid) into v. */
static void parse_all(const char *const *specs, int n, struct volume *v)
{
    char err[512];

    for (int i = 0; i < n; i++) {
        if (volume_parse(specs[i], &v[i], err, sizeof(err)) != 0)
            fail_msg("-v %s: %s", specs[i], err);
    }
}

static void test_check(void **state)
{
    static const struct {
        const char *name;
        const char *specs[5];
        const char *err; /* NULL: accepted */
    } rows[] = {
        {"none", {NULL}, NULL},
        {"one", {"/h:/c"}, NULL},
        {"two paths", {"/h:/a", "/h:/b"}, NULL},
        {"one host on two paths", {"/h:/a", "/h:/b:ro"}, NULL},
        /* nested volumes are fine: each is mounted on its own path */
        {"nested", {"/a:/x", "/b:/x/y", "/c:/x/y/z"}, NULL},
        {"nested, children first", {"/c:/x/y/z", "/b:/x/y", "/a:/x"}, NULL},
        {"a prefix that is no parent", {"/a:/data", "/b:/data2", "/c:/dat"}, NULL},
        {"same path", {"/a:/data", "/b:/data"}, "two volumes on /data"},
        {"same path and host", {"/a:/data", "/a:/data"}, "two volumes on /data"},
        {"same path, other modes", {"/a:/data:ro", "/b:/data:rw"}, "two volumes on /data"},
        {"same once normalised", {"/a:/data/", "/b:/x/../data"}, "two volumes on /data"},
        {"same, not next to each other", {"/a:/a", "/b:/b", "/c:/c", "/d:/b"}, "two volumes on /b"},
        {"the first repeat is named", {"/a:/a", "/b:/b", "/c:/b", "/d:/a"}, "two volumes on /b"},
    };

    (void)state;
    for (int r = 0; r < N(rows); r++) {
        struct volume v[5];
        char err[256];
        int n = 0;
        int ret;

        while (n < N(rows[r].specs) && rows[r].specs[n])
            n++;
        parse_all(rows[r].specs, n, v);
        strcpy(err, "untouched");
        ret = volumes_check(v, n, err, sizeof(err));
        if (!rows[r].err) {
            if (ret != 0)
                fail_msg("%s: refused: %s", rows[r].name, err);
            same(rows[r].name, err, "untouched");
        } else {
            if (ret != -1)
                fail_msg("%s: accepted, want '%s'", rows[r].name, rows[r].err);
            same(rows[r].name, err, rows[r].err);
        }
    }
}

/* Only the first n volumes count. */
static void test_check_reads_only_n(void **state)
{
    static const char *const specs[] = {"/a:/a", "/b:/b", "/c:/a"};
    struct volume v[3];
    char err[256];

    (void)state;
    parse_all(specs, 3, v);
    assert_int_equal(volumes_check(v, 2, err, sizeof(err)), 0);
    assert_int_equal(volumes_check(v, 3, err, sizeof(err)), -1);
    same("3 volumes", err, "two volumes on /a");
}

/* As many as the command line may give, all different; then the last
 * repeats the first. */
static void test_check_max_volumes(void **state)
{
    static struct volume v[MAX_VOLUMES];
    char spec[64], err[256];

    (void)state;
    for (int i = 0; i < MAX_VOLUMES; i++) {
        snprintf(spec, sizeof(spec), "/h%d:/v/%d", i, i);
        assert_int_equal(volume_parse(spec, &v[i], err, sizeof(err)), 0);
    }
    assert_int_equal(volumes_check(v, MAX_VOLUMES, err, sizeof(err)), 0);
    assert_int_equal(volume_parse("/again:/v/0/", &v[MAX_VOLUMES - 1], err, sizeof(err)), 0);
    assert_int_equal(volumes_check(v, MAX_VOLUMES, err, sizeof(err)), -1);
    same("the last repeats the first", err, "two volumes on /v/0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_normalise_is_idempotent),
        cmocka_unit_test(test_normalise_refuses_relative),
        cmocka_unit_test(test_normalise_size),
        cmocka_unit_test(test_normalise_path_max),
        cmocka_unit_test(test_parse_accepts),
        cmocka_unit_test(test_parse_refuses),
        cmocka_unit_test(test_parse_order_of_checks),
        cmocka_unit_test(test_parse_lengths),
        cmocka_unit_test(test_parse_error_truncated),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_check_reads_only_n),
        cmocka_unit_test(test_check_max_volumes),
    };

    return cmocka_run_group_tests_name("chapter4-volume unit: volume", tests, NULL, NULL);
}
