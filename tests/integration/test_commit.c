/* chapter4-commit: commit a running container to images/IMAGE.tar and run
 * it with -image; unpacking never writes outside the image's directory. */
#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct result r;
static struct proc p;
static struct proc q;

static void start(struct proc *c, const char *script)
{
    md_spawn(c, "run", "-stop-timeout", "0", "sh", "-c", script, NULL);
    proc_wait_for(c, "ready", 10);
}

static void stop(struct proc *c)
{
    kill(c->pid, SIGTERM); /* forwarded, then SIGKILL at once */
    assert_int_equal(proc_finish(c, 10), 137);
}

/* Removes images/NAME.tar and its unpacked copy. */
static void drop_image(const char *name)
{
    assert_int_equal(
        host_sh("rm -rf '%s/images/%s.tar' '%s/images/%s'", state_root, name, state_root, name), 0);
}

static char *tar_listing(const char *name)
{
    char path[4200];
    char *text;

    assert_int_equal(
        host_sh("tar -tvf '%s/images/%s.tar' >'%s/listing'", state_root, name, state_root), 0);
    snprintf(path, sizeof(path), "%s/listing", state_root);
    text = read_text(path);
    unlink(path);
    assert_non_null(text);
    return text;
}

static void test_commit_then_run_the_image(void **state)
{
    char expect[4200];
    char path[4200];
    char *listing;

    (void)state;
    start(&p, "echo hello >/hello; echo ready; sleep 100");
    md(&r, "commit", "snap", NULL);
    assert_status(&r, 0);
    snprintf(expect, sizeof(expect), "%s/images/snap.tar\n", state_root);
    assert_string_equal(r.out, expect);
    stop(&p);
    listing = tar_listing("snap");
    assert_contains(listing, " ./hello\n");
    assert_contains(listing, " ./bin/sh -> busybox\n");
    free(listing);
    assert_int_equal(
        host_sh("[ \"$(tar -xOf '%s/images/snap.tar' ./hello)\" = hello ]", state_root), 0);
    /* An image may hold setuid files and secrets: root's alone. */
    assert_int_equal(host_sh("[ \"$(stat -c %%a '%s/images/snap.tar')\" = 600 ]", state_root), 0);
    md(&r, "run", "-image", "snap", "cat", "/hello", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "hello\n");
    snprintf(path, sizeof(path), "%s/images/busybox/hello", state_root);
    assert_false(path_exists(path));
    md(&r, "run", "ls", "/hello", NULL);
    assert_status(&r, 1);
    drop_image("snap");
}

/* More containers than commit lists in an error: the count it gives is
 * the true one, and each of them can still be named, including the one
 * that readdir(3) finds last. */
static void test_more_containers_than_listed(void **state)
{
    enum { N = 65 };
    static struct proc many[N];
    char containers[4200];
    char last[64] = "";
    struct dirent *e;
    DIR *d;

    (void)state;
    for (int i = 0; i < N; i++)
        start(&many[i], "echo ready; sleep 100");
    snprintf(containers, sizeof(containers), "%s/containers", state_root);
    d = opendir(containers);
    assert_non_null(d);
    while ((e = readdir(d))) {
        if (e->d_name[0] != '.')
            snprintf(last, sizeof(last), "%s", e->d_name);
    }
    closedir(d);
    md(&r, "-log-level", "error", "commit", "many", NULL);
    assert_status(&r, 125);
    assert_contains(r.err, "65 containers are running");
    md(&r, "-log-level", "error", "commit", last, "many", NULL);
    for (int i = 0; i < N; i++)
        stop(&many[i]);
    assert_status(&r, 0);
    drop_image("many");
}

/* A commit over the image a running container uses keeps the old copy,
 * even where the state root's path holds a space (an earlier mydocker
 * looked for the overlay's lowerdir in mountinfo, which writes it \040),
 * until the next command after that container's exit. */
