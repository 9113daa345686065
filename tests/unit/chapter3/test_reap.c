/* Unit tests for the reaper's side of cgroups.c: the hierarchies where a
 * dead run may have left a <root>/mydocker/<id>, found from a mountinfo
 * text. */
#undef main /* this file's main is the test runner */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cgroups.h"

#include <stdio.h>
#include <string.h>

#include "../mountinfo_fixtures.h"

static bool has_root(const char *const roots[], int n, const char *path)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(roots[i], path) == 0)
            return true;
    }
    return false;
}

/* This host's layout: four v1 hierarchies and the unified one, five
 * roots in all, one more than there are controllers. */
static void test_roots_hybrid(void **state)
{
    struct cg_layout layout;
    const char *roots[CG_MAX_DIRS];
    int n;

    (void)state;
    assert_int_equal(cg_layout_parse(mountinfo_hybrid, &layout), 0);
    n = cg_layout_roots(&layout, roots);
    assert_int_equal(n, 5);
    assert_true(has_root(roots, n, "/sys/fs/cgroup/memory"));
    assert_true(has_root(roots, n, "/sys/fs/cgroup/cpu"));
    assert_true(has_root(roots, n, "/sys/fs/cgroup/cpuset"));
    assert_true(has_root(roots, n, "/sys/fs/cgroup/pids"));
    assert_string_equal(roots[n - 1], "/sys/fs/cgroup/unified");
}

/* Ubuntu 20.04: cpu and cpuacct share one hierarchy, named once. */
static void test_roots_hybrid_combined(void **state)
{
    struct cg_layout layout;
    const char *roots[CG_MAX_DIRS];
    int n;

    (void)state;
    assert_int_equal(cg_layout_parse(mountinfo_hybrid_combined, &layout), 0);
    n = cg_layout_roots(&layout, roots);
    assert_int_equal(n, 5);
    assert_true(has_root(roots, n, "/sys/fs/cgroup/cpu,cpuacct"));
    assert_true(has_root(roots, n, "/sys/fs/cgroup/unified"));
}

/* CentOS 7, pure v1: a root per hierarchy that holds one of our
 * controllers, and no unified one. */
static void test_roots_v1(void **state)
{
    struct cg_layout layout;
    const char *roots[CG_MAX_DIRS];
    int n;

    (void)state;
    assert_int_equal(cg_layout_parse(mountinfo_v1, &layout), 0);
    n = cg_layout_roots(&layout, roots);
    assert_int_equal(n, 4);
    assert_true(has_root(roots, n, "/sys/fs/cgroup/cpuset"));
    assert_true(has_root(roots, n, "/sys/fs/cgroup/cpu,cpuacct"));
    assert_true(has_root(roots, n, "/sys/fs/cgroup/memory"));
    assert_true(has_root(roots, n, "/sys/fs/cgroup/pids"));
}

/* Pure v2: one root. */
static void test_roots_v2(void **state)
{
    struct cg_layout layout;
    const char *roots[CG_MAX_DIRS];

    (void)state;
    assert_int_equal(cg_layout_parse(mountinfo_v2, &layout), 0);
    assert_int_equal(cg_layout_roots(&layout, roots), 1);
    assert_string_equal(roots[0], "/sys/fs/cgroup");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roots_hybrid),
        cmocka_unit_test(test_roots_hybrid_combined),
        cmocka_unit_test(test_roots_v1),
        cmocka_unit_test(test_roots_v2),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
