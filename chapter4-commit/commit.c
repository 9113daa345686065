#include "commit.h"

#include "image.h"
#include "log.h"
#include "mydocker.h"
#include "util.h"
#include "overlay.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

enum { MAX_LISTED = 64 };

/* Which container: the one named, or the only one running. */
static int pick_container(const char *id, char *out, size_t len)
{
    char ids[MAX_LISTED][CONTAINER_ID_MAX];
    char list[(size_t)MAX_LISTED * CONTAINER_ID_MAX + sizeof(", ...")];
    size_t used = 0;
    int n;

    if (id && container_running(id)) {
        snprintf(out, len, "%s", id);
        return 0;
    }
    n = containers_running(ids, MAX_LISTED);
    if (n < 0)
        return -1;
    list[0] = '\0';
    for (int i = 0; i < n && i < MAX_LISTED; i++) {
        int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", ids[i]);

        if (w > 0 && (size_t)w < sizeof(list) - used)
            used += (size_t)w;
    }
    if (n > MAX_LISTED)
        snprintf(list + used, sizeof(list) - used, ", ...");
    if (id)
        err_msg("no running container %s%s%s", id, n ? "; running: " : "", list);
    else if (n == 0)
        err_msg("no running container to commit (start one with mydocker run)");
    else if (n > 1)
        err_msg("%d containers are running (%s): name one, mydocker commit CONTAINER IMAGE", n,
                list);
    else
        snprintf(out, len, "%s", ids[0]);
    return id || n != 1 ? -1 : 0;
}

/* A root filesystem tar as docker export makes (its entries are "bin/sh",
 * ours "./bin/sh"; importers take both), numeric owners,
 * symlinks as symlinks. merged/ is the overlay as the host sees it: the
 * image plus the container's changes, with no whiteouts, and none of the
 * mounts made in the container's own namespace (its /proc, its /dev
 * tmpfs, its volumes), which is what a commit should leave out. */
static int pack(const char *merged, const char *tarball, int out_fd)
{
    /* --file -: tar writes to the temp file we hold open, rather than
     * reopening it with O_TRUNC, which on ext4 makes close() flush it.
     * --sparse: a file's holes stay holes, so "truncate -s 500G /big" in
     * the container costs a few blocks of image, not 500 GB of zeros. */
    char *const argv[] = {"tar", "--create", "--numeric-owner", "--sparse", "--file", "-",
                          ".",   NULL};
    struct statfs sfs;
    int fd;
    int ret;

    /* We hold the container's upper/ (container_fs_hold): a teardown
     * that has not unmounted merged/ yet waits for us. If one got there
     * first, merged/ is gone, or (had its unmount failed) a plain
     * directory that fstatfs tells from an overlay. tar starts in this
     * fd (run_tar fchdirs to it). */
    fd = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fstatfs(fd, &sfs) < 0 || sfs.f_type != OVERLAYFS_MAGIC) {
        err_msg("%s is not mounted: the container has stopped", merged);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    ret = run_tar(argv, tarball, out_fd, fd);
    close(fd);
    return ret;
}

/* The packed temp file becomes IMAGE.tar, durably: its data is on disk
 * before the rename points the name at it (ext4 writes lazily, and a
 * crash could leave a whole-looking IMAGE.tar short or empty), and the
 * rename, an entry in images/, is made durable by that directory's own
 * fsync. mkstemp made the file 0600, and so it stays: an image may hold
 * setuid files and secrets, and only root runs containers. 0; -1 when
 * IMAGE.tar was not replaced (the temp is still there); 1 when it was,
 * but the directory's fsync failed. */
static int publish(int fd, const char *tmp, const char *tarball)
{
    char images[PATH_MAX];
    int dir;

    if (fsync(fd) < 0) {
        err_sys("fsync %s", tmp);
        return -1;
    }
    if (rename(tmp, tarball) < 0) {
        err_sys("rename %s to %s", tmp, tarball);
        return -1;
    }
    if (fmt_path(images, sizeof(images), "%s/images", state_root()) < 0)
        return -1;
    dir = open(images, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0 || fsync(dir) < 0) {
        err_sys("fsync %s: %s may not survive a crash", images, tarball);
        if (dir >= 0)
            close(dir);
        return 1;
    }
    close(dir);
    return 0;
}

int commit_container(const char *want, const char *image)
{
    char id[CONTAINER_ID_MAX];
    char merged[PATH_MAX];
    char tarball[PATH_MAX];
    char tmp[PATH_MAX];
    int published;
    int hold;
    int fd;

    if (!image_name_valid(image)) {
        err_msg("invalid image name '%s': use [a-z0-9][a-z0-9_.-]*, at most 128 characters, "
                "not ending in .tar",
                image);
        return EXIT_MYDOCKER;
    }
    if (pick_container(want, id, sizeof(id)) < 0)
        return EXIT_MYDOCKER;
    if (fmt_path(merged, sizeof(merged), "%s/containers/%s/merged", state_root(), id) < 0 ||
        fmt_path(tarball, sizeof(tarball), "%s/images/%s.tar", state_root(), image) < 0 ||
        fmt_path(tmp, sizeof(tmp), "%s/images/.%s.tar.XXXXXX", state_root(), image) < 0)
        return EXIT_MYDOCKER;
    log_info("commit container %s (%s) to %s", id, merged, tarball);

    /* A temp file in the same directory, renamed when whole: a commit
     * that fails half-way (disk full, container gone) leaves no broken
     * IMAGE.tar, and readers of an older one never see it change. */
    hold = container_fs_hold(id);
    if (hold < 0)
        return EXIT_MYDOCKER;
    fd = image_make_temp(tmp, false);
    if (fd < 0) {
        close(hold);
        return EXIT_MYDOCKER;
    }
    published = pack(merged, tmp, fd) == 0 ? publish(fd, tmp, tarball) : -1;
    close(hold); /* the container may go now: the tarball is whole */
    close(fd);
    if (published < 0) {
        unlink(tmp);
        return EXIT_MYDOCKER;
    }
    /* The old unpacked copy no longer matches the tarball, which is in
     * place even if its rename may not be on disk yet. */
    if (image_forget_unpacked(image) < 0 || published > 0)
        return EXIT_MYDOCKER;
    printf("%s\n", tarball);
    return 0;
}