static void test_image_in_use_is_kept(void **state)
{
    const char *root = use_other_root("/tmp/mydocker itest.XXXXXX");

    (void)state;
    assert_int_equal(host_sh("mkdir '%s/images' && cp '%s' '%s/images/'", root, busybox_tar, root),
                     0);
    start(&p, "echo ready; sleep 100");
    md(&r, "-log-level", "warn", "commit", "busybox", NULL);
    assert_int_equal(host_sh("ls '%s'/images/.busybox.old-*/bin/busybox >/dev/null", root), 0);
    stop(&p);
    assert_status(&r, 0);
    assert_contains(r.err, "a running container still uses it");
    /* Its last user gone, the next command removes it. */
    md(&r, "-log-level", "error", "run", "true", NULL);
    assert_status(&r, 0);
    assert_int_not_equal(host_sh("ls -d '%s'/images/.busybox.old-* 2>/dev/null", root), 0);
}

/* A sparse file is committed as one: 1 GiB of hole costs the tarball a
 * few blocks, not 1 GiB of zeros; and it unpacks to the same size. */
static void test_sparse_file_stays_sparse(void **state)
{
    char path[4200];
    struct stat st;

    (void)state;
    start(&p, "dd if=/dev/zero of=/big bs=1 count=1 seek=1073741823 2>/dev/null; echo ready;"
              " sleep 100");
    md(&r, "-log-level", "error", "commit", "sparse", NULL);
    stop(&p);
    assert_status(&r, 0);
    snprintf(path, sizeof(path), "%s/images/sparse.tar", state_root);
    assert_int_equal(stat(path, &st), 0);
    if (st.st_size > 64L * 1024 * 1024) {
        print_error("a 1 GiB sparse file made a %lld-byte tarball\n", (long long)st.st_size);
        fail();
    }
    md(&r, "-log-level", "error", "run", "-image", "sparse", "stat", "-c", "%s", "/big", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "1073741824\n");
    drop_image("sparse");
}

/* A commit is durable once it has said so: the tarball's data is synced
 * before the rename gives it its name, and images/ after it, which holds
 * the rename. strace shows the order of the calls, since what a crash
 * would lose cannot be seen from a running system. */
static void test_commit_is_synced_around_the_rename(void **state)
{
    char trace[4200];
    const char *renamed;
    const char *first;
    char *text;

    (void)state;
    snprintf(trace, sizeof(trace), "%s/trace", state_root);
    start(&p, "echo ready; sleep 100");
    assert_int_equal(host_sh("strace -f -qq -o '%s' -e trace=fsync,rename,renameat,renameat2 "
                             "'%s' -log-level error commit durable >/dev/null",
                             trace, mydocker_bin),
                     0);
    stop(&p);
    text = read_text(trace);
    unlink(trace);
    drop_image("durable");
    assert_non_null(text);
    renamed = strstr(text, "/durable.tar\") = 0");
    first = strstr(text, "fsync(");
    if (!renamed || !first || first > renamed || !strstr(renamed, "fsync(")) {
        print_error("want fsync, rename to durable.tar, fsync; strace shows:\n%s\n", text);
        free(text);
        fail();
    }
    free(text);
}

/* Volumes, /proc and /dev are mounts of the container's namespace: the
 * commit sees the empty directories under them, nothing more. */
static void test_commit_leaves_out_mounts(void **state)
{
    char spec[4200];
    char *listing;

    (void)state;
    snprintf(spec, sizeof(spec), "%s/commit-vol:/data", state_root);
    md_spawn(&p, "run", "-stop-timeout", "0", "-v", spec, "sh", "-c",
             "echo secret >/data/in-volume; ln -s /etc/shadow /leak; echo ready; sleep 100", NULL);
    proc_wait_for(&p, "ready", 10);
    md(&r, "commit", "nomounts", NULL);
    assert_status(&r, 0);
    stop(&p);
    listing = tar_listing("nomounts");
    assert_contains(listing, " ./data/\n");
    assert_not_contains(listing, "in-volume");
    assert_contains(listing, " ./proc/\n");
    assert_not_contains(listing, "./proc/1");
    assert_contains(listing, " ./dev/\n");
    assert_not_contains(listing, "./dev/null");
    assert_contains(listing, " ./leak -> /etc/shadow\n");
    assert_not_contains(listing, "./etc/shadow");
    free(listing);
    drop_image("nomounts");
    assert_int_equal(host_sh("rm -rf '%s/commit-vol'", state_root), 0);
}

