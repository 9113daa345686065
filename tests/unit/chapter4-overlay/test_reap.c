/* Unit tests for the reaper's side of chapter4-overlay's cgroups.c: the
 * directories a dead run may have left, found from a mountinfo text. */
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

#define ID "0123456789ab"

static bool has_dir(const struct cgroup *cg, const char *path, bool v2)
{
    for (int i = 0; i < cg->ndirs; i++) {
        if (strcmp(cg->dir[i].path, path) == 0 && cg->dir[i].v2 == v2)
            return true;
    }
    return false;
}

/* This host's layout: four v1 hierarchies and the unified one, five
 * directories in all, one more than there are controllers. */
static void test_dirs_of_id_hybrid(void **state)
{
    struct cg_layout layout;
    struct cgroup cg;

    (void)state;
    assert_int_equal(cg_layout_parse(mountinfo_hybrid, &layout), 0);
    assert_int_equal(cgroup_dirs_of_id(&layout, ID, &cg), 0);
    assert_in_range(cg.ndirs, 0, sizeof(cg.dir) / sizeof(cg.dir[0]));
    assert_int_equal(cg.ndirs, 5);
    assert_true(has_dir(&cg, "/sys/fs/cgroup/memory/mydocker/" ID, false));
    assert_true(has_dir(&cg, "/sys/fs/cgroup/cpu/mydocker/" ID, false));
    assert_true(has_dir(&cg, "/sys/fs/cgroup/cpuset/mydocker/" ID, false));
    assert_true(has_dir(&cg, "/sys/fs/cgroup/pids/mydocker/" ID, false));
    assert_true(has_dir(&cg, "/sys/fs/cgroup/unified/mydocker/" ID, true));
}

/* Ubuntu 20.04: cpu and cpuacct share one hierarchy, named once. */
static void test_dirs_of_id_hybrid_combined(void **state)
{
    struct cg_layout layout;
    struct cgroup cg;

    (void)state;
    assert_int_equal(cg_layout_parse(mountinfo_hybrid_combined, &layout), 0);
    assert_int_equal(cgroup_dirs_of_id(&layout, ID, &cg), 0);
    assert_int_equal(cg.ndirs, 5);
    assert_true(has_dir(&cg, "/sys/fs/cgroup/cpu,cpuacct/mydocker/" ID, false));
    assert_true(has_dir(&cg, "/sys/fs/cgroup/unified/mydocker/" ID, true));
}

/* Pure v2: one directory. */
static void test_dirs_of_id_v2(void **state)
{
    struct cg_layout layout;
    struct cgroup cg;

    (void)state;
    assert_int_equal(cg_layout_parse(mountinfo_v2, &layout), 0);
    assert_int_equal(cgroup_dirs_of_id(&layout, ID, &cg), 0);
    assert_int_equal(cg.ndirs, 1);
    assert_true(has_dir(&cg, "/sys/fs/cgroup/mydocker/" ID, true));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dirs_of_id_hybrid),
        cmocka_unit_test(test_dirs_of_id_hybrid_combined),
        cmocka_unit_test(test_dirs_of_id_v2),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