static void test_bad_names_write_nothing(void **state)
{
    static const char *const names[] = {"../x",  "a/b", ".hidden", "",
                                        "Upper", "a b", "-x",      "busybox.tar"};
    char longname[201];

    (void)state;
    start(&p, "echo ready; sleep 100");
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        md(&r, "commit", names[i], NULL);
        assert_status(&r, 125);
        assert_contains(r.err, "invalid image name");
    }
    memset(longname, 'a', 200);
    longname[200] = '\0';
    md(&r, "commit", longname, NULL);
    assert_status(&r, 125);
    md(&r, "run", "-image", "../busybox", "true", NULL);
    assert_status(&r, 125);
    stop(&p);
}

static void test_which_container(void **state)
{
    char id[13];
    const char *at;

    (void)state;
    md(&r, "commit", "none", NULL);
    assert_status(&r, 125);
    assert_contains(r.err, "no running container");
    start(&p, "echo ready; sleep 100");
    start(&q, "echo ready; echo second >/second; sleep 100");
    md(&r, "commit", "which", NULL);
    assert_status(&r, 125);
    assert_contains(r.err, "2 containers are running");
    at = strstr(q.err, "container ");
    assert_non_null(at);
    snprintf(id, sizeof(id), "%.12s", at + strlen("container "));
    assert_contains(r.err, id);
    md(&r, "commit", id, "which", NULL);
    assert_status(&r, 0);
    md(&r, "commit", "ffffffffffff", "which2", NULL);
    assert_status(&r, 125);
    stop(&p);
    stop(&q);
    md(&r, "run", "-image", "which", "cat", "/second", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "second\n");
    drop_image("which");
}

/* A container whose merged/ is no longer mounted (its teardown has begun)
 * must not be committed as an empty image. */
static void test_commit_of_a_stopping_container_fails(void **state)
{
    (void)state;
    start(&p, "echo ready; sleep 100");
    assert_int_equal(host_sh("umount -l '%s'/containers/*/merged", state_root), 0);
    md(&r, "commit", "empty", NULL);
    assert_status(&r, 125);
    assert_contains(r.err, "is not mounted: the container has stopped");
    assert_int_equal(host_sh("[ ! -e '%s/images/empty.tar' ]", state_root), 0);
    kill(p.pid, SIGKILL); /* its teardown cannot unmount what we unmounted */
    proc_finish(&p, 10);
    md(&r, "run", "true", NULL); /* reaps what is left */
    assert_status(&r, 0);
}

/* A full disk: the commit fails and leaves neither IMAGE.tar nor a temp. */
static void test_full_disk_leaves_nothing(void **state)
{
    const char *root = use_other_root("/tmp/mydocker-itest-full.XXXXXX");

    (void)state;
    assert_int_equal(mount("tmpfs", root, "tmpfs", 0, "size=4m"), 0);
    /* An older full.tar: a failed commit must leave it as it was, which
     * only a temp file and a rename can promise. */
    assert_int_equal(host_sh("mkdir '%s/images' && cp '%s' '%s/images/' &&"
                             " echo old >'%s/images/full.tar'",
                             root, busybox_tar, root, root),
                     0);
    start(&p, "head -c 900000 /dev/zero >/big; echo ready; sleep 100");
    md(&r, "commit", "full", NULL);
    assert_status(&r, 125);
    stop(&p);
    assert_int_equal(host_sh("cd '%s/images' && [ \"$(ls -A | grep -v '^busybox')\" = full.tar ] &&"
                             " [ \"$(cat full.tar)\" = old ]",
                             root),
                     0);
}

/* Hostile image tarballs: names with "..", absolute names, a file written
 * through a symlink, a hard link to a host file, a device node. Each is
 * refused (125) or stays inside the image's directory. */
static void test_hostile_images_stay_contained(void **state)
{
    char dir[] = "/tmp/mydocker-itest-hostile.XXXXXX";
    char *host_hostname = read_text("/etc/hostname");

    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(
        host_sh("set -e; D='%s'; I='%s/images'; cd \"$D\"; mkdir base s1 s2 h d;"
                " tar -xf '%s' -C base; echo evil >x;"
                " tar -P -cf $I/dotdot.tar -C $D/base . -C $D"
                " --transform 's,^x$,../../../../../tmp/mydocker-evil,' x 2>/dev/null;"
                " tar -P -cf $I/abs.tar -C $D/base . -C $D --transform 's,^x$,/tmp/mydocker-evil,'"
                " x 2>/dev/null;"
                " ln -s /tmp s1/link; mkdir s2/link; echo through >s2/link/mydocker-evil;"
                " tar -cf $I/symlink.tar -C $D/base . -C $D/s1 link -C $D/s2 link/mydocker-evil;"
                " echo a >h/f; ln h/f h/g;"
                " tar -P -cf $I/hard.tar -C $D/base . -C $D/h --transform 's,^f$,/etc/hostname,'"
                " f g 2>/dev/null;"
                " mknod d/sda b 8 0; tar -cf $I/dev.tar -C $D/base . -C $D/d sda",
                dir, state_root, busybox_tar),
        0);
    md(&r, "run", "-image", "dotdot", "true", NULL);
    assert_status(&r, 125);
    md(&r, "run", "-image", "symlink", "true", NULL);
    assert_status(&r, 125);
    md(&r, "run", "-image", "abs", "cat", "/tmp/mydocker-evil", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "evil\n");
    md(&r, "run", "-image", "hard", "cat", "/g", NULL);
    assert_status(&r, 0);
    assert_string_equal(r.out, "a\n");
    md(&r, "run", "-image", "dev", "ls", "/sda", NULL);
    assert_status(&r, 1);
    assert_contains(r.err, "dropping device node");
    assert_false(path_exists("/tmp/mydocker-evil"));
    {
        char *after = read_text("/etc/hostname");

        assert_string_equal(host_hostname, after);
        free(after);
    }
    free(host_hostname);
    assert_int_equal(rm_rf(dir), 0);
    drop_image("dotdot"), drop_image("abs"), drop_image("symlink"), drop_image("hard");
    drop_image("dev");
}

/* containers/ID of the only container running, in buf. */
static void only_container_dir(char *buf, size_t len)
{
    char containers[4200];
    struct dirent *e;
    DIR *d;

    /* MYDOCKER_ROOT, not state_root: a test may use_other_root(). */
    snprintf(containers, sizeof(containers), "%s/containers", getenv("MYDOCKER_ROOT"));
    d = opendir(containers);
    assert_non_null(d);
    buf[0] = '\0';
    while ((e = readdir(d))) {
        if (e->d_name[0] != '.')
            snprintf(buf, len, "%s/%s", containers, e->d_name);
    }
    closedir(d);
    assert_true(buf[0] != '\0');
}

static bool running(pid_t pid)
{
    char path[64];
    char *stat;
    bool alive;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    stat = read_text(path);
    alive = stat && strrchr(stat, ')') && strrchr(stat, ')')[2] != 'Z';
    free(stat);
    return alive;
}

/* The teardown waits for a commit in progress, which it knows by the
 * shared lock a commit holds on containers/ID/upper while its tar reads
 * merged/. The test takes that lock as a commit does: the container's
 * exit must leave its layers in place until the lock goes. */
static void test_teardown_waits_for_a_commit(void **state)
{
    char dir[4200];
    char upper[4300];
    bool waited;
    bool kept;
    int fd;

    (void)state;
    start(&p, "echo ready; sleep 100");
    only_container_dir(dir, sizeof(dir));
    snprintf(upper, sizeof(upper), "%s/upper", dir);
    fd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_SH), 0);
    kill(p.pid, SIGTERM); /* -stop-timeout 0: SIGKILL, and the teardown */
    usleep(500000);
    waited = running(p.pid);
    kept = path_exists(upper) && host_sh("mountpoint -q '%s/merged'", dir) == 0;
    close(fd); /* before any assert: a failure must not keep the lock */
    assert_true(waited);
    assert_true(kept);
    assert_int_equal(proc_finish(&p, 10), 137);
    assert_contains(p.err, "a commit is reading it");
    assert_false(path_exists(dir));
}

/* A container whose teardown waits for a commit still has its overlay
 * mounted, so its image must stay: a commit that replaces that image
 * meanwhile keeps the old copy, as it does for a running container. */
static void test_image_of_a_waiting_teardown_is_kept(void **state)
{
    const char *root = use_other_root(NULL);
    char dir[4200];
    char upper[4300];
    bool kept;
    int fd;

    (void)state;
    assert_int_equal(host_sh("mkdir '%s/images' && cp '%s' '%s/images/'", root, busybox_tar, root),
                     0);
    start(&p, "echo ready; sleep 100");
    only_container_dir(dir, sizeof(dir));
    snprintf(upper, sizeof(upper), "%s/upper", dir);
    fd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_SH), 0);
    kill(p.pid, SIGTERM); /* its teardown waits for our lock */
    usleep(300000);
    /* A shared lock, as ours: the commit need not wait for the teardown. */
    md(&r, "-log-level", "warn", "commit", "busybox", NULL);
    kept = host_sh("ls '%s'/images/.busybox.old-*/bin/busybox >/dev/null 2>&1", root) == 0;
    close(fd);
    assert_int_equal(proc_finish(&p, 10), 137);
    assert_status(&r, 0);
    assert_true(kept);
}

enum { RACE_FILES = 4000, RACE_TRIES = 20 };

/* One commit racing the exit of a container that deleted a directory of
 * its image and wrote a file. Were the teardown to delete upper/ while
 * tar reads merged/, the deleted files would come back and the new one
 * would go. So the commit either fails, leaving no image, or holds
 * exactly the final tree. */
static void commit_racing_exit(useconds_t delay_us)
{
    static struct proc run;
    static struct proc commit;
    int status;

    md_spawn(&run, "run", "-image", "race", "sh", "-c",
             "trap 'exit 0' TERM; rm -rf /data/b; echo final >/data/marker; echo ready;"
             " while :; do sleep 0.01; done",
             NULL);
    proc_wait_for(&run, "ready", 30);
    md_spawn(&commit, "commit", "raced", NULL);
    usleep(delay_us);
    kill(run.pid, SIGTERM); /* forwarded: the trap exits at once */
    status = proc_finish(&commit, 60);
    assert_int_equal(proc_finish(&run, 60), 0);
    if (status != 0) {
        assert_int_equal(host_sh("[ ! -e '%s/images/raced.tar' ]", state_root), 0);
        return;
    }
    assert_int_equal(host_sh("tar -tf '%s/images/raced.tar' | grep -c '^./data/a/[0-9]' | "
                             "grep -qx %d",
                             state_root, RACE_FILES),
                     0);
    assert_int_equal(host_sh("! tar -tf '%s/images/raced.tar' | grep -q '^./data/b'", state_root),
                     0);
    assert_int_equal(
        host_sh("[ \"$(tar -xOf '%s/images/raced.tar' ./data/marker)\" = final ]", state_root), 0);
    drop_image("raced");
}

/* The exit comes at 20 points spread over the time a commit takes here,
 * measured first, so that some land while tar reads. */
static void test_commit_racing_the_exit_is_whole_or_fails(void **state)
{
    struct timespec t0;
    struct timespec t1;
    char script[256];
    long took_us;

    (void)state;
    snprintf(script, sizeof(script),
             "mkdir -p /data/a /data/b; cd /data/a; i=0; while [ $i -lt %d ]; do : >$i; "
             "i=$((i+1)); done; cp -a /data/a/. /data/b; echo ready; sleep 100",
             RACE_FILES);
    start(&p, script);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    md(&r, "commit", "race", NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_status(&r, 0);
    stop(&p);
    took_us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
    for (int i = 0; i < RACE_TRIES; i++)
        commit_racing_exit((useconds_t)(took_us * 3 / 2 * i / RACE_TRIES));
    drop_image("race");
}

const struct itest commit_tests[] = {
    ITEST("chapter4-commit", test_commit_then_run_the_image),
    ITEST("chapter4-commit", test_sparse_file_stays_sparse),
    ITEST("chapter4-commit", test_commit_is_synced_around_the_rename),
    ITEST("chapter4-commit", test_image_in_use_is_kept),
    ITEST("chapter4-commit", test_more_containers_than_listed),
    ITEST("chapter4-commit", test_commit_leaves_out_mounts),
    ITEST("chapter4-commit", test_bad_names_write_nothing),
    ITEST("chapter4-commit", test_which_container),
    ITEST("chapter4-commit", test_commit_of_a_stopping_container_fails),
    ITEST("chapter4-commit", test_teardown_waits_for_a_commit),
    ITEST("chapter4-commit", test_image_of_a_waiting_teardown_is_kept),
    ITEST("chapter4-commit", test_commit_racing_the_exit_is_whole_or_fails),
    ITEST("chapter4-commit", test_full_disk_leaves_nothing),
    ITEST("chapter4-commit", test_hostile_images_stay_contained),
};
const size_t commit_count = sizeof(commit_tests) / sizeof(commit_tests[0]);
